#include "output/csv.h"

#include <csv.h>
#include <stdbool.h>
#include <string.h>

int sb_csv_record_write(FILE *f, const char *const *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && fputc(',', f) == EOF)
			return SB_ERR_IO;
		if (csv_fwrite(f, fields[i], strlen(fields[i])) != 0)
			return SB_ERR_IO;
	}
	return fputs("\r\n", f) == EOF ? SB_ERR_IO : 0;
}

static bool same_scenario(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->suite, b->suite) == 0 &&
	       strcmp(a->build, b->build) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

/*
 * The scenario's max_payload figure, or -1: a record row whose payload
 * equals it was measured as `--payload max`.  The runner writes that
 * figure only when `max` was asked for, and beside the scenario's other
 * rows, so the search starts at the nearest ones.
 */
static double max_payload_of(const struct sb_results *results, size_t at)
{
	const struct sb_row *row = &results->rows[at];
	for (size_t d = 0; d < results->count; d++) {
		bool any = false;
		for (int dir = -1; dir <= 1; dir += 2) {
			if ((dir < 0 && d > at) ||
			    (dir > 0 && at + d >= results->count))
				continue;
			const struct sb_row *o =
			    &results->rows[dir < 0 ? at - d : at + d];
			if (!same_scenario(o, row))
				continue;
			any = true;
			if (o->status == SB_ROW_OK &&
			    strcmp(o->metric, "max_payload") == 0)
				return o->stats.median;
		}
		if (!any && d > 0)
			break; /* left the scenario's rows on both sides */
	}
	return -1;
}

int sb_csv_results_write(FILE *f, const struct sb_results *results)
{
	int rc =
	    sb_csv_record_write(f, sb_results_columns, sb_results_column_count);
	char cells[32][400];
	const char *fields[32];
	double max = -1;
	for (size_t r = 0; rc == 0 && r < results->count; r++) {
		struct sb_row row = results->rows[r];
		if (r == 0 || !same_scenario(&row, &results->rows[r - 1]))
			max = max_payload_of(results, r);
		sb_results_derive(&row, max);
		for (size_t c = 0; c < sb_results_column_count; c++) {
			sb_results_row_field(&row, c, cells[c],
			                     sizeof(cells[c]));
			fields[c] = cells[c];
		}
		rc = sb_csv_record_write(f, fields, sb_results_column_count);
	}
	return rc;
}

const char *const sb_csv_raw_columns[] = {
    "client", "server", "protocol", "kx",         "suite",  "payload",
    "side",   "metric", "unit",     "conditions", "sample", "value",
};
const size_t sb_csv_raw_column_count =
    sizeof(sb_csv_raw_columns) / sizeof(sb_csv_raw_columns[0]);

int sb_csv_raw_write(FILE *f, const struct sb_row *row, const double *values,
                     size_t count)
{
	/* The key columns (client .. unit, then conditions), sample, value. */
	static const size_t key[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 22};
	enum { KEYS = sizeof(key) / sizeof(key[0]) };
	char fields[KEYS + 2][64];
	const char *cells[KEYS + 2];
	for (size_t c = 0; c < KEYS + 2; c++)
		cells[c] = fields[c];
	for (size_t c = 0; c < KEYS; c++)
		sb_results_row_field(row, key[c], fields[c], sizeof(fields[c]));
	for (size_t i = 0; i < count; i++) {
		snprintf(fields[KEYS], sizeof(fields[KEYS]), "%zu", i);
		sb_results_format_number(values[i], fields[KEYS + 1],
		                         sizeof(fields[KEYS + 1]));
		if (sb_csv_record_write(f, cells, KEYS + 2))
			return SB_ERR_IO;
	}
	return 0;
}
