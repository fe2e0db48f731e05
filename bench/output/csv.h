/*
 * csv.h - results as CSV (RFC 4180), written with libcsv.
 *
 * One header row and nothing above the data, so a spreadsheet opens the
 * file cleanly; CRLF line ends as RFC 4180 2.1 asks; every field quoted
 * (libcsv's writer always quotes), so commas, quotes and line breaks in a
 * reason survive.
 */
#ifndef SB_CSV_H
#define SB_CSV_H

#include <stdio.h>

#include "output/results.h"

/* Write one record of `count` fields.  Returns 0 or SB_ERR_IO. */
int sb_csv_record_write(FILE *f, const char *const *fields,
                        size_t count) SB_MUST_USE;

/* Write the header and every row of `results`.  Returns 0 or SB_ERR_IO. */
int sb_csv_results_write(FILE *f, const struct sb_results *results) SB_MUST_USE;

/* The header of a --raw samples file: the key columns, sample, value. */
extern const char *const sb_csv_raw_columns[];
extern const size_t sb_csv_raw_column_count;

/*
 * Write the `count` samples behind `row` (its key columns set), one
 * record each: the keys, the sample's index and its value written whole.
 * Returns 0 or SB_ERR_IO.
 */
int sb_csv_raw_write(FILE *f, const struct sb_row *row, const double *values,
                     size_t count) SB_MUST_USE;

#endif
