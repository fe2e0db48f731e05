#include "measure/heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "measure/blocks.h"
#include "measure/callgrind.h"

static struct sb_heap_tally *charged;
static int hooks_on = -1; /* not decided yet */

bool sb_heap_hooks_on(void)
{
	if (hooks_on < 0) {
		const char *env = getenv(SB_HEAP_HOOKS_ENV);
		hooks_on =
		    !(env && strcmp(env, "0") == 0) && !sb_callgrind_active();
	}
	return hooks_on;
}

struct sb_heap_tally *sb_heap_charge(struct sb_heap_tally *tally)
{
	struct sb_heap_tally *before = charged;
	charged = tally;
	return before;
}

void sb_heap_mark(struct sb_heap_tally *tally)
{
	tally->peak = tally->in_use;
	tally->allocs = 0;
}

size_t sb_heap_block_bytes(size_t request)
{
	/* glibc's chunk: the request and a size_t header, rounded up to
	 * MALLOC_ALIGNMENT, at least MINSIZE; the header is not usable. */
	const size_t header = sizeof(size_t), align = 2 * sizeof(size_t),
	             min_chunk = 4 * sizeof(size_t);
	if (request > SIZE_MAX - header - align)
		return request;
	size_t chunk = (request + header + align - 1) & ~(align - 1);
	return (chunk < min_chunk ? min_chunk : chunk) - header;
}

void sb_heap_note_alloc(uintptr_t block, size_t request)
{
	if (!charged || !block)
		return;
	size_t bytes = sb_heap_block_bytes(request);
	if (!sb_blocks_put(block, bytes))
		charged->untracked++;
	charged->in_use += (int64_t)bytes;
	charged->allocs++;
	if (charged->in_use > charged->peak)
		charged->peak = charged->in_use;
}

void sb_heap_note_free(uintptr_t block)
{
	size_t bytes;
	if (sb_blocks_take(block, &bytes) && charged)
		charged->in_use -= (int64_t)bytes;
}

void sb_heap_note_realloc(uintptr_t old, uintptr_t block, size_t request)
{
	if (!block && request != 0)
		return;
	if (old)
		sb_heap_note_free(old);
	sb_heap_note_alloc(block, request);
}

void sb_heap_note_forget(uintptr_t block)
{
	size_t bytes;
	(void)sb_blocks_take(block, &bytes);
}
