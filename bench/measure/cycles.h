/*
 * cycles.h - the cycle counter: the x86 time-stamp counter read with fences.
 *
 * Figures are TSC cycles: the invariant TSC ticks at a constant rate, not
 * at the core's current clock, so a TSC cycle is a unit of time.  Hardware
 * performance counters are often absent in VMs (they are on the machine
 * this was written on), which is why the TSC is the source.
 */
#ifndef SB_CYCLES_H
#define SB_CYCLES_H

#include <stdint.h>
#include <x86intrin.h>

/*
 * Read the TSC.  The first fence keeps earlier instructions from drifting
 * past the read, the second keeps later ones from starting before it
 * (Intel's "How to Benchmark Code Execution Times", 2010).
 */
static inline uint64_t sb_cycles_now(void)
{
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}

/*
 * Leave the vector registers as the x86-64 ABI expects them between
 * calls: the upper halves of the YMM/ZMM registers clean, as after
 * `vzeroupper`.  Code that returns with them dirty makes the SSE code
 * that runs after it slower until something cleans them -- on the machine
 * this was written on, OpenSSL 3.0's TLS/DTLS ChaCha20-Poly1305 records
 * left them so, and BearSSL's AES-CCM and ChaCha20 then ran 20-25 %
 * slower in any run that included an OpenSSL ChaCha20 scenario.  Every
 * measured region starts here (meter.h), so no scenario pays for another
 * scenario's library.  Nothing happens on a CPU without AVX.
 */
void sb_cycles_clean_vectors(void);

/*
 * Whether the upper halves of the YMM registers are in use (not clean),
 * read with XGETBV(1); -1 where the CPU cannot say.  For tests.
 */
int sb_cycles_vectors_dirty(void);

struct sb_cycles_info {
	const char *source; /* "rdtsc" */
	double hz;          /* TSC ticks per second, calibrated */
	uint64_t overhead;  /* cycles of a back-to-back pair of reads */
};

/*
 * Measure the counter once: its frequency against CLOCK_MONOTONIC (over
 * about 50 ms) and the cost of two back-to-back reads (the minimum of many
 * trials), which every timed region subtracts.
 */
void sb_cycles_calibrate(struct sb_cycles_info *info);

/* Cycles between `start` and `end`, less `overhead`, never below zero. */
uint64_t sb_cycles_elapsed(uint64_t start, uint64_t end, uint64_t overhead);

/* Nanoseconds from CLOCK_MONOTONIC. */
uint64_t sb_cycles_monotonic_ns(void);

/*
 * Cycles a fixed piece of throughput-bound work takes -- independent
 * multiply chains and a vectorised pass over 16 KiB -- the best of several
 * tries.  Run at the start and the end of a run: a difference means the
 * core's speed, or its share of a shared host (another hardware thread on
 * the same core, say), changed.
 */
uint64_t sb_cycles_probe(void);

/*
 * A shorter probe for between rounds (about 0.2 ms): the same work,
 * fewer and shorter tries.  Compare it only with itself.
 */
uint64_t sb_cycles_probe_quick(void);

/* The 1-minute load average, or -1 when it cannot be read. */
double sb_cycles_load_average(void);

#endif
