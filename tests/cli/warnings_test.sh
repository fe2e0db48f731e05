#!/bin/sh
# warnings_test.sh SUITEBENCH - warnings only where they mean something:
# no outlier verdict below 10 samples, no precision complaint when no
# precision was chased (--budget 0), and one summary line with the count
# whenever a warning is shown.
set -u
sb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0
check() { # description, command status
	if [ "$2" -eq 0 ]; then passes=$((passes + 1)); else
		echo "FAIL: $1"; failures=$((failures + 1)); fi
}
"$sb" run --pairs openssl/openssl,openssl/mbedtls --suite psk-ccm8,psk-chacha20 \
	--protocol dtls1.2 --reps 5 --warmup 1 --budget 0 --payload 16 \
	-o "$tmp/run.csv" >/dev/null 2>"$tmp/err"
check "the run failed: $(cat "$tmp/err")" $?
! grep -q 'outliers' "$tmp/run.csv"
check "an outlier verdict with 5 samples" $?
! grep -q 'not the .* asked' "$tmp/run.csv"
check "a precision complaint under --budget 0" $?
shown=$(grep -c '^warning: [a-z]*/' "$tmp/err")
if [ "$shown" -gt 0 ]; then
	grep -Eq '^[0-9]+ of [0-9]+ figures have warnings' "$tmp/err"
	check "no summary line under $shown warnings" $?
	[ "$shown" -le 8 ]
	check "more than 8 warnings shown" $?
else
	! grep -q 'figures have warnings' "$tmp/err"
	check "a summary line without warnings" $?
fi
# The consistency report names its figures on stderr and in the provenance.
grep -q '^consistency: .* operations measured in several scenarios' "$tmp/err"
check "no consistency summary on stderr" $?
grep -q '^consistency: ' "$tmp/run.provenance.txt"
check "no consistency line in the provenance" $?
grep -q '^interleaving: 5 rounds' "$tmp/run.provenance.txt"
check "the provenance does not say 5 interleaved rounds" $?
echo "$passes passed, $failures failed, 0 skipped"
[ "$failures" -eq 0 ]
