/*
 * outfile.h - files that appear whole or not at all.
 *
 * Output is written to a temporary file beside the target and renamed
 * over it only when everything was written and flushed, so an interrupted
 * or failed run never leaves a half-written results file, and a run that
 * fails leaves an existing file as it was.  "-" means standard output, and
 * a target that is not a regular file (a device, a FIFO) is written in
 * place: renaming over it would replace the device itself.  A symbolic
 * link to a regular file is followed: the file it names is replaced, the
 * link stays.
 *
 * Every temporary file is registered with a SIGINT/SIGTERM/SIGHUP/SIGPIPE
 * handler that removes it before the signal ends the process, so an
 * interrupted run leaves no "*.tmp.*" behind.
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
	bool finished; /* written, flushed and closed; not yet renamed */
	int slot;      /* 1-based slot of the signal handler's list, or 0 */
};

/*
 * Check `path` and create the temporary file for it now, so that an
 * unwritable target is reported before any work is done.  Refused, with
 * SB_ERR_IO and one line in `msg`: an empty path, a directory that cannot
 * be written, an existing file without write permission (even for root:
 * a read-only file says "keep me"), a FIFO with no reader (it would block
 * forever), a dangling symbolic link.  An existing file's permissions are
 * kept; a new file is 0644.
 */
int sb_outfile_open(struct sb_outfile *out, const char *path, char *msg,
                    size_t msg_len) SB_MUST_USE;

/*
 * Flush, sync and close, but do not rename yet: the first half of
 * committing several files all or none.  Returns 0, or SB_ERR_IO with one
 * line in `msg` (the caller then aborts every file).
 */
int sb_outfile_finish(struct sb_outfile *out, char *msg,
                      size_t msg_len) SB_MUST_USE;

/*
 * Finish (unless finished) and rename into place.  Returns 0, or
 * SB_ERR_IO with one line in `msg` (the temporary file is then removed).
 */
int sb_outfile_commit(struct sb_outfile *out, char *msg,
                      size_t msg_len) SB_MUST_USE;

/* Close and remove the temporary file; safe on a zeroed or finished file. */
void sb_outfile_abort(struct sb_outfile *out);

#endif
