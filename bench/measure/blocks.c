#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "measure/blocks.h"

#include <stdint.h>
#include <sys/mman.h>

struct blocks_slot {
	uintptr_t key; /* 0: empty */
	size_t bytes;
};

static struct blocks_slot *blocks_table;
static size_t blocks_cap; /* a power of two, or 0 before the first put */
static size_t blocks_held;

#define BLOCKS_FIRST_CAP 4096u

/* Fibonacci hashing: glibc's blocks are 16-byte aligned, so the low bits
 * of an address say little. */
static size_t blocks_home(uintptr_t key, size_t cap)
{
	return (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15u) >> 32) &
	       (cap - 1);
}

static struct blocks_slot *blocks_map(size_t cap)
{
	void *p =
	    mmap(NULL, cap * sizeof(struct blocks_slot), PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p; /* zero-filled: every slot empty */
}

static void blocks_place(struct blocks_slot *table, size_t cap, uintptr_t key,
                         size_t bytes)
{
	size_t i = blocks_home(key, cap);
	while (table[i].key != 0 && table[i].key != key)
		i = (i + 1) & (cap - 1);
	table[i] = (struct blocks_slot){.key = key, .bytes = bytes};
}

/* Keep the table at most half full. */
static bool blocks_room(void)
{
	if (2 * (blocks_held + 1) <= blocks_cap)
		return true;
	size_t cap = blocks_cap ? 2 * blocks_cap : BLOCKS_FIRST_CAP;
	struct blocks_slot *table = blocks_map(cap);
	if (!table)
		return false;
	for (size_t i = 0; i < blocks_cap; i++)
		if (blocks_table[i].key != 0)
			blocks_place(table, cap, blocks_table[i].key,
			             blocks_table[i].bytes);
	if (blocks_table)
		munmap(blocks_table, blocks_cap * sizeof(struct blocks_slot));
	blocks_table = table;
	blocks_cap = cap;
	return true;
}

static struct blocks_slot *blocks_find(uintptr_t key)
{
	if (blocks_cap == 0)
		return NULL;
	size_t i = blocks_home(key, blocks_cap);
	while (blocks_table[i].key != 0) {
		if (blocks_table[i].key == key)
			return &blocks_table[i];
		i = (i + 1) & (blocks_cap - 1);
	}
	return NULL;
}

bool sb_blocks_put(uintptr_t block, size_t bytes)
{
	uintptr_t key = block;
	struct blocks_slot *s = key ? blocks_find(key) : NULL;
	if (s) {
		s->bytes = bytes;
		return true;
	}
	if (key == 0 || !blocks_room())
		return false;
	blocks_place(blocks_table, blocks_cap, key, bytes);
	blocks_held++;
	return true;
}

bool sb_blocks_take(uintptr_t block, size_t *bytes)
{
	struct blocks_slot *s = block ? blocks_find(block) : NULL;
	if (!s)
		return false;
	*bytes = s->bytes;
	/* Backward-shift deletion: move up every later slot of the run that
	 * may sit here, so that no lookup stops early at the hole. */
	size_t hole = (size_t)(s - blocks_table);
	size_t i = hole;
	for (;;) {
		i = (i + 1) & (blocks_cap - 1);
		if (blocks_table[i].key == 0)
			break;
		size_t home = blocks_home(blocks_table[i].key, blocks_cap);
		/* The slot at i may fill the hole when its home is not in
		 * the cyclic range (hole, i]. */
		bool stays = hole <= i ? (hole < home && home <= i)
		                       : (hole < home || home <= i);
		if (!stays) {
			blocks_table[hole] = blocks_table[i];
			hole = i;
		}
	}
	blocks_table[hole] = (struct blocks_slot){0};
	blocks_held--;
	return true;
}

size_t sb_blocks_count(void)
{
	return blocks_held;
}
