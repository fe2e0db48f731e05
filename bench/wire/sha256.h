/*
 * sha256.h - SHA-256 (FIPS 180-4), for transcript digests.
 *
 * The core may not include a TLS library's header, so it carries its own
 * small SHA-256: it fingerprints what crossed the wire, so two runs can
 * be shown to have produced identical transcripts.
 */
#ifndef SB_SHA256_H
#define SB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SB_SHA256_LEN 32

struct sb_sha256 {
	uint32_t state[8];
	uint64_t length; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in `block` */
};

/* Start a digest.  Cannot fail. */
void sb_sha256_init(struct sb_sha256 *ctx);

/* Hash `len` more bytes. */
void sb_sha256_update(struct sb_sha256 *ctx, const void *data, size_t len);

/* Finish: write the 32-byte digest; `ctx` must be initialised again to reuse.
 */
void sb_sha256_final(struct sb_sha256 *ctx, uint8_t out[SB_SHA256_LEN]);

/* The digest as 64 lowercase hex digits and a NUL. */
void sb_sha256_hex(const uint8_t digest[SB_SHA256_LEN], char out[65]);

#endif
