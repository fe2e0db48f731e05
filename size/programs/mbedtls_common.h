/*
 * mbedtls_common.h - what the Mbed TLS client and server share: the
 * DRBG, the I/O callbacks and the configuration both sides set.
 *
 * The DRBG is HMAC_DRBG over SHA-256, seeded straight from the platform's
 * entropy (a device's TRNG): every suite already needs SHA-256, so a
 * ChaCha20 build carries no AES for a CTR_DRBG, and the entropy
 * accumulator (MBEDTLS_ENTROPY_C, which brings SHA-512) stays out.  The
 * mbedtls-iot configuration has CTR_DRBG instead (its backend's), and
 * then the programs use that, seeded the same way.
 *
 * DTLS 1.2 (-DSB_DTLS): datagram transport, the retransmission timer on
 * the platform's millisecond clock, and on the server HelloVerifyRequest
 * cookies (mbedtls_server.c).
 */
#ifndef SB_MBEDTLS_COMMON_H
#define SB_MBEDTLS_COMMON_H

#include <mbedtls/ssl.h>
#include <string.h>

#include "sizeprog.h"

#if defined(MBEDTLS_HMAC_DRBG_C)
#include <mbedtls/hmac_drbg.h>
typedef mbedtls_hmac_drbg_context mbed_drbg;
#define mbed_drbg_random mbedtls_hmac_drbg_random
#else
#include <mbedtls/ctr_drbg.h>
typedef mbedtls_ctr_drbg_context mbed_drbg;
#define mbed_drbg_random mbedtls_ctr_drbg_random
#endif

#if defined(SB_DTLS)
#define MBED_TRANSPORT MBEDTLS_SSL_TRANSPORT_DATAGRAM
#else
#define MBED_TRANSPORT MBEDTLS_SSL_TRANSPORT_STREAM
#endif

static int mbed_entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	sb_plat_entropy(buf, len);
	return 0;
}

static int mbed_send(void *ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	int n = sb_plat_send(buf, len);
	return n < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : n;
}

static int mbed_recv(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	int n = sb_plat_recv(buf, len);
	return n < 0    ? MBEDTLS_ERR_SSL_INTERNAL_ERROR
	       : n == 0 ? MBEDTLS_ERR_SSL_CONN_EOF
	                : n;
}

static void mbed_check(const char *what, int ret)
{
	if (ret != 0)
		sb_plat_fail(what, ret);
}

static void mbed_drbg_seed(mbed_drbg *drbg)
{
#if defined(MBEDTLS_HMAC_DRBG_C)
	mbedtls_hmac_drbg_init(drbg);
	mbed_check("mbedtls_hmac_drbg_seed",
	           mbedtls_hmac_drbg_seed(
	               drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	               mbed_entropy, NULL, NULL, 0));
#else
	mbedtls_ctr_drbg_init(drbg);
	mbed_check("mbedtls_ctr_drbg_seed",
	           mbedtls_ctr_drbg_seed(drbg, mbed_entropy, NULL, NULL, 0));
#endif
}

#if defined(SB_DTLS)
/* The retransmission timer (mbedtls_ssl_set_timer_cb's contract). */
static unsigned long mbed_timer_start, mbed_timer_int, mbed_timer_fin;

static void mbed_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
	(void)ctx;
	mbed_timer_start = sb_plat_ms();
	mbed_timer_int = int_ms;
	mbed_timer_fin = fin_ms;
}

static int mbed_timer_get(void *ctx)
{
	(void)ctx;
	if (mbed_timer_fin == 0)
		return -1;
	unsigned long elapsed = sb_plat_ms() - mbed_timer_start;
	return elapsed >= mbed_timer_fin   ? 2
	       : elapsed >= mbed_timer_int ? 1
	                                   : 0;
}

static void mbed_dtls_timer(mbedtls_ssl_context *ssl)
{
	mbedtls_ssl_set_timer_cb(ssl, NULL, mbed_timer_set, mbed_timer_get);
}
#else
static void mbed_dtls_timer(mbedtls_ssl_context *ssl)
{
	(void)ssl; /* TLS: no timers */
}
#endif

/* TLS 1.2 over a stream or DTLS 1.2, the one suite, P-256, the PSK where
 * the suite has one, and the DRBG. */
static void mbed_configure(mbedtls_ssl_config *conf, mbed_drbg *drbg,
                           int endpoint)
{
	static const int suites[] = {SB_SUITE_CODE, 0};
	mbed_drbg_seed(drbg);
	mbedtls_ssl_config_init(conf);
	mbed_check("mbedtls_ssl_config_defaults",
	           mbedtls_ssl_config_defaults(conf, endpoint, MBED_TRANSPORT,
	                                       MBEDTLS_SSL_PRESET_DEFAULT));
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(conf, suites);
	mbedtls_ssl_conf_rng(conf, mbed_drbg_random, drbg);
#if !defined(SB_KX_PSK)
	static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1,
	                                              MBEDTLS_ECP_DP_NONE};
	mbedtls_ssl_conf_curves(conf, curves);
#endif
#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
	mbed_check("mbedtls_ssl_conf_psk",
	           mbedtls_ssl_conf_psk(conf, sb_psk, sizeof(sb_psk),
	                                (const unsigned char *)SB_PSK_IDENTITY,
	                                strlen(SB_PSK_IDENTITY)));
#endif
}

/*
 * The handshake, then the negotiated suite checked.  A DTLS server's
 * `hello_verify` restarts it after a HelloVerifyRequest (NULL: none).
 */
static void mbed_handshake(mbedtls_ssl_context *ssl,
                           void (*hello_verify)(mbedtls_ssl_context *))
{
	int ret;
	while ((ret = mbedtls_ssl_handshake(ssl)) != 0) {
#if defined(MBEDTLS_SSL_DTLS_HELLO_VERIFY)
		if (ret == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED &&
		    hello_verify) {
			hello_verify(ssl);
			continue;
		}
#else
		(void)hello_verify;
#endif
		if (ret != MBEDTLS_ERR_SSL_WANT_READ &&
		    ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			sb_plat_fail("mbedtls_ssl_handshake", ret);
	}
	int suite =
	    mbedtls_ssl_get_ciphersuite_id(mbedtls_ssl_get_ciphersuite(ssl));
	if (suite != SB_SUITE_CODE)
		sb_plat_fail("negotiated suite", suite);
}

#endif
