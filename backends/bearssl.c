/*
 * bearssl.c - the BearSSL backend (libbearssl 0.6 on Debian 12).
 *
 * BearSSL has no DTLS and no PSK (../shared/LIBRARY-NOTES.md), so it takes
 * part in TLS 1.2 only, over the link's stream mode.  Its engines allocate
 * nothing: the context, the X.509 validator, the decoded credentials and
 * the I/O buffer all live in the endpoint the core allocates, and their
 * size is reported as `static_ram`.
 *
 * Each endpoint starts from the zeroed context (br_ssl_client_zero /
 * br_ssl_server_zero, never *_init_full) and is given exactly one suite
 * and only the primitives it needs: P-256 (br_ec_p256_m31), ECDSA with
 * i31 arithmetic, SHA-256 for the transcript, the PRF and the X.509
 * checks, and the one AEAD's record layer.  ECDHE-RSA adds RSA PKCS#1
 * v1.5 signing (server) or verification (client), i31 or, natively,
 * i62 where the CPU has 64-bit multiplies.  The AES, GHASH, ChaCha20 and
 * Poly1305 code is portable constant-time or x86-accelerated as the
 * config's `impl` asks.  Certificate validation time comes from the
 * core's virtual clock, never from the wall clock.
 *
 * RNG: BearSSL seeds each engine from the OS at reset, so transcripts
 * vary between runs -- except under --deterministic (bear_seed_rng).
 */
#include <bearssl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

#define BEAR_DER_MAX 2048 /* one DER certificate: ours are under 600 bytes */
#define BEAR_DN_MAX 512   /* the CA's encoded subject name */
#define BEAR_RSA_MAX_BITS 2048 /* the web suites' server leaf */
/* Days from 0000-01-01 (proleptic Gregorian, BearSSL's epoch) to 1970-01-01. */
#define BEAR_UNIX_EPOCH_DAYS 719528u

/* DER bytes decoded from one PEM object. */
struct bear_der {
	unsigned char data[BEAR_DER_MAX];
	size_t len;
};

struct bear_endpoint {
	const struct sb_endpoint_config *cfg;
	union {
		br_ssl_client_context client;
		br_ssl_server_context server;
	} ctx;
	/* Validates the peer: the server on a client, the client on a
	 * mutual-authentication server; unused otherwise. */
	br_x509_minimal_context x509;
	bool x509_used;
	bool done; /* the handshake completed */
	/* The CA as trust anchor: its name and public point. */
	br_x509_trust_anchor anchor;
	unsigned char anchor_dn[BEAR_DN_MAX];
	unsigned char anchor_q[BR_EC_KBUF_PUB_MAX_SIZE];
	/* This endpoint's certificate (leaf only) and private key. */
	struct bear_der cert;
	br_x509_certificate chain;
	br_ec_private_key key;
	unsigned char key_x[BR_EC_KBUF_PRIV_MAX_SIZE];
	/* ECDHE-RSA servers: the RSA key, its five CRT values in rsa_buf. */
	br_rsa_private_key rsa_key;
	unsigned char rsa_buf[BR_RSA_KBUF_PRIV_SIZE(BEAR_RSA_MAX_BITS)];
	int br_err; /* the engine's last error, BR_ERR_* */
	char error[256];
	/* Full duplex, room for the largest TLS record each way. */
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* ---- errors ------------------------------------------------------------ */

/* BR_ERR_* from bearssl_ssl.h and bearssl_x509.h: value, name, meaning. */
#define BEAR_ERRORS(X)                                                         \
	X(BR_ERR_OK, NULL)                                                     \
	X(BR_ERR_BAD_PARAM, "bad parameter")                                   \
	X(BR_ERR_BAD_STATE, "engine in the wrong state")                       \
	X(BR_ERR_UNSUPPORTED_VERSION, "peer's protocol version not supported") \
	X(BR_ERR_BAD_VERSION,                                                  \
	  "record version differs from the negotiated one")                    \
	X(BR_ERR_BAD_LENGTH, "record length out of range")                     \
	X(BR_ERR_TOO_LARGE, "record larger than the buffer")                   \
	X(BR_ERR_BAD_MAC, "record failed authentication")                      \
	X(BR_ERR_NO_RANDOM, "no entropy for the PRNG")                         \
	X(BR_ERR_UNKNOWN_TYPE, "unknown record type")                          \
	X(BR_ERR_UNEXPECTED, "unexpected message")                             \
	X(BR_ERR_BAD_CCS, "malformed ChangeCipherSpec")                        \
	X(BR_ERR_BAD_ALERT, "malformed alert")                                 \
	X(BR_ERR_BAD_HANDSHAKE, "malformed handshake message")                 \
	X(BR_ERR_OVERSIZED_ID, "session ID too long")                          \
	X(BR_ERR_BAD_CIPHER_SUITE, "no common cipher suite")                   \
	X(BR_ERR_BAD_COMPRESSION, "no common compression")                     \
	X(BR_ERR_BAD_FRAGLEN, "bad maximum fragment length")                   \
	X(BR_ERR_BAD_SECRENEG, "secure renegotiation failed")                  \
	X(BR_ERR_EXTRA_EXTENSION, "unrequested extension from the server")     \
	X(BR_ERR_BAD_SNI, "malformed server name")                             \
	X(BR_ERR_BAD_HELLO_DONE, "malformed ServerHelloDone")                  \
	X(BR_ERR_LIMIT_EXCEEDED, "internal limit exceeded")                    \
	X(BR_ERR_BAD_FINISHED, "Finished message did not verify")              \
	X(BR_ERR_RESUME_MISMATCH, "resumed session parameters differ")         \
	X(BR_ERR_INVALID_ALGORITHM, "algorithm not configured")                \
	X(BR_ERR_BAD_SIGNATURE, "handshake signature did not verify")          \
	X(BR_ERR_WRONG_KEY_USAGE, "peer key not allowed for this use")         \
	X(BR_ERR_NO_CLIENT_AUTH, "client sent no certificate")                 \
	X(BR_ERR_IO, "I/O error")                                              \
	X(BR_ERR_X509_OK, NULL)                                                \
	X(BR_ERR_X509_INVALID_VALUE, "invalid value in a certificate")         \
	X(BR_ERR_X509_TRUNCATED, "truncated certificate")                      \
	X(BR_ERR_X509_EMPTY_CHAIN, "empty certificate chain")                  \
	X(BR_ERR_X509_INNER_TRUNC, "inner element overflows its container")    \
	X(BR_ERR_X509_BAD_TAG_CLASS, "unsupported ASN.1 tag class")            \
	X(BR_ERR_X509_BAD_TAG_VALUE, "unsupported ASN.1 tag value")            \
	X(BR_ERR_X509_INDEFINITE_LENGTH, "indefinite ASN.1 length")            \
	X(BR_ERR_X509_EXTRA_ELEMENT, "extra ASN.1 element")                    \
	X(BR_ERR_X509_UNEXPECTED, "unexpected ASN.1 element")                  \
	X(BR_ERR_X509_NOT_CONSTRUCTED, "expected a constructed element")       \
	X(BR_ERR_X509_NOT_PRIMITIVE, "expected a primitive element")           \
	X(BR_ERR_X509_PARTIAL_BYTE, "BIT STRING not a whole number of bytes")  \
	X(BR_ERR_X509_BAD_BOOLEAN, "malformed BOOLEAN")                        \
	X(BR_ERR_X509_OVERFLOW, "value out of range")                          \
	X(BR_ERR_X509_BAD_DN, "malformed distinguished name")                  \
	X(BR_ERR_X509_BAD_TIME, "malformed validity time")                     \
	X(BR_ERR_X509_UNSUPPORTED, "unsupported certificate feature")          \
	X(BR_ERR_X509_LIMIT_EXCEEDED, "certificate exceeds an internal limit") \
	X(BR_ERR_X509_WRONG_KEY_TYPE, "key type does not match the signature") \
	X(BR_ERR_X509_BAD_SIGNATURE, "certificate signature did not verify")   \
	X(BR_ERR_X509_TIME_UNKNOWN, "validation time unknown")                 \
	X(BR_ERR_X509_EXPIRED, "certificate expired or not yet valid")         \
	X(BR_ERR_X509_DN_MISMATCH, "issuer name does not match")               \
	X(BR_ERR_X509_BAD_SERVER_NAME, "server name not in the certificate")   \
	X(BR_ERR_X509_CRITICAL_EXTENSION, "unknown critical extension")        \
	X(BR_ERR_X509_NOT_CA, "issuer is not a CA")                            \
	X(BR_ERR_X509_FORBIDDEN_KEY_USAGE, "key usage forbids this use")       \
	X(BR_ERR_X509_WEAK_PUBLIC_KEY, "public key too weak")                  \
	X(BR_ERR_X509_NOT_TRUSTED, "chain does not end at a trust anchor")

/* TLS alerts (RFC 5246 7.2) a failing handshake most often carries. */
static const struct {
	int code;
	const char *name;
} bear_alerts[] = {
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {40, "handshake_failure"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
};

static const char *bear_alert_name(int alert)
{
	for (size_t i = 0; i < sizeof(bear_alerts) / sizeof(bear_alerts[0]);
	     i++)
		if (bear_alerts[i].code == alert)
			return bear_alerts[i].name;
	return "alert";
}

/* "BR_ERR_X509_NOT_TRUSTED (62): chain does not end at a trust anchor". */
static void bear_error_text(int err, char *buf, size_t len)
{
	if (err >= BR_ERR_RECV_FATAL_ALERT) {
		bool sent = err >= BR_ERR_SEND_FATAL_ALERT;
		int alert = err - (sent ? BR_ERR_SEND_FATAL_ALERT
		                        : BR_ERR_RECV_FATAL_ALERT);
		snprintf(buf, len, "%s (%d): %s fatal alert %d (%s)",
		         sent ? "BR_ERR_SEND_FATAL_ALERT"
		              : "BR_ERR_RECV_FATAL_ALERT",
		         err, sent ? "sent" : "received", alert,
		         bear_alert_name(alert));
		return;
	}
	switch (err) {
#define BEAR_CASE(code, text)                                                  \
	case code:                                                             \
		snprintf(buf, len, "%s (%d): %s", #code, code,                 \
		         (text) ? (const char *)(text) : "no error");          \
		return;
		BEAR_ERRORS(BEAR_CASE)
#undef BEAR_CASE
	}
	snprintf(buf, len, "BearSSL error %d", err);
}

static int bear_fail(struct bear_endpoint *ep, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bear_fail(struct bear_endpoint *ep, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ep->error, sizeof(ep->error), fmt, ap);
	va_end(ap);
	return status;
}

/* ---- primitives -------------------------------------------------------- */

/* The symmetric primitives an `enum sb_impl` stands for, with their names. */
struct bear_primitives {
	const br_block_ctr_class *aes_ctr;       /* GCM */
	const br_block_ctrcbc_class *aes_ctrcbc; /* CCM, CCM_8 */
	const char *aes;
	br_ghash ghash;
	const char *ghash_name;
	br_chacha20_run chacha20;
	const char *chacha20_name;
	br_poly1305_run poly1305;
	const char *poly1305_name;
	br_rsa_private rsa_private; /* ECDHE-RSA */
	br_rsa_pkcs1_sign rsa_sign;
	br_rsa_pkcs1_vrfy rsa_vrfy;
	const char *rsa_name;
};

/*
 * Portable: the 32-bit constant-time code a small MCU build would use
 * (aes_ct, ghash_ctmul, chacha20_ct, poly1305_ctmul).  Native: AES-NI,
 * PCLMULQDQ, SSE2 and 64-bit multiplies, each only when this CPU has it
 * (the getters return NULL otherwise), else the portable code.
 */
static struct bear_primitives bear_primitives_pick(enum sb_impl impl)
{
	struct bear_primitives p = {
	    .aes_ctr = &br_aes_ct_ctr_vtable,
	    .aes_ctrcbc = &br_aes_ct_ctrcbc_vtable,
	    .aes = "ct",
	    .ghash = br_ghash_ctmul,
	    .ghash_name = "ctmul",
	    .chacha20 = br_chacha20_ct_run,
	    .chacha20_name = "ct",
	    .poly1305 = br_poly1305_ctmul_run,
	    .poly1305_name = "ctmul",
	    .rsa_private = br_rsa_i31_private,
	    .rsa_sign = br_rsa_i31_pkcs1_sign,
	    .rsa_vrfy = br_rsa_i31_pkcs1_vrfy,
	    .rsa_name = "i31",
	};
	if (impl != SB_IMPL_NATIVE)
		return p;
	const br_block_ctr_class *ctr = br_aes_x86ni_ctr_get_vtable();
	const br_block_ctrcbc_class *ctrcbc = br_aes_x86ni_ctrcbc_get_vtable();
	if (ctr && ctrcbc) {
		p.aes_ctr = ctr;
		p.aes_ctrcbc = ctrcbc;
		p.aes = "x86ni";
	}
	br_ghash ghash = br_ghash_pclmul_get();
	if (ghash) {
		p.ghash = ghash;
		p.ghash_name = "pclmul";
	}
	br_chacha20_run chacha20 = br_chacha20_sse2_get();
	if (chacha20) {
		p.chacha20 = chacha20;
		p.chacha20_name = "sse2";
	}
	br_poly1305_run poly1305 = br_poly1305_ctmulq_get();
	if (poly1305) {
		p.poly1305 = poly1305;
		p.poly1305_name = "ctmulq";
	}
	br_rsa_private rsa_private = br_rsa_i62_private_get();
	br_rsa_pkcs1_sign rsa_sign = br_rsa_i62_pkcs1_sign_get();
	br_rsa_pkcs1_vrfy rsa_vrfy = br_rsa_i62_pkcs1_vrfy_get();
	if (rsa_private && rsa_sign && rsa_vrfy) {
		p.rsa_private = rsa_private;
		p.rsa_sign = rsa_sign;
		p.rsa_vrfy = rsa_vrfy;
		p.rsa_name = "i62";
	}
	return p;
}

static void bear_describe_impl(enum sb_impl impl, char *buf, size_t len)
{
	struct bear_primitives p = bear_primitives_pick(impl);
	snprintf(buf, len,
	         "aes=%s ghash=%s chacha20=%s poly1305=%s ec=p256_m31 "
	         "ecdsa=i31 rsa=%s",
	         p.aes, p.ghash_name, p.chacha20_name, p.poly1305_name,
	         p.rsa_name);
}

/* ---- suites ------------------------------------------------------------ */

static bool bear_suite_known(uint16_t code_point)
{
	switch (code_point) {
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM:
	case BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8:
	case BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
	case BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
	case BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		return true;
	default:
		return false;
	}
}

static bool bear_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	(void)role;
	if (!sb_suite_fits(protocol, suite, why))
		return false;
	if (sb_protocol_is_dtls(protocol)) {
		snprintf(why->text, sizeof(why->text),
		         "BearSSL has no DTLS (no datagram API)");
		return false;
	}
	if (protocol == SB_PROTO_TLS13) {
		snprintf(why->text, sizeof(why->text),
		         "BearSSL 0.6 has no TLS 1.3");
		return false;
	}
	if (sb_kx_uses_psk(suite->kx)) {
		snprintf(why->text, sizeof(why->text),
		         "BearSSL has no PSK cipher suites");
		return false;
	}
	if (!bear_suite_known(suite->code_point)) {
		snprintf(why->text, sizeof(why->text),
		         "BearSSL 0.6 does not implement %s (0x%04X)",
		         suite->iana_name, suite->code_point);
		return false;
	}
	return true;
}

/* ---- credentials ------------------------------------------------------- */

/* Where br_pem_decoder writes the object being decoded. */
struct bear_pem_sink {
	struct bear_der *der;
	bool active;   /* the current object is the one wanted */
	bool overflow; /* it did not fit */
};

static void bear_pem_append(void *ctx, const void *src, size_t len)
{
	struct bear_pem_sink *sink = ctx;
	if (!sink->active)
		return;
	if (len > sizeof(sink->der->data) - sink->der->len) {
		sink->overflow = true;
		return;
	}
	memcpy(sink->der->data + sink->der->len, src, len);
	sink->der->len += len;
}

/* Whether a PEM object's name ends in `name`: "PRIVATE KEY" takes both
 * PKCS#8 and SEC 1's "EC PRIVATE KEY", as br_skey_decoder does. */
static bool bear_pem_name_matches(const char *object, const char *name)
{
	size_t o = strlen(object), n = strlen(name);
	return o >= n && strcmp(object + o - n, name) == 0;
}

/* Push `len` bytes into the decoder; true once the wanted object ended. */
static bool bear_pem_push(br_pem_decoder_context *pc,
                          struct bear_pem_sink *sink, const char *name,
                          const unsigned char *buf, size_t len, bool *error)
{
	while (len > 0) {
		size_t used = br_pem_decoder_push(pc, buf, len);
		buf += used;
		len -= used;
		switch (br_pem_decoder_event(pc)) {
		case BR_PEM_BEGIN_OBJ:
			sink->active = bear_pem_name_matches(
			    br_pem_decoder_name(pc), name);
			sink->der->len = 0;
			break;
		case BR_PEM_END_OBJ:
			if (sink->active)
				return true;
			break;
		case BR_PEM_ERROR:
			*error = true;
			return false;
		default:
			break;
		}
	}
	return false;
}

/* The first PEM object in `path` whose name ends in `name`, as DER. */
static int bear_pem_load(struct bear_endpoint *ep, const char *path,
                         const char *name, struct bear_der *der)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return bear_fail(ep, SB_ERR_CREDENTIALS, "cannot open %s: %s",
		                 path, strerror(errno));
	br_pem_decoder_context pc;
	struct bear_pem_sink sink = {.der = der};
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, bear_pem_append, &sink);
	unsigned char chunk[512];
	bool found = false, error = false;
	size_t n;
	while (!found && !error && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		found = bear_pem_push(&pc, &sink, name, chunk, n, &error);
	/* The decoder sees an object's end line only once it is terminated. */
	if (!found && !error)
		found = bear_pem_push(&pc, &sink, name,
		                      (const unsigned char *)"\n", 1, &error);
	bool read_error = ferror(f) != 0;
	fclose(f);
	if (read_error || error)
		return bear_fail(ep, SB_ERR_CREDENTIALS, "%s: %s", path,
		                 read_error ? "read error" : "malformed PEM");
	if (sink.overflow)
		return bear_fail(ep, SB_ERR_CREDENTIALS,
		                 "%s: %s larger than %d bytes", path, name,
		                 BEAR_DER_MAX);
	if (!found)
		return bear_fail(ep, SB_ERR_CREDENTIALS, "%s: no PEM %s", path,
		                 name);
	return 0;
}

static void bear_dn_append(void *ctx, const void *src, size_t len)
{
	struct bear_endpoint *ep = ctx;
	/* A length past the buffer marks an overflow, checked by the caller. */
	if (ep->anchor.dn.len > sizeof(ep->anchor_dn) ||
	    len > sizeof(ep->anchor_dn) - ep->anchor.dn.len) {
		ep->anchor.dn.len = sizeof(ep->anchor_dn) + 1;
		return;
	}
	memcpy(ep->anchor_dn + ep->anchor.dn.len, src, len);
	ep->anchor.dn.len += len;
}

/* The CA certificate in ca_file as the one trust anchor: name and P-256 key. */
static int bear_load_anchor(struct bear_endpoint *ep)
{
	const char *path = ep->cfg->creds.ca_file;
	struct bear_der der;
	int rc = bear_pem_load(ep, path, "CERTIFICATE", &der);
	if (rc)
		return rc;
	br_x509_decoder_context dc;
	ep->anchor.dn.data = ep->anchor_dn;
	ep->anchor.dn.len = 0;
	br_x509_decoder_init(&dc, bear_dn_append, ep);
	br_x509_decoder_push(&dc, der.data, der.len);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || ep->anchor.dn.len > sizeof(ep->anchor_dn)) {
		char text[160];
		bear_error_text(br_x509_decoder_last_error(&dc), text,
		                sizeof(text));
		return bear_fail(ep, SB_ERR_CREDENTIALS, "%s: %s", path, text);
	}
	if (pk->key_type != BR_KEYTYPE_EC ||
	    pk->key.ec.curve != BR_EC_secp256r1 ||
	    pk->key.ec.qlen > sizeof(ep->anchor_q))
		return bear_fail(ep, SB_ERR_CREDENTIALS,
		                 "%s: the CA key is not a P-256 key", path);
	memcpy(ep->anchor_q, pk->key.ec.q, pk->key.ec.qlen);
	ep->anchor.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ep->anchor.pkey.key_type = BR_KEYTYPE_EC;
	ep->anchor.pkey.key.ec.curve = BR_EC_secp256r1;
	ep->anchor.pkey.key.ec.q = ep->anchor_q;
	ep->anchor.pkey.key.ec.qlen = pk->key.ec.qlen;
	return 0;
}

/* An RSA key's CRT values into the endpoint's buffer, back to back. */
static bool bear_rsa_copy(struct bear_endpoint *ep,
                          const br_rsa_private_key *sk)
{
	const unsigned char *src[5] = {sk->p, sk->q, sk->dp, sk->dq, sk->iq};
	const size_t len[5] = {sk->plen, sk->qlen, sk->dplen, sk->dqlen,
	                       sk->iqlen};
	unsigned char *dst[5];
	size_t at = 0;
	if (sk->n_bitlen > BEAR_RSA_MAX_BITS)
		return false;
	for (int i = 0; i < 5; i++) {
		if (len[i] > sizeof(ep->rsa_buf) - at)
			return false;
		dst[i] = ep->rsa_buf + at;
		memcpy(dst[i], src[i], len[i]);
		at += len[i];
	}
	ep->rsa_key = (br_rsa_private_key){
	    .n_bitlen = sk->n_bitlen,
	    .p = dst[0],
	    .plen = len[0],
	    .q = dst[1],
	    .qlen = len[1],
	    .dp = dst[2],
	    .dplen = len[2],
	    .dq = dst[3],
	    .dqlen = len[3],
	    .iq = dst[4],
	    .iqlen = len[4],
	};
	return true;
}

/* The decoded key into the endpoint: RSA (up to 2048 bits) for an
 * ECDHE-RSA server, P-256 otherwise. */
static int bear_key_copy(struct bear_endpoint *ep,
                         const br_skey_decoder_context *kc)
{
	const char *path = ep->cfg->creds.key_file;
	int err = br_skey_decoder_last_error(kc);
	bool want_rsa = ep->cfg->role == SB_ROLE_SERVER &&
	                ep->cfg->suite->kx == SB_KX_ECDHE_RSA;
	if (want_rsa) {
		const br_rsa_private_key *rsa =
		    err ? NULL : br_skey_decoder_get_rsa(kc);
		if (!rsa || !bear_rsa_copy(ep, rsa)) {
			char text[160];
			bear_error_text(err, text, sizeof(text));
			return bear_fail(
			    ep, SB_ERR_CREDENTIALS,
			    "%s: not an RSA key of at most %d bits (%s)", path,
			    BEAR_RSA_MAX_BITS, text);
		}
		return 0;
	}
	const br_ec_private_key *sk = err ? NULL : br_skey_decoder_get_ec(kc);
	if (!sk || sk->curve != BR_EC_secp256r1 ||
	    sk->xlen > sizeof(ep->key_x)) {
		char text[160];
		bear_error_text(err, text, sizeof(text));
		return bear_fail(ep, SB_ERR_CREDENTIALS,
		                 "%s: not a P-256 private key (%s)", path,
		                 text);
	}
	memcpy(ep->key_x, sk->x, sk->xlen);
	ep->key = (br_ec_private_key){
	    .curve = sk->curve, .x = ep->key_x, .xlen = sk->xlen};
	return 0;
}

/* This endpoint's certificate and its private key (PKCS#8, SEC 1 or
 * PKCS#1). */
static int bear_load_identity(struct bear_endpoint *ep)
{
	const struct sb_credentials *c = &ep->cfg->creds;
	int rc = bear_pem_load(ep, c->cert_file, "CERTIFICATE", &ep->cert);
	if (rc)
		return rc;
	ep->chain.data = ep->cert.data;
	ep->chain.data_len = ep->cert.len;

	struct bear_der der;
	rc = bear_pem_load(ep, c->key_file, "PRIVATE KEY", &der);
	if (rc)
		return rc;
	br_skey_decoder_context kc;
	br_skey_decoder_init(&kc);
	br_skey_decoder_push(&kc, der.data, der.len);
	memset(&der, 0, sizeof(der));
	rc = bear_key_copy(ep, &kc);
	memset(&kc, 0, sizeof(kc)); /* it held a copy of the key */
	return rc;
}

/* ---- endpoint set-up --------------------------------------------------- */

static br_ssl_engine_context *bear_engine(struct bear_endpoint *ep)
{
	return ep->cfg->role == SB_ROLE_CLIENT ? &ep->ctx.client.eng
	                                       : &ep->ctx.server.eng;
}

/* The virtual clock as X.509 validation time: days since 0000-01-01 and
 * seconds since midnight, UTC (bearssl_x509.h). */
static void bear_set_time(struct bear_endpoint *ep)
{
	if (!ep->x509_used)
		return;
	const struct sb_clock *clock = &ep->cfg->clock;
	uint64_t s = clock->now_us(clock->ctx) / 1000000u;
	br_x509_minimal_set_time(&ep->x509,
	                         (uint32_t)(s / 86400u) + BEAR_UNIX_EPOCH_DAYS,
	                         (uint32_t)(s % 86400u));
}

/* A validator that trusts the CA alone: SHA-256, ECDSA over P-256. */
static void bear_x509_setup(struct bear_endpoint *ep)
{
	br_x509_minimal_init(&ep->x509, &br_sha256_vtable, &ep->anchor, 1);
	br_x509_minimal_set_hash(&ep->x509, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_ecdsa(&ep->x509, &br_ec_p256_m31,
	                          br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_x509(bear_engine(ep), &ep->x509.vtable);
	ep->x509_used = true;
	bear_set_time(ep);
}

/*
 * The engine: TLS 1.2 only, the one suite, P-256, ECDSA verification,
 * SHA-256 transcript and PRF, and the record layer of the suite's AEAD
 * with the primitives `impl` picks.  Nothing else is configured.
 */
static void bear_engine_setup(struct bear_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	br_ssl_engine_context *eng = bear_engine(ep);
	const uint16_t suite = cfg->suite->code_point;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, &suite, 1);
	br_ssl_engine_set_ec(eng, &br_ec_p256_m31);
	/* Verifies ServerKeyExchange, or the client's CertificateVerify.  An
	 * ECDHE-RSA client keeps ECDSA too: it offers ecdsa_secp256r1_sha256
	 * then, which signed the RSA leaf (RFC 5246 7.4.2). */
	if (cfg->role == SB_ROLE_CLIENT || cfg->mutual)
		br_ssl_engine_set_ecdsa(eng, br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);

	struct bear_primitives p = bear_primitives_pick(cfg->impl);
	if (cfg->role == SB_ROLE_CLIENT && cfg->suite->kx == SB_KX_ECDHE_RSA)
		br_ssl_engine_set_rsavrfy(eng, p.rsa_vrfy);
	switch (cfg->suite->aead) {
	case SB_AEAD_AES_128_GCM:
		br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
		                      &br_sslrec_out_gcm_vtable);
		br_ssl_engine_set_aes_ctr(eng, p.aes_ctr);
		br_ssl_engine_set_ghash(eng, p.ghash);
		break;
	case SB_AEAD_AES_128_CCM:
	case SB_AEAD_AES_128_CCM_8:
		br_ssl_engine_set_ccm(eng, &br_sslrec_in_ccm_vtable,
		                      &br_sslrec_out_ccm_vtable);
		br_ssl_engine_set_aes_ctrcbc(eng, p.aes_ctrcbc);
		break;
	case SB_AEAD_CHACHA20_POLY1305:
		br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable,
		                         &br_sslrec_out_chapol_vtable);
		br_ssl_engine_set_chacha20(eng, p.chacha20);
		br_ssl_engine_set_poly1305(eng, p.poly1305);
		break;
	}
	br_ssl_engine_set_buffer(eng, ep->iobuf, sizeof(ep->iobuf), 1);
}

/*
 * Each BearSSL engine has its own HMAC-DRBG, which by default seeds
 * itself from the OS at every reset -- a kernel read per endpoint that
 * the other libraries, whose generators are process-wide, pay once.  So,
 * as a device seeds once at boot: one process-wide HMAC-DRBG, seeded from
 * the OS the first time it is needed, hands each engine 32 bytes, and the
 * engine's own OS seeding is marked as already attempted
 * (`rng_os_rand_done`, documented in bearssl_ssl.h).  What remains per
 * endpoint -- instantiating the engine's DRBG -- is the library's own
 * cost.  --deterministic: the 32 bytes come from sb_rng instead, so the
 * hello random, the ECDHE key and the session ID repeat; ECDSA signatures
 * already do, BearSSL deriving their nonces per RFC 6979.
 */
static br_hmac_drbg_context bear_drbg;
static bool bear_drbg_seeded;

static bool bear_drbg_boot(void)
{
	if (bear_drbg_seeded)
		return true;
	br_prng_seeder seeder = br_prng_seeder_system(NULL);
	br_hmac_drbg_init(&bear_drbg, &br_sha256_vtable, NULL, 0);
	bear_drbg_seeded = seeder && seeder(&bear_drbg.vtable);
	return bear_drbg_seeded;
}

static void bear_seed_rng(struct bear_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	uint8_t seed[32];
	if (cfg->deterministic) {
		struct sb_rng rng;
		sb_rng_seed(&rng, cfg->seed, (uint64_t)cfg->role);
		sb_rng_fill(&rng, seed, sizeof(seed));
	} else if (bear_drbg_boot()) {
		br_hmac_drbg_generate(&bear_drbg, seed, sizeof(seed));
	} else {
		return; /* no OS seeder: the engine tries its own */
	}
	br_ssl_engine_context *eng = bear_engine(ep);
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	eng->rng_os_rand_done = 1;
}

/* Client: validate the server against the CA; present a certificate if
 * mutual.  The reset puts the name into SNI and the name check. */
static int bear_client_setup(struct bear_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	br_ssl_client_context *cc = &ep->ctx.client;
	int rc = bear_load_anchor(ep);
	if (rc == 0 && cfg->mutual)
		rc = bear_load_identity(ep);
	if (rc)
		return rc;
	br_ssl_client_zero(cc);
	bear_engine_setup(ep);
	bear_x509_setup(ep);
	if (cfg->mutual)
		br_ssl_client_set_single_ec(
		    cc, &ep->chain, 1, &ep->key, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
		    &br_ec_p256_m31, br_ecdsa_i31_sign_asn1);
	bear_seed_rng(ep);
	if (!br_ssl_client_reset(cc, cfg->server_name, 0)) {
		char text[160];
		bear_error_text(br_ssl_engine_last_error(&cc->eng), text,
		                sizeof(text));
		return bear_fail(ep, SB_ERR_INVALID, "br_ssl_client_reset: %s",
		                 text);
	}
	return 0;
}

/* Server: sign with its P-256 key; if mutual, ask for a client
 * certificate from the CA and validate it. */
static int bear_server_setup(struct bear_endpoint *ep)
{
	const struct sb_endpoint_config *cfg = ep->cfg;
	br_ssl_server_context *sc = &ep->ctx.server;
	int rc = bear_load_identity(ep);
	if (rc == 0 && cfg->mutual)
		rc = bear_load_anchor(ep);
	if (rc)
		return rc;
	br_ssl_server_zero(sc);
	bear_engine_setup(ep);
	if (cfg->suite->kx == SB_KX_ECDHE_RSA) {
		struct bear_primitives p = bear_primitives_pick(cfg->impl);
		br_ssl_server_set_single_rsa(sc, &ep->chain, 1, &ep->rsa_key,
		                             BR_KEYTYPE_SIGN, p.rsa_private,
		                             p.rsa_sign);
	} else {
		br_ssl_server_set_single_ec(
		    sc, &ep->chain, 1, &ep->key, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
		    &br_ec_p256_m31, br_ecdsa_i31_sign_asn1);
	}
	if (cfg->mutual) {
		br_ssl_server_set_trust_anchor_names_alt(sc, &ep->anchor, 1);
		bear_x509_setup(ep);
	}
	bear_seed_rng(ep);
	if (!br_ssl_server_reset(sc)) {
		char text[160];
		bear_error_text(br_ssl_engine_last_error(&sc->eng), text,
		                sizeof(text));
		return bear_fail(ep, SB_ERR_INVALID, "br_ssl_server_reset: %s",
		                 text);
	}
	return 0;
}

/*
 * Settings this library (or this backend) does not have: the reason, or
 * NULL.  The core makes an `unsupported` row of it.
 */
static const char *bear_missing_setting(const struct sb_endpoint_config *cfg)
{
	if (cfg->cid_len > 0)
		return "BearSSL has no DTLS, so no Connection ID";
	if (cfg->auth == SB_AUTH_RPK && !sb_kx_uses_psk(cfg->suite->kx))
		return "BearSSL 0.6 has no RFC 7250 certificate types: "
		       "br_x509_knownkey "
		       "pins a key, but the certificate still crosses the wire";
	return NULL;
}

static int bear_endpoint_setup(void *state,
                               const struct sb_endpoint_config *cfg)
{
	struct bear_endpoint *ep = state;
	ep->cfg = cfg;
	const char *missing = bear_missing_setting(cfg);
	if (missing) {
		snprintf(ep->error, sizeof(ep->error), "%s", missing);
		return SB_ERR_UNSUPPORTED;
	}
	struct sb_reason why;
	if (!bear_supports(cfg->protocol, cfg->suite, cfg->role, &why))
		return bear_fail(ep, SB_ERR_UNSUPPORTED, "%s", why.text);
	return cfg->role == SB_ROLE_CLIENT ? bear_client_setup(ep)
	                                   : bear_server_setup(ep);
}

/* ---- moving records ---------------------------------------------------- */

/* The engine closed: keep its error, and say which status that is. */
static int bear_closed(struct bear_endpoint *ep, int failure)
{
	ep->br_err = br_ssl_engine_last_error(bear_engine(ep));
	if (ep->br_err == BR_ERR_OK)
		return bear_fail(ep, SB_ERR_PEER_CLOSED,
		                 "the peer closed the connection");
	bear_error_text(ep->br_err, ep->error, sizeof(ep->error));
	return failure;
}

/*
 * Move records between the engine and the link: send all the engine has
 * to send; when `receive`, feed it the bytes it asks for (never more than
 * the rest of the current record) until it holds application data.
 * Returns 0, SB_ERR_WANT_IO when the link has nothing more, `failure`
 * when the engine closed on an error, SB_ERR_PEER_CLOSED when it closed
 * without one (close_notify), or SB_ERR_IO.
 */
static int bear_pump(struct bear_endpoint *ep, bool receive, int failure)
{
	br_ssl_engine_context *eng = bear_engine(ep);
	const struct sb_io *io = &ep->cfg->io;
	for (;;) {
		unsigned state = br_ssl_engine_current_state(eng);
		if (state & BR_SSL_CLOSED)
			return bear_closed(ep, failure);
		size_t len;
		if (state & BR_SSL_SENDREC) {
			unsigned char *buf =
			    br_ssl_engine_sendrec_buf(eng, &len);
			int rc = io->send(io->ctx, buf, len);
			if (rc)
				return bear_fail(ep, SB_ERR_IO, "link send: %s",
				                 sb_strerror(rc));
			br_ssl_engine_sendrec_ack(eng, len);
			continue;
		}
		if (!receive || (state & BR_SSL_RECVAPP) ||
		    !(state & BR_SSL_RECVREC))
			return 0;
		unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
		int n = io->recv(io->ctx, buf, len);
		if (n == SB_ERR_WANT_IO)
			return SB_ERR_WANT_IO;
		if (n <= 0)
			return bear_fail(ep, SB_ERR_IO, "link receive: %s",
			                 sb_strerror(n));
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

/* ---- operations -------------------------------------------------------- */

static int bear_step(void *state)
{
	struct bear_endpoint *ep = state;
	if (ep->done)
		return 0;
	bear_set_time(ep);
	int rc = bear_pump(ep, true, SB_ERR_HANDSHAKE);
	if (rc != 0 && rc != SB_ERR_WANT_IO)
		return rc == SB_ERR_PEER_CLOSED ? SB_ERR_HANDSHAKE : rc;
	/* The engine accepts application data only once the handshake is
	 * complete (BearSSL does no False Start). */
	unsigned st = br_ssl_engine_current_state(bear_engine(ep));
	if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) {
		ep->done = true;
		return 0;
	}
	return SB_ERR_WANT_IO;
}

/* Each chunk is flushed at once, so one write up to the maximum fragment
 * (16384 bytes) is exactly one record. */
static int bear_write(void *state, const uint8_t *buf, size_t len)
{
	struct bear_endpoint *ep = state;
	br_ssl_engine_context *eng = bear_engine(ep);
	while (len > 0) {
		size_t room;
		unsigned char *dst = br_ssl_engine_sendapp_buf(eng, &room);
		if (!dst) {
			int rc = bear_pump(ep, false, SB_ERR_RECORD);
			if (rc)
				return rc;
			dst = br_ssl_engine_sendapp_buf(eng, &room);
			if (!dst)
				return bear_fail(ep, SB_ERR_RECORD,
				                 "write: the engine accepts "
				                 "no application data");
		}
		size_t n = len < room ? len : room;
		memcpy(dst, buf, n);
		br_ssl_engine_sendapp_ack(eng, n);
		br_ssl_engine_flush(eng, 0);
		int rc = bear_pump(ep, false, SB_ERR_RECORD);
		if (rc)
			return rc;
		buf += n;
		len -= n;
	}
	return 0;
}

/* A record that fails authentication closes a TLS connection (RFC 5246
 * 7.2.2): the read fails with the engine's BR_ERR_BAD_MAC. */
static int bear_read(void *state, uint8_t *buf, size_t cap)
{
	struct bear_endpoint *ep = state;
	br_ssl_engine_context *eng = bear_engine(ep);
	int rc = bear_pump(ep, true, SB_ERR_RECORD);
	if (rc)
		return rc;
	size_t len;
	unsigned char *src = br_ssl_engine_recvapp_buf(eng, &len);
	if (!src)
		return SB_ERR_WANT_IO;
	size_t n = len < cap ? len : cap;
	memcpy(buf, src, n);
	br_ssl_engine_recvapp_ack(eng, n);
	return (int)n;
}

SB_BACKEND_BATCH(bear)

static uint16_t bear_negotiated_suite(void *state)
{
	struct bear_endpoint *ep = state;
	if (!ep->done)
		return 0;
	br_ssl_session_parameters params;
	br_ssl_engine_get_session_parameters(bear_engine(ep), &params);
	return params.cipher_suite;
}

/* The handshake completes only if the validator accepted the peer's chain
 * (and, on a client, its name); check its verdict all the same. */
static bool bear_peer_authenticated(void *state)
{
	struct bear_endpoint *ep = state;
	return ep->done && ep->x509_used && ep->x509.err == BR_ERR_X509_OK;
}

static const char *bear_last_error(void *state)
{
	const struct bear_endpoint *ep = state;
	return ep->error[0] ? ep->error : "no BearSSL error recorded";
}

/* Nothing was allocated; wipe the private key. */
static void bear_endpoint_free(void *state)
{
	struct bear_endpoint *ep = state;
	memset(ep->key_x, 0, sizeof(ep->key_x));
	ep->key.xlen = 0;
	memset(ep->rsa_buf, 0, sizeof(ep->rsa_buf));
	ep->rsa_key = (br_rsa_private_key){0};
	ep->done = false;
}

/* The caller-owned state BearSSL needs (backend.h's rule): the engine
 * context of the role, the validator when it is used, the I/O buffer,
 * and the credentials it reads from the caller's memory -- the trust
 * anchor (its name and point), this endpoint's certificate (DER) and
 * private key, as many bytes as they hold.  Buffer capacity beyond that
 * (the backend sizes them for any test credential) is not counted. */
static size_t bear_static_ram(const void *state)
{
	const struct bear_endpoint *ep = state;
	size_t ctx = ep->cfg && ep->cfg->role == SB_ROLE_SERVER
	                 ? sizeof(br_ssl_server_context)
	                 : sizeof(br_ssl_client_context);
	size_t bytes = ctx + sizeof(ep->iobuf);
	if (ep->x509_used) {
		const br_x509_pkey *pk = &ep->anchor.pkey;
		bytes += sizeof(ep->x509) + sizeof(ep->anchor) +
		         ep->anchor.dn.len +
		         (pk->key_type == BR_KEYTYPE_EC
		              ? pk->key.ec.qlen
		              : pk->key.rsa.nlen + pk->key.rsa.elen);
	}
	if (ep->cert.len)
		bytes += sizeof(ep->chain) + ep->cert.len;
	if (ep->key.xlen)
		bytes += sizeof(ep->key) + ep->key.xlen;
	if (ep->rsa_key.n_bitlen)
		bytes += sizeof(ep->rsa_key) + ep->rsa_key.plen +
		         ep->rsa_key.qlen + ep->rsa_key.dplen +
		         ep->rsa_key.dqlen + ep->rsa_key.iqlen;
	return bytes;
}

/* BearSSL has no version API; 0.6 is the release with the CCM suites. */
static const char *bear_version(void)
{
	return "BearSSL 0.6";
}

const struct sb_backend sb_backend_bearssl = {
    .name = "bearssl",
    .version = bear_version,
    .caps = SB_CAP_HEAP_NONE,
    .endpoint_size = sizeof(struct bear_endpoint),
    .supports = bear_supports,
    .endpoint_setup = bear_endpoint_setup,
    .step = bear_step,
    .write = bear_write,
    .read = bear_read,
    .write_batch = bear_write_batch,
    .read_batch = bear_read_batch,
    .negotiated_suite = bear_negotiated_suite,
    .peer_authenticated = bear_peer_authenticated,
    .last_error = bear_last_error,
    .endpoint_free = bear_endpoint_free,
    .static_ram = bear_static_ram,
    .describe_impl = bear_describe_impl,
};
