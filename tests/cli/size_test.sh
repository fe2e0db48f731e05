#!/bin/sh
# size_test.sh SUITEBENCH SIZE_DIR CACHE - `suitebench size` on real builds.
#
# For each build (prebuilt; tailored and cortex-m4 when Debian's BearSSL
# source package can be fetched and, for cortex-m4, the ARM toolchain is
# installed): the size of a BearSSL TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
# client is positive, identical across two builds from clean work
# directories, and smaller than the full-profile (br_ssl_client_init_full)
# client.  Then the command line's contract.  CACHE/src is where the
# sources are fetched once and shared.  Last line: "N passed, M failed".
set -u
sb=$1
sizedir=$2
cache=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0 skips=0
suite=ecdhe-ecdsa-ccm8

pass() { passes=$((passes + 1)); }
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
skip() {
	echo "SKIP: $*"
	skips=$((skips + 1))
}

# client_sizes CSV: "text rodata data bss" of the ok client rows.
client_sizes() {
	awk -F'","' '$7 == "client" && $10 == "ok" {
		v[$8] = $13 } END {
		if (length(v) == 4)
			print v["code_text"], v["code_rodata"], v["code_data"], v["code_bss"] }' "$1"
}

total() {
	echo "$1" | awk '{ print $1 + $2 + $3 + $4 }'
}

# measure BUILD WORK CSV: run suitebench size for the BearSSL CCM_8 client.
measure() {
	mkdir -p "$2"
	[ -e "$2/src" ] || ln -s "$cache/src" "$2/src"
	"$sb" size --library bearssl --suite $suite --build "$1" --work "$2" \
		-o "$3" -q 2>"$3.err"
}

# full_profile BUILD WORK: total bytes of the full-profile client.
full_profile() {
	sh "$sizedir/build.sh" --work "$2" --out "$2/full" --library bearssl \
		--build "$1" --suite $suite --code 0xC0AE --kx ecdhe-ecdsa \
		--aead aes-128-ccm-8 --sides client --profile full \
		>"$2/full.log" 2>&1 || return 1
	"$sb" size --map "$2/full/client.map" --archive libbearssl.a |
		awk '{ t += $2 } END { print t }'
}

check_build() { # build
	b=$1
	if ! measure "$b" "$tmp/$b-1" "$tmp/$b-1.csv"; then
		fail "$b: suitebench size failed: $(tail -n 3 "$tmp/$b-1.csv.err")"
		return
	fi
	first=$(client_sizes "$tmp/$b-1.csv")
	if [ -n "$first" ] && [ "$(total "$first")" -gt 0 ]; then
		pass
	else
		fail "$b: no positive client size in $(cat "$tmp/$b-1.csv")"
		return
	fi
	measure "$b" "$tmp/$b-2" "$tmp/$b-2.csv"
	second=$(client_sizes "$tmp/$b-2.csv")
	if [ "$first" = "$second" ]; then
		pass
	else
		fail "$b: two clean builds differ: $first / $second"
	fi
	full=$(full_profile "$b" "$tmp/$b-1")
	if [ -n "$full" ] && [ "$(total "$first")" -lt "$full" ]; then
		pass
		echo "$b: BearSSL CCM_8 client $(total "$first") bytes" \
			"(text rodata data bss: $first), full profile $full"
	else
		fail "$b: the CCM_8 client ($(total "$first")) is not smaller than the full profile (${full:-no size}; see $tmp/$b-1/full.log)"
	fi
}

check_build prebuilt
if sh "$sizedir/fetch-sources.sh" "$cache/src" bearssl >"$tmp/fetch.log" 2>&1; then
	check_build tailored
	if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
		check_build cortex-m4
	else
		skip "cortex-m4: arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
	fi
else
	skip "tailored and cortex-m4: Debian's bearssl source package cannot be fetched: $(tail -n 1 "$tmp/fetch.log")"
fi

# ---- the command line ---------------------------------------------------

# expect STATUS PATTERN -- ARGS: exit status, and a line matching PATTERN
# on stderr (status 2: exactly one line) or stdout (status 0).
expect() {
	want=$1 pattern=$2
	shift 3
	"$sb" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	where=$tmp/err
	[ "$want" -ne 0 ] || where=$tmp/out
	if [ "$got" -ne "$want" ] ||
		{ [ -n "$pattern" ] && ! grep -q -- "$pattern" "$where"; } ||
		{ [ "$want" -eq 2 ] && [ "$(grep -c . "$tmp/err")" -ne 1 ]; }; then
		fail "suitebench $*: exit $got (want $want): $(cat "$tmp/err")"
	else
		pass
	fi
}

expect 2 "unknown name 'wolfssl'" -- size --library wolfssl
expect 2 "unknown name 'gpu'" -- size --build gpu
expect 2 "unknown suite 'psk-ccm9'" -- size --suite psk-ccm9
expect 2 "expected LIBRARY:SUITE" -- size --detail bearssl
expect 2 "--map needs --archive" -- size --map "$tmp/x.map"
expect 2 "cannot read $tmp/none.map" -- size --map "$tmp/none.map" --archive libx.a
expect 2 "cannot write $tmp/no/dir/x.csv" -- size --build cortex-m4 --library openssl -o "$tmp/no/dir/x.csv"
expect 0 "usage: suitebench size" -- size --help
expect 0 "largest objects" -- size --detail bearssl:$suite --build prebuilt --work "$tmp/prebuilt-1" -q

# OpenSSL has no Cortex-M4 build: a row with the reason, exit 0.
expect 0 "" -- size --library openssl --build cortex-m4 --suite psk-ccm8 -o "$tmp/u.csv" -q
if grep -q '"unsupported","OpenSSL has no bare-metal build' "$tmp/u.csv"; then
	pass
else
	fail "no unsupported OpenSSL cortex-m4 row: $(cat "$tmp/u.csv")"
fi

# Debian's Mbed TLS is a whole-library figure, said so in the row.
measure_mbed() {
	mkdir -p "$tmp/mbed"
	"$sb" size --library mbedtls --build prebuilt --suite psk-ccm8,psk-chacha20 \
		--work "$tmp/mbed" -o "$tmp/mbed.csv" -q
}
if measure_mbed &&
	[ "$(grep -c '"client","code_text","bytes","ok","whole-library: ' "$tmp/mbed.csv")" -eq 2 ] &&
	[ "$(grep '"client","code_text"' "$tmp/mbed.csv" | cut -d, -f13 | sort -u | wc -l)" -eq 1 ]; then
	pass
else
	fail "prebuilt Mbed TLS rows are not one whole-library figure: $(cat "$tmp/mbed.csv")"
fi

if [ "$skips" -gt 0 ]; then
	echo "$passes passed, $failures failed, $skips skipped"
else
	echo "$passes passed, $failures failed"
fi
[ "$failures" -eq 0 ] || exit 1
# A part that could not run is a skip (ctest SKIP_RETURN_CODE), not a pass.
[ "$skips" -eq 0 ] || exit 77
