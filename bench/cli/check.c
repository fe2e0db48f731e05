/*
 * check.c - `suitebench check`: read results CSVs exactly as compare
 * reads them, and say whether they are valid.  With --canonical the rows
 * are written back to stdout as suitebench writes them, which is what the
 * plot command reads: the schema has one reader, in C.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "output/csv.h"

static void check_usage(FILE *f)
{
	fprintf(f,
	        "usage: suitebench check [--canonical] FILE.csv...\n"
	        "\n"
	        "Reads each results CSV as 'suitebench compare' reads it: the "
	        "header and\n"
	        "every row against the schema, and no two rows with one key.\n"
	        "\n"
	        "options:\n"
	        "  --canonical  write the rows of the (one) file to stdout, "
	        "as suitebench\n"
	        "               writes them: what suitebench-plot reads\n"
	        "  -q, --quiet  nothing on stderr when the files are valid\n"
	        "  -h, --help   this help\n"
	        "\n"
	        "Exit status: 0 when every file is valid, 2 at the first that "
	        "is not,\n"
	        "with one line naming the file and the line.\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"canonical", no_argument, NULL, 'c'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	bool canonical = false, quiet = false;
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			canonical = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			check_usage(stdout);
			return SB_EXIT_OK;
		default:
			sb_cli_error("check: unknown option '%s' (try "
			             "'suitebench check --help')",
			             argv[optind - 1]);
			return SB_EXIT_USAGE;
		}
	}
	int files = argc - optind;
	if (files < 1 || (canonical && files != 1)) {
		sb_cli_error("check: expected %s, got %d (try 'suitebench "
		             "check --help')",
		             canonical ? "one CSV with --canonical"
		                       : "at least one CSV",
		             files);
		return SB_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct sb_results results = {0};
		int rc = sb_cli_results_load(argv[i], &results);
		if (rc == 0 && canonical &&
		    (sb_csv_results_write(stdout, &results) ||
		     fflush(stdout) != 0)) {
			sb_cli_error("check: cannot write the rows to stdout");
			rc = SB_ERR_IO;
		}
		if (rc == 0 && !quiet)
			fprintf(stderr, "%s: %zu rows, valid\n", argv[i],
			        results.count);
		sb_results_free(&results);
		if (rc)
			return SB_EXIT_USAGE;
	}
	return SB_EXIT_OK;
}
