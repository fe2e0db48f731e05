#!/bin/sh
# counter_test.sh SUITEBENCH - exact instruction counts repeat: two runs
# of --deterministic --counter instructions give identical counts, bytes
# and transcripts, whatever the command line and the other scenarios.  Skipped, with a message, where valgrind is missing.
set -u
sb=$1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skipped: valgrind is not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
. "$(dirname "$0")/../checks.sh"
for i in 1 2; do
	"$sb" run -q --deterministic --seed 3 --counter instructions \
		--backend openssl,mbedtls --suite psk-ccm8 --protocol dtls1.2 --reps 2 \
		--payload 16 -o "$tmp/run$i.csv" || fail "the run writing run$i.csv failed"
	# key columns, n and the statistics, the digest; not the warnings
	grep -E 'instructions|_bytes|transcript' "$tmp/run$i.csv" |
		cut -d, -f1-9,12-18,22 >"$tmp/run$i.cut"
done
rows=$(grep -c instructions "$tmp/run1.cut")
if [ "$rows" -ge 8 ]; then pass; else
	fail "only $rows instruction rows"; fi
if cmp -s "$tmp/run1.cut" "$tmp/run2.cut"; then pass; else
	echo "FAIL: the two runs differ:"; diff "$tmp/run1.cut" "$tmp/run2.cut" | head
	failures=$((failures + 1)); fi
if ! grep -q 'cycles' "$tmp/run1.cut"; then pass; else
	fail "timing rows under valgrind"; fi
# Every count is a real count: a dump that could not be read fails the
# scenario, it is never written as 0.
if ! grep 'instructions' "$tmp/run1.cut" | grep -q ',"0","0",'; then pass; else
	fail "an instruction count of 0"; fi
# No work of the tool inside a measured region: the transcript is hashed
# between library calls, so record counts are the same with it on and off,
# and handshake counts agree within the memory-layout effect that a longer
# command line leaves (measured: 10 of 400,000 instructions).
"$sb" run -q --deterministic --seed 3 --counter instructions --no-transcript \
	--backend openssl,mbedtls --suite psk-ccm8 --protocol dtls1.2 --reps 2 \
	--payload 16 -o "$tmp/plain.csv" || fail "the run writing plain.csv failed"
grep -E 'crypt_instructions' "$tmp/plain.csv" | cut -d, -f1-9,12-18 >"$tmp/plain.cut"
grep -E 'crypt_instructions' "$tmp/run1.csv" | cut -d, -f1-9,12-18 >"$tmp/hashed.cut"
if [ -s "$tmp/plain.cut" ] && cmp -s "$tmp/plain.cut" "$tmp/hashed.cut" &&
	! grep -q transcript "$tmp/plain.csv" && grep -q transcript "$tmp/run1.csv"; then
	pass
else
	fail "record instruction counts differ with the transcript on and off:"
	diff "$tmp/hashed.cut" "$tmp/plain.cut" | head
fi
if awk -F'"' 'FNR == NR && $16 == "handshake_instructions" { a[$2 $4 $14] = $24; next }
	$16 == "handshake_instructions" { k = $2 $4 $14; n++
		d = a[k] - $24; if (d < 0) d = -d; if (!(k in a) || d > $24 / 10000) bad = 1 }
	END { exit (bad || n < 4) }' "$tmp/run1.csv" "$tmp/plain.csv"; then
	pass
else
	fail "handshake instruction counts differ by more than 0.01 % with the transcript off"
fi
# The command line is not the libraries' business: the same scenario named
# by its IANA name, written to a path 150 characters longer, gives the
# same counts to the instruction.  (When the harness's copies of its
# arguments shared the libraries' heap, 8 of these rows moved.)
long="$tmp/$(printf '%0150d' 0 | tr 0 d)"
mkdir -p "$long"
"$sb" run -q --deterministic --seed 3 --counter instructions \
	--backend openssl,mbedtls --suite TLS_PSK_WITH_AES_128_CCM_8 --protocol dtls1.2 --reps 2 \
	--payload 16 -o "$long/named.csv" || fail "the run writing named.csv failed"
grep -E 'instructions|_bytes|transcript' "$long/named.csv" |
	cut -d, -f1-9,12-18,22 >"$tmp/named.cut"
if [ -s "$tmp/named.cut" ] && cmp -s "$tmp/run1.cut" "$tmp/named.cut"; then
	pass
else
	fail "counts moved with the command line's length:"
	diff "$tmp/run1.cut" "$tmp/named.cut" | head
fi
# A scenario's counts do not depend on the scenarios run before it: each
# runs in a process of its own (bench/run/worker.h), so Mbed TLS counts
# the same alone as after OpenSSL.  (In one process, 4 of its rows moved:
# its blocks landed where OpenSSL's scenario had left the heap.)
"$sb" run -q --deterministic --seed 3 --counter instructions \
	--backend mbedtls --suite psk-ccm8 --protocol dtls1.2 --reps 2 \
	--payload 16 -o "$tmp/alone.csv" || fail "the run writing alone.csv failed"
grep -E 'instructions' "$tmp/alone.csv" | cut -d, -f1-9,12-18 >"$tmp/alone.cut"
grep -E '^"mbedtls".*instructions' "$tmp/run1.csv" | cut -d, -f1-9,12-18 >"$tmp/after.cut"
if [ -s "$tmp/alone.cut" ] && cmp -s "$tmp/alone.cut" "$tmp/after.cut"; then
	pass
else
	fail "Mbed TLS counts differently alone and after OpenSSL:"
	diff "$tmp/alone.cut" "$tmp/after.cut" | head
fi
# --heap-layout gives every scenario's process another heap history
# before its first library call (measure/layout.h): the libraries' blocks
# land elsewhere, so their counts move (malloc takes other paths), and the
# same seed gives the same history, so they repeat to the instruction.
for i in 1 2; do
	"$sb" run -q --deterministic --seed 3 --counter instructions \
		--backend openssl,mbedtls --suite psk-ccm8 --protocol dtls1.2 --reps 2 \
		--payload 16 --heap-layout 5 -o "$tmp/shaped$i.csv" || fail "the run writing shaped$i.csv failed"
	grep -E 'instructions' "$tmp/shaped$i.csv" | cut -d, -f1-9,12-18 >"$tmp/shaped$i.cut"
done
grep -E 'instructions' "$tmp/run1.csv" | cut -d, -f1-9,12-18 >"$tmp/unshaped.cut"
if [ -s "$tmp/shaped1.cut" ] && cmp -s "$tmp/shaped1.cut" "$tmp/shaped2.cut" &&
	! cmp -s "$tmp/shaped1.cut" "$tmp/unshaped.cut" &&
	grep -q '^heap_layout: seed 5:' "$tmp/shaped1.provenance.txt" &&
	grep -q '^heap_layout: none:' "$tmp/run1.provenance.txt"; then
	pass
else
	fail "--heap-layout 5 does not give its own, repeatable counts:"
	diff "$tmp/shaped1.cut" "$tmp/shaped2.cut" | head
fi
finish
