/*
 * mapfile.h - what a library contributes to a linked program, read from
 * the GNU ld map (-Wl,-Map=FILE).
 *
 * The map's memory-map part lists every input section the linker kept:
 * its name, address, size and the file it came from, an archive member
 * written "path/libx.a(member.o)".  Summing the sections whose archive is
 * one of the library's gives the bytes the library contributes, whatever
 * the program and libc add around it.  Sections the linker discarded
 * (--gc-sections) are listed before the memory map and never count.
 *
 * Classes come from the input section's name, not from the output
 * section it landed in, so a bare-metal linker script that folds .rodata
 * into .text still tells them apart:
 *   text    .text .text.* .init .fini .gnu.linkonce.t.*
 *   rodata  .rodata .rodata.* .rodata1 .data.rel.ro .data.rel.ro.*
 *           .gnu.linkonce.r.*  (.data.rel.ro is constant data that holds
 *           pointers: read-only after relocation, .rodata on a non-PIC target)
 *   data    .data .data.* .data1 .sdata* .tdata* .init_array .fini_array
 *           .gnu.linkonce.d.*
 *   bss     .bss .bss.* .sbss* .tbss* COMMON .gnu.linkonce.b.*
 * Anything else is not counted: unwind tables (.eh_frame, .ARM.exidx,
 * .ARM.extab, which firmware builds leave out), notes, comments, debug
 * information, and sections the linker makes itself (PLT, GOT).
 *
 * Mergeable sections (.rodata.str1.1, .rodata.cst16) are listed at their
 * size before the linker removed duplicate strings; a section that the
 * map places at or beyond the end of its output section was merged away
 * and is clipped to what fits, so shared strings are not counted twice.
 */
#ifndef SB_MAPFILE_H
#define SB_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backends/status.h"

enum sb_map_class {
	SB_MAP_TEXT,
	SB_MAP_RODATA,
	SB_MAP_DATA,
	SB_MAP_BSS,
};
#define SB_MAP_CLASSES 4

/* One input section the linker kept. */
struct sb_map_entry {
	char section[128]; /* input section name, ".text.br_ssl_engine_init" */
	char archive[128]; /* basename of its archive; "" for a plain object */
	char object[128];  /* basename of the member or object file */
	enum sb_map_class cls;
	uint64_t size; /* bytes, after clipping (see above) */
};

struct sb_map {
	struct sb_map_entry *entries;
	size_t count;
	size_t cap;
};

/* What one archive member contributes, per class. */
struct sb_map_object {
	char archive[128];
	char object[128];
	uint64_t bytes[SB_MAP_CLASSES];
	uint64_t total;
};

/*
 * The class of an input section name (table above), or -1 when it is not
 * counted.
 */
int sb_mapfile_section_class(const char *section);

/* "text", "rodata", "data" or "bss". */
const char *sb_mapfile_class_name(enum sb_map_class cls);

/*
 * Read a GNU ld map from `f` into `map`, which must be zeroed (or freed):
 * every counted input section of the memory map.  `name` names the file
 * in messages.  Returns 0; SB_ERR_INVALID with "NAME:LINE: problem" in
 * `msg` when the text is not a map (no memory-map part) or a section line
 * is malformed or cut off; SB_ERR_NOMEM.  The caller frees `map` in every
 * case.
 */
int sb_mapfile_read(FILE *f, const char *name, struct sb_map *map, char *msg,
                    size_t msg_len) SB_MUST_USE;

/*
 * Open `path` and read it as sb_mapfile_read() does; an unreadable file is
 * SB_ERR_IO with "cannot read PATH: reason" in `msg`.
 */
int sb_mapfile_load(const char *path, struct sb_map *map, char *msg,
                    size_t msg_len) SB_MUST_USE;

/* Release the entries; safe on a zeroed map, twice. */
void sb_mapfile_free(struct sb_map *map);

/*
 * Whether `entry` came from one of the `count` archives, named by
 * basename ("libbearssl.a") or by a path whose basename is compared.
 */
bool sb_mapfile_entry_from(const struct sb_map_entry *entry,
                           const char *const *archives, size_t count);

/*
 * Sum, per class, the entries from the `count` archives into `out`
 * (which is overwritten).
 */
void sb_mapfile_sum(const struct sb_map *map, const char *const *archives,
                    size_t count, uint64_t out[SB_MAP_CLASSES]);

/*
 * The archive members that contribute to `map` from the `count` archives,
 * largest total first (ties by archive, then object name), in a new array
 * the caller frees with sb_mem_free (base/mem.h).  Returns 0 with `*out`
 * and `*n` set (NULL and 0 when there are none), or SB_ERR_NOMEM.
 */
int sb_mapfile_objects(const struct sb_map *map, const char *const *archives,
                       size_t count, struct sb_map_object **out,
                       size_t *n) SB_MUST_USE;

/*
 * The entries from the `count` archives, largest first (ties by section
 * name), in a new array the caller frees with sb_mem_free.  With
 * -ffunction-sections each is one function or one table.  Returns 0 or
 * SB_ERR_NOMEM, as above.
 */
int sb_mapfile_largest(const struct sb_map *map, const char *const *archives,
                       size_t count, struct sb_map_entry **out,
                       size_t *n) SB_MUST_USE;

#endif
