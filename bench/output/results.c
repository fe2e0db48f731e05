#include "output/results.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "suites/suites.h"

const char *const sb_results_columns[] = {
    "client",      "server", "protocol",   "kx",       "suite",
    "payload",     "side",   "metric",     "unit",     "status",
    "reason",      "n",      "median",     "p25",      "p75",
    "min",         "max",    "mad",        "warnings", "build",
    "granularity", "digest", "conditions", "aead",     "payload_label",
};

const size_t sb_results_column_count =
    sizeof(sb_results_columns) / sizeof(sb_results_columns[0]);

void sb_results_derive(struct sb_row *row, double max_payload)
{
	if (!row->aead[0]) {
		const struct sb_suite *suite = sb_suite_find(row->suite);
		if (suite)
			snprintf(row->aead, sizeof(row->aead), "%s",
			         sb_aead_name(suite->aead));
	}
	if (row->payload_label[0] || row->payload == SB_NO_PAYLOAD)
		return;
	if (max_payload >= 0 && (double)row->payload == max_payload)
		snprintf(row->payload_label, sizeof(row->payload_label), "max");
	else
		snprintf(row->payload_label, sizeof(row->payload_label), "%ld",
		         row->payload);
}

void sb_results_warn(struct sb_row *row, double level, const char *fmt, ...)
{
	size_t at = strlen(row->warnings);
	if (at > 0 && at + 2 < sizeof(row->warnings)) {
		strcpy(row->warnings + at, "; ");
		at += 2;
	}
	if (at < sizeof(row->warnings)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(row->warnings + at, sizeof(row->warnings) - at, fmt,
		          ap);
		va_end(ap);
	}
	if (level > row->warning_level)
		row->warning_level = level;
}

int sb_results_add(struct sb_results *results, const struct sb_row *row)
{
	if (results->count == results->cap) {
		size_t cap = results->cap ? 2 * results->cap : 64;
		struct sb_row *rows =
		    sb_mem_realloc(results->rows, cap * sizeof(*rows));
		if (!rows)
			return SB_ERR_NOMEM;
		results->rows = rows;
		results->cap = cap;
	}
	results->rows[results->count++] = *row;
	return 0;
}

void sb_results_free(struct sb_results *results)
{
	sb_mem_free(results->rows);
	memset(results, 0, sizeof(*results));
}

bool sb_results_any_failed(const struct sb_results *results)
{
	for (size_t i = 0; i < results->count; i++)
		if (results->rows[i].status == SB_ROW_FAILED)
			return true;
	return false;
}

const char *sb_results_status_name(enum sb_row_status status)
{
	switch (status) {
	case SB_ROW_OK:
		return "ok";
	case SB_ROW_UNSUPPORTED:
		return "unsupported";
	case SB_ROW_FAILED:
		return "failed";
	}
	return "?";
}

/*
 * Whole numbers below 10^15 as integers; anything else in the fewest
 * significant digits (1 to 17) that read back to the same double, as a
 * plain decimal: %.*e only picks the digits, which are then placed
 * around the decimal point by hand, so no exponent ever appears below
 * 10^15.
 */
void sb_results_format_number(double v, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (!isfinite(v)) {
		snprintf(buf, len, "%s",
		         isnan(v) ? "nan"
		         : v < 0  ? "-inf"
		                  : "inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	char sci[40];
	int prec = 0;
	for (; prec < 17; prec++) {
		snprintf(sci, sizeof(sci), "%.*e", prec, v);
		if (strtod(sci, NULL) == v)
			break;
	}
	/* Beyond a count's range, or so small that the zeros after the
	 * point would outgrow any field (a CSV may say 1e-300; the fuzzer
	 * found one): the shortest exact form in exponent notation. */
	if (fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-20)) {
		snprintf(buf, len, "%s", sci);
		return;
	}
	/* sci: [-]d[.ddd]e[+-]XX -> sign, digits, exponent. */
	const char *p = sci;
	char digits[24];
	size_t nd = 0;
	bool negative = *p == '-';
	if (negative)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	char out[64];
	size_t at = 0;
	if (negative)
		out[at++] = '-';
	if (exp < 0) {
		out[at++] = '0';
		out[at++] = '.';
		for (int i = -1; i > exp; i--)
			out[at++] = '0';
		for (size_t i = 0; i < nd; i++)
			out[at++] = digits[i];
	} else {
		/* exp < 15 here; digits beyond the point, if any, follow it */
		for (int i = 0; i <= exp; i++)
			out[at++] = (size_t)i < nd ? digits[i] : '0';
		if ((size_t)exp + 1 < nd) {
			out[at++] = '.';
			for (size_t i = (size_t)exp + 1; i < nd; i++)
				out[at++] = digits[i];
		}
	}
	out[at] = '\0';
	snprintf(buf, len, "%s", out);
}

void sb_results_row_field(const struct sb_row *row, size_t column, char *buf,
                          size_t len)
{
	const struct sb_summary *s = &row->stats;
	const double stats[] = {s->median, s->p25, s->p75,
	                        s->min,    s->max, s->mad};
	buf[0] = '\0';
	switch (column) {
	case 0:
		snprintf(buf, len, "%s", row->client);
		return;
	case 1:
		snprintf(buf, len, "%s", row->server);
		return;
	case 2:
		snprintf(buf, len, "%s", row->protocol);
		return;
	case 3:
		snprintf(buf, len, "%s", row->kx);
		return;
	case 4:
		snprintf(buf, len, "%s", row->suite);
		return;
	case 5:
		if (row->payload != SB_NO_PAYLOAD)
			snprintf(buf, len, "%ld", row->payload);
		return;
	case 6:
		snprintf(buf, len, "%s", row->side);
		return;
	case 7:
		snprintf(buf, len, "%s", row->metric);
		return;
	case 8:
		snprintf(buf, len, "%s", row->unit);
		return;
	case 9:
		snprintf(buf, len, "%s", sb_results_status_name(row->status));
		return;
	case 10:
		snprintf(buf, len, "%s", row->reason);
		return;
	case 18:
		snprintf(buf, len, "%s", row->warnings);
		return;
	case 19:
		snprintf(buf, len, "%s", row->build);
		return;
	case 20:
		snprintf(buf, len, "%s", row->granularity);
		return;
	case 21:
		snprintf(buf, len, "%s", row->digest);
		return;
	case 22:
		snprintf(buf, len, "%s", row->conditions);
		return;
	case 23:
		snprintf(buf, len, "%s", row->aead);
		return;
	case 24:
		snprintf(buf, len, "%s", row->payload_label);
		return;
	}
	if (row->status != SB_ROW_OK)
		return;
	if (column == 11)
		snprintf(buf, len, "%zu", s->n);
	else if (row->digest[0])
		return; /* a digest row has a count, not a distribution */
	else if (column >= 12 && column < 18)
		sb_results_format_number(stats[column - 12], buf, len);
}

int sb_row_group_cmp(const struct sb_row *a, const struct sb_row *b)
{
	int c;
	if ((c = strcmp(a->client, b->client)) ||
	    (c = strcmp(a->server, b->server)) ||
	    (c = strcmp(a->protocol, b->protocol)) ||
	    (c = strcmp(a->kx, b->kx)) || (c = strcmp(a->suite, b->suite)) ||
	    (c = strcmp(a->build, b->build)) ||
	    (c = strcmp(a->conditions, b->conditions)))
		return c;
	return (a->payload > b->payload) - (a->payload < b->payload);
}

int sb_row_key_cmp(const struct sb_row *a, const struct sb_row *b)
{
	int c;
	if ((c = sb_row_group_cmp(a, b)) || (c = strcmp(a->side, b->side)) ||
	    (c = strcmp(a->metric, b->metric)))
		return c;
	return strcmp(a->unit, b->unit);
}
