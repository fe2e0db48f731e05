/*
 * test_thumb.c - tests bench/target/thumb.c: the Cortex-M4 cost of
 * Thumb instructions.  Encodings come from GNU as (arm-none-eabi-as
 * -mcpu=cortex-m4, shown beside each); expected cycles are counted by
 * hand from the Cortex-M4 TRM's table 3-1.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "target/thumb.h"

Test(thumb, short_input)
{
	struct sb_thumb_insn insn;
	static const uint8_t half[] = {0xb1, 0xfb}; /* first half of UDIV */
	cr_expect_eq(sb_thumb_decode(half, 0, &insn), 0);
	cr_expect_eq(sb_thumb_decode(half, 2, &insn), 0);
	struct sb_thumb_block b;
	cr_expect_not(sb_thumb_block_cost(half, 2, &b));
}

struct insn_case {
	uint8_t code[4];
	size_t size;
	enum sb_thumb_class cls;
	unsigned cycles;
	enum sb_thumb_refill refill;
};

static const struct insn_case insn_cases[] = {
    /* movs r0, #1 */
    {{0x01, 0x20}, 2, SB_THUMB_ALU, 1, SB_THUMB_NO_REFILL},
    /* muls r0, r1 */
    {{0x48, 0x43}, 2, SB_THUMB_MUL, 1, SB_THUMB_NO_REFILL},
    /* ldr r2, [r1] */
    {{0x0a, 0x68}, 2, SB_THUMB_LOAD, 2, SB_THUMB_NO_REFILL},
    /* str r2, [r1, #4] */
    {{0x4a, 0x60}, 2, SB_THUMB_STORE, 2, SB_THUMB_NO_REFILL},
    /* push {r4, lr}: 1+N */
    {{0x10, 0xb5}, 2, SB_THUMB_MULTI, 3, SB_THUMB_NO_REFILL},
    /* pop {r4, pc}: 1+N+P */
    {{0x10, 0xbd}, 2, SB_THUMB_MULTI, 3, SB_THUMB_REFILL_ALWAYS},
    /* udiv r0, r1, r2: 2..12, its minimum */
    {{0xb1, 0xfb, 0xf2, 0xf0}, 4, SB_THUMB_DIV, 2, SB_THUMB_NO_REFILL},
    /* umull r0, r1, r2, r3: 1 on the M4 */
    {{0xa2, 0xfb, 0x03, 0x01}, 4, SB_THUMB_MUL, 1, SB_THUMB_NO_REFILL},
    /* ldrd r0, r1, [r2]: 1+N, N = 2 */
    {{0xd2, 0xe9, 0x00, 0x01}, 4, SB_THUMB_LOAD, 3, SB_THUMB_NO_REFILL},
    /* bl */
    {{0xff, 0xf7, 0xfe, 0xff}, 4, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_ALWAYS},
    /* bx lr */
    {{0x70, 0x47}, 2, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_ALWAYS},
    /* tbb [r0, r1]: 2+P */
    {{0xd0, 0xe8, 0x01, 0xf0}, 4, SB_THUMB_BRANCH, 2, SB_THUMB_REFILL_ALWAYS},
    /* bne.n: 1, +P when taken */
    {{0xfd, 0xd1}, 2, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_IF_TAKEN},
    /* cbz r0 */
    {{0x08, 0xb1}, 2, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_IF_TAKEN},
    /* ldmia r0!, {r1, r2, r3}: 1+N */
    {{0x0e, 0xc8}, 2, SB_THUMB_MULTI, 4, SB_THUMB_NO_REFILL},
    /* pop.w {r4-r11, pc}: 1+N+P */
    {{0xbd, 0xe8, 0xf0, 0x8f}, 4, SB_THUMB_MULTI, 10, SB_THUMB_REFILL_ALWAYS},
    /* ldr.w pc, [sp], #4 */
    {{0x5d, 0xf8, 0x04, 0xfb}, 4, SB_THUMB_LOAD, 2, SB_THUMB_REFILL_ALWAYS},
};

ParameterizedTestParameters(thumb, decode)
{
	return cr_make_param_array(struct insn_case, (void *)insn_cases,
	                           sizeof(insn_cases) / sizeof(insn_cases[0]));
}

ParameterizedTest(const struct insn_case *c, thumb, decode)
{
	struct sb_thumb_insn insn;
	cr_assert_eq(sb_thumb_decode(c->code, sizeof(c->code), &insn), c->size,
	             "size of %02x%02x", c->code[1], c->code[0]);
	cr_expect_eq(insn.cls, c->cls, "class of %02x%02x", c->code[1],
	             c->code[0]);
	cr_expect_eq(insn.cycles, c->cycles, "cycles of %02x%02x: %u",
	             c->code[1], c->code[0], insn.cycles);
	cr_expect_eq(insn.refill, c->refill, "refill of %02x%02x", c->code[1],
	             c->code[0]);
}

/* movs; adds; muls; ldr; str; push {r4,lr}; pop {r4,pc}:
 * 1+1+1+2+2+3+3 = 13 cycles, the str pipelines behind the ldr, and the
 * block ends in a refill. */
Test(thumb, block_by_hand)
{
	static const uint8_t code[] = {0x01, 0x20, 0x02, 0x30, 0x48,
	                               0x43, 0x0a, 0x68, 0x4a, 0x60,
	                               0x10, 0xb5, 0x10, 0xbd};
	struct sb_thumb_block b;
	cr_assert(sb_thumb_block_cost(code, sizeof(code), &b));
	cr_expect_eq(b.instructions, 7);
	cr_expect_eq(b.cycles, 13);
	cr_expect_eq(b.pipelined, 1);
	cr_expect_eq(b.divides, 0);
	cr_expect_eq(b.last_refill, SB_THUMB_REFILL_ALWAYS);
	cr_expect_eq(b.size, sizeof(code));
}

/* it eq; bxeq lr: the return is conditional, so it refills only when
 * taken. */
Test(thumb, it_block_branch_is_conditional)
{
	static const uint8_t code[] = {0x08, 0xbf, 0x70, 0x47};
	struct sb_thumb_block b;
	cr_assert(sb_thumb_block_cost(code, sizeof(code), &b));
	cr_expect_eq(b.instructions, 2);
	cr_expect_eq(b.last_refill, SB_THUMB_REFILL_IF_TAKEN);
}

/* The estimate and its bounds, by hand: base 10 cycles, one divide, two
 * refills, one pipelined load. */
Test(thumb, estimate_and_bounds)
{
	struct sb_thumb_counts c = {.instructions = 8,
	                            .cycles = 10,
	                            .divides = 1,
	                            .pipelined = 1,
	                            .refills = 2};
	cr_expect_eq(sb_thumb_cycles_est(&c), 10 + 5 + 2 * 2);
	cr_expect_eq(sb_thumb_cycles_min(&c), 10 - 1 + 2 * 1);
	cr_expect_eq(sb_thumb_cycles_max(&c), 10 + 10 + 2 * 3);
}

/* A block cut in the middle of a 32-bit instruction is refused. */
Test(thumb, block_misaligned_end)
{
	static const uint8_t code[] = {0x01, 0x20, 0xb1, 0xfb, 0xf2, 0xf0};
	struct sb_thumb_block b;
	cr_expect_not(sb_thumb_block_cost(code, 4, &b));
	cr_expect(sb_thumb_block_cost(code, 6, &b));
	cr_expect_eq(b.divides, 1);
}
