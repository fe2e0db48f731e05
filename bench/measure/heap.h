/*
 * heap.h - heap bytes charged to the endpoint whose backend call runs.
 *
 * The pair selects an endpoint's tally around every call into its
 * backend (setup, step, write, read, free); the backends' allocator hooks
 * report through sb_heap_note_alloc/free (backend.h).  Single-threaded, as
 * every run is.
 */
#ifndef SB_HEAP_H
#define SB_HEAP_H

#include <stddef.h>
#include <stdint.h>

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
