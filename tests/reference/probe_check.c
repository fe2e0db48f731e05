/*
 * probe_check.c - does the speed probe see the machine slow down when the
 * libraries' code does?  The yardstick of scripts/probe-check.
 *
 * suitebench probes the core's speed between rounds and measures again a
 * round during which it was slowed (measure/cycles.h, run/schedule.c).
 * That is only worth something if the probe slows down when measured code
 * does.  This program takes SAMPLES samples, one after another on one
 * core: the quick probe suitebench uses (sb_cycles_probe_quick), the
 * latency-bound chain it used before (for contrast), and a workload of
 * the kind suitebench measures -- 20 AES-128-GCM encryptions of 1024
 * bytes through OpenSSL's EVP interface.  Each series' slowdown is taken
 * against its own fastest sample; a workload sample more than 5 % slow
 * should be flagged by the probe (more than 5 % slow too), and a probe
 * flag on a workload sample that was not slow is a false alarm.
 *
 * Output, one line each: the number of samples and how many workload
 * samples were slowed; then per probe: "probe NAME flagged F of S slowed
 * workload samples, A false alarms; largest slowdown P %".
 * A benchmark, not a test: what it shows depends on the host.
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "measure/cycles.h"
#include "run/schedule.h"

/* What run counts as slowed. */
#define THRESHOLD SB_SCHEDULE_SLOW_THRESHOLD

/* The probe before December 2026: one dependent multiply-add chain
 * through memory, bound by latency (the best of 3 tries). */
static uint64_t latency_probe(void)
{
	uint64_t best = UINT64_MAX;
	for (int t = 0; t < 3; t++) {
		volatile uint64_t x = 1;
		uint64_t t0 = sb_cycles_now();
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
		uint64_t t1 = sb_cycles_now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

/* 20 AES-128-GCM encryptions of 1024 bytes, in cycles; 0 on failure. */
static uint64_t workload(EVP_CIPHER_CTX *ctx)
{
	static const uint8_t iv[12] = {2};
	static uint8_t in[1024], out[1024 + 16];
	int len = 0, ok = 1;
	uint64_t t0 = sb_cycles_now();
	for (int k = 0; k < 20; k++)
		ok &= EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) == 1 &&
		      EVP_EncryptUpdate(ctx, out, &len, in, sizeof(in)) == 1;
	uint64_t t1 = sb_cycles_now();
	return ok ? t1 - t0 : 0;
}

static uint64_t least(const uint64_t *v, size_t n)
{
	uint64_t m = UINT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static double slowdown(uint64_t v, uint64_t best)
{
	return (double)v / (double)best - 1;
}

int main(int argc, char **argv)
{
	char *end = "";
	long samples = argc > 1 ? strtol(argv[1], &end, 10) : 300;
	if (argc > 2 || *end || samples < 10 || samples > 100000) {
		fprintf(stderr,
		        "usage: %s [SAMPLES (10-100000, default 300)]\n",
		        argv[0]);
		return 2;
	}
	size_t n = (size_t)samples;
	uint64_t *work = calloc(n, sizeof(*work));
	uint64_t *probes[2] = {calloc(n, sizeof(uint64_t)),
	                       calloc(n, sizeof(uint64_t))};
	static const char *const names[2] = {"quick (suitebench's)",
	                                     "latency chain (before)"};
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	static const uint8_t key[16] = {1};
	if (!work || !probes[0] || !probes[1] || !ctx ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, NULL) != 1) {
		fprintf(stderr, "probe-check: cannot set up\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		probes[0][i] = sb_cycles_probe_quick();
		probes[1][i] = latency_probe();
		if (!(work[i] = workload(ctx))) {
			fprintf(stderr, "probe-check: AES-GCM failed\n");
			return 1;
		}
	}
	uint64_t wbest = least(work, n);
	size_t slowed = 0;
	for (size_t i = 0; i < n; i++)
		slowed += slowdown(work[i], wbest) > THRESHOLD;
	printf(
	    "%zu samples; the workload (20 AES-128-GCM encryptions of 1024 "
	    "bytes, fastest %llu cycles) was more than %.0f %% slow in %zu\n",
	    n, (unsigned long long)wbest, THRESHOLD * 100, slowed);
	for (int p = 0; p < 2; p++) {
		uint64_t best = least(probes[p], n);
		size_t flagged = 0, alarms = 0;
		double worst = 0;
		for (size_t i = 0; i < n; i++) {
			double s = slowdown(probes[p][i], best);
			bool flag = s > THRESHOLD;
			bool slow = slowdown(work[i], wbest) > THRESHOLD;
			flagged += flag && slow;
			alarms += flag && !slow;
			if (s > worst)
				worst = s;
		}
		printf("probe %s flagged %zu of %zu slowed workload samples, "
		       "%zu false alarms; largest slowdown %.1f %%\n",
		       names[p], flagged, slowed, alarms, worst * 100);
	}
	EVP_CIPHER_CTX_free(ctx);
	free(work);
	free(probes[0]);
	free(probes[1]);
	return 0;
}
