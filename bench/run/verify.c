#include "run/verify.h"

#include <stdio.h>
#include <string.h>

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

/* Room past the payload for a library that returns more than was sent. */
#define VERIFY_READ_SLACK 256

void sb_verify_pattern(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31u + seed);
}

static enum sb_role verify_peer(enum sb_role role)
{
	return role == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
}

int sb_verify_round_trip(struct sb_pair *pair, enum sb_role sender, char *why,
                         size_t len)
{
	uint8_t sent[SB_VERIFY_PAYLOAD];
	uint8_t got[SB_VERIFY_PAYLOAD + VERIFY_READ_SLACK];
	sb_verify_pattern(sent, sizeof(sent), sender);
	enum sb_role receiver = verify_peer(sender);
	if (sb_pair_write(pair, sender, sent, sizeof(sent))) {
		snprintf(why, len, "%s write: %s", sb_role_name(sender),
		         sb_pair_library_error(pair, sender));
		return SB_ERR_VERIFY;
	}
	int n = sb_pair_read(pair, receiver, got, sizeof(got));
	if (n != (int)sizeof(sent) || memcmp(sent, got, sizeof(sent)) != 0) {
		snprintf(why, len,
		         "data from %s did not arrive intact (%d bytes: %s)",
		         sb_role_name(sender), n,
		         n < 0 ? sb_pair_library_error(pair, receiver) : "");
		return SB_ERR_VERIFY;
	}
	return 0;
}

int sb_verify_replay(struct sb_pair *pair, const struct sb_figure_sink *sink,
                     char *why, size_t len)
{
	uint8_t sent[SB_VERIFY_PAYLOAD], copy[SB_LINK_MAX_MTU];
	uint8_t got[SB_VERIFY_PAYLOAD + VERIFY_READ_SLACK];
	sb_verify_pattern(sent, sizeof(sent), 11);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, sent, sizeof(sent))) {
		snprintf(why, len, "client write: %s",
		         sb_pair_library_error(pair, SB_ROLE_CLIENT));
		return SB_ERR_VERIFY;
	}
	int n =
	    sb_link_peek_newest(&pair->link, SB_DIR_C2S, copy, sizeof(copy));
	if (n < 0 ||
	    sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got)) !=
	        (int)sizeof(sent) ||
	    sb_link_inject(&pair->link, SB_DIR_C2S, copy, (size_t)n)) {
		snprintf(why, len, "record before the replay lost");
		return SB_ERR_VERIFY;
	}
	bool dropped = sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got)) < 0;
	return sink->add(sink->ctx, "server", "replay_dropped", "records",
	                 SB_NO_PAYLOAD, dropped ? 1 : 0);
}

int sb_verify_forge(struct sb_pair *pair, uint8_t *buf, size_t payload,
                    char *why, size_t len)
{
	sb_verify_pattern(buf, payload, 7);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, buf, payload) ||
	    sb_link_corrupt(&pair->link, SB_DIR_C2S, 0)) {
		snprintf(why, len, "could not send the forged record");
		return SB_ERR_VERIFY;
	}
	return 0;
}
