/*
 * test_heap.c - the heap counters, against allocation patterns whose
 * peak and count are known by construction.
 */
#include <criterion/criterion.h>

#include "backends/backend.h"
#include "measure/heap.h"

/* ---- safety ----------------------------------------------------------- */

Test(heap, nothing_counts_after_charging_stops)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(8);
	cr_assert_eq(sb_heap_charge(NULL), &c);
	sb_heap_note_alloc(100);
	sb_heap_note_free(100);
	cr_assert_eq(c.allocs, 1);
	cr_assert_eq(c.in_use, 8);
	cr_assert_eq(c.peak, 8);
}

/* ---- behaviour -------------------------------------------------------- */

Test(heap, peak_and_count_of_a_known_pattern)
{
	struct sb_heap_tally c = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&c);
	/* +100 +50 -100 +30: in use 100, 150, 50, 80; peak 150; 3 blocks */
	sb_heap_note_alloc(100);
	sb_heap_note_alloc(50);
	sb_heap_note_free(100);
	sb_heap_note_alloc(30);
	sb_heap_charge(outer);
	cr_assert_eq(c.peak, 150);
	cr_assert_eq(c.in_use, 80);
	cr_assert_eq(c.allocs, 3);
}

Test(heap, mark_starts_a_phase_at_what_is_in_use)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_alloc(1000);
	sb_heap_note_free(400);
	sb_heap_mark(&c);
	cr_assert_eq(c.peak, 600);
	cr_assert_eq(c.allocs, 0);
	sb_heap_note_alloc(10);
	cr_assert_eq(c.peak, 610);
	cr_assert_eq(c.allocs, 1);
	sb_heap_charge(NULL);
}

Test(heap, charges_nest_and_go_to_the_right_endpoint)
{
	struct sb_heap_tally client = {0}, server = {0};
	struct sb_heap_tally *outer = sb_heap_charge(&client);
	sb_heap_note_alloc(64);
	struct sb_heap_tally *inner = sb_heap_charge(&server);
	cr_assert_eq(inner, &client);
	sb_heap_note_alloc(32);
	sb_heap_charge(inner);
	sb_heap_note_alloc(16);
	sb_heap_charge(outer);
	cr_assert_eq(client.in_use, 80);
	cr_assert_eq(client.allocs, 2);
	cr_assert_eq(server.in_use, 32);
	cr_assert_eq(server.allocs, 1);
}

/* ---- adversarial ------------------------------------------------------ */

Test(heap, a_block_from_before_the_phase_may_dip_below_zero)
{
	struct sb_heap_tally c = {0};
	sb_heap_charge(&c);
	sb_heap_note_free(48); /* allocated while nothing was charged */
	sb_heap_charge(NULL);
	cr_assert_eq(c.in_use, -48);
	cr_assert_eq(c.peak, 0);
}
