/*
 * ref_mbedtls.c - the reference loop for Mbed TLS 2.28: two DTLS 1.2
 * endpoints in memory, suitebench's configuration, nothing else
 * (ref_common.h).  Linked with Debian's own static archives; its random
 * generator is one CTR-DRBG seeded once from the kernel, as a device
 * seeds at boot.  Written from Mbed TLS's headers and its dtls_client /
 * dtls_server programs, not from suitebench's backend.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cookie.h>
#include <mbedtls/timing.h>
#include <mbedtls/x509_crt.h>
#include <sys/random.h>

#include "ref_common.h"

static const struct {
	const char *name;
	int id, psk;
} ref_suites[] = {
    {"psk-ccm8", 0xC0A8, 1},        {"psk-gcm", 0x00A8, 1},
    {"psk-chacha20", 0xCCAB, 1},    {"ecdhe-ecdsa-ccm8", 0xC0AE, 0},
    {"ecdhe-ecdsa-gcm", 0xC02B, 0},
};

static struct ref_psk psk;
static mbedtls_ctr_drbg_context drbg;
static char ca_path[4096], cert_path[4096], key_path[4096];
static const unsigned char client_id[] = "client";

static int entropy(void *ctx, unsigned char *out, size_t len)
{
	(void)ctx;
	return getrandom(out, len, 0) == (ssize_t)len ? 0 : -1;
}

/* `ctx`: the endpoint's ports (ref_common.h). */
static int send_cb(void *ctx, const unsigned char *buf, size_t len)
{
	const struct ref_ports *p = ctx;
	return ref_push(p->out, buf, len) ? MBEDTLS_ERR_SSL_BAD_INPUT_DATA
	                                  : (int)len;
}

static int recv_cb(void *ctx, unsigned char *buf, size_t cap)
{
	const struct ref_ports *p = ctx;
	int n = ref_pop(p->in, buf, cap);
	return n == 0 ? MBEDTLS_ERR_SSL_WANT_READ : n;
}

static int psk_cb(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *id,
                  size_t len)
{
	(void)ctx;
	if (len != strlen(psk.identity) || memcmp(id, psk.identity, len))
		return -1;
	return mbedtls_ssl_set_hs_psk(ssl, psk.key, psk.len);
}

static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1,
                                              MBEDTLS_ECP_DP_NONE};
static const int hashes[] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE};

struct side {
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	mbedtls_timing_delay_context timer;
	mbedtls_ssl_cookie_ctx cookie;
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	int suites[2];
};

static int side_new(struct side *e, int server, int id, int is_psk,
                    struct ref_ports *ports)
{
	memset(e, 0, sizeof(*e));
	mbedtls_ssl_config_init(&e->conf);
	mbedtls_ssl_init(&e->ssl);
	mbedtls_ssl_cookie_init(&e->cookie);
	mbedtls_x509_crt_init(&e->crt);
	mbedtls_pk_init(&e->key);
	mbedtls_ssl_config *c = &e->conf;
	if (mbedtls_ssl_config_defaults(
	        c, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
	        MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT))
		return -1;
	mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_min_version(c, 3, 3);
	mbedtls_ssl_conf_max_version(c, 3, 3);
	e->suites[0] = id;
	mbedtls_ssl_conf_ciphersuites(c, e->suites);
	mbedtls_ssl_conf_curves(c, curves);
	mbedtls_ssl_conf_sig_hashes(c, hashes);
	mbedtls_ssl_conf_session_tickets(c,
	                                 MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
	if (server) {
		if (mbedtls_ssl_cookie_setup(&e->cookie,
		                             mbedtls_ctr_drbg_random, &drbg))
			return -1;
		mbedtls_ssl_conf_dtls_cookies(c, mbedtls_ssl_cookie_write,
		                              mbedtls_ssl_cookie_check,
		                              &e->cookie);
		if (is_psk)
			mbedtls_ssl_conf_psk_cb(c, psk_cb, NULL);
		else if (mbedtls_x509_crt_parse_file(&e->crt, cert_path) ||
		         mbedtls_pk_parse_keyfile(&e->key, key_path, NULL) ||
		         mbedtls_ssl_conf_own_cert(c, &e->crt, &e->key))
			return -1;
	} else if (is_psk) {
		if (mbedtls_ssl_conf_psk(c, psk.key, psk.len,
		                         (const unsigned char *)psk.identity,
		                         strlen(psk.identity)))
			return -1;
	} else {
		if (mbedtls_x509_crt_parse_file(&e->crt, ca_path))
			return -1;
		mbedtls_ssl_conf_ca_chain(c, &e->crt, NULL);
		mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
	}
	if (mbedtls_ssl_setup(&e->ssl, c))
		return -1;
	mbedtls_ssl_set_bio(&e->ssl, ports, send_cb, recv_cb, NULL);
	mbedtls_ssl_set_timer_cb(&e->ssl, &e->timer, mbedtls_timing_set_delay,
	                         mbedtls_timing_get_delay);
	mbedtls_ssl_set_mtu(&e->ssl, REF_MTU);
	if (server)
		return mbedtls_ssl_set_client_transport_id(
		    &e->ssl, client_id, sizeof(client_id) - 1);
	if (!is_psk)
		return mbedtls_ssl_set_hostname(&e->ssl,
		                                "server.suitebench.test");
	return 0;
}

static void side_free(struct side *e)
{
	mbedtls_ssl_free(&e->ssl);
	mbedtls_ssl_config_free(&e->conf);
	mbedtls_ssl_cookie_free(&e->cookie);
	mbedtls_x509_crt_free(&e->crt);
	mbedtls_pk_free(&e->key);
}

/* Step each side when it has something to read (the client first with
 * nothing), until both are done.  Returns the TSC cycles, or 0. */
static uint64_t handshake(struct side *c, struct side *s,
                          const struct ref_link *l)
{
	int c_done = 0, s_done = 0, c_started = 0;
	uint64_t t0 = ref_now();
	for (int round = 0; round < 100 && !(c_done && s_done); round++) {
		if (!c_done && (!c_started || l->s2c.count)) {
			c_started = 1;
			int r = mbedtls_ssl_handshake(&c->ssl);
			if (r == 0)
				c_done = 1;
			else if (r != MBEDTLS_ERR_SSL_WANT_READ)
				return 0;
		}
		if (!s_done && l->c2s.count) {
			int r = mbedtls_ssl_handshake(&s->ssl);
			if (r == 0)
				s_done = 1;
			else if (r == MBEDTLS_ERR_SSL_HELLO_VERIFY_REQUIRED) {
				if (mbedtls_ssl_session_reset(&s->ssl) ||
				    mbedtls_ssl_set_client_transport_id(
				        &s->ssl, client_id,
				        sizeof(client_id) - 1))
					return 0;
			} else if (r != MBEDTLS_ERR_SSL_WANT_READ)
				return 0;
		}
	}
	uint64_t t1 = ref_now();
	return c_done && s_done ? t1 - t0 : 0;
}

static int batch(struct side *w, struct side *r, const uint8_t *data,
                 size_t len, uint64_t *enc, uint64_t *dec)
{
	uint8_t buf[REF_MTU];
	uint64_t t0 = ref_now();
	for (int i = 0; i < REF_BATCH; i++)
		if (mbedtls_ssl_write(&w->ssl, data, len) != (int)len)
			return -1;
	uint64_t t1 = ref_now();
	int ok = 1;
	for (int i = 0; i < REF_BATCH; i++)
		ok &= mbedtls_ssl_read(&r->ssl, buf, sizeof(buf)) == (int)len;
	uint64_t t2 = ref_now();
	*enc = (t1 - t0) / REF_BATCH;
	*dec = (t2 - t1) / REF_BATCH;
	return ok && memcmp(buf, data, len) == 0 ? 0 : -1;
}

/* The handshakes' link, in static storage as it always was. */
static struct ref_link hs_link;

/* A records connection (ref_records): its endpoints and its link, in
 * one block of its own. */
struct conn {
	struct side c, s;
	struct ref_link l;
};

static int pair_new(struct side *c, struct side *s, struct ref_link *l, int id,
                    int is_psk)
{
	ref_link_init(l);
	int rc = side_new(c, 0, id, is_psk, &l->client);
	return rc ? rc : side_new(s, 1, id, is_psk, &l->server);
}

/* The timed functions, called through ref_call. */
struct timed {
	struct side *c, *s;
	const struct ref_link *l;
	const uint8_t *data;
	size_t len;
	uint64_t cycles, enc, dec;
	int rc;
};

static int timed_handshake(void *arg)
{
	struct timed *t = arg;
	t->cycles = handshake(t->c, t->s, t->l);
	return 0;
}

static int timed_batch(void *arg)
{
	struct timed *t = arg;
	t->rc = batch(t->c, t->s, t->data, t->len, &t->enc, &t->dec);
	return 0;
}

static uint64_t handshake_at(const struct ref_args *a, struct side *c,
                             struct side *s, const struct ref_link *l)
{
	struct timed t = {.c = c, .s = s, .l = l};
	ref_call(a, timed_handshake, &t);
	return t.cycles;
}

/* A ref_batch_fn: the client or the server of `conn` writes. */
static int batch_at(const struct ref_args *a, void *conn, int client_writes,
                    const uint8_t *data, size_t len, uint64_t *enc,
                    uint64_t *dec)
{
	struct conn *x = conn;
	struct timed t = {.c = client_writes ? &x->c : &x->s,
	                  .s = client_writes ? &x->s : &x->c,
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
	int id = 0, is_psk = 0;
	for (size_t i = 0; i < sizeof(ref_suites) / sizeof(ref_suites[0]); i++)
		if (strcmp(ref_suites[i].name, a.suite) == 0) {
			id = ref_suites[i].id;
			is_psk = ref_suites[i].psk;
		}
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", a.creds);
	snprintf(cert_path, sizeof(cert_path), "%s/server.pem", a.creds);
	snprintf(key_path, sizeof(key_path), "%s/server.key", a.creds);
	static const char personal[] = "ref-mbedtls";
	mbedtls_ctr_drbg_init(&drbg);
	if (!id || ref_load_psk(a.creds, &psk) ||
	    mbedtls_ctr_drbg_seed(&drbg, entropy, NULL,
	                          (const unsigned char *)personal,
	                          sizeof(personal) - 1)) {
		fprintf(stderr, "ref-mbedtls: bad suite or credentials\n");
		return 2;
	}
	uint64_t *hs = calloc(a.reps, sizeof(*hs));
	struct side c, s;
	for (unsigned i = 0; i < 3 + a.reps; i++) {
		if (pair_new(&c, &s, &hs_link, id, is_psk))
			return 1;
		uint64_t t = handshake_at(&a, &c, &s, &hs_link);
		side_free(&c);
		side_free(&s);
		if (!t)
			return 1;
		if (i >= 3)
			hs[i - 3] = t;
	}
	printf("handshake %.1f\n", ref_median(hs, a.reps));
	/* The records connections, set up back to back (ref_records). */
	void *each[REF_LAYOUTS_MAX];
	for (unsigned k = 0; k < a.layouts; k++) {
		struct conn *x = calloc(1, sizeof(*x));
		if (!x || pair_new(&x->c, &x->s, &x->l, id, is_psk) ||
		    !handshake_at(&a, &x->c, &x->s, &x->l))
			return 1;
		each[k] = x;
	}
	uint8_t data[1024];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31u);
	if (ref_records(&a, each, batch_at, data))
		return 1;
	for (unsigned k = 0; k < a.layouts; k++) {
		struct conn *x = each[k];
		side_free(&x->c);
		side_free(&x->s);
		free(x);
	}
	free(hs);
	mbedtls_ctr_drbg_free(&drbg);
	return 0;
}
