/*
 * cli.h - internal to bench/: the subcommands and the helpers they share.
 */
#ifndef SB_CLI_H
#define SB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "../backends/backend.h"

/* Each subcommand: argv[0] is the subcommand's name.  Returns the exit status.
 */
int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_client(int argc, char **argv);

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

/* The version string baked in at build time (git describe). */
const char *sb_cli_version(void);

#endif
