/*
 * test_ab.c - the A/B judgement on paired per-round medians, against
 * values worked out by hand from the Student-t table.
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

Test(ab, too_few_rounds_are_undecided)
{
	double b[2] = {100, 100}, h[2] = {150, 150};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 2, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNDECIDED);
	cr_expect_float_eq(e.ratio, 1.5, 1e-12);
}

Test(ab, identical_rounds_are_unchanged)
{
	double b[5] = {100, 110, 90, 105, 95};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, b, 5, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNCHANGED);
	cr_expect_float_eq(e.low, 1.0, 1e-12);
	cr_expect_float_eq(e.high, 1.0, 1e-12);
}

/* Log-ratios 0.09, 0.10, 0.11, 0.10: mean 0.10, sd 0.008165, n 4, t(3,
 * 95 %) 3.182: half-width 0.012990; ratio e^0.10 = 1.10517. */
Test(ab, a_ten_percent_slowdown_is_a_regression_with_its_interval)
{
	double b[4] = {1000, 1000, 1000, 1000};
	double h[4] = {1000 * exp(0.09), 1000 * exp(0.10), 1000 * exp(0.11),
	               1000 * exp(0.10)};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 4, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_REGRESSION);
	cr_expect_eq(e.rounds, 4);
	cr_expect_float_eq(e.ratio, exp(0.10), 1e-9);
	cr_expect_float_eq(e.low, exp(0.10 - 0.012990), 1e-5);
	cr_expect_float_eq(e.high, exp(0.10 + 0.012990), 1e-5);
}

Test(ab, a_change_inside_the_minimum_effect_is_unchanged)
{
	double b[4] = {1000, 1000, 1000, 1000};
	double h[4] = {1010, 1010, 1011, 1009}; /* +1 %, tight */
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 4, 0.95, 0.02, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_UNCHANGED);
	cr_assert_eq(sb_ab_judge(b, h, 4, 0.95, 0.005, &e), 0);
	cr_expect_eq(e.verdict, SB_AB_REGRESSION);
}

Test(ab, a_speedup_is_an_improvement_and_bad_rounds_are_left_out)
{
	double b[5] = {1000, 1000, 0, 1000, 1000};
	double h[5] = {800, 810, 790, 805, 795};
	struct sb_ab_estimate e;
	cr_assert_eq(sb_ab_judge(b, h, 5, 0.99, 0.02, &e), 0);
	cr_expect_eq(e.rounds, 4);
	cr_expect_eq(e.verdict, SB_AB_IMPROVEMENT);
}
