#!/bin/sh
# build-wolfssl.sh - wolfSSL 5.7.2 from Debian 13's source package, built
# once for the benchmark and cached outside the checkout.
#
#   scripts/build-wolfssl.sh            build if needed; print the prefix
#   scripts/build-wolfssl.sh --config   print the configure line only
#
# Debian 12's libwolfssl-dev (5.5.4) has no DTLS 1.3, no Connection ID, no
# plain PSK suites (LIBRARY-NOTES.md), so the library is built from trixie's
# source package.  It is fetched with `apt-get source` through apt's -o
# options, a deb-src list of our own (signed-by the Debian archive keyring)
# and lists and cache of our own: nothing under /etc or /var changes and no
# root is needed.  The tarball ships no `configure`, so autogen.sh runs
# first (autoconf, automake, libtool: scripts/setup-debian.sh).
#
# The result lands in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/suitebench/wolfssl-5.7.2-<hash>/
# where <hash> covers the configure line: a rebuild, a new build directory
# or a fresh clone reuses it; a changed line builds beside it.  The prefix
# holds include/, lib/libwolfssl.a, configure-line (for the provenance) and
# debian-version.  Progress goes to stderr, the prefix to stdout.
set -eu

upstream=5.7.2
# The benchmark's configuration: DTLS 1.2 + 1.3, TLS 1.2 + 1.3, Connection
# ID (DTLS 1.3 only in 5.7.2), raw public keys, PSK, AES-GCM, AES-CCM (with
# CCM_8), ChaCha20-Poly1305, P-256/ECDSA.  Off: session tickets (a ~200 B
# NewSessionTicket), TLS 1.0/1.1, RSA and finite-field DH (they would add
# signature algorithms and groups to every hello).  WOLFSSL_STATIC_PSK is
# what builds the plain-PSK (psk_kea) TLS 1.2 suites with AES; without it
# --enable-psk gives only PSK with ChaCha20 and ECDHE-PSK (internal.h).
# WC_RNG_SEED_CB lets the backend feed the DRBG's seed for --deterministic
# (wc_SetSeed_Cb);
# DTLS_CID_MAX_SIZE=16 lets a Connection ID be longer than 5.7.2's default
# maximum of 2 (internal.h; it also sizes the per-connection copy of a
# DTLS 1.3 record header, so a connection's RAM grows with it); with 16
# bytes 5.7.2 fails the first record write, so the backend takes up to 15;
# WOLFSSL_ALWAYS_VERIFY_CB calls the verify callback on success too, which
# is where the backend checks a raw public key against its pin (5.7.2
# accepts any RPK without it: internal.c, ProcessPeerCertParse); the
# library is otherwise as wolfSSL's defaults make it (portable C, no
# AES-NI), static, without examples or tests.
config="--enable-static --disable-shared --disable-examples --disable-crypttests
--disable-benchmark --enable-tls13 --enable-dtls --enable-dtls13 --enable-dtlscid
--enable-dtls-mtu --enable-psk --enable-rpk --enable-aesgcm --enable-aesccm
--enable-chacha --enable-poly1305 --enable-ecc --enable-supportedcurves
--enable-sni --disable-session-ticket --disable-oldtls --disable-rsa --disable-dh"
cppflags="-DWOLFSSL_STATIC_PSK -DWC_RNG_SEED_CB -DWOLFSSL_ALWAYS_VERIFY_CB
-DDTLS_CID_MAX_SIZE=16"
config=$(echo "$config" | tr '\n' ' ' | sed 's/ *$//')
cppflags=$(echo "$cppflags" | tr '\n' ' ' | sed 's/ *$//')
line="$config CPPFLAGS=\"$cppflags\""

if [ "${1:-}" = --config ]; then
	echo "$line"
	exit 0
fi

hash=$(printf '%s\n%s\n' "$upstream" "$line" | sha256sum | cut -c1-12)
root=${XDG_CACHE_HOME:-$HOME/.cache}/suitebench
prefix=$root/wolfssl-$upstream-$hash
mkdir -p "$root"

done_stamp=$prefix/.complete
if [ -f "$done_stamp" ]; then
	echo "$prefix"
	exit 0
fi

# Two builds configuring at once (release and asan) build it once.
exec 9>"$root/wolfssl.lock"
flock 9
if [ -f "$done_stamp" ]; then
	echo "$prefix"
	exit 0
fi

say() { echo "build-wolfssl.sh: $*" >&2; }
for tool in apt-get dpkg-source autoreconf libtoolize make cc; do
	command -v "$tool" >/dev/null 2>&1 || {
		say "missing $tool (scripts/setup-debian.sh installs it)"
		exit 1
	}
done

# ---- fetch: trixie's source package, once per upstream version ----
src=$root/wolfssl-$upstream-src
if [ ! -f "$src/.unpacked" ]; then
	apt=$root/apt-trixie
	rm -rf "$src"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" \
		"$apt/download"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian trixie main" >"$apt/sources.list"
	opts="-o Dir::Etc::SourceList=$apt/sources.list
-o Dir::Etc::SourceParts=$apt/parts
-o Dir::State::Lists=$apt/lists
-o Dir::Cache=$apt/cache
-o Debug::NoLocking=1"
	[ "$(id -u)" -ne 0 ] || opts="$opts -o APT::Sandbox::User=root"
	say "fetching Debian 13's wolfssl source package"
	# shellcheck disable=SC2086
	apt-get $opts -qq update >&2
	# shellcheck disable=SC2086
	version=$(apt-cache $opts showsrc wolfssl |
		sed -n 's/^Version: //p' | grep "^$upstream-" | sort -V | tail -n 1)
	if [ -z "$version" ]; then
		say "trixie has no wolfssl $upstream source package"
		exit 1
	fi
	rm -f "$apt/download/"wolfssl_*
	# shellcheck disable=SC2086
	(cd "$apt/download" &&
		apt-get $opts -qq source --download-only "wolfssl=$version" >&2)
	# apt-get checked the files against the signed index: skip gpgv.
	dpkg-source --no-check -x "$apt/download/wolfssl_$version.dsc" \
		"$src" >/dev/null
	# dpkg-source leaves a copy of the tarball beside the tree.
	rm -f "$root"/wolfssl_* "$apt/download/"wolfssl_*
	echo "$version" >"$src/.debian-version"
	touch "$src/.unpacked"
fi

# ---- build: out of tree, one directory per configure line ----
start=$(date +%s)
build=$prefix.build
rm -rf "$build" "$prefix"
mkdir -p "$build"
if [ ! -x "$src/configure" ]; then
	say "autogen.sh"
	(cd "$src" && ./autogen.sh >/dev/null 2>&1)
fi
say "configure $line"
# shellcheck disable=SC2086
(cd "$build" && "$src/configure" --prefix="$prefix" $config \
	CPPFLAGS="$cppflags" >configure.log 2>&1) || {
	say "configure failed: $build/configure.log"
	tail -n 5 "$build/configure.log" >&2
	exit 1
}
say "make (a few minutes)"
(cd "$build" && make -j2 >make.log 2>&1 && make install >>make.log 2>&1) || {
	say "make failed: $build/make.log"
	tail -n 15 "$build/make.log" >&2
	exit 1
}
echo "$line" >"$prefix/configure-line"
cp "$src/.debian-version" "$prefix/debian-version"
rm -rf "$build"
say "built in $(($(date +%s) - start)) s: $prefix"
touch "$done_stamp"
echo "$prefix"
