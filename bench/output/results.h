/*
 * results.h - the rows a run produces: one per scenario and metric.
 *
 * The schema is tidy (one observation per row) so a spreadsheet can pivot
 * it: key columns, then status and reason, then the statistics.  The same
 * rows feed every writer (terminal table, CSV).
 */
#ifndef SB_RESULTS_H
#define SB_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "measure/stats.h"

enum sb_row_status {
	SB_ROW_OK,
	SB_ROW_UNSUPPORTED,
	SB_ROW_FAILED,
};

/* No payload: handshake and scenario-level rows. */
#define SB_NO_PAYLOAD (-1L)

struct sb_row {
	char client[24];
	char server[24];
	char protocol[16];
	char kx[16];
	char suite[32];
	long payload; /* bytes, or SB_NO_PAYLOAD */
	char side[8]; /* client, server or both */
	char metric[32];
	char unit[24]; /* "cycles (estimate)" fits */
	enum sb_row_status status;
	char reason[320];
	struct sb_summary stats;
	char warnings[200];   /* measurement caveats, ';'-separated */
	double warning_level; /* how far off its worst caveat says the figure
	                         may be, in %: orders the warnings shown */
	char build[16];       /* code size: prebuilt, tailored, cortex-m4 */
	char granularity[16]; /* code size: per-suite or whole-library */
	char digest[65];      /* transcript_sha256: the SHA-256 in hex */
	char conditions[128]; /* MTU sweep and faults: "mtu=512,loss=0.1" */
	/*
	 * For pivots, derived when written (sb_results_derive): the suite's
	 * AEAD ("aes-128-ccm-8"), and the payload as a label that lines up
	 * across suites: "max" for the largest record that fits one MTU
	 * (1195, 1203 or 1211 bytes by suite), else the byte count.
	 */
	char aead[24];
	char payload_label[8];
};

struct sb_results {
	struct sb_row *rows;
	size_t count;
	size_t cap;
};

/*
 * The CSV's columns, in order, and how many there are.  The first nine
 * (client .. unit), `build` and `conditions` identify a row; the rest
 * describe it.
 */
extern const char *const sb_results_columns[];
extern const size_t sb_results_column_count;

/*
 * Rows in key order, the scenario and payload first (client, server,
 * protocol, kx, suite, build, conditions, payload: a row's "group"), then
 * side, metric and unit: <0, 0 or >0 as strcmp.  Two rows are the same
 * figure when sb_row_key_cmp() is 0.
 */
int sb_row_group_cmp(const struct sb_row *a, const struct sb_row *b);
int sb_row_key_cmp(const struct sb_row *a, const struct sb_row *b);

/*
 * Fill the derived columns of `row`, those still empty: `aead` from the
 * suite table (empty for a suite it does not know, such as a whole-library
 * size row), and `payload_label` ("max" when `max_payload` is the row's
 * payload, else the payload in bytes; empty without a payload).  Pass
 * max_payload < 0 when the scenario has no max_payload figure.
 */
void sb_results_derive(struct sb_row *row, double max_payload);

/*
 * Add a caveat to `row`'s warnings ("; " between caveats; cut short when
 * the column is full), and raise its warning level to `level` (percent of
 * the figure) when that is higher.
 */
void sb_results_warn(struct sb_row *row, double level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Append a copy of `row`.  Returns 0 or SB_ERR_NOMEM. */
int sb_results_add(struct sb_results *results,
                   const struct sb_row *row) SB_MUST_USE;

/* Release the rows; safe on a zeroed set, twice. */
void sb_results_free(struct sb_results *results);

/* Whether any row is `failed`: the exit status of a run. */
bool sb_results_any_failed(const struct sb_results *results);

/* "ok", "unsupported" or "failed". */
const char *sb_results_status_name(enum sb_row_status status);

/*
 * Format column `column` of `row` into `buf` (numbers as
 * sb_results_format_number writes them; statistics are empty unless the
 * status is ok).
 */
void sb_results_row_field(const struct sb_row *row, size_t column, char *buf,
                          size_t len);

/*
 * Write `v` whole: an integer below 10^15 as an integer ("1006220"),
 * anything else in the shortest plain decimal that reads back (strtod)
 * to exactly `v` ("1006220.5", "0.1", "538.0625") -- never exponent
 * notation below 10^15, never a digit lost.  NaN and infinities as "nan",
 * "inf", "-inf".
 */
void sb_results_format_number(double v, char *buf, size_t len);

#endif
