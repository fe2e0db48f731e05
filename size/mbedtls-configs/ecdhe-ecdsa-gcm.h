/*
 * ecdhe-ecdsa-gcm.h - Mbed TLS 2.28 built for one suite,
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: TLS 1.2 (and DTLS 1.2,
 * target-dtls.h), one side per build.
 *
 * Shaped like the library's configs/config-ccm-psk-dtls1_2.h, as device
 * firmware configures it: only the modules this suite needs, the
 * ciphersuite table cut down to this one suite (MBEDTLS_SSL_CIPHERSUITES),
 * and the client or the server, never both: size/build.sh compiles the
 * library once per side, with -DSB_SIZE_SERVER for the server.  The DRBG
 * is HMAC_DRBG over SHA-256, seeded by the device's own entropy source
 * (no MBEDTLS_ENTROPY_C); no clock (certificates' validity is not
 * checked, as on a device without one).  See size/README.md.
 */
#ifndef MBEDTLS_CONFIG_H
#define MBEDTLS_CONFIG_H

/* System support */
//#define MBEDTLS_HAVE_TIME /* Optionally used in Hello messages */
/* Other MBEDTLS_HAVE_XXX flags irrelevant for this configuration */

/* Mbed TLS modules */
#define MBEDTLS_AES_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_C
#define MBEDTLS_GCM_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_MD_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_USE_C
#if defined(SB_SIZE_SERVER)
#define MBEDTLS_SSL_SRV_C
#else
#define MBEDTLS_SSL_CLI_C
#endif

/* TLS protocol feature support */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_PROTO_TLS1_2

/* Elliptic curves: P-256 only */
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED

/*
 * Use only this suite: the ciphersuite table holds one entry, so no other
 * suite's code is referenced.
 */
#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

/*
 * Save RAM by adjusting to our exact needs: the largest record either
 * side sends in these programs is the server's certificate (about 500
 * bytes).
 */
#define MBEDTLS_SSL_MAX_CONTENT_LEN 1024

/* Save RAM at the expense of ROM */
#define MBEDTLS_AES_ROM_TABLES

/* DTLS 1.2 (target-dtls.h): for the DTLS size programs (SB_DTLS) and
 * the target programs of `suitebench run --target` (SB_TARGET). */
#if defined(SB_DTLS) || defined(SB_TARGET)
#include "target-dtls.h"
#endif

#include "mbedtls/check_config.h"

#endif /* MBEDTLS_CONFIG_H */
