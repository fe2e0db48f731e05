/*
 * openssl_server.c - a minimal OpenSSL 3.0 TLS 1.2 server for one suite.
 */
#include <openssl/x509.h>

#include "openssl_common.h"

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
	SSL_CTX *ctx = ossl_configure(TLS_server_method());
	ossl_configure_auth(ctx);
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
