#include "target/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"

/* The most one call moves: a TLS record and its header, with room. */
#define PROC_IO_MAX 65536u

extern char **environ;

static int proc_fail(char *why, size_t len, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return SB_ERR_IO;
}

/* Write all of `len`; a program that died answers EPIPE, not SIGPIPE. */
static int proc_write(struct sb_proc *p, const void *data, size_t len)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	const uint8_t *b = data;
	int rc = 0;
	while (len > 0) {
		ssize_t n = write(p->to_fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = SB_ERR_IO;
			break;
		}
		b += n;
		len -= (size_t)n;
	}
	if (rc) {
		/* Take the SIGPIPE this write raised before unblocking. */
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Read exactly `len`, waiting at most SB_PROC_TIMEOUT_MS for each part. */
static int proc_read(struct sb_proc *p, void *data, size_t len, char *why,
                     size_t why_len)
{
	uint8_t *b = data;
	while (len > 0) {
		struct pollfd pfd = {.fd = p->from_fd, .events = POLLIN};
		int r = poll(&pfd, 1, SB_PROC_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return proc_fail(why, why_len,
			                 "the program did not answer in %s",
			                 "60 s");
		ssize_t n = read(p->from_fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return proc_fail(why, why_len, "the program %s",
			                 "exited or closed its output");
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int proc_answer(struct sb_proc *p, const void *a, size_t alen,
                       const void *b, size_t blen, char *why, size_t len)
{
	if (proc_write(p, a, alen) || (blen && proc_write(p, b, blen)))
		return proc_fail(why, len, "the program %s",
		                 "stopped reading its input");
	return 0;
}

/* Carry out one port call (not the yield). */
static int proc_call(struct sb_proc *p, const struct sb_port_msg *m, char *why,
                     size_t len)
{
	const struct sb_emu_host *h = &p->host;
	if (m->arg > PROC_IO_MAX) {
		snprintf(why, len, "port call %u of %u bytes: more than %u",
		         m->call, m->arg, PROC_IO_MAX);
		return SB_ERR_INVALID;
	}
	int rc;
	switch (m->call) {
	case SB_PORT_CALL_SEND: {
		rc = proc_read(p, p->io, m->arg, why, len);
		if (rc)
			return rc;
		int32_t ret = m->arg > 0 && h->send(h->ctx, p->io, m->arg) == 0
		                  ? SB_PORT_OK
		                  : SB_PORT_ERR_IO;
		return proc_answer(p, &ret, sizeof(ret), NULL, 0, why, len);
	}
	case SB_PORT_CALL_RECV: {
		int n = h->recv(h->ctx, p->io, m->arg);
		int32_t ret = n >= 0                ? n
		              : n == SB_ERR_WANT_IO ? SB_PORT_WANT_IO
		                                    : SB_PORT_ERR_IO;
		return proc_answer(p, &ret, sizeof(ret), p->io,
		                   ret > 0 ? (size_t)ret : 0, why, len);
	}
	case SB_PORT_CALL_CLOCK: {
		uint64_t now = h->now_us(h->ctx);
		return proc_answer(p, &now, sizeof(now), NULL, 0, why, len);
	}
	case SB_PORT_CALL_RANDOM:
		h->random(h->ctx, p->io, m->arg);
		return proc_answer(p, p->io, m->arg, NULL, 0, why, len);
	default:
		snprintf(why, len, "unknown port call %u", m->call);
		return SB_ERR_INVALID;
	}
}

/* Serve calls until the yield, and take the mailbox and buffer back. */
static int proc_serve(struct sb_proc *p, char *why, size_t len)
{
	for (;;) {
		struct sb_port_msg m;
		int rc = proc_read(p, &m, sizeof(m), why, len);
		if (rc)
			return rc;
		if (m.call != SB_PORT_CALL_YIELD) {
			rc = proc_call(p, &m, why, len);
			if (rc)
				return rc;
			continue;
		}
		if (m.arg > sizeof(p->buf)) {
			snprintf(why, len, "the program returned %u bytes",
			         m.arg);
			return SB_ERR_INVALID;
		}
		rc = proc_read(p, &p->mailbox, sizeof(p->mailbox), why, len);
		return rc ? rc : proc_read(p, p->buf, m.arg, why, len);
	}
}

int sb_proc_setup(struct sb_proc *p, const char *path,
                  const struct sb_emu_host *host, char *why, size_t len)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	*p = (struct sb_proc){.to_fd = -1, .from_fd = -1, .host = *host};
	p->io = sb_mem_alloc(PROC_IO_MAX);
	if (!p->io)
		return SB_ERR_NOMEM;
	if (pipe(in) || pipe(out)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(in[i], F_SETFD, FD_CLOEXEC);
		fcntl(out[i], F_SETFD, FD_CLOEXEC);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	char *argv[] = {(char *)path, NULL};
	int err = posix_spawn(&p->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	p->to_fd = in[1];
	p->from_fd = out[0];
	if (err) {
		p->pid = 0;
		snprintf(why, len, "cannot start %.200s: %s", path,
		         strerror(err));
		return SB_ERR_IO;
	}
	int rc = proc_serve(p, why, len);
	if (rc == 0 && (p->mailbox.magic != SB_PORT_MAGIC ||
	                p->mailbox.abi != SB_PORT_ABI)) {
		snprintf(why, len, "%.200s did not boot as a target program",
		         path);
		rc = SB_ERR_INVALID;
	}
	return rc;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return SB_ERR_IO;
}

int sb_proc_run(struct sb_proc *p, char *why, size_t len)
{
	if (!p->pid) {
		snprintf(why, len, "the program is not running");
		return SB_ERR_INVALID;
	}
	size_t extra = p->mailbox.cmd == SB_PORT_CMD_WRITE ? p->mailbox.len : 0;
	if (extra > sizeof(p->buf)) {
		snprintf(why, len, "%zu bytes do not fit the buffer", extra);
		return SB_ERR_INVALID;
	}
	int rc = proc_answer(p, &p->mailbox, sizeof(p->mailbox), p->buf, extra,
	                     why, len);
	return rc ? rc : proc_serve(p, why, len);
}

void sb_proc_free(struct sb_proc *p)
{
	if (!p->io)
		return; /* zeroed, or freed */
	if (p->to_fd >= 0)
		close(p->to_fd);
	if (p->from_fd >= 0)
		close(p->from_fd);
	if (p->pid > 0) {
		/* It may be anywhere in a command: no waiting for it. */
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	sb_mem_free(p->io);
	*p = (struct sb_proc){.to_fd = -1, .from_fd = -1};
}
