/*
 * heap_interpose.c - the tool's own malloc, for libraries with no
 * allocator hook (heap_interpose.h).
 *
 * glibc supports replacing malloc by defining malloc, free, calloc and
 * realloc (and, to keep every block in one allocator, the aligned ones) in
 * the executable: every shared library's call -- and glibc's own internal
 * calls -- then reach these definitions ("Replacing malloc", glibc
 * manual).  They forward to glibc's allocator through its exported
 * __libc_* entry points, so blocks stay glibc's.  Counting happens only
 * inside a window, which the core opens around an interposed backend's
 * calls: there every block is reported with its request, as the other
 * backends' hooks do (backend.h).  Outside a window, in the process that
 * counts, a free still tells the core to stop following the block; in a
 * process that times no window opens and the process counts nothing, so
 * these functions do nothing but forward, after a predictable branch or
 * two (and that process's executable has no interposition at all:
 * passes.h).
 *
 * Not built with sanitizers, which replace malloc themselves
 * (heap_interpose_none.c stands in).  Single-threaded, as every run is.
 */
#define _GNU_SOURCE
#include <errno.h>
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

static void *heap_noted(void *p, size_t request)
{
	if (heap_windows > 0)
		sb_heap_note_alloc((uintptr_t)p, request);
	return p;
}

/* A block freed: credited inside a window; outside one, in the process
 * that counts, no longer followed (a block counted in a window may be
 * freed outside all of them).  The other backends' hooks report their
 * blocks' ends before they call free, so this finds none of theirs. */
static void heap_released(const void *p)
{
	if (heap_windows > 0)
		sb_heap_note_free((uintptr_t)p);
	else if (heap_counting > 0 && p)
		sb_heap_note_forget((uintptr_t)p);
}

void *malloc(size_t size)
{
	return heap_noted(__libc_malloc(size), size);
}

/* n * size cannot overflow when __libc_calloc succeeded. */
void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);
	return p ? heap_noted(p, n * size) : NULL;
}

void free(void *p)
{
	heap_released(p);
	__libc_free(p);
}

/* Outside a window a realloc reports nothing, not even the old block's
 * end: the library hooks of the other backends call this realloc too, and
 * report the resize themselves after it returns (backend.h).  A block
 * counted in a window and resized outside every window -- which no
 * library here does -- would stay followed at its old address. */
void *realloc(void *p, size_t size)
{
	uintptr_t old = (uintptr_t)p;
	void *q = __libc_realloc(p, size);
	if (heap_windows > 0)
		sb_heap_note_realloc(old, (uintptr_t)q, size);
	return q;
}

/* The aligned allocators count their request like malloc's, which is
 * not quite what glibc carves (alignment slack; pvalloc rounds to a
 * page).  GnuTLS 3.7.9 and the libraries it loads (nettle, hogweed, gmp,
 * p11-kit, libtasn1, libidn2, libunistring) import none of them
 * (nm -D), so no figure depends on the difference; they are here so
 * that a block they hand out is still known when it is freed. */
void *memalign(size_t alignment, size_t size)
{
	return heap_noted(__libc_memalign(alignment, size), size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
	return heap_noted(__libc_memalign(alignment, size), size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
	if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	void *p = heap_noted(__libc_memalign(alignment, size), size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	return heap_noted(__libc_valloc(size), size);
}

void *pvalloc(size_t size)
{
	return heap_noted(__libc_pvalloc(size), size);
}
