#include "wire/wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

static const char *const dir_names[2] = {"client", "server"};

/* ---- parsing ------------------------------------------------------------ */

static uint64_t be_read(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A unified header at `h` (RFC 9147 4), `left` bytes to the datagram's
 * end; false when the header itself is cut off. */
static bool parse_unified(const uint8_t *h, size_t left, size_t cid_len,
                          struct sb_record *r)
{
	uint8_t flags = h[0];
	size_t seq_len = flags & SB_DTLS13_S ? 2 : 1;
	size_t cid = flags & SB_DTLS13_C ? cid_len : 0;
	bool has_length = flags & SB_DTLS13_L;
	size_t header = 1 + cid + seq_len + (has_length ? 2 : 0);
	if (left < header)
		return false;
	*r = (struct sb_record){
	    .epoch = flags & SB_DTLS13_EPOCH_BITS,
	    .seq = be_read(h + 1 + cid, seq_len),
	    .length = has_length ? (size_t)be_read(h + 1 + cid + seq_len, 2)
	                         : left - header,
	    .header_len = header,
	    .unified = true,
	    .flags = flags,
	    .cid_len = (uint8_t)cid,
	    .seq_len = (uint8_t)seq_len,
	};
	return true;
}

size_t sb_wire_dtls_parse(const uint8_t *buf, size_t len, size_t cid_len,
                          struct sb_record *out, size_t cap)
{
	size_t n = 0, at = 0;
	while (at < len && n < cap) {
		const uint8_t *h = buf + at;
		if ((h[0] & SB_DTLS13_FIXED_MASK) == SB_DTLS13_FIXED_BITS) {
			if (!parse_unified(h, len - at, cid_len, &out[n]))
				break;
		} else if (h[0] == SB_CT_TLS12_CID && cid_len > 0) {
			/* RFC 9146 4: the CID between sequence and length */
			if (len - at < SB_DTLS12_HEADER_LEN + cid_len)
				break;
			out[n] = (struct sb_record){
			    .type = h[0],
			    .version = (uint16_t)be_read(h + 1, 2),
			    .epoch = (uint16_t)be_read(h + 3, 2),
			    .seq = be_read(h + 5, 6),
			    .length = (size_t)be_read(h + 11 + cid_len, 2),
			    .header_len = SB_DTLS12_HEADER_LEN + cid_len,
			    .cid_len = (uint8_t)cid_len,
			};
		} else {
			if (len - at < SB_DTLS12_HEADER_LEN)
				break;
			out[n] = (struct sb_record){
			    .type = h[0],
			    .version = (uint16_t)be_read(h + 1, 2),
			    .epoch = (uint16_t)be_read(h + 3, 2),
			    .seq = be_read(h + 5, 6),
			    .length = (size_t)be_read(h + 11, 2),
			    .header_len = SB_DTLS12_HEADER_LEN,
			};
		}
		out[n].offset = at;
		at += out[n].header_len + out[n].length;
		n++;
		if (at > len)
			break;
	}
	return n;
}

size_t sb_wire_dtls_records(const uint8_t *buf, size_t len,
                            struct sb_record *out, size_t cap)
{
	return sb_wire_dtls_parse(buf, len, 0, out, cap);
}

/* ---- the nonce set ------------------------------------------------------ */

static void nonce_set_free(struct sb_nonce_set *s)
{
	sb_mem_free(s->slots);
	memset(s, 0, sizeof(*s));
}

static size_t nonce_slot(uint64_t nonce, size_t cap)
{
	/* Fibonacci hashing: nonces are often counters, so spread them. */
	return (size_t)((nonce * 0x9e3779b97f4a7c15u) >> 32) & (cap - 1);
}

static int nonce_grow(struct sb_nonce_set *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	uint64_t *slots = sb_mem_calloc(cap, sizeof(*slots));
	if (!slots)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slots[i])
			continue;
		size_t j = nonce_slot(s->slots[i], cap);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = s->slots[i];
	}
	sb_mem_free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

/* Add `nonce`; *repeated tells whether it was there already. */
static int nonce_add(struct sb_nonce_set *s, uint64_t nonce, bool *repeated)
{
	*repeated = false;
	if (nonce == 0) {
		*repeated = s->has_zero;
		s->has_zero = true;
		return 0;
	}
	if (2 * (s->used + 1) > s->cap && nonce_grow(s))
		return SB_ERR_NOMEM;
	size_t i = nonce_slot(nonce, s->cap);
	for (; s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == nonce) {
			*repeated = true;
			return 0;
		}
	s->slots[i] = nonce;
	s->used++;
	return 0;
}

/* ---- the guard ---------------------------------------------------------- */

static void violate(struct sb_wire *wire, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violate(struct sb_wire *wire, const char *fmt, ...)
{
	if (wire->violation[0])
		return; /* the first one names the problem */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(wire->violation, sizeof(wire->violation), fmt, ap);
	va_end(ap);
}

static int note(struct sb_wire *wire, struct sb_wire_pending p)
{
	if (wire->pending_count == wire->pending_cap) {
		size_t cap = wire->pending_cap ? 2 * wire->pending_cap : 256;
		struct sb_wire_pending *grown =
		    sb_mem_realloc(wire->pending, cap * sizeof(*grown));
		if (!grown)
			return SB_ERR_NOMEM;
		wire->pending = grown;
		wire->pending_cap = cap;
	}
	wire->pending[wire->pending_count++] = p;
	return 0;
}

/* FNV-1a, 64 bits: a fingerprint, not a defence against an adversary. */
static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

/*
 * DTLS: note each record's epoch, sequence number and explicit nonce; a
 * DTLS 1.3 ciphertext record by its header and its last 16 bytes (the
 * tag, and for CCM_8 the end of the ciphertext): cheap enough to run
 * inside a timed write.
 */
static int note_dtls_record(struct sb_wire *wire, int dir, const uint8_t *buf,
                            size_t len, const struct sb_record *r)
{
	size_t body = r->offset + r->header_len;
	struct sb_wire_pending p = {
	    .dir = (uint8_t)dir,
	    .epoch = r->epoch,
	    .seq = r->seq,
	    .unified = r->unified,
	    /* a truncated last record carries no nonce to read */
	    .has_nonce = !r->unified && r->epoch > 0 && wire->nonce_len > 0 &&
	                 r->length >= wire->nonce_len &&
	                 body + wire->nonce_len <= len,
	};
	if (p.has_nonce)
		p.nonce = be_read(buf + body, wire->nonce_len);
	if (r->unified) {
		size_t end = body + r->length < len ? body + r->length : len;
		size_t tail = end - body < 16 ? end - body : 16;
		p.fingerprint =
		    fnv1a(0xcbf29ce484222325u, buf + r->offset, r->header_len);
		p.fingerprint = fnv1a(p.fingerprint, buf + end - tail, tail);
	}
	wire->dir[dir].last = *r;
	return note(wire, p);
}

static int guard_dtls(struct sb_wire *wire, int dir, const uint8_t *buf,
                      size_t len, size_t *count)
{
	struct sb_record records[64];
	size_t at = 0;
	*count = 0;
	for (;;) {
		size_t n = sb_wire_dtls_parse(buf + at, len - at, wire->cid_len,
		                              records, 64);
		for (size_t i = 0; i < n; i++) {
			records[i].offset += at;
			if (note_dtls_record(wire, dir, buf, len, &records[i]))
				return SB_ERR_NOMEM;
		}
		*count += n;
		if (n < 64)
			return 0;
		/* more than 64 records in one datagram: go on after them */
		at = records[63].offset + records[63].header_len +
		     records[63].length;
		if (at >= len)
			return 0;
	}
}

/*
 * One noted record.  DTLS sequence numbers only grow within an epoch (a
 * retransmission gets a new one, RFC 6347 4.2.4), and encrypted records
 * carry fresh nonces.  A retransmitted flight may send records of an
 * older epoch again: they are checked against that epoch's own counter.
 */
/*
 * A DTLS 1.3 ciphertext record: its epoch bits stand for the epoch the
 * direction is in, the next one (epoch 1, early data, may be skipped), or
 * the previous one (a retransmitted flight; RFC 9147 4.2.1), never epoch 0;
 * and the same record never goes out twice (a record number is never
 * reused, 4.2.3 -- a retransmission is a new record).
 */
static int check_unified(struct sb_wire *wire, const struct sb_wire_pending *p)
{
	struct sb_wire_direction *d = &wire->dir[p->dir];
	uint64_t cur = d->epoch13, found = 0;
	for (uint64_t e = cur > 1 ? cur - 1 : 1; e <= cur + 2 && !found; e++)
		if ((e & SB_DTLS13_EPOCH_BITS) == p->epoch &&
		    (e != cur + 2 || cur == 0))
			found = e;
	if (!found)
		violate(wire,
		        "%s sent a ciphertext record with epoch bits %u in "
		        "epoch %llu: not this epoch, the next or the previous",
		        dir_names[p->dir], p->epoch, (unsigned long long)cur);
	else if (found > cur)
		d->epoch13 = found;
	bool repeated;
	if (nonce_add(&d->seen13, p->fingerprint, &repeated))
		return SB_ERR_NOMEM;
	if (repeated)
		violate(wire,
		        "%s sent the same ciphertext record twice (epoch bits "
		        "%u, encrypted sequence %llu): a record number reused",
		        dir_names[p->dir], p->epoch,
		        (unsigned long long)p->seq);
	return 0;
}

static int check_record(struct sb_wire *wire, const struct sb_wire_pending *p)
{
	struct sb_wire_direction *d = &wire->dir[p->dir];
	if (p->unified)
		return check_unified(wire, p);
	if (wire->dtls13 && p->epoch != 0)
		violate(wire,
		        "%s sent a DTLSPlaintext header in epoch %u: DTLS 1.3 "
		        "sends those in epoch 0 only",
		        dir_names[p->dir], p->epoch);
	if (!wire->stream) {
		if (p->epoch >= SB_WIRE_EPOCHS) {
			violate(wire,
			        "%s sent epoch %u: more than this guard "
			        "follows",
			        dir_names[p->dir], p->epoch);
			return 0;
		}
		if (p->seq < d->next_seq[p->epoch])
			violate(
			    wire,
			    "%s sent epoch %u sequence %llu again (expected "
			    "%llu or above)",
			    dir_names[p->dir], p->epoch,
			    (unsigned long long)p->seq,
			    (unsigned long long)d->next_seq[p->epoch]);
		d->next_seq[p->epoch] = p->seq + 1;
	}
	if (p->epoch > d->epoch) {
		nonce_set_free(&d->nonces);
		d->epoch = p->epoch;
	}
	if (!p->has_nonce || p->epoch != d->epoch)
		return 0;
	bool repeated;
	if (nonce_add(&d->nonces, p->nonce, &repeated))
		return SB_ERR_NOMEM;
	if (repeated)
		violate(wire,
		        "%s reused explicit nonce %016llx in epoch %u (record "
		        "sequence %llu)",
		        dir_names[p->dir], (unsigned long long)p->nonce,
		        p->epoch, (unsigned long long)p->seq);
	return 0;
}

const char *sb_wire_check_guard(struct sb_wire *wire)
{
	for (size_t i = 0; i < wire->pending_count; i++)
		if (check_record(wire, &wire->pending[i]))
			return NULL;
	wire->pending_count = 0;
	return wire->violation;
}

/* TLS: follow the records across sends; after this direction's
 * ChangeCipherSpec every record starts with its explicit nonce. */
static int guard_tls(struct sb_wire *wire, int dir, const uint8_t *buf,
                     size_t len, size_t *count)
{
	struct sb_wire_direction *d = &wire->dir[dir];
	*count = 0;
	while (len > 0) {
		if (d->body_left > 0 && d->head_have >= SB_TLS12_HEADER_LEN) {
			/* gather the nonce, if this record has one, then skip
			 */
			size_t body = (size_t)be_read(d->head + 3, 2);
			size_t want =
			    d->tls_encrypted && body >= wire->nonce_len
			        ? SB_TLS12_HEADER_LEN + wire->nonce_len
			        : SB_TLS12_HEADER_LEN;
			if (d->head_have < want) {
				d->head[d->head_have++] = *buf++;
				len--;
				d->body_left--;
				if (d->head_have == want &&
				    want > SB_TLS12_HEADER_LEN &&
				    note(wire,
				         (struct sb_wire_pending){
				             .dir = (uint8_t)dir,
				             .has_nonce = true,
				             .epoch = 1,
				             .seq = d->tls_seq - 1,
				             .nonce = be_read(
				                 d->head + SB_TLS12_HEADER_LEN,
				                 wire->nonce_len),
				         }))
					return SB_ERR_NOMEM;
				continue;
			}
			size_t take = len < d->body_left ? len : d->body_left;
			d->body_left -= take;
			buf += take;
			len -= take;
			continue;
		}
		if (d->head_have >= SB_TLS12_HEADER_LEN)
			d->head_have = 0; /* the previous record is complete */
		d->head[d->head_have++] = *buf++;
		len--;
		if (d->head_have == SB_TLS12_HEADER_LEN) {
			d->body_left = (size_t)be_read(d->head + 3, 2);
			d->tls_seq++;
			(*count)++;
			if (d->head[0] == SB_CT_CHANGE_CIPHER_SPEC)
				d->tls_encrypted = true;
		}
	}
	return 0;
}

/* ---- capture ------------------------------------------------------------ */

static int capture(struct sb_wire *wire, int dir, const uint8_t *buf,
                   size_t len, uint64_t time_us, size_t flight)
{
	if (wire->packet_count == wire->packet_cap) {
		size_t cap = wire->packet_cap ? 2 * wire->packet_cap : 32;
		struct sb_wire_packet *p =
		    sb_mem_realloc(wire->packets, cap * sizeof(*p));
		if (!p)
			return SB_ERR_NOMEM;
		wire->packets = p;
		wire->packet_cap = cap;
	}
	uint8_t *copy = sb_mem_alloc(len);
	if (!copy)
		return SB_ERR_NOMEM;
	memcpy(copy, buf, len);
	wire->packets[wire->packet_count++] = (struct sb_wire_packet){
	    .dir = (uint8_t)dir,
	    .time_us = time_us,
	    .flight = flight,
	    .len = len,
	    .data = copy,
	};
	return 0;
}

/* ---- the module --------------------------------------------------------- */

void sb_wire_init(struct sb_wire *wire, bool stream, size_t nonce_len)
{
	memset(wire, 0, sizeof(*wire));
	wire->stream = stream;
	wire->nonce_len = nonce_len > 8 ? 8 : nonce_len;
}

void sb_wire_free(struct sb_wire *wire)
{
	for (size_t i = 0; i < wire->packet_count; i++)
		sb_mem_free(wire->packets[i].data);
	sb_mem_free(wire->packets);
	wire->packets = NULL;
	wire->packet_count = wire->packet_cap = 0;
	for (int d = 0; d < 2; d++) {
		nonce_set_free(&wire->dir[d].nonces);
		nonce_set_free(&wire->dir[d].seen13);
	}
	sb_mem_free(wire->pending);
	wire->pending = NULL;
	wire->pending_count = wire->pending_cap = 0;
}

void sb_wire_dtls13(struct sb_wire *wire, size_t cid_len)
{
	wire->dtls13 = true;
	wire->cid_len = cid_len;
}

void sb_wire_dtls12_cid(struct sb_wire *wire, size_t cid_len)
{
	wire->cid_len = cid_len;
}

void sb_wire_capture(struct sb_wire *wire)
{
	wire->capturing = true;
}

int sb_wire_observe(struct sb_wire *wire, int dir, const uint8_t *buf,
                    size_t len, uint64_t time_us, size_t flight,
                    size_t *records)
{
	int rc = wire->stream ? guard_tls(wire, dir, buf, len, records)
	                      : guard_dtls(wire, dir, buf, len, records);
	if (rc == 0 && wire->capturing)
		rc = capture(wire, dir, buf, len, time_us, flight);
	return rc;
}

const char *sb_wire_type_name(uint8_t type)
{
	switch (type) {
	case SB_CT_CHANGE_CIPHER_SPEC:
		return "change_cipher_spec";
	case SB_CT_ALERT:
		return "alert";
	case SB_CT_HANDSHAKE:
		return "handshake";
	case SB_CT_APPLICATION_DATA:
		return "application_data";
	case SB_CT_TLS12_CID:
		return "tls12_cid";
	case SB_CT_ACK:
		return "ack";
	}
	return "unknown";
}

const char *sb_wire_handshake_name(uint8_t type)
{
	switch (type) {
	case 0:
		return "HelloRequest";
	case 1:
		return "ClientHello";
	case 2:
		return "ServerHello";
	case 3:
		return "HelloVerifyRequest";
	case 4:
		return "NewSessionTicket";
	case 5:
		return "EndOfEarlyData";
	case 8:
		return "EncryptedExtensions";
	case 11:
		return "Certificate";
	case 12:
		return "ServerKeyExchange";
	case 13:
		return "CertificateRequest";
	case 14:
		return "ServerHelloDone";
	case 15:
		return "CertificateVerify";
	case 16:
		return "ClientKeyExchange";
	case 20:
		return "Finished";
	case 24:
		return "KeyUpdate";
	case 254:
		return "message_hash";
	}
	return "unknown";
}
