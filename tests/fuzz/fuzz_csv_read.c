/*
 * fuzz_csv_read.c - libFuzzer target: bench/output/csv_read.c, the reader
 * compare, check and the plot command share.
 *
 * Any input: no crash, no leak, no undefined behaviour (ASan, UBSan).  An
 * input the reader accepts must also pass the key check or be refused by
 * it with a message, and its rows written back as suitebench writes them
 * (what `check --canonical` hands the plot) must read back to the same
 * number of rows: a canonical file the reader refuses would make the plot
 * refuse what compare accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/compare.h"
#include "output/csv.h"
#include "output/csv_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *open_bytes(const uint8_t *data, size_t size)
{
	/* fmemopen() refuses a zero-length buffer. */
	return size ? fmemopen((void *)data, size, "r")
	            : fopen("/dev/null", "r");
}

static void round_trip(const struct sb_results *rows)
{
	char *text = NULL, msg[512];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return;
	int rc = sb_csv_results_write(out, rows);
	fclose(out);
	struct sb_results again = {0};
	FILE *in = rc == 0 ? open_bytes((const uint8_t *)text, len) : NULL;
	if (in && sb_csv_results_read(in, "canonical.csv", &again, msg,
	                              sizeof(msg)) != 0) {
		fprintf(stderr,
		        "the canonical form of an accepted CSV was "
		        "refused: %s\n",
		        msg);
		abort();
	}
	if (in && again.count != rows->count) {
		fprintf(stderr, "%zu rows read back, %zu written\n",
		        again.count, rows->count);
		abort();
	}
	if (in)
		fclose(in);
	sb_results_free(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[512];
	struct sb_results rows = {0};
	FILE *f = open_bytes(data, size);
	if (!f)
		return 0;
	int rc = sb_csv_results_read(f, "fuzz.csv", &rows, msg, sizeof(msg));
	fclose(f);
	if (rc == 0 && sb_compare_results_check(&rows, msg, sizeof(msg)) == 0)
		round_trip(&rows);
	/* A message is one line: the CLI prints it as such. */
	if (rc != 0 && strchr(msg, '\n')) {
		fprintf(stderr, "a message spans lines: %s\n", msg);
		abort();
	}
	sb_results_free(&rows);
	return 0;
}
