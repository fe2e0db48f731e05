/*
 * test_keep_median.c - --processes keeps, per timing row, the figures of
 * the process with the median median; exact rows, failed rows and rows
 * the other processes lack stay as they were.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "run/passes.h"

static struct sb_row row(const char *metric, const char *unit, double median)
{
	struct sb_row r = {.payload = 16, .status = SB_ROW_OK};
	strcpy(r.client, "openssl");
	strcpy(r.server, "openssl");
	strcpy(r.protocol, "dtls1.2");
	strcpy(r.kx, "psk");
	strcpy(r.suite, "psk-ccm8");
	strcpy(r.side, "client");
	strcpy(r.metric, metric);
	strcpy(r.unit, unit);
	r.stats.median = median;
	r.stats.p25 = median - 1;
	r.stats.n = 20;
	return r;
}

static void add(struct sb_results *r, struct sb_row x)
{
	cr_assert_eq(sb_results_add(r, &x), 0);
}

static struct sb_row tagged(const char *metric, double median, const char *tag)
{
	struct sb_row r = row(metric, "cycles", median);
	strcpy(r.warnings, tag);
	return r;
}

Test(keep_median, the_median_process_is_kept_per_timing_row)
{
	struct sb_results a = {0}, more[2] = {{0}, {0}};
	add(&a, tagged("encrypt_cycles", 950, "a"));   /* slowed: c is median */
	add(&a, tagged("decrypt_cycles", 600, "a"));   /* a is the median */
	add(&a, row("handshake_bytes", "bytes", 317)); /* exact */
	add(&a, row("handshake_ns", "ns", 40000));     /* the others lack it */
	struct sb_row failed = row("setup_cycles", "cycles", 0);
	failed.status = SB_ROW_FAILED;
	add(&a, failed);
	/* b lists its rows in another order, and one of a's is missing; its
	 * encrypt is the rare fast process, not the one kept */
	add(&more[0], row("handshake_bytes", "bytes", 300));
	add(&more[0], tagged("encrypt_cycles", 500, "b"));
	add(&more[0], tagged("decrypt_cycles", 660, "b"));
	add(&more[0], row("setup_cycles", "cycles", 10));
	add(&more[1], tagged("decrypt_cycles", 580, "c"));
	add(&more[1], tagged("encrypt_cycles", 520, "c"));
	double spread[5];
	sb_pass_keep_median(&a, more, 2, spread);
	cr_expect_float_eq(a.rows[0].stats.median, 520, 1e-9);
	cr_expect_float_eq(a.rows[0].stats.p25, 519, 1e-9);
	cr_expect_str_eq(a.rows[0].warnings, "c");
	cr_expect_float_eq(spread[0], 450.0 / 500, 1e-12);
	cr_expect_float_eq(a.rows[1].stats.median, 600, 1e-9);
	cr_expect_str_eq(a.rows[1].warnings, "a");
	cr_expect_float_eq(spread[1], 80.0 / 580, 1e-12);
	cr_expect_float_eq(a.rows[2].stats.median, 317, 1e-9);
	cr_expect_float_eq(spread[2], -1, 1e-12);
	cr_expect_float_eq(a.rows[3].stats.median, 40000, 1e-9);
	cr_expect_float_eq(spread[3], -1, 1e-12);
	cr_expect_eq(a.rows[4].status, SB_ROW_FAILED);
	cr_expect_float_eq(spread[4], -1, 1e-12);
	sb_results_free(&a);
	sb_results_free(&more[0]);
	sb_results_free(&more[1]);
}

Test(keep_median, of_two_processes_the_faster_is_kept)
{
	/* An even count keeps the lower middle: a real process's figures. */
	struct sb_results a = {0}, b = {0};
	add(&a, tagged("encrypt_cycles", 950, "a"));
	add(&b, tagged("encrypt_cycles", 600, "b"));
	double spread[1];
	sb_pass_keep_median(&a, &b, 1, spread);
	cr_expect_float_eq(a.rows[0].stats.median, 600, 1e-9);
	cr_expect_str_eq(a.rows[0].warnings, "b");
	cr_expect_float_eq(spread[0], 350.0 / 600, 1e-12);
	sb_results_free(&a);
	sb_results_free(&b);
}

Test(keep_median, timing_rows_are_cycles_and_ns)
{
	struct sb_row c = row("encrypt_cycles", "cycles", 1),
	              n = row("handshake_ns", "ns", 1),
	              e = row("encrypt_cycles_est", "cycles (estimate)", 1),
	              i = row("encrypt_instructions", "instructions", 1);
	cr_expect(sb_pass_is_timing_row(&c));
	cr_expect(sb_pass_is_timing_row(&n));
	cr_expect(!sb_pass_is_timing_row(&e));
	cr_expect(!sb_pass_is_timing_row(&i));
}
