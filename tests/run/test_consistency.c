/*
 * test_consistency.c - one operation, one cost: grouping rows by
 * operation, the disagreement reported, and the rows marked.  The rows
 * are written by hand, so every expected figure is arithmetic on them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "run/consistency.h"

static struct sb_results results;

static void teardown(void)
{
	sb_results_free(&results);
}

static void add(const char *client, const char *server, const char *suite,
                const char *side, const char *metric, long payload,
                double median)
{
	struct sb_row row = {.payload = payload, .status = SB_ROW_OK};
	snprintf(row.client, sizeof(row.client), "%s", client);
	snprintf(row.server, sizeof(row.server), "%s", server);
	snprintf(row.protocol, sizeof(row.protocol), "dtls1.2");
	snprintf(row.suite, sizeof(row.suite), "%s", suite);
	snprintf(row.side, sizeof(row.side), "%s", side);
	snprintf(row.metric, sizeof(row.metric), "%s", metric);
	snprintf(row.unit, sizeof(row.unit), "cycles");
	row.stats.n = 20;
	row.stats.median = median;
	cr_assert_eq(sb_results_add(&results, &row), 0);
}

/* ---- safety ------------------------------------------------------------ */

Test(consistency, empty_results, .fini = teardown)
{
	struct sb_consistency c;
	cr_assert_eq(sb_consistency_check(&results, 0.03, &c), 0);
	cr_expect_eq(c.count, 0);
	cr_expect_eq(c.marked, 0);
	sb_consistency_free(&c);
	sb_consistency_free(&c);
}

Test(consistency, one_scenario_is_no_operation, .fini = teardown)
{
	add("openssl", "openssl", "psk-ccm8", "client", "encrypt_cycles", 16,
	    500);
	struct sb_consistency c;
	cr_assert_eq(sb_consistency_check(&results, 0.03, &c), 0);
	cr_expect_eq(c.count, 0);
	cr_expect_str_empty(results.rows[0].warnings);
	sb_consistency_free(&c);
}

/* ---- behaviour --------------------------------------------------------- */

/* OpenSSL's client encrypt of 16 CCM_8 bytes in three scenarios: another
 * key exchange and another peer are the same operation. */
Test(consistency, same_operation_across_kx_and_peer, .fini = teardown)
{
	add("openssl", "openssl", "psk-ccm8", "client", "encrypt_cycles", 16,
	    500);
	add("openssl", "openssl", "ecdhe-ecdsa-ccm8", "client",
	    "encrypt_cycles", 16, 540);
	add("openssl", "mbedtls", "psk-ccm8", "client", "encrypt_cycles", 16,
	    505);
	struct sb_consistency c;
	cr_assert_eq(sb_consistency_check(&results, 0.03, &c), 0);
	cr_assert_eq(c.count, 1);
	cr_expect_eq(c.ops[0].scenarios, 3);
	cr_expect_str_eq(c.ops[0].library, "openssl");
	cr_expect_str_eq(c.ops[0].aead, "aes-128-ccm-8");
	cr_expect_float_eq(c.ops[0].spread, 540.0 / 500 - 1, 1e-12);
	cr_expect_float_eq(c.ops[0].reference, 505, 1e-12);
	/* 540 is 6.9 % above 505; 500 is 1 % below: only one marked */
	cr_expect_eq(c.marked, 1);
	cr_expect_str_empty(results.rows[0].warnings);
	cr_expect_not_null(strstr(results.rows[1].warnings, "+6.9 %"), "%s",
	                   results.rows[1].warnings);
	cr_expect_gt(results.rows[1].warning_level, 6.8);
	sb_consistency_free(&c);
}

/* The server side is the server's library; another AEAD, payload or
 * side is another operation; failed rows and handshakes are not
 * operations. */
Test(consistency, keys_separate_operations, .fini = teardown)
{
	add("openssl", "mbedtls", "psk-ccm8", "server", "decrypt_cycles", 16,
	    800);
	add("mbedtls", "mbedtls", "psk-ccm8", "server", "decrypt_cycles", 16,
	    808);
	add("mbedtls", "mbedtls", "psk-chacha20", "server", "decrypt_cycles",
	    16, 1400);
	add("mbedtls", "mbedtls", "psk-ccm8", "server", "decrypt_cycles", 1024,
	    4000);
	add("mbedtls", "mbedtls", "psk-ccm8", "client", "decrypt_cycles", 16,
	    2000);
	add("mbedtls", "mbedtls", "psk-ccm8", "client", "handshake_cycles", -1,
	    1e5);
	add("mbedtls", "mbedtls", "ecdhe-ecdsa-ccm8", "client",
	    "handshake_cycles", -1, 1e7);
	add("mbedtls", "openssl", "psk-chacha20", "server", "decrypt_cycles",
	    16, 9999);
	results.rows[results.count - 1].status = SB_ROW_FAILED;
	struct sb_consistency c;
	cr_assert_eq(sb_consistency_check(&results, 0.03, &c), 0);
	cr_assert_eq(c.count, 1);
	cr_expect_str_eq(c.ops[0].library, "mbedtls");
	cr_expect_str_eq(c.ops[0].side, "server");
	cr_expect_eq(c.ops[0].payload, 16);
	cr_expect_float_eq(c.ops[0].spread, 0.01, 1e-12);
	cr_expect_eq(c.marked, 0);
	sb_consistency_free(&c);
}

/* Operations come worst first, and the median spread is over them. */
Test(consistency, worst_first, .fini = teardown)
{
	add("openssl", "openssl", "psk-ccm8", "client", "encrypt_cycles", 16,
	    500);
	add("openssl", "mbedtls", "psk-ccm8", "client", "encrypt_cycles", 16,
	    510);
	add("openssl", "openssl", "psk-ccm8", "client", "encrypt_cycles", 1024,
	    2000);
	add("openssl", "mbedtls", "psk-ccm8", "client", "encrypt_cycles", 1024,
	    3000);
	add("openssl", "openssl", "psk-gcm", "client", "encrypt_cycles", 16,
	    400);
	add("openssl", "mbedtls", "psk-gcm", "client", "encrypt_cycles", 16,
	    420);
	struct sb_consistency c;
	cr_assert_eq(sb_consistency_check(&results, 0.03, &c), 0);
	cr_assert_eq(c.count, 3);
	cr_expect_float_eq(c.ops[0].spread, 0.5, 1e-12);
	cr_expect_eq(c.ops[0].payload, 1024);
	cr_expect_float_eq(c.ops[2].spread, 0.02, 1e-12);
	cr_expect_float_eq(c.median_spread, 0.05, 1e-12);
	char name[160];
	sb_consistency_op_name(&c.ops[0], name, sizeof(name));
	cr_expect_str_eq(name, "openssl client dtls1.2 aes-128-ccm-8 1024 B "
	                       "encrypt_cycles");
	sb_consistency_free(&c);
}
