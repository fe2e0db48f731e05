#!/bin/sh
# consistency_test.sh SUITEBENCH logic|run - scripts/consistency.
#
# logic: it refuses what is its own to set and bad settings (exit 2, one
#   line, nothing run), and on the canned reports of a fake suitebench it
#   prints exactly the expected table, verdicts and summary: `work` where
#   the instruction counts disagree by WORK % or more, `SAME` where they do
#   not, `?` where the operation was not counted; a fake whose runs report
#   no operation in several scenarios makes it fail with one line.
# run: on a two-scenario matrix of the real suitebench it finds the
#   operations the two runs report and prints its table and summary.
#   Skipped, saying so, without valgrind.
set -u
sb=$1
mode=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
script="$root/scripts/consistency"
. "$root/tests/checks.sh"

if [ "$mode" = run ]; then
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "skipped: valgrind is not installed (apt-get install valgrind)"
		echo "0 passed, 0 failed, 1 skipped"
		exit 77
	fi
	SUITEBENCH="$sb" sh "$script" --pairs mbedtls/mbedtls,openssl/mbedtls \
		--protocol dtls1.2 --suite psk-ccm8 --payload 16 --budget 0 --reps 4 \
		--warmup 1 >"$tmp/out" 2>"$tmp/err"
	check "a two-scenario run failed: $(tail -3 "$tmp/err")" $?
	grep -q '^mbedtls server dtls1.2 aes-128-ccm-8 16 decrypt  *2  *[0-9.]*  *[0-9.]*' "$tmp/out"
	check "no row with both counters for Mbed TLS's server decrypt over its 2 scenarios: $(cat "$tmp/out")" $?
	grep -q '^2 operations in several scenarios; [0-9] beyond 3 % in cycles:$' "$tmp/out"
	check "no summary line: $(cat "$tmp/out")" $?
	finish
	exit
fi

refuse() { # what, env..., args...
	what=$1; shift
	refuses "$what" env SUITEBENCH="$sb" "$@"
}
refuse "-o among the run options" sh "$script" -o "$tmp/x.csv"
refuse "--counter among the run options" sh "$script" --counter instructions
refuse "--counter= among the run options" sh "$script" --counter=cycles
refuse "WORK=x" WORK=x sh "$script"
refuse "WORK=." WORK=. sh "$script"
refuse "TOP=-1" TOP=-1 sh "$script"
refuse "a missing suitebench" SUITEBENCH="$tmp/none" sh "$script"
[ ! -e "$tmp/x.csv" ]
check "a refused command created its output" $?

# A fake suitebench: writes the CSV's header and a provenance with canned
# consistency lines, cycles or instructions as its command line says.
cat >"$tmp/fake" <<'EOF'
#!/bin/sh
[ -n "${FAKE_LOG:-}" ] && echo "$*" >>"$FAKE_LOG"
out= counter=cycles
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift ;;
	--counter) counter=$2; shift ;;
	esac
	shift
done
echo '"client","server"' >"$out"
p=${out%.csv}.provenance.txt
[ -n "${FAKE_EMPTY:-}" ] && { echo "consistency: 0 operations" >"$p"; exit 0; }
if [ "$counter" = instructions ]; then cat >"$p" <<'END'
consistency.liba.client.dtls1.2.aes-128-ccm-8.16.decrypt_instructions: 5.0 % over 3 scenarios (medians 1000 to 1050)
consistency.liba.server.dtls1.2.aes-128-ccm-8.16.encrypt_instructions: 0.4 % over 2 scenarios (medians 500 to 502)
consistency.libb.client.tls1.2.chacha20-poly1305.1024.decrypt_instructions: 0.0 % over 2 scenarios (medians 7000 to 7000)
END
else cat >"$p" <<'END'
consistency: 4 operations (library, side, protocol, AEAD, payload) measured in several scenarios disagree by 4.5 % at the median
interleaving: 10 rounds; 2 of 30 stretches slowed by more than 5 % measured again, 1 kept
consistency.liba.client.dtls1.2.aes-128-ccm-8.16.decrypt_cycles: 10.0 % over 3 scenarios (medians 100 to 110)
consistency.liba.server.dtls1.2.aes-128-ccm-8.16.encrypt_cycles: 5.0 % over 2 scenarios (medians 200 to 210)
consistency.libb.server.dtls1.2.aes-128-gcm.16.encrypt_cycles.loss=0.1: 4.0 % over 2 scenarios (medians 100 to 104)
consistency.libb.client.tls1.2.chacha20-poly1305.1024.decrypt_cycles: 2.0 % over 2 scenarios (medians 1000 to 1020)
END
fi
EOF
chmod +x "$tmp/fake"
cat >"$tmp/expected" <<'EOF'
consistency (timed): 4 operations (library, side, protocol, AEAD, payload) measured in several scenarios disagree by 4.5 % at the median
interleaving (timed): 10 rounds; 2 of 30 stretches slowed by more than 5 % measured again, 1 kept

operation (library side protocol AEAD payload)           scenarios  cycles %  instr %
liba client dtls1.2 aes-128-ccm-8 16 decrypt                     3      10.0      5.0  work
liba server dtls1.2 aes-128-ccm-8 16 encrypt                     2       5.0      0.4  SAME
libb server dtls1.2 aes-128-gcm 16 encrypt loss=0.1              2       4.0        -  ?
libb client tls1.2 chacha20-poly1305 1024 decrypt                2       2.0      0.0

4 operations in several scenarios; 3 beyond 3 % in cycles:
1 do other work in some scenarios (instructions 1 % or more apart), 1 the same work, 1 not counted
the 2 operations that do the same work everywhere disagree by 3.5 % at the median, 5.0 % at worst
EOF
SUITEBENCH="$tmp/fake" KEEP="$tmp/kept" sh "$script" >"$tmp/out" 2>"$tmp/err"
check "the fake's reports failed: $(cat "$tmp/err")" $?
diff "$tmp/expected" "$tmp/out" >"$tmp/diff"
check "the table differs from the expected one: $(cat "$tmp/diff")" $?
[ -s "$tmp/kept/cycles.provenance.txt" ] && [ -s "$tmp/kept/instructions.csv" ]
check "KEEP did not keep both runs' files" $?
# WORK moves the line between `work` and SAME.
SUITEBENCH="$tmp/fake" WORK=6 TOP=1 sh "$script" >"$tmp/out" 2>/dev/null
grep -q '^liba client dtls1.2 aes-128-ccm-8 16 decrypt  *3  *10.0  *5.0  SAME$' "$tmp/out"
check "WORK=6 did not make a 5 % instruction disagreement SAME: $(cat "$tmp/out")" $?
[ "$(grep -c '^lib' "$tmp/out")" -eq 1 ]
check "TOP=1 listed other than one operation" $?
# --cpu goes with the default matrix; --pairs replaces it.
SUITEBENCH="$tmp/fake" FAKE_LOG="$tmp/log1" sh "$script" --cpu 1 >/dev/null 2>&1
[ "$(grep -c -- '--pairs all .*--budget 1 --cpu 1' "$tmp/log1")" -eq 2 ]
check "--cpu 1 did not go with the default matrix in both runs: $(cat "$tmp/log1")" $?
SUITEBENCH="$tmp/fake" FAKE_LOG="$tmp/log2" sh "$script" --pairs a/b >/dev/null 2>&1
! grep -q -- '--pairs all' "$tmp/log2" && [ "$(grep -c -- '--pairs a/b' "$tmp/log2")" -eq 2 ]
check "--pairs a/b did not replace the default matrix: $(cat "$tmp/log2")" $?
grep -q -- '--counter instructions.* --reps 3 --budget 0$' "$tmp/log2"
check "the counted run is not --counter instructions ending in --reps 3 --budget 0: $(cat "$tmp/log2")" $?
# --help prints the manual and runs nothing.
SUITEBENCH="$tmp/fake" FAKE_LOG="$tmp/log3" sh "$script" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^Usage: scripts/consistency \[run options...\]$' "$tmp/out" && [ ! -e "$tmp/log3" ]
check "--help did not print the manual alone: $(head -3 "$tmp/out")" $?
FAKE_EMPTY=1 SUITEBENCH="$tmp/fake" sh "$script" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 3 ] && grep -q 'no operation was measured in several scenarios' "$tmp/err"
check "runs with no operation in several scenarios did not fail with one line: $(cat "$tmp/err")" $?
finish
