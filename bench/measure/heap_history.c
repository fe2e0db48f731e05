#include "measure/heap_history.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/mem.h"

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

struct sb_heap_history {
	void *block[SB_HEAP_HISTORY_BLOCKS];
};

struct sb_heap_history *sb_heap_history_shape(unsigned long seed)
{
	if (seed == 0)
		return NULL;
	/* The record is the harness's; the blocks it holds are not. */
	struct sb_heap_history *heap = sb_mem_calloc(1, sizeof(*heap));
	if (!heap)
		return NULL;
	/* The history the libraries' blocks follow. */
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++) {
		size_t size = sb_heap_history_size(seed, i);
		heap->block[i] = malloc(size); /* libraries' heap */
	}
	/* Every other block freed once all are placed: holes between the
	 * kept ones, not blocks handed straight back to the next request. */
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i += 2) {
		free(heap->block[i]); /* libraries' heap */
		heap->block[i] = NULL;
	}
	return heap;
}

void sb_heap_history_release(struct sb_heap_history *heap)
{
	if (!heap)
		return;
	for (unsigned i = 0; i < SB_HEAP_HISTORY_BLOCKS; i++)
		free(heap->block[i]); /* libraries' heap */
	sb_mem_free(heap);
}
