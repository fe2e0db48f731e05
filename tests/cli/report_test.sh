#!/bin/sh
# report_test.sh SUITEBENCH - `suitebench report`: from the fixture CSV it
# writes index.html, report.md and the charts (SVG and PNG), and the page
# needs nothing from a network; bad input gets one line on stderr, exit
# status 2 and nothing written; and headless Chromium renders the page's
# tables and every image.  Without chromium that last part cannot be
# checked: the test then exits 77, which ctest reports as skipped.
set -u
sb=$1
here=$(cd "$(dirname "$0")" && pwd)
fixture=$here/../data/plot-fixture.csv
. "$here/../checks.sh"

# 1. The page, its Markdown and its charts.
"$sb" report "$fixture" -o "$tmp/page" >"$tmp/out" 2>"$tmp/err"
rc=$?
holds "fixture: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
holds "fixture: output on stdout" [ ! -s "$tmp/out" ]
for f in index.html report.md handshake-bytes-dtls1.2.svg handshake-bytes-dtls1.2.png \
	handshake-cycles-tls1.2.svg record-overhead.svg code-size.png memory-tls1.2.svg; do
	holds "fixture: no $f" [ -s "$tmp/page/$f" ]
done
md=$tmp/page/report.md
holds "report.md: no decision table" grep -q '^| Fewest handshake bytes (both directions) | ' "$md"
holds "report.md: no TLS 1.2 ECDHE-ECDSA section" grep -q '^### TLS 1.2, ECDHE-ECDSA key exchange' "$md"
holds "report.md: no record cost per AEAD" grep -q '^| AES-128-CCM_8 | ' "$md"
holds "report.md: no cheapest server handshake" grep -q '^| Cheapest server handshake | openssl · ' "$md"
holds "report.md: no flash from the tailored build" grep -q '^| Least flash, client (x86-64, tailored build' "$md"
page=$tmp/page/index.html
holds "index.html: refers to a network address" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$page'"
n_img=$(grep -o '<img ' "$page" | wc -l)
holds "index.html: $n_img images, want 9" [ "$n_img" -eq 9 ]
holds "index.html: no support matrix" grep -q 'id="support"' "$page"
holds "index.html: no provenance" grep -q 'FIXTURE, NOT MEASUREMENTS' "$page"

# 1b. With the rows of a real `run --target cortex-m4` appended: a
# Cortex-M4 section (times labelled estimates, at the run's clock) and
# its chart.
target=$here/../data/target-fixture.csv
cp "$fixture" "$tmp/both.csv"
tail -n +2 "$target" >>"$tmp/both.csv"
cp "${fixture%.csv}.provenance.txt" "$tmp/both.provenance.txt"
"$sb" report "$tmp/both.csv" -o "$tmp/both" >"$tmp/out" 2>"$tmp/err"
rc=$?
holds "fixture + target rows: exit $rc, stderr: $(cat "$tmp/err")" [ "$rc" -eq 0 ]
holds "fixture + target rows: no cortex-m4.svg" [ -s "$tmp/both/cortex-m4.svg" ]
md2=$tmp/both/report.md
holds "report.md: no Cortex-M4 section" \
	grep -q '^### On a Cortex-M4 at 64 MHz (times are estimates)' "$md2"
holds "report.md: no Cortex-M4 row for Mbed TLS DTLS 1.2 PSK" \
	grep -q '^| mbedtls · DTLS 1.2 · psk-ccm8 | [0-9.]* | [0-9.]* | ' "$md2"
holds "report.md: the header does not say estimate" \
	grep -q 'client handshake, ms at 64 MHz (est.)' "$md2"
page2=$tmp/both/index.html
holds "index.html: no Cortex-M4 section" grep -q '<h2 id="cortex-m4">' "$page2"
holds "index.html: no Cortex-M4 chart" grep -q 'id="chart-cortex-m4"' "$page2"
n_img2=$(grep -o '<img ' "$page2" | wc -l)
holds "index.html with target rows: $n_img2 images, want 10" [ "$n_img2" -eq 10 ]

# 2. Bad input: one line, exit 2, no directory.
# refuse PATTERN ARGS...: refused with one stderr line matching PATTERN
refuse() {
	pattern=$1
	shift
	rm -rf "$tmp/bad-out"
	"$sb" report "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(grep -c . "$tmp/err")
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$tmp/err"; then
		fail "report $*: exit $rc (want 2), $lines stderr lines (want 1 matching '$pattern'): $(cat "$tmp/err")"
	elif [ -e "$tmp/bad-out" ]; then
		fail "report $*: refused, but wrote $tmp/bad-out"
	else
		pass
	fi
}
printf '"client","server"\r\n' >"$tmp/short.csv"
head -n 5 "$fixture" | sed '3s/"ok"/"maybe"/' >"$tmp/status.csv"
refuse "cannot read $tmp/none.csv" "$tmp/none.csv" -o "$tmp/bad-out"
refuse "missing column 'protocol'" "$tmp/short.csv" -o "$tmp/bad-out"
refuse "unknown status 'maybe'" "$tmp/status.csv" -o "$tmp/bad-out"
refuse "no output directory" "$fixture"
refuse "unknown option '--frobnicate'" "$fixture" -o "$tmp/bad-out" --frobnicate
refuse "suite: 'psk-ccm9' matches no row" "$fixture" -o "$tmp/bad-out" --suite psk-ccm9

# 3. What a browser shows: the tables, and every image decoded (the
# page marks each image after loading; --dump-dom shows the marks).
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	finish "the page's rendering not checked" || exit 1
	echo "SKIPPED: no chromium (apt-get install chromium): the page's rendering was not checked"
	exit 77
fi
headless() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --hide-scrollbars \
		--user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" "$@" 2>>"$tmp/chromium.log"
}
headless --virtual-time-budget=10000 --dump-dom "file://$page" >"$tmp/dom.html"
holds "chromium: the images did not all render: $(grep -o 'data-images-rendered="[^"]*"' "$tmp/dom.html")" \
	grep -q "data-images-rendered=\"$n_img/$n_img\"" "$tmp/dom.html"
tables=$(grep -o '<table' "$tmp/dom.html" | wc -l)
holds "chromium: $tables tables in the rendered page, want 7 (4 decisions, 2 record costs, support)" [ "$tables" -eq 7 ]
holds "chromium: no decision in the rendered page" grep -q '<td>Cheapest client handshake</td>' "$tmp/dom.html"
headless --virtual-time-budget=10000 --dump-dom "file://$page2" >"$tmp/dom2.html"
holds "chromium: the images of the page with target rows did not all render: $(grep -o 'data-images-rendered="[^"]*"' "$tmp/dom2.html")" \
	grep -q "data-images-rendered=\"$n_img2/$n_img2\"" "$tmp/dom2.html"
holds "chromium: no Cortex-M4 table in the rendered page" \
	grep -q '<th>client handshake, ms at 64 MHz (est.)</th>' "$tmp/dom2.html"
headless --screenshot="$tmp/shot.png" --window-size=1300,2000 "file://$page" >/dev/null
if [ -s "$tmp/shot.png" ] && [ "$(od -An -tx1 -N4 "$tmp/shot.png" | tr -d ' \n')" = "89504e47" ]; then
	pass
else
	fail "chromium: no screenshot ($(tail -n 3 "$tmp/chromium.log"))"
fi

finish
