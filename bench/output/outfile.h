/*
 * outfile.h - files that appear whole or not at all.
 *
 * Output is written to a temporary file beside the target and renamed
 * over it only when everything was written and flushed, so an interrupted
 * or failed run never leaves a half-written results file.  "-" means
 * standard output, and a target that is not a regular file (a device, a
 * pipe, a symbolic link) is written in place: renaming over it would
 * replace the device or the link itself.
 */
#ifndef SB_OUTFILE_H
#define SB_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "backends/status.h"

struct sb_outfile {
	char path[PATH_MAX];
	char tmp[PATH_MAX]; /* empty when writing in place */
	FILE *f;
	bool in_place; /* no temporary file: "-" or not a regular file */
};

/*
 * Create the temporary file for `path` now, so that an unwritable target
 * is reported before any work is done.  Returns 0, or SB_ERR_IO with one
 * line in `msg`.
 */
int sb_outfile_open(struct sb_outfile *out, const char *path, char *msg,
                    size_t msg_len) SB_MUST_USE;

/*
 * Flush, close and rename into place.  Returns 0, or SB_ERR_IO with one
 * line in `msg` (the temporary file is then removed).
 */
int sb_outfile_commit(struct sb_outfile *out, char *msg,
                      size_t msg_len) SB_MUST_USE;

/* Close and remove the temporary file; safe on a zeroed or finished file. */
void sb_outfile_abort(struct sb_outfile *out);

#endif
