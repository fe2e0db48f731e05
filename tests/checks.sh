# shellcheck shell=sh
# checks.sh - what the shell tests share, sourced by them: a scratch
# directory ($tmp, removed on exit), the counts ($passes, $failures),
# pass and fail (count one, fail printing why), check (by a status),
# holds (by a command), refuses (a command exits 2 with one line on
# stderr and nothing on stdout: the contract for bad input) and finish
# (the summary line, and the test's status: its last command).
passes=0 failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass() { passes=$((passes + 1)); }
fail() { # why...
	echo "FAIL: $*"; failures=$((failures + 1))
}
check() { # description, status
	if [ "$2" -eq 0 ]; then pass; else fail "$1"; fi
}
holds() { # description, command...
	desc=$1; shift
	if "$@"; then pass; else fail "$desc"; fi
}
refuses() { # what, command...
	what=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]
	check "$what: not refused with exit 2 and one line: $(cat "$tmp/err")" $?
}
finish() { # [more of the summary]
	echo "$passes passed, $failures failed${1:+, $1}"
	[ "$failures" -eq 0 ]
}
