/*
 * vclock.h - the virtual clock that DTLS retransmission timers read.
 *
 * Nothing in a suitebench run sleeps or reads the wall clock for protocol
 * timing: backends read this clock through `struct sb_clock`, and the core
 * advances it only when both endpoints wait.  A run is therefore the same
 * however slow the machine (or valgrind) is, and spurious retransmissions
 * never add bytes to a measurement.
 */
#ifndef SB_VCLOCK_H
#define SB_VCLOCK_H

#include <stdint.h>

#include "backends/backend.h"

/* 2026-01-01T00:00:00Z: inside the test certificates' validity window. */
#define SB_VCLOCK_START_US (1767225600ULL * 1000000ULL)

struct sb_vclock {
	uint64_t now_us;
};

/* Start the clock at SB_VCLOCK_START_US.  Cannot fail. */
void sb_vclock_init(struct sb_vclock *clock);

/* Move the clock forward by `us` microseconds. */
void sb_vclock_advance(struct sb_vclock *clock, uint64_t us);

/* The clock as the backends see it. */
struct sb_clock sb_vclock_source(struct sb_vclock *clock);

#endif
