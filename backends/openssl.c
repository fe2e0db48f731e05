/*
 * openssl.c - the OpenSSL backend (libssl 3.0 on Debian 12).
 *
 * Traps handled here (../shared/LIBRARY-NOTES.md): 3.0 has no datagram-pair
 * BIO, so a small BIO method maps one write to one datagram and one read to
 * one datagram; the MTU must be set with SSL_OP_NO_QUERY_MTU or it is
 * overwritten at handshake start; DTLS timers read gettimeofday(), which
 * this file therefore defines to read the core's virtual clock.  TLS 1.2
 * runs over the same BIO, on the link's stream mode.
 */
#define _GNU_SOURCE
/* RAND_METHOD is deprecated in 3.0 but is the one hook that replaces every
 * random draw, which --deterministic needs. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "backend.h"

#define OSSL_COOKIE_LEN 32 /* HMAC-SHA256, as long as Mbed TLS's cookie */

struct ossl_endpoint {
	const struct sb_endpoint_config *cfg;
	SSL_CTX *ctx;
	SSL *ssl;
	bool clock_held;
	bool rng_held;
	uint8_t cookie_secret[32];
	char error[256];
};

/* ---- the virtual clock ------------------------------------------------ */

/*
 * OpenSSL 3.0 reads gettimeofday() for its DTLS timers and offers no hook
 * (DTLS_set_timer_cb only picks durations).  Defining the symbol in our
 * executable interposes it for libssl, so its timers read the core's
 * virtual clock while an endpoint exists, and real time otherwise.  Every
 * endpoint of one run shares the core's one clock.
 */
static struct sb_clock ossl_clock;
static unsigned ossl_clock_users;

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	if (ossl_clock_users > 0) {
		uint64_t us = ossl_clock.now_us(ossl_clock.ctx);
		tv->tv_sec = (time_t)(us / 1000000u);
		tv->tv_usec = (suseconds_t)(us % 1000000u);
		return 0;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

/* ---- deterministic randomness ------------------------------------------ */

/*
 * --deterministic: OpenSSL draws every random byte (hello randoms, ECDHE
 * keys, ECDSA nonces) through RAND_bytes/RAND_priv_bytes, which honour a
 * replaced RAND_METHOD.  The method is process-wide, so it is installed
 * while a deterministic endpoint exists and reseeded at each endpoint's
 * setup; the single-threaded run makes the order of draws repeatable.
 */
static struct sb_rng ossl_rng;
static unsigned ossl_rng_users;

static int ossl_rng_bytes(unsigned char *buf, int num)
{
	sb_rng_fill(&ossl_rng, buf, (size_t)num);
	return 1;
}

static int ossl_rng_status(void)
{
	return 1;
}

static const RAND_METHOD ossl_rng_method = {
    .bytes = ossl_rng_bytes,
    .pseudorand = ossl_rng_bytes,
    .status = ossl_rng_status,
};

static void ossl_rng_hold(const struct sb_endpoint_config *cfg)
{
	sb_rng_seed(&ossl_rng, cfg->seed, (uint64_t)cfg->role);
	if (ossl_rng_users++ == 0)
		RAND_set_rand_method(&ossl_rng_method);
}

static void ossl_rng_release(void)
{
	if (--ossl_rng_users == 0)
		RAND_set_rand_method(NULL); /* back to OpenSSL's own */
}

/* ---- heap accounting ------------------------------------------------- */

/* Every block reported with its request (backend.h); a block allocated
 * before the hooks were installed was never counted, and its release
 * changes nothing. */
static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	void *p = malloc(n);
	sb_heap_note_alloc((uintptr_t)p, n);
	return p;
}

static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	uintptr_t old = (uintptr_t)p;
	void *q = realloc(p, n);
	sb_heap_note_realloc(old, (uintptr_t)q, n);
	return q;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	sb_heap_note_free((uintptr_t)p);
	free(p);
}

/* OpenSSL accepts allocator hooks only before its first allocation, so
 * they are installed before main() runs -- and only in a process that
 * counts the heap: one that times keeps OpenSSL's own malloc path. */
static void ossl_install_heap_hooks(void) __attribute__((constructor));
static void ossl_install_heap_hooks(void)
{
	if (sb_heap_hooks_on())
		CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free);
}

/* ---- errors ------------------------------------------------------------ */

/* Keep the library's own text: the OpenSSL error queue, oldest first. */
static void ossl_capture_error(struct ossl_endpoint *ep, const char *what)
{
	size_t at = (size_t)snprintf(ep->error, sizeof(ep->error), "%s", what);
	unsigned long code;
	while ((code = ERR_get_error()) != 0 && at + 3 < sizeof(ep->error)) {
		char text[160];
		ERR_error_string_n(code, text, sizeof(text));
		at += (size_t)snprintf(ep->error + at, sizeof(ep->error) - at,
		                       ": %s", text);
	}
	ERR_clear_error();
	if (ep->ssl) {
		long verify = SSL_get_verify_result(ep->ssl);
		if (verify != X509_V_OK && at + 3 < sizeof(ep->error))
			snprintf(ep->error + at, sizeof(ep->error) - at,
			         " (certificate: %s)",
			         X509_verify_cert_error_string(verify));
	}
}

static int ossl_fail(struct ossl_endpoint *ep, int status, const char *what)
{
	ossl_capture_error(ep, what);
	return status;
}

/* ---- the datagram BIO -------------------------------------------------- */

static int ossl_bio_write(BIO *bio, const char *buf, int len)
{
	const struct sb_io *io = BIO_get_data(bio);
	BIO_clear_retry_flags(bio);
	if (io->send(io->ctx, (const uint8_t *)buf, (size_t)len) != 0)
		return -1;
	return len;
}

static int ossl_bio_read(BIO *bio, char *buf, int cap)
{
	const struct sb_io *io = BIO_get_data(bio);
	BIO_clear_retry_flags(bio);
	int len = io->recv(io->ctx, (uint8_t *)buf, (size_t)cap);
	if (len == SB_ERR_WANT_IO)
		BIO_set_retry_read(bio);
	return len < 0 ? -1 : len;
}

static long ossl_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	(void)bio;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
		return 1;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: /* the link's MTU excludes IP/UDP
	                                       */
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_PENDING:
	default:
		return 0;
	}
}

static BIO_METHOD *ossl_bio_method;

static void ossl_bio_method_free(void) __attribute__((destructor));
static void ossl_bio_method_free(void)
{
	BIO_meth_free(ossl_bio_method);
	ossl_bio_method = NULL;
}

static BIO *ossl_bio_new(const struct sb_io *io)
{
	if (!ossl_bio_method) {
		BIO_METHOD *m = BIO_meth_new(
		    BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sb-link");
		if (!m || !BIO_meth_set_write(m, ossl_bio_write) ||
		    !BIO_meth_set_read(m, ossl_bio_read) ||
		    !BIO_meth_set_ctrl(m, ossl_bio_ctrl)) {
			BIO_meth_free(m);
			return NULL;
		}
		ossl_bio_method = m;
	}
	BIO *bio = BIO_new(ossl_bio_method);
	if (bio) {
		BIO_set_data(bio, (void *)io);
		BIO_set_init(bio, 1);
	}
	return bio;
}

/* ---- suites ------------------------------------------------------------ */

/* The library's own cipher for `code_point`, or NULL when it has none
 * (for supports(), outside every measured region). */
static const SSL_CIPHER *ossl_find_cipher(SSL_CTX *ctx, uint16_t code_point)
{
	uint8_t wire[2] = {(uint8_t)(code_point >> 8), (uint8_t)code_point};
	SSL *ssl = SSL_new(ctx);
	if (!ssl)
		return NULL;
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, wire);
	SSL_free(ssl);
	return cipher;
}

static bool ossl_is_dtls(enum sb_protocol protocol)
{
	return sb_protocol_is_dtls(protocol);
}

static const SSL_METHOD *ossl_method(enum sb_protocol protocol,
                                     enum sb_role role)
{
	bool client = role == SB_ROLE_CLIENT;
	if (ossl_is_dtls(protocol))
		return client ? DTLS_client_method() : DTLS_server_method();
	return client ? TLS_client_method() : TLS_server_method();
}

static bool ossl_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	if (!sb_suite_fits(protocol, suite, why))
		return false;
	if (protocol == SB_PROTO_DTLS13) {
		snprintf(why->text, sizeof(why->text),
		         "%s has no DTLS 1.3 (OpenSSL plans it for 4.1)",
		         OpenSSL_version(OPENSSL_VERSION));
		return false;
	}
	/* RFC 8446 4.2.9: psk_ke.  A 3.0 client always offers psk_dhe_ke
	 * (and a key share) with it, and a 3.0 server picks psk_dhe_ke
	 * whenever offered; SSL_OP_PREFER_NO_DHE_KEX came in 3.3.  As a
	 * server it does psk_ke for a client that offers only that. */
	if (protocol == SB_PROTO_TLS13 && suite->kx == SB_KX_PSK &&
	    role == SB_ROLE_CLIENT) {
		snprintf(why->text, sizeof(why->text),
		         "%s clients always offer psk_dhe_ke with a key share, "
		         "so a psk_ke handshake is not theirs to make "
		         "(SSL_OP_PREFER_NO_DHE_KEX is 3.3+, server side)",
		         OpenSSL_version(OPENSSL_VERSION));
		return false;
	}
	SSL_CTX *ctx = SSL_CTX_new(ossl_method(protocol, role));
	const SSL_CIPHER *cipher =
	    ctx ? ossl_find_cipher(ctx, suite->code_point) : NULL;
	SSL_CTX_free(ctx);
	ERR_clear_error();
	if (!cipher) {
		snprintf(why->text, sizeof(why->text),
		         "%s does not implement %s (0x%04X)",
		         OpenSSL_version(OPENSSL_VERSION), suite->iana_name,
		         suite->code_point);
		return false;
	}
	return true;
}

/* ---- callbacks: PSK and cookies ---------------------------------------- */

static unsigned int ossl_psk_client_cb(SSL *ssl, const char *hint,
                                       char *identity,
                                       unsigned int max_identity,
                                       unsigned char *psk, unsigned int max_psk)
{
	(void)hint;
	const struct ossl_endpoint *ep = SSL_get_app_data(ssl);
	const struct sb_credentials *c = &ep->cfg->creds;
	size_t id_len = strlen(c->psk_identity);
	if (id_len + 1 > max_identity || c->psk_len > max_psk)
		return 0;
	memcpy(identity, c->psk_identity, id_len + 1);
	memcpy(psk, c->psk, c->psk_len);
	return (unsigned int)c->psk_len;
}

static unsigned int ossl_psk_server_cb(SSL *ssl, const char *identity,
                                       unsigned char *psk, unsigned int max_psk)
{
	const struct ossl_endpoint *ep = SSL_get_app_data(ssl);
	const struct sb_credentials *c = &ep->cfg->creds;
	if (!identity || strcmp(identity, c->psk_identity) != 0 ||
	    c->psk_len > max_psk)
		return 0;
	memcpy(psk, c->psk, c->psk_len);
	return (unsigned int)c->psk_len;
}

/*
 * TLS 1.3 external PSK (RFC 8446 4.2.11): a session holding the key, the
 * suite (its hash, SHA-256 for all of ours, binds the PSK) and the
 * version, which OpenSSL uses as the PSK.  NULL when out of memory.
 */
static SSL_SESSION *ossl_psk_session(SSL *ssl, const struct ossl_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	uint16_t cp = ep->cfg->suite->code_point;
	const uint8_t wire[2] = {(uint8_t)(cp >> 8), (uint8_t)cp};
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, wire);
	SSL_SESSION *sess = cipher ? SSL_SESSION_new() : NULL;
	if (sess && SSL_SESSION_set1_master_key(sess, c->psk, c->psk_len) &&
	    SSL_SESSION_set_cipher(sess, cipher) &&
	    SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION))
		return sess;
	SSL_SESSION_free(sess);
	return NULL;
}

static int ossl_psk_use_session_cb(SSL *ssl, const EVP_MD *md,
                                   const unsigned char **id, size_t *id_len,
                                   SSL_SESSION **sess)
{
	const struct ossl_endpoint *ep = SSL_get_app_data(ssl);
	*sess = NULL;
	/* After a HelloRetryRequest `md` is the suite's hash: keep to it. */
	if (md && EVP_MD_get_type(md) != NID_sha256)
		return 1;
	if (!(*sess = ossl_psk_session(ssl, ep)))
		return 0;
	*id = (const unsigned char *)ep->cfg->creds.psk_identity;
	*id_len = strlen(ep->cfg->creds.psk_identity);
	return 1;
}

static int ossl_psk_find_session_cb(SSL *ssl, const unsigned char *id,
                                    size_t id_len, SSL_SESSION **sess)
{
	const struct ossl_endpoint *ep = SSL_get_app_data(ssl);
	const char *want = ep->cfg->creds.psk_identity;
	*sess = NULL;
	/* An unknown identity: no PSK, and the handshake fails. */
	if (id_len != strlen(want) || memcmp(id, want, id_len) != 0)
		return 1;
	return (*sess = ossl_psk_session(ssl, ep)) != NULL;
}

/*
 * A stateless cookie as real servers make it: a MAC over the client's
 * transport address under a server secret.  The in-memory link has one
 * client, so its "address" is a constant.
 */
static int ossl_cookie_make(SSL *ssl, uint8_t out[OSSL_COOKIE_LEN])
{
	static const uint8_t address[] = "sb-link-client";
	const struct ossl_endpoint *ep = SSL_get_app_data(ssl);
	unsigned int len = 0;
	if (!HMAC(EVP_sha256(), ep->cookie_secret, sizeof(ep->cookie_secret),
	          address, sizeof(address), out, &len))
		return 0;
	return len == OSSL_COOKIE_LEN;
}

static int ossl_cookie_generate_cb(SSL *ssl, unsigned char *cookie,
                                   unsigned int *len)
{
	if (!ossl_cookie_make(ssl, cookie))
		return 0;
	*len = OSSL_COOKIE_LEN;
	return 1;
}

static int ossl_cookie_verify_cb(SSL *ssl, const unsigned char *cookie,
                                 unsigned int len)
{
	uint8_t expected[OSSL_COOKIE_LEN];
	return len == OSSL_COOKIE_LEN && ossl_cookie_make(ssl, expected) &&
	       CRYPTO_memcmp(cookie, expected, len) == 0;
}

/* ---- endpoint set-up --------------------------------------------------- */

static bool ossl_is_psk(const struct sb_suite *suite)
{
	return suite->kx == SB_KX_PSK || suite->kx == SB_KX_ECDHE_PSK;
}

/*
 * TLS 1.3: the one suite by its RFC 8446 name (TLS 1.3 suites are set with
 * SSL_CTX_set_ciphersuites; the CCM ones are not in the default list),
 * P-256, ECDSA with SHA-256, no tickets (in 1.3 SSL_OP_NO_TICKET still
 * sends stateful ones: the count must be 0), and no middlebox
 * compatibility mode (RFC 8446 D.4: a fake session ID and
 * ChangeCipherSpec records, bytes the other libraries do not send).
 * psk_ke is allowed only for the psk suite, where it is the point.
 */
static int ossl_ctx_tls13(struct ossl_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	SSL_CTX *ctx = ep->ctx;
	/* The RSA row (tls13-ecdhe-rsa-gcm) signs with RSA-PSS, the only RSA
	 * scheme TLS 1.3 allows (RFC 8446 4.2.3), and keeps ECDSA for the
	 * CA's signature on the RSA leaf. */
	const char *sigalgs = cfg->suite->kx == SB_KX_ECDHE_RSA
	                          ? "rsa_pss_rsae_sha256:ECDSA+SHA256"
	                          : "ECDSA+SHA256";
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, cfg->suite->iana_name) ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256") ||
	    !SSL_CTX_set1_sigalgs_list(ctx, sigalgs) ||
	    !SSL_CTX_set_num_tickets(ctx, 0))
		return ossl_fail(ep, SB_ERR_INVALID, "configuring the suite");
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
	if (cfg->suite->kx == SB_KX_PSK)
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	return 0;
}

static int ossl_ctx_common(struct ossl_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	SSL_CTX *ctx = ep->ctx;
	if (cfg->protocol == SB_PROTO_TLS13)
		return ossl_ctx_tls13(ep);
	int version =
	    ossl_is_dtls(cfg->protocol) ? DTLS1_2_VERSION : TLS1_2_VERSION;
	/*
	 * One group (P-256), one signature algorithm, no tickets, no session
	 * cache (the server's is on by default; the other libraries keep
	 * none); the one suite is set on the connection (ossl_ssl_suite).
	 * ECDHE-RSA signs with the RSA leaf (PKCS#1 v1.5, SHA-256) and also
	 * offers ECDSA+SHA256, which signed that leaf: RFC 5246 7.4.2 wants
	 * every certificate's signature algorithm in the client's list.
	 */
	const char *sigalgs = cfg->suite->kx == SB_KX_ECDHE_RSA
	                          ? "RSA+SHA256:ECDSA+SHA256"
	                          : "ECDSA+SHA256";
	if (!SSL_CTX_set_min_proto_version(ctx, version) ||
	    !SSL_CTX_set_max_proto_version(ctx, version) ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256") ||
	    !SSL_CTX_set1_sigalgs_list(ctx, sigalgs))
		return ossl_fail(ep, SB_ERR_INVALID, "configuring the suite");
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* Send the leaf only, as the other libraries do: without this OpenSSL
	 * builds the chain from the trust store and sends the CA too. */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (ossl_is_dtls(cfg->protocol))
		SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU);
	return 0;
}

static int ossl_load_identity(struct ossl_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	if (SSL_CTX_use_certificate_file(ep->ctx, c->cert_file,
	                                 SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ep->ctx, c->key_file,
	                                SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ep->ctx) != 1)
		return ossl_fail(ep, SB_ERR_CREDENTIALS, "loading certificate");
	return 0;
}

static int ossl_load_trust(struct ossl_endpoint *ep)
{
	const struct sb_clock *clock = &ep->cfg->clock;
	if (SSL_CTX_load_verify_locations(ep->ctx, ep->cfg->creds.ca_file,
	                                  NULL) != 1)
		return ossl_fail(ep, SB_ERR_CREDENTIALS, "loading the CA");
	/* Certificates are checked at the virtual clock's time, as the other
	 * libraries do, not at the wall clock's. */
	X509_VERIFY_PARAM_set_time(
	    SSL_CTX_get0_param(ep->ctx),
	    (time_t)(clock->now_us(clock->ctx) / 1000000u));
	return 0;
}

/* Client context: PSK callback, or trust anchor (and identity if mutual). */
static int ossl_client_ctx(struct ossl_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int rc;
	if (ossl_is_psk(cfg->suite) && cfg->protocol == SB_PROTO_TLS13) {
		SSL_CTX_set_psk_use_session_callback(ep->ctx,
		                                     ossl_psk_use_session_cb);
		return 0;
	}
	if (ossl_is_psk(cfg->suite)) {
		SSL_CTX_set_psk_client_callback(ep->ctx, ossl_psk_client_cb);
		return 0;
	}
	if ((rc = ossl_load_trust(ep)) != 0)
		return rc;
	if (cfg->mutual && (rc = ossl_load_identity(ep)) != 0)
		return rc;
	SSL_CTX_set_verify(ep->ctx, SSL_VERIFY_PEER, NULL);
	return 0;
}

/* Server context: cookies, then PSK callback or identity (and client CA). */
static int ossl_server_ctx(struct ossl_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int rc;
	if (cfg->cookie && ossl_is_dtls(cfg->protocol)) {
		if (RAND_bytes(ep->cookie_secret, sizeof(ep->cookie_secret)) !=
		    1)
			return ossl_fail(ep, SB_ERR_INVALID, "cookie secret");
		SSL_CTX_set_cookie_generate_cb(ep->ctx,
		                               ossl_cookie_generate_cb);
		SSL_CTX_set_cookie_verify_cb(ep->ctx, ossl_cookie_verify_cb);
		SSL_CTX_set_options(ep->ctx, SSL_OP_COOKIE_EXCHANGE);
	}
	if (ossl_is_psk(cfg->suite) && cfg->protocol == SB_PROTO_TLS13) {
		SSL_CTX_set_psk_find_session_callback(ep->ctx,
		                                      ossl_psk_find_session_cb);
		return 0;
	}
	if (ossl_is_psk(cfg->suite)) {
		SSL_CTX_set_psk_server_callback(ep->ctx, ossl_psk_server_cb);
		return 0;
	}
	if ((rc = ossl_load_identity(ep)) != 0)
		return rc;
	if (!cfg->mutual)
		return 0;
	if ((rc = ossl_load_trust(ep)) != 0)
		return rc;
	STACK_OF(X509_NAME) *names =
	    SSL_load_client_CA_file(cfg->creds.ca_file);
	if (!names)
		return ossl_fail(ep, SB_ERR_CREDENTIALS, "reading CA names");
	SSL_CTX_set_client_CA_list(ep->ctx, names);
	SSL_CTX_set_verify(
	    ep->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

/* The connection: the link BIO, the MTU, the role, the server name. */
static int ossl_ssl_setup(struct ossl_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	ep->ssl = SSL_new(ep->ctx);
	BIO *bio = ossl_bio_new(&cfg->io);
	if (!ep->ssl || !bio) {
		BIO_free(bio);
		return ossl_fail(ep, SB_ERR_NOMEM, "SSL_new");
	}
	SSL_set_bio(ep->ssl, bio, bio);
	SSL_set_app_data(ep->ssl, ep);
	/* With SSL_OP_NO_QUERY_MTU the MTU must be set, or the handshake fails.
	 */
	if (ossl_is_dtls(cfg->protocol) &&
	    !SSL_set_mtu(ep->ssl, (long)cfg->mtu))
		return ossl_fail(ep, SB_ERR_MTU, "SSL_set_mtu");
	if (cfg->role == SB_ROLE_SERVER) {
		SSL_set_accept_state(ep->ssl);
		return 0;
	}
	SSL_set_connect_state(ep->ssl);
	if (ossl_is_psk(cfg->suite))
		return 0;
	if (!SSL_set_tlsext_host_name(ep->ssl, cfg->server_name) ||
	    !SSL_set1_host(ep->ssl, cfg->server_name))
		return ossl_fail(ep, SB_ERR_INVALID, "setting the server name");
	return 0;
}

/*
 * Settings this library (or this backend) does not have: the reason, or
 * NULL.  The core makes an `unsupported` row of it.
 */
static const char *ossl_missing_setting(const struct sb_endpoint_config *cfg)
{
	if (cfg->cid_len > 0)
		return "OpenSSL 3.0 has no DTLS Connection ID (RFC 9146; RFC "
		       "9147 9)";
	if (cfg->auth == SB_AUTH_RPK && !sb_kx_uses_psk(cfg->suite->kx))
		return "OpenSSL 3.0 has no raw public keys (RFC 7250 came in "
		       "OpenSSL 3.2)";
	return NULL;
}

/* The one suite, found and set on the connection itself: looking it up
 * needs an SSL, and a throwaway one would be a cost no device pays. */
static int ossl_ssl_suite(struct ossl_endpoint *ep)
{
	uint16_t code = ep->cfg->suite->code_point;
	uint8_t wire[2] = {(uint8_t)(code >> 8), (uint8_t)code};
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ep->ssl, wire);
	if (!cipher)
		return ossl_fail(ep, SB_ERR_UNSUPPORTED, "suite not available");
	if (ep->cfg->protocol == SB_PROTO_TLS13)
		return 0; /* set on the context: SSL_CTX_set_ciphersuites */
	if (!SSL_set_cipher_list(ep->ssl, SSL_CIPHER_get_name(cipher)))
		return ossl_fail(ep, SB_ERR_INVALID, "configuring the suite");
	return 0;
}

static int ossl_endpoint_setup(void *state,
                               const struct sb_endpoint_config *cfg)
{
	struct ossl_endpoint *ep = state;
	ep->cfg = cfg;
	const char *missing = ossl_missing_setting(cfg);
	if (missing) {
		snprintf(ep->error, sizeof(ep->error), "%s", missing);
		return SB_ERR_UNSUPPORTED;
	}
	ossl_clock = cfg->clock;
	ossl_clock_users++;
	ep->clock_held = true;
	if (cfg->deterministic) {
		ossl_rng_hold(cfg);
		ep->rng_held = true;
	}

	bool client = cfg->role == SB_ROLE_CLIENT;
	ep->ctx = SSL_CTX_new(ossl_method(cfg->protocol, cfg->role));
	if (!ep->ctx)
		return ossl_fail(ep, SB_ERR_NOMEM, "SSL_CTX_new");
	int rc = ossl_ctx_common(ep);
	if (rc == 0)
		rc = client ? ossl_client_ctx(ep) : ossl_server_ctx(ep);
	if (rc == 0)
		rc = ossl_ssl_setup(ep);
	if (rc == 0)
		rc = ossl_ssl_suite(ep);
	return rc;
}

/* ---- operations -------------------------------------------------------- */

static int ossl_step(void *state)
{
	struct ossl_endpoint *ep = state;
	if (SSL_is_init_finished(ep->ssl))
		return 0;
	int ret = SSL_do_handshake(ep->ssl);
	if (ret == 1)
		return 0;
	int err = SSL_get_error(ep->ssl, ret);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		/* DTLS: retransmit a flight whose virtual-time deadline passed.
		 */
		if (ossl_is_dtls(ep->cfg->protocol) &&
		    DTLSv1_handle_timeout(ep->ssl) < 0)
			return ossl_fail(ep, SB_ERR_HANDSHAKE,
			                 "retransmission");
		return SB_ERR_WANT_IO;
	}
	return ossl_fail(ep, SB_ERR_HANDSHAKE, "SSL_do_handshake");
}

static int ossl_write(void *state, const uint8_t *buf, size_t len)
{
	struct ossl_endpoint *ep = state;
	if (SSL_write(ep->ssl, buf, (int)len) == (int)len)
		return 0;
	return ossl_fail(ep, SB_ERR_RECORD, "SSL_write");
}

static int ossl_read(void *state, uint8_t *buf, size_t cap)
{
	struct ossl_endpoint *ep = state;
	int n = SSL_read(ep->ssl, buf, (int)cap);
	if (n > 0)
		return n;
	switch (SSL_get_error(ep->ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return SB_ERR_WANT_IO;
	case SSL_ERROR_ZERO_RETURN:
		return ossl_fail(ep, SB_ERR_PEER_CLOSED, "SSL_read");
	default:
		return ossl_fail(ep, SB_ERR_RECORD, "SSL_read");
	}
}

SB_BACKEND_BATCH(ossl)

static uint16_t ossl_negotiated_suite(void *state)
{
	struct ossl_endpoint *ep = state;
	const SSL_CIPHER *cipher = SSL_get_current_cipher(ep->ssl);
	return cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0;
}

static bool ossl_peer_authenticated(void *state)
{
	struct ossl_endpoint *ep = state;
	if (!SSL_is_init_finished(ep->ssl))
		return false;
	/* TLS 1.3: an accepted external PSK is a resumption to OpenSSL; the
	 * binder and Finished proved the peer holds it. */
	if (ossl_is_psk(ep->cfg->suite) && ep->cfg->protocol == SB_PROTO_TLS13)
		return SSL_session_reused(ep->ssl) == 1;
	if (ossl_is_psk(ep->cfg->suite)) {
		/* The Finished messages proved the peer holds the PSK; the
		 * server also checked the identity in its callback. */
		const SSL_CIPHER *c = SSL_get_current_cipher(ep->ssl);
		int kx = c ? SSL_CIPHER_get_kx_nid(c) : NID_undef;
		return kx == NID_kx_psk || kx == NID_kx_ecdhe_psk;
	}
	X509 *peer = SSL_get0_peer_certificate(ep->ssl);
	return peer && SSL_get_verify_result(ep->ssl) == X509_V_OK;
}

static uint64_t ossl_next_timeout_us(void *state)
{
	struct ossl_endpoint *ep = state;
	struct timeval left;
	if (!ep->ssl || !ossl_is_dtls(ep->cfg->protocol) ||
	    DTLSv1_get_timeout(ep->ssl, &left) != 1)
		return 0;
	return ep->cfg->clock.now_us(ep->cfg->clock.ctx) +
	       (uint64_t)left.tv_sec * 1000000u + (uint64_t)left.tv_usec;
}

static const char *ossl_last_error(void *state)
{
	const struct ossl_endpoint *ep = state;
	return ep->error[0] ? ep->error : "no OpenSSL error recorded";
}

/* The caller-owned state OpenSSL needs (backend.h's rule): the secret the
 * cookie callbacks keep, on a DTLS server with cookies.  SSL_CTX, SSL and
 * everything they hold, credentials included, are on OpenSSL's heap. */
static size_t ossl_static_ram(const void *state)
{
	const struct ossl_endpoint *ep = state;
	const struct sb_endpoint_config *cfg = ep->cfg;
	bool cookies = cfg && cfg->role == SB_ROLE_SERVER && cfg->cookie &&
	               ossl_is_dtls(cfg->protocol);
	return cookies ? sizeof(ep->cookie_secret) : 0;
}

static void ossl_endpoint_free(void *state)
{
	struct ossl_endpoint *ep = state;
	SSL_free(ep->ssl);
	ep->ssl = NULL;
	SSL_CTX_free(ep->ctx);
	ep->ctx = NULL;
	if (ep->clock_held) {
		ep->clock_held = false;
		ossl_clock_users--;
	}
	if (ep->rng_held) {
		ep->rng_held = false;
		ossl_rng_release();
	}
}

static const char *ossl_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

const struct sb_backend sb_backend_openssl = {
    .name = "openssl",
    .version = ossl_version,
    .caps = SB_CAP_HEAP_COUNTED,
    .endpoint_size = sizeof(struct ossl_endpoint),
    .supports = ossl_supports,
    .endpoint_setup = ossl_endpoint_setup,
    .step = ossl_step,
    .write = ossl_write,
    .read = ossl_read,
    .write_batch = ossl_write_batch,
    .read_batch = ossl_read_batch,
    .negotiated_suite = ossl_negotiated_suite,
    .peer_authenticated = ossl_peer_authenticated,
    .last_error = ossl_last_error,
    .endpoint_free = ossl_endpoint_free,
    .static_ram = ossl_static_ram,
    .next_timeout_us = ossl_next_timeout_us,
};
