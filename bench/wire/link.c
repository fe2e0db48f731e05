#include "wire/link.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void sb_link_init(struct sb_link *link, enum sb_link_mode mode, size_t mtu)
{
	memset(link, 0, sizeof(*link));
	link->mode = mode;
	link->mtu = mtu;
	link->port[SB_ROLE_CLIENT] = (struct sb_link_port){link, SB_DIR_C2S};
	link->port[SB_ROLE_SERVER] = (struct sb_link_port){link, SB_DIR_S2C};
	sb_sha256_init(&link->transcript);
	sb_wire_init(&link->wire, mode == SB_LINK_STREAM, 0);
}

void sb_link_guard(struct sb_link *link, size_t nonce_len)
{
	link->wire.nonce_len = nonce_len;
}

static uint8_t *queue_slot(const struct sb_link *link,
                           const struct sb_link_queue *q, size_t index);

static void transcript_add(struct sb_link *link, enum sb_dir dir,
                           const uint8_t *buf, size_t len)
{
	uint8_t head[5] = {(uint8_t)dir, (uint8_t)(len >> 24),
	                   (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	                   (uint8_t)len};
	sb_sha256_update(&link->transcript, head, sizeof(head));
	sb_sha256_update(&link->transcript, buf, len);
}

void sb_link_transcript_start(struct sb_link *link)
{
	link->hashing = true;
}

void sb_link_transcript_stop(struct sb_link *link)
{
	link->hashing = false;
}

void sb_link_transcript_update(struct sb_link *link)
{
	for (int d = 0; d < 2 && link->hashing; d++) {
		bool stream = link->mode == SB_LINK_STREAM;
		const struct sb_link_stream *st = &link->stream[d];
		const struct sb_link_queue *q = &link->queue[d];
		size_t now = stream ? st->len : q->count;
		size_t fresh = now > link->seen[d] ? now - link->seen[d] : 0;
		link->seen[d] = now;
		if (fresh == 0)
			continue;
		if (stream) {
			transcript_add(link, (enum sb_dir)d,
			               st->data + st->head + st->len - fresh,
			               fresh);
			continue;
		}
		for (size_t i = q->count - fresh; i < q->count; i++)
			transcript_add(link, (enum sb_dir)d,
			               queue_slot(link, q, i),
			               q->lens[(q->head + i) % q->cap]);
	}
}

void sb_link_transcript_hex(const struct sb_link *link, char out[65])
{
	struct sb_sha256 copy = link->transcript;
	uint8_t digest[SB_SHA256_LEN];
	sb_sha256_final(&copy, digest);
	sb_sha256_hex(digest, out);
}

void sb_link_free(struct sb_link *link)
{
	for (int d = 0; d < 2; d++) {
		sb_mem_free(link->queue[d].slots);
		sb_mem_free(link->queue[d].lens);
		memset(&link->queue[d], 0, sizeof(link->queue[d]));
		sb_mem_free(link->stream[d].data);
		sb_mem_free(link->stream[d].sends);
		memset(&link->stream[d], 0, sizeof(link->stream[d]));
		link->unobserved[d] = 0;
	}
	sb_mem_free(link->flights);
	link->flights = NULL;
	sb_wire_free(&link->wire);
	for (int d = 0; d < 2; d++) {
		sb_mem_free(link->held[d]);
		link->held[d] = NULL;
	}
	link->flight_count = link->flight_cap = 0;
}

/* Ring positions: the capacity is a power of two (sb_link_reserve), so a
 * mask wraps them -- no division inside a timed send or receive. */
static size_t queue_at(const struct sb_link_queue *q, size_t index)
{
	return (q->head + index) & (q->cap - 1);
}

static uint8_t *queue_slot(const struct sb_link *link,
                           const struct sb_link_queue *q, size_t index)
{
	return q->slots + queue_at(q, index) * link->mtu;
}

/* Grow the ring to `cap` slots, unrolling it so the oldest entry is slot 0. */
static int queue_grow(const struct sb_link *link, struct sb_link_queue *q,
                      size_t cap)
{
	uint8_t *slots = sb_mem_alloc(cap * link->mtu);
	size_t *lens = sb_mem_alloc(cap * sizeof(*lens));
	if (!slots || !lens) {
		sb_mem_free(slots);
		sb_mem_free(lens);
		return SB_ERR_NOMEM;
	}
	/* Touched now, so that no page of a reserved queue is first faulted
	 * in by a send inside a measured call. */
	memset(slots + q->count * link->mtu, 0, (cap - q->count) * link->mtu);
	for (size_t i = 0; i < q->count; i++) {
		memcpy(slots + i * link->mtu, queue_slot(link, q, i),
		       link->mtu);
		lens[i] = q->lens[queue_at(q, i)];
	}
	sb_mem_free(q->slots);
	sb_mem_free(q->lens);
	q->slots = slots;
	q->lens = lens;
	q->head = 0;
	q->cap = cap;
	return 0;
}

/* Room for `more` bytes after the unread ones, compacting or growing. */
static int stream_reserve(struct sb_link_stream *s, size_t more)
{
	if (s->head > 0) {
		memmove(s->data, s->data + s->head, s->len);
		s->head = 0;
	}
	if (s->len + more <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 4096;
	while (cap < s->len + more)
		cap *= 2;
	uint8_t *data = sb_mem_realloc(s->data, cap);
	if (!data)
		return SB_ERR_NOMEM;
	memset(data + s->len, 0, cap - s->len); /* as queue_grow */
	s->data = data;
	s->cap = cap;
	return 0;
}

/* Room for `count` more deferred sends' lengths on a stream. */
static int stream_reserve_sends(struct sb_link *link, enum sb_dir dir,
                                size_t count)
{
	struct sb_link_stream *s = &link->stream[dir];
	size_t need = link->unobserved[dir] + count;
	if (need <= s->send_cap)
		return 0;
	size_t cap = s->send_cap ? s->send_cap : 8;
	while (cap < need)
		cap *= 2;
	size_t *sends = sb_mem_realloc(s->sends, cap * sizeof(*sends));
	if (!sends)
		return SB_ERR_NOMEM;
	s->sends = sends;
	s->send_cap = cap;
	return 0;
}

int sb_link_reserve(struct sb_link *link, enum sb_dir dir, size_t count)
{
	if (link->mode == SB_LINK_STREAM)
		return stream_reserve(&link->stream[dir], count * link->mtu) ||
		               stream_reserve_sends(link, dir, count)
		           ? SB_ERR_NOMEM
		           : 0;
	struct sb_link_queue *q = &link->queue[dir];
	size_t need = q->count + count;
	if (need <= q->cap)
		return 0;
	size_t cap = q->cap ? q->cap : 8;
	while (cap < need)
		cap *= 2;
	return queue_grow(link, q, cap);
}

/* Count a datagram into the current flight, starting a new flight when the
 * direction changed.  Its records are added once the wire view has them. */
static int flight_count_datagram(struct sb_link *link, enum sb_dir dir,
                                 size_t len)
{
	if (link->flight_count == 0 ||
	    link->flights[link->flight_count - 1].dir != dir) {
		if (link->flight_count == link->flight_cap) {
			size_t cap =
			    link->flight_cap ? 2 * link->flight_cap : 8;
			struct sb_flight *f =
			    sb_mem_realloc(link->flights, cap * sizeof(*f));
			if (!f)
				return SB_ERR_NOMEM;
			link->flights = f;
			link->flight_cap = cap;
		}
		link->flights[link->flight_count++] =
		    (struct sb_flight){.dir = dir};
	}
	struct sb_link_counters *c =
	    &link->flights[link->flight_count - 1].sent;
	c->bytes += len;
	c->datagrams++;
	return 0;
}

static int stream_send(struct sb_link *link, enum sb_dir dir,
                       const uint8_t *buf, size_t len)
{
	struct sb_link_stream *s = &link->stream[dir];
	if (s->head + s->len + len > s->cap) {
		int rc = stream_reserve(s, len);
		if (rc)
			return rc;
	}
	memcpy(s->data + s->head + s->len, buf, len);
	s->len += len;
	return 0;
}

static int enqueue(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                   size_t len)
{
	struct sb_link_queue *q = &link->queue[dir];
	int rc = q->count < q->cap ? 0 : sb_link_reserve(link, dir, 1);
	if (rc)
		return rc;
	memcpy(queue_slot(link, q, q->count), buf, len);
	q->lens[queue_at(q, q->count)] = len;
	q->count++;
	return 0;
}

static bool faults_on(const struct sb_link *link)
{
	return link->faults.loss > 0 || link->faults.duplicate > 0 ||
	       link->faults.reorder > 0;
}

void sb_link_set_faults(struct sb_link *link,
                        const struct sb_link_faults *faults, uint64_t seed)
{
	link->faults = *faults;
	sb_rng_seed(&link->fault_rng, seed, 0xfa017);
	/* A lossy link counts as it sends, deferral or not (link.h). */
	link->deferring = link->defer_depth > 0 && !faults_on(link);
}

/* A uniform draw in [0, 1) from the fault generator. */
static double fault_draw(struct sb_link *link)
{
	uint8_t b[8];
	sb_rng_fill(&link->fault_rng, b, sizeof(b));
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (double)(v >> 11) / 9007199254740992.0; /* 2^53 */
}

/* A held-back datagram goes out behind the next one, or when the
 * receiver would otherwise find the queue empty. */
static int release_held(struct sb_link *link, enum sb_dir dir)
{
	if (!link->held[dir])
		return 0;
	int rc = enqueue(link, dir, link->held[dir], link->held_len[dir]);
	if (rc == 0) {
		sb_mem_free(link->held[dir]);
		link->held[dir] = NULL;
	}
	return rc;
}

/* Three independent draws per datagram, so changing one probability does
 * not change the other faults' pattern. */
static int deliver_with_faults(struct sb_link *link, enum sb_dir dir,
                               const uint8_t *buf, size_t len)
{
	bool lost = fault_draw(link) < link->faults.loss;
	bool twice = fault_draw(link) < link->faults.duplicate;
	bool late = fault_draw(link) < link->faults.reorder;
	int rc = 0;
	if (lost)
		return release_held(link, dir);
	if (late && !link->held[dir]) {
		if (!(link->held[dir] = sb_mem_alloc(len)))
			return SB_ERR_NOMEM;
		memcpy(link->held[dir], buf, len);
		link->held_len[dir] = len;
		return 0;
	}
	rc = enqueue(link, dir, buf, len);
	if (rc == 0 && twice)
		rc = enqueue(link, dir, buf, len);
	return rc ? rc : release_held(link, dir);
}

static int datagram_send(struct sb_link *link, enum sb_dir dir,
                         const uint8_t *buf, size_t len)
{
	if (len > link->mtu)
		return SB_ERR_MTU;
	return faults_on(link) ? deliver_with_faults(link, dir, buf, len)
	                       : enqueue(link, dir, buf, len);
}

int sb_link_peek_newest(const struct sb_link *link, enum sb_dir dir,
                        uint8_t *buf, size_t cap)
{
	const struct sb_link_queue *q = &link->queue[dir];
	if (link->mode != SB_LINK_DATAGRAM || q->count == 0)
		return SB_ERR_WANT_IO;
	size_t len = q->lens[queue_at(q, q->count - 1)];
	if (len > cap)
		return SB_ERR_INVALID;
	memcpy(buf, queue_slot(link, q, q->count - 1), len);
	return (int)len;
}

int sb_link_inject(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                   size_t len)
{
	if (link->mode != SB_LINK_DATAGRAM || len == 0)
		return SB_ERR_INVALID;
	return len > link->mtu ? SB_ERR_MTU : enqueue(link, dir, buf, len);
}

void sb_link_defer(struct sb_link *link, bool on)
{
	/* Decided once here, so that a deferred send tests one flag. */
	if (on)
		link->defer_depth++;
	else if (link->defer_depth > 0)
		link->defer_depth--;
	link->deferring = link->defer_depth > 0 && !faults_on(link);
}

void sb_link_warm(struct sb_link *link, enum sb_dir dir, size_t count,
                  size_t len)
{
	if (link->mode == SB_LINK_STREAM) {
		struct sb_link_stream *s = &link->stream[dir];
		size_t from = s->head + s->len;
		size_t room = s->cap > from ? s->cap - from : 0;
		size_t n = count * len < room ? count * len : room;
		memset(s->data + from, 0, n);
		return;
	}
	struct sb_link_queue *q = &link->queue[dir];
	if (len > link->mtu)
		len = link->mtu;
	for (size_t i = 0; i < count && q->count + i < q->cap; i++)
		memset(queue_slot(link, q, q->count + i), 0, len);
}

bool sb_link_deferred(const struct sb_link *link)
{
	return link->defer_depth > 0;
}

/* A stream's deferred sends: the last bytes queued, one send each. */
static int stream_settle(struct sb_link *link, enum sb_dir dir, size_t n)
{
	const struct sb_link_stream *s = &link->stream[dir];
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += s->sends[i];
	const uint8_t *at = s->data + s->head + s->len - total;
	for (size_t i = 0; i < n; i++) {
		int rc = sb_link_count(link, dir, at, s->sends[i]);
		if (rc)
			return rc;
		at += s->sends[i];
	}
	return 0;
}

int sb_link_settle(struct sb_link *link)
{
	for (int d = 0; d < 2; d++) {
		struct sb_link_queue *q = &link->queue[d];
		size_t n = link->unobserved[d];
		link->unobserved[d] = 0;
		if (link->mode == SB_LINK_STREAM) {
			int rc = stream_settle(link, (enum sb_dir)d, n);
			if (rc)
				return rc;
			continue;
		}
		for (size_t i = q->count - n; i < q->count; i++) {
			int rc = sb_link_count(link, (enum sb_dir)d,
			                       queue_slot(link, q, i),
			                       q->lens[queue_at(q, i)]);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* A deferred send on a stream: the bytes and their length. */
static int stream_send_deferred(struct sb_link *link, enum sb_dir dir,
                                const uint8_t *buf, size_t len)
{
	int rc = stream_reserve_sends(link, dir, 1);
	rc = rc ? rc : stream_send(link, dir, buf, len);
	if (rc)
		return rc;
	link->stream[dir].sends[link->unobserved[dir]++] = len;
	return 0;
}

/* Any send but a deferred one into a reserved slot.  Not inlined, so
 * that the fast path of link_send saves no registers for it. */
__attribute__((noinline)) static int link_send_observed(struct sb_link *link,
                                                        enum sb_dir dir,
                                                        const uint8_t *buf,
                                                        size_t len)
{
	if (len == 0)
		return SB_ERR_INVALID;
	if (link->deferring && link->mode == SB_LINK_STREAM)
		return stream_send_deferred(link, dir, buf, len);
	if (link->deferring) {
		if (len > link->mtu)
			return SB_ERR_MTU;
		int rc = enqueue(link, dir, buf, len);
		link->unobserved[dir] += rc == 0;
		return rc;
	}
	int rc = link->mode == SB_LINK_STREAM
	             ? stream_send(link, dir, buf, len)
	             : datagram_send(link, dir, buf, len);
	return rc ? rc : sb_link_count(link, dir, buf, len);
}

/* A send made inside a library call (the link defers then): a datagram
 * that fits goes into a reserved slot with one copy and two stores -- the
 * reference loops' queue does no less (scripts/harness-check).  Anything
 * else -- a stream, a full queue, a lossy link, a send made outside a
 * library call -- takes the general path. */
static inline int link_send(struct sb_link *link, enum sb_dir dir,
                            const uint8_t *buf, size_t len)
{
	struct sb_link_queue *q = &link->queue[dir];
	if (link->deferring && len - 1 < link->mtu && q->count < q->cap) {
		size_t at = (q->head + q->count) & (q->cap - 1);
		memcpy(q->slots + at * link->mtu, buf, len);
		q->lens[at] = len;
		q->count++;
		link->unobserved[dir]++;
		return 0;
	}
	return link_send_observed(link, dir, buf, len);
}

int sb_link_send(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                 size_t len)
{
	return link_send(link, dir, buf, len);
}

int sb_link_count(struct sb_link *link, enum sb_dir dir, const uint8_t *buf,
                  size_t len)
{
	if (len == 0)
		return SB_ERR_INVALID;
	/* The flight this datagram belongs to: the current one, or the next
	 * when the direction changed (flight_count_datagram starts it). */
	bool same = link->flight_count > 0 &&
	            link->flights[link->flight_count - 1].dir == dir;
	size_t flight = link->flight_count + (same ? 0 : 1);
	/* The clock is read only for captured packets: sends run inside timed
	 * regions. */
	uint64_t now = link->wire.capturing && link->clock.now_us
	                   ? link->clock.now_us(link->clock.ctx)
	                   : 0;
	size_t records = 0;
	int rc = sb_wire_observe(&link->wire, (int)dir, buf, len, now, flight,
	                         &records);
	if (rc == 0)
		rc = flight_count_datagram(link, dir, len);
	if (rc)
		return rc;
	link->flights[link->flight_count - 1].sent.records += records;

	link->sent[dir].bytes += len;
	link->sent[dir].datagrams++;
	link->sent[dir].records += records;
	return 0;
}

static int stream_recv(struct sb_link_stream *s, uint8_t *buf, size_t cap)
{
	if (s->len == 0)
		return SB_ERR_WANT_IO;
	size_t n = cap < s->len ? cap : s->len;
	if (n > INT_MAX)
		n = INT_MAX;
	memcpy(buf, s->data + s->head, n);
	s->head += n;
	s->len -= n;
	if (s->len == 0)
		s->head = 0;
	return (int)n;
}

/* Any receive but the plain one of link_recv (not inlined, as
 * link_send_observed). */
__attribute__((noinline)) static int link_recv_general(struct sb_link *link,
                                                       enum sb_dir dir,
                                                       uint8_t *buf,
                                                       size_t cap);

/* The receive of a timed record read: a settled datagram that fits is
 * copied out and dequeued; the rest takes the general path. */
static inline int link_recv(struct sb_link *link, enum sb_dir dir, uint8_t *buf,
                            size_t cap)
{
	struct sb_link_queue *q = &link->queue[dir];
	if (link->mode == SB_LINK_DATAGRAM && q->count > 0 &&
	    link->unobserved[dir] == 0) {
		size_t len = q->lens[q->head];
		if (len <= cap) {
			memcpy(buf, q->slots + q->head * link->mtu, len);
			q->head = (q->head + 1) & (q->cap - 1);
			q->count--;
			return (int)len;
		}
	}
	return link_recv_general(link, dir, buf, cap);
}

int sb_link_recv(struct sb_link *link, enum sb_dir dir, uint8_t *buf,
                 size_t cap)
{
	return link_recv(link, dir, buf, cap);
}

static int link_recv_general(struct sb_link *link, enum sb_dir dir,
                             uint8_t *buf, size_t cap)
{
	if (link->unobserved[dir] && sb_link_settle(link))
		return SB_ERR_NOMEM;
	if (link->mode == SB_LINK_STREAM)
		return stream_recv(&link->stream[dir], buf, cap);
	struct sb_link_queue *q = &link->queue[dir];
	if (q->count == 0 && link->held[dir] && release_held(link, dir))
		return SB_ERR_NOMEM;
	if (q->count == 0)
		return SB_ERR_WANT_IO;
	size_t len = q->lens[q->head];
	if (len > cap)
		return SB_ERR_INVALID;
	memcpy(buf, queue_slot(link, q, 0), len);
	q->head = queue_at(q, 1);
	q->count--;
	return (int)len;
}

size_t sb_link_pending(const struct sb_link *link, enum sb_dir dir)
{
	if (link->mode == SB_LINK_STREAM)
		return link->stream[dir].len;
	return link->queue[dir].count + (link->held[dir] ? 1 : 0);
}

int sb_link_corrupt(struct sb_link *link, enum sb_dir dir, size_t from_end)
{
	if (link->mode == SB_LINK_STREAM) {
		struct sb_link_stream *s = &link->stream[dir];
		if (from_end >= s->len)
			return SB_ERR_INVALID;
		s->data[s->head + s->len - 1 - from_end] ^= 1;
		return 0;
	}
	struct sb_link_queue *q = &link->queue[dir];
	if (q->count == 0)
		return SB_ERR_INVALID;
	size_t newest = q->count - 1;
	size_t len = q->lens[queue_at(q, newest)];
	if (from_end >= len)
		return SB_ERR_INVALID;
	queue_slot(link, q, newest)[len - 1 - from_end] ^= 1;
	return 0;
}

void sb_link_reset_counters(struct sb_link *link)
{
	memset(link->sent, 0, sizeof(link->sent));
	link->flight_count = 0;
}

static int port_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct sb_link_port *port = ctx;
	return link_send(port->link, port->out, buf, len);
}

static int port_recv(void *ctx, uint8_t *buf, size_t cap)
{
	struct sb_link_port *port = ctx;
	enum sb_dir in = port->out == SB_DIR_C2S ? SB_DIR_S2C : SB_DIR_C2S;
	return link_recv(port->link, in, buf, cap);
}

struct sb_io sb_link_io(struct sb_link *link, enum sb_role role)
{
	return (struct sb_io){
	    .ctx = &link->port[role],
	    .send = port_send,
	    .recv = port_recv,
	};
}
