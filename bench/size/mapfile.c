#include "size/mapfile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define MAP_START "Linker script and memory map"
#define MAP_END "Cross Reference Table"

/* Prefixes of input section names, per class (see mapfile.h). */
static const struct {
	const char *prefix;
	bool exact; /* the name alone, or the name followed by '.' */
	int cls;
} section_classes[] = {
    /* .data.rel.ro first: it would otherwise match .data. */
    {".data.rel.ro", false, SB_MAP_RODATA},
    {".text", false, SB_MAP_TEXT},
    {".init", true, SB_MAP_TEXT},
    {".fini", true, SB_MAP_TEXT},
    {".gnu.linkonce.t.", false, SB_MAP_TEXT},
    {".rodata", false, SB_MAP_RODATA},
    {".rodata1", true, SB_MAP_RODATA},
    {".gnu.linkonce.r.", false, SB_MAP_RODATA},
    {".data", false, SB_MAP_DATA},
    {".data1", true, SB_MAP_DATA},
    {".sdata", false, SB_MAP_DATA},
    {".tdata", false, SB_MAP_DATA},
    {".init_array", false, SB_MAP_DATA},
    {".fini_array", false, SB_MAP_DATA},
    {".gnu.linkonce.d.", false, SB_MAP_DATA},
    {".bss", false, SB_MAP_BSS},
    {".sbss", false, SB_MAP_BSS},
    {".tbss", false, SB_MAP_BSS},
    {"COMMON", true, SB_MAP_BSS},
    {".gnu.linkonce.b.", false, SB_MAP_BSS},
};

int sb_mapfile_section_class(const char *section)
{
	for (size_t i = 0;
	     i < sizeof(section_classes) / sizeof(section_classes[0]); i++) {
		const char *p = section_classes[i].prefix;
		size_t n = strlen(p);
		if (strncmp(section, p, n) != 0)
			continue;
		char next = section[n];
		bool dotted = p[n - 1] == '.';
		if (next == '\0' || dotted ||
		    (!section_classes[i].exact && next == '.'))
			return section_classes[i].cls;
	}
	return -1;
}

const char *sb_mapfile_class_name(enum sb_map_class cls)
{
	switch (cls) {
	case SB_MAP_TEXT:
		return "text";
	case SB_MAP_RODATA:
		return "rodata";
	case SB_MAP_DATA:
		return "data";
	case SB_MAP_BSS:
		return "bss";
	}
	return "?";
}

/* ---- reading ----------------------------------------------------------- */

struct map_reader {
	const char *name;
	struct sb_map *map;
	char *msg;
	size_t msg_len;
	unsigned long line_no;
	bool in_map;
	bool discard;   /* inside /DISCARD/ */
	bool out_known; /* the current output section's extent */
	uint64_t out_end;
	char pending_out[128]; /* output section name awaiting its extent */
	char pending_in[128];  /* input section name awaiting its line */
};

static int bad(struct map_reader *r, const char *what)
{
	snprintf(r->msg, r->msg_len, "%s:%lu: %s", r->name, r->line_no, what);
	return SB_ERR_INVALID;
}

static bool parse_hex(const char *token, uint64_t *out)
{
	if (strncmp(token, "0x", 2) != 0 || token[2] == '\0')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(token + 2, &end, 16);
	if (errno || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* The next whitespace-separated token of *p, NUL-terminated in place. */
static char *next_token(char **p)
{
	char *s = *p + strspn(*p, " \t");
	if (*s == '\0')
		return NULL;
	char *e = s + strcspn(s, " \t");
	if (*e != '\0')
		*e++ = '\0';
	*p = e;
	return s;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Copy at most `n` bytes of `src` into `dst` of `cap`, truncating. */
static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "dir/libx.a(member.o)" into archive "libx.a" and object "member.o". */
static void split_file(const char *file, struct sb_map_entry *e)
{
	size_t n = strlen(file);
	const char *open = strrchr(file, '(');
	if (n > 0 && file[n - 1] == ')' && open && open != file) {
		const char *base = file;
		for (const char *p = file; p < open; p++)
			if (*p == '/')
				base = p + 1;
		copy_str(e->archive, sizeof(e->archive), base,
		         (size_t)(open - base));
		copy_str(e->object, sizeof(e->object), open + 1,
		         n - (size_t)(open - file) - 2);
		return;
	}
	e->archive[0] = '\0';
	const char *base = base_name(file);
	copy_str(e->object, sizeof(e->object), base, strlen(base));
}

static int add_entry(struct map_reader *r, const struct sb_map_entry *e)
{
	struct sb_map *m = r->map;
	if (m->count == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;
		struct sb_map_entry *p =
		    sb_mem_realloc(m->entries, cap * sizeof(*p));
		if (!p)
			return SB_ERR_NOMEM;
		m->entries = p;
		m->cap = cap;
	}
	m->entries[m->count++] = *e;
	return 0;
}

/* "ADDR SIZE FILE" after an input section's name; FILE may hold spaces. */
static int input_extent(struct map_reader *r, const char *section, char *rest)
{
	uint64_t addr, size;
	char *a = next_token(&rest), *s = a ? next_token(&rest) : NULL;
	if (!s || !parse_hex(a, &addr) || !parse_hex(s, &size))
		return bad(r, "input section without address and size");
	char *file = rest + strspn(rest, " \t");
	size_t n = strlen(file);
	while (n > 0 && (file[n - 1] == ' ' || file[n - 1] == '\t'))
		file[--n] = '\0';
	int cls = sb_mapfile_section_class(section);
	if (r->discard || cls < 0 || n == 0) /* n == 0: made by the linker */
		return 0;
	if (r->out_known)
		size = addr >= r->out_end         ? 0
		       : size > r->out_end - addr ? r->out_end - addr
		                                  : size;
	if (size == 0)
		return 0;
	struct sb_map_entry e = {.cls = (enum sb_map_class)cls, .size = size};
	copy_str(e.section, sizeof(e.section), section, strlen(section));
	split_file(file, &e);
	return add_entry(r, &e);
}

/* "ADDR SIZE ..." after an output section's name; absent when empty. */
static void output_extent(struct map_reader *r, char *rest)
{
	uint64_t addr, size;
	char *a = next_token(&rest), *s = a ? next_token(&rest) : NULL;
	r->out_known = s && parse_hex(a, &addr) && parse_hex(s, &size);
	r->out_end = r->out_known ? addr + size : 0;
}

/* A line that starts in column 0: an output section, or a directive
 * (LOAD, START GROUP, OUTPUT(...)) that carries no sizes. */
static void column0_line(struct map_reader *r, char *line)
{
	char *rest = line;
	char *name = next_token(&rest);
	r->out_known = false;
	r->pending_out[0] = '\0';
	r->discard = strcmp(name, "/DISCARD/") == 0;
	if (name[0] != '.')
		return;
	if (*(rest + strspn(rest, " \t")) == '\0')
		copy_str(r->pending_out, sizeof(r->pending_out), name,
		         strlen(name));
	else
		output_extent(r, rest);
}

static int map_line(struct map_reader *r, char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (!r->in_map) {
		r->in_map = strcmp(line, MAP_START) == 0;
		return 0;
	}
	if (r->pending_in[0]) {
		char section[sizeof(r->pending_in)];
		memcpy(section, r->pending_in, sizeof(section));
		r->pending_in[0] = '\0';
		return input_extent(r, section, line);
	}
	if (r->pending_out[0]) {
		r->pending_out[0] = '\0';
		if (line[0] == ' ') {
			output_extent(r, line);
			return 0;
		}
	}
	if (line[0] != ' ' && line[0] != '\0') {
		column0_line(r, line);
		return 0;
	}
	/* Input sections are indented by one space; patterns (" *(.text)")
	 * and padding (" *fill*") start with '*', and symbols and
	 * assignments are indented further. */
	if (line[0] != ' ' || line[1] == ' ' || line[1] == '*' ||
	    line[1] == '\0')
		return 0;
	char *rest = line;
	char *section = next_token(&rest);
	if (*(rest + strspn(rest, " \t")) == '\0') {
		copy_str(r->pending_in, sizeof(r->pending_in), section,
		         strlen(section));
		return 0;
	}
	return input_extent(r, section, rest);
}

int sb_mapfile_read(FILE *f, const char *name, struct sb_map *map, char *msg,
                    size_t msg_len)
{
	struct map_reader r = {
	    .name = name, .map = map, .msg = msg, .msg_len = msg_len};
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		r.line_no++;
		if (r.in_map && strncmp(line, MAP_END, strlen(MAP_END)) == 0)
			break;
		rc = map_line(&r, line);
	}
	sb_mem_free(line);
	if (rc == 0 && ferror(f)) {
		snprintf(msg, msg_len, "cannot read %s: %s", name,
		         strerror(errno));
		rc = SB_ERR_IO;
	}
	if (rc == 0 && !r.in_map)
		rc = bad(&r, "not a GNU ld map: no \"" MAP_START "\" line");
	if (rc == 0 && r.pending_in[0])
		rc = bad(&r, "cut off after an input section's name");
	if (rc)
		sb_mapfile_free(map);
	return rc;
}

int sb_mapfile_load(const char *path, struct sb_map *map, char *msg,
                    size_t msg_len)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(msg, msg_len, "cannot read %s: %s", path,
		         strerror(errno));
		return SB_ERR_IO;
	}
	int rc = sb_mapfile_read(f, path, map, msg, msg_len);
	fclose(f);
	return rc;
}

void sb_mapfile_free(struct sb_map *map)
{
	sb_mem_free(map->entries);
	memset(map, 0, sizeof(*map));
}

/* ---- attribution ------------------------------------------------------- */

bool sb_mapfile_entry_from(const struct sb_map_entry *entry,
                           const char *const *archives, size_t count)
{
	if (entry->archive[0] == '\0')
		return false;
	for (size_t i = 0; i < count; i++)
		if (strcmp(entry->archive, base_name(archives[i])) == 0)
			return true;
	return false;
}

void sb_mapfile_sum(const struct sb_map *map, const char *const *archives,
                    size_t count, uint64_t out[SB_MAP_CLASSES])
{
	memset(out, 0, SB_MAP_CLASSES * sizeof(out[0]));
	for (size_t i = 0; i < map->count; i++)
		if (sb_mapfile_entry_from(&map->entries[i], archives, count))
			out[map->entries[i].cls] += map->entries[i].size;
}

static int compare_objects(const void *a, const void *b)
{
	const struct sb_map_object *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	int c = strcmp(x->archive, y->archive);
	return c ? c : strcmp(x->object, y->object);
}

static struct sb_map_object *find_object(struct sb_map_object *objs, size_t n,
                                         const struct sb_map_entry *e)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(objs[i].archive, e->archive) == 0 &&
		    strcmp(objs[i].object, e->object) == 0)
			return &objs[i];
	return NULL;
}

int sb_mapfile_objects(const struct sb_map *map, const char *const *archives,
                       size_t count, struct sb_map_object **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sb_map_object *objs =
	    sb_mem_calloc(map->count ? map->count : 1, sizeof(*objs));
	if (!objs)
		return SB_ERR_NOMEM;
	size_t used = 0;
	for (size_t i = 0; i < map->count; i++) {
		const struct sb_map_entry *e = &map->entries[i];
		if (!sb_mapfile_entry_from(e, archives, count))
			continue;
		struct sb_map_object *o = find_object(objs, used, e);
		if (!o) {
			o = &objs[used++];
			memcpy(o->archive, e->archive, sizeof(o->archive));
			memcpy(o->object, e->object, sizeof(o->object));
		}
		o->bytes[e->cls] += e->size;
		o->total += e->size;
	}
	if (used == 0) {
		sb_mem_free(objs);
		return 0;
	}
	qsort(objs, used, sizeof(*objs), compare_objects);
	*out = objs;
	*n = used;
	return 0;
}

static int compare_entries(const void *a, const void *b)
{
	const struct sb_map_entry *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->section, y->section);
}

int sb_mapfile_largest(const struct sb_map *map, const char *const *archives,
                       size_t count, struct sb_map_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sb_map_entry *list =
	    sb_mem_alloc((map->count ? map->count : 1) * sizeof(*list));
	if (!list)
		return SB_ERR_NOMEM;
	size_t used = 0;
	for (size_t i = 0; i < map->count; i++)
		if (sb_mapfile_entry_from(&map->entries[i], archives, count))
			list[used++] = map->entries[i];
	if (used == 0) {
		sb_mem_free(list);
		return 0;
	}
	qsort(list, used, sizeof(*list), compare_entries);
	*out = list;
	*n = used;
	return 0;
}
