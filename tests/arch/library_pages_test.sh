#!/bin/sh
# library_pages_test.sh SUITEBENCH OTHER... - each statically linked TLS
# library sits on pages of its own (cmake/library-pages.ld), so its code
# has one layout whatever the rest of the program is, and so do the suite
# names and backend constants suitebench hands them: every such section
# starts at a page, and every Mbed TLS function is at the same offset in
# its section in suitebench as in each OTHER program linking Mbed TLS
# (suitebench-heap, whose own code differs, where it is built; the
# reference loop ref-mbedtls, which harness-check compares with).  Exit 77
# only when readelf or nm is missing.
set -eu
sb=$1
shift
command -v readelf >/dev/null && command -v nm >/dev/null ||
	{ echo "SKIP: readelf or nm missing"; exit 77; }
for p in "$sb" "$@"; do
	[ -x "$p" ] || { echo "FAIL: $p is missing"; exit 1; }
done

# NAME START SIZE of each library section (hex), empty ones left out.
sections() { readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] *//' |
	awk '$1 ~ /^\.(text|rodata)\.sb_/ && $5 !~ /^0+$/ { print $1, $3, $5 }'; }
sections "$sb" >"${TMPDIR:-/tmp}/lp.$$"
trap 'rm -f "${TMPDIR:-/tmp}"/lp.$$*' EXIT
# Registered only where Mbed TLS is linked statically: no such section is
# the regression this test is for (the script not applied, or its archive
# patterns no longer matching), not a reason to skip.
[ -s "${TMPDIR:-/tmp}/lp.$$" ] || { echo "FAIL: $sb has no library section of cmake/library-pages.ld"; exit 1; }
while read -r name start size; do
	[ $((0x$start % 4096)) -eq 0 ] || { echo "FAIL: $name of $sb starts at 0x$start, not at a page"; exit 1; }
	echo "ok: $name at a page (0x$start)"
done <"${TMPDIR:-/tmp}/lp.$$"
# The suite names suitebench hands every library, on a page of their own
# too (their page offset moves libraries' string routines).
grep -q '^\.rodata\.sb_suites ' "${TMPDIR:-/tmp}/lp.$$" ||
	{ echo "FAIL: $sb has no .rodata.sb_suites: the suite names move with the rest of its strings"; exit 1; }

# The functions in .text.sb_mbedtls: NAME OFFSET from its start.
offsets() {
	set -- "$1" $(sections "$1" | awk '$1 == ".text.sb_mbedtls" { print $2, $3 }')
	[ $# -eq 3 ] || return 0
	nm --defined-only "$1" | awk -v b="$2" -v s="$3" '
		function hex(x,   i, v) { v = 0
			for (i = 1; i <= length(x); i++)
				v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
			return v }
		BEGIN { base = hex(b); end = base + hex(s) }
		$2 ~ /^[Tt]$/ { v = hex($1)
			if (v >= base && v < end) printf "%s %d\n", $3, v - base }' | sort
}
offsets "$sb" >"${TMPDIR:-/tmp}/lp.$$.sb"
for other in "$@"; do
	[ -x "$other" ] || { echo "FAIL: $other is missing"; exit 1; }
	offsets "$other" >"${TMPDIR:-/tmp}/lp.$$.other"
	[ -s "${TMPDIR:-/tmp}/lp.$$.other" ] || { echo "FAIL: $other has no .text.sb_mbedtls"; exit 1; }
	n=$(wc -l <"${TMPDIR:-/tmp}/lp.$$.other")
	[ "$n" -gt 500 ] || { echo "FAIL: only $n functions in $other's Mbed TLS"; exit 1; }
	if ! cmp -s "${TMPDIR:-/tmp}/lp.$$.sb" "${TMPDIR:-/tmp}/lp.$$.other"; then
		echo "FAIL: Mbed TLS's layout differs between $sb and $other:"
		diff "${TMPDIR:-/tmp}/lp.$$.sb" "${TMPDIR:-/tmp}/lp.$$.other" | head -5
		exit 1
	fi
	echo "ok: $n Mbed TLS functions at the same offsets in $other"
done
