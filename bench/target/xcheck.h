/*
 * xcheck.h - the cross-check of the bytes on the wire (`run --target
 * cortex-m4 --cross-check`): a target program's bytes on the emulated
 * Cortex-M4 must equal those of the same program, library build and
 * configuration compiled for x86-64 and run natively (proc.h).
 *
 * Both builds make the same connection through the same pair and link,
 * deterministic with the same seed: the handshake, then one record of
 * each payload each way.  Every send is captured and compared, in order,
 * byte for byte -- so the bytes per flight and direction, the transcript
 * and each record's size and overhead are equal, or the first send that
 * differs is named.  Equal bytes say the emulated build computes what
 * the native one does: the emulator, the 32-bit build of the library and
 * the port change nothing on the wire.
 */
#ifndef SB_TARGET_XCHECK_H
#define SB_TARGET_XCHECK_H

#include "target/scenario.h"
#include "wire/link.h"

#define SB_XCHECK_FLIGHTS 16

/* What was compared, from the Cortex-M4 run (equal to the other). */
struct sb_xcheck_summary {
	size_t sends; /* datagrams, or stream sends */
	uint64_t bytes;
	size_t flight_count; /* of the handshake */
	struct sb_flight flights[SB_XCHECK_FLIGHTS];
	char transcript[65];
	size_t payload_count;
	size_t payloads[SB_PAYLOADS_MAX_COUNT];
	uint64_t record_bytes[SB_PAYLOADS_MAX_COUNT][2]; /* by enum sb_dir */
};

/* One build's connection as sent, for the comparison. */
struct sb_xcheck_sends {
	const char *build; /* "cortex-m4", "x86-64" */
	struct sb_wire_packet *sends;
	size_t count;
	size_t handshake_sends; /* the first ones: the handshake's */
	char transcript[65];
};

/*
 * Compare two builds' sends in order: direction, length, bytes, then
 * their number and the transcripts.  Returns 0 when equal, or
 * SB_ERR_VERIFY with the first difference in `why`: the send, its
 * flight (or "records") and direction, both lengths, the first byte
 * that differs and 8 bytes of each from there in hex.
 */
int sb_xcheck_compare(const struct sb_xcheck_sends *a,
                      const struct sb_xcheck_sends *b, char *why,
                      size_t len) SB_MUST_USE;

/*
 * Connect `sc` on emulated cores (sc's programs) and natively
 * (`host_client`, `host_server`: the x86-64 build) and compare.  Returns
 * 0 when every send is equal, with `out` filled; SB_ERR_VERIFY with the
 * first difference in `why`; another negative status when a run failed
 * (`why` names the build).
 */
int sb_target_xcheck(const struct sb_target_scenario *sc,
                     const char *host_client, const char *host_server,
                     const struct sb_target_options *o,
                     struct sb_xcheck_summary *out, char *why,
                     size_t len) SB_MUST_USE;

#endif
