/*
 * heap.h - heap bytes charged to the endpoint whose backend call runs.
 *
 * The pair selects an endpoint's tally around every call into its
 * backend (setup, step, write, read, free); the backends' allocator hooks
 * report through sb_heap_note_alloc/free (backend.h).  Single-threaded, as
 * every run is.
 *
 * Accounting is a pass of its own (DESIGN.md): a process either counts
 * the heap or times, decided once when it starts, because OpenSSL takes
 * allocator hooks only before its first allocation.  In a process that
 * times (SB_HEAP_HOOKS_ENV set to "0", or one running under callgrind for
 * instruction counts) no hook is installed and no tally is charged, so
 * no accounting code runs inside a measured region; see
 * sb_heap_hooks_on() in backend.h.
 */
#ifndef SB_HEAP_H
#define SB_HEAP_H

#include <stddef.h>
#include <stdint.h>

/* "0" in the environment: this process times, and counts no heap. */
#define SB_HEAP_HOOKS_ENV "SUITEBENCH_HEAP_HOOKS"

struct sb_heap_tally {
	int64_t in_use;  /* bytes held now; may dip below zero when a block
	                    allocated outside any charged call is freed */
	int64_t peak;    /* the highest in_use since the last mark */
	uint64_t allocs; /* allocations since the last mark */
};

/* Charge allocations to `tally` from now on; NULL stops charging.
 * Returns the tally charged before, so calls can nest. */
struct sb_heap_tally *sb_heap_charge(struct sb_heap_tally *tally);

/* Start a new phase: peak back to in_use, allocation count to zero. */
void sb_heap_mark(struct sb_heap_tally *tally);

#endif
