/*
 * test_compare.c - the gate's judgement: exact figures exactly, timing
 * figures only when the median moved beyond the threshold and the
 * distributions separate, status changes, rows on one side, thresholds.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "gate/compare.h"
#include "output/csv.h"
#include "output/csv_read.h"

/* ---- helpers ---------------------------------------------------------- */

static struct sb_row scenario_row(const char *suite)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD, .status = SB_ROW_OK};
	strcpy(row.client, "openssl");
	strcpy(row.server, "openssl");
	strcpy(row.protocol, "dtls1.2");
	strcpy(row.kx, "psk");
	strcpy(row.suite, suite);
	strcpy(row.side, "both");
	return row;
}

/* An exact figure: every sample the same value. */
static struct sb_row exact_row(const char *metric, const char *unit,
                               double value)
{
	struct sb_row row = scenario_row("psk-ccm8");
	strcpy(row.metric, metric);
	strcpy(row.unit, unit);
	row.stats = (struct sb_summary){.n = 20,
	                                .median = value,
	                                .p25 = value,
	                                .p75 = value,
	                                .min = value,
	                                .max = value};
	return row;
}

/* A distribution given by its quartiles; min and max 10 % outside. */
static struct sb_row timed_row(const char *metric, double p25, double median,
                               double p75)
{
	struct sb_row row = scenario_row("psk-ccm8");
	strcpy(row.metric, metric);
	strcpy(row.unit, "cycles");
	strcpy(row.side, "client");
	row.stats = (struct sb_summary){.n = 20,
	                                .median = median,
	                                .p25 = p25,
	                                .p75 = p75,
	                                .min = p25 * 0.9,
	                                .max = p75 * 1.1};
	return row;
}

static struct sb_row status_row(const char *suite, enum sb_row_status status)
{
	struct sb_row row = scenario_row(suite);
	strcpy(row.metric, "scenario");
	row.status = status;
	strcpy(row.reason,
	       status == SB_ROW_FAILED ? "handshake failed" : "no such suite");
	return row;
}

static void add(struct sb_results *r, struct sb_row row)
{
	cr_assert_eq(sb_results_add(r, &row), 0);
}

/* Judge a one-row baseline against a one-row current. */
static struct sb_compare_entry
judge_pair(struct sb_row base, struct sb_row cur,
           const struct sb_compare_policy *policy)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&b, base);
	add(&c, cur);
	cr_assert_eq(sb_compare_results_judge(&b, &c, policy, &rep), 0);
	cr_assert_eq(rep.count, 1);
	struct sb_compare_entry e = rep.entries[0];
	e.baseline = e.current = NULL; /* they die with the sets */
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
	return e;
}

static struct sb_compare_policy policy_of(const char *const *specs)
{
	struct sb_compare_policy p = {0};
	char msg[256];
	for (; *specs; specs++)
		cr_assert_eq(
		    sb_compare_policy_add(&p, *specs, msg, sizeof(msg)), 0,
		    "%s", msg);
	return p;
}

/* ---- safety ----------------------------------------------------------- */

Test(compare, empty_sets_judge_to_nothing)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.count, 0);
	cr_expect_eq(rep.regressions, 0);
	sb_compare_report_free(&rep);
	sb_compare_report_free(&rep);
}

Test(compare, duplicate_key_is_refused)
{
	struct sb_results r = {0};
	struct sb_compare_report rep = {0};
	char msg[512];
	add(&r, exact_row("handshake_bytes", "bytes", 575));
	cr_assert_eq(sb_compare_results_check(&r, msg, sizeof(msg)), 0);
	add(&r, exact_row("handshake_bytes", "bytes", 576));
	cr_assert_eq(sb_compare_results_check(&r, msg, sizeof(msg)),
	             SB_ERR_INVALID);
	cr_expect_str_eq(msg, "two rows have the same key: openssl/openssl "
	                      "dtls1.2 psk psk-ccm8 payload -, side both, "
	                      "metric handshake_bytes (bytes)");
	struct sb_results empty = {0};
	cr_expect_eq(sb_compare_results_judge(&empty, &r, NULL, &rep),
	             SB_ERR_INVALID);
	sb_compare_report_free(&rep);
	sb_results_free(&r);
}

struct bad_threshold {
	char spec[48]; /* inline: Criterion re-executes the binary */
	char want[64];
};

static struct bad_threshold bad_thresholds[] = {
    {"", "expected METRIC=N% or METRIC=+N"},
    {"handshake_cycles", "expected METRIC=N% or METRIC=+N"},
    {"=3%", "'' is not a metric name"},
    {"hand shake=3%", "'hand shake' is not a metric name"},
    {"m=3", "'3' is not N% (of the baseline median) or +N"},
    {"m=-3%", "'-3%' is not N%"},
    {"m=+-3", "'+-3' is not N%"},
    {"m=+", "'+' is not N%"},
    {"m=%", "'%' is not N%"},
    {"m=3%%", "'3%%' is not N%"},
    {"m=nan%", "'nan%' is not N%"},
    {"m=+1e3", "'+1e3' is not N%"},
    {"m=3 %", "'3 %' is not N%"},
    {"m=3%=4%", "'3%=4%' is not N%"},
};

ParameterizedTestParameters(compare, bad_threshold_is_refused)
{
	return cr_make_param_array(struct bad_threshold, bad_thresholds,
	                           sizeof(bad_thresholds) /
	                               sizeof(bad_thresholds[0]));
}

ParameterizedTest(struct bad_threshold *c, compare, bad_threshold_is_refused)
{
	struct sb_compare_policy p = {0};
	char msg[256];
	cr_assert_eq(sb_compare_policy_add(&p, c->spec, msg, sizeof(msg)),
	             SB_ERR_INVALID, "'%s' accepted", c->spec);
	cr_expect_not_null(strstr(msg, c->want), "'%s': '%s' lacks '%s'",
	                   c->spec, msg, c->want);
	cr_expect_eq(p.count, 0);
}

Test(compare, policy_holds_at_most_its_capacity)
{
	struct sb_compare_policy p = {0};
	char msg[256];
	for (int i = 0; i < SB_COMPARE_MAX_THRESHOLDS; i++)
		cr_assert_eq(
		    sb_compare_policy_add(&p, "m=1%", msg, sizeof(msg)), 0);
	cr_expect_eq(sb_compare_policy_add(&p, "m=1%", msg, sizeof(msg)),
	             SB_ERR_INVALID);
	cr_expect_str_eq(msg, "too many thresholds (at most 64)");
}

Test(compare, missing_policy_file_is_an_io_error)
{
	struct sb_compare_policy p = {0};
	char msg[256];
	cr_assert_eq(
	    sb_compare_policy_load(&p, "/nonexistent/policy", msg, sizeof(msg)),
	    SB_ERR_IO);
	cr_expect_str_eq(msg, "cannot read /nonexistent/policy: No such file "
	                      "or directory");
}

/* ---- behaviour: classes ----------------------------------------------- */

struct class_case {
	char metric[32];
	char unit[16];
	enum sb_compare_class want;
};

static struct class_case class_cases[] = {
    {"handshake_bytes", "bytes", SB_COMPARE_EXACT},
    {"flight3_datagrams", "datagrams", SB_COMPARE_EXACT},
    {"handshake_records", "records", SB_COMPARE_EXACT},
    {"handshake_flights", "flights", SB_COMPARE_EXACT},
    {"heap_allocs", "allocations", SB_COMPARE_EXACT},
    {"heap_peak", "bytes", SB_COMPARE_EXACT},
    {"heap_peak", "", SB_COMPARE_EXACT},
    {"code_text", "", SB_COMPARE_EXACT},
    {"handshake_instructions", "", SB_COMPARE_EXACT},
    {"record_overhead", "bytes", SB_COMPARE_EXACT},
    {"max_payload", "bytes", SB_COMPARE_EXACT},
    {"handshake_cycles", "cycles", SB_COMPARE_TIMING},
    {"reject_cycles", "cycles", SB_COMPARE_TIMING},
    {"handshake_ns", "ns", SB_COMPARE_TIMING},
    {"scenario", "", SB_COMPARE_OTHER},
    {"cpu_share", "percent", SB_COMPARE_OTHER},
};

ParameterizedTestParameters(compare, metric_class)
{
	return cr_make_param_array(struct class_case, class_cases,
	                           sizeof(class_cases) /
	                               sizeof(class_cases[0]));
}

ParameterizedTest(struct class_case *c, compare, metric_class)
{
	cr_expect_eq(sb_compare_metric_class(c->metric, c->unit), c->want,
	             "%s (%s)", c->metric, c->unit);
}

/* ---- behaviour: the judgement ----------------------------------------- */

Test(compare, a_file_compared_with_itself_passes)
{
	struct sb_results r = {0};
	struct sb_compare_report rep = {0};
	add(&r, exact_row("handshake_bytes", "bytes", 575));
	add(&r, exact_row("max_payload", "bytes", 1203));
	add(&r, timed_row("handshake_cycles", 70000, 72000, 82000));
	add(&r, status_row("ecdhe-psk-gcm", SB_ROW_UNSUPPORTED));
	add(&r, status_row("psk-gcm", SB_ROW_FAILED));
	cr_assert_eq(sb_compare_results_judge(&r, &r, NULL, &rep), 0);
	cr_expect_eq(rep.count, 5);
	cr_expect_eq(rep.unchanged, 5);
	cr_expect_eq(rep.regressions + rep.improvements + rep.appeared +
	                 rep.vanished,
	             0);
	sb_compare_report_free(&rep);
	sb_results_free(&r);
}

Test(compare, a_written_and_read_file_compared_with_itself_passes)
{
	struct sb_results r = {0}, read = {0};
	struct sb_compare_report rep = {0};
	char msg[256];
	add(&r, exact_row("handshake_bytes", "bytes", 575));
	add(&r, timed_row("encrypt_cycles", 498.875, 499.25, 501.5));
	add(&r, status_row("ecdhe-psk-gcm", SB_ROW_UNSUPPORTED));
	FILE *f = tmpfile();
	cr_assert_eq(sb_csv_results_write(f, &r), 0);
	rewind(f);
	cr_assert_eq(sb_csv_results_read(f, "t.csv", &read, msg, sizeof(msg)),
	             0, "%s", msg);
	fclose(f);
	cr_assert_eq(sb_compare_results_judge(&r, &read, NULL, &rep), 0);
	cr_expect_eq(rep.unchanged, 3);
	cr_expect_eq(rep.regressions, 0);
	sb_compare_report_free(&rep);
	sb_results_free(&r);
	sb_results_free(&read);
}

Test(compare, one_more_handshake_byte_fails)
{
	struct sb_compare_entry e =
	    judge_pair(exact_row("handshake_bytes", "bytes", 575),
	               exact_row("handshake_bytes", "bytes", 576), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(e.kind, SB_COMPARE_EXACT);
	cr_expect_eq(e.basis, SB_COMPARE_BY_VALUE);
	cr_expect_eq(e.delta, 1);
}

Test(compare, one_less_handshake_byte_is_an_improvement)
{
	struct sb_compare_entry e =
	    judge_pair(exact_row("handshake_bytes", "bytes", 575),
	               exact_row("handshake_bytes", "bytes", 574), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_IMPROVEMENT);
	cr_expect_eq(e.delta, -1);
}

Test(compare, smaller_max_payload_fails_larger_improves)
{
	cr_expect_eq(judge_pair(exact_row("max_payload", "bytes", 1203),
	                        exact_row("max_payload", "bytes", 1195), NULL)
	                 .outcome,
	             SB_COMPARE_REGRESSION);
	cr_expect_eq(judge_pair(exact_row("max_payload", "bytes", 1195),
	                        exact_row("max_payload", "bytes", 1203), NULL)
	                 .outcome,
	             SB_COMPARE_IMPROVEMENT);
}

Test(compare, ten_percent_slower_and_separated_fails)
{
	struct sb_compare_entry e =
	    judge_pair(timed_row("handshake_cycles", 990, 1000, 1010),
	               timed_row("handshake_cycles", 1090, 1100, 1110), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(e.basis, SB_COMPARE_BY_QUARTILES);
	cr_expect_eq(e.delta, 100);
}

Test(compare, ten_percent_slower_within_overlapping_noise_passes)
{
	/* Current p25 (950) is below baseline p75 (1200): noise. */
	struct sb_compare_entry e =
	    judge_pair(timed_row("handshake_cycles", 800, 1000, 1200),
	               timed_row("handshake_cycles", 950, 1100, 1300), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_UNCHANGED);
}

Test(compare, separated_but_below_the_threshold_passes)
{
	struct sb_compare_entry e =
	    judge_pair(timed_row("handshake_cycles", 999, 1000, 1001),
	               timed_row("handshake_cycles", 1039, 1040, 1041), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_UNCHANGED);
}

Test(compare, ten_percent_faster_and_separated_is_an_improvement)
{
	struct sb_compare_entry e =
	    judge_pair(timed_row("encrypt_cycles", 990, 1000, 1010),
	               timed_row("encrypt_cycles", 890, 900, 910), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_IMPROVEMENT);
}

/* A figure of the exact class whose samples vary within a run. */
static struct sb_row varying_row(double min, double median, double max)
{
	struct sb_row row = exact_row("handshake_bytes", "bytes", median);
	row.stats.min = row.stats.p25 = min;
	row.stats.max = row.stats.p75 = max;
	return row;
}

Test(compare, varying_exact_figure_needs_separate_ranges)
{
	/* An ECDSA signature's DER length: 997 to 999 bytes either run. */
	cr_expect_eq(judge_pair(varying_row(997, 997, 999),
	                        varying_row(997, 999, 999), NULL)
	                 .outcome,
	             SB_COMPARE_UNCHANGED);
	struct sb_compare_entry e = judge_pair(
	    varying_row(997, 998, 999), varying_row(1000, 1001, 1002), NULL);
	cr_expect_eq(e.outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(e.basis, SB_COMPARE_BY_RANGE);
	cr_expect_eq(judge_pair(varying_row(1000, 1001, 1002),
	                        varying_row(997, 998, 999), NULL)
	                 .outcome,
	             SB_COMPARE_IMPROVEMENT);
}

Test(compare, other_units_are_not_judged_on_numbers)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	struct sb_row row = exact_row("cpu_share", "percent", 10);
	add(&b, row);
	row.stats.median = row.stats.min = row.stats.max = 90;
	add(&c, row);
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.entries[0].outcome, SB_COMPARE_UNCHANGED);
	cr_expect_eq(rep.entries[0].kind, SB_COMPARE_OTHER);
	cr_expect_eq(rep.unjudged, 1);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

Test(compare, a_transcript_digest_is_not_judged)
{
	/* Random nonces change it run to run unless the run is deterministic.
	 */
	struct sb_row base = exact_row("transcript_sha256", "digest", 0);
	struct sb_row cur = base;
	base.stats = cur.stats = (struct sb_summary){.n = 20};
	memset(base.digest, 'a', 64);
	memset(cur.digest, 'b', 64);
	struct sb_compare_entry e = judge_pair(base, cur, NULL);
	cr_expect_eq(e.kind, SB_COMPARE_OTHER);
	cr_expect_eq(e.outcome, SB_COMPARE_UNCHANGED);
}

/* ---- behaviour: thresholds -------------------------------------------- */

Test(compare, absolute_threshold_is_honoured)
{
	static const char *const specs[] = {"handshake_bytes=+8", NULL};
	struct sb_compare_policy p = policy_of(specs);
	struct sb_row base = exact_row("handshake_bytes", "bytes", 575);
	cr_expect_eq(
	    judge_pair(base, exact_row("handshake_bytes", "bytes", 583), &p)
	        .outcome,
	    SB_COMPARE_UNCHANGED);
	struct sb_compare_entry e =
	    judge_pair(base, exact_row("handshake_bytes", "bytes", 584), &p);
	cr_expect_eq(e.outcome, SB_COMPARE_REGRESSION);
	cr_expect_str_eq(e.threshold.metric, "handshake_bytes");
	cr_expect_eq(e.threshold.value, 8);
	cr_expect_not(e.threshold.percent);
	/* Within the tolerance the other way is no improvement either. */
	cr_expect_eq(
	    judge_pair(base, exact_row("handshake_bytes", "bytes", 570), &p)
	        .outcome,
	    SB_COMPARE_UNCHANGED);
}

Test(compare, percent_threshold_is_honoured_for_timing)
{
	static const char *const tight[] = {"handshake_cycles=3%", NULL};
	static const char *const loose[] = {"handshake_cycles=20%", NULL};
	struct sb_compare_policy t = policy_of(tight), l = policy_of(loose);
	struct sb_row base = timed_row("handshake_cycles", 999, 1000, 1001);
	struct sb_row four = timed_row("handshake_cycles", 1039, 1040, 1041);
	struct sb_row ten = timed_row("handshake_cycles", 1099, 1100, 1101);
	cr_expect_eq(judge_pair(base, four, NULL).outcome,
	             SB_COMPARE_UNCHANGED);
	cr_expect_eq(judge_pair(base, four, &t).outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(judge_pair(base, ten, &l).outcome, SB_COMPARE_UNCHANGED);
}

Test(compare, patterns_match_and_the_last_rule_wins)
{
	static const char *const specs[] = {"*_bytes=+2", "flight?_bytes=+0",
	                                    NULL};
	struct sb_compare_policy p = policy_of(specs);
	int rule;
	struct sb_compare_threshold t = sb_compare_policy_threshold(
	    &p, "handshake_bytes", SB_COMPARE_EXACT, &rule);
	cr_expect_eq(rule, 0);
	cr_expect_eq(t.value, 2);
	t = sb_compare_policy_threshold(&p, "flight3_bytes", SB_COMPARE_EXACT,
	                                &rule);
	cr_expect_eq(rule, 1);
	cr_expect_eq(t.value, 0);
	t = sb_compare_policy_threshold(&p, "encrypt_cycles", SB_COMPARE_TIMING,
	                                &rule);
	cr_expect_eq(rule, -1);
	cr_expect(t.percent && t.value == 5, "timing default is 5%%");
}

Test(compare, policy_file_with_comments_loads)
{
	char path[] = "/tmp/sb-policy-XXXXXX", msg[256];
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs("# the project's gate\n\n  handshake_cycles = 3%  # noisy VM\n"
	      "heap_*=+64\n",
	      f);
	fclose(f);
	struct sb_compare_policy p = {0};
	int rc = sb_compare_policy_load(&p, path, msg, sizeof(msg));
	remove(path);
	cr_assert_eq(rc, 0, "%s", msg);
	cr_assert_eq(p.count, 2);
	cr_expect_str_eq(p.rules[0].metric, "handshake_cycles");
	cr_expect(p.rules[0].percent && p.rules[0].value == 3);
	cr_expect_str_eq(p.rules[1].metric, "heap_*");
	cr_expect(!p.rules[1].percent && p.rules[1].value == 64);
}

Test(compare, bad_policy_line_names_file_and_line)
{
	char path[] = "/tmp/sb-policy-XXXXXX", msg[256], want[300];
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	fputs("# ok\nhandshake_cycles=3%\nhandshake_bytes=8\n", f);
	fclose(f);
	struct sb_compare_policy p = {0};
	int rc = sb_compare_policy_load(&p, path, msg, sizeof(msg));
	remove(path);
	cr_assert_eq(rc, SB_ERR_INVALID);
	snprintf(want, sizeof(want), "%s:3: bad threshold 'handshake_bytes=8'",
	         path);
	cr_expect(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
}

Test(compare, rule_hits_count_the_rows_each_rule_decided)
{
	static const char *const specs[] = {"handshake_bytes=+8", "typo=+1",
	                                    NULL};
	struct sb_compare_policy p = policy_of(specs);
	struct sb_results r = {0};
	struct sb_compare_report rep = {0};
	add(&r, exact_row("handshake_bytes", "bytes", 575));
	cr_assert_eq(sb_compare_results_judge(&r, &r, &p, &rep), 0);
	cr_expect_eq(rep.rule_hits[0], 1);
	cr_expect_eq(rep.rule_hits[1], 0);
	sb_compare_report_free(&rep);
	sb_results_free(&r);
}

/* ---- behaviour: status and rows on one side --------------------------- */

Test(compare, rows_on_one_side_are_appeared_and_vanished)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&b, exact_row("handshake_bytes", "bytes", 575));
	add(&b, exact_row("handshake_records", "records", 10));
	add(&c, exact_row("handshake_bytes", "bytes", 575));
	add(&c, exact_row("handshake_flights", "flights", 6));
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_assert_eq(rep.count, 3);
	cr_expect_eq(rep.appeared, 1);
	cr_expect_eq(rep.vanished, 1);
	/* Missing data is never a pass: the vanished row is a regression. */
	cr_expect_eq(rep.vanished_refused, 1);
	cr_expect_eq(rep.regressions, 1);
	cr_expect_eq(rep.matched, 1);
	/* Current rows in order, then the vanished ones. */
	cr_expect_eq(rep.entries[1].outcome, SB_COMPARE_APPEARED);
	cr_expect_str_eq(rep.entries[1].current->metric, "handshake_flights");
	cr_expect_null(rep.entries[1].baseline);
	cr_expect_eq(rep.entries[2].outcome, SB_COMPARE_VANISHED);
	cr_expect_str_eq(rep.entries[2].baseline->metric, "handshake_records");
	cr_expect_null(rep.entries[2].current);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

struct status_case {
	enum sb_row_status before;
	enum sb_row_status after;
	enum sb_compare_outcome want;
};

static struct status_case status_cases[] = {
    {SB_ROW_OK, SB_ROW_FAILED, SB_COMPARE_REGRESSION},
    {SB_ROW_OK, SB_ROW_UNSUPPORTED, SB_COMPARE_REGRESSION},
    {SB_ROW_UNSUPPORTED, SB_ROW_FAILED, SB_COMPARE_REGRESSION},
    {SB_ROW_UNSUPPORTED, SB_ROW_OK, SB_COMPARE_IMPROVEMENT},
    {SB_ROW_FAILED, SB_ROW_OK, SB_COMPARE_IMPROVEMENT},
    {SB_ROW_FAILED, SB_ROW_FAILED, SB_COMPARE_UNCHANGED},
    {SB_ROW_UNSUPPORTED, SB_ROW_UNSUPPORTED, SB_COMPARE_UNCHANGED},
};

ParameterizedTestParameters(compare, status_change_of_one_row)
{
	return cr_make_param_array(struct status_case, status_cases,
	                           sizeof(status_cases) /
	                               sizeof(status_cases[0]));
}

ParameterizedTest(struct status_case *c, compare, status_change_of_one_row)
{
	struct sb_row base = status_row("psk-gcm", c->before);
	struct sb_row cur = status_row("psk-gcm", c->after);
	struct sb_compare_entry e = judge_pair(base, cur, NULL);
	cr_expect_eq(e.outcome, c->want, "%s -> %s",
	             sb_results_status_name(c->before),
	             sb_results_status_name(c->after));
	cr_expect_eq(e.basis, SB_COMPARE_BY_STATUS);
}

Test(compare, a_scenario_that_failed_is_a_regression)
{
	/* As the runner writes it: the figures give way to one status row. */
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&b, exact_row("handshake_bytes", "bytes", 575));
	add(&b, timed_row("handshake_cycles", 990, 1000, 1010));
	add(&c, status_row("psk-ccm8", SB_ROW_FAILED));
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.regressions, 1);
	cr_expect_eq(rep.vanished, 2);
	const struct sb_compare_entry *e = &rep.entries[0];
	cr_expect_eq(e->outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(e->basis, SB_COMPARE_BY_STATUS);
	cr_expect_eq(e->before, SB_ROW_OK);
	cr_expect_eq(e->after, SB_ROW_FAILED);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

Test(compare, a_scenario_that_became_unsupported_is_a_regression)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&b, exact_row("handshake_bytes", "bytes", 575));
	add(&c, status_row("psk-ccm8", SB_ROW_UNSUPPORTED));
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.regressions, 1);
	cr_expect_eq(rep.vanished, 1);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

Test(compare, a_scenario_now_supported_is_an_improvement)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&b, status_row("psk-ccm8", SB_ROW_UNSUPPORTED));
	add(&c, exact_row("handshake_bytes", "bytes", 575));
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.improvements, 1);
	cr_expect_eq(rep.appeared, 1);
	cr_expect_eq(rep.regressions, 0);
	cr_expect_eq(rep.entries[1].before, SB_ROW_UNSUPPORTED);
	cr_expect_eq(rep.entries[1].after, SB_ROW_OK);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

Test(compare, a_new_failed_scenario_fails_a_new_unsupported_one_does_not)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	add(&c, status_row("psk-gcm", SB_ROW_FAILED));
	add(&c, status_row("ecdhe-psk-gcm", SB_ROW_UNSUPPORTED));
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.entries[0].outcome, SB_COMPARE_REGRESSION);
	cr_expect_eq(rep.entries[0].before, SB_COMPARE_NO_ROW);
	cr_expect_eq(rep.entries[1].outcome, SB_COMPARE_APPEARED);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

/* ---- adversarial ------------------------------------------------------ */

Test(compare, percent_of_a_zero_baseline_allows_no_rise)
{
	static const char *const specs[] = {"heap_allocs=50%", NULL};
	struct sb_compare_policy p = policy_of(specs);
	cr_expect_eq(judge_pair(exact_row("heap_allocs", "allocations", 0),
	                        exact_row("heap_allocs", "allocations", 1), &p)
	                 .outcome,
	             SB_COMPARE_REGRESSION);
}

Test(compare, key_includes_payload_build_and_unit)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	struct sb_row row = exact_row("record_bytes", "bytes", 45);
	row.payload = 16;
	add(&b, row);
	row.payload = 64;
	row.stats.median = row.stats.min = row.stats.max = 93;
	add(&b, row);
	strcpy(row.build, "tailored"); /* another build: another row */
	add(&b, row);
	struct sb_row cur = b.rows[0];
	add(&c, cur);
	cur = b.rows[1];
	add(&c, cur);
	cur = b.rows[2];
	strcpy(cur.unit, "octets");
	add(&c, cur);
	cr_assert_eq(sb_compare_results_judge(&b, &c, NULL, &rep), 0);
	cr_expect_eq(rep.unchanged, 2);
	cr_expect_eq(rep.appeared, 1);
	cr_expect_eq(rep.vanished, 1);
	cr_expect_eq(rep.regressions, 1); /* the row in "bytes" vanished */
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}

Test(compare, a_vanished_row_named_by_the_policy_is_accepted)
{
	struct sb_results b = {0}, c = {0};
	struct sb_compare_report rep = {0};
	struct sb_compare_policy policy = {0};
	char msg[128];
	add(&b, exact_row("handshake_bytes", "bytes", 575));
	add(&b, exact_row("handshake_records", "records", 10));
	add(&c, exact_row("handshake_bytes", "bytes", 575));
	cr_assert_eq(sb_compare_policy_add(&policy,
	                                   "vanished = */*/dtls1.2/*/"
	                                   "handshake_rec*",
	                                   msg, sizeof(msg)),
	             0, "%s", msg);
	cr_assert_eq(sb_compare_results_judge(&b, &c, &policy, &rep), 0);
	cr_expect_eq(rep.vanished, 1);
	cr_expect_eq(rep.vanished_refused, 0);
	cr_expect_eq(rep.regressions, 0);
	cr_expect_eq(
	    sb_compare_policy_add(&policy, "vanished=", msg, sizeof(msg)),
	    SB_ERR_INVALID);
	sb_compare_report_free(&rep);
	sb_results_free(&b);
	sb_results_free(&c);
}
