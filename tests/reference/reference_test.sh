#!/bin/sh
# reference_test.sh CREDENTIALS-DIR REF... - each reference loop of
# scripts/harness-check runs (in the sanitizer build under ASan and
# UBSan): over one and over three records connections it prints a
# handshake and the eight record figures, each a positive number, also
# from a shaped heap (HEAP-HISTORY 3: under ASan its blocks must all be
# freed), and it refuses a layouts count outside 1-16 and a heap history
# that is not a number with exit 2 and one line.
set -u
creds=$1
shift
. "$(dirname "$0")/../checks.sh"
for ref in "$@"; do
	for layouts in 1 3 "3 3"; do
		# shellcheck disable=SC2086 # "3 3": layouts and heap history
		"$ref" psk-ccm8 4 "$creds" 0 $layouts >"$tmp/out" 2>"$tmp/err"
		check "$ref over $layouts connections failed: $(cat "$tmp/err")" $?
		awk '($1 == "handshake" && NF == 2 && $2 > 0) ||
			(($1 == "encrypt" || $1 == "decrypt") && NF == 4 && $4 > 0) { n++ }
			END { exit n != 9 }' "$tmp/out"
		check "$ref over $layouts connections: not 9 positive figures: $(tr '\n' ' ' <"$tmp/out")" $?
	done
	"$ref" psk-ccm8 4 "$creds" 0 17 >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]
	check "$ref took 17 layouts, or said more than one line" $?
	"$ref" psk-ccm8 4 "$creds" 0 1 x >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]
	check "$ref took heap history x, or said more than one line" $?
done
finish
