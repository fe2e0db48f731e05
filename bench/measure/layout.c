#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#endif
#include "measure/layout.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#if defined(__SANITIZE_ADDRESS__)
#define LAYOUT_ANCHORS false
#else
#define LAYOUT_ANCHORS true
#endif

/* Below the padding, call `fn`.  A variable-length array is the padding;
 * the empty asm keeps the compiler from dropping it. */
static int layout_padded(size_t pad, int (*fn)(void *), void *arg)
{
	volatile unsigned char padding[pad];
	__asm__ volatile("" : : "r"(padding) : "memory");
	return fn(arg);
}

/* Called through a pointer, so that it is never inlined into
 * sb_layout_call and its frame lies a fixed distance below. */
static int (*volatile layout_padded_call)(size_t, int (*)(void *),
                                          void *) = layout_padded;

/* Where the probe's caller left the stack pointer: the probe's frame
 * address plus the saved frame pointer and the return address. */
static int layout_probe(void *arg)
{
	*(uintptr_t *)arg =
	    (uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *);
	return 0;
}

bool sb_layout_anchors(void)
{
	return LAYOUT_ANCHORS;
}

bool sb_layout_offset_valid(unsigned offset)
{
	return offset < SB_LAYOUT_PAGE && offset % SB_LAYOUT_ALIGN == 0;
}

int sb_layout_call(unsigned offset, int (*fn)(void *), void *arg)
{
	if (!LAYOUT_ANCHORS || !sb_layout_offset_valid(offset))
		return fn(arg);
	/*
	 * The stack pointer at the call of `fn` lies `gap` + `pad` bytes below
	 * this frame's address, where `gap` is the frames in between, which
	 * only the compiler knows: found once, by calling the probe through
	 * the same code.  Both this frame and the probe's are found with
	 * __builtin_frame_address, which keeps a frame pointer in each.
	 */
	static uintptr_t gap;
	static bool calibrated;
	uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
	if (!calibrated) {
		uintptr_t sp = 0;
		(void)layout_padded_call(SB_LAYOUT_PAGE, layout_probe, &sp);
		gap = frame - SB_LAYOUT_PAGE - sp;
		calibrated = true;
	}
	size_t pad = (size_t)((frame - gap - offset) % SB_LAYOUT_PAGE);
	if (pad < SB_LAYOUT_ALIGN)
		pad += SB_LAYOUT_PAGE;
	int rc = layout_padded_call(pad, fn, arg);
	/* Something after the call: as a tail call it would leave from
	 * another frame than the probe's did. */
	__asm__ volatile("" : : : "memory");
	return rc;
}

void *sb_layout_alloc(size_t size)
{
	void *p = NULL;
	/* On the libraries' heap, beside the blocks the library allocates. */
	if (posix_memalign(&p, SB_LAYOUT_PAGE, size ? size : 1) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

bool sb_layout_addresses_fixed(void)
{
	int persona = personality(0xffffffff);
	if (persona != -1 && (persona & ADDR_NO_RANDOMIZE))
		return true;
	FILE *f = fopen("/proc/sys/kernel/randomize_va_space", "r");
	int level = -1;
	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = -1;
		fclose(f);
	}
	return level == 0;
}

const char *sb_layout_addresses_text(void)
{
	return sb_layout_addresses_fixed()
	           ? "fixed: address randomisation off in the timing processes"
	           : "random: the kernel placed each timing process's "
	             "mappings anew";
}

void sb_layout_fix_addresses(void)
{
	int persona = personality(0xffffffff);
	if (persona != -1)
		(void)personality((unsigned long)persona | ADDR_NO_RANDOMIZE);
}
