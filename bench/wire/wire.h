/*
 * wire.h - what crosses the wire, record by record.
 *
 * The link hands every send to sb_wire_observe(), which parses the DTLS
 * 1.2 (RFC 6347 4.1) or TLS 1.2 (RFC 5246 6.2.1) record headers, keeps a
 * copy when capturing (for --trace and --pcap), and guards the two
 * invariants AEAD security rests on: no (epoch, sequence number) is sent
 * twice, and no explicit nonce repeats within an epoch (RFC 5288 3: a
 * repeated GCM nonce gives the authentication key away).
 */
#ifndef SB_WIRE_H
#define SB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/status.h"
#include "suites/suites.h"

/* TLS content types (RFC 5246 6.2.1). */
#define SB_CT_CHANGE_CIPHER_SPEC 20
#define SB_CT_ALERT 21
#define SB_CT_HANDSHAKE 22
#define SB_CT_APPLICATION_DATA 23

/* One record header. */
struct sb_record {
	uint8_t type;
	uint16_t version;
	uint16_t epoch; /* DTLS only */
	uint64_t seq;   /* DTLS: 48-bit sequence number; TLS: implicit count */
	size_t length;  /* of the body */
	size_t offset;  /* of the header within the datagram */
};

/*
 * Parse the DTLS records of one datagram into `out` (at most `cap`).
 * Returns how many headers were complete; a trailing fragment shorter
 * than a header is not returned.
 */
size_t sb_wire_dtls_records(const uint8_t *buf, size_t len,
                            struct sb_record *out, size_t cap);

/* A copy of one send, kept while capturing. */
struct sb_wire_packet {
	uint8_t dir;      /* enum sb_dir of link.h */
	uint64_t time_us; /* the virtual clock at the send, 0 if none */
	size_t flight;    /* 1-based, as the link numbers flights */
	size_t len;
	uint8_t *data;
};

/* Seen explicit nonces of one direction and epoch: an open-addressed set. */
struct sb_nonce_set {
	uint64_t *slots; /* 0 marks an empty slot; nonce 0 is kept apart */
	size_t used;
	size_t cap;
	bool has_zero;
};

/* DTLS epochs guarded: 0 (clear) and 1 are used; more are room. */
#define SB_WIRE_EPOCHS 8

struct sb_wire_direction {
	/* DTLS: the lowest sequence number still allowed, per epoch */
	uint64_t next_seq[SB_WIRE_EPOCHS];
	uint16_t epoch;             /* the highest epoch sent so far */
	struct sb_nonce_set nonces; /* explicit nonces of that epoch */
	/* TLS: a record header and nonce being read across sends */
	uint8_t head[5 + 8];
	size_t head_have;
	size_t body_left;
	uint64_t tls_seq;   /* records so far: TLS's implicit sequence */
	bool tls_encrypted; /* after this direction's ChangeCipherSpec */
};

/* A record seen but not yet checked: the guard runs outside timed loops. */
struct sb_wire_pending {
	uint8_t dir;
	bool has_nonce;
	uint16_t epoch;
	uint64_t seq;
	uint64_t nonce;
};

struct sb_wire {
	bool stream; /* TLS framing instead of DTLS */
	struct sb_wire_pending *pending;
	size_t pending_count;
	size_t pending_cap;
	size_t nonce_len; /* explicit nonce bytes per record (0, 8) */
	struct sb_wire_direction dir[2];
	bool capturing;
	struct sb_wire_packet *packets;
	size_t packet_count;
	size_t packet_cap;
	char violation[200]; /* the first guard violation: read it with
	                        sb_wire_check_guard() */
};

/*
 * Start observing a connection.  `nonce_len` is the suite's explicit
 * nonce length (0 for ChaCha20-Poly1305).  Cannot fail.
 */
void sb_wire_init(struct sb_wire *wire, bool stream, size_t nonce_len);

/* Release captured packets and the nonce sets; safe on zeroed, twice. */
void sb_wire_free(struct sb_wire *wire);

/* From now on keep a copy of every send. */
void sb_wire_capture(struct sb_wire *wire);

/*
 * Look at one send in direction `dir` (0 client to server, 1 back): count
 * the records it begins into `*records` (DTLS: whole headers in the
 * datagram; TLS: headers completed by these bytes of the stream), note
 * them for the guard, capture the send when capturing.  Returns 0 or
 * SB_ERR_NOMEM.  The guard itself runs in sb_wire_check_guard(), so that a
 * timed record loop pays only for noting.
 */
int sb_wire_observe(struct sb_wire *wire, int dir, const uint8_t *buf,
                    size_t len, uint64_t time_us, size_t flight,
                    size_t *records) SB_MUST_USE;

/*
 * Check every record noted since the last call; return the first
 * violation ever found ("" if none), e.g. "client sent epoch 1 sequence 5
 * again (expected 6 or above)".  NULL only when out of memory.
 */
const char *sb_wire_check_guard(struct sb_wire *wire);

/* A content type's name: "handshake", "alert", ... */
const char *sb_wire_type_name(uint8_t type);

/* A handshake message type's name (RFC 5246 7.4, RFC 6347 4.3.2). */
const char *sb_wire_handshake_name(uint8_t type);

#endif
