#define _GNU_SOURCE
#include "measure/stack.h"

#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

/* Byte values that differ pairwise and are neither 0 nor 0xff, the bytes
 * a call most often writes. */
#define STACK_PATTERN 0x5ac3a596e13c7b4dull

/*
 * AddressSanitizer must be told when the stack changes (its fiber
 * interface), and must not check the scan and the paint: the frames the
 * call left behind keep their red zones poisoned.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define STACK_UNCHECKED __attribute__((no_sanitize_address))
static void stack_fiber_start(void **save, const void *bottom, size_t size)
{
	__sanitizer_start_switch_fiber(save, bottom, size);
}
static void stack_fiber_finish(void *save, const void **bottom, size_t *size)
{
	__sanitizer_finish_switch_fiber(save, bottom, size);
}
#else
#define STACK_UNCHECKED
static void stack_fiber_start(void **save, const void *bottom, size_t size)
{
	(void)save, (void)bottom, (void)size;
}
static void stack_fiber_finish(void *save, const void **bottom, size_t *size)
{
	(void)save, (void)bottom, (void)size;
}
#endif

static struct {
	bool tried;        /* mapping attempted */
	bool running;      /* a call is on the private stack now */
	uint8_t *base;     /* lowest usable byte, just above the guard page */
	size_t entry_cost; /* the depth of a call that does nothing */
	ucontext_t caller, callee;
	int (*fn)(void *);
	void *arg;
	int rc;
	/* the caller's stack, for the sanitizer's way back */
	void *fake;
	const void *caller_bottom;
	size_t caller_size;
	/* sb_stack_outside: the call to make on the caller's stack */
	ucontext_t inner; /* where the painted stack resumes */
	bool pending;
	int (*out_fn)(void *);
	void *out_arg;
	int out_rc;
} stk;

STACK_UNCHECKED static void stack_paint(uint8_t *from, uint8_t *to)
{
	for (uint64_t *w = (uint64_t *)from; w < (uint64_t *)to; w++)
		*w = STACK_PATTERN;
}

/* How far below the top the deepest written byte lies; the words from it
 * up are painted again for the next call. */
STACK_UNCHECKED static size_t stack_scan(void)
{
	uint8_t *top = stk.base + SB_STACK_SIZE;
	/* Under memcheck the region below the stack pointer reads as
	 * undefined; its bytes are what the call left, which is the point. */
	VALGRIND_MAKE_MEM_DEFINED(stk.base, SB_STACK_SIZE);
	const uint64_t *w = (const uint64_t *)stk.base;
	while ((const uint8_t *)w < top && *w == STACK_PATTERN)
		w++;
	if ((const uint8_t *)w == top)
		return 0;
	uint64_t pattern = STACK_PATTERN;
	const uint8_t *low = (const uint8_t *)w;
	const uint8_t *want = (const uint8_t *)&pattern;
	size_t i = 0;
	while (i < sizeof(*w) && low[i] == want[i])
		i++;
	stack_paint((uint8_t *)(uintptr_t)w, top);
	return (size_t)(top - (low + i));
}

static void stack_entry(void)
{
	stack_fiber_finish(NULL, &stk.caller_bottom, &stk.caller_size);
	stk.rc = stk.fn(stk.arg);
	/* Back through uc_link: this stack is left for good. */
	stack_fiber_start(NULL, stk.caller_bottom, stk.caller_size);
}

/* Run stk.fn on the private stack; the depth it reached. */
static size_t stack_switch(void)
{
	if (getcontext(&stk.callee) != 0)
		return 0;
	stk.callee.uc_stack.ss_sp = stk.base;
	stk.callee.uc_stack.ss_size = SB_STACK_SIZE;
	stk.callee.uc_link = &stk.caller;
	makecontext(&stk.callee, stack_entry, 0);
	stk.running = true;
	stk.pending = false;
	stack_fiber_start(&stk.fake, stk.base, SB_STACK_SIZE);
	swapcontext(&stk.caller, &stk.callee);
	stack_fiber_finish(stk.fake, NULL, NULL);
	/* Back either for good (through uc_link) or to run a call outside
	 * the painted stack (sb_stack_outside), then resume it. */
	while (stk.pending) {
		stk.pending = false;
		stk.running = false;
		stk.out_rc = stk.out_fn(stk.out_arg);
		stk.running = true;
		stack_fiber_start(&stk.fake, stk.base, SB_STACK_SIZE);
		swapcontext(&stk.caller, &stk.inner);
		stack_fiber_finish(stk.fake, NULL, NULL);
	}
	stk.running = false;
	return stack_scan();
}

static int stack_nothing(void *arg)
{
	(void)arg;
	return 0;
}

bool sb_stack_available(void)
{
	if (stk.tried)
		return stk.base != NULL;
	stk.tried = true;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, SB_STACK_SIZE + page, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return false;
	if (mprotect(map, page, PROT_NONE) != 0) {
		munmap(map, SB_STACK_SIZE + page);
		return false;
	}
	stk.base = map + page;
	(void)VALGRIND_STACK_REGISTER(stk.base, stk.base + SB_STACK_SIZE);
	stack_paint(stk.base, stk.base + SB_STACK_SIZE);
	stk.fn = stack_nothing;
	stk.arg = NULL;
	stk.entry_cost = stack_switch();
	return true;
}

int sb_stack_run(struct sb_stack_tally *tally, int (*fn)(void *), void *arg)
{
	if (stk.running || !sb_stack_available())
		return fn(arg);
	stk.fn = fn;
	stk.arg = arg;
	size_t depth = stack_switch();
	size_t used = depth > stk.entry_cost ? depth - stk.entry_cost : 0;
	if (used > tally->peak)
		tally->peak = used;
	tally->calls++;
	return stk.rc;
}

int sb_stack_outside(int (*fn)(void *), void *arg)
{
	if (!stk.running)
		return fn(arg);
	stk.out_fn = fn;
	stk.out_arg = arg;
	stk.pending = true;
	void *fake = NULL;
	stack_fiber_start(&fake, stk.caller_bottom, stk.caller_size);
	swapcontext(&stk.inner, &stk.caller);
	stack_fiber_finish(fake, &stk.caller_bottom, &stk.caller_size);
	return stk.out_rc;
}

void sb_stack_mark(struct sb_stack_tally *tally)
{
	tally->peak = 0;
	tally->calls = 0;
}
