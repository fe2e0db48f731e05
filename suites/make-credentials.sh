#!/bin/sh
# make-credentials.sh - regenerate suitebench's TEST-ONLY credentials.
#
# Everything written here is public and for benchmarking only: never use
# these keys to protect anything.  The committed files were made by this
# script; rerunning it changes every key and certificate (and so the exact
# handshake byte counts of certificate suites by a byte or two).
#
#   ca.pem / ca.key            test CA, P-256 ECDSA, self-signed
#   server.pem / server.key    leaf for DNS name server.suitebench.test, signed by the CA
#   server-rsa.pem / server-rsa.key  RSA-2048 leaf for the same name, signed by
#                              the same CA: the ECDHE-RSA web suites' server
#   client.pem / client.key    leaf for mutual authentication, signed by the CA
#   other-ca.pem / other-ca.key  an unrelated CA, for "wrong CA" tests
#   psk.txt                    PSK identity and key (hex), one "identity hexkey" line
#   server.pub / client.pub    the leaves' public keys alone (PEM SubjectPublicKeyInfo,
#                              `openssl pkey -pubout`): what a peer pins for raw
#                              public keys (RFC 7250, `run --auth rpk`)
#   other.pub                  the unrelated CA's public key: a wrong pin, for tests
#
# The validity window runs from 2000 to 9999 so that no run, and no pinned
# clock in deterministic mode, ever falls outside it.
#
#   make-credentials.sh [DIR]        write every file anew
#   make-credentials.sh DIR rsa      add only the RSA leaf, signed by the CA
#                                    already in DIR (every other file unchanged)
#   make-credentials.sh DIR rpk      add only the .pub files, from the keys
#                                    already in DIR (every other file unchanged)
set -eu
out=${1:-$(dirname "$0")/credentials}
only=${2:-}
mkdir -p "$out"
cd "$out"

work=$(mktemp -d)
trap 'rm -rf "$work" ./*.csr' EXIT
conf=$work/openssl.cnf
: >"$work/index.txt"
cat >"$conf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
organizationName = optional
commonName = supplied
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.suitebench.test
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
EOF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
# ECDHE-RSA signs the key exchange with the leaf's key: 2048 bits, the size a
# web server's certificate has today (NIST SP 800-57: 112-bit security).
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# "openssl ca" is the one OpenSSL 3.0 command that takes explicit start and
# end dates.  Certificates are written without the text dump (-notext).
sign() { # csr issuer-cert issuer-key extension serial out [-selfsign]
	echo "$5" >"$work/serial"
	openssl ca -batch -config "$conf" -in "$1" -cert "$2" -keyfile "$3" \
		-extensions "$4" -extfile "$conf" -notext \
		-startdate 20000101000000Z -enddate 99991231235959Z -out "$6" ${7:-} >"$work/ca.log" 2>&1 || { cat "$work/ca.log" >&2; exit 1; }
}

selfsigned_ca() { # name subject serial
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	sign "$1.csr" /dev/null "$1.key" ca_ext "$3" "$1.pem" -selfsign
}

leaf() { # name subject extension serial
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	sign "$1.csr" ca.pem ca.key "$3" "$4" "$1.pem"
}

rsa_leaf() { # name subject extension serial
	rsa_key "$1.key"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	sign "$1.csr" ca.pem ca.key "$3" "$4" "$1.pem"
}

# The public keys a raw-public-key peer pins.
pubs() {
	openssl pkey -in server.key -pubout -out server.pub
	openssl pkey -in client.key -pubout -out client.pub
	openssl pkey -in other-ca.key -pubout -out other.pub
}

if [ "$only" = rpk ]; then
	pubs
	echo "public keys for raw public keys written to $out"
	exit 0
fi

if [ "$only" = rsa ]; then
	rsa_leaf server-rsa "/O=suitebench TEST ONLY/CN=server.suitebench.test" server_ext 05
	echo "RSA test leaf written to $out"
	exit 0
fi

selfsigned_ca ca "/O=suitebench TEST ONLY/CN=suitebench test CA" 01
selfsigned_ca other-ca "/O=suitebench TEST ONLY/CN=unrelated test CA" 04
leaf server "/O=suitebench TEST ONLY/CN=server.suitebench.test" server_ext 02
leaf client "/O=suitebench TEST ONLY/CN=client.suitebench.test" client_ext 03
rsa_leaf server-rsa "/O=suitebench TEST ONLY/CN=server.suitebench.test" server_ext 05
pubs
printf 'suitebench-client %s\n' "$(openssl rand -hex 16)" >psk.txt
echo "test credentials written to $out"
