/*
 * gnutls.c - the GnuTLS backend (libgnutls 3.7.9 on Debian 12): DTLS 1.2,
 * TLS 1.2 and TLS 1.3; GnuTLS has no DTLS 1.3.
 *
 * One suite through a priority string that enables exactly that suite,
 * built from the library's own names for the code point's key exchange
 * (in TLS 1.3 the PSK mode), cipher and MAC (gtls_priority), with P-256
 * as the only group, ECDSA with SHA-256 (and, for ECDHE-RSA, RSA
 * PKCS#1 v1.5 in 1.2, RSA-PSS in 1.3) as the only signatures, and no
 * session tickets.  I/O goes through the link by
 * GnuTLS's transport push/pull callbacks; DTLS HelloVerifyRequest cookies
 * are the stateless exchange of GnuTLS's DTLS server example, driven
 * inside the server endpoint's step().
 *
 * What GnuTLS 3.7 offers no hook for, and how this file answers it
 * (../shared/LIBRARY-NOTES.md):
 *
 * - Time: gnutls_global_set_time_function() sets the seconds clock
 *   (certificate validity), but DTLS retransmission timers read a second
 *   function, settable only through _gnutls_global_set_gettime_function(),
 *   a symbol of version GNUTLS_PRIVATE_3_4 -- the hook GnuTLS's own test
 *   suite uses (tests/virt-time.h).  CMake checks that it links.  Both are
 *   process-wide: they read the clock of the endpoint whose call runs.
 * - Heap: gnutls_global_set_mem_functions() does nothing since 3.3, and
 *   the library calls malloc directly.  SB_CAP_HEAP_INTERPOSED asks the
 *   core for its malloc interposition (heap_interpose.h), which counts
 *   while the core's charged calls into this backend run, so the figure
 *   includes nettle's, GMP's, libtasn1's and libc's blocks allocated on
 *   GnuTLS's behalf.  This file does nothing for it.
 * - Randomness: there is no generator override.  libgnutls calls its own
 *   exported gnutls_rnd() through its PLT, so a gnutls_rnd() defined here
 *   interposes every draw; under --deterministic it serves sb_rng bytes
 *   while a deterministic endpoint's call runs, and otherwise forwards to
 *   the library's generator.
 *
 * Raw public keys (RFC 7250, GnuTLS 3.6.6+): GNUTLS_ENABLE_RAWPK at
 * gnutls_init, +CTYPE-SRV-RAWPK (and with --mutual +CTYPE-CLI-RAWPK) in
 * place of +CTYPE-X509, and the own key by
 * gnutls_certificate_set_rawpk_key_file.  GnuTLS verifies no raw key (it
 * has nothing to chain it to), so a session verify function compares the
 * peer's SubjectPublicKeyInfo with the pinned one byte for byte and fails
 * the handshake on a mismatch.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "backend.h"

/* The largest datagram the link can carry (a UDP payload). */
#define GTLS_DATAGRAM_MAX 65535u
#define GTLS_PRIORITY_MAX 256
/* RFC 6347 4.2.4.1: 1 s initial retransmission timeout; GnuTLS's default
 * total of 60 s, said explicitly. */
#define GTLS_RETRANS_MS 1000u
#define GTLS_TOTAL_MS 60000u

/* Heap figures need the tool's malloc interposition, which sanitizer
 * builds leave out (CMake defines SB_HEAP_INTERPOSITION where it is
 * built): without it this backend claims no heap figures at all. */
#ifdef SB_HEAP_INTERPOSITION
#define GTLS_CAPS (SB_CAP_HEAP_COUNTED | SB_CAP_HEAP_INTERPOSED)
#else
#define GTLS_CAPS 0u
#endif

/* The private setter of the DTLS timers' clock (see the file comment). */
typedef void (*gtls_gettime_func)(struct timespec *);
void _gnutls_global_set_gettime_function(gtls_gettime_func gettime_func);

struct gtls_endpoint {
	const struct sb_endpoint_config *cfg;
	bool live; /* the objects below are allocated */
	bool done; /* the handshake completed */
	gnutls_session_t session;
	gnutls_priority_t priority;
	gnutls_certificate_credentials_t cert;
	gnutls_psk_client_credentials_t psk_client;
	gnutls_psk_server_credentials_t psk_server;
	/* DTLS server with cookies: the HelloVerifyRequest key, and whether a
	 * ClientHello has returned a valid cookie yet. */
	gnutls_datum_t cookie_key;
	bool cookie_passed;
	/* SB_AUTH_RPK: the peer's pinned SubjectPublicKeyInfo, DER, and
	 * whether the verify function refused the key the peer sent. */
	gnutls_datum_t pin;
	bool pin_refused;
	struct sb_rng rng; /* --deterministic: every random byte */
	int io_status;     /* the link's last refusal, 0 if none */
	char error[256];
	/* A datagram (DTLS) or bytes (TLS) taken from the link ahead of
	 * GnuTLS's pull: by pull_timeout, which must say whether data is
	 * there, and by the cookie check, which reads the ClientHello before
	 * the session does. */
	size_t held_len, held_at;
	uint8_t held[GTLS_DATAGRAM_MAX];
	uint8_t out[GTLS_DATAGRAM_MAX]; /* one gathered DTLS datagram */
};

/* ---- the endpoint whose call runs --------------------------------------- */

/*
 * The process-wide hooks (time, randomness) act for the endpoint whose
 * operation runs; every operation enters and leaves.
 */
static struct gtls_endpoint *gtls_active;

static struct gtls_endpoint *gtls_enter(struct gtls_endpoint *ep)
{
	struct gtls_endpoint *outer = gtls_active;
	gtls_active = ep;
	return outer;
}

static void gtls_leave(struct gtls_endpoint *outer)
{
	gtls_active = outer;
}

/* ---- the virtual clock -------------------------------------------------- */

static uint64_t gtls_now_us(void)
{
	if (gtls_active) {
		const struct sb_clock *clock = &gtls_active->cfg->clock;
		return clock->now_us(clock->ctx);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Seconds: certificate validity and whatever else GnuTLS dates. */
static time_t gtls_time(time_t *out)
{
	time_t now = (time_t)(gtls_now_us() / 1000000u);
	if (out)
		*out = now;
	return now;
}

/* The DTLS retransmission and handshake timers' clock. */
static void gtls_gettime(struct timespec *ts)
{
	uint64_t us = gtls_now_us();
	ts->tv_sec = (time_t)(us / 1000000u);
	ts->tv_nsec = (long)(us % 1000000u) * 1000;
}

/* ---- deterministic randomness ------------------------------------------- */

typedef int (*gtls_rnd_func)(gnutls_rnd_level_t, void *, size_t);

/* The library's own gnutls_rnd, behind the definition below. */
static gtls_rnd_func gtls_library_rnd(void)
{
	static gtls_rnd_func next;
	if (!next)
		next = (gtls_rnd_func)dlvsym(RTLD_NEXT, "gnutls_rnd",
		                             "GNUTLS_3_4");
	return next;
}

/*
 * Interposes libgnutls's gnutls_rnd (see the file comment): hello
 * randoms, session IDs, ECDHE keys, ECDSA nonces and the cookie key all
 * come through here.  NOT secure under --deterministic: benchmarks only.
 */
int gnutls_rnd(gnutls_rnd_level_t level, void *data, size_t len)
{
	if (gtls_active && gtls_active->cfg->deterministic) {
		sb_rng_fill(&gtls_active->rng, data, len);
		return 0;
	}
	gtls_rnd_func next = gtls_library_rnd();
	return next ? next(level, data, len) : GNUTLS_E_RANDOM_FAILED;
}

/* ---- errors ------------------------------------------------------------- */

static int gtls_fail(struct gtls_endpoint *ep, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int gtls_fail(struct gtls_endpoint *ep, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ep->error, sizeof(ep->error), fmt, ap);
	va_end(ap);
	return status;
}

/*
 * The library's text for `ret`: gnutls_strerror, the alert received,
 * the link's refusal, and the certificate verification status.
 */
static int gtls_fail_ret(struct gtls_endpoint *ep, int status, const char *what,
                         int ret)
{
	size_t at =
	    (size_t)snprintf(ep->error, sizeof(ep->error), "%s: %s (%s)", what,
	                     gnutls_strerror(ret), gnutls_strerror_name(ret));
	if ((ret == GNUTLS_E_FATAL_ALERT_RECEIVED ||
	     ret == GNUTLS_E_WARNING_ALERT_RECEIVED) &&
	    ep->session && at + 3 < sizeof(ep->error))
		at += (size_t)snprintf(
		    ep->error + at, sizeof(ep->error) - at, " (alert %s)",
		    gnutls_alert_get_name(gnutls_alert_get(ep->session)));
	if (ep->io_status != 0 && at + 3 < sizeof(ep->error))
		at +=
		    (size_t)snprintf(ep->error + at, sizeof(ep->error) - at,
		                     " (link: %s)", sb_strerror(ep->io_status));
	ep->io_status = 0; /* reported once */
	if (ret == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR && ep->session &&
	    at + 3 < sizeof(ep->error)) {
		unsigned st =
		    gnutls_session_get_verify_cert_status(ep->session);
		gnutls_datum_t text = {NULL, 0};
		if (gnutls_certificate_verification_status_print(
		        st, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(ep->error + at, sizeof(ep->error) - at,
			         " (certificate: %s)", (const char *)text.data);
			gnutls_free(text.data);
		}
	}
	if (ret == GNUTLS_E_CERTIFICATE_ERROR && ep->pin_refused &&
	    at + 3 < sizeof(ep->error))
		snprintf(ep->error + at, sizeof(ep->error) - at,
		         " (the peer's raw public key is not the pinned one: "
		         "%s)",
		         ep->cfg->creds.peer_key_file);
	return status;
}

/* ---- the link ----------------------------------------------------------- */

static bool gtls_is_dtls(enum sb_protocol protocol)
{
	return protocol == SB_PROTO_DTLS12;
}

static int gtls_link_send(struct gtls_endpoint *ep, const void *buf, size_t len)
{
	const struct sb_io *io = &ep->cfg->io;
	return io->send(io->ctx, buf, len);
}

static int gtls_link_recv(struct gtls_endpoint *ep, void *buf, size_t cap)
{
	const struct sb_io *io = &ep->cfg->io;
	return io->recv(io->ctx, buf, cap);
}

/* A refusal by the link, as the errno GnuTLS expects of its transport. */
static ssize_t gtls_io_errno(struct gtls_endpoint *ep, int rc)
{
	int err = rc == SB_ERR_WANT_IO ? EAGAIN
	          : rc == SB_ERR_MTU   ? EMSGSIZE
	                               : EIO;
	if (rc != SB_ERR_WANT_IO)
		ep->io_status = rc;
	if (ep->session)
		gnutls_transport_set_errno(ep->session, err);
	errno = err; /* the cookie exchange runs before any session */
	return -1;
}

/* DTLS: one call, one datagram.  TLS: bytes of the stream. */
static ssize_t gtls_push(gnutls_transport_ptr_t ptr, const void *data,
                         size_t len)
{
	struct gtls_endpoint *ep = ptr;
	int rc = gtls_link_send(ep, data, len);
	return rc ? gtls_io_errno(ep, rc) : (ssize_t)len;
}

/* A writev: for DTLS the pieces of one datagram, gathered. */
static ssize_t gtls_vec_push(gnutls_transport_ptr_t ptr, const giovec_t *iov,
                             int iovcnt)
{
	struct gtls_endpoint *ep = ptr;
	if (iovcnt == 1)
		return gtls_push(ptr, iov[0].iov_base, iov[0].iov_len);
	size_t len = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > sizeof(ep->out) - len)
			return gtls_io_errno(ep, SB_ERR_MTU);
		memcpy(ep->out + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return gtls_push(ptr, ep->out, len);
}

/* What was taken ahead first (a datagram whole), then the link. */
static ssize_t gtls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t cap)
{
	struct gtls_endpoint *ep = ptr;
	if (ep->held_len > 0) {
		size_t n = ep->held_len - ep->held_at;
		if (n > cap)
			n = cap;
		memcpy(buf, ep->held + ep->held_at, n);
		ep->held_at += n;
		/* A datagram is consumed whole, even if it did not fit. */
		if (gtls_is_dtls(ep->cfg->protocol) ||
		    ep->held_at == ep->held_len)
			ep->held_len = ep->held_at = 0;
		return (ssize_t)n;
	}
	int n = gtls_link_recv(ep, buf, cap);
	return n < 0 ? gtls_io_errno(ep, n) : n;
}

/* Take the next datagram (or bytes) off the link into `held`: 1 when
 * there is one, 0 when the link is empty, -1 on an error. */
static int gtls_take_ahead(struct gtls_endpoint *ep)
{
	if (ep->held_len > 0)
		return 1;
	int n = gtls_link_recv(ep, ep->held, sizeof(ep->held));
	if (n == SB_ERR_WANT_IO)
		return 0;
	if (n < 0) {
		gtls_io_errno(ep, n);
		return -1;
	}
	ep->held_len = (size_t)n;
	ep->held_at = 0;
	return n > 0 ? 1 : 0;
}

/*
 * Whether data waits; GnuTLS asks before every DTLS read.  Non-blocking,
 * so `ms` is never waited: an empty link answers "timed out" at once and
 * GnuTLS checks its retransmission timer against the virtual clock.
 */
static int gtls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	(void)ms;
	return gtls_take_ahead(ptr);
}

/* ---- suites ------------------------------------------------------------- */

/* The library's key exchange, cipher and MAC for a code point. */
struct gtls_suite {
	const char *name;
	gnutls_kx_algorithm_t kx;
	gnutls_cipher_algorithm_t cipher;
	gnutls_mac_algorithm_t mac;
};

/*
 * The library's entry for `code_point`.  TLS 1.2 entries name their key
 * exchange; TLS 1.3 entries (RFC 8446 B.4) have GNUTLS_KX_UNKNOWN, so
 * `tls13` says which kind to look for.
 */
static bool gtls_suite_find(uint16_t code_point, bool tls13,
                            struct gtls_suite *out)
{
	for (size_t i = 0;; i++) {
		unsigned char id[2];
		gnutls_protocol_t min;
		const char *name = gnutls_cipher_suite_info(
		    i, id, &out->kx, &out->cipher, &out->mac, &min);
		if (!name)
			return false;
		if ((uint16_t)(id[0] << 8 | id[1]) == code_point &&
		    (out->kx == GNUTLS_KX_UNKNOWN) == tls13) {
			out->name = name;
			return true;
		}
	}
}

static bool gtls_is_psk(enum sb_kx kx)
{
	return kx == SB_KX_PSK || kx == SB_KX_ECDHE_PSK;
}

/*
 * The library's key exchange for a row.  In TLS 1.3 GnuTLS reads the
 * same names in the priority string as the PSK modes (RFC 8446 4.2.9):
 * PSK is psk_ke, ECDHE-PSK psk_dhe_ke; and gnutls_kx_get() reports them
 * back, with ECDHE-ECDSA or ECDHE-RSA for a certificate handshake.
 */
static gnutls_kx_algorithm_t gtls_kx(enum sb_kx kx)
{
	switch (kx) {
	case SB_KX_PSK:
		return GNUTLS_KX_PSK;
	case SB_KX_ECDHE_PSK:
		return GNUTLS_KX_ECDHE_PSK;
	case SB_KX_ECDHE_ECDSA:
		return GNUTLS_KX_ECDHE_ECDSA;
	case SB_KX_ECDHE_RSA:
		return GNUTLS_KX_ECDHE_RSA;
	}
	return GNUTLS_KX_UNKNOWN;
}

/*
 * The signature algorithms offered.  (D)TLS 1.2: ECDSA-SHA256 (the
 * TLS 1.3 scheme SIGN-ECDSA-SECP256R1-SHA256 is useless there); ECDHE-RSA
 * adds RSA PKCS#1 v1.5 with SHA-256 and keeps ECDSA, because the RSA leaf
 * is signed by the ECDSA CA and RFC 5246 7.4.2 wants every certificate's
 * signature offered.  TLS 1.3 signs with RSA-PSS only (RFC 8446 4.2.3),
 * and its ECDSA scheme names the curve.
 */
static const char *gtls_signatures(enum sb_protocol protocol, enum sb_kx kx)
{
	bool rsa = kx == SB_KX_ECDHE_RSA;
	if (sb_protocol_is_13(protocol))
		return rsa ? "+SIGN-RSA-PSS-RSAE-SHA256:"
		             "+SIGN-ECDSA-SECP256R1-SHA256"
		           : "+SIGN-ECDSA-SECP256R1-SHA256";
	return rsa ? "+SIGN-RSA-SHA256:+SIGN-ECDSA-SHA256"
	           : "+SIGN-ECDSA-SHA256";
}

/*
 * The certificate types: X.509, or with raw public keys the server's
 * (RFC 7250 server_certificate_type) and, with --mutual, the client's.
 * PSK suites ignore --auth.
 */
static const char *gtls_ctypes(const struct sb_endpoint_config *cfg)
{
	if (cfg->auth != SB_AUTH_RPK || gtls_is_psk(cfg->suite->kx))
		return "+CTYPE-X509";
	return cfg->mutual ? "+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK"
	                   : "+CTYPE-SRV-RAWPK";
}

/*
 * The priority string enabling exactly one suite, e.g. for psk-ccm8 in
 * DTLS 1.2:
 *   NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:
 *   +GROUP-SECP256R1:+SIGN-ECDSA-SHA256:+CTYPE-X509:%NO_TICKETS
 * and for tls13-ecdhe-psk-ccm8:
 *   NONE:+VERS-TLS1.3:+ECDHE-PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:
 *   +GROUP-SECP256R1:+SIGN-ECDSA-SECP256R1-SHA256:+CTYPE-X509:%NO_TICKETS
 * GnuTLS refuses a priority without a group even for plain PSK ("No or
 * insufficient priorities"); in TLS 1.3 its client then sends a P-256
 * key share even when it offers psk_ke alone, which the server ignores.
 * With raw public keys +CTYPE-X509 gives way to +CTYPE-SRV-RAWPK (and
 * with --mutual +CTYPE-CLI-RAWPK, gtls_ctypes).
 * %NO_TICKETS also stops TLS 1.3's NewSessionTicket, and
 * %DISABLE_TLS13_COMPAT_MODE the middlebox compatibility mode of RFC 8446
 * D.4 (a 32-byte legacy session ID and a ChangeCipherSpec each way, 38
 * bytes per direction), which a constrained network has no middlebox to
 * need; it changes nothing in (D)TLS 1.2.
 */
static int gtls_priority(enum sb_protocol protocol,
                         const struct sb_suite *suite, const char *ctypes,
                         char *buf, size_t len, struct sb_reason *why)
{
	if (!sb_suite_fits(protocol, suite, why))
		return SB_ERR_UNSUPPORTED;
	const char *version;
	switch (protocol) {
	case SB_PROTO_DTLS12:
		version = "VERS-DTLS1.2";
		break;
	case SB_PROTO_TLS12:
		version = "VERS-TLS1.2";
		break;
	case SB_PROTO_TLS13:
		version = "VERS-TLS1.3";
		break;
	case SB_PROTO_DTLS13:
		snprintf(why->text, sizeof(why->text),
		         "GnuTLS %s has no DTLS 1.3 (its DTLS maximum is DTLS "
		         "1.2)",
		         gnutls_check_version(NULL));
		return SB_ERR_UNSUPPORTED;
	default:
		snprintf(why->text, sizeof(why->text),
		         "the GnuTLS backend does not run protocol %d",
		         (int)protocol);
		return SB_ERR_UNSUPPORTED;
	}
	struct gtls_suite gs;
	if (!gtls_suite_find(suite->code_point, suite->tls13, &gs)) {
		snprintf(why->text, sizeof(why->text),
		         "GnuTLS %s does not implement %s (0x%04X)",
		         gnutls_check_version(NULL), suite->iana_name,
		         suite->code_point);
		return SB_ERR_UNSUPPORTED;
	}
	gnutls_kx_algorithm_t kx = suite->tls13 ? gtls_kx(suite->kx) : gs.kx;
	int n = snprintf(buf, len,
	                 "NONE:+%s:+%s:+%s:+%s:+COMP-NULL:+GROUP-SECP256R1:"
	                 "%s:%s:%%NO_TICKETS:"
	                 "%%DISABLE_TLS13_COMPAT_MODE",
	                 version, gnutls_kx_get_name(kx),
	                 gnutls_cipher_get_name(gs.cipher),
	                 gnutls_mac_get_name(gs.mac),
	                 gtls_signatures(protocol, suite->kx), ctypes);
	if (n < 0 || (size_t)n >= len) {
		snprintf(why->text, sizeof(why->text), "priority too long");
		return SB_ERR_INVALID;
	}
	return 0;
}

/* Whether `priority` offers the suite: the library's own verdict, e.g.
 * on a cipher it does not allow in DTLS. */
static bool gtls_priority_offers(gnutls_priority_t priority,
                                 uint16_t code_point)
{
	for (unsigned i = 0;; i++) {
		unsigned idx;
		int rc =
		    gnutls_priority_get_cipher_suite_index(priority, i, &idx);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return false;
		unsigned char id[2];
		if (rc == 0 &&
		    gnutls_cipher_suite_info(idx, id, NULL, NULL, NULL, NULL) &&
		    (uint16_t)(id[0] << 8 | id[1]) == code_point)
			return true;
	}
}

static bool gtls_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	(void)role;
	char text[GTLS_PRIORITY_MAX];
	if (gtls_priority(protocol, suite, "+CTYPE-X509", text, sizeof(text),
	                  why) != 0)
		return false;
	gnutls_priority_t priority;
	const char *err = NULL;
	int rc = gnutls_priority_init2(&priority, text, &err, 0);
	if (rc < 0) {
		snprintf(why->text, sizeof(why->text),
		         "GnuTLS %s refuses the priority for %s: %s",
		         gnutls_check_version(NULL), suite->iana_name,
		         gnutls_strerror(rc));
		return false;
	}
	bool offered = gtls_priority_offers(priority, suite->code_point);
	gnutls_priority_deinit(priority);
	if (!offered)
		snprintf(why->text, sizeof(why->text),
		         "GnuTLS %s does not allow %s in %s",
		         gnutls_check_version(NULL), suite->iana_name,
		         sb_protocol_name(protocol));
	return offered;
}

/* ---- callbacks: PSK ----------------------------------------------------- */

/* The server's PSK for `username`; GnuTLS frees the key with gnutls_free. */
static int gtls_psk_server_cb(gnutls_session_t session, const char *username,
                              gnutls_datum_t *key)
{
	const struct gtls_endpoint *ep = gnutls_session_get_ptr(session);
	const struct sb_credentials *c = &ep->cfg->creds;
	if (!username || strcmp(username, c->psk_identity) != 0)
		return -1; /* GnuTLS answers unknown_psk_identity */
	key->data = gnutls_malloc(c->psk_len);
	if (!key->data)
		return -1;
	memcpy(key->data, c->psk, c->psk_len);
	key->size = (unsigned)c->psk_len;
	return 0;
}

/* ---- endpoint set-up ---------------------------------------------------- */

static int gtls_psk_setup(struct gtls_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	int ret;
	if (ep->cfg->role == SB_ROLE_SERVER) {
		ret = gnutls_psk_allocate_server_credentials(&ep->psk_server);
		if (ret < 0)
			return gtls_fail_ret(ep, SB_ERR_NOMEM,
			                     "PSK credentials", ret);
		gnutls_psk_set_server_credentials_function(ep->psk_server,
		                                           gtls_psk_server_cb);
		ret = gnutls_credentials_set(ep->session, GNUTLS_CRD_PSK,
		                             ep->psk_server);
	} else {
		ret = gnutls_psk_allocate_client_credentials(&ep->psk_client);
		if (ret < 0)
			return gtls_fail_ret(ep, SB_ERR_NOMEM,
			                     "PSK credentials", ret);
		const gnutls_datum_t key = {(unsigned char *)c->psk,
		                            (unsigned)c->psk_len};
		ret = gnutls_psk_set_client_credentials(
		    ep->psk_client, c->psk_identity, &key, GNUTLS_PSK_KEY_RAW);
		if (ret == 0)
			ret = gnutls_credentials_set(
			    ep->session, GNUTLS_CRD_PSK, ep->psk_client);
	}
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_CREDENTIALS, "setting the PSK",
		                     ret);
	return 0;
}

/* ---- callbacks: raw public keys ------------------------------------------ */

/* Whether the peer sent exactly one raw public key, the pinned one. */
static bool gtls_pin_matches(struct gtls_endpoint *ep)
{
	if (gnutls_certificate_type_get2(ep->session, GNUTLS_CTYPE_PEERS) !=
	    GNUTLS_CRT_RAWPK)
		return false;
	unsigned n = 0;
	const gnutls_datum_t *got =
	    gnutls_certificate_get_peers(ep->session, &n);
	return got && n == 1 && ep->pin.data && got->size == ep->pin.size &&
	       memcmp(got->data, ep->pin.data, ep->pin.size) == 0;
}

/* Called in the handshake once the peer's key arrived: anything but the
 * pinned key fails it (GNUTLS_E_CERTIFICATE_ERROR, a bad_certificate
 * alert). */
static int gtls_rpk_verify(gnutls_session_t session)
{
	struct gtls_endpoint *ep = gnutls_session_get_ptr(session);
	ep->pin_refused = !gtls_pin_matches(ep);
	return ep->pin_refused ? GNUTLS_E_CERTIFICATE_ERROR : 0;
}

/* Whether `path` names a public key file; if not, the error says so. */
static bool gtls_has_key_file(struct gtls_endpoint *ep, const char *path)
{
	if (path && path[0])
		return true;
	gtls_fail(ep, SB_ERR_CREDENTIALS,
	          "no public key file for raw public keys (server.pub, "
	          "client.pub: suites/make-credentials.sh DIR rpk)");
	return false;
}

/* A PEM SubjectPublicKeyInfo file's DER, into `der` (gnutls_free). */
static int gtls_read_public_key(struct gtls_endpoint *ep, const char *path,
                                gnutls_datum_t *der)
{
	if (!gtls_has_key_file(ep, path))
		return SB_ERR_CREDENTIALS;
	gnutls_datum_t pem = {NULL, 0};
	int ret = gnutls_load_file(path, &pem);
	if (ret == 0)
		ret = gnutls_pem_base64_decode2("PUBLIC KEY", &pem, der);
	gnutls_free(pem.data);
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_CREDENTIALS, path, ret);
	return 0;
}

/* ---- endpoint set-up: certificates and raw public keys ------------------ */

/* This endpoint's certificate (or raw public key) and private key. */
static int gtls_load_identity(struct gtls_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	int ret;
	if (ep->cfg->auth == SB_AUTH_RPK) {
		if (!gtls_has_key_file(ep, c->public_key_file))
			return SB_ERR_CREDENTIALS;
		ret = gnutls_certificate_set_rawpk_key_file(
		    ep->cert, c->public_key_file, c->key_file,
		    GNUTLS_X509_FMT_PEM, NULL, 0, NULL, 0, 0, 0);
	} else {
		ret = gnutls_certificate_set_x509_key_file(
		    ep->cert, c->cert_file, c->key_file, GNUTLS_X509_FMT_PEM);
	}
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_CREDENTIALS,
		                     "loading certificate and key", ret);
	return 0;
}

/* The trust anchor, or with raw public keys the pinned peer key. */
static int gtls_load_trust(struct gtls_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	if (ep->cfg->auth == SB_AUTH_RPK)
		return gtls_read_public_key(ep, c->peer_key_file, &ep->pin);
	/* Returns the number of certificates loaded. */
	int ret = gnutls_certificate_set_x509_trust_file(ep->cert, c->ca_file,
	                                                 GNUTLS_X509_FMT_PEM);
	if (ret <= 0)
		return gtls_fail_ret(ep, SB_ERR_CREDENTIALS, "loading the CA",
		                     ret < 0 ? ret : GNUTLS_E_FILE_ERROR);
	return 0;
}

/*
 * Certificates: this endpoint's own (server, or mutual client), the trust
 * anchor (client, or mutual server), and verification in the handshake:
 * GnuTLS's of the chain and the name, or the pinned raw public key's.
 */
static int gtls_cert_setup(struct gtls_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	bool client = cfg->role == SB_ROLE_CLIENT;
	bool rpk = cfg->auth == SB_AUTH_RPK;
	int ret = gnutls_certificate_allocate_credentials(&ep->cert);
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_NOMEM,
		                     "certificate credentials", ret);
	int rc;
	if ((!client || cfg->mutual) && (rc = gtls_load_identity(ep)) != 0)
		return rc;
	if ((client || cfg->mutual) && (rc = gtls_load_trust(ep)) != 0)
		return rc;
	ret = gnutls_credentials_set(ep->session, GNUTLS_CRD_CERTIFICATE,
	                             ep->cert);
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_INVALID,
		                     "certificate credentials", ret);
	if (!client && cfg->mutual)
		gnutls_certificate_server_set_request(ep->session,
		                                      GNUTLS_CERT_REQUIRE);
	if (rpk) {
		/* No server name: a raw key carries none. */
		if (client || cfg->mutual)
			gnutls_session_set_verify_function(ep->session,
			                                   gtls_rpk_verify);
		return 0;
	}
	if (!client) {
		if (cfg->mutual)
			gnutls_session_set_verify_cert(ep->session, NULL, 0);
		return 0;
	}
	/* SNI, and the name the certificate must carry, checked in the
	 * handshake (which fails on a mismatch). */
	ret =
	    gnutls_server_name_set(ep->session, GNUTLS_NAME_DNS,
	                           cfg->server_name, strlen(cfg->server_name));
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_INVALID,
		                     "setting the server name", ret);
	gnutls_session_set_verify_cert(ep->session, cfg->server_name, 0);
	return 0;
}

/* The session: one suite, the link, the MTU and timers, the cookie key. */
static int gtls_session_setup(struct gtls_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	bool dtls = gtls_is_dtls(cfg->protocol);
	char text[GTLS_PRIORITY_MAX];
	struct sb_reason why;
	const char *ctypes = gtls_ctypes(cfg);
	int rc = gtls_priority(cfg->protocol, cfg->suite, ctypes, text,
	                       sizeof(text), &why);
	if (rc)
		return gtls_fail(ep, rc, "%s", why.text);
	bool rawpk = strcmp(ctypes, "+CTYPE-X509") != 0;
	unsigned flags =
	    (cfg->role == SB_ROLE_CLIENT ? GNUTLS_CLIENT : GNUTLS_SERVER) |
	    GNUTLS_NONBLOCK | (dtls ? GNUTLS_DATAGRAM : 0) |
	    (rawpk ? GNUTLS_ENABLE_RAWPK : 0);
	int ret = gnutls_init(&ep->session, flags);
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_NOMEM, "gnutls_init", ret);
	const char *err = NULL;
	ret = gnutls_priority_init2(&ep->priority, text, &err, 0);
	if (ret == 0)
		ret = gnutls_priority_set(ep->session, ep->priority);
	if (ret < 0)
		return gtls_fail(ep, SB_ERR_INVALID,
		                 "priority \"%s\" refused at \"%s\": %s", text,
		                 err ? err : "?", gnutls_strerror(ret));
	gnutls_session_set_ptr(ep->session, ep);
	gnutls_transport_set_ptr(ep->session, ep);
	gnutls_transport_set_push_function(ep->session, gtls_push);
	gnutls_transport_set_vec_push_function(ep->session, gtls_vec_push);
	gnutls_transport_set_pull_function(ep->session, gtls_pull);
	gnutls_transport_set_pull_timeout_function(ep->session,
	                                           gtls_pull_timeout);
	/* No handshake deadline of GnuTLS's own in TLS: the core decides
	 * when a handshake has stalled, as for every library. */
	gnutls_handshake_set_timeout(ep->session, 0);
	if (!dtls)
		return 0;
	if (cfg->mtu > UINT16_MAX)
		return gtls_fail(ep, SB_ERR_MTU,
		                 "MTU %zu: GnuTLS takes at "
		                 "most 65535",
		                 cfg->mtu);
	/* The MTU excludes IP and UDP headers, as the link's does. */
	gnutls_dtls_set_mtu(ep->session, (unsigned)cfg->mtu);
	gnutls_dtls_set_timeouts(ep->session, GTLS_RETRANS_MS, GTLS_TOTAL_MS);
	if (cfg->role == SB_ROLE_SERVER && cfg->cookie) {
		ret = gnutls_key_generate(&ep->cookie_key,
		                          GNUTLS_COOKIE_KEY_SIZE);
		if (ret < 0)
			return gtls_fail_ret(ep, SB_ERR_INVALID, "cookie key",
			                     ret);
	}
	return 0;
}

/*
 * Settings this library (or this backend) does not have: the reason, or
 * NULL.  The core makes an `unsupported` row of it.
 */
static const char *gtls_missing_setting(const struct sb_endpoint_config *cfg)
{
	if (cfg->cid_len > 0)
		return "GnuTLS 3.7.9 has no DTLS Connection ID";
	/* GnuTLS would take an RSA raw key; the credentials hold none. */
	if (cfg->auth == SB_AUTH_RPK && cfg->suite->kx == SB_KX_ECDHE_RSA)
		return "ECDHE-RSA with a raw public key needs the RSA leaf's, "
		       "and the credentials have only the P-256 leaves' "
		       "(server.pub, client.pub)";
	return NULL;
}

static int gtls_endpoint_setup(void *state,
                               const struct sb_endpoint_config *cfg)
{
	struct gtls_endpoint *ep = state;
	ep->cfg = cfg;
	const char *missing = gtls_missing_setting(cfg);
	if (missing) {
		snprintf(ep->error, sizeof(ep->error), "%s", missing);
		return SB_ERR_UNSUPPORTED;
	}
	ep->live = true;
	sb_rng_seed(&ep->rng, cfg->seed, (uint64_t)cfg->role);
	/* Process-wide and idempotent; they read the active endpoint's clock
	 * and real time when none is active. */
	gnutls_global_set_time_function(gtls_time);
	_gnutls_global_set_gettime_function(gtls_gettime);
	struct gtls_endpoint *outer = gtls_enter(ep);
	int rc = gtls_session_setup(ep);
	if (rc == 0)
		rc = gtls_is_psk(cfg->suite->kx) ? gtls_psk_setup(ep)
		                                 : gtls_cert_setup(ep);
	gtls_leave(outer);
	return rc;
}

/* ---- operations --------------------------------------------------------- */

/* The client's "address" a cookie is bound to: the in-memory link has one
 * client, so it is a constant. */
static const char gtls_client_address[] = "sb-link-client";

/*
 * The stateless cookie exchange (RFC 6347 4.2.1) the way GnuTLS's DTLS
 * server example does it, before the session sees anything: take the
 * datagram, check its cookie, and either answer with a HelloVerifyRequest
 * (keeping nothing) or hand the datagram and the cookie's sequence state
 * to the session.  Returns 0 once passed, SB_ERR_WANT_IO while waiting.
 */
static int gtls_cookie_step(struct gtls_endpoint *ep)
{
	int got = gtls_take_ahead(ep);
	if (got < 0)
		return gtls_fail_ret(ep, SB_ERR_IO, "cookie exchange",
		                     GNUTLS_E_PUSH_ERROR);
	if (got == 0)
		return SB_ERR_WANT_IO;
	gnutls_dtls_prestate_st prestate;
	memset(&prestate, 0, sizeof(prestate));
	int ret = gnutls_dtls_cookie_verify(
	    &ep->cookie_key, (void *)gtls_client_address,
	    sizeof(gtls_client_address), ep->held, ep->held_len, &prestate);
	if (ret == 0) {
		/* The datagram stays held: the session reads it next. */
		gnutls_dtls_prestate_set(ep->session, &prestate);
		ep->cookie_passed = true;
		return 0;
	}
	ep->held_len = ep->held_at = 0; /* no state kept */
	ret = gnutls_dtls_cookie_send(
	    &ep->cookie_key, (void *)gtls_client_address,
	    sizeof(gtls_client_address), &prestate, ep, gtls_push);
	if (ret < 0)
		return gtls_fail_ret(ep, SB_ERR_HANDSHAKE,
		                     "sending the HelloVerifyRequest", ret);
	return SB_ERR_WANT_IO;
}

static int gtls_handshake_step(struct gtls_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	if (gtls_is_dtls(cfg->protocol) && cfg->role == SB_ROLE_SERVER &&
	    ep->cookie_key.data && !ep->cookie_passed) {
		int rc = gtls_cookie_step(ep);
		if (rc)
			return rc;
	}
	/* Also retransmits a flight whose virtual-time deadline passed. */
	int ret = gnutls_handshake(ep->session);
	if (ret == GNUTLS_E_SUCCESS) {
		ep->done = true;
		return 0;
	}
	if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED ||
	    !gnutls_error_is_fatal(ret))
		return SB_ERR_WANT_IO;
	return gtls_fail_ret(ep, SB_ERR_HANDSHAKE, "gnutls_handshake", ret);
}

static int gtls_step(void *state)
{
	struct gtls_endpoint *ep = state;
	if (ep->done)
		return 0;
	struct gtls_endpoint *outer = gtls_enter(ep);
	int rc = gtls_handshake_step(ep);
	gtls_leave(outer);
	return rc;
}

static int gtls_write(void *state, const uint8_t *buf, size_t len)
{
	struct gtls_endpoint *ep = state;
	struct gtls_endpoint *outer = gtls_enter(ep);
	ssize_t n = gnutls_record_send(ep->session, buf, len);
	gtls_leave(outer);
	if (n >= 0 && (size_t)n == len)
		return 0;
	/* A short write would split the record: a failure here. */
	return gtls_fail_ret(ep, SB_ERR_RECORD, "gnutls_record_send",
	                     n < 0 ? (int)n : GNUTLS_E_INTERNAL_ERROR);
}

/*
 * DTLS discards a record that fails authentication, and a replayed one,
 * silently (RFC 6347 4.1.2.7): the read answers GNUTLS_E_AGAIN.  TLS
 * fails the read with GNUTLS_E_DECRYPTION_FAILED.
 */
static int gtls_read(void *state, uint8_t *buf, size_t cap)
{
	struct gtls_endpoint *ep = state;
	struct gtls_endpoint *outer = gtls_enter(ep);
	ssize_t n = gnutls_record_recv(ep->session, buf, cap);
	gtls_leave(outer);
	if (n > 0)
		return (int)n;
	if (n == 0)
		return gtls_fail(ep, SB_ERR_PEER_CLOSED,
		                 "gnutls_record_recv: the peer closed");
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return SB_ERR_WANT_IO;
	if (!gnutls_error_is_fatal((int)n))
		return SB_ERR_WANT_IO;
	return gtls_fail_ret(ep, SB_ERR_RECORD, "gnutls_record_recv", (int)n);
}

SB_BACKEND_BATCH(gtls)

/*
 * The code point of the negotiated key exchange, cipher and MAC; in
 * TLS 1.3, of the cipher alone (the suite has no key exchange).
 */
static uint16_t gtls_negotiated_suite(void *state)
{
	struct gtls_endpoint *ep = state;
	if (!ep->done)
		return 0;
	bool tls13 = gnutls_protocol_get_version(ep->session) == GNUTLS_TLS1_3;
	gnutls_kx_algorithm_t kx =
	    tls13 ? GNUTLS_KX_UNKNOWN : gnutls_kx_get(ep->session);
	gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(ep->session);
	gnutls_mac_algorithm_t mac = gnutls_mac_get(ep->session);
	for (size_t i = 0;; i++) {
		unsigned char id[2];
		gnutls_kx_algorithm_t k;
		gnutls_cipher_algorithm_t c;
		gnutls_mac_algorithm_t m;
		if (!gnutls_cipher_suite_info(i, id, &k, &c, &m, NULL))
			return 0;
		if (k == kx && c == cipher && m == mac)
			return (uint16_t)(id[0] << 8 | id[1]);
	}
}

/*
 * Whether the session negotiated the key exchange `kx`.  In TLS 1.3
 * gnutls_kx_get() says ECDHE-RSA for every certificate handshake, so
 * there the signature scheme tells ECDSA from RSA.
 */
static bool gtls_kx_negotiated(gnutls_session_t session, enum sb_kx kx)
{
	if (gnutls_protocol_get_version(session) != GNUTLS_TLS1_3 ||
	    gtls_is_psk(kx))
		return gnutls_kx_get(session) == gtls_kx(kx);
	if (gnutls_auth_get_type(session) != GNUTLS_CRD_CERTIFICATE)
		return false;
	gnutls_pk_algorithm_t pk =
	    gnutls_sign_get_pk_algorithm(gnutls_sign_algorithm_get(session));
	return kx == SB_KX_ECDHE_ECDSA
	           ? pk == GNUTLS_PK_ECDSA
	           : pk == GNUTLS_PK_RSA_PSS || pk == GNUTLS_PK_RSA;
}

/*
 * The handshake used the row's key exchange -- in TLS 1.3, where one
 * code point serves three rows, the PSK mode or certificates -- and
 * authenticated the peer by it.
 */
static bool gtls_peer_authenticated(void *state)
{
	struct gtls_endpoint *ep = state;
	if (!ep->done)
		return false;
	const struct sb_endpoint_config *cfg = ep->cfg;
	if (!gtls_kx_negotiated(ep->session, cfg->suite->kx))
		return false;
	if (gtls_is_psk(cfg->suite->kx)) {
		/* The Finished messages (TLS 1.2) or the binder (TLS 1.3)
		 * proved the peer holds the PSK; the server also checked
		 * the identity in its callback. */
		if (cfg->role == SB_ROLE_CLIENT)
			return true;
		const char *id = gnutls_psk_server_get_username(ep->session);
		return id && strcmp(id, cfg->creds.psk_identity) == 0;
	}
	if (cfg->auth == SB_AUTH_RPK)
		return gtls_pin_matches(ep);
	unsigned list_size = 0;
	if (!gnutls_certificate_get_peers(ep->session, &list_size) ||
	    list_size == 0)
		return false;
	unsigned status = 0;
	const char *name =
	    cfg->role == SB_ROLE_CLIENT ? cfg->server_name : NULL;
	struct gtls_endpoint *outer = gtls_enter(ep); /* reads the clock */
	int ret = gnutls_certificate_verify_peers3(ep->session, name, &status);
	gtls_leave(outer);
	return ret == 0 && status == 0;
}

/*
 * GnuTLS takes the MTU (gnutls_dtls_set_mtu cannot fail) but sends no
 * record larger than its own data MTU, which above about 16,400 bytes is
 * less than the MTU minus the record overhead: a larger write fails with
 * GNUTLS_E_LARGE_PACKET.  Its data MTU is the largest payload.
 */
static size_t gtls_max_payload(void *state)
{
	struct gtls_endpoint *ep = state;
	if (!ep->live || !ep->done || !gtls_is_dtls(ep->cfg->protocol))
		return 0;
	return gnutls_dtls_get_data_mtu(ep->session);
}

/* GnuTLS's retransmission deadline on the virtual clock. */
static uint64_t gtls_next_timeout_us(void *state)
{
	struct gtls_endpoint *ep = state;
	if (!ep->session || ep->done || !gtls_is_dtls(ep->cfg->protocol))
		return 0;
	struct gtls_endpoint *outer = gtls_enter(ep);
	uint64_t at = gtls_now_us() +
	              (uint64_t)gnutls_dtls_get_timeout(ep->session) * 1000u;
	gtls_leave(outer);
	return at;
}

static const char *gtls_last_error(void *state)
{
	const struct gtls_endpoint *ep = state;
	return ep->error[0] ? ep->error : "no GnuTLS error recorded";
}

static void gtls_endpoint_free(void *state)
{
	struct gtls_endpoint *ep = state;
	if (!ep->live)
		return;
	struct gtls_endpoint *outer = gtls_enter(ep);
	if (ep->session)
		gnutls_deinit(ep->session);
	ep->session = NULL;
	if (ep->priority)
		gnutls_priority_deinit(ep->priority);
	ep->priority = NULL;
	if (ep->cert)
		gnutls_certificate_free_credentials(ep->cert);
	ep->cert = NULL;
	if (ep->psk_client)
		gnutls_psk_free_client_credentials(ep->psk_client);
	ep->psk_client = NULL;
	if (ep->psk_server)
		gnutls_psk_free_server_credentials(ep->psk_server);
	ep->psk_server = NULL;
	if (ep->cookie_key.data) {
		gnutls_memset(ep->cookie_key.data, 0, ep->cookie_key.size);
		gnutls_free(ep->cookie_key.data);
	}
	ep->cookie_key = (gnutls_datum_t){NULL, 0};
	gnutls_free(ep->pin.data);
	ep->pin = (gnutls_datum_t){NULL, 0};
	ep->pin_refused = false;
	gtls_leave(outer);
	ep->live = false;
	ep->done = false;
}

static const char *gtls_version(void)
{
	static char version[48];
	if (!version[0])
		snprintf(version, sizeof(version), "GnuTLS %s",
		         gnutls_check_version(NULL));
	return version;
}

const struct sb_backend sb_backend_gnutls = {
    .name = "gnutls",
    .version = gtls_version,
    .caps = GTLS_CAPS,
    .endpoint_size = sizeof(struct gtls_endpoint),
    .supports = gtls_supports,
    .endpoint_setup = gtls_endpoint_setup,
    .step = gtls_step,
    .write = gtls_write,
    .read = gtls_read,
    .write_batch = gtls_write_batch,
    .read_batch = gtls_read_batch,
    .negotiated_suite = gtls_negotiated_suite,
    .peer_authenticated = gtls_peer_authenticated,
    .last_error = gtls_last_error,
    .endpoint_free = gtls_endpoint_free,
    .next_timeout_us = gtls_next_timeout_us,
    .max_payload = gtls_max_payload,
};
