/*
 * sizeprog.h - what every size program shares: the suite it is built
 * for, the peer's name, the one record it sends, and the credentials.
 *
 * The build (size/build.sh) defines, with -D:
 *   SB_SUITE_CODE      the suite's IANA code point, e.g. 0xC0AE
 *   SB_KX_PSK, SB_KX_ECDHE_PSK, SB_KX_ECDHE_ECDSA or SB_KX_ECDHE_RSA
 *                      its key exchange
 *   SB_AEAD_GCM, SB_AEAD_CCM, SB_AEAD_CCM8 or SB_AEAD_CHACHAPOLY  its AEAD
 *   SB_OPENSSL_NAME    OpenSSL only: the suite's OpenSSL name
 *   SB_WOLFSSL_NAME    wolfSSL only: the suite's wolfSSL name
 *   SB_FULL_PROFILE    BearSSL client only: br_ssl_client_init_full()
 * and puts the generated creds.h (size/gen-creds.sh) on the include path.
 *
 * Each program does one TLS 1.2 handshake offering or accepting only that
 * suite, checks that it was negotiated, and carries one application
 * record from the client to the server; it exits 0 only then.
 */
#ifndef SB_SIZEPROG_H
#define SB_SIZEPROG_H

#include "creds.h"
#include "platform.h"

#if !defined(SB_SUITE_CODE)
#error "SB_SUITE_CODE: the suite's code point, from size/build.sh"
#endif
#if defined(SB_KX_PSK) + defined(SB_KX_ECDHE_PSK) +                            \
        defined(SB_KX_ECDHE_ECDSA) + defined(SB_KX_ECDHE_RSA) !=               \
    1
#error                                                                         \
    "exactly one of SB_KX_PSK, SB_KX_ECDHE_PSK, SB_KX_ECDHE_ECDSA, SB_KX_ECDHE_RSA"
#endif

/*
 * A certificate key exchange: the server presents its P-256 ECDSA leaf,
 * or for ECDHE-RSA its RSA-2048 leaf (signed by the same ECDSA CA, so the
 * client verifies ECDSA either way).
 */
#if defined(SB_KX_ECDHE_ECDSA) || defined(SB_KX_ECDHE_RSA)
#define SB_KX_CERT 1
#endif
#if defined(SB_KX_ECDHE_RSA)
#define SB_SERVER_CERT_DER sb_server_rsa_cert_der
#define SB_SERVER_KEY_DER sb_server_rsa_key_der
#else
#define SB_SERVER_CERT_DER sb_server_cert_der
#define SB_SERVER_KEY_DER sb_server_key_der
#endif
#if defined(SB_AEAD_GCM) + defined(SB_AEAD_CCM) + defined(SB_AEAD_CCM8) +      \
        defined(SB_AEAD_CHACHAPOLY) !=                                         \
    1
#error                                                                         \
    "exactly one of SB_AEAD_GCM, SB_AEAD_CCM, SB_AEAD_CCM8, SB_AEAD_CHACHAPOLY"
#endif

/* The name in the server's certificate (suites/make-credentials.sh). */
#define SB_SERVER_NAME "server.suitebench.test"

/* The one application record. */
#define SB_PROBE "suitebench size probe"
#define SB_PROBE_LEN (sizeof(SB_PROBE) - 1)

/*
 * The moment certificates are checked against, for a library that asks
 * the program (a device without a clock): 2025-01-01T00:00:00Z, in days
 * since 1 January of year 0 (proleptic Gregorian), as BearSSL counts.
 */
#define SB_NOW_DAYS 739617u

#endif
