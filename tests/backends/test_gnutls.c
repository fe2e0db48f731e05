/*
 * test_gnutls.c - the GnuTLS backend against itself (DTLS 1.2, TLS 1.2,
 * TLS 1.3) and against OpenSSL, Mbed TLS (DTLS 1.2 and TLS 1.2, both
 * roles), wolfSSL (DTLS 1.2, TLS 1.2 and TLS 1.3, both roles) and BearSSL
 * (TLS 1.2), for every suite GnuTLS implements; unsupported suites and
 * protocols (DTLS 1.3) answered with a reason; the virtual clock, the
 * deterministic generator and the heap interposition reach the library;
 * wrong CA, wrong server name and wrong PSK each fail the handshake
 * cleanly; raw public keys (RFC 7250) against itself and wolfSSL, and a
 * wrong pinned key refused, with and without --mutual.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "backend_check.h"
#include "backends/heap_interpose.h"

/* Overheads: RFC 6347 4.1 header (13) + RFC 5288/6655 explicit nonce (8,
 * none for RFC 7905 ChaCha20-Poly1305) + tag (16, 8 for CCM_8). */
static struct check_suite gnutls_suites[] = {
    {.suite = "psk-gcm", .dtls_overhead = 37},
    {.suite = "psk-ccm", .dtls_overhead = 37},
    {.suite = "psk-ccm8", .dtls_overhead = 29},
    {.suite = "psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-rsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-rsa-chacha20", .dtls_overhead = 29},
};
#define SUITE_COUNT (sizeof(gnutls_suites) / sizeof(gnutls_suites[0]))

/*
 * TLS 1.3 (RFC 8446 5.2): 5-byte header + 1 byte of inner content type +
 * tag, no nonce on the wire; `dtls_overhead` holds the TLS 1.3 figure.
 * GnuTLS 3.7.9 has all four AEADs, CCM_8 included, with psk_ke,
 * psk_dhe_ke and certificates.
 */
static struct check_suite gnutls_tls13_suites[] = {
    {.suite = "tls13-psk-gcm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-psk-gcm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-gcm", .dtls_overhead = 22},
    {.suite = "tls13-psk-ccm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-psk-ccm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-ccm", .dtls_overhead = 22},
    {.suite = "tls13-psk-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-ecdhe-psk-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-ecdhe-ecdsa-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-psk-chacha20", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-psk-chacha20", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-chacha20", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-rsa-gcm", .dtls_overhead = 22},
};
#define TLS13_COUNT                                                            \
	(sizeof(gnutls_tls13_suites) / sizeof(gnutls_tls13_suites[0]))

static const struct sb_backend *gnutls_backend(void)
{
	const struct sb_backend *b = sb_backend_find("gnutls");
	cr_assert_not_null(b, "no gnutls backend in this build");
	return b;
}

/* ---- safety: what GnuTLS cannot do is a reason, not a crash ----------- */

Test(gnutls, free_is_safe_on_zeroed_state_and_twice)
{
	const struct sb_backend *b = gnutls_backend();
	void *state = check_free_twice("gnutls");
	cr_assert_eq(b->negotiated_suite(state), 0);
	cr_assert_not(b->peer_authenticated(state));
	cr_assert_eq(b->next_timeout_us(state), 0);
	cr_assert_str_eq(b->last_error(state), "no GnuTLS error recorded");
	free(state);
}

Test(gnutls, ecdhe_psk_aes_unsupported_with_reason)
{
	static const char *const missing[] = {"ecdhe-psk-gcm", "ecdhe-psk-ccm",
	                                      "ecdhe-psk-ccm8"};
	const struct sb_backend *b = gnutls_backend();
	for (size_t i = 0; i < 3; i++) {
		struct sb_reason why = {{0}};
		const struct sb_suite *s = sb_suite_find(missing[i]);
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS12, s, SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, s->iana_name),
		                   "reason must name the suite: %s", why.text);
		cr_assert_not_null(strstr(why.text, "GnuTLS"), "%s", why.text);
	}
}

/* A protocol added to the enum later (DTLS 1.3, TLS 1.3) is refused with
 * a reason until the backend is taught it. */
Test(gnutls, unknown_protocol_unsupported_with_reason)
{
	const struct sb_backend *b = gnutls_backend();
	struct sb_reason why = {{0}};
	cr_assert_not(b->supports((enum sb_protocol)(SB_PROTO_TLS12 + 7),
	                          sb_suite_find("psk-ccm8"), SB_ROLE_CLIENT,
	                          &why));
	cr_assert_not_null(strstr(why.text, "protocol"), "%s", why.text);
}

/* GnuTLS 3.7's DTLS stops at 1.2 (GNUTLS_DTLS_VERSION_MAX). */
Test(gnutls, dtls13_unsupported_with_reason)
{
	const struct sb_backend *b = gnutls_backend();
	for (size_t i = 0; i < TLS13_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS13,
		                sb_suite_find(gnutls_tls13_suites[i].suite),
		                SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, "no DTLS 1.3"), "%s",
		                   why.text);
	}
}

Test(gnutls, suite_of_the_other_version_unsupported)
{
	const struct sb_backend *b = gnutls_backend();
	struct sb_reason why = {{0}};
	cr_assert_not(b->supports(SB_PROTO_TLS12,
	                          sb_suite_find("tls13-psk-ccm8"),
	                          SB_ROLE_CLIENT, &why));
	cr_assert_not_null(strstr(why.text, "TLS 1.3 suite"), "%s", why.text);
	cr_assert_not(b->supports(SB_PROTO_TLS13, sb_suite_find("psk-ccm8"),
	                          SB_ROLE_SERVER, &why));
	cr_assert_not_null(strstr(why.text, "TLS 1.2 suite"), "%s", why.text);
}

Test(gnutls, every_suite_listed_is_supported)
{
	const struct sb_backend *b = gnutls_backend();
	for (size_t i = 0; i < SUITE_COUNT; i++)
		for (int p = SB_PROTO_DTLS12; p <= SB_PROTO_TLS12; p++) {
			struct sb_reason why = {{0}};
			cr_assert(
			    b->supports((enum sb_protocol)p,
			                sb_suite_find(gnutls_suites[i].suite),
			                SB_ROLE_SERVER, &why),
			    "%s: %s", gnutls_suites[i].suite, why.text);
		}
	for (size_t i = 0; i < TLS13_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert(
		    b->supports(SB_PROTO_TLS13,
		                sb_suite_find(gnutls_tls13_suites[i].suite),
		                SB_ROLE_CLIENT, &why),
		    "%s: %s", gnutls_tls13_suites[i].suite, why.text);
	}
}

/* The table's GnuTLS names are the library's own names for the code
 * points (gnutls_cipher_suite_info: TLS 1.3 entries have no key
 * exchange), and exactly those it implements. */
Test(gnutls, table_names_match_library)
{
	const struct sb_backend *b = gnutls_backend();
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		const char *name = NULL;
		for (size_t k = 0;; k++) {
			unsigned char id[2];
			gnutls_kx_algorithm_t kx;
			const char *n = gnutls_cipher_suite_info(
			    k, id, &kx, NULL, NULL, NULL);
			if (!n)
				break;
			if ((id[0] << 8 | id[1]) == s->code_point &&
			    (kx == GNUTLS_KX_UNKNOWN) == s->tls13)
				name = n;
		}
		struct sb_reason why = {{0}};
		bool supported =
		    b->supports(s->tls13 ? SB_PROTO_TLS13 : SB_PROTO_TLS12, s,
		                SB_ROLE_CLIENT, &why);
		if (!s->gnutls_name) {
			cr_expect_null(name, "%s has a name in GnuTLS: %s",
			               s->iana_name, name);
			cr_expect_not(supported, "%s", s->iana_name);
			continue;
		}
		cr_assert_not_null(name, "GnuTLS lacks %s", s->iana_name);
		cr_expect_str_eq(name, s->gnutls_name);
		cr_expect(supported, "%s: %s", s->iana_name, why.text);
	}
}

/* ---- behaviour: every suite handshakes, verifies, frames records ------ */

ParameterizedTestParameters(gnutls, suite_works)
{
	return cr_make_param_array(struct check_suite, gnutls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, suite_works)
{
	check_suite_works("gnutls", "gnutls", s, false, true);
}

ParameterizedTestParameters(gnutls, suite_works_without_cookie)
{
	return cr_make_param_array(struct check_suite, gnutls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, suite_works_without_cookie)
{
	check_suite_works("gnutls", "gnutls", s, false, false);
}

/* TLS 1.2 over the stream link: RFC 5246 6.2.1's 5-byte header + nonce + tag.
 */
ParameterizedTestParameters(gnutls, tls_suite_works)
{
	return cr_make_param_array(struct check_suite, gnutls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, tls_suite_works)
{
	check_protocol_suite_works("gnutls", "gnutls", SB_PROTO_TLS12, s->suite,
	                           s->dtls_overhead - 8, false, false);
}

ParameterizedTestParameters(gnutls, tls13_suite_works)
{
	return cr_make_param_array(struct check_suite, gnutls_tls13_suites,
	                           TLS13_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, tls13_suite_works)
{
	check_protocol_suite_works("gnutls", "gnutls", SB_PROTO_TLS13, s->suite,
	                           s->dtls_overhead, false, false);
}

/*
 * RFC 8446 2.2: psk_ke has no (EC)DHE, so the server sends no key share
 * -- fewer bytes than psk_dhe_ke -- and a certificate handshake sends
 * the server's certificate.  The rows of one code point are told apart.
 */
Test(gnutls, tls13_key_exchanges_differ_on_the_wire)
{
	static const char *const rows[] = {
	    "tls13-psk-gcm", "tls13-ecdhe-psk-gcm", "tls13-ecdhe-ecdsa-gcm"};
	uint64_t s2c[3];
	struct sb_credential_set creds;
	check_credentials(&creds);
	for (size_t i = 0; i < 3; i++) {
		struct sb_pair_config cfg;
		struct sb_pair pair;
		check_config(&cfg, "gnutls", "gnutls", rows[i], &creds);
		cfg.protocol = SB_PROTO_TLS13;
		check_connect(&pair, &cfg);
		check_verified(&pair, &cfg);
		s2c[i] = pair.link.sent[SB_DIR_S2C].bytes;
		cr_log_info(
		    "tls1.3 %s: %llu B c>s, %llu B s>c", rows[i],
		    (unsigned long long)pair.link.sent[SB_DIR_C2S].bytes,
		    (unsigned long long)s2c[i]);
		sb_pair_free(&pair);
	}
	/* A P-256 key share is 4 + 65 bytes (RFC 8446 4.2.8.2). */
	cr_expect_geq(s2c[1], s2c[0] + 69, "psk_ke %llu, psk_dhe_ke %llu",
	              (unsigned long long)s2c[0], (unsigned long long)s2c[1]);
	cr_expect_gt(s2c[2], s2c[1] + 300, "no certificate from the server");
}

Test(gnutls, mutual_authentication)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("gnutls", "gnutls", &s, true, true);
	check_protocol_suite_works("gnutls", "gnutls", SB_PROTO_TLS12,
	                           "ecdhe-rsa-gcm", 29, true, false);
	check_protocol_suite_works("gnutls", "gnutls", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
	check_protocol_suite_works("gnutls", "gnutls", SB_PROTO_TLS13,
	                           "tls13-ecdhe-rsa-gcm", 22, true, false);
}

/* A record the client sends twice fires the guard; the server drops it. */
Test(gnutls, guard_fires_on_replay_and_library_drops_it)
{
	static const char *const suites[] = {"psk-ccm8", "ecdhe-ecdsa-gcm",
	                                     "ecdhe-rsa-chacha20"};
	for (size_t i = 0; i < 3; i++) {
		struct sb_credential_set creds;
		struct sb_pair_config cfg;
		struct sb_pair pair;
		check_credentials(&creds);
		check_config(&cfg, "gnutls", "gnutls", suites[i], &creds);
		check_connect(&pair, &cfg);
		check_guard_fires_on_replay(&pair);
		sb_pair_free(&pair);
	}
}

/* RFC 6347 4.2.1: the stateless cookie exchange, run inside the server
 * endpoint, adds a ClientHello/HelloVerifyRequest round: 6 flights with
 * it, 4 without. */
Test(gnutls, cookie_exchange_adds_two_flights)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "gnutls", "gnutls", "psk-ccm8", &creds);
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 6);
	sb_pair_free(&pair);
	cfg.cookie = false;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 4);
	sb_pair_free(&pair);
}

/* The retransmission timer runs on the virtual clock: after the client's
 * first flight it fires 1 s (RFC 6347 4.2.4.1) of virtual time later. */
Test(gnutls, retransmission_timer_reads_the_virtual_clock)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "gnutls", "gnutls", "psk-ccm8", &creds);
	cr_assert_eq(sb_pair_setup(&pair, &cfg), 0, "%s", pair.error);
	struct sb_endpoint *c = &pair.ep[SB_ROLE_CLIENT];
	cr_assert_eq(c->backend->step(c->state), SB_ERR_WANT_IO, "%s",
	             c->backend->last_error(c->state));
	uint64_t now = pair.clock.now_us;
	cr_expect_eq(c->backend->next_timeout_us(c->state), now + 1000000u,
	             "deadline %llu, now %llu",
	             (unsigned long long)c->backend->next_timeout_us(c->state),
	             (unsigned long long)now);
	/* Lost: at the deadline the client sends its ClientHello again. */
	uint64_t sent = pair.link.sent[SB_DIR_C2S].datagrams;
	uint8_t drop[SB_LINK_MAX_MTU];
	cr_assert_gt(sb_link_recv(&pair.link, SB_DIR_C2S, drop, sizeof(drop)),
	             0);
	sb_vclock_advance(&pair.clock, 1000000u);
	cr_assert_eq(c->backend->step(c->state), SB_ERR_WANT_IO);
	cr_expect_eq(pair.link.sent[SB_DIR_C2S].datagrams, sent + 1,
	             "no retransmission at the virtual deadline");
	sb_pair_free(&pair);
}

static void gnutls_transcript(const struct sb_pair_config *cfg, char hex[65])
{
	struct sb_pair pair;
	cr_assert_eq(sb_pair_setup(&pair, cfg), 0, "%s", pair.error);
	sb_link_transcript_start(&pair.link);
	cr_assert_eq(sb_pair_handshake(&pair), 0, "%s", pair.error);
	sb_link_transcript_hex(&pair.link, hex);
	sb_pair_free(&pair);
}

/* --deterministic: gnutls_rnd, interposed, serves the seed's bytes, so
 * the same seed gives the same bytes on the wire (ECDSA signatures
 * included), another seed other bytes; without it GnuTLS draws its own. */
Test(gnutls, deterministic_transcript_repeats)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	char a[65], b[65], c[65], d[65];
	check_credentials(&creds);
	check_config(&cfg, "gnutls", "gnutls", "ecdhe-ecdsa-ccm8", &creds);
	cfg.mutual = true;
	cfg.deterministic = true;
	cfg.seed = 7;
	gnutls_transcript(&cfg, a);
	gnutls_transcript(&cfg, b);
	cr_expect_str_eq(a, b, "seed 7 gave two transcripts");
	cfg.seed = 8;
	gnutls_transcript(&cfg, c);
	cr_expect_str_neq(a, c, "seeds 7 and 8 gave one transcript");
	cfg.deterministic = false;
	gnutls_transcript(&cfg, c);
	gnutls_transcript(&cfg, d);
	cr_expect_str_neq(c, d, "library-seeded handshakes repeated");
}

/*
 * Heap: with interposition, a block allocated inside a window is charged
 * at its usable size, one outside is not; a second handshake (after the
 * library's one-time initialisation) gives every byte back at free.
 * Without interposition (sanitizer builds) the backend claims no figures.
 */
Test(gnutls, heap_is_counted_through_interposition)
{
	const struct sb_backend *b = gnutls_backend();
	if (!sb_heap_interposed()) {
		cr_assert_not(b->caps & SB_CAP_HEAP_COUNTED,
		              "heap figures claimed without interposition");
		return;
	}
	cr_assert(b->caps & SB_CAP_HEAP_COUNTED);
	cr_assert(b->caps & SB_CAP_HEAP_INTERPOSED);
	struct sb_heap_tally known = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&known);
	void *outside = malloc(500);
	sb_heap_interpose_begin();
	void *inside = gnutls_malloc(1000);
	sb_heap_interpose_end();
	cr_assert_eq(known.allocs, 1);
	cr_assert_geq(known.in_use, 1000);
	cr_assert_lt(known.in_use, 1000 + 32);
	sb_heap_interpose_begin();
	gnutls_free(inside);
	sb_heap_interpose_end();
	free(outside);
	sb_heap_charge(outer);
	cr_assert_eq(known.in_use, 0);

	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "gnutls", "gnutls", "ecdhe-ecdsa-gcm", &creds);
	for (int round = 0; round < 2; round++) {
		check_connect(&pair, &cfg);
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			const struct sb_heap_tally *h = &pair.ep[r].heap;
			cr_expect_gt(h->peak, 0, "%s: no heap peak",
			             sb_role_name((enum sb_role)r));
			cr_expect_gt(h->allocs, 0, "%s: no allocations",
			             sb_role_name((enum sb_role)r));
		}
		sb_pair_free(&pair);
	}
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++)
		cr_expect_eq(pair.ep[r].heap.in_use, 0,
		             "%s: %lld bytes still held after free",
		             sb_role_name((enum sb_role)r),
		             (long long)pair.ep[r].heap.in_use);
}

/* ---- adversarial: wrong credentials fail cleanly ---------------------- */

Test(gnutls, wrong_ca_fails)
{
	check_wrong_ca_fails("gnutls", SB_PROTO_DTLS12, "ecdhe-ecdsa-gcm");
	check_wrong_ca_fails("gnutls", SB_PROTO_TLS12, "ecdhe-rsa-gcm");
	check_wrong_ca_fails("gnutls", SB_PROTO_TLS13,
	                     "tls13-ecdhe-ecdsa-ccm8");
	check_wrong_ca_fails("gnutls", SB_PROTO_TLS13, "tls13-ecdhe-rsa-gcm");
}

Test(gnutls, wrong_server_name_fails)
{
	check_wrong_server_name_fails("gnutls", SB_PROTO_DTLS12,
	                              "ecdhe-ecdsa-ccm8");
	check_wrong_server_name_fails("gnutls", SB_PROTO_TLS12,
	                              "ecdhe-rsa-chacha20");
	check_wrong_server_name_fails("gnutls", SB_PROTO_TLS13,
	                              "tls13-ecdhe-ecdsa-gcm");
}

/* TLS 1.3: the server finds the binder wrong (RFC 8446 4.2.11) and
 * aborts with decrypt_error. */
Test(gnutls, wrong_psk_fails)
{
	check_wrong_psk_fails("gnutls", "psk-ccm8");
	check_wrong_psk_fails("gnutls", "ecdhe-psk-chacha20");
	static const char *const tls13[] = {"tls13-psk-ccm8",
	                                    "tls13-ecdhe-psk-ccm8"};
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	wrong = creds;
	wrong.psk[0] ^= 0x80;
	for (size_t i = 0; i < 2; i++) {
		check_config(&cfg, "gnutls", "gnutls", tls13[i], &creds);
		cfg.client_creds = &wrong;
		cfg.protocol = SB_PROTO_TLS13;
		check_handshake_fails(&cfg);
	}
}

Test(gnutls, missing_key_file_fails_setup)
{
	check_missing_key_fails("gnutls", "ecdhe-ecdsa-gcm");
}

/* ---- raw public keys (RFC 7250) ---------------------------------------- */

static const struct check_rpk rpk_cases[] = {
    {.protocol = SB_PROTO_DTLS12, .suite = "ecdhe-ecdsa-ccm8"},
    {.protocol = SB_PROTO_TLS12, .suite = "ecdhe-ecdsa-gcm"},
    {.protocol = SB_PROTO_TLS13, .suite = "tls13-ecdhe-ecdsa-ccm8"},
    {.protocol = SB_PROTO_DTLS12, .suite = "ecdhe-ecdsa-ccm8", .mutual = true},
    {.protocol = SB_PROTO_TLS12, .suite = "ecdhe-ecdsa-gcm", .mutual = true},
    {.protocol = SB_PROTO_TLS13,
     .suite = "tls13-ecdhe-ecdsa-ccm8",
     .mutual = true},
};
#define RPK_COUNT (sizeof(rpk_cases) / sizeof(rpk_cases[0]))

ParameterizedTestParameters(gnutls, rpk_works)
{
	return cr_make_param_array(struct check_rpk, rpk_cases, RPK_COUNT);
}

/* The raw public key replaces the certificate, and data flows. */
ParameterizedTest(const struct check_rpk *c, gnutls, rpk_works)
{
	check_rpk_works("gnutls", "gnutls", c->protocol, c->suite, c->mutual);
}

/* The client pinned another key than the server presents (with --mutual,
 * the server another client key): the verify function refuses it. */
Test(gnutls, rpk_wrong_pinned_key_fails)
{
	for (size_t i = 0; i < RPK_COUNT; i++)
		check_rpk_wrong_pin_fails(
		    "gnutls", "gnutls", rpk_cases[i].protocol,
		    rpk_cases[i].suite, rpk_cases[i].mutual);
}

/* The refusal is the pin's, and says so: not a certificate's verdict. */
Test(gnutls, rpk_wrong_pin_error_names_the_pin)
{
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	wrong = creds;
	strcpy(wrong.server_pub, creds.other_pub);
	check_config(&cfg, "gnutls", "gnutls", "ecdhe-ecdsa-ccm8", &creds);
	cfg.client_creds = &wrong;
	cfg.auth = SB_AUTH_RPK;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), 0, "%s", pair.error);
	cr_assert_lt(sb_pair_handshake(&pair), 0, "handshake succeeded");
	cr_expect_not_null(strstr(pair.error, "not the pinned one"), "%s",
	                   pair.error);
	cr_expect_not_null(strstr(pair.error, "other.pub"), "%s", pair.error);
	sb_pair_free(&pair);
}

/* The credentials hold no RSA raw public key: ECDHE-RSA is unsupported. */
Test(gnutls, rpk_with_rsa_unsupported_with_reason)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "gnutls", "gnutls", "ecdhe-rsa-gcm", &creds);
	cfg.protocol = SB_PROTO_TLS12;
	cfg.auth = SB_AUTH_RPK;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_UNSUPPORTED, "%s",
	             pair.error);
	cr_expect_not_null(strstr(pair.error, "P-256"), "%s", pair.error);
	sb_pair_free(&pair);
}

/* No public key file in the credentials: setup says which is missing. */
Test(gnutls, rpk_without_public_key_fails_setup)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	creds.server_pub[0] = '\0';
	check_config(&cfg, "gnutls", "gnutls", "ecdhe-ecdsa-ccm8", &creds);
	cfg.auth = SB_AUTH_RPK;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_CREDENTIALS, "%s",
	             pair.error);
	cr_expect_not_null(strstr(pair.error, "server.pub"), "%s", pair.error);
	sb_pair_free(&pair);
}

/* ---- across libraries: a second implementation in each role ----------- */

/* OpenSSL and Mbed TLS implement every suite GnuTLS does. */
#define INTEROP(peer)                                                          \
	ParameterizedTestParameters(gnutls, client_vs_##peer##_server)         \
	{                                                                      \
		return cr_make_param_array(struct check_suite, gnutls_suites,  \
		                           SUITE_COUNT);                       \
	}                                                                      \
	ParameterizedTest(struct check_suite *s, gnutls,                       \
	                  client_vs_##peer##_server)                           \
	{                                                                      \
		check_suite_works("gnutls", #peer, s, false, true);            \
		check_protocol_suite_works("gnutls", #peer, SB_PROTO_TLS12,    \
		                           s->suite, s->dtls_overhead - 8,     \
		                           false, false);                      \
	}                                                                      \
	ParameterizedTestParameters(gnutls, peer##_client_vs_server)           \
	{                                                                      \
		return cr_make_param_array(struct check_suite, gnutls_suites,  \
		                           SUITE_COUNT);                       \
	}                                                                      \
	ParameterizedTest(struct check_suite *s, gnutls,                       \
	                  peer##_client_vs_server)                             \
	{                                                                      \
		check_suite_works(#peer, "gnutls", s, false, true);            \
		check_protocol_suite_works(#peer, "gnutls", SB_PROTO_TLS12,    \
		                           s->suite, s->dtls_overhead - 8,     \
		                           false, false);                      \
	}                                                                      \
	Test(gnutls, mutual_with_##peer)                                       \
	{                                                                      \
		static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};  \
		check_suite_works("gnutls", #peer, &s, true, true);            \
		check_suite_works(#peer, "gnutls", &s, true, true);            \
	}

#ifdef SB_WITH_OPENSSL
INTEROP(openssl)

/*
 * TLS 1.3 with OpenSSL 3.0, both ways: psk_dhe_ke and both certificate
 * kinds.  An OpenSSL client cannot make a psk_ke handshake (it always
 * offers psk_dhe_ke), so psk_ke runs with GnuTLS as the client only.
 */
static struct check_suite openssl_tls13_common[] = {
    {.suite = "tls13-ecdhe-psk-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-ecdhe-ecdsa-gcm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-rsa-gcm", .dtls_overhead = 22},
};

ParameterizedTestParameters(gnutls, tls13_with_openssl)
{
	return cr_make_param_array(struct check_suite, openssl_tls13_common,
	                           sizeof(openssl_tls13_common) /
	                               sizeof(openssl_tls13_common[0]));
}

ParameterizedTest(struct check_suite *s, gnutls, tls13_with_openssl)
{
	check_protocol_suite_works("gnutls", "openssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
	check_protocol_suite_works("openssl", "gnutls", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

Test(gnutls, tls13_psk_ke_client_vs_openssl_server)
{
	check_protocol_suite_works("gnutls", "openssl", SB_PROTO_TLS13,
	                           "tls13-psk-ccm8", 14, false, false);
}
#endif

#ifdef SB_WITH_MBEDTLS
INTEROP(mbedtls)
#endif

#ifdef SB_WITH_WOLFSSL
/* The (D)TLS 1.2 suites wolfSSL shares with GnuTLS: all but ECDHE-RSA
 * (a wolfSSL built without RSA). */
static struct check_suite wolfssl_common[] = {
    {.suite = "psk-gcm", .dtls_overhead = 37},
    {.suite = "psk-ccm", .dtls_overhead = 37},
    {.suite = "psk-ccm8", .dtls_overhead = 29},
    {.suite = "psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-chacha20", .dtls_overhead = 29},
};
#define WOLF_COUNT (sizeof(wolfssl_common) / sizeof(wolfssl_common[0]))
/* ... and in TLS 1.3, every row but the RSA one. */
#define WOLF_TLS13_COUNT (TLS13_COUNT - 1)

ParameterizedTestParameters(gnutls, client_vs_wolfssl_server)
{
	return cr_make_param_array(struct check_suite, wolfssl_common,
	                           WOLF_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, client_vs_wolfssl_server)
{
	check_suite_works("gnutls", "wolfssl", s, false, true);
	check_protocol_suite_works("gnutls", "wolfssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

ParameterizedTestParameters(gnutls, wolfssl_client_vs_server)
{
	return cr_make_param_array(struct check_suite, wolfssl_common,
	                           WOLF_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, wolfssl_client_vs_server)
{
	check_suite_works("wolfssl", "gnutls", s, false, true);
	check_protocol_suite_works("wolfssl", "gnutls", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

ParameterizedTestParameters(gnutls, tls13_with_wolfssl)
{
	return cr_make_param_array(struct check_suite, gnutls_tls13_suites,
	                           WOLF_TLS13_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, tls13_with_wolfssl)
{
	check_protocol_suite_works("gnutls", "wolfssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
	check_protocol_suite_works("wolfssl", "gnutls", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

Test(gnutls, mutual_with_wolfssl)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("gnutls", "wolfssl", &s, true, true);
	check_suite_works("wolfssl", "gnutls", &s, true, true);
	check_protocol_suite_works("gnutls", "wolfssl", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
	check_protocol_suite_works("wolfssl", "gnutls", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
}

/* RFC 7250 across libraries: the same cases with wolfSSL in each role. */
ParameterizedTestParameters(gnutls, rpk_with_wolfssl)
{
	return cr_make_param_array(struct check_rpk, rpk_cases, RPK_COUNT);
}

ParameterizedTest(const struct check_rpk *c, gnutls, rpk_with_wolfssl)
{
	check_rpk_works("gnutls", "wolfssl", c->protocol, c->suite, c->mutual);
	check_rpk_works("wolfssl", "gnutls", c->protocol, c->suite, c->mutual);
	check_rpk_wrong_pin_fails("gnutls", "wolfssl", c->protocol, c->suite,
	                          c->mutual);
	check_rpk_wrong_pin_fails("wolfssl", "gnutls", c->protocol, c->suite,
	                          c->mutual);
}
#endif

#ifdef SB_WITH_BEARSSL
/* BearSSL has no DTLS and no PSK: the certificate suites over TLS 1.2. */
/* The certificate suites BearSSL shares with GnuTLS, */
static struct check_suite bearssl_common[] = {
    {.suite = "ecdhe-ecdsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-rsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-rsa-chacha20", .dtls_overhead = 29},
};
#define BEAR_COUNT (sizeof(bearssl_common) / sizeof(bearssl_common[0]))

ParameterizedTestParameters(gnutls, client_vs_bearssl_server)
{
	return cr_make_param_array(struct check_suite, bearssl_common,
	                           BEAR_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, client_vs_bearssl_server)
{
	check_protocol_suite_works("gnutls", "bearssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

ParameterizedTestParameters(gnutls, bearssl_client_vs_server)
{
	return cr_make_param_array(struct check_suite, bearssl_common,
	                           BEAR_COUNT);
}

ParameterizedTest(struct check_suite *s, gnutls, bearssl_client_vs_server)
{
	check_protocol_suite_works("bearssl", "gnutls", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}
#endif
