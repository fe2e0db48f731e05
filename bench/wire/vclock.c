#include "wire/vclock.h"

void sb_vclock_init(struct sb_vclock *clock)
{
	clock->now_us = SB_VCLOCK_START_US;
}

void sb_vclock_advance(struct sb_vclock *clock, uint64_t us)
{
	clock->now_us += us;
}

static uint64_t vclock_now(void *ctx)
{
	const struct sb_vclock *clock = ctx;
	return clock->now_us;
}

struct sb_clock sb_vclock_source(struct sb_vclock *clock)
{
	return (struct sb_clock){.ctx = clock, .now_us = vclock_now};
}
