/*
 * verify.h - the checks a connection must pass before its numbers count,
 * shared by the runner, `suitebench client` and `run --target`.
 */
#ifndef SB_VERIFY_H
#define SB_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "run/endpoint.h"
#include "run/figures.h"
#include "run/pair.h"
#include "wire/wire.h"

/* The payload of the verification records, bytes. */
#define SB_VERIFY_PAYLOAD 100

/*
 * The finished handshake of `ep` negotiated `want`, and, when
 * `must_authenticate`, authenticated its peer.  Returns 0, or
 * SB_ERR_VERIFY with the reason in `why`.
 */
int sb_verify_endpoint(const struct sb_endpoint *ep,
                       const struct sb_suite *want, bool must_authenticate,
                       char *why, size_t len) SB_MUST_USE;

/*
 * Run the nonce and sequence guard over what `wire` noted since the last
 * check (wire.h).  Returns 0; SB_ERR_VERIFY with the offending record in
 * `why`; or SB_ERR_NOMEM.
 */
int sb_verify_guard(struct sb_wire *wire, char *why, size_t len) SB_MUST_USE;

/* Fill `buf` with the test pattern of `seed`: byte i is i * 31 + seed. */
void sb_verify_pattern(uint8_t *buf, size_t len, unsigned seed);

/*
 * `sender` writes one record of SB_VERIFY_PAYLOAD pattern bytes and its
 * peer must read exactly them.  Returns 0, or SB_ERR_VERIFY with the
 * reason in `why`.
 */
int sb_verify_round_trip(struct sb_pair *pair, enum sb_role sender, char *why,
                         size_t len) SB_MUST_USE;

/*
 * DTLS anti-replay (RFC 6347 4.1.2.6): the client sends a record, the
 * server reads it, and the same datagram goes in again as an attacker's
 * would, past the guard (the endpoint did not send it twice).  Whether
 * the server did not deliver it twice goes to `sink` as the server's
 * replay_dropped (records, 1 or 0): detection is optional in the RFC, so
 * not dropping it is a figure, not a failure.  Returns 0, the sink's
 * status, or SB_ERR_VERIFY with the reason in `why`.
 */
int sb_verify_replay(struct sb_pair *pair, const struct sb_figure_sink *sink,
                     char *why, size_t len) SB_MUST_USE;

/*
 * The client sends a record of `payload` pattern bytes (from `buf`,
 * which must hold them) and the link flips one bit of its tag: the
 * server must then refuse it (the caller reads).  Returns 0, or
 * SB_ERR_VERIFY with the reason in `why`.
 */
int sb_verify_forge(struct sb_pair *pair, uint8_t *buf, size_t payload,
                    char *why, size_t len) SB_MUST_USE;

#endif
