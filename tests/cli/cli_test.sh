#!/bin/sh
# cli_test.sh SUITEBENCH - the command line's contract: bad input gets one
# clear line on stderr and exit status 2, and never leaves a results file.
set -u
sb=$1
. "$(dirname "$0")/../checks.sh"

# expect STATUS PATTERN -- ARGS: exit status and a stderr line matching PATTERN
expect() {
	want=$1 pattern=$2
	shift 3
	"$sb" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(grep -c . "$tmp/err")
	if [ "$got" -ne "$want" ] ||
		{ [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/err"; } ||
		{ [ "$want" -eq 2 ] && [ "$lines" -ne 1 ]; }; then
		fail "suitebench $*: exit $got (want $want), stderr:"
		cat "$tmp/err"
	else
		pass
	fi
}

expect 2 "unknown suite 'psk-ccm9'" -- run --suite psk-ccm9 -o "$tmp/a.csv"
expect 2 "unknown backend 'tinydtls'" -- run --backend tinydtls
expect 2 "unknown key exchange 'rsa'" -- run --kx rsa
expect 2 "'12x' is not a number" -- run --reps 12x
expect 2 "'0' is not a number" -- run --reps 0
expect 2 "--mtu: '100' is not a number from 256" -- run --mtu 100
expect 2 "--payload: 'big' is not a number" -- run --payload 16,big
expect 2 "needs a value" -- run --suite
expect 2 "unknown option '--frobnicate'" -- run --frobnicate
expect 2 "unknown command 'walk'" -- walk
expect 2 "cannot write $tmp/no/such/dir/x.csv" -- run --suite psk-ccm8 -o "$tmp/no/such/dir/x.csv"
expect 2 "cannot read credential file $tmp/ca.pem" -- run --credentials "$tmp" --suite psk-ccm8
expect 0 "" -- run --help
expect 2 "--auth: expected cert or rpk, not 'x509'" -- run --auth x509
expect 2 "--cid: '21' is not a number" -- run --cid 21
expect 2 "--layouts: '0' is not a number" -- run --layouts 0
expect 2 "--layouts: '17' is not a number" -- run --layouts 17
expect 2 "--heap-layout: 'x' is not a number" -- run --heap-layout x
expect 2 "--heap-layout: '4294967296' is not a number" -- run --heap-layout 4294967296
expect 0 "" -- list

[ -e "$tmp/a.csv" ] && { fail "a results file was left by a refused run"; }

# A short real run writes the CSV (header first) and the provenance beside it.
expect 0 "wrote $tmp/ok.csv" -- run --backend openssl --suite psk-ccm8 --reps 2 --warmup 1 --budget 0 --payload 16 -o "$tmp/ok.csv"
if head -n 1 "$tmp/ok.csv" | grep -q '^"client","server","protocol","kx","suite","payload","side","metric","unit","status","reason","n","median","p25","p75","min","max","mad","warnings","build","granularity","digest","conditions"' &&
	grep -q '^cycle_frequency_hz: ' "$tmp/ok.provenance.txt" &&
	[ -z "$(ls "$tmp" | grep '\.tmp\.')" ]; then
	pass
else
	fail "the CSV or its provenance is not as documented"
fi

# expect_layout FILE KIND WHY: FILE's address_layout line starts with KIND.
expect_layout() {
	if grep -q "^address_layout: $2: " "$1"; then
		pass
	else
		fail "$3:"
		grep '^address_layout' "$1"
	fi
}

# The timing process runs with address randomisation off, unless asked
# to keep it (and the kernel randomises at all).  Where personality(2)
# is refused (some container sandboxes), the run keeps random addresses
# and says so: nothing to check here then.
if ! setarch -R true 2>/dev/null; then
	echo "skip: this system refuses to turn address randomisation off (setarch -R): address_layout not checked"
else
	expect_layout "$tmp/ok.provenance.txt" fixed "the timing process ran with random addresses"
fi
# ADDR_NO_RANDOMIZE is 0x0040000 of the persona, which children inherit.
persona=$(cat /proc/self/personality 2>/dev/null || echo 0)
if [ "$(cat /proc/sys/kernel/randomize_va_space 2>/dev/null)" = 0 ] ||
	[ $((0x$persona & 0x0040000)) -ne 0 ]; then
	echo "skip: addresses are fixed here already: --random-layout not checked"
else
	expect 0 "wrote $tmp/rl.csv" -- run --random-layout --backend openssl --suite psk-ccm8 --reps 2 --warmup 1 --budget 0 --payload 16 -o "$tmp/rl.csv"
	expect_layout "$tmp/rl.provenance.txt" random "--random-layout did not keep the randomisation"
fi

# --layouts: the records over three connections, in turn; the provenance
# says so, and record figures come in whole turns: --reps 4 gives 6
# samples (two per connection; with the option ignored, 4), handshakes 4.
expect 0 "wrote $tmp/lay.csv" -- run --layouts 3 --backend mbedtls --protocol dtls1.2 --suite psk-ccm8 --reps 4 --warmup 1 --budget 0 --payload 16 -o "$tmp/lay.csv"
if grep -q '^layouts: 3 records connections per scenario' "$tmp/lay.provenance.txt" &&
	grep -q '^layouts: 8 records connections per scenario' "$tmp/ok.provenance.txt" &&
	[ "$(grep -c '"encrypt_cycles","cycles","ok","","6",' "$tmp/lay.csv")" -eq 2 ] &&
	[ "$(grep -c '"handshake_cycles","cycles","ok","","4",' "$tmp/lay.csv")" -eq 2 ]; then
	pass
else
	fail "--layouts 3: the provenance or the record rows are not as documented:"
	grep '^layouts' "$tmp/lay.provenance.txt" "$tmp/ok.provenance.txt"
	grep '"encrypt_cycles"' "$tmp/lay.csv"
fi

# ...and never more connections than --max-reps measures.
expect 0 "wrote $tmp/lay4.csv" -- run --layouts 8 --backend mbedtls --protocol dtls1.2 --suite psk-ccm8 --reps 4 --max-reps 4 --warmup 1 --budget 0 --payload 16 -o "$tmp/lay4.csv"
if grep -q '^layouts: 4 records connections per scenario (at most --max-reps)' "$tmp/lay4.provenance.txt" &&
	[ "$(grep -c '"encrypt_cycles","cycles","ok","","4",' "$tmp/lay4.csv")" -eq 2 ]; then
	pass
else
	fail "--layouts 8 --max-reps 4: not 4 connections, 4 record repetitions:"
	grep '^layouts' "$tmp/lay4.provenance.txt"
	grep '"encrypt_cycles"' "$tmp/lay4.csv"
fi

finish
