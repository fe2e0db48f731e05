#include "gate/ab.h"

#include <math.h>
#include <stdlib.h>

#include "base/mem.h"

/* P(X <= k) for X ~ Binomial(n, 1/2), summed in logs (n <= a few
 * thousand). */
static double ab_binomial_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	for (size_t j = 0; j <= k && j <= n; j++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)j + 1) -
		           lgamma((double)(n - j) + 1) - (double)n * log(2.0));
	return sum;
}

size_t sb_ab_interval_rank(size_t n, double confidence)
{
	if (!(confidence > 0 && confidence < 1))
		return 0;
	double tail = (1 - confidence) / 2;
	size_t k = 0;
	/* The largest k with P(X <= k - 1) <= tail: the order statistics
	 * x(k) and x(n + 1 - k) then hold the median with at least the
	 * confidence asked, whatever the distribution. */
	while (k + 1 <= n / 2 && ab_binomial_half_cdf(n, k) <= tail)
		k++;
	return k;
}

static int ab_compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int sb_ab_judge(const double *base, const double *head, size_t count,
                double confidence, double min_effect,
                struct sb_ab_estimate *out)
{
	if (!base || !head || !out || !(confidence > 0 && confidence < 1) ||
	    !(min_effect >= 0))
		return SB_ERR_INVALID;
	*out = (struct sb_ab_estimate){.verdict = SB_AB_UNDECIDED};
	double *d = sb_mem_alloc((count ? count : 1) * sizeof(*d));
	if (!d)
		return SB_ERR_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		if (base[i] > 0 && head[i] > 0)
			d[n++] = log(head[i] / base[i]);
	out->rounds = n;
	if (n == 0) {
		sb_mem_free(d);
		return 0;
	}
	qsort(d, n, sizeof(*d), ab_compare_doubles);
	double median = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	out->ratio = exp(median);
	size_t k = sb_ab_interval_rank(n, confidence);
	out->low = exp(d[k ? k - 1 : 0]);
	out->high = exp(d[k ? n - k : n - 1]);
	sb_mem_free(d);
	if (k == 0)
		return 0; /* too few rounds for the confidence asked */
	out->verdict = out->low > 1 + min_effect    ? SB_AB_REGRESSION
	               : out->high < 1 - min_effect ? SB_AB_IMPROVEMENT
	                                            : SB_AB_UNCHANGED;
	return 0;
}

const char *sb_ab_verdict_name(enum sb_ab_verdict verdict)
{
	switch (verdict) {
	case SB_AB_UNCHANGED:
		return "unchanged";
	case SB_AB_REGRESSION:
		return "regression";
	case SB_AB_IMPROVEMENT:
		return "improvement";
	case SB_AB_UNDECIDED:
		return "undecided";
	}
	return "?";
}
