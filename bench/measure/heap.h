/*
 * heap.h - heap bytes charged to the endpoint whose backend call runs.
 *
 * The pair selects an endpoint's tally around every call into its
 * backend (setup, step, write, read, free); the backends' allocator hooks
 * report through sb_heap_note_alloc/free (backend.h).  A block counts
 * for sb_heap_block_bytes() of its request, and a table of the blocks
 * counted (blocks.h) credits exactly that when it is freed.
 * Single-threaded, as every run is.
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
	int64_t in_use;     /* bytes held now; may dip below zero when a block
	                       charged to another tally is freed in a call
	                       charged to this one */
	int64_t peak;       /* the highest in_use since the last mark */
	uint64_t allocs;    /* allocations since the last mark */
	uint64_t untracked; /* blocks counted whose release could not be
	                       followed (the block table could not grow):
	                       then the tally is no figure (figures.c) */
};

/* Charge allocations to `tally` from now on; NULL stops charging.
 * Returns the tally charged before, so calls can nest. */
struct sb_heap_tally *sb_heap_charge(struct sb_heap_tally *tally);

/* Start a new phase: peak back to in_use, allocation count to zero. */
void sb_heap_mark(struct sb_heap_tally *tally);

/*
 * The bytes a block of `request` bytes counts for: what glibc's allocator
 * hands out for it when it carves the block fresh from its heap -- the
 * request and the chunk's size_t header rounded up to 16 bytes, at least
 * 32, less the header (malloc_usable_size() of such a block; 24 for 0 to
 * 24 bytes, 40 for 25 to 40).  Not malloc_usable_size() of the block it
 * did hand out: reusing a free block whose rest is too small to split,
 * glibc hands out up to 16 bytes more, and whether it does depends on
 * everything the process freed before (another scenario, another
 * round), so one scenario would count differently in another run.
 */
size_t sb_heap_block_bytes(size_t request);

#endif
