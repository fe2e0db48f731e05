#define _GNU_SOURCE /* SCHED_BATCH */
#include "run/worker.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "measure/heap_history.h"

enum command {
	CMD_ROUND_HANDSHAKES,
	CMD_ROUND_RECORDS,
	CMD_ROLLBACK,
	CMD_END,
};

/* Every answer: the command's status, what the schedule asks between
 * commands, and the rows that follow it (begin's early rows, end's). */
struct answer {
	int32_t rc;
	uint8_t alive; /* the scenario goes on (has a state) */
	uint8_t wanted[2];
	uint32_t kept[2];
	uint64_t rows;
};

struct sb_worker {
	const struct sb_scenario *scenario;
	pid_t pid;
	int fd;    /* this side of the socket, -1 once the process is gone */
	bool dead; /* it died: its rows are one failed row */
	char why[160];
	struct answer last;
};

/* This side's sockets of the live workers: a new scenario process closes
 * them all, so that only the run's process holds each, and a worker's
 * end is seen when the run's process goes. */
static int *open_fds;
static size_t open_count, open_cap;

static int fds_add(int fd)
{
	if (open_count == open_cap) {
		size_t cap = open_cap ? 2 * open_cap : 64;
		int *p = sb_mem_realloc(open_fds, cap * sizeof(*p));
		if (!p)
			return SB_ERR_NOMEM;
		open_fds = p;
		open_cap = cap;
	}
	open_fds[open_count++] = fd;
	return 0;
}

static void fds_remove(int fd)
{
	for (size_t i = 0; i < open_count; i++)
		if (open_fds[i] == fd) {
			open_fds[i] = open_fds[--open_count];
			break;
		}
	if (open_count == 0) { /* the run is over: nothing left behind */
		sb_mem_free(open_fds);
		open_fds = NULL;
		open_cap = 0;
	}
}

/*
 * Before the first scenario process: take the hard limit on open files
 * (each live scenario holds a socket), and make this process -- and with
 * it every scenario process it forks -- SCHED_BATCH, which the kernel
 * never lets preempt a running task when it wakes up.  A hand-over wakes
 * the other process and then blocks in read(); under SCHED_OTHER the
 * woken process took the CPU at once, so the waker stayed runnable on
 * the pinned core and could take it back at the next tick, inside the
 * woken process's measured region.  With SCHED_BATCH the waker reaches
 * its read() first, and one process is runnable at a time.
 */
static void prepare_processes(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &r);
	}
	struct sched_param none = {0};
	(void)sched_setscheduler(0, SCHED_BATCH, &none);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the scenario's process ------------------------------------------ */

static void answer_rows(int fd, int rc, struct sb_scenario_state *state,
                        const struct sb_results *rows)
{
	struct answer a = {.rc = rc, .alive = state != NULL};
	for (int ph = SB_PHASE_HANDSHAKES; state && ph <= SB_PHASE_RECORDS;
	     ph++) {
		a.wanted[ph] = sb_scenario_round_wanted(state, ph);
		a.kept[ph] = sb_scenario_rounds_kept(state, ph);
	}
	a.rows = rows ? rows->count : 0;
	/* What the observer wrote goes out before the run's process goes
	 * on (worker.h). */
	(void)fflush(NULL);
	if (write_all(fd, &a, sizeof(a)) ||
	    (a.rows &&
	     write_all(fd, rows->rows, rows->count * sizeof(rows->rows[0]))))
		_exit(1);
}

_Noreturn static void scenario_process(int fd,
                                       const struct sb_scenario *scenario,
                                       const struct sb_run_options *options)
{
	for (size_t i = 0; i < open_count; i++)
		close(open_fds[i]);
	struct sb_results rows = {0};
	struct sb_scenario_state *state = NULL;
	/* Another heap history, if asked, before the first library call. */
	(void)sb_heap_history_shape(options->heap_layout);
	int rc = sb_scenario_begin(scenario, options, &rows, &state);
	answer_rows(fd, rc, state, &rows);
	sb_results_free(&rows);
	while (state) {
		uint8_t cmd;
		if (read_all(fd, &cmd, 1))
			break; /* the run's process is gone */
		rc = 0;
		switch (cmd) {
		case CMD_ROUND_HANDSHAKES:
		case CMD_ROUND_RECORDS:
			/* The mark and the round in one hand-over: one
			 * switch between processes less per round. */
			rc = sb_scenario_mark(state);
			if (rc == 0)
				(void)sb_scenario_round(
				    state, cmd == CMD_ROUND_HANDSHAKES
				               ? SB_PHASE_HANDSHAKES
				               : SB_PHASE_RECORDS);
			break;
		case CMD_ROLLBACK:
			sb_scenario_rollback(state);
			break;
		case CMD_END:
			rc = sb_scenario_end(state, &rows);
			state = NULL;
			break;
		default:
			_exit(1);
		}
		answer_rows(fd, rc, state, cmd == CMD_END ? &rows : NULL);
	}
	sb_heap_history_release();
	/* _exit: the streams the process shares with the run's were flushed
	 * with each answer, and nothing else of the run's is its to finish
	 * (atexit handlers, a sanitizer's leak report of blocks the run's
	 * process still holds). */
	_exit(0);
}

/* ---- the run's side --------------------------------------------------- */

/* The process is gone: reap it, and say how it ended. */
static void bury(struct sb_worker *w)
{
	if (w->fd >= 0) {
		fds_remove(w->fd);
		close(w->fd);
		w->fd = -1;
	}
	if (w->pid <= 0)
		return;
	int status = 0;
	pid_t r;
	do
		r = waitpid(w->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	w->pid = 0;
	if (!w->dead)
		return;
	if (r > 0 && WIFSIGNALED(status))
		snprintf(w->why, sizeof(w->why),
		         "the scenario's process was killed by signal %d (%s)",
		         WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (r > 0 && WIFEXITED(status))
		snprintf(w->why, sizeof(w->why),
		         "the scenario's process ended early, with status %d",
		         WEXITSTATUS(status));
	else
		snprintf(w->why, sizeof(w->why),
		         "the scenario's process ended early");
}

static void died(struct sb_worker *w)
{
	w->dead = true;
	w->last = (struct answer){0};
	bury(w);
}

/* Read an answer and append its rows to `results` (may be NULL when none
 * are due).  Returns 0, SB_ERR_NOMEM, or 1 when the process died. */
static int receive(struct sb_worker *w, struct sb_results *results)
{
	struct answer a;
	if (read_all(w->fd, &a, sizeof(a))) {
		died(w);
		return 1;
	}
	int rc = 0;
	for (uint64_t i = 0; i < a.rows; i++) {
		struct sb_row row;
		if (read_all(w->fd, &row, sizeof(row))) {
			died(w);
			return 1;
		}
		if (rc == 0 && (!results || sb_results_add(results, &row)))
			rc = SB_ERR_NOMEM;
	}
	w->last = a;
	return rc ? rc : a.rc;
}

static int command(struct sb_worker *w, enum command cmd,
                   struct sb_results *results)
{
	if (w->dead)
		return 1;
	uint8_t c = (uint8_t)cmd;
	if (write_all(w->fd, &c, 1)) {
		died(w);
		return 1;
	}
	return receive(w, results);
}

int sb_worker_begin(const struct sb_scenario *scenario,
                    const struct sb_run_options *options,
                    struct sb_results *results, struct sb_worker **worker,
                    char *why, size_t why_len)
{
	*worker = NULL;
	prepare_processes();
	struct sb_worker *w = sb_mem_calloc(1, sizeof(*w));
	if (!w)
		return SB_ERR_NOMEM;
	w->scenario = scenario;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(why, why_len, "no socket for a scenario's process: %s",
		         strerror(errno));
		sb_mem_free(w);
		return SB_ERR_IO;
	}
	/* Nothing buffered may be written twice, by both processes. */
	(void)fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		snprintf(why, why_len, "no process for a scenario: %s",
		         strerror(errno));
		close(sv[0]);
		close(sv[1]);
		sb_mem_free(w);
		return SB_ERR_IO;
	}
	if (w->pid == 0) {
		close(sv[0]);
		sb_mem_free(w); /* the run's, not the scenario's */
		scenario_process(sv[1], scenario, options);
	}
	close(sv[1]);
	w->fd = sv[0];
	int rc = fds_add(w->fd);
	if (rc == 0)
		rc = receive(w, results);
	if (rc == 1) /* died in its verification */
		rc = sb_scenario_failed(scenario, w->why, results);
	if (rc == 0 && w->last.alive) {
		*worker = w;
		return 0;
	}
	bury(w);
	sb_mem_free(w);
	return rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
}

unsigned sb_worker_rounds_kept(const struct sb_worker *worker,
                               enum sb_phase phase)
{
	return worker->last.kept[phase];
}

bool sb_worker_round_wanted(const struct sb_worker *worker, enum sb_phase phase)
{
	return worker->last.wanted[phase];
}

int sb_worker_round(struct sb_worker *worker, enum sb_phase phase)
{
	int rc = command(worker,
	                 phase == SB_PHASE_HANDSHAKES ? CMD_ROUND_HANDSHAKES
	                                              : CMD_ROUND_RECORDS,
	                 NULL);
	return rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
}

void sb_worker_rollback(struct sb_worker *worker)
{
	(void)command(worker, CMD_ROLLBACK, NULL);
}

int sb_worker_end(struct sb_worker *worker, struct sb_results *results)
{
	if (!worker)
		return 0;
	int rc = command(worker, CMD_END, results);
	if (rc == 1)
		rc = sb_scenario_failed(worker->scenario, worker->why, results);
	bury(worker);
	sb_mem_free(worker);
	return rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
}
