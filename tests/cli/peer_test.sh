#!/bin/sh
# peer_test.sh SUITEBENCH CREDENTIALS - `suitebench client` against a real
# server: `openssl s_server -dtls1_2` on loopback.  Each connection must
# verify, the server must print the record the client wrote, and the bytes
# the client counts on the real socket must equal, flight by flight, those
# of the in-memory run of the same configuration -- except for the cookie,
# which each server makes its own way (see compare_flights).  Skipped when
# the openssl command is missing.
set -u
sb=$1
cred=$2
if ! command -v openssl >/dev/null 2>&1; then
	echo "skipped: the openssl command is not installed (apt-get install openssl)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
. "$(dirname "$0")/../checks.sh"
server_pid=
port=

stop_server() {
	[ -n "$server_pid" ] || return 0
	exec 3>&- # s_server reads end of input and quits
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$server_pid" 2>/dev/null
	wait "$server_pid" 2>/dev/null
	server_pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

psk_identity=$(cut -d' ' -f1 "$cred/psk.txt")
psk_key=$(cut -d' ' -f2 "$cred/psk.txt" | tr -d '\r\n')

# start_server NAME HOST S_SERVER-ARGS... -- s_server on a free port of
# HOST, for at most 60 s, its standard input a FIFO held open on fd 3 (it
# quits at end of input).  -mtu 1260 is a 1232-byte datagram over IPv4
# (1260 less 20 bytes IPv4 and 8 bytes UDP), the client's default MTU.
# Sets port; returns 1 when no port could be had.
start_server() {
	name=$1 host=$2
	shift 2
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		if command -v ss >/dev/null 2>&1 &&
			[ -n "$(ss -Hlun "sport = :$port" 2>/dev/null)" ]; then
			continue
		fi
		rm -f "$tmp/$name.in"
		mkfifo "$tmp/$name.in"
		: >"$tmp/$name.server"
		timeout 60 openssl s_server -dtls1_2 -no_cache -accept "$host:$port" \
			-mtu 1260 "$@" <"$tmp/$name.in" >"$tmp/$name.server" 2>&1 &
		server_pid=$!
		exec 3>"$tmp/$name.in"
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			grep -q '^ACCEPT' "$tmp/$name.server" && return 0
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_server
		echo "note: s_server did not start on $host:$port (attempt $attempt):"
		head -3 "$tmp/$name.server"
	done
	return 1
}

# metric CSV SIDE METRIC [PAYLOAD] -- the median of one ok row
metric() {
	tr -d '"' <"$1" | awk -F, -v s="$2" -v m="$3" -v p="${4:-}" \
		'$10 == "ok" && $7 == s && $8 == m && $6 == p { print $13 }'
}

# compare_flights NAME REAL MEMORY STRICT-SERVER
# Client flights: 1 (ClientHello) and 5 (ClientKeyExchange, CCS,
# Finished) do not depend on the server: equal.  Flight 3 is the
# ClientHello again with the server's cookie (RFC 6347 4.2.1): it differs
# from the in-memory one exactly as the cookie in the server's
# HelloVerifyRequest (flight 2) does -- s_server's cookie is its own, the
# in-memory OpenSSL server's a 32-byte HMAC-SHA256.  Server flights 4 and
# 6 are equal when the in-memory server is OpenSSL, the library s_server
# runs (STRICT-SERVER yes); an ECDSA signature's DER length varies, so
# ECDHE-ECDSA server flights are shown, not compared.
compare_flights() {
	name=$1 real=$2 mem=$3 strict=$4 ok=yes
	flights_real=$(metric "$real" both handshake_flights)
	flights_mem=$(metric "$mem" both handshake_flights)
	echo "$name: flight, side, bytes on the real socket, bytes in memory"
	for f in 1 2 3 4 5 6; do
		side=client
		[ $((f % 2)) -eq 0 ] && side=server
		r=$(metric "$real" $side flight${f}_bytes)
		m=$(metric "$mem" $side flight${f}_bytes)
		echo "  $f $side ${r:-none} ${m:-none}"
	done
	r1=$(metric "$real" client flight1_bytes) m1=$(metric "$mem" client flight1_bytes)
	r2=$(metric "$real" server flight2_bytes) m2=$(metric "$mem" server flight2_bytes)
	r3=$(metric "$real" client flight3_bytes) m3=$(metric "$mem" client flight3_bytes)
	r5=$(metric "$real" client flight5_bytes) m5=$(metric "$mem" client flight5_bytes)
	rr=$(metric "$real" client record_bytes 100) mr=$(metric "$mem" client record_bytes 100)
	if [ "$flights_real" != 6 ] || [ "$flights_mem" != 6 ]; then
		fail "$name: flights real ${flights_real:-none}, in memory ${flights_mem:-none} (want 6: s_server asks for a cookie)"
		return
	fi
	[ -n "$r1" ] && [ "$r1" = "$m1" ] || { fail "$name: flight 1 (ClientHello) $r1 bytes real, $m1 in memory"; ok=no; }
	[ -n "$r5" ] && [ "$r5" = "$m5" ] || { fail "$name: flight 5 $r5 bytes real, $m5 in memory"; ok=no; }
	[ -n "$rr" ] && [ "$rr" = "$mr" ] || { fail "$name: a 100-byte record is $rr bytes real, $mr in memory"; ok=no; }
	if [ -z "$r3" ] || [ $((r3 - m3)) -ne $((r2 - m2)) ]; then
		fail "$name: flight 3 differs by $((r3 - m3)), the cookie (flight 2) by $((r2 - m2))"
		ok=no
	else
		echo "  cookie: s_server's $((r2 - 28)) bytes, in memory $((m2 - 28)) (flight 2 less 13 record, 12 handshake, 2 version, 1 length bytes)"
	fi
	if [ "$strict" = yes ]; then
		for f in 4 6; do
			r=$(metric "$real" server flight${f}_bytes)
			m=$(metric "$mem" server flight${f}_bytes)
			[ -n "$r" ] && [ "$r" = "$m" ] || { fail "$name: server flight $f $r bytes real, $m in memory"; ok=no; }
		done
	fi
	[ $ok = yes ] && pass
}

# peer NAME BACKEND SUITE MEMORY-PAIR STRICT-SERVER S_SERVER-ARGS...
peer() {
	name=$1 backend=$2 suite=$3 pair=$4 strict=$5
	shift 5
	if ! start_server "$name" 127.0.0.1 "$@"; then
		fail "$name: could not start openssl s_server"
		return
	fi
	if "$sb" client --connect "127.0.0.1:$port" --backend "$backend" \
		--suite "$suite" --credentials "$cred" --trace \
		-o "$tmp/$name.csv" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
		pass
	else
		fail "$name: suitebench client exit $?"
		cat "$tmp/$name.out" "$tmp/$name.err"
	fi
	stop_server
	# s_server prints the application data it receives.
	if grep -a -q 'suitebench payload' "$tmp/$name.server"; then
		pass
	else
		fail "$name: s_server did not print the record the client wrote"
		tail -5 "$tmp/$name.server"
	fi
	[ -s "$tmp/$name.provenance.txt" ] && pass ||
		fail "$name: no provenance file"
	# Timed with no heap accounting; the heap from a second connection,
	# which s_server (one client at a time) does not answer: a warning.
	grep -q '^passes: cycles in a process with no heap accounting' "$tmp/$name.provenance.txt" && pass ||
		fail "$name: the client was not timed in a process without heap accounting"
	# Unless this system refuses personality(2) (setarch -R fails).
	if setarch -R true 2>/dev/null; then
		grep -q '^address_layout: fixed: ' "$tmp/$name.provenance.txt" && pass ||
			fail "$name: the client was not timed with fixed addresses"
	fi
	grep -q 'heap_peak' "$tmp/$name.csv" || grep -q '^warning: heap pass: .*: no heap figures' "$tmp/$name.err" && pass ||
		fail "$name: neither heap figures nor a warning that they are missing"
	# s_server makes a cookie exchange (apps/s_server.c turns on
	# SSL_OP_COOKIE_EXCHANGE for every DTLS connection), so the
	# in-memory run keeps its cookie exchange on; match what was seen.
	cookie=
	grep -q 'cookie_exchange: none' "$tmp/$name.provenance.txt" && cookie=--no-cookie
	"$sb" run -q --pairs "$pair" --suite "$suite" --protocol dtls1.2 \
		--reps 1 --warmup 1 --budget 0 --payload 100 $cookie \
		--credentials "$cred" -o "$tmp/$name-mem.csv" 2>"$tmp/$name-mem.err" ||
		fail "$name: the in-memory run failed: $(cat "$tmp/$name-mem.err")"
	compare_flights "$name" "$tmp/$name.csv" "$tmp/$name-mem.csv" "$strict"
}

psk="-nocert -psk $psk_key -psk_identity $psk_identity -cipher PSK-AES128-CCM8"
ecdsa="-cert $cred/server.pem -key $cred/server.key -cipher ECDHE-ECDSA-AES128-CCM8"
# shellcheck disable=SC2086 # the option lists split on purpose
peer psk-openssl openssl psk-ccm8 openssl/openssl yes $psk
# shellcheck disable=SC2086
peer psk-mbedtls mbedtls psk-ccm8 mbedtls/openssl yes $psk
# shellcheck disable=SC2086
peer ecdsa-openssl openssl ecdhe-ecdsa-ccm8 openssl/openssl no $ecdsa

# expect NAME STATUS PATTERN -- CLIENT-ARGS: exit status and stderr text
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$sb" client --credentials "$cred" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	got=$?
	if [ "$got" -eq "$want" ] &&
		{ [ -z "$pattern" ] || grep -q -- "$pattern" "$tmp/$name.err"; }; then
		pass
	else
		fail "$name: suitebench client $*: exit $got (want $want), stderr:"
		cat "$tmp/$name.err"
	fi
}

# A server that does not echo: --echo waits for the record, in real time,
# until --timeout.
# shellcheck disable=SC2086
if start_server noecho 127.0.0.1 $psk; then
	expect noecho 1 "no echo from 127.0.0.1:$port within 2 s" -- \
		--connect "127.0.0.1:$port" --echo --timeout 2
	stop_server
else
	fail "noecho: could not start openssl s_server"
fi
# Nothing listens any more: the ICMP port-unreachable ends it at once.
expect refused 1 "Connection refused" -- --connect "127.0.0.1:$port" --timeout 5
expect noconnect 2 "--connect HOST:PORT is required" --
expect badaddress 2 "expected HOST:PORT or \[IPV6\]:PORT" -- --connect ::1
expect badport 2 "the port: 'x' is not a number" -- --connect 127.0.0.1:x
expect bigpayload 2 "do not fit one 256-byte datagram" -- \
	--connect 127.0.0.1:1 --mtu 256 --payload 300

# IPv6, when the loopback has ::1.
# shellcheck disable=SC2086
if start_server v6 '[::1]' $psk; then
	expect v6 0 "" -- --connect "[::1]:$port"
	stop_server
else
	echo "note: no IPv6 loopback here: [::1] not tested"
fi

finish
