/*
 * heap_history.h - a scenario's process started from another heap history.
 *
 * Where a library's own blocks land in glibc's heap depends on what the
 * process allocated and freed before them, and what its code costs
 * depends on where they land: on this project's machine (AMD Zen 4)
 * GnuTLS's 16-byte DTLS CCM_8 decrypt costs 631-640 cycles in a process
 * whose first library work was a PSK handshake and 702-716 in one whose
 * first was an ECDHE-ECDSA handshake, with the same 4,100 instructions
 * (README, "Heap history").  Each scenario's process starts from the heap
 * the run's process left (run/worker.h), so a scenario's figure is that of
 * the heap its own work shaped: one layout among many, as the stack's
 * position is (layout.h).
 *
 * sb_heap_history_shape gives a process another heap history before its
 * first library call: it allocates SB_HEAP_HISTORY_BLOCKS blocks from
 * glibc's heap, of sizes drawn from `seed`, and then frees every other
 * one, so the holes and the heap's top lie elsewhere and the libraries'
 * blocks land elsewhere.  The same seed shapes the same history.  `run
 * --heap-layout SEED` does it in every scenario's process, to show how
 * much a figure depends on where the libraries' blocks land;
 * scripts/heap-layouts runs several, and scripts/harness-check gives
 * suitebench and its reference loops the same histories round by round.
 * Nothing of it runs inside a measured region.  The history is the
 * process's: its record lies outside every heap (static), so that the
 * reference loops, which link no heap of the harness's, can shape theirs
 * too.
 */
#ifndef SB_HEAP_HISTORY_H
#define SB_HEAP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#define SB_HEAP_HISTORY_BLOCKS 128u
/* Block sizes are drawn from [SB_HEAP_HISTORY_MIN, SB_HEAP_HISTORY_MIN +
 * SB_HEAP_HISTORY_SPAN): below glibc's mmap threshold, so every block
 * comes from the heap the libraries use. */
#define SB_HEAP_HISTORY_MIN 16u
#define SB_HEAP_HISTORY_SPAN 32768u

/* The size of block `i` of seed `seed`'s history (a pure function, the
 * same on every machine). */
size_t sb_heap_history_size(unsigned long seed, unsigned i);

/*
 * Shape this process's heap from `seed`, once, before its first library
 * call: false for seed 0 (no shaping) and for a second call.  The blocks
 * kept are held until sb_heap_history_release; a block glibc refuses is
 * left out.
 */
bool sb_heap_history_shape(unsigned long seed);

/* Free the blocks the history holds (none: nothing). */
void sb_heap_history_release(void);

#endif
