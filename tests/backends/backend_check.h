/*
 * backend_check.h - the checks every backend's test file runs, against
 * itself or a peer library: handshake verifies, data round-trips, the
 * record overhead on the wire is the RFC's, a forged record is rejected,
 * and wrong credentials fail cleanly.  Shared by
 * tests/backends/test_<backend>.c.
 */
#ifndef SB_BACKEND_CHECK_H
#define SB_BACKEND_CHECK_H

#include <stddef.h>

#include "run/pair.h"

/* One row of a backend's suite table: a suite and its overhead per the RFCs. */
struct check_suite {
	char suite[32]; /* inline: Criterion re-executes the binary, so pointers
	                   in parameters would dangle */
	size_t dtls_overhead; /* 13-byte header + explicit nonce + tag */
};

/* A zeroed endpoint of `backend`, freed twice (a free must be safe on a
 * state never set up, and again): asserts that it survives and still has
 * a last error to show.  Returns the state, for the caller's own checks
 * and free(). */
void *check_free_twice(const char *backend);

/* The credentials of suites/credentials; fails the test if unreadable. */
void check_credentials(struct sb_credential_set *creds);

/* A pair configuration with defaults (MTU 1232, cookies on). */
void check_config(struct sb_pair_config *cfg, const char *client,
                  const char *server, const char *suite,
                  const struct sb_credential_set *creds);

/* Set up and handshake; fails the test with the pair's error otherwise. */
void check_connect(struct sb_pair *pair, const struct sb_pair_config *cfg);

/* Both sides negotiated the suite and authenticated their peer as they must. */
void check_verified(struct sb_pair *pair, const struct sb_pair_config *cfg);

/* A `len`-byte record from `sender` arrives intact; returns its wire size. */
size_t check_round_trip(struct sb_pair *pair, enum sb_role sender, size_t len);

/* The backend's batch calls: `len` bytes of `out` from `sender`, three
 * records in one write_batch, arrive intact through one read_batch, into
 * slots `len` + 64 bytes apart; a read_batch with nothing pending stops
 * at once with SB_ERR_WANT_IO.  check_round_trip runs it after its own. */
void check_batch_round_trip(struct sb_pair *pair, enum sb_role sender,
                            const uint8_t *out, size_t len);

/* A record with one flipped tag bit is not delivered to the server. */
void check_forgery_rejected(struct sb_pair *pair);

/*
 * DTLS: the client's last record sent again through the link fires the
 * nonce/sequence guard, and the server's anti-replay drops it.
 */
void check_guard_fires_on_replay(struct sb_pair *pair);

/* `backend` against itself in `protocol` with `suite`: the client trusts
 * an unrelated CA, so the handshake fails with the library's reason. */
void check_wrong_ca_fails(const char *backend, enum sb_protocol protocol,
                          const char *suite);

/* ... the client expects another server name: the handshake fails. */
void check_wrong_server_name_fails(const char *backend,
                                   enum sb_protocol protocol,
                                   const char *suite);

/* ... (DTLS) the client holds another PSK than the server: it fails. */
void check_wrong_psk_fails(const char *backend, const char *suite);

/* ... the server's key file is missing: setup fails, naming the server. */
void check_missing_key_fails(const char *backend, const char *suite);

/* The handshake of `cfg` fails, with a library error message. */
void check_handshake_fails(const struct sb_pair_config *cfg);

/*
 * The whole set for one suite: connect, verify, round-trip both ways with
 * the wire size checked against `overhead`, forged record rejected.
 */
void check_protocol_suite_works(const char *client, const char *server,
                                enum sb_protocol protocol, const char *suite,
                                size_t overhead, bool mutual, bool cookie);

/* check_protocol_suite_works() for DTLS 1.2 with `expect`'s overhead. */
void check_suite_works(const char *client, const char *server,
                       const struct check_suite *expect, bool mutual,
                       bool cookie);

/* One raw-public-key case of a backend's table. */
struct check_rpk {
	enum sb_protocol protocol;
	char suite[32];
	bool mutual;
};

/*
 * Raw public keys (RFC 7250): `client` against `server` connects and
 * verifies with --auth rpk, each side that authenticates (the server; the
 * client too when `mutual`) sends more than 300 bytes less than with its
 * certificate, and data round-trips both ways.
 */
void check_rpk_works(const char *client, const char *server,
                     enum sb_protocol protocol, const char *suite, bool mutual);
/* ... the client pinned other.pub instead of the server's key (with
 * `mutual`: the server pinned it instead of the client's): it fails. */
void check_rpk_wrong_pin_fails(const char *client, const char *server,
                               enum sb_protocol protocol, const char *suite,
                               bool mutual);
/* DTLS: the length of the session ID in the server's ServerHello of a
 * handshake with `cfg`. */
size_t check_server_hello_session_id_len(const struct sb_pair_config *cfg);

#endif
