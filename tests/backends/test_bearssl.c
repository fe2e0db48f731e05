/*
 * test_bearssl.c - the BearSSL backend against itself in TLS 1.2, for its
 * four ECDHE-ECDSA suites with both primitive sets; DTLS and PSK answered
 * with reasons; wrong CA, wrong server name and a validation time outside
 * the certificates fail cleanly; a forged record closes the connection.
 * At the bottom, BearSSL against OpenSSL and Mbed TLS in both directions.
 */
#include <bearssl.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "backend_check.h"

/* One TLS 1.2 case: a suite, its overhead, and the primitives. */
struct bear_case {
	char suite[32]; /* inline: Criterion re-executes the binary */
	size_t tls_overhead;
	enum sb_impl impl;
};

/* Overheads: RFC 5246 6.2.1 header (5) + RFC 5288/6655 explicit nonce (8,
 * none for RFC 7905 ChaCha20-Poly1305) + tag (16, 8 for CCM_8). */
static struct bear_case bear_cases[] = {
    {"ecdhe-ecdsa-gcm", 29, SB_IMPL_NATIVE},
    {"ecdhe-ecdsa-ccm", 29, SB_IMPL_NATIVE},
    {"ecdhe-ecdsa-ccm8", 21, SB_IMPL_NATIVE},
    {"ecdhe-ecdsa-chacha20", 21, SB_IMPL_NATIVE},
    {"ecdhe-ecdsa-gcm", 29, SB_IMPL_PORTABLE},
    {"ecdhe-ecdsa-ccm", 29, SB_IMPL_PORTABLE},
    {"ecdhe-ecdsa-ccm8", 21, SB_IMPL_PORTABLE},
    {"ecdhe-ecdsa-chacha20", 21, SB_IMPL_PORTABLE},
    /* The web suites: RSA-2048 signing (server) and verification. */
    {"ecdhe-rsa-gcm", 29, SB_IMPL_NATIVE},
    {"ecdhe-rsa-chacha20", 21, SB_IMPL_NATIVE},
    {"ecdhe-rsa-gcm", 29, SB_IMPL_PORTABLE},
    {"ecdhe-rsa-chacha20", 21, SB_IMPL_PORTABLE},
};
#define CASE_COUNT (sizeof(bear_cases) / sizeof(bear_cases[0]))
#define SUITE_COUNT 4 /* the first four cases: each suite once */

static const char *impl_name(enum sb_impl impl)
{
	return impl == SB_IMPL_NATIVE ? "native" : "portable";
}

/*
 * check_protocol_suite_works() with the primitives chosen: connect,
 * verify, round-trip both ways with the RFC overhead, forged record
 * rejected.
 */
static void bear_suite_works(const char *client, const char *server,
                             const struct bear_case *c, bool mutual)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, client, server, c->suite, &creds);
	cfg.protocol = SB_PROTO_TLS12;
	cfg.cookie = false;
	cfg.mutual = mutual;
	cfg.impl = c->impl;
	check_connect(&pair, &cfg);
	check_verified(&pair, &cfg);
	static const size_t sizes[] = {1, 16, 100, 1024};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			size_t wire =
			    check_round_trip(&pair, (enum sb_role)r, sizes[i]);
			cr_expect_eq(wire - sizes[i], c->tls_overhead,
			             "%s (%s) %s record of %zu bytes: overhead "
			             "%zu, RFC says %zu",
			             c->suite, impl_name(c->impl),
			             sb_role_name((enum sb_role)r), sizes[i],
			             wire - sizes[i], c->tls_overhead);
		}
	check_forgery_rejected(&pair);
	sb_pair_free(&pair);
}

/* A BearSSL pair for `suite` over TLS 1.2, not yet set up. */
static void bear_config(struct sb_pair_config *cfg, const char *suite,
                        struct sb_credential_set *creds)
{
	check_credentials(creds);
	check_config(cfg, "bearssl", "bearssl", suite, creds);
	cfg->protocol = SB_PROTO_TLS12;
	cfg->cookie = false;
}

/* The handshake of `cfg` fails on the client with BearSSL's `code`. */
static void bear_handshake_fails_with(const struct sb_pair_config *cfg,
                                      const char *code)
{
	check_handshake_fails(cfg);
	struct sb_pair pair;
	cr_assert_eq(sb_pair_setup(&pair, cfg), 0, "%s", pair.error);
	cr_assert_eq(sb_pair_handshake(&pair), SB_ERR_HANDSHAKE, "%s",
	             pair.error);
	cr_expect_not_null(strstr(pair.error, code), "want %s in '%s'", code,
	                   pair.error);
	cr_expect_not_null(strstr(pair.error, "client"), "%s", pair.error);
	sb_pair_free(&pair);
}

/* ---- safety: what BearSSL cannot do is a reason, not a crash ---------- */

Test(bearssl, dtls_unsupported_with_reason)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	cr_assert_not_null(b);
	for (size_t i = 0; i < sb_suites_count; i++)
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			struct sb_reason why = {{0}};
			if (sb_suites[i].tls13)
				continue; /* a 1.2 protocol cannot carry it */
			cr_assert_not(b->supports(SB_PROTO_DTLS12,
			                          &sb_suites[i],
			                          (enum sb_role)r, &why),
			              "%s", sb_suites[i].iana_name);
			cr_expect_str_eq(
			    why.text, "BearSSL has no DTLS (no datagram API)");
		}
}

Test(bearssl, tls13_unsupported_with_reason)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	struct sb_reason why = {{0}};
	cr_assert_not(b->supports(SB_PROTO_TLS13,
	                          sb_suite_find("tls13-ecdhe-ecdsa-gcm"),
	                          SB_ROLE_CLIENT, &why));
	cr_expect_str_eq(why.text, "BearSSL 0.6 has no TLS 1.3");
}

Test(bearssl, psk_unsupported_with_reason)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		if (!sb_kx_uses_psk(s->kx) || s->tls13)
			continue;
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			struct sb_reason why = {{0}};
			cr_assert_not(b->supports(SB_PROTO_TLS12, s,
			                          (enum sb_role)r, &why),
			              "%s", s->iana_name);
			cr_expect_str_eq(why.text,
			                 "BearSSL has no PSK cipher suites");
		}
	}
}

Test(bearssl, certificate_suites_supported_in_tls)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	for (size_t i = 0; i < SUITE_COUNT; i++)
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			struct sb_reason why = {{0}};
			cr_assert(
			    b->supports(SB_PROTO_TLS12,
			                sb_suite_find(bear_cases[i].suite),
			                (enum sb_role)r, &why),
			    "%s: %s", bear_cases[i].suite, why.text);
		}
}

/* The table's BearSSL names are the library's macros for the code points. */
#define BEAR_NAME(macro)                                                       \
	{                                                                      \
#macro, macro                                                  \
	}
static const struct {
	const char *name;
	uint16_t code_point;
} bear_macros[] = {
    BEAR_NAME(BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
    BEAR_NAME(BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM),
    BEAR_NAME(BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8),
    BEAR_NAME(BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
    BEAR_NAME(BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    BEAR_NAME(BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
};
#define BEAR_MACRO_COUNT (sizeof(bear_macros) / sizeof(bear_macros[0]))

Test(bearssl, table_names_match_library)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	size_t named = 0;
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		struct sb_reason why = {{0}};
		bool supported =
		    b->supports(SB_PROTO_TLS12, s, SB_ROLE_CLIENT, &why);
		if (!s->bearssl_name) {
			cr_expect_not(supported, "%s supported but unnamed",
			              s->iana_name);
			continue;
		}
		cr_expect(supported, "%s named but unsupported: %s",
		          s->iana_name, why.text);
		size_t m = 0;
		while (m < BEAR_MACRO_COUNT &&
		       strcmp(bear_macros[m].name, s->bearssl_name) != 0)
			m++;
		cr_assert_lt(m, BEAR_MACRO_COUNT, "no BearSSL macro %s",
		             s->bearssl_name);
		cr_expect_eq(
		    bear_macros[m].code_point, s->code_point,
		    "%s is 0x%04X in bearssl_ssl.h, 0x%04X in the table",
		    s->bearssl_name, bear_macros[m].code_point, s->code_point);
		named++;
	}
	cr_expect_eq(named, BEAR_MACRO_COUNT);
}

Test(bearssl, free_is_safe_on_zeroed_endpoint_twice)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	void *ep = check_free_twice("bearssl");
	cr_expect_str_eq(b->last_error(ep), "no BearSSL error recorded");
	free(ep);
}

Test(bearssl, missing_key_file_fails_setup)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-gcm", &creds);
	strcpy(creds.server_key, "/nonexistent/server.key");
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_CREDENTIALS, "%s",
	             pair.error);
	cr_expect_not_null(strstr(pair.error, "server"), "%s", pair.error);
	cr_expect_not_null(strstr(pair.error, "/nonexistent/server.key"), "%s",
	                   pair.error);
	sb_pair_free(&pair);
}

Test(bearssl, dtls_setup_refused)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-gcm", &creds);
	cfg.protocol = SB_PROTO_DTLS12;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_UNSUPPORTED, "%s",
	             pair.error);
	sb_pair_free(&pair);
}

/* ---- behaviour: every suite handshakes, verifies, frames records ------ */

ParameterizedTestParameters(bearssl, tls_suite_works)
{
	return cr_make_param_array(struct bear_case, bear_cases, CASE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, tls_suite_works)
{
	bear_suite_works("bearssl", "bearssl", c, false);
}

/* The shared check, with its default (native) primitives. */
ParameterizedTestParameters(bearssl, tls_suite_works_shared_check)
{
	return cr_make_param_array(struct bear_case, bear_cases, SUITE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, tls_suite_works_shared_check)
{
	check_protocol_suite_works("bearssl", "bearssl", SB_PROTO_TLS12,
	                           c->suite, c->tls_overhead, false, false);
}

Test(bearssl, tls_mutual_authentication)
{
	bear_suite_works("bearssl", "bearssl", &bear_cases[2], true);
	bear_suite_works("bearssl", "bearssl", &bear_cases[4], true);
}

/* RFC 5246 7.3: a full handshake is four flights (ClientHello; ServerHello
 * to ServerHelloDone; ClientKeyExchange to Finished; ChangeCipherSpec and
 * Finished), mutual authentication or not. */
Test(bearssl, full_handshake_is_four_flights)
{
	for (int mutual = 0; mutual <= 1; mutual++) {
		struct sb_credential_set creds;
		struct sb_pair_config cfg;
		struct sb_pair pair;
		bear_config(&cfg, "ecdhe-ecdsa-ccm8", &creds);
		cfg.mutual = mutual;
		check_connect(&pair, &cfg);
		cr_expect_eq(pair.link.flight_count, 4,
		             "mutual=%d: %zu flights", mutual,
		             pair.link.flight_count);
		sb_pair_free(&pair);
	}
}

/* The link's transcript digest of one handshake of `cfg` (hashed even
 * when not deterministic, to show those transcripts differ). */
static void bear_transcript(const struct sb_pair_config *cfg, char hex[65])
{
	struct sb_pair pair;
	cr_assert_eq(sb_pair_setup(&pair, cfg), 0, "%s", pair.error);
	sb_link_transcript_start(&pair.link);
	cr_assert_eq(sb_pair_handshake(&pair), 0, "%s", pair.error);
	sb_link_transcript_hex(&pair.link, hex);
	sb_pair_free(&pair);
}

/* --deterministic: the same seed gives the same bytes on the wire, another
 * seed other bytes; without it the OS seeds the engines. */
Test(bearssl, deterministic_transcript_repeats)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	char a[65], b[65], c[65], d[65];
	bear_config(&cfg, "ecdhe-ecdsa-gcm", &creds);
	cfg.mutual = true;
	cfg.deterministic = true;
	cfg.seed = 7;
	bear_transcript(&cfg, a);
	bear_transcript(&cfg, b);
	cr_expect_str_eq(a, b, "seed 7 gave two transcripts");
	cfg.seed = 8;
	bear_transcript(&cfg, c);
	cr_expect_str_neq(a, c, "seeds 7 and 8 gave one transcript");
	cfg.deterministic = false;
	bear_transcript(&cfg, c);
	bear_transcript(&cfg, d);
	cr_expect_str_neq(c, d, "OS-seeded handshakes repeated");
}

Test(bearssl, static_ram_covers_context_and_buffer)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-ccm8", &creds);
	check_connect(&pair, &cfg);
	const struct sb_backend *b = pair.ep[SB_ROLE_CLIENT].backend;
	cr_assert_not_null(b->static_ram);
	size_t client = b->static_ram(pair.ep[SB_ROLE_CLIENT].state);
	size_t server = b->static_ram(pair.ep[SB_ROLE_SERVER].state);
	cr_expect_geq(client,
	              sizeof(br_ssl_client_context) + BR_SSL_BUFSIZE_BIDI);
	cr_expect_geq(server,
	              sizeof(br_ssl_server_context) + BR_SSL_BUFSIZE_BIDI);
	cr_expect_leq(client, b->endpoint_size);
	cr_expect_leq(server, b->endpoint_size);
	cr_log_info("static_ram: client %zu, server %zu bytes", client, server);
	sb_pair_free(&pair);
}

Test(bearssl, describe_impl_names_the_primitives)
{
	const struct sb_backend *b = sb_backend_find("bearssl");
	char text[256];
	cr_assert_not_null(b->describe_impl);
	b->describe_impl(SB_IMPL_PORTABLE, text, sizeof(text));
	cr_expect_not_null(strstr(text, "aes=ct ghash=ctmul chacha20=ct "
	                                "poly1305=ctmul"),
	                   "%s", text);
	b->describe_impl(SB_IMPL_NATIVE, text, sizeof(text));
	cr_expect_not_null(strstr(text, br_aes_x86ni_ctr_get_vtable()
	                                    ? "aes=x86ni"
	                                    : "aes=ct"),
	                   "%s", text);
	cr_expect_not_null(strstr(text, br_ghash_pclmul_get() ? "ghash=pclmul"
	                                                      : "ghash=ctmul"),
	                   "%s", text);
	cr_log_info("native: %s", text);
}

/* ---- adversarial: forged records and wrong credentials ---------------- */

/* TLS closes the connection on a record that fails authentication. */
Test(bearssl, forged_record_closes_with_bad_mac)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-gcm", &creds);
	check_connect(&pair, &cfg);
	uint8_t buf[256] = {1, 2, 3};
	cr_assert_eq(sb_pair_write(&pair, SB_ROLE_CLIENT, buf, 64), 0);
	cr_assert_eq(sb_link_corrupt(&pair.link, SB_DIR_C2S, 0), 0);
	cr_expect_eq(sb_pair_read(&pair, SB_ROLE_SERVER, buf, sizeof(buf)),
	             SB_ERR_RECORD);
	const char *err = sb_pair_library_error(&pair, SB_ROLE_SERVER);
	cr_expect_not_null(strstr(err, "BR_ERR_BAD_MAC"), "%s", err);
	cr_expect_lt(sb_pair_read(&pair, SB_ROLE_SERVER, buf, sizeof(buf)), 0,
	             "the connection must stay closed");
	sb_pair_free(&pair);
}

Test(bearssl, wrong_ca_fails)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	bear_config(&cfg, "ecdhe-ecdsa-ccm", &creds);
	strcpy(creds.ca, creds.other_ca);
	bear_handshake_fails_with(&cfg, "BR_ERR_X509_NOT_TRUSTED");
}

Test(bearssl, wrong_server_name_fails)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	bear_config(&cfg, "ecdhe-ecdsa-ccm8", &creds);
	cfg.server_name = "other.suitebench.test";
	bear_handshake_fails_with(&cfg, "BR_ERR_X509_BAD_SERVER_NAME");
}

/* The validation time is the core's virtual clock, not the wall clock:
 * set before the certificates' notBefore (2000-01-01), they fail. */
Test(bearssl, validation_time_is_the_virtual_clock)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-chacha20", &creds);
	cr_assert_eq(sb_pair_setup(&pair, &cfg), 0, "%s", pair.error);
	pair.clock.now_us =
	    946684799ULL * 1000000ULL; /* 1999-12-31T23:59:59Z */
	cr_assert_eq(sb_pair_handshake(&pair), SB_ERR_HANDSHAKE, "%s",
	             pair.error);
	cr_expect_not_null(strstr(pair.error, "BR_ERR_X509_EXPIRED"), "%s",
	                   pair.error);
	sb_pair_free(&pair);
	/* One second later the same certificates are valid. */
	cr_assert_eq(sb_pair_setup(&pair, &cfg), 0, "%s", pair.error);
	pair.clock.now_us = 946684800ULL * 1000000ULL;
	cr_expect_eq(sb_pair_handshake(&pair), 0, "%s", pair.error);
	sb_pair_free(&pair);
}

/* A mutual-authentication server refuses a client from another CA. */
Test(bearssl, mutual_rejects_client_of_other_ca)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	bear_config(&cfg, "ecdhe-ecdsa-gcm", &creds);
	cfg.mutual = true;
	struct sb_credential_set server_view = creds;
	strcpy(server_view.ca, creds.other_ca);
	/* The client trusts the real CA; the server trusts only the other. */
	cfg.creds = &server_view;
	cfg.client_creds = &creds;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), 0, "%s", pair.error);
	cr_assert_lt(sb_pair_handshake(&pair), 0, "handshake succeeded");
	cr_expect_neq(strstr(pair.error, "BR_ERR"), NULL, "%s", pair.error);
	cr_log_info("expected failure: %s", pair.error);
	sb_pair_free(&pair);
}

/* ---- across libraries: BearSSL against OpenSSL and Mbed TLS ----------- */

#ifdef SB_WITH_OPENSSL
ParameterizedTestParameters(bearssl, client_vs_openssl_server)
{
	return cr_make_param_array(struct bear_case, bear_cases, CASE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, client_vs_openssl_server)
{
	bear_suite_works("bearssl", "openssl", c, false);
}

ParameterizedTestParameters(bearssl, openssl_client_vs_server)
{
	return cr_make_param_array(struct bear_case, bear_cases, CASE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, openssl_client_vs_server)
{
	bear_suite_works("openssl", "bearssl", c, false);
}

Test(bearssl, mutual_with_openssl)
{
	bear_suite_works("bearssl", "openssl", &bear_cases[0], true);
	bear_suite_works("openssl", "bearssl", &bear_cases[3], true);
}
#endif

#ifdef SB_WITH_MBEDTLS
ParameterizedTestParameters(bearssl, client_vs_mbedtls_server)
{
	return cr_make_param_array(struct bear_case, bear_cases, CASE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, client_vs_mbedtls_server)
{
	bear_suite_works("bearssl", "mbedtls", c, false);
}

ParameterizedTestParameters(bearssl, mbedtls_client_vs_server)
{
	return cr_make_param_array(struct bear_case, bear_cases, CASE_COUNT);
}

ParameterizedTest(struct bear_case *c, bearssl, mbedtls_client_vs_server)
{
	bear_suite_works("mbedtls", "bearssl", c, false);
}

Test(bearssl, mutual_with_mbedtls)
{
	bear_suite_works("bearssl", "mbedtls", &bear_cases[2], true);
	bear_suite_works("mbedtls", "bearssl", &bear_cases[1], true);
}
#endif
