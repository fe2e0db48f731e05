/*
 * wolfssl_target.c - wolfSSL 5.7.2 as a target program (target.h): one
 * endpoint, client or server (-DSB_SIZE_SERVER, as its tailored library),
 * DTLS 1.2 or TLS 1.2, for the one suite its settings hold
 * (size/wolfssl-configs/user_settings.h with SB_TARGET, which adds DTLS).
 *
 * It configures the endpoint as backends/wolfssl.c does for `suitebench
 * run` -- the one suite by name, P-256 only (the only curve built), the
 * MTU, the retransmission wait on the virtual clock -- except the DRBG's
 * seed, which comes from the port's random call (the device's TRNG,
 * CUSTOM_RAND_GENERATE_SEED), and the tick (LowResTimer, USER_TICKS).
 * A wolfSSL 5.7.2 DTLS server always answers the first ClientHello
 * statelessly with a HelloVerifyRequest cookie, so cookies cannot be
 * turned off (run --target says so before it builds).
 */
#include <wolfssl/wolfcrypt/settings.h>

#include <string.h>
#include <wolfssl/ssl.h>

#include "target.h"
#include "wolfssl_psk.h"

static WOLFSSL_CTX *ctx;
static WOLFSSL *ssl;
static int done;
static int timer_armed;
static uint64_t timer_us;

int sb_wolf_seed(unsigned char *out, unsigned int len)
{
	sb_port_random(out, len);
	return 0;
}

word32 LowResTimer(void)
{
	return (word32)(sb_port_now_us() / 1000000u);
}

/* The deadline the host advances its clock to when both sides wait. */
static void wolf_timer_publish(void)
{
	uint64_t at = timer_armed ? timer_us : 0;
	sb_port_mailbox.timer_lo = (uint32_t)at;
	sb_port_mailbox.timer_hi = (uint32_t)(at >> 32);
}

static int wolf_send(WOLFSSL *s, char *buf, int len, void *c)
{
	(void)s;
	(void)c;
	if (sb_port_send((const uint8_t *)buf, (size_t)len) != SB_PORT_OK)
		return WOLFSSL_CBIO_ERR_GENERAL;
	timer_armed = 0; /* a flight went out: the wait restarts */
	return len;
}

static int wolf_recv(WOLFSSL *s, char *buf, int cap, void *c)
{
	(void)s;
	(void)c;
	int n = sb_port_recv((uint8_t *)buf, (size_t)cap);
	if (n == SB_PORT_WANT_IO)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (n < 0)
		return WOLFSSL_CBIO_ERR_GENERAL;
	timer_armed = 0; /* the peer spoke: the wait restarts */
	return n;
}

/* Non-blocking DTLS never retransmits by itself: the application waits
 * wolfSSL_dtls_get_current_timeout() seconds, then calls
 * wolfSSL_dtls_got_timeout() (as backends/wolfssl.c does). */
static void wolf_timer_update(void)
{
	if (!sb_port_mailbox.dtls || done) {
		timer_armed = 0;
	} else if (!timer_armed) {
		timer_us =
		    sb_port_now_us() +
		    (uint64_t)wolfSSL_dtls_get_current_timeout(ssl) * 1000000u;
		timer_armed = 1;
	}
	wolf_timer_publish();
}

static int wolf_timer_fire(void)
{
	if (!timer_armed || sb_port_now_us() < timer_us)
		return SB_PORT_OK;
	timer_armed = 0;
	if (wolfSSL_dtls_got_timeout(ssl) != WOLFSSL_SUCCESS)
		return sb_target_fail("wolfSSL_dtls_got_timeout",
		                      wolfSSL_get_error(ssl, -1));
	return SB_PORT_OK;
}

#define CHECK(what, call)                                                      \
	do {                                                                   \
		int ret_ = (call);                                             \
		if (ret_ != WOLFSSL_SUCCESS)                                   \
			return sb_target_fail(what, ret_);                     \
	} while (0)

#if defined(SB_KX_PSK) || defined(SB_KX_ECDHE_PSK)
static int wolf_configure_side(void)
{
#if defined(SB_SIZE_SERVER)
	wolfSSL_CTX_set_psk_server_callback(ctx, wolf_psk);
#else
	wolfSSL_CTX_set_psk_client_callback(ctx, wolf_psk);
#endif
	return SB_PORT_OK;
}
#elif defined(SB_SIZE_SERVER)
static int wolf_configure_side(void)
{
	CHECK("wolfSSL_CTX_use_certificate_buffer",
	      wolfSSL_CTX_use_certificate_buffer(ctx, sb_server_cert_der,
	                                         sizeof(sb_server_cert_der),
	                                         WOLFSSL_FILETYPE_ASN1));
	CHECK("wolfSSL_CTX_use_PrivateKey_buffer",
	      wolfSSL_CTX_use_PrivateKey_buffer(ctx, sb_server_key_der,
	                                        sizeof(sb_server_key_der),
	                                        WOLFSSL_FILETYPE_ASN1));
	return SB_PORT_OK;
}
#else
static int wolf_configure_side(void)
{
	CHECK("wolfSSL_CTX_load_verify_buffer",
	      wolfSSL_CTX_load_verify_buffer(ctx, sb_ca_der, sizeof(sb_ca_der),
	                                     WOLFSSL_FILETYPE_ASN1));
	/* No callback: a chain that does not verify fails the handshake. */
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
	return SB_PORT_OK;
}
#endif

static WOLFSSL_METHOD *wolf_method(int dtls)
{
#if defined(SB_SIZE_SERVER)
	return dtls ? wolfDTLSv1_2_server_method()
	            : wolfTLSv1_2_server_method();
#else
	return dtls ? wolfDTLSv1_2_client_method()
	            : wolfTLSv1_2_client_method();
#endif
}

int sb_target_setup(void)
{
	int dtls = sb_port_mailbox.dtls != 0;
#if defined(SB_SIZE_SERVER)
	if (dtls && !sb_port_mailbox.cookie)
		return sb_target_fail("DTLS without cookies", BAD_FUNC_ARG);
#endif
	CHECK("wolfSSL_Init", wolfSSL_Init());
	ctx = wolfSSL_CTX_new(wolf_method(dtls));
	if (!ctx)
		return sb_target_fail("wolfSSL_CTX_new", MEMORY_E);
	CHECK("wolfSSL_CTX_set_cipher_list",
	      wolfSSL_CTX_set_cipher_list(ctx, SB_WOLFSSL_NAME));
	wolfSSL_CTX_SetIOSend(ctx, wolf_send);
	wolfSSL_CTX_SetIORecv(ctx, wolf_recv);
	int rc = wolf_configure_side();
	if (rc)
		return rc;
	ssl = wolfSSL_new(ctx);
	if (!ssl)
		return sb_target_fail("wolfSSL_new", MEMORY_E);
	if (dtls && sb_port_mailbox.mtu > 0xFFFFu)
		return sb_target_fail("wolfSSL_dtls_set_mtu", BAD_FUNC_ARG);
	if (dtls)
		CHECK("wolfSSL_dtls_set_mtu",
		      wolfSSL_dtls_set_mtu(ssl, (word16)sb_port_mailbox.mtu));
#if defined(SB_KX_ECDHE_ECDSA) && !defined(SB_SIZE_SERVER)
	CHECK("wolfSSL_check_domain_name",
	      wolfSSL_check_domain_name(ssl, SB_SERVER_NAME));
#endif
	/* static_ram by the README's one rule, as backends/wolfssl.c counts
	 * it: WOLFSSL_CTX, WOLFSSL and the credentials (copied in from the
	 * DER in flash) are on wolfSSL's heap; the program keeps nothing of
	 * its own for the library (no raw public key pin here). */
	sb_port_mailbox.static_ram = 0;
	sb_port_mailbox.static_flash = 0;
	return SB_PORT_OK;
}

static void wolf_finished(void)
{
	done = 1;
	sb_port_mailbox.suite = (uint32_t)wolfSSL_get_current_cipher_suite(ssl);
	/* PSK: the Finished messages proved the peer holds the key.  A
	 * certificate, on the client: VERIFY_PEER without a callback ends
	 * the handshake only after the chain and the name verified (the
	 * server asks for no client certificate). */
#if defined(SB_KX_ECDHE_ECDSA) && defined(SB_SIZE_SERVER)
	sb_port_mailbox.peer_authenticated = 0;
#else
	sb_port_mailbox.peer_authenticated = 1;
#endif
	int max = wolfSSL_GetMaxOutputSize(ssl);
	sb_port_mailbox.max_payload = max > 0 ? (uint32_t)max : 0;
}

int sb_target_step(void)
{
	if (done)
		return SB_PORT_OK;
	int rc = wolf_timer_fire();
	if (rc)
		return rc;
#if defined(SB_SIZE_SERVER)
	int ret = wolfSSL_accept(ssl);
#else
	int ret = wolfSSL_connect(ssl);
#endif
	if (ret == WOLFSSL_SUCCESS) {
		wolf_finished();
		wolf_timer_update();
		return SB_PORT_OK;
	}
	int err = wolfSSL_get_error(ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
		wolf_timer_update();
		return SB_PORT_WANT_IO;
	}
	return sb_target_fail("handshake", err);
}

int sb_target_write(const uint8_t *buf, size_t len)
{
	int n = wolfSSL_write(ssl, buf, (int)len);
	if (n >= 0 && (size_t)n == len)
		return SB_PORT_OK;
	/* A short write would split the record: a failure here. */
	return sb_target_fail("wolfSSL_write",
	                      n < 0 ? wolfSSL_get_error(ssl, n) : BUFFER_E);
}

int sb_target_read(uint8_t *buf, size_t cap)
{
	/* DTLS drops a record failing authentication silently (RFC 6347
	 * 4.1.2.7): it reads as WANT_READ.  TLS fails the read. */
	int n = wolfSSL_read(ssl, buf, (int)cap);
	if (n > 0)
		return n;
	int err = wolfSSL_get_error(ssl, n);
	switch (err) {
	case WOLFSSL_ERROR_WANT_READ:
	case WOLFSSL_ERROR_WANT_WRITE:
		return SB_PORT_WANT_IO;
	case WOLFSSL_ERROR_ZERO_RETURN:
		return SB_PORT_ERR_CLOSED;
	default:
		return sb_target_fail("wolfSSL_read", err);
	}
}
