/*
 * suitebench - what a cipher suite costs in each TLS library: code size,
 * CPU cycles, RAM and bytes on the wire, measured the same way for all.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "output/provenance.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: suitebench <command> [options]\n"
	    "\n"
	    "commands:\n"
	    "  run     run verified handshakes and record loops, measure them\n"
	    "  list    show the backends, the suites and which library "
	    "supports what\n"
	    "  size    code size per suite: prebuilt, tailored, and on a "
	    "Cortex-M4\n"
	    "  compare judge a results CSV against a baseline: the CI "
	    "regression gate\n"
	    "  ab      two builds measured side by side in interleaved "
	    "rounds:\n"
	    "          timing judged with a confidence interval\n"
	    "  client  one DTLS 1.2 client against a real server over UDP, "
	    "verified\n"
	    "          and counted like run\n"
	    "  report  a results CSV as a page: decision tables, charts, "
	    "support, provenance\n"
	    "  check   read results CSVs as compare does: valid or not, and "
	    "why\n"
	    "\n"
	    "  suitebench <command> --help   options of one command\n"
	    "  suitebench --version          the tool's version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SB_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 1, argv + 1);
	if (strcmp(cmd, "size") == 0)
		return cmd_size(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "client") == 0)
		return cmd_client(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "ab") == 0)
		return cmd_ab(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return SB_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("suitebench %s\n", sb_provenance_version());
		return SB_EXIT_OK;
	}
	sb_cli_error("unknown command '%s' (try 'suitebench --help')", cmd);
	return SB_EXIT_USAGE;
}
