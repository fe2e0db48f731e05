#!/bin/sh
# setup-debian.sh - install the Debian 12 packages suitebench needs, if missing.
# Runs apt-get only when something is missing; needs root (or sudo) then.
set -eu
packages="build-essential cmake pkg-config git ca-certificates libssl-dev openssl
libmbedtls-dev libbearssl-dev libgnutls28-dev libcsv-dev libcriterion-dev valgrind
python3-matplotlib python3-yaml tshark gcc-arm-none-eabi libnewlib-arm-none-eabi dpkg-dev
autoconf automake libtool chromium libunicorn-dev
clang-14 libfuzzer-14-dev libclang-rt-14-dev"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "suitebench: installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
