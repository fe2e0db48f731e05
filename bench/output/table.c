#include "output/table.h"

#include <stdbool.h>
#include <string.h>

/* The table fits a 100-column terminal: reasons go to numbered footnotes
 * below it, the pair heads its group of lines, and each column is sized
 * for the widest figure the matrix produces. */
#define TABLE_WIDTH 100
#define MAX_NOTES 64

static bool same_scenario(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->suite, b->suite) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

static bool same_group(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

/* The suite column: as wide as the longest name in the results. */
static int suite_width(const struct sb_results *r)
{
	size_t w = strlen("suite");
	for (size_t i = 0; i < r->count; i++)
		if (strlen(r->rows[i].suite) > w)
			w = strlen(r->rows[i].suite);
	return (int)w;
}

/* One metric of the scenario starting at `first`, or NULL. */
static const struct sb_row *figure_of(const struct sb_results *r, size_t first,
                                      const char *side, const char *metric,
                                      long payload)
{
	for (size_t i = first; i < r->count; i++) {
		const struct sb_row *row = &r->rows[i];
		if (!same_scenario(row, &r->rows[first]))
			break;
		if (row->status == SB_ROW_OK && row->payload == payload &&
		    strcmp(row->side, side) == 0 &&
		    strcmp(row->metric, metric) == 0)
			return row;
	}
	return NULL;
}

/* A count: "-" where the scenario has no such figure. */
static void print_count(FILE *f, int width, const struct sb_row *row)
{
	if (row)
		fprintf(f, " %*.0f", width, row->stats.median);
	else
		fprintf(f, " %*s", width, "-");
}

/*
 * A median divided by `scale`, then its spread: half the p25..p75 range
 * in per cent of the median ("±2%"), left-aligned in five columns.  The
 * "±" is two bytes and one column, so the padding is counted by hand.
 */
static void print_timed(FILE *f, int width, int decimals, double scale,
                        const struct sb_row *row)
{
	if (!row) {
		fprintf(f, " %*s      ", width, "-");
		return;
	}
	const struct sb_summary *s = &row->stats;
	double v = s->median / scale;
	/* Four figures fit: 8751.1 thousand cycles shows as 8751. */
	fprintf(f, " %*.*f", width, v >= 1000 ? 0 : decimals, v);
	char spread[16] = "";
	if (s->median > 0 && s->p75 >= s->p25) {
		double pct = (s->p75 - s->p25) / 2 / s->median * 100;
		snprintf(spread, sizeof(spread), pct < 1000 ? "±%.0f%%" : "±++",
		         pct);
	}
	int shown = (int)strlen(spread) - (spread[0] ? 1 : 0);
	fprintf(f, " %s%*s", spread, shown < 5 ? 5 - shown : 0, "");
}

struct notes {
	char text[MAX_NOTES][sizeof(((struct sb_row *)0)->reason)];
	unsigned count;
};

/* The footnote number of `text`, one per distinct sentence. */
static unsigned note_number(struct notes *notes, const char *text)
{
	for (unsigned n = 0; n < notes->count; n++)
		if (strcmp(notes->text[n], text) == 0)
			return n + 1;
	if (notes->count == MAX_NOTES)
		return MAX_NOTES;
	snprintf(notes->text[notes->count], sizeof(notes->text[0]), "%s", text);
	return ++notes->count;
}

void sb_table_footnote(FILE *f, unsigned number, const char *text)
{
	char mark[16];
	int indent = snprintf(mark, sizeof(mark), "[%u] ", number);
	fputs(mark, f);
	int col = indent;
	const char *p = text;
	while (*p) {
		size_t word = strcspn(p, " ");
		if (col > indent && col + 1 + (int)word > TABLE_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, word, f);
		col += (int)word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

/* The metric names the table shows: cycles, or instructions. */
struct table_metrics {
	const char *handshake, *encrypt, *decrypt, *unit;
};

static const struct table_metrics cycle_metrics = {
    "handshake_cycles", "encrypt_cycles", "decrypt_cycles", "kcyc"};
static const struct table_metrics instruction_metrics = {
    "handshake_instructions", "encrypt_instructions", "decrypt_instructions",
    "kins"};

static void print_line(FILE *f, const struct sb_results *r, size_t first,
                       long payload, const struct table_metrics *m,
                       struct notes *notes)
{
	const struct sb_row *row = &r->rows[first];
	fprintf(f, "  %-*s", suite_width(r), row->suite);
	if (row->status != SB_ROW_OK && strcmp(row->metric, "scenario") == 0) {
		fprintf(f, " %s [%u]",
		        row->status == SB_ROW_FAILED ? "FAILED" : "unsupported",
		        note_number(notes, row->reason));
		return;
	}
	print_count(
	    f, 5,
	    figure_of(r, first, "client", "handshake_bytes", SB_NO_PAYLOAD));
	print_count(
	    f, 5,
	    figure_of(r, first, "server", "handshake_bytes", SB_NO_PAYLOAD));
	print_count(
	    f, 2,
	    figure_of(r, first, "both", "handshake_flights", SB_NO_PAYLOAD));
	print_timed(f, 6, 1, 1e3,
	            figure_of(r, first, "client", m->handshake, SB_NO_PAYLOAD));
	print_timed(f, 6, 1, 1e3,
	            figure_of(r, first, "server", m->handshake, SB_NO_PAYLOAD));
	print_count(f, 3,
	            figure_of(r, first, "client", "record_overhead", payload));
	print_timed(f, 5, 0, 1,
	            figure_of(r, first, "client", m->encrypt, payload));
	print_timed(f, 5, 0, 1,
	            figure_of(r, first, "server", m->decrypt, payload));
}

static void print_scenario(FILE *f, const struct sb_results *r, size_t first,
                           long payload, const struct table_metrics *m,
                           struct notes *notes)
{
	char line[256];
	FILE *out = fmemopen(line, sizeof(line), "w");
	if (!out)
		return;
	print_line(out, r, first, payload, m, notes);
	fclose(out);
	/* The spread's padding would leave blanks at the end. */
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\n'))
		line[--len] = '\0';
	fprintf(f, "%s\n", line);
}

void sb_table_print(FILE *f, const struct sb_results *r, long payload,
                    bool instructions)
{
	static struct notes notes;
	notes.count = 0;
	const struct table_metrics *m =
	    instructions ? &instruction_metrics : &cycle_metrics;
	char enc[16], dec[16], cli[16], srv[16];
	snprintf(enc, sizeof(enc), "enc@%ld", payload);
	snprintf(dec, sizeof(dec), "dec@%ld", payload);
	snprintf(cli, sizeof(cli), "%s cli", m->unit);
	snprintf(srv, sizeof(srv), "%s srv", m->unit);
	fprintf(f, "  %-*s %5s %5s %2s %-12s %-12s %3s %-11s %s\n",
	        suite_width(r), "suite", "c>s B", "s>c B", "fl", cli, srv,
	        "ovh", enc, dec);
	for (size_t i = 0; i < r->count; i++) {
		if (i > 0 && same_scenario(&r->rows[i], &r->rows[i - 1]))
			continue;
		const struct sb_row *row = &r->rows[i];
		if (i == 0 || !same_group(row, &r->rows[i - 1]))
			fprintf(f, "%s → %s, %s%s%s\n", row->client,
			        row->server, row->protocol,
			        row->conditions[0] ? ", " : "",
			        row->conditions);
		print_scenario(f, r, i, payload, m, &notes);
	}
	fprintf(f,
	        "\nc>s B, s>c B: handshake bytes on the wire each way; fl: "
	        "flights; %s: handshake\nthousands of %s, client and server; "
	        "ovh: bytes a record adds to its payload;\nenc, dec: %s per "
	        "record of %ld bytes, client encrypt and server decrypt.\n"
	        "Medians; ±: half the p25–p75 range in %% of the median.  "
	        "The CSV has every metric.\n",
	        m->unit, instructions ? "instructions" : "TSC cycles",
	        instructions ? "instructions" : "TSC cycles", payload);
	for (unsigned n = 0; n < notes.count; n++)
		sb_table_footnote(f, n + 1, notes.text[n]);
}
