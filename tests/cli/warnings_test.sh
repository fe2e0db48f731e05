#!/bin/sh
# warnings_test.sh SUITEBENCH - warnings only where they mean something:
# no outlier verdict below 10 samples, no precision complaint when no
# precision was chased (--budget 0), and one summary line with the count
# whenever a warning is shown.
set -u
sb=$1
. "$(dirname "$0")/../checks.sh"
# Five layouts, so that records too come in 5 rounds (whole turns).
"$sb" run --pairs openssl/openssl,openssl/mbedtls --suite psk-ccm8,psk-chacha20 \
	--protocol dtls1.2 --reps 5 --layouts 5 --warmup 1 --budget 0 --payload 16 \
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
grep -q '^interleaving: 10 rounds (5 of handshakes, then 5 of record loops)' \
	"$tmp/run.provenance.txt"
check "the provenance does not say 5 handshake rounds, then 5 record rounds" $?
grep -Eq '^10 interleaved rounds \(5 of handshakes, then 5 of record loops\)' \
	"$tmp/err"
check "stderr does not say 5 handshake rounds, then 5 record rounds" $?
grep -q '^processes: 1 timing process$' "$tmp/run.provenance.txt"
check "the provenance does not say 1 timing process" $?

# --processes: the fastest of N timing processes per row, said in the
# provenance and on stderr; refused with what needs one process's samples.
"$sb" run --pairs openssl/openssl --suite psk-ccm8 --protocol dtls1.2 \
	--reps 5 --warmup 1 --budget 0 --payload 16 --processes 3 \
	-o "$tmp/three.csv" >/dev/null 2>"$tmp/err3"
check "the run with --processes 3 failed: $(cat "$tmp/err3")" $?
grep -Eq '^processes: 3 timing processes, .* over [1-9][0-9]* rows the processes' "$tmp/three.provenance.txt"
check "the provenance does not say 3 timing processes" $?
[ "$(grep -c '^timing process [23] of 3 \.\.\. done' "$tmp/err3")" -eq 2 ]
check "no progress line per timing process" $?
for bad in "--processes 0" "--processes 17" "--processes 2 --raw $tmp/raw.csv" \
	"--processes 2 --counter instructions"; do
	# shellcheck disable=SC2086 # $bad is a list of options
	"$sb" run --suite psk-ccm8 --budget 0 --reps 5 $bad -o "$tmp/bad.csv" \
		>/dev/null 2>"$tmp/errb"
	[ $? -eq 2 ] && [ "$(grep -c . "$tmp/errb")" -eq 1 ] && [ ! -e "$tmp/bad.csv" ] &&
		[ ! -e "$tmp/raw.csv" ]
	check "run $bad: not one line and exit 2 with nothing written: $(cat "$tmp/errb")" $?
done
finish
