/*
 * mbedtls.c - the Mbed TLS backend (2.28 on Debian 12).
 *
 * Traps handled here (../shared/LIBRARY-NOTES.md): DTLS needs timer
 * callbacks, which read the core's virtual clock; a DTLS server needs
 * cookies configured or switched off explicitly, and after it sends a
 * HelloVerifyRequest the session must be reset and the client's transport
 * id set again.  Debian's build has no MBEDTLS_PLATFORM_MEMORY, so the
 * build links copies of the static archives whose calloc/free references
 * are renamed to sb_mbed_calloc/sb_mbed_free, defined at the end of this
 * file: only Mbed TLS's own allocations are counted.  The same copies
 * rename time() to sb_mbed_time(), so the seconds Mbed TLS puts into its
 * hello randoms and cookies, and checks certificates against, come from
 * the core's virtual clock.  TLS 1.2 runs over the same callbacks, on the
 * link's stream mode.
 *
 * One source, two backends: Debian's library (`mbedtls`), and the IoT
 * build (`mbedtls-iot`, cmake/mbedtls-iot.cmake), compiled against the
 * headers and configuration of scripts/build-mbedtls-iot.sh with
 * SB_MBED_IOT defined and every Mbed TLS symbol renamed (rename.h), so
 * both link into one executable.  What differs between them is chosen
 * once, at the top of the file, from the configuration macros.
 */
#define _GNU_SOURCE
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_cookie.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "backend.h"

#if defined(SB_MBED_IOT)
#define MBED_BACKEND sb_backend_mbedtls_iot
#define MBED_NAME "mbedtls-iot"
#define MBED_BUILD "IoT build of Debian " SB_MBED_IOT
#else
#define MBED_BACKEND sb_backend_mbedtls
#define MBED_NAME "mbedtls"
#define MBED_BUILD "Debian's build"
#endif

/* The clock sb_mbed_time() reads: the core's, set by every endpoint's
 * setup (one run shares one clock). */
static struct sb_clock mbed_clock;

/* The in-memory link has one client, so its "address" is a constant. */
static const unsigned char mbed_transport_id[] = "sb-link-client";

struct mbed_endpoint {
	const struct sb_endpoint_config *cfg;
	bool live; /* the contexts below are initialised */
	bool done; /* the handshake is over */
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_cookie_ctx cookie;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	int suites[2]; /* the one suite offered, 0-terminated */
	/* which of the objects above the library was given (static_ram) */
	bool used_cookie, used_identity, used_trust;
	bool leaf_verified; /* the verify callback passed the peer's leaf */
	bool timer_armed;
	uint64_t timer_int_us; /* virtual-clock deadlines */
	uint64_t timer_fin_us;
	int io_status;     /* the link's last refusal, 0 if none */
	struct sb_rng rng; /* --deterministic: every random byte */
	char error[256];
};

/* ---- errors ------------------------------------------------------------ */

/* Keep the library's own text: mbedtls_strerror, the link's refusal, and
 * the certificate verification flags when there are any. */
static int mbed_fail(struct mbed_endpoint *ep, int status, const char *what,
                     int ret)
{
	char text[128];
	mbedtls_strerror(ret, text, sizeof(text));
	size_t at =
	    (size_t)snprintf(ep->error, sizeof(ep->error), "%s: %s (-0x%04X)",
	                     what, text, (unsigned)-ret);
	if (ep->io_status != 0 && at + 3 < sizeof(ep->error))
		at +=
		    (size_t)snprintf(ep->error + at, sizeof(ep->error) - at,
		                     " (link: %s)", sb_strerror(ep->io_status));
	ep->io_status = 0; /* reported once */
	uint32_t flags = ep->live ? mbedtls_ssl_get_verify_result(&ep->ssl) : 0;
	/* 0: verified; all ones: no verification happened. */
	if (flags == 0 || flags == UINT32_MAX || at + 3 >= sizeof(ep->error))
		return status;
	char info[160];
	if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
		info[0] = '\0';
	/* One line per flag: join them. */
	size_t len = strlen(info);
	while (len > 0 && info[len - 1] == '\n')
		info[--len] = '\0';
	for (char *nl = strchr(info, '\n'); nl; nl = strchr(nl, '\n'))
		*nl = ';';
	snprintf(ep->error + at, sizeof(ep->error) - at, " (certificate: %s)",
	         info);
	return status;
}

/* ---- the link ---------------------------------------------------------- */

/* DTLS: one call, one datagram, as Mbed TLS hands over a whole datagram at
 * once.  TLS: bytes of the stream. */
static int mbed_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct mbed_endpoint *ep = ctx;
	const struct sb_io *io = &ep->cfg->io;
	int rc = io->send(io->ctx, buf, len);
	if (rc != 0) {
		ep->io_status = rc;
		return MBEDTLS_ERR_NET_SEND_FAILED;
	}
	return (int)len;
}

static int mbed_recv(void *ctx, unsigned char *buf, size_t cap)
{
	struct mbed_endpoint *ep = ctx;
	const struct sb_io *io = &ep->cfg->io;
	int len = io->recv(io->ctx, buf, cap);
	if (len == SB_ERR_WANT_IO)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (len < 0) {
		ep->io_status = len;
		return MBEDTLS_ERR_NET_RECV_FAILED;
	}
	return len;
}

/* ---- the virtual clock ------------------------------------------------- */

/*
 * The retransmission timer (mbedtls_ssl_set_timer_t/_get_timer_t): an
 * intermediate and a final delay in ms, 0 to cancel, measured on the
 * core's virtual clock so a run with loss is deterministic.
 */
static void mbed_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
	struct mbed_endpoint *ep = ctx;
	const struct sb_clock *clock = &ep->cfg->clock;
	ep->timer_armed = fin_ms != 0;
	if (!ep->timer_armed)
		return;
	uint64_t now = clock->now_us(clock->ctx);
	ep->timer_int_us = now + (uint64_t)int_ms * 1000u;
	ep->timer_fin_us = now + (uint64_t)fin_ms * 1000u;
}

/* -1 cancelled, 0 running, 1 intermediate delay passed, 2 final passed. */
static int mbed_timer_get(void *ctx)
{
	const struct mbed_endpoint *ep = ctx;
	const struct sb_clock *clock = &ep->cfg->clock;
	if (!ep->timer_armed)
		return -1;
	uint64_t now = clock->now_us(clock->ctx);
	if (now >= ep->timer_fin_us)
		return 2;
	if (now >= ep->timer_int_us)
		return 1;
	return 0;
}

/* ---- Connection ID (RFC 9146), where the build has it ------------------ */

#if defined(MBEDTLS_SSL_DTLS_CONNECTION_ID)
#define MBED_CID_NOTE "; Connection ID"
static const char *const mbed_cid_missing = NULL;

/* Records to this endpoint carry a CID of `len` bytes; a record with
 * another CID is dropped. */
static int mbed_conf_cid(mbedtls_ssl_config *conf, size_t len)
{
	return mbedtls_ssl_conf_cid(conf, len,
	                            MBEDTLS_SSL_UNEXPECTED_CID_IGNORE);
}

/* Ask the peer to put `len` bytes of CID, ours, on what it sends. */
static int mbed_set_cid(mbedtls_ssl_context *ssl, size_t len)
{
	unsigned char cid[MBEDTLS_SSL_CID_IN_LEN_MAX];
	if (len > sizeof(cid))
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	for (size_t i = 0; i < len; i++)
		cid[i] = (unsigned char)(0xc0 + i);
	return mbedtls_ssl_set_cid(ssl, MBEDTLS_SSL_CID_ENABLED, cid, len);
}
#else
#define MBED_CID_NOTE ""
static const char *const mbed_cid_missing =
    "this Mbed TLS 2.28 build has no DTLS Connection ID: Debian's config.h "
    "leaves MBEDTLS_SSL_DTLS_CONNECTION_ID (RFC 9146) off";

static int mbed_conf_cid(mbedtls_ssl_config *conf, size_t len)
{
	(void)conf, (void)len;
	return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}

static int mbed_set_cid(mbedtls_ssl_context *ssl, size_t len)
{
	(void)ssl, (void)len;
	return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}
#endif

/* Session tickets off, where the build has them at all. */
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
static void mbed_conf_no_tickets(mbedtls_ssl_config *conf)
{
	mbedtls_ssl_conf_session_tickets(conf,
	                                 MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
}
#else
static void mbed_conf_no_tickets(mbedtls_ssl_config *conf)
{
	(void)conf;
}
#endif

/* ---- suites ------------------------------------------------------------ */

static bool mbed_is_dtls(enum sb_protocol protocol)
{
	return sb_protocol_is_dtls(protocol);
}

#if defined(SB_MBED_IOT)
#define MBED_SHORT " (IoT build)"
#else
#define MBED_SHORT ""
#endif

/* "Mbed TLS 2.28.3", and which build, for the reasons. */
static const char *mbed_short_version(void)
{
	static char version[48];
	if (!version[0]) {
		char v[32]; /* the function writes at most 18 bytes */
		mbedtls_version_get_string_full(v);
		snprintf(version, sizeof(version), "%.18s%s", v, MBED_SHORT);
	}
	return version;
}

/* The version and what the provenance must know of the build: whose it
 * is and the record buffers it sizes. */
static const char *mbed_version(void)
{
	static char version[200];
	if (!version[0]) {
		char v[32]; /* the function writes at most 18 bytes */
		mbedtls_version_get_string_full(v);
		snprintf(version, sizeof(version),
		         "%s (%s; record buffers in %d, out %d bytes%s)", v,
		         MBED_BUILD, MBEDTLS_SSL_IN_CONTENT_LEN,
		         MBEDTLS_SSL_OUT_CONTENT_LEN, MBED_CID_NOTE);
	}
	return version;
}

static bool mbed_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	(void)role;
	if (!sb_suite_fits(protocol, suite, why))
		return false;
	if (sb_protocol_is_13(protocol)) {
		snprintf(why->text, sizeof(why->text),
		         "%s has no TLS 1.3 or DTLS 1.3 (3.x has TLS 1.3)",
		         mbed_short_version());
		return false;
	}
	/* Mbed TLS numbers its suites by IANA code point. */
	const mbedtls_ssl_ciphersuite_t *info =
	    mbedtls_ssl_ciphersuite_from_id(suite->code_point);
	if (!info) {
		snprintf(why->text, sizeof(why->text),
		         "%s does not implement %s (0x%04X)",
		         mbed_short_version(), suite->iana_name,
		         suite->code_point);
		return false;
	}
	if (mbed_is_dtls(protocol) &&
	    (info->flags & MBEDTLS_CIPHERSUITE_NODTLS)) {
		snprintf(why->text, sizeof(why->text),
		         "%s does not allow %s in DTLS", mbed_short_version(),
		         suite->iana_name);
		return false;
	}
	return true;
}

/* ---- callbacks: PSK ---------------------------------------------------- */

static int mbed_psk_server_cb(void *ctx, mbedtls_ssl_context *ssl,
                              const unsigned char *identity, size_t len)
{
	const struct mbed_endpoint *ep = ctx;
	const struct sb_credentials *c = &ep->cfg->creds;
	if (len != strlen(c->psk_identity) ||
	    memcmp(identity, c->psk_identity, len) != 0)
		return -1; /* the library answers unknown_psk_identity */
	return mbedtls_ssl_set_hs_psk(ssl, c->psk, c->psk_len);
}

/* ---- endpoint set-up --------------------------------------------------- */

/* Only P-256, and only SHA-256 signatures: the OpenSSL backend offers
 * ECDSA+SHA256 alone. */
static const mbedtls_ecp_group_id mbed_curves[] = {MBEDTLS_ECP_DP_SECP256R1,
                                                   MBEDTLS_ECP_DP_NONE};
static const int mbed_sig_hashes[] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE};

static bool mbed_is_psk(const struct sb_suite *suite)
{
	return suite->kx == SB_KX_PSK || suite->kx == SB_KX_ECDHE_PSK;
}

/*
 * Randomness as a device has it: one CTR-DRBG for the process, seeded once
 * (as at boot) from the kernel's generator, the device's hardware RNG --
 * so what an endpoint's setup costs is the library's own work, and Mbed
 * TLS pays no per-endpoint seeding that OpenSSL, whose generator is
 * process-wide too, does not.  Not mbedtls_entropy_func: Debian's build
 * enables HAVEGE, whose mbedtls_entropy_init() alone runs about 14
 * million instructions of timing-dependent loops, a cost no device pays.
 * --deterministic: sb_rng, seeded at each endpoint's setup, gives every
 * byte directly, as the OpenSSL backend's RAND_METHOD does.
 */
static mbedtls_ctr_drbg_context mbed_drbg;
static bool mbed_drbg_seeded;

static int mbed_entropy(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	for (size_t got = 0; got < len;) {
		ssize_t n = getrandom(out + got, len - got, 0);
		if (n < 0)
			return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
		got += (size_t)n;
	}
	return 0;
}

static void mbed_drbg_free(void) __attribute__((destructor));
static void mbed_drbg_free(void)
{
	if (mbed_drbg_seeded)
		mbedtls_ctr_drbg_free(&mbed_drbg);
	mbed_drbg_seeded = false;
}

/* Seed the process's DRBG, once: at the first endpoint, which the runner
 * never measures (it verifies the connection). */
static int mbed_drbg_boot(void)
{
	static const char personal[] = "suitebench-mbedtls";
	if (mbed_drbg_seeded)
		return 0;
	mbedtls_ctr_drbg_init(&mbed_drbg);
	int ret = mbedtls_ctr_drbg_seed(&mbed_drbg, mbed_entropy, NULL,
	                                (const unsigned char *)personal,
	                                sizeof(personal) - 1);
	if (ret != 0) {
		mbedtls_ctr_drbg_free(&mbed_drbg);
		return ret;
	}
	mbed_drbg_seeded = true;
	return 0;
}

static int mbed_rng_deterministic(void *ctx, unsigned char *out, size_t len)
{
	struct mbed_endpoint *ep = ctx;
	sb_rng_fill(&ep->rng, out, len);
	return 0;
}

/* The random generator and its context for this endpoint. */
static int mbed_rng(struct mbed_endpoint *ep,
                    int (**f_rng)(void *, unsigned char *, size_t),
                    void **p_rng)
{
	if (ep->cfg->deterministic) {
		*f_rng = mbed_rng_deterministic;
		*p_rng = ep;
		return 0;
	}
	*f_rng = mbedtls_ctr_drbg_random;
	*p_rng = &mbed_drbg;
	return mbed_drbg_boot();
}

static int mbed_conf_common(struct mbed_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	mbedtls_ssl_config *conf = &ep->conf;
	int (*f_rng)(void *, unsigned char *, size_t);
	void *p_rng;
	int ret = mbed_rng(ep, &f_rng, &p_rng);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_INVALID, "seeding the DRBG", ret);
	if (!mbedtls_ssl_ciphersuite_from_id(cfg->suite->code_point))
		return mbed_fail(ep, SB_ERR_UNSUPPORTED, "suite not available",
		                 MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
	ret = mbedtls_ssl_config_defaults(
	    conf,
	    cfg->role == SB_ROLE_CLIENT ? MBEDTLS_SSL_IS_CLIENT
	                                : MBEDTLS_SSL_IS_SERVER,
	    mbed_is_dtls(cfg->protocol) ? MBEDTLS_SSL_TRANSPORT_DATAGRAM
	                                : MBEDTLS_SSL_TRANSPORT_STREAM,
	    MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_INVALID, "configuring", ret);
	mbedtls_ssl_conf_rng(conf, f_rng, p_rng);
	/* (D)TLS 1.2 only; one suite, one curve, one hash, no tickets. */
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	ep->suites[0] = cfg->suite->code_point;
	ep->suites[1] = 0;
	mbedtls_ssl_conf_ciphersuites(conf, ep->suites);
	mbedtls_ssl_conf_curves(conf, mbed_curves);
	mbedtls_ssl_conf_sig_hashes(conf, mbed_sig_hashes);
	mbed_conf_no_tickets(conf);
	/* No session cache, as for every library (the default; said here). */
	mbedtls_ssl_conf_session_cache(conf, NULL, NULL, NULL);
	mbedtls_ssl_conf_dtls_anti_replay(conf,
	                                  MBEDTLS_SSL_ANTI_REPLAY_ENABLED);
	if (cfg->cid_len > 0 && (ret = mbed_conf_cid(conf, cfg->cid_len)) != 0)
		return mbed_fail(ep, SB_ERR_INVALID, "Connection ID", ret);
	return 0;
}

/* This endpoint's certificate and key, as the library loads them. */
static int mbed_load_identity(struct mbed_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	int ret = mbedtls_x509_crt_parse_file(&ep->cert, c->cert_file);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_CREDENTIALS, "loading certificate",
		                 ret);
	ret = mbedtls_pk_parse_keyfile(&ep->key, c->key_file, NULL);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_CREDENTIALS, "loading key", ret);
	ret = mbedtls_pk_check_pair(&ep->cert.pk, &ep->key);
	if (ret == 0)
		ret = mbedtls_ssl_conf_own_cert(&ep->conf, &ep->cert, &ep->key);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_CREDENTIALS, "loading certificate",
		                 ret);
	ep->used_identity = true;
	return 0;
}

/* Called for every certificate of the peer's chain, the leaf (depth 0)
 * last, with the flags the library found for it. */
static int mbed_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth,
                          uint32_t *flags)
{
	struct mbed_endpoint *ep = ctx;
	(void)crt;
	if (depth == 0)
		ep->leaf_verified = *flags == 0;
	return 0;
}

/* The trust anchor, and verification of the peer required. */
static int mbed_load_trust(struct mbed_endpoint *ep)
{
	int ret = mbedtls_x509_crt_parse_file(&ep->ca, ep->cfg->creds.ca_file);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_CREDENTIALS, "loading the CA", ret);
	mbedtls_ssl_conf_ca_chain(&ep->conf, &ep->ca, NULL);
	mbedtls_ssl_conf_authmode(&ep->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_verify(&ep->conf, mbed_verify_cb, ep);
	ep->used_trust = true;
	return 0;
}

/* Client: the PSK and its identity, or trust anchor (and identity if mutual).
 */
static int mbed_client_conf(struct mbed_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	const struct sb_credentials *c = &cfg->creds;
	int rc;
	if (mbed_is_psk(cfg->suite)) {
		int ret =
		    mbedtls_ssl_conf_psk(&ep->conf, c->psk, c->psk_len,
		                         (const unsigned char *)c->psk_identity,
		                         strlen(c->psk_identity));
		if (ret != 0)
			return mbed_fail(ep, SB_ERR_CREDENTIALS,
			                 "setting the PSK", ret);
		return 0;
	}
	if ((rc = mbed_load_trust(ep)) != 0)
		return rc;
	if (cfg->mutual && (rc = mbed_load_identity(ep)) != 0)
		return rc;
	return 0;
}

/*
 * DTLS server: the HelloVerifyRequest cookie (a MAC over the client's
 * transport id under a server secret), or none.  The defaults refuse
 * every ClientHello, so "none" must be said explicitly.
 */
static int mbed_server_cookies(struct mbed_endpoint *ep)
{
	if (!ep->cfg->cookie) {
		mbedtls_ssl_conf_dtls_cookies(&ep->conf, NULL, NULL, NULL);
		return 0;
	}
	int (*f_rng)(void *, unsigned char *, size_t);
	void *p_rng;
	int ret = mbed_rng(ep, &f_rng, &p_rng);
	if (ret == 0)
		ret = mbedtls_ssl_cookie_setup(&ep->cookie, f_rng, p_rng);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_INVALID, "cookie secret", ret);
	mbedtls_ssl_conf_dtls_cookies(&ep->conf, mbedtls_ssl_cookie_write,
	                              mbedtls_ssl_cookie_check, &ep->cookie);
	ep->used_cookie = true;
	return 0;
}

/* Server: cookies, then PSK callback or identity (and client CA). */
static int mbed_server_conf(struct mbed_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int rc;
	if (mbed_is_dtls(cfg->protocol) && (rc = mbed_server_cookies(ep)) != 0)
		return rc;
	if (mbed_is_psk(cfg->suite)) {
		/* No identity hint: the callback checks the identity. */
		mbedtls_ssl_conf_psk_cb(&ep->conf, mbed_psk_server_cb, ep);
		return 0;
	}
	if ((rc = mbed_load_identity(ep)) != 0)
		return rc;
	if (cfg->mutual && (rc = mbed_load_trust(ep)) != 0)
		return rc;
	return 0;
}

/* The client's "address" the server's cookie is bound to. */
static int mbed_set_transport_id(struct mbed_endpoint *ep)
{
	return mbedtls_ssl_set_client_transport_id(
	    &ep->ssl, mbed_transport_id, sizeof(mbed_transport_id) - 1);
}

/* The connection: the link, the timer, the MTU, the server name. */
static int mbed_ssl_setup(struct mbed_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	int ret = mbedtls_ssl_setup(&ep->ssl, &ep->conf);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_NOMEM, "mbedtls_ssl_setup", ret);
	mbedtls_ssl_set_bio(&ep->ssl, ep, mbed_send, mbed_recv, NULL);
	bool dtls = mbed_is_dtls(cfg->protocol);
	if (dtls) {
		/* Without a timer a DTLS handshake fails with bad input. */
		mbedtls_ssl_set_timer_cb(&ep->ssl, ep, mbed_timer_set,
		                         mbed_timer_get);
		if (cfg->mtu > UINT16_MAX)
			return mbed_fail(ep, SB_ERR_MTU, "MTU",
			                 MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
		mbedtls_ssl_set_mtu(&ep->ssl, (uint16_t)cfg->mtu);
		if (cfg->cid_len > 0 &&
		    (ret = mbed_set_cid(&ep->ssl, cfg->cid_len)) != 0)
			return mbed_fail(ep, SB_ERR_INVALID, "Connection ID",
			                 ret);
	}
	if (cfg->role == SB_ROLE_SERVER) {
		if (dtls && cfg->cookie &&
		    (ret = mbed_set_transport_id(ep)) != 0)
			return mbed_fail(ep, SB_ERR_INVALID, "transport id",
			                 ret);
		return 0;
	}
	if (mbed_is_psk(cfg->suite))
		return 0;
	/* SNI and the name the certificate must carry, in one call. */
	ret = mbedtls_ssl_set_hostname(&ep->ssl, cfg->server_name);
	if (ret != 0)
		return mbed_fail(ep, SB_ERR_INVALID, "setting the server name",
		                 ret);
	return 0;
}

/*
 * Settings this library (or this backend) does not have: the reason, or
 * NULL.  The core makes an `unsupported` row of it.
 */
static const char *mbed_missing_setting(const struct sb_endpoint_config *cfg)
{
	if (cfg->cid_len > 0 && mbed_cid_missing)
		return mbed_cid_missing;
	if (cfg->cid_len > 0 && !sb_protocol_is_dtls(cfg->protocol))
		return "a Connection ID is DTLS only";
	if (cfg->auth == SB_AUTH_RPK && !sb_kx_uses_psk(cfg->suite->kx))
		return "Mbed TLS 2.28 has no raw public keys (RFC 7250)";
	return NULL;
}

static int mbed_endpoint_setup(void *state,
                               const struct sb_endpoint_config *cfg)
{
	struct mbed_endpoint *ep = state;
	ep->cfg = cfg;
	const char *missing = mbed_missing_setting(cfg);
	if (missing) {
		snprintf(ep->error, sizeof(ep->error), "%s", missing);
		return SB_ERR_UNSUPPORTED;
	}
	mbed_clock = cfg->clock;
	sb_rng_seed(&ep->rng, cfg->seed, (uint64_t)cfg->role);
	mbedtls_ssl_config_init(&ep->conf);
	mbedtls_ssl_init(&ep->ssl);
	mbedtls_ssl_cookie_init(&ep->cookie);
	mbedtls_x509_crt_init(&ep->ca);
	mbedtls_x509_crt_init(&ep->cert);
	mbedtls_pk_init(&ep->key);
	ep->live = true;

	int rc = mbed_conf_common(ep);
	if (rc == 0)
		rc = cfg->role == SB_ROLE_CLIENT ? mbed_client_conf(ep)
		                                 : mbed_server_conf(ep);
	if (rc == 0)
		rc = mbed_ssl_setup(ep);
	return rc;
}

/* ---- operations -------------------------------------------------------- */

static int mbed_step(void *state)
{
	struct mbed_endpoint *ep = state;
	if (ep->done)
		return 0;
	/* Also retransmits a flight whose virtual-time deadline passed. */
	int ret = mbedtls_ssl_handshake(&ep->ssl);
	switch (ret) {
	case 0:
		ep->done = true;
		return 0;
	case MBEDTLS_ERR_SSL_WANT_READ:
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return SB_ERR_WANT_IO;
	case MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED:
		/* The HelloVerifyRequest is out: keep no state until the
		 * ClientHello that returns the cookie (RFC 6347 4.2.1). */
		ret = mbedtls_ssl_session_reset(&ep->ssl);
		if (ret == 0)
			ret = mbed_set_transport_id(ep);
		if (ret != 0)
			return mbed_fail(ep, SB_ERR_HANDSHAKE,
			                 "resetting after the cookie", ret);
		return SB_ERR_WANT_IO;
	default:
		return mbed_fail(ep, SB_ERR_HANDSHAKE, "mbedtls_ssl_handshake",
		                 ret);
	}
}

static int mbed_write(void *state, const uint8_t *buf, size_t len)
{
	struct mbed_endpoint *ep = state;
	int ret = mbedtls_ssl_write(&ep->ssl, buf, len);
	if (ret >= 0 && (size_t)ret == len)
		return 0;
	/* A short write would split the record: a failure here. */
	return mbed_fail(ep, SB_ERR_RECORD, "mbedtls_ssl_write",
	                 ret < 0 ? ret : MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
}

static int mbed_read(void *state, uint8_t *buf, size_t cap)
{
	struct mbed_endpoint *ep = state;
	/* DTLS drops a record failing authentication silently (RFC 6347
	 * 4.1.2.7, the library's default): it reads as WANT_READ.  TLS
	 * answers bad_record_mac and fails the read. */
	int n = mbedtls_ssl_read(&ep->ssl, buf, cap);
	if (n > 0)
		return n;
	switch (n) {
	case MBEDTLS_ERR_SSL_WANT_READ:
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return SB_ERR_WANT_IO;
	case 0:
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		return mbed_fail(ep, SB_ERR_PEER_CLOSED, "mbedtls_ssl_read",
		                 MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
	default:
		return mbed_fail(ep, SB_ERR_RECORD, "mbedtls_ssl_read", n);
	}
}

SB_BACKEND_BATCH(mbed)

static uint16_t mbed_negotiated_suite(void *state)
{
	struct mbed_endpoint *ep = state;
	const char *name =
	    ep->live ? mbedtls_ssl_get_ciphersuite(&ep->ssl) : NULL;
	int id = name ? mbedtls_ssl_get_ciphersuite_id(name) : 0;
	return (uint16_t)id;
}

static bool mbed_peer_authenticated(void *state)
{
	struct mbed_endpoint *ep = state;
	if (!ep->done)
		return false;
	const mbedtls_ssl_ciphersuite_t *info =
	    mbedtls_ssl_ciphersuite_from_id(mbed_negotiated_suite(ep));
	if (!info)
		return false;
	/* The Finished messages proved the peer holds the PSK; the server
	 * also checked the identity in its callback. */
	if (mbedtls_ssl_ciphersuite_uses_psk(info))
		return true;
	/* The peer's certificate is not kept after the handshake in a
	 * device build (no MBEDTLS_SSL_KEEP_PEER_CERTIFICATE): the verify
	 * callback saw the leaf pass, and the chain's result is clean. */
	return ep->leaf_verified &&
	       mbedtls_ssl_get_verify_result(&ep->ssl) == 0;
}

/* The retransmission deadline the timer callbacks were given. */
static uint64_t mbed_next_timeout_us(void *state)
{
	const struct mbed_endpoint *ep = state;
	return ep->timer_armed ? ep->timer_fin_us : 0;
}

static const char *mbed_last_error(void *state)
{
	const struct mbed_endpoint *ep = state;
	return ep->error[0] ? ep->error : "no Mbed TLS error recorded";
}

static void mbed_endpoint_free(void *state)
{
	struct mbed_endpoint *ep = state;
	if (!ep->live)
		return;
	ep->live = false;
	ep->done = false;
	mbedtls_ssl_free(&ep->ssl);
	mbedtls_ssl_config_free(&ep->conf);
	mbedtls_ssl_cookie_free(&ep->cookie);
	mbedtls_x509_crt_free(&ep->ca);
	mbedtls_x509_crt_free(&ep->cert);
	mbedtls_pk_free(&ep->key);
}

/* The library's objects the caller declares (backend.h's rule): the
 * configuration, the context and the suite list always; the cookie
 * context, the own certificate and key, and the trust anchor's chain
 * object when the library was given them.  What they point to -- parsed
 * certificates and keys, record buffers -- is on the library's heap. */
static size_t mbed_static_ram(const void *state)
{
	const struct mbed_endpoint *ep = state;
	size_t bytes = sizeof(ep->conf) + sizeof(ep->ssl) + sizeof(ep->suites);
	if (ep->used_cookie)
		bytes += sizeof(ep->cookie);
	if (ep->used_identity)
		bytes += sizeof(ep->cert) + sizeof(ep->key);
	if (ep->used_trust)
		bytes += sizeof(ep->ca);
	return bytes;
}

/* The most one write may carry: the record buffer of the build, or what
 * fits the MTU. */
static size_t mbed_max_payload(void *state)
{
	struct mbed_endpoint *ep = state;
	int max = mbedtls_ssl_get_max_out_record_payload(&ep->ssl);
	return max > 0 ? (size_t)max : 0;
}

const struct sb_backend MBED_BACKEND = {
    .name = MBED_NAME,
    .version = mbed_version,
    .caps = SB_CAP_HEAP_COUNTED,
    .endpoint_size = sizeof(struct mbed_endpoint),
    .supports = mbed_supports,
    .endpoint_setup = mbed_endpoint_setup,
    .step = mbed_step,
    .write = mbed_write,
    .read = mbed_read,
    .write_batch = mbed_write_batch,
    .read_batch = mbed_read_batch,
    .negotiated_suite = mbed_negotiated_suite,
    .peer_authenticated = mbed_peer_authenticated,
    .last_error = mbed_last_error,
    .endpoint_free = mbed_endpoint_free,
    .static_ram = mbed_static_ram,
    .next_timeout_us = mbed_next_timeout_us,
    .max_payload = mbed_max_payload,
};

/* ---- heap accounting --------------------------------------------------- */

/*
 * The build renames every calloc/free reference in Mbed TLS's archives to
 * these two (objcopy --redefine-sym, CMakeLists.txt), so they see exactly
 * the library's own blocks, reported with their requests (backend.h).
 * They jump through a pointer chosen at the library's first allocation:
 * in a process that counts the heap, to the counting versions; in one
 * that times, straight to the C library's calloc and free, so that no
 * accounting code runs -- the pointer takes the place of the PLT jump an
 * unrenamed archive makes.
 */
time_t sb_mbed_time(time_t *out);
void *sb_mbed_calloc(size_t n, size_t size);
void sb_mbed_free(void *p);

static void *mbed_calloc_counted(size_t n, size_t size)
{
	void *p = calloc(n, size);
	sb_heap_note_alloc((uintptr_t)p,
	                   n * size); /* calloc checked n * size */
	return p;
}

static void mbed_free_counted(void *p)
{
	sb_heap_note_free((uintptr_t)p);
	free(p);
}

static void *mbed_calloc_first(size_t n, size_t size);
static void mbed_free_first(void *p);
static void *(*mbed_calloc_fn)(size_t, size_t) = mbed_calloc_first;
static void (*mbed_free_fn)(void *) = mbed_free_first;

static void mbed_choose_allocator(void)
{
	bool counted = sb_heap_hooks_on();
	mbed_calloc_fn = counted ? mbed_calloc_counted : calloc;
	mbed_free_fn = counted ? mbed_free_counted : free;
}

static void *mbed_calloc_first(size_t n, size_t size)
{
	mbed_choose_allocator();
	return mbed_calloc_fn(n, size);
}

static void mbed_free_first(void *p)
{
	mbed_choose_allocator();
	mbed_free_fn(p);
}

void *sb_mbed_calloc(size_t n, size_t size)
{
	return mbed_calloc_fn(n, size);
}

void sb_mbed_free(void *p)
{
	mbed_free_fn(p);
}

/* Mbed TLS's time(), renamed in its archives (see the file comment). */
time_t sb_mbed_time(time_t *out)
{
	time_t now =
	    mbed_clock.now_us
	        ? (time_t)(mbed_clock.now_us(mbed_clock.ctx) / 1000000u)
	        : time(NULL);
	if (out)
		*out = now;
	return now;
}
