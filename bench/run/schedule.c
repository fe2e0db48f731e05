#include "run/schedule.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"
#include "measure/cycles.h"
#include "run/worker.h"

/* Fisher-Yates with the run's generator: the same seed, the same orders. */
static void shuffle(size_t *order, size_t n, struct sb_rng *rng)
{
	for (size_t i = n; i > 1; i--) {
		uint64_t r;
		sb_rng_fill(rng, (uint8_t *)&r, sizeof(r));
		size_t j = (size_t)(r % i);
		size_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

static double slowdown(uint64_t probe, uint64_t best)
{
	return best ? (double)probe / (double)best - 1 : 0;
}

/* A probe of the machine's speed, while time is kept; else `best`. */
static uint64_t probe_now(bool probing, uint64_t best)
{
	return probing ? sb_cycles_probe_quick() : best;
}

int sb_schedule_run(const struct sb_scenario *scenarios, size_t count,
                    const struct sb_run_options *options,
                    const struct sb_schedule_progress *progress,
                    struct sb_results *results,
                    struct sb_schedule_report *report)
{
	*report = (struct sb_schedule_report){.threshold =
	                                          SB_SCHEDULE_SLOW_THRESHOLD};
	/* Each scenario in a process of its own (worker.h). */
	struct sb_worker **states = sb_mem_calloc(count, sizeof(*states));
	size_t *order = sb_mem_calloc(count, sizeof(*order));
	/* A scenario over before its rounds (unsupported) keeps its row
	 * here, so rows come out in the order of the scenarios. */
	struct sb_results *early = sb_mem_calloc(count, sizeof(*early));
	int rc = states && order && early ? 0 : SB_ERR_NOMEM;
	for (size_t i = 0; i < count && rc == 0; i++) {
		char why[200];
		rc = sb_worker_begin(&scenarios[i], options, &early[i],
		                     &states[i], why, sizeof(why));
		if (rc == SB_ERR_IO)
			fprintf(stderr, "suitebench: %s\n", why);
		if (progress && progress->began)
			progress->began(progress->ctx, i, count, &scenarios[i],
			                !early[i].count ? "verified"
			                : early[i].rows[0].status ==
			                        SB_ROW_FAILED
			                    ? "failed" /* its process died */
			                    : "unsupported");
	}
	struct sb_rng rng;
	sb_rng_seed(&rng, options->seed, 0x5c4ed);
	/* Under callgrind counts are exact and time is valgrind's, and the
	 * heap pass keeps no time: the speed is not probed, no round is
	 * slowed, none repeated. */
	bool probing = !options->count_instructions && !options->untimed;
	uint64_t stretch_ns =
	    options->stretch_ns ? options->stretch_ns : SB_SCHEDULE_STRETCH_NS;
	uint64_t best = probe_now(probing, 0);
	uint64_t before = best;
	for (int phase = SB_PHASE_HANDSHAKES; phase <= SB_PHASE_RECORDS;
	     phase++) {
		enum sb_phase ph = (enum sb_phase)phase;
		unsigned passes = 0;
		while (rc == 0) {
			size_t active = 0;
			for (size_t i = 0; i < count; i++)
				if (states[i] &&
				    sb_worker_round_wanted(states[i], ph))
					order[active++] = i;
			if (active == 0)
				break;
			shuffle(order, active, &rng);
			passes++;
			/* The round in stretches of at least
			 * stretch_ns between two probes (one
			 * scenario's round at least): a slowed stretch is
			 * taken back (each scenario's round marks where its
			 * samples stood), and its scenarios measure that round
			 * again in a later pass.  A pass starts from the probe
			 * that ended the last: nothing ran between them. */
			double round_slow = 0;
			bool round_repeated = false;
			for (size_t k = 0; k < active && rc == 0;) {
				size_t first = k;
				uint64_t t0 = sb_cycles_monotonic_ns();
				do {
					rc = sb_worker_round(states[order[k]],
					                     ph);
					k++;
				} while (rc == 0 && k < active &&
				         sb_cycles_monotonic_ns() - t0 <
				             stretch_ns);
				uint64_t after = probe_now(probing, best);
				uint64_t worst =
				    before > after ? before : after;
				uint64_t fastest =
				    before < after ? before : after;
				if (fastest < best)
					best = fastest;
				before = after;
				double slow = slowdown(worst, best);
				if (slow > round_slow)
					round_slow = slow;
				if (slow > report->worst_slowdown)
					report->worst_slowdown = slow;
				bool slowed = slow > report->threshold;
				/* Not forever on a busy machine: at most as
				 * many repeats as stretches kept, plus a
				 * few. */
				bool repeat =
				    slowed &&
				    report->repeated < report->stretches + 8;
				for (size_t j = first; j < k && repeat; j++)
					sb_worker_rollback(states[order[j]]);
				if (repeat) {
					report->repeated++;
					round_repeated = true;
				} else {
					report->stretches++;
					report->slowed_kept += slowed;
				}
			}
			if (progress && progress->round)
				progress->round(progress->ctx, ph, passes,
				                active, round_slow,
				                round_repeated);
		}
		/* A phase's rounds: as many as the scenario that kept most
		 * (a pass that only measured again what was taken back is
		 * not one more round of the others). */
		for (size_t i = 0; i < count; i++) {
			unsigned kept =
			    states && states[i]
			        ? sb_worker_rounds_kept(states[i], ph)
			        : 0;
			if (kept > report->phase_rounds[phase])
				report->phase_rounds[phase] = kept;
		}
		report->rounds += report->phase_rounds[phase];
	}
	report->probe_best = best;
	for (size_t i = 0; i < count; i++) {
		for (size_t r = 0; early && r < early[i].count && rc == 0; r++)
			rc = sb_results_add(results, &early[i].rows[r]);
		int end = sb_worker_end(states ? states[i] : NULL, results);
		rc = rc ? rc : end;
		if (early)
			sb_results_free(&early[i]);
	}
	sb_mem_free(early);
	sb_mem_free(states);
	sb_mem_free(order);
	return rc;
}
