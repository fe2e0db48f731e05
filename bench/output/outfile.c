#include "output/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_in_place(struct sb_outfile *out, const char *path, char *msg,
                         size_t msg_len)
{
	out->in_place = true;
	out->f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (!out->f) {
		snprintf(msg, msg_len, "cannot write %s: %s", path,
		         strerror(errno));
		return SB_ERR_IO;
	}
	return 0;
}

int sb_outfile_open(struct sb_outfile *out, const char *path, char *msg,
                    size_t msg_len)
{
	struct stat st;
	memset(out, 0, sizeof(*out));
	if (strcmp(path, "-") == 0 ||
	    (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
		snprintf(out->path, sizeof(out->path), "%s", path);
		return open_in_place(out, path, msg, msg_len);
	}
	int n = snprintf(out->tmp, sizeof(out->tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(out->tmp) ||
	    strlen(path) >= sizeof(out->path)) {
		snprintf(msg, msg_len, "output path too long: %s", path);
		return SB_ERR_IO;
	}
	strcpy(out->path, path);
	int fd = mkstemp(out->tmp);
	/* mkstemp() makes the file private; results are for reading. */
	if (fd < 0 || fchmod(fd, 0644) != 0 || !(out->f = fdopen(fd, "w"))) {
		snprintf(msg, msg_len, "cannot write %s: %s", path,
		         strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(out->tmp);
		}
		out->tmp[0] = '\0';
		return SB_ERR_IO;
	}
	return 0;
}

static int commit_in_place(struct sb_outfile *out, char *msg, size_t msg_len)
{
	FILE *f = out->f;
	out->f = NULL;
	int failed = ferror(f) | fflush(f);
	if (f != stdout)
		failed |= fclose(f);
	if (!failed)
		return 0;
	snprintf(msg, msg_len, "cannot write %s: %s", out->path,
	         strerror(errno));
	return SB_ERR_IO;
}

int sb_outfile_commit(struct sb_outfile *out, char *msg, size_t msg_len)
{
	if (out->in_place)
		return commit_in_place(out, msg, msg_len);
	FILE *f = out->f;
	out->f = NULL;
	int failed = ferror(f) | fflush(f) | fsync(fileno(f));
	failed |= fclose(f);
	if (!failed && rename(out->tmp, out->path) == 0) {
		out->tmp[0] = '\0';
		return 0;
	}
	snprintf(msg, msg_len, "cannot write %s: %s", out->path,
	         strerror(errno));
	unlink(out->tmp);
	out->tmp[0] = '\0';
	return SB_ERR_IO;
}

void sb_outfile_abort(struct sb_outfile *out)
{
	if (out->f && out->f != stdout)
		fclose(out->f);
	out->f = NULL;
	if (out->tmp[0])
		unlink(out->tmp);
	out->tmp[0] = '\0';
}
