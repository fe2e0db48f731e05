/*
 * test_outfile.c - output files appear whole or not at all.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/outfile.h"

static char dir[] = "/tmp/sb-outfile-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.csv", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* ---- safety ----------------------------------------------------------- */

Test(outfile, unwritable_directory_fails_at_open)
{
	struct sb_outfile out;
	char msg[512] = "";
	cr_assert_eq(
	    sb_outfile_open(&out, "/nonexistent/dir/x.csv", msg, sizeof(msg)),
	    SB_ERR_IO);
	cr_assert_not_null(strstr(msg, "/nonexistent/dir/x.csv"), "%s", msg);
	sb_outfile_abort(&out);
	sb_outfile_abort(&out);
}

/* ---- behaviour -------------------------------------------------------- */

Test(outfile, nothing_visible_until_commit, .init = setup, .fini = teardown)
{
	struct sb_outfile out;
	char msg[512];
	cr_assert_eq(sb_outfile_open(&out, path, msg, sizeof(msg)), 0, "%s",
	             msg);
	fputs("a,b\r\n", out.f);
	cr_assert_not(exists(path));
	cr_assert_eq(sb_outfile_commit(&out, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert(exists(path));
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 5);
	cr_assert_eq(st.st_mode & 0777, 0644);
}

/* ---- adversarial ------------------------------------------------------ */

/* Renaming over /dev/null as root would replace the device with a file. */
Test(outfile, device_is_written_in_place)
{
	struct sb_outfile out;
	char msg[512];
	cr_assert_eq(sb_outfile_open(&out, "/dev/null", msg, sizeof(msg)), 0,
	             "%s", msg);
	cr_assert(out.in_place);
	cr_assert_eq(out.tmp[0], '\0');
	fputs("x", out.f);
	cr_assert_eq(sb_outfile_commit(&out, msg, sizeof(msg)), 0, "%s", msg);
	struct stat st;
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null is no longer a device");
}

Test(outfile, abort_leaves_nothing_and_keeps_old_file, .init = setup,
     .fini = teardown)
{
	FILE *f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	struct sb_outfile out;
	char msg[512];
	cr_assert_eq(sb_outfile_open(&out, path, msg, sizeof(msg)), 0, "%s",
	             msg);
	char tmp[sizeof(out.tmp)];
	strcpy(tmp, out.tmp);
	fputs("half-written", out.f);
	sb_outfile_abort(&out);
	cr_assert_not(exists(tmp), "temporary file left behind");
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 4, "the old results must be untouched");
}
