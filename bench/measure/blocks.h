/*
 * blocks.h - the heap blocks the heap pass counted and that are still
 * live: each block's address and the bytes it was counted for.
 *
 * heap.c charges a block when it is allocated and must credit the same
 * bytes when it is freed, whatever glibc's allocator says about the block
 * by then.  This is the table it keeps them in: open addressing with
 * linear probing, grown by doubling, its memory mapped directly from the
 * kernel -- never malloc'd, since the malloc interposition
 * (heap_interpose.h) reports from inside malloc itself, and the table's
 * own memory must count for no library.  Single-threaded, as every run
 * is.
 */
#ifndef SB_BLOCKS_H
#define SB_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hold `block` at `bytes`, replacing what was held at that address.
 * False when the table cannot grow (out of memory): nothing held. */
bool sb_blocks_put(uintptr_t block, size_t bytes);

/* Release `block`: true and its bytes in `*bytes` when it was held. */
bool sb_blocks_take(uintptr_t block, size_t *bytes);

/* How many blocks are held. */
size_t sb_blocks_count(void);

#endif
