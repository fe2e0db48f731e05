/*
 * test_mem.c - the harness's own heap: blocks that behave as malloc's,
 * kept out of glibc's heap, so that the libraries' blocks land where they
 * would without the harness's.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static void skip_without_own_heap(void)
{
	void *probe = sb_mem_alloc(1);
	bool own = sb_mem_owns(probe);
	sb_mem_free(probe);
	if (!own)
		cr_skip_test(
		    "under AddressSanitizer the harness allocates with "
		    "malloc, so that the sanitizer sees its blocks");
}

Test(mem, blocks_are_usable_zeroed_and_aligned_to_their_size)
{
	static const size_t sizes[] = {1,    15,   16,   17,    100,
	                               2048, 2049, 5000, 70000, 300000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = sb_mem_calloc(1, sizes[i]);
		cr_assert_not_null(p, "%zu bytes", sizes[i]);
		for (size_t k = 0; k < sizes[i]; k++)
			cr_assert_eq(p[k], 0, "%zu bytes, byte %zu", sizes[i],
			             k);
		memset(p, 0xa5, sizes[i]);
		cr_assert_eq((uintptr_t)p % 16, 0, "%zu bytes", sizes[i]);
		sb_mem_free(p);
	}
}

Test(mem, small_blocks_align_to_their_class_large_ones_to_64_kib)
{
	skip_without_own_heap();
	void *a = sb_mem_alloc(100), *b = sb_mem_alloc(1000),
	     *c = sb_mem_alloc(20000);
	cr_assert_eq((uintptr_t)a % 128, 0);
	cr_assert_eq((uintptr_t)b % 1024, 0);
	cr_assert_eq((uintptr_t)c % 65536, 0);
	sb_mem_free(a);
	sb_mem_free(b);
	sb_mem_free(c);
}

/* The point of the module: a library's block lands where it would have
 * without the harness's blocks, even of the same size. */
Test(mem, harness_blocks_leave_the_libraries_heap_alone)
{
	skip_without_own_heap();
	void *first = malloc(64);
	cr_assert_not_null(first);
	free(first);
	void *mine[50];
	for (int i = 0; i < 50; i++)
		cr_assert_not_null(mine[i] = sb_mem_alloc(i % 2 ? 64 : 9000));
	void *again = malloc(64);
	cr_assert_eq(again, first,
	             "glibc's next 64-byte block moved: %p, "
	             "not %p",
	             again, first);
	free(again);
	for (int i = 0; i < 50; i++) {
		cr_assert(sb_mem_owns(mine[i]));
		sb_mem_free(mine[i]);
	}
}

Test(mem, owns_its_live_blocks_only)
{
	skip_without_own_heap();
	void *small = sb_mem_alloc(40), *large = sb_mem_alloc(40000);
	char *foreign = strdup("glibc's");
	cr_assert(sb_mem_owns(small));
	cr_assert(sb_mem_owns(large));
	cr_assert_not(sb_mem_owns(foreign));
	cr_assert_not(sb_mem_owns(NULL));
	cr_assert_not(sb_mem_owns((char *)small + 8));
	sb_mem_free(small);
	sb_mem_free(large);
	cr_assert_not(sb_mem_owns(small));
	cr_assert_not(sb_mem_owns(large));
	/* A foreign block goes back to glibc. */
	sb_mem_free(foreign);
}

Test(mem, freed_blocks_are_reused_newest_first)
{
	skip_without_own_heap();
	void *small = sb_mem_alloc(300), *large = sb_mem_alloc(19712);
	sb_mem_free(small);
	sb_mem_free(large);
	void *small2 = sb_mem_alloc(260), *large2 = sb_mem_alloc(19000);
	cr_assert_eq(small2, small, "same class, same block");
	cr_assert_eq(large2, large, "same pages, same block");
	sb_mem_free(small2);
	sb_mem_free(large2);
}

Test(mem, realloc_keeps_the_contents_across_sizes)
{
	char *p = sb_mem_alloc(10);
	cr_assert_not_null(p);
	memcpy(p, "abcdefghi", 10);
	static const size_t steps[] = {20, 2048, 3000, 100000, 5000, 12, 10};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		p = sb_mem_realloc(p, steps[i]);
		cr_assert_not_null(p, "to %zu bytes", steps[i]);
		cr_assert_str_eq(p, "abcdefghi", "to %zu bytes", steps[i]);
	}
	sb_mem_free(p);
	/* NULL is a new block; a foreign block stays glibc's. */
	char *q = sb_mem_realloc(NULL, 5);
	cr_assert_not_null(q);
	sb_mem_free(q);
	char *g = malloc(8);
	cr_assert_not_null(g);
	memcpy(g, "glibc", 6);
	g = sb_mem_realloc(g, 4000);
	cr_assert_not_null(g);
	cr_assert_str_eq(g, "glibc");
	cr_assert_not(sb_mem_owns(g));
	sb_mem_free(g);
}

Test(mem, strdup_copies_and_calloc_refuses_an_overflow)
{
	char *s = sb_mem_strdup("suitebench");
	cr_assert_str_eq(s, "suitebench");
	sb_mem_free(s);
	cr_assert_null(sb_mem_calloc(SIZE_MAX / 2, 4));
	sb_mem_free(NULL);
}

Test(mem, many_blocks_grow_the_registry)
{
	skip_without_own_heap();
	enum { N = 3000 };
	void **p = malloc(N * sizeof(*p));
	cr_assert_not_null(p);
	for (int i = 0; i < N; i++) {
		p[i] = sb_mem_alloc(i % 3 ? 2000 : 70000);
		cr_assert_not_null(p[i]);
		memset(p[i], i & 0xff, 16);
	}
	for (int i = 0; i < N; i++) {
		cr_assert(sb_mem_owns(p[i]), "block %d", i);
		cr_assert_eq(((uint8_t *)p[i])[15], i & 0xff);
	}
	/* Free the large ones first, then the rest: registry removals in
	 * every order. */
	for (int i = 0; i < N; i += 3)
		sb_mem_free(p[i]);
	for (int i = 0; i < N; i++)
		if (i % 3)
			cr_assert(sb_mem_owns(p[i]), "block %d", i);
	for (int i = N - 1; i >= 0; i--)
		if (i % 3)
			sb_mem_free(p[i]);
	free(p);
}

/* A size a run keeps asking for is reused even after the cache filled
 * with sizes it no longer asks for (an array's earlier lengths as it
 * grew): the block comes back with what was written to it, not as a
 * fresh mapping of zeros that faults on first touch. */
Test(mem, a_full_cache_drops_its_oldest_not_the_newest)
{
	skip_without_own_heap();
	enum { STALE = 100 };
	void *stale[STALE];
	for (int i = 0; i < STALE; i++)
		cr_assert_not_null(stale[i] =
		                       sb_mem_alloc((size_t)(i + 3) * 4096));
	for (int i = 0; i < STALE; i++)
		sb_mem_free(stale[i]);
	for (int round = 0; round < 3; round++) {
		uint8_t *slots = sb_mem_alloc(200 * 4096);
		cr_assert_not_null(slots);
		if (round > 0)
			cr_assert_eq(slots[200 * 4096 - 1], 0x5a,
			             "round %d: the block was mapped anew",
			             round);
		slots[200 * 4096 - 1] = 0x5a;
		sb_mem_free(slots);
	}
}
