/*
 * ab.h - judging timing between two builds measured side by side.
 *
 * A timing figure means something only against another build measured on
 * the same machine at the same time.  `suitebench ab` runs the two builds
 * in interleaved rounds; each round gives one median per build and row.
 * The rounds are paired (they ran back to back), so the machine's slow
 * stretches hit both builds alike and cancel in the ratio HEAD/BASE.  The
 * judgement is on the log of those per-round ratios: their mean, with a
 * Student-t confidence interval over the rounds -- the spread between
 * rounds, not within one run, is what a comparison must beat.  A change
 * counts only when the whole interval lies beyond a minimum effect, so a
 * real but tiny shift does not fail a build either.
 */
#ifndef SB_AB_H
#define SB_AB_H

#include <stddef.h>

#include "backends/status.h"

enum sb_ab_verdict {
	SB_AB_UNCHANGED,   /* the interval reaches inside +-min_effect */
	SB_AB_REGRESSION,  /* the whole interval above +min_effect */
	SB_AB_IMPROVEMENT, /* the whole interval below -min_effect */
	SB_AB_UNDECIDED,   /* fewer than 3 usable rounds */
};

struct sb_ab_estimate {
	double
	    ratio;  /* HEAD / BASE: the geometric mean of the rounds' ratios */
	double low; /* the confidence interval of the ratio */
	double high;
	size_t rounds; /* rounds with a positive median on both sides */
	enum sb_ab_verdict verdict;
};

/*
 * Judge one figure from `count` paired per-round medians.  `confidence`
 * is two-sided (0.95, 0.99 or 0.999; others use the nearest below);
 * `min_effect` a fraction (0.02: 2 %).  Rounds where either median is not
 * positive are left out.  Returns 0, or SB_ERR_INVALID for bad arguments.
 */
int sb_ab_judge(const double *base, const double *head, size_t count,
                double confidence, double min_effect,
                struct sb_ab_estimate *out) SB_MUST_USE;

/* "unchanged", "regression", "improvement" or "undecided". */
const char *sb_ab_verdict_name(enum sb_ab_verdict verdict);

#endif
