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
int cmd_check(int argc, char **argv);

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

/*
 * Print "suitebench: <message>" on stderr, always one line: control
 * characters (a newline inside an argument) become '?', and a message
 * longer than 400 bytes keeps its start and end with the middle cut, so a
 * 100 KB argument is never echoed whole.
 */
void sb_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "suitebench: note: <message>", as sb_cli_error(): input that was taken
 * with a correction (a value given twice).  Silent after
 * sb_cli_notes_off(), which a re-executed pass of the same command calls:
 * the first process said it already.
 */
void sb_cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sb_cli_notes_off(void);

/*
 * Parse a decimal unsigned number in [min, max] from the whole of `text`:
 * digits only (no sign, space or hex), leading zeros allowed however many
 * ("0002" is 2).  Returns 0, or SB_ERR_USAGE after printing which option
 * was wrong.
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
 * A copy of the arguments to parse: list options are split in place, and
 * the originals must stay whole for the provenance and a re-execution.
 * Returns NULL when out of memory (having said so on stderr).  Free it
 * with sb_cli_args_free().
 */
char **sb_cli_args_copy(int argc, char **argv);
void sb_cli_args_free(int argc, char **copy);

/*
 * The files one command names, checked together before any work starts.
 * `output` false marks an input (compare's CSVs) that no output may
 * overwrite; `csv` marks a results CSV whose provenance file beside it
 * ("x.provenance.txt") is an output too.
 */
struct sb_cli_path {
	const char *option; /* as the user wrote it: "-o", "--raw" */
	const char *path;   /* "-": standard output */
	bool output;
	bool csv;
};

/*
 * Refuse, with one line and SB_ERR_USAGE: an empty file name, and two
 * entries that are the same file when one of them is an output -- the
 * same path, a link to it, or standard output twice ("-", /dev/stdout or
 * the file stdout is redirected to).  /dev/null may be named any number of
 * times.  Returns 0 when every output is distinct.
 */
int sb_cli_paths_check(const struct sb_cli_path *paths,
                       size_t count) SB_MUST_USE;

/*
 * A results CSV and its provenance file beside it ("x.csv" and
 * "x.provenance.txt"), and any other output of the command (run's --raw
 * and --pcap), all appearing whole or not at all: nothing is renamed
 * into place until every file was written and flushed.  A CSV sent to
 * standard output or a device has no "beside": no provenance then.
 */
#define SB_CLI_EXTRA_FILES 2
struct sb_cli_outputs {
	struct sb_outfile csv;
	struct sb_outfile provenance;
	struct sb_outfile extra[SB_CLI_EXTRA_FILES];
	size_t extra_count;
};

/* Open both for `path`; on failure prints one line, returns SB_ERR_USAGE. */
int sb_cli_outputs_open(struct sb_cli_outputs *out,
                        const char *path) SB_MUST_USE;

/*
 * Open another output, committed with the CSV: its stream, or NULL after
 * one line naming `option` (the command then exits 2).
 */
FILE *sb_cli_outputs_add(struct sb_cli_outputs *out, const char *option,
                         const char *path);

/* Where the command writes its provenance, or NULL when there is none. */
FILE *sb_cli_outputs_provenance(struct sb_cli_outputs *out);

/*
 * Write `results` as CSV (when a CSV was opened) and put every file in
 * place, all or none; says what it wrote on stderr unless `quiet`.
 * Returns 0, or SB_ERR_IO after one line: nothing was put in place, and
 * the command exits 2 (README: an unwritable output).
 */
int sb_cli_outputs_commit(struct sb_cli_outputs *out,
                          const struct sb_results *results,
                          bool quiet) SB_MUST_USE;

/* Remove whatever was not committed; safe on zeroed or committed outputs. */
void sb_cli_outputs_abort(struct sb_cli_outputs *out);

/*
 * Read a results CSV as every command does -- the schema of csv_read.h,
 * then unique keys (gate/compare.h) -- into `results` (zeroed).  Returns
 * 0, or SB_ERR_USAGE after one line naming the file (and line).  compare
 * and check both read through here, and the plot command through check:
 * one reader of the schema.
 */
int sb_cli_results_load(const char *path,
                        struct sb_results *results) SB_MUST_USE;

/*
 * Parse --suite's list -- short or IANA names, or "all" -- into `out` (at
 * most `cap`); a suite named twice (by either name) is kept once, with a
 * note on stderr.  Returns the count, or SB_ERR_USAGE after one line.
 */
int sb_cli_suites(char *arg, const struct sb_suite **out, size_t cap);

#endif
