/*
 * cmd_compare.c - `suitebench compare`: the CI regression gate.  Reads a
 * baseline and a current results CSV, judges them (compare.h), prints the
 * regressions, improvements and rows on one side only, the provenance
 * lines that differ, and a one-line verdict; optionally the same as a
 * Markdown pull-request comment.
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "gate/compare.h"
#include "output/csv_read.h"
#include "output/outfile.h"
#include "output/provenance.h"

#define MAX_POLICIES 8
#define COLUMNS 8
#define CELL 256
/* A pull-request comment has a size limit (65536 characters on the
 * common hosts): sections are cut there, the job log has every row. */
#define MARKDOWN_ROWS 50
#define PROV_KEYS 128

struct compare_cli {
	const char *baseline;
	const char *current;
	const char *markdown;
	const char *policies[MAX_POLICIES];
	size_t policy_count;
	const char *thresholds[SB_COMPARE_MAX_THRESHOLDS];
	size_t threshold_count;
	char *allow_env; /* --allow-env KEY[,KEY...], or "all" */
	bool quiet;
};

/* The help text is laid out as it prints. */
/* clang-format off */
static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: suitebench compare BASELINE.csv CURRENT.csv [options]\n"
		"\n"
		"The regression gate: joins the rows of two results files on their key\n"
		"(client, server, protocol, kx, suite, payload, side, metric, unit,\n"
		"build, conditions) and judges each figure by its class:\n"
		"\n"
		"  exact figures (bytes, datagrams, records, flights, allocations,\n"
		"    instructions; heap_*, code_*): any increase beyond the tolerance\n"
		"    (default +0; heap_peak 1%%) is a regression, for max_payload any\n"
		"    decrease.  When the samples of such a figure vary within a\n"
		"    run, the [min, max] ranges of the two runs must also be apart.\n"
		"  timing figures (cycles, ns): a regression only when the median rose\n"
		"    beyond the threshold (default 5%%) AND current p25 is above\n"
		"    baseline p75, so that noise alone never fails.\n"
		"  status: ok, unsupported, failed, from better to worse; a scenario\n"
		"    that became unsupported or failed is a regression.\n"
		"  Changes for the better beyond the same thresholds are improvements;\n"
		"  rows of one file only are listed as appeared or vanished, and a\n"
		"  vanished row is a regression unless a vanished=PATTERN rule accepts\n"
		"  it: missing data is never a pass.\n"
		"\n"
		"Environments first: both files need their NAME.provenance.txt, and\n"
		"their fingerprints (cpu_model, cpu_features, compiler, build_type,\n"
		"library_<name>, options) must match, or compare refuses (exit 2)\n"
		"naming each difference: another CPU or library patch release moves\n"
		"exact figures with no change in the code.  The tool's own commit is\n"
		"not part of the fingerprint: that is what a gate tests.\n"
		"\n"
		"options:\n"
		"  --threshold M=V   for metric M (a name, or a pattern with * and ?):\n"
		"                    V is N%% of the baseline median, or +N in the\n"
		"                    metric's unit; repeatable; the last rule matching\n"
		"                    a metric wins, and these come after --policy\n"
		"  --policy FILE     rules from FILE: one M=V a line, # starts a comment;\n"
		"                    vanished=PATTERN accepts the loss of the rows whose\n"
		"                    client/server/protocol/suite/metric match PATTERN\n"
		"  --allow-env K[,K] judge despite these fingerprint differences (e.g.\n"
		"                    library_openssl to gate a library upgrade; 'all';\n"
		"                    'provenance' when a provenance file is missing)\n"
		"  --markdown FILE   also write the report as a pull-request comment\n"
		"  -q, --quiet       print only the verdict line\n"
		"  -h, --help        this help\n"
		"\n"
		"Other provenance lines that differ are printed as context.\n"
		"\n"
		"Exit status: 0 no regression, 1 a regression, 2 bad input (a missing,\n"
		"empty, header-only, truncated or malformed CSV, a missing column, a\n"
		"bad threshold), environments that differ, no row matched, or a report\n"
		"that cannot be written.\n");
}
/* clang-format on */

/* ---- options ----------------------------------------------------------- */

static int add_option(const char **list, size_t *count, size_t cap,
                      const char *what, const char *value)
{
	if (*count == cap) {
		sb_cli_error("compare: at most %zu %s options", cap, what);
		return SB_ERR_USAGE;
	}
	list[(*count)++] = value;
	return 0;
}

static int take_paths(int argc, char **argv, struct compare_cli *cli)
{
	if (argc - optind != 2) {
		sb_cli_error(
		    "compare: expected BASELINE.csv and CURRENT.csv, got "
		    "%d file%s (try 'suitebench compare --help')",
		    argc - optind, argc - optind == 1 ? "" : "s");
		return SB_ERR_USAGE;
	}
	cli->baseline = argv[optind];
	cli->current = argv[optind + 1];
	return 0;
}

/* Returns 0 to compare, 1 after --help, or SB_ERR_USAGE. */
static int parse_compare_args(int argc, char **argv, struct compare_cli *cli)
{
	static const struct option longopts[] = {
	    {"threshold", required_argument, NULL, 't'},
	    {"policy", required_argument, NULL, 'p'},
	    {"markdown", required_argument, NULL, 'm'},
	    {"allow-env", required_argument, NULL, 'e'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt, rc = 0;
	memset(cli, 0, sizeof(*cli));
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			rc = add_option(cli->thresholds, &cli->threshold_count,
			                SB_COMPARE_MAX_THRESHOLDS,
			                "--threshold", optarg);
			break;
		case 'p':
			rc = add_option(cli->policies, &cli->policy_count,
			                MAX_POLICIES, "--policy", optarg);
			break;
		case 'm':
			cli->markdown = optarg;
			break;
		case 'e':
			cli->allow_env = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			compare_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("compare: %s needs a value",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error("compare: unknown option '%s' (try "
			             "'suitebench compare --help')",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	return rc ? rc : take_paths(argc, argv, cli);
}

/* Policy files first, then --threshold, so the command line wins. */
static int build_policy(const struct compare_cli *cli,
                        struct sb_compare_policy *policy)
{
	char msg[PATH_MAX + 256];
	memset(policy, 0, sizeof(*policy));
	for (size_t i = 0; i < cli->policy_count; i++)
		if (sb_compare_policy_load(policy, cli->policies[i], msg,
		                           sizeof(msg))) {
			sb_cli_error("--policy: %s", msg);
			return SB_ERR_USAGE;
		}
	for (size_t i = 0; i < cli->threshold_count; i++)
		if (sb_compare_policy_add(policy, cli->thresholds[i], msg,
		                          sizeof(msg))) {
			sb_cli_error("--threshold: %s", msg);
			return SB_ERR_USAGE;
		}
	return 0;
}

static int load_results(const char *path, struct sb_results *results)
{
	return sb_cli_results_load(path, results);
}

/* ---- cells ------------------------------------------------------------- */

/* A value as a person reads it: whole from 1000 up, else 4 digits. */
static void number(double v, char *buf, size_t len)
{
	if ((v == floor(v) || fabs(v) >= 1000) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

static void scenario_cell(const struct sb_row *r, char *buf, size_t len)
{
	int n = strcmp(r->client, r->server) == 0
	            ? snprintf(buf, len, "%s", r->client)
	            : snprintf(buf, len, "%s/%s", r->client, r->server);
	if (n < 0 || (size_t)n >= len)
		return;
	snprintf(buf + n, len - (size_t)n, " %s %s%s%s%s", r->protocol,
	         r->suite, r->build[0] ? " [" : "", r->build,
	         r->build[0] ? "]" : "");
}

static void threshold_text(const struct sb_compare_threshold *t, char *buf,
                           size_t len)
{
	char v[32];
	number(t->value, v, sizeof(v));
	snprintf(buf, len, "%s%s%s%s%s%s", t->percent ? "" : "+", v,
	         t->percent ? "%" : "", t->metric[0] ? " (" : "", t->metric,
	         t->metric[0] ? ")" : "");
}

static const char *status_text(int status)
{
	return status == SB_COMPARE_NO_ROW
	           ? "-"
	           : sb_results_status_name((enum sb_row_status)status);
}

static void change_cell(const struct sb_compare_entry *e, char *buf, size_t len)
{
	char d[32];
	double base = fabs(e->baseline->stats.median);
	double pct = base != 0 ? 100 * e->delta / base : 0;
	number(fabs(e->delta), d, sizeof(d));
	if (base == 0)
		snprintf(buf, len, "%c%s", e->delta < 0 ? '-' : '+', d);
	else
		snprintf(buf, len,
		         fabs(pct) < 0.1 ? "%c%s (%+.2f%%)" : "%c%s (%+.1f%%)",
		         e->delta < 0 ? '-' : '+', d, pct);
}

static void rule_cell(const struct sb_compare_entry *e, char *buf, size_t len)
{
	const struct sb_summary *b = &e->baseline->stats,
	                        *c = &e->current->stats;
	bool worse = e->outcome == SB_COMPARE_REGRESSION;
	bool up = e->larger_is_better;
	char t[80], x[32], y[32];
	threshold_text(&e->threshold, t, sizeof(t));
	switch (e->basis) {
	case SB_COMPARE_BY_QUARTILES:
		number(worse ? c->p25 : c->p75, x, sizeof(x));
		number(worse ? b->p75 : b->p25, y, sizeof(y));
		snprintf(buf, len,
		         "timing, threshold %s: p%s %s %s baseline p%s %s", t,
		         worse ? "25" : "75", x, worse ? ">" : "<",
		         worse ? "75" : "25", y);
		return;
	case SB_COMPARE_BY_RANGE: {
		/* The side the current range moved to, whichever is worse. */
		bool above = worse != up;
		number(above ? c->min : c->max, x, sizeof(x));
		number(above ? b->max : b->min, y, sizeof(y));
		snprintf(buf, len,
		         "exact, tolerance %s; samples vary: current %s %s %s "
		         "baseline %s %s",
		         t, above ? "min" : "max", x, above ? ">" : "<",
		         above ? "max" : "min", y);
		return;
	}
	default:
		snprintf(buf, len, "exact%s, tolerance %s",
		         up ? " (larger is better)" : "", t);
		return;
	}
}

/* Why a status changed: the reason of the row that is not ok. */
static void status_reason(const struct sb_compare_entry *e, char *buf,
                          size_t len)
{
	const struct sb_row *r = e->current && e->current->status != SB_ROW_OK
	                             ? e->current
	                             : e->baseline;
	const char *what =
	    e->outcome == SB_COMPARE_REGRESSION ? "worse" : "better";
	if (r && r->reason[0])
		snprintf(buf, len, "status %s: %.120s", what, r->reason);
	else
		snprintf(buf, len, "status %s", what);
}

/* ---- tables: the same cells for the terminal and for Markdown ---------- */

struct table {
	const char *title;
	const char *headers[COLUMNS];
	size_t columns;
	char (*cells)[COLUMNS][CELL];
	size_t rows;
	size_t cap;
};

static int table_row(struct table *t, char (**out)[CELL])
{
	if (t->rows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		char(*cells)[COLUMNS][CELL] =
		    sb_mem_realloc(t->cells, cap * sizeof(*cells));
		if (!cells)
			return SB_ERR_NOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	*out = t->cells[t->rows++];
	memset(*out, 0, sizeof(t->cells[0]));
	return 0;
}

static void table_free(struct table *t)
{
	sb_mem_free(t->cells);
	t->cells = NULL;
	t->rows = t->cap = 0;
}

static void key_cells(const struct sb_row *r, char (*c)[CELL])
{
	scenario_cell(r, c[0], CELL);
	if (r->payload == SB_NO_PAYLOAD)
		snprintf(c[1], CELL, "-");
	else
		snprintf(c[1], CELL, "%ld", r->payload);
	snprintf(c[2], CELL, "%s", r->side);
	snprintf(c[3], CELL, "%s", r->metric);
}

static void judged_cells(const struct sb_compare_entry *e, char (*c)[CELL])
{
	key_cells(e->current ? e->current : e->baseline, c);
	if (e->basis == SB_COMPARE_BY_STATUS) {
		snprintf(c[4], CELL, "%s", status_text(e->before));
		snprintf(c[5], CELL, "%s", status_text(e->after));
		snprintf(c[6], CELL, "-");
		status_reason(e, c[7], CELL);
		return;
	}
	number(e->baseline->stats.median, c[4], CELL);
	number(e->current->stats.median, c[5], CELL);
	change_cell(e, c[6], CELL);
	rule_cell(e, c[7], CELL);
}

static void alone_cells(const struct sb_row *r, char (*c)[CELL])
{
	key_cells(r, c);
	snprintf(c[4], CELL, "%s", sb_results_status_name(r->status));
	if (r->status == SB_ROW_OK)
		number(r->stats.median, c[5], CELL);
	else
		snprintf(c[5], CELL, "%.120s", r->reason);
	if (r->status == SB_ROW_OK && r->unit[0]) {
		size_t n = strlen(c[5]);
		snprintf(c[5] + n, CELL - n, " %s", r->unit);
	}
}

static int table_fill(struct table *t, const struct sb_compare_report *rep,
                      enum sb_compare_outcome outcome)
{
	for (size_t i = 0; i < rep->count; i++) {
		const struct sb_compare_entry *e = &rep->entries[i];
		char(*c)[CELL];
		if (e->outcome != outcome)
			continue;
		if (table_row(t, &c))
			return SB_ERR_NOMEM;
		if (outcome == SB_COMPARE_APPEARED)
			alone_cells(e->current, c);
		else if (outcome == SB_COMPARE_VANISHED)
			alone_cells(e->baseline, c);
		else
			judged_cells(e, c);
	}
	return 0;
}

/* Control characters (a reason may hold a line break) become blanks. */
static void put_clean(FILE *f, const char *s, bool markdown)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			fputc(' ', f);
		else if (markdown && (ch == '|' || ch == '*' || ch == '`'))
			fprintf(f, "\\%c", ch);
		else if (markdown && ch == '<')
			fputs("&lt;", f);
		else if (markdown && ch == '>')
			fputs("&gt;", f);
		else
			fputc(ch, f);
	}
}

static void table_print_text(FILE *f, const struct table *t)
{
	size_t w[COLUMNS] = {0};
	for (size_t c = 0; c < t->columns; c++) {
		w[c] = strlen(t->headers[c]);
		for (size_t r = 0; r < t->rows; r++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	}
	fprintf(f, "\n%s (%zu)\n ", t->title, t->rows);
	for (size_t c = 0; c < t->columns; c++)
		fprintf(f, " %-*s", c + 1 < t->columns ? (int)w[c] : 0,
		        t->headers[c]);
	for (size_t r = 0; r < t->rows; r++) {
		fputs("\n ", f);
		for (size_t c = 0; c < t->columns; c++) {
			fputc(' ', f);
			put_clean(f, t->cells[r][c], false);
			if (c + 1 < t->columns)
				fprintf(f, "%*s",
				        (int)(w[c] - strlen(t->cells[r][c])),
				        "");
		}
	}
	fputc('\n', f);
}

static void table_print_markdown(FILE *f, const struct table *t)
{
	fprintf(f, "\n#### %s (%zu)\n\n|", t->title, t->rows);
	for (size_t c = 0; c < t->columns; c++)
		fprintf(f, " %s |", t->headers[c]);
	fputs("\n|", f);
	for (size_t c = 0; c < t->columns; c++)
		fputs(c == 1 || (c >= 4 && c <= 6 && t->columns > 6) ? " ---: |"
		                                                     : " --- |",
		      f);
	for (size_t r = 0; r < t->rows && r < MARKDOWN_ROWS; r++) {
		fputs("\n|", f);
		for (size_t c = 0; c < t->columns; c++) {
			fputc(' ', f);
			put_clean(f, t->cells[r][c], true);
			fputs(" |", f);
		}
	}
	fputc('\n', f);
	if (t->rows > MARKDOWN_ROWS)
		fprintf(f,
		        "\n... and %zu more rows: the job log has them all.\n",
		        t->rows - MARKDOWN_ROWS);
}

/* ---- provenance -------------------------------------------------------- */

struct prov_line {
	char key[64];
	char value[448];
};

struct provenance {
	struct prov_line lines[PROV_KEYS];
	size_t count;
	bool found;
	char path[PATH_MAX];
};

/* Measurements of the run itself, which differ every time and would
 * only bury the lines that say what changed. */
static bool prov_ignored(const char *key)
{
	static const char *const noisy[] = {
	    "date",           "command",      "cycle_frequency_hz",
	    "cycle_overhead", "load_average", "speed_probe",
	    "harness_cycles"};
	for (size_t i = 0; i < sizeof(noisy) / sizeof(noisy[0]); i++)
		if (strcmp(key, noisy[i]) == 0)
			return true;
	return false;
}

static void prov_read(const char *csv_path, struct provenance *p)
{
	char *line = NULL;
	size_t cap = 0;
	memset(p, 0, sizeof(*p));
	if (sb_provenance_path(csv_path, p->path, sizeof(p->path)))
		return;
	FILE *f = fopen(p->path, "r");
	if (!f)
		return;
	p->found = true;
	while (p->count < PROV_KEYS && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		char *colon = strchr(line, ':');
		size_t key_len = colon ? (size_t)(colon - line) : 0;
		if (key_len == 0 || key_len >= sizeof(p->lines[0].key))
			continue;
		struct prov_line *l = &p->lines[p->count++];
		memcpy(l->key, line, key_len);
		l->key[key_len] = '\0';
		snprintf(l->value, sizeof(l->value), "%s",
		         colon + strspn(colon + 1, " ") + 1);
	}
	sb_mem_free(line);
	fclose(f);
}

static const char *prov_value(const struct provenance *p, const char *key)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->lines[i].key, key) == 0)
			return p->lines[i].value;
	return NULL;
}

/* Keys of `a` whose value differs in `b`; with `only_missing`, just the
 * keys `b` lacks (the second pass, over the current file's keys). */
static size_t prov_diff(FILE *f, const struct provenance *a,
                        const struct provenance *b, bool a_is_base,
                        bool only_missing, bool markdown)
{
	size_t n = 0;
	for (size_t i = 0; i < a->count; i++) {
		const char *key = a->lines[i].key, *other = prov_value(b, key);
		if (prov_ignored(key) || (other && only_missing) ||
		    (other && strcmp(other, a->lines[i].value) == 0))
			continue;
		const char *from = a_is_base ? a->lines[i].value : other;
		const char *to = a_is_base ? other : a->lines[i].value;
		fprintf(f, markdown ? "- `%s`: " : "  %s: ", key);
		put_clean(f, from ? from : "(absent)", markdown);
		fputs(" -> ", f);
		put_clean(f, to ? to : "(absent)", markdown);
		fputc('\n', f);
		n++;
	}
	return n;
}

static void prov_print(FILE *f, const struct provenance *base,
                       const struct provenance *cur, bool markdown)
{
	if (!base->found && !cur->found)
		return;
	fputs(markdown ? "\n**Context**: provenance that differs (baseline -> "
	                 "current)\n\n"
	               : "\nContext: provenance that differs (baseline -> "
	                 "current)\n",
	      f);
	if (!base->found || !cur->found) {
		fprintf(f,
		        markdown ? "- no provenance file %s\n"
		                 : "  no provenance file %s\n",
		        base->found ? cur->path : base->path);
		return;
	}
	size_t n = prov_diff(f, base, cur, true, false, markdown);
	n += prov_diff(f, cur, base, false, true, markdown);
	if (n == 0)
		fputs(markdown ? "- none\n" : "  none\n", f);
}

/* ---- the report -------------------------------------------------------- */

struct report_view {
	const struct compare_cli *cli;
	const struct sb_compare_policy *policy;
	const struct sb_compare_report *rep;
	const struct sb_results *base;
	const struct sb_results *cur;
	struct provenance prov[2];
	struct table tables[4];
	char refused[2048], allowed[2048], keys[512];
};

static int views_fill(struct report_view *v)
{
	static const char *const judged[] = {"scenario", "payload",  "side",
	                                     "metric",   "baseline", "current",
	                                     "change",   "rule"};
	static const char *const alone[] = {"scenario", "payload",
	                                    "side",     "metric",
	                                    "status",   "median or reason"};
	static const struct {
		const char *title;
		enum sb_compare_outcome outcome;
	} sections[4] = {
	    {"Regressions", SB_COMPARE_REGRESSION},
	    {"Improvements", SB_COMPARE_IMPROVEMENT},
	    {"Appeared (current only)", SB_COMPARE_APPEARED},
	    {"Vanished (baseline only)", SB_COMPARE_VANISHED},
	};
	for (size_t s = 0; s < 4; s++) {
		struct table *t = &v->tables[s];
		bool j = s < 2;
		t->title = sections[s].title;
		t->columns = j ? 8 : 6;
		memcpy(t->headers, j ? judged : alone,
		       t->columns * sizeof(t->headers[0]));
		if (table_fill(t, v->rep, sections[s].outcome))
			return SB_ERR_NOMEM;
	}
	return 0;
}

static void verdict_print(FILE *f, const struct sb_compare_report *r,
                          bool markdown)
{
	fprintf(f,
	        "%s%s: %zu regression%s; %zu improvement%s, %zu unchanged, "
	        "%zu appeared, %zu vanished (%zu of them not accepted by the "
	        "policy: counted as regressions)\n",
	        markdown ? "\n**verdict**: " : "verdict: ",
	        r->regressions ? "FAIL" : "PASS", r->regressions,
	        r->regressions == 1 ? "" : "s", r->improvements,
	        r->improvements == 1 ? "" : "s", r->unchanged, r->appeared,
	        r->vanished, r->vanished_refused);
}

static void notes_print(FILE *f, const struct report_view *v, bool markdown)
{
	const char *bullet = markdown ? "- " : "note: ";
	bool any = false;
	for (size_t i = 0; i < v->policy->count; i++)
		if (v->rep->rule_hits[i] == 0) {
			fprintf(f, "%s%sthreshold '%s' matched no judged row\n",
			        markdown && !any ? "\n" : "", bullet,
			        v->policy->rules[i].metric);
			any = true;
		}
	if (v->rep->unjudged)
		fprintf(f,
		        "%s%s%zu row%s with a unit the gate does not judge "
		        "(neither a count nor cycles or ns)\n",
		        markdown && !any ? "\n" : "", bullet, v->rep->unjudged,
		        v->rep->unjudged == 1 ? "" : "s");
}

static void report_print(FILE *f, const struct report_view *v, bool markdown)
{
	const struct compare_cli *cli = v->cli;
	const char *bs = v->base->count == 1 ? "" : "s";
	const char *cs = v->cur->count == 1 ? "" : "s";
	if (markdown)
		fprintf(f,
		        "### suitebench compare: %s\n\nBaseline `%s` (%zu "
		        "row%s), current `%s` (%zu row%s).\n",
		        v->rep->regressions ? "regression" : "no regression",
		        cli->baseline, v->base->count, bs, cli->current,
		        v->cur->count, cs);
	else
		fprintf(f,
		        "baseline: %s (%zu row%s)\ncurrent:  %s (%zu row%s)\n",
		        cli->baseline, v->base->count, bs, cli->current,
		        v->cur->count, cs);
	if (v->allowed[0])
		fprintf(f,
		        markdown
		            ? "\n**Environment under test** (allowed): %s. "
		              "The changes below came with it.\n"
		            : "environment under test (allowed): %s; the "
		              "changes below came with it\n",
		        v->allowed);
	prov_print(f, &v->prov[0], &v->prov[1], markdown);
	for (size_t s = 0; s < 4; s++)
		if (v->tables[s].rows)
			(markdown ? table_print_markdown
			          : table_print_text)(f, &v->tables[s]);
	if (!markdown)
		fputc('\n', f);
	notes_print(f, v, markdown);
	verdict_print(f, v->rep, markdown);
}

/* The report must not land on an input, nor on stdout beside the table. */
static int check_markdown(const struct compare_cli *cli)
{
	struct sb_cli_path paths[3 + MAX_POLICIES] = {
	    {"--markdown", cli->markdown, true, false},
	    {"the baseline", cli->baseline, false, false},
	    {"the current CSV", cli->current, false, false},
	};
	size_t n = 3;
	for (size_t i = 0; i < cli->policy_count; i++)
		paths[n++] = (struct sb_cli_path){"--policy", cli->policies[i],
		                                  false, false};
	paths[n++] = (struct sb_cli_path){"the report", "-", true, false};
	return sb_cli_paths_check(paths, n);
}

static int open_markdown(const char *path, struct sb_outfile *out)
{
	char msg[PATH_MAX + 64];
	if (sb_outfile_open(out, path, msg, sizeof(msg))) {
		sb_cli_error("--markdown: %s", msg);
		return SB_ERR_USAGE;
	}
	return 0;
}

static int write_markdown(struct sb_outfile *out, const struct report_view *v)
{
	char msg[PATH_MAX + 64] = "";
	report_print(out->f, v, true);
	if (sb_outfile_commit(out, msg, sizeof(msg))) {
		sb_cli_error("--markdown: %s", msg);
		return SB_ERR_IO;
	}
	return 0;
}

/* Whether --allow-env names `key` (a comma-separated list, or "all"). */
static bool env_allowed(const struct compare_cli *cli, const char *key)
{
	const char *list = cli->allow_env;
	size_t n = strlen(key);
	if (!list)
		return false;
	if (strcmp(list, "all") == 0)
		return true;
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, key, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Append to `buf` (a line being built) without overflowing it. */
static void env_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void env_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	if (at < len)
		vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

/*
 * The environment fingerprints of both files (provenance.h) must match
 * for their figures to be judged against each other: another CPU model,
 * library patch release or option moves exact figures with no change in
 * the code.  Differences --allow-env names go to `allowed`, the others to
 * `refused` (each "key (from -> to)", comma-separated, names only in
 * `keys`).  Returns how many were refused.
 */
static size_t env_check(const struct compare_cli *cli,
                        const struct provenance *base,
                        const struct provenance *cur, char *refused,
                        char *allowed, char *keys, size_t len)
{
	size_t n = 0;
	refused[0] = allowed[0] = keys[0] = '\0';
	for (int side = 0; side < 2; side++) {
		const struct provenance *p = side ? cur : base;
		if (!p->found && !env_allowed(cli, "provenance")) {
			env_append(refused, len, "%sno provenance beside %s",
			           n ? ", " : "",
			           side ? cli->current : cli->baseline);
			env_append(keys, len, "%sprovenance", n ? "," : "");
			n++;
		}
	}
	if (!base->found || !cur->found)
		return n;
	for (int side = 0; side < 2; side++) {
		const struct provenance *a = side ? cur : base;
		const struct provenance *b = side ? base : cur;
		for (size_t i = 0; i < a->count; i++) {
			const char *key = a->lines[i].key;
			const char *other = prov_value(b, key);
			/* Each key once: the current file's pass only adds the
			 * keys the baseline lacks. */
			if (!sb_provenance_is_fingerprint(key) ||
			    (other &&
			     (side || strcmp(other, a->lines[i].value) == 0)))
				continue;
			const char *from = side ? other : a->lines[i].value;
			const char *to = side ? a->lines[i].value : other;
			bool ok = env_allowed(cli, key);
			char *into = ok ? allowed : refused;
			env_append(into, len, "%s%s (%s -> %s)",
			           into[0] ? ", " : "", key,
			           from ? from : "absent", to ? to : "absent");
			if (!ok)
				env_append(keys, len, "%s%s", n ? "," : "",
				           key);
			n += !ok;
		}
	}
	return n;
}

static int judge_and_report(const struct compare_cli *cli,
                            const struct sb_compare_policy *policy,
                            struct sb_outfile *md, int *status)
{
	struct sb_results base = {0}, cur = {0};
	struct sb_compare_report rep = {0};
	struct report_view *v = sb_mem_calloc(1, sizeof(*v));
	int rc = v ? 0 : SB_ERR_NOMEM;
	if (rc == 0 && (load_results(cli->baseline, &base) ||
	                load_results(cli->current, &cur)))
		rc = SB_ERR_USAGE;
	char allowed[sizeof(v->allowed)] = "";
	if (rc == 0) {
		prov_read(cli->baseline, &v->prov[0]);
		prov_read(cli->current, &v->prov[1]);
	}
	if (rc == 0 && env_check(cli, &v->prov[0], &v->prov[1], v->refused,
	                         allowed, v->keys, sizeof(v->refused))) {
		sb_cli_error("compare: the environments differ: %s; to judge "
		             "anyway, name what is under test: --allow-env %s",
		             v->refused, v->keys);
		rc = SB_ERR_USAGE;
	}
	if (rc == 0 && (base.count == 0 || cur.count == 0)) {
		sb_cli_error("compare: %s has no rows: nothing to judge",
		             base.count == 0 ? cli->baseline : cli->current);
		rc = SB_ERR_USAGE;
	}
	if (rc == 0 && sb_compare_results_judge(&base, &cur, policy, &rep))
		rc = SB_ERR_NOMEM; /* keys were checked: only memory is left */
	if (rc == 0 && rep.matched == 0) {
		sb_cli_error("compare: no row of %s matches a row of %s: "
		             "nothing was compared",
		             cli->current, cli->baseline);
		rc = SB_ERR_USAGE;
	}
	if (rc == 0) {
		*v = (struct report_view){.cli = cli,
		                          .policy = policy,
		                          .rep = &rep,
		                          .base = &base,
		                          .cur = &cur,
		                          .prov = {v->prov[0], v->prov[1]}};
		memcpy(v->allowed, allowed, sizeof(allowed));
		rc = views_fill(v);
	}
	if (rc == 0 && !cli->quiet)
		report_print(stdout, v, false);
	else if (rc == 0)
		verdict_print(stdout, &rep, false);
	if (rc == 0 && cli->markdown)
		rc = write_markdown(md, v);
	if (rc == SB_ERR_NOMEM)
		sb_cli_error("out of memory");
	*status = rep.regressions ? SB_EXIT_FAILURE : SB_EXIT_OK;
	for (size_t s = 0; v && s < 4; s++)
		table_free(&v->tables[s]);
	sb_mem_free(v);
	sb_compare_report_free(&rep);
	sb_results_free(&base);
	sb_results_free(&cur);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli cli;
	struct sb_compare_policy policy;
	struct sb_outfile md = {0};
	int status = SB_EXIT_OK;
	int rc = parse_compare_args(argc, argv, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	if (build_policy(&cli, &policy) ||
	    (cli.markdown &&
	     (check_markdown(&cli) || open_markdown(cli.markdown, &md))))
		return SB_EXIT_USAGE;
	rc = judge_and_report(&cli, &policy, &md, &status);
	sb_outfile_abort(&md);
	return rc ? SB_EXIT_USAGE : status;
}
