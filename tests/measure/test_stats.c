/*
 * test_stats.c - quantiles and summaries against values computed by hand
 * (type-7 quantiles: R's quantile() default, spreadsheet PERCENTILE).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "measure/stats.h"

/* ---- safety ----------------------------------------------------------- */

Test(stats, empty_summary_is_zero)
{
	struct sb_summary s;
	sb_stats_summarize(NULL, 0, &s);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.median, 0);
}

Test(stats, samples_free_twice_is_safe)
{
	struct sb_samples s = {0};
	cr_assert_eq(sb_stats_samples_add(&s, 1.0), 0);
	sb_stats_samples_free(&s);
	sb_stats_samples_free(&s);
	cr_assert_eq(s.count, 0);
}

/* ---- behaviour -------------------------------------------------------- */

Test(stats, single_value)
{
	double v[] = {42};
	struct sb_summary s;
	sb_stats_summarize(v, 1, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.median, 42);
	cr_assert_eq(s.p25, 42);
	cr_assert_eq(s.p75, 42);
}

Test(stats, odd_count_unsorted)
{
	/* sorted: 1 2 3 4 100; median 3; p25 at rank 1 = 2; p75 at rank 3 = 4
	 */
	double v[] = {100, 3, 1, 4, 2};
	struct sb_summary s;
	sb_stats_summarize(v, 5, &s);
	cr_assert_eq(s.median, 3);
	cr_assert_eq(s.p25, 2);
	cr_assert_eq(s.p75, 4);
	cr_assert_eq(s.min, 1);
	cr_assert_eq(s.max, 100);
	/* |v - 3| = 2 1 0 1 97 -> sorted 0 1 1 2 97 -> MAD 1 */
	cr_assert_eq(s.mad, 1);
}

Test(stats, even_count_interpolates)
{
	/* sorted 10 20 30 40: median rank 1.5 -> 25; p25 rank 0.75 -> 17.5;
	 * p75 rank 2.25 -> 32.5 (R: quantile(c(10,20,30,40))) */
	double v[] = {40, 10, 30, 20};
	struct sb_summary s;
	sb_stats_summarize(v, 4, &s);
	cr_assert(ieee_ulp_eq(dbl, s.median, 25.0, 4));
	cr_assert(ieee_ulp_eq(dbl, s.p25, 17.5, 4));
	cr_assert(ieee_ulp_eq(dbl, s.p75, 32.5, 4));
}

Test(stats, quantile_endpoints)
{
	double v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	cr_assert_eq(sb_stats_quantile(v, 10, 0.0), 1);
	cr_assert_eq(sb_stats_quantile(v, 10, 1.0), 10);
	/* rank 0.9 * 9 = 8.1 -> 9 + 0.1 */
	cr_assert(ieee_ulp_eq(dbl, sb_stats_quantile(v, 10, 0.9), 9.1, 4));
}

Test(stats, median_half_width_by_hand)
{
	/* MAD 10, n 16: 1.96 x 1.2533 x 1.4826 x 10 / 4 = 9.104898642 */
	struct sb_summary s = {.n = 16, .mad = 10};
	cr_assert_float_eq(sb_stats_median_half_width(&s), 9.104898642, 1e-9);
	struct sb_summary empty = {0};
	cr_assert_eq(sb_stats_median_half_width(&empty), 0);
}

/* ---- adversarial ------------------------------------------------------ */

Test(stats, many_samples_grow)
{
	struct sb_samples s = {0};
	for (int i = 1000; i > 0; i--)
		cr_assert_eq(sb_stats_samples_add(&s, i), 0);
	struct sb_summary sum;
	sb_stats_summarize(s.values, s.count, &sum);
	cr_assert_eq(sum.n, 1000);
	cr_assert(ieee_ulp_eq(dbl, sum.median, 500.5, 4));
	sb_stats_samples_free(&s);
}
