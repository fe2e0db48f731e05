/*
 * openssl_server.c - a minimal OpenSSL 3.0 TLS 1.2 or DTLS 1.2 server for
 * one suite.  DTLS: with HelloVerifyRequest cookies, as `suitebench run`
 * by default (SSL_OP_COOKIE_EXCHANGE: SSL_accept() answers the first
 * ClientHello with a HelloVerifyRequest).
 */
#include <openssl/x509.h>

#include "openssl_common.h"

#if defined(SB_DTLS)
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define OSSL_COOKIE_LEN 32 /* HMAC-SHA256 */

static unsigned char cookie_secret[32];

/* A stateless cookie: a MAC over the client's address (the pipe has one
 * client, so a constant) under the server's secret. */
static int ossl_cookie_make(unsigned char out[OSSL_COOKIE_LEN])
{
	static const unsigned char address[] = "sb-size-client";
	unsigned int len = 0;
	return HMAC(EVP_sha256(), cookie_secret, sizeof(cookie_secret), address,
	            sizeof(address), out, &len) != NULL &&
	       len == OSSL_COOKIE_LEN;
}

static int ossl_cookie_generate(SSL *ssl, unsigned char *cookie,
                                unsigned int *len)
{
	(void)ssl;
	*len = OSSL_COOKIE_LEN;
	return ossl_cookie_make(cookie);
}

static int ossl_cookie_verify(SSL *ssl, const unsigned char *cookie,
                              unsigned int len)
{
	unsigned char expected[OSSL_COOKIE_LEN];
	(void)ssl;
	return len == OSSL_COOKIE_LEN && ossl_cookie_make(expected) &&
	       CRYPTO_memcmp(cookie, expected, len) == 0;
}

static void ossl_configure_cookies(SSL_CTX *ctx)
{
	ossl_check("RAND_bytes",
	           RAND_bytes(cookie_secret, sizeof(cookie_secret)) == 1);
	SSL_CTX_set_cookie_generate_cb(ctx, ossl_cookie_generate);
	SSL_CTX_set_cookie_verify_cb(ctx, ossl_cookie_verify);
	SSL_CTX_set_options(ctx, SSL_OP_COOKIE_EXCHANGE);
}
#else
static void ossl_configure_cookies(SSL_CTX *ctx)
{
	(void)ctx; /* TLS: no cookies */
}
#endif

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
static unsigned int ossl_psk(SSL *ssl, const char *identity, unsigned char *psk,
                             unsigned int max_psk)
{
	(void)ssl;
	if (strcmp(identity, SB_PSK_IDENTITY) != 0 || sizeof(sb_psk) > max_psk)
		return 0;
	memcpy(psk, sb_psk, sizeof(sb_psk));
	return sizeof(sb_psk);
}

static void ossl_configure_auth(SSL_CTX *ctx)
{
	SSL_CTX_set_psk_server_callback(ctx, ossl_psk);
}
#else
static void ossl_configure_auth(SSL_CTX *ctx)
{
	const unsigned char *p = SB_SERVER_CERT_DER;
	X509 *cert = d2i_X509(NULL, &p, sizeof(SB_SERVER_CERT_DER));
	ossl_check("d2i_X509", cert != NULL);
	p = SB_SERVER_KEY_DER;
	EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, sizeof(SB_SERVER_KEY_DER));
	ossl_check("d2i_AutoPrivateKey", key != NULL);
	ossl_check("SSL_CTX_use_certificate",
	           SSL_CTX_use_certificate(ctx, cert));
	ossl_check("SSL_CTX_use_PrivateKey", SSL_CTX_use_PrivateKey(ctx, key));
	X509_free(cert);
	EVP_PKEY_free(key);
}
#endif

int main(void)
{
	char got[SB_PROBE_LEN];
	int have = 0;
	SSL_CTX *ctx = ossl_configure(OSSL_SERVER_METHOD());
	ossl_configure_auth(ctx);
	ossl_configure_cookies(ctx);
	SSL *ssl = ossl_connection(ctx);
	ossl_check("SSL_accept", SSL_accept(ssl) == 1);
	ossl_check_suite(ssl);
	while (have < (int)sizeof(got)) {
		int n = SSL_read(ssl, got + have, (int)sizeof(got) - have);
		ossl_check("SSL_read", n > 0);
		have += n;
	}
	if (memcmp(got, SB_PROBE, SB_PROBE_LEN) != 0)
		sb_plat_fail("record content", 0);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return 0;
}
