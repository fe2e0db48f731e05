/*
 * test_cycles.c - the cycle counter's arithmetic and calibration.  No
 * timing threshold is asserted: timings are checked in benchmarks.
 */
#include <criterion/criterion.h>

#include "measure/cycles.h"

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
