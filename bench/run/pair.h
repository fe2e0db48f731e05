/*
 * pair.h - a client endpoint and a server endpoint joined by a link.
 *
 * The pair drives a handshake by stepping both endpoints in turn, charges
 * the TSC cycles of each step() to the endpoint that made it, and advances
 * the virtual clock only when both sides wait with nothing on the wire.
 * A pair points into itself once set up: it must not be moved or copied.
 */
#ifndef SB_PAIR_H
#define SB_PAIR_H

#include "run/credentials.h"
#include "run/endpoint.h"
#include "wire/link.h"
#include "wire/vclock.h"

/* The name in the test server certificate (suites/make-credentials.sh). */
#define SB_SERVER_NAME "server.suitebench.test"

struct sb_pair_config {
	const struct sb_backend *client;
	const struct sb_backend *server;
	enum sb_protocol protocol;
	const struct sb_suite *suite;
	const struct sb_credential_set *creds;
	/* The client's own set when it differs (negative tests); NULL: creds.
	 */
	const struct sb_credential_set *client_creds;
	const char *server_name; /* the name the client expects */
	size_t mtu;
	bool cookie;
	bool mutual;
	enum sb_auth auth; /* certificate key exchanges: X.509 or RPK */
	size_t cid_len;    /* DTLS Connection ID bytes, 0: none */
	enum sb_impl impl;
	bool deterministic;
	bool transcript; /* hash the handshake (between calls) */
	uint64_t seed;
	bool count_instructions; /* under callgrind: count each call too */
	uint64_t cycle_overhead; /* subtracted from every timed call */
	unsigned stack_offset; /* the timed calls' stack position (layout.h) */
};

struct sb_pair {
	struct sb_link link;
	struct sb_vclock clock;
	struct sb_endpoint ep[2]; /* indexed by enum sb_role */
	struct sb_meter meter;
	uint64_t handshake_virtual_us; /* virtual time the handshake took */
	char error[400];
};

/*
 * Create both endpoints for `cfg` (which must outlive the pair), timing
 * each endpoint_setup.  Returns 0, or a negative status with the reason in
 * pair->error.  The pair must be freed either way.
 */
int sb_pair_setup(struct sb_pair *pair,
                  const struct sb_pair_config *cfg) SB_MUST_USE;

/*
 * Step both endpoints until both finish the handshake.  Returns 0, or a
 * negative status with the failing side and the library's text in
 * pair->error.
 */
int sb_pair_handshake(struct sb_pair *pair) SB_MUST_USE;

/* The endpoint playing `role` writes one record; 0 or negative status. */
int sb_pair_write(struct sb_pair *pair, enum sb_role role, const uint8_t *buf,
                  size_t len) SB_MUST_USE;

/* The endpoint playing `role`'s direct calls for a timed loop (endpoint.h). */
struct sb_endpoint_direct sb_pair_direct(const struct sb_pair *pair,
                                         enum sb_role role);

/* The endpoint playing `role` reads one record: its length or a status. */
int sb_pair_read(struct sb_pair *pair, enum sb_role role, uint8_t *buf,
                 size_t cap) SB_MUST_USE;

/* The role's backend's text for its last failure. */
const char *sb_pair_library_error(struct sb_pair *pair, enum sb_role role);

/* Free both endpoints and the link; safe on a zeroed pair, twice. */
void sb_pair_free(struct sb_pair *pair);

#endif
