/*
 * schedule.h - scenarios measured in interleaved rounds.
 *
 * Every scenario is verified and warmed up first; then, in two phases
 * (runner.h: the handshakes, then the record loops), round after round,
 * each scenario that still wants samples of the phase takes one measured
 * round, in an order shuffled afresh each round from the run's seed
 * -- random interleaving, so that a slow stretch of the machine spreads
 * over every scenario instead of landing on one, and no scenario always
 * follows the same other (what one library leaves behind, such as dirty
 * vector registers, is cleaned before each measured region: meter.h,
 * cycles.h).  A speed probe runs between stretches of each round --
 * consecutive scenarios' rounds that together took at least
 * SB_SCHEDULE_STRETCH_NS, or one scenario's round if it took longer: a
 * stretch during which the machine was slower than its fastest probe by
 * more than a threshold is taken back, and its scenarios measure that
 * round again in a later pass (up to a limit; then it is kept, and
 * counted).  Stretches, not whole rounds: a round of every scenario of a
 * large run takes seconds, and a slow spell of a shared host within it
 * would go unseen by probes at its ends.
 */
#ifndef SB_SCHEDULE_H
#define SB_SCHEDULE_H

#include "run/runner.h"

/* A stretch is slowed when a probe around it is this much above the
 * best. */
#define SB_SCHEDULE_SLOW_THRESHOLD 0.05
/* The least a stretch runs between two probes: 5 ms, so that the quick
 * probe (about 0.2 ms) adds at most about 4 % to a run's time. */
#define SB_SCHEDULE_STRETCH_NS 5000000u

struct sb_schedule_report {
	unsigned rounds;          /* both phases' rounds */
	unsigned phase_rounds[2]; /* per enum sb_phase: the most rounds any
	                             scenario kept */
	unsigned stretches;       /* stretches kept */
	unsigned repeated;        /* slowed stretches taken back and measured
	                             again */
	unsigned slowed_kept;     /* slowed stretches kept: the repeat limit was
	                             hit */
	uint64_t probe_best;      /* the fastest quick probe, TSC cycles */
	double worst_slowdown;    /* the largest probe / best - 1 seen */
	double threshold;         /* SB_SCHEDULE_SLOW_THRESHOLD */
};

/* What the schedule tells the command as it goes (for stderr); may be
 * NULL.  `scenario` is set while scenarios begin, NULL for round news. */
struct sb_schedule_progress {
	void *ctx;
	void (*began)(void *ctx, size_t index, size_t count,
	              const struct sb_scenario *scenario, const char *status);
	void (*round)(void *ctx, enum sb_phase phase, unsigned round,
	              size_t active, double slowdown, bool repeated);
};

/*
 * Measure `count` scenarios in interleaved rounds and append their rows,
 * scenario by scenario in the order given, to `results`.  Each scenario
 * runs in a process of its own (worker.h).  Returns 0, SB_ERR_NOMEM, or
 * SB_ERR_IO when the system refused a process (said on stderr).
 */
int sb_schedule_run(const struct sb_scenario *scenarios, size_t count,
                    const struct sb_run_options *options,
                    const struct sb_schedule_progress *progress,
                    struct sb_results *results,
                    struct sb_schedule_report *report) SB_MUST_USE;

#endif
