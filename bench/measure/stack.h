/*
 * stack.h - the deepest stack a call uses, measured exactly.
 *
 * The call runs on a stack of the tool's own: a region mapped once, with
 * an inaccessible guard page below it, painted with a known pattern.
 * After the call the region is scanned from its far end for the first
 * byte that is no longer the pattern: everything above it was written by
 * the call (its frames, the library's locals).  The core's own callbacks
 * (the link) go back to the caller's stack through sb_stack_outside, as
 * a device's send and receive functions would cost it only their own
 * small frames.  The tool's own cost of getting there -- the entry frame on
 * the private stack -- is measured once with a call that does nothing,
 * and subtracted.  A byte the call writes with exactly the pattern's
 * value at the deepest point would be missed; the pattern is a 64-bit
 * word chosen so that this takes a coincidence of at most one word.
 *
 * Switching stacks costs two context switches, a scan and a repaint per
 * call, so it is for the heap/RAM pass only, never inside a timed region
 * (endpoint.c).  Single-threaded, as every run is; calls do not nest (a
 * call made while one runs runs on the current stack, uncounted).
 * AddressSanitizer builds measure nothing (sb_stack_available() false):
 * their red zones would be counted as the call's.
 */
#ifndef SB_STACK_H
#define SB_STACK_H

#include <stdbool.h>
#include <stddef.h>

/* The private stack's size: far more than any TLS library here needs
 * (the deepest handshake measured is under 10 KiB) and small enough that
 * the scan stays cheap under valgrind; a call that goes beyond it faults
 * on the guard page rather than writing elsewhere. */
#define SB_STACK_SIZE (256u * 1024u)

struct sb_stack_tally {
	size_t peak;  /* the deepest call since the last mark, bytes */
	size_t calls; /* calls measured since the last mark */
	bool armed;   /* a phase the caller measures all calls of is on */
};

/*
 * Run `fn(arg)` on the painted stack and return its result; `tally->peak`
 * grows to the stack `fn` used, in bytes.  When the stack cannot be
 * mapped, or a call is already running on it, `fn` runs on the current
 * stack and nothing is counted (sb_stack_available() says which).  The
 * scan costs a pass over SB_STACK_SIZE bytes per call.
 */
int sb_stack_run(struct sb_stack_tally *tally, int (*fn)(void *), void *arg);

/*
 * From inside a call sb_stack_run is measuring: run `fn(arg)` back on the
 * caller's stack and return its result, so that the tool's own work that
 * the measured code calls back into (the link a library sends through)
 * does not count as the measured code's stack; the frames down to this
 * call still do.  Anywhere else it simply calls `fn(arg)`.
 */
int sb_stack_outside(int (*fn)(void *), void *arg);

/* Whether sb_stack_run measures: the private stack is mapped (mapping it
 * if it is not yet). */
bool sb_stack_available(void);

/* Start a new phase: peak and count back to zero, and `armed` set (the
 * caller's sign that every call of the phase is to be measured). */
void sb_stack_mark(struct sb_stack_tally *tally);

/* End the phase the mark began: `armed` cleared, the figures kept. */
void sb_stack_disarm(struct sb_stack_tally *tally);

#endif
