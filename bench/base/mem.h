/*
 * mem.h - the harness's own heap, apart from the libraries'.
 *
 * The libraries allocate from glibc's heap, and what their calls cost
 * depends on where their blocks land: glibc's malloc takes another path
 * for another free list, and copy routines branch on their operands'
 * alignment.  When the harness allocated from that heap too, its blocks
 * set where the libraries' landed, so library figures moved with things
 * that have nothing to do with them: the length of the command line (the
 * arguments are copied) moved 102 of the gate's 168 instruction-count
 * rows, Mbed TLS IoT's setup by 5.8 % and GnuTLS's 16-byte encrypt by
 * 3.3 %, and a commit that changed only the harness's own arrays moved 46
 * (README, "Exact figures").
 *
 * So every block the harness allocates for itself comes from here:
 * mappings of its own, never glibc's heap.  Small blocks (up to 2 KiB)
 * are carved from 64 KiB slabs by size class, each aligned to its class;
 * larger ones are whole pages, aligned to 64 KiB, and a freed one is kept
 * for the next request of its size (a link's datagram slots are allocated
 * anew for every handshake, and fresh pages for each would fault inside
 * the timed sends).  Where a block lies depends only on the harness's own
 * requests, and its alignment on nothing but its size.
 *
 * sb_mem_free and sb_mem_realloc take any pointer: one that is not this
 * heap's (from strdup, realpath, a library) goes to glibc's free and
 * realloc.  Under valgrind the blocks are announced as heap blocks, so
 * memcheck still reports a leaked block (one reachable only through a
 * leaked one shows as still reachable) and an access to memory no block
 * holds; an overrun into the rest of a block's size class or page goes
 * unseen.  Under AddressSanitizer every call forwards to malloc and free,
 * so that the sanitizer sees the harness's blocks to the byte.  Not for the
 * libraries' own allocations, and not thread-safe (every run is
 * single-threaded).
 */
#ifndef SB_MEM_H
#define SB_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* The largest block carved from a slab; larger ones are whole pages. */
#define SB_MEM_SMALL_MAX 2048u

void *sb_mem_alloc(size_t size);
/* Zeroed; NULL when n * size overflows. */
void *sb_mem_calloc(size_t n, size_t size);
/* As realloc: NULL (with `p` untouched) when it cannot grow. */
void *sb_mem_realloc(void *p, size_t size);
void sb_mem_free(void *p);
char *sb_mem_strdup(const char *s);

/* Whether `p` is a live block of this heap (false for NULL, for foreign
 * pointers, and under AddressSanitizer, where there is no such heap). */
bool sb_mem_owns(const void *p);

#endif
