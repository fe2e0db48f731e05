#include "measure/meter.h"

#include "measure/callgrind.h"
#include "measure/cycles.h"
#include "measure/layout.h"

int sb_meter_call(const struct sb_meter *meter, int (*fn)(void *), void *arg)
{
	return sb_layout_call(meter->stack_offset, fn, arg);
}

void sb_meter_begin(const struct sb_meter *meter, uint64_t *start)
{
	/* Before the region, as the ABI expects at a call (cycles.h). */
	sb_cycles_clean_vectors();
	if (meter->count_instructions)
		sb_callgrind_start();
	*start = sb_cycles_now();
}

void sb_meter_end(const struct sb_meter *meter, uint64_t start,
                  uint64_t *cycles, uint64_t *instructions)
{
	uint64_t end = sb_cycles_now();
	if (meter->count_instructions)
		*instructions += sb_callgrind_stop();
	*cycles += sb_cycles_elapsed(start, end, meter->cycle_overhead);
}
