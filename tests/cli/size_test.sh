#!/bin/sh
# size_test.sh SUITEBENCH SIZE_DIR CACHE - `suitebench size` on real builds.
#
# For each build (prebuilt; tailored and cortex-m4 when Debian's BearSSL
# source package can be fetched and, for cortex-m4, the ARM toolchain is
# installed): the size of a BearSSL TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
# client is positive, identical across two builds from clean work
# directories, and smaller than the full-profile (br_ssl_client_init_full)
# client; the server is measured too, on the Cortex-M4 as well.  DTLS 1.2:
# OpenSSL, Mbed TLS and GnuTLS pairs run (cookie exchange, framed
# datagrams), BearSSL's is unsupported with the reason, a DTLS client
# against a TLS server is a failed row; Mbed TLS (tailored, Cortex-M4) and
# mbedtls-iot when Mbed TLS's source can be fetched.  Then the command
# line's contract.  CACHE/src is where the sources are fetched once and
# shared.  Last line: "N passed, M failed".
set -u
sb=$1
sizedir=$2
cache=$3
. "$(dirname "$0")/../checks.sh"
skips=0
suite=ecdhe-ecdsa-ccm8

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

# server_total CSV: text + rodata + data + bss of the ok server rows.
server_total() {
	awk -F'","' '$7 == "server" && $10 == "ok" { t += $13; n++ }
		END { if (n == 4) print t }' "$1"
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
	# The server program too, on every build (the Cortex-M4 included).
	server=$(server_total "$tmp/$b-1.csv")
	if [ -n "$server" ] && [ "$server" -gt 0 ]; then
		pass
	else
		fail "$b: no server size in $(cat "$tmp/$b-1.csv")"
	fi
	# BearSSL has no DTLS: an unsupported row that says so.
	if grep -q '"dtls1.2",.*"unsupported","BearSSL has no DTLS' "$tmp/$b-1.csv"; then
		pass
	else
		fail "$b: no unsupported BearSSL DTLS row: $(cat "$tmp/$b-1.csv")"
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

expect 2 "unknown name 'matrixssl'" -- size --library matrixssl
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
		--protocol tls1.2 --work "$tmp/mbed" -o "$tmp/mbed.csv" -q
}
if measure_mbed &&
	[ "$(grep -c '"client","code_text","bytes","ok","whole-library: ' "$tmp/mbed.csv")" -eq 2 ] &&
	[ "$(grep '"client","code_text"' "$tmp/mbed.csv" | cut -d, -f13 | sort -u | wc -l)" -eq 1 ]; then
	pass
else
	fail "prebuilt Mbed TLS rows are not one whole-library figure: $(cat "$tmp/mbed.csv")"
fi
# The provenance quotes the command line as given (lists whole), and the
# tree's programs by their place in it, not this machine's path.
if grep -q '^command: .* --suite psk-ccm8,psk-chacha20 ' "$tmp/mbed.provenance.txt" &&
	grep -q '^size_programs: size/programs: ' "$tmp/mbed.provenance.txt"; then
	pass
else
	fail "the size provenance does not quote the lists whole or names a machine path: $(grep -E '^(command|size_programs)' "$tmp/mbed.provenance.txt")"
fi

# ---- DTLS 1.2 -------------------------------------------------------------

# ok_sides CSV LIBRARY PROTOCOL: how many sides have four ok size rows.
ok_sides() {
	awk -F'","' -v lib="$2" -v proto="$3" '$1 == "\"" lib && $3 == proto &&
		$10 == "ok" && $8 ~ /^code_/ { n[$7]++ }
		END { k = 0; for (s in n) if (n[s] == 4) k++; print k }' "$1"
}

# side_total CSV LIBRARY PROTOCOL SIDE BUILD: the side's bytes, all four.
side_total() {
	awk -F'","' -v lib="$2" -v proto="$3" -v side="$4" -v build="$5" '
		$1 == "\"" lib && $3 == proto && $7 == side && $10 == "ok" &&
		$20 == build && $8 ~ /^code_/ { t += $13; n++ }
		END { if (n == 4) print t }' "$1"
}

# Every library with DTLS: the pair runs (a size counts only then).
mkdir -p "$tmp/dtls"
if "$sb" size --library openssl,mbedtls,gnutls,bearssl --build prebuilt \
	--suite psk-ccm8 --protocol dtls1.2 --work "$tmp/dtls" \
	-o "$tmp/dtls.csv" -q 2>"$tmp/dtls.err"; then
	pass
else
	fail "prebuilt DTLS pairs: $(tail -n 3 "$tmp/dtls.err") $(grep failed "$tmp/dtls.csv")"
fi
for lib in openssl mbedtls gnutls; do
	if [ "$(ok_sides "$tmp/dtls.csv" $lib dtls1.2)" -eq 2 ]; then
		pass
	else
		fail "no DTLS client and server rows for $lib: $(grep "^\"$lib" "$tmp/dtls.csv")"
	fi
done
if grep -q '^"bearssl","bearssl","dtls1.2",.*"unsupported","BearSSL has no DTLS' "$tmp/dtls.csv"; then
	pass
else
	fail "no unsupported BearSSL DTLS row: $(grep '^"bearssl' "$tmp/dtls.csv")"
fi

# A DTLS client against a TLS server never completes: a failed row, exit 1,
# no size.  (The TLS server stands in for the DTLS one; the products are
# fresh, so nothing is rebuilt.)
"$sb" size --library mbedtls --build prebuilt --suite psk-ccm8 \
	--protocol tls1.2 --work "$tmp/dtls" -q -o "$tmp/tls.csv" 2>/dev/null
out=$tmp/dtls/out/prebuilt/mbedtls
cp "$out/psk-ccm8/server" "$out/psk-ccm8-dtls1.2/server"
"$sb" size --library mbedtls --build prebuilt --suite psk-ccm8 \
	--protocol dtls1.2 --work "$tmp/dtls" -o "$tmp/mixed.csv" -q 2>/dev/null
got=$?
if [ "$got" -eq 1 ] &&
	grep -q '"dtls1.2",.*"code_size","bytes","failed","the client and server did not complete' "$tmp/mixed.csv" &&
	! grep -q '"ok"' "$tmp/mixed.csv"; then
	pass
else
	fail "a DTLS client against a TLS server: exit $got, $(cat "$tmp/mixed.csv")"
fi

# Tailored and Cortex-M4 Mbed TLS, and mbedtls-iot: DTLS adds code.
if sh "$sizedir/fetch-sources.sh" "$cache/src" mbedtls >"$tmp/fetch-mbed.log" 2>&1; then
	builds=tailored
	if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
		builds=tailored,cortex-m4
	else
		skip "Mbed TLS cortex-m4: arm-none-eabi-gcc not installed"
	fi
	mkdir -p "$tmp/mt"
	ln -s "$cache/src" "$tmp/mt/src"
	if "$sb" size --library mbedtls,mbedtls-iot --build $builds \
		--suite psk-ccm8 --work "$tmp/mt" -o "$tmp/mt.csv" -q 2>"$tmp/mt.err"; then
		pass
	else
		fail "Mbed TLS tailored/cortex-m4: $(tail -n 3 "$tmp/mt.err")"
	fi
	for b in $(echo $builds | tr , ' '); do
		for side in client server; do
			tls=$(side_total "$tmp/mt.csv" mbedtls tls1.2 $side $b)
			dtls=$(side_total "$tmp/mt.csv" mbedtls dtls1.2 $side $b)
			iot=$(side_total "$tmp/mt.csv" mbedtls-iot dtls1.2 $side $b)
			if [ -n "$tls" ] && [ -n "$dtls" ] && [ -n "$iot" ] &&
				[ "$dtls" -gt "$tls" ]; then
				pass
				echo "$b Mbed TLS psk-ccm8 $side: TLS 1.2 $tls, DTLS 1.2 $dtls, mbedtls-iot DTLS 1.2 $iot bytes"
			else
				fail "$b $side: TLS ${tls:-none}, DTLS ${dtls:-none} (not larger?), iot ${iot:-none}"
			fi
		done
	done
else
	skip "Mbed TLS tailored: Debian's mbedtls source package cannot be fetched: $(tail -n 1 "$tmp/fetch-mbed.log")"
fi

expect 2 "--protocol: unknown name 'dtls1.3'" -- size --protocol dtls1.3
expect 0 "" -- size --library mbedtls-iot --build prebuilt --suite psk-ccm8 -o "$tmp/iot.csv" -q
if grep -q '"unsupported","mbedtls-iot is a configuration' "$tmp/iot.csv"; then
	pass
else
	fail "no unsupported prebuilt mbedtls-iot row: $(cat "$tmp/iot.csv")"
fi

# wolfSSL, tailored from the source the wolfSSL backend's build unpacked:
# verified TLS 1.2 and DTLS 1.2 pairs with client and server sizes, DTLS
# larger; without that source, an unsupported row that says where it is
# missing; prebuilt, unsupported.
wolf_src=${XDG_CACHE_HOME:-$HOME/.cache}/suitebench/wolfssl-5.7.2-src
if [ -f "$wolf_src/.unpacked" ]; then
	mkdir -p "$tmp/wolf"
	if "$sb" size --library wolfssl --build tailored,prebuilt --suite psk-ccm8 \
		--work "$tmp/wolf" -o "$tmp/wolf.csv" -q 2>"$tmp/wolf.err" &&
		[ "$(awk -F'","' '$8 == "code_text" && $10 == "ok" && $20 == "tailored" && $13 > 0' "$tmp/wolf.csv" | wc -l)" -eq 4 ] &&
		[ "$(side_total "$tmp/wolf.csv" wolfssl dtls1.2 client tailored)" -gt \
			"$(side_total "$tmp/wolf.csv" wolfssl tls1.2 client tailored)" ] &&
		grep -q '"unsupported","wolfSSL has no prebuilt build' "$tmp/wolf.csv"; then
		pass
	else
		fail "wolfSSL tailored psk-ccm8: $(cat "$tmp/wolf.err" "$tmp/wolf.csv")"
	fi
else
	skip "wolfSSL: no source in $wolf_src (scripts/build-wolfssl.sh unpacks it)"
fi
mkdir -p "$tmp/nocache"
XDG_CACHE_HOME=$tmp/nocache "$sb" size --library wolfssl --build tailored \
	--suite psk-ccm8 --work "$tmp/wolf2" -o "$tmp/wolf2.csv" -q 2>/dev/null
if grep -q "\"unsupported\",\"no wolfSSL source in $tmp/nocache/suitebench" "$tmp/wolf2.csv"; then
	pass
else
	fail "no unsupported wolfSSL row without its source: $(cat "$tmp/wolf2.csv")"
fi

if [ "$skips" -gt 0 ]; then finish "$skips skipped"; else finish; fi || exit 1
# A part that could not run is a skip (ctest SKIP_RETURN_CODE), not a pass.
[ "$skips" -eq 0 ] || exit 77
