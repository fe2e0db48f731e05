#include "output/csv.h"

#include <csv.h>
#include <string.h>

int sb_csv_record_write(FILE *f, const char *const *fields, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && fputc(',', f) == EOF)
			return SB_ERR_IO;
		if (csv_fwrite(f, fields[i], strlen(fields[i])) != 0)
			return SB_ERR_IO;
	}
	return fputs("\r\n", f) == EOF ? SB_ERR_IO : 0;
}

int sb_csv_results_write(FILE *f, const struct sb_results *results)
{
	int rc =
	    sb_csv_record_write(f, sb_results_columns, sb_results_column_count);
	char cells[24][400];
	const char *fields[24];
	for (size_t r = 0; rc == 0 && r < results->count; r++) {
		for (size_t c = 0; c < sb_results_column_count; c++) {
			sb_row_field(&results->rows[r], c, cells[c],
			             sizeof(cells[c]));
			fields[c] = cells[c];
		}
		rc = sb_csv_record_write(f, fields, sb_results_column_count);
	}
	return rc;
}
