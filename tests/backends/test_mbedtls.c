/*
 * test_mbedtls.c - the Mbed TLS backend against itself, for every suite
 * Mbed TLS implements; unsupported suites answered with a reason; wrong
 * CA, wrong server name and wrong PSK each fail the handshake cleanly;
 * its heap is counted.  With OpenSSL in the build, every common suite
 * also against OpenSSL, in both roles.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <string.h>

#include "backend_check.h"

/* Overheads: RFC 6347 4.1 header (13) + RFC 5288/6655 explicit nonce (8,
 * none for RFC 7905 ChaCha20-Poly1305) + tag (16, 8 for CCM_8). */
static struct check_suite mbedtls_suites[] = {
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
#define SUITE_COUNT (sizeof(mbedtls_suites) / sizeof(mbedtls_suites[0]))

/* ---- safety: what Mbed TLS cannot do is a reason, not a crash --------- */

Test(mbedtls, free_is_safe_on_zeroed_state_and_twice)
{
	free(check_free_twice("mbedtls"));
}

Test(mbedtls, ecdhe_psk_aes_unsupported_with_reason)
{
	static const char *const missing[] = {"ecdhe-psk-gcm", "ecdhe-psk-ccm",
	                                      "ecdhe-psk-ccm8"};
	const struct sb_backend *b = sb_backend_find("mbedtls");
	cr_assert_not_null(b);
	for (size_t i = 0; i < 3; i++) {
		struct sb_reason why = {{0}};
		const struct sb_suite *s = sb_suite_find(missing[i]);
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS12, s, SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, s->iana_name),
		                   "reason must name the suite: %s", why.text);
		cr_assert_not_null(strstr(why.text, "TLS 2."),
		                   "reason must name the library version: %s",
		                   why.text);
	}
}

Test(mbedtls, every_suite_listed_is_supported)
{
	const struct sb_backend *b = sb_backend_find("mbedtls");
	for (size_t i = 0; i < SUITE_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert(b->supports(SB_PROTO_DTLS12,
		                      sb_suite_find(mbedtls_suites[i].suite),
		                      SB_ROLE_SERVER, &why),
		          "%s: %s", mbedtls_suites[i].suite, why.text);
	}
}

/* The table's Mbed TLS names are the library's own names for the code
 * points (Mbed TLS numbers its suites by IANA code point). */
Test(mbedtls, table_names_match_library)
{
	for (size_t i = 0; i < sb_suites_count; i++) {
		const struct sb_suite *s = &sb_suites[i];
		const mbedtls_ssl_ciphersuite_t *c =
		    mbedtls_ssl_ciphersuite_from_id(s->code_point);
		if (!s->mbedtls_name) {
			cr_expect_null(c, "%s has a name in Mbed TLS",
			               s->iana_name);
			continue;
		}
		cr_assert_not_null(c, "Mbed TLS lacks %s", s->iana_name);
		cr_expect_str_eq(c->name, s->mbedtls_name);
	}
}

/* ---- behaviour: every suite handshakes, verifies, frames records ------ */

ParameterizedTestParameters(mbedtls, suite_works)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls, suite_works)
{
	check_suite_works("mbedtls", "mbedtls", s, false, true);
}

ParameterizedTestParameters(mbedtls, suite_works_without_cookie)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls, suite_works_without_cookie)
{
	check_suite_works("mbedtls", "mbedtls", s, false, false);
}

/* TLS 1.2 over the stream link: RFC 5246 6.2.1's 5-byte header + nonce + tag.
 */
ParameterizedTestParameters(mbedtls, tls_suite_works)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls, tls_suite_works)
{
	check_protocol_suite_works("mbedtls", "mbedtls", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

Test(mbedtls, tls_mutual_authentication)
{
	check_protocol_suite_works("mbedtls", "mbedtls", SB_PROTO_TLS12,
	                           "ecdhe-ecdsa-gcm", 29, true, false);
}

Test(mbedtls, mutual_authentication)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("mbedtls", "mbedtls", &s, true, true);
}

/* A record the client sends twice fires the guard; the server drops it. */
Test(mbedtls, guard_fires_on_replay_and_library_drops_it)
{
	static const char *const suites[] = {"psk-ccm8", "ecdhe-ecdsa-gcm",
	                                     "psk-chacha20"};
	for (size_t i = 0; i < 3; i++) {
		struct sb_credential_set creds;
		struct sb_pair_config cfg;
		struct sb_pair pair;
		check_credentials(&creds);
		check_config(&cfg, "mbedtls", "mbedtls", suites[i], &creds);
		check_connect(&pair, &cfg);
		check_guard_fires_on_replay(&pair);
		sb_pair_free(&pair);
	}
}

/* RFC 6347 4.2.1: the cookie exchange adds a ClientHello/HelloVerifyRequest
 * round, so a full handshake has 6 flights with it and 4 without. */
Test(mbedtls, cookie_exchange_adds_two_flights)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "mbedtls", "mbedtls", "psk-ccm8", &creds);
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 6);
	sb_pair_free(&pair);
	cfg.cookie = false;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 4);
	sb_pair_free(&pair);
}

/* Every block the library takes is charged to the endpoint that made the
 * call, and freeing the endpoint gives every byte back. */
Test(mbedtls, heap_is_counted_per_endpoint)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "mbedtls", "mbedtls", "ecdhe-ecdsa-gcm", &creds);
	cr_assert(cfg.client->caps & SB_CAP_HEAP_COUNTED);
	check_connect(&pair, &cfg);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		const struct sb_heap_tally *h = &pair.ep[r].heap;
		cr_expect_gt(h->peak, 0, "%s: no heap peak",
		             sb_role_name((enum sb_role)r));
		cr_expect_gt(h->allocs, 0, "%s: no allocations",
		             sb_role_name((enum sb_role)r));
		cr_expect_gt(h->in_use, 0, "%s: holds nothing after handshake",
		             sb_role_name((enum sb_role)r));
	}
	sb_pair_free(&pair);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++)
		cr_expect_eq(pair.ep[r].heap.in_use, 0,
		             "%s: %lld bytes still held after free",
		             sb_role_name((enum sb_role)r),
		             (long long)pair.ep[r].heap.in_use);
}

/* ---- adversarial: wrong credentials fail cleanly ---------------------- */

/* The RSA leaf is checked like the P-256 one: its CA and its name. */
Test(mbedtls, ecdhe_rsa_wrong_ca_and_name_fail)
{
	check_wrong_ca_fails("mbedtls", SB_PROTO_TLS12, "ecdhe-rsa-gcm");
	check_wrong_server_name_fails("mbedtls", SB_PROTO_DTLS12,
	                              "ecdhe-rsa-chacha20");
}

Test(mbedtls, wrong_ca_fails)
{
	check_wrong_ca_fails("mbedtls", SB_PROTO_DTLS12, "ecdhe-ecdsa-gcm");
}

Test(mbedtls, wrong_server_name_fails)
{
	check_wrong_server_name_fails("mbedtls", SB_PROTO_DTLS12,
	                              "ecdhe-ecdsa-ccm8");
}

/* A wrong PSK makes the peer's Finished fail authentication.  DTLS drops
 * bad records silently, but Mbed TLS makes a bad MAC on the Finished fatal
 * (bad_record_mac alert), so this fails at once rather than by timeout. */
Test(mbedtls, wrong_psk_fails)
{
	check_wrong_psk_fails("mbedtls", "psk-ccm8");
	check_wrong_psk_fails("mbedtls", "ecdhe-psk-chacha20");
}

Test(mbedtls, missing_key_file_fails_setup)
{
	check_missing_key_fails("mbedtls", "ecdhe-ecdsa-gcm");
}

/* ---- against a second implementation: OpenSSL, in both roles ---------- */

/* OpenSSL implements every suite Mbed TLS does (test_openssl.c), so the
 * common suites are the table above. */
#ifdef SB_WITH_OPENSSL

ParameterizedTestParameters(mbedtls, client_against_openssl_server)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls, client_against_openssl_server)
{
	check_suite_works("mbedtls", "openssl", s, false, true);
}

ParameterizedTestParameters(mbedtls, openssl_client_against_server)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls, openssl_client_against_server)
{
	check_suite_works("openssl", "mbedtls", s, false, true);
}

ParameterizedTestParameters(mbedtls, tls_client_against_openssl_server)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls,
                  tls_client_against_openssl_server)
{
	check_protocol_suite_works("mbedtls", "openssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

ParameterizedTestParameters(mbedtls, tls_openssl_client_against_server)
{
	return cr_make_param_array(struct check_suite, mbedtls_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls,
                  tls_openssl_client_against_server)
{
	check_protocol_suite_works("openssl", "mbedtls", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

Test(mbedtls, mutual_authentication_with_openssl)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("mbedtls", "openssl", &s, true, true);
	check_suite_works("openssl", "mbedtls", &s, true, true);
}

#endif
