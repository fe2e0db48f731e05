/*
 * heap_interpose.c - the tool's own malloc, for libraries with no
 * allocator hook (heap_interpose.h).
 *
 * glibc supports replacing malloc by defining malloc, free, calloc and
 * realloc (and, to keep every block in one allocator, the aligned ones) in
 * the executable: every shared library's call -- and glibc's own internal
 * calls -- then reach these definitions ("Replacing malloc", glibc
 * manual).  They forward to glibc's allocator through its exported
 * __libc_* entry points, so blocks stay glibc's and malloc_usable_size()
 * sizes them, as the other backends' hooks do.  Counting happens only
 * inside a window, which the core opens around an interposed backend's
 * calls, so outside them this file changes nothing but one predictable
 * branch per allocation; in a process that times, no window opens at all.
 *
 * Not built with sanitizers, which replace malloc themselves
 * (heap_interpose_none.c stands in).  Single-threaded, as every run is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

#include "backend.h"
#include "heap_interpose.h"

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

static unsigned heap_windows;  /* open windows: counting while > 0 */
static int heap_counting = -1; /* sb_heap_hooks_on(), once known */

/* In a process that times (heap.h) no window ever opens, so the functions
 * below only forward: no accounting code runs in a timed call. */
void sb_heap_interpose_begin(void)
{
	if (heap_counting < 0)
		heap_counting = sb_heap_hooks_on();
	heap_windows += (unsigned)heap_counting;
}

void sb_heap_interpose_end(void)
{
	if (heap_windows > 0)
		heap_windows--;
}

unsigned sb_heap_interpose_suspend(void)
{
	unsigned open = heap_windows;
	heap_windows = 0;
	return open;
}

void sb_heap_interpose_resume(unsigned windows)
{
	heap_windows = windows;
}

bool sb_heap_interposed(void)
{
	return true;
}

static void *heap_noted(void *p)
{
	if (p && heap_windows > 0)
		sb_heap_note_alloc(malloc_usable_size(p));
	return p;
}

void *malloc(size_t size)
{
	return heap_noted(__libc_malloc(size));
}

void *calloc(size_t n, size_t size)
{
	return heap_noted(__libc_calloc(n, size));
}

void free(void *p)
{
	if (p && heap_windows > 0)
		sb_heap_note_free(malloc_usable_size(p));
	__libc_free(p);
}

/* A moved or resized block is the old one freed and a new one allocated;
 * realloc(p, 0) frees p; a failed realloc leaves p as it was. */
void *realloc(void *p, size_t size)
{
	size_t old = p && heap_windows > 0 ? malloc_usable_size(p) : 0;
	void *q = __libc_realloc(p, size);
	if (heap_windows == 0 || (!q && size != 0))
		return q;
	if (p)
		sb_heap_note_free(old);
	return heap_noted(q);
}

void *memalign(size_t alignment, size_t size)
{
	return heap_noted(__libc_memalign(alignment, size));
}

void *aligned_alloc(size_t alignment, size_t size)
{
	return heap_noted(__libc_memalign(alignment, size));
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
	if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	void *p = heap_noted(__libc_memalign(alignment, size));
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	return heap_noted(__libc_valloc(size));
}

void *pvalloc(size_t size)
{
	return heap_noted(__libc_pvalloc(size));
}
