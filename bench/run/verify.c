#include "run/verify.h"

#include <stdio.h>

int sb_verify_endpoint(const struct sb_endpoint *ep,
                       const struct sb_suite *want, bool must_authenticate,
                       char *why, size_t len)
{
	const char *role = sb_role_name(ep->cfg.role);
	uint16_t got = ep->backend->negotiated_suite(ep->state);
	if (got != want->code_point) {
		const struct sb_suite *instead = sb_suite_by_code(got);
		snprintf(why, len,
		         "%s negotiated suite 0x%04X (%s), not 0x%04X", role,
		         got, instead ? instead->short_name : "unknown",
		         want->code_point);
		return SB_ERR_VERIFY;
	}
	if (must_authenticate && !ep->backend->peer_authenticated(ep->state)) {
		snprintf(why, len, "%s did not authenticate its peer", role);
		return SB_ERR_VERIFY;
	}
	return 0;
}

int sb_verify_guard(struct sb_wire *wire, char *why, size_t len)
{
	const char *violation = sb_wire_check_guard(wire);
	if (!violation) {
		snprintf(why, len, "out of memory");
		return SB_ERR_NOMEM;
	}
	if (violation[0]) {
		snprintf(why, len, "nonce/sequence guard: %s", violation);
		return SB_ERR_VERIFY;
	}
	return 0;
}
