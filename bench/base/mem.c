/*
 * mem.c - the harness's own heap (mem.h).
 *
 * Every block lies in a mapping of this file's own.  A registry keyed by
 * 64 KiB region says what each mapping is: a slab of one size class (the
 * region of any pointer inside it), or a large block (its first byte,
 * which is the region's).  The registry is an open-addressed table in a
 * mapping too, so nothing here touches glibc's heap.  It and the carving
 * state hold region numbers, not addresses, so that memcheck's leak check
 * finds no pointer to a block here.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#endif
#include "base/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Under AddressSanitizer (GCC says so with __SANITIZE_ADDRESS__, clang
 * with __has_feature) every call forwards to malloc and free. */
#if defined(__SANITIZE_ADDRESS__)
#define MEM_FORWARD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_FORWARD 1
#endif
#endif

#if defined(MEM_FORWARD)

void *sb_mem_alloc(size_t size)
{
	return malloc(size);
}

void *sb_mem_calloc(size_t n, size_t size)
{
	/* NULL on overflow, as below; the sanitizer would abort instead. */
	if (size && n > SIZE_MAX / size)
		return NULL;
	return calloc(n, size);
}

void *sb_mem_realloc(void *p, size_t size)
{
	return realloc(p, size);
}

void sb_mem_free(void *p)
{
	free(p);
}

char *sb_mem_strdup(const char *s)
{
	return strdup(s);
}

bool sb_mem_owns(const void *p)
{
	(void)p;
	return false;
}

#else

#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#define MEM_REGION ((uintptr_t)64 << 10) /* slab size and large alignment */
#define MEM_PAGE ((size_t)4096)
#define MEM_MIN_CLASS 16u
#define MEM_CLASSES 8 /* 16, 32, ..., SB_MEM_SMALL_MAX */
/* Freed large blocks kept for reuse, oldest first: at most this many,
 * this many bytes. */
#define MEM_CACHE_SLOTS 64
#define MEM_CACHE_BYTES ((size_t)64 << 20)

/* A registry entry: a region's number (its address / MEM_REGION, so that
 * the table holds no pointer into the blocks, which memcheck's leak check
 * would take for a reference), and what lies there -- a slab's
 * class size (at most SB_MEM_SMALL_MAX) or a large block's length. */
struct mem_entry {
	uintptr_t index; /* 0: empty */
	size_t value;
};

struct mem_free {
	struct mem_free *next;
};

struct mem_span {
	uintptr_t base;
	size_t len;
};

static struct mem_entry *registry;
static size_t registry_cap, registry_used; /* cap: a power of two or 0 */

static struct mem_free *free_list[MEM_CLASSES];
/* Each class's slab being carved: its number (as the registry's) and the
 * bytes carved so far -- numbers, not pointers, for memcheck's leak
 * check, as the registry's. */
static uintptr_t carve_slab[MEM_CLASSES];
static size_t carve_used[MEM_CLASSES];

static struct mem_span cache[MEM_CACHE_SLOTS];
static size_t cache_count, cache_bytes;

/* ---- mappings ----------------------------------------------------------- */

static void *map_pages(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* `len` bytes (a multiple of the page) at a multiple of MEM_REGION. */
static uintptr_t map_aligned(size_t len)
{
	size_t over = len + MEM_REGION - MEM_PAGE;
	uint8_t *raw = map_pages(over);
	if (!raw)
		return 0;
	uintptr_t start = (uintptr_t)raw;
	uintptr_t at = (start + MEM_REGION - 1) & ~(MEM_REGION - 1);
	if (at > start)
		munmap(raw, at - start);
	if (start + over > at + len)
		munmap((void *)(at + len), start + over - (at + len));
	return at;
}

/* ---- the registry ------------------------------------------------------- */

static uintptr_t index_of(uintptr_t region)
{
	return region / MEM_REGION;
}

static uintptr_t region_of(const struct mem_entry *e)
{
	return e->index * MEM_REGION;
}

static size_t slot_of(uintptr_t index, size_t cap)
{
	return (size_t)(index * 0x9e3779b97f4a7c15u) & (cap - 1);
}

static struct mem_entry *registry_find(uintptr_t region)
{
	uintptr_t index = index_of(region);
	if (!registry_cap || !index)
		return NULL;
	for (size_t i = slot_of(index, registry_cap);;
	     i = (i + 1) & (registry_cap - 1)) {
		if (registry[i].index == index)
			return &registry[i];
		if (registry[i].index == 0)
			return NULL;
	}
}

static void registry_put(struct mem_entry *table, size_t cap,
                         struct mem_entry e)
{
	size_t i = slot_of(e.index, cap);
	while (table[i].index)
		i = (i + 1) & (cap - 1);
	table[i] = e;
}

static bool registry_add(uintptr_t region, size_t value)
{
	if (2 * (registry_used + 1) > registry_cap) {
		size_t cap = registry_cap ? 2 * registry_cap : 256;
		struct mem_entry *table = map_pages(cap * sizeof(*table));
		if (!table)
			return false;
		for (size_t i = 0; i < registry_cap; i++)
			if (registry[i].index)
				registry_put(table, cap, registry[i]);
		if (registry)
			munmap(registry, registry_cap * sizeof(*registry));
		registry = table;
		registry_cap = cap;
	}
	registry_put(
	    registry, registry_cap,
	    (struct mem_entry){.index = index_of(region), .value = value});
	registry_used++;
	return true;
}

/* Remove an entry, moving later ones of its cluster back (linear probing
 * needs no tombstones then). */
static void registry_remove(struct mem_entry *e)
{
	size_t i = (size_t)(e - registry), mask = registry_cap - 1;
	registry[i].index = 0;
	for (size_t j = (i + 1) & mask; registry[j].index; j = (j + 1) & mask) {
		size_t home = slot_of(registry[j].index, registry_cap);
		/* Entry j may move to the hole at i when its home does not
		 * lie cyclically in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			registry[i] = registry[j];
			registry[j].index = 0;
			i = j;
		}
	}
	registry_used--;
}

/* What `p` is: its entry and whether it is small, or NULL when it is not
 * a live block of this heap. */
static struct mem_entry *entry_of(const void *p, bool *small)
{
	uintptr_t at = (uintptr_t)p;
	struct mem_entry *e = registry_find(at & ~(MEM_REGION - 1));
	if (!e)
		return NULL;
	*small = e->value <= SB_MEM_SMALL_MAX;
	return *small || at == region_of(e) ? e : NULL;
}

/* ---- small blocks ------------------------------------------------------- */

static unsigned class_of(size_t size)
{
	unsigned c = 0;
	while ((MEM_MIN_CLASS << c) < size)
		c++;
	return c;
}

static void *small_alloc(size_t size)
{
	unsigned c = class_of(size);
	size_t bytes = (size_t)MEM_MIN_CLASS << c;
	void *p;
	if (free_list[c]) {
		struct mem_free *f = free_list[c];
		VALGRIND_MAKE_MEM_DEFINED(f, sizeof(*f));
		free_list[c] = f->next;
		p = f;
	} else {
		if (!carve_slab[c] || carve_used[c] == MEM_REGION) {
			uintptr_t slab = map_aligned(MEM_REGION);
			if (!slab)
				return NULL;
			if (!registry_add(slab, bytes)) {
				munmap((void *)slab, MEM_REGION);
				return NULL;
			}
			/* Not a block until carved: memcheck neither scans it
			 * for references nor lets a block overrun into it. */
			VALGRIND_MAKE_MEM_NOACCESS((void *)slab, MEM_REGION);
			carve_slab[c] = index_of(slab);
			carve_used[c] = 0;
		}
		p = (void *)(carve_slab[c] * MEM_REGION + carve_used[c]);
		carve_used[c] += bytes;
	}
	VALGRIND_MALLOCLIKE_BLOCK(p, bytes, 0, 0);
	return p;
}

static void small_free(void *p, size_t bytes)
{
	unsigned c = class_of(bytes);
	struct mem_free *f = p;
	f->next = free_list[c];
	free_list[c] = f;
	VALGRIND_FREELIKE_BLOCK(p, 0);
}

/* ---- large blocks ------------------------------------------------------- */

static void *large_alloc(size_t size)
{
	if (size > SIZE_MAX - MEM_REGION)
		return NULL;
	size_t len = (size + MEM_PAGE - 1) & ~(MEM_PAGE - 1);
	uintptr_t at = 0;
	/* The newest freed block of this length: a run frees and allocates
	 * the same sizes over and over (one handshake's link after another). */
	for (size_t i = cache_count; i-- > 0;)
		if (cache[i].len == len) {
			at = cache[i].base;
			memmove(&cache[i], &cache[i + 1],
			        (cache_count - i - 1) * sizeof(*cache));
			cache_count--;
			cache_bytes -= len;
			break;
		}
	if (!at && !(at = map_aligned(len)))
		return NULL;
	if (!registry_add(at, len)) {
		munmap((void *)at, len);
		return NULL;
	}
	VALGRIND_MALLOCLIKE_BLOCK((void *)at, len, 0, 0);
	return (void *)at;
}

static void large_free(struct mem_entry *e)
{
	uintptr_t at = region_of(e);
	size_t len = e->value;
	registry_remove(e);
	VALGRIND_FREELIKE_BLOCK((void *)at, 0);
	if (len > MEM_CACHE_BYTES) {
		munmap((void *)at, len);
		return;
	}
	/* Room by dropping the oldest: sizes a run stopped asking for (an
	 * array's earlier lengths as it grew) go, while the ones it keeps
	 * asking for stay -- refusing the newest instead left a link's slots
	 * to be mapped anew for every handshake once the cache had filled. */
	while (cache_count == MEM_CACHE_SLOTS ||
	       cache_bytes + len > MEM_CACHE_BYTES) {
		munmap((void *)cache[0].base, cache[0].len);
		cache_bytes -= cache[0].len;
		memmove(&cache[0], &cache[1], --cache_count * sizeof(*cache));
	}
	cache[cache_count++] = (struct mem_span){.base = at, .len = len};
	cache_bytes += len;
}

/* ---- the interface ------------------------------------------------------ */

void *sb_mem_alloc(size_t size)
{
	if (size == 0)
		size = 1;
	return size <= SB_MEM_SMALL_MAX ? small_alloc(size) : large_alloc(size);
}

void *sb_mem_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = sb_mem_alloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void sb_mem_free(void *p)
{
	bool small;
	if (!p)
		return;
	struct mem_entry *e = entry_of(p, &small);
	if (!e)
		free(p);
	else if (small)
		small_free(p, e->value);
	else
		large_free(e);
}

void *sb_mem_realloc(void *p, size_t size)
{
	bool small;
	if (!p)
		return sb_mem_alloc(size);
	struct mem_entry *e = entry_of(p, &small);
	if (!e)
		return realloc(p, size);
	size_t have = e->value;
	/* Kept where it is while it fits its class, or its pages. */
	if (small ? class_of(size ? size : 1) == class_of(have)
	          : size > SB_MEM_SMALL_MAX && size <= have &&
	                have - size < MEM_PAGE)
		return p;
	void *q = sb_mem_alloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, size < have ? size : have);
	sb_mem_free(p);
	return q;
}

char *sb_mem_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = sb_mem_alloc(len);
	if (copy)
		memcpy(copy, s, len);
	return copy;
}

bool sb_mem_owns(const void *p)
{
	bool small;
	struct mem_entry *e = p ? entry_of(p, &small) : NULL;
	if (!e || !small)
		return e != NULL;
	/* A small block is live unless it is on its class's free list or
	 * not carved yet. */
	unsigned c = class_of(e->value);
	uintptr_t at = (uintptr_t)p;
	if ((at - region_of(e)) % e->value != 0)
		return false;
	if (e->index == carve_slab[c] && at - region_of(e) >= carve_used[c])
		return false;
	for (struct mem_free *f = free_list[c]; f;) {
		if ((uintptr_t)f == at)
			return false;
		VALGRIND_MAKE_MEM_DEFINED(f, sizeof(*f));
		struct mem_free *next = f->next;
		VALGRIND_MAKE_MEM_NOACCESS(f, sizeof(*f));
		f = next;
	}
	return true;
}

#endif
