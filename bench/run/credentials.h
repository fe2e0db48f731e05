/*
 * credentials.h - the test credentials a run uses, found in one directory.
 *
 * The directory (default: the source tree's suites/credentials, baked in
 * at build time) holds PEM files the libraries load themselves and
 * psk.txt, one line "identity hexkey".  See suites/make-credentials.sh.
 */
#ifndef SB_CREDENTIALS_H
#define SB_CREDENTIALS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"

#define SB_PSK_MAX 64
#define SB_PSK_IDENTITY_MAX 128

struct sb_credential_set {
	char ca[PATH_MAX];       /* CA that signed server and client */
	char other_ca[PATH_MAX]; /* an unrelated CA, for negative tests */
	char server_cert[PATH_MAX];
	char server_key[PATH_MAX];
	/* The RSA-2048 leaf for the same name, signed by the same CA: the
	 * server's identity in ECDHE-RSA suites. */
	char server_rsa_cert[PATH_MAX];
	char server_rsa_key[PATH_MAX];
	char client_cert[PATH_MAX];
	char client_key[PATH_MAX];
	/* Raw public keys (RFC 7250): the leaves' SubjectPublicKeyInfo, and
	 * an unrelated key for negative tests.  Empty when the directory has
	 * none (older credential sets): only --auth rpk needs them. */
	char server_pub[PATH_MAX];
	char client_pub[PATH_MAX];
	char other_pub[PATH_MAX];
	char psk_identity[SB_PSK_IDENTITY_MAX];
	uint8_t psk[SB_PSK_MAX];
	size_t psk_len;
};

/* What the endpoint playing `role` in `suite` is given of `set`: the CA,
 * its own certificate and key -- for a server in an ECDHE-RSA suite the
 * RSA leaf, else the P-256 one -- its own public key and its peer's for
 * raw public keys (the P-256 leaves': there is no RSA one), and the PSK
 * (pointers into `set`). */
struct sb_credentials sb_credentials_for(const struct sb_credential_set *set,
                                         const struct sb_suite *suite,
                                         enum sb_role role);

/* The directory compiled in as the default. */
const char *sb_credentials_default_dir(void);

/*
 * Locate every file in `dir`, check each can be read, and parse psk.txt.
 * Returns 0, or SB_ERR_CREDENTIALS with one line naming the file and the
 * problem in `msg`.
 */
int sb_credentials_load(struct sb_credential_set *set, const char *dir,
                        char *msg, size_t msg_len) SB_MUST_USE;

/*
 * Parse a psk.txt line "identity hexkey" into the set.  Returns 0 or
 * SB_ERR_CREDENTIALS (with the problem in `msg`).
 */
int sb_credentials_parse_psk(struct sb_credential_set *set, const char *line,
                             char *msg, size_t msg_len) SB_MUST_USE;

#endif
