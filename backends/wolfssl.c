/*
 * wolfssl.c - the wolfSSL backend (5.7.2 from Debian 13's source package,
 * built by scripts/build-wolfssl.sh with the configure line in version()).
 *
 * (D)TLS 1.2 and 1.3.  Traps handled here:
 *  - Timers: wolfSSL reads seconds through wc_Time(), which honours
 *    wc_SetTimeCb, so the callback below hands it the core's virtual
 *    clock (certificate validity and the DTLS 1.3 retransmission spacing
 *    read it too).  Non-blocking DTLS never retransmits by itself: the
 *    application waits wolfSSL_dtls_get_current_timeout() seconds (a
 *    quarter of it when wolfSSL_dtls13_use_quick_timeout() says so) and
 *    then calls wolfSSL_dtls_got_timeout().  The wait restarts whenever a
 *    datagram goes out or comes in.
 *  - RNG: every DRBG wolfSSL makes is seeded through wc_SetSeed_Cb (the
 *    build defines WC_RNG_SEED_CB): the kernel's seed normally,
 *    sb_rng under --deterministic.
 *  - Heap: wolfSSL_SetAllocators, installed before wolfSSL_Init.
 *  - Cookies: a wolfSSL 5.7.2 DTLS server always answers a first
 *    ClientHello statelessly -- HelloVerifyRequest in 1.2, a
 *    HelloRetryRequest with a cookie in 1.3 (dtls.c,
 *    DoClientHelloStateless) -- so "no cookie" is unsupported for it.
 *  - Raw public keys: 5.7.2 accepts any RPK without checking it
 *    (internal.c, ProcessPeerCertParse); the build defines
 *    WOLFSSL_ALWAYS_VERIFY_CB so that the verify callback here compares
 *    it with the pinned key.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* options.h first: it carries the configure line's defines. */
#include <wolfssl/options.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/memory.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfio.h>

#include "backend.h"

/* DTLS_CID_MAX_SIZE: 2 in 5.7.2 unless the build defines it (internal.h);
 * scripts/build-wolfssl.sh defines 16.  A 16-byte CID then completes the
 * DTLS 1.3 handshake, but 5.7.2 fails the first application record
 * (wolfSSL_write returns short, error 0: found with `run --cid 16`), so
 * the backend takes at most 15. */
#define WOLF_CID_MAX 15
#define WOLF_KEY_DER_MAX 256 /* a P-256 SubjectPublicKeyInfo is 91 bytes */
#define WOLF_PEM_MAX 2048

struct wolf_endpoint {
	const struct sb_endpoint_config *cfg;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	bool done;
	bool clock_held;
	bool rng_held;
	bool verify_peer; /* this side checks the peer's certificate or key */
	/* The retransmission wait on the virtual clock. */
	bool timer_armed;
	uint64_t timer_us;
	int io_status; /* the link's last refusal, 0 if none */
	/* SB_AUTH_RPK: the peer's SubjectPublicKeyInfo, DER. */
	uint8_t pin[WOLF_KEY_DER_MAX];
	size_t pin_len;
	/* What the verify callback saw: called at all, and every
	 * certificate (or the key) passed. */
	bool peer_checked;
	bool peer_ok;
	char error[256];
};

/* ---- process-wide hooks: clock, seed, heap ----------------------------- */

/*
 * wolfSSL's time and seed hooks are process-wide.  Every endpoint of one
 * run shares the core's one clock; the seed stream is reseeded at each
 * endpoint's setup, where the DRBGs are made, and the single-threaded run
 * makes the order of draws repeatable.
 */
static struct sb_clock wolf_clock;
static unsigned wolf_clock_users;
static struct sb_rng wolf_rng;
static unsigned wolf_rng_users;

static time_t wolf_time(time_t *out)
{
	time_t now =
	    wolf_clock_users > 0
	        ? (time_t)(wolf_clock.now_us(wolf_clock.ctx) / 1000000u)
	        : time(NULL);
	if (out)
		*out = now;
	return now;
}

/*
 * Every WOLFSSL makes its own DRBG and seeds it through this hook; left
 * alone, each would read the kernel, a cost the other libraries (whose
 * generators are process-wide) pay once.  So, as a device seeds at boot:
 * one process-wide DRBG, seeded from the kernel the first time a seed is
 * needed, hands out every later seed; instantiating each connection's
 * DRBG stays the library's own cost.
 */
static WC_RNG wolf_boot_rng;
static int wolf_boot_state; /* 0 not yet, 1 seeding it, 2 ready, -1 failed */

/* At start-up (wolf_global_init), outside every endpoint's heap tally;
 * its own seed comes from the kernel. */
static void wolf_boot_seed(void)
{
	wolf_boot_state = 1;
	wolf_boot_state = wc_InitRng(&wolf_boot_rng) == 0 ? 2 : -1;
}

static int wolf_seed(OS_Seed *os, byte *seed, word32 len)
{
	if (wolf_rng_users > 0) {
		sb_rng_fill(&wolf_rng, seed, len);
		return 0;
	}
	if (wolf_boot_state == 2)
		return wc_RNG_GenerateBlock(&wolf_boot_rng, seed, len);
	return wc_GenerateSeed(os, seed, len);
}

/* Blocks are reported with their requests (backend.h). */
static void *wolf_malloc(size_t n)
{
	void *p = malloc(n);
	sb_heap_note_alloc((uintptr_t)p, n);
	return p;
}

static void wolf_free(void *p)
{
	sb_heap_note_free((uintptr_t)p);
	free(p);
}

static void *wolf_realloc(void *p, size_t n)
{
	uintptr_t old = (uintptr_t)p;
	void *q = realloc(p, n);
	sb_heap_note_realloc(old, (uintptr_t)q, n);
	return q;
}

/* The allocator must be in place before wolfSSL_Init allocates. */
static void wolf_global_init(void) __attribute__((constructor));
static void wolf_global_init(void)
{
	/* Only in a process that counts the heap: one that times keeps
	 * wolfSSL's own allocation path (heap.h). */
	if (sb_heap_hooks_on())
		wolfSSL_SetAllocators(wolf_malloc, wolf_free, wolf_realloc);
	wolfSSL_Init();
	wc_SetTimeCb(wolf_time);
	wc_SetSeed_Cb(wolf_seed);
	wolf_boot_seed();
}

static void wolf_global_free(void) __attribute__((destructor));
static void wolf_global_free(void)
{
	if (wolf_boot_state == 2)
		wc_FreeRng(&wolf_boot_rng);
	wolf_boot_state = 0;
	wolfSSL_Cleanup();
}

/* ---- errors ------------------------------------------------------------ */

/* Keep the library's own text for `err` (a wolfSSL error code), and the
 * link's refusal when there was one. */
static int wolf_fail(struct wolf_endpoint *ep, int status, const char *what,
                     int err)
{
	char text[WOLFSSL_MAX_ERROR_SZ];
	wolfSSL_ERR_error_string_n((unsigned long)err, text, sizeof(text));
	size_t at = (size_t)snprintf(ep->error, sizeof(ep->error),
	                             "%s: %s (%d)", what, text, err);
	if (ep->io_status != 0 && at + 3 < sizeof(ep->error))
		snprintf(ep->error + at, sizeof(ep->error) - at, " (link: %s)",
		         sb_strerror(ep->io_status));
	ep->io_status = 0; /* reported once */
	return status;
}

/* A failure of ours, not the library's. */
static int wolf_refuse(struct wolf_endpoint *ep, int status, const char *text)
{
	snprintf(ep->error, sizeof(ep->error), "%s", text);
	return status;
}

/* ---- the link ---------------------------------------------------------- */

/* DTLS: wolfSSL hands over one whole datagram per call.  TLS: bytes. */
static int wolf_send(WOLFSSL *ssl, char *buf, int len, void *ctx)
{
	(void)ssl;
	struct wolf_endpoint *ep = ctx;
	const struct sb_io *io = &ep->cfg->io;
	int rc = io->send(io->ctx, (const uint8_t *)buf, (size_t)len);
	if (rc != 0) {
		ep->io_status = rc;
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	ep->timer_armed = false; /* a flight went out: the wait restarts */
	return len;
}

static int wolf_recv(WOLFSSL *ssl, char *buf, int cap, void *ctx)
{
	(void)ssl;
	struct wolf_endpoint *ep = ctx;
	const struct sb_io *io = &ep->cfg->io;
	int len = io->recv(io->ctx, (uint8_t *)buf, (size_t)cap);
	if (len == SB_ERR_WANT_IO)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (len < 0) {
		ep->io_status = len;
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	ep->timer_armed = false; /* the peer spoke: the wait restarts */
	return len;
}

/* ---- the retransmission timer ------------------------------------------ */

static uint64_t wolf_now(const struct wolf_endpoint *ep)
{
	const struct sb_clock *clock = &ep->cfg->clock;
	return clock->now_us(clock->ctx);
}

/*
 * After wolfSSL said it waits for the peer: start the wait unless one
 * runs.  A finished DTLS 1.2 endpoint waits for nothing; a finished DTLS
 * 1.3 one waits while its last flight is unacknowledged (RFC 9147 5.8).
 */
static void wolf_timer_update(struct wolf_endpoint *ep)
{
	if (!sb_protocol_is_dtls(ep->cfg->protocol))
		return;
	bool waits = !ep->done;
	if (ep->done && ep->cfg->protocol == SB_PROTO_DTLS13)
		waits = wolfSSL_dtls13_has_pending_msg(ep->ssl);
	if (!waits) {
		ep->timer_armed = false;
		return;
	}
	if (ep->timer_armed)
		return;
	uint64_t us =
	    (uint64_t)wolfSSL_dtls_get_current_timeout(ep->ssl) * 1000000u;
	if (ep->cfg->protocol == SB_PROTO_DTLS13 &&
	    wolfSSL_dtls13_use_quick_timeout(ep->ssl))
		us /= 4; /* what wolfSSL's own socket I/O does (wolfio.c) */
	ep->timer_us = wolf_now(ep) + us;
	ep->timer_armed = true;
}

/* When the wait ran out: retransmit (and back the timeout off). */
static int wolf_timer_fire(struct wolf_endpoint *ep)
{
	if (!ep->timer_armed || wolf_now(ep) < ep->timer_us)
		return 0;
	ep->timer_armed = false;
	if (wolfSSL_dtls_got_timeout(ep->ssl) != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_HANDSHAKE, "retransmission",
		                 wolfSSL_get_error(ep->ssl, -1));
	return 0;
}

/* ---- suites ------------------------------------------------------------ */

static const char *wolf_version(void)
{
	static char version[640];
	if (!version[0])
		snprintf(version, sizeof(version),
		         "wolfSSL %s (Debian %s; configure %s)",
		         wolfSSL_lib_version(), SB_WOLFSSL_DEBIAN,
		         SB_WOLFSSL_CONFIG);
	return version;
}

/* The library's code point for the suite's wolfSSL name, or 0. */
static uint16_t wolf_code_point(const struct sb_suite *suite)
{
	unsigned char cs0 = 0, cs = 0;
	int flags = 0;
	if (!suite->wolfssl_name ||
	    wolfSSL_get_cipher_suite_from_name(suite->wolfssl_name, &cs0, &cs,
	                                       &flags) != 0)
		return 0;
	return (uint16_t)(cs0 << 8 | cs);
}

static bool wolf_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	(void)role;
	if (!sb_suite_fits(protocol, suite, why))
		return false;
	/* A TLS 1.3 suite names no key exchange, so the name alone would
	 * pass the RSA row of a build without RSA. */
	if (suite->kx == SB_KX_ECDHE_RSA) {
		snprintf(why->text, sizeof(why->text),
		         "this wolfSSL build has no RSA (--disable-rsa): no "
		         "%s with an RSA certificate",
		         suite->iana_name);
		return false;
	}
	if (wolf_code_point(suite) != suite->code_point) {
		snprintf(why->text, sizeof(why->text),
		         "wolfSSL %s does not implement %s (0x%04X)",
		         wolfSSL_lib_version(), suite->iana_name,
		         suite->code_point);
		return false;
	}
	return true;
}

static bool wolf_is_psk(const struct sb_suite *suite)
{
	return suite->kx == SB_KX_PSK || suite->kx == SB_KX_ECDHE_PSK;
}

static WOLFSSL_METHOD *wolf_method(enum sb_protocol protocol, enum sb_role role)
{
	bool client = role == SB_ROLE_CLIENT;
	switch (protocol) {
	case SB_PROTO_DTLS12:
		return client ? wolfDTLSv1_2_client_method()
		              : wolfDTLSv1_2_server_method();
	case SB_PROTO_TLS12:
		return client ? wolfTLSv1_2_client_method()
		              : wolfTLSv1_2_server_method();
	case SB_PROTO_DTLS13:
		return client ? wolfDTLSv1_3_client_method()
		              : wolfDTLSv1_3_server_method();
	case SB_PROTO_TLS13:
		return client ? wolfTLSv1_3_client_method()
		              : wolfTLSv1_3_server_method();
	}
	return NULL;
}

/* ---- callbacks: PSK ---------------------------------------------------- */

static unsigned int wolf_psk_copy(const struct wolf_endpoint *ep,
                                  unsigned char *key, unsigned int max)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	if (c->psk_len > max)
		return 0;
	memcpy(key, c->psk, c->psk_len);
	return (unsigned int)c->psk_len;
}

static unsigned int wolf_psk_client_cb(WOLFSSL *ssl, const char *hint,
                                       char *identity, unsigned int id_max,
                                       unsigned char *key, unsigned int max)
{
	(void)hint;
	const struct wolf_endpoint *ep = wolfSSL_get_psk_callback_ctx(ssl);
	const char *id = ep->cfg->creds.psk_identity;
	size_t id_len = strlen(id);
	if (id_len + 1 > id_max)
		return 0;
	memcpy(identity, id, id_len + 1);
	return wolf_psk_copy(ep, key, max);
}

static unsigned int wolf_psk_server_cb(WOLFSSL *ssl, const char *identity,
                                       unsigned char *key, unsigned int max)
{
	const struct wolf_endpoint *ep = wolfSSL_get_psk_callback_ctx(ssl);
	if (!identity || strcmp(identity, ep->cfg->creds.psk_identity) != 0)
		return 0; /* the library answers unknown_psk_identity */
	return wolf_psk_copy(ep, key, max);
}

/* TLS 1.3: the same, naming the one suite the PSK is for (its hash). */
static unsigned int
wolf_psk_client_tls13_cb(WOLFSSL *ssl, const char *hint, char *identity,
                         unsigned int id_max, unsigned char *key,
                         unsigned int max, const char **suite)
{
	const struct wolf_endpoint *ep = wolfSSL_get_psk_callback_ctx(ssl);
	*suite = ep->cfg->suite->wolfssl_name;
	return wolf_psk_client_cb(ssl, hint, identity, id_max, key, max);
}

static unsigned int wolf_psk_server_tls13_cb(WOLFSSL *ssl, const char *identity,
                                             unsigned char *key,
                                             unsigned int max,
                                             const char **suite)
{
	const struct wolf_endpoint *ep = wolfSSL_get_psk_callback_ctx(ssl);
	*suite = ep->cfg->suite->wolfssl_name;
	return wolf_psk_server_cb(ssl, identity, key, max);
}

/* ---- callbacks: certificate and raw public key ------------------------- */

/* Whether the peer's raw public key is the pinned one. */
static bool wolf_pin_matches(struct wolf_endpoint *ep,
                             const WOLFSSL_X509_STORE_CTX *store)
{
	if (store->totalCerts != 1 || !store->certs)
		return false;
	const WOLFSSL_BUFFER_INFO *got = &store->certs[0];
	if (got->length == ep->pin_len &&
	    memcmp(got->buffer, ep->pin, ep->pin_len) == 0)
		return true;
	snprintf(ep->error, sizeof(ep->error),
	         "the peer's raw public key is not the pinned one (%s)",
	         ep->cfg->creds.peer_key_file);
	return false;
}

/*
 * Called for every certificate the peer presents, verified or not
 * (WOLFSSL_ALWAYS_VERIFY_CB), so it also records the verdict: this build
 * has no wolfSSL_get_verify_result (OPENSSL_EXTRA) and keeps no peer
 * certificate.  An X.509 chain keeps the library's verdict; a raw public
 * key passes only if it is the pinned one.
 */
static int wolf_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct wolf_endpoint *ep = store->userCtx;
	if (!ep)
		return preverify;
	bool ok = ep->cfg->auth == SB_AUTH_RPK ? wolf_pin_matches(ep, store)
	                                       : preverify != 0;
	ep->peer_ok = ok && (ep->peer_ok || !ep->peer_checked);
	ep->peer_checked = true;
	return ok;
}

/* A PEM SubjectPublicKeyInfo file as DER. */
static int wolf_read_public_key(struct wolf_endpoint *ep, const char *path,
                                uint8_t *der, size_t *der_len)
{
	char pem[WOLF_PEM_MAX];
	if (!path || !path[0]) {
		snprintf(ep->error, sizeof(ep->error),
		         "no public key file for raw public keys (server.pub, "
		         "client.pub: suites/make-credentials.sh DIR rpk)");
		return SB_ERR_CREDENTIALS;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(ep->error, sizeof(ep->error), "cannot open %s", path);
		return SB_ERR_CREDENTIALS;
	}
	size_t n = fread(pem, 1, sizeof(pem), f);
	fclose(f);
	/* wc_PubKeyPemToDer needs WOLFSSL_PUB_PEM_TO_DER; this does not. */
	DerBuffer *key = NULL;
	int ret = wc_PemToDer((const unsigned char *)pem, (long)n,
	                      PUBLICKEY_TYPE, &key, NULL, NULL, NULL);
	if (ret != 0 || !key || key->length > *der_len) {
		wc_FreeDer(&key);
		return wolf_fail(ep, SB_ERR_CREDENTIALS, path,
		                 ret != 0 ? ret : BUFFER_E);
	}
	memcpy(der, key->buffer, key->length);
	*der_len = key->length;
	wc_FreeDer(&key);
	return 0;
}

/* ---- endpoint set-up --------------------------------------------------- */

/* One suite, P-256 only, no tickets, no session cache (as every
 * backend: a wolfSSL server caches sessions by default). */
static int wolf_ctx_common(struct wolf_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	wolfSSL_CTX_set_session_cache_mode(ep->ctx, WOLFSSL_SESS_CACHE_OFF);
	int ret =
	    wolfSSL_CTX_set_cipher_list(ep->ctx, cfg->suite->wolfssl_name);
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_UNSUPPORTED, "setting the suite",
		                 ret);
	int groups[] = {WOLFSSL_ECC_SECP256R1};
	if (sb_protocol_is_13(cfg->protocol) &&
	    (ret = wolfSSL_CTX_set_groups(ep->ctx, groups, 1)) !=
	        WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_INVALID, "setting the groups", ret);
	if (cfg->suite->kx != SB_KX_PSK &&
	    (ret = wolfSSL_CTX_UseSupportedCurve(
	         ep->ctx, WOLFSSL_ECC_SECP256R1)) != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_INVALID, "setting the curve", ret);
	if (sb_protocol_is_13(cfg->protocol) && cfg->suite->kx == SB_KX_PSK &&
	    (ret = wolfSSL_CTX_no_dhe_psk(ep->ctx)) != 0)
		return wolf_fail(ep, SB_ERR_INVALID, "psk_ke only", ret);
	return 0;
}

/* This endpoint's certificate (or raw public key) and private key. */
static int wolf_load_identity(struct wolf_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	int ret = wolfSSL_CTX_use_PrivateKey_file(ep->ctx, c->key_file,
	                                          WOLFSSL_FILETYPE_PEM);
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_CREDENTIALS, "loading key", ret);
	if (ep->cfg->auth == SB_AUTH_RPK) {
		uint8_t der[WOLF_KEY_DER_MAX];
		size_t len = sizeof(der);
		int rc =
		    wolf_read_public_key(ep, c->public_key_file, der, &len);
		if (rc != 0)
			return rc;
		ret = wolfSSL_CTX_use_certificate_buffer(
		    ep->ctx, der, (long)len, WOLFSSL_FILETYPE_ASN1);
	} else {
		ret = wolfSSL_CTX_use_certificate_file(ep->ctx, c->cert_file,
		                                       WOLFSSL_FILETYPE_PEM);
	}
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_CREDENTIALS, "loading certificate",
		                 ret);
	return 0;
}

/* The trust anchor (or the pinned key), and verification required. */
static int wolf_load_trust(struct wolf_endpoint *ep, int mode)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	ep->verify_peer = true;
	if (ep->cfg->auth == SB_AUTH_RPK) {
		ep->pin_len = sizeof(ep->pin);
		int rc = wolf_read_public_key(ep, c->peer_key_file, ep->pin,
		                              &ep->pin_len);
		if (rc != 0)
			return rc;
	} else {
		int ret = wolfSSL_CTX_load_verify_locations(ep->ctx, c->ca_file,
		                                            NULL);
		if (ret != WOLFSSL_SUCCESS)
			return wolf_fail(ep, SB_ERR_CREDENTIALS,
			                 "loading the CA", ret);
	}
	wolfSSL_CTX_set_verify(ep->ctx, mode, wolf_verify_cb);
	return 0;
}

static int wolf_client_ctx(struct wolf_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int rc;
	if (wolf_is_psk(cfg->suite)) {
		if (sb_protocol_is_13(cfg->protocol))
			wolfSSL_CTX_set_psk_client_tls13_callback(
			    ep->ctx, wolf_psk_client_tls13_cb);
		else
			wolfSSL_CTX_set_psk_client_callback(ep->ctx,
			                                    wolf_psk_client_cb);
		wolfSSL_CTX_set_verify(ep->ctx, WOLFSSL_VERIFY_NONE, NULL);
		return 0;
	}
	if ((rc = wolf_load_trust(ep, WOLFSSL_VERIFY_PEER)) != 0)
		return rc;
	if (cfg->mutual && (rc = wolf_load_identity(ep)) != 0)
		return rc;
	return 0;
}

static int wolf_server_ctx(struct wolf_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int rc;
	if (sb_protocol_is_dtls(cfg->protocol) && !cfg->cookie)
		return wolf_refuse(
		    ep, SB_ERR_UNSUPPORTED,
		    "a wolfSSL 5.7.2 DTLS server always answers the first "
		    "ClientHello with a cookie (HelloVerifyRequest in 1.2, "
		    "HelloRetryRequest in 1.3); it cannot be switched off");
	if (wolf_is_psk(cfg->suite)) {
		if (sb_protocol_is_13(cfg->protocol))
			wolfSSL_CTX_set_psk_server_tls13_callback(
			    ep->ctx, wolf_psk_server_tls13_cb);
		else
			wolfSSL_CTX_set_psk_server_callback(ep->ctx,
			                                    wolf_psk_server_cb);
		wolfSSL_CTX_set_verify(ep->ctx, WOLFSSL_VERIFY_NONE, NULL);
		return 0;
	}
	if ((rc = wolf_load_identity(ep)) != 0)
		return rc;
	if (!cfg->mutual) {
		wolfSSL_CTX_set_verify(ep->ctx, WOLFSSL_VERIFY_NONE, NULL);
		return 0;
	}
	return wolf_load_trust(ep, WOLFSSL_VERIFY_PEER |
	                               WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

/* RFC 7250: offer and accept raw public keys only, for the sides that
 * present one (the server; the client too when mutual). */
static int wolf_ssl_rpk(struct wolf_endpoint *ep)
{
	char rpk[] = {WOLFSSL_CERT_TYPE_RPK};
	int ret = wolfSSL_set_server_cert_type(ep->ssl, rpk, 1);
	if (ret == WOLFSSL_SUCCESS && ep->cfg->mutual)
		ret = wolfSSL_set_client_cert_type(ep->ssl, rpk, 1);
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_INVALID, "raw public keys", ret);
	return 0;
}

/*
 * RFC 9147 9: ask the peer to put a `cid_len`-byte Connection ID on the
 * records it sends here.  The value is fixed per role (0xc0.. for the
 * client's, 0x50.. for the server's) so transcripts repeat.
 */
static int wolf_ssl_cid(struct wolf_endpoint *ep)
{
	unsigned char cid[WOLF_CID_MAX];
	size_t len = ep->cfg->cid_len;
	if (len > sizeof(cid))
		return wolf_refuse(
		    ep, SB_ERR_UNSUPPORTED,
		    "wolfSSL 5.7.2 takes Connection IDs of at most 15 "
		    "bytes here: built with DTLS_CID_MAX_SIZE=16, it "
		    "completes a handshake with 16 but fails the first "
		    "record write");
	for (size_t i = 0; i < len; i++)
		cid[i] =
		    (unsigned char)((ep->cfg->role == SB_ROLE_CLIENT ? 0xc0
		                                                     : 0x50) +
		                    i);
	int ret = wolfSSL_dtls_cid_use(ep->ssl);
	if (ret == WOLFSSL_SUCCESS)
		ret = wolfSSL_dtls_cid_set(ep->ssl, cid, (unsigned int)len);
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_INVALID, "Connection ID", ret);
	return 0;
}

/* The connection: the link, the MTU, key shares, the server name. */
static int wolf_ssl_setup(struct wolf_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	ep->ssl = wolfSSL_new(ep->ctx);
	if (!ep->ssl)
		return wolf_refuse(ep, SB_ERR_NOMEM, "wolfSSL_new failed");
	wolfSSL_SSLSetIORecv(ep->ssl, wolf_recv);
	wolfSSL_SSLSetIOSend(ep->ssl, wolf_send);
	wolfSSL_SetIOReadCtx(ep->ssl, ep);
	wolfSSL_SetIOWriteCtx(ep->ssl, ep);
	wolfSSL_SetCertCbCtx(ep->ssl, ep);
	wolfSSL_set_psk_callback_ctx(ep->ssl, ep);
	int ret;
	if (sb_protocol_is_dtls(cfg->protocol)) {
		wolfSSL_dtls_set_using_nonblock(ep->ssl, 1);
		if (cfg->mtu > UINT16_MAX ||
		    (ret = wolfSSL_dtls_set_mtu(ep->ssl, (word16)cfg->mtu)) !=
		        WOLFSSL_SUCCESS)
			return wolf_refuse(
			    ep, SB_ERR_MTU,
			    "wolfSSL_dtls_set_mtu refused the MTU");
	}
	if (cfg->auth == SB_AUTH_RPK && !wolf_is_psk(cfg->suite) &&
	    (ret = wolf_ssl_rpk(ep)) != 0)
		return ret;
	if (cfg->cid_len > 0 && (ret = wolf_ssl_cid(ep)) != 0)
		return ret;
	if (cfg->role == SB_ROLE_SERVER)
		return 0;
	/* TLS 1.3 client: one P-256 key share, none for psk_ke. */
	if (sb_protocol_is_13(cfg->protocol)) {
		ret = cfg->suite->kx == SB_KX_PSK
		          ? wolfSSL_NoKeyShares(ep->ssl)
		          : wolfSSL_UseKeyShare(ep->ssl, WOLFSSL_ECC_SECP256R1);
		if (ret != WOLFSSL_SUCCESS)
			return wolf_fail(ep, SB_ERR_INVALID, "key share", ret);
	}
	if (wolf_is_psk(cfg->suite) || cfg->auth == SB_AUTH_RPK)
		return 0;
	/* SNI, and the name the certificate must carry. */
	ret = wolfSSL_UseSNI(ep->ssl, WOLFSSL_SNI_HOST_NAME, cfg->server_name,
	                     (word16)strlen(cfg->server_name));
	if (ret == WOLFSSL_SUCCESS)
		ret = wolfSSL_check_domain_name(ep->ssl, cfg->server_name);
	if (ret != WOLFSSL_SUCCESS)
		return wolf_fail(ep, SB_ERR_INVALID, "setting the server name",
		                 ret);
	return 0;
}

static int wolf_endpoint_setup(void *state,
                               const struct sb_endpoint_config *cfg)
{
	struct wolf_endpoint *ep = state;
	ep->cfg = cfg;
	wolf_clock = cfg->clock;
	wolf_clock_users++;
	ep->clock_held = true;
	if (cfg->deterministic) {
		sb_rng_seed(&wolf_rng, cfg->seed, (uint64_t)cfg->role);
		wolf_rng_users++;
		ep->rng_held = true;
	}
	struct sb_reason why;
	if (!wolf_supports(cfg->protocol, cfg->suite, cfg->role, &why))
		return wolf_refuse(ep, SB_ERR_UNSUPPORTED, why.text);
	if (cfg->cid_len > 0 && cfg->protocol != SB_PROTO_DTLS13)
		return wolf_refuse(ep, SB_ERR_UNSUPPORTED,
		                   "wolfSSL 5.7.2 has Connection IDs for DTLS "
		                   "1.3 only (RFC 9146 is not implemented)");

	ep->ctx = wolfSSL_CTX_new(wolf_method(cfg->protocol, cfg->role));
	if (!ep->ctx)
		return wolf_refuse(ep, SB_ERR_NOMEM, "wolfSSL_CTX_new failed");
	int rc = wolf_ctx_common(ep);
	if (rc == 0)
		rc = cfg->role == SB_ROLE_CLIENT ? wolf_client_ctx(ep)
		                                 : wolf_server_ctx(ep);
	if (rc == 0)
		rc = wolf_ssl_setup(ep);
	return rc;
}

/* ---- operations -------------------------------------------------------- */

static int wolf_step(void *state)
{
	struct wolf_endpoint *ep = state;
	if (ep->done)
		return 0;
	if (!ep->ssl)
		return wolf_refuse(ep, SB_ERR_INVALID, "no connection");
	int rc = wolf_timer_fire(ep);
	if (rc != 0)
		return rc;
	bool client = ep->cfg->role == SB_ROLE_CLIENT;
	int ret = client ? wolfSSL_connect(ep->ssl) : wolfSSL_accept(ep->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		ep->done = true;
		wolf_timer_update(ep);
		return 0;
	}
	int err = wolfSSL_get_error(ep->ssl, ret);
	if (err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE) {
		wolf_timer_update(ep);
		return SB_ERR_WANT_IO;
	}
	if (ep->peer_checked && !ep->peer_ok && ep->error[0])
		return SB_ERR_HANDSHAKE; /* the verify callback said why */
	return wolf_fail(ep, SB_ERR_HANDSHAKE,
	                 client ? "wolfSSL_connect" : "wolfSSL_accept", err);
}

/* RFC 9147 4.2.3: the record number is encrypted with a mask made from
 * the first 16 bytes of ciphertext; a sender MUST pad shorter records. */
#define WOLF_DTLS13_MIN_CIPHERTEXT 16

static int wolf_write(void *state, const uint8_t *buf, size_t len)
{
	struct wolf_endpoint *ep = state;
	/* 5.7.2 does not pad: it refuses the record (dtls13.c,
	 * Dtls13EncryptRecordNumber, BUFFER_ERROR). */
	if (ep->cfg->protocol == SB_PROTO_DTLS13 &&
	    len + SB_TLS13_INNER_TYPE_LEN + ep->cfg->suite->tag_len <
	        WOLF_DTLS13_MIN_CIPHERTEXT) {
		snprintf(
		    ep->error, sizeof(ep->error),
		    "wolfSSL 5.7.2 does not pad a DTLS 1.3 record to the "
		    "16 bytes of ciphertext record-number encryption needs "
		    "(RFC 9147 4.2.3): %zu payload bytes + 1 + %u-byte tag "
		    "cannot be sent",
		    len, ep->cfg->suite->tag_len);
		return SB_ERR_UNSUPPORTED;
	}
	int n = wolfSSL_write(ep->ssl, buf, (int)len);
	if (n == (int)len)
		return 0;
	/* A short write would split the record: a failure here. */
	return wolf_fail(ep, SB_ERR_RECORD, "wolfSSL_write",
	                 wolfSSL_get_error(ep->ssl, n));
}

static int wolf_read(void *state, uint8_t *buf, size_t cap)
{
	struct wolf_endpoint *ep = state;
	if (sb_protocol_is_dtls(ep->cfg->protocol)) {
		int rc = wolf_timer_fire(ep);
		if (rc != 0)
			return rc;
	}
	/* DTLS drops a record failing authentication silently (RFC 6347
	 * 4.1.2.7, RFC 9147 4.5.2): it reads as WANT_READ.  TLS answers
	 * bad_record_mac and fails the read. */
	int n = wolfSSL_read(ep->ssl, buf, (int)cap);
	if (n > 0)
		return n;
	int err = wolfSSL_get_error(ep->ssl, n);
	switch (err) {
	case WOLFSSL_ERROR_WANT_READ:
	case WOLFSSL_ERROR_WANT_WRITE:
		wolf_timer_update(ep);
		return SB_ERR_WANT_IO;
	case WOLFSSL_ERROR_ZERO_RETURN:
		return wolf_fail(ep, SB_ERR_PEER_CLOSED, "wolfSSL_read", err);
	default:
		return wolf_fail(ep, SB_ERR_RECORD, "wolfSSL_read", err);
	}
}

SB_BACKEND_BATCH(wolf)

static uint16_t wolf_negotiated_suite(void *state)
{
	struct wolf_endpoint *ep = state;
	if (!ep->ssl || !ep->done)
		return 0;
	return (uint16_t)wolfSSL_get_current_cipher_suite(ep->ssl);
}

static bool wolf_peer_authenticated(void *state)
{
	struct wolf_endpoint *ep = state;
	if (!ep->done)
		return false;
	/* The Finished messages (TLS 1.2) or the binder (TLS 1.3) proved the
	 * peer holds the PSK; the server also checked the identity. */
	if (wolf_is_psk(ep->cfg->suite))
		return true;
	return ep->verify_peer && ep->peer_checked && ep->peer_ok;
}

/*
 * wolfSSL keeps room for a 12-byte handshake header in every DTLS datagram,
 * application records too (wolfSSL_GetMaxFragSize), so its largest record
 * payload is that much below the MTU minus the record overhead.
 */
static size_t wolf_max_payload(void *state)
{
	struct wolf_endpoint *ep = state;
	int max = ep->ssl && ep->done ? wolfSSL_GetMaxOutputSize(ep->ssl) : 0;
	return max > 0 ? (size_t)max : 0;
}

static uint64_t wolf_next_timeout_us(void *state)
{
	const struct wolf_endpoint *ep = state;
	return ep->timer_armed ? ep->timer_us : 0;
}

static const char *wolf_last_error(void *state)
{
	const struct wolf_endpoint *ep = state;
	return ep->error[0] ? ep->error : "no wolfSSL error recorded";
}

/* The caller-owned state wolfSSL needs (backend.h's rule): the peer's
 * pinned public key with raw public keys, which the verify callback
 * compares.  WOLFSSL_CTX, WOLFSSL and the loaded credentials are on
 * wolfSSL's heap. */
static size_t wolf_static_ram(const void *state)
{
	const struct wolf_endpoint *ep = state;
	return ep->pin_len;
}

static void wolf_endpoint_free(void *state)
{
	struct wolf_endpoint *ep = state;
	wolfSSL_free(ep->ssl);
	ep->ssl = NULL;
	wolfSSL_CTX_free(ep->ctx);
	ep->ctx = NULL;
	ep->done = false;
	ep->timer_armed = false;
	if (ep->clock_held) {
		ep->clock_held = false;
		wolf_clock_users--;
	}
	if (ep->rng_held) {
		ep->rng_held = false;
		wolf_rng_users--;
	}
}

static void wolf_describe_impl(enum sb_impl impl, char *buf, size_t len)
{
	(void)
	    impl; /* chosen when the library was configured, not at run time */
	snprintf(buf, len,
	         "portable C, fixed at build time: aes=c (no AES-NI) "
	         "ghash=4-bit table chacha20=c poly1305=c "
	         "ecc=sp-math-all (x86_64)");
}

const struct sb_backend sb_backend_wolfssl = {
    .name = "wolfssl",
    .version = wolf_version,
    .caps = SB_CAP_HEAP_COUNTED,
    .endpoint_size = sizeof(struct wolf_endpoint),
    .supports = wolf_supports,
    .endpoint_setup = wolf_endpoint_setup,
    .step = wolf_step,
    .write = wolf_write,
    .read = wolf_read,
    .write_batch = wolf_write_batch,
    .read_batch = wolf_read_batch,
    .negotiated_suite = wolf_negotiated_suite,
    .peer_authenticated = wolf_peer_authenticated,
    .last_error = wolf_last_error,
    .endpoint_free = wolf_endpoint_free,
    .static_ram = wolf_static_ram,
    .next_timeout_us = wolf_next_timeout_us,
    .max_payload = wolf_max_payload,
    .describe_impl = wolf_describe_impl,
};
