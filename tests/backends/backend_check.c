#include "backend_check.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void check_credentials(struct sb_credential_set *creds)
{
	char msg[512];
	int rc = sb_credentials_load(creds, sb_credentials_default_dir(), msg,
	                             sizeof(msg));
	cr_assert_eq(rc, 0, "credentials: %s", msg);
}

void check_config(struct sb_pair_config *cfg, const char *client,
                  const char *server, const char *suite,
                  const struct sb_credential_set *creds)
{
	*cfg = (struct sb_pair_config){
	    .client = sb_backend_find(client),
	    .server = sb_backend_find(server),
	    .protocol = SB_PROTO_DTLS12,
	    .suite = sb_suite_find(suite),
	    .creds = creds,
	    .mtu = SB_LINK_DEFAULT_MTU,
	    .cookie = true,
	};
	cr_assert_not_null(cfg->client, "no backend %s in this build", client);
	cr_assert_not_null(cfg->server, "no backend %s in this build", server);
	cr_assert_not_null(cfg->suite, "no suite %s", suite);
}

void check_connect(struct sb_pair *pair, const struct sb_pair_config *cfg)
{
	int rc = sb_pair_setup(pair, cfg);
	cr_assert_eq(rc, 0, "setup: %s", pair->error);
	rc = sb_pair_handshake(pair);
	cr_assert_eq(rc, 0, "handshake %s: %s", cfg->suite->short_name,
	             pair->error);
}

void check_verified(struct sb_pair *pair, const struct sb_pair_config *cfg)
{
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		struct sb_endpoint *ep = &pair->ep[r];
		cr_assert_eq(ep->backend->negotiated_suite(ep->state),
		             cfg->suite->code_point,
		             "%s negotiated 0x%04X, want 0x%04X",
		             sb_role_name((enum sb_role)r),
		             ep->backend->negotiated_suite(ep->state),
		             cfg->suite->code_point);
	}
	struct sb_endpoint *c = &pair->ep[SB_ROLE_CLIENT];
	struct sb_endpoint *s = &pair->ep[SB_ROLE_SERVER];
	cr_assert(c->backend->peer_authenticated(c->state),
	          "client did not authenticate the server");
	bool client_proves = sb_kx_uses_psk(cfg->suite->kx) || cfg->mutual;
	cr_assert_eq(s->backend->peer_authenticated(s->state), client_proves,
	             "server's view of client authentication is wrong");
}

size_t check_round_trip(struct sb_pair *pair, enum sb_role sender, size_t len)
{
	uint8_t out[2048], in[2048 + 64];
	cr_assert_leq(len, sizeof(out));
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(i ^ 0x5a);
	enum sb_dir dir = sender == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	uint64_t before = pair->link.sent[dir].bytes;
	uint64_t datagrams = pair->link.sent[dir].datagrams;
	uint64_t records = pair->link.sent[dir].records;
	cr_assert_eq(sb_pair_write(pair, sender, out, len), 0, "write: %s",
	             sb_pair_library_error(pair, sender));
	if (pair->link.mode == SB_LINK_DATAGRAM)
		cr_assert_eq(pair->link.sent[dir].datagrams, datagrams + 1,
		             "one record must be one datagram");
	cr_assert_eq(pair->link.sent[dir].records, records + 1,
	             "one write must be one record");
	enum sb_role receiver =
	    sender == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
	int n = sb_pair_read(pair, receiver, in, sizeof(in));
	cr_assert_eq(n, (int)len, "read %d bytes, want %zu: %s", n, len,
	             n < 0 ? sb_pair_library_error(pair, receiver) : "");
	cr_assert_arr_eq(in, out, len, "payload altered in transit");
	size_t wire = (size_t)(pair->link.sent[dir].bytes - before);
	check_batch_round_trip(pair, sender, out, len);
	return wire;
}

void check_batch_round_trip(struct sb_pair *pair, enum sb_role sender,
                            const uint8_t *out, size_t len)
{
	enum { COUNT = 3, SLACK = 64 };
	const struct sb_endpoint *w = &pair->ep[sender];
	enum sb_role receiver =
	    sender == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
	const struct sb_endpoint *r = &pair->ep[receiver];
	cr_assert(w->backend->write_batch && w->backend->read_batch,
	          "%s has no batch calls", w->backend->name);
	enum sb_dir dir = sender == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	uint64_t records = pair->link.sent[dir].records;
	int rc = w->backend->write_batch(w->state, out, len, COUNT);
	cr_assert_eq(rc, 0, "write_batch: %s",
	             sb_pair_library_error(pair, sender));
	cr_assert_eq(pair->link.sent[dir].records, records + COUNT,
	             "%d batched writes must be %d records", COUNT, COUNT);
	static uint8_t in[COUNT * (2048 + SLACK)];
	size_t step = len + SLACK;
	memset(in, 0, sizeof(in));
	int n =
	    r->backend->read_batch(r->state, in, step, step, COUNT, (int)len);
	cr_assert_eq(n, (int)len, "read_batch: %d, want %zu: %s", n, len,
	             n < 0 ? sb_pair_library_error(pair, receiver) : "");
	for (size_t i = 0; i < COUNT; i++)
		cr_assert_arr_eq(in + i * step, out, len,
		                 "batched record %zu altered in transit", i);
	/* Nothing left: the next batch stops at its first read. */
	n = r->backend->read_batch(r->state, in, step, step, COUNT, (int)len);
	cr_assert_eq(n, SB_ERR_WANT_IO, "read_batch on an empty link: %d", n);
}

void check_forgery_rejected(struct sb_pair *pair)
{
	uint8_t buf[256] = {1, 2, 3};
	cr_assert_eq(sb_pair_write(pair, SB_ROLE_CLIENT, buf, 64), 0);
	cr_assert_eq(sb_link_corrupt(&pair->link, SB_DIR_C2S, 0), 0);
	int n = sb_pair_read(pair, SB_ROLE_SERVER, buf, sizeof(buf));
	cr_assert_lt(n, 0, "server delivered %d bytes of a forged record", n);
	cr_assert_eq(sb_link_pending(&pair->link, SB_DIR_C2S), 0,
	             "the forged datagram was not consumed");
}

void check_handshake_fails(const struct sb_pair_config *cfg)
{
	struct sb_pair pair;
	int rc = sb_pair_setup(&pair, cfg);
	if (rc == 0)
		rc = sb_pair_handshake(&pair);
	cr_assert_lt(rc, 0, "handshake of %s succeeded but must fail",
	             cfg->suite->short_name);
	cr_assert_neq(rc, SB_ERR_STALLED,
	              "failure must be reported, not a stall: %s", pair.error);
	cr_assert_gt(strlen(pair.error), 20, "error too vague: '%s'",
	             pair.error);
	cr_log_info("expected failure: %s", pair.error);
	sb_pair_free(&pair);
}

void check_suite_works(const char *client, const char *server,
                       const struct check_suite *expect, bool mutual,
                       bool cookie)
{
	check_protocol_suite_works(client, server, SB_PROTO_DTLS12,
	                           expect->suite, expect->dtls_overhead, mutual,
	                           cookie);
}

void check_protocol_suite_works(const char *client, const char *server,
                                enum sb_protocol protocol, const char *suite,
                                size_t overhead, bool mutual, bool cookie)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, client, server, suite, &creds);
	cfg.protocol = protocol;
	cfg.mutual = mutual;
	cfg.cookie = cookie;
	check_connect(&pair, &cfg);
	check_verified(&pair, &cfg);
	static const size_t sizes[] = {1, 16, 100, 1024};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			/* RFC 9147 4.2.3: record numbers are encrypted with
			 * the first 16 bytes of ciphertext, so a shorter one
			 * must be padded -- which not every library does
			 * (checked on its own where it matters). */
			if (protocol == SB_PROTO_DTLS13 &&
			    sizes[i] + 1 + cfg.suite->tag_len < 16)
				continue;
			size_t wire =
			    check_round_trip(&pair, (enum sb_role)r, sizes[i]);
			cr_expect_eq(wire - sizes[i], overhead,
			             "%s %s record of %zu bytes: overhead %zu, "
			             "RFC says %zu",
			             suite, sb_role_name((enum sb_role)r),
			             sizes[i], wire - sizes[i], overhead);
		}
	check_forgery_rejected(&pair);
	sb_pair_free(&pair);
}

void check_guard_fires_on_replay(struct sb_pair *pair)
{
	uint8_t buf[64] = {5}, copy[SB_LINK_MAX_MTU];
	cr_assert_str_empty(sb_wire_check_guard(&pair->link.wire), "%s",
	                    sb_wire_check_guard(&pair->link.wire));
	cr_assert_eq(sb_pair_write(pair, SB_ROLE_CLIENT, buf, sizeof(buf)), 0);
	int len =
	    sb_link_peek_newest(&pair->link, SB_DIR_C2S, copy, sizeof(copy));
	cr_assert_gt(len, 0);
	/* The same datagram once more, as if the client had sent it again. */
	cr_assert_eq(sb_link_send(&pair->link, SB_DIR_C2S, copy, (size_t)len),
	             0);
	cr_assert_not_null(strstr(sb_wire_check_guard(&pair->link.wire),
	                          "client sent epoch 1"),
	                   "guard did not fire: '%s'",
	                   sb_wire_check_guard(&pair->link.wire));
	/* The receiving library drops the replay (DTLS anti-replay). */
	uint8_t got[256];
	cr_assert_eq(sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got)), 64);
	cr_assert_lt(sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got)), 0,
	             "the server delivered the replayed record");
}

void check_wrong_ca_fails(const char *backend, enum sb_protocol protocol,
                          const char *suite)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	strcpy(creds.ca, creds.other_ca);
	check_config(&cfg, backend, backend, suite, &creds);
	cfg.protocol = protocol;
	check_handshake_fails(&cfg);
}

void check_wrong_server_name_fails(const char *backend,
                                   enum sb_protocol protocol, const char *suite)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	check_config(&cfg, backend, backend, suite, &creds);
	cfg.protocol = protocol;
	cfg.server_name = "other.suitebench.test";
	check_handshake_fails(&cfg);
}

void check_wrong_psk_fails(const char *backend, const char *suite)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	check_config(&cfg, backend, backend, suite, &creds);
	struct sb_credential_set wrong = creds;
	wrong.psk[0] ^= 0x80;
	cfg.client_creds = &wrong;
	check_handshake_fails(&cfg);
}

void check_missing_key_fails(const char *backend, const char *suite)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	strcpy(creds.server_key, "/nonexistent/server.key");
	check_config(&cfg, backend, backend, suite, &creds);
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_CREDENTIALS, "%s",
	             pair.error);
	cr_assert_not_null(strstr(pair.error, "server"), "%s", pair.error);
	sb_pair_free(&pair);
}

size_t check_server_hello_session_id_len(const struct sb_pair_config *cfg)
{
	struct sb_pair pair;
	cr_assert_eq(sb_pair_setup(&pair, cfg), 0, "%s", pair.error);
	sb_wire_capture(&pair.link.wire);
	cr_assert_eq(sb_pair_handshake(&pair), 0, "%s", pair.error);
	/* RFC 6347 4.1, 4.2.2: record header 13, handshake header 12, then
	 * ServerHello: version 2, random 32, session_id<0..32>. */
	size_t len = SIZE_MAX;
	for (size_t i = 0; i < pair.link.wire.packet_count; i++) {
		const struct sb_wire_packet *p = &pair.link.wire.packets[i];
		if (p->dir == SB_DIR_S2C && p->len > 59 && p->data[0] == 22 &&
		    p->data[13] == 2) {
			len = p->data[13 + 12 + 2 + 32];
			break;
		}
	}
	sb_pair_free(&pair);
	cr_assert_neq(len, SIZE_MAX, "no ServerHello on the wire");
	return len;
}

/* The handshake bytes each way of `suite` in `protocol` with `auth`. */
static void check_rpk_connect(struct sb_pair *pair, const char *client,
                              const char *server, enum sb_protocol protocol,
                              const char *suite, enum sb_auth auth, bool mutual,
                              const struct sb_credential_set *creds)
{
	struct sb_pair_config cfg;
	check_config(&cfg, client, server, suite, creds);
	cfg.protocol = protocol;
	cfg.auth = auth;
	cfg.mutual = mutual;
	check_connect(pair, &cfg);
	check_verified(pair, &cfg);
}

/*
 * Each side that authenticates presents its SubjectPublicKeyInfo (91
 * bytes for P-256) instead of its certificate (about 450 here), and the
 * peer accepts it because it is the pinned key.
 */
void check_rpk_works(const char *client, const char *server,
                     enum sb_protocol protocol, const char *suite, bool mutual)
{
	struct sb_credential_set creds;
	struct sb_pair cert, rpk;
	check_credentials(&creds);
	cr_assert(creds.server_pub[0] && creds.client_pub[0],
	          "suites/credentials lacks server.pub or client.pub");
	check_rpk_connect(&cert, client, server, protocol, suite, SB_AUTH_CERT,
	                  mutual, &creds);
	check_rpk_connect(&rpk, client, server, protocol, suite, SB_AUTH_RPK,
	                  mutual, &creds);
	for (int d = SB_DIR_C2S; d <= SB_DIR_S2C; d++) {
		bool presents = d == SB_DIR_S2C || mutual;
		uint64_t with_cert = cert.link.sent[d].bytes;
		uint64_t with_key = rpk.link.sent[d].bytes;
		cr_log_info("%s/%s %s %s: %llu B with a certificate, %llu B "
		            "with the raw public key",
		            client, server, sb_protocol_name(protocol), suite,
		            (unsigned long long)with_cert,
		            (unsigned long long)with_key);
		if (presents)
			cr_expect_lt(with_key + 300, with_cert,
			             "%s: %llu B with RPK, %llu B with a "
			             "certificate",
			             d == SB_DIR_C2S ? "c>s" : "s>c",
			             (unsigned long long)with_key,
			             (unsigned long long)with_cert);
	}
	check_round_trip(&rpk, SB_ROLE_CLIENT, 100);
	check_round_trip(&rpk, SB_ROLE_SERVER, 100);
	sb_pair_free(&cert);
	sb_pair_free(&rpk);
}

void check_rpk_wrong_pin_fails(const char *client, const char *server,
                               enum sb_protocol protocol, const char *suite,
                               bool mutual)
{
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	cr_assert(creds.other_pub[0], "suites/credentials lacks other.pub");
	wrong = creds;
	strcpy(mutual ? wrong.client_pub : wrong.server_pub, creds.other_pub);
	/* The server reads the client's key from its set, the client the
	 * server's from its own. */
	check_config(&cfg, client, server, suite, mutual ? &wrong : &creds);
	cfg.client_creds = mutual ? &creds : &wrong;
	cfg.protocol = protocol;
	cfg.auth = SB_AUTH_RPK;
	cfg.mutual = mutual;
	check_handshake_fails(&cfg);
}

void *check_free_twice(const char *backend)
{
	const struct sb_backend *b = sb_backend_find(backend);
	cr_assert_not_null(b, "no backend %s", backend);
	void *state = calloc(1, b->endpoint_size);
	cr_assert_not_null(state);
	b->endpoint_free(state);
	b->endpoint_free(state);
	cr_assert_not_null(b->last_error(state));
	return state;
}
