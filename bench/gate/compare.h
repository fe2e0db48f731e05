/*
 * compare.h - the regression gate's judgement: a baseline and a current
 * set of results, row by row, independent of files and the command line.
 *
 * Rows are joined on their key: client, server, protocol, kx, suite,
 * payload, side, metric, unit and build.  A metric is judged by its class:
 *
 * - exact figures (counted, not timed: unit bytes, datagrams, records,
 *   flights, allocations or instructions, or a metric named heap_*,
 *   code_*, *_instructions, *_bytes, *_datagrams, *_records or
 *   max_payload) regress on any change for the worse beyond their
 *   tolerance, default none.  Worse is larger, except for max_payload,
 *   where it is smaller.  A change for the better beyond the tolerance
 *   (with none: any) is an improvement.
 *   When the samples of such a figure vary within a file (min < max on
 *   either side: an ECDSA signature's DER length, a randomised heap peak),
 *   the figure is not exact in that run, and the two [min, max] ranges
 *   must also separate, so that the run's own spread never fails a build;
 * - timing figures (unit cycles or ns) regress only when the median rises
 *   beyond the threshold (default 5 % of the baseline median) AND the
 *   distributions separate: current p25 above baseline p75.  Mirrored, a
 *   fall beyond the threshold with current p75 below baseline p25 is an
 *   improvement;
 * - any other unit is not judged on its numbers.
 *
 * Status is judged for every class: a status that gets worse (ok, then
 * unsupported, then failed) is a regression, a better one an improvement.
 * The runner writes a failed or unsupported scenario as a single
 * `scenario` row in place of its figures, so such a row present on one
 * side only is matched against the other side's rows of the same scenario
 * and payload: ok rows there make it a status change.  Otherwise a row
 * present on one side only is reported as appeared or vanished; a failed
 * row that appeared is a regression all the same, and so is a vanished
 * row unless the policy accepts it by name: missing data is never a pass.
 */
#ifndef SB_COMPARE_H
#define SB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "output/results.h"

enum sb_compare_class {
	SB_COMPARE_EXACT,  /* counted figures */
	SB_COMPARE_TIMING, /* cycles and ns */
	SB_COMPARE_OTHER,  /* not judged on numbers */
};

enum sb_compare_outcome {
	SB_COMPARE_UNCHANGED,
	SB_COMPARE_REGRESSION,
	SB_COMPARE_IMPROVEMENT,
	SB_COMPARE_APPEARED,
	SB_COMPARE_VANISHED,
};

/* Which test decided an outcome. */
enum sb_compare_basis {
	SB_COMPARE_BY_NONE,      /* one side only, or a unit not judged */
	SB_COMPARE_BY_STATUS,    /* the status changed */
	SB_COMPARE_BY_VALUE,     /* exact: one value on each side */
	SB_COMPARE_BY_RANGE,     /* exact class, samples vary: [min, max] */
	SB_COMPARE_BY_QUARTILES, /* timing: median, p25 and p75 */
};

/* No row on that side (see sb_compare_entry.before). */
#define SB_COMPARE_NO_ROW (-1)

#define SB_COMPARE_MAX_THRESHOLDS 64

struct sb_compare_threshold {
	char metric[32]; /* a metric name, or a pattern with * and ?; "" for
	                    the class default */
	double value;    /* >= 0 */
	bool percent;    /* of the baseline median; else in the metric's unit */
};

#define SB_COMPARE_MAX_VANISH 32

/*
 * Per-metric thresholds; zeroed means the defaults for every metric.
 * A row of the baseline that is missing from the current results is a
 * regression unless a `vanished=PATTERN` rule names it: PATTERN (with *
 * and ?) is matched against "client/server/protocol/suite/metric".
 */
struct sb_compare_policy {
	struct sb_compare_threshold rules[SB_COMPARE_MAX_THRESHOLDS];
	size_t count;
	char vanish[SB_COMPARE_MAX_VANISH][96];
	size_t vanish_count;
};

struct sb_compare_entry {
	const struct sb_row *baseline; /* NULL when there is none */
	const struct sb_row *current;  /* NULL when there is none */
	enum sb_compare_outcome outcome;
	enum sb_compare_class kind;
	enum sb_compare_basis basis;
	bool larger_is_better; /* max_payload: a decrease is the regression */
	/* The threshold applied, and current minus baseline median. */
	struct sb_compare_threshold threshold;
	double delta;
	/* Status on each side (enum sb_row_status), or SB_COMPARE_NO_ROW;
	 * for a scenario row matched across rows, the other side's is ok. */
	int before;
	int after;
	/* A vanished row no `vanished=` rule accepts: counted as a regression.
	 */
	bool vanished_unaccepted;
};

struct sb_compare_report {
	/* The current rows in their order, then the rows that vanished in
	 * the baseline's order; entries point into the two result sets. */
	struct sb_compare_entry *entries;
	size_t count;
	size_t cap;
	size_t regressions;
	size_t improvements;
	size_t unchanged; /* includes the rows not judged */
	size_t unjudged;  /* ok on both sides, a unit of class OTHER */
	size_t appeared;
	size_t vanished;         /* every vanished row, accepted or not */
	size_t vanished_refused; /* of those, counted among the regressions */
	size_t matched;          /* rows present on both sides */
	/* How many rows each policy rule decided: 0 flags a likely typo. */
	size_t rule_hits[SB_COMPARE_MAX_THRESHOLDS];
};

/* The class of a metric, from its name and unit. */
enum sb_compare_class sb_compare_metric_class(const char *metric,
                                              const char *unit);

/*
 * Parse one "METRIC=VALUE" threshold: VALUE is "N%" (of the baseline
 * median) or "+N" (absolute, in the metric's unit), N a non-negative
 * decimal; METRIC a name or a pattern of letters, digits, _ - . * and ?.
 * Blanks around either part are ignored.  Returns 0, or SB_ERR_INVALID
 * with one line in `msg`.
 */
int sb_compare_threshold_parse(const char *spec,
                               struct sb_compare_threshold *out, char *msg,
                               size_t msg_len) SB_MUST_USE;

/*
 * Parse `spec` as above, or "vanished=PATTERN", and append it to `policy`; a
 * later rule overrides an earlier one for the metrics both match.  Returns 0,
 * or SB_ERR_INVALID with one line in `msg` (also when the policy is full).
 */
int sb_compare_policy_add(struct sb_compare_policy *policy, const char *spec,
                          char *msg, size_t msg_len) SB_MUST_USE;

/*
 * Append the rules of a policy file: one METRIC=VALUE a line; blank
 * lines and everything from a '#' are ignored.  Returns 0; SB_ERR_IO when
 * the file cannot be read ("cannot read PATH: reason"); SB_ERR_INVALID
 * for a bad line ("PATH:LINE: ..."); the message is one line in `msg`.
 */
int sb_compare_policy_load(struct sb_compare_policy *policy, const char *path,
                           char *msg, size_t msg_len) SB_MUST_USE;

/*
 * The threshold for `metric` of class `kind`: the last rule matching it,
 * else the class default (exact: +0, timing: 5%).  `*rule` receives the
 * rule's index, or -1 for the default.
 */
struct sb_compare_threshold
sb_compare_policy_threshold(const struct sb_compare_policy *policy,
                            const char *metric, enum sb_compare_class kind,
                            int *rule);

/*
 * Check that no two rows of `results` share a key, which a join needs.
 * Returns 0, or SB_ERR_INVALID with the key in `msg`, or SB_ERR_NOMEM.
 */
int sb_compare_results_check(const struct sb_results *results, char *msg,
                             size_t msg_len) SB_MUST_USE;

/*
 * Judge `current` against `baseline` under `policy` (NULL: defaults) into
 * `report`, which must be zeroed.  The entries point into both result
 * sets: keep them until the report is freed.  Returns 0, SB_ERR_NOMEM,
 * or SB_ERR_INVALID when a key is duplicated in either set.  The caller
 * frees `report` in every case.
 */
int sb_compare_results_judge(const struct sb_results *baseline,
                             const struct sb_results *current,
                             const struct sb_compare_policy *policy,
                             struct sb_compare_report *report) SB_MUST_USE;

/* Release the entries; safe on a zeroed report, twice. */
void sb_compare_report_free(struct sb_compare_report *report);

#endif
