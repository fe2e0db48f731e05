#!/bin/sh
# xcheck_test.sh SUITEBENCH WORK - `run --target cortex-m4 --cross-check`:
# the bytes on the wire of the target programs on the emulated Cortex-M4
# equal, send for send, those of the same programs built for x86-64 and
# run natively (same tailored library and configuration, same seed), for
# Mbed TLS PSK and ECDHE-ECDSA CCM_8 in DTLS 1.2 and BearSSL ECDHE-ECDSA
# CCM_8 in TLS 1.2.  A difference fails the scenario (exit 1) with the
# first differing send.  Exits 77 (skip) as target_test.sh does.
set -u
sb=$1 work=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xcheck() { # name backend protocol suites
	"$sb" run --target cortex-m4 --backend "$2" --protocol "$3" --suite "$4" \
		--payload 16,max --reps 2 --cross-check --work "$work" \
		-o "$tmp/$1.csv" >"$tmp/$1.out" 2>"$tmp/$1.err"
}
xcheck mbed mbedtls dtls1.2 psk-ccm8,ecdhe-ecdsa-ccm8
rc=$?
if grep -q "this build has no Cortex-M4 target" "$tmp/mbed.err"; then
	cat "$tmp/mbed.err"
	exit 77
fi
if grep -q "cannot fetch Debian's source package" "$tmp/mbed.err" \
	"$work"/out/target-*/*/*/build.log 2>/dev/null; then
	echo "skip: a Debian source package cannot be fetched"
	exit 77
fi
cat "$tmp/mbed.out"
[ $rc -eq 0 ] || { echo "Mbed TLS cross-check failed ($rc):"; cat "$tmp/mbed.err"; exit 1; }
xcheck bear bearssl tls1.2 ecdhe-ecdsa-ccm8
rc=$?
cat "$tmp/bear.out"
[ $rc -eq 0 ] || { echo "BearSSL cross-check failed ($rc):"; cat "$tmp/bear.err"; exit 1; }
for s in "mbedtls dtls1.2 psk-ccm8" "mbedtls dtls1.2 ecdhe-ecdsa-ccm8" \
	"bearssl tls1.2 ecdhe-ecdsa-ccm8"; do
	grep -q "^cross-check $s (seed 1): cortex-m4 = x86-64, " "$tmp"/*.out ||
		{ echo "no equal cross-check line for $s"; exit 1; }
done
# One wire_equal_x86_64 row per scenario, with the bytes compared.
n=$(cat "$tmp/mbed.csv" "$tmp/bear.csv" | grep -c "\"wire_equal_x86_64\",\"bytes\",\"ok\"")
[ "$n" -eq 3 ] || { echo "expected 3 wire_equal_x86_64 rows, found $n"; exit 1; }
echo "xcheck: cortex-m4 = x86-64 in all three scenarios"
