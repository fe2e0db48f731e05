/*
 * emu.h - one emulated Cortex-M4 running one target program.
 *
 * Unicorn 2 (UC_CPU_ARM_CORTEX_M4, Thumb, M-class) with the memory map of
 * size/programs/port_cm4.ld: flash at 0, RAM at 0x20000000, the port's
 * registers at SB_PORT_MMIO_BASE.  The program's port calls reach the
 * host callbacks in `struct sb_emu_host`.  Every run has the program's
 * sb_port_resume as its stop address, which Unicorn checks exactly
 * (before the block there executes), so sb_emu_run() returns exactly when
 * the program has finished a command and yielded.
 *
 * Counting is exact: a block hook adds each executed block's instruction
 * count and costs (thumb.h), decoded once per block and cached; when the
 * core stops inside a block, the part not executed is taken back.  The
 * per-instruction code hook (SB_EMU_COUNT_EACH) counts the same thing the
 * slow way, as a cross-check.
 */
#ifndef SB_EMU_H
#define SB_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/status.h"
#include "size/programs/port.h"
#include "target/thumb.h"

#define SB_EMU_FLASH_BASE 0x00000000u
#define SB_EMU_FLASH_SIZE (1024u * 1024u)
#define SB_EMU_RAM_BASE 0x20000000u
#define SB_EMU_RAM_SIZE (256u * 1024u)

/* What the program's port calls do on the host. */
struct sb_emu_host {
	void *ctx;
	/* One datagram, or stream bytes: 0 or a negative SB_ERR_*. */
	int (*send)(void *ctx, const uint8_t *buf, size_t len);
	/* A length, SB_ERR_WANT_IO, or another negative SB_ERR_*. */
	int (*recv)(void *ctx, uint8_t *buf, size_t cap);
	uint64_t (*now_us)(void *ctx);
	void (*random)(void *ctx, uint8_t *buf, size_t len);
};

enum sb_emu_counting {
	SB_EMU_COUNT_BLOCKS, /* the block hook: fast, the default */
	SB_EMU_COUNT_EACH,   /* the code hook on every instruction */
};

struct sb_emu_block; /* a cached block cost (emu.c) */

struct sb_emu {
	void *uc; /* uc_engine * */
	uint8_t *flash;
	uint8_t *ram;
	struct sb_emu_host host;
	enum sb_emu_counting counting;
	struct sb_thumb_counts counts; /* everything executed so far */
	uint64_t limit;                /* instructions one run may take */
	/* The block cache: open addressing on (address, size). */
	struct sb_emu_block *blocks;
	size_t block_cap;
	size_t block_count;
	/* The last block entered, to settle its refill and a stop inside. */
	uint32_t last_start, last_end;
	uint8_t last_refill;
	bool yielded;
	bool runaway;
	int exception; /* an exception the core took, or -1 */
	uint32_t call_args[2];
	uint32_t call_ret[2];
	uint32_t mailbox; /* addresses from the ELF's symbols */
	uint32_t stack_bottom, stack_top;
	uint32_t resume; /* sb_port_resume: where every run stops */
	uint32_t pc;     /* where the next run resumes */
	char why[200];   /* a port call's failure */
};

/*
 * Create the core, load the ELF program at `path` and run it until it
 * boots (its first yield).  Returns 0, or a negative status with the
 * reason in `why`.  The emulator must be freed either way.
 */
int sb_emu_setup(struct sb_emu *emu, const char *path,
                 const struct sb_emu_host *host, enum sb_emu_counting counting,
                 char *why, size_t len) SB_MUST_USE;

/*
 * Load raw Thumb code at the start of flash and run it from there until
 * `stop` (an address in it), for tests of the counting.  Returns 0 or a
 * negative status with the reason in `why`.
 */
int sb_emu_setup_raw(struct sb_emu *emu, const uint8_t *code, size_t len,
                     enum sb_emu_counting counting, char *why,
                     size_t why_len) SB_MUST_USE;
int sb_emu_run_until(struct sb_emu *emu, uint32_t start, uint32_t stop,
                     char *why, size_t len) SB_MUST_USE;

/*
 * Resume the program until it yields again (it has finished the command
 * in its mailbox).  Returns 0, or a negative status with the reason in
 * `why` (the program faulted, ran away, or a port call failed).
 */
int sb_emu_run(struct sb_emu *emu, char *why, size_t len) SB_MUST_USE;

/* The program's mailbox, in the emulated RAM. */
struct sb_port_mailbox *sb_emu_mailbox(struct sb_emu *emu);

/* The program's transfer buffer (mailbox buf_addr), or NULL. */
uint8_t *sb_emu_buffer(struct sb_emu *emu);

/*
 * Stack high-water: paint the free stack (below the stack pointer) with a
 * pattern; later, the bytes from the top down to the deepest word no
 * longer painted are what the program used since.
 */
void sb_emu_stack_paint(struct sb_emu *emu);
uint32_t sb_emu_stack_peak(const struct sb_emu *emu);

/* Release the core; safe on a zeroed emulator, twice. */
void sb_emu_free(struct sb_emu *emu);

#endif
