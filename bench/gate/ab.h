/*
 * ab.h - judging timing between two builds measured side by side.
 *
 * A timing figure means something only against another build measured on
 * the same machine at the same time.  `suitebench ab` runs the two builds
 * in interleaved rounds; each round gives one median per build and row.
 * The rounds are paired (they ran back to back), so the machine's slow
 * stretches hit both builds alike and cancel in the ratio HEAD/BASE.
 *
 * The judgement is on those per-round ratios: their median, with the
 * distribution-free confidence interval of a median (the sign test: the
 * order statistics k and n + 1 - k, k from the binomial distribution).  It
 * assumes nothing about the shape of the ratios, and that matters: on a
 * virtual machine a whole process can run 50 % slower than the next one
 * (a state of the host that persists for the process's life), so a round
 * whose two processes fell into different states gives a ratio of 0.6 or
 * 1.7.  A mean with a Student-t interval is dragged by such rounds; the
 * median and its interval are not, as long as most rounds are pairs in
 * the same state.  A change counts only when the whole interval lies
 * beyond a minimum effect, so a real but tiny shift does not fail a build.
 */
#ifndef SB_AB_H
#define SB_AB_H

#include <stddef.h>

#include "backends/status.h"

enum sb_ab_verdict {
	SB_AB_UNCHANGED,   /* the interval reaches inside +-min_effect */
	SB_AB_REGRESSION,  /* the whole interval above +min_effect */
	SB_AB_IMPROVEMENT, /* the whole interval below -min_effect */
	SB_AB_UNDECIDED,   /* too few usable rounds for the confidence */
};

struct sb_ab_estimate {
	double ratio; /* HEAD / BASE: the median of the rounds' ratios */
	double low;   /* the confidence interval of the ratio */
	double high;
	size_t rounds; /* rounds with a positive median on both sides */
	enum sb_ab_verdict verdict;
};

/*
 * The rank k of the interval's ends among n sorted ratios (1-based: the
 * k-th smallest and the k-th largest) for a two-sided `confidence` in
 * (0, 1); 0 when n rounds are too few for it (fewer than 6 at 95 %).
 */
size_t sb_ab_interval_rank(size_t n, double confidence);

/*
 * Judge one figure from `count` paired per-round medians.  `confidence`
 * is two-sided, in (0, 1);
 * `min_effect` a fraction (0.02: 2 %).  Rounds where either median is not
 * positive are left out.  Returns 0, SB_ERR_INVALID for bad arguments or
 * SB_ERR_NOMEM.
 */
int sb_ab_judge(const double *base, const double *head, size_t count,
                double confidence, double min_effect,
                struct sb_ab_estimate *out) SB_MUST_USE;

/* "unchanged", "regression", "improvement" or "undecided". */
const char *sb_ab_verdict_name(enum sb_ab_verdict verdict);

#endif
