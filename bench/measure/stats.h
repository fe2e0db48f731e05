/*
 * stats.h - summaries of a distribution of samples.
 *
 * Every timed figure suitebench reports is a distribution: median with the
 * quartiles, extremes and sample count, never a single run.
 */
#ifndef SB_STATS_H
#define SB_STATS_H

#include <stddef.h>

#include "backends/status.h"

struct sb_summary {
	size_t n;
	double median;
	double p25;
	double p75;
	double min;
	double max;
	double mad; /* median absolute deviation from the median, unscaled */
};

/* A growable list of samples. */
struct sb_samples {
	double *values;
	size_t count;
	size_t cap;
};

/* Append one sample.  Returns 0 or SB_ERR_NOMEM. */
int sb_stats_samples_add(struct sb_samples *samples, double value) SB_MUST_USE;

/* Release the list; safe on a zeroed list, twice. */
void sb_stats_samples_free(struct sb_samples *samples);

/*
 * The q-quantile (0 <= q <= 1) of `n` sorted values, interpolating
 * linearly between closest ranks (Hyndman and Fan's type 7, the default
 * of R and of spreadsheet PERCENTILE).  `n` must be at least 1.
 */
double sb_stats_quantile(const double *sorted, size_t n, double q);

/*
 * The 95 % confidence half-width of the median of `s`:
 * 1.96 x 1.2533 x 1.4826 MAD / sqrt(n) -- the median's standard error for
 * a normal core, with MAD standing in for sigma so that outliers do not
 * inflate it.  0 when n is 0.
 */
double sb_stats_median_half_width(const struct sb_summary *s);

/*
 * Summarise `n` values, sorting them in place.  With n == 0 the summary
 * is all zeros with n == 0.
 */
void sb_stats_summarize(double *values, size_t n, struct sb_summary *out);

#endif
