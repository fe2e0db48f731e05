#!/bin/sh
# heap_layouts_test.sh SUITEBENCH - scripts/heap-layouts refuses what is
# its own to set and bad numbers (exit 2, one line, nothing run), and on a
# one-scenario matrix runs the default heap and one history and prints
# the table and the summary.  (Its judgement of a disturbed run is timing,
# a benchmark's business: DISTURBED=1000 here keeps every run.)
set -u
sb=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
script="$root/scripts/heap-layouts"
. "$root/tests/checks.sh"
refuse() { # what, env..., args...
	what=$1; shift
	refuses "$what" env SUITEBENCH="$sb" "$@"
}
refuse "SEEDS 0" sh "$script" 0
refuse "SEEDS 65" sh "$script" 65
refuse "-o among the run options" sh "$script" 1 -o "$tmp/x.csv"
refuse "--heap-layout among the run options" sh "$script" 1 --heap-layout 3
refuse "DISTURBED=x" DISTURBED=x sh "$script" 1
sh "$script" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^Usage: scripts/heap-layouts \[SEEDS\] \[run options...\]$' "$tmp/out"
check "--help did not print the manual: $(head -3 "$tmp/out")" $?
[ ! -e "$tmp/x.csv" ]
check "a refused command created its output" $?
SUITEBENCH="$sb" DISTURBED=1000 sh "$script" 1 --pairs mbedtls/mbedtls,mbedtls/openssl \
	--protocol dtls1.2 --suite psk-ccm8 --payload 16 --budget 0 --reps 4 --warmup 1 \
	>"$tmp/out" 2>"$tmp/err"
check "a one-seed run failed: $(tail -3 "$tmp/err")" $?
grep -q '^consistency (heap history 1): ' "$tmp/out"
check "no consistency line for heap history 1" $?
grep -q '^mbedtls client dtls1.2 aes-128-ccm-8 16 decrypt  *2 ' "$tmp/out"
check "no row for Mbed TLS's client decrypt over its 2 scenarios: $(cat "$tmp/out")" $?
grep -q '^[0-9]* operations in several scenarios; [0-9]* beyond 3 % across scenarios:$' "$tmp/out"
check "no summary line" $?
finish
