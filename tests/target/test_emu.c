/*
 * test_emu.c - tests bench/target/emu.c: the emulated Cortex-M4 counts a
 * known instruction sequence exactly, with the block hook and with the
 * per-instruction hook alike, and its cycle estimate matches a count by
 * hand.
 */
#include <criterion/criterion.h>

#include "target/emu.h"

/*
 * 0x00 movs r0, #10
 * 0x02 subs r0, #1     <- loop
 * 0x04 bne.n 0x02
 * 0x06 nop             <- stop
 * Executed: 1 + 10 * 2 = 21 instructions; cycles 21 plus a refill for
 * each of the 9 taken branches: 21 + 9 * P.
 */
static const uint8_t loop_code[] = {0x0a, 0x20, 0x01, 0x38,
                                    0xfd, 0xd1, 0x00, 0xbf};

static void run_loop(enum sb_emu_counting counting)
{
	struct sb_emu emu;
	char why[200] = "";
	int rc = sb_emu_setup_raw(&emu, loop_code, sizeof(loop_code), counting,
	                          why, sizeof(why));
	cr_assert_eq(rc, 0, "setup: %s", why);
	rc = sb_emu_run_until(&emu, 0, 6, why, sizeof(why));
	cr_assert_eq(rc, 0, "run: %s", why);
	cr_expect_eq(emu.pc, 6);
	cr_expect_eq(emu.counts.instructions, 21, "counted %llu",
	             (unsigned long long)emu.counts.instructions);
	cr_expect_eq(emu.counts.refills, 9, "refills %llu",
	             (unsigned long long)emu.counts.refills);
	cr_expect_eq(sb_thumb_cycles_est(&emu.counts),
	             21 + 9 * SB_THUMB_REFILL);
	sb_emu_free(&emu);
	sb_emu_free(&emu);
}

Test(emu, free_zeroed)
{
	struct sb_emu emu = {0};
	sb_emu_free(&emu);
	sb_emu_free(&emu);
}

Test(emu, loop_counted_by_blocks)
{
	run_loop(SB_EMU_COUNT_BLOCKS);
}

Test(emu, loop_counted_one_by_one)
{
	run_loop(SB_EMU_COUNT_EACH);
}

Test(emu, not_an_elf)
{
	struct sb_emu emu;
	char why[200] = "";
	struct sb_emu_host host = {0};
	int rc = sb_emu_setup(&emu, "/dev/null", &host, SB_EMU_COUNT_BLOCKS,
	                      why, sizeof(why));
	cr_expect_neq(rc, 0);
	cr_expect(strstr(why, "ELF") != NULL, "%s", why);
	sb_emu_free(&emu);
}

/*
 * 0x0 movs r0, #1; 0x2 cmp r0, #2; 0x4 ite eq; 0x6 moveq r1, #1;
 * 0x8 movne r1, #2; 0xa nop (stop).  The moveq fails its condition but
 * is still issued (a cycle on the Cortex-M4): 5 instructions, 5 cycles.
 */
static void run_it(enum sb_emu_counting counting)
{
	static const uint8_t code[] = {0x01, 0x20, 0x02, 0x28, 0x0c, 0xbf,
	                               0x01, 0x21, 0x02, 0x21, 0x00, 0xbf};
	struct sb_emu emu;
	char why[200] = "";
	cr_assert_eq(sb_emu_setup_raw(&emu, code, sizeof(code), counting, why,
	                              sizeof(why)),
	             0, "%s", why);
	cr_assert_eq(sb_emu_run_until(&emu, 0, 0xa, why, sizeof(why)), 0, "%s",
	             why);
	cr_expect_eq(emu.counts.instructions, 5, "counted %llu",
	             (unsigned long long)emu.counts.instructions);
	cr_expect_eq(sb_thumb_cycles_est(&emu.counts), 5);
	sb_emu_free(&emu);
}

Test(emu, it_block_by_blocks)
{
	run_it(SB_EMU_COUNT_BLOCKS);
}

Test(emu, it_block_one_by_one)
{
	run_it(SB_EMU_COUNT_EACH);
}
