/*
 * mbedtls_client.c - a minimal Mbed TLS 2.28 TLS 1.2 or DTLS 1.2 client
 * for one suite: PSK, ECDHE-PSK, ECDHE-ECDSA or ECDHE-RSA (then the CA chain
 * and the server's name are checked).  Linked against Debian's archives it gets
 * the whole library; against a tailored build (size/mbedtls-configs/)
 * only the modules that suite needs.
 */
#include "mbedtls_common.h"

#if defined(SB_KX_CERT)
#include <mbedtls/x509_crt.h>

static mbedtls_x509_crt ca;

static void mbed_configure_auth(mbedtls_ssl_config *conf)
{
	mbedtls_x509_crt_init(&ca);
	mbed_check(
	    "mbedtls_x509_crt_parse_der",
	    mbedtls_x509_crt_parse_der(&ca, sb_ca_der, sizeof(sb_ca_der)));
	mbedtls_ssl_conf_ca_chain(conf, &ca, NULL);
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
}
#else
static void mbed_configure_auth(mbedtls_ssl_config *conf)
{
	(void)conf; /* the PSK authenticates the server */
}
#endif

static mbedtls_ssl_context ssl;
static mbedtls_ssl_config conf;
static mbed_drbg drbg;

int main(void)
{
	mbed_configure(&conf, &drbg, MBEDTLS_SSL_IS_CLIENT);
	mbed_configure_auth(&conf);
	mbedtls_ssl_init(&ssl);
	mbed_check("mbedtls_ssl_setup", mbedtls_ssl_setup(&ssl, &conf));
#if defined(SB_KX_CERT)
	mbed_check("mbedtls_ssl_set_hostname",
	           mbedtls_ssl_set_hostname(&ssl, SB_SERVER_NAME));
#endif
	mbedtls_ssl_set_bio(&ssl, NULL, mbed_send, mbed_recv, NULL);
	mbed_dtls_timer(&ssl);
	mbed_handshake(&ssl, NULL);
	int ret;
	while ((ret = mbedtls_ssl_write(&ssl, (const unsigned char *)SB_PROBE,
	                                SB_PROBE_LEN)) <= 0)
		if (ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			sb_plat_fail("mbedtls_ssl_write", ret);
	if ((size_t)ret != SB_PROBE_LEN)
		sb_plat_fail("mbedtls_ssl_write: short write", ret);
	return 0;
}
