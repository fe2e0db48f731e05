#include "cli/cli.h"

#include <limits.h>

#include "output/csv.h"
#include "output/provenance.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sb_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("suitebench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int sb_cli_number(const char *option, const char *text, unsigned long min,
                  unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || errno || !end || *end ||
	    v < min || v > max) {
		sb_cli_error("%s: '%s' is not a number from %lu to %lu", option,
		             text, min, max);
		return SB_ERR_USAGE;
	}
	*out = v;
	return 0;
}

int sb_cli_split(char *text, char **items, size_t cap)
{
	size_t count = 0;
	char *save = NULL;
	if (text[0] == ',' || text[0] == '\0' || strstr(text, ",,") ||
	    text[strlen(text) - 1] == ',')
		return -1;
	for (char *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (count == cap)
			return -1;
		items[count++] = tok;
	}
	return (int)count;
}

int sb_cli_outputs_open(struct sb_cli_outputs *out, const char *path)
{
	char msg[PATH_MAX + 64], prov[PATH_MAX];
	if (sb_provenance_path(path, prov, sizeof(prov))) {
		sb_cli_error("output path too long: %s", path);
		return SB_ERR_USAGE;
	}
	int rc = sb_outfile_open(&out->csv, path, msg, sizeof(msg));
	if (rc == 0 && !out->csv.in_place)
		rc = sb_outfile_open(&out->provenance, prov, msg, sizeof(msg));
	if (rc) {
		sb_outfile_abort(&out->csv);
		sb_cli_error("%s", msg);
		return SB_ERR_USAGE;
	}
	return 0;
}

FILE *sb_cli_outputs_provenance(struct sb_cli_outputs *out)
{
	return out->csv.in_place ? NULL : out->provenance.f;
}

int sb_cli_outputs_commit(struct sb_cli_outputs *out,
                          const struct sb_results *results, bool quiet)
{
	char msg[PATH_MAX + 64] = "";
	bool with_provenance = !out->csv.in_place;
	if (sb_csv_results_write(out->csv.f, results) ||
	    (with_provenance &&
	     sb_outfile_commit(&out->provenance, msg, sizeof(msg))) ||
	    sb_outfile_commit(&out->csv, msg, sizeof(msg))) {
		sb_cli_error("%s", msg[0] ? msg : "writing the CSV failed");
		return SB_ERR_IO;
	}
	if (!quiet)
		fprintf(stderr, "wrote %s (%zu rows)%s%s\n", out->csv.path,
		        results->count, with_provenance ? " and " : "",
		        with_provenance ? out->provenance.path
		                        : " (no provenance file for a stream)");
	return 0;
}

void sb_cli_outputs_abort(struct sb_cli_outputs *out)
{
	sb_outfile_abort(&out->csv);
	sb_outfile_abort(&out->provenance);
}

int sb_cli_suites(char *arg, const struct sb_suite **out, size_t cap)
{
	char *names[64];
	int n = sb_cli_split(arg, names, cap < 64 ? cap : 64);
	if (n < 0) {
		sb_cli_error("--suite: expected a comma-separated list");
		return SB_ERR_USAGE;
	}
	for (int i = 0; i < n; i++) {
		if (strcasecmp(names[i], "all") == 0) {
			size_t all =
			    sb_suites_count < cap ? sb_suites_count : cap;
			for (size_t s = 0; s < all; s++)
				out[s] = &sb_suites[s];
			return (int)all;
		}
		if (!(out[i] = sb_suite_find(names[i]))) {
			sb_cli_error("--suite: unknown suite '%s' (see "
			             "'suitebench list' for names)",
			             names[i]);
			return SB_ERR_USAGE;
		}
	}
	return n;
}
