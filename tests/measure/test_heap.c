/*
 * test_heap.c - the heap counters, against allocation patterns whose
 * peak and count are known by construction, and the sizes blocks count
 * for, which glibc fixes (malloc/malloc.c: request2size).
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "backends/backend.h"
#include "measure/blocks.h"
#include "measure/heap.h"

/* Distinct fake block addresses: the counters never dereference them. */
static char arena[1 << 16];
#define BLOCK(i) ((uintptr_t)&arena[16 * (i)])

/* The block table's mmap, made to fail on demand (-Wl,--wrap=mmap). */
#include <sys/mman.h>
static bool mmap_fails;
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off)
{
	return mmap_fails ? MAP_FAILED
	                  : __real_mmap(addr, len, prot, flags, fd, off);
}

/* ---- safety ----------------------------------------------------------- */

Test(heap, nothing_counts_after_charging_stops)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(BLOCK(1), 8);
	cr_assert_eq(sb_heap_charge(NULL), &c);
	sb_heap_note_alloc(BLOCK(2), 100);
	sb_heap_note_free(BLOCK(2));
	cr_assert_eq(c.allocs, 1);
	cr_assert_eq(c.in_use, 24);
	cr_assert_eq(c.peak, 24);
	sb_heap_note_forget(BLOCK(1));
	cr_assert_eq(sb_blocks_count(), 0);
}

Test(heap, a_null_block_counts_nothing)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(0, 100);
	sb_heap_note_free(0);
	sb_heap_charge(NULL);
	cr_assert_eq(c.allocs, 0);
	cr_assert_eq(c.in_use, 0);
}

/* A block the table cannot hold still counts, and the tally says that
 * its release could not be followed (the runner then fails the scenario's
 * heap figures rather than credit a free wrongly). */
Test(heap, a_block_the_table_cannot_hold_is_untracked)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	mmap_fails = true;
	sb_heap_note_alloc(BLOCK(1), 100);
	mmap_fails = false;
	sb_heap_charge(NULL);
	cr_assert_eq(c.untracked, 1);
	cr_assert_eq(c.allocs, 1);
	cr_assert_eq(c.in_use, 104);
	cr_assert_eq(sb_blocks_count(), 0);
}

Test(heap, a_failed_realloc_keeps_the_old_block)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(BLOCK(1), 100);
	sb_heap_note_realloc(BLOCK(1), 0, 50); /* failed: BLOCK(1) kept */
	cr_assert_eq(c.in_use, 104);
	cr_assert_eq(sb_blocks_count(), 1);
	sb_heap_note_free(BLOCK(1));
	cr_assert_eq(c.in_use, 0);
	cr_assert_eq(sb_blocks_count(), 0);
	sb_heap_charge(NULL);
}

/* ---- behaviour -------------------------------------------------------- */

/* glibc on a 64-bit system: the request and an 8-byte header rounded up
 * to 16, at least 32, less the header. */
Test(heap, a_block_counts_what_glibc_carves_for_its_request)
{
	cr_assert_eq(sb_heap_block_bytes(0), 24);
	cr_assert_eq(sb_heap_block_bytes(1), 24);
	cr_assert_eq(sb_heap_block_bytes(24), 24);
	cr_assert_eq(sb_heap_block_bytes(25), 40);
	cr_assert_eq(sb_heap_block_bytes(40), 40);
	cr_assert_eq(sb_heap_block_bytes(41), 56);
	cr_assert_eq(sb_heap_block_bytes(100), 104);
	cr_assert_eq(sb_heap_block_bytes(16384), 16392);
	cr_assert_eq(sb_heap_block_bytes(SIZE_MAX), SIZE_MAX);
}

/* The formula is this glibc's own: of a few blocks of each request, one
 * carved fresh reports exactly it, and a block reused from a free one
 * reports it or at most 16 bytes more (the rest too small to split off:
 * the history-dependent case sb_heap_block_bytes exists to avoid). */
Test(heap, the_formula_matches_this_glibc)
{
#if defined(__SANITIZE_ADDRESS__)
	cr_skip_test("AddressSanitizer build: malloc is the sanitizer's, not "
	             "glibc's");
#endif
	void *kept[8 * 43] = {0};
	size_t k = 0;
	for (size_t request = 0; request < 300; request += 7) {
		bool exact = false;
		for (int i = 0; i < 8; i++) {
			void *p = malloc(request);
			cr_assert_not_null(p);
			kept[k++] = p; /* kept, so the next is another block */
			size_t usable = malloc_usable_size(p);
			size_t want = sb_heap_block_bytes(request);
			cr_expect(usable == want || usable == want + 16,
			          "request %zu: %zu, not %zu", request, usable,
			          want);
			exact = exact || usable == want;
		}
		cr_expect(exact, "request %zu: no block of %zu bytes", request,
		          sb_heap_block_bytes(request));
	}
	while (k > 0)
		free(kept[--k]);
}

Test(heap, peak_and_count_of_a_known_pattern)
{
	struct sb_heap_tally c = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&c);
	/* +104 +56 -104 +40: in use 104, 160, 56, 96; peak 160; 3 blocks */
	sb_heap_note_alloc(BLOCK(1), 100);
	sb_heap_note_alloc(BLOCK(2), 50);
	sb_heap_note_free(BLOCK(1));
	sb_heap_note_alloc(BLOCK(3), 30);
	sb_heap_note_free(BLOCK(2));
	sb_heap_note_free(BLOCK(3));
	sb_heap_charge(outer);
	cr_assert_eq(c.peak, 160);
	cr_assert_eq(c.in_use, 0);
	cr_assert_eq(c.allocs, 3);
	cr_assert_eq(sb_blocks_count(), 0);
}

/* A block freed is credited what it was charged, however it was resized
 * in between: a realloc is the old block freed and the new one
 * allocated, in place or not. */
Test(heap, realloc_frees_the_old_block_and_counts_the_new)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(BLOCK(1), 100);             /* 104 */
	sb_heap_note_realloc(BLOCK(1), BLOCK(1), 500); /* in place: 504 */
	cr_assert_eq(c.in_use, 504);
	sb_heap_note_realloc(BLOCK(1), BLOCK(2), 10); /* moved: 24 */
	cr_assert_eq(c.in_use, 24);
	sb_heap_note_realloc(BLOCK(2), 0, 0); /* realloc(p, 0) frees */
	cr_assert_eq(c.in_use, 0);
	sb_heap_note_realloc(0, BLOCK(3), 8); /* realloc(NULL, n) */
	sb_heap_note_free(BLOCK(3));
	sb_heap_charge(NULL);
	cr_assert_eq(c.peak, 504);
	cr_assert_eq(c.in_use, 0);
	cr_assert_eq(sb_blocks_count(), 0);
}

Test(heap, mark_starts_a_phase_at_what_is_in_use)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(BLOCK(1), 1000); /* 1000 */
	sb_heap_note_alloc(BLOCK(2), 400);  /* 408 */
	sb_heap_note_free(BLOCK(2));
	sb_heap_mark(&c);
	cr_assert_eq(c.peak, 1000);
	cr_assert_eq(c.allocs, 0);
	sb_heap_note_alloc(BLOCK(3), 10);
	cr_assert_eq(c.peak, 1024);
	cr_assert_eq(c.allocs, 1);
	sb_heap_note_free(BLOCK(1));
	sb_heap_note_free(BLOCK(3));
	sb_heap_charge(NULL);
}

Test(heap, charges_nest_and_go_to_the_right_endpoint)
{
	struct sb_heap_tally client = {0}, server = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&client);
	sb_heap_note_alloc(BLOCK(1), 64);
	struct sb_heap_tally *inner = sb_heap_charge(&server);
	cr_assert_eq(inner, &client);
	sb_heap_note_alloc(BLOCK(2), 32);
	sb_heap_charge(inner);
	sb_heap_note_alloc(BLOCK(3), 16);
	sb_heap_charge(outer);
	cr_assert_eq(client.in_use, 72 + 24);
	cr_assert_eq(client.allocs, 2);
	cr_assert_eq(server.in_use, 40);
	cr_assert_eq(server.allocs, 1);
	for (int i = 1; i <= 3; i++)
		sb_heap_note_forget(BLOCK(i));
}

/* Many blocks at once (the table grows) and released in another order:
 * every one is credited exactly. */
Test(heap, thousands_of_blocks_come_back_to_zero)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	enum { N = 4000 };
	for (int i = 0; i < N; i++)
		sb_heap_note_alloc(BLOCK(i), (size_t)(i % 97));
	cr_assert_eq(sb_blocks_count(), N);
	int64_t peak = c.in_use;
	for (int i = 0; i < N; i += 2)
		sb_heap_note_free(BLOCK(i));
	for (int i = N - 1; i > 0; i -= 2)
		sb_heap_note_free(BLOCK(i));
	sb_heap_charge(NULL);
	cr_assert_eq(c.in_use, 0);
	cr_assert_eq(c.peak, peak);
	cr_assert_eq(sb_blocks_count(), 0);
	cr_assert_eq(c.untracked, 0);
}

/* ---- adversarial ------------------------------------------------------ */

/* A block allocated while nothing was charged was never counted: freeing
 * it in a charged call changes nothing (it used to be credited its
 * malloc_usable_size(), and a tally could dip below zero). */
Test(heap, freeing_a_block_never_counted_changes_nothing)
{
	struct sb_heap_tally c = {0};
	sb_heap_note_alloc(BLOCK(1), 48); /* nothing charged */
	sb_heap_charge(&c);
	sb_heap_note_free(BLOCK(1));
	sb_heap_charge(NULL);
	cr_assert_eq(c.in_use, 0);
	cr_assert_eq(c.peak, 0);
}

/* A block freed where nothing may change (forget) is no longer followed:
 * a later block at the same address, never counted, is not credited the
 * old one's bytes when it is freed in a charged call. */
Test(heap, a_forgotten_block_is_not_credited_again)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(BLOCK(1), 100);
	sb_heap_charge(NULL);
	sb_heap_note_forget(BLOCK(1));
	sb_heap_charge(&c);
	sb_heap_note_free(BLOCK(1));
	sb_heap_charge(NULL);
	cr_assert_eq(c.in_use, 104);
	cr_assert_eq(sb_blocks_count(), 0);
}

/* Freed in another endpoint's call, a block is credited to that one. */
Test(heap, a_block_freed_in_another_call_may_dip_below_zero)
{
	struct sb_heap_tally a = {0}, b = {0};
	sb_heap_charge(&a);
	sb_heap_note_alloc(BLOCK(1), 48);
	sb_heap_charge(&b);
	sb_heap_note_free(BLOCK(1));
	sb_heap_charge(NULL);
	cr_assert_eq(a.in_use, 56);
	cr_assert_eq(b.in_use, -56);
	cr_assert_eq(b.peak, 0);
}
