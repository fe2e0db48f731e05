/*
 * test_mbedtls_iot.c - the Mbed TLS IoT build (configs/mbedtls-iot.h)
 * against itself and against Debian's Mbed TLS in both roles, for the
 * four suites of its profile; suites outside the profile answered with a
 * reason naming the build; wrong CA, server name and PSK each fail the
 * handshake (its peer check is the verify callback, not a kept peer
 * certificate); the 1024-byte record buffer limits one write; Connection
 * ID (RFC 9146) adds its bytes and the inner content type to a record.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "backend_check.h"

/* RFC 6347 4.1 header (13) + RFC 6655 explicit nonce (8) + tag (16, or
 * 8 for CCM_8). */
static struct check_suite iot_suites[] = {
    {.suite = "psk-ccm", .dtls_overhead = 37},
    {.suite = "psk-ccm8", .dtls_overhead = 29},
    {.suite = "ecdhe-ecdsa-ccm", .dtls_overhead = 37},
    {.suite = "ecdhe-ecdsa-ccm8", .dtls_overhead = 29},
};
#define SUITE_COUNT (sizeof(iot_suites) / sizeof(iot_suites[0]))

/* ---- safety ----------------------------------------------------------- */

Test(mbedtls_iot, free_is_safe_on_zeroed_state_and_twice)
{
	free(check_free_twice("mbedtls-iot"));
}

Test(mbedtls_iot, suites_outside_the_profile_unsupported_with_reason)
{
	static const char *const missing[] = {"psk-gcm", "ecdhe-ecdsa-gcm",
	                                      "psk-chacha20"};
	const struct sb_backend *b = sb_backend_find("mbedtls-iot");
	cr_assert_not_null(b);
	for (size_t i = 0; i < 3; i++) {
		struct sb_reason why = {{0}};
		const struct sb_suite *s = sb_suite_find(missing[i]);
		cr_assert_not(
		    b->supports(SB_PROTO_DTLS12, s, SB_ROLE_CLIENT, &why));
		cr_assert_not_null(strstr(why.text, s->iana_name), "%s",
		                   why.text);
		cr_assert_not_null(strstr(why.text, "IoT build"), "%s",
		                   why.text);
	}
}

Test(mbedtls_iot, version_names_the_build_and_its_buffers)
{
	const struct sb_backend *b = sb_backend_find("mbedtls-iot");
	cr_assert_not_null(b);
	cr_assert_not_null(strstr(b->version(), "IoT build"), "%s",
	                   b->version());
	cr_assert_not_null(strstr(b->version(), "in 1024, out 1024"), "%s",
	                   b->version());
	cr_assert_not_null(strstr(b->version(), "mbedtls-iot.h sha256"), "%s",
	                   b->version());
}

/* ---- behaviour: against itself and Debian's build --------------------- */

ParameterizedTestParameters(mbedtls_iot, suite_works)
{
	return cr_make_param_array(struct check_suite, iot_suites, SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls_iot, suite_works)
{
	check_suite_works("mbedtls-iot", "mbedtls-iot", s, false, true);
}

ParameterizedTestParameters(mbedtls_iot, interop_with_debian_build)
{
	return cr_make_param_array(struct check_suite, iot_suites, SUITE_COUNT);
}

ParameterizedTest(struct check_suite *s, mbedtls_iot, interop_with_debian_build)
{
	check_suite_works("mbedtls-iot", "mbedtls", s, false, true);
	check_suite_works("mbedtls", "mbedtls-iot", s, false, true);
}

Test(mbedtls_iot, mutual_authentication)
{
	static const struct check_suite s = {"ecdhe-ecdsa-ccm8", 29};
	check_suite_works("mbedtls-iot", "mbedtls-iot", &s, true, true);
	check_suite_works("mbedtls", "mbedtls-iot", &s, true, true);
}

Test(mbedtls_iot, tls_suite_works)
{
	check_protocol_suite_works("mbedtls-iot", "mbedtls", SB_PROTO_TLS12,
	                           "ecdhe-ecdsa-ccm8", 21, false, false);
}

Test(mbedtls_iot, one_write_carries_at_most_the_record_buffer)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "mbedtls-iot", "mbedtls", "psk-ccm8", &creds);
	check_connect(&pair, &cfg);
	struct sb_endpoint *ep = &pair.ep[SB_ROLE_CLIENT];
	cr_assert_not_null(ep->backend->max_payload);
	cr_assert_eq(ep->backend->max_payload(ep->state), 1024, "%zu",
	             ep->backend->max_payload(ep->state));
	cr_assert_eq(check_round_trip(&pair, SB_ROLE_CLIENT, 1024), 1024 + 29);
	sb_pair_free(&pair);
}

/* RFC 9146: the CID after the sequence number, one inner content type
 * byte, no padding (granularity 1). */
Test(mbedtls_iot, connection_id_adds_its_bytes_and_the_content_type)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	struct sb_pair pair;
	check_credentials(&creds);
	check_config(&cfg, "mbedtls-iot", "mbedtls-iot", "psk-ccm8", &creds);
	cfg.cid_len = 4;
	check_connect(&pair, &cfg);
	check_verified(&pair, &cfg);
	for (int s = SB_ROLE_CLIENT; s <= SB_ROLE_SERVER; s++)
		cr_assert_eq(check_round_trip(&pair, (enum sb_role)s, 100),
		             100 + 29 + 4 + 1);
	check_forgery_rejected(&pair);
	sb_pair_free(&pair);
}

/* ---- adversarial ------------------------------------------------------ */

Test(mbedtls_iot, debian_build_refuses_a_connection_id_with_reason)
{
	struct sb_credential_set creds;
	struct sb_pair_config cfg;
	check_credentials(&creds);
	check_config(&cfg, "mbedtls", "mbedtls-iot", "psk-ccm8", &creds);
	cfg.cid_len = 4;
	struct sb_pair pair;
	int rc = sb_pair_setup(&pair, &cfg);
	cr_assert_eq(rc, SB_ERR_UNSUPPORTED, "%d: %s", rc, pair.error);
	cr_assert_not_null(strstr(pair.error, "MBEDTLS_SSL_DTLS_CONNECTION_ID"),
	                   "%s", pair.error);
	sb_pair_free(&pair);
}

Test(mbedtls_iot, wrong_ca_fails)
{
	check_wrong_ca_fails("mbedtls-iot", SB_PROTO_DTLS12,
	                     "ecdhe-ecdsa-ccm8");
}

Test(mbedtls_iot, wrong_server_name_fails)
{
	check_wrong_server_name_fails("mbedtls-iot", SB_PROTO_DTLS12,
	                              "ecdhe-ecdsa-ccm8");
}

Test(mbedtls_iot, wrong_psk_fails)
{
	check_wrong_psk_fails("mbedtls-iot", "psk-ccm8");
}
