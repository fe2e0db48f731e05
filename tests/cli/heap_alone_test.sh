#!/bin/sh
# heap_alone_test.sh SUITEBENCH [SANITIZE] - a scenario's heap figures
# are its own: the same in a run of its own and in a run with other
# libraries' and other suites' scenarios before and between it.  glibc's
# malloc_usable_size() of a block depends on what the process freed
# before; sizes by request (measure/heap.h) do not.  Sized by the former
# (up to ca8fd66), every library's PSK heap_peak differed by 16 to 368
# bytes between the two runs.  Every heap_peak and heap_allocs row of the
# lone scenarios must equal the shared run's.  SANITIZE (1 in a sanitizer
# build) names the one library a build may leave uncounted: GnuTLS, whose
# heap is counted by interposing malloc, which the sanitizers own there.
# It is skipped then, and says so; a row missing anywhere else fails, and
# so does a failed run.
set -u
sb=$1 sanitize=${2:-0}
. "$(dirname "$0")/../checks.sh"
# The libraries of this build whose heap is counted.
libs=$("$sb" list | awk '$1 ~ /^(openssl|mbedtls|wolfssl|gnutls)$/ { print $1 }')
pairs= sep=
for l in $libs; do pairs="$pairs$sep$l/$l"; sep=,; done
common="-q --deterministic --seed 1 --reps 1 --warmup 1 --budget 0 --payload 16 --protocol dtls1.2"
# shellcheck disable=SC2086 # word splitting is wanted
"$sb" run $common --pairs "$pairs" --suite psk-ccm8,ecdhe-ecdsa-ccm8,psk-gcm \
	-o "$tmp/shared.csv" 2>"$tmp/err"
if [ $? -ne 0 ]; then
	echo "FAIL: the shared run failed: $(cat "$tmp/err")"
	exit 1
fi
# heap rows of one library's scenario, keyed without the columns a run
# fills differently (its statistics but the median).
heap_rows() { # csv pair suite
	awk -F'","' -v c="\"${2%/*}" -v s="$3" '
		$1 == c && $5 == s && ($8 == "heap_peak" || $8 == "heap_allocs") {
			print $1, $2, $3, $5, $6, $7, $8, $10, $13 }' "$1" | sort
}
compared=0 skipped=0
for l in $libs; do
	heap_rows "$tmp/shared.csv" "$l/$l" psk-ccm8 >"$tmp/s"
	if [ "$l" = gnutls ] && [ "$sanitize" = 1 ]; then
		[ ! -s "$tmp/s" ]
		check "gnutls has heap rows in a sanitizer build, which cannot count its heap" $?
		echo "skipped for gnutls: a sanitizer build counts no heap for it"
		skipped=$((skipped + 1))
		continue
	fi
	[ -s "$tmp/s" ]
	check "$l: no heap rows in the shared run" $?
	compared=$((compared + 1))
	# shellcheck disable=SC2086
	"$sb" run $common --pairs "$l/$l" --suite psk-ccm8 \
		-o "$tmp/alone-$l.csv" 2>"$tmp/err-$l"
	check "$l alone failed: $(cat "$tmp/err-$l")" $?
	heap_rows "$tmp/alone-$l.csv" "$l/$l" psk-ccm8 >"$tmp/a"
	[ "$(wc -l <"$tmp/a")" -eq 8 ]
	check "$l alone: not 8 heap rows (client and server, peak and allocs, both phases)" $?
	cmp -s "$tmp/a" "$tmp/s"
	check "$l: heap figures alone differ from the shared run's: $(diff "$tmp/a" "$tmp/s" | tr '\n' ' ')" $?
done
finish "$skipped libraries skipped" || exit 1
if [ "$compared" -eq 0 ]; then
	echo "skipped: this build has no library whose heap it counts"
	exit 77
fi
