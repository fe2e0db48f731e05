/*
 * worker.h - a scenario in a process of its own.
 *
 * What a library's call costs depends on where its blocks lie: glibc's
 * malloc takes another path for another free list, and copy routines
 * branch on their operands' alignment.  When every scenario of a run ran
 * in one process, all libraries allocated from glibc's one heap, and a
 * scenario's blocks landed where the scenarios before it had left free
 * space; a library's lazily made state (OpenSSL's fetched algorithms) lay
 * in whichever scenario's heap first asked for it.  So one operation cost
 * another figure in another scenario set: GnuTLS's 16-byte DTLS PSK CCM_8
 * encrypt counted 3,273 instructions in a run of its own and 3,169 in the
 * gate's run of every library, and OpenSSL's 16-byte CCM_8 client encrypt
 * cost 4.9-6.7 % more against one server library than against the others
 * in a run of many scenarios only (README, "A process per scenario").
 *
 * So each scenario runs in a process of its own, forked from the run's
 * process before the scenario's first library call: every scenario
 * starts from the same heap, and its blocks land where its own history
 * puts them, as on a device that runs one TLS stack.  The malloc is
 * glibc's as before, in a single-threaded process (a thread per scenario
 * would give each its own arena too, but glibc then locks every heap
 * operation, which made handshakes 2 % dearer).
 *
 * The run's process keeps the schedule (schedule.h) and hands each
 * scenario process one command at a time over a socket -- a round, take
 * it back, end -- and waits for its answer, so one process runs at a
 * time; a scenario's samples stay in its process, and its rows come back
 * when it ends.  The hand-over costs two context switches, outside every
 * measured region.  The observer (--raw, --trace, --pcap) is called in
 * the scenario's process: its output streams are flushed before every
 * fork and after every command, and parent and child share the files'
 * offsets, so the writes land in order.  A scenario process that dies
 * (a library crashes) makes one failed row with the signal, and the run
 * goes on.  Under --cpu the processes inherit the pinning.  The run's
 * process makes itself SCHED_BATCH before its first fork, and its
 * scenario processes inherit that: a woken process never preempts the one
 * that woke it, so the waker reaches its read() before the other runs
 * and no hand-over lands inside a measured region (worker.c).
 */
#ifndef SB_WORKER_H
#define SB_WORKER_H

#include "run/runner.h"

struct sb_worker;

/*
 * Fork the scenario's process and run sb_scenario_begin there; rows of a
 * scenario over already (unsupported, or its process died) go to
 * `results`, and `*worker` is then NULL.  Returns 0, SB_ERR_NOMEM, or
 * SB_ERR_IO (with the reason in `why`) when the system refuses a
 * process or a socket.
 */
int sb_worker_begin(const struct sb_scenario *scenario,
                    const struct sb_run_options *options,
                    struct sb_results *results, struct sb_worker **worker,
                    char *why, size_t why_len) SB_MUST_USE;

/* As sb_scenario_rounds_kept, _round_wanted: the answers of the last
 * command, kept on this side (no hand-over). */
unsigned sb_worker_rounds_kept(const struct sb_worker *worker,
                               enum sb_phase phase);
bool sb_worker_round_wanted(const struct sb_worker *worker,
                            enum sb_phase phase);

/*
 * In the scenario's process: sb_scenario_mark, then sb_scenario_round --
 * remember where the samples stand, and measure one round -- in one
 * hand-over.  Returns 0 or SB_ERR_NOMEM (the mark could not be kept).
 */
int sb_worker_round(struct sb_worker *worker, enum sb_phase phase) SB_MUST_USE;

/* As sb_scenario_rollback: take back the last round. */
void sb_worker_rollback(struct sb_worker *worker);

/*
 * As sb_scenario_end: the scenario's rows -- or one failed row when its
 * process died -- into `results`; the process ends and `worker` is
 * freed (NULL is accepted).  Returns 0 or SB_ERR_NOMEM.
 */
int sb_worker_end(struct sb_worker *worker,
                  struct sb_results *results) SB_MUST_USE;

#endif
