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
 * Under AddressSanitizer the stack is not measured: its red zones and
 * its runtime's own frames on a switched stack (the fiber interface it
 * needs) would be counted as the call's, and a sanitizer build never
 * measures anyway.  sb_stack_run then runs the call in place.
 */
#if defined(__SANITIZE_ADDRESS__)
#define STACK_MEASURED false
#else
#define STACK_MEASURED true
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
	/* sb_stack_outside: the call to make on the caller's stack */
	ucontext_t inner; /* where the painted stack resumes */
	bool pending;
	int (*out_fn)(void *);
	void *out_arg;
	int out_rc;
} stk;

static void stack_paint(uint8_t *from, uint8_t *to)
{
	for (uint64_t *w = (uint64_t *)from; w < (uint64_t *)to; w++)
		*w = STACK_PATTERN;
}

/* How far below the top the deepest written byte lies; the words from it
 * up are painted again for the next call. */
static size_t stack_scan(void)
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
	stk.rc = stk.fn(stk.arg);
	/* Back through uc_link: this stack is left for good. */
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
	swapcontext(&stk.caller, &stk.callee);
	/* Back either for good (through uc_link) or to run a call outside
	 * the painted stack (sb_stack_outside), then resume it. */
	while (stk.pending) {
		stk.pending = false;
		stk.running = false;
		stk.out_rc = stk.out_fn(stk.out_arg);
		stk.running = true;
		swapcontext(&stk.caller, &stk.inner);
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
	if (stk.tried || !STACK_MEASURED)
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
	swapcontext(&stk.inner, &stk.caller);
	return stk.out_rc;
}

void sb_stack_mark(struct sb_stack_tally *tally)
{
	tally->peak = 0;
	tally->calls = 0;
	tally->armed = true;
}

void sb_stack_disarm(struct sb_stack_tally *tally)
{
	tally->armed = false;
}
