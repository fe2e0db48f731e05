/*
 * test_mapfile.c - attributing a linked program's bytes to its libraries
 * from the GNU ld map.
 *
 * The behaviour cases read the map of a real link (tests/data/mapfx_*.c,
 * built by CMake with -Wl,--gc-sections -Wl,-Map): a program against two
 * synthetic archives whose sections are written in assembly, so the
 * expected sizes are the .fill counts in those files, not our own output.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "size/mapfile.h"

#ifndef SB_MAPFX_MAP
#error "SB_MAPFX_MAP: the fixture's map file, defined by tests/CMakeLists.txt"
#endif

static const char *const fx[] = {"libsbmapfx.a"};
static const char *const other[] = {"libsbmapother.a"};
static const char *const both[] = {"libsbmapfx.a", "libsbmapother.a"};

static void load_fixture(struct sb_map *map)
{
	char msg[512] = "";
	cr_assert_eq(sb_mapfile_load(SB_MAPFX_MAP, map, msg, sizeof(msg)), 0,
	             "%s", msg);
}

static void expect_sizes(const uint64_t got[SB_MAP_CLASSES], uint64_t text,
                         uint64_t rodata, uint64_t data, uint64_t bss)
{
	const uint64_t want[SB_MAP_CLASSES] = {text, rodata, data, bss};
	for (int c = 0; c < SB_MAP_CLASSES; c++)
		cr_expect_eq(got[c], want[c], "%s: got %llu, want %llu",
		             sb_mapfile_class_name((enum sb_map_class)c),
		             (unsigned long long)got[c],
		             (unsigned long long)want[c]);
}

/* Read `text` as a map; returns sb_mapfile_read's status. */
static int read_text(const char *text, struct sb_map *map, char *msg,
                     size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	cr_assert_not_null(f);
	int rc = sb_mapfile_read(f, "t.map", map, msg, len);
	fclose(f);
	return rc;
}

#define HEADER "Linker script and memory map\n\n"

/* ---- safety ----------------------------------------------------------- */

Test(mapfile, empty_input_is_not_a_map)
{
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(read_text("", &map, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect_not_null(strstr(msg, "not a GNU ld map"), "%s", msg);
	cr_expect_eq(map.count, 0);
	sb_mapfile_free(&map);
}

Test(mapfile, missing_file_is_an_io_error)
{
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(
	    sb_mapfile_load("/nonexistent/x.map", &map, msg, sizeof(msg)),
	    SB_ERR_IO);
	cr_expect_not_null(strstr(msg, "cannot read /nonexistent/x.map"), "%s",
	                   msg);
}

Test(mapfile, free_is_safe_twice_and_empty_map_sums_to_zero)
{
	struct sb_map map = {0};
	uint64_t sizes[SB_MAP_CLASSES] = {1, 1, 1, 1};
	sb_mapfile_sum(&map, fx, 1, sizes);
	expect_sizes(sizes, 0, 0, 0, 0);
	struct sb_map_object *objs;
	struct sb_map_entry *list;
	size_t n = 1;
	cr_assert_eq(sb_mapfile_objects(&map, fx, 1, &objs, &n), 0);
	cr_expect_null(objs);
	cr_expect_eq(n, 0);
	cr_assert_eq(sb_mapfile_largest(&map, fx, 1, &list, &n), 0);
	cr_expect_null(list);
	cr_expect_eq(n, 0);
	sb_mapfile_free(&map);
	sb_mapfile_free(&map);
}

/* ---- behaviour: section classes --------------------------------------- */

struct class_case {
	char section[40];
	int cls;
};

static const struct class_case class_cases[] = {
    {.section = ".text", .cls = SB_MAP_TEXT},
    {.section = ".text.br_ssl_engine_init", .cls = SB_MAP_TEXT},
    {.section = ".text.unlikely", .cls = SB_MAP_TEXT},
    {.section = ".init", .cls = SB_MAP_TEXT},
    {.section = ".rodata", .cls = SB_MAP_RODATA},
    {.section = ".rodata.str1.1", .cls = SB_MAP_RODATA},
    {.section = ".rodata1", .cls = SB_MAP_RODATA},
    {.section = ".data.rel.ro", .cls = SB_MAP_RODATA},
    {.section = ".data.rel.ro.local", .cls = SB_MAP_RODATA},
    {.section = ".data", .cls = SB_MAP_DATA},
    {.section = ".data.rel.local", .cls = SB_MAP_DATA},
    {.section = ".data.mbedtls_x", .cls = SB_MAP_DATA},
    {.section = ".init_array", .cls = SB_MAP_DATA},
    {.section = ".bss", .cls = SB_MAP_BSS},
    {.section = ".bss.state", .cls = SB_MAP_BSS},
    {.section = "COMMON", .cls = SB_MAP_BSS},
    {.section = ".tbss", .cls = SB_MAP_BSS},
    {.section = ".eh_frame", .cls = -1},
    {.section = ".ARM.exidx.text.f", .cls = -1},
    {.section = ".comment", .cls = -1},
    {.section = ".debug_info", .cls = -1},
    {.section = ".note.GNU-stack", .cls = -1},
    {.section = ".textual", .cls = -1},
    {.section = ".initial", .cls = -1},
    {.section = ".got", .cls = -1},
};

ParameterizedTestParameters(mapfile, section_class)
{
	return cr_make_param_array(struct class_case, class_cases,
	                           sizeof(class_cases) /
	                               sizeof(class_cases[0]));
}

ParameterizedTest(const struct class_case *c, mapfile, section_class)
{
	cr_expect_eq(sb_mapfile_section_class(c->section), c->cls,
	             "%s: got %d, want %d", c->section,
	             sb_mapfile_section_class(c->section), c->cls);
}

/* ---- behaviour: a real link of synthetic archives --------------------- */

Test(mapfile, archive_sizes_are_exact)
{
	struct sb_map map = {0};
	uint64_t sizes[SB_MAP_CLASSES];
	load_fixture(&map);
	sb_mapfile_sum(&map, fx, 1, sizes);
	expect_sizes(sizes, 423, 1093, 40, 352);
	sb_mapfile_sum(&map, other, 1, sizes);
	expect_sizes(sizes, 50, 0, 8, 0);
	sb_mapfile_sum(&map, both, 2, sizes);
	expect_sizes(sizes, 473, 1093, 48, 352);
	sb_mapfile_free(&map);
}

Test(mapfile, archives_match_by_basename)
{
	static const char *const by_path[] = {"/some/where/libsbmapfx.a"};
	static const char *const wrong[] = {"libsbmapfx.so", "sbmapfx.a"};
	struct sb_map map = {0};
	uint64_t sizes[SB_MAP_CLASSES];
	load_fixture(&map);
	sb_mapfile_sum(&map, by_path, 1, sizes);
	expect_sizes(sizes, 423, 1093, 40, 352);
	sb_mapfile_sum(&map, wrong, 2, sizes);
	expect_sizes(sizes, 0, 0, 0, 0);
	sb_mapfile_free(&map);
}

Test(mapfile, discarded_sections_and_the_program_do_not_count)
{
	struct sb_map map = {0};
	load_fixture(&map);
	bool saw_program = false;
	for (size_t i = 0; i < map.count; i++) {
		const struct sb_map_entry *e = &map.entries[i];
		cr_expect_neq(strcmp(e->section, ".text.fx_unused"), 0,
		              "a section --gc-sections discarded was counted");
		if (e->archive[0] == '\0' && strstr(e->object, "mapfx_main") &&
		    e->cls == SB_MAP_BSS &&
		    e->size == 4096) /* program_buffer */
			saw_program = true;
	}
	/* The program's own sections are read, then left out by the sum. */
	cr_expect(saw_program, "the program's own object is not in the map");
	sb_mapfile_free(&map);
}

Test(mapfile, objects_largest_first)
{
	struct sb_map map = {0};
	struct sb_map_object *objs;
	size_t n;
	load_fixture(&map);
	cr_assert_eq(sb_mapfile_objects(&map, both, 2, &objs, &n), 0);
	cr_assert_eq(n, 3);
	cr_expect(strstr(objs[0].object, "mapfx_a") != NULL, "%s",
	          objs[0].object);
	cr_expect_eq(objs[0].total, 1596); /* 300 + 1000 + 40 + 256 */
	cr_expect_eq(objs[0].bytes[SB_MAP_RODATA], 1000);
	cr_expect_str_eq(objs[0].archive, "libsbmapfx.a");
	cr_expect(strstr(objs[1].object, "mapfx_b") != NULL, "%s",
	          objs[1].object);
	cr_expect_eq(objs[1].total, 312); /* 123 + 77 + 16 + 64 + 32 */
	cr_expect_str_eq(objs[2].archive, "libsbmapother.a");
	cr_expect_eq(objs[2].total, 58);
	sb_mem_free(objs);
	sb_mapfile_free(&map);
}

Test(mapfile, largest_sections_first)
{
	struct sb_map map = {0};
	struct sb_map_entry *list;
	size_t n;
	load_fixture(&map);
	cr_assert_eq(sb_mapfile_largest(&map, fx, 1, &list, &n), 0);
	cr_assert_eq(n, 9);
	cr_expect_str_eq(list[0].section, ".rodata.fx_table_long_name");
	cr_expect_eq(list[0].size, 1000);
	cr_expect_str_eq(list[1].section, ".text.fxa");
	cr_expect_eq(list[1].size, 300);
	cr_expect_str_eq(list[n - 1].section, ".data.rel.ro.fx_ptrs"); /* 16 */
	sb_mem_free(list);
	sb_mapfile_free(&map);
}

/* ---- behaviour: map text --------------------------------------------- */

Test(mapfile, names_on_their_own_line_and_directives)
{
	static const char text[] =
	    "Discarded input sections\n\n"
	    " .text.gone     0x0000000000000000      0x999 /l/liba.a(x.o)\n"
	    "\n" HEADER "LOAD /l/liba.a\n"
	    ".text           0x0000000000001000      0x200\n"
	    " *(.text .text.*)\n"
	    " .text.a_rather_long_function_name\n"
	    "                0x0000000000001000      0x1f0 /l/liba.a(x.o)\n"
	    "                0x0000000000001000                a_long\n"
	    " *fill*         0x00000000000011f0       0x10 \n"
	    "\n.data           0x0000000000002000       0x10 load address "
	    "0x0000000000000800\n"
	    " .data          0x0000000000002000       0x10 /l/liba.a(x.o)\n"
	    "\n/DISCARD/\n"
	    " .text.dropped  0x0000000000000000      0x777 /l/liba.a(x.o)\n"
	    "\nCross Reference Table\n\n"
	    " .text.after    0x0000000000000000      0x555 /l/liba.a(x.o)\n";
	static const char *const lib[] = {"liba.a"};
	struct sb_map map = {0};
	char msg[256] = "";
	uint64_t sizes[SB_MAP_CLASSES];
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), 0, "%s", msg);
	sb_mapfile_sum(&map, lib, 1, sizes);
	expect_sizes(sizes, 0x1f0, 0, 0x10, 0);
	sb_mapfile_free(&map);
}

Test(mapfile, merged_strings_are_clipped_to_their_output_section)
{
	/* Two objects with the same string: the linker keeps one copy, the
	 * map still lists both at their size before merging (GNU ld 2.40). */
	static const char text[] = HEADER
	    ".rodata         0x0000000000002000       0x28\n"
	    " .rodata.cst4   0x0000000000002000        0x4 /l/crt1.o\n"
	    " .rodata.str1.1\n"
	    "                0x0000000000002004       0x24 /l/liba.a(s1.o)\n"
	    " .rodata.str1.1\n"
	    "                0x0000000000002028       0x24 /l/liba.a(s2.o)\n";
	static const char *const lib[] = {"liba.a"};
	struct sb_map map = {0};
	char msg[256] = "";
	uint64_t sizes[SB_MAP_CLASSES];
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), 0, "%s", msg);
	sb_mapfile_sum(&map, lib, 1, sizes);
	expect_sizes(sizes, 0, 0x24, 0, 0);
	sb_mapfile_free(&map);
}

/* ---- adversarial ------------------------------------------------------- */

Test(mapfile, cut_off_after_a_name_is_refused)
{
	static const char text[] = HEADER ".text 0x1000 0x10\n"
	                                  " .text.f\n";
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect_not_null(strstr(msg, "t.map:4: cut off"), "%s", msg);
	cr_expect_eq(map.count, 0);
}

Test(mapfile, a_size_that_is_not_hex_is_refused)
{
	static const char text[] = HEADER
	    ".text 0x1000 0x10\n"
	    " .text.f        0x0000000000001000       0x1g /l/liba.a(x.o)\n";
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect_not_null(strstr(msg, "t.map:4: input section without"), "%s",
	                   msg);
	cr_expect_eq(map.count, 0);
}

Test(mapfile, a_continuation_without_sizes_is_refused)
{
	static const char text[] = HEADER ".text 0x1000 0x10\n"
	                                  " .text.a_long_function_name\n"
	                                  "                0x1000   a_symbol\n";
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect_not_null(strstr(msg, "t.map:5:"), "%s", msg);
}

Test(mapfile, only_discarded_sections_is_not_a_map)
{
	static const char text[] =
	    "Discarded input sections\n\n"
	    " .text.gone     0x0000000000000000      0x999 /l/liba.a(x.o)\n";
	struct sb_map map = {0};
	char msg[256] = "";
	cr_assert_eq(read_text(text, &map, msg, sizeof(msg)), SB_ERR_INVALID);
	cr_expect_eq(map.count, 0);
}
