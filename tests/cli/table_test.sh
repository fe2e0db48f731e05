#!/bin/sh
# table_test.sh SUITEBENCH - what a person reads at a terminal fits 100
# columns (the run table, its footnotes, `list`), every timed median
# has its spread beside it, and the CSV carries the pivot columns aead
# and payload_label (`max` for the largest record, whatever its size).
set -u
sb=$1
. "$(dirname "$0")/../checks.sh"

# widest FILE: the widest line in characters (the three non-ASCII
# characters the table uses count one column each; any other counts as
# its bytes, which only overstates).
widest() {
	sed 's/±/+/g; s/→/>/g; s/–/-/g' "$1" |
		awk '{ if (length > m) m = length } END { print m + 0 }'
}

"$sb" run --pairs all --suite psk-ccm8,ecdhe-ecdsa-ccm8,ecdhe-psk-ccm8 \
	--reps 2 --warmup 1 --budget 0 --payload 16,max -o "$tmp/r.csv" \
	>"$tmp/table" 2>"$tmp/err" || fail "run: exit $?: $(cat "$tmp/err")"
w=$(widest "$tmp/table")
if [ "$w" -le 100 ]; then pass; else fail "the run table is $w columns wide"; fi
# An ok line: kcyc cli, kcyc srv, enc and dec each with a spread.
line=$(grep '^  psk-ccm8 ' "$tmp/table" | head -n 1)
n=$(printf '%s\n' "$line" | grep -o '±[0-9]*%' | wc -l)
if [ "$n" -eq 4 ]; then pass; else fail "want 4 spreads in: $line"; fi
# Reasons are footnotes: the row names a number, the number its reason.
if grep -q '^  ecdhe-psk-ccm8  *unsupported \[[0-9]*\]$' "$tmp/table" &&
	grep -q '^\[[0-9]*\] .*does not implement' "$tmp/table" &&
	grep -q '^openssl → mbedtls, dtls1.2$' "$tmp/table"; then
	pass
else
	fail "no footnoted unsupported row or pair heading: $(cat "$tmp/table")"
fi

"$sb" list >"$tmp/list" 2>"$tmp/err" || fail "list: exit $?"
w=$(widest "$tmp/list")
if [ "$w" -le 100 ]; then pass; else fail "list is $w columns wide"; fi

# The pivot columns: last in the header; the AEAD named; `max` beside the
# byte count, which differs by suite.
if head -n 1 "$tmp/r.csv" | grep -q ',"conditions","aead","payload_label"'; then
	pass
else
	fail "header: $(head -n 1 "$tmp/r.csv")"
fi
ccm8=$(grep '"openssl","openssl","dtls1.2","psk","psk-ccm8","[0-9]*","client","encrypt_cycles"' "$tmp/r.csv" |
	grep -o '"aes-128-ccm-8","[0-9a-z]*"' | sort -u | tr '\n' ' ')
if [ "$ccm8" = '"aes-128-ccm-8","16" "aes-128-ccm-8","max" ' ]; then
	pass
else
	fail "psk-ccm8 encrypt rows: aead and payload_label are $ccm8"
fi
sizes=$(tr -d '\r' <"$tmp/r.csv" | grep '"client","encrypt_cycles".*"max"$' | cut -d, -f6 | sort -u | wc -l)
if [ "$sizes" -ge 2 ]; then pass; else fail "'max' should label $sizes+ byte counts"; fi

finish
