/*
 * test_heap_history.c - a heap history is its seed's, and is released whole.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "measure/heap_history.h"

Test(heap_history, a_heap_history_is_its_seeds_and_only_its_seeds)
{
	size_t same = 0;
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++) {
		size_t a = sb_heap_history_size(1, i);
		cr_assert_eq(a, sb_heap_history_size(1, i), "block %u", i);
		cr_assert_geq(a, SB_HEAP_HISTORY_MIN);
		cr_assert_lt(a, SB_HEAP_HISTORY_MIN + SB_HEAP_HISTORY_SPAN);
		same += a == sb_heap_history_size(2, i);
	}
	/* Another seed, another history: of 128 draws from 32,768 sizes,
	 * two seeds share hardly any. */
	cr_assert_lt(same, 4, "%zu of %u blocks the same size", same,
	             SB_HEAP_HISTORY_BLOCKS);
	/* Spread over the range, not bunched at one end. */
	size_t small = 0;
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++)
		small += sb_heap_history_size(3, i) <
		         SB_HEAP_HISTORY_MIN + SB_HEAP_HISTORY_SPAN / 2;
	cr_assert(small > 32 && small < 96, "%zu of 128 in the lower half",
	          small);
}

Test(heap_history, seed_zero_shapes_nothing)
{
	cr_assert_not(sb_heap_history_shape(0));
	sb_heap_history_release();
}

/* Shaping holds every other block until released: the sanitizer build's
 * leak check and valgrind see a block kept past release.  A process has
 * one history: a second shaping is refused. */
Test(heap_history, a_history_is_shaped_once_and_released_whole)
{
	cr_assert(sb_heap_history_shape(42));
	cr_assert_not(sb_heap_history_shape(43));
	void *after = malloc(64);
	cr_assert_not_null(after);
	free(after);
	sb_heap_history_release();
	sb_heap_history_release();
}
