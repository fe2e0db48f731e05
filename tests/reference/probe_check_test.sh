#!/bin/sh
# probe_check_test.sh PROBE-CHECK - scripts/probe-check's program runs (in
# the sanitizer build under ASan and UBSan) and prints its three lines
# with counts that add up; it refuses a bad sample count with exit 2 and
# one line.  What it finds depends on the host: not checked here.
set -u
prog=$1
. "$(dirname "$0")/../checks.sh"
"$prog" 12 >"$tmp/out" 2>"$tmp/err"
check "probe-check 12 failed: $(cat "$tmp/err")" $?
awk 'NR == 1 && $1 == 12 && $2 == "samples;" { slowed = $NF; ok++ }
	/^probe / && / flagged / {
		for (i = 1; i <= NF; i++) if ($i == "flagged") f = $(i + 1)
		for (i = 1; i <= NF; i++) if ($i == "of") s = $(i + 1)
		if (f <= s && s == slowed) ok++ }
	END { exit ok != 3 }' "$tmp/out"
check "probe-check 12: not the three lines documented: $(tr '\n' '|' <"$tmp/out")" $?
for bad in 3 x 12x; do
	"$prog" "$bad" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]
	check "probe-check took '$bad', or said more than one line" $?
done
finish
