/*
 * ref_openssl.c - the reference loop for OpenSSL: two DTLS 1.2
 * endpoints in memory, suitebench's configuration, nothing else
 * (ref_common.h).  Written from OpenSSL's manual pages, not from
 * suitebench's backend.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "ref_common.h"

static const struct {
	const char *name, *openssl;
	int psk;
} ref_suites[] = {
    {"psk-ccm8", "PSK-AES128-CCM8", 1},
    {"psk-gcm", "PSK-AES128-GCM-SHA256", 1},
    {"psk-chacha20", "PSK-CHACHA20-POLY1305", 1},
    {"ecdhe-ecdsa-ccm8", "ECDHE-ECDSA-AES128-CCM8", 0},
    {"ecdhe-ecdsa-gcm", "ECDHE-ECDSA-AES128-GCM-SHA256", 0},
};

static struct ref_psk psk;
static uint8_t cookie_secret[32];
static char ca[4096], cert[4096], key[4096];

/* One write, one datagram; one read, one datagram. */
static int bio_write(BIO *b, const char *buf, int len)
{
	const struct ref_ports *p = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	return ref_push(p->out, (const uint8_t *)buf, (size_t)len) ? -1 : len;
}

static int bio_read(BIO *b, char *buf, int cap)
{
	const struct ref_ports *p = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	int n = ref_pop(p->in, (uint8_t *)buf, (size_t)cap);
	if (n == 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	return n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH || cmd == BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT;
}

static BIO_METHOD *method;

static BIO *bio_new(struct ref_ports *ports)
{
	BIO *b = BIO_new(method);
	BIO_set_data(b, ports);
	BIO_set_init(b, 1);
	return b;
}

static unsigned psk_client(SSL *s, const char *hint, char *id, unsigned id_max,
                           unsigned char *k, unsigned k_max)
{
	(void)s;
	(void)hint;
	if (strlen(psk.identity) + 1 > id_max || psk.len > k_max)
		return 0;
	strcpy(id, psk.identity);
	memcpy(k, psk.key, psk.len);
	return (unsigned)psk.len;
}

static unsigned psk_server(SSL *s, const char *id, unsigned char *k,
                           unsigned k_max)
{
	(void)s;
	if (strcmp(id, psk.identity) != 0 || psk.len > k_max)
		return 0;
	memcpy(k, psk.key, psk.len);
	return (unsigned)psk.len;
}

static int cookie_make(unsigned char *out, unsigned *len)
{
	static const unsigned char addr[] = "client";
	return HMAC(EVP_sha256(), cookie_secret, sizeof(cookie_secret), addr,
	            sizeof(addr), out, len) != NULL;
}

static int cookie_gen(SSL *s, unsigned char *c, unsigned *len)
{
	(void)s;
	return cookie_make(c, len);
}

static int cookie_verify(SSL *s, const unsigned char *c, unsigned len)
{
	(void)s;
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	return cookie_make(want, &n) && n == len &&
	       CRYPTO_memcmp(c, want, n) == 0;
}

static SSL_CTX *ctx_new(int server, const char *suite, int is_psk)
{
	SSL_CTX *ctx =
	    SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, suite);
	SSL_CTX_set1_groups_list(ctx, "P-256");
	SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256");
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (server) {
		SSL_CTX_set_cookie_generate_cb(ctx, cookie_gen);
		SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);
		SSL_CTX_set_options(ctx, SSL_OP_COOKIE_EXCHANGE);
		if (is_psk)
			SSL_CTX_set_psk_server_callback(ctx, psk_server);
		else if (SSL_CTX_use_certificate_file(ctx, cert,
		                                      SSL_FILETYPE_PEM) != 1 ||
		         SSL_CTX_use_PrivateKey_file(ctx, key,
		                                     SSL_FILETYPE_PEM) != 1)
			return NULL;
	} else if (is_psk) {
		SSL_CTX_set_psk_client_callback(ctx, psk_client);
	} else {
		if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
			return NULL;
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
}

struct pair {
	SSL_CTX *cctx, *sctx;
	SSL *c, *s;
	struct ref_link *l;
};

/* The handshakes' link, in static storage as it always was. */
static struct ref_link hs_link;

static int pair_new(struct pair *p, struct ref_link *l, const char *suite,
                    int is_psk)
{
	ref_link_init(l);
	p->l = l;
	p->cctx = ctx_new(0, suite, is_psk);
	p->sctx = ctx_new(1, suite, is_psk);
	if (!p->cctx || !p->sctx)
		return -1;
	p->c = SSL_new(p->cctx);
	p->s = SSL_new(p->sctx);
	BIO *cb = bio_new(&l->client);
	BIO *sb = bio_new(&l->server);
	SSL_set_bio(p->c, cb, cb);
	SSL_set_bio(p->s, sb, sb);
	SSL_set_mtu(p->c, REF_MTU);
	SSL_set_mtu(p->s, REF_MTU);
	SSL_set_connect_state(p->c);
	SSL_set_accept_state(p->s);
	if (!is_psk) {
		SSL_set_tlsext_host_name(p->c, "server.suitebench.test");
		SSL_set1_host(p->c, "server.suitebench.test");
	}
	return 0;
}

static void pair_free(struct pair *p)
{
	SSL_free(p->c);
	SSL_free(p->s);
	SSL_CTX_free(p->cctx);
	SSL_CTX_free(p->sctx);
}

/* Step each side when it has something to read (the client first with
 * nothing), until both are done.  Returns the TSC cycles, or 0. */
static uint64_t handshake(struct pair *p)
{
	int c_done = 0, s_done = 0, c_started = 0;
	uint64_t t0 = ref_now();
	for (int round = 0; round < 100 && !(c_done && s_done); round++) {
		if (!c_done && (!c_started || p->l->s2c.count)) {
			c_started = 1;
			int r = SSL_do_handshake(p->c);
			if (r == 1)
				c_done = 1;
			else if (SSL_get_error(p->c, r) != SSL_ERROR_WANT_READ)
				return 0;
		}
		if (!s_done && p->l->c2s.count) {
			int r = SSL_do_handshake(p->s);
			if (r == 1)
				s_done = 1;
			else if (SSL_get_error(p->s, r) != SSL_ERROR_WANT_READ)
				return 0;
		}
	}
	uint64_t t1 = ref_now();
	return c_done && s_done ? t1 - t0 : 0;
}

/* A batch of REF_BATCH records from `w` to `r`: cycles per record. */
static int batch(SSL *w, SSL *r, const uint8_t *data, size_t len, uint64_t *enc,
                 uint64_t *dec)
{
	uint8_t buf[REF_MTU];
	uint64_t t0 = ref_now();
	for (int i = 0; i < REF_BATCH; i++)
		if (SSL_write(w, data, (int)len) != (int)len)
			return -1;
	uint64_t t1 = ref_now();
	int ok = 1;
	for (int i = 0; i < REF_BATCH; i++)
		ok &= SSL_read(r, buf, sizeof(buf)) == (int)len;
	uint64_t t2 = ref_now();
	*enc = (t1 - t0) / REF_BATCH;
	*dec = (t2 - t1) / REF_BATCH;
	return ok && memcmp(buf, data, len) == 0 ? 0 : -1;
}

/* The timed functions, called through ref_call. */
struct timed {
	struct pair *p;
	SSL *w, *r;
	const uint8_t *data;
	size_t len;
	uint64_t cycles, enc, dec;
	int rc;
};

static int timed_handshake(void *arg)
{
	struct timed *t = arg;
	t->cycles = handshake(t->p);
	return 0;
}

static int timed_batch(void *arg)
{
	struct timed *t = arg;
	t->rc = batch(t->w, t->r, t->data, t->len, &t->enc, &t->dec);
	return 0;
}

static uint64_t handshake_at(const struct ref_args *a, struct pair *p)
{
	struct timed t = {.p = p};
	ref_call(a, timed_handshake, &t);
	return t.cycles;
}

/* A ref_batch_fn: the client or the server of `conn` writes. */
static int batch_at(const struct ref_args *a, void *conn, int client_writes,
                    const uint8_t *data, size_t len, uint64_t *enc,
                    uint64_t *dec)
{
	struct pair *p = conn; /* a records connection's pair */
	struct timed t = {.w = client_writes ? p->c : p->s,
	                  .r = client_writes ? p->s : p->c,
	                  .data = data,
	                  .len = len};
	ref_call(a, timed_batch, &t);
	*enc = t.enc;
	*dec = t.dec;
	return t.rc;
}

int main(int argc, char **argv)
{
	struct ref_args a;
	if (ref_parse(argc, argv, &a))
		return 2;
	const char *name = NULL;
	int is_psk = 0;
	for (size_t i = 0; i < sizeof(ref_suites) / sizeof(ref_suites[0]); i++)
		if (strcmp(ref_suites[i].name, a.suite) == 0) {
			name = ref_suites[i].openssl;
			is_psk = ref_suites[i].psk;
		}
	snprintf(ca, sizeof(ca), "%s/ca.pem", a.creds);
	snprintf(cert, sizeof(cert), "%s/server.pem", a.creds);
	snprintf(key, sizeof(key), "%s/server.key", a.creds);
	if (!name || ref_load_psk(a.creds, &psk) ||
	    RAND_bytes(cookie_secret, sizeof(cookie_secret)) != 1) {
		fprintf(stderr, "ref-openssl: bad suite or credentials\n");
		return 2;
	}
	method =
	    BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ref");
	BIO_meth_set_write(method, bio_write);
	BIO_meth_set_read(method, bio_read);
	BIO_meth_set_ctrl(method, bio_ctrl);
	uint64_t *hs = calloc(a.reps, sizeof(*hs));
	struct pair p;
	if (!hs)
		return 1;
	/* Warm-up, as suitebench's: the first handshakes fetch lazily. */
	for (unsigned i = 0; i < 3 + a.reps; i++) {
		if (pair_new(&p, &hs_link, name, is_psk))
			return 1;
		uint64_t c = handshake_at(&a, &p);
		pair_free(&p);
		if (!c) {
			ERR_print_errors_fp(stderr);
			return 1;
		}
		if (i >= 3)
			hs[i - 3] = c;
	}
	printf("handshake %.1f\n", ref_median(hs, a.reps));
	/* The records connections, each with its link in one block of its
	 * own, set up back to back (ref_records). */
	struct conn {
		struct pair p; /* first: batch_at takes it for the conn */
		struct ref_link l;
	} * conns[REF_LAYOUTS_MAX];
	void *each[REF_LAYOUTS_MAX];
	for (unsigned k = 0; k < a.layouts; k++) {
		struct conn *x = conns[k] = malloc(sizeof(*x));
		if (!x || pair_new(&x->p, &x->l, name, is_psk) ||
		    !handshake_at(&a, &x->p))
			return 1;
		each[k] = &x->p;
	}
	uint8_t data[1024];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31u);
	if (ref_records(&a, each, batch_at, data))
		return 1;
	for (unsigned k = 0; k < a.layouts; k++) {
		pair_free(&conns[k]->p);
		free(conns[k]);
	}
	free(hs);
	BIO_meth_free(method);
	return 0;
}
