#!/bin/sh
# build.sh - build the minimal client and server programs of one library
# and suite for one build, each linked with a GNU ld map.  `suitebench
# size` runs it; see size/README.md for the design.
#
#   build.sh --work DIR --out DIR
#            --library openssl|mbedtls|bearssl|gnutls|mbedtls-iot|wolfssl
#            --build prebuilt|tailored|cortex-m4 --suite NAME --code 0xXXXX
#            --kx psk|ecdhe-psk|ecdhe-ecdsa|ecdhe-rsa
#            --aead aes-128-gcm|aes-128-ccm|aes-128-ccm-8|chacha20-poly1305
#            [--name OPENSSL_OR_WOLFSSL_NAME] [--sides "client server"] [--profile full]
#            [--credentials DIR] [--kind size|target]
#            [--protocol tls1.2|dtls1.2]
#
# --protocol dtls1.2 builds DTLS 1.2 programs (-DSB_DTLS: datagrams framed
# with a length on the pipes, programs/platform_posix.c); Mbed TLS's
# configuration then gains DTLS (mbedtls-configs/target-dtls.h).  Library
# mbedtls-iot is Mbed TLS with configs/mbedtls-iot.h, the `mbedtls-iot`
# backend's configuration (both sides, its four suites), compiled once per
# target like the tailored libraries.
# --kind target builds the target programs of `suitebench run --target`
# instead (programs/LIBRARY_target.c with the port, programs/port.h):
# Mbed TLS's configuration gains DTLS (mbedtls-configs/target-dtls.h), and
# on the Cortex-M4 they are linked to be loaded and run by bench/target/
# (programs/port_cm4.ld); on x86-64 they speak the port over stdin/stdout.
#
# Writes into the --out directory, for each side: SIDE (the program),
# SIDE.map (the linker map), SIDE.archives (the library's archives, one
# path a line: the bytes to attribute); and info.txt ("key: value" lines
# for the provenance).  The --work directory caches what builds share:
# src/ (Debian's source packages, fetched by fetch-sources.sh), lib/ (the
# tailored libraries).  A result whose inputs have not changed is reused.
# Exit status 0 on success; the compilers' output goes to stderr.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work="" out="" library="" build="" suite="" code="" kx="" aead="" name=""
sides="client server" profile=minimal creds=$root/suites/credentials
kind=size protocol=tls1.2

die() {
	echo "build.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1 needs a value"
	case $1 in
	--work) work=$2 ;;
	--out) out=$2 ;;
	--library) library=$2 ;;
	--build) build=$2 ;;
	--suite) suite=$2 ;;
	--code) code=$2 ;;
	--kx) kx=$2 ;;
	--aead) aead=$2 ;;
	--name) name=$2 ;;
	--sides) sides=$2 ;;
	--profile) profile=$2 ;;
	--credentials) creds=$2 ;;
	--kind) kind=$2 ;;
	--protocol) protocol=$2 ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
for v in work out library build suite code kx aead; do
	eval "[ -n \"\$$v\" ]" || die "--$v is required"
done
mkdir -p "$work" "$out"
work=$(cd "$work" && pwd)
out=$(cd "$out" && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
case $kind in
size) lib_suffix="" ;;
target) lib_suffix="-target" ;;
*) die "unknown kind $kind" ;;
esac

case $protocol in
tls1.2) proto_flag="" proto_suffix="" ;;
dtls1.2) proto_flag=-DSB_DTLS proto_suffix=-dtls ;;
*) die "unknown protocol $protocol" ;;
esac
# Target programs speak both protocols, whatever --protocol says.
[ "$kind" = size ] || proto_flag="" proto_suffix=""

case $kx in
psk) KX=PSK ;;
ecdhe-psk) KX=ECDHE_PSK ;;
ecdhe-ecdsa) KX=ECDHE_ECDSA ;;
ecdhe-rsa) KX=ECDHE_RSA ;;
*) die "unknown key exchange $kx" ;;
esac
case $aead in
aes-128-gcm) AEAD=GCM ;;
aes-128-ccm) AEAD=CCM ;;
aes-128-ccm-8) AEAD=CCM8 ;;
chacha20-poly1305) AEAD=CHACHAPOLY ;;
*) die "unknown AEAD $aead" ;;
esac

# ---- the target ----------------------------------------------------------

case $build in
prebuilt | tailored)
	cc=${CC:-gcc} ar=${AR:-ar} platform=posix target=$(uname -m)
	tflags="" lflags=""
	;;
cortex-m4)
	cc=arm-none-eabi-gcc ar=arm-none-eabi-ar platform=baremetal target=cortex-m4
	tflags="-mcpu=cortex-m4 -mthumb"
	lflags="--specs=nano.specs --specs=nosys.specs"
	command -v $cc >/dev/null ||
		die "$cc not found: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi"
	;;
*) die "unknown build $build" ;;
esac
cflags="${tflags:+$tflags }-Os -ffunction-sections -fdata-sections"
cc_version=$($cc --version | head -n 1)

# ---- caching -------------------------------------------------------------

# key TEXT...: a digest of everything a product depends on.
key() {
	printf '%s\n' "$@" | sha256sum | cut -c1-64
}

# fresh DIR KEY: whether DIR was built from exactly KEY.
fresh() {
	[ "$(cat "$1/stamp" 2>/dev/null)" = "$2" ]
}

# ---- tailored libraries --------------------------------------------------

# Part of every library's cache key: change it when the way the archives
# are made changes.
lib_layout="objects by basename"

# compile_all SRCDIR OBJDIR FLAGS: compile the .c files named on stdin
# (relative to SRCDIR) into OBJDIR, in parallel; objects are named by the
# source's basename (unique in both libraries), as --detail shows them.
compile_all() {
	SB_SRC=$1 SB_OBJ=$2 SB_CC="$cc $3" xargs -P "$jobs" -n 8 sh -c '
		for f; do
			o=$SB_OBJ/$(basename "$f" .c).o
			$SB_CC -c "$SB_SRC/$f" -o "$o" || exit 255
		done' sh
}

# compile_archive NAME: compile the .c files named on stdin (relative to
# $srcdir) with $flags into $libdir/NAME, stamped with $k.
compile_archive() {
	rm -rf "$libdir"
	mkdir -p "$libdir/obj"
	compile_all "$srcdir" "$libdir/obj" "$flags"
	$ar rcs "$libdir/$1" "$libdir"/obj/*.o
	echo "$k" >"$libdir/stamp"
}

fetch_sources() {
	sh "$here/fetch-sources.sh" "$work/src" "$1" >&2 ||
		die "cannot fetch Debian's source package $1 (see above)"
	srcdir=$work/src/$1
	srcversion=$(cat "$work/src/$1.version")
}

# BearSSL once per target: with function sections, --gc-sections keeps
# only what a program references.
tailored_bearssl() {
	fetch_sources bearssl
	libdir=$work/lib/$target/bearssl
	flags="$cflags -I$srcdir/inc -I$srcdir/src"
	k=$(key "$cc_version" "$flags" "$srcversion" "$lib_layout")
	if ! fresh "$libdir" "$k"; then
		echo "build.sh: compiling BearSSL $srcversion for $target" >&2
		(cd "$srcdir" && find src -name '*.c' | sort) |
			compile_archive libbearssl.a
	fi
	archives="$libdir/libbearssl.a"
	incs="-I$srcdir/inc"
	libstamp=$k
}

# mbedtls_library CONFIG LIBDIR FLAGS [HEADER]: Mbed TLS compiled with the
# configuration header CONFIG, and FLAGS (macros CONFIG reads), into LIBDIR;
# HEADER is a header CONFIG includes, part of the cache key.
mbedtls_library() {
	fetch_sources mbedtls
	config=$1 libdir=$2
	[ -f "$config" ] || die "no Mbed TLS configuration $config"
	config_flags="-DMBEDTLS_CONFIG_FILE=\"$config\"${3:+ $3}"
	flags="$cflags -I$srcdir/include -I$srcdir/library $config_flags"
	k=$(key "$cc_version" "$flags" "$srcversion" "$lib_layout" "$(cat "$config")" \
		"$(cat "$here/mbedtls-configs/target-dtls.h")" "$(cat ${4:+"$4"} </dev/null)")
	if ! fresh "$libdir" "$k"; then
		echo "build.sh: compiling Mbed TLS $srcversion for $target, $(basename "$libdir")" >&2
		rm -rf "$libdir"
		mkdir -p "$libdir/obj"
		(cd "$srcdir" && ls library/*.c) |
			compile_all "$srcdir" "$libdir/obj" "$flags"
		# The upstream split: TLS, X.509, and crypto for the rest.
		(cd "$libdir/obj" &&
			$ar rcs ../libmbedtls.a ssl_*.o debug.o net_sockets.o &&
			$ar rcs ../libmbedx509.a x509*.o certs.o pkcs11.o &&
			$ar rcs ../libmbedcrypto.a $(ls *.o | grep -v \
				-e '^ssl_' -e '^x509' -e '^debug\.o' \
				-e '^net_sockets\.o' -e '^certs\.o' -e '^pkcs11\.o'))
		echo "$k" >"$libdir/stamp"
	fi
	archives="$libdir/libmbedtls.a $libdir/libmbedx509.a $libdir/libmbedcrypto.a"
	incs="-I$srcdir/include $config_flags"
	libstamp=$k
}

# Mbed TLS once per target, suite, side and protocol, with that suite's
# header.
tailored_mbedtls() { # side
	side_flag=""
	[ "$1" = server ] && side_flag=-DSB_SIZE_SERVER
	[ "$kind" = target ] && side_flag="$side_flag -DSB_TARGET"
	side_flag="$side_flag${proto_flag:+ $proto_flag}"
	mbedtls_library "$here/mbedtls-configs/$suite.h" \
		"$work/lib/$target/mbedtls/$suite-$1$lib_suffix$proto_suffix" "${side_flag# }"
}

# The mbedtls-iot configuration once per target: both sides, its suites
# (mbedtls-configs/iot.h: configs/mbedtls-iot.h less file reading).
iot_mbedtls() {
	mbedtls_library "$here/mbedtls-configs/iot.h" "$work/lib/$target/mbedtls-iot" "" \
		"$root/configs/mbedtls-iot.h"
}

# wolfSSL once per target, suite, side and protocol, with wolfssl-configs/
# user_settings.h driven by the suite's -D macros, from the source that
# scripts/build-wolfssl.sh unpacked for the backend (Debian 13's 5.7.2;
# never fetched here).  Only the files a TLS 1.2 or DTLS 1.2 endpoint can
# need are compiled; a file the settings leave out compiles to nothing.
wolfssl_src=${XDG_CACHE_HOME:-$HOME/.cache}/suitebench/wolfssl-5.7.2-src
wolfssl_files="src/internal.c src/keys.c src/ssl.c src/tls.c src/wolfio.c
src/dtls.c wolfcrypt/src/aes.c wolfcrypt/src/sha256.c wolfcrypt/src/hmac.c
wolfcrypt/src/hash.c wolfcrypt/src/random.c wolfcrypt/src/kdf.c
wolfcrypt/src/memory.c wolfcrypt/src/wc_port.c wolfcrypt/src/logging.c
wolfcrypt/src/error.c wolfcrypt/src/asn.c wolfcrypt/src/ecc.c
wolfcrypt/src/sp_int.c wolfcrypt/src/sp_c32.c wolfcrypt/src/sp_c64.c
wolfcrypt/src/wolfmath.c wolfcrypt/src/chacha.c wolfcrypt/src/poly1305.c
wolfcrypt/src/chacha20_poly1305.c"
tailored_wolfssl() { # side
	srcdir=$wolfssl_src
	[ -f "$srcdir/.unpacked" ] ||
		die "no wolfSSL source in $srcdir (scripts/build-wolfssl.sh fetches it)"
	srcversion=$(cat "$srcdir/.debian-version")
	settings=$here/wolfssl-configs
	libdir=$work/lib/$target/wolfssl/$suite-$1$lib_suffix$proto_suffix
	side_flag=""
	[ "$1" = server ] && side_flag=-DSB_SIZE_SERVER
	[ "$kind" = target ] && side_flag="$side_flag -DSB_TARGET"
	side_flag="$side_flag${proto_flag:+ $proto_flag}"
	config_flags="-DWOLFSSL_USER_SETTINGS -I$settings -DSB_KX_$KX -DSB_AEAD_$AEAD $side_flag"
	flags="$cflags -I$srcdir $config_flags"
	k=$(key "$cc_version" "$flags" "$srcversion" "$lib_layout" \
		"$(cat "$settings/user_settings.h")" "$wolfssl_files")
	if ! fresh "$libdir" "$k"; then
		echo "build.sh: compiling wolfSSL $srcversion for $target, $suite $1" >&2
		# shellcheck disable=SC2086
		printf '%s\n' $wolfssl_files | compile_archive libwolfssl.a
	fi
	archives="$libdir/libwolfssl.a"
	incs="-I$srcdir $config_flags"
	libstamp=$k
}

# ---- Debian's archives ---------------------------------------------------

prebuilt_archives() { # archive...
	multiarch=$($cc -print-multiarch)
	archives="" libversion=""
	for a; do
		path=/usr/lib/$multiarch/$a
		[ -f "$path" ] || die "Debian's static archive $path is missing"
		archives="$archives $path"
		pkg=$(dpkg-query -S "$path" 2>/dev/null | cut -d: -f1 | head -n 1)
		[ -z "$pkg" ] || libversion="$pkg $(dpkg-query -W -f='${Version}' "$pkg")"
	done
	incs=""
	# shellcheck disable=SC2086
	libstamp=$(ls -l --time-style=+%s $archives)
}

# library_for SIDE: sets archives, incs, libs, and the info lines.
library_for() {
	libs=""
	case $build/$library in
	prebuilt/openssl)
		prebuilt_archives libssl.a libcrypto.a
		libs="-ldl -pthread"
		;;
	prebuilt/mbedtls)
		prebuilt_archives libmbedtls.a libmbedx509.a libmbedcrypto.a
		;;
	prebuilt/bearssl)
		prebuilt_archives libbearssl.a
		;;
	prebuilt/gnutls)
		# GnuTLS with what it is built on: its crypto (Nettle,
		# Hogweed, GMP), ASN.1 (libtasn1) and IDNA (libidn2)
		# archives, counted; p11-kit and libunistring, which Debian
		# ships shared only, linked shared and not counted.
		prebuilt_archives libgnutls.a libhogweed.a libnettle.a \
			libtasn1.a libidn2.a libgmp.a
		libversion="libgnutls28-dev $(dpkg-query -W -f='${Version}' libgnutls28-dev 2>/dev/null)"
		libs="/usr/lib/$multiarch/libp11-kit.so.0 /usr/lib/$multiarch/libunistring.so.2 -latomic -pthread"
		;;
	prebuilt/mbedtls-iot) die "mbedtls-iot has no prebuilt build (a configuration, not a Debian archive)" ;;
	*/bearssl) tailored_bearssl ;;
	*/mbedtls) tailored_mbedtls "$1" ;;
	*/mbedtls-iot) iot_mbedtls ;;
	tailored/wolfssl | cortex-m4/wolfssl) tailored_wolfssl "$1" ;;
	*) die "$library has no $build build" ;;
	esac
}

info_lines() {
	echo "compiler: $cc_version"
	echo "cflags: $cflags"
	echo "protocols: TLS 1.2, and DTLS 1.2 (-DSB_DTLS) with HelloVerifyRequest cookies, datagrams framed with a 2-byte length on the pipes"
	case $build in
	prebuilt)
		echo "sources: Debian's static archives:$archives ($libversion)"
		echo "library_version: $libversion"
		;;
	*)
		echo "sources: Debian source package ${library%-iot} $srcversion (apt-get source), compiled by size/build.sh"
		echo "library_version: ${library%-iot} $srcversion"
		;;
	esac
	[ "$library" != mbedtls ] || [ "$build" = prebuilt ] ||
		echo "config: size/mbedtls-configs/SUITE.h (DTLS 1.2: with target-dtls.h), the library compiled once per suite, side and protocol"
	[ "$library" != mbedtls-iot ] ||
		echo "config: size/mbedtls-configs/iot.h: configs/mbedtls-iot.h (the mbedtls-iot backend's) less MBEDTLS_FS_IO, the library compiled once per target, both sides"
	[ "$library" != wolfssl ] ||
		echo "config: size/wolfssl-configs/user_settings.h (WOLFSSL_USER_SETTINGS; DTLS 1.2 with SB_DTLS), the library compiled once per suite, side and protocol; portable C, no assembly"
	[ "$library" != bearssl ] ||
		echo "primitives: aes_ct, ghash_ctmul32, chacha20_ct, poly1305_ctmul, ec_p256_m31, ecdsa_i31${rsa_primitives}"
	[ "$library" != gnutls ] ||
		echo "not counted: libp11-kit.so.0 and libunistring.so.2, linked shared (Debian ships no static archive of either)"
	echo "link: $cc -Wl,--gc-sections $lflags"
}

# ---- the programs --------------------------------------------------------

[ -f "$creds/ca.pem" ] || die "no credentials in $creds"
rsa_primitives=""
[ "$kx" != ecdhe-rsa ] || rsa_primitives=", rsa_i31 (pkcs1 sign/verify)"
defines="-DSB_SUITE_CODE=$code -DSB_KX_$KX -DSB_AEAD_$AEAD${proto_flag:+ $proto_flag}"
case $library in
wolfssl) name_macro=SB_WOLFSSL_NAME ;;
*) name_macro=SB_OPENSSL_NAME ;;
esac
[ -z "$name" ] || defines="$defines -D$name_macro=\"$name\""
[ "$profile" != full ] || defines="$defines -DSB_FULL_PROFILE"

for side in $sides; do
	library_for "$side"
	src=$here/programs/${library%-iot}_$side.c
	sources="$src $here/programs/platform_$platform.c"
	link="$lflags"
	if [ "$kind" = target ]; then
		src=$here/programs/${library}_target.c
		port=host
		if [ "$build" = cortex-m4 ]; then
			port=cm4
			link="$lflags -nostartfiles -T$here/programs/port_cm4.ld -Wl,--wrap=calloc,--wrap=malloc,--wrap=realloc,--wrap=free"
		fi
		sources="$src $here/programs/port_serve.c $here/programs/port_$port.c"
		[ "$side" = server ] && sources="-DSB_SIZE_SERVER $sources"
	fi
	k=$(key "$kind" "$cc_version" "$cflags" "$defines" "$incs" "$archives" \
		"$(cat "$here/build.sh" "$here/gen-creds.sh" "$here"/programs/*)" \
		"$(cat "$creds"/*)" "$libstamp")
	if fresh "$out/$side.d" "$k" && [ -f "$out/$side.map" ]; then
		continue
	fi
	rm -rf "$out/$side.d"
	mkdir -p "$out/$side.d"
	sh "$here/gen-creds.sh" "$creds" "$out/$side.d/creds.h"
	# -fno-merge-constants: the program's strings stay its own, so it
	# never absorbs an identical string of the library's (the linker
	# keeps the first copy, and the program comes first).
	# shellcheck disable=SC2086
	$cc -std=c11 -Wall -Wextra -Werror $cflags -fno-merge-constants $defines -I"$out/$side.d" \
		-I"$here/programs" $incs $sources $archives $link \
		-Wl,--gc-sections -Wl,-Map="$out/$side.map" -o "$out/$side" $libs
	printf '%s\n' $archives >"$out/$side.archives"
	info_lines >"$out/info.txt"
	echo "$k" >"$out/$side.d/stamp"
done
