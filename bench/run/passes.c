#define _GNU_SOURCE
#include "run/passes.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "backends/backend.h"
#include "base/mem.h"
#include "measure/heap.h"
#include "measure/layout.h"
#include "output/csv_read.h"

/* This program, as the kernel started it. */
static int pass_self(char *path, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", path, len - 1);
	if (n <= 0)
		return SB_ERR_IO;
	path[n] = '\0';
	return 0;
}

/* The backends whose heap only an interposed malloc sees, or NULL. */
static const char *pass_interposed_backends(void)
{
	static char names[128];
	size_t at = 0;
	names[0] = '\0';
	for (size_t i = 0; sb_backends[i]; i++)
		if (sb_backends[i]->caps & SB_CAP_HEAP_INTERPOSED &&
		    at < sizeof(names))
			at += (size_t)snprintf(names + at, sizeof(names) - at,
			                       "%s%s", at ? ", " : "",
			                       sb_backends[i]->name);
	return at ? names : NULL;
}

/*
 * The executable of a pass (passes.h): for the heap pass, the one that
 * interposes malloc, SB_PASS_HEAP_SUFFIX after this program's name, when
 * it is there; for any other, the one that does not.  Either way this
 * program when the other is missing.
 */
static int pass_program(char *path, size_t len, bool heap)
{
	if (pass_self(path, len))
		return SB_ERR_IO;
	size_t n = strlen(path), k = strlen(SB_PASS_HEAP_SUFFIX);
	bool is_heap = n > k && strcmp(path + n - k, SB_PASS_HEAP_SUFFIX) == 0;
	if (heap == is_heap)
		return 0;
	char other[4096];
	if (heap)
		snprintf(other, sizeof(other), "%s%s", path,
		         SB_PASS_HEAP_SUFFIX);
	else
		snprintf(other, sizeof(other), "%.*s", (int)(n - k), path);
	if (strlen(other) < len && access(other, X_OK) == 0)
		snprintf(path, len, "%s", other);
	else if (heap && pass_interposed_backends())
		fprintf(stderr,
		        "suitebench: %s is missing: no heap figures for "
		        "libraries without an allocator hook (%s)\n",
		        other, pass_interposed_backends());
	return 0;
}

bool sb_pass_timing_elsewhere(void)
{
	return sb_heap_hooks_on() && !RUNNING_ON_VALGRIND;
}

int sb_pass_exec_timing(int argc, char **argv, bool fixed_addresses)
{
	char self[4096];
	(void)argc;
	/* Where the kernel or a sandbox refuses it, the run goes on with
	 * random addresses and its provenance says so (address_layout);
	 * no line on stderr, which a refused command keeps to its one. */
	if (fixed_addresses)
		sb_layout_fix_addresses();
	if (pass_program(self, sizeof(self), false) == 0 &&
	    setenv(SB_HEAP_HOOKS_ENV, "0", 1) == 0)
		execv(self, argv);
	fprintf(stderr,
	        "suitebench: cannot start the timing pass (no heap hooks): "
	        "%s\n",
	        strerror(errno));
	return SB_ERR_IO;
}

bool sb_pass_is_heap_row(const struct sb_row *row)
{
	return strcmp(row->metric, "heap_peak") == 0 ||
	       strcmp(row->metric, "heap_allocs") == 0 ||
	       strcmp(row->metric, "stack_peak") == 0 ||
	       strcmp(row->metric, "ram_total") == 0;
}

/* The child: the same command with `option` and `out` added, heap hooks
 * on or off, its rows to `out`. */
static pid_t pass_spawn(int argc, char **argv, const char *self,
                        const char *option, const char *out, bool hooks)
{
	char **args = sb_mem_calloc((size_t)argc + 3, sizeof(*args));
	if (!args)
		return -1;
	for (int i = 0; i < argc; i++)
		args[i] = argv[i];
	args[argc] = (char *)option;
	args[argc + 1] = (char *)out;
	pid_t pid = fork();
	if (pid == 0) {
		setenv(SB_HEAP_HOOKS_ENV, hooks ? "1" : "0", 1);
		execv(self, args);
		fprintf(stderr, "suitebench: cannot start the %s: %s\n",
		        option + 2, strerror(errno));
		_exit(2);
	}
	sb_mem_free(args);
	return pid;
}

/* Run this command as a pass of its own (`option` FILE) and read its rows
 * into `rows`. */
static int pass_run(int argc, char **argv, const char *option, bool hooks,
                    struct sb_results *rows, char *msg, size_t len)
{
	char dir[] = "/tmp/suitebench-pass-XXXXXX";
	char self[4096], out[sizeof(dir) + 16], prov[sizeof(dir) + 32];
	const char *what = option + 2; /* "heap-pass", "timing-pass" */
	if (pass_program(self, sizeof(self), hooks) || !mkdtemp(dir)) {
		snprintf(msg, len, "%s: cannot start: %s", what,
		         strerror(errno));
		return SB_ERR_IO;
	}
	snprintf(out, sizeof(out), "%s/pass.csv", dir);
	snprintf(prov, sizeof(prov), "%s/pass.provenance.txt", dir);
	fflush(NULL);
	pid_t pid = pass_spawn(argc, argv, self, option, out, hooks);
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = 0;
	if (pid < 0) {
		snprintf(msg, len, "%s: cannot start: %s", what,
		         strerror(errno));
		rc = SB_ERR_IO;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		/* 1: a scenario failed, its rows say which; more: no run */
		snprintf(msg, len, "%s: the child exited with status %d", what,
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		rc = SB_ERR_IO;
	} else {
		rc = sb_csv_results_load(out, rows, msg, len);
	}
	unlink(out);
	unlink(prov);
	rmdir(dir);
	return rc;
}

int sb_pass_heap_run(int argc, char **argv, struct sb_results *heap, char *msg,
                     size_t len)
{
	return pass_run(argc, argv, SB_PASS_HEAP_OPTION, true, heap, msg, len);
}

int sb_pass_timing_run(int argc, char **argv, struct sb_results *timing,
                       char *msg, size_t len)
{
	return pass_run(argc, argv, SB_PASS_TIMING_OPTION, false, timing, msg,
	                len);
}

bool sb_pass_is_timing_row(const struct sb_row *row)
{
	return strcmp(row->unit, "cycles") == 0 || strcmp(row->unit, "ns") == 0;
}

/* The row of `set` with the key of `row`, when it is ok and measured,
 * looking from `*from` (both runs list their rows in one order) and then
 * around; `*from` moves past it. */
static const struct sb_row *pass_match(const struct sb_results *set,
                                       const struct sb_row *row, size_t *from)
{
	for (size_t k = 0; k < set->count; k++) {
		size_t at = (*from + k) % set->count;
		const struct sb_row *c = &set->rows[at];
		if (c->status == SB_ROW_OK && sb_row_key_cmp(c, row) == 0) {
			*from = (at + 1) % set->count;
			return c->stats.median > 0 ? c : NULL;
		}
	}
	return NULL;
}

static int pass_by_median(const void *a, const void *b)
{
	double x = (*(const struct sb_row *const *)a)->stats.median;
	double y = (*(const struct sb_row *const *)b)->stats.median;
	return (x > y) - (x < y);
}

void sb_pass_keep_median(struct sb_results *results,
                         const struct sb_results *others, size_t count,
                         double *spread)
{
	size_t from[SB_PASS_MAX_PROCESSES] = {0};
	const struct sb_row *seen[SB_PASS_MAX_PROCESSES];
	if (count > SB_PASS_MAX_PROCESSES - 1)
		count = SB_PASS_MAX_PROCESSES - 1;
	for (size_t i = 0; i < results->count; i++) {
		struct sb_row *row = &results->rows[i];
		spread[i] = -1;
		if (row->status != SB_ROW_OK || !sb_pass_is_timing_row(row) ||
		    !(row->stats.median > 0))
			continue;
		size_t n = 0;
		seen[n++] = row;
		for (size_t p = 0; p < count; p++) {
			const struct sb_row *o =
			    pass_match(&others[p], row, &from[p]);
			if (o)
				seen[n++] = o;
		}
		if (n < 2)
			continue;
		qsort(seen, n, sizeof(seen[0]), pass_by_median);
		spread[i] =
		    (seen[n - 1]->stats.median - seen[0]->stats.median) /
		    seen[0]->stats.median;
		/* Odd: the middle process; even: the lower of the middle two,
		 * so that every figure is one process's own. */
		const struct sb_row *mid = seen[(n - 1) / 2];
		if (mid != row) {
			row->stats = mid->stats;
			memcpy(row->warnings, mid->warnings,
			       sizeof(row->warnings));
			row->warning_level = mid->warning_level;
		}
	}
}

static bool same_scenario(const struct sb_row *a, const struct sb_row *b)
{
	return strcmp(a->client, b->client) == 0 &&
	       strcmp(a->server, b->server) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->suite, b->suite) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

int sb_pass_merge(struct sb_results *results, const struct sb_results *heap)
{
	for (size_t h = 0; h < heap->count; h++) {
		const struct sb_row *row = &heap->rows[h];
		if (!sb_pass_is_heap_row(row) || row->status != SB_ROW_OK)
			continue;
		size_t at = results->count;
		for (size_t i = results->count; i-- > 0;)
			if (same_scenario(&results->rows[i], row)) {
				at = i + 1;
				break;
			}
		if (at == results->count &&
		    (results->count == 0 ||
		     !same_scenario(&results->rows[at - 1], row)))
			continue; /* a scenario the timing pass did not run */
		/* The scenario must have run there too, not failed. */
		if (results->rows[at - 1].status != SB_ROW_OK)
			continue;
		if (sb_results_add(results, row))
			return SB_ERR_NOMEM;
		memmove(&results->rows[at + 1], &results->rows[at],
		        (results->count - 1 - at) * sizeof(*row));
		results->rows[at] = *row;
	}
	return 0;
}
