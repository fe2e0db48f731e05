/*
 * link.h - the in-memory link between a client and a server endpoint.
 *
 * Two queues, one per direction, that keep datagram boundaries and refuse
 * a datagram larger than the MTU.  Every byte a backend sends passes
 * through sb_link_send(), so bytes, datagrams and records on the wire are
 * counted here, once, identically for every library.
 *
 * Flights are numbered by the link: a new flight starts whenever the
 * sending direction changes (DESIGN.md, measurement rules).
 *
 * Two modes: datagram (DTLS) keeps each send as one datagram; stream
 * (TLS) is an ordered byte stream like TCP, where a "datagram" counts one
 * send call (one segment) and records are found by following the 5-byte
 * TLS record headers across sends.
 */
#ifndef SB_LINK_H
#define SB_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "wire/sha256.h"
#include "wire/wire.h"

/* 1280-byte IPv6 minimum MTU (RFC 8200 5) less 40 bytes IPv6 and 8 bytes UDP.
 */
#define SB_LINK_DEFAULT_MTU 1232
/* The largest datagram a link accepts as its MTU: a UDP payload's limit. */
#define SB_LINK_MAX_MTU 65507
/* Smaller than any DTLS 1.2 handshake message can be fragmented into. */
#define SB_LINK_MIN_MTU 256

enum sb_link_mode {
	SB_LINK_DATAGRAM,
	SB_LINK_STREAM,
};

enum sb_dir {
	SB_DIR_C2S = 0, /* client to server */
	SB_DIR_S2C = 1, /* server to client */
};

struct sb_link_counters {
	uint64_t bytes;
	uint64_t datagrams;
	uint64_t records;
};

struct sb_flight {
	enum sb_dir dir;
	struct sb_link_counters sent;
};

/* Datagrams waiting in one direction: a ring of MTU-sized slots. */
struct sb_link_queue {
	uint8_t *slots;
	size_t *lens;
	size_t head;
	size_t count;
	size_t cap;
};

/* Bytes waiting in one direction of a stream (records: the wire view). */
struct sb_link_stream {
	uint8_t *data;
	size_t head; /* first unread byte */
	size_t len;  /* unread bytes */
	size_t cap;
	size_t *sends; /* lengths of the sends not yet observed, oldest first
	                  (sb_link_defer): the unread bytes end with them */
	size_t send_cap;
};

/*
 * Seeded faults of a lossy datagram path, each a probability per datagram:
 * lost, delivered twice, or held back behind the next datagram (or until
 * the receiver finds nothing else).  Sent bytes are counted either way:
 * the sender paid for them.
 */
struct sb_link_faults {
	double loss;
	double duplicate;
	double reorder;
};

/* What an endpoint's sb_io callbacks point at: a link and a direction. */
struct sb_link_port {
	struct sb_link *link;
	enum sb_dir out;
};

struct sb_link {
	enum sb_link_mode mode;
	size_t mtu;
	struct sb_link_queue queue[2];
	struct sb_link_stream stream[2];
	struct sb_link_counters sent[2];
	struct sb_flight *flights;
	size_t flight_count;
	size_t flight_cap;
	struct sb_link_port port[2];
	struct sb_sha256 transcript; /* the sends hashed so far */
	bool hashing;                /* between transcript start and stop */
	size_t seen[2];        /* queued datagrams, or stream bytes, at the last
	                          transcript update */
	struct sb_wire wire;   /* record view, guard and capture */
	struct sb_clock clock; /* timestamps captured packets; optional */
	struct sb_link_faults faults;
	struct sb_rng fault_rng;
	uint8_t *held[2]; /* a datagram held back by reordering */
	size_t held_len[2];
	bool deferring;       /* sb_link_defer: observe sends later */
	unsigned defer_depth; /* sb_link_defer(true) calls not yet undone */
	size_t unobserved[2]; /* queued datagrams not yet counted */
};

/*
 * Initialise an empty link.  In datagram mode `mtu` is the largest
 * datagram it carries; in stream mode it only sizes reservations.
 * Cannot fail.
 */
void sb_link_init(struct sb_link *link, enum sb_link_mode mode, size_t mtu);

/*
 * Guard the records of a connection whose suite has `nonce_len` bytes of
 * explicit nonce (sb_wire.h); a violation lands in link->wire.violation.
 */
void sb_link_guard(struct sb_link *link, size_t nonce_len);

/* Release the link's queues and flight list; safe on a zeroed link, twice. */
void sb_link_free(struct sb_link *link);

/*
 * Queue one datagram (stream: append `len` bytes) in direction `dir` and
 * count it.  Returns 0, SB_ERR_MTU if a datagram exceeds the MTU,
 * SB_ERR_INVALID when `len` is 0, or SB_ERR_NOMEM.
 */
int sb_link_send(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                 size_t len) SB_MUST_USE;

/*
 * Count one datagram (stream: one send of `len` bytes) that crossed in
 * direction `dir` without being queued here -- through a real socket --
 * exactly as sb_link_send counts what it queues: bytes, datagrams,
 * records, flights, the wire view (guard, capture) and the transcript.
 * Returns 0, SB_ERR_INVALID when `len` is 0, or SB_ERR_NOMEM.
 */
int sb_link_count(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                  size_t len) SB_MUST_USE;

/*
 * Take the oldest datagram in direction `dir` into `buf`.  Returns its
 * length, SB_ERR_WANT_IO if none is queued, or SB_ERR_INVALID if it does
 * not fit in `cap` (the datagram stays queued).  Stream: take up to `cap`
 * bytes; returns how many, or SB_ERR_WANT_IO when none wait.
 */
int sb_link_recv(struct sb_link *link, enum sb_dir dir, uint8_t *buf,
                 size_t cap) SB_MUST_USE;

/* Datagrams (stream: bytes) waiting in direction `dir`. */
size_t sb_link_pending(const struct sb_link *link, enum sb_dir dir);

/*
 * Make room for `count` more datagrams (stream: `count` MTUs of bytes) in
 * direction `dir`, so that timed loops never grow a queue.  Returns 0 or
 * SB_ERR_NOMEM.
 */
int sb_link_reserve(struct sb_link *link, enum sb_dir dir,
                    size_t count) SB_MUST_USE;

/*
 * Flip one bit of the newest datagram queued in direction `dir` (stream:
 * of the unread bytes): bit 0 of the byte `from_end` bytes before its end
 * (0 is the last byte).  Used to forge a record.  Returns 0, or
 * SB_ERR_INVALID if nothing is queued or it is shorter than that.
 */
int sb_link_corrupt(struct sb_link *link, enum sb_dir dir,
                    size_t from_end) SB_MUST_USE;

/*
 * The SHA-256 of everything sent between sb_link_transcript_start and
 * sb_link_transcript_stop, as 64 hex digits:
 * each send hashed as direction (1 byte), length (4 bytes, big-endian) and
 * the bytes, so boundaries and order count.  Reading it does not stop it.
 */
void sb_link_transcript_hex(const struct sb_link *link, char out[65]);

/*
 * Hash the sends made since the last update into the transcript.  Sends
 * do nothing for the transcript, so that no work of it runs inside a
 * measured call: the caller updates after every endpoint call, so that
 * between two updates one endpoint either appended to a direction (the
 * new tail is hashed) or read from it (nothing to hash).
 */
void sb_link_transcript_update(struct sb_link *link);

/*
 * Hash every send into the transcript from now on, and stop.  Off by
 * default: the hash runs inside timed calls, so only --deterministic,
 * which reports it, turns it on, and only for the handshake.
 */
void sb_link_transcript_start(struct sb_link *link);
void sb_link_transcript_stop(struct sb_link *link);

/*
 * Apply `faults` to every datagram sent from now on, decided by a
 * generator seeded with `seed`: the same seed, the same fate for the n-th
 * datagram.  Datagram mode only; zero probabilities turn faults off.
 */
void sb_link_set_faults(struct sb_link *link,
                        const struct sb_link_faults *faults, uint64_t seed);

/*
 * Copy the newest datagram queued in direction `dir` into `buf` without
 * taking it.  Returns its length, SB_ERR_WANT_IO if none is queued, or
 * SB_ERR_INVALID if it does not fit.  Datagram mode only.
 */
int sb_link_peek_newest(const struct sb_link *link, enum sb_dir dir,
                        uint8_t *buf, size_t cap) SB_MUST_USE;

/*
 * Queue a datagram as an attacker on the path would: not counted, not
 * guarded, not in the transcript.  Returns 0, SB_ERR_MTU, SB_ERR_NOMEM,
 * or SB_ERR_INVALID for an empty datagram or a stream link.
 */
int sb_link_inject(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                   size_t len) SB_MUST_USE;

/*
 * Measured calls (handshake steps, record loops): while deferring, a send
 * (no faults) only queues its copy -- the one copy the contract needs,
 * since the sender reuses its buffer -- and, on a stream, its length;
 * counting, the wire view (guard, capture) and the transcript wait for
 * sb_link_settle(), which the caller runs outside the measured call.  A
 * receive settles first when it must.  Calls nest: deferral lasts until
 * each `on` is undone by an `off`.  Turning deferral off does not settle.
 */
void sb_link_defer(struct sb_link *link, bool on);

/*
 * Write to the first `len` bytes of the next `count` free datagram slots
 * of direction `dir` (stream: of the next count * len bytes of room), so
 * that the sends which fill them next find them in the cache, as a ring
 * in constant use is.  A run holds one ring per scenario, so a scenario's
 * ring is cold after the others' rounds; its stores would then miss all
 * the way to memory inside the timed writes.  Only slots already reserved
 * (sb_link_reserve) are touched; queued data is not.  Outside timed
 * regions only.
 */
void sb_link_warm(struct sb_link *link, enum sb_dir dir, size_t count,
                  size_t len);

/* Whether an sb_link_defer(true) is in force (an outer caller settles). */
bool sb_link_deferred(const struct sb_link *link);

/*
 * Count and observe the sends queued while deferring, oldest first,
 * client-to-server before server-to-client (a flight boundary between
 * the two is not kept: use it where one direction sends at a time).
 * Returns 0 or SB_ERR_NOMEM.  sb_link_recv settles by itself if needed.
 */
int sb_link_settle(struct sb_link *link) SB_MUST_USE;

/* Zero the counters and forget the flights; queued datagrams stay. */
void sb_link_reset_counters(struct sb_link *link);

/* The io callbacks for the endpoint playing `role`. */
struct sb_io sb_link_io(struct sb_link *link, enum sb_role role);

#endif
