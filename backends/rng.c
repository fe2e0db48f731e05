#include "backend.h"

void sb_rng_seed(struct sb_rng *rng, uint64_t seed, uint64_t stream)
{
	rng->state = seed ^ (stream * 0x9e3779b97f4a7c15u);
}

static uint64_t splitmix64_next(struct sb_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void sb_rng_fill(struct sb_rng *rng, uint8_t *buf, size_t len)
{
	while (len > 0) {
		uint64_t v = splitmix64_next(rng);
		for (int i = 0; i < 8 && len > 0; i++, len--)
			*buf++ = (uint8_t)(v >> (8 * i));
	}
}
