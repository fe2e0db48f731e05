/*
 * cli.h - internal to bench/: the subcommands and the helpers they share.
 */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "backends/backend.h"
#include "output/outfile.h"
#include "output/results.h"

/* Each subcommand: argv[0] is the subcommand's name.  Returns the exit status.
 */
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ab(int argc, char **argv);

/*
 * `run --target cortex-m4` (run_target.c): the programs on emulated
 * Cortex-M4 cores.  Without Unicorn or the ARM toolchain in this build,
 * says so and returns SB_EXIT_USAGE.
 */
int sb_cli_target_dispatch(int argc, char **argv);

/* Exit statuses shared by the subcommands. */
#define SB_EXIT_OK 0
#define SB_EXIT_FAILURE 1 /* the run happened, something in it failed */
#define SB_EXIT_USAGE 2   /* bad input: nothing was run */

/* Print "suitebench: <message>" on stderr, one line. */
void sb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a decimal unsigned number in [min, max] from the whole of `text`.
 * Returns 0, or SB_ERR_USAGE after printing which option was wrong.
 */
int sb_cli_number(const char *option, const char *text, unsigned long min,
                  unsigned long max, unsigned long *out) SB_MUST_USE;

/*
 * Split a comma-separated list in place: `text` is modified, `items`
 * receives up to `cap` pointers into it.  Returns the count, or -1 when
 * there are more than `cap` items or one is empty.
 */
int sb_cli_split(char *text, char **items, size_t cap);

/*
 * A results CSV and its provenance file beside it ("x.csv" and
 * "x.provenance.txt"), each appearing whole or not at all.  A CSV sent to
 * standard output or a device has no "beside": no provenance then.
 */
struct sb_cli_outputs {
	struct sb_outfile csv;
	struct sb_outfile provenance;
};

/* Open both for `path`; on failure prints one line, returns SB_ERR_USAGE. */
int sb_cli_outputs_open(struct sb_cli_outputs *out,
                        const char *path) SB_MUST_USE;

/* Where the command writes its provenance, or NULL when there is none. */
FILE *sb_cli_outputs_provenance(struct sb_cli_outputs *out);

/*
 * Write `results` as CSV and put both files in place; says what it wrote
 * on stderr unless `quiet`.  Returns 0, or SB_ERR_IO after one line.
 */
int sb_cli_outputs_commit(struct sb_cli_outputs *out,
                          const struct sb_results *results,
                          bool quiet) SB_MUST_USE;

/* Remove whatever was not committed; safe on zeroed or committed outputs. */
void sb_cli_outputs_abort(struct sb_cli_outputs *out);

/*
 * Parse --suite's list -- short or IANA names, or "all" -- into `out` (at
 * most `cap`).  Returns the count, or SB_ERR_USAGE after one line.
 */
int sb_cli_suites(char *arg, const struct sb_suite **out, size_t cap);

#endif
