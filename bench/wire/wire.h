/*
 * wire.h - what crosses the wire, record by record.
 *
 * The link hands every send to sb_wire_observe(), which parses the DTLS
 * 1.2 (RFC 6347 4.1) or TLS 1.2 (RFC 5246 6.2.1) record headers, keeps a
 * copy when capturing (for --trace and --pcap), and guards the two
 * invariants AEAD security rests on: no (epoch, sequence number) is sent
 * twice, and no explicit nonce repeats within an epoch (RFC 5288 3: a
 * repeated GCM nonce gives the authentication key away).
 *
 * DTLS 1.3 (RFC 9147 4) sends two forms in one connection: DTLSPlaintext
 * (the 13-byte header above) in epoch 0, and DTLSCiphertext behind the
 * unified header -- one byte 001CSLEE, the Connection ID when C is set,
 * an 8- or 16-bit sequence number (S), a 16-bit length when L is set --
 * whose sequence number is encrypted (4.2.3) and whose epoch shows only
 * its low two bits.  What the guard can check there is what is visible:
 * plaintext only in epoch 0, with growing sequence numbers; epoch bits
 * that step forward one epoch at a time (or back one, a retransmitted
 * flight); and no ciphertext record sent twice -- same header bytes and
 * same last 16 bytes (which hold the AEAD tag): a reused record number
 * with the same plaintext.  A reused record number with another plaintext
 * gives other ciphertext and is not visible without the keys.
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
#define SB_CT_TLS12_CID 25 /* RFC 9146 */
#define SB_CT_ACK 26       /* RFC 9147 7 */

/* DTLS 1.3 unified header, first byte 001CSLEE (RFC 9147 4). */
#define SB_DTLS13_FIXED_MASK 0xe0
#define SB_DTLS13_FIXED_BITS 0x20
#define SB_DTLS13_C 0x10 /* Connection ID present */
#define SB_DTLS13_S 0x08 /* 16-bit sequence number (else 8) */
#define SB_DTLS13_L 0x04 /* length present (else to the datagram's end) */
#define SB_DTLS13_EPOCH_BITS 0x03

/*
 * The most plaintext one record carries: 2^14 bytes (RFC 5246 6.2.1 and
 * RFC 6347 4.1 "MUST NOT exceed 2^14"; RFC 8446 5.1, RFC 9147 4).  A larger
 * write is split into several records, so no payload above it measures one
 * record.
 */
#define SB_WIRE_PLAINTEXT_MAX 16384

/* One record header. */
struct sb_record {
	uint8_t type;      /* DTLS 1.3 ciphertext: 0, the type is encrypted */
	uint16_t version;  /* DTLS 1.3 ciphertext: 0, there is none */
	uint16_t epoch;    /* DTLS only; DTLS 1.3 ciphertext: its low 2 bits */
	uint64_t seq;      /* DTLS: 48-bit sequence number; DTLS 1.3 ciphertext:
	                      the 8 or 16 encrypted bits as sent; TLS: count */
	size_t length;     /* of the body */
	size_t offset;     /* of the header within the datagram */
	size_t header_len; /* 13 for DTLSPlaintext, 1 to 7 + CID unified */
	bool unified;      /* DTLS 1.3 unified header */
	uint8_t flags;     /* unified: the first byte, 001CSLEE */
	uint8_t cid_len;   /* unified: Connection ID bytes in the header */
	uint8_t seq_len;   /* unified: 1 or 2 */
};

/*
 * Parse the DTLS records of one datagram into `out` (at most `cap`): DTLS
 * 1.2 headers, and DTLS 1.3 unified headers (first byte 0x20-0x3f) whose
 * Connection ID, when present, is `cid_len` bytes -- the length the
 * receiver negotiated, which the header does not carry.  A unified header
 * without a length takes the rest of the datagram.  Returns how many
 * headers were complete; a trailing fragment shorter than a header is not
 * returned.
 */
size_t sb_wire_dtls_parse(const uint8_t *buf, size_t len, size_t cid_len,
                          struct sb_record *out, size_t cap);

/* The same without Connection IDs. */
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
	/* DTLS 1.3 ciphertext: the epoch its bits stand for (0: none yet),
	 * and fingerprints of the records sent */
	uint64_t epoch13;
	struct sb_nonce_set seen13;
	/* the header of the last record this direction sent */
	struct sb_record last;
};

/* A record seen but not yet checked: the guard runs outside timed loops. */
struct sb_wire_pending {
	uint8_t dir;
	bool has_nonce;
	uint16_t epoch;
	uint64_t seq;
	uint64_t nonce;
	bool unified;         /* DTLS 1.3 ciphertext: epoch has 2 bits */
	uint64_t fingerprint; /* unified: header and last 16 bytes hashed */
};

struct sb_wire {
	bool stream;    /* TLS framing instead of DTLS */
	bool dtls13;    /* DTLS 1.3: plaintext records in epoch 0 only */
	size_t cid_len; /* DTLS 1.3: Connection ID bytes on unified headers */
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

/*
 * The connection is DTLS 1.3 with Connection IDs of `cid_len` bytes (0:
 * none) on its ciphertext records, the same both ways.  Call before the
 * first send.
 */
void sb_wire_dtls13(struct sb_wire *wire, size_t cid_len);

/*
 * The connection is DTLS 1.2 with Connection IDs of `cid_len` bytes (RFC
 * 9146): its tls12_cid records carry them between sequence number and
 * length, the same both ways.  Call before the first send.
 */
void sb_wire_dtls12_cid(struct sb_wire *wire, size_t cid_len);

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

/* A handshake message type's name (RFC 5246 7.4, RFC 6347 4.3.2, RFC
 * 8446 4). */
const char *sb_wire_handshake_name(uint8_t type);

#endif
