/*
 * openssl_client.c - a minimal OpenSSL 3.0 TLS 1.2 or DTLS 1.2 client for
 * one suite.
 */
#include <openssl/x509.h>

#include "openssl_common.h"

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
static unsigned int ossl_psk(SSL *ssl, const char *hint, char *identity,
                             unsigned int max_identity, unsigned char *psk,
                             unsigned int max_psk)
{
	(void)ssl;
	(void)hint;
	if (sizeof(SB_PSK_IDENTITY) > max_identity || sizeof(sb_psk) > max_psk)
		return 0;
	memcpy(identity, SB_PSK_IDENTITY, sizeof(SB_PSK_IDENTITY));
	memcpy(psk, sb_psk, sizeof(sb_psk));
	return sizeof(sb_psk);
}

static void ossl_configure_auth(SSL_CTX *ctx)
{
	SSL_CTX_set_psk_client_callback(ctx, ossl_psk);
}

static void ossl_configure_name(SSL *ssl)
{
	(void)ssl; /* the PSK authenticates the server */
}
#else
static void ossl_configure_auth(SSL_CTX *ctx)
{
	const unsigned char *p = sb_ca_der;
	X509 *ca = d2i_X509(NULL, &p, sizeof(sb_ca_der));
	ossl_check("d2i_X509", ca != NULL);
	ossl_check("X509_STORE_add_cert",
	           X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca));
	X509_free(ca);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
}

static void ossl_configure_name(SSL *ssl)
{
	ossl_check("SSL_set1_host", SSL_set1_host(ssl, SB_SERVER_NAME));
}
#endif

int main(void)
{
	SSL_CTX *ctx = ossl_configure(OSSL_CLIENT_METHOD());
	ossl_configure_auth(ctx); /* before SSL_new(), which copies it */
	SSL *ssl = ossl_connection(ctx);
	ossl_configure_name(ssl);
	ossl_check("SSL_connect", SSL_connect(ssl) == 1);
	ossl_check_suite(ssl);
	ossl_check("SSL_write", SSL_write(ssl, SB_PROBE, (int)SB_PROBE_LEN) ==
	                            (int)SB_PROBE_LEN);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return 0;
}
