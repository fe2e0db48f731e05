#include "measure/cycles.h"

#include <stdio.h>
#include <time.h>

#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("avx"))) static void cycles_vzeroupper(void)
{
	_mm256_zeroupper();
}

void sb_cycles_clean_vectors(void)
{
	static int avx = -1;
	if (avx < 0)
		avx = __builtin_cpu_supports("avx") ? 1 : 0;
	if (avx)
		cycles_vzeroupper();
}

int sb_cycles_vectors_dirty(void)
{
	unsigned a, b, c, d;
	/* CPUID.(EAX=0DH, ECX=1):EAX bit 2: XGETBV with ECX = 1 reads the
	 * XINUSE bitmap, whose bit 2 is the upper YMM state. */
	if (!__builtin_cpu_supports("avx") ||
	    !__get_cpuid_count(0xd, 1, &a, &b, &c, &d) || !(a & 4))
		return -1;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
	return (lo >> 2) & 1;
}

uint64_t sb_cycles_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t sb_cycles_elapsed(uint64_t start, uint64_t end, uint64_t overhead)
{
	uint64_t elapsed = end > start ? end - start : 0;
	return elapsed > overhead ? elapsed - overhead : 0;
}

static uint64_t measure_overhead(void)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 10000; i++) {
		uint64_t a = sb_cycles_now();
		uint64_t b = sb_cycles_now();
		if (b - a < best)
			best = b - a;
	}
	return best;
}

static double measure_hz(void)
{
	uint64_t ns0 = sb_cycles_monotonic_ns();
	uint64_t c0 = sb_cycles_now();
	while (sb_cycles_monotonic_ns() - ns0 < 50000000u)
		;
	uint64_t c1 = sb_cycles_now();
	uint64_t ns1 = sb_cycles_monotonic_ns();
	return (double)(c1 - c0) * 1e9 / (double)(ns1 - ns0);
}

void sb_cycles_calibrate(struct sb_cycles_info *info)
{
	info->source = "rdtsc";
	info->hz = measure_hz();
	info->overhead = measure_overhead();
}

/* The probe's vector pass works over these (16 KiB: in L1). */
static uint32_t probe_lanes[4096];

/*
 * One unit of the probe's work, about 37,000 cycles on an idle core:
 * eight independent multiply-add chains, bound by the multiplier's
 * throughput, then passes of shifts and xors over probe_lanes that the
 * compiler vectorises.  Throughput, not latency: a single dependent chain
 * (this probe until December 2026) leaves most of the core idle, and another
 * hardware thread on the same core takes that share without slowing the
 * chain -- on a shared host it moved by at most 2.1 % while an AES-GCM
 * loop beside it was more than 5 % slow in 289 of 300 samples, of which
 * this probe flagged 279 (scripts/probe-check).
 */
static uint64_t probe_unit(void)
{
	uint64_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	for (int i = 0; i < 2500; i++)
		for (int k = 0; k < 8; k++)
			x[k] =
			    x[k] * 6364136223846793005u + 1442695040888963407u;
	for (uint32_t r = 0; r < 32; r++)
		for (size_t i = 0;
		     i < sizeof(probe_lanes) / sizeof(probe_lanes[0]); i++)
			probe_lanes[i] =
			    (probe_lanes[i] ^ (probe_lanes[i] << 7)) +
			    r * 2654435761u;
	uint64_t out = probe_lanes[x[0] % 4096];
	for (int k = 0; k < 8; k++)
		out ^= x[k];
	return out;
}

static uint64_t probe(int tries, int units)
{
	uint64_t best = UINT64_MAX;
	/* As a measured region does (meter.h): a library that left the upper
	 * YMM state dirty made this probe 1.6 times slower on this project's
	 * machine (and the run's last probe 2.85 times its first, after
	 * every library against every other), so that it flagged stretches
	 * the machine was not slowed in. */
	sb_cycles_clean_vectors();
	for (int t = 0; t < tries; t++) {
		uint64_t sink = 0;
		uint64_t t0 = sb_cycles_now();
		for (int u = 0; u < units; u++)
			sink ^= probe_unit();
		uint64_t t1 = sb_cycles_now();
		/* The work must run, not fold away. */
		__asm__ volatile("" : : "r"(sink));
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

uint64_t sb_cycles_probe(void)
{
	return probe(5, 50);
}

uint64_t sb_cycles_probe_quick(void)
{
	return probe(3, 5);
}

double sb_cycles_load_average(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load = -1;
	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	return load;
}
