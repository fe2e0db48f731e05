/*
 * meter.h - one measured region: TSC cycles, and the exact instruction
 * count when the run is under callgrind (`--counter instructions`).
 *
 * Every library call suitebench measures is wrapped in exactly one
 * begin/end pair, so the meter is the one place that decides what a
 * region costs.  Regions do not nest.  A region starts with the vector
 * registers clean (sb_cycles_clean_vectors), whatever ran before it.
 */
#ifndef SB_METER_H
#define SB_METER_H

#include <stdbool.h>
#include <stdint.h>

struct sb_meter {
	uint64_t cycle_overhead; /* the counter's own cost, subtracted */
	bool count_instructions; /* under callgrind: count the region too */
	unsigned stack_offset;   /* where the regions' stack lies (layout.h) */
};

/*
 * Run `fn(arg)`, which holds measured regions, with the stack at the
 * meter's position (sb_layout_call), and return its result: every process
 * then measures the libraries' code at one stack layout.
 */
int sb_meter_call(const struct sb_meter *meter, int (*fn)(void *), void *arg);

/* Begin a region: `*start` receives the cycle counter. */
void sb_meter_begin(const struct sb_meter *meter, uint64_t *start);

/* End the region begun at `start`: `*cycles` (and `*instructions`, when
 * counted) grow by its cost. */
void sb_meter_end(const struct sb_meter *meter, uint64_t start,
                  uint64_t *cycles, uint64_t *instructions);

#endif
