/*
 * test_series.c - sample series: lookup, the precision rule and outlier
 * flags, against values worked out by hand.
 */
#include <criterion/criterion.h>

#include "run/series.h"

static struct sb_series_set set;

static void teardown(void)
{
	sb_series_set_free(&set);
}

static struct sb_series *fill(const char *unit, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(sb_series_add(&set, "client", "m", unit, 16, v[i]),
		             0);
	return sb_series_find(&set, "client", "m", 16);
}

/* ---- safety ----------------------------------------------------------- */

Test(series, free_twice_and_find_nothing, .fini = teardown)
{
	cr_assert_null(sb_series_find(&set, "client", "m", 16));
	sb_series_set_free(&set);
	sb_series_set_free(&set);
}

Test(series, too_few_samples_never_precise, .fini = teardown)
{
	static const double v[] = {100, 100, 100};
	struct sb_series *s = fill("cycles", v, 3);
	cr_assert_not(sb_series_precise(s, 4, 0.01));
	cr_assert(sb_series_precise(s, 3, 0.01), "MAD 0: exact");
}

/* ---- behaviour -------------------------------------------------------- */

Test(series, keys_are_side_metric_payload, .fini = teardown)
{
	cr_assert_eq(sb_series_add(&set, "client", "a", "bytes", 16, 1), 0);
	cr_assert_eq(sb_series_add(&set, "server", "a", "bytes", 16, 2), 0);
	cr_assert_eq(sb_series_add(&set, "client", "a", "bytes", 64, 3), 0);
	cr_assert_eq(sb_series_add(&set, "client", "a", "bytes", 16, 4), 0);
	cr_assert_eq(set.count, 3);
	cr_assert_eq(sb_series_find(&set, "client", "a", 16)->samples.count, 2);
	cr_assert_not(sb_series_is_timing(set.items));
}

Test(series, precision_rule, .fini = teardown)
{
	/* 16 samples, median 1000, MAD 10: half-width = 1.96 * 1.2533 *
	 * 1.4826 * 10 / 4 = 9.105 -> 0.91 %: precise at 1 %, not at 0.9 %. */
	double v[16];
	for (int i = 0; i < 8; i++) {
		v[i] = 990;
		v[8 + i] = 1010;
	}
	struct sb_series *s = fill("cycles", v, 16);
	cr_assert(sb_series_is_timing(s));
	cr_assert(sb_series_precise(s, 16, 0.01));
	cr_assert_not(sb_series_precise(s, 16, 0.009));
}

Test(series, outliers_by_modified_z, .fini = teardown)
{
	/* median 100, |dev| = 0 0 1 1 2 2 60 -> MAD 1; z(160) = 0.6745 * 60
	 * = 40.5 > 3.5; z(102) = 1.35 is not an outlier. */
	static const double v[] = {100, 100, 99, 101, 98, 102, 160};
	struct sb_series *s = fill("cycles", v, 7);
	cr_assert_eq(sb_series_outliers(s), 1);
	cr_assert_eq(s->samples.values[6], 160, "order kept for --raw");
}

/* ---- adversarial ------------------------------------------------------ */

Test(series, constant_series_with_one_stray_value, .fini = teardown)
{
	/* MAD 0: any sample off the median is an outlier. */
	static const double v[] = {5, 5, 5, 5, 6};
	cr_assert_eq(sb_series_outliers(fill("ns", v, 5)), 1);
}

/* A tight series calls a sample one cycle off an outlier; only those more
 * than the given share of the median away count for the warning. */
Test(series, outliers_beyond_a_share_of_the_median, .fini = teardown)
{
	/* median 1000, MAD 0: 1001 and 1002 are outliers by z, 1100 (10 %
	 * off) is the only one beyond 2 %. */
	static const double v[] = {1000, 1000, 1000, 1000, 1000,
	                           1000, 1000, 1001, 1002, 1100};
	struct sb_series *s = fill("cycles", v, 10);
	cr_expect_eq(sb_series_outliers(s), 3);
	cr_expect_eq(sb_series_outliers_beyond(s, 0.02), 1);
	cr_expect_eq(sb_series_outliers_beyond(s, 0.2), 0);
}
