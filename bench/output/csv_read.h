/*
 * csv_read.h - a results CSV read back into rows, with libcsv in strict
 * mode, refusing anything that is not what the writer (csv.h) produces.
 *
 * The gate must never judge a file it misread: a truncated file, a column
 * that moved, a number a spreadsheet rewrote or a status nobody knows is
 * refused with one line naming the file and the line, never guessed at.
 *
 * Accepted: the header row exactly as sb_results_columns, in order.  The
 * first 17 columns (client .. max) are required; mad, warnings, build,
 * granularity, digest, conditions, aead and payload_label came later and
 * may be missing from the end of an older file (they read as 0 and empty).  A
 * column the schema does not know is refused.  Every row has as many fields as
 * the header; payload is empty or a whole number; status is ok, unsupported or
 * failed; an ok row has n, median, p25, p75, min and max, except a digest row
 * (one with a digest), which has n alone; a row that is not ok has no numbers;
 * numbers are plain decimals (no NaN, no infinity, no hex, no spaces).  A
 * UTF-8 byte-order mark before the header is skipped; CRLF and LF line
 * ends are both accepted.
 */
#ifndef SB_CSV_READ_H
#define SB_CSV_READ_H

#include <stdio.h>

#include "output/results.h"

/*
 * Read the results CSV from `f` into `results`, which must be zeroed (or
 * freed).  `name` is the file name used in messages.  Returns 0;
 * SB_ERR_IO when `f` cannot be read; SB_ERR_INVALID when the content is
 * empty or malformed; SB_ERR_NOMEM.  On error, `msg` holds one line
 * ("NAME:LINE: what is wrong", or "cannot read NAME: reason") and
 * `results` is left empty; the caller frees `results` in every case.
 */
int sb_csv_results_read(FILE *f, const char *name, struct sb_results *results,
                        char *msg, size_t msg_len) SB_MUST_USE;

/*
 * Open `path` and read it as sb_csv_results_read() does; a missing or
 * unreadable file is SB_ERR_IO with "cannot read PATH: reason" in `msg`.
 */
int sb_csv_results_load(const char *path, struct sb_results *results, char *msg,
                        size_t msg_len) SB_MUST_USE;

#endif
