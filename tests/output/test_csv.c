/*
 * test_csv.c - the CSV writer, read back with libcsv's own parser.
 */
#include <criterion/criterion.h>
#include <csv.h>
#include <stdio.h>
#include <string.h>

#include "output/csv.h"

#define MAX_FIELDS 32
#define MAX_ROWS 8

struct parsed {
	char fields[MAX_ROWS][MAX_FIELDS][400];
	size_t counts[MAX_ROWS];
	size_t rows;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct parsed *p = ctx;
	cr_assert_lt(p->rows, MAX_ROWS);
	size_t f = p->counts[p->rows]++;
	cr_assert_lt(f, MAX_FIELDS);
	cr_assert_lt(len, sizeof(p->fields[0][0]));
	memcpy(p->fields[p->rows][f], data, len);
	p->fields[p->rows][f][len] = '\0';
}

static void on_row(int term, void *ctx)
{
	(void)term;
	((struct parsed *)ctx)->rows++;
}

/* Write `results` to memory and parse it back strictly. */
static void round_trip(const struct sb_results *results, struct parsed *p,
                       char *raw, size_t raw_len)
{
	FILE *f = fmemopen(raw, raw_len, "w");
	cr_assert_not_null(f);
	cr_assert_eq(sb_csv_results_write(f, results), 0);
	fclose(f);
	struct csv_parser parser;
	cr_assert_eq(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
	memset(p, 0, sizeof(*p));
	size_t len = strlen(raw);
	cr_assert_eq(csv_parse(&parser, raw, len, on_field, on_row, p), len,
	             "libcsv: %s", csv_strerror(csv_error(&parser)));
	cr_assert_eq(csv_fini(&parser, on_field, on_row, p), 0);
	csv_free(&parser);
}

static struct sb_row sample_row(void)
{
	struct sb_row row = {.payload = 64,
	                     .stats = {.n = 5,
	                               .median = 1234.5,
	                               .p25 = 1000,
	                               .p75 = 1300,
	                               .min = 900,
	                               .max = 2000,
	                               .mad = 0.25}};
	strcpy(row.client, "openssl");
	strcpy(row.server, "openssl");
	strcpy(row.protocol, "dtls1.2");
	strcpy(row.kx, "psk");
	strcpy(row.suite, "psk-ccm8");
	strcpy(row.side, "client");
	strcpy(row.metric, "encrypt_cycles");
	strcpy(row.unit, "cycles");
	return row;
}

/* ---- safety ----------------------------------------------------------- */

Test(csv, empty_results_write_only_the_header)
{
	static char raw[4096];
	struct sb_results results = {0};
	struct parsed p;
	round_trip(&results, &p, raw, sizeof(raw));
	cr_assert_eq(p.rows, 1);
	cr_assert_eq(p.counts[0], 25);
	cr_assert_str_eq(p.fields[0][0], "client");
	cr_assert_str_eq(p.fields[0][16], "max");
	cr_assert_str_eq(p.fields[0][20], "granularity");
	cr_assert_str_eq(p.fields[0][21], "digest");
	cr_assert_str_eq(p.fields[0][22], "conditions");
	cr_assert_str_eq(p.fields[0][23], "aead");
	cr_assert_str_eq(p.fields[0][24], "payload_label");
}

Test(csv, write_error_is_reported)
{
	char tiny[8];
	FILE *f = fmemopen(tiny, sizeof(tiny), "w");
	setvbuf(f, NULL, _IONBF, 0);
	struct sb_results results = {0};
	cr_assert_eq(sb_csv_results_write(f, &results), SB_ERR_IO);
	fclose(f);
}

/* ---- behaviour -------------------------------------------------------- */

Test(csv, header_columns_are_the_schema)
{
	static const char *const want[] = {
	    "client",      "server", "protocol",   "kx",       "suite",
	    "payload",     "side",   "metric",     "unit",     "status",
	    "reason",      "n",      "median",     "p25",      "p75",
	    "min",         "max",    "mad",        "warnings", "build",
	    "granularity", "digest", "conditions", "aead",     "payload_label"};
	cr_assert_eq(sb_results_column_count, 25);
	for (size_t i = 0; i < 25; i++)
		cr_assert_str_eq(sb_results_columns[i], want[i]);
}

Test(csv, ok_row_round_trips)
{
	static char raw[4096];
	struct sb_results results = {0};
	struct sb_row row = sample_row();
	cr_assert_eq(sb_results_add(&results, &row), 0);
	struct parsed p;
	round_trip(&results, &p, raw, sizeof(raw));
	cr_assert_eq(p.rows, 2);
	const char *const want[] = {
	    "openssl",  "openssl", "dtls1.2", "psk",
	    "psk-ccm8", "64",      "client",  "encrypt_cycles",
	    "cycles",   "ok",      "",        "5",
	    "1234.5",   "1000",    "1300",    "900",
	    "2000",     "0.25",    "",        "",
	    "",         "",        "",        "aes-128-ccm-8",
	    "64"};
	for (size_t i = 0; i < 25; i++)
		cr_expect_str_eq(p.fields[1][i], want[i], "column %zu", i);
	cr_assert_not_null(strstr(raw, "\"payload_label\"\r\n"),
	                   "RFC 4180 wants CRLF");
	sb_results_free(&results);
}

/* The largest record lines up across suites: its label is "max" where the
 * scenario's max_payload is the row's payload, its byte count elsewhere. */
Test(csv, payload_label_says_max_for_the_largest_record)
{
	static char raw[8192];
	struct sb_results results = {0};
	struct sb_row row = sample_row();
	cr_assert_eq(sb_results_add(&results, &row), 0); /* 64 bytes */
	row.payload = 1203;
	cr_assert_eq(sb_results_add(&results, &row), 0);
	row.payload = SB_NO_PAYLOAD;
	strcpy(row.metric, "max_payload");
	strcpy(row.unit, "bytes");
	row.stats.median = 1203;
	cr_assert_eq(sb_results_add(&results, &row), 0);
	/* Another suite's scenario: 1203 there is not its max. */
	row = sample_row();
	strcpy(row.suite, "ecdhe-ecdsa-chacha20");
	row.payload = 1203;
	cr_assert_eq(sb_results_add(&results, &row), 0);
	struct parsed p;
	round_trip(&results, &p, raw, sizeof(raw));
	cr_assert_eq(p.rows, 5);
	cr_expect_str_eq(p.fields[1][24], "64");
	cr_expect_str_eq(p.fields[2][24], "max");
	cr_expect_str_eq(p.fields[2][5], "1203", "the byte count stays");
	cr_expect_str_eq(p.fields[3][24], "", "no payload, no label");
	cr_expect_str_eq(p.fields[4][24], "1203");
	cr_expect_str_eq(p.fields[4][23], "chacha20-poly1305");
	sb_results_free(&results);
}

Test(csv, failed_row_has_no_numbers)
{
	static char raw[4096];
	struct sb_results results = {0};
	struct sb_row row = sample_row();
	row.status = SB_ROW_FAILED;
	row.payload = SB_NO_PAYLOAD;
	strcpy(row.reason, "handshake failed");
	cr_assert_eq(sb_results_add(&results, &row), 0);
	struct parsed p;
	round_trip(&results, &p, raw, sizeof(raw));
	cr_assert_str_eq(p.fields[1][5], "", "no payload");
	cr_assert_str_eq(p.fields[1][9], "failed");
	cr_assert_str_eq(p.fields[1][10], "handshake failed");
	for (size_t i = 11; i < 18; i++)
		cr_assert_str_eq(p.fields[1][i], "", "column %zu has a number",
		                 i);
	sb_results_free(&results);
}

/* ---- adversarial: odd characters survive ------------------------------ */

Test(csv, quotes_commas_newlines_and_utf8_survive)
{
	static char raw[8192];
	static const char *const reasons[] = {
	    "a, b", "say \"no\"", "line1\r\nline2", "µs – ü", "trailing,", "\"",
	    ""};
	struct sb_results results = {0};
	for (size_t i = 0; i < 7; i++) {
		struct sb_row row = sample_row();
		row.status = SB_ROW_UNSUPPORTED;
		strcpy(row.reason, reasons[i]);
		cr_assert_eq(sb_results_add(&results, &row), 0);
	}
	struct parsed p;
	round_trip(&results, &p, raw, sizeof(raw));
	cr_assert_eq(p.rows, 8);
	for (size_t i = 0; i < 7; i++) {
		cr_expect_eq(p.counts[i + 1], 25);
		cr_expect_str_eq(p.fields[i + 1][10], reasons[i]);
	}
	sb_results_free(&results);
}
