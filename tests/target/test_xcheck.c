/*
 * test_xcheck.c - tests bench/target/xcheck.c's comparison: equal sends
 * pass; a flipped byte, a shorter send, a send from the other side, a
 * missing send and another transcript each fail, naming the send, its
 * flight or phase, both lengths and the first differing byte in hex.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "target/xcheck.h"

static uint8_t a_bytes[3][8] = {
    {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 1},
    {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 2},
    {0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0},
};
static uint8_t b_bytes[3][8];

static struct sb_wire_packet a_sends[3], b_sends[3];

static void build(struct sb_xcheck_sends *a, struct sb_xcheck_sends *b)
{
	memcpy(b_bytes, a_bytes, sizeof(a_bytes));
	for (int i = 0; i < 3; i++) {
		a_sends[i] = (struct sb_wire_packet){.dir = (uint8_t)(i == 1),
		                                     .flight = (size_t)i + 1,
		                                     .len = 8,
		                                     .data = a_bytes[i]};
		b_sends[i] = a_sends[i];
		b_sends[i].data = b_bytes[i];
	}
	*a = (struct sb_xcheck_sends){.build = "cortex-m4",
	                              .sends = a_sends,
	                              .count = 3,
	                              .handshake_sends = 2};
	*b = *a;
	b->build = "x86-64";
	b->sends = b_sends;
	strcpy(a->transcript, "ab");
	strcpy(b->transcript, "ab");
}

Test(xcheck, nothing_to_compare_is_equal)
{
	struct sb_xcheck_sends a = {.build = "a"}, b = {.build = "b"};
	char why[300] = "";
	cr_expect_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)), 0);
}

Test(xcheck, equal_sends_pass)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	cr_expect_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)), 0, "%s", why);
}

Test(xcheck, flipped_byte_is_named)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	b_bytes[1][5] ^= 0x80;
	cr_assert_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)),
	             SB_ERR_VERIFY);
	cr_expect(strstr(why, "send 2 (handshake flight 2, server to client)"),
	          "%s", why);
	cr_expect(strstr(why, "first difference at byte 5: 000002 vs 800002"),
	          "%s", why);
}

Test(xcheck, record_phase_and_length)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	b_sends[2].len = 6;
	cr_assert_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)),
	             SB_ERR_VERIFY);
	cr_expect(strstr(why, "send 3 (records, client to server): cortex-m4 "
	                      "sent 8 bytes, x86-64 6;"),
	          "%s", why);
	cr_expect(strstr(why, "byte 6: 0000 vs (end)"), "%s", why);
}

Test(xcheck, other_side)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	b_sends[0].dir = 1;
	cr_assert_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)),
	             SB_ERR_VERIFY);
	cr_expect(strstr(why, "from the other side"), "%s", why);
}

Test(xcheck, missing_send)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	b.count = 2;
	cr_assert_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)),
	             SB_ERR_VERIFY);
	cr_expect(strstr(why, "cortex-m4 made 3 sends, x86-64 2 (the first 2 "
	                      "equal)"),
	          "%s", why);
}

Test(xcheck, transcript)
{
	struct sb_xcheck_sends a, b;
	char why[300] = "";
	build(&a, &b);
	strcpy(b.transcript, "cd");
	cr_assert_eq(sb_xcheck_compare(&a, &b, why, sizeof(why)),
	             SB_ERR_VERIFY);
	cr_expect(strstr(why, "transcripts differ"), "%s", why);
}
