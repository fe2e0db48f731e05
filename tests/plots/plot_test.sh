#!/bin/sh
# plot_test.sh [PYTHON [SUITEBENCH-PLOT]] - the chart script's contract:
# from the fixture CSV every chart is a valid PNG with an SVG beside it,
# the charts with a row per scenario once per protocol, none taller than
# 1,600 pixels; the filters keep what they name and refuse a name that
# matches nothing; a CSV without code-size rows skips that chart with a
# message and still succeeds; a malformed CSV gets one line on stderr,
# exit status 2, and no PNG.  $SUITEBENCH: the suitebench whose reader
# (suitebench check) the script reads the CSV with.
set -u
here=$(cd "$(dirname "$0")" && pwd)
python=${1:-/usr/bin/python3}
plot=${2:-$here/../../plots/suitebench-plot}
fixture=$here/../data/plot-fixture.csv
charts="handshake-bytes-dtls1.2 handshake-bytes-tls1.2 handshake-cycles-dtls1.2
handshake-cycles-tls1.2 record-cycles record-overhead code-size memory-dtls1.2 memory-tls1.2"
. "$here/../checks.sh"

# run ARGS...: the plot script, stdout and stderr to $tmp/out, $tmp/err
run() {
	"$python" "$plot" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# png FILE: the 8-byte PNG signature, more than 1000 bytes, and at least
# 800 x 400 pixels (IHDR width and height, big-endian, at bytes 16..23).
png() {
	[ -f "$1" ] || { echo "missing"; return 1; }
	sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
	[ "$sig" = "89504e470d0a1a0a" ] || { echo "no PNG signature ($sig)"; return 1; }
	size=$(wc -c <"$1")
	[ "$size" -gt 1000 ] || { echo "only $size bytes"; return 1; }
	# shellcheck disable=SC2046 # eight numbers, split on purpose
	set -- $(od -An -tu1 -j16 -N8 "$1")
	w=$(($1 * 16777216 + $2 * 65536 + $3 * 256 + $4))
	h=$(($5 * 16777216 + $6 * 65536 + $7 * 256 + $8))
	if [ "$w" -lt 800 ] || [ "$h" -lt 400 ]; then
		echo "only ${w}x${h} pixels"
		return 1
	fi
	if [ "$h" -gt 1600 ]; then
		echo "${w}x${h} pixels: taller than 1600"
		return 1
	fi
}

# svg FILE: an SVG document that draws text as paths (no font needed)
svg() {
	[ -f "$1" ] || { echo "missing"; return 1; }
	grep -q '<svg' "$1" || { echo "no <svg> element"; return 1; }
}

# pngs DIR CHART...: each DIR/CHART.png is a real PNG
pngs() {
	dir=$1
	shift
	for c in "$@"; do
		if why=$(png "$dir/$c.png"); then pass; else fail "$dir/$c.png: $why"; fi
		if why=$(svg "$dir/$c.svg"); then pass; else fail "$dir/$c.svg: $why"; fi
	done
}

# 1. The fixture (with its provenance): every chart, nothing on stdout.
run "$fixture" -o "$tmp/all"
cp "$tmp/err" "$tmp/err.all"
holds "fixture: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
# shellcheck disable=SC2086 # a list of names
pngs "$tmp/all" $charts
holds "fixture: output on stdout" [ ! -s "$tmp/out" ]
holds "fixture: no progress line on stderr" grep -q "wrote $tmp/all/memory-tls1.2.png,svg" "$tmp/err"
# Unsupported and failed scenarios are a table of reasons, not rows.
holds "fixture: unsupported scenarios drawn as rows" \
	sh -c "! grep -q 'unsupported \\[' '$tmp/all/handshake-cycles-dtls1.2.svg'"

# Filters: one protocol, one pair; a name that matches nothing is refused.
run "$fixture" -o "$tmp/filtered" --protocol tls1.2 --pairs openssl --format svg
holds "filters: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
holds "filters: a DTLS chart was drawn" [ ! -e "$tmp/filtered/handshake-cycles-dtls1.2.svg" ]
holds "filters: --format svg wrote a PNG" [ ! -e "$tmp/filtered/handshake-cycles-tls1.2.png" ]
holds "filters: no TLS chart" [ -s "$tmp/filtered/handshake-cycles-tls1.2.svg" ]
holds "filters: another library drawn" \
	sh -c "! grep -q 'mbedtls' '$tmp/filtered/handshake-bytes-tls1.2.svg'"
run "$fixture" -o "$tmp/filtered2" --suite psk-ccm9
holds "a filter that matches nothing: exit $rc, stderr: $(cat "$tmp/err")" \
	grep -q "suite: 'psk-ccm9' matches no row" "$tmp/err"
holds "a filter that matches nothing wrote a chart" [ ! -e "$tmp/filtered2" ]

# 2. No code_* rows (and no provenance): the size chart is skipped with a
# message, a stale one is removed, the others are drawn, exit 0.
mkdir -p "$tmp/nosize/plots"
grep -v '"code_' "$fixture" >"$tmp/nosize/latest.csv"
echo stale >"$tmp/nosize/plots/code-size.png"
run "$tmp/nosize/latest.csv"
holds "no size rows: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
holds "no size rows: no skip message in: $(cat "$tmp/err")" \
	grep -q "code size chart skipped: latest.csv has no code_\* rows" "$tmp/err"
holds "no size rows: stale code-size.png left" [ ! -e "$tmp/nosize/plots/code-size.png" ]
pngs "$tmp/nosize/plots" handshake-bytes-dtls1.2 handshake-cycles-tls1.2 record-cycles record-overhead memory-dtls1.2

# 2b. Cortex-M4 rows (run --target cortex-m4, a real run): the Cortex-M4
# chart, and only it, since the CSV has no x86-64 scenario; the fixture
# without target rows skips that chart with a message.
run "$here/../data/target-fixture.csv" -o "$tmp/target"
holds "target rows: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
pngs "$tmp/target" cortex-m4
holds "target rows: a code-size chart from target rows" [ ! -e "$tmp/target/code-size.png" ]
holds "target rows: a memory chart from target rows" [ ! -e "$tmp/target/memory-dtls1.2.png" ]
holds "fixture: no skip message for the Cortex-M4 chart in: $(cat "$tmp/err.all")" \
	grep -q "Cortex-M4 handshake time (estimate) and RAM chart skipped: no ok Cortex-M4 rows" "$tmp/err.all"

# 3. Malformed input: one line on stderr naming the problem, exit 2, and no
# PNG (the output directory is not even created).
header='"client","server","protocol","kx","suite","payload","side","metric","unit","status","reason","n","median","p25","p75","min","max","mad","warnings","build","granularity"'
row='"openssl","openssl","dtls1.2","psk","psk-ccm8","","client","handshake_cycles","cycles","ok","","20","65100","64000","66000","63000","70000","500","","",""'
mkdir -p "$tmp/bad"
: >"$tmp/bad/empty.csv"
printf '%s\r\n' "$header" "$row" | cut -d, -f1-12 >"$tmp/bad/missing-columns.csv"
printf '%s\r\n' "$header" "$row" "${row%,\"\",\"\"}" >"$tmp/bad/field-count.csv"
printf '%s\r\n' "$header" "$(echo "$row" | sed 's/"65100"/"fast"/')" >"$tmp/bad/median.csv"
printf '%s\r\n' "$header" "$(echo "$row" | sed 's/"ok"/"maybe"/')" >"$tmp/bad/status.csv"
printf '%s\r\n' "$header" >"$tmp/bad/no-rows.csv"

# refuse NAME PATTERN: the malformed file $tmp/bad/NAME.csv is refused
refuse() {
	run "$tmp/bad/$1.csv" -o "$tmp/bad/out-$1"
	lines=$(grep -c . "$tmp/err")
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$2" "$tmp/err"; then
		fail "$1.csv: exit $rc (want 2), $lines stderr lines (want 1 matching '$2'):"
		cat "$tmp/err"
	elif [ -e "$tmp/bad/out-$1" ] || [ -n "$(find "$tmp/bad" -name '*.png')" ]; then
		fail "$1.csv: refused, but left output behind"
	else
		pass
	fi
}
# The lines are suitebench's own reader's (suitebench check): the same as
# compare's (tests/cli/plot_reader_test.sh checks every case of issue 20).
refuse empty "empty.csv:1: empty file"
refuse missing-columns "missing column 'median'"
refuse field-count "field-count.csv:3: 19 fields where the header has 21"
refuse median "median.csv:2: median: 'fast' is not a number"
refuse status "unknown status 'maybe'"
refuse no-rows "no result rows"
run "$tmp/bad/does-not-exist.csv" -o "$tmp/bad/out-missing"
if [ "$rc" -eq 2 ] && [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "cannot read" "$tmp/err"; then
	pass
else
	fail "a missing CSV: exit $rc, stderr: $(cat "$tmp/err")"
fi

finish
