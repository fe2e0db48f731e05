/*
 * test_openssl.c - the OpenSSL backend against itself, for every suite
 * OpenSSL implements, in (D)TLS 1.2 and TLS 1.3; unsupported suites
 * answered with a reason; wrong CA, wrong server name and wrong PSK each
 * fail the handshake cleanly.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <string.h>

#include "backend_check.h"

/* Overheads: RFC 6347 4.1 header (13) + RFC 5288/6655 explicit nonce (8,
 * none for RFC 7905 ChaCha20-Poly1305) + tag (16, 8 for CCM_8). */
static struct check_suite openssl_suites[] = {
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
#define SUITE_COUNT (sizeof(openssl_suites) / sizeof(openssl_suites[0]))

/* ---- safety: what OpenSSL cannot do is a reason, not a crash ---------- */

Test(openssl, ecdhe_psk_aes_unsupported_with_reason)
{
	static const char *const missing[] = {"ecdhe-psk-gcm", "ecdhe-psk-ccm",
	                                      "ecdhe-psk-ccm8"};
	const struct sb_backend *b = sb_backend_find("openssl");
	cr_assert_not_null(b);
	for (size_t i = 0; i < 3; i++) {
		struct sb_reason why = {{0}};
		const struct sb_suite *s = sb_suite_find(missing[i]);
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS12, s, SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, s->iana_name),
		                   "reason must name the suite: %s", why.text);
		cr_assert_not_null(strstr(why.text, "OpenSSL"), "%s", why.text);
	}
}

Test(openssl, every_suite_listed_is_supported)
{
	const struct sb_backend *b = sb_backend_find("openssl");
	for (size_t i = 0; i < SUITE_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert(b->supports(SB_PROTO_DTLS12,
		                      sb_suite_find(openssl_suites[i].suite),
		                      SB_ROLE_SERVER, &why),
		          "%s: %s", openssl_suites[i].suite, why.text);
	}
}

/* The table's OpenSSL names are the library's own names for the code points. */
Test(openssl, table_names_match_library)
{
	SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
	SSL *ssl = SSL_new(ctx);
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		uint8_t wire[2] = {(uint8_t)(s->code_point >> 8),
		                   (uint8_t)s->code_point};
		const SSL_CIPHER *c = SSL_CIPHER_find(ssl, wire);
		if (!s->openssl_name) {
			cr_expect_null(c, "%s has a name in OpenSSL",
			               s->iana_name);
			continue;
		}
		cr_assert_not_null(c, "OpenSSL lacks %s", s->iana_name);
		cr_expect_str_eq(SSL_CIPHER_get_name(c), s->openssl_name);
		cr_expect_str_eq(SSL_CIPHER_standard_name(c), s->iana_name);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

/* ---- behaviour: every suite handshakes, verifies, frames records ------ */

ParameterizedTestParameters(openssl, suite_works)
{
	return cr_make_param_array(struct check_suite, openssl_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, openssl, suite_works)
{
	check_suite_works("openssl", "openssl", s, false, true);
}

ParameterizedTestParameters(openssl, suite_works_without_cookie)
{
	return cr_make_param_array(struct check_suite, openssl_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, openssl, suite_works_without_cookie)
{
	check_suite_works("openssl", "openssl", s, false, false);
}

/* TLS 1.2 over the stream link: RFC 5246 6.2.1's 5-byte header + nonce + tag.
 */
ParameterizedTestParameters(openssl, tls_suite_works)
{
	return cr_make_param_array(struct check_suite, openssl_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, openssl, tls_suite_works)
{
	check_protocol_suite_works("openssl", "openssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

Test(openssl, tls_mutual_authentication)
{
	check_protocol_suite_works("openssl", "openssl", SB_PROTO_TLS12,
	                           "ecdhe-ecdsa-gcm", 29, true, false);
}

Test(openssl, mutual_authentication)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("openssl", "openssl", &s, true, true);
}

Test(openssl, tls_wrong_ca_fails)
{
	check_wrong_ca_fails("openssl", SB_PROTO_TLS12, "ecdhe-ecdsa-ccm");
}

/* The RSA leaf is checked like the P-256 one: its CA and its name. */
Test(openssl, ecdhe_rsa_wrong_ca_and_name_fail)
{
	check_wrong_ca_fails("openssl", SB_PROTO_TLS12, "ecdhe-rsa-gcm");
	check_wrong_server_name_fails("openssl", SB_PROTO_DTLS12,
	                              "ecdhe-rsa-chacha20");
}

/* ECDHE-RSA with a client certificate: the client's key is P-256. */
Test(openssl, ecdhe_rsa_mutual_authentication)
{
	check_protocol_suite_works("openssl", "openssl", SB_PROTO_TLS12,
	                           "ecdhe-rsa-gcm", 29, true, false);
}

/* A record the client sends twice fires the guard; the server drops it. */
Test(openssl, guard_fires_on_replay_and_library_drops_it)
{
	static const char *const suites[] = {"psk-ccm8", "ecdhe-ecdsa-gcm",
	                                     "psk-chacha20"};
	for (size_t i = 0; i < 3; i++) {
		struct sb_credential_set creds;
		struct sb_pair_config cfg;
		struct sb_pair pair;
		check_credentials(&creds);
		check_config(&cfg, "openssl", "openssl", suites[i], &creds);
		check_connect(&pair, &cfg);
		check_guard_fires_on_replay(&pair);
		sb_pair_free(&pair);
	}
}

/* RFC 6347 4.2.1: the cookie exchange adds a ClientHello/HelloVerifyRequest
 * round, so a full handshake has 6 flights with it and 4 without. */
Test(openssl, cookie_exchange_adds_two_flights)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "openssl", "openssl", "psk-ccm8", &creds);
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 6);
	sb_pair_free(&pair);
	cfg.cookie = false;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 4);
	sb_pair_free(&pair);
}

/* The session cache is off, as in every backend: an OpenSSL server that
 * cannot resume a session gives it no ID (statem_srvr.c, "not
 * cacheable"), where with its default server cache it sends 32 bytes. */
Test(openssl, session_cache_off)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	check_config(&cfg, "openssl", "openssl", "ecdhe-ecdsa-ccm8", &creds);
	cr_expect_eq(check_server_hello_session_id_len(&cfg), 0);
}

/* OpenSSL's allocator hooks report exactly what OPENSSL_malloc hands out:
 * malloc_usable_size() of the block, at least what was asked for. */
Test(openssl, heap_hooks_count_a_known_allocation)
{
	struct sb_heap_tally c = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&c);
	void *p = OPENSSL_malloc(1000);
	cr_assert_not_null(p);
	cr_assert_eq(c.allocs, 1);
	cr_assert_geq(c.in_use, 1000);
	cr_assert_lt(c.in_use, 1000 + 32, "usable size %lld",
	             (long long)c.in_use);
	OPENSSL_free(p);
	sb_heap_charge(outer);
	cr_assert_eq(c.in_use, 0);
	cr_assert_geq(c.peak, 1000);
}

/* ---- adversarial: wrong credentials fail cleanly ---------------------- */

Test(openssl, wrong_ca_fails)
{
	check_wrong_ca_fails("openssl", SB_PROTO_DTLS12, "ecdhe-ecdsa-gcm");
}

Test(openssl, wrong_server_name_fails)
{
	check_wrong_server_name_fails("openssl", SB_PROTO_DTLS12,
	                              "ecdhe-ecdsa-ccm8");
}

Test(openssl, wrong_psk_fails)
{
	check_wrong_psk_fails("openssl", "psk-ccm8");
	check_wrong_psk_fails("openssl", "ecdhe-psk-chacha20");
}

Test(openssl, missing_key_file_fails_setup)
{
	check_missing_key_fails("openssl", "ecdhe-ecdsa-gcm");
}

/* ---- TLS 1.3 (RFC 8446) ----------------------------------------------- */

/* 5-byte header + 1 byte inner content type + tag (RFC 8446 5.2). */
static struct check_suite openssl_tls13_suites[] = {
    {.suite = "tls13-ecdhe-psk-gcm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-psk-ccm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-psk-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-ecdhe-psk-chacha20", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-gcm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-ccm", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-ecdsa-ccm8", .dtls_overhead = 14},
    {.suite = "tls13-ecdhe-ecdsa-chacha20", .dtls_overhead = 22},
    {.suite = "tls13-ecdhe-rsa-gcm", .dtls_overhead = 22},
};

ParameterizedTestParameters(openssl, tls13_suite_works)
{
	return cr_make_param_array(struct check_suite, openssl_tls13_suites,
	                           sizeof(openssl_tls13_suites) /
	                               sizeof(openssl_tls13_suites[0]));
}

ParameterizedTest(struct check_suite *s, openssl, tls13_suite_works)
{
	check_protocol_suite_works("openssl", "openssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

/* No middlebox-compatibility ChangeCipherSpec, no tickets: 3 flights and
 * only handshake and application records. */
Test(openssl, tls13_three_flights_no_extras)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "openssl", "openssl", "tls13-ecdhe-psk-ccm8",
	             &creds);
	cfg.protocol = SB_PROTO_TLS13;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 3);
	cr_expect_eq(sb_link_pending(&pair.link, SB_DIR_S2C), 0,
	             "the server sent something after the handshake");
	/* ClientHello; ServerHello + 4 encrypted; Finished */
	cr_expect_eq(pair.link.sent[SB_DIR_C2S].records, 2);
	sb_pair_free(&pair);
}

/* psk_ke: a 3.0 client cannot make it (it always offers psk_dhe_ke and
 * a key share); a server can. */
Test(openssl, tls13_psk_ke_client_unsupported_with_reason)
{
	const struct sb_backend *b = sb_backend_find("openssl");
	struct sb_reason why = {{0}};
	const struct sb_suite *s = sb_suite_find("tls13-psk-ccm8");
	cr_assert_not(b->supports(SB_PROTO_TLS13, s, SB_ROLE_CLIENT, &why));
	cr_assert_not_null(strstr(why.text, "psk_dhe_ke"), "%s", why.text);
	cr_assert(b->supports(SB_PROTO_TLS13, s, SB_ROLE_SERVER, &why), "%s",
	          why.text);
}

Test(openssl, tls13_wrong_psk_fails)
{
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	wrong = creds;
	wrong.psk[0] ^= 0x80;
	check_config(&cfg, "openssl", "openssl", "tls13-ecdhe-psk-gcm", &creds);
	cfg.protocol = SB_PROTO_TLS13;
	cfg.client_creds = &wrong;
	check_handshake_fails(&cfg);
}

Test(openssl, tls13_wrong_ca_and_name_fail)
{
	check_wrong_ca_fails("openssl", SB_PROTO_TLS13,
	                     "tls13-ecdhe-ecdsa-gcm");
	check_wrong_server_name_fails("openssl", SB_PROTO_TLS13,
	                              "tls13-ecdhe-ecdsa-gcm");
}

Test(openssl, tls13_mutual_authentication)
{
	check_protocol_suite_works("openssl", "openssl", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
}
