/* realpath() is X/Open (POSIX.1-2008 XSI). */
#define _XOPEN_SOURCE 700
#include "cli/cli.h"

#include <limits.h>

#include "base/mem.h"
#include "gate/compare.h"
#include "output/csv.h"
#include "output/csv_read.h"
#include "output/provenance.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A longer message keeps its first and last bytes (see cli.h). */
#define MESSAGE_MAX 400
#define MESSAGE_HEAD 240
#define MESSAGE_TAIL 120

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char small[MESSAGE_MAX + 1], *text = small;
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n > MESSAGE_MAX && (text = sb_mem_alloc((size_t)n + 1)) != NULL)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	va_end(again);
	if (!text) { /* out of memory: the truncated start will do */
		text = small;
		n = (int)strlen(small);
	}
	n = n < 0 ? 0 : n;
	for (int i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			text[i] = '?';
	if (n > MESSAGE_MAX)
		fprintf(stderr, "suitebench: %s%.*s[... %d bytes cut ...]%s\n",
		        prefix, MESSAGE_HEAD, text,
		        n - MESSAGE_HEAD - MESSAGE_TAIL,
		        text + n - MESSAGE_TAIL);
	else
		fprintf(stderr, "suitebench: %s%s\n", prefix, text);
	if (text != small)
		sb_mem_free(text);
}

void sb_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

static bool notes_off;

void sb_cli_notes_off(void)
{
	notes_off = true;
}

void sb_cli_note(const char *fmt, ...)
{
	va_list ap;
	if (notes_off)
		return;
	va_start(ap, fmt);
	vmessage("note: ", fmt, ap);
	va_end(ap);
}

int sb_cli_number(const char *option, const char *text, unsigned long min,
                  unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || errno || !end || *end ||
	    v < min || v > max) {
		sb_cli_error("%s: '%s' is not a number from %lu to %lu", option,
		             text, min, max);
		return SB_ERR_USAGE;
	}
	*out = v;
	return 0;
}

int sb_cli_split(char *text, char **items, size_t cap)
{
	size_t count = 0;
	char *save = NULL;
	if (text[0] == ',' || text[0] == '\0' || strstr(text, ",,") ||
	    text[strlen(text) - 1] == ',')
		return -1;
	for (char *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (count == cap)
			return -1;
		items[count++] = tok;
	}
	return (int)count;
}

char **sb_cli_args_copy(int argc, char **argv)
{
	char **copy = sb_mem_calloc((size_t)argc + 1, sizeof(*copy));
	for (int i = 0; copy && i < argc; i++)
		if (!(copy[i] = sb_mem_strdup(argv[i]))) {
			sb_cli_args_free(argc, copy);
			copy = NULL;
		}
	if (!copy)
		sb_cli_error("out of memory");
	return copy;
}

void sb_cli_args_free(int argc, char **copy)
{
	for (int i = 0; copy && i < argc; i++)
		sb_mem_free(copy[i]);
	sb_mem_free(copy);
}

/* ---- which file a path names ------------------------------------------ */

struct identity {
	bool exists;
	bool null; /* the null device: any number of writers */
	dev_t dev;
	ino_t ino;
	char name[PATH_MAX]; /* when it does not exist: its absolute name */
};

/* A file not there yet is known by its directory's real path and its own
 * name, so "x.csv" and "./x.csv" are the same file. */
static void identify(const char *path, struct identity *id)
{
	struct stat st, null;
	memset(id, 0, sizeof(*id));
	if (strcmp(path, "-") == 0)
		id->exists = fstat(STDOUT_FILENO, &st) == 0;
	else
		id->exists = stat(path, &st) == 0;
	if (id->exists) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->null = S_ISCHR(st.st_mode) &&
		           stat("/dev/null", &null) == 0 &&
		           st.st_rdev == null.st_rdev;
		return;
	}
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	int n = -1;
	if (realpath(dir, real))
		n = snprintf(id->name, sizeof(id->name), "%s/%s", real, base);
	if (n < 0 || (size_t)n >= sizeof(id->name))
		snprintf(id->name, sizeof(id->name), "%s", path);
}

static bool same_file(const struct identity *a, const struct identity *b)
{
	if (a->exists != b->exists || a->null || b->null)
		return false;
	return a->exists ? a->dev == b->dev && a->ino == b->ino
	                 : strcmp(a->name, b->name) == 0;
}

/* A CSV written to a regular file (or one not there yet) has a provenance
 * file beside it. */
static bool has_provenance(const char *path)
{
	struct stat st;
	return strcmp(path, "-") != 0 &&
	       (stat(path, &st) != 0 || S_ISREG(st.st_mode));
}

#define MAX_CHECKED 16

int sb_cli_paths_check(const struct sb_cli_path *paths, size_t count)
{
	struct sb_cli_path all[MAX_CHECKED];
	char prov[MAX_CHECKED][PATH_MAX], option[MAX_CHECKED][64];
	size_t n = 0;
	for (size_t i = 0; i < count && n < MAX_CHECKED; i++) {
		if (!paths[i].path[0]) {
			sb_cli_error("%s: an empty file name", paths[i].option);
			return SB_ERR_USAGE;
		}
		all[n++] = paths[i];
		if (paths[i].csv && has_provenance(paths[i].path) &&
		    n < MAX_CHECKED &&
		    sb_provenance_path(paths[i].path, prov[n],
		                       sizeof(prov[n])) == 0) {
			snprintf(option[n], sizeof(option[n]),
			         "%s's provenance file", paths[i].option);
			all[n] = (struct sb_cli_path){.option = option[n],
			                              .path = prov[n],
			                              .output = true};
			n++;
		}
	}
	struct identity *ids = sb_mem_calloc(n, sizeof(*ids));
	if (!ids) {
		sb_cli_error("out of memory");
		return SB_ERR_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		identify(all[i].path, &ids[i]);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		for (size_t j = i + 1; j < n && rc == 0; j++) {
			if ((!all[i].output && !all[j].output) ||
			    !same_file(&ids[i], &ids[j]))
				continue;
			rc = SB_ERR_USAGE;
			bool to_stdout = strcmp(all[i].path, "-") == 0 ||
			                 strcmp(all[j].path, "-") == 0;
			if (to_stdout)
				sb_cli_error("%s and %s would both write to "
				             "standard output",
				             all[i].option, all[j].option);
			else if (!all[i].output || !all[j].output)
				sb_cli_error("%s and %s name the same file %s: "
				             "an output never overwrites an "
				             "input",
				             all[i].option, all[j].option,
				             all[j].path);
			else
				sb_cli_error("%s and %s name the same file %s",
				             all[i].option, all[j].option,
				             all[j].path);
		}
	sb_mem_free(ids);
	return rc;
}

/* ---- the outputs -------------------------------------------------------- */

int sb_cli_outputs_open(struct sb_cli_outputs *out, const char *path)
{
	char msg[PATH_MAX + 64], prov[PATH_MAX];
	if (!path[0]) {
		sb_cli_error("-o: an empty file name");
		return SB_ERR_USAGE;
	}
	if (sb_provenance_path(path, prov, sizeof(prov))) {
		sb_cli_error("output path too long: %s", path);
		return SB_ERR_USAGE;
	}
	int rc = sb_outfile_open(&out->csv, path, msg, sizeof(msg));
	if (rc == 0 && !out->csv.in_place)
		rc = sb_outfile_open(&out->provenance, prov, msg, sizeof(msg));
	if (rc) {
		sb_outfile_abort(&out->csv);
		sb_outfile_abort(&out->provenance);
		sb_cli_error("%s", msg);
		return SB_ERR_USAGE;
	}
	return 0;
}

FILE *sb_cli_outputs_add(struct sb_cli_outputs *out, const char *option,
                         const char *path)
{
	char msg[PATH_MAX + 64];
	if (out->extra_count == SB_CLI_EXTRA_FILES) {
		sb_cli_error("%s: too many output files", option);
		return NULL;
	}
	struct sb_outfile *f = &out->extra[out->extra_count];
	if (sb_outfile_open(f, path, msg, sizeof(msg))) {
		sb_outfile_abort(f);
		sb_cli_error("%s: %s", option, msg);
		return NULL;
	}
	out->extra_count++;
	return f->f;
}

FILE *sb_cli_outputs_provenance(struct sb_cli_outputs *out)
{
	return out->csv.in_place ? NULL : out->provenance.f;
}

/* The files opened, provenance before its CSV: renamed in this order, a
 * CSV in place always has its provenance beside it. */
static size_t opened_files(struct sb_cli_outputs *out,
                           struct sb_outfile **files)
{
	size_t n = 0;
	if (out->provenance.f)
		files[n++] = &out->provenance;
	if (out->csv.f)
		files[n++] = &out->csv;
	for (size_t i = 0; i < out->extra_count; i++)
		files[n++] = &out->extra[i];
	return n;
}

int sb_cli_outputs_commit(struct sb_cli_outputs *out,
                          const struct sb_results *results, bool quiet)
{
	char msg[PATH_MAX + 64] = "";
	struct sb_outfile *files[2 + SB_CLI_EXTRA_FILES];
	bool with_csv = out->csv.f != NULL;
	bool with_provenance = out->provenance.f != NULL;
	size_t n = opened_files(out, files);
	int rc = 0;
	if (with_csv && sb_csv_results_write(out->csv.f, results)) {
		snprintf(msg, sizeof(msg), "cannot write %s: %s", out->csv.path,
		         strerror(errno ? errno : EIO));
		rc = SB_ERR_IO;
	}
	/* Everything written and flushed first; only then renamed. */
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = sb_outfile_finish(files[i], msg, sizeof(msg));
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = sb_outfile_commit(files[i], msg, sizeof(msg));
	if (rc) {
		sb_cli_outputs_abort(out);
		sb_cli_error("%s", msg);
		return SB_ERR_IO;
	}
	if (!quiet && with_csv)
		fprintf(stderr, "wrote %s (%zu rows)%s%s\n", out->csv.path,
		        results->count, with_provenance ? " and " : "",
		        with_provenance ? out->provenance.path
		                        : " (no provenance file for a stream)");
	return 0;
}

void sb_cli_outputs_abort(struct sb_cli_outputs *out)
{
	sb_outfile_abort(&out->csv);
	sb_outfile_abort(&out->provenance);
	for (size_t i = 0; i < out->extra_count; i++)
		sb_outfile_abort(&out->extra[i]);
}

/* ---- reading ------------------------------------------------------------ */

int sb_cli_results_load(const char *path, struct sb_results *results)
{
	char msg[PATH_MAX + 512];
	if (sb_csv_results_load(path, results, msg, sizeof(msg))) {
		sb_cli_error("%s", msg);
		return SB_ERR_USAGE;
	}
	if (sb_compare_results_check(results, msg, sizeof(msg))) {
		sb_cli_error("%s: %s", path, msg);
		return SB_ERR_USAGE;
	}
	return 0;
}

/* ---- suites ------------------------------------------------------------- */

static bool suite_listed(const struct sb_suite *suite,
                         const struct sb_suite **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == suite)
			return true;
	return false;
}

int sb_cli_suites(char *arg, const struct sb_suite **out, size_t cap)
{
	char *names[64];
	size_t count = 0;
	int n = sb_cli_split(arg, names, cap < 64 ? cap : 64);
	if (n < 0) {
		sb_cli_error("--suite: expected a comma-separated list of at "
		             "most %zu names",
		             cap < 64 ? cap : 64);
		return SB_ERR_USAGE;
	}
	for (int i = 0; i < n; i++) {
		if (strcasecmp(names[i], "all") == 0) {
			size_t all =
			    sb_suites_count < cap ? sb_suites_count : cap;
			for (size_t s = 0; s < all; s++)
				out[s] = &sb_suites[s];
			return (int)all;
		}
		const struct sb_suite *suite = sb_suite_find(names[i]);
		if (!suite) {
			sb_cli_error("--suite: unknown suite '%s' (see "
			             "'suitebench list' for names)",
			             names[i]);
			return SB_ERR_USAGE;
		}
		if (suite_listed(suite, out, count))
			sb_cli_note("--suite names %s twice; it runs "
			            "once",
			            suite->short_name);
		else
			out[count++] = suite;
	}
	return (int)count;
}
