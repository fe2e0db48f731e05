#!/bin/sh
# counter_test.sh SUITEBENCH - exact instruction counts repeat: two runs
# of --deterministic --counter instructions give identical counts, bytes
# and transcripts.  Skipped, with a message, where valgrind is missing.
set -u
sb=$1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skipped: valgrind is not installed (apt-get install valgrind)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0
for i in 1 2; do
	"$sb" run -q --deterministic --seed 3 --counter instructions \
		--backend openssl,mbedtls --suite psk-ccm8 --protocol dtls1.2 --reps 2 \
		--payload 16 -o "$tmp/run$i.csv" || failures=$((failures + 1))
	# key columns, n and the statistics, the digest; not the warnings
	grep -E 'instructions|_bytes|transcript' "$tmp/run$i.csv" |
		cut -d, -f1-9,12-18,22 >"$tmp/run$i.cut"
done
rows=$(grep -c instructions "$tmp/run1.cut")
if [ "$rows" -ge 8 ]; then passes=$((passes + 1)); else
	echo "FAIL: only $rows instruction rows"; failures=$((failures + 1)); fi
if cmp -s "$tmp/run1.cut" "$tmp/run2.cut"; then passes=$((passes + 1)); else
	echo "FAIL: the two runs differ:"; diff "$tmp/run1.cut" "$tmp/run2.cut" | head
	failures=$((failures + 1)); fi
if ! grep -q 'cycles' "$tmp/run1.cut"; then passes=$((passes + 1)); else
	echo "FAIL: timing rows under valgrind"; failures=$((failures + 1)); fi
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
