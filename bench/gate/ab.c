#include "gate/ab.h"

#include <math.h>

/* Two-sided Student-t quantiles for 1..30 degrees of freedom, then the
 * normal's, at 95 %, 99 % and 99.9 % (standard tables). */
static const double t95[] = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
static const double t99[] = {
    63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169,
    3.106,  3.055, 3.012, 2.977, 2.947, 2.921, 2.898, 2.878, 2.861, 2.845,
    2.831,  2.819, 2.807, 2.797, 2.787, 2.779, 2.771, 2.763, 2.756, 2.750};
static const double t999[] = {
    636.62, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587,
    4.437,  4.318,  4.221,  4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850,
    3.819,  3.792,  3.768,  3.745, 3.725, 3.707, 3.690, 3.674, 3.659, 3.646};

static double ab_t_quantile(double confidence, size_t df)
{
	const double *table = confidence >= 0.999  ? t999
	                      : confidence >= 0.99 ? t99
	                                           : t95;
	double normal = confidence >= 0.999  ? 3.291
	                : confidence >= 0.99 ? 2.576
	                                     : 1.960;
	return df <= 30 ? table[df - 1] : normal;
}

int sb_ab_judge(const double *base, const double *head, size_t count,
                double confidence, double min_effect,
                struct sb_ab_estimate *out)
{
	if (!base || !head || !out || !(confidence > 0 && confidence < 1) ||
	    !(min_effect >= 0))
		return SB_ERR_INVALID;
	double sum = 0, sum2 = 0;
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		if (base[i] > 0 && head[i] > 0) {
			double d = log(head[i] / base[i]);
			sum += d;
			sum2 += d * d;
			n++;
		}
	*out = (struct sb_ab_estimate){.rounds = n, .verdict = SB_AB_UNDECIDED};
	if (n == 0)
		return 0;
	double mean = sum / (double)n;
	out->ratio = out->low = out->high = exp(mean);
	if (n < 3)
		return 0;
	double var = (sum2 - sum * sum / (double)n) / (double)(n - 1);
	double half = ab_t_quantile(confidence, n - 1) *
	              sqrt(var > 0 ? var : 0) / sqrt((double)n);
	out->low = exp(mean - half);
	out->high = exp(mean + half);
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
