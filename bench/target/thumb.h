/*
 * thumb.h - what an ARMv7-M Thumb instruction costs on a Cortex-M4: an
 * estimate from the processor's documented timings, not a measurement.
 *
 * The timings are those of the Cortex-M4 Technical Reference Manual
 * (ARM DDI 0439, table 3-1), for a system with zero wait states: data
 * processing 1 cycle, MUL/MLA/MLS and the long multiplies 1, SDIV/UDIV 2
 * to 12 (early termination on the operands' size), LDR/STR (every width)
 * 2, LDRD/STRD 3, LDM/STM/PUSH/POP 1+N for N registers, and a pipeline
 * refill P (1 to 3 cycles) after every taken branch or write to the PC:
 * B/BL/BX/BLX, a taken B<cond>/CBZ/CBNZ, TBB/TBH (2+P), POP or LDM with
 * the PC, LDR to the PC, MOV/ADD to the PC.
 *
 * The model (SB_THUMB_REFILL, SB_THUMB_DIVIDE) takes P = 2 and a divide
 * at 7, the middle of each range; the bounds take P = 1, a divide at 2
 * and pipelined neighbouring loads and stores (1 cycle each, as the TRM
 * allows) for the lower, P = 3 and a divide at 12 for the upper.  Not
 * modelled at all: flash wait states and a flash accelerator's misses,
 * bus contention, interrupts, and the occasional extra cycle of an
 * unaligned 32-bit instruction after a branch.
 */
#ifndef SB_THUMB_H
#define SB_THUMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_THUMB_REFILL 2 /* P of the estimate, cycles */
#define SB_THUMB_REFILL_MIN 1
#define SB_THUMB_REFILL_MAX 3
#define SB_THUMB_DIVIDE 7 /* a divide in the estimate, cycles */
#define SB_THUMB_DIVIDE_MIN 2
#define SB_THUMB_DIVIDE_MAX 12

enum sb_thumb_class {
	SB_THUMB_ALU,    /* data processing, hints, IT */
	SB_THUMB_MUL,    /* every multiply */
	SB_THUMB_DIV,    /* SDIV, UDIV */
	SB_THUMB_LOAD,   /* one register (LDRD: two) */
	SB_THUMB_STORE,  /* one register (STRD: two) */
	SB_THUMB_MULTI,  /* LDM, STM, PUSH, POP */
	SB_THUMB_BRANCH, /* B, BL, BX, BLX, CBZ, CBNZ, TBB, TBH */
	SB_THUMB_OTHER,  /* coprocessor, undefined, SVC */
};

/* When an instruction refills the pipeline. */
enum sb_thumb_refill {
	SB_THUMB_NO_REFILL,
	SB_THUMB_REFILL_IF_TAKEN, /* conditional: only when the PC moved */
	SB_THUMB_REFILL_ALWAYS,
};

struct sb_thumb_insn {
	uint8_t size;     /* 2 or 4 bytes */
	uint8_t cls;      /* enum sb_thumb_class */
	uint8_t cycles;   /* without a refill; a divide counts its minimum */
	uint8_t refill;   /* enum sb_thumb_refill */
	bool single_ldst; /* LDR/STR of one register: may pipeline */
	uint8_t it_count; /* IT: how many instructions it makes conditional */
};

/*
 * Decode the instruction at the start of `code` (`avail` bytes, little
 * endian halfwords).  Returns its size (2 or 4), or 0 when `avail` is
 * too short for it.
 */
size_t sb_thumb_decode(const uint8_t *code, size_t avail,
                       struct sb_thumb_insn *out);

/* The costs of a straight-line run of instructions: a block. */
struct sb_thumb_block {
	uint32_t instructions;
	uint32_t cycles;     /* the sum of the instructions' `cycles` */
	uint32_t divides;    /* each adds SB_THUMB_DIVIDE - 2 to the estimate */
	uint32_t pipelined;  /* loads/stores right after a load/store */
	uint8_t last_refill; /* the last instruction's enum sb_thumb_refill */
	uint32_t size;       /* bytes decoded */
};

/*
 * Cost the instructions in the first `len` bytes of `code`, which start
 * outside any IT block.  A conditional instruction inside an IT block is
 * costed as executed (the Cortex-M4 spends its cycle either way); a PC
 * write under IT refills only if taken.  Returns false when `len` does
 * not end on an instruction boundary.
 */
bool sb_thumb_block_cost(const uint8_t *code, size_t len,
                         struct sb_thumb_block *out);

/* Accumulated costs: what a region of execution spent. */
struct sb_thumb_counts {
	uint64_t instructions;
	uint64_t cycles; /* base cycles, divides at their minimum */
	uint64_t divides;
	uint64_t pipelined;
	uint64_t refills; /* taken branches and other pipeline refills */
};

/* The estimate and its bounds, in cycles (see the top of this file). */
uint64_t sb_thumb_cycles_est(const struct sb_thumb_counts *c);
uint64_t sb_thumb_cycles_min(const struct sb_thumb_counts *c);
uint64_t sb_thumb_cycles_max(const struct sb_thumb_counts *c);

/* `a` minus `b`, field by field: the costs of a region. */
struct sb_thumb_counts sb_thumb_counts_sub(const struct sb_thumb_counts *a,
                                           const struct sb_thumb_counts *b);

#endif
