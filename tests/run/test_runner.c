/*
 * test_runner.c - a scenario verifies before it measures: ok scenarios
 * give rows with numbers, unsupported ones one row with the reason, and
 * failed ones one row with the reason and never a number.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "run/runner.h"
#include "wire/link.h"

static struct sb_credential_set creds;
static struct sb_run_options options;
static struct sb_results results;

static void setup(void)
{
	char msg[512];
	cr_assert_eq(sb_credentials_load(&creds, sb_credentials_default_dir(),
	                                 msg, sizeof(msg)),
	             0, "%s", msg);
	options = (struct sb_run_options){
	    .creds = &creds,
	    .mtu = SB_LINK_DEFAULT_MTU,
	    .cookie = true,
	    .warmup = 1,
	    .reps = 3,
	    /* No time to chase precision: exactly `reps` samples. */
	    .max_reps = 1000,
	    .precision = 0.01,
	    .budget_s = 0,
	    .payloads = {16, SB_PAYLOAD_MAX},
	    .payload_count = 2,
	};
	memset(&results, 0, sizeof(results));
}

static void teardown(void)
{
	sb_results_free(&results);
}

static struct sb_scenario scenario(const char *suite)
{
	const struct sb_backend *b = sb_backend_find("openssl");
	cr_assert_not_null(b);
	return (struct sb_scenario){.client = b,
	                            .server = b,
	                            .protocol = SB_PROTO_DTLS12,
	                            .suite = sb_suite_find(suite)};
}

static const struct sb_row *find(const char *side, const char *metric,
                                 long payload)
{
	for (size_t i = 0; i < results.count; i++) {
		const struct sb_row *r = &results.rows[i];
		if (r->payload == payload && strcmp(r->side, side) == 0 &&
		    strcmp(r->metric, metric) == 0)
			return r;
	}
	return NULL;
}

/* ---- safety ----------------------------------------------------------- */

Test(runner, unsupported_suite_is_one_row_with_reason, .init = setup,
     .fini = teardown)
{
	struct sb_scenario sc = scenario("ecdhe-psk-ccm8");
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	cr_assert_eq(results.count, 1);
	cr_assert_eq(results.rows[0].status, SB_ROW_UNSUPPORTED);
	cr_assert_not_null(strstr(results.rows[0].reason,
	                          "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"),
	                   "%s", results.rows[0].reason);
}

/*
 * A setting the library refuses when its endpoint is set up -- raw public
 * keys, a Connection ID -- and a Connection ID in TLS are one
 * `unsupported` row with the reason, never `failed`.
 */
struct setting_case {
	enum sb_protocol protocol;
	char suite[32];
	enum sb_auth auth;
	size_t cid_len;
	char reason[64]; /* a part of the row's reason */
};

static const struct setting_case setting_cases[] = {
    {.protocol = SB_PROTO_DTLS12,
     .suite = "ecdhe-ecdsa-ccm8",
     .auth = SB_AUTH_RPK,
     .reason = "no raw public keys (RFC 7250"},
    {.protocol = SB_PROTO_DTLS12,
     .suite = "psk-ccm8",
     .cid_len = 1,
     .reason = "no DTLS Connection ID"},
    {.protocol = SB_PROTO_TLS12,
     .suite = "psk-ccm8",
     .cid_len = 4,
     .reason = "TLS has none"},
};

ParameterizedTestParameters(runner, unsupported_setting_is_one_row)
{
	return cr_make_param_array(struct setting_case, setting_cases,
	                           sizeof(setting_cases) /
	                               sizeof(setting_cases[0]));
}

ParameterizedTest(const struct setting_case *c, runner,
                  unsupported_setting_is_one_row, .init = setup,
                  .fini = teardown)
{
	struct sb_scenario sc = scenario(c->suite);
	sc.protocol = c->protocol;
	options.auth = c->auth;
	options.cid_len = c->cid_len;
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	cr_assert_eq(results.count, 1);
	cr_assert_eq(results.rows[0].status, SB_ROW_UNSUPPORTED, "%s",
	             results.rows[0].reason);
	cr_assert_not_null(strstr(results.rows[0].reason, c->reason), "%s",
	                   results.rows[0].reason);
}

/* ---- behaviour -------------------------------------------------------- */

Test(runner, ok_scenario_has_every_metric, .init = setup, .fini = teardown)
{
	struct sb_scenario sc = scenario("psk-ccm8");
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	for (size_t i = 0; i < results.count; i++)
		cr_assert_eq(results.rows[i].status, SB_ROW_OK, "%s: %s",
		             results.rows[i].metric, results.rows[i].reason);
	static const char *const per_side[] = {
	    "setup_cycles",        "handshake_cycles",  "handshake_bytes",
	    "handshake_datagrams", "handshake_records", "heap_peak",
	    "heap_allocs"};
	for (size_t i = 0; i < sizeof(per_side) / sizeof(per_side[0]); i++) {
		cr_expect_not_null(find("client", per_side[i], SB_NO_PAYLOAD),
		                   "%s", per_side[i]);
		cr_expect_not_null(find("server", per_side[i], SB_NO_PAYLOAD),
		                   "%s", per_side[i]);
	}
	cr_expect_not_null(find("both", "handshake_ns", SB_NO_PAYLOAD));
	cr_expect_not_null(find("server", "reject_cycles", 16));
	cr_expect_not_null(find("both", "harness_cycles", 16));
	const struct sb_row *hs =
	    find("client", "handshake_cycles", SB_NO_PAYLOAD);
	cr_assert_eq(hs->stats.n, 3, "reps measured handshakes");
	cr_expect_gt(hs->stats.median, 0);
	/* cookies on: six flights (RFC 6347 4.2.1 plus 4.2.4's full handshake)
	 */
	cr_expect_eq(
	    find("both", "handshake_flights", SB_NO_PAYLOAD)->stats.median, 6);
	cr_expect_not_null(find("client", "flight1_bytes", SB_NO_PAYLOAD));
	cr_expect_not_null(find("server", "flight6_bytes", SB_NO_PAYLOAD));
	/* CCM_8 in DTLS 1.2: 13 + 8 + 8 */
	cr_expect_eq(find("client", "record_overhead", 16)->stats.median, 29);
	cr_expect_eq(find("server", "record_bytes", 16)->stats.median, 45);
	cr_expect_not_null(find("client", "encrypt_cycles", 16));
	cr_expect_not_null(find("server", "decrypt_cycles", 16));
	/* the largest payload fills the 1232-byte MTU exactly */
	cr_expect_eq(find("client", "max_payload", SB_NO_PAYLOAD)->stats.median,
	             1232 - 29);
	cr_expect_eq(find("client", "record_bytes", 1232 - 29)->stats.median,
	             1232);
}

Test(runner, payload_too_large_is_unsupported_row, .init = setup,
     .fini = teardown)
{
	options.payloads[0] = 1204; /* one byte more than CCM_8 fits in 1232 */
	options.payload_count = 1;
	struct sb_scenario sc = scenario("psk-ccm8");
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	const struct sb_row *r = find("both", "scenario", 1204);
	cr_assert_not_null(r);
	cr_assert_eq(r->status, SB_ROW_UNSUPPORTED);
	cr_assert_not_null(strstr(r->reason, "at most 1203"), "%s", r->reason);
}

Test(runner, tls_scenario_measures_stream_records, .init = setup,
     .fini = teardown)
{
	struct sb_scenario sc = scenario("psk-gcm");
	sc.protocol = SB_PROTO_TLS12;
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	cr_assert_eq(results.rows[0].status, SB_ROW_OK, "%s",
	             results.rows[0].reason);
	cr_assert_str_eq(results.rows[0].protocol, "tls1.2");
	/* GCM in TLS 1.2: 5 + 8 + 16 (RFC 5246 6.2.1, RFC 5288 3) */
	cr_expect_eq(find("client", "record_overhead", 16)->stats.median, 29);
	/* no cookie round in TLS: four flights */
	cr_expect_eq(
	    find("both", "handshake_flights", SB_NO_PAYLOAD)->stats.median, 4);
	cr_expect_eq(find("client", "max_payload", SB_NO_PAYLOAD)->stats.median,
	             1232 - 29);
}

static const struct sb_row *transcript_of(const struct sb_results *r)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->rows[i].metric, "transcript_sha256") == 0)
			return &r->rows[i];
	return NULL;
}

/* --deterministic: every backend, twice, gives the same transcript, and
 * every handshake within a run the same one. */
Test(runner, deterministic_transcripts_repeat_for_every_backend, .init = setup,
     .fini = teardown)
{
	options.deterministic = true;
	options.seed = 7;
	for (size_t b = 0; sb_backends[b]; b++)
		for (int proto = SB_PROTO_DTLS12; proto <= SB_PROTO_TLS12;
		     proto++) {
			struct sb_scenario sc = {
			    .client = sb_backends[b],
			    .server = sb_backends[b],
			    .protocol = (enum sb_protocol)proto,
			    .suite = sb_suite_find("ecdhe-ecdsa-ccm8")};
			struct sb_reason why;
			if (!sc.client->supports(sc.protocol, sc.suite,
			                         SB_ROLE_CLIENT, &why))
				continue;
			char first[65] = "";
			for (int run = 0; run < 2; run++) {
				struct sb_results r = {0};
				cr_assert_eq(sb_scenario_run(&sc, &options, &r),
				             0);
				const struct sb_row *row = transcript_of(&r);
				cr_assert_not_null(
				    row, "%s %s: no transcript row: %s",
				    sc.client->name,
				    sb_protocol_name(sc.protocol),
				    r.rows[0].reason);
				cr_expect_str_empty(
				    row->warnings, "%s %s: %s", sc.client->name,
				    sb_protocol_name(sc.protocol),
				    row->warnings);
				cr_expect_eq(strlen(row->digest), 64);
				if (run == 0)
					strcpy(first, row->digest);
				else
					cr_expect_str_eq(
					    row->digest, first,
					    "%s %s: transcripts differ",
					    sc.client->name,
					    sb_protocol_name(sc.protocol));
				sb_results_free(&r);
			}
		}
}

/* ---- adversarial: a failed verification keeps no numbers -------------- */

Test(runner, failed_scenario_is_one_row_without_numbers, .init = setup,
     .fini = teardown)
{
	/* The server presents the client's certificate: wrong name. */
	strcpy(creds.server_cert, creds.client_cert);
	strcpy(creds.server_key, creds.client_key);
	struct sb_scenario sc = scenario("ecdhe-ecdsa-ccm8");
	cr_assert_eq(sb_scenario_run(&sc, &options, &results), 0);
	cr_assert_eq(results.count, 1);
	cr_assert_eq(results.rows[0].status, SB_ROW_FAILED);
	cr_assert_eq(results.rows[0].stats.n, 0);
	cr_assert_gt(strlen(results.rows[0].reason), 10);
	cr_log_info("reason: %s", results.rows[0].reason);
}
