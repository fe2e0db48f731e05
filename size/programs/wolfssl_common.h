/*
 * wolfssl_common.h - what the wolfSSL client and server share: the seed
 * and tick the library asks the program for, the I/O callbacks and the
 * configuration both sides set.
 *
 * The library is the tailored build (size/wolfssl-configs/user_settings.h,
 * one suite and side): TLS 1.2 or DTLS 1.2, the suite's cipher, P-256
 * only.  Its DRBG
 * (Hash_DRBG over SHA-256) is seeded from the platform's entropy, the way
 * firmware hands wolfSSL its TRNG (CUSTOM_RAND_GENERATE_SEED).
 */
#ifndef SB_WOLFSSL_COMMON_H
#define SB_WOLFSSL_COMMON_H

#include <wolfssl/wolfcrypt/settings.h>

#include <string.h>
#include <wolfssl/ssl.h>

#include "sizeprog.h"
#include "wolfssl_psk.h"

int sb_wolf_seed(unsigned char *out, unsigned int len)
{
	sb_plat_entropy(out, len);
	return 0;
}

/* USER_TICKS: the library's seconds tick (DTLS timeouts; no sessions are
 * cached). */
word32 LowResTimer(void)
{
	return (word32)(sb_plat_ms() / 1000u);
}

/* TLS 1.2 over a stream, or DTLS 1.2 (-DSB_DTLS): datagrams, one per
 * send and receive, the server's cookie exchange built in. */
#if defined(SB_DTLS)
#define WOLF_CLIENT_METHOD wolfDTLSv1_2_client_method
#define WOLF_SERVER_METHOD wolfDTLSv1_2_server_method
#else
#define WOLF_CLIENT_METHOD wolfTLSv1_2_client_method
#define WOLF_SERVER_METHOD wolfTLSv1_2_server_method
#endif

static int wolf_send(WOLFSSL *ssl, char *buf, int len, void *ctx)
{
	(void)ssl;
	(void)ctx;
	int n = sb_plat_send((const unsigned char *)buf, (size_t)len);
	return n < 0 ? WOLFSSL_CBIO_ERR_GENERAL : n;
}

static int wolf_recv(WOLFSSL *ssl, char *buf, int len, void *ctx)
{
	(void)ssl;
	(void)ctx;
	int n = sb_plat_recv((unsigned char *)buf, (size_t)len);
	return n < 0    ? WOLFSSL_CBIO_ERR_GENERAL
	       : n == 0 ? WOLFSSL_CBIO_ERR_CONN_CLOSE
	                : n;
}

static void wolf_check(const char *what, int ret)
{
	if (ret != WOLFSSL_SUCCESS)
		sb_plat_fail(what, ret);
}

/* The protocol's method, the one suite, the callbacks. */
static WOLFSSL_CTX *wolf_configure(WOLFSSL_METHOD *method)
{
	wolf_check("wolfSSL_Init", wolfSSL_Init());
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(method);
	if (!ctx)
		sb_plat_fail("wolfSSL_CTX_new", 0);
	wolf_check("wolfSSL_CTX_set_cipher_list",
	           wolfSSL_CTX_set_cipher_list(ctx, SB_WOLFSSL_NAME));
	wolfSSL_CTX_SetIOSend(ctx, wolf_send);
	wolfSSL_CTX_SetIORecv(ctx, wolf_recv);
	return ctx;
}

/* The handshake through `step` (wolfSSL_connect or wolfSSL_accept), then
 * the check that the one suite was negotiated. */
static void wolf_handshake(WOLFSSL *ssl, int (*step)(WOLFSSL *))
{
	int ret;
	while ((ret = step(ssl)) != WOLFSSL_SUCCESS) {
		int err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ &&
		    err != WOLFSSL_ERROR_WANT_WRITE)
			sb_plat_fail("handshake", err);
	}
	int suite = wolfSSL_get_current_cipher_suite(ssl);
	if (suite != SB_SUITE_CODE)
		sb_plat_fail("negotiated suite", suite);
}

#endif
