/*
 * test_callgrind.c - reading callgrind's dumps: a count, or a failure
 * with its reason, never a 0 that stands for a count.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "measure/callgrind.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(callgrind, a_missing_dump_is_a_failure_with_its_reason)
{
	uint64_t total = 7;
	char why[256] = "";
	cr_expect_eq(sb_callgrind_dump_total("/nonexistent/cg.out.1", &total,
	                                     why, sizeof(why)),
	             SB_ERR_IO);
	cr_expect(strstr(why, "/nonexistent/cg.out.1") != NULL, "%s", why);
	cr_expect_eq(total, 7, "the count must not be touched");
}

Test(callgrind, an_empty_or_garbled_dump_is_a_failure)
{
	char path[] = "/tmp/sb-cg-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	static const char *const bad[] = {"", "version: 1\ncmd: x\n",
	                                  "totals: lots\n", "total: 5\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t total = 0;
		char why[256] = "";
		write_file(path, bad[i]);
		cr_expect_eq(
		    sb_callgrind_dump_total(path, &total, why, sizeof(why)),
		    SB_ERR_IO, "case %zu", i);
		cr_expect(strstr(why, "no 'totals:' line") != NULL, "%s", why);
	}
	unlink(path);
}

Test(callgrind, a_dump_gives_its_total)
{
	char path[] = "/tmp/sb-cg-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	write_file(path, "version: 1\nevents: Ir\nfn=x\n3 5\ntotals: 123456\n");
	uint64_t total = 0;
	char why[256] = "";
	cr_expect_eq(sb_callgrind_dump_total(path, &total, why, sizeof(why)), 0,
	             "%s", why);
	cr_expect_eq(total, 123456);
	unlink(path);
}

Test(callgrind, no_failure_is_reported_when_none_happened)
{
	char why[64];
	cr_expect_not(sb_callgrind_take_failure(why, sizeof(why)));
}
