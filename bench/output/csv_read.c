#include "output/csv_read.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

/* Columns a file must have: client .. max; mad and later may be missing. */
#define REQUIRED_COLUMNS 17
#define SCHEMA_COLUMNS 25
#define DIGEST_COLUMN 21
/* Longer than any field the writer produces (reason: 319 bytes). */
#define CELL_MAX 400

enum column_kind {
	COL_TEXT,    /* a string member of the row */
	COL_PAYLOAD, /* empty (no payload) or a whole number of bytes */
	COL_STATUS,  /* ok, unsupported or failed */
	COL_COUNT,   /* n: a whole number, required in an ok row */
	COL_NUMBER,  /* a statistic: a decimal, required in an ok row */
};

struct column {
	enum column_kind kind;
	size_t offset; /* into struct sb_row */
	size_t size;   /* of a text member */
	bool required; /* text: must not be empty; number: required when ok */
};

#define TEXT(member, req)                                                      \
	{                                                                      \
		COL_TEXT, offsetof(struct sb_row, member),                     \
		    sizeof(((struct sb_row *)0)->member), req                  \
	}
#define STAT(member, req)                                                      \
	{                                                                      \
		COL_NUMBER, offsetof(struct sb_row, stats.member), 0, req      \
	}

/* In the order of sb_results_columns (results.c). */
static const struct column columns[SCHEMA_COLUMNS] = {
    TEXT(client, true),
    TEXT(server, true),
    TEXT(protocol, true),
    TEXT(kx, true),
    TEXT(suite, true),
    {COL_PAYLOAD, offsetof(struct sb_row, payload), 0, false},
    TEXT(side, true),
    TEXT(metric, true),
    TEXT(unit, false),
    {COL_STATUS, offsetof(struct sb_row, status), 0, true},
    TEXT(reason, false),
    {COL_COUNT, offsetof(struct sb_row, stats.n), 0, true},
    STAT(median, true),
    STAT(p25, true),
    STAT(p75, true),
    STAT(min, true),
    STAT(max, true),
    STAT(mad, false),
    TEXT(warnings, false),
    TEXT(build, false),
    TEXT(granularity, false),
    TEXT(digest, false),
    TEXT(conditions, false),
    TEXT(aead, false),
    TEXT(payload_label, false),
};

struct reader {
	const char *name;
	struct sb_results *results;
	char *msg;
	size_t msg_len;
	int rc;
	size_t line;        /* the physical line being parsed, from 1 */
	size_t record_line; /* the line the current record began on */
	bool at_row_start;
	size_t columns; /* from the header; 0 until the header is read */
	size_t fields;  /* fields of the current record so far */
	/* One spare cell holds the first unknown header name. */
	char cells[SCHEMA_COLUMNS + 1][CELL_MAX];
	size_t lens[SCHEMA_COLUMNS + 1];
};

/* Keep only the first problem: "NAME:LINE: what". */
__attribute__((format(printf, 2, 3))) static void fail(struct reader *r,
                                                       const char *fmt, ...)
{
	if (r->rc)
		return;
	r->rc = SB_ERR_INVALID;
	int n = snprintf(r->msg, r->msg_len, "%s:%zu: ", r->name,
	                 r->record_line ? r->record_line : 1);
	if (n < 0 || (size_t)n >= r->msg_len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg + n, r->msg_len - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A cell as it may appear in a message: short, no control characters. */
static const char *shown(const char *cell, char *buf, size_t len)
{
	size_t i = 0;
	for (; cell[i] && i + 4 < len && i < 40; i++)
		buf[i] = (unsigned char)cell[i] < 0x20 ? '?' : cell[i];
	strcpy(buf + i, cell[i] ? "..." : "");
	return buf;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct reader *r = ctx;
	size_t i = r->fields++;
	if (r->rc || i > SCHEMA_COLUMNS)
		return;
	size_t keep = len < CELL_MAX ? len : CELL_MAX - 1;
	if (keep)
		memcpy(r->cells[i], data, keep);
	r->cells[i][keep] = '\0';
	r->lens[i] = len;
	if (len && memchr(data, '\0', len))
		fail(r, "field %zu contains a NUL byte", i + 1);
}

/* ---- the header -------------------------------------------------------- */

static bool name_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Column `i` of the header is not the schema's: say why, in words. */
static void header_mismatch(struct reader *r, size_t i)
{
	char a[48];
	const char *want = sb_results_columns[i], *cell = r->cells[i];
	const char *header[SCHEMA_COLUMNS + 1];
	size_t n = r->fields <= SCHEMA_COLUMNS ? r->fields : SCHEMA_COLUMNS + 1;
	for (size_t k = 0; k < n; k++)
		header[k] = r->cells[k];
	shown(cell, a, sizeof(a));
	if (i == 0)
		fail(r,
		     "no header row: the first field is '%s', expected "
		     "'client'",
		     a);
	else if (i >= REQUIRED_COLUMNS &&
	         !name_in(cell, sb_results_columns, SCHEMA_COLUMNS))
		fail(r, "unknown column '%s' (column %zu)", a, i + 1);
	else if (!name_in(want, header, n))
		fail(r, "missing column '%s' (column %zu is '%s')", want, i + 1,
		     a);
	else
		fail(r, "column %zu is '%s', expected '%s'", i + 1, a, want);
}

static void read_header(struct reader *r)
{
	char a[48];
	size_t known = r->fields < SCHEMA_COLUMNS ? r->fields : SCHEMA_COLUMNS;
	for (size_t i = 0; i < known && r->rc == 0; i++)
		if (r->lens[i] != strlen(sb_results_columns[i]) ||
		    strcmp(r->cells[i], sb_results_columns[i]) != 0)
			header_mismatch(r, i);
	if (r->fields > SCHEMA_COLUMNS)
		fail(r, "unknown column '%s' (column %d; the schema has %d)",
		     shown(r->cells[SCHEMA_COLUMNS], a, sizeof(a)),
		     SCHEMA_COLUMNS + 1, SCHEMA_COLUMNS);
	else if (r->fields < REQUIRED_COLUMNS)
		fail(r, "missing column '%s' (the header ends after '%s')",
		     sb_results_columns[r->fields],
		     sb_results_columns[r->fields - 1]);
	r->columns = r->fields;
}

/* ---- a data row -------------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A plain decimal: digits, sign, point, exponent; finite. */
static bool parse_decimal(const char *s, double *out)
{
	if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool parse_status(const char *s, enum sb_row_status *out)
{
	static const enum sb_row_status all[] = {SB_ROW_OK, SB_ROW_UNSUPPORTED,
	                                         SB_ROW_FAILED};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, sb_results_status_name(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	return false;
}

static void read_text(struct reader *r, size_t i, struct sb_row *row)
{
	const struct column *c = &columns[i];
	const char *name = sb_results_columns[i];
	if (r->lens[i] >= c->size)
		fail(r, "%s is %zu bytes long; at most %zu fit", name,
		     r->lens[i], c->size - 1);
	else if (c->required && r->lens[i] == 0)
		fail(r, "%s is empty", name);
	else
		memcpy((char *)row + c->offset, r->cells[i], r->lens[i] + 1);
}

static void read_payload(struct reader *r, const char *cell, long *out)
{
	char a[48];
	errno = 0;
	unsigned long long v = all_digits(cell) ? strtoull(cell, NULL, 10) : 0;
	if (!*cell)
		*out = SB_NO_PAYLOAD;
	else if (!all_digits(cell) || errno || v > LONG_MAX)
		fail(r, "payload: '%s' is not a size in bytes",
		     shown(cell, a, sizeof(a)));
	else
		*out = (long)v;
}

/*
 * n and the statistics: numbers in an ok row, nothing in any other.  A
 * digest row (transcript_sha256) is ok with a count and no distribution.
 */
static void read_number(struct reader *r, size_t i, struct sb_row *row,
                        bool digest)
{
	const struct column *c = &columns[i];
	const char *cell = r->cells[i], *name = sb_results_columns[i];
	char a[48];
	double v = 0;
	if (row->status != SB_ROW_OK) {
		if (*cell)
			fail(r,
			     "%s is given for a row that is %s (such a row "
			     "carries no numbers)",
			     name, sb_results_status_name(row->status));
		return;
	}
	if (!*cell) {
		if (c->required && (c->kind == COL_COUNT || !digest))
			fail(r, "%s is empty in an ok row", name);
		return;
	}
	if (c->kind == COL_COUNT) {
		errno = 0;
		unsigned long long n = strtoull(cell, NULL, 10);
		if (!all_digits(cell) || errno || (size_t)n != n)
			fail(r, "n: '%s' is not a whole number",
			     shown(cell, a, sizeof(a)));
		else
			row->stats.n = (size_t)n;
	} else if (!parse_decimal(cell, &v)) {
		fail(r, "%s: '%s' is not a number", name,
		     shown(cell, a, sizeof(a)));
	} else {
		memcpy((char *)row + c->offset, &v, sizeof(v));
	}
}

static void read_row(struct reader *r)
{
	char a[48];
	if (r->fields != r->columns) {
		fail(r, "%zu fields where the header has %zu (%s)", r->fields,
		     r->columns,
		     r->fields < r->columns ? "truncated file?"
		                            : "an unquoted comma?");
		return;
	}
	struct sb_row row = {.payload = SB_NO_PAYLOAD};
	bool digest = r->columns > DIGEST_COLUMN && r->lens[DIGEST_COLUMN] > 0;
	if (!parse_status(r->cells[9], &row.status)) {
		fail(r,
		     "unknown status '%s' (expected ok, unsupported or "
		     "failed)",
		     shown(r->cells[9], a, sizeof(a)));
		return;
	}
	for (size_t i = 0; i < r->columns && r->rc == 0; i++) {
		switch (columns[i].kind) {
		case COL_TEXT:
			read_text(r, i, &row);
			break;
		case COL_PAYLOAD:
			read_payload(r, r->cells[i], &row.payload);
			break;
		case COL_STATUS:
			break;
		case COL_COUNT:
		case COL_NUMBER:
			read_number(r, i, &row, digest);
			break;
		}
	}
	if (r->rc == 0 && sb_results_add(r->results, &row)) {
		snprintf(r->msg, r->msg_len, "out of memory reading %s",
		         r->name);
		r->rc = SB_ERR_NOMEM;
	}
}

static void on_row(int term, void *ctx)
{
	struct reader *r = ctx;
	(void)term;
	if (r->rc == 0 && r->columns == 0)
		read_header(r);
	else if (r->rc == 0)
		read_row(r);
	r->fields = 0;
	r->at_row_start = true;
}

/* ---- the file ---------------------------------------------------------- */

/* libcsv skips blank lines between records: they start none. */
static bool has_content(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("\r\n \t", s[i]) || s[i] == '\0')
			return true;
	return false;
}

static void parse_line(struct reader *r, struct csv_parser *p, char *s,
                       size_t len)
{
	r->line++;
	/* A spreadsheet may put a UTF-8 byte-order mark first. */
	if (r->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (r->at_row_start && has_content(s, len)) {
		r->record_line = r->line;
		r->at_row_start = false;
	}
	if (csv_parse(p, s, len, on_field, on_row, r) == len || r->rc)
		return;
	if (csv_error(p) == CSV_ENOMEM) {
		snprintf(r->msg, r->msg_len, "out of memory reading %s",
		         r->name);
		r->rc = SB_ERR_NOMEM;
		return;
	}
	r->record_line = r->line;
	fail(r, "malformed CSV: a quote inside an unquoted field, or text "
	        "after a closing quote");
}

static void finish(struct reader *r, struct csv_parser *p)
{
	if (r->rc == 0 && csv_fini(p, on_field, on_row, r) != 0)
		fail(r, "a quoted field is not closed at the end of the file "
		        "(truncated file?)");
	if (r->rc == 0 && r->columns == 0) {
		r->record_line = 1;
		fail(r, "empty file: expected the header row");
	}
}

int sb_csv_results_read(FILE *f, const char *name, struct sb_results *results,
                        char *msg, size_t msg_len)
{
	if (sb_results_column_count != SCHEMA_COLUMNS) {
		/* results.c grew a column this reader does not know yet. */
		snprintf(msg, msg_len,
		         "%s: this reader knows %d columns, the "
		         "schema has %zu",
		         name, SCHEMA_COLUMNS, sb_results_column_count);
		return SB_ERR_INVALID;
	}
	struct csv_parser parser;
	struct reader *r = sb_mem_calloc(1, sizeof(*r));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = SB_ERR_NOMEM;
	snprintf(msg, msg_len, "out of memory reading %s", name);
	if (!r || csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		sb_mem_free(r);
		return rc;
	}
	*r = (struct reader){.name = name,
	                     .results = results,
	                     .msg = msg,
	                     .msg_len = msg_len,
	                     .at_row_start = true};
	errno = 0;
	while (r->rc == 0 && (n = getline(&line, &cap, f)) > 0)
		parse_line(r, &parser, line, (size_t)n);
	if (r->rc == 0 && ferror(f)) {
		snprintf(msg, msg_len, "cannot read %s: %s", name,
		         strerror(errno ? errno : EIO));
		r->rc = SB_ERR_IO;
	}
	finish(r, &parser);
	rc = r->rc;
	if (rc)
		sb_results_free(results);
	else
		msg[0] = '\0';
	csv_free(&parser);
	sb_mem_free(line);
	sb_mem_free(r);
	return rc;
}

int sb_csv_results_load(const char *path, struct sb_results *results, char *msg,
                        size_t msg_len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msg_len, "cannot read %s: %s", path,
		         strerror(errno));
		return SB_ERR_IO;
	}
	int rc = sb_csv_results_read(f, path, results, msg, msg_len);
	fclose(f);
	return rc;
}
