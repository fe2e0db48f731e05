#!/bin/sh
# harness_check_test.sh SUITEBENCH REF-DIR - scripts/harness-check refuses
# bad settings (exit 2, one line, nothing run), and one round of OpenSSL's
# PSK CCM_8 prints the cycle table (five figures, each with a ratio) and,
# with COUNT=1, a row of instructions per handshake of both programs with
# their ratio.  The ratios are the benchmark's business: only their form
# is checked.  Skipped, saying so, without valgrind (after the refusals).
set -u
sb=$1
refdir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
script="$root/scripts/harness-check"
. "$root/tests/checks.sh"
refuse() { # what, env...
	what=$1; shift
	refuses "$what" env SUITEBENCH="$sb" REF_DIR="$refdir" "$@" sh "$script" 1
}
refuse "LAYOUTS=0" LAYOUTS=0
refuse "LAYOUTS=x" LAYOUTS=x
refuse "REPS not a multiple of LAYOUTS" REPS=9 LAYOUTS=2
refuse "a missing suitebench" SUITEBENCH="$tmp/none"
refuses "ROUNDS=x" env SUITEBENCH="$sb" REF_DIR="$refdir" sh "$script" x
refuses "ROUNDS=0" env SUITEBENCH="$sb" REF_DIR="$refdir" sh "$script" 0
sh "$script" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^harness-check \[ROUNDS\]' "$tmp/out"
check "--help did not print the manual: $(head -3 "$tmp/out")" $?
if ! command -v valgrind >/dev/null 2>&1; then
	finish "the run skipped: valgrind is not installed (apt-get install valgrind)" && exit 77
	exit 1
fi
SUITEBENCH="$sb" REF_DIR="$refdir" LIBS=openssl SUITES=psk-ccm8 REPS=8 LAYOUTS=1 \
	COUNT=1 sh "$script" 1 >"$tmp/out" 2>"$tmp/err"
check "one round failed: $(tail -3 "$tmp/err")" $?
n=$(grep -cE '^openssl +psk-ccm8 +(handshake|encrypt@16|decrypt@16|encrypt@1024|decrypt@1024) +[0-9.]+ +[0-9.]+ +[0-9]\.[0-9]{3} ' "$tmp/out")
[ "$n" -eq 5 ]
check "not 5 figures with a ratio in the cycle table: $(cat "$tmp/out")" $?
grep -qE '^openssl +psk-ccm8 +[1-9][0-9]* +[1-9][0-9]* +[0-9]\.[0-9]{4}$' "$tmp/out"
check "no instruction row with both counts and a ratio: $(cat "$tmp/out")" $?
finish
