/*
 * heap_interpose.h - heap accounting for a library with no allocator hook
 * (SB_CAP_HEAP_INTERPOSED; GnuTLS 3.7, whose
 * gnutls_global_set_mem_functions does nothing).
 *
 * The tool defines malloc, calloc, realloc, free and the aligned
 * allocators itself (heap_interpose.c), forwarding to glibc's __libc_*
 * functions, and while a window is open reports every block through
 * sb_heap_note_alloc/free (backend.h) -- whichever code in the process
 * allocates it.  The core opens the window around each call it charges
 * to an endpoint of such a backend (run/endpoint.c) and suspends it
 * around the backend's calls back into the core's I/O.  Outside a window
 * the interposed functions only forward, so other backends' counts do not
 * change.  Builds without interposition (sanitizer builds, where the
 * sanitizer owns malloc, and builds without such a backend) link
 * heap_interpose_none.c: these are no-ops and sb_heap_interposed() is
 * false.  Single-threaded, as every run is.
 */
#ifndef SB_HEAP_INTERPOSE_H
#define SB_HEAP_INTERPOSE_H

#include <stdbool.h>

/* Open a window; windows nest, counting runs while one is open. */
void sb_heap_interpose_begin(void);

/* Close the innermost window. */
void sb_heap_interpose_end(void);

/* Whether this build interposes malloc at all. */
bool sb_heap_interposed(void);

/*
 * Close every open window for the core's own work inside one -- the link
 * queueing a datagram the library sends -- and return how many were
 * open, for sb_heap_interpose_resume() to reopen them.
 */
unsigned sb_heap_interpose_suspend(void);
void sb_heap_interpose_resume(unsigned windows);

#endif
