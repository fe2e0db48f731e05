#include "output/table.h"

#include <stdbool.h>
#include <string.h>

static bool same_scenario(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->suite, b->suite) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

/* The median of one metric of the scenario starting at `first`, or -1. */
static double median_of(const struct sb_results *r, size_t first,
                        const char *side, const char *metric, long payload)
{
	for (size_t i = first; i < r->count; i++) {
		const struct sb_row *row = &r->rows[i];
		if (!same_scenario(row, &r->rows[first]))
			break;
		if (row->status == SB_ROW_OK && row->payload == payload &&
		    strcmp(row->side, side) == 0 &&
		    strcmp(row->metric, metric) == 0)
			return row->stats.median;
	}
	return -1;
}

/* A median, or "-" where the scenario has no such figure. */
static void print_value(FILE *f, int width, double value, int decimals)
{
	if (value < 0)
		fprintf(f, " %*s", width, "-");
	else
		fprintf(f, " %*.*f", width, decimals, value);
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

static void print_scenario(FILE *f, const struct sb_results *r, size_t first,
                           long payload, const struct table_metrics *m)
{
	const struct sb_row *row = &r->rows[first];
	char pair[64];
	snprintf(pair, sizeof(pair), "%s/%s", row->client, row->server);
	char suite[96];
	snprintf(suite, sizeof(suite), "%s%s%s", row->suite,
	         row->conditions[0] ? " " : "", row->conditions);
	fprintf(f, "%-17s %-8s %-21s", pair, row->protocol, suite);
	if (row->status != SB_ROW_OK && strcmp(row->metric, "scenario") == 0) {
		fprintf(f, " %s: %s\n",
		        row->status == SB_ROW_FAILED ? "FAILED" : "unsupported",
		        row->reason);
		return;
	}
	print_value(
	    f, 5,
	    median_of(r, first, "client", "handshake_bytes", SB_NO_PAYLOAD), 0);
	print_value(
	    f, 5,
	    median_of(r, first, "server", "handshake_bytes", SB_NO_PAYLOAD), 0);
	print_value(
	    f, 3,
	    median_of(r, first, "both", "handshake_flights", SB_NO_PAYLOAD), 0);
	double client =
	    median_of(r, first, "client", m->handshake, SB_NO_PAYLOAD);
	double server =
	    median_of(r, first, "server", m->handshake, SB_NO_PAYLOAD);
	print_value(f, 8, client < 0 ? client : client / 1e3, 1);
	print_value(f, 8, server < 0 ? server : server / 1e3, 1);
	print_value(
	    f, 4, median_of(r, first, "client", "record_overhead", payload), 0);
	print_value(f, 7, median_of(r, first, "client", m->encrypt, payload),
	            0);
	print_value(f, 7, median_of(r, first, "server", m->decrypt, payload),
	            0);
	fputc('\n', f);
}

void sb_table_print(FILE *f, const struct sb_results *r, long payload,
                    bool instructions)
{
	const struct table_metrics *m =
	    instructions ? &instruction_metrics : &cycle_metrics;
	char enc[16], dec[16], cli[16], srv[16];
	snprintf(enc, sizeof(enc), "enc@%ld", payload);
	snprintf(dec, sizeof(dec), "dec@%ld", payload);
	snprintf(cli, sizeof(cli), "%s cli", m->unit);
	snprintf(srv, sizeof(srv), "%s srv", m->unit);
	fprintf(f, "%-17s %-8s %-21s %5s %5s %3s %8s %8s %4s %7s %7s\n",
	        "client/server", "protocol", "suite", "c>s B", "s>c B", "fl",
	        cli, srv, "ovh", enc, dec);
	for (size_t i = 0; i < r->count; i++)
		if (i == 0 || !same_scenario(&r->rows[i], &r->rows[i - 1]))
			print_scenario(f, r, i, payload, m);
	fprintf(f,
	        "\nc>s B, s>c B: handshake bytes on the wire each way; fl: "
	        "flights; %s: handshake\nthousands of %s, client and server; "
	        "ovh: bytes a record adds to its payload;\nenc, dec: %s per "
	        "record of %ld bytes, client encrypt and server decrypt.\n"
	        "All figures are medians; the CSV has the spread and every "
	        "other metric.\n",
	        m->unit, instructions ? "instructions" : "TSC cycles",
	        instructions ? "instructions" : "TSC cycles", payload);
}
