#!/bin/sh
# input_test.sh SUITEBENCH - issue 20: bad input never costs data.  Each
# numbered case of the issue ends in exit 2 with one line on stderr (or, for
# limits a library sets, an `unsupported` row), and every file that was in
# the directory before is there after, byte for byte and with its mode, with
# nothing added: no CSV, no provenance, no temporary file.
set -u
# Absolute: the cases run in a directory of their own.
sb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
. "$(dirname "$0")/../checks.sh"
# The tests make files read-only: writable again before they go.
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
# One quick scenario: every run that is meant to measure measures this.
quick="--backend openssl --suite psk-ccm8 --protocol tls1.2 --payload 16 --reps 2 --warmup 1 --budget 0 -q"

# The directory's state: every file with its mode, size and checksum.
state() {
	(cd "$tmp/d" && find . -print | LC_ALL=C sort | while read -r f; do
		if [ -f "$f" ]; then
			echo "$f $(stat -c %a "$f") $(cksum <"$f")"
		else
			echo "$f $(stat -c %F "$f")"
		fi
	done)
}

# A fresh directory with files a careless command could destroy.
fresh() {
	chmod -R u+w "$tmp/d" 2>/dev/null
	rm -rf "$tmp/d"
	mkdir "$tmp/d"
	echo KEEP >"$tmp/d/cur.csv"
	echo KEEP-PROVENANCE >"$tmp/d/cur.provenance.txt"
	echo KEEP-RAW >"$tmp/d/raw.csv"
	cp "$tmp/base.csv" "$tmp/d/base.csv"
	cp "$tmp/base.csv" "$tmp/d/cur2.csv"
	state >"$tmp/before"
}

# refused CASE PATTERN -- ARGS: run in $tmp/d; exit 2, exactly one line on
# stderr matching PATTERN, and the directory exactly as it was.
refused() {
	name=$1 pattern=$2
	shift 3
	fresh
	(cd "$tmp/d" && "$sb" "$@") >"$tmp/out" 2>"$tmp/err"
	got=$?
	state >"$tmp/after"
	lines=$(wc -l <"$tmp/err")
	if [ "$got" -ne 2 ] || [ "$lines" -ne 1 ] ||
		! grep -q -- "$pattern" "$tmp/err"; then
		fail "$name: exit $got (want 2), $lines stderr lines (want 1 matching '$pattern'):"
		head -c 2000 "$tmp/err"
	elif ! cmp -s "$tmp/before" "$tmp/after"; then
		fail "$name: refused, but the directory changed:"
		diff "$tmp/before" "$tmp/after"
	else
		pass
	fi
}

# A real baseline for compare and the outputs' cases.
"$sb" run $quick -o "$tmp/base.csv" 2>"$tmp/err" ||
	{ echo "cannot make a baseline:"; cat "$tmp/err"; exit 1; }

# ---- 1. a run that ends in exit 2 writes nothing ----------------------------
refused "1 no scenario" "no scenario matches" -- \
	run --backend openssl --suite psk-ccm8 --kx ecdhe-ecdsa --budget 0 --reps 2 --warmup 1 -o cur.csv
refused "1 faults on TLS" "apply to DTLS only" -- \
	run --backend openssl --suite psk-ccm8 --protocol tls1.2 --loss 0.1 --budget 0 -o cur.csv
refused "1 pcap of many" "pcap records one scenario" -- \
	run --backend openssl --suite psk-ccm8 --budget 0 --pcap out.pcap -o cur.csv

# ---- 2. payloads and MTUs within the protocol ------------------------------
refused "2 payload above 2^14" "more than one record carries (at most 16384" -- \
	run --backend openssl --suite psk-ccm8 --protocol tls1.2 --payload 16385 --mtu 20000 -o cur.csv
refused "2 payload list above 2^14" "16385 bytes" -- \
	run --payload 16,16385 -o cur.csv
# max is at most 2^14 where the MTU would allow more: every backend, both
# protocols; a library with a smaller limit says so (max_payload below
# 2^14, or an unsupported row with its reason), none fails.
"$sb" run --suite psk-ccm8,ecdhe-ecdsa-gcm --protocol dtls1.2,tls1.2 \
	--payload max --mtu 65507 --reps 2 --warmup 1 --budget 0 -q \
	-o "$tmp/max.csv" 2>"$tmp/err"
got=$?
over=$(grep '"max_payload"' "$tmp/max.csv" | awk -F'","' '$13 + 0 > 16384' | head -n 1)
if [ "$got" -ne 0 ] || grep -q '"failed"' "$tmp/max.csv" || [ -n "$over" ] ||
	! grep -q '"max_payload","bytes","ok","","1","16384"' "$tmp/max.csv"; then
	fail "2 --payload max --mtu 65507: exit $got (want 0, max_payload at most 16384): $(cat "$tmp/err") $over"
	grep -E '"failed"' "$tmp/max.csv" | head -5
else
	pass
fi
# The issue's DTLS case: 16,414 leaves room for 16,385 bytes, one too many.
"$sb" run --backend openssl --suite psk-ccm8 --protocol dtls1.2 --payload max \
	--mtu 16414 --reps 2 --warmup 1 --budget 0 -q -o "$tmp/max2.csv" 2>"$tmp/err"
got=$?
if [ "$got" -ne 0 ] || grep -q '"failed"' "$tmp/max2.csv"; then
	fail "2 dtls max at MTU 16414: exit $got: $(cat "$tmp/err")"
else
	pass
fi

# ---- 3. keys stay unique ----------------------------------------------------
"$sb" run --backend openssl --suite psk-ccm8 --loss 0.1234567,0.1234568,0.10,0.1 \
	--reps 2 --warmup 1 --budget 0 -q -o "$tmp/loss.csv" 2>"$tmp/err"
got=$?
if [ "$got" -ne 0 ] || ! "$sb" check -q "$tmp/loss.csv" 2>>"$tmp/err" ||
	! grep -q '"loss=0.1234567"' "$tmp/loss.csv" ||
	! grep -q '"loss=0.1234568"' "$tmp/loss.csv" ||
	! grep -q '"loss=0.1"' "$tmp/loss.csv" ||
	[ "$(grep -c 'note: --loss lists 0.1 twice' "$tmp/err")" -ne 1 ]; then
	fail "3 exact labels: exit $got, stderr: $(cat "$tmp/err")"
else
	pass
fi
refused "3 conditions cap" "give 512 combinations; at most 256" -- \
	run --mtu 256,300,400,500,600,700,800,900 --loss 0,0.1,0.2,0.3,0.4,0.5,0.6,0.7 \
	--duplicate 0,0.1,0.2,0.3,0.4,0.5,0.6,0.7 -o cur.csv
# 3 pairs x 2 suites x 16 MTUs x 16 losses, DTLS 1.2 only: 1536 scenarios.
refused "3 scenarios cap" "give 1536 scenarios; at most 1024" -- \
	run --pairs openssl/openssl,openssl/mbedtls,mbedtls/openssl \
	--protocol dtls1.2 --suite psk-ccm8,psk-gcm \
	--mtu 300,301,302,303,304,305,306,307,308,309,310,311,312,313,314,315 \
	--loss 0,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.11,0.12,0.13,0.14,0.15 \
	-o cur.csv
# Duplicates in every list: dropped with a note, one row per key.
"$sb" run $quick --backend openssl,openssl --suite psk-ccm8,TLS_PSK_WITH_AES_128_CCM_8 \
	--mtu 512,512 --payload 16,16 --protocol tls1.2,tls1.2 \
	-o "$tmp/dup.csv" 2>"$tmp/err"
got=$?
"$sb" run $quick --mtu 512 -o "$tmp/single.csv" 2>/dev/null
if [ "$got" -ne 0 ] || ! "$sb" check -q "$tmp/dup.csv" 2>>"$tmp/err" ||
	[ "$(wc -l <"$tmp/dup.csv")" -ne "$(wc -l <"$tmp/single.csv")" ] ||
	[ "$(grep -c '^suitebench: note:' "$tmp/err")" -lt 5 ]; then
	fail "3 duplicates: exit $got, $(wc -l <"$tmp/dup.csv") rows vs $(wc -l <"$tmp/single.csv"), stderr: $(cat "$tmp/err")"
else
	pass
fi
"$sb" run $quick --pairs openssl/openssl,openssl/openssl -o "$tmp/pairs.csv" 2>"$tmp/err"
if [ $? -ne 0 ] || ! "$sb" check -q "$tmp/pairs.csv" ||
	! grep -q "note: the pair openssl/openssl is given twice" "$tmp/err"; then
	fail "3 duplicate --pairs: $(cat "$tmp/err")"
else
	pass
fi

# ---- 4. colliding outputs ---------------------------------------------------
refused "4 -o and --raw" "-o and --raw name the same file" -- run $quick -o cur.csv --raw cur.csv
refused "4 -o and --raw, two spellings" "name the same file" -- run $quick -o ./cur.csv --raw "$tmp/d/cur.csv"
refused "4 --raw on the provenance" "provenance file and --raw name the same file" -- \
	run $quick -o cur.csv --raw cur.provenance.txt
refused "4 -o and --pcap" "-o and --pcap name the same file" -- run $quick -o cur.csv --pcap cur.csv
refused "4 --markdown over the baseline" "an output never overwrites an input" -- \
	compare --markdown base.csv base.csv cur2.csv
refused "4 --markdown over the current" "an output never overwrites an input" -- \
	compare --markdown ./cur2.csv base.csv cur2.csv
refused "4 --trace and -o -" "would both write to standard output" -- run $quick --trace -o -
refused "4 --raw - and -o -" "would both write to standard output" -- run $quick --raw - -o -
refused "4 --raw /dev/stdout and -o -" "would both write to standard output" -- \
	run $quick --raw /dev/stdout -o -

# ---- 5. outputs ---------------------------------------------------------------
fresh
chmod 444 "$tmp/d/cur.csv"
state >"$tmp/before"
(cd "$tmp/d" && "$sb" run $quick -o cur.csv) >"$tmp/out" 2>"$tmp/err"
got=$?
state >"$tmp/after"
if [ "$got" -ne 2 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q "read-only" "$tmp/err" ||
	! cmp -s "$tmp/before" "$tmp/after"; then
	fail "5 read-only: exit $got, stderr: $(cat "$tmp/err")"
	diff "$tmp/before" "$tmp/after"
else
	pass
fi
refused "5 -o empty" "-o: an empty file name" -- run $quick -o ""
refused "5 --raw empty" "--raw: an empty file name" -- run $quick --raw ""
refused "5 --pcap empty" "--pcap: an empty file name" -- run $quick --pcap ""
refused "5 /dev/full" "cannot write /dev/full" -- run $quick -o /dev/full
refused "5 --raw /dev/full" "cannot write /dev/full" -- run $quick -o cur.csv --raw /dev/full
refused "5 directory" "cannot write" -- run $quick -o .
# A FIFO nobody reads: refused at once, not a hang (timeout says 124).
fresh
mkfifo "$tmp/d/fifo"
state >"$tmp/before"
(cd "$tmp/d" && timeout 60 "$sb" run $quick -o fifo) >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -ne 2 ] || ! grep -q "a FIFO with no reader" "$tmp/err"; then
	fail "5 FIFO without a reader: exit $got, stderr: $(cat "$tmp/err")"
else
	pass
fi
# A FIFO with a reader is written in place.  The test holds the FIFO open
# for reading itself (read-write, so that opening does not wait) before
# the run starts, and a cat drains it.
exec 3<>"$tmp/d/fifo"
cat <&3 >"$tmp/fifo.out" &
reader=$!
(cd "$tmp/d" && timeout 60 "$sb" run $quick -o fifo) >"$tmp/out" 2>"$tmp/err"
got=$?
sleep 1
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
exec 3>&-
if [ "$got" -ne 0 ] || ! head -n 1 "$tmp/fifo.out" | grep -q '^"client"'; then
	fail "5 FIFO with a reader: exit $got, stderr: $(cat "$tmp/err")"
else
	pass
fi
# SIGINT and SIGTERM: the process ends by the signal, its temporary files
# are gone and the old outputs are untouched.  env --default-signal: a
# background job of a shell without job control starts with SIGINT
# ignored, and an ignored signal is left ignored.
for sig in INT TERM; do
	fresh
	(cd "$tmp/d" && exec env --default-signal=INT "$sb" run --backend openssl \
		--suite psk-ccm8 --budget 60 --precision 0.001 \
		--max-reps 10000000 -q -o cur.csv --raw raw.csv) &
	pid=$!
	i=0
	while [ "$i" -lt 100 ] && ! ls "$tmp/d" | grep -q '\.tmp\.'; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	kill -s "$sig" "$pid"
	wait "$pid"
	got=$?
	state >"$tmp/after"
	if [ "$i" -ge 100 ] || [ "$got" -le 128 ] || ! cmp -s "$tmp/before" "$tmp/after"; then
		fail "5 SIG$sig: exit $got (want 128+signal), directory:"
		diff "$tmp/before" "$tmp/after"
	else
		pass
	fi
done

# ---- 7. the small ones ------------------------------------------------------
refused "7 max-reps below reps" "--max-reps 1 is below --reps 2" -- run $quick --max-reps 1 --reps 2 -o cur.csv
long=$(head -c 100000 /dev/zero | tr '\0' 7)
refused "7 a 100 KB argument" "bytes cut" -- run $quick --reps "x$long" -o cur.csv
if [ "$(wc -c <"$tmp/err")" -gt 600 ]; then
	fail "7 a 100 KB argument: $(wc -c <"$tmp/err") bytes of error"
else
	pass
fi
refused "7 a newline in an argument" "unknown suite 'a?b'" -- run --suite "a
b" -o cur.csv
zeros5000=$(head -c 5000 /dev/zero | tr '\0' 0)
zeros300=$(head -c 300 /dev/zero | tr '\0' 0)
for arg in "--reps ${zeros5000}2" "--mtu ${zeros300}512" "--reps ${zeros300}2" "--mtu ${zeros5000}512"; do
	# shellcheck disable=SC2086 # the option and its value
	"$sb" run $quick $arg -o "$tmp/zeros.csv" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne 0 ]; then
		fail "7 leading zeros (${arg%% *}): exit $got, $(head -c 300 "$tmp/err")"
	else
		pass
	fi
done
refused "7 leading zeros, then a letter" "is not a number" -- run $quick --mtu "${zeros300}512x"
refused "7 hex probability" "expected probabilities" -- run --loss 0x0.1
refused "7 infinite precision" "not a percentage" -- run --precision inf

finish
