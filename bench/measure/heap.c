#include "measure/heap.h"

#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
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

void sb_heap_note_alloc(size_t bytes)
{
	if (!charged)
		return;
	charged->in_use += (int64_t)bytes;
	charged->allocs++;
	if (charged->in_use > charged->peak)
		charged->peak = charged->in_use;
}

void sb_heap_note_free(size_t bytes)
{
	if (charged)
		charged->in_use -= (int64_t)bytes;
}
