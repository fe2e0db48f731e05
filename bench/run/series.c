#include "run/series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

struct sb_series *sb_series_find(struct sb_series_set *set, const char *side,
                                 const char *metric, long payload)
{
	for (size_t i = 0; i < set->count; i++) {
		struct sb_series *s = &set->items[i];
		if (s->payload == payload && strcmp(s->side, side) == 0 &&
		    strcmp(s->metric, metric) == 0)
			return s;
	}
	return NULL;
}

static struct sb_series *series_new(struct sb_series_set *set)
{
	if (set->count == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 32;
		struct sb_series *items =
		    sb_mem_realloc(set->items, cap * sizeof(*items));
		if (!items)
			return NULL;
		set->items = items;
		set->cap = cap;
	}
	return &set->items[set->count++];
}

int sb_series_add(struct sb_series_set *set, const char *side,
                  const char *metric, const char *unit, long payload,
                  double value)
{
	struct sb_series *s = sb_series_find(set, side, metric, payload);
	if (!s) {
		if (!(s = series_new(set)))
			return SB_ERR_NOMEM;
		*s = (struct sb_series){.unit = unit, .payload = payload};
		snprintf(s->side, sizeof(s->side), "%s", side);
		snprintf(s->metric, sizeof(s->metric), "%s", metric);
	}
	return sb_stats_samples_add(&s->samples, value);
}

void sb_series_set_free(struct sb_series_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		sb_stats_samples_free(&set->items[i].samples);
	sb_mem_free(set->items);
	memset(set, 0, sizeof(*set));
}

bool sb_series_is_timing(const struct sb_series *s)
{
	return strcmp(s->unit, "cycles") == 0 || strcmp(s->unit, "ns") == 0;
}

/* Summary of a copy: summarising sorts, and the order is kept for --raw. */
static bool summarize_copy(const struct sb_series *s, struct sb_summary *out)
{
	size_t n = s->samples.count;
	double *copy = sb_mem_alloc((n ? n : 1) * sizeof(*copy));
	if (!copy)
		return false;
	memcpy(copy, s->samples.values, n * sizeof(*copy));
	sb_stats_summarize(copy, n, out);
	sb_mem_free(copy);
	return true;
}

bool sb_series_precise(const struct sb_series *s, size_t min_n,
                       double precision)
{
	struct sb_summary sum;
	if (s->samples.count < min_n || !summarize_copy(s, &sum))
		return false;
	return sb_stats_median_half_width(&sum) <= precision * fabs(sum.median);
}

size_t sb_series_outliers_beyond(const struct sb_series *s, double share)
{
	struct sb_summary sum;
	if (!summarize_copy(s, &sum))
		return 0;
	size_t outliers = 0;
	for (size_t i = 0; i < s->samples.count; i++) {
		double off = fabs(s->samples.values[i] - sum.median);
		bool z = sum.mad == 0 ? off > 0 : 0.6745 * off / sum.mad > 3.5;
		if (z && off > share * fabs(sum.median))
			outliers++;
	}
	return outliers;
}

size_t sb_series_outliers(const struct sb_series *s)
{
	return sb_series_outliers_beyond(s, 0);
}
