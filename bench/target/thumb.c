#include "target/thumb.h"

static unsigned popcount16(unsigned v)
{
	return (unsigned)__builtin_popcount(v & 0xFFFFu);
}

static void set(struct sb_thumb_insn *out, unsigned size,
                enum sb_thumb_class cls, unsigned cycles,
                enum sb_thumb_refill refill)
{
	*out = (struct sb_thumb_insn){
	    .size = (uint8_t)size,
	    .cls = (uint8_t)cls,
	    .cycles = (uint8_t)cycles,
	    .refill = (uint8_t)refill,
	    .single_ldst =
	        (cls == SB_THUMB_LOAD || cls == SB_THUMB_STORE) && cycles == 2,
	};
}

/* 16-bit encodings (ARMv7-M ARM A5.2). */
static void decode16(unsigned hw, struct sb_thumb_insn *out)
{
	if ((hw & 0xF800u) == 0x4800u) /* LDR literal */
		return set(out, 2, SB_THUMB_LOAD, 2, SB_THUMB_NO_REFILL);
	if ((hw & 0xF000u) == 0x5000u) /* load/store, register offset */
		return set(out, 2,
		           ((hw >> 9) & 7u) < 3 ? SB_THUMB_STORE
		                                : SB_THUMB_LOAD,
		           2, SB_THUMB_NO_REFILL);
	if ((hw & 0xE000u) == 0x6000u || (hw & 0xE000u) == 0x8000u)
		/* word/byte, halfword and SP-relative immediate forms */
		return set(out, 2,
		           hw & 0x0800u ? SB_THUMB_LOAD : SB_THUMB_STORE, 2,
		           SB_THUMB_NO_REFILL);
	if ((hw & 0xF000u) == 0xC000u) /* LDM/STM */
		return set(out, 2, SB_THUMB_MULTI, 1 + popcount16(hw & 0xFFu),
		           SB_THUMB_NO_REFILL);
	if ((hw & 0xFE00u) == 0xB400u) /* PUSH, bit 8: LR */
		return set(out, 2, SB_THUMB_MULTI, 1 + popcount16(hw & 0x1FFu),
		           SB_THUMB_NO_REFILL);
	if ((hw & 0xFE00u) == 0xBC00u) /* POP, bit 8: PC */
		return set(out, 2, SB_THUMB_MULTI, 1 + popcount16(hw & 0x1FFu),
		           hw & 0x100u ? SB_THUMB_REFILL_ALWAYS
		                       : SB_THUMB_NO_REFILL);
	if ((hw & 0xF500u) == 0xB100u) /* CBZ/CBNZ */
		return set(out, 2, SB_THUMB_BRANCH, 1,
		           SB_THUMB_REFILL_IF_TAKEN);
	if ((hw & 0xFF00u) == 0xBF00u) { /* IT, or a hint */
		set(out, 2, SB_THUMB_ALU, 1, SB_THUMB_NO_REFILL);
		if (hw & 0xFu)
			out->it_count = (uint8_t)(4 - __builtin_ctz(hw & 0xFu));
		return;
	}
	if ((hw & 0xF000u) == 0xD000u) { /* B<cond>, UDF, SVC */
		unsigned cond = (hw >> 8) & 0xFu;
		if (cond >= 0xE)
			return set(out, 2, SB_THUMB_OTHER, 1,
			           SB_THUMB_NO_REFILL);
		return set(out, 2, SB_THUMB_BRANCH, 1,
		           SB_THUMB_REFILL_IF_TAKEN);
	}
	if ((hw & 0xF800u) == 0xE000u) /* B */
		return set(out, 2, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_ALWAYS);
	if ((hw & 0xFF00u) == 0x4700u) /* BX, BLX register */
		return set(out, 2, SB_THUMB_BRANCH, 1, SB_THUMB_REFILL_ALWAYS);
	if ((hw & 0xFD00u) == 0x4400u) { /* ADD/MOV high registers */
		unsigned rd = ((hw >> 4) & 8u) | (hw & 7u);
		return set(out, 2, SB_THUMB_ALU, 1,
		           rd == 15 ? SB_THUMB_REFILL_ALWAYS
		                    : SB_THUMB_NO_REFILL);
	}
	if ((hw & 0xFFC0u) == 0x4340u) /* MULS */
		return set(out, 2, SB_THUMB_MUL, 1, SB_THUMB_NO_REFILL);
	set(out, 2, SB_THUMB_ALU, 1, SB_THUMB_NO_REFILL);
}

/* Load/store dual, exclusive, table branch (A5.3.6). */
static void decode32_dual(unsigned hw1, unsigned hw2, struct sb_thumb_insn *out)
{
	unsigned op1 = (hw1 >> 7) & 3u, op2 = (hw1 >> 4) & 3u;
	bool load = hw1 & 0x10u;
	if (op1 == 1 && op2 == 1 && (hw2 & 0xE0u) == 0) /* TBB/TBH: 2+P */
		return set(out, 4, SB_THUMB_BRANCH, 2, SB_THUMB_REFILL_ALWAYS);
	if (op1 == 0 || (op1 == 1 && op2 < 2)) /* exclusives */
		return set(out, 4, load ? SB_THUMB_LOAD : SB_THUMB_STORE, 2,
		           SB_THUMB_NO_REFILL);
	/* LDRD/STRD: 1+N with N = 2 */
	set(out, 4, load ? SB_THUMB_LOAD : SB_THUMB_STORE, 3,
	    SB_THUMB_NO_REFILL);
}

/* 32-bit encodings (A5.3). */
static void decode32(unsigned hw1, unsigned hw2, struct sb_thumb_insn *out)
{
	if ((hw1 & 0xFE40u) == 0xE800u) { /* LDM/STM, PUSH.W/POP.W */
		bool load = hw1 & 0x10u;
		return set(out, 4, SB_THUMB_MULTI, 1 + popcount16(hw2),
		           load && (hw2 & 0x8000u) ? SB_THUMB_REFILL_ALWAYS
		                                   : SB_THUMB_NO_REFILL);
	}
	if ((hw1 & 0xFE40u) == 0xE840u)
		return decode32_dual(hw1, hw2, out);
	if ((hw1 & 0xF800u) == 0xF000u && (hw2 & 0x8000u)) {
		/* Branches and miscellaneous control (A5.3.4). */
		if ((hw2 & 0x5000u) == 0x5000u || (hw2 & 0x5000u) == 0x1000u)
			return set(out, 4, SB_THUMB_BRANCH, 1,
			           SB_THUMB_REFILL_ALWAYS); /* BL, B.W */
		if ((hw2 & 0x5000u) == 0 && ((hw1 >> 6) & 0xEu) != 0xEu)
			return set(out, 4, SB_THUMB_BRANCH, 1,
			           SB_THUMB_REFILL_IF_TAKEN); /* B<cond>.W */
		return set(out, 4, SB_THUMB_ALU, 1, SB_THUMB_NO_REFILL);
	}
	if ((hw1 & 0xFE00u) == 0xF800u) { /* load/store single */
		bool load = hw1 & 0x10u;
		unsigned rt = hw2 >> 12;
		bool word = ((hw1 >> 5) & 3u) == 2;
		return set(out, 4, load ? SB_THUMB_LOAD : SB_THUMB_STORE, 2,
		           load && word && rt == 15 ? SB_THUMB_REFILL_ALWAYS
		                                    : SB_THUMB_NO_REFILL);
	}
	if ((hw1 & 0xFF80u) == 0xFB00u) /* MUL, MLA, MLS, SMULxy, ... */
		return set(out, 4, SB_THUMB_MUL, 1, SB_THUMB_NO_REFILL);
	if ((hw1 & 0xFF80u) == 0xFB80u) { /* long multiply, divide */
		unsigned op1 = (hw1 >> 4) & 7u;
		if (op1 == 1 || op1 == 3)
			return set(out, 4, SB_THUMB_DIV, SB_THUMB_DIVIDE_MIN,
			           SB_THUMB_NO_REFILL);
		return set(out, 4, SB_THUMB_MUL, 1, SB_THUMB_NO_REFILL);
	}
	if ((hw1 & 0xEC00u) == 0xEC00u) /* coprocessor, FPU */
		return set(out, 4, SB_THUMB_OTHER, 1, SB_THUMB_NO_REFILL);
	set(out, 4, SB_THUMB_ALU, 1, SB_THUMB_NO_REFILL);
}

size_t sb_thumb_decode(const uint8_t *code, size_t avail,
                       struct sb_thumb_insn *out)
{
	if (avail < 2)
		return 0;
	unsigned hw1 = (unsigned)code[0] | (unsigned)code[1] << 8;
	/* 0b11101, 0b11110, 0b11111 in the top bits: a 32-bit encoding. */
	if ((hw1 >> 11) < 0x1D) {
		decode16(hw1, out);
		return 2;
	}
	if (avail < 4)
		return 0;
	unsigned hw2 = (unsigned)code[2] | (unsigned)code[3] << 8;
	decode32(hw1, hw2, out);
	return 4;
}

bool sb_thumb_block_cost(const uint8_t *code, size_t len,
                         struct sb_thumb_block *out)
{
	*out = (struct sb_thumb_block){0};
	size_t at = 0;
	unsigned in_it = 0;
	bool prev_ldst = false;
	while (at < len) {
		struct sb_thumb_insn insn;
		size_t n = sb_thumb_decode(code + at, len - at, &insn);
		if (n == 0)
			return false;
		out->instructions++;
		out->cycles += insn.cycles;
		out->divides += insn.cls == SB_THUMB_DIV;
		out->pipelined += prev_ldst && insn.single_ldst;
		prev_ldst = insn.single_ldst;
		out->last_refill = insn.refill;
		if (in_it > 0) {
			if (insn.refill == SB_THUMB_REFILL_ALWAYS)
				out->last_refill = SB_THUMB_REFILL_IF_TAKEN;
			in_it--;
		} else if (insn.it_count) {
			in_it = insn.it_count;
		}
		at += n;
	}
	out->size = (uint32_t)at;
	return at == len;
}

uint64_t sb_thumb_cycles_est(const struct sb_thumb_counts *c)
{
	return c->cycles +
	       c->divides * (SB_THUMB_DIVIDE - SB_THUMB_DIVIDE_MIN) +
	       c->refills * SB_THUMB_REFILL;
}

uint64_t sb_thumb_cycles_min(const struct sb_thumb_counts *c)
{
	return c->cycles - c->pipelined + c->refills * SB_THUMB_REFILL_MIN;
}

uint64_t sb_thumb_cycles_max(const struct sb_thumb_counts *c)
{
	return c->cycles +
	       c->divides * (SB_THUMB_DIVIDE_MAX - SB_THUMB_DIVIDE_MIN) +
	       c->refills * SB_THUMB_REFILL_MAX;
}

struct sb_thumb_counts sb_thumb_counts_sub(const struct sb_thumb_counts *a,
                                           const struct sb_thumb_counts *b)
{
	return (struct sb_thumb_counts){
	    .instructions = a->instructions - b->instructions,
	    .cycles = a->cycles - b->cycles,
	    .divides = a->divides - b->divides,
	    .pipelined = a->pipelined - b->pipelined,
	    .refills = a->refills - b->refills,
	};
}
