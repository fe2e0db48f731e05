/*
 * test_cycles.c - the cycle counter's arithmetic and calibration.  No
 * timing threshold is asserted: timings are checked in benchmarks.
 */
#include <criterion/criterion.h>

#include "measure/cycles.h"
#include "measure/meter.h"

/* ---- safety ----------------------------------------------------------- */

Test(cycles, overhead_subtraction_never_goes_negative)
{
	cr_assert_eq(sb_cycles_elapsed(100, 130, 40), 0);
	cr_assert_eq(sb_cycles_elapsed(100, 140, 40), 0);
	cr_assert_eq(sb_cycles_elapsed(100, 90, 0), 0, "a counter going back");
	cr_assert_eq(sb_cycles_elapsed(0, 0, 0), 0);
}

/* ---- behaviour -------------------------------------------------------- */

Test(cycles, elapsed_less_overhead)
{
	cr_assert_eq(sb_cycles_elapsed(1000, 1500, 40), 460);
	cr_assert_eq(sb_cycles_elapsed(0, UINT64_MAX, 0), UINT64_MAX);
}

/* Dirty the upper halves of the YMM registers, as assembly that returns
 * without `vzeroupper` does.  Not compiled for AVX, so the compiler adds
 * no `vzeroupper` of its own after it (only called where the CPU has AVX:
 * sb_cycles_vectors_dirty answered). */
__attribute__((noinline)) static void dirty_upper_ymm(void)
{
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0" ::: "xmm0");
}

Test(cycles, clean_vectors_leaves_the_upper_ymm_state_clean)
{
	if (sb_cycles_vectors_dirty() < 0) {
		cr_skip_test("this CPU cannot report the upper YMM state "
		             "(XGETBV with ECX = 1)");
	}
	dirty_upper_ymm();
	cr_assert_eq(sb_cycles_vectors_dirty(), 1,
	             "the probe must see a dirty state to mean anything");
	sb_cycles_clean_vectors();
	cr_assert_eq(sb_cycles_vectors_dirty(), 0);
}

/* The speed probe measures the machine, not what the last library left
 * in the vector registers: it starts clean, as a measured region does. */
Test(cycles, the_speed_probe_starts_clean)
{
	if (sb_cycles_vectors_dirty() < 0)
		cr_skip_test("this CPU cannot report the upper YMM state");
	dirty_upper_ymm();
	(void)sb_cycles_probe_quick();
	cr_assert_eq(sb_cycles_vectors_dirty(), 0, "quick probe");
	dirty_upper_ymm();
	(void)sb_cycles_probe();
	cr_assert_eq(sb_cycles_vectors_dirty(), 0, "probe");
}

Test(cycles, a_measured_region_starts_clean)
{
	if (sb_cycles_vectors_dirty() < 0)
		cr_skip_test("this CPU cannot report the upper YMM state");
	struct sb_meter meter = {0};
	uint64_t t0;
	dirty_upper_ymm();
	sb_meter_begin(&meter, &t0);
	int dirty = sb_cycles_vectors_dirty();
	uint64_t cycles = 0, instructions = 0;
	sb_meter_end(&meter, t0, &cycles, &instructions);
	cr_assert_eq(dirty, 0);
}
