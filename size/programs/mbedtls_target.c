/*
 * mbedtls_target.c - Mbed TLS 2.28 as a target program (target.h): one
 * endpoint, client or server (-DSB_SIZE_SERVER, as its tailored library),
 * DTLS 1.2 or TLS 1.2, for the one suite its configuration holds
 * (size/mbedtls-configs/SUITE.h with SB_TARGET: target-dtls.h adds DTLS).
 *
 * It configures the endpoint as backends/mbedtls.c does for `suitebench
 * run` -- one suite, P-256 only, cookies on or off, the MTU, a timer on
 * the virtual clock, the same transport id -- except the DRBG: HMAC_DRBG
 * seeded from the port's random call, as the size programs do.
 */
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <string.h>

#if defined(MBEDTLS_SSL_COOKIE_C)
#include <mbedtls/ssl_cookie.h>
#endif
#if defined(SB_KX_ECDHE_ECDSA)
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#endif

#include "target.h"

static mbedtls_ssl_context ssl;
static mbedtls_ssl_config conf;
static mbedtls_hmac_drbg_context drbg;
#if defined(MBEDTLS_SSL_COOKIE_C)
static mbedtls_ssl_cookie_ctx cookie;
#endif
#if defined(SB_KX_ECDHE_ECDSA)
static mbedtls_x509_crt crt; /* client: the CA; server: its certificate */
#if defined(SB_SIZE_SERVER)
static mbedtls_pk_context key;
#endif
#endif
static int done;
static uint64_t timer_int_us, timer_fin_us;
static int timer_armed;

static int mbed_entropy(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	sb_port_random(buf, len);
	return 0;
}

static int mbed_send(void *ctx, const unsigned char *buf, size_t len)
{
	(void)ctx;
	return sb_port_send(buf, len) == SB_PORT_OK
	           ? (int)len
	           : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int mbed_recv(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	int n = sb_port_recv(buf, len);
	return n == SB_PORT_WANT_IO ? MBEDTLS_ERR_SSL_WANT_READ
	       : n < 0              ? MBEDTLS_ERR_SSL_INTERNAL_ERROR
	                            : n;
}

static void mbed_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
	(void)ctx;
	timer_armed = fin_ms != 0;
	uint64_t now = timer_armed ? sb_port_now_us() : 0;
	timer_int_us = now + (uint64_t)int_ms * 1000u;
	timer_fin_us = timer_armed ? now + (uint64_t)fin_ms * 1000u : 0;
	sb_port_mailbox.timer_lo = (uint32_t)timer_fin_us;
	sb_port_mailbox.timer_hi = (uint32_t)(timer_fin_us >> 32);
}

static int mbed_timer_get(void *ctx)
{
	(void)ctx;
	if (!timer_armed)
		return -1;
	uint64_t now = sb_port_now_us();
	return now >= timer_fin_us ? 2 : now >= timer_int_us ? 1 : 0;
}

#define CHECK(what, call)                                                      \
	do {                                                                   \
		int ret_ = (call);                                             \
		if (ret_ != 0)                                                 \
			return sb_target_fail(what, ret_);                     \
	} while (0)

#if defined(SB_SIZE_SERVER)
static int mbed_configure_side(int dtls)
{
#if defined(SB_KX_ECDHE_ECDSA)
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	CHECK("mbedtls_x509_crt_parse_der",
	      mbedtls_x509_crt_parse_der(&crt, sb_server_cert_der,
	                                 sizeof(sb_server_cert_der)));
	CHECK("mbedtls_pk_parse_key",
	      mbedtls_pk_parse_key(&key, sb_server_key_der,
	                           sizeof(sb_server_key_der), NULL, 0));
	CHECK("mbedtls_ssl_conf_own_cert",
	      mbedtls_ssl_conf_own_cert(&conf, &crt, &key));
#endif
#if defined(MBEDTLS_SSL_COOKIE_C)
	if (dtls && sb_port_mailbox.cookie) {
		mbedtls_ssl_cookie_init(&cookie);
		CHECK("mbedtls_ssl_cookie_setup",
		      mbedtls_ssl_cookie_setup(
		          &cookie, mbedtls_hmac_drbg_random, &drbg));
		mbedtls_ssl_conf_dtls_cookies(&conf, mbedtls_ssl_cookie_write,
		                              mbedtls_ssl_cookie_check,
		                              &cookie);
	} else if (dtls) {
		mbedtls_ssl_conf_dtls_cookies(&conf, NULL, NULL, NULL);
	}
#else
	(void)dtls;
#endif
	return 0;
}
#else
static int mbed_configure_side(int dtls)
{
	(void)dtls;
#if defined(SB_KX_ECDHE_ECDSA)
	mbedtls_x509_crt_init(&crt);
	CHECK("mbedtls_x509_crt_parse_der",
	      mbedtls_x509_crt_parse_der(&crt, sb_ca_der, sizeof(sb_ca_der)));
	mbedtls_ssl_conf_ca_chain(&conf, &crt, NULL);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
#endif
	return 0;
}
#endif

static int mbed_transport_id(void)
{
#if defined(SB_SIZE_SERVER) && defined(MBEDTLS_SSL_DTLS_HELLO_VERIFY)
	/* The in-memory link has one client: its "address" is a constant. */
	static const unsigned char transport_id[] = "sb-link-client";
	if (sb_port_mailbox.dtls && sb_port_mailbox.cookie)
		CHECK("mbedtls_ssl_set_client_transport_id",
		      mbedtls_ssl_set_client_transport_id(
		          &ssl, transport_id, sizeof(transport_id) - 1));
#endif
	return 0;
}

/*
 * static_ram by the README's one rule, as backends/mbedtls.c counts it:
 * the configuration, the context, the suite list, the cookie context on
 * a DTLS server with cookies, the certificate (own or trust anchor) and
 * key objects -- and, here, the HMAC_DRBG context the configuration is
 * given (the backend has no such object: its generator is the tool's).
 * Parsed certificates, keys and the PSK are on the heap.
 */
static void mbed_static_ram(size_t suites_len, int dtls)
{
	size_t bytes = sizeof(conf) + sizeof(ssl) + sizeof(drbg) + suites_len;
#if defined(MBEDTLS_SSL_COOKIE_C) && defined(SB_SIZE_SERVER)
	if (dtls && sb_port_mailbox.cookie)
		bytes += sizeof(cookie);
#endif
#if defined(SB_KX_ECDHE_ECDSA)
	bytes += sizeof(crt);
#if defined(SB_SIZE_SERVER)
	bytes += sizeof(key);
#endif
#endif
	(void)dtls;
	sb_port_mailbox.static_ram = (uint32_t)bytes;
	sb_port_mailbox.static_flash = (uint32_t)suites_len; /* const */
}

int sb_target_setup(void)
{
	static const int suites[] = {SB_SUITE_CODE, 0};
	int dtls = sb_port_mailbox.dtls != 0;
#if !defined(MBEDTLS_SSL_PROTO_DTLS)
	if (dtls)
		return sb_target_fail("DTLS not in this build",
		                      MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
#endif
	mbed_static_ram(sizeof(suites), dtls);
	mbedtls_hmac_drbg_init(&drbg);
	CHECK("mbedtls_hmac_drbg_seed",
	      mbedtls_hmac_drbg_seed(
	          &drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	          mbed_entropy, NULL, NULL, 0));
	mbedtls_ssl_config_init(&conf);
#if defined(SB_SIZE_SERVER)
	int endpoint = MBEDTLS_SSL_IS_SERVER;
#else
	int endpoint = MBEDTLS_SSL_IS_CLIENT;
#endif
	CHECK("mbedtls_ssl_config_defaults",
	      mbedtls_ssl_config_defaults(&conf, endpoint,
	                                  dtls ? MBEDTLS_SSL_TRANSPORT_DATAGRAM
	                                       : MBEDTLS_SSL_TRANSPORT_STREAM,
	                                  MBEDTLS_SSL_PRESET_DEFAULT));
	mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&conf, suites);
	mbedtls_ssl_conf_rng(&conf, mbedtls_hmac_drbg_random, &drbg);
#if defined(SB_KX_ECDHE_PSK) || defined(SB_KX_ECDHE_ECDSA)
	static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1,
	                                              MBEDTLS_ECP_DP_NONE};
	mbedtls_ssl_conf_curves(&conf, curves);
#endif
#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
	CHECK("mbedtls_ssl_conf_psk",
	      mbedtls_ssl_conf_psk(&conf, sb_psk, sizeof(sb_psk),
	                           (const unsigned char *)SB_PSK_IDENTITY,
	                           strlen(SB_PSK_IDENTITY)));
#endif
	int rc = mbed_configure_side(dtls);
	if (rc)
		return rc;
	mbedtls_ssl_init(&ssl);
	CHECK("mbedtls_ssl_setup", mbedtls_ssl_setup(&ssl, &conf));
	mbedtls_ssl_set_bio(&ssl, NULL, mbed_send, mbed_recv, NULL);
#if defined(MBEDTLS_SSL_PROTO_DTLS)
	if (dtls) {
		mbedtls_ssl_set_timer_cb(&ssl, NULL, mbed_timer_set,
		                         mbed_timer_get);
		mbedtls_ssl_set_mtu(&ssl, (uint16_t)sb_port_mailbox.mtu);
	}
#endif
#if defined(SB_KX_ECDHE_ECDSA) && !defined(SB_SIZE_SERVER)
	CHECK("mbedtls_ssl_set_hostname",
	      mbedtls_ssl_set_hostname(&ssl, SB_SERVER_NAME));
#endif
	return mbed_transport_id();
}

static void mbed_finished(void)
{
	done = 1;
	const char *name = mbedtls_ssl_get_ciphersuite(&ssl);
	int id = name ? mbedtls_ssl_get_ciphersuite_id(name) : 0;
	sb_port_mailbox.suite = (uint32_t)id;
	/* PSK: the Finished messages proved the peer holds the key.  A
	 * certificate: the chain and the name were verified (the server
	 * asks for no client certificate). */
#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
	int auth = 1;
#else
	int auth = 0;
#endif
#if defined(SB_KX_ECDHE_ECDSA) && !defined(SB_SIZE_SERVER)
	/* VERIFY_REQUIRED: the handshake ends only after a verified chain
	 * (the configuration keeps no copy of the peer's certificate). */
	auth = mbedtls_ssl_get_verify_result(&ssl) == 0;
#endif
	sb_port_mailbox.peer_authenticated = (uint32_t)auth;
	int max = mbedtls_ssl_get_max_out_record_payload(&ssl);
	sb_port_mailbox.max_payload = max > 0 ? (uint32_t)max : 0;
}

int sb_target_step(void)
{
	if (done)
		return SB_PORT_OK;
	int ret = mbedtls_ssl_handshake(&ssl);
	switch (ret) {
	case 0:
		mbed_finished();
		return SB_PORT_OK;
	case MBEDTLS_ERR_SSL_WANT_READ:
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return SB_PORT_WANT_IO;
#if defined(MBEDTLS_SSL_DTLS_HELLO_VERIFY)
	case MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED:
		/* Keep no state until the ClientHello that returns the
		 * cookie (RFC 6347 4.2.1). */
		CHECK("mbedtls_ssl_session_reset",
		      mbedtls_ssl_session_reset(&ssl));
		ret = mbed_transport_id();
		return ret ? ret : SB_PORT_WANT_IO;
#endif
	default:
		return sb_target_fail("mbedtls_ssl_handshake", ret);
	}
}

int sb_target_write(const uint8_t *buf, size_t len)
{
	int ret = mbedtls_ssl_write(&ssl, buf, len);
	if (ret >= 0 && (size_t)ret == len)
		return SB_PORT_OK;
	return sb_target_fail("mbedtls_ssl_write",
	                      ret < 0 ? ret : MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
}

int sb_target_read(uint8_t *buf, size_t cap)
{
	int n = mbedtls_ssl_read(&ssl, buf, cap);
	if (n > 0)
		return n;
	switch (n) {
	case MBEDTLS_ERR_SSL_WANT_READ:
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return SB_PORT_WANT_IO;
	case 0:
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		return SB_PORT_ERR_CLOSED;
	default:
		return sb_target_fail("mbedtls_ssl_read", n);
	}
}
