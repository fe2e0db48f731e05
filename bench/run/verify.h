/*
 * verify.h - the checks a connection must pass before its numbers count,
 * shared by the runner and `suitebench client`.
 */
#ifndef SB_VERIFY_H
#define SB_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "run/endpoint.h"
#include "wire/wire.h"

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

#endif
