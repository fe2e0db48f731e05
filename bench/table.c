#include "table.h"

#include <stdbool.h>
#include <string.h>

static bool same_scenario(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->suite, b->suite) == 0;
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
		    strcmp(row->side, side) == 0 && strcmp(row->metric, metric) == 0)
			return row->stats.median;
	}
	return -1;
}

static void print_scenario(FILE *f, const struct sb_results *r, size_t first,
			   long payload)
{
	const struct sb_row *row = &r->rows[first];
	fprintf(f, "%-8s %-8s %-8s %-21s ", row->client, row->server,
		row->protocol, row->suite);
	if (row->status != SB_ROW_OK && strcmp(row->metric, "scenario") == 0) {
		fprintf(f, "%s: %s\n", row->status == SB_ROW_FAILED ? "FAILED"
								   : "unsupported",
			row->reason);
		return;
	}
	fprintf(f, "%5.0f/%-5.0f %3.0f %8.1f/%-8.1f %4.0f %7.0f/%-7.0f\n",
		median_of(r, first, "client", "handshake_bytes", SB_NO_PAYLOAD),
		median_of(r, first, "server", "handshake_bytes", SB_NO_PAYLOAD),
		median_of(r, first, "both", "handshake_flights", SB_NO_PAYLOAD),
		median_of(r, first, "client", "handshake_cycles", SB_NO_PAYLOAD) / 1e3,
		median_of(r, first, "server", "handshake_cycles", SB_NO_PAYLOAD) / 1e3,
		median_of(r, first, "client", "record_overhead", payload),
		median_of(r, first, "client", "encrypt_cycles", payload),
		median_of(r, first, "server", "decrypt_cycles", payload));
}

void sb_table_print(FILE *f, const struct sb_results *r, long payload)
{
	fprintf(f, "%-8s %-8s %-8s %-21s %-11s %3s %-17s %4s %s\n", "client",
		"server", "protocol", "suite", "hs bytes", "fl",
		"hs kcycles", "ovh", "record cycles");
	fprintf(f, "%-48s %-11s %3s %-17s %4s %s\n", "", "c>s/s>c", "",
		"client/server", "", "");
	char label[48];
	snprintf(label, sizeof(label), "enc/dec @%ldB", payload);
	fprintf(f, "%-48s %-11s %3s %-17s %4s %s\n", "", "", "", "", "", label);
	for (size_t i = 0; i < r->count; i++)
		if (i == 0 || !same_scenario(&r->rows[i], &r->rows[i - 1]))
			print_scenario(f, r, i, payload);
	fprintf(f, "\nhs bytes: handshake bytes on the wire each way; fl: flights; "
		   "hs kcycles: thousands of TSC cycles (median);\novh: bytes a "
		   "record adds to its payload; record cycles: per record, client "
		   "encrypt / server decrypt.\n");
}
