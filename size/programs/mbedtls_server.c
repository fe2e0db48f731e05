/*
 * mbedtls_server.c - a minimal Mbed TLS 2.28 TLS 1.2 or DTLS 1.2 server
 * for one suite: PSK, ECDHE-PSK, or ECDHE-ECDSA or ECDHE-RSA with one
 * certificate and key.  DTLS: with HelloVerifyRequest cookies, as
 * `suitebench run` by default.
 */
#include "mbedtls_common.h"

#if defined(SB_DTLS)
#include <mbedtls/ssl_cookie.h>

static mbedtls_ssl_cookie_ctx cookie;

/* The pipe has one client: its transport "address" is a constant. */
static void mbed_transport_id(mbedtls_ssl_context *ssl)
{
	static const unsigned char id[] = "sb-size-client";
	mbed_check(
	    "mbedtls_ssl_set_client_transport_id",
	    mbedtls_ssl_set_client_transport_id(ssl, id, sizeof(id) - 1));
}

static void mbed_configure_cookies(mbedtls_ssl_config *conf, mbed_drbg *drbg)
{
	mbedtls_ssl_cookie_init(&cookie);
	mbed_check("mbedtls_ssl_cookie_setup",
	           mbedtls_ssl_cookie_setup(&cookie, mbed_drbg_random, drbg));
	mbedtls_ssl_conf_dtls_cookies(conf, mbedtls_ssl_cookie_write,
	                              mbedtls_ssl_cookie_check, &cookie);
}

/* After the HelloVerifyRequest: no state kept until the ClientHello that
 * returns the cookie (RFC 6347 4.2.1). */
static void mbed_hello_verify(mbedtls_ssl_context *ssl)
{
	mbed_check("mbedtls_ssl_session_reset", mbedtls_ssl_session_reset(ssl));
	mbed_transport_id(ssl);
}
#else
static void mbed_transport_id(mbedtls_ssl_context *ssl)
{
	(void)ssl;
}

static void mbed_configure_cookies(mbedtls_ssl_config *conf, mbed_drbg *drbg)
{
	(void)conf;
	(void)drbg;
}

#define mbed_hello_verify NULL
#endif

#if defined(SB_KX_CERT)
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

static mbedtls_x509_crt cert;
static mbedtls_pk_context key;

static void mbed_configure_auth(mbedtls_ssl_config *conf)
{
	mbedtls_x509_crt_init(&cert);
	mbedtls_pk_init(&key);
	mbed_check("mbedtls_x509_crt_parse_der",
	           mbedtls_x509_crt_parse_der(&cert, SB_SERVER_CERT_DER,
	                                      sizeof(SB_SERVER_CERT_DER)));
	mbed_check("mbedtls_pk_parse_key",
	           mbedtls_pk_parse_key(&key, SB_SERVER_KEY_DER,
	                                sizeof(SB_SERVER_KEY_DER), NULL, 0));
	mbed_check("mbedtls_ssl_conf_own_cert",
	           mbedtls_ssl_conf_own_cert(conf, &cert, &key));
}
#else
static void mbed_configure_auth(mbedtls_ssl_config *conf)
{
	(void)conf; /* the PSK authenticates the client */
}
#endif

static mbedtls_ssl_context ssl;
static mbedtls_ssl_config conf;
static mbed_drbg drbg;

int main(void)
{
	unsigned char got[SB_PROBE_LEN];
	size_t have = 0;
	mbed_configure(&conf, &drbg, MBEDTLS_SSL_IS_SERVER);
	mbed_configure_auth(&conf);
	mbed_configure_cookies(&conf, &drbg);
	mbedtls_ssl_init(&ssl);
	mbed_check("mbedtls_ssl_setup", mbedtls_ssl_setup(&ssl, &conf));
	mbedtls_ssl_set_bio(&ssl, NULL, mbed_send, mbed_recv, NULL);
	mbed_dtls_timer(&ssl);
	mbed_transport_id(&ssl);
	mbed_handshake(&ssl, mbed_hello_verify);
	while (have < sizeof(got)) {
		int ret =
		    mbedtls_ssl_read(&ssl, got + have, sizeof(got) - have);
		if (ret == MBEDTLS_ERR_SSL_WANT_READ)
			continue;
		if (ret <= 0)
			sb_plat_fail("mbedtls_ssl_read", ret);
		have += (size_t)ret;
	}
	if (memcmp(got, SB_PROBE, SB_PROBE_LEN) != 0)
		sb_plat_fail("record content", 0);
	return 0;
}
