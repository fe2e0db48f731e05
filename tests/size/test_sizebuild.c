/*
 * test_sizebuild.c - which (library, build, suite) `suitebench size`
 * measures, how its figures are labelled, and where its products go.
 * The builds themselves are exercised by size_test.sh.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "size/sizebuild.h"

/* ---- safety ----------------------------------------------------------- */

Test(sizebuild, unknown_names_are_not_found)
{
	cr_expect_eq(sb_size_library_find("matrixssl"), -1);
	cr_expect_eq(sb_size_library_find(""), -1);
	cr_expect_eq(sb_size_build_find("cortex-m0"), -1);
	cr_expect_eq(sb_size_build_find(""), -1);
}

Test(sizebuild, job_path_too_long_is_refused)
{
	static char work[PATH_MAX];
	struct sb_size_job job = {0};
	memset(work, 'w', sizeof(work) - 1);
	cr_expect_eq(sb_size_job_init(&job, SB_SIZE_BEARSSL, SB_SIZE_TAILORED,
	                              sb_suite_find("ecdhe-ecdsa-ccm8"),
	                              "size/build.sh", work),
	             SB_ERR_INVALID);
}

Test(sizebuild, missing_products_are_an_io_error)
{
	struct sb_size_job job = {0};
	struct sb_map map = {0};
	char archives[2][PATH_MAX], msg[PATH_MAX + 64] = "";
	cr_assert_eq(sb_size_job_init(&job, SB_SIZE_BEARSSL, SB_SIZE_PREBUILT,
	                              sb_suite_find("ecdhe-ecdsa-ccm8"),
	                              "size/build.sh", "/nonexistent"),
	             0);
	cr_expect_eq(sb_size_side_load(&job, "client", &map, archives, 2, msg,
	                               sizeof(msg)),
	             SB_ERR_IO);
	cr_expect_not_null(strstr(msg, "client.archives"), "%s", msg);
	sb_mapfile_free(&map);
}

/* ---- behaviour -------------------------------------------------------- */

Test(sizebuild, names_round_trip)
{
	for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
		cr_expect_eq(sb_size_library_find(sb_size_library_name(l)), l);
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		cr_expect_eq(sb_size_build_find(sb_size_build_name(b)), b);
	for (int p = 0; p < SB_SIZE_PROTOCOLS; p++)
		cr_expect_eq(sb_size_protocol_find(sb_size_protocol_name(p)),
		             p);
	cr_expect_eq(sb_size_build_find("Cortex-M4"), SB_SIZE_CORTEX_M4);
}

struct support_case {
	int library;
	int build;
	char suite[24];
	bool supported;
	char reason[48]; /* a fragment of the reason when unsupported */
};

static const struct support_case support_cases[] = {
    {SB_SIZE_BEARSSL, SB_SIZE_PREBUILT, "ecdhe-ecdsa-ccm8", true, ""},
    {SB_SIZE_BEARSSL, SB_SIZE_CORTEX_M4, "ecdhe-ecdsa-chacha20", true, ""},
    {SB_SIZE_BEARSSL, SB_SIZE_TAILORED, "psk-ccm8", false,
     "BearSSL has no PSK cipher suites"},
    {SB_SIZE_BEARSSL, SB_SIZE_PREBUILT, "ecdhe-psk-chacha20", false,
     "BearSSL has no PSK"},
    {SB_SIZE_MBEDTLS, SB_SIZE_CORTEX_M4, "psk-ccm8", true, ""},
    {SB_SIZE_MBEDTLS, SB_SIZE_TAILORED, "ecdhe-psk-gcm", false,
     "Mbed TLS 2.28 does not implement"},
    {SB_SIZE_OPENSSL, SB_SIZE_PREBUILT, "psk-chacha20", true, ""},
    {SB_SIZE_OPENSSL, SB_SIZE_PREBUILT, "ecdhe-psk-ccm", false,
     "OpenSSL 3.0 does not implement"},
    {SB_SIZE_OPENSSL, SB_SIZE_TAILORED, "psk-ccm8", false,
     "no one-suite build"},
    {SB_SIZE_OPENSSL, SB_SIZE_CORTEX_M4, "psk-ccm8", false,
     "no bare-metal build"},
    {SB_SIZE_OPENSSL, SB_SIZE_PREBUILT, "ecdhe-rsa-gcm", true, ""},
    {SB_SIZE_MBEDTLS, SB_SIZE_TAILORED, "ecdhe-rsa-chacha20", true, ""},
    {SB_SIZE_BEARSSL, SB_SIZE_CORTEX_M4, "ecdhe-rsa-gcm", true, ""},
    {SB_SIZE_GNUTLS, SB_SIZE_PREBUILT, "psk-ccm8", true, ""},
    {SB_SIZE_GNUTLS, SB_SIZE_PREBUILT, "ecdhe-rsa-chacha20", true, ""},
    {SB_SIZE_GNUTLS, SB_SIZE_PREBUILT, "ecdhe-psk-gcm", false,
     "GnuTLS 3.7 does not implement"},
    {SB_SIZE_GNUTLS, SB_SIZE_TAILORED, "psk-ccm8", false,
     "no one-suite or bare-metal build"},
    {SB_SIZE_GNUTLS, SB_SIZE_CORTEX_M4, "psk-ccm8", false,
     "no one-suite or bare-metal build"},
    {SB_SIZE_OPENSSL, SB_SIZE_PREBUILT, "tls13-psk-gcm", false,
     "the size programs run TLS 1.2"},
    {SB_SIZE_GNUTLS, SB_SIZE_PREBUILT, "tls13-ecdhe-rsa-gcm", false,
     "the size programs run TLS 1.2"},
    {SB_SIZE_MBEDTLS_IOT, SB_SIZE_TAILORED, "psk-ccm8", true, ""},
    {SB_SIZE_MBEDTLS_IOT, SB_SIZE_CORTEX_M4, "ecdhe-ecdsa-ccm", true, ""},
    {SB_SIZE_MBEDTLS_IOT, SB_SIZE_TAILORED, "psk-gcm", false,
     "not in the mbedtls-iot configuration"},
    {SB_SIZE_MBEDTLS_IOT, SB_SIZE_CORTEX_M4, "ecdhe-rsa-gcm", false,
     "not in the mbedtls-iot configuration"},
    {SB_SIZE_MBEDTLS_IOT, SB_SIZE_PREBUILT, "psk-ccm8", false,
     "not a Debian archive"},
    {SB_SIZE_WOLFSSL, SB_SIZE_PREBUILT, "psk-ccm8", false,
     "wolfSSL has no prebuilt build"},
    {SB_SIZE_WOLFSSL, SB_SIZE_TAILORED, "ecdhe-psk-ccm8", false,
     "wolfSSL 5.7.2 does not implement"},
    {SB_SIZE_WOLFSSL, SB_SIZE_CORTEX_M4, "ecdhe-rsa-gcm", false,
     "leave RSA out"},
    {SB_SIZE_WOLFSSL, SB_SIZE_TAILORED, "tls13-psk-ccm8", false,
     "the size programs run TLS 1.2"},
};

ParameterizedTestParameters(sizebuild, supported)
{
	return cr_make_param_array(struct support_case, support_cases,
	                           sizeof(support_cases) /
	                               sizeof(support_cases[0]));
}

ParameterizedTest(const struct support_case *c, sizebuild, supported)
{
	char why[200] = "";
	const struct sb_suite *s = sb_suite_find(c->suite);
	cr_assert_not_null(s, "%s", c->suite);
	bool got = sb_size_supported(c->library, c->build, s, why, sizeof(why));
	cr_expect_eq(got, c->supported, "%s %s %s",
	             sb_size_library_name(c->library),
	             sb_size_build_name(c->build), c->suite);
	if (!c->supported)
		cr_expect_not_null(strstr(why, c->reason),
		                   "got '%s', want '%s'", why, c->reason);
}

/* wolfSSL's tailored builds need the source the backend's build unpacked,
 * found through XDG_CACHE_HOME, else HOME/.cache. */
Test(sizebuild, wolfssl_needs_its_unpacked_source)
{
	char dir[] = "/tmp/sb-wolfsrc-XXXXXX", path[PATH_MAX + 64], why[400];
	const struct sb_suite *s = sb_suite_find("psk-ccm8");
	cr_assert_not_null(mkdtemp(dir));
	setenv("XDG_CACHE_HOME", dir, 1);
	cr_expect_not(sb_size_wolfssl_source(path, sizeof(path)));
	cr_expect_not(sb_size_supported(SB_SIZE_WOLFSSL, SB_SIZE_TAILORED, s,
	                                why, sizeof(why)));
	snprintf(path, sizeof(path), "no wolfSSL source in %s/suitebench/",
	         dir);
	cr_expect_not_null(strstr(why, path), "%s", why);
	/* unpacked: the stamp scripts/build-wolfssl.sh leaves */
	snprintf(path, sizeof(path), "%s/suitebench", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/suitebench/wolfssl-5.7.2-src", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path),
	         "%s/suitebench/wolfssl-5.7.2-src/.unpacked", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fclose(f);
	char src[PATH_MAX];
	cr_expect(sb_size_wolfssl_source(src, sizeof(src)));
	cr_expect(sb_size_supported(SB_SIZE_WOLFSSL, SB_SIZE_CORTEX_M4, s, why,
	                            sizeof(why)),
	          "%s", why);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	rmdir(dir);
}

Test(sizebuild, whole_library_for_prebuilt_openssl_mbedtls_gnutls_and_iot)
{
	char why[320];
	for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
		for (int b = 0; b < SB_SIZE_BUILDS; b++) {
			bool whole =
			    l == SB_SIZE_MBEDTLS_IOT ||
			    (b == SB_SIZE_PREBUILT && l != SB_SIZE_BEARSSL);
			cr_expect_str_eq(
			    sb_size_granularity(l, b, why, sizeof(why)),
			    whole ? "whole-library" : "per-suite");
			cr_expect_eq(why[0] != '\0', whole, "%s", why);
		}
	cr_expect_str_eq(
	    sb_size_granularity(SB_SIZE_MBEDTLS, SB_SIZE_PREBUILT, NULL, 0),
	    "whole-library");
	/* The longest reason fits the CSV's reason column. */
	char reason[320];
	sb_size_granularity(SB_SIZE_GNUTLS, SB_SIZE_PREBUILT, reason,
	                    sizeof(reason));
	cr_expect_not_null(strstr(reason, "2 kB)"), "cut: %s", reason);
}

Test(sizebuild, only_x86_builds_run)
{
	cr_expect(sb_size_build_runs(SB_SIZE_PREBUILT));
	cr_expect(sb_size_build_runs(SB_SIZE_TAILORED));
	cr_expect_not(sb_size_build_runs(SB_SIZE_CORTEX_M4));
}

Test(sizebuild, dtls_for_every_library_but_bearssl)
{
	char why[200];
	for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
		for (int b = 0; b < SB_SIZE_BUILDS; b++) {
			why[0] = '\0';
			bool got = sb_size_protocol_supported(
			    l, b, SB_SIZE_DTLS12, why, sizeof(why));
			cr_expect_eq(got, l != SB_SIZE_BEARSSL, "%s %s",
			             sb_size_library_name(l),
			             sb_size_build_name(b));
			cr_expect(sb_size_protocol_supported(
			    l, b, SB_SIZE_TLS12, why, sizeof(why)));
		}
	sb_size_protocol_supported(SB_SIZE_BEARSSL, SB_SIZE_TAILORED,
	                           SB_SIZE_DTLS12, why, sizeof(why));
	cr_expect_not_null(strstr(why, "BearSSL has no DTLS"), "%s", why);
}

Test(sizebuild, dtls_job_directory_and_protocol_names)
{
	struct sb_size_job job = {.protocol = SB_SIZE_DTLS12};
	cr_assert_eq(sb_size_job_init(&job, SB_SIZE_MBEDTLS, SB_SIZE_CORTEX_M4,
	                              sb_suite_find("psk-ccm8"),
	                              "size/build.sh", "/w"),
	             0);
	cr_expect_str_eq(job.out, "/w/out/cortex-m4/mbedtls/psk-ccm8-dtls1.2");
	cr_expect_eq(job.protocol, SB_SIZE_DTLS12);
	cr_expect_str_eq(sb_size_protocol_name(SB_SIZE_DTLS12), "dtls1.2");
	cr_expect_eq(sb_size_protocol_find("DTLS1.2"), SB_SIZE_DTLS12);
	cr_expect_eq(sb_size_protocol_find("tls1.2"), SB_SIZE_TLS12);
	cr_expect_eq(sb_size_protocol_find("dtls1.3"), -1);
}

Test(sizebuild, job_directory)
{
	struct sb_size_job job = {.full_profile = true};
	cr_assert_eq(sb_size_job_init(&job, SB_SIZE_BEARSSL, SB_SIZE_CORTEX_M4,
	                              sb_suite_find("ecdhe-ecdsa-ccm8"),
	                              "size/build.sh", "/w"),
	             0);
	cr_expect_str_eq(job.out,
	                 "/w/out/cortex-m4/bearssl/ecdhe-ecdsa-ccm8-full");
	cr_expect(job.full_profile);
}

/* ---- adversarial ------------------------------------------------------- */

Test(sizebuild, an_empty_archive_list_is_refused)
{
	char dir[] = "/tmp/sb-sizebuild-XXXXXX", path[PATH_MAX + 32];
	char archives[2][PATH_MAX], msg[PATH_MAX + 64] = "";
	struct sb_size_job job = {0};
	struct sb_map map = {0};
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(sb_size_job_init(&job, SB_SIZE_BEARSSL, SB_SIZE_PREBUILT,
	                              sb_suite_find("ecdhe-ecdsa-ccm8"),
	                              "size/build.sh", dir),
	             0);
	/* The job's directory, with an empty client.archives. */
	snprintf(path, sizeof(path), "%s/out", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/out/prebuilt", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/out/prebuilt/bearssl", dir);
	mkdir(path, 0755);
	mkdir(job.out, 0755);
	snprintf(path, sizeof(path), "%s/client.archives", job.out);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("\n\n", f);
	fclose(f);
	cr_expect_eq(sb_size_side_load(&job, "client", &map, archives, 2, msg,
	                               sizeof(msg)),
	             SB_ERR_INVALID);
	cr_expect_not_null(strstr(msg, "names no archive"), "%s", msg);
	sb_mapfile_free(&map);
	unlink(path);
	rmdir(job.out);
	snprintf(path, sizeof(path), "%s/out/prebuilt/bearssl", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/out/prebuilt", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/out", dir);
	rmdir(path);
	rmdir(dir);
}
