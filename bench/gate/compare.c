#include "gate/compare.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* The default for timing figures: a rise the eye would call a change. */
#define TIMING_DEFAULT_PERCENT 5.0
/* Heap peaks move by a few allocator blocks between identical runs (block
 * rounding follows earlier allocations): tens of bytes in ~100 kB. */
#define HEAP_DEFAULT_PERCENT 1.0

/* ---- classes ----------------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool matches_any(const char *s, const char *const *patterns)
{
	for (; *patterns; patterns++)
		if (fnmatch(*patterns, s, 0) == 0)
			return true;
	return false;
}

enum sb_compare_class sb_compare_metric_class(const char *metric,
                                              const char *unit)
{
	static const char *const exact_units[] = {
	    "bytes",       "datagrams",    "records", "flights",
	    "allocations", "instructions", NULL};
	static const char *const exact_metrics[] = {
	    "heap_*",      "code_*",    "*_instructions", "*_bytes",
	    "*_datagrams", "*_records", "max_payload",    NULL};
	static const char *const timing_units[] = {"cycles", "ns", NULL};
	if (in_list(unit, exact_units) || matches_any(metric, exact_metrics))
		return SB_COMPARE_EXACT;
	if (in_list(unit, timing_units))
		return SB_COMPARE_TIMING;
	return SB_COMPARE_OTHER;
}

/* The one figure where more is better: the payload one datagram carries. */
static bool larger_is_better(const char *metric)
{
	return strcmp(metric, "max_payload") == 0;
}

/* ---- thresholds and policy --------------------------------------------- */

static void trim(char *s)
{
	size_t start = strspn(s, " \t\r\n"), end = strlen(s);
	while (end > start && strchr(" \t\r\n", s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

/* A non-negative plain decimal, finite. */
static bool parse_amount(const char *s, double *out)
{
	if (!*s || strspn(s, "0123456789.") != strlen(s))
		return false;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static int parse_value(const char *value, struct sb_compare_threshold *out)
{
	char number[64];
	size_t len = strlen(value);
	if (len < 2 || len >= sizeof(number))
		return SB_ERR_INVALID;
	if (value[0] == '+') {
		out->percent = false;
		memcpy(number, value + 1, len); /* with the terminator */
	} else if (value[len - 1] == '%') {
		out->percent = true;
		memcpy(number, value, len - 1);
		number[len - 1] = '\0';
	} else {
		return SB_ERR_INVALID;
	}
	return parse_amount(number, &out->value) ? 0 : SB_ERR_INVALID;
}

int sb_compare_threshold_parse(const char *spec,
                               struct sb_compare_threshold *out, char *msg,
                               size_t msg_len)
{
	char buf[128], *eq;
	static const char metric_chars[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.*?";
	memset(out, 0, sizeof(*out));
	if (strlen(spec) >= sizeof(buf) || !(eq = strchr(spec, '='))) {
		snprintf(msg, msg_len,
		         "bad threshold '%.60s': expected METRIC=N%% or "
		         "METRIC=+N",
		         spec);
		return SB_ERR_INVALID;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)(eq - spec), spec);
	trim(buf);
	if (!buf[0] || strlen(buf) >= sizeof(out->metric) ||
	    strspn(buf, metric_chars) != strlen(buf)) {
		snprintf(msg, msg_len,
		         "bad threshold '%s': '%s' is not a metric name", spec,
		         buf);
		return SB_ERR_INVALID;
	}
	strcpy(out->metric, buf);
	snprintf(buf, sizeof(buf), "%s", eq + 1);
	trim(buf);
	if (parse_value(buf, out)) {
		snprintf(msg, msg_len,
		         "bad threshold '%s': '%s' is not N%% (of the "
		         "baseline median) or +N (in the metric's unit), N "
		         "not negative",
		         spec, buf);
		return SB_ERR_INVALID;
	}
	return 0;
}

static int policy_add_vanish(struct sb_compare_policy *policy,
                             const char *pattern, char *msg, size_t msg_len)
{
	pattern += strspn(pattern, " \t");
	if (!pattern[0] || strlen(pattern) >= sizeof(policy->vanish[0])) {
		snprintf(
		    msg, msg_len,
		    "vanished=PATTERN needs a pattern of 1 to %zu characters",
		    sizeof(policy->vanish[0]) - 1);
		return SB_ERR_INVALID;
	}
	if (policy->vanish_count == SB_COMPARE_MAX_VANISH) {
		snprintf(msg, msg_len, "too many vanished= rules (at most %d)",
		         SB_COMPARE_MAX_VANISH);
		return SB_ERR_INVALID;
	}
	snprintf(policy->vanish[policy->vanish_count++],
	         sizeof(policy->vanish[0]), "%s", pattern);
	return 0;
}

int sb_compare_policy_add(struct sb_compare_policy *policy, const char *spec,
                          char *msg, size_t msg_len)
{
	const char *s = spec + strspn(spec, " \t");
	if (strncmp(s, "vanished", 8) == 0 &&
	    s[8 + strspn(s + 8, " \t")] == '=')
		return policy_add_vanish(policy, strchr(s, '=') + 1, msg,
		                         msg_len);
	struct sb_compare_threshold t;
	int rc = sb_compare_threshold_parse(spec, &t, msg, msg_len);
	if (rc)
		return rc;
	if (policy->count == SB_COMPARE_MAX_THRESHOLDS) {
		snprintf(msg, msg_len, "too many thresholds (at most %d)",
		         SB_COMPARE_MAX_THRESHOLDS);
		return SB_ERR_INVALID;
	}
	policy->rules[policy->count++] = t;
	return 0;
}

int sb_compare_policy_load(struct sb_compare_policy *policy, const char *path,
                           char *msg, size_t msg_len)
{
	char line[256], err[256];
	size_t number = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msg_len, "cannot read %s: %s", path,
		         strerror(errno));
		return SB_ERR_IO;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		number++;
		size_t len = strcspn(line, "\n");
		if (line[len] != '\n' && !feof(f)) {
			snprintf(msg, msg_len, "%s:%zu: line too long", path,
			         number);
			rc = SB_ERR_INVALID;
			break;
		}
		line[strcspn(line, "#")] = '\0';
		trim(line);
		if (line[0] && (rc = sb_compare_policy_add(policy, line, err,
		                                           sizeof(err))))
			snprintf(msg, msg_len, "%s:%zu: %s", path, number, err);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(msg, msg_len, "cannot read %s: %s", path,
		         strerror(errno));
		rc = SB_ERR_IO;
	}
	fclose(f);
	return rc;
}

struct sb_compare_threshold
sb_compare_policy_threshold(const struct sb_compare_policy *policy,
                            const char *metric, enum sb_compare_class kind,
                            int *rule)
{
	*rule = -1;
	for (size_t i = policy ? policy->count : 0; i-- > 0;)
		if (fnmatch(policy->rules[i].metric, metric, 0) == 0) {
			*rule = (int)i;
			return policy->rules[i];
		}
	if (kind == SB_COMPARE_TIMING)
		return (struct sb_compare_threshold){
		    .value = TIMING_DEFAULT_PERCENT, .percent = true};
	if (fnmatch("heap_peak", metric, 0) == 0)
		return (struct sb_compare_threshold){
		    .value = HEAP_DEFAULT_PERCENT, .percent = true};
	return (struct sb_compare_threshold){.value = 0};
}

/* ---- keys -------------------------------------------------------------- */

static int key_qsort_cmp(const void *a, const void *b)
{
	return sb_row_key_cmp(*(const struct sb_row *const *)a,
	                      *(const struct sb_row *const *)b);
}

struct index {
	const struct sb_row **rows; /* in key order */
	size_t count;
};

static int index_build(const struct sb_results *results, struct index *out)
{
	out->count = results->count;
	out->rows = sb_mem_alloc((results->count ? results->count : 1) *
	                         sizeof(*out->rows));
	if (!out->rows)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < results->count; i++)
		out->rows[i] = &results->rows[i];
	qsort(out->rows, out->count, sizeof(*out->rows), key_qsort_cmp);
	return 0;
}

/* The first duplicated key, or NULL. */
static const struct sb_row *index_duplicate(const struct index *ix)
{
	for (size_t i = 1; i < ix->count; i++)
		if (sb_row_key_cmp(ix->rows[i - 1], ix->rows[i]) == 0)
			return ix->rows[i];
	return NULL;
}

/* The first row in key order not before `row`, by `cmp`. */
static size_t index_lower(const struct index *ix, const struct sb_row *row,
                          int (*cmp)(const struct sb_row *,
                                     const struct sb_row *))
{
	size_t lo = 0, hi = ix->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(ix->rows[mid], row) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct sb_row *index_find(const struct index *ix,
                                       const struct sb_row *row)
{
	size_t i = index_lower(ix, row, sb_row_key_cmp);
	return i < ix->count && sb_row_key_cmp(ix->rows[i], row) == 0
	           ? ix->rows[i]
	           : NULL;
}

/* Whether the group of `row` (same scenario and payload) has an ok row. */
static bool index_group_ok(const struct index *ix, const struct sb_row *row)
{
	for (size_t i = index_lower(ix, row, sb_row_group_cmp);
	     i < ix->count && sb_row_group_cmp(ix->rows[i], row) == 0; i++)
		if (ix->rows[i]->status == SB_ROW_OK)
			return true;
	return false;
}

static void key_format(const struct sb_row *r, char *buf, size_t len)
{
	char payload[24] = "-";
	if (r->payload != SB_NO_PAYLOAD)
		snprintf(payload, sizeof(payload), "%ld", r->payload);
	snprintf(buf, len,
	         "%s/%s %s %s %s%s%s%s%s payload %s, side %s, metric %s (%s)",
	         r->client, r->server, r->protocol, r->kx, r->suite,
	         r->build[0] ? " build " : "", r->build,
	         r->conditions[0] ? " " : "", r->conditions, payload, r->side,
	         r->metric, r->unit[0] ? r->unit : "no unit");
}

int sb_compare_results_check(const struct sb_results *results, char *msg,
                             size_t msg_len)
{
	struct index ix;
	char key[512];
	if (index_build(results, &ix)) {
		snprintf(msg, msg_len, "out of memory");
		return SB_ERR_NOMEM;
	}
	const struct sb_row *dup = index_duplicate(&ix);
	sb_mem_free(ix.rows);
	if (!dup)
		return 0;
	key_format(dup, key, sizeof(key));
	snprintf(msg, msg_len, "two rows have the same key: %s", key);
	return SB_ERR_INVALID;
}

/* ---- judging one pair --------------------------------------------------- */

/* ok < unsupported < failed: a larger rank is worse. */
static int status_rank(int status)
{
	return status == SB_ROW_OK ? 0 : status == SB_ROW_UNSUPPORTED ? 1 : 2;
}

static enum sb_compare_outcome by_status(struct sb_compare_entry *e)
{
	e->basis = SB_COMPARE_BY_STATUS;
	if (status_rank(e->after) > status_rank(e->before))
		return SB_COMPARE_REGRESSION;
	if (status_rank(e->after) < status_rank(e->before))
		return SB_COMPARE_IMPROVEMENT;
	return SB_COMPARE_UNCHANGED;
}

/*
 * `worse` is how much worse the current median is (negative: better),
 * `allowed` the threshold in the metric's unit; `sep_worse`/`sep_better`
 * whether the distributions separate in that direction.
 */
static enum sb_compare_outcome decide(double worse, double allowed,
                                      bool sep_worse, bool sep_better)
{
	if (worse > allowed && sep_worse)
		return SB_COMPARE_REGRESSION;
	if (-worse > allowed && sep_better)
		return SB_COMPARE_IMPROVEMENT;
	return SB_COMPARE_UNCHANGED;
}

static enum sb_compare_outcome by_numbers(struct sb_compare_entry *e)
{
	const struct sb_summary *b = &e->baseline->stats,
	                        *c = &e->current->stats;
	bool up = e->larger_is_better;
	const struct sb_compare_threshold *t = &e->threshold;
	double allowed =
	    t->percent ? fabs(b->median) * t->value / 100 : t->value;
	e->delta = c->median - b->median;
	double worse = up ? -e->delta : e->delta;
	if (e->kind == SB_COMPARE_TIMING) {
		/* Quartiles: half of each distribution on its side. */
		e->basis = SB_COMPARE_BY_QUARTILES;
		bool above = c->p25 > b->p75, below = c->p75 < b->p25;
		return decide(worse, allowed, up ? below : above,
		              up ? above : below);
	}
	if (b->min == b->max && c->min == c->max) {
		e->basis = SB_COMPARE_BY_VALUE;
		return decide(worse, allowed, true, true);
	}
	/* Not exact in this run: the ranges must not overlap. */
	e->basis = SB_COMPARE_BY_RANGE;
	bool above = c->min > b->max, below = c->max < b->min;
	return decide(worse, allowed, up ? below : above, up ? above : below);
}

static enum sb_compare_outcome judge_pair(struct sb_compare_entry *e)
{
	if (e->before != SB_ROW_OK || e->after != SB_ROW_OK)
		return by_status(e);
	if (e->kind == SB_COMPARE_OTHER)
		return SB_COMPARE_UNCHANGED;
	return by_numbers(e);
}

/* A row of one side only: a scenario's status row may stand for rows of
 * the other side.  `other` is the other side's index. */
static enum sb_compare_outcome judge_alone(struct sb_compare_entry *e,
                                           const struct sb_row *row,
                                           const struct index *other,
                                           bool is_current)
{
	if (row->status != SB_ROW_OK && index_group_ok(other, row)) {
		*(is_current ? &e->before : &e->after) = SB_ROW_OK;
		return by_status(e);
	}
	if (is_current && row->status == SB_ROW_FAILED) {
		e->basis = SB_COMPARE_BY_STATUS;
		return SB_COMPARE_REGRESSION;
	}
	return is_current ? SB_COMPARE_APPEARED : SB_COMPARE_VANISHED;
}

/* Whether `ix` holds a failed or unsupported row of the scenario of `row`
 * (any payload): its figures then vanished because the scenario's status
 * changed, which is judged -- and counted -- once, on the status row. */
static bool index_scenario_not_ok(const struct index *ix,
                                  const struct sb_row *row)
{
	for (size_t i = 0; i < ix->count; i++) {
		const struct sb_row *r = ix->rows[i];
		if (r->status != SB_ROW_OK &&
		    strcmp(r->client, row->client) == 0 &&
		    strcmp(r->server, row->server) == 0 &&
		    strcmp(r->protocol, row->protocol) == 0 &&
		    strcmp(r->suite, row->suite) == 0 &&
		    strcmp(r->conditions, row->conditions) == 0 &&
		    strcmp(r->build, row->build) == 0)
			return true;
	}
	return false;
}

/* Whether a `vanished=` rule of `policy` accepts the loss of `row`. */
static bool vanish_accepted(const struct sb_compare_policy *policy,
                            const struct sb_row *row)
{
	char name[sizeof(row->client) + sizeof(row->server) +
	          sizeof(row->protocol) + sizeof(row->suite) +
	          sizeof(row->metric) + 8];
	snprintf(name, sizeof(name), "%s/%s/%s/%s/%s", row->client, row->server,
	         row->protocol, row->suite, row->metric);
	for (size_t i = 0; policy && i < policy->vanish_count; i++)
		if (fnmatch(policy->vanish[i], name, 0) == 0)
			return true;
	return false;
}

/* ---- the report -------------------------------------------------------- */

static int report_add(struct sb_compare_report *r,
                      const struct sb_compare_entry *e)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct sb_compare_entry *entries =
		    sb_mem_realloc(r->entries, cap * sizeof(*entries));
		if (!entries)
			return SB_ERR_NOMEM;
		r->entries = entries;
		r->cap = cap;
	}
	r->entries[r->count++] = *e;
	if (e->before != SB_COMPARE_NO_ROW && e->after != SB_COMPARE_NO_ROW)
		r->matched++; /* a row each side, or a status row standing for
		                 the other side's rows */
	if (e->vanished_unaccepted) {
		r->vanished_refused++;
		r->regressions++;
	}
	size_t *counts[] = {
	    [SB_COMPARE_UNCHANGED] = &r->unchanged,
	    [SB_COMPARE_REGRESSION] = &r->regressions,
	    [SB_COMPARE_IMPROVEMENT] = &r->improvements,
	    [SB_COMPARE_APPEARED] = &r->appeared,
	    [SB_COMPARE_VANISHED] = &r->vanished,
	};
	(*counts[e->outcome])++;
	return 0;
}

static int judge_one(const struct sb_row *base, const struct sb_row *cur,
                     const struct index *other,
                     const struct sb_compare_policy *policy,
                     struct sb_compare_report *r)
{
	const struct sb_row *row = cur ? cur : base;
	int rule = -1;
	struct sb_compare_entry e = {
	    .baseline = base,
	    .current = cur,
	    .kind = sb_compare_metric_class(row->metric, row->unit),
	    .larger_is_better = larger_is_better(row->metric),
	    .before = base ? (int)base->status : SB_COMPARE_NO_ROW,
	    .after = cur ? (int)cur->status : SB_COMPARE_NO_ROW,
	};
	e.threshold =
	    sb_compare_policy_threshold(policy, row->metric, e.kind, &rule);
	if (base && cur)
		e.outcome = judge_pair(&e);
	else
		e.outcome = judge_alone(&e, row, other, cur != NULL);
	e.vanished_unaccepted = e.outcome == SB_COMPARE_VANISHED &&
	                        !index_scenario_not_ok(other, row) &&
	                        !vanish_accepted(policy, row);
	bool numbers = e.basis >= SB_COMPARE_BY_VALUE;
	if (rule >= 0 && numbers)
		r->rule_hits[rule]++;
	if (base && cur && e.before == SB_ROW_OK && e.after == SB_ROW_OK &&
	    e.kind == SB_COMPARE_OTHER)
		r->unjudged++;
	return report_add(r, &e);
}

int sb_compare_results_judge(const struct sb_results *baseline,
                             const struct sb_results *current,
                             const struct sb_compare_policy *policy,
                             struct sb_compare_report *report)
{
	struct index bix = {0}, cix = {0};
	int rc = index_build(baseline, &bix);
	rc = rc ? rc : index_build(current, &cix);
	if (rc == 0 && (index_duplicate(&bix) || index_duplicate(&cix)))
		rc = SB_ERR_INVALID;
	for (size_t i = 0; rc == 0 && i < current->count; i++) {
		const struct sb_row *cur = &current->rows[i];
		rc =
		    judge_one(index_find(&bix, cur), cur, &bix, policy, report);
	}
	for (size_t i = 0; rc == 0 && i < baseline->count; i++) {
		const struct sb_row *base = &baseline->rows[i];
		if (!index_find(&cix, base))
			rc = judge_one(base, NULL, &cix, policy, report);
	}
	sb_mem_free(bix.rows);
	sb_mem_free(cix.rows);
	return rc;
}

void sb_compare_report_free(struct sb_compare_report *report)
{
	sb_mem_free(report->entries);
	memset(report, 0, sizeof(*report));
}
