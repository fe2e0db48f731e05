#!/bin/sh
# compare_cli_test.sh SUITEBENCH - the regression gate on real files: exit
# 0 with no regression, 1 with one, 2 for bad input with exactly one line
# on stderr saying what is wrong.  The inputs come from one short real run,
# edited with awk and sed.
set -u
sb=$1
. "$(dirname "$0")/../checks.sh"

# expect STATUS PATTERN -- ARGS: exit status, and a line of stdout (0, 1)
# or the single line of stderr (2) matching PATTERN.
expect() {
	want=$1 pattern=$2
	shift 3
	"$sb" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$want" -eq 2 ]; then where=$tmp/err; else where=$tmp/out; fi
	if [ "$got" -ne "$want" ] ||
		{ [ -n "$pattern" ] && ! grep -q -- "$pattern" "$where"; } ||
		{ [ "$want" -eq 2 ] && [ "$(grep -c . "$tmp/err")" -ne 1 ]; } ||
		{ [ "$want" -ne 2 ] && [ -s "$tmp/err" ]; }; then
		fail "suitebench $*: exit $got (want $want), stdout:"
		cat "$tmp/out"
		echo "stderr:"
		cat "$tmp/err"
	else
		passes=$((passes + 1))
	fi
}

# edit IN OUT AWK-PROGRAM: a copy of the CSV with one change.  Fields are
# quoted, so $8 is "metric" with its quotes; a CRLF ends every record.
edit() {
	awk -F, -v OFS=, "$3" "$1" >"$2"
	same_env "$2"
}

# A copy of the run's provenance beside CSV: the same environment.
same_env() {
	cp "$tmp/base.provenance.txt" "${1%.csv}.provenance.txt"
}

# The first both-sides handshake_bytes row (whatever backends the build has)
# with D added to its statistics.
add_bytes() {
	edit "$1" "$2" '!done && $7 == "\"both\"" && $8 == "\"handshake_bytes\"" { for (i = 13; i <= 17; i++) $i = "\"" substr($i, 2, length($i) - 2) + '"$3"' "\""; done = 1 } 1'
}

"$sb" run --suite psk-ccm8 --reps 3 --warmup 1 --payload 16 --budget 0 -q \
	-o "$tmp/base.csv" 2>"$tmp/run.err" ||
	{ echo "FAIL: the run that makes the inputs failed:"; cat "$tmp/run.err"; exit 1; }
b=$tmp/base.csv

# ---- exit 0: nothing got worse ----
expect 0 "^verdict: PASS: 0 regressions" -- compare "$b" "$b"
expect 0 "^verdict: PASS" -- compare "$b" "$b" -q
if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then passes=$((passes + 1)); else fail "-q printed more than the verdict"; fi

# One byte less on the wire is an improvement, not a failure.
add_bytes "$b" "$tmp/smaller.csv" -1
expect 0 "^Improvements (1)" -- compare "$b" "$tmp/smaller.csv"

# ---- exit 1: one more handshake byte ----
add_bytes "$b" "$tmp/bigger.csv" 1
expect 1 "^verdict: FAIL: 1 regression;" -- compare "$b" "$tmp/bigger.csv"
if grep -q " psk-ccm8  *-  *both  *handshake_bytes  *[0-9]*  *[0-9]*  *+1 (+0\.[0-9]%)  *exact, tolerance +0$" "$tmp/out"; then
	passes=$((passes + 1))
else
	fail "the regression table does not show handshake_bytes +1"
fi
# ... which a tolerance of +1 byte allows, on the command line or in a policy.
expect 0 "^verdict: PASS" -- compare "$b" "$tmp/bigger.csv" --threshold handshake_bytes=+1
printf '# tolerances\nhandshake_bytes = +1  # one byte\n' >"$tmp/policy"
expect 0 "^verdict: PASS" -- compare "$b" "$tmp/bigger.csv" --policy "$tmp/policy"
# The command line overrides the policy file.
expect 1 "^verdict: FAIL" -- compare "$b" "$tmp/bigger.csv" --policy "$tmp/policy" --threshold 'handshake_*=+0'

# A 20 % rise of every timed figure, quartiles and all: separated, > 5 %.
edit "$b" "$tmp/slower.csv" '$9 == "\"cycles\"" { for (i = 13; i <= 17; i++) $i = "\"" substr($i, 2, length($i) - 2) * 1.2 "\"" } 1'
expect 1 "timing, threshold 5%: p25" -- compare "$b" "$tmp/slower.csv"
expect 0 "^verdict: PASS" -- compare "$b" "$tmp/slower.csv" --threshold '*_cycles=25%'

# A scenario that failed: its figures give way to one failed row.
awk -F, -v OFS=, 'NR == 1 { print; n = NF }
NR == 2 {
	row = $1 "," $2 "," $3 "," $4 "," $5 ",\"\",\"both\",\"scenario\",\"\",\"failed\",\"handshake failed: bad record mac\""
	for (i = 12; i <= n; i++) row = row ","
	print row "\r"
}' "$b" >"$tmp/failed.csv"
same_env "$tmp/failed.csv"
expect 1 "status worse: handshake failed: bad record mac" -- compare "$b" "$tmp/failed.csv"

# Rows on one side only are reported.  Missing data is never a pass: a
# vanished row is a regression unless the policy accepts it by name.
awk 'NR != 3' "$b" >"$tmp/fewer.csv"
same_env "$tmp/fewer.csv"
expect 1 "^Vanished (baseline only) (1)" -- compare "$b" "$tmp/fewer.csv"
expect 1 "1 vanished (1 of them not accepted" -- compare "$b" "$tmp/fewer.csv"
gone=$(awk -F'"' 'NR == 3 { print $2 "/" $4 "/" $6 "/" $10 "/" $16 }' "$b")
printf 'vanished=%s\n' "$gone" >"$tmp/gone-policy"
expect 0 "^verdict: PASS" -- compare "$b" "$tmp/fewer.csv" --policy "$tmp/gone-policy"
expect 0 "^Appeared (current only) (1)" -- compare "$tmp/fewer.csv" "$b"
# A scenario left out of the current run (a backend not built, a run cut
# short) fails the gate.
awk -F, 'NR == 2 { c = $1; s = $2; p = $3 } NR == 1 || !($1 == c && $2 == s && $3 == p)' "$b" >"$tmp/cut.csv"
same_env "$tmp/cut.csv"
expect 1 "^verdict: FAIL" -- compare "$b" "$tmp/cut.csv"

# --markdown writes the same as a pull-request comment.
expect 1 "" -- compare "$b" "$tmp/bigger.csv" --markdown "$tmp/comment.md"
if grep -q ' psk-ccm8 | - | both | handshake_bytes | [0-9]* | [0-9]* | +1 (+0\.[0-9]%) | exact, tolerance +0 |$' "$tmp/comment.md" &&
	grep -q '^\*\*verdict\*\*: FAIL: 1 regression;' "$tmp/comment.md" &&
	[ -z "$(ls "$tmp" | grep '\.tmp\.')" ]; then
	passes=$((passes + 1))
else
	fail "the markdown report is not as documented:"
	cat "$tmp/comment.md"
fi

# Provenance lines that differ are printed as context.
cp "$b" "$tmp/other.csv"
sed 's/^system: .*/system: Linux 9.9/' "$tmp/base.provenance.txt" >"$tmp/other.provenance.txt"
expect 0 "^  system: .* -> Linux 9.9" -- compare "$b" "$tmp/other.csv"

# Environments that differ are refused, naming each difference, unless
# the difference is the one under test.
cp "$b" "$tmp/newlib.csv"
sed 's/^\(library_[a-z]*: \).*/\1 Another 9.9.9/; s/^compiler: .*/compiler: GNU 99.0.0/' \
	"$tmp/base.provenance.txt" >"$tmp/newlib.provenance.txt"
expect 2 "the environments differ: compiler (.* -> GNU 99.0.0), library_" -- compare "$b" "$tmp/newlib.csv"
keys=$(sed -n 's/^\(library_[a-z]*\):.*/\1/p' "$tmp/base.provenance.txt" | paste -sd, -)
expect 2 "the environments differ: compiler" -- compare "$b" "$tmp/newlib.csv" --allow-env "$keys"
expect 0 "^environment under test (allowed): compiler" -- compare "$b" "$tmp/newlib.csv" --allow-env "compiler,$keys"
cp "$b" "$tmp/noprov.csv"
expect 2 "no provenance beside $tmp/noprov.csv" -- compare "$b" "$tmp/noprov.csv"
expect 0 "^verdict: PASS" -- compare "$b" "$tmp/noprov.csv" --allow-env provenance

# ---- exit 2: bad input, one line ----
expect 2 "cannot read $tmp/none.csv: No such file" -- compare "$tmp/none.csv" "$b"
: >"$tmp/empty.csv"
expect 2 "$tmp/empty.csv:1: empty file" -- compare "$b" "$tmp/empty.csv"
head -c 2000 "$b" >"$tmp/truncated.csv"
expect 2 "$tmp/truncated.csv:[0-9]*: .*truncated file?" -- compare "$b" "$tmp/truncated.csv"
edit "$b" "$tmp/nocol.csv" '{ $11 = ""; sub(/,,/, ",") } 1'
expect 2 "$tmp/nocol.csv:1: missing column 'reason'" -- compare "$tmp/nocol.csv" "$b"
awk -F, -v OFS=, '{ NF = 17; print $0 "\r" }' "$b" >"$tmp/old.csv"
same_env "$tmp/old.csv"
expect 0 "^verdict: PASS" -- compare "$tmp/old.csv" "$tmp/old.csv"
edit "$b" "$tmp/extra.csv" '{ sub(/\r$/, ""); print $0 (NR == 1 ? ",\"extra\"" : ",\"\"") "\r"; next } 1'
expect 2 "$tmp/extra.csv:1: unknown column 'extra'" -- compare "$b" "$tmp/extra.csv"
edit "$b" "$tmp/number.csv" 'NR == 3 { $13 = "\"12k\"" } 1'
expect 2 "$tmp/number.csv:3: median: '12k' is not a number" -- compare "$b" "$tmp/number.csv"
edit "$b" "$tmp/status.csv" 'NR == 4 { $10 = "\"done\"" } 1'
expect 2 "$tmp/status.csv:4: unknown status 'done'" -- compare "$b" "$tmp/status.csv"
awk 'NR == 3 { print } { print }' "$b" >"$tmp/dup.csv"
# Nothing to compare is refused: a header-only file, or no row in common.
head -n 1 "$b" >"$tmp/header.csv"
same_env "$tmp/header.csv"
expect 2 "$tmp/header.csv has no rows: nothing to judge" -- compare "$b" "$tmp/header.csv"
# conditions is the third field from the end (aead, payload_label follow).
sed '2,$ s/,"",\("[^"]*"\),\("[^"]*"\)\r$/,"mtu=600",\1,\2\r/' "$b" >"$tmp/elsewhere.csv"
same_env "$tmp/elsewhere.csv"
expect 2 "nothing was compared" -- compare "$b" "$tmp/elsewhere.csv"
expect 2 "$tmp/dup.csv: two rows have the same key" -- compare "$b" "$tmp/dup.csv"
expect 2 "bad threshold 'handshake_bytes=8'" -- compare "$b" "$b" --threshold handshake_bytes=8
printf 'handshake_bytes=+1\nheap_peak=lots\n' >"$tmp/bad-policy"
expect 2 "$tmp/bad-policy:2: bad threshold" -- compare "$b" "$b" --policy "$tmp/bad-policy"
expect 2 "cannot read $tmp/no-policy" -- compare "$b" "$b" --policy "$tmp/no-policy"
expect 2 "expected BASELINE.csv and CURRENT.csv, got 1 file" -- compare "$b"
expect 2 "unknown option '--frobnicate'" -- compare "$b" "$b" --frobnicate
expect 2 "cannot write $tmp/no/dir/c.md" -- compare "$b" "$b" --markdown "$tmp/no/dir/c.md"
expect 0 "usage: suitebench compare" -- compare --help

# ab: bad input refused before anything runs; then a short A/A of one
# build has the form a gate reads (its verdict is timing: not asserted).
expect 2 "rounds 5 is too few for a 95 % interval of the median: at least 6" -- ab "$sb" "$sb" --rounds 5
expect 2 "rounds 7 is too few for a 99 % interval of the median: at least 8" -- ab "$sb" "$sb" --rounds 7 --confidence 99
expect 2 "not an executable" -- ab "$sb" "$tmp/no-such-build"
expect 2 "expected BASE and HEAD executables, got 1 operand" -- ab "$sb"
expect 0 "usage: suitebench ab" -- ab --help
"$sb" ab "$sb" "$sb" --rounds 6 -v -- --suite psk-ccm8 --pairs openssl/openssl \
	--protocol dtls1.2 --payload 16 --budget 0 --reps 5 >"$tmp/ab.out" 2>"$tmp/ab.err"
rc=$?
if [ "$rc" -gt 1 ] ||
	! grep -q 'client encrypt_cycles: HEAD is [+-][0-9.]* % (95 % CI [+-][0-9.]* .. [+-][0-9.]* %, 6 rounds): ' "$tmp/ab.out" ||
	! grep -q '^exact: [0-9]* rows, 0 regressions' "$tmp/ab.out"; then
	fail "ab A/A of one build: exit $rc, output:"
	cat "$tmp/ab.out" "$tmp/ab.err"
else
	passes=$((passes + 1))
fi

finish
