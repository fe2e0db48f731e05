/*
 * report.c - `suitebench report RESULTS.csv -o DIR`: the results as a page
 * that answers at a glance (decision tables, charts, support matrix,
 * provenance) and the same tables as Markdown.
 *
 * The page is drawn by plots/suitebench-report on Debian's python3 with
 * matplotlib, as the charts are: this command checks the CSV with the
 * same reader the gate uses, so a file the gate would refuse is refused
 * here in the same words before anything is written, then hands over.
 * Like the plot script, it only reads results; it never measures.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "output/csv_read.h"

#ifndef SB_PYTHON
#define SB_PYTHON "/usr/bin/python3"
#endif
#ifndef SB_PLOTS_DIR
#define SB_PLOTS_DIR "plots"
#endif

#define MAX_ARGS 32

static void report_usage(FILE *f)
{
	fprintf(f,
	        "usage: suitebench report RESULTS.csv -o DIR [options]\n"
	        "\n"
	        "Writes DIR/index.html (one page, its charts beside it as SVG "
	        "and PNG;\nno network needed to open it) and DIR/report.md "
	        "(the decision tables\nin Markdown): per protocol and key "
	        "exchange the fewest handshake bytes,\nthe cheapest client and "
	        "server handshake, the least RAM and flash, with\nthe library "
	        "and suite and how far the runner-up is behind; per AEAD the\n"
	        "cost of a 64-byte and of the largest record; the charts, the "
	        "support\nmatrix with reasons, and the provenance.\n"
	        "\n"
	        "  -o DIR             where to write (created if missing)\n"
	        "  --protocol LIST    only these protocols (dtls1.2, tls1.2)\n"
	        "  --suite LIST       only these suites (short names)\n"
	        "  --pairs LIST       only these client/server pairs (a name "
	        "alone: itself)\n"
	        "  --kx LIST          only these key exchanges\n"
	        "\n"
	        "Exit status 0: written; 2: bad input (one line on stderr, "
	        "nothing written).\n"
	        "Needs %s with python3-matplotlib; the script is\n%s/"
	        "suitebench-report.\n",
	        SB_PYTHON, SB_PLOTS_DIR);
}

static bool is_filter(const char *arg)
{
	static const char *const filters[] = {"--protocol", "--suite",
	                                      "--pairs", "--kx"};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (strcmp(arg, filters[i]) == 0)
			return true;
	return false;
}

/* Run the script with `args` (NULL-terminated); its exit status. */
static int run_script(char **args)
{
	/* The script reads the CSV through this executable's `check`. */
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		setenv("SUITEBENCH", self, 0);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		sb_cli_error("report: cannot start %s: %s", SB_PYTHON,
		             strerror(errno));
		return SB_EXIT_FAILURE;
	}
	if (pid == 0) {
		execv(SB_PYTHON, args);
		fprintf(stderr, "suitebench: report: cannot run %s: %s\n",
		        SB_PYTHON, strerror(errno));
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return SB_EXIT_FAILURE;
	if (WIFEXITED(status) && WEXITSTATUS(status) <= SB_EXIT_USAGE)
		return WEXITSTATUS(status);
	return SB_EXIT_FAILURE;
}

int cmd_report(int argc, char **argv)
{
	const char *csv = NULL, *dir = NULL;
	char *args[MAX_ARGS];
	size_t n = 0;
	static char script[] = SB_PLOTS_DIR "/suitebench-report";
	args[n++] = SB_PYTHON;
	args[n++] = script;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			report_usage(stdout);
			return SB_EXIT_OK;
		}
		if (strcmp(a, "-o") == 0 || is_filter(a)) {
			if (i + 1 >= argc) {
				sb_cli_error("report: %s needs a value", a);
				return SB_EXIT_USAGE;
			}
			if (strcmp(a, "-o") == 0)
				dir = argv[i + 1];
			else if (n + 2 < MAX_ARGS) {
				args[n++] = argv[i];
				args[n++] = argv[i + 1];
			}
			i++;
		} else if (a[0] == '-' && a[1]) {
			sb_cli_error("report: unknown option '%s' (try "
			             "'suitebench report --help')",
			             a);
			return SB_EXIT_USAGE;
		} else if (csv) {
			sb_cli_error("report: more than one CSV ('%s', '%s')",
			             csv, a);
			return SB_EXIT_USAGE;
		} else {
			csv = a;
		}
	}
	if (!csv || !dir) {
		sb_cli_error("report: %s",
		             !csv ? "no results CSV given"
		                  : "no output directory (-o DIR)");
		return SB_EXIT_USAGE;
	}
	struct sb_results results = {0};
	char msg[512];
	int rc = sb_csv_results_load(csv, &results, msg, sizeof(msg));
	sb_results_free(&results);
	if (rc) {
		sb_cli_error("report: %s", msg);
		return SB_EXIT_USAGE;
	}
	if (access(SB_PYTHON, X_OK) != 0 || access(script, R_OK) != 0) {
		sb_cli_error("report: needs %s and %s (scripts/setup-debian.sh "
		             "installs python3-matplotlib)",
		             SB_PYTHON, script);
		return SB_EXIT_FAILURE;
	}
	args[n++] = (char *)csv;
	args[n++] = "-o";
	args[n++] = (char *)dir;
	args[n] = NULL;
	return run_script(args);
}
