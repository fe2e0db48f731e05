/*
 * heap_interpose_none.c - no malloc interposition: sanitizer builds, where
 * the sanitizer's own malloc must stay in place, and builds with no
 * backend that needs it.  A backend that needs interposition reports no
 * heap figures in such a build (backend.h).
 */
#include "backend.h"
#include "heap_interpose.h"

void sb_heap_interpose_begin(void)
{
}

void sb_heap_interpose_end(void)
{
}

unsigned sb_heap_interpose_suspend(void)
{
	return 0;
}

void sb_heap_interpose_resume(unsigned windows)
{
	(void)windows;
}

bool sb_heap_interposed(void)
{
	return false;
}
