/*
 * test_wolfssl.c - the wolfSSL backend against itself, for every suite
 * wolfSSL implements, in DTLS 1.2, TLS 1.2, TLS 1.3 and DTLS 1.3;
 * unsupported suites and settings answered with a reason; wrong CA, wrong
 * server name and wrong PSK each fail the handshake cleanly; its heap is
 * counted.  With the other libraries in the build: DTLS 1.2 against
 * OpenSSL and Mbed TLS and TLS 1.2 against BearSSL, in both roles.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "backend_check.h"

/* (D)TLS 1.2 overheads: RFC 6347 4.1 header (13; TLS: RFC 5246 6.2.1, 5)
 * + RFC 5288/6655 explicit nonce (8, none for RFC 7905 ChaCha20-Poly1305)
 * + tag (16, 8 for CCM_8). */
static struct check_suite wolfssl_suites[] = {
    {.suite = "psk-gcm", .dtls_overhead = 37},
    {.suite = "psk-ccm", .dtls_overhead = 37},
    {.suite = "psk-ccm8", .dtls_overhead = 29},
    {.suite = "psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-psk-chacha20", .dtls_overhead = 29},
    {.suite = "ecdhe-psk-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-chacha20", .dtls_overhead = 29},
};
#define SUITE_COUNT (sizeof(wolfssl_suites) / sizeof(wolfssl_suites[0]))

/*
 * TLS 1.3 (RFC 8446 5.2): 5-byte header + 1 byte inner content type + tag;
 * the nonce comes from the sequence number.  Here `dtls_overhead` holds
 * the TLS 1.3 figure; DTLS 1.3 (RFC 9147 4) replaces the 5-byte header by
 * the unified header wolfSSL sends: flags, 16-bit sequence, length (5).
 */
static struct check_suite wolfssl_tls13_suites[] = {
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
};
#define TLS13_COUNT                                                            \
	(sizeof(wolfssl_tls13_suites) / sizeof(wolfssl_tls13_suites[0]))

/* ---- safety: what wolfSSL cannot do is a reason, not a crash ---------- */

Test(wolfssl, free_is_safe_on_zeroed_state_and_twice)
{
	free(check_free_twice("wolfssl"));
}

Test(wolfssl, ecdhe_psk_ccm_unsupported_with_reason)
{
	static const char *const missing[] = {"ecdhe-psk-ccm",
	                                      "ecdhe-psk-ccm8"};
	const struct sb_backend *b = sb_backend_find("wolfssl");
	for (size_t i = 0; i < 2; i++) {
		struct sb_reason why = {{0}};
		const struct sb_suite *s = sb_suite_find(missing[i]);
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS12, s, SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, s->iana_name),
		                   "reason must name the suite: %s", why.text);
		cr_assert_not_null(strstr(why.text, "5.7"),
		                   "reason must name the library version: %s",
		                   why.text);
	}
}

Test(wolfssl, suite_of_the_other_version_unsupported)
{
	const struct sb_backend *b = sb_backend_find("wolfssl");
	struct sb_reason why = {{0}};
	cr_assert_not(b->supports(SB_PROTO_DTLS12,
	                          sb_suite_find("tls13-psk-ccm8"),
	                          SB_ROLE_CLIENT, &why));
	cr_assert_not_null(strstr(why.text, "TLS 1.3 suite"), "%s", why.text);
	cr_assert_not(b->supports(SB_PROTO_TLS13, sb_suite_find("psk-ccm8"),
	                          SB_ROLE_SERVER, &why));
	cr_assert_not_null(strstr(why.text, "TLS 1.2 suite"), "%s", why.text);
}

Test(wolfssl, every_suite_listed_is_supported)
{
	const struct sb_backend *b = sb_backend_find("wolfssl");
	for (size_t i = 0; i < SUITE_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert(b->supports(SB_PROTO_DTLS12,
		                      sb_suite_find(wolfssl_suites[i].suite),
		                      SB_ROLE_SERVER, &why),
		          "%s: %s", wolfssl_suites[i].suite, why.text);
	}
	for (size_t i = 0; i < TLS13_COUNT; i++) {
		struct sb_reason why = {{0}};
		cr_assert(
		    b->supports(SB_PROTO_DTLS13,
		                sb_suite_find(wolfssl_tls13_suites[i].suite),
		                SB_ROLE_CLIENT, &why),
		    "%s: %s", wolfssl_tls13_suites[i].suite, why.text);
	}
}

/* A wolfSSL DTLS server has no cookie-less mode: setup says so. */
Test(wolfssl, dtls_server_without_cookie_is_unsupported)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "psk-ccm8", &creds);
	cfg.cookie = false;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_UNSUPPORTED, "%s",
	             pair.error);
	cr_assert_not_null(strstr(pair.error, "cookie"), "%s", pair.error);
	sb_pair_free(&pair);
}

/* ---- behaviour: every suite handshakes, verifies, frames records ------ */

ParameterizedTestParameters(wolfssl, suite_works)
{
	return cr_make_param_array(struct check_suite, wolfssl_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, suite_works)
{
	check_suite_works("wolfssl", "wolfssl", s, false, true);
}

ParameterizedTestParameters(wolfssl, tls_suite_works)
{
	return cr_make_param_array(struct check_suite, wolfssl_suites,
	                           SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, tls_suite_works)
{
	check_protocol_suite_works("wolfssl", "wolfssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}

ParameterizedTestParameters(wolfssl, tls13_suite_works)
{
	return cr_make_param_array(struct check_suite, wolfssl_tls13_suites,
	                           TLS13_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, tls13_suite_works)
{
	check_protocol_suite_works("wolfssl", "wolfssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

ParameterizedTestParameters(wolfssl, dtls13_suite_works)
{
	return cr_make_param_array(struct check_suite, wolfssl_tls13_suites,
	                           TLS13_COUNT);
}

/* DTLS 1.3 handshakes, verifies, carries data both ways with the
 * overhead of the unified header wolfSSL sends, rejects a forged record. */
ParameterizedTest(struct check_suite *s, wolfssl, dtls13_suite_works)
{
	check_protocol_suite_works("wolfssl", "wolfssl", SB_PROTO_DTLS13,
	                           s->suite, s->dtls_overhead, false, true);
}

/* RFC 9147 4.2.3 wants 16 bytes of ciphertext; 5.7.2 does not pad to
 * them, so a 6-byte CCM_8 payload (6 + 1 + 8 = 15) is refused with the
 * reason, and 7 bytes go. */
Test(wolfssl, dtls13_short_ccm8_record_refused_with_reason)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	uint8_t buf[16] = {0}, got[64];
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "tls13-psk-ccm8", &creds);
	cfg.protocol = SB_PROTO_DTLS13;
	check_connect(&pair, &cfg);
	cr_assert_eq(sb_pair_write(&pair, SB_ROLE_CLIENT, buf, 6),
	             SB_ERR_UNSUPPORTED);
	cr_assert_not_null(strstr(sb_pair_library_error(&pair, SB_ROLE_CLIENT),
	                          "does not pad"),
	                   "%s", sb_pair_library_error(&pair, SB_ROLE_CLIENT));
	cr_assert_eq(sb_pair_write(&pair, SB_ROLE_CLIENT, buf, 7), 0);
	cr_assert_eq(sb_pair_read(&pair, SB_ROLE_SERVER, got, sizeof(got)), 7);
	sb_pair_free(&pair);
}

/*
 * DTLS 1.3: a ciphertext record sent again is the same bytes -- a record
 * number reused -- and the guard says so although the sequence number is
 * encrypted; the server's anti-replay drops it (RFC 9147 4.5.1).
 */
Test(wolfssl, dtls13_guard_fires_on_replay)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "tls13-psk-ccm8", &creds);
	cfg.protocol = SB_PROTO_DTLS13;
	check_connect(&pair, &cfg);
	uint8_t buf[64] = {5}, copy[SB_LINK_MAX_MTU], got[256];
	cr_assert_str_empty(sb_wire_check_guard(&pair.link.wire), "%s",
	                    sb_wire_check_guard(&pair.link.wire));
	cr_assert_eq(sb_pair_write(&pair, SB_ROLE_CLIENT, buf, sizeof(buf)), 0);
	int len =
	    sb_link_peek_newest(&pair.link, SB_DIR_C2S, copy, sizeof(copy));
	cr_assert_gt(len, 0);
	cr_assert_eq(sb_link_send(&pair.link, SB_DIR_C2S, copy, (size_t)len),
	             0);
	cr_assert_not_null(strstr(sb_wire_check_guard(&pair.link.wire),
	                          "client sent the same ciphertext record "
	                          "twice (epoch bits 3"),
	                   "guard did not fire: '%s'",
	                   sb_wire_check_guard(&pair.link.wire));
	cr_assert_eq(sb_pair_read(&pair, SB_ROLE_SERVER, got, sizeof(got)), 64);
	cr_assert_lt(sb_pair_read(&pair, SB_ROLE_SERVER, got, sizeof(got)), 0,
	             "the server delivered the replayed record");
	sb_pair_free(&pair);
}

Test(wolfssl, mutual_authentication)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("wolfssl", "wolfssl", &s, true, true);
	check_protocol_suite_works("wolfssl", "wolfssl", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
}

/* RFC 6347 4.2.1: with the HelloVerifyRequest round a full DTLS 1.2
 * handshake has 6 flights; TLS 1.3 (RFC 8446 2) has 3; DTLS 1.3 with the
 * HelloRetryRequest cookie 6 -- the sixth is the server's ACK of the
 * client's Finished (RFC 9147 5.8.3), which the handshake waits for, so
 * the client holds no flight for retransmission when it is done. */
Test(wolfssl, flights)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "psk-ccm8", &creds);
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 6);
	sb_pair_free(&pair);
	check_config(&cfg, "wolfssl", "wolfssl", "tls13-psk-ccm8", &creds);
	cfg.protocol = SB_PROTO_TLS13;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 3);
	sb_pair_free(&pair);
	cfg.protocol = SB_PROTO_DTLS13;
	check_connect(&pair, &cfg);
	cr_expect_eq(pair.link.flight_count, 6);
	cr_expect_eq(sb_link_pending(&pair.link, SB_DIR_S2C), 0,
	             "the server's ACK was left unread");
	cr_expect_eq(pair.ep[SB_ROLE_CLIENT].backend->next_timeout_us(
	                 pair.ep[SB_ROLE_CLIENT].state),
	             0, "the client still waits to retransmit");
	sb_pair_free(&pair);
}

/* Every block the library takes is charged to the endpoint that made the
 * call, and freeing the endpoint gives every byte back. */
Test(wolfssl, heap_is_counted_per_endpoint)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "ecdhe-ecdsa-gcm", &creds);
	cr_assert(cfg.client->caps & SB_CAP_HEAP_COUNTED);
	check_connect(&pair, &cfg);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		const struct sb_heap_tally *h = &pair.ep[r].heap;
		cr_expect_gt(h->peak, 0, "%s: no heap peak",
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

/* Two deterministic runs give the same bytes: the seed callback feeds
 * every DRBG and the time callback the hello's clock. */
Test(wolfssl, deterministic_handshakes_repeat)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	uint64_t bytes[2][2];
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "ecdhe-ecdsa-ccm8", &creds);
	cfg.deterministic = true;
	cfg.seed = 7;
	for (int run = 0; run < 2; run++) {
		struct sb_pair pair;
		check_connect(&pair, &cfg);
		bytes[run][0] = pair.link.sent[SB_DIR_C2S].bytes;
		bytes[run][1] = pair.link.sent[SB_DIR_S2C].bytes;
		sb_pair_free(&pair);
	}
	cr_expect_eq(bytes[0][0], bytes[1][0]);
	cr_expect_eq(bytes[0][1], bytes[1][1]);
}

/* ---- adversarial: wrong credentials fail cleanly ---------------------- */

Test(wolfssl, wrong_ca_fails)
{
	check_wrong_ca_fails("wolfssl", SB_PROTO_DTLS12, "ecdhe-ecdsa-gcm");
	check_wrong_ca_fails("wolfssl", SB_PROTO_TLS13,
	                     "tls13-ecdhe-ecdsa-ccm8");
}

Test(wolfssl, wrong_server_name_fails)
{
	check_wrong_server_name_fails("wolfssl", SB_PROTO_DTLS12,
	                              "ecdhe-ecdsa-ccm8");
}

/*
 * A wrong PSK makes the peer's Finished fail authentication.  Over TLS
 * wolfSSL answers with a fatal alert.  Over DTLS it drops the record
 * silently (RFC 6347 4.1.2.7) and never gives up: each side retransmits
 * on the other's retransmission, so on a link without delay the two
 * ping-pong at one instant of virtual time -- the pair reports a stall.
 */
Test(wolfssl, wrong_psk_fails)
{
	static const char *const suites[] = {"psk-ccm8", "ecdhe-psk-chacha20"};
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	wrong = creds;
	wrong.psk[0] ^= 0x80;
	for (size_t i = 0; i < 2; i++) {
		check_config(&cfg, "wolfssl", "wolfssl", suites[i], &creds);
		cfg.client_creds = &wrong;
		cfg.protocol = SB_PROTO_TLS12;
		check_handshake_fails(&cfg);
	}
	check_config(&cfg, "wolfssl", "wolfssl", "tls13-psk-ccm8", &creds);
	cfg.client_creds = &wrong;
	cfg.protocol = SB_PROTO_TLS13;
	check_handshake_fails(&cfg);
}

Test(wolfssl, wrong_psk_over_dtls_never_completes)
{
	struct sb_credential_set creds, wrong;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	wrong = creds;
	wrong.psk[0] ^= 0x80;
	check_config(&cfg, "wolfssl", "wolfssl", "psk-ccm8", &creds);
	cfg.client_creds = &wrong;
	int rc = sb_pair_setup(&pair, &cfg);
	if (rc == 0)
		rc = sb_pair_handshake(&pair);
	cr_assert_lt(rc, 0, "a handshake with a wrong PSK completed");
	cr_log_info("wrong PSK over DTLS: %s", pair.error);
	sb_pair_free(&pair);
}

Test(wolfssl, missing_key_file_fails_setup)
{
	check_missing_key_fails("wolfssl", "ecdhe-ecdsa-gcm");
}

/* ---- against second implementations, in both roles -------------------- */

/* Suites both libraries implement: OpenSSL and Mbed TLS 2.28 lack
 * ecdhe-psk-gcm (RFC 8442). */
static struct check_suite common_suites[] = {
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
#define COMMON_COUNT (sizeof(common_suites) / sizeof(common_suites[0]))

#ifdef SB_WITH_OPENSSL
ParameterizedTestParameters(wolfssl, client_against_openssl_server)
{
	return cr_make_param_array(struct check_suite, common_suites,
	                           COMMON_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, client_against_openssl_server)
{
	check_suite_works("wolfssl", "openssl", s, false, true);
}

ParameterizedTestParameters(wolfssl, openssl_client_against_server)
{
	return cr_make_param_array(struct check_suite, common_suites,
	                           COMMON_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, openssl_client_against_server)
{
	check_suite_works("openssl", "wolfssl", s, false, true);
}

/* TLS 1.3: all twelve with a wolfSSL client (OpenSSL 3.0 serves psk_ke
 * to a client that offers only it) ... */
ParameterizedTestParameters(wolfssl, tls13_client_against_openssl_server)
{
	return cr_make_param_array(struct check_suite, wolfssl_tls13_suites,
	                           TLS13_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl,
                  tls13_client_against_openssl_server)
{
	check_protocol_suite_works("wolfssl", "openssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

/* ... and all but psk_ke with an OpenSSL client, which cannot make it. */
ParameterizedTestParameters(wolfssl, tls13_openssl_client_against_server)
{
	static struct check_suite dhe[TLS13_COUNT];
	size_t n = 0;
	for (size_t i = 0; i < TLS13_COUNT; i++)
		if (strncmp(wolfssl_tls13_suites[i].suite, "tls13-psk-", 10))
			dhe[n++] = wolfssl_tls13_suites[i];
	return cr_make_param_array(struct check_suite, dhe, n);
}

ParameterizedTest(struct check_suite *s, wolfssl,
                  tls13_openssl_client_against_server)
{
	check_protocol_suite_works("openssl", "wolfssl", SB_PROTO_TLS13,
	                           s->suite, s->dtls_overhead, false, false);
}

Test(wolfssl, tls13_mutual_against_openssl_both_ways)
{
	check_protocol_suite_works("wolfssl", "openssl", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-gcm", 22, true, false);
	check_protocol_suite_works("openssl", "wolfssl", SB_PROTO_TLS13,
	                           "tls13-ecdhe-ecdsa-ccm8", 14, true, false);
}
#endif

#ifdef SB_WITH_MBEDTLS
ParameterizedTestParameters(wolfssl, client_against_mbedtls_server)
{
	return cr_make_param_array(struct check_suite, common_suites,
	                           COMMON_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, client_against_mbedtls_server)
{
	check_suite_works("wolfssl", "mbedtls", s, false, true);
}

ParameterizedTestParameters(wolfssl, mbedtls_client_against_server)
{
	return cr_make_param_array(struct check_suite, common_suites,
	                           COMMON_COUNT);
}

ParameterizedTest(struct check_suite *s, wolfssl, mbedtls_client_against_server)
{
	check_suite_works("mbedtls", "wolfssl", s, false, true);
}
#endif

#ifdef SB_WITH_BEARSSL
/* BearSSL: TLS 1.2 with ECDHE-ECDSA only; TLS overhead is DTLS's minus 8. */
static struct check_suite bearssl_suites[] = {
    {.suite = "ecdhe-ecdsa-gcm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-chacha20", .dtls_overhead = 29},
};

ParameterizedTestParameters(wolfssl, tls_against_bearssl)
{
	return cr_make_param_array(struct check_suite, bearssl_suites, 4);
}

ParameterizedTest(struct check_suite *s, wolfssl, tls_against_bearssl)
{
	check_protocol_suite_works("wolfssl", "bearssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
	check_protocol_suite_works("bearssl", "wolfssl", SB_PROTO_TLS12,
	                           s->suite, s->dtls_overhead - 8, false,
	                           false);
}
#endif

/* ---- raw public keys (RFC 7250) ---------------------------------------- */

static const struct check_rpk rpk_cases[] = {
    {.protocol = SB_PROTO_DTLS12, .suite = "ecdhe-ecdsa-ccm8"},
    {.protocol = SB_PROTO_TLS12, .suite = "ecdhe-ecdsa-gcm"},
    {.protocol = SB_PROTO_TLS13, .suite = "tls13-ecdhe-ecdsa-ccm8"},
    {.protocol = SB_PROTO_DTLS13, .suite = "tls13-ecdhe-ecdsa-ccm8"},
    {.protocol = SB_PROTO_DTLS12, .suite = "ecdhe-ecdsa-ccm8", .mutual = true},
    {.protocol = SB_PROTO_DTLS13,
     .suite = "tls13-ecdhe-ecdsa-ccm8",
     .mutual = true},
};

ParameterizedTestParameters(wolfssl, rpk_works)
{
	return cr_make_param_array(struct check_rpk, rpk_cases,
	                           sizeof(rpk_cases) / sizeof(rpk_cases[0]));
}

/* The raw public key replaces the certificate, and data flows. */
ParameterizedTest(const struct check_rpk *c, wolfssl, rpk_works)
{
	check_rpk_works("wolfssl", "wolfssl", c->protocol, c->suite, c->mutual);
}

/* The client pinned another key than the server presents: it refuses. */
Test(wolfssl, rpk_wrong_pinned_key_fails)
{
	check_rpk_wrong_pin_fails("wolfssl", "wolfssl", SB_PROTO_DTLS12,
	                          "ecdhe-ecdsa-ccm8", false);
	check_rpk_wrong_pin_fails("wolfssl", "wolfssl", SB_PROTO_DTLS13,
	                          "tls13-ecdhe-ecdsa-ccm8", false);
}

/* With --mutual the server pinned another client key: it refuses. */
Test(wolfssl, rpk_wrong_pinned_client_key_fails)
{
	check_rpk_wrong_pin_fails("wolfssl", "wolfssl", SB_PROTO_DTLS13,
	                          "tls13-ecdhe-ecdsa-ccm8", true);
}

/* ---- Connection ID (RFC 9147 9) ----------------------------------------- */

struct cid_case {
	size_t cid_len;
	char suite[32];
	size_t overhead; /* RFC 9147 4: 5-byte unified header + CID + 1 + tag */
};

static const struct cid_case cid_cases[] = {
    {.cid_len = 1, .suite = "tls13-psk-ccm8", .overhead = 15},
    {.cid_len = 2, .suite = "tls13-ecdhe-psk-gcm", .overhead = 24},
    {.cid_len = 1, .suite = "tls13-ecdhe-ecdsa-ccm8", .overhead = 15},
    /* longer than 5.7.2's default DTLS_CID_MAX_SIZE of 2 */
    {.cid_len = 8, .suite = "tls13-psk-ccm8", .overhead = 22},
    {.cid_len = 15, .suite = "tls13-ecdhe-psk-gcm", .overhead = 37},
};

ParameterizedTestParameters(wolfssl, dtls13_cid_on_every_record)
{
	return cr_make_param_array(struct cid_case, cid_cases,
	                           sizeof(cid_cases) / sizeof(cid_cases[0]));
}

/* Every ciphertext record carries the C bit and the CID, both ways, and
 * the overhead grows by exactly its length. */
ParameterizedTest(const struct cid_case *c, wolfssl, dtls13_cid_on_every_record)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", c->suite, &creds);
	cfg.protocol = SB_PROTO_DTLS13;
	cfg.cid_len = c->cid_len;
	check_connect(&pair, &cfg);
	check_verified(&pair, &cfg);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		size_t wire = check_round_trip(&pair, (enum sb_role)r, 100);
		cr_expect_eq(wire - 100, c->overhead, "overhead %zu, want %zu",
		             wire - 100, c->overhead);
		const struct sb_record *last = &pair.link.wire.dir[r].last;
		cr_expect(last->unified && (last->flags & SB_DTLS13_C));
		cr_expect_eq(last->cid_len, c->cid_len);
	}
	cr_expect_str_empty(sb_wire_check_guard(&pair.link.wire));
	sb_pair_free(&pair);
}

/* wolfSSL 5.7.2 builds its CID for DTLS 1.3 only: not RFC 9146's. */
Test(wolfssl, cid_in_dtls12_unsupported_with_reason)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "wolfssl", "wolfssl", "psk-ccm8", &creds);
	cfg.cid_len = 1;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_UNSUPPORTED, "%s",
	             pair.error);
	cr_assert_not_null(strstr(pair.error, "RFC 9146"), "%s", pair.error);
	sb_pair_free(&pair);
	/* and at most 15 bytes: 5.7.2 built with DTLS_CID_MAX_SIZE=16 fails
	 * its first record write with a 16-byte CID */
	check_config(&cfg, "wolfssl", "wolfssl", "tls13-psk-ccm8", &creds);
	cfg.protocol = SB_PROTO_DTLS13;
	cfg.cid_len = 16;
	cr_assert_eq(sb_pair_setup(&pair, &cfg), SB_ERR_UNSUPPORTED, "%s",
	             pair.error);
	cr_assert_not_null(strstr(pair.error, "at most 15 bytes"), "%s",
	                   pair.error);
	sb_pair_free(&pair);
}
