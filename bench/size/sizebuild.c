#include "size/sizebuild.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const library_names[SB_SIZE_LIBRARIES] = {
    [SB_SIZE_OPENSSL] = "openssl",         [SB_SIZE_MBEDTLS] = "mbedtls",
    [SB_SIZE_BEARSSL] = "bearssl",         [SB_SIZE_GNUTLS] = "gnutls",
    [SB_SIZE_MBEDTLS_IOT] = "mbedtls-iot", [SB_SIZE_WOLFSSL] = "wolfssl",
};

static const char *const build_names[SB_SIZE_BUILDS] = {
    [SB_SIZE_PREBUILT] = "prebuilt",
    [SB_SIZE_TAILORED] = "tailored",
    [SB_SIZE_CORTEX_M4] = "cortex-m4",
};

static const char *const protocol_names[SB_SIZE_PROTOCOLS] = {
    [SB_SIZE_TLS12] = "tls1.2",
    [SB_SIZE_DTLS12] = "dtls1.2",
};

const char *sb_size_library_name(enum sb_size_library library)
{
	return library_names[library];
}

const char *sb_size_build_name(enum sb_size_build build)
{
	return build_names[build];
}

const char *sb_size_protocol_name(enum sb_size_protocol protocol)
{
	return protocol_names[protocol];
}

int sb_size_protocol_find(const char *name)
{
	for (int i = 0; i < SB_SIZE_PROTOCOLS; i++)
		if (strcasecmp(name, protocol_names[i]) == 0)
			return i;
	return -1;
}

int sb_size_library_find(const char *name)
{
	for (int i = 0; i < SB_SIZE_LIBRARIES; i++)
		if (strcasecmp(name, library_names[i]) == 0)
			return i;
	return -1;
}

int sb_size_build_find(const char *name)
{
	for (int i = 0; i < SB_SIZE_BUILDS; i++)
		if (strcasecmp(name, build_names[i]) == 0)
			return i;
	return -1;
}

/* The library's own name for the suite, NULL when it has none. */
static const char *suite_name(enum sb_size_library library,
                              const struct sb_suite *suite)
{
	switch (library) {
	case SB_SIZE_OPENSSL:
		return suite->openssl_name;
	case SB_SIZE_MBEDTLS:
	case SB_SIZE_MBEDTLS_IOT:
		return suite->mbedtls_name;
	case SB_SIZE_BEARSSL:
		return suite->bearssl_name;
	case SB_SIZE_GNUTLS:
		return suite->gnutls_name;
	case SB_SIZE_WOLFSSL:
		return suite->wolfssl_name;
	}
	return NULL;
}

static void not_implemented(enum sb_size_library library,
                            const struct sb_suite *suite, char *why, size_t len)
{
	static const char *const version[SB_SIZE_LIBRARIES] = {
	    [SB_SIZE_OPENSSL] = "OpenSSL 3.0",
	    [SB_SIZE_MBEDTLS] = "Mbed TLS 2.28",
	    [SB_SIZE_BEARSSL] = "BearSSL 0.6",
	    [SB_SIZE_GNUTLS] = "GnuTLS 3.7",
	    [SB_SIZE_MBEDTLS_IOT] = "Mbed TLS 2.28",
	    [SB_SIZE_WOLFSSL] = "wolfSSL 5.7.2",
	};
	if (library == SB_SIZE_BEARSSL && sb_kx_uses_psk(suite->kx))
		snprintf(why, len, "BearSSL has no PSK cipher suites");
	else if (library == SB_SIZE_WOLFSSL && suite->kx == SB_KX_ECDHE_RSA)
		snprintf(why, len,
		         "the wolfSSL builds here leave RSA out (as the "
		         "backend's, --disable-rsa): no %s",
		         suite->iana_name);
	else
		snprintf(why, len, "%s does not implement %s", version[library],
		         suite->iana_name);
}

/* The suites configs/mbedtls-iot.h holds: RFC 7925's profile. */
static bool iot_profile(const struct sb_suite *suite)
{
	return (suite->kx == SB_KX_PSK || suite->kx == SB_KX_ECDHE_ECDSA) &&
	       (suite->aead == SB_AEAD_AES_128_CCM ||
	        suite->aead == SB_AEAD_AES_128_CCM_8);
}

bool sb_size_wolfssl_source(char *buf, size_t len)
{
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n =
	    cache && cache[0]
	        ? snprintf(buf, len, "%s/suitebench/wolfssl-5.7.2-src", cache)
	        : snprintf(buf, len, "%s/.cache/suitebench/wolfssl-5.7.2-src",
	                   home ? home : "");
	char stamp[PATH_MAX + 16];
	if (n < 0 || (size_t)n >= len)
		return false;
	snprintf(stamp, sizeof(stamp), "%s/.unpacked", buf);
	return access(stamp, R_OK) == 0;
}

static bool wolfssl_supported(enum sb_size_build build, char *why, size_t len)
{
	char src[PATH_MAX];
	if (build == SB_SIZE_PREBUILT) {
		snprintf(
		    why, len,
		    "wolfSSL has no prebuilt build to measure: Debian 12's "
		    "libwolfssl-dev (5.5.4) has no plain-PSK suites and "
		    "no PSK with CCM_8, and the backend's 5.7.2 is "
		    "configured for the whole benchmark (TLS 1.3, DTLS "
		    "1.3, every suite), not for a device; it is measured "
		    "tailored (size/wolfssl-configs/user_settings.h)");
		return false;
	}
	if (!sb_size_wolfssl_source(src, sizeof(src))) {
		snprintf(why, len,
		         "no wolfSSL source in %s: scripts/build-wolfssl.sh "
		         "(run by CMake for the wolfSSL backend) fetches and "
		         "unpacks it",
		         src);
		return false;
	}
	return true;
}

bool sb_size_supported(enum sb_size_library library, enum sb_size_build build,
                       const struct sb_suite *suite, char *why, size_t len)
{
	if (suite->tls13) {
		snprintf(why, len,
		         "the size programs run TLS 1.2, the one protocol "
		         "every library measured here has (BearSSL has no "
		         "TLS 1.3)");
		return false;
	}
	if (!suite_name(library, suite)) {
		not_implemented(library, suite, why, len);
		return false;
	}
	if (library == SB_SIZE_OPENSSL && build == SB_SIZE_TAILORED) {
		snprintf(why, len,
		         "OpenSSL is measured as Debian builds it only: its "
		         "build options remove whole algorithms, not the TLS "
		         "code and tables that reference every suite, so it "
		         "has no one-suite build to tailor");
		return false;
	}
	if (library == SB_SIZE_GNUTLS && build != SB_SIZE_PREBUILT) {
		snprintf(why, len,
		         "GnuTLS is measured as Debian builds it only: it "
		         "has no one-suite or bare-metal build (configure "
		         "drops whole algorithms, not the tables that "
		         "reference every suite; it needs an OS)");
		return false;
	}
	if (library == SB_SIZE_MBEDTLS_IOT && !iot_profile(suite)) {
		snprintf(why, len,
		         "not in the mbedtls-iot configuration "
		         "(configs/mbedtls-iot.h: RFC 7925's PSK and "
		         "ECDHE-ECDSA suites with AES-128-CCM and CCM_8)");
		return false;
	}
	if (library == SB_SIZE_MBEDTLS_IOT && build == SB_SIZE_PREBUILT) {
		snprintf(why, len,
		         "mbedtls-iot is a configuration, not a Debian "
		         "archive: see its tailored and cortex-m4 builds");
		return false;
	}
	if (library == SB_SIZE_WOLFSSL)
		return wolfssl_supported(build, why, len);
	if (library == SB_SIZE_OPENSSL && build == SB_SIZE_CORTEX_M4) {
		snprintf(why, len,
		         "OpenSSL has no bare-metal build: it expects an "
		         "operating system (files, sockets, threads, time), "
		         "and Debian ships no Cortex-M4 build of it");
		return false;
	}
	return true;
}

bool sb_size_protocol_supported(enum sb_size_library library,
                                enum sb_size_build build,
                                enum sb_size_protocol protocol, char *why,
                                size_t len)
{
	(void)build;
	if (protocol == SB_SIZE_DTLS12 && library == SB_SIZE_BEARSSL) {
		snprintf(why, len,
		         "BearSSL has no DTLS (TLS over a stream only): its "
		         "TLS 1.2 rows are the comparison");
		return false;
	}
	return true;
}

const char *sb_size_granularity(enum sb_size_library library,
                                enum sb_size_build build, char *why, size_t len)
{
	if (library == SB_SIZE_MBEDTLS_IOT) {
		if (why)
			snprintf(why, len,
			         "whole-library: the mbedtls-iot configuration "
			         "(configs/mbedtls-iot.h), one library for its "
			         "four suites and both sides as `run --backend "
			         "mbedtls-iot` links it; the size is the "
			         "configuration's, not the suite's");
		return "whole-library";
	}
	bool whole = build == SB_SIZE_PREBUILT && library != SB_SIZE_BEARSSL;
	/* GnuTLS's credentials API is in objects of its own: a PSK program
	 * links psk.o, a certificate one auto-verify.o instead. */
	const char *gnutls_note =
	    library == SB_SIZE_GNUTLS
	        ? " (GnuTLS: but for its PSK or certificate API, 2 kB)"
	        : "";
	if (why)
		snprintf(why, len, "%s%s",
		         whole
		             ? "whole-library: Debian's archive has no "
		               "function sections and its suite and algorithm "
		               "tables reference every suite's code, so the "
		               "linker keeps the same objects whatever suite "
		               "the program offers; the size is the "
		               "library's, not the suite's"
		             : "",
		         whole ? gnutls_note : "");
	return whole ? "whole-library" : "per-suite";
}

bool sb_size_build_runs(enum sb_size_build build)
{
	return build != SB_SIZE_CORTEX_M4;
}

int sb_size_job_init(struct sb_size_job *job, enum sb_size_library library,
                     enum sb_size_build build, const struct sb_suite *suite,
                     const char *script, const char *work)
{
	bool full = job->full_profile, target = job->target;
	enum sb_size_protocol protocol = job->protocol;
	memset(job, 0, sizeof(*job));
	*job = (struct sb_size_job){.library = library,
	                            .build = build,
	                            .suite = suite,
	                            .full_profile = full,
	                            .target = target,
	                            .protocol = protocol,
	                            .script = script,
	                            .work = work};
	int n = snprintf(job->out, sizeof(job->out), "%s/out/%s%s/%s/%s%s%s",
	                 work, target ? "target-" : "", build_names[build],
	                 library_names[library], suite->short_name,
	                 full ? "-full" : "",
	                 protocol == SB_SIZE_DTLS12 ? "-dtls1.2" : "");
	return n < 0 || (size_t)n >= sizeof(job->out) ? SB_ERR_INVALID : 0;
}

/* ---- processes --------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The last non-empty line of `path`, at most `len` bytes of it. */
static void last_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];
	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		size_t n = strlen(line);
		if (n == 0)
			continue;
		if (n >= len)
			n = len - 1;
		memcpy(out, line, n);
		out[n] = '\0';
	}
	if (f)
		fclose(f);
}

/* Wait for `pid` until `deadline_ns` (CLOCK_MONOTONIC); kill it after.
 * Returns its wait status, or -1 when it had to be killed. */
static int wait_until(pid_t pid, uint64_t deadline_ns)
{
	int status = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec >
		    deadline_ns) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
	}
}

static uint64_t deadline_after(unsigned seconds)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((uint64_t)now.tv_sec + seconds) * 1000000000u +
	       (uint64_t)now.tv_nsec;
}

/* In a child: stdin, stdout and stderr, then exec; never returns. */
static void exec_with(int in, int out, int err, char *const argv[])
{
	if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(126);
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Open `path` for a child's output; -1 with `msg` on failure. */
static int open_log(const char *path, char *msg, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		snprintf(msg, len, "cannot write %s: %s", path,
		         strerror(errno));
	return fd;
}

/* The script's arguments for `job`, in `argv` (room for 32). */
static void script_args(const struct sb_size_job *job, char *code, size_t n,
                        const char **argv)
{
	const struct sb_suite *s = job->suite;
	size_t i = 0;
	snprintf(code, n, "0x%04X", s->code_point);
	argv[i++] = "sh";
	argv[i++] = job->script;
	argv[i++] = "--work";
	argv[i++] = job->work;
	argv[i++] = "--out";
	argv[i++] = job->out;
	argv[i++] = "--library";
	argv[i++] = library_names[job->library];
	argv[i++] = "--build";
	argv[i++] = build_names[job->build];
	argv[i++] = "--suite";
	argv[i++] = s->short_name;
	argv[i++] = "--code";
	argv[i++] = code;
	argv[i++] = "--kx";
	argv[i++] = sb_kx_name(s->kx);
	argv[i++] = "--aead";
	argv[i++] = sb_aead_name(s->aead);
	argv[i++] = "--protocol";
	argv[i++] = protocol_names[job->protocol];
	if (job->target) {
		argv[i++] = "--kind";
		argv[i++] = "target";
	}
	if (job->library == SB_SIZE_OPENSSL ||
	    job->library == SB_SIZE_WOLFSSL) {
		argv[i++] = "--name";
		argv[i++] = job->library == SB_SIZE_OPENSSL ? s->openssl_name
		                                            : s->wolfssl_name;
	}
	if (job->full_profile) {
		argv[i++] = "--profile";
		argv[i++] = "full";
	}
	argv[i] = NULL;
}

int sb_size_job_build(const struct sb_size_job *job, char *msg, size_t len)
{
	char log[PATH_MAX + 16], code[16], tail[256];
	const char *argv[32];
	if (mkdir_p(job->out) != 0) {
		snprintf(msg, len, "cannot create %s: %s", job->out,
		         strerror(errno));
		return SB_ERR_IO;
	}
	snprintf(log, sizeof(log), "%s/build.log", job->out);
	int fd = open_log(log, msg, len);
	if (fd < 0)
		return SB_ERR_IO;
	script_args(job, code, sizeof(code), argv);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0)
		exec_with(null, fd, fd, (char *const *)argv);
	close(fd);
	if (null >= 0)
		close(null);
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		last_line(log, tail, sizeof(tail));
		snprintf(msg, len, "build failed: %s (log: %s)",
		         tail[0] ? tail : "no output", log);
		return SB_ERR_IO;
	}
	return 0;
}

static void describe_exit(const char *who, int status, char *out, size_t len)
{
	if (status == -1)
		snprintf(out, len, "%s killed after the time limit", who);
	else if (WIFSIGNALED(status))
		snprintf(out, len, "%s killed by signal %d", who,
		         WTERMSIG(status));
	else
		snprintf(out, len, "%s exited with status %d", who,
		         WEXITSTATUS(status));
}

static bool exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Start the two programs; pids in `pids` (server, client), -1 if not. */
static void start_pair(const struct sb_size_job *job, int log, pid_t pids[2])
{
	int c2s[2] = {-1, -1}, s2c[2] = {-1, -1};
	char server[PATH_MAX + 8], client[PATH_MAX + 8];
	snprintf(server, sizeof(server), "%s/server", job->out);
	snprintf(client, sizeof(client), "%s/client", job->out);
	pids[0] = pids[1] = -1;
	/* exec_with() closes every descriptor above 2 in the child. */
	if (pipe(c2s) != 0 || pipe(s2c) != 0)
		goto out;
	if ((pids[0] = fork()) == 0)
		exec_with(c2s[0], s2c[1], log, (char *const[]){server, NULL});
	if (pids[0] > 0 && (pids[1] = fork()) == 0)
		exec_with(s2c[0], c2s[1], log, (char *const[]){client, NULL});
out:
	for (int i = 0; i < 2; i++) {
		if (c2s[i] >= 0)
			close(c2s[i]);
		if (s2c[i] >= 0)
			close(s2c[i]);
	}
}

int sb_size_pair_run(const struct sb_size_job *job, unsigned timeout_s,
                     char *msg, size_t len)
{
	char log[PATH_MAX + 16], tail[256], s_text[96], c_text[96];
	pid_t pids[2];
	snprintf(log, sizeof(log), "%s/run.log", job->out);
	int fd = open_log(log, msg, len);
	if (fd < 0)
		return SB_ERR_IO;
	start_pair(job, fd, pids);
	close(fd);
	uint64_t deadline = deadline_after(timeout_s);
	int s_status = pids[0] > 0 ? wait_until(pids[0], deadline) : -1;
	int c_status = pids[1] > 0 ? wait_until(pids[1], deadline) : -1;
	if (pids[0] < 0 || pids[1] < 0) {
		snprintf(msg, len, "cannot start the client and server: %s",
		         strerror(errno));
		return SB_ERR_IO;
	}
	if (exited_ok(s_status) && exited_ok(c_status))
		return 0;
	describe_exit("server", s_status, s_text, sizeof(s_text));
	describe_exit("client", c_status, c_text, sizeof(c_text));
	last_line(log, tail, sizeof(tail));
	snprintf(msg, len,
	         "the client and server did not complete a handshake and a "
	         "record: %s, %s%s%s (log: %s)",
	         c_text, s_text, tail[0] ? ": " : "", tail, log);
	return SB_ERR_VERIFY;
}

int sb_size_side_load(const struct sb_size_job *job, const char *side,
                      struct sb_map *map, char archives[][PATH_MAX], size_t cap,
                      char *msg, size_t len)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s.archives", job->out, side);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, len, "cannot read %s: %s", path, strerror(errno));
		return SB_ERR_IO;
	}
	size_t n = 0;
	char line[PATH_MAX];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (n == cap) {
			fclose(f);
			snprintf(msg, len, "%s: more than %zu archives", path,
			         cap);
			return SB_ERR_INVALID;
		}
		memcpy(archives[n++], line, sizeof(line));
	}
	fclose(f);
	if (n == 0) {
		snprintf(msg, len, "%s names no archive", path);
		return SB_ERR_INVALID;
	}
	snprintf(path, sizeof(path), "%s/%s.map", job->out, side);
	int rc = sb_mapfile_load(path, map, msg, len);
	return rc ? rc : (int)n;
}
