/*
 * consistency.h - one operation, one cost: a quality figure of the run.
 *
 * The same operation -- a library's record encryption or decryption on
 * one side, in one protocol, with one AEAD, at
 * one payload size -- is measured in several scenarios: under another key
 * exchange, against another peer library.  Its cost must not depend on
 * that.  This module groups the rows of a run by operation, reports how
 * far each operation's scenarios disagree (largest median over smallest,
 * minus one), and marks each row whose median is more than a threshold
 * away from the median of its operation's scenarios.
 */
#ifndef SB_CONSISTENCY_H
#define SB_CONSISTENCY_H

#include "output/results.h"

/* A row this far (3 %) from its operation's median is marked. */
#define SB_CONSISTENCY_THRESHOLD 0.03

struct sb_consistency_op {
	char library[24];
	char side[8];
	char protocol[16];
	char aead[24];
	long payload;
	char metric[32];
	char conditions[128]; /* as sb_row's */
	size_t scenarios;     /* rows of this operation */
	double min, max;      /* the smallest and largest scenario median */
	double reference;     /* the median of the scenario medians */
	double spread;        /* max / min - 1 */
	size_t marked;        /* rows beyond the threshold */
};

struct sb_consistency {
	struct sb_consistency_op *ops; /* only operations seen in 2 or more
	                                  scenarios, largest spread first */
	size_t count;
	double median_spread; /* over the operations */
	size_t marked;        /* rows marked, in all */
};

/*
 * Group the ok timing rows of `results` by operation, fill `out` (zeroed
 * first) and add a warning to every row beyond `threshold`.  Returns 0 or
 * SB_ERR_NOMEM.
 */
int sb_consistency_check(struct sb_results *results, double threshold,
                         struct sb_consistency *out) SB_MUST_USE;

/* "openssl client dtls1.2 aes-128-ccm-8 16 B encrypt_cycles". */
void sb_consistency_op_name(const struct sb_consistency_op *op, char *buf,
                            size_t len);

/* Release the operations; safe on a zeroed report, twice. */
void sb_consistency_free(struct sb_consistency *c);

#endif
