/*
 * test_csv_read.c - the results reader: what the writer (csv.c) writes
 * reads back field for field; every malformed input is refused with one
 * message naming the file and the line.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "output/csv.h"
#include "output/csv_read.h"

#define H17                                                                    \
	"client,server,protocol,kx,suite,payload,side,metric,unit,status,"     \
	"reason,n,median,p25,p75,min,max"
#define H21 H17 ",mad,warnings,build,granularity"
#define H22 H21 ",digest"
#define H23 H22 ",conditions"
#define H25 H23 ",aead,payload_label"
#define KEY "openssl,openssl,dtls1.2,psk,psk-ccm8"
#define OK_ROW KEY ",,both,handshake_bytes,bytes,ok,,3,575,575,575,575,575,0,,,"
#define CRLF "\r\n"

/* Read `len` bytes of `text` as the file "t.csv". */
static int read_bytes(const char *text, size_t len, struct sb_results *r,
                      char *msg, size_t msg_len)
{
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	rewind(f);
	int rc = sb_csv_results_read(f, "t.csv", r, msg, msg_len);
	fclose(f);
	return rc;
}

static int read_text(const char *text, struct sb_results *r, char *msg,
                     size_t msg_len)
{
	return read_bytes(text, strlen(text), r, msg, msg_len);
}

static struct sb_row row_of(const char *metric, enum sb_row_status status)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD, .status = status};
	strcpy(row.client, "mbedtls");
	strcpy(row.server, "openssl");
	strcpy(row.protocol, "dtls1.2");
	strcpy(row.kx, "ecdhe-ecdsa");
	strcpy(row.suite, "ecdhe-ecdsa-ccm8");
	strcpy(row.side, "client");
	strcpy(row.metric, metric);
	return row;
}

static void expect_same_row(const struct sb_row *a, const struct sb_row *b)
{
	cr_expect_str_eq(a->client, b->client);
	cr_expect_str_eq(a->server, b->server);
	cr_expect_str_eq(a->protocol, b->protocol);
	cr_expect_str_eq(a->kx, b->kx);
	cr_expect_str_eq(a->suite, b->suite);
	cr_expect_eq(a->payload, b->payload);
	cr_expect_str_eq(a->side, b->side);
	cr_expect_str_eq(a->metric, b->metric);
	cr_expect_str_eq(a->unit, b->unit);
	cr_expect_eq(a->status, b->status);
	cr_expect_str_eq(a->reason, b->reason);
	cr_expect_eq(a->stats.n, b->stats.n);
	cr_expect_eq(a->stats.median, b->stats.median);
	cr_expect_eq(a->stats.p25, b->stats.p25);
	cr_expect_eq(a->stats.p75, b->stats.p75);
	cr_expect_eq(a->stats.min, b->stats.min);
	cr_expect_eq(a->stats.max, b->stats.max);
	cr_expect_eq(a->stats.mad, b->stats.mad);
	cr_expect_str_eq(a->warnings, b->warnings);
	cr_expect_str_eq(a->build, b->build);
	cr_expect_str_eq(a->granularity, b->granularity);
	cr_expect_str_eq(a->digest, b->digest);
}

/* ---- safety ----------------------------------------------------------- */

Test(csv_read, missing_file_is_an_io_error_naming_it)
{
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(
	    sb_csv_results_load("/nonexistent/x.csv", &r, msg, sizeof(msg)),
	    SB_ERR_IO);
	cr_expect_str_eq(msg, "cannot read /nonexistent/x.csv: No such file or "
	                      "directory");
	cr_expect_eq(r.count, 0);
	sb_results_free(&r);
	sb_results_free(&r);
}

Test(csv_read, a_directory_is_an_io_error)
{
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(sb_csv_results_load("/", &r, msg, sizeof(msg)), SB_ERR_IO);
	cr_expect(strstr(msg, "cannot read /: ") == msg, "%s", msg);
}

Test(csv_read, header_only_is_zero_rows)
{
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(read_text(H21 CRLF, &r, msg, sizeof(msg)), 0, "%s", msg);
	cr_expect_eq(r.count, 0);
	sb_results_free(&r);
}

Test(csv_read, failure_leaves_the_results_empty)
{
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(
	    read_text(H21 CRLF OK_ROW CRLF "x" CRLF, &r, msg, sizeof(msg)),
	    SB_ERR_INVALID);
	cr_expect_eq(r.count, 0);
	cr_expect_null(r.rows);
	sb_results_free(&r);
}

Test(csv_read, short_message_buffer_is_not_overrun)
{
	struct sb_results r = {0};
	char msg[12];
	memset(msg, 'x', sizeof(msg));
	cr_assert_eq(read_text("", &r, msg, 8), SB_ERR_INVALID);
	cr_expect_eq(strlen(msg), 7);
	cr_expect_eq(msg[8], 'x');
}

/* ---- behaviour -------------------------------------------------------- */

Test(csv_read, what_the_writer_writes_reads_back)
{
	static const char *const reasons[] = {"", "a, b", "say \"no\"",
	                                      "line1\r\nline2", "µs – ü"};
	struct sb_results written = {0}, read = {0};
	for (size_t i = 0; i < 5; i++) {
		struct sb_row row = row_of("handshake_cycles", SB_ROW_OK);
		strcpy(row.unit, "cycles");
		row.payload = (long)(16 * i);
		row.stats = (struct sb_summary){.n = 20,
		                                .median = 1234.5,
		                                .p25 = 1000,
		                                .p75 = 1300.25,
		                                .min = 900,
		                                .max = 2000,
		                                .mad = 0.125};
		strcpy(row.warnings, reasons[i]);
		strcpy(row.build, i % 2 ? "tailored" : "");
		strcpy(row.granularity, i % 2 ? "per-suite" : "");
		cr_assert_eq(sb_results_add(&written, &row), 0);
		row = row_of("scenario",
		             i % 2 ? SB_ROW_FAILED : SB_ROW_UNSUPPORTED);
		strcpy(row.side, "both");
		strcpy(row.reason, reasons[i]);
		cr_assert_eq(sb_results_add(&written, &row), 0);
	}
	/* A digest row: a count and a digest, no distribution. */
	struct sb_row row = row_of("transcript_sha256", SB_ROW_OK);
	strcpy(row.unit, "digest");
	memset(row.digest, 'a', sizeof(row.digest) - 1);
	row.stats.n = 20;
	cr_assert_eq(sb_results_add(&written, &row), 0);
	FILE *f = tmpfile();
	cr_assert_eq(sb_csv_results_write(f, &written), 0);
	rewind(f);
	char msg[256];
	cr_assert_eq(sb_csv_results_read(f, "t.csv", &read, msg, sizeof(msg)),
	             0, "%s", msg);
	fclose(f);
	cr_assert_eq(read.count, written.count);
	for (size_t i = 0; i < read.count; i++)
		expect_same_row(&read.rows[i], &written.rows[i]);
	sb_results_free(&written);
	sb_results_free(&read);
}

Test(csv_read, older_file_without_the_last_five_columns_reads)
{
	struct sb_results r = {0};
	char msg[256];
	const char *text = H17 CRLF KEY
	    ",64,client,encrypt_cycles,cycles,ok,,5,500.5,499,501,498,510" CRLF;
	cr_assert_eq(read_text(text, &r, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(r.count, 1);
	cr_expect_eq(r.rows[0].payload, 64);
	cr_expect_eq(r.rows[0].stats.median, 500.5);
	cr_expect_eq(r.rows[0].stats.mad, 0);
	cr_expect_str_eq(r.rows[0].build, "");
	sb_results_free(&r);
}

Test(csv_read, file_before_the_digest_column_reads)
{
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(read_text(H21 CRLF OK_ROW CRLF, &r, msg, sizeof(msg)), 0,
	             "%s", msg);
	cr_assert_eq(r.count, 1);
	cr_expect_str_eq(r.rows[0].digest, "");
	sb_results_free(&r);
}

Test(csv_read, lf_line_ends_bom_and_no_final_newline_are_accepted)
{
	struct sb_results r = {0};
	char msg[256];
	const char *text = "\xEF\xBB\xBF" H21 "\n" OK_ROW "\n\n" OK_ROW;
	cr_assert_eq(read_text(text, &r, msg, sizeof(msg)), 0, "%s", msg);
	cr_expect_eq(r.count, 2);
	cr_expect_str_eq(r.rows[1].metric, "handshake_bytes");
	cr_expect_eq(r.rows[1].payload, SB_NO_PAYLOAD);
	sb_results_free(&r);
}

Test(csv_read, line_numbers_count_lines_inside_quoted_fields)
{
	struct sb_results r = {0};
	char msg[256];
	/* Line 2 starts a reason that runs to line 5; line 6 is blank. */
	const char *text = H21 CRLF KEY
	    ",,both,scenario,,failed,\"one\r\ntwo\r\n\r\nthree\","
	    ",,,,,,,,," CRLF CRLF KEY
	    ",,both,handshake_bytes,bytes,okay,,3,1,1,1,1,1,0,,," CRLF;
	cr_assert_eq(read_text(text, &r, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect(strncmp(msg, "t.csv:7: unknown status 'okay'", 30) == 0, "%s",
	          msg);
}

/* ---- adversarial: each malformed input, its line and message ---------- */

struct bad_input {
	char name[40];
	char text[900]; /* inline: Criterion re-executes the binary */
	size_t line;
	char want[100];
};

static struct bad_input bad_inputs[] = {
    {"empty file", "", 1, "empty file: expected the header row"},
    {"blank lines only", "\r\n\r\n  \r\n", 1, "empty file"},
    {"no header", OK_ROW CRLF, 1,
     "no header row: the first field is 'openssl', expected 'client'"},
    {"column dropped",
     "client,server,protocol,kx,suite,payload,side,metric,unit,status,"
     "n,median,p25,p75,min,max,mad" CRLF,
     1, "missing column 'reason' (column 11 is 'n')"},
    {"columns swapped",
     "client,server,protocol,kx,suite,payload,side,metric,unit,status,"
     "reason,n,median,p75,p25,min,max" CRLF,
     1, "column 14 is 'p75', expected 'p25'"},
    {"header cut short",
     "client,server,protocol,kx,suite,payload,side,metric,unit,status,"
     "reason,n" CRLF,
     1, "missing column 'median' (the header ends after 'n')"},
    {"unknown column", H21 ",extra" CRLF, 1,
     "unknown column 'extra' (column 22)"},
    {"column past the schema", H25 ",extra" CRLF, 1,
     "unknown column 'extra' (column 26; the schema has 25)"},
    {"optional column dropped", H17 ",warnings" CRLF, 1,
     "missing column 'mad' (column 18 is 'warnings')"},
    {"digest row without n",
     H22 CRLF KEY ",,both,transcript_sha256,digest,ok,,,,,,,,,,,,"
                  "abc" CRLF,
     2, "n is empty in an ok row"},
    {"truncated row", H21 CRLF OK_ROW CRLF KEY ",,both,handshake_", 3,
     "8 fields where the header has 21 (truncated file?)"},
    {"truncated in a quote", H21 CRLF OK_ROW CRLF "\"openssl\",\"open", 3,
     "a quoted field is not closed at the end of the file"},
    {"one field too many", H21 CRLF OK_ROW ",x" CRLF, 2,
     "22 fields where the header has 21 (an unquoted comma?)"},
    {"text after a closing quote", H21 CRLF OK_ROW CRLF "\"openssl\"x," CRLF, 3,
     "malformed CSV"},
    {"malformed number",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,5x,575,575,575,575,0,,," CRLF,
     2, "median: '5x' is not a number"},
    {"nan",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,575,nan,575,575,575,0,,," CRLF,
     2, "p25: 'nan' is not a number"},
    {"hexadecimal",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,575,575,0x10,575,575,0,,," CRLF,
     2, "p75: '0x10' is not a number"},
    {"blank inside a quoted number",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,575,575,575,\" 5\",575,0,,," CRLF,
     2, "min: ' 5' is not a number"},
    {"overflowing number",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,575,575,575,575,1e999,0,,," CRLF,
     2, "max: '1e999' is not a number"},
    {"fractional n",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,2.5,575,575,575,575,575,0,,," CRLF,
     2, "n: '2.5' is not a whole number"},
    {"empty median in an ok row",
     H21 CRLF KEY
     ",,both,handshake_bytes,bytes,ok,,3,,575,575,575,575,0,,," CRLF,
     2, "median is empty in an ok row"},
    {"negative payload",
     H21 CRLF KEY
     ",-16,both,handshake_bytes,bytes,ok,,3,575,575,575,575,575,0,,," CRLF,
     2, "payload: '-16' is not a size in bytes"},
    {"unknown status",
     H21 CRLF OK_ROW CRLF KEY
     ",,both,handshake_bytes,bytes,OK,,3,575,575,575,575,575,0,,," CRLF,
     3, "unknown status 'OK' (expected ok, unsupported or failed)"},
    {"numbers in a failed row",
     H21 CRLF KEY ",,both,scenario,,failed,boom,,575,,,,,,,," CRLF, 2,
     "median is given for a row that is failed"},
    {"field too long",
     H21 CRLF
     "openssl,openssl,dtls1.2,psk,"
     "psk-ccm8-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,,both,handshake_bytes,bytes,"
     "ok,,3,575,575,575,575,575,0,,," CRLF,
     2, "suite is 40 bytes long; at most 31 fit"},
    {"empty metric",
     H21 CRLF KEY ",,both,,bytes,ok,,3,575,575,575,575,575,0,,," CRLF, 2,
     "metric is empty"},
};

ParameterizedTestParameters(csv_read, malformed_input_is_refused)
{
	return cr_make_param_array(struct bad_input, bad_inputs,
	                           sizeof(bad_inputs) / sizeof(bad_inputs[0]));
}

ParameterizedTest(struct bad_input *c, csv_read, malformed_input_is_refused)
{
	struct sb_results r = {0};
	char msg[512], prefix[32];
	int rc = read_text(c->text, &r, msg, sizeof(msg));
	cr_assert_eq(rc, SB_ERR_INVALID, "%s: rc %d", c->name, rc);
	snprintf(prefix, sizeof(prefix), "t.csv:%zu: ", c->line);
	cr_expect(strncmp(msg, prefix, strlen(prefix)) == 0,
	          "%s: '%s' does not start with '%s'", c->name, msg, prefix);
	cr_expect_not_null(strstr(msg, c->want), "%s: '%s' lacks '%s'", c->name,
	                   msg, c->want);
	cr_expect_null(strchr(msg, '\n'), "%s: not one line", c->name);
	cr_expect_eq(r.count, 0);
	sb_results_free(&r);
}

Test(csv_read, nul_byte_in_a_field_is_refused)
{
	static const char text[] = H21 CRLF "open\0ssl,openssl" CRLF;
	struct sb_results r = {0};
	char msg[256];
	cr_assert_eq(read_bytes(text, sizeof(text) - 1, &r, msg, sizeof(msg)),
	             SB_ERR_INVALID);
	cr_expect_str_eq(msg, "t.csv:2: field 1 contains a NUL byte");
}
