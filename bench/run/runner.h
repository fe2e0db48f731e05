/*
 * runner.h - runs one scenario: verify the connection, then measure it.
 *
 * A scenario is (client library, server library, protocol, suite).  The
 * runner first checks that both libraries support it (else one
 * `unsupported` row with the library's reason), then verifies a first
 * connection -- the suite negotiated is the one requested, each side
 * authenticated its peer, data round-trips byte for byte, a record with
 * one flipped bit is rejected -- and only then measures handshakes and
 * record loops.  A scenario that fails anywhere becomes one `failed` row
 * with the reason, and none of its numbers are kept.  A library that
 * refuses a setting when its endpoint is set up (SB_ERR_UNSUPPORTED: no
 * Connection ID, no raw public keys, no way to switch cookies off) or
 * refuses the MTU makes an `unsupported` row instead, with its reason.
 */
#ifndef SB_RUNNER_H
#define SB_RUNNER_H

#include <stdio.h>

#include "output/results.h"
#include "run/credentials.h"
#include "run/harness.h"
#include "wire/link.h"

/* In a payload list: the largest payload whose record fits one datagram
 * (and at most SB_WIRE_PLAINTEXT_MAX, the record limit). */
#define SB_PAYLOAD_MAX 0
#define SB_PAYLOADS_MAX_COUNT 32

/*
 * The conditions of a scenario beyond the defaults: an MTU from a sweep
 * and seeded link faults.  `label` ("mtu=512,loss=0.1") is the CSV's
 * `conditions` column, empty for the defaults.
 */
struct sb_conditions {
	size_t mtu;  /* 0: the options' MTU */
	bool faulty; /* handshakes over a lossy link */
	struct sb_link_faults faults;
	char label[128]; /* room for four values at 17 digits: never cut */
};

struct sb_scenario {
	const struct sb_backend *client;
	const struct sb_backend *server;
	enum sb_protocol protocol;
	const struct sb_suite *suite;
	struct sb_conditions conditions;
};

/*
 * What the runner hands to the output layer besides rows: the runner
 * itself writes no format.  Either callback may be NULL; a non-zero
 * return fails the scenario with "writing ... failed".
 */
struct sb_run_observer {
	void *ctx;
	/* The raw samples behind `row` (its keys set, before summary). */
	int (*samples)(void *ctx, const struct sb_row *row,
	               const double *values, size_t count);
	/* The verified connection's captured traffic; `title` names it. */
	int (*connection)(void *ctx, const char *title,
	                  const struct sb_wire *wire);
};

struct sb_run_options {
	const struct sb_credential_set *creds;
	size_t mtu;
	bool cookie;
	bool mutual;
	enum sb_auth auth; /* certificate key exchanges: X.509 or RPK */
	size_t cid_len;    /* DTLS Connection ID bytes, 0: none */
	enum sb_impl impl;
	bool deterministic;      /* seeded generators: identical transcripts */
	bool no_transcript;      /* deterministic, but no transcript digest */
	bool count_instructions; /* under callgrind: instructions, not cycles */
	/* No time this run measures is kept (the heap pass): no round is
	 * judged slowed, so none is repeated, and the pass runs exactly the
	 * rounds another run of the command runs, however loaded the
	 * machine (a repeated round would change what the heap held). */
	bool untimed;
	uint64_t seed;
	unsigned warmup;   /* handshakes (and record batches) not measured */
	unsigned reps;     /* at least this many measured handshakes, and record
	                      batches per size */
	unsigned max_reps; /* at most this many, while chasing precision */
	double precision;  /* target: median known to +-precision (0.01: 1 %) */
	double budget_s;   /* seconds of rounds one scenario may spend chasing
	                      it */
	/* Who also sees the samples and the verified connection (the
	 * command's --raw, --trace and --pcap), or NULL. */
	const struct sb_run_observer *observer;
	size_t payloads[SB_PAYLOADS_MAX_COUNT];
	size_t payload_count;
	uint64_t cycle_overhead;
	unsigned stack_offset; /* the timed calls' stack (layout.h) */
	/* Records connections per scenario, measured in turn, round by
	 * round (0 or 1: one).  Each lies at its own addresses, and on this
	 * CPU one record loop's cost depends on the addresses of its data
	 * (README, "Address layout"): a figure over several is one over
	 * several layouts, not one layout's.  Timing only: instruction
	 * counts and the heap pass take one. */
	unsigned layouts;
	/* Each scenario's process shapes its heap from this seed before its
	 * first library call (layout.h, sb_layout_heap_shape); 0: it starts
	 * from the heap the run's process left. */
	unsigned long heap_layout;
	/* The least time between two speed probes of the rounds
	 * (schedule.h: stretches); 0: SB_SCHEDULE_STRETCH_NS. */
	uint64_t stretch_ns;
};

/* The most records connections per scenario (--layouts). */
#define SB_LAYOUTS_MAX 16

/*
 * The records connections a scenario sets up under these options: one
 * for instruction counts and the heap pass; else `layouts`, at most
 * SB_LAYOUTS_MAX and at most `max_reps`, so that every connection is
 * measured.  Record tracks stop only after whole turns of them, so each
 * has as many samples as the others.
 */
unsigned sb_run_layouts(const struct sb_run_options *options);

/*
 * A scenario in interleaved rounds (schedule.h): begin verifies it and
 * sets up its records connection, warm-ups done; each round measures one
 * handshake (the handshake phase) or one record batch each way per payload
 * for the tracks not yet done (the record phase); end adds its rows.
 */
struct sb_scenario_state;

/*
 * Check support, verify, warm up.  `*state` is NULL when the scenario is
 * over already (an unsupported row is in `results`); otherwise it must be
 * ended with sb_scenario_end, failed or not.  Returns 0 or SB_ERR_NOMEM.
 */
int sb_scenario_begin(const struct sb_scenario *scenario,
                      const struct sb_run_options *options,
                      struct sb_results *results,
                      struct sb_scenario_state **state) SB_MUST_USE;

/*
 * A run measures in two phases, each in interleaved rounds (schedule.h):
 * every scenario's handshakes first, then every scenario's record loops.
 * Record loops measured between handshakes ran 10-30 % slower, warm-up
 * batches or not, and one operation then cost more in a scenario that
 * shares the run with certificate handshakes (README, "Phases").
 */
enum sb_phase {
	SB_PHASE_HANDSHAKES,
	SB_PHASE_RECORDS,
};

/*
 * The rounds of `phase` the scenario has kept so far (taken-back rounds
 * not counted): its measured handshakes, or its record loops' rounds.
 */
unsigned sb_scenario_rounds_kept(const struct sb_scenario_state *state,
                                 enum sb_phase phase);

/* Whether the scenario wants another round of this phase. */
bool sb_scenario_round_wanted(const struct sb_scenario_state *state,
                              enum sb_phase phase);

/* One measured round of this phase: one handshake, or one record batch
 * each way per payload not yet done.  Returns whether the scenario wants
 * more of this phase (false once it has enough, or it failed). */
bool sb_scenario_round(struct sb_scenario_state *state, enum sb_phase phase);

/* Remember where the samples stand, so that the next round can be taken
 * back.  Returns 0 or SB_ERR_NOMEM. */
int sb_scenario_mark(struct sb_scenario_state *state) SB_MUST_USE;

/* Take back every sample since sb_scenario_mark: the round is measured
 * again (the machine was slowed while it ran). */
void sb_scenario_rollback(struct sb_scenario_state *state);

/*
 * Finish: steady-state figures, the guard, and the scenario's rows -- or
 * one failed row with the reason -- into `results`; frees `state` (NULL
 * is accepted).  Returns 0 or SB_ERR_NOMEM.
 */
int sb_scenario_end(struct sb_scenario_state *state,
                    struct sb_results *results) SB_MUST_USE;

/* Append the one failed row of `scenario` with `reason` (the scenario's
 * own process ended: worker.h).  Returns 0 or SB_ERR_NOMEM. */
int sb_scenario_failed(const struct sb_scenario *scenario, const char *reason,
                       struct sb_results *results) SB_MUST_USE;

/*
 * Run `scenario` alone, all its rounds in a row, and append its rows to
 * `results`.  A failed or
 * unsupported scenario is a row, not an error: the return value is 0, or
 * SB_ERR_NOMEM when rows could not be stored.
 */
int sb_scenario_run(const struct sb_scenario *scenario,
                    const struct sb_run_options *options,
                    struct sb_results *results) SB_MUST_USE;

#endif
