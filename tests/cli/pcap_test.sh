#!/bin/sh
# pcap_test.sh SUITEBENCH - `run --pcap` writes what tshark dissects as the
# same records the link counted: record count, lengths and bytes agree
# with the --trace ladder of the same connection.  Skipped without tshark.
# DTLS 1.3 (wolfSSL, when the build has it): tshark 4.0 (Debian 12) reads
# the epoch-0 DTLSPlaintext records but not the unified header of the
# ciphertext records (it shows them as continuation data); a tshark that
# dissects both must agree on all of them.
set -u
sb=$1
if ! command -v tshark >/dev/null 2>&1; then
	echo "skipped: tshark is not installed (apt-get install tshark)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
. "$(dirname "$0")/../checks.sh"

# agrees NAME PROTOCOL SUITE DISSECTOR LENGTH-FIELD RECORD-FIELD HEADER
# (HEADER: bytes of the length field's header, 8 for udp.length)
agrees() {
	"$sb" run -q --backend openssl --protocol "$2" --suite "$3" --reps 1 \
		--budget 0 --payload 16 --trace --pcap "$tmp/$1.pcap" >"$tmp/$1.trace"
	# the ladder: bytes per send, and each record's length
	awk 'NR > 2 { print $5 }' "$tmp/$1.trace" >"$tmp/$1.link-sends"
	grep -o '[0-9]*B' "$tmp/$1.trace" | tr -d B >"$tmp/$1.link-records"
	tshark -r "$tmp/$1.pcap" -d "$4" -T fields -e "$5" -e "$6" 2>/dev/null \
		>"$tmp/$1.tshark"
	awk -F'\t' -v h="$7" '{ print $1 - h }' "$tmp/$1.tshark" >"$tmp/$1.tshark-sends"
	cut -f2 "$tmp/$1.tshark" | tr ',' '\n' | grep . >"$tmp/$1.tshark-records"
	if cmp -s "$tmp/$1.link-sends" "$tmp/$1.tshark-sends" &&
		cmp -s "$tmp/$1.link-records" "$tmp/$1.tshark-records" &&
		[ -s "$tmp/$1.link-records" ]; then
		pass
	else
		fail "$1: the link and tshark disagree"
		paste "$tmp/$1.link-sends" "$tmp/$1.tshark-sends" | head -20
		paste "$tmp/$1.link-records" "$tmp/$1.tshark-records" | head -30
	fi
}

# DTLS: UDP payload = the datagram; TLS: TCP payload = the send.
agrees dtls dtls1.2 psk-ccm8 udp.port==4433,dtls udp.length dtls.record.length 8
agrees tls tls1.2 ecdhe-ecdsa-gcm tcp.port==4433,tls tcp.len tls.record.length 0

# agrees13 NAME SUITE [RUN OPTIONS]: DTLS 1.3 from wolfSSL
agrees13() {
	name=$1 suite=$2
	shift 2
	"$sb" run -q --backend wolfssl --protocol dtls1.3 --suite "$suite" \
		--reps 1 --budget 0 --payload 16 --trace "$@" \
		--pcap "$tmp/$name.pcap" >"$tmp/$name.trace"
	awk 'NR > 2 { print $5 }' "$tmp/$name.trace" >"$tmp/$name.link-sends"
	grep -o '[0-9]*B' "$tmp/$name.trace" | tr -d B >"$tmp/$name.link-records"
	grep -v ciphertext "$tmp/$name.trace" | grep -o '[0-9]*B' | tr -d B \
		>"$tmp/$name.link-plain"
	tshark -r "$tmp/$name.pcap" -d udp.port==4433,dtls -T fields \
		-e udp.length -e dtls.record.length 2>/dev/null >"$tmp/$name.tshark"
	awk -F'\t' '{ print $1 - 8 }' "$tmp/$name.tshark" >"$tmp/$name.tshark-sends"
	cut -f2 "$tmp/$name.tshark" | tr ',' '\n' | grep . >"$tmp/$name.tshark-records"
	if ! cmp -s "$tmp/$name.link-sends" "$tmp/$name.tshark-sends" ||
		! grep -q ciphertext "$tmp/$name.trace"; then
		fail "$name: datagrams differ, or no ciphertext record seen"
		paste "$tmp/$name.link-sends" "$tmp/$name.tshark-sends" | head -20
	elif cmp -s "$tmp/$name.link-records" "$tmp/$name.tshark-records"; then
		pass
	elif cmp -s "$tmp/$name.link-plain" "$tmp/$name.tshark-records" &&
		[ -s "$tmp/$name.link-plain" ]; then
		echo "note: $name: this tshark reads DTLS 1.3 plaintext records only"
		pass
	else
		fail "$name: the link and tshark disagree on records"
		paste "$tmp/$name.link-records" "$tmp/$name.tshark-records" | head -30
	fi
}
if "$sb" list 2>/dev/null | grep -q '^  wolfssl '; then
	agrees13 dtls13 tls13-psk-ccm8
	agrees13 dtls13-cid tls13-ecdhe-psk-ccm8 --cid 1
fi
finish
