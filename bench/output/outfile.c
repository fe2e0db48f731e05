/* realpath() is X/Open (POSIX.1-2008 XSI). */
#define _XOPEN_SOURCE 700
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary files removed on a signal ------------------------------ */

/*
 * The handler may run between any two instructions, so it reads only
 * what is complete: a slot's path is written before its flag is set, and
 * the flag is cleared before the path is reused.  unlink(), signal() and
 * raise() are async-signal-safe (POSIX.1-2008 2.4.3).
 */
#define TEMP_SLOTS 16
static char temp_paths[TEMP_SLOTS][PATH_MAX];
static volatile sig_atomic_t temp_live[TEMP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

static void remove_temps_and_die(int sig)
{
	for (int i = 0; i < TEMP_SLOTS; i++)
		if (temp_live[i])
			unlink(temp_paths[i]);
	/* The default action now: the process ends as the signal says, so
	 * the shell sees "interrupted", not an exit status. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static bool installed;
	if (installed)
		return;
	installed = true;
	for (size_t i = 0;
	     i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
		struct sigaction old, sa = {.sa_handler = remove_temps_and_die};
		sigemptyset(&sa.sa_mask);
		/* A signal the caller ignores (nohup) stays ignored. */
		if (sigaction(cleanup_signals[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0;
	     i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++)
		sigaddset(&set, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Returns the 1-based slot, or 0 when every slot is taken (then the file
 * is only removed by commit or abort). */
static int register_temp(const char *path)
{
	install_handlers();
	for (int i = 0; i < TEMP_SLOTS; i++)
		if (!temp_live[i]) {
			strcpy(temp_paths[i], path);
			temp_live[i] = 1;
			return i + 1;
		}
	return 0;
}

static void unregister_temp(struct sb_outfile *out)
{
	if (out->slot > 0)
		temp_live[out->slot - 1] = 0;
	out->slot = 0;
}

/* ---- opening ----------------------------------------------------------- */

/* "-", a device or a FIFO: written where it is, never created or
 * truncated, and a FIFO only when a reader is there. */
static int open_in_place(struct sb_outfile *out, const char *path, char *msg,
                         size_t msg_len)
{
	out->in_place = true;
	if (strcmp(path, "-") == 0) {
		out->f = stdout;
		return 0;
	}
	/* O_NONBLOCK: opening a FIFO for writing fails with ENXIO instead
	 * of waiting forever for a reader (POSIX open()). */
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY);
	int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (fd >= 0 &&
	    (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
	     !(out->f = fdopen(fd, "w")))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(msg, msg_len, "cannot write %s: %s", path,
		         errno == ENXIO ? "a FIFO with no reader (start the "
		                          "reader first)"
		                        : strerror(errno));
		return SB_ERR_IO;
	}
	return 0;
}

/* The temporary file beside `path`, registered for signal cleanup. */
static int open_temp(struct sb_outfile *out, const char *path, mode_t mode,
                     char *msg, size_t msg_len)
{
	int n = snprintf(out->tmp, sizeof(out->tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(out->tmp)) {
		out->tmp[0] = '\0';
		snprintf(msg, msg_len, "output path too long: %s", path);
		return SB_ERR_IO;
	}
	strcpy(out->path, path);
	sigset_t old;
	block_signals(&old);
	int fd = mkstemp(out->tmp);
	int err = errno;
	if (fd >= 0)
		out->slot = register_temp(out->tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* mkstemp() makes the file private; results are for reading. */
	if (fd >= 0 && (fchmod(fd, mode) != 0 || !(out->f = fdopen(fd, "w"))))
		err = errno;
	if (!out->f) {
		snprintf(msg, msg_len, "cannot write %s: %s", path,
		         strerror(err));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		unregister_temp(out);
		out->tmp[0] = '\0';
		return SB_ERR_IO;
	}
	return 0;
}

int sb_outfile_open(struct sb_outfile *out, const char *path, char *msg,
                    size_t msg_len)
{
	struct stat st;
	char resolved[PATH_MAX];
	memset(out, 0, sizeof(*out));
	if (!path[0]) {
		snprintf(msg, msg_len, "an empty file name");
		return SB_ERR_IO;
	}
	if (strlen(path) >= sizeof(out->path)) {
		snprintf(msg, msg_len, "output path too long: %.64s...", path);
		return SB_ERR_IO;
	}
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (strcmp(path, "-") == 0)
		return open_in_place(out, path, msg, msg_len);
	bool exists = lstat(path, &st) == 0;
	if (exists && S_ISLNK(st.st_mode)) {
		/* Replace the file the link names; the link stays a link. */
		if (!realpath(path, resolved) || stat(resolved, &st) != 0) {
			snprintf(msg, msg_len,
			         "cannot write %s: a symbolic link to a file "
			         "that is not there",
			         path);
			return SB_ERR_IO;
		}
		path = resolved;
	}
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(out, path, msg, msg_len);
	if (exists && (access(path, W_OK) != 0 ||
	               (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)) {
		snprintf(msg, msg_len,
		         "%s is read-only: not replacing it (chmod u+w it, or "
		         "choose another name)",
		         path);
		return SB_ERR_IO;
	}
	return open_temp(out, path, exists ? st.st_mode & 07777 : 0644, msg,
	                 msg_len);
}

/* ---- committing -------------------------------------------------------- */

static void drop_temp(struct sb_outfile *out)
{
	if (out->tmp[0])
		unlink(out->tmp);
	unregister_temp(out);
	out->tmp[0] = '\0';
}

int sb_outfile_finish(struct sb_outfile *out, char *msg, size_t msg_len)
{
	if (out->finished)
		return 0;
	FILE *f = out->f;
	out->f = NULL;
	if (!f) {
		snprintf(msg, msg_len, "cannot write %s: not open", out->path);
		return SB_ERR_IO;
	}
	errno = 0;
	bool failed = ferror(f) != 0;
	failed |= fflush(f) != 0;
	/* A device or a pipe has nothing to sync (fsync: EINVAL). */
	if (!out->in_place)
		failed |= fsync(fileno(f)) != 0;
	if (f != stdout)
		failed |= fclose(f) != 0;
	if (failed) {
		snprintf(msg, msg_len, "cannot write %s: %s", out->path,
		         strerror(errno ? errno : EIO));
		drop_temp(out);
		return SB_ERR_IO;
	}
	out->finished = true;
	return 0;
}

int sb_outfile_commit(struct sb_outfile *out, char *msg, size_t msg_len)
{
	int rc = sb_outfile_finish(out, msg, msg_len);
	if (rc || out->in_place || !out->tmp[0])
		return rc;
	if (rename(out->tmp, out->path) != 0) {
		snprintf(msg, msg_len, "cannot write %s: %s", out->path,
		         strerror(errno));
		drop_temp(out);
		return SB_ERR_IO;
	}
	unregister_temp(out);
	out->tmp[0] = '\0';
	return 0;
}

void sb_outfile_abort(struct sb_outfile *out)
{
	if (out->f && out->f != stdout)
		fclose(out->f);
	out->f = NULL;
	drop_temp(out);
}
