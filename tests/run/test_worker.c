/*
 * test_worker.c - a scenario in a process of its own: its samples and
 * rows come back whole, and a library that crashes costs one failed row
 * with the signal, not the run.  That a scenario's heap is its own --
 * it counts the same instructions alone and after another scenario -- is
 * checked end to end by tests/cli/counter_test.sh.
 */
#define _GNU_SOURCE /* SCHED_BATCH */
#include <criterion/criterion.h>
#include <sched.h>
#include <signal.h>
#include <string.h>

#include "run/schedule.h"
#include "run/worker.h"
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
	    .max_reps = 1000,
	    .precision = 0.01,
	    .budget_s = 0,
	    .seed = 7,
	    .payloads = {16},
	    .payload_count = 1,
	    .untimed = true, /* no round taken back: exact rounds */
	};
	memset(&results, 0, sizeof(results));
}

static void teardown(void)
{
	sb_results_free(&results);
}

/* OpenSSL, whose handshake step kills its process at call `crash_at`
 * (counted in the scenario's process; 0: never). */
static struct sb_backend crashing;
static int (*openssl_step)(void *ep);
static unsigned crash_at, steps;

static int crashing_step(void *ep)
{
	if (crash_at && ++steps == crash_at)
		raise(SIGKILL);
	return openssl_step(ep);
}

static struct sb_scenario scenario(const struct sb_backend *b,
                                   const char *suite)
{
	return (struct sb_scenario){.client = b,
	                            .server = b,
	                            .protocol = SB_PROTO_DTLS12,
	                            .suite = sb_suite_find(suite)};
}

static void make_crashing(unsigned at)
{
	crashing = *sb_backend_find("openssl");
	openssl_step = crashing.step;
	crashing.step = crashing_step;
	crash_at = at;
	steps = 0;
}

static size_t count_rows(const char *client, enum sb_row_status status)
{
	size_t n = 0;
	for (size_t i = 0; i < results.count; i++)
		n += strcmp(results.rows[i].client, client) == 0 &&
		     results.rows[i].status == status;
	return n;
}

static const struct sb_row *failed_row(void)
{
	for (size_t i = 0; i < results.count; i++)
		if (results.rows[i].status == SB_ROW_FAILED)
			return &results.rows[i];
	return NULL;
}

/* Rows come back whole from the scenario's process: every figure with
 * its samples. */
Test(worker, rows_come_back_whole, .init = setup, .fini = teardown)
{
	struct sb_scenario sc =
	    scenario(sb_backend_find("mbedtls"), "psk-ccm8");
	struct sb_worker *w;
	char why[200];
	cr_assert_eq(
	    sb_worker_begin(&sc, &options, &results, &w, why, sizeof(why)), 0);
	cr_assert_not_null(w);
	cr_expect_eq(results.count, 0, "no row before the end");
	/* Neither process may take the CPU from the other when woken: the
	 * run's process is SCHED_BATCH, and its scenario processes with it. */
	cr_expect_eq(sched_getscheduler(0), SCHED_BATCH);
	for (int ph = SB_PHASE_HANDSHAKES; ph <= SB_PHASE_RECORDS; ph++)
		while (sb_worker_round_wanted(w, ph)) {
			cr_assert_eq(sb_worker_round(w, ph), 0);
			/* a round taken back is measured again */
			if (sb_worker_rounds_kept(w, ph) == 2) {
				sb_worker_rollback(w);
				cr_assert_eq(sb_worker_rounds_kept(w, ph), 1);
				cr_assert(sb_worker_round_wanted(w, ph));
				cr_assert_eq(sb_worker_round(w, ph), 0);
			}
		}
	cr_expect_eq(sb_worker_rounds_kept(w, SB_PHASE_HANDSHAKES), 3);
	cr_expect_eq(sb_worker_rounds_kept(w, SB_PHASE_RECORDS), 3);
	cr_assert_eq(sb_worker_end(w, &results), 0);
	cr_assert_gt(results.count, 10);
	bool handshake = false;
	for (size_t i = 0; i < results.count; i++) {
		const struct sb_row *r = &results.rows[i];
		cr_expect_eq(r->status, SB_ROW_OK, "%s: %s", r->metric,
		             r->reason);
		if (strcmp(r->metric, "handshake_cycles") == 0) {
			handshake = true;
			cr_expect_eq(r->stats.n, 3);
			cr_expect_gt(r->stats.median, 0);
		}
	}
	cr_expect(handshake);
}

/* A library that kills its process in a measured handshake: that scenario
 * is one failed row naming the signal, and the next scenario's rows are
 * all there. */
Test(worker, a_crash_in_the_rounds_is_a_failed_row, .init = setup,
     .fini = teardown)
{
	/* The verification and the warm-up take the first steps: crash
	 * well into the measured handshakes. */
	make_crashing(40);
	struct sb_scenario sc[2] = {
	    scenario(&crashing, "psk-ccm8"),
	    scenario(sb_backend_find("mbedtls"), "psk-ccm8")};
	options.reps = 20;
	struct sb_schedule_report report;
	cr_assert_eq(sb_schedule_run(sc, 2, &options, NULL, &results, &report),
	             0);
	const struct sb_row *f = failed_row();
	cr_assert_not_null(f);
	cr_expect_str_eq(f->client, "openssl");
	cr_expect(strstr(f->reason, "killed by signal 9"), "%s", f->reason);
	cr_expect_eq(count_rows("openssl", SB_ROW_OK), 0,
	             "a failed scenario keeps no numbers");
	cr_expect_gt(count_rows("mbedtls", SB_ROW_OK), 10);
	cr_expect_eq(count_rows("mbedtls", SB_ROW_FAILED), 0);
}

/* Begin a scenario that is over before its rounds: its one row, and no
 * worker left. */
static const struct sb_row *over_at_begin(const struct sb_scenario *sc)
{
	struct sb_worker *w = (struct sb_worker *)&w;
	char why[200];
	cr_assert_eq(
	    sb_worker_begin(sc, &options, &results, &w, why, sizeof(why)), 0);
	cr_expect_null(w);
	cr_assert_eq(results.count, 1);
	return &results.rows[0];
}

/* The same in the verification, before any round. */
Test(worker, a_crash_in_the_verification_is_a_failed_row, .init = setup,
     .fini = teardown)
{
	make_crashing(1);
	struct sb_scenario sc = scenario(&crashing, "psk-ccm8");
	cr_expect_eq(over_at_begin(&sc)->status, SB_ROW_FAILED);
	cr_expect(strstr(results.rows[0].reason, "killed by signal 9"), "%s",
	          results.rows[0].reason);
}

/* An unsupported scenario comes back as its row, with no process left. */
Test(worker, unsupported_is_a_row, .init = setup, .fini = teardown)
{
	struct sb_scenario sc =
	    scenario(sb_backend_find("openssl"), "ecdhe-psk-ccm8");
	cr_expect_eq(over_at_begin(&sc)->status, SB_ROW_UNSUPPORTED);
	cr_expect_eq(sb_worker_end(NULL, &results), 0);
}
