/*
 * test_credentials.c - finding and checking the test credentials.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "run/credentials.h"

/* ---- safety ----------------------------------------------------------- */

Test(credentials, missing_directory_names_the_file)
{
	struct sb_credential_set set;
	char msg[512];
	cr_assert_eq(
	    sb_credentials_load(&set, "/nonexistent", msg, sizeof(msg)),
	    SB_ERR_CREDENTIALS);
	cr_assert_not_null(strstr(msg, "/nonexistent/ca.pem"), "%s", msg);
	cr_assert_not_null(strstr(msg, "No such file"), "%s", msg);
}

Test(credentials, psk_line_must_be_identity_and_hex)
{
	struct sb_credential_set set;
	char msg[256];
	static const char *const bad[] = {"",      "nokey", " 00",  "id 0",
	                                  "id zz", "id 0g", "id \n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		cr_expect_eq(
		    sb_credentials_parse_psk(&set, bad[i], msg, sizeof(msg)),
		    SB_ERR_CREDENTIALS, "'%s' accepted", bad[i]);
		cr_expect_gt(strlen(msg), 0);
	}
}

/* ---- behaviour -------------------------------------------------------- */

Test(credentials, psk_line_parses)
{
	struct sb_credential_set set;
	char msg[256];
	cr_assert_eq(
	    sb_credentials_parse_psk(&set, "dev-1 00A1ff\n", msg, sizeof(msg)),
	    0, "%s", msg);
	cr_assert_str_eq(set.psk_identity, "dev-1");
	cr_assert_eq(set.psk_len, 3);
	uint8_t want[] = {0x00, 0xa1, 0xff};
	cr_assert_arr_eq(set.psk, want, 3);
}

Test(credentials, committed_set_loads)
{
	struct sb_credential_set set;
	char msg[512];
	cr_assert_eq(sb_credentials_load(&set, sb_credentials_default_dir(),
	                                 msg, sizeof(msg)),
	             0, "%s", msg);
	cr_assert_str_eq(set.psk_identity, "suitebench-client");
	cr_assert_eq(set.psk_len, 16);
	cr_assert_not_null(strstr(set.server_cert, "server.pem"));
}

/* ---- adversarial ------------------------------------------------------ */

Test(credentials, oversized_psk_refused)
{
	struct sb_credential_set set;
	char msg[256], line[300] = "id ";
	memset(line + 3, 'a', 2 * SB_PSK_MAX + 2);
	line[3 + 2 * SB_PSK_MAX + 2] = '\0';
	cr_assert_eq(sb_credentials_parse_psk(&set, line, msg, sizeof(msg)),
	             SB_ERR_CREDENTIALS);
}
