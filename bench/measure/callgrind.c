#define _GNU_SOURCE
#include "measure/callgrind.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "base/mem.h"
#include "measure/layout.h"

/* Command lines up to this many bytes start the child at one stack
 * layout (see sb_callgrind_reexec). */
#define SB_CALLGRIND_ARGS_MAX 8192
#define SB_CALLGRIND_ARGC_MAX 96

static unsigned dumps;        /* dump files written so far */
static uint64_t empty_region; /* the cost of toggling alone */
static bool empty_measured;

bool sb_callgrind_active(void)
{
	return RUNNING_ON_VALGRIND && getenv(SB_CALLGRIND_ENV);
}

void sb_callgrind_start(void)
{
	CALLGRIND_TOGGLE_COLLECT;
}

static char failure[512]; /* the first unreadable dump, until taken */

int sb_callgrind_dump_total(const char *path, uint64_t *total, char *why,
                            size_t len)
{
	char line[512];
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, len, "cannot read callgrind's dump %s: %s", path,
		         strerror(errno));
		return SB_ERR_IO;
	}
	unsigned long long value = 0;
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "totals: %llu", &value) == 1;
	fclose(f);
	if (!found) {
		snprintf(why, len,
		         "callgrind's dump %s has no 'totals:' line: no "
		         "instruction count",
		         path);
		return SB_ERR_IO;
	}
	*total = value;
	return 0;
}

bool sb_callgrind_take_failure(char *why, size_t len)
{
	if (!failure[0])
		return false;
	snprintf(why, len, "%s", failure);
	failure[0] = '\0';
	return true;
}

/* The total of dump number `n`, which is removed once read; an unreadable
 * dump is remembered as the run's failure and counts 0. */
static uint64_t read_dump(unsigned n)
{
	char path[4096], why[sizeof(failure)];
	snprintf(path, sizeof(path), "%s.%u", getenv(SB_CALLGRIND_ENV), n);
	uint64_t total = 0;
	if (sb_callgrind_dump_total(path, &total, why, sizeof(why)) &&
	    !failure[0])
		memcpy(failure, why, sizeof(failure));
	unlink(path);
	return total;
}

static uint64_t stop_raw(void)
{
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT("suitebench region");
	return read_dump(++dumps);
}

uint64_t sb_callgrind_stop(void)
{
	uint64_t count = stop_raw();
	if (!empty_measured) {
		empty_measured = true;
		sb_callgrind_start();
		empty_region = stop_raw();
	}
	return count > empty_region ? count - empty_region : 0;
}

int sb_callgrind_reexec(int argc, char **argv)
{
	char dir[] = "/tmp/suitebench-callgrind-XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(stderr,
		        "suitebench: cannot make a directory for "
		        "callgrind's dumps: %s\n",
		        strerror(errno));
		return SB_ERR_IO;
	}
	char out[sizeof(dir) + 16], out_opt[sizeof(out) + 32];
	snprintf(out, sizeof(out), "%s/cg.out", dir);
	snprintf(out_opt, sizeof(out_opt), "--callgrind-out-file=%s", out);
	/* valgrind must be given this program's path: in the child,
	 * /proc/self/exe would name valgrind itself. */
	char self[4096];
	ssize_t self_len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char **args = sb_mem_calloc((size_t)argc + 7, sizeof(*args));
	if (!args || self_len <= 0) {
		sb_mem_free(args);
		rmdir(dir);
		fprintf(stderr, "suitebench: cannot find its own executable\n");
		return SB_ERR_IO;
	}
	self[self_len] = '\0';
	/*
	 * The child's stack holds its path, arguments and environment, so
	 * their lengths shift stack addresses -- and with them the alignment
	 * that copy routines branch on.  A fixed-length link to this program
	 * and a fixed environment keep counts the same from any checkout.
	 */
	char link_path[sizeof(dir) + 8];
	snprintf(link_path, sizeof(link_path), "%s/sb", dir);
	if (symlink(self, link_path) != 0) {
		sb_mem_free(args);
		rmdir(dir);
		fprintf(stderr, "suitebench: cannot link %s: %s\n", link_path,
		        strerror(errno));
		return SB_ERR_IO;
	}
	char native[256], native_env[300], out_env[sizeof(out) + 32];
	sb_callgrind_cpu_features(native, sizeof(native));
	snprintf(native_env, sizeof(native_env), "%s=%s",
	         SB_CALLGRIND_NATIVE_ENV, native);
	snprintf(out_env, sizeof(out_env), "%s=%s", SB_CALLGRIND_ENV, out);
	/*
	 * The arguments sit on the child's stack too: pad the environment so
	 * that argument strings plus padding always take the same bytes, and
	 * argument pointers plus padding entries the same count, so that two
	 * command lines of different lengths (--no-transcript, another
	 * --suite) start the child at the same stack addresses.  Of the
	 * caller's environment only the tool's own SB_* variables pass, and
	 * count like arguments.
	 */
	static char pad_env[SB_CALLGRIND_ARGS_MAX + 16];
	static char pad_entry[] = "SB_P=";
	char *envp[8 + 2 * SB_CALLGRIND_ARGC_MAX] = {
	    out_env, native_env, "PATH=/usr/bin:/bin", "LC_ALL=C", pad_env};
	size_t arg_bytes = 0, entries = 5;
	int slots = argc;
	for (int i = 1; i < argc; i++)
		arg_bytes += strlen(argv[i]) + 1;
	for (char **e = environ; *e && slots < SB_CALLGRIND_ARGC_MAX; e++)
		if (strncmp(*e, "SB_", 3) == 0 && strncmp(*e, "SB_P", 4) != 0 &&
		    strncmp(*e, SB_CALLGRIND_ENV "=",
		            strlen(SB_CALLGRIND_ENV) + 1) != 0 &&
		    strncmp(*e, SB_CALLGRIND_NATIVE_ENV "=",
		            strlen(SB_CALLGRIND_NATIVE_ENV) + 1) != 0) {
			envp[entries++] = *e;
			arg_bytes += strlen(*e) + 1;
			slots++;
		}
	for (int i = slots; i < SB_CALLGRIND_ARGC_MAX; i++) {
		envp[entries++] = pad_entry;
		arg_bytes += sizeof(pad_entry);
	}
	size_t pad = arg_bytes < SB_CALLGRIND_ARGS_MAX
	                 ? SB_CALLGRIND_ARGS_MAX - arg_bytes
	                 : 0;
	memcpy(pad_env, "SB_PAD=", 7);
	memset(pad_env + 7, 'p', pad);
	pad_env[7 + pad] = '\0';
	envp[entries] = NULL;
	int n = 0;
	args[n++] = "valgrind";
	args[n++] = "--quiet";
	args[n++] = "--tool=callgrind";
	args[n++] = "--collect-atstart=no";
	args[n++] = "--dump-instr=no";
	args[n++] = out_opt;
	args[n++] = link_path;
	for (int i = 1; i < argc; i++)
		args[n++] = argv[i];
	pid_t pid = fork();
	if (pid == 0) {
		/* Addresses decide hash-table orders and copy alignments, and
		 * so instruction counts: fix them, as `setarch -R` does. */
		sb_layout_fix_addresses();
		execvpe("valgrind", args, envp);
		fprintf(stderr,
		        "suitebench: --counter instructions needs "
		        "valgrind: %s (apt-get install valgrind)\n",
		        strerror(errno));
		_exit(2);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sb_mem_free(args);
	unlink(out); /* callgrind's final dump at exit */
	unlink(link_path);
	rmdir(dir);
	if (pid < 0)
		return SB_ERR_IO;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void sb_callgrind_cpu_features(char *out, size_t len)
{
	static const struct {
		unsigned leaf, reg, bit; /* reg: 2 = ecx, 1 = ebx */
		const char *name;
	} features[] = {
	    {1, 2, 25, "aes"}, {1, 2, 1, "pclmul"},      {1, 2, 28, "avx"},
	    {7, 1, 5, "avx2"}, {7, 1, 29, "sha"},        {7, 1, 16, "avx512f"},
	    {7, 2, 9, "vaes"}, {7, 2, 10, "vpclmulqdq"},
	};
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		unsigned r[4] = {0};
		if (!__get_cpuid_count(features[i].leaf, 0, &r[0], &r[1], &r[2],
		                       &r[3]))
			continue;
		if (r[features[i].reg] >> features[i].bit & 1)
			at += (size_t)snprintf(out + at,
			                       at < len ? len - at : 0, "%s%s",
			                       at ? " " : "", features[i].name);
	}
}
