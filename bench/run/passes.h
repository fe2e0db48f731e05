/*
 * passes.h - one kind of measurement per process (DESIGN.md: "one kind
 * per pass").
 *
 * Cycles are timed in a process that counts nothing: no allocator hook
 * is installed and no heap tally is charged (heap.h).  Heap figures come
 * from a pass of their own -- the same command, the same scenarios and
 * the same verification, run by a child process that installs the hooks
 * -- and instruction counts from theirs, under callgrind (callgrind.h).
 * OpenSSL takes allocator hooks only before its first allocation, so a
 * pass is a process: the command re-executes itself.
 *
 * The heap pass runs another executable: suitebench-heap, next to this
 * one, the same program with malloc interposed (heap_interpose.h) for the
 * libraries that have no allocator hook.  Every other pass runs the one
 * without it, since an executable that defines malloc passes every
 * library's allocations through it, counting or not.  When the heap
 * executable is missing, the heap pass runs this one, and interposed
 * backends have no heap figures (figures.c).
 */
#ifndef SB_PASSES_H
#define SB_PASSES_H

#include <stdbool.h>
#include <stddef.h>

#include "output/results.h"

/* The heap pass's executable: this one's name with this after it. */
#define SB_PASS_HEAP_SUFFIX "-heap"

/* The hidden option that makes `run` the heap pass, writing its rows as a
 * CSV to the file that follows it. */
#define SB_PASS_HEAP_OPTION "--heap-pass"

/*
 * Whether this process should hand the timing pass to a process without
 * heap hooks: it has them, and it does not run under valgrind (memcheck
 * follows no exec, and under it time means nothing: there the run stays
 * in this process, heap counted in place, with no separate heap pass).
 */
bool sb_pass_timing_elsewhere(void);

/*
 * Replace this process by the same command in a process that counts no
 * heap (hooks off).  `argv` is the whole command line, program name
 * first.  `fixed_addresses`: with address randomisation off
 * (measure/layout.h), in it and in the passes it starts.  Returns only on
 * failure: a negative status, with a line on stderr.
 */
int sb_pass_exec_timing(int argc, char **argv,
                        bool fixed_addresses) SB_MUST_USE;

/*
 * Run the heap pass: this command (`argv`, program name first) with
 * SB_PASS_HEAP_OPTION in a child process that counts the heap, waited
 * for, and its heap and stack rows (heap_peak, heap_allocs, stack_peak,
 * ram_total) read into `heap`, which must be zeroed.  Returns 0, or a negative
 * status with one line in `msg`; `heap` is freed by the caller either way.
 */
int sb_pass_heap_run(int argc, char **argv, struct sb_results *heap, char *msg,
                     size_t len) SB_MUST_USE;

/* The hidden option that makes `run` one more timing process, writing its
 * rows as a CSV to the file that follows it (run --processes). */
#define SB_PASS_TIMING_OPTION "--timing-pass"

/*
 * Run one more timing process: this command with SB_PASS_TIMING_OPTION in
 * a child with no heap hooks, waited for, all its rows read into
 * `timing`, which must be zeroed.  Returns as sb_pass_heap_run does.
 */
int sb_pass_timing_run(int argc, char **argv, struct sb_results *timing,
                       char *msg, size_t len) SB_MUST_USE;

/* Whether `row` is a timing figure (unit cycles or ns). */
bool sb_pass_is_timing_row(const struct sb_row *row);

/* At most this many timing processes (run --processes). */
#define SB_PASS_MAX_PROCESSES 16

/*
 * Keep, for each timing row of `results` (the first process's), the
 * statistics of the process that measured the median of the medians:
 * over `results` and the `count` processes of `others`, the rows with the
 * same key that are ok; of an even number, the lower of the middle two,
 * so that a row is always one process's own.  A host can slow a whole
 * process, and a process can also be faster than most for its whole life
 * (a 16-byte record of Mbed TLS cost 500 cycles in one process of eight,
 * 512-520 in the others): the median process is neither, and the next
 * run finds the same one (DESIGN: the process state).  `spread` (one
 * entry per row of `results`) gets (max - min) / min of the medians
 * compared, -1 for rows measured by one process only.
 */
void sb_pass_keep_median(struct sb_results *results,
                         const struct sb_results *others, size_t count,
                         double *spread);

/* Whether `row` is a heap figure: what the heap pass contributes. */
bool sb_pass_is_heap_row(const struct sb_row *row);

/*
 * Put the heap pass's rows into `results`, each after the last row of its
 * scenario (same client, server, protocol, suite and conditions); rows of
 * a scenario `results` does not have are dropped.  Returns 0 or
 * SB_ERR_NOMEM.
 */
int sb_pass_merge(struct sb_results *results,
                  const struct sb_results *heap) SB_MUST_USE;

#endif
