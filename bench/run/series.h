/*
 * series.h - the samples of one scenario's metrics, before they become rows.
 *
 * A series is keyed like a row (side, metric, payload).  The runner keeps
 * adding samples until each timed series is precise enough or its time
 * budget is spent; then every series becomes one row.
 */
#ifndef SB_SERIES_H
#define SB_SERIES_H

#include <stdbool.h>

#include "measure/stats.h"

struct sb_series {
	char side[8];
	char metric[32];
	const char *unit; /* a string literal */
	long payload;
	struct sb_samples samples;
};

struct sb_series_set {
	struct sb_series *items;
	size_t count;
	size_t cap;
};

/* Append `value` to the series of that key, creating it.  0 or SB_ERR_NOMEM. */
int sb_series_add(struct sb_series_set *set, const char *side,
                  const char *metric, const char *unit, long payload,
                  double value) SB_MUST_USE;

/* The series of that key, or NULL. */
struct sb_series *sb_series_find(struct sb_series_set *set, const char *side,
                                 const char *metric, long payload);

/* Free every series; safe on a zeroed set, twice. */
void sb_series_set_free(struct sb_series_set *set);

/* Whether the unit is a time (cycles, ns): noisy, unlike counts. */
bool sb_series_is_timing(const struct sb_series *s);

/*
 * Whether the median of `s` is known to `precision` (0.01 = 1 %): its 95 %
 * confidence half-width (sb_stats_median_half_width) is at most
 * precision x median.
 * A series with fewer than `min_n` samples is never precise enough.
 */
bool sb_series_precise(const struct sb_series *s, size_t min_n,
                       double precision);

/*
 * Samples whose modified z-score |0.6745 (x - median) / MAD| exceeds 3.5
 * (Iglewicz and Hoaglin): the outliers of a timing series.  With MAD 0 any
 * sample off the median counts.
 */
size_t sb_series_outliers(const struct sb_series *s);

/*
 * The outliers of sb_series_outliers that also lie more than `share` of
 * the median (0.02: 2 %) away from it: those that could move a figure a
 * reader cares about.  A very tight series (a MAD of a few cycles) calls
 * every sample a cycle or two off an outlier; those do not count here.
 */
size_t sb_series_outliers_beyond(const struct sb_series *s, double share);

#endif
