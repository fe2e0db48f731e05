/*
 * test_schedule.c - interleaved rounds: rows come out scenario by
 * scenario in the order given, each scenario gets exactly the rounds it
 * asked for, a round taken back leaves no sample behind, and a pass that
 * keeps no time (the heap pass) never takes a round back.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "run/schedule.h"
#include "wire/link.h"

/* The speed probe (linked with --wrap): while `probe_slowed` is set, a
 * probe that reads slower by half every other time, so that every stretch
 * looks slowed; while `probe_slow_at` is set, one that reads slower by
 * half at that call only (counting from 1); else a steady one, so that
 * the host's own spells do not make rounds repeat. */
uint64_t __wrap_sb_cycles_probe_quick(void);
static bool probe_slowed;
static unsigned probe_slow_at;
static unsigned probe_calls;

uint64_t __wrap_sb_cycles_probe_quick(void)
{
	probe_calls++;
	if (probe_slowed)
		return probe_calls % 2 ? 1500000 : 1000000;
	return probe_calls == probe_slow_at ? 1500000 : 1000000;
}

/* Passes over the scenarios, as the progress callback reports them. */
static unsigned passes[2];

static void count_pass(void *ctx, enum sb_phase phase, unsigned round,
                       size_t active, double slowdown, bool repeated)
{
	(void)ctx, (void)active, (void)slowdown, (void)repeated;
	passes[phase] = round;
}

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
	    .max_reps = 1000,
	    .precision = 0.01,
	    .budget_s = 0, /* exactly `reps` rounds */
	    .seed = 7,
	    .payloads = {16},
	    .payload_count = 1,
	};
	memset(&results, 0, sizeof(results));
	probe_slowed = false;
	probe_slow_at = 0;
	probe_calls = 0;
	passes[0] = passes[1] = 0;
}

static void teardown(void)
{
	sb_results_free(&results);
}

static struct sb_scenario scenario(const char *backend, const char *suite)
{
	const struct sb_backend *b = sb_backend_find(backend);
	cr_assert_not_null(b, "%s", backend);
	return (struct sb_scenario){.client = b,
	                            .server = b,
	                            .protocol = SB_PROTO_DTLS12,
	                            .suite = sb_suite_find(suite)};
}

static const struct sb_row *find(const char *client, const char *metric,
                                 const char *side, long payload)
{
	for (size_t i = 0; i < results.count; i++) {
		const struct sb_row *r = &results.rows[i];
		if (strcmp(r->client, client) == 0 &&
		    strcmp(r->metric, metric) == 0 &&
		    strcmp(r->side, side) == 0 && r->payload == payload)
			return r;
	}
	return NULL;
}

/* ---- safety ------------------------------------------------------------ */

Test(schedule, no_scenario, .init = setup, .fini = teardown)
{
	struct sb_schedule_report report;
	cr_assert_eq(
	    sb_schedule_run(NULL, 0, &options, NULL, &results, &report), 0);
	cr_expect_eq(results.count, 0);
	cr_expect_eq(report.rounds, 0);
}

Test(schedule, end_accepts_null)
{
	struct sb_results r = {0};
	cr_expect_eq(sb_scenario_end(NULL, &r), 0);
}

/* ---- behaviour --------------------------------------------------------- */

Test(schedule, rows_in_scenario_order_and_rounds_exact, .init = setup,
     .fini = teardown)
{
	struct sb_scenario sc[3] = {
	    scenario("openssl", "ecdhe-psk-ccm8"), /* unsupported */
	    scenario("openssl", "psk-ccm8"),
	    scenario("mbedtls", "psk-ccm8"),
	};
	struct sb_schedule_report report;
	cr_assert_eq(sb_schedule_run(sc, 3, &options, NULL, &results, &report),
	             0);
	cr_assert_gt(results.count, 2);
	cr_expect_eq(results.rows[0].status, SB_ROW_UNSUPPORTED);
	/* every openssl row before the first mbedtls row */
	size_t last_openssl = 0, first_mbedtls = results.count;
	for (size_t i = 1; i < results.count; i++) {
		cr_expect_eq(results.rows[i].status, SB_ROW_OK, "%s: %s",
		             results.rows[i].metric, results.rows[i].reason);
		if (strcmp(results.rows[i].client, "openssl") == 0)
			last_openssl = i;
		else if (first_mbedtls == results.count)
			first_mbedtls = i;
	}
	cr_expect_lt(last_openssl, first_mbedtls);
	/* budget 0: exactly `reps` rounds of each phase, whatever was
	 * repeated: the handshakes, then the record loops */
	cr_expect_eq(report.phase_rounds[SB_PHASE_HANDSHAKES], 3);
	cr_expect_eq(report.phase_rounds[SB_PHASE_RECORDS], 3);
	cr_expect_eq(report.rounds, 6);
	for (int b = 0; b < 2; b++) {
		const char *lib = b ? "mbedtls" : "openssl";
		const struct sb_row *hs =
		    find(lib, "handshake_cycles", "client", SB_NO_PAYLOAD);
		const struct sb_row *enc =
		    find(lib, "encrypt_cycles", "client", 16);
		cr_assert_not_null(hs, "%s", lib);
		cr_assert_not_null(enc, "%s", lib);
		cr_expect_eq(hs->stats.n, 3, "%s", lib);
		cr_expect_eq(enc->stats.n, 3, "%s", lib);
	}
}

/* A round taken back (the machine was slowed) leaves no sample: after one
 * round and its rollback, the scenario still gives exactly `reps`. */
Test(schedule, rollback_takes_the_round_back, .init = setup, .fini = teardown)
{
	struct sb_scenario sc = scenario("openssl", "psk-ccm8");
	struct sb_scenario_state *st;
	cr_assert_eq(sb_scenario_begin(&sc, &options, &results, &st), 0);
	cr_assert_not_null(st);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(sb_scenario_mark(st), 0);
		cr_assert(sb_scenario_round(st, SB_PHASE_HANDSHAKES));
		sb_scenario_rollback(st);
	}
	while (sb_scenario_round(st, SB_PHASE_HANDSHAKES))
		;
	cr_assert(!sb_scenario_round_wanted(st, SB_PHASE_HANDSHAKES));
	cr_assert(sb_scenario_round_wanted(st, SB_PHASE_RECORDS),
	          "the record loops come after the handshakes");
	while (sb_scenario_round(st, SB_PHASE_RECORDS))
		;
	cr_assert_eq(sb_scenario_end(st, &results), 0);
	const struct sb_row *hs =
	    find("openssl", "handshake_cycles", "client", SB_NO_PAYLOAD);
	const struct sb_row *dec =
	    find("openssl", "decrypt_cycles", "server", 16);
	cr_assert_not_null(hs);
	cr_assert_not_null(dec);
	cr_expect_eq(hs->stats.n, 3);
	cr_expect_eq(dec->stats.n, 3);
}

/* On a machine that looks slowed in every round, a timing run takes rounds
 * back; the heap pass (untimed) must not: a repeated round changes what
 * the heap held and where glibc put it, so its figures would depend on
 * the machine's load. */
Test(schedule, an_untimed_pass_repeats_no_round, .init = setup,
     .fini = teardown)
{
	struct sb_scenario sc = scenario("openssl", "psk-ccm8");
	struct sb_schedule_report report;
	probe_slowed = true;
	int rc = sb_schedule_run(&sc, 1, &options, NULL, &results, &report);
	cr_assert_eq(rc, 0);
	cr_expect_gt(report.repeated, 0, "a timing run repeats slowed rounds");
	sb_results_free(&results);
	memset(&results, 0, sizeof(results));
	options.untimed = true;
	rc = sb_schedule_run(&sc, 1, &options, NULL, &results, &report);
	probe_slowed = false;
	cr_assert_eq(rc, 0);
	cr_expect_eq(report.repeated, 0);
	cr_expect_eq(report.slowed_kept, 0);
	cr_expect_eq(report.rounds, 6);
}

/* A stretch found slowed is taken back and its scenarios measure that
 * round again in one more pass; the others keep theirs, nothing is
 * counted twice, and every scenario still gives exactly `reps`.  A slow
 * probe reading lies between two stretches, and both are taken back. */
Test(schedule, a_slowed_stretch_is_measured_again, .init = setup,
     .fini = teardown)
{
	struct sb_scenario sc[3] = {
	    scenario("openssl", "psk-ccm8"),
	    scenario("mbedtls", "psk-ccm8"),
	    scenario("openssl", "psk-gcm"),
	};
	struct sb_schedule_report report;
	struct sb_schedule_progress progress = {.round = count_pass};
	/* call 1: the best before any round; 2: before the first round's
	 * first stretch; 3: between its first and second.  Stretches of
	 * one scenario's round each: the first two scenarios of that round
	 * measure it again, the third keeps it. */
	probe_slow_at = 3;
	options.stretch_ns = 1;
	cr_assert_eq(
	    sb_schedule_run(sc, 3, &options, &progress, &results, &report), 0);
	cr_expect_eq(report.repeated, 2);
	cr_expect_eq(report.stretches, 3 * (3 + 3),
	             "each scenario's round a stretch, kept once");
	cr_expect_eq(report.slowed_kept, 0);
	cr_expect_gt(report.worst_slowdown, 0.4);
	cr_expect_eq(report.phase_rounds[SB_PHASE_HANDSHAKES], 3);
	cr_expect_eq(report.phase_rounds[SB_PHASE_RECORDS], 3);
	cr_expect_eq(passes[SB_PHASE_HANDSHAKES], 4,
	             "the stretches taken back run in a pass of their own");
	cr_expect_eq(passes[SB_PHASE_RECORDS], 3);
	for (size_t i = 0; i < results.count; i++) {
		const struct sb_row *r = &results.rows[i];
		if (strcmp(r->metric, "handshake_cycles") == 0 ||
		    strcmp(r->metric, "encrypt_cycles") == 0)
			cr_expect_eq(r->stats.n, 3, "%s %s %s: n %zu",
			             r->client, r->suite, r->metric,
			             (size_t)r->stats.n);
	}
}
