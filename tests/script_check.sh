# shellcheck shell=sh
# script_check.sh - what the tests of the benchmark scripts share, sourced
# by them: a scratch directory ($tmp, removed on exit), check (count a
# pass or a failure) and refuses (a command exits 2 with one line on
# stderr and nothing on stdout: the scripts' contract for bad input).
passes=0 failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # description, status
	if [ "$2" -eq 0 ]; then passes=$((passes + 1)); else
		echo "FAIL: $1"; failures=$((failures + 1)); fi
}
refuses() { # what, command...
	what=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]
	check "$what: not refused with exit 2 and one line: $(cat "$tmp/err")" $?
}
