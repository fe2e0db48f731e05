/*
 * test_layout.c - sb_layout_call puts the stack pointer at the call of
 * `fn` at the asked position in its page, from any depth.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "measure/layout.h"

/* The stack pointer where `fn` was called, as layout.c's own probe reads
 * it: the frame address plus the saved frame pointer and return address. */
static __attribute__((noinline)) int where(void *arg)
{
	*(uintptr_t *)arg =
	    (uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *);
	return 7;
}

struct depth_call {
	unsigned offset;
	uintptr_t sp;
	int rc;
};

/* Calls sb_layout_call `levels` frames deeper than the test, each frame
 * holding `bytes` of its own, so that the caller's stack differs. */
static __attribute__((noinline)) void from_depth(struct depth_call *c,
                                                 unsigned levels, size_t bytes)
{
	volatile unsigned char local[bytes + 1];
	local[0] = (unsigned char)levels;
	if (levels > 0)
		from_depth(c, levels - 1, bytes);
	else
		c->rc = sb_layout_call(c->offset, where, &c->sp);
	__asm__ volatile("" : : "r"(local) : "memory");
}

static void skip_unless_anchoring(void)
{
	if (!sb_layout_anchors())
		cr_skip_test("AddressSanitizer build: the call runs in place "
		             "(layout.h)");
}

Test(layout, the_position_holds_from_any_depth)
{
	skip_unless_anchoring();
	static const unsigned offsets[] = {0, 16, 48, 2048, 4080};
	for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
		for (unsigned levels = 0; levels < 5; levels++)
			for (size_t bytes = 0; bytes < 200; bytes += 24) {
				struct depth_call c = {.offset = offsets[o]};
				from_depth(&c, levels, bytes);
				cr_assert_eq(c.rc, 7);
				cr_assert_eq(
				    c.sp % SB_LAYOUT_PAGE, offsets[o],
				    "offset %u, %u levels of %zu bytes: "
				    "the call was at %#lx",
				    offsets[o], levels, bytes,
				    (unsigned long)(c.sp % SB_LAYOUT_PAGE));
			}
}

Test(layout, moving_the_offset_moves_the_call)
{
	skip_unless_anchoring();
	struct depth_call a = {.offset = 1024}, b = {.offset = 1040};
	from_depth(&a, 2, 40);
	from_depth(&b, 2, 40);
	cr_assert_eq((b.sp - a.sp) % SB_LAYOUT_PAGE, 16);
}

Test(layout, offsets_that_are_not_positions_are_refused)
{
	cr_assert(sb_layout_offset_valid(0));
	cr_assert(sb_layout_offset_valid(SB_LAYOUT_DEFAULT_OFFSET));
	cr_assert(sb_layout_offset_valid(4080));
	cr_assert_not(sb_layout_offset_valid(8));
	cr_assert_not(sb_layout_offset_valid(4096));
	/* Refused, the call still runs, in place. */
	uintptr_t sp = 0;
	cr_assert_eq(sb_layout_call(8, where, &sp), 7);
	cr_assert_neq(sp, 0);
}
