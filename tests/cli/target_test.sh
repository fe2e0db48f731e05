#!/bin/sh
# target_test.sh SUITEBENCH WORK [LIBRARY [SUITES]] - `run --target
# cortex-m4` end to end: DTLS 1.2 handshakes and records of LIBRARY
# (default mbedtls; SUITES default psk-ccm8) on two emulated Cortex-M4s
# are verified (ok rows), repeat to the instruction across runs, and the
# block-hook counts equal those of the per-instruction hook.
# Exits 77 (skip) when the build has no target (no Unicorn or ARM
# toolchain), Debian's mbedtls source package cannot be fetched, or
# (wolfssl) scripts/build-wolfssl.sh has not unpacked wolfSSL's source.
set -u
sb=$1 work=$2 lib=${3:-mbedtls} suites=${4:-psk-ccm8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # out [options]
	out=$1
	shift
	"$sb" run --target cortex-m4 --backend "$lib" --protocol dtls1.2 \
		--suite "$suites" --payload 64 --work "$work" -q -o "$tmp/$out.csv" "$@" \
		2>"$tmp/$out.err"
}
run a
rc=$?
if grep -q "this build has no Cortex-M4 target" "$tmp/a.err"; then
	cat "$tmp/a.err"
	exit 77
fi
if grep -q "cannot fetch Debian's source package" \
	"$work"/out/target-cortex-m4/mbedtls/psk-ccm8/build.log 2>/dev/null; then
	echo "skip: no mbedtls source package"
	exit 77
fi
if grep -q '"unsupported","no wolfSSL source' "$tmp/a.csv" 2>/dev/null; then
	echo "skip: no wolfSSL source (scripts/build-wolfssl.sh unpacks it)"
	exit 77
fi
[ $rc -eq 0 ] || { echo "first run failed ($rc):"; cat "$tmp/a.err"; grep failed "$tmp/a.csv"; exit 1; }
run b || { echo "second run failed"; cat "$tmp/b.err"; exit 1; }
run c --count-each || { echo "--count-each run failed"; cat "$tmp/c.err"; exit 1; }
# metric, side, payload, median, min, max of every instruction row.
counts() {
	python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r for r in rows if r["status"] != "ok"]
if bad:
    print("not ok:", bad[0]["metric"], bad[0]["reason"])
    sys.exit(1)
for r in rows:
    if r["unit"] in ("instructions", "cycles (estimate)", "bytes"):
        print("|".join((r["side"], r["metric"], r["payload"], r["median"], r["min"], r["max"])))
PY
}
counts "$tmp/a.csv" >"$tmp/a.txt" || exit 1
counts "$tmp/b.csv" >"$tmp/b.txt" || exit 1
counts "$tmp/c.csv" >"$tmp/c.txt" || exit 1
[ "$(grep -c "client|handshake_instructions" "$tmp/a.txt")" -eq \
	"$(echo "$suites" | tr , '\n' | grep -c .)" ] ||
	{ echo "not one handshake_instructions row per suite"; exit 1; }
# Within a run, every repetition counted the same.
awk -F'|' '$2 ~ /instructions$/ && $5 != $6 { print "varies:", $0; bad = 1 } END { exit bad }' \
	"$tmp/a.txt" || exit 1
cmp -s "$tmp/a.txt" "$tmp/b.txt" ||
	{ echo "two runs differ:"; diff "$tmp/a.txt" "$tmp/b.txt"; exit 1; }
# The lower bound credits pipelined loads within a block only, which the
# per-instruction hook does not see: compare everything else.
grep -v '_est_min|' "$tmp/a.txt" >"$tmp/a2.txt"
grep -v '_est_min|' "$tmp/c.txt" >"$tmp/c2.txt"
cmp -s "$tmp/a2.txt" "$tmp/c2.txt" ||
	{ echo "block and per-instruction counts differ:"; diff "$tmp/a2.txt" "$tmp/c2.txt"; exit 1; }
grep -q '"cycles (estimate)"' "$tmp/a.csv" || { echo "no estimate unit"; exit 1; }
grep -q "cycles_model: ESTIMATE" "$tmp/a.provenance.txt" ||
	{ echo "provenance lacks the model"; exit 1; }
if [ "$lib" = wolfssl ]; then
	# A wolfSSL 5.7.2 DTLS server always sends a cookie: --no-cookie is an
	# unsupported row with the reason, not a failure.
	run d --no-cookie --reps 2 ||
		{ echo "--no-cookie run failed"; cat "$tmp/d.err"; exit 1; }
	grep -q '"unsupported","a wolfSSL 5.7.2 DTLS server always answers' \
		"$tmp/d.csv" || { echo "no unsupported --no-cookie row"; exit 1; }
fi
echo "target $lib: ok rows, counts repeat, blocks = per-instruction"
