/*
 * test_ab.c - the A/B judgement on paired per-round medians: the median
 * of the rounds' ratios and the sign test's interval, against order
 * statistics worked out by hand from the binomial distribution.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "gate/ab.h"

Test(ab, bad_arguments_are_refused)
{
	double a[3] = {1, 1, 1};
	struct sb_ab_estimate e;
	cr_expect_eq(sb_ab_judge(NULL, a, 3, 0.95, 0.02, &e), SB_ERR_INVALID);
	cr_expect_eq(sb_ab_judge(a, a, 3, 1.5, 0.02, &e), SB_ERR_INVALID);
	cr_expect_eq(sb_ab_judge(a, a, 3, 0.95, -1, &e), SB_ERR_INVALID);
}

/* P(Bin(n, 1/2) <= k - 1) <= 0.025 for the largest k:
 *   n = 5:  P(X <= 0) = 1/32 = 0.031 > 0.025       -> none (0)
 *   n = 6:  P(X <= 0) = 1/64 = 0.016               -> 1
 *   n = 10: P(X <= 1) = 11/1024 = 0.011, P(X <= 2) = 56/1024 = 0.055 -> 2
 *   n = 20: P(X <= 5) = 0.0207, P(X <= 6) = 0.0577 -> 6
 *   99 %, n = 20: P(X <= 3) = 0.0013, P(X <= 4) = 0.0059 -> 4 */
Test(ab, the_interval_ranks_come_from_the_binomial)
{
	cr_expect_eq(sb_ab_interval_rank(5, 0.95), 0);
	cr_expect_eq(sb_ab_interval_rank(6, 0.95), 1);
	cr_expect_eq(sb_ab_interval_rank(10, 0.95), 2);
	cr_expect_eq(sb_ab_interval_rank(20, 0.95), 6);
	cr_expect_eq(sb_ab_interval_rank(20, 0.99), 4);
	cr_expect_eq(sb_ab_interval_rank(7, 0.99), 0);
	cr_expect_eq(sb_ab_interval_rank(8, 0.99), 1);
	cr_expect_eq(sb_ab_interval_rank(10, 2), 0);
}

Test(ab, too_few_rounds_are_undecided)
{
	double b[5] = {100, 100, 100, 100, 100},
	       h[5] = {150, 150, 150, 150, 150};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 5, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNDECIDED);
	cr_expect_float_eq(e.ratio, 1.5, 1e-12);
}

Test(ab, identical_rounds_are_unchanged)
{
	double b[6] = {100, 110, 90, 105, 95, 120};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, b, 6, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNCHANGED);
	cr_expect_float_eq(e.low, 1.0, 1e-12);
	cr_expect_float_eq(e.high, 1.0, 1e-12);
}

/* Ten rounds, sorted ratios 1.08 1.09 1.09 1.10 1.10 1.10 1.11 1.11 1.12
 * 1.13: the median (1.10 + 1.10) / 2, the interval x(2) .. x(9). */
Test(ab, a_ten_percent_slowdown_is_a_regression_with_its_interval)
{
	double r[10] = {1.10, 1.12, 1.09, 1.08, 1.10,
	                1.13, 1.11, 1.09, 1.10, 1.11};
	double b[10], h[10];
	for (int i = 0; i < 10; i++) {
		b[i] = 1000;
		h[i] = 1000 * r[i];
	}
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 10, 0.95, 0.03, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_REGRESSION);
	cr_expect_eq(e.rounds, 10);
	cr_expect_float_eq(e.ratio, 1.10, 1e-9);
	cr_expect_float_eq(e.low, 1.09, 1e-9);
	cr_expect_float_eq(e.high, 1.12, 1e-9);
}

/* What a virtual machine does: in 3 of 20 rounds one of the two processes
 * ran in the host's slow state (+55 %), on either side.  A mean of the
 * log-ratios would be pulled by them; the median and its interval x(6) ..
 * x(15) are not: still a 10 % regression, and an A/A stays unchanged. */
Test(ab, rounds_split_across_host_states_do_not_move_the_verdict)
{
	double b[20], h[20], a[20];
	for (int i = 0; i < 20; i++) {
		b[i] = 600 + (i % 3);
		h[i] = b[i] * (1.095 + 0.001 * (i % 10));
		a[i] = 600 + ((i * 7) % 5);
	}
	b[3] *= 1.55; /* BASE slow: ratio 0.71 */
	h[8] *= 1.55; /* HEAD slow: ratio 1.70 */
	h[15] *= 1.55;
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 20, 0.95, 0.03, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_REGRESSION);
	cr_expect(e.low > 1.09 && e.high < 1.11, "interval %f .. %f", e.low,
	          e.high);
	a[3] *= 1.55;
	b[8] *= 1.55;
	cr_assert_eq(sb_ab_judge(b, a, 20, 0.95, 0.03, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNCHANGED);
}

Test(ab, a_change_inside_the_minimum_effect_is_unchanged)
{
	double b[6] = {1000, 1000, 1000, 1000, 1000, 1000};
	double h[6] = {1010, 1010, 1011, 1009, 1010, 1012}; /* +1 %, tight */
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 6, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNCHANGED);
	cr_assert_eq(sb_ab_judge(b, h, 6, 0.95, 0.005, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_REGRESSION);
}

Test(ab, a_speedup_is_an_improvement_and_bad_rounds_are_left_out)
{
	double b[9] = {1000, 1000, 0, 1000, 1000, 1000, 1000, 1000, 1000};
	double h[9] = {800, 810, 790, 805, 795, 800, 802, 799, 801};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 9, 0.99, 0.02, &e), 0);
	cr_expect_eq(e.rounds, 8);
	cr_expect_eq(e.verdict, SB_AB_IMPROVEMENT);
}
