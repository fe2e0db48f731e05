/*
 * mbedtls-iot.h - Mbed TLS 2.28 as a constrained device ships it: the
 * configuration of the `mbedtls-iot` backend (scripts/build-mbedtls-iot.sh
 * builds the library from Debian's source package with it).
 *
 * The profile is RFC 7925's (TLS/DTLS profiles for the Internet of
 * Things): DTLS 1.2 (and TLS 1.2 over the same code), the PSK and
 * ECDHE-ECDSA suites with AES-128-CCM and CCM_8 on P-256, HelloVerify
 * cookies, anti-replay and Connection ID (RFC 9146).  RAM settings follow
 * the library's own configs/config-suite-b.h and config-ccm-psk-dtls1_2.h:
 * record buffers sized to the datagram instead of 16 KiB, AES tables in
 * ROM, P-256-sized numbers, the small ECP window.  What the benchmark's
 * backend needs beyond a device is kept and said so: loading PEM files
 * (FS_IO, PEM_PARSE_C, BASE64_C), error text and the version string.
 */
#ifndef MBEDTLS_CONFIG_H
#define MBEDTLS_CONFIG_H

/* System support: the hello random carries the time (the backend reads
 * its virtual clock); certificates' validity dates are not checked, as on
 * a device without a calendar clock (no MBEDTLS_HAVE_TIME_DATE). */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME

/* Mbed TLS modules: the suites' primitives */
#define MBEDTLS_AES_C
#define MBEDTLS_CCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_CTR_DRBG_C /* the backend's generator, seeded by the OS */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C

/* TLS: both sides (one process runs client and server) */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_SRV_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#define MBEDTLS_SSL_COOKIE_C
#define MBEDTLS_SSL_DTLS_CONNECTION_ID
/* No padding of the inner plaintext to 16 bytes (the library's default,
 * against traffic analysis): a device saves the bytes. */
#define MBEDTLS_SSL_CID_PADDING_GRANULARITY 1
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED

/* Only the profile's suites in the table */
#define MBEDTLS_SSL_CIPHERSUITES                                               \
	MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8, MBEDTLS_TLS_PSK_WITH_AES_128_CCM,  \
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,                        \
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM

/*
 * Record buffers sized to the datagram: the run's MTU is 1232 bytes (the
 * IPv6 minimum less IPv6 and UDP headers), and 1024 bytes of plaintext is
 * the largest power of two one such datagram carries with a record's
 * overhead.  The backend reports the limit (max_payload), so a run's
 * largest payload is at most this; the handshake's largest message, the
 * leaf certificate, is about 500 bytes.
 */
#define MBEDTLS_SSL_MAX_CONTENT_LEN 1024
#define MBEDTLS_SSL_IN_CONTENT_LEN 1024
#define MBEDTLS_SSL_OUT_CONTENT_LEN 1024

/* Save RAM at the expense of ROM, and of speed (config-suite-b.h) */
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_MPI_MAX_SIZE 32 /* P-256 only */
#define MBEDTLS_ECP_MAX_BITS 256
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_PSK_MAX_LEN 32

/* What the benchmark needs and a device would not: credentials read from
 * PEM files, the library's error text and its version string. */
#define MBEDTLS_FS_IO
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_ERROR_C
#define MBEDTLS_VERSION_C

#include "mbedtls/check_config.h"

#endif /* MBEDTLS_CONFIG_H */
