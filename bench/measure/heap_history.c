#include "measure/heap_history.h"

#include <stdint.h>
#include <stdlib.h>

/* splitmix64 (Steele, Lea and Flood 2014): block `i`'s draw for `seed`,
 * the same on every machine. */
static uint64_t heap_history_draw(unsigned long seed, unsigned i)
{
	uint64_t z = (uint64_t)seed * 0x9e3779b97f4a7c15u +
	             ((uint64_t)i + 1) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

size_t sb_heap_history_size(unsigned long seed, unsigned i)
{
	return SB_HEAP_HISTORY_MIN +
	       (size_t)(heap_history_draw(seed, i) % SB_HEAP_HISTORY_SPAN);
}

/* The blocks kept; NULL where one was freed or refused. */
static void *heap_history_block[SB_HEAP_HISTORY_BLOCKS];
static bool heap_history_shaped;

bool sb_heap_history_shape(unsigned long seed)
{
	if (seed == 0 || heap_history_shaped)
		return false;
	heap_history_shaped = true;
	/* The history the libraries' blocks follow. */
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++) {
		size_t size = sb_heap_history_size(seed, i);
		heap_history_block[i] = malloc(size); /* libraries' heap */
	}
	/* Every other block freed once all are placed: holes between the
	 * kept ones, not blocks handed straight back to the next request. */
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i += 2) {
		free(heap_history_block[i]); /* libraries' heap */
		heap_history_block[i] = NULL;
	}
	return true;
}

void sb_heap_history_release(void)
{
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++) {
		free(heap_history_block[i]); /* libraries' heap */
		heap_history_block[i] = NULL;
	}
}
