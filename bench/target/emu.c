#include "target/emu.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "base/mem.h"

/* Instructions one run may take before it counts as a runaway: far
 * beyond any handshake (an ECDHE-ECDSA one is around 10^8). */
#define EMU_LIMIT 4000000000ull
#define EMU_PAINT 0xA5u

struct sb_emu_block {
	uint32_t start; /* 0: empty slot (flash at 0 is the entry, never a
	                   block start worth caching twice) */
	uint32_t size;
	struct sb_thumb_block cost;
};

static int emu_error(char *why, size_t len, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int emu_error(char *why, size_t len, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return status;
}

/* ---- memory ------------------------------------------------------------ */

/* The host pointer for [addr, addr + len) of flash or RAM, or NULL. */
static uint8_t *emu_ptr(struct sb_emu *emu, uint32_t addr, uint32_t len)
{
	uint64_t end = (uint64_t)addr + len;
	if (addr >= SB_EMU_RAM_BASE && end <= SB_EMU_RAM_BASE + SB_EMU_RAM_SIZE)
		return emu->ram + (addr - SB_EMU_RAM_BASE);
	if (end <= SB_EMU_FLASH_BASE + SB_EMU_FLASH_SIZE)
		return emu->flash + addr;
	return NULL;
}

/* ---- counting ---------------------------------------------------------- */

static struct sb_emu_block *emu_block(struct sb_emu *emu, uint32_t start,
                                      uint32_t size);

static bool emu_grow(struct sb_emu *emu)
{
	size_t cap = emu->block_cap ? emu->block_cap * 2 : 4096;
	struct sb_emu_block *old = emu->blocks;
	size_t old_cap = emu->block_cap;
	emu->blocks = sb_mem_calloc(cap, sizeof(*emu->blocks));
	if (!emu->blocks) {
		emu->blocks = old;
		return false;
	}
	emu->block_cap = cap;
	emu->block_count = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].size) {
			struct sb_emu_block *b =
			    emu_block(emu, old[i].start, old[i].size);
			*b = old[i];
		}
	sb_mem_free(old);
	return true;
}

/* The slot for (start, size): found, or a new empty one; NULL if full. */
static struct sb_emu_block *emu_block(struct sb_emu *emu, uint32_t start,
                                      uint32_t size)
{
	if ((emu->block_count + 1) * 2 > emu->block_cap && !emu_grow(emu))
		return NULL;
	size_t mask = emu->block_cap - 1;
	size_t i = ((start * 2654435761u) ^ size) & mask;
	while (emu->blocks[i].size &&
	       (emu->blocks[i].start != start || emu->blocks[i].size != size))
		i = (i + 1) & mask;
	if (!emu->blocks[i].size) {
		emu->blocks[i].start = start;
		emu->blocks[i].size = size;
		emu->block_count++;
	}
	return &emu->blocks[i];
}

/* Settle the previous block's branch: a refill when it always refills,
 * or when it may and the core did not fall through to `next`. */
static void emu_settle(struct sb_emu *emu, uint32_t next)
{
	if (emu->last_refill == SB_THUMB_REFILL_ALWAYS ||
	    (emu->last_refill == SB_THUMB_REFILL_IF_TAKEN &&
	     next != emu->last_end))
		emu->counts.refills++;
	emu->last_refill = SB_THUMB_NO_REFILL;
}

static void emu_add(struct sb_emu *emu, uint32_t start,
                    const struct sb_thumb_block *c)
{
	emu_settle(emu, start);
	emu->counts.instructions += c->instructions;
	emu->counts.cycles += c->cycles;
	emu->counts.divides += c->divides;
	emu->counts.pipelined += c->pipelined;
	emu->last_start = start;
	emu->last_end = start + c->size;
	emu->last_refill = c->last_refill;
}

static void emu_runaway(struct sb_emu *emu, uc_engine *uc)
{
	if (emu->counts.instructions > emu->limit && !emu->runaway) {
		emu->runaway = true;
		uc_emu_stop(uc);
	}
}

static void emu_hook_block(uc_engine *uc, uint64_t address, uint32_t size,
                           void *user)
{
	struct sb_emu *emu = user;
	uint32_t start = (uint32_t)address;
	struct sb_emu_block *b = emu_block(emu, start, size);
	const uint8_t *code = emu_ptr(emu, start, size);
	if (!b || !code) {
		emu->runaway = true;
		uc_emu_stop(uc);
		return;
	}
	if (b->cost.size != size &&
	    !sb_thumb_block_cost(code, size, &b->cost)) {
		emu->runaway = true;
		uc_emu_stop(uc);
		return;
	}
	emu_add(emu, start, &b->cost);
	emu_runaway(emu, uc);
}

/* The slow way: one instruction at a time, a block of one each. */
static void emu_hook_code(uc_engine *uc, uint64_t address, uint32_t size,
                          void *user)
{
	struct sb_emu *emu = user;
	uint32_t start = (uint32_t)address;
	const uint8_t *code = emu_ptr(emu, start, size);
	struct sb_thumb_block c;
	if (!code || !sb_thumb_block_cost(code, size, &c)) {
		emu->runaway = true;
		uc_emu_stop(uc);
		return;
	}
	/* An instruction inside an IT block: its refill is conditional.
	 * The code hook sees no IT state, so it treats a PC write that
	 * fell through as not taken, which is what IF_TAKEN does. */
	if (c.last_refill == SB_THUMB_REFILL_ALWAYS)
		c.last_refill = SB_THUMB_REFILL_IF_TAKEN;
	/* The code hook skips an instruction that fails its condition in
	 * an IT block, which the core still issues (a cycle): after an
	 * instruction that cannot branch, a gap of at most an IT block's
	 * four instructions is such a skip, and is counted. */
	uint32_t gap = start - emu->last_end;
	struct sb_thumb_block skipped;
	const uint8_t *sk = emu_ptr(emu, emu->last_end, gap);
	if (emu->last_end && start > emu->last_end && gap <= 16 && sk &&
	    emu->last_refill == SB_THUMB_NO_REFILL &&
	    sb_thumb_block_cost(sk, gap, &skipped) &&
	    skipped.instructions <= 4) {
		emu->counts.instructions += skipped.instructions;
		emu->counts.cycles += skipped.cycles;
		emu->counts.divides += skipped.divides;
		emu->last_end = start;
	}
	emu_add(emu, start, &c);
	emu_runaway(emu, uc);
}

/*
 * The core stopped at `pc`.  If that is inside the last block, the rest
 * of the block was counted but not executed: take it back, so that the
 * block is counted exactly once, when the run resumes there.
 */
static void emu_take_back(struct sb_emu *emu, uint32_t pc)
{
	if (pc <= emu->last_start || pc >= emu->last_end)
		return;
	const uint8_t *code = emu_ptr(emu, pc, emu->last_end - pc);
	struct sb_thumb_block rest;
	if (!code || !sb_thumb_block_cost(code, emu->last_end - pc, &rest))
		return;
	emu->counts.instructions -= rest.instructions;
	emu->counts.cycles -= rest.cycles;
	emu->counts.divides -= rest.divides;
	emu->counts.pipelined -= rest.pipelined;
	emu->last_end = pc;
	emu->last_refill = SB_THUMB_NO_REFILL;
}

/* ---- the port ---------------------------------------------------------- */

static void emu_call_failed(struct sb_emu *emu, uc_engine *uc, const char *what)
{
	snprintf(emu->why, sizeof(emu->why), "port call %s: bad buffer %#x+%u",
	         what, emu->call_args[0], emu->call_args[1]);
	uc_emu_stop(uc);
}

static uint32_t emu_call(struct sb_emu *emu, uc_engine *uc, uint32_t call)
{
	uint32_t addr = emu->call_args[0], len = emu->call_args[1];
	const struct sb_emu_host *h = &emu->host;
	uint8_t *p;
	switch (call) {
	case SB_PORT_CALL_YIELD:
		/* The core stops where the program goes next,
		 * sb_port_resume: the stop address of every run. */
		emu->yielded = true;
		return 0;
	case SB_PORT_CALL_SEND:
		if (!(p = emu_ptr(emu, addr, len)) || len == 0) {
			emu_call_failed(emu, uc, "send");
			return (uint32_t)SB_PORT_ERR_CMD;
		}
		return h->send(h->ctx, p, len) == 0 ? SB_PORT_OK
		                                    : (uint32_t)SB_PORT_ERR_IO;
	case SB_PORT_CALL_RECV: {
		if (!(p = emu_ptr(emu, addr, len)) || addr < SB_EMU_RAM_BASE) {
			emu_call_failed(emu, uc, "recv");
			return (uint32_t)SB_PORT_ERR_CMD;
		}
		int n = h->recv(h->ctx, p, len);
		return n >= 0                ? (uint32_t)n
		       : n == SB_ERR_WANT_IO ? (uint32_t)SB_PORT_WANT_IO
		                             : (uint32_t)SB_PORT_ERR_IO;
	}
	case SB_PORT_CALL_CLOCK: {
		uint64_t now = h->now_us(h->ctx);
		emu->call_ret[1] = (uint32_t)(now >> 32);
		return (uint32_t)now;
	}
	case SB_PORT_CALL_RANDOM:
		if (!(p = emu_ptr(emu, addr, len)) || addr < SB_EMU_RAM_BASE) {
			emu_call_failed(emu, uc, "random");
			return (uint32_t)SB_PORT_ERR_CMD;
		}
		h->random(h->ctx, p, len);
		return SB_PORT_OK;
	default:
		snprintf(emu->why, sizeof(emu->why), "unknown port call %u",
		         call);
		uc_emu_stop(uc);
		return (uint32_t)SB_PORT_ERR_CMD;
	}
}

static uint64_t emu_mmio_read(uc_engine *uc, uint64_t offset, unsigned size,
                              void *user)
{
	(void)uc;
	(void)size;
	struct sb_emu *emu = user;
	switch (offset) {
	case SB_PORT_REG_RET:
		return emu->call_ret[0];
	case SB_PORT_REG_RET_HI:
		return emu->call_ret[1];
	default:
		return 0;
	}
}

static void emu_mmio_write(uc_engine *uc, uint64_t offset, unsigned size,
                           uint64_t value, void *user)
{
	(void)size;
	struct sb_emu *emu = user;
	switch (offset) {
	case SB_PORT_REG_ARG0:
		emu->call_args[0] = (uint32_t)value;
		break;
	case SB_PORT_REG_ARG1:
		emu->call_args[1] = (uint32_t)value;
		break;
	case SB_PORT_REG_CALL:
		emu->call_ret[1] = 0;
		emu->call_ret[0] = emu_call(emu, uc, (uint32_t)value);
		break;
	default:
		break;
	}
}

static void emu_hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct sb_emu *emu = user;
	emu->exception = (int)intno;
	uc_emu_stop(uc);
}

/* ---- the core ---------------------------------------------------------- */

static int emu_open(struct sb_emu *emu, enum sb_emu_counting counting,
                    char *why, size_t len)
{
	memset(emu, 0, sizeof(*emu));
	emu->exception = -1;
	emu->counting = counting;
	emu->limit = EMU_LIMIT;
	emu->flash = sb_mem_calloc(1, SB_EMU_FLASH_SIZE);
	emu->ram = sb_mem_calloc(1, SB_EMU_RAM_SIZE);
	if (!emu->flash || !emu->ram)
		return emu_error(why, len, SB_ERR_NOMEM, "out of memory");
	uc_engine *uc;
	uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &uc);
	if (err != UC_ERR_OK)
		return emu_error(why, len, SB_ERR_IO, "uc_open: %s",
		                 uc_strerror(err));
	emu->uc = uc;
	uc_hook h;
	if ((err = uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_M4)) ||
	    (err = uc_mem_map_ptr(uc, SB_EMU_FLASH_BASE, SB_EMU_FLASH_SIZE,
	                          UC_PROT_READ | UC_PROT_EXEC, emu->flash)) ||
	    (err = uc_mem_map_ptr(uc, SB_EMU_RAM_BASE, SB_EMU_RAM_SIZE,
	                          UC_PROT_READ | UC_PROT_WRITE, emu->ram)) ||
	    (err = uc_mmio_map(uc, SB_PORT_MMIO_BASE, SB_PORT_MMIO_SIZE,
	                       emu_mmio_read, emu, emu_mmio_write, emu)) ||
	    (err = uc_hook_add(uc, &h, UC_HOOK_INTR, (void *)emu_hook_intr, emu,
	                       1, 0)))
		return emu_error(why, len, SB_ERR_IO, "unicorn setup: %s",
		                 uc_strerror(err));
	if (counting == SB_EMU_COUNT_EACH)
		err = uc_hook_add(uc, &h, UC_HOOK_CODE, (void *)emu_hook_code,
		                  emu, 1, 0);
	else
		err = uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)emu_hook_block,
		                  emu, 1, 0);
	if (err)
		return emu_error(why, len, SB_ERR_IO, "unicorn hook: %s",
		                 uc_strerror(err));
	return 0;
}

/* Run from `pc` until `stop`, a yield, a fault or a runaway. */
static int emu_go(struct sb_emu *emu, uint32_t pc, uint32_t stop, char *why,
                  size_t len)
{
	uc_engine *uc = emu->uc;
	if (emu->resume && pc == emu->resume) {
		/* sb_port_resume's one instruction, `bx lr`, by hand: a
		 * run cannot start at its own stop address. */
		uint32_t lr = 0;
		uc_reg_read(uc, UC_ARM_REG_LR, &lr);
		emu->counts.instructions++;
		emu->counts.cycles++;
		emu->counts.refills++;
		pc = lr & ~1u;
	}
	emu->yielded = false;
	emu->why[0] = '\0';
	emu->limit = emu->counts.instructions + EMU_LIMIT;
	emu->last_refill = SB_THUMB_NO_REFILL;
	uc_err err = uc_emu_start(uc, pc | 1u, stop, 0, 0);
	uint32_t now = 0;
	uc_reg_read(uc, UC_ARM_REG_PC, &now);
	emu_take_back(emu, now);
	emu_settle(emu, now);
	emu->pc = now;
	if (err != UC_ERR_OK)
		return emu_error(why, len, SB_ERR_IO,
		                 "the program faulted at %#x: %s", now,
		                 uc_strerror(err));
	if (emu->exception >= 0)
		return emu_error(why, len, SB_ERR_IO,
		                 "the program took exception %d at %#x",
		                 emu->exception, now);
	if (emu->why[0])
		return emu_error(why, len, SB_ERR_IO, "%s", emu->why);
	if (emu->runaway)
		return emu_error(why, len, SB_ERR_IO,
		                 "the program ran away (over %llu instructions "
		                 "in one command, or into undecodable code) "
		                 "at %#x",
		                 (unsigned long long)EMU_LIMIT, now);
	return 0;
}

int sb_emu_setup_raw(struct sb_emu *emu, const uint8_t *code, size_t len,
                     enum sb_emu_counting counting, char *why, size_t why_len)
{
	int rc = emu_open(emu, counting, why, why_len);
	if (rc)
		return rc;
	if (len > SB_EMU_FLASH_SIZE)
		return emu_error(why, why_len, SB_ERR_INVALID, "code too big");
	memcpy(emu->flash, code, len);
	uint32_t sp = SB_EMU_RAM_BASE + SB_EMU_RAM_SIZE;
	uc_reg_write(emu->uc, UC_ARM_REG_SP, &sp);
	return 0;
}

int sb_emu_run_until(struct sb_emu *emu, uint32_t start, uint32_t stop,
                     char *why, size_t len)
{
	return emu_go(emu, start, stop, why, len);
}

/* ---- loading ----------------------------------------------------------- */

static int emu_symbol(const uint8_t *elf, size_t size, const char *name,
                      uint32_t *value)
{
	const Elf32_Ehdr *eh = (const void *)elf;
	if (eh->e_shoff == 0 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) > size)
		return -1;
	const Elf32_Shdr *sh = (const void *)(elf + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf32_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + (uint64_t)sh[i].sh_size > size ||
		    strs->sh_offset + (uint64_t)strs->sh_size > size)
			return -1;
		const Elf32_Sym *sym = (const void *)(elf + sh[i].sh_offset);
		size_t n = sh[i].sh_size / sizeof(*sym);
		const char *str = (const char *)elf + strs->sh_offset;
		for (size_t k = 0; k < n; k++)
			if (sym[k].st_name < strs->sh_size &&
			    strncmp(str + sym[k].st_name, name,
			            strs->sh_size - sym[k].st_name) == 0) {
				*value = sym[k].st_value;
				return 0;
			}
	}
	return -1;
}

static int emu_load(struct sb_emu *emu, const uint8_t *elf, size_t size,
                    char *why, size_t len)
{
	const Elf32_Ehdr *eh = (const void *)elf;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_ARM ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > size)
		return emu_error(why, len, SB_ERR_INVALID,
		                 "not a 32-bit ARM ELF program");
	const Elf32_Phdr *ph = (const void *)(elf + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uint8_t *dst = emu_ptr(emu, ph[i].p_vaddr, ph[i].p_memsz);
		if (!dst || ph[i].p_filesz > ph[i].p_memsz ||
		    ph[i].p_offset + (uint64_t)ph[i].p_filesz > size)
			return emu_error(why, len, SB_ERR_INVALID,
			                 "segment %u at %#x does not fit the "
			                 "memory map",
			                 i, ph[i].p_vaddr);
		memcpy(dst, elf + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	if (emu_symbol(elf, size, "sb_port_mailbox", &emu->mailbox) ||
	    emu_symbol(elf, size, "__sb_stack_bottom", &emu->stack_bottom) ||
	    emu_symbol(elf, size, "__sb_stack_top", &emu->stack_top) ||
	    emu_symbol(elf, size, "sb_port_resume", &emu->resume) ||
	    !emu_ptr(emu, emu->mailbox, sizeof(struct sb_port_mailbox)) ||
	    !emu_ptr(emu, emu->stack_bottom,
	             emu->stack_top - emu->stack_bottom) ||
	    emu->stack_top <= emu->stack_bottom)
		return emu_error(why, len, SB_ERR_INVALID,
		                 "no port in the program (sb_port_mailbox, "
		                 "sb_port_resume, __sb_stack_bottom/top)");
	emu->resume &= ~1u;
	const uint8_t *bx = emu_ptr(emu, emu->resume, 2);
	if (!bx || bx[0] != 0x70 || bx[1] != 0x47)
		return emu_error(why, len, SB_ERR_INVALID,
		                 "sb_port_resume is not a lone `bx lr`");
	emu->pc = eh->e_entry & ~1u;
	return 0;
}

static int emu_read_file(const char *path, uint8_t **data, size_t *size,
                         char *why, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return emu_error(why, len, SB_ERR_IO, "cannot open %s", path);
	*data = NULL;
	*size = 0;
	size_t cap = 0;
	for (;;) {
		if (*size == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			uint8_t *p = sb_mem_realloc(*data, cap);
			if (!p) {
				fclose(f);
				return emu_error(why, len, SB_ERR_NOMEM,
				                 "out of memory");
			}
			*data = p;
		}
		size_t n = fread(*data + *size, 1, cap - *size, f);
		*size += n;
		if (n == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	return bad ? emu_error(why, len, SB_ERR_IO, "cannot read %s", path) : 0;
}

int sb_emu_setup(struct sb_emu *emu, const char *path,
                 const struct sb_emu_host *host, enum sb_emu_counting counting,
                 char *why, size_t len)
{
	int rc = emu_open(emu, counting, why, len);
	if (rc)
		return rc;
	emu->host = *host;
	uint8_t *elf = NULL;
	size_t size = 0;
	rc = emu_read_file(path, &elf, &size, why, len);
	if (rc == 0)
		rc = emu_load(emu, elf, size, why, len);
	sb_mem_free(elf);
	if (rc)
		return rc;
	uc_reg_write(emu->uc, UC_ARM_REG_SP, &emu->stack_top);
	sb_emu_stack_paint(emu);
	rc = emu_go(emu, emu->pc, emu->resume, why, len);
	if (rc == 0 && (!emu->yielded || emu->pc != emu->resume))
		rc = emu_error(why, len, SB_ERR_IO,
		               "the program stopped "
		               "without yielding");
	const struct sb_port_mailbox *mb = sb_emu_mailbox(emu);
	if (rc == 0 && (mb->magic != SB_PORT_MAGIC || mb->abi != SB_PORT_ABI))
		rc = emu_error(why, len, SB_ERR_INVALID,
		               "the program did not boot into port ABI %u",
		               SB_PORT_ABI);
	return rc;
}

int sb_emu_run(struct sb_emu *emu, char *why, size_t len)
{
	int rc = emu_go(emu, emu->pc, emu->resume, why, len);
	if (rc == 0 && (!emu->yielded || emu->pc != emu->resume))
		rc = emu_error(why, len, SB_ERR_IO,
		               "the program stopped without yielding at %#x",
		               emu->pc);
	return rc;
}

struct sb_port_mailbox *sb_emu_mailbox(struct sb_emu *emu)
{
	return (struct sb_port_mailbox *)(void *)emu_ptr(
	    emu, emu->mailbox, sizeof(struct sb_port_mailbox));
}

uint8_t *sb_emu_buffer(struct sb_emu *emu)
{
	const struct sb_port_mailbox *mb = sb_emu_mailbox(emu);
	return emu_ptr(emu, mb->buf_addr, mb->buf_cap);
}

void sb_emu_stack_paint(struct sb_emu *emu)
{
	uint32_t sp = emu->stack_top;
	if (emu->uc)
		uc_reg_read(emu->uc, UC_ARM_REG_SP, &sp);
	if (sp > emu->stack_top || sp < emu->stack_bottom)
		sp = emu->stack_top;
	memset(emu_ptr(emu, emu->stack_bottom, sp - emu->stack_bottom),
	       EMU_PAINT, sp - emu->stack_bottom);
}

uint32_t sb_emu_stack_peak(const struct sb_emu *emu)
{
	const uint8_t *p = emu->ram + (emu->stack_bottom - SB_EMU_RAM_BASE);
	uint32_t size = emu->stack_top - emu->stack_bottom, i = 0;
	while (i < size && p[i] == EMU_PAINT)
		i++;
	return size - i;
}

void sb_emu_free(struct sb_emu *emu)
{
	if (emu->uc)
		uc_close(emu->uc);
	emu->uc = NULL;
	sb_mem_free(emu->flash);
	sb_mem_free(emu->ram);
	sb_mem_free(emu->blocks);
	emu->flash = emu->ram = NULL;
	emu->blocks = NULL;
	emu->block_cap = emu->block_count = 0;
}
