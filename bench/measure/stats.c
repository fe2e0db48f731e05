#include "measure/stats.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

int sb_stats_samples_add(struct sb_samples *samples, double value)
{
	if (samples->count == samples->cap) {
		size_t cap = samples->cap ? 2 * samples->cap : 16;
		double *v = sb_mem_realloc(samples->values, cap * sizeof(*v));
		if (!v)
			return SB_ERR_NOMEM;
		samples->values = v;
		samples->cap = cap;
	}
	samples->values[samples->count++] = value;
	return 0;
}

void sb_stats_samples_free(struct sb_samples *samples)
{
	sb_mem_free(samples->values);
	memset(samples, 0, sizeof(*samples));
}

double sb_stats_quantile(const double *sorted, size_t n, double q)
{
	double rank = q * (double)(n - 1);
	size_t lo = (size_t)rank;
	if (lo + 1 >= n)
		return sorted[n - 1];
	double frac = rank - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of |v - median|; `values` must be sorted and stays so. */
static double median_abs_deviation(const double *values, size_t n,
                                   double median)
{
	double *dev = sb_mem_alloc(n * sizeof(*dev));
	if (!dev)
		return NAN;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(values[i] - median);
	qsort(dev, n, sizeof(*dev), compare_doubles);
	double mad = sb_stats_quantile(dev, n, 0.5);
	sb_mem_free(dev);
	return mad;
}

void sb_stats_summarize(double *values, size_t n, struct sb_summary *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	qsort(values, n, sizeof(*values), compare_doubles);
	out->n = n;
	out->median = sb_stats_quantile(values, n, 0.5);
	out->p25 = sb_stats_quantile(values, n, 0.25);
	out->p75 = sb_stats_quantile(values, n, 0.75);
	out->min = values[0];
	out->max = values[n - 1];
	out->mad = median_abs_deviation(values, n, out->median);
}

double sb_stats_median_half_width(const struct sb_summary *s)
{
	if (s->n == 0)
		return 0;
	return 1.96 * 1.2533 * 1.4826 * s->mad / sqrt((double)s->n);
}
