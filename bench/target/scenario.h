/*
 * scenario.h - one scenario on emulated Cortex-M4s: `run --target`.
 *
 * A client program and a server program (device.h) are joined by the
 * pair and link of `run` (run/pair.h), so bytes, datagrams, flights, the
 * trace and the nonce/sequence guard are the same code.  The connection
 * is verified first as `run` verifies it -- the suite negotiated, the
 * peer authenticated, data round-trips both ways, a replayed DTLS record
 * dropped (a figure), a forged record rejected -- then handshakes and
 * records are counted.
 *
 * Every figure is exact and repeats: instructions each side executed,
 * from the emulator; stack high-water (painted stack) and heap peak (the
 * program's allocator) per side; and, labelled as estimates, cycles from
 * the instruction mix (thumb.h) with their bounds, milliseconds (records:
 * microseconds) at the MCU clock and, given the MCU's active power per
 * MHz, microjoules.  Rows carry build "cortex-m4".
 */
#ifndef SB_TARGET_SCENARIO_H
#define SB_TARGET_SCENARIO_H

#include "output/results.h"
#include "run/credentials.h"
#include "run/pair.h"
#include "run/runner.h"
#include "target/emu.h"

struct sb_target_options {
	const struct sb_credential_set *creds;
	size_t mtu;
	bool cookie;
	uint64_t seed;
	unsigned reps; /* measured handshakes and records per payload, >= 2 */
	size_t payloads[SB_PAYLOADS_MAX_COUNT];
	size_t payload_count;
	double mcu_mhz;        /* the clock the times are estimated at */
	double mcu_uw_per_mhz; /* active power per MHz; 0: no energy rows */
	enum sb_emu_counting counting;
	const struct sb_run_observer *observer; /* --trace, --pcap, --raw */
};

struct sb_target_scenario {
	const struct sb_backend *device; /* sb_device_mbedtls, ... */
	const char *client_program;      /* ELF paths */
	const char *server_program;
	enum sb_protocol protocol;
	const struct sb_suite *suite;
};

/* The `build` column of the rows: "cortex-m4". */
#define SB_TARGET_BUILD "cortex-m4"

/*
 * Run `sc` and append its rows to `results`; a failed scenario is one
 * `failed` row with the reason.  Returns 0, or SB_ERR_NOMEM.
 */
int sb_target_scenario_run(const struct sb_target_scenario *sc,
                           const struct sb_target_options *options,
                           struct sb_results *results) SB_MUST_USE;

/* The pair of `sc`: deterministic (seeded by o->seed, the virtual
 * clock), its handshake hashed into the transcript. */
struct sb_pair_config sb_target_pair_config(const struct sb_target_scenario *sc,
                                            const struct sb_target_options *o);

/* The largest record payload of a connected pair of target programs:
 * what fits the MTU (DTLS), what both libraries take, what fits the
 * programs' buffer. */
size_t sb_target_max_payload(struct sb_pair *pair);

/* A row of the scenario of `library` (client and server), `protocol`
 * and `suite`, build "cortex-m4": the caller fills side, metric, unit
 * and figures. */
struct sb_row sb_target_row(const char *library, enum sb_protocol protocol,
                            const struct sb_suite *suite);

/* One row for the whole scenario (unsupported, or failed before it ran:
 * its programs did not build).  Returns 0 or SB_ERR_NOMEM. */
int sb_target_status_row(const char *library, enum sb_protocol protocol,
                         const struct sb_suite *suite,
                         enum sb_row_status status, const char *reason,
                         struct sb_results *results) SB_MUST_USE;

#endif
