/*
 * test_passes.c - --processes keeps, per timing row, the fastest
 * process's figures; exact rows, failed rows and rows the other process
 * lacks stay as they were.
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

Test(keep_fastest, the_fastest_process_is_kept_per_timing_row)
{
	struct sb_results a = {0}, b = {0};
	add(&a, row("encrypt_cycles", "cycles", 950)); /* b faster */
	add(&a, row("decrypt_cycles", "cycles", 600)); /* a faster */
	add(&a, row("handshake_bytes", "bytes", 317)); /* exact */
	add(&a, row("handshake_ns", "ns", 40000));     /* b lacks it */
	struct sb_row failed = row("setup_cycles", "cycles", 0);
	failed.status = SB_ROW_FAILED;
	add(&a, failed);
	/* b lists its rows in another order, and one of a's is missing */
	add(&b, row("handshake_bytes", "bytes", 300));
	struct sb_row fast = row("encrypt_cycles", "cycles", 600);
	strcpy(fast.warnings, "from b");
	add(&b, fast);
	add(&b, row("decrypt_cycles", "cycles", 660));
	add(&b, row("setup_cycles", "cycles", 10));
	double spread[5];
	sb_pass_keep_fastest(&a, &b, spread);
	cr_expect_float_eq(a.rows[0].stats.median, 600, 1e-9);
	cr_expect_float_eq(a.rows[0].stats.p25, 599, 1e-9);
	cr_expect_str_eq(a.rows[0].warnings, "from b");
	cr_expect_float_eq(spread[0], 350.0 / 600, 1e-12);
	cr_expect_float_eq(a.rows[1].stats.median, 600, 1e-9);
	cr_expect_float_eq(spread[1], 60.0 / 600, 1e-12);
	cr_expect_float_eq(a.rows[2].stats.median, 317, 1e-9);
	cr_expect_float_eq(spread[2], -1, 1e-12);
	cr_expect_float_eq(a.rows[3].stats.median, 40000, 1e-9);
	cr_expect_float_eq(spread[3], -1, 1e-12);
	cr_expect_eq(a.rows[4].status, SB_ROW_FAILED);
	cr_expect_float_eq(spread[4], -1, 1e-12);
	sb_results_free(&a);
	sb_results_free(&b);
}

Test(keep_fastest, timing_rows_are_cycles_and_ns)
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
