#include "run/runner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "measure/callgrind.h"
#include "measure/cycles.h"
#include "run/figures.h"
#include "run/harness.h"
#include "run/pair.h"
#include "run/series.h"
#include "run/verify.h"

/* Bytes of application data the verification round trip sends. */
#define VERIFY_PAYLOAD SB_VERIFY_PAYLOAD
/* Slack in each receive slot, so a record longer than expected is seen. */
#define READ_SLACK 256

struct run_state {
	const struct sb_scenario *scenario;
	const struct sb_run_options *options;
	struct sb_pair_config pair_config;
	size_t mtu; /* the scenario's */
	struct sb_series_set series;
	char transcript[65];  /* the first measured handshake's digest */
	unsigned transcripts; /* measured handshakes hashed */
	unsigned transcripts_differing; /* of those, unlike the first */
	char reason[sizeof(((struct sb_row *)0)->reason)];
};

static int fail(struct run_state *st, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct run_state *st, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
	return status;
}

/* ---- samples ----------------------------------------------------------- */

static int sample(struct run_state *st, const char *side, const char *metric,
                  const char *unit, long payload, double value)
{
	if (sb_series_add(&st->series, side, metric, unit, payload, value))
		return fail(st, SB_ERR_NOMEM, "out of memory");
	return 0;
}

/* Whether the timed metric is precise enough on both sides that have it. */
static bool timing_precise(struct run_state *st, const char *metric,
                           long payload)
{
	const struct sb_run_options *o = st->options;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		struct sb_series *s =
		    sb_series_find(&st->series, sb_role_name((enum sb_role)r),
		                   metric, payload);
		if (s && !sb_series_precise(s, o->reps, o->precision))
			return false;
	}
	return true;
}

/*
 * Whether a measuring track (the handshakes, or the records of one
 * payload) with `reps` repetitions done is finished.  A track measured
 * over `turn` connections in turn (1 for handshakes) stops only after
 * whole turns, so each connection has as many samples: its least and
 * most repetitions are --reps rounded up and --max-reps rounded down to
 * a multiple of `turn` (sb_run_layouts keeps `turn` within --max-reps).
 * Never before the least, then when its metrics (`second` may be NULL)
 * are precise enough (checked every 8 repetitions, in whole turns: the
 * check sorts), the most is reached, or its share of the scenario's time
 * is spent.
 */
static bool track_done(struct run_state *st, unsigned reps, unsigned turn,
                       uint64_t spent_ns, uint64_t budget_ns, const char *first,
                       const char *second, long payload)
{
	const struct sb_run_options *o = st->options;
	unsigned most = o->max_reps - o->max_reps % turn;
	unsigned least = o->reps + (turn - o->reps % turn) % turn;
	if (least > most)
		least = most;
	if (reps % turn != 0 || reps < least)
		return false;
	if (reps >= most || spent_ns >= budget_ns)
		return true;
	unsigned every = turn * ((8 + turn - 1) / turn);
	return (reps - least) % every == 0 &&
	       timing_precise(st, first, payload) &&
	       (!second || timing_precise(st, second, payload));
}

/* ---- rows -------------------------------------------------------------- */

static struct sb_row scenario_row(const struct sb_scenario *sc)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD};
	snprintf(row.client, sizeof(row.client), "%s", sc->client->name);
	snprintf(row.server, sizeof(row.server), "%s", sc->server->name);
	snprintf(row.protocol, sizeof(row.protocol), "%s",
	         sb_protocol_name(sc->protocol));
	snprintf(row.kx, sizeof(row.kx), "%s", sb_kx_name(sc->suite->kx));
	snprintf(row.suite, sizeof(row.suite), "%s", sc->suite->short_name);
	snprintf(row.conditions, sizeof(row.conditions), "%s",
	         sc->conditions.label);
	return row;
}

/* One row standing for the whole scenario: unsupported or failed. */
static int status_row(const struct sb_scenario *sc, enum sb_row_status status,
                      long payload, const char *reason, struct sb_results *out)
{
	struct sb_row row = scenario_row(sc);
	row.payload = payload;
	row.status = status;
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "scenario");
	snprintf(row.reason, sizeof(row.reason), "%s", reason);
	return sb_results_add(out, &row);
}

int sb_scenario_failed(const struct sb_scenario *scenario, const char *reason,
                       struct sb_results *results)
{
	return status_row(scenario, SB_ROW_FAILED, SB_NO_PAYLOAD, reason,
	                  results);
}

/*
 * Caveats of a timed figure, only where they mean something: outliers
 * when there are enough samples to call any (10), they are more than a
 * few (5 %: the median shrugs off fewer) and far enough off to matter
 * (2 % of the median: a tight series calls a sample one cycle off an
 * outlier); precision not reached when
 * some was asked for (a budget to chase it); a harness cost above 5 %
 * of the figure.
 */
#define WARN_MIN_SAMPLES 10
#define WARN_OUTLIER_SHARE 0.05
#define WARN_OUTLIER_OFF 0.02
#define WARN_LINK_SHARE 0.05

static void timing_warnings(struct run_state *st, const struct sb_series *s,
                            struct sb_row *row)
{
	const struct sb_run_options *o = st->options;
	size_t n = s->samples.count;
	size_t outliers = n >= WARN_MIN_SAMPLES
	                      ? sb_series_outliers_beyond(s, WARN_OUTLIER_OFF)
	                      : 0;
	if (outliers > WARN_OUTLIER_SHARE * (double)n)
		sb_results_warn(
		    row, 100.0 * (double)outliers / (double)n,
		    "%zu of %zu samples are outliers (modified z > 3.5, "
		    "more than 2 %% off the median)",
		    outliers, n);
	double med = row->stats.median;
	double half = sb_stats_median_half_width(&row->stats);
	if (o->precision > 0 && o->budget_s > 0 && med > 0 &&
	    half > o->precision * med)
		sb_results_warn(
		    row, 100 * half / med,
		    "median known to +-%.1f %%, not the %.1f %% asked",
		    100 * half / med, 100 * o->precision);
	/* The link's send is inside a timed write, its receive inside a read:
	 * each is about half of the harness's cost per record. */
	bool record = strcmp(s->metric, "encrypt_cycles") == 0 ||
	              strcmp(s->metric, "decrypt_cycles") == 0;
	struct sb_series *h = record
	                          ? sb_series_find(&st->series, "both",
	                                           "harness_cycles", s->payload)
	                          : NULL;
	double link = h && h->samples.count ? h->samples.values[0] / 2 : 0;
	if (med > 0 && link > WARN_LINK_SHARE * med)
		sb_results_warn(row, 100 * link / med,
		                "link copy is %.1f %% of this figure",
		                100 * link / med);
}

static int series_rows(struct run_state *st, struct sb_results *out)
{
	for (size_t i = 0; i < st->series.count; i++) {
		struct sb_series *s = &st->series.items[i];
		if (s->samples.count == 0)
			continue; /* its only round was repeated, then failed */
		struct sb_row row = scenario_row(st->scenario);
		row.payload = s->payload;
		snprintf(row.side, sizeof(row.side), "%s", s->side);
		snprintf(row.metric, sizeof(row.metric), "%s", s->metric);
		snprintf(row.unit, sizeof(row.unit), "%s", s->unit);
		const struct sb_run_observer *obs = st->options->observer;
		if (obs && obs->samples &&
		    obs->samples(obs->ctx, &row, s->samples.values,
		                 s->samples.count))
			return fail(st, SB_ERR_IO,
			            "writing raw samples failed");
		sb_stats_summarize(s->samples.values, s->samples.count,
		                   &row.stats);
		if (sb_series_is_timing(s))
			timing_warnings(st, s, &row);
		if (strcmp(s->metric, "replay_dropped") == 0 &&
		    row.stats.median < 1)
			sb_results_warn(&row, 100,
			                "the server delivered a replayed "
			                "record: no DTLS anti-replay");
		if (sb_results_add(out, &row))
			return SB_ERR_NOMEM;
	}
	return 0;
}

/* ---- verification ------------------------------------------------------ */

static enum sb_role peer_of(enum sb_role role)
{
	return role == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
}

/* The server proves itself by certificate or PSK; the client by PSK, or
 * by certificate when mutual authentication was asked for. */
static bool must_authenticate(const struct run_state *st, enum sb_role role)
{
	return role == SB_ROLE_CLIENT ||
	       sb_kx_uses_psk(st->scenario->suite->kx) || st->options->mutual;
}

static int verify_handshake(struct run_state *st, struct sb_pair *pair)
{
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		int rc =
		    sb_verify_endpoint(&pair->ep[r], st->scenario->suite,
		                       must_authenticate(st, (enum sb_role)r),
		                       st->reason, sizeof(st->reason));
		if (rc)
			return rc;
	}
	return 0;
}

/* DTLS drops a forged record silently (RFC 6347 4.1.2.7); either way it
 * must never be delivered as data. */
static int forged_record_rejected(struct run_state *st, struct sb_pair *pair)
{
	uint8_t buf[VERIFY_PAYLOAD + READ_SLACK];
	int rc = sb_verify_forge(pair, buf, VERIFY_PAYLOAD, st->reason,
	                         sizeof(st->reason));
	if (rc)
		return rc;
	int n = sb_pair_read(pair, SB_ROLE_SERVER, buf, sizeof(buf));
	if (n >= 0)
		return fail(st, SB_ERR_VERIFY,
		            "server accepted a record with a flipped tag bit");
	return 0;
}

/* The nonce and sequence guard of the link (wire.h): a violation fails
 * the scenario, naming the offending record. */
static int check_guard(struct run_state *st, struct sb_pair *pair)
{
	return sb_verify_guard(&pair->link.wire, st->reason,
	                       sizeof(st->reason));
}

/* Set up, capture when the trace or pcap wants it, handshake, verify. */
static int connect_pair(struct run_state *st, struct sb_pair *pair)
{
	const struct sb_run_options *o = st->options;
	int rc = sb_pair_setup(pair, &st->pair_config);
	/* A library that refuses the MTU, or a setting it does not have,
	 * cannot run the scenario: unsupported. */
	if (rc)
		return fail(st,
		            rc == SB_ERR_MTU || rc == SB_ERR_UNSUPPORTED
		                ? rc
		                : SB_ERR_HANDSHAKE,
		            "%s", pair->error);
	if (o->observer && o->observer->connection)
		sb_wire_capture(&pair->link.wire);
	if (sb_pair_handshake(pair))
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	rc = verify_handshake(st, pair);
	return rc ? rc : check_guard(st, pair);
}

/* The verified connection's traffic, to the observer (--trace, --pcap). */
static int export_capture(struct run_state *st, const struct sb_pair *pair)
{
	const struct sb_run_observer *obs = st->options->observer;
	const struct sb_scenario *sc = st->scenario;
	char title[160];
	snprintf(title, sizeof(title), "%s/%s %s %s: the verified connection",
	         sc->client->name, sc->server->name,
	         sb_protocol_name(sc->protocol), sc->suite->short_name);
	if (obs->connection(obs->ctx, title, &pair->link.wire))
		return fail(st, SB_ERR_IO, "writing the capture failed");
	return 0;
}

static struct sb_figure_sink figure_sink(struct run_state *st);

static int verify_connection(struct run_state *st)
{
	struct sb_figure_sink sink = figure_sink(st);
	struct sb_pair pair;
	int rc = connect_pair(st, &pair);
	if (rc == 0)
		rc = sb_verify_round_trip(&pair, SB_ROLE_CLIENT, st->reason,
		                          sizeof(st->reason));
	if (rc == 0)
		rc = sb_verify_round_trip(&pair, SB_ROLE_SERVER, st->reason,
		                          sizeof(st->reason));
	if (rc == 0)
		rc = check_guard(st, &pair);
	if (rc == 0 && st->options->observer &&
	    st->options->observer->connection)
		rc = export_capture(st, &pair);
	if (rc == 0 && st->scenario->protocol == SB_PROTO_DTLS12)
		rc = sb_verify_replay(&pair, &sink, st->reason,
		                      sizeof(st->reason));
	if (rc == 0)
		rc = forged_record_rejected(st, &pair);
	sb_pair_free(&pair);
	return rc;
}

/* ---- handshake measurement --------------------------------------------- */

static int sample_figure(void *ctx, const char *side, const char *metric,
                         const char *unit, long payload, double value)
{
	return sample(ctx, side, metric, unit, payload, value);
}

static struct sb_figure_sink figure_sink(struct run_state *st)
{
	return (struct sb_figure_sink){.ctx = st, .add = sample_figure};
}

/* Heap figures of both endpoints since their counters were last marked,
 * or the caller-owned RAM of a library that allocates nothing; nothing
 * for a library whose allocations cannot be counted. */
static int sample_heap(struct run_state *st, const struct sb_pair *pair,
                       long payload)
{
	/* A block the table could not hold would be credited wrongly when
	 * freed: no heap figure then, and the scenario says why. */
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++)
		if (pair->ep[r].heap.untracked)
			return fail(st, SB_ERR_NOMEM,
			            "out of memory: the %s's heap blocks could "
			            "not all be recorded, so its heap figures "
			            "would be wrong",
			            sb_role_name((enum sb_role)r));
	struct sb_figure_sink sink = figure_sink(st);
	int rc = sb_figures_endpoint_memory(&pair->ep[SB_ROLE_CLIENT], payload,
	                                    &sink);
	return rc ? rc
	          : sb_figures_endpoint_memory(&pair->ep[SB_ROLE_SERVER],
	                                       payload, &sink);
}

static int sample_handshake(struct run_state *st, const struct sb_pair *pair,
                            uint64_t ns)
{
	struct sb_figure_sink sink = figure_sink(st);
	bool counting = st->options->count_instructions;
	int rc = sample_heap(st, pair, SB_NO_PAYLOAD);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++)
		rc = sb_figures_endpoint_costs(&pair->ep[r], counting, &sink);
	/* Under valgrind, time is valgrind's: only counts are kept. */
	if (rc == 0 && !counting)
		rc = sample(st, "both", "handshake_ns", "ns", SB_NO_PAYLOAD,
		            (double)ns);
	return rc ? rc : sb_figures_handshake_wire(&pair->link, &sink);
}

/* Deterministic runs must repeat their transcript handshake after handshake. */
static void note_transcript(struct run_state *st, const struct sb_link *link)
{
	char hex[65];
	sb_link_transcript_hex(link, hex);
	if (st->transcripts++ == 0)
		memcpy(st->transcript, hex, sizeof(hex));
	else if (strcmp(hex, st->transcript) != 0)
		st->transcripts_differing++;
}

static int transcript_row(struct run_state *st, struct sb_results *out)
{
	struct sb_row row = scenario_row(st->scenario);
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "transcript_sha256");
	snprintf(row.unit, sizeof(row.unit), "digest");
	memcpy(row.digest, st->transcript, sizeof(row.digest));
	row.stats.n = st->transcripts;
	if (st->transcripts_differing)
		sb_results_warn(&row, 100,
		                "%u of %u handshakes had another transcript: "
		                "something in the run is not deterministic",
		                st->transcripts_differing, st->transcripts);
	return sb_results_add(out, &row) ? SB_ERR_NOMEM : 0;
}

/* One handshake on a fresh pair, timed; `measured` keeps its figures. */
static int handshake_once(struct run_state *st, struct sb_pair *pair,
                          bool measured)
{
	if (sb_pair_setup(pair, &st->pair_config))
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	uint64_t t0 = sb_cycles_monotonic_ns();
	int rc = sb_pair_handshake(pair);
	uint64_t ns = sb_cycles_monotonic_ns() - t0;
	if (rc)
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	rc = verify_handshake(st, pair);
	if (rc == 0)
		rc = check_guard(st, pair);
	if (rc == 0 && measured)
		rc = sample_handshake(st, pair, ns);
	if (rc == 0 && measured && st->pair_config.transcript)
		note_transcript(st, &pair->link);
	return rc;
}

/* ---- record measurement ------------------------------------------------ */

struct record_buffers {
	uint8_t *payload;  /* what is sent */
	uint8_t *received; /* SB_RECORD_BATCH slots of payload + READ_SLACK */
	size_t slot;
};

/* A batch's cost: TSC cycles, and instructions when they are counted. */
struct batch_cost {
	uint64_t cycles;
	uint64_t instructions;
};

/* A timed batch: what runs at the meter's stack position (meter.h). */
struct batch_call {
	struct sb_pair *pair;
	enum sb_role role;
	struct sb_endpoint_direct d; /* the library's own call, or none */
	uint8_t *buf;                /* written from, or read into */
	size_t len;                  /* payload, or each read's capacity */
	size_t step;                 /* reads: bytes between records, or 0 */
	int want;                    /* reads: the length each must return */
	int last;                    /* the last call's result */
	struct batch_cost *cost;
};

static int batch_write_timed(void *arg)
{
	struct batch_call *c = arg;
	const struct sb_endpoint_direct d = c->d;
	const uint8_t *data = c->buf;
	size_t len = c->len;
	int rc = 0;
	uint64_t t0;
	sb_meter_begin(&c->pair->meter, &t0);
	if (d.write_batch)
		rc = d.write_batch(d.state, data, len, SB_RECORD_BATCH);
	else
		for (size_t i = 0; i < SB_RECORD_BATCH && rc == 0; i++)
			rc = sb_pair_write(c->pair, c->role, data, len);
	sb_meter_end(&c->pair->meter, t0, &c->cost->cycles,
	             &c->cost->instructions);
	c->last = rc;
	return 0;
}

static int write_batch(struct run_state *st, struct sb_pair *pair,
                       enum sb_role sender, const struct record_buffers *b,
                       size_t payload, struct batch_cost *cost)
{
	/* The library's own write, called with nothing between (endpoint.h);
	 * through the dispatcher only in a process that counts the heap. */
	struct batch_call c = {.pair = pair,
	                       .role = sender,
	                       .d = sb_pair_direct(pair, sender),
	                       .buf = b->payload,
	                       .len = payload,
	                       .cost = cost};
	(void)sb_meter_call(&pair->meter, batch_write_timed, &c);
	if (c.last)
		return fail(st, SB_ERR_RECORD, "%s write of %zu bytes: %s",
		            sb_role_name(sender), payload,
		            sb_pair_library_error(pair, sender));
	return 0;
}

/* The timed reads of a batch (read_batch), at the meter's stack position. */
static int batch_read_timed(void *arg)
{
	struct batch_call *c = arg;
	const struct sb_endpoint_direct d = c->d;
	uint8_t *into = c->buf;
	size_t cap = c->len, step = c->step;
	int want = c->want, n = want;
	uint64_t t0;
	sb_meter_begin(&c->pair->meter, &t0);
	if (d.read_batch)
		n = d.read_batch(d.state, into, cap, step, SB_RECORD_BATCH,
		                 want);
	else
		for (size_t i = 0; i < SB_RECORD_BATCH && n == want; i++)
			n = sb_pair_read(c->pair, c->role, into + i * step,
			                 cap);
	sb_meter_end(&c->pair->meter, t0, &c->cost->cycles,
	             &c->cost->instructions);
	c->last = n;
	return 0;
}

/*
 * A batch of reads.  `keep`: each record into a slot of its own, every
 * one compared with what was sent afterwards.  Otherwise every record
 * into one buffer, as a device reads, and the last one compared; the
 * others' lengths are checked, and the library authenticated each.
 */
static int read_batch(struct run_state *st, struct sb_pair *pair,
                      enum sb_role receiver, const struct record_buffers *b,
                      size_t payload, bool keep, struct batch_cost *cost)
{
	size_t step = keep ? b->slot : 0;
	uint8_t *into = b->received;
	struct batch_call c = {.pair = pair,
	                       .role = receiver,
	                       .d = sb_pair_direct(pair, receiver),
	                       .buf = into,
	                       .len = b->slot,
	                       .step = step,
	                       .want = (int)payload,
	                       .cost = cost};
	(void)sb_meter_call(&pair->meter, batch_read_timed, &c);
	int n = c.last;
	size_t i;
	if (n != (int)payload)
		return fail(st, SB_ERR_RECORD,
		            "%s read %d bytes of a %zu-byte record: %s",
		            sb_role_name(receiver), n, payload,
		            n < 0 ? sb_pair_library_error(pair, receiver)
		                  : "length differs");
	for (i = keep ? 0 : SB_RECORD_BATCH - 1; i < SB_RECORD_BATCH; i++)
		if (memcmp(into + i * step, b->payload, payload) != 0)
			return fail(st, SB_ERR_VERIFY,
			            "record %zu of %zu bytes arrived altered",
			            i, payload);
	return 0;
}

/* Every write of `batches` batches must be one record, in DTLS one
 * datagram. */
static int check_batch_wire(struct run_state *st, const struct sb_link *link,
                            enum sb_dir dir, size_t payload, size_t batches)
{
	const struct sb_link_counters *c = &link->sent[dir];
	uint64_t records = batches * SB_RECORD_BATCH;
	bool datagrams_ok =
	    link->mode == SB_LINK_STREAM || c->datagrams == records;
	if (!datagrams_ok || c->records != records || c->bytes % records != 0)
		return fail(
		    st, SB_ERR_VERIFY,
		    "%zu-byte writes gave %llu datagrams, %llu records, "
		    "%llu bytes for %llu records",
		    payload, (unsigned long long)c->datagrams,
		    (unsigned long long)c->records,
		    (unsigned long long)c->bytes, (unsigned long long)records);
	return 0;
}

/*
 * The header of the records `sender` sends.  DTLS 1.3: the unified header
 * form the library chose, from the last record the wire saw it send; the
 * longest form (16-bit sequence, length present) before it sent any.
 */
static struct sb_record sent_header(const struct run_state *st,
                                    const struct sb_pair *pair,
                                    enum sb_role sender)
{
	const struct sb_record *last = &pair->link.wire.dir[sender].last;
	if (last->unified)
		return *last;
	size_t cid = st->pair_config.cid_len;
	switch (st->scenario->protocol) {
	case SB_PROTO_DTLS12: /* RFC 9146: the CID after the sequence */
		return (struct sb_record){.header_len =
		                              SB_DTLS12_HEADER_LEN + cid,
		                          .cid_len = (uint8_t)cid};
	case SB_PROTO_DTLS13:
		return (struct sb_record){
		    .unified = true,
		    .header_len = SB_DTLS13_FLAGS_LEN + cid + 2 + 2,
		    .cid_len = (uint8_t)cid,
		    .seq_len = 2,
		    .flags = SB_DTLS13_L | SB_DTLS13_S,
		};
	case SB_PROTO_TLS12:
	case SB_PROTO_TLS13:
		break;
	}
	return (struct sb_record){.header_len = SB_TLS12_HEADER_LEN};
}

/*
 * The overhead in its parts: the record header (13 bytes in DTLS 1.2, 5 in
 * TLS; DTLS 1.3: the unified header as sent, less its Connection ID), the
 * Connection ID (DTLS 1.3), the explicit nonce the suite carries (1.2),
 * the inner content type ((D)TLS 1.3, RFC 8446 5.2), and the rest -- the
 * tag.  The rest must be exactly the suite's tag: anything else (padding,
 * a header read wrong) fails the scenario rather than be misnamed.
 */
static int sample_overhead_parts(struct run_state *st,
                                 const struct sb_pair *pair,
                                 enum sb_role sender, long payload,
                                 double overhead)
{
	const struct sb_suite *suite = st->scenario->suite;
	bool v13 = sb_protocol_is_13(st->scenario->protocol);
	struct sb_record h = sent_header(st, pair, sender);
	double cid = h.cid_len;
	double header = (double)h.header_len - cid;
	double nonce = suite->explicit_nonce_len;
	/* (D)TLS 1.3 and RFC 9146's DTLSInnerPlaintext: one content type */
	double type = v13 || h.cid_len ? SB_TLS13_INNER_TYPE_LEN : 0;
	double tag = overhead - header - cid - nonce - type;
	if (tag != suite->tag_len)
		return fail(
		    st, SB_ERR_VERIFY,
		    "%s's records add %.0f bytes: header %.0f, CID "
		    "%.0f, nonce %.0f, content type %.0f leave %.0f, not "
		    "the %u-byte tag",
		    sb_role_name(sender), overhead, header, cid, nonce, type,
		    tag, suite->tag_len);
	const char *side = sb_role_name(sender);
	int rc = sample(st, side, "overhead_header", "bytes", payload, header);
	if (rc == 0 && (st->scenario->protocol == SB_PROTO_DTLS13 || cid > 0))
		rc = sample(st, side, "overhead_cid", "bytes", payload, cid);
	rc = rc ? rc
	        : sample(st, side, "overhead_nonce", "bytes", payload, nonce);
	if (rc == 0 && (v13 || cid > 0))
		rc = sample(st, side, "overhead_content_type", "bytes", payload,
		            type);
	return rc ? rc
	          : sample(st, side, "overhead_tag", "bytes", payload, tag);
}

static size_t record_overhead(const struct run_state *st,
                              const struct sb_pair *pair);

/*
 * Records from `sender` to its peer: `batches` batches of writes, then as
 * many batches of reads, the last of each timed when `measured`.  A
 * batch's writes follow the previous batch's writes with nothing between,
 * and so do the reads: the measured batch runs in the steady state of its
 * own loop, as on a device whose peer is another machine, not after the
 * peer's work and the harness's checks.  Counting, the wire checks and
 * the guard run after the writes and after the reads, outside the timed
 * regions; every record of the first read batch is compared with what was
 * sent, the measured one reads into one buffer (read_batch).
 */
static int record_batch(struct run_state *st, struct sb_pair *pair,
                        enum sb_role sender, const struct record_buffers *b,
                        size_t payload, size_t batches, bool measured)
{
	enum sb_role receiver = peer_of(sender);
	enum sb_dir dir = sender == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	struct batch_cost enc = {0}, dec = {0};
	sb_link_reset_counters(&pair->link);
	/* The ring slots these writes fill, warm as a ring in constant use
	 * is (link.h): a record is its payload plus the suite's overhead. */
	sb_link_warm(&pair->link, dir, batches * SB_RECORD_BATCH,
	             payload + record_overhead(st, pair));
	/* The link only queues inside the timed writes; it counts and
	 * observes them after them (link.h). */
	sb_link_defer(&pair->link, true);
	int rc = 0;
	for (size_t i = 0; i < batches && rc == 0; i++) {
		enc = (struct batch_cost){0};
		rc = write_batch(st, pair, sender, b, payload, &enc);
	}
	sb_link_defer(&pair->link, false);
	if (sb_link_settle(&pair->link) && rc == 0)
		rc = fail(st, SB_ERR_NOMEM, "out of memory");
	rc = rc ? rc : check_batch_wire(st, &pair->link, dir, payload, batches);
	for (size_t i = 0; i < batches && rc == 0; i++) {
		dec = (struct batch_cost){0};
		rc = read_batch(st, pair, receiver, b, payload, i == 0, &dec);
	}
	/* The guard's check runs here, between timed batches. */
	rc = rc ? rc : check_guard(st, pair);
	if (rc || !measured)
		return rc;
	double wire =
	    (double)(pair->link.sent[dir].bytes / (batches * SB_RECORD_BATCH));
	long p = (long)payload;
	bool counting = st->options->count_instructions;
	const char *unit = counting ? "instructions" : "cycles";
	rc = sample(st, sb_role_name(sender),
	            counting ? "encrypt_instructions" : "encrypt_cycles", unit,
	            p,
	            (double)(counting ? enc.instructions : enc.cycles) /
	                SB_RECORD_BATCH);
	rc = rc ? rc
	        : sample(st, sb_role_name(receiver),
	                 counting ? "decrypt_instructions" : "decrypt_cycles",
	                 unit, p,
	                 (double)(counting ? dec.instructions : dec.cycles) /
	                     SB_RECORD_BATCH);
	rc = rc ? rc
	        : sample(st, sb_role_name(sender), "record_bytes", "bytes", p,
	                 wire);
	rc = rc ? rc
	        : sample(st, sb_role_name(sender), "record_overhead", "bytes",
	                 p, wire - (double)payload);
	return rc ? rc
	          : sample_overhead_parts(st, pair, sender, p,
	                                  wire - (double)payload);
}

/* The bytes a record of this scenario adds to its payload, per the RFCs:
 * in DTLS 1.3 with the longer unified header of the two directions. */
static size_t record_overhead(const struct run_state *st,
                              const struct sb_pair *pair)
{
	const struct sb_suite *suite = st->scenario->suite;
	size_t most = 0;
	switch (st->scenario->protocol) {
	case SB_PROTO_DTLS12: /* with a CID, and its inner content type */
		return sb_suite_dtls12_overhead(suite) +
		       (st->pair_config.cid_len
		            ? st->pair_config.cid_len + SB_TLS13_INNER_TYPE_LEN
		            : 0);
	case SB_PROTO_TLS12:
		return sb_suite_tls12_overhead(suite);
	case SB_PROTO_DTLS13:
		for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
			struct sb_record h =
			    sent_header(st, pair, (enum sb_role)r);
			size_t o = sb_suite_dtls13_overhead(
			    suite, h.cid_len, h.seq_len, h.flags & SB_DTLS13_L);
			most = o > most ? o : most;
		}
		return most;
	case SB_PROTO_TLS13:
		return sb_suite_tls13_overhead(suite);
	}
	return 0;
}

/* The largest payload whose record fits one MTU (for TLS: one segment of
 * that size) with this suite, that one record carries (2^14, wire.h) and
 * that both libraries put in one record. */
static size_t max_payload(const struct run_state *st, struct sb_pair *pair)
{
	size_t max = st->mtu - record_overhead(st, pair);
	if (max > SB_WIRE_PLAINTEXT_MAX)
		max = SB_WIRE_PLAINTEXT_MAX;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		struct sb_endpoint *ep = &pair->ep[r];
		size_t lib = ep->backend->max_payload
		                 ? ep->backend->max_payload(ep->state)
		                 : 0;
		if (lib > 0 && lib < max)
			max = lib;
	}
	return max;
}

/* Steady state: the heap and the stack while one record goes each way. */
static int steady_state_heap(struct run_state *st, struct sb_pair *pair,
                             const struct record_buffers *b, size_t payload)
{
	sb_heap_mark(&pair->ep[SB_ROLE_CLIENT].heap);
	sb_heap_mark(&pair->ep[SB_ROLE_SERVER].heap);
	sb_stack_mark(&pair->ep[SB_ROLE_CLIENT].stack);
	sb_stack_mark(&pair->ep[SB_ROLE_SERVER].stack);
	bool lost = false;
	for (int s = SB_ROLE_CLIENT; s <= SB_ROLE_SERVER && !lost; s++) {
		enum sb_role sender = (enum sb_role)s;
		lost = sb_pair_write(pair, sender, b->payload, payload) ||
		       sb_pair_read(pair, peer_of(sender), b->received,
		                    b->slot) != (int)payload;
		if (lost)
			fail(
			    st, SB_ERR_RECORD,
			    "steady-state record of %zu bytes from %s was lost",
			    payload, sb_role_name(sender));
	}
	sb_stack_disarm(&pair->ep[SB_ROLE_CLIENT].stack);
	sb_stack_disarm(&pair->ep[SB_ROLE_SERVER].stack);
	return lost ? SB_ERR_RECORD : sample_heap(st, pair, (long)payload);
}

/* Each payload's record loop: a track of its own in the rounds. */
struct payload_track {
	size_t payload; /* bytes */
	bool asked_max; /* asked for as SB_PAYLOAD_MAX */
	unsigned reps;  /* measured batches, each direction */
	uint64_t spent_ns;
	bool done;
};

/*
 * A records connection with its own buffers -- what is sent, per payload,
 * and the receive slots -- all at addresses of their own: one layout
 * (runner.h).
 */
struct records_layout {
	struct sb_pair pair;
	uint8_t *received; /* SB_RECORD_BATCH receive slots */
	uint8_t *data[SB_PAYLOADS_MAX_COUNT]; /* per track: what is sent */
};

/* The buffers of track `i` on a layout. */
static struct record_buffers layout_buffers(const struct records_layout *lay,
                                            const struct payload_track *t,
                                            size_t i)
{
	return (struct record_buffers){.payload = lay->data[i],
	                               .received = lay->received,
	                               .slot = t->payload + READ_SLACK};
}

/* Set payload `i` up on every layout: its buffer and warm-up batches;
 * and the link's own cost for the warnings. */
static int payload_begin(struct run_state *st, struct records_layout *lays,
                         unsigned layouts, const struct payload_track *t,
                         size_t i)
{
	const struct sb_run_options *o = st->options;
	/* What the same records cost the link alone, for the warnings. */
	size_t wire = t->payload + record_overhead(st, &lays[0].pair);
	int rc = 0;
	if (!o->count_instructions)
		rc = sample(st, "both", "harness_cycles", "cycles",
		            (long)t->payload,
		            sb_harness_record_cycles(wire, o->cycle_overhead));
	for (unsigned k = 0; rc == 0 && k < layouts; k++) {
		uint8_t *data = lays[k].data[i] = sb_mem_alloc(t->payload);
		if (!data)
			return fail(st, SB_ERR_NOMEM, "out of memory");
		sb_verify_pattern(data, t->payload, (unsigned)t->payload);
		struct record_buffers b = layout_buffers(&lays[k], t, i);
		for (unsigned w = 0; rc == 0 && w < o->warmup; w++)
			for (int s = SB_ROLE_CLIENT;
			     rc == 0 && s <= SB_ROLE_SERVER; s++)
				rc = record_batch(st, &lays[k].pair,
				                  (enum sb_role)s, &b,
				                  t->payload, 1, false);
	}
	return rc;
}

/* After the rounds: the payload's steady-state heap (on the first layout),
 * its largest-payload figure, and the guard. */
static int payload_end(struct run_state *st, struct records_layout *lay,
                       const struct payload_track *t, size_t i)
{
	struct sb_pair *pair = &lay->pair;
	struct record_buffers b = layout_buffers(lay, t, i);
	int rc = steady_state_heap(st, pair, &b, t->payload);
	if (rc == 0 && t->asked_max)
		for (int s = SB_ROLE_CLIENT; s <= SB_ROLE_SERVER && rc == 0;
		     s++)
			rc = sample(st, sb_role_name((enum sb_role)s),
			            "max_payload", "bytes", SB_NO_PAYLOAD,
			            (double)t->payload);
	return rc ? rc : check_guard(st, pair);
}

/* ---- the scenario ------------------------------------------------------ */

/* A scenario between its rounds: the records connections stay up. */
struct sb_scenario_state {
	struct run_state st;
	struct sb_results rows; /* its own rows so far (unsupported payloads) */
	/* The connections the record loops use, in turn (runner.h: layouts);
	 * the first also gives the steady-state heap. */
	struct records_layout layout[SB_LAYOUTS_MAX];
	unsigned layouts;   /* connections up */
	size_t max_payload; /* the most one record takes (the first's) */
	struct payload_track tracks[SB_PAYLOADS_MAX_COUNT];
	size_t track_count;
	unsigned handshakes; /* measured so far */
	uint64_t handshake_spent_ns;
	bool handshakes_done;
	int rc;        /* the first failure, 0 if none */
	bool finished; /* no more rounds */
	/* sb_scenario_mark's snapshot, for sb_scenario_rollback */
	size_t *mark_counts;
	size_t mark_series;
	unsigned mark_handshakes;
	unsigned mark_track_reps[SB_PAYLOADS_MAX_COUNT];
	unsigned mark_transcripts, mark_differing;
};

static bool scenario_supported(const struct sb_scenario *sc, char *why,
                               size_t len)
{
	struct sb_reason reason = {{0}};
	if (!sc->client->supports(sc->protocol, sc->suite, SB_ROLE_CLIENT,
	                          &reason)) {
		snprintf(why, len, "client %s: %s", sc->client->name,
		         reason.text);
		return false;
	}
	if (!sc->server->supports(sc->protocol, sc->suite, SB_ROLE_SERVER,
	                          &reason)) {
		snprintf(why, len, "server %s: %s", sc->server->name,
		         reason.text);
		return false;
	}
	return true;
}

/* The payload forged records carry: the first size asked for. */
static size_t reject_payload(const struct run_state *st, struct sb_pair *pair)
{
	size_t p = st->options->payloads[0];
	size_t max = max_payload(st, pair);
	return p == SB_PAYLOAD_MAX || p > max ? max : p;
}

/*
 * What a forged record costs the server: one read of a record whose tag
 * has a flipped bit.  DTLS drops it silently (RFC 6347 4.1.2.7), so an
 * attacker can make a device pay this at will; TLS closes the connection,
 * which is why every measured handshake's connection pays it once.
 */
static int sample_reject(struct run_state *st, struct sb_pair *pair)
{
	size_t payload = reject_payload(st, pair);
	uint8_t buf[SB_LINK_MAX_MTU];
	sb_verify_pattern(buf, payload, 3);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, buf, payload) ||
	    sb_link_corrupt(&pair->link, SB_DIR_C2S, 0))
		return fail(st, SB_ERR_VERIFY,
		            "could not send a forged record");
	uint64_t t0 = sb_cycles_now();
	int n = sb_pair_read(pair, SB_ROLE_SERVER, buf, sizeof(buf));
	uint64_t cycles =
	    sb_cycles_elapsed(t0, sb_cycles_now(), pair->meter.cycle_overhead);
	if (n >= 0)
		return fail(st, SB_ERR_VERIFY,
		            "server accepted a record with a flipped tag bit");
	return sample(st, "server", "reject_cycles", "cycles", (long)payload,
	              (double)cycles);
}

/*
 * One handshake over the lossy link: a failure is an outcome here, not an
 * error -- the library gave up retransmitting.  Each attempt's faults are
 * seeded from the run's seed and the attempt, so runs repeat.
 */
static int lossy_handshake(struct run_state *st, unsigned attempt,
                           bool *completed)
{
	const struct sb_run_options *o = st->options;
	struct sb_pair pair;
	int rc = sb_pair_setup(&pair, &st->pair_config);
	if (rc) {
		sb_pair_free(&pair);
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair.error);
	}
	sb_link_set_faults(&pair.link, &st->scenario->conditions.faults,
	                   o->seed * 1000003u + attempt);
	uint64_t t0 = sb_cycles_monotonic_ns();
	*completed = sb_pair_handshake(&pair) == 0;
	uint64_t ns = sb_cycles_monotonic_ns() - t0;
	/* Giving up under loss is an outcome; a completed handshake that does
	 * not verify, or a guard violation, fails the scenario. */
	rc = *completed ? verify_handshake(st, &pair) : 0;
	if (rc == 0)
		rc = check_guard(st, &pair);
	if (rc == 0 && *completed)
		rc = sample_handshake(st, &pair, ns);
	if (rc == 0 && *completed)
		rc = sample(st, "both", "handshake_virtual_ms", "ms",
		            SB_NO_PAYLOAD,
		            (double)pair.handshake_virtual_us / 1000.0);
	sb_pair_free(&pair);
	return rc;
}

/* Under faults: the share of handshakes that complete, and what the
 * completed ones cost, retransmissions included.  No record loops. */
static int measure_lossy(struct run_state *st)
{
	const struct sb_run_options *o = st->options;
	unsigned completed = 0;
	int rc = 0;
	for (unsigned i = 0; rc == 0 && i < o->reps; i++) {
		bool ok = false;
		rc = lossy_handshake(st, i, &ok);
		completed += ok;
	}
	if (rc)
		return rc;
	return sample(st, "both", "handshake_success", "ratio", SB_NO_PAYLOAD,
	              (double)completed / o->reps);
}

/* The scenario's time budget, and the share of it each track has:
 * handshakes half, the payloads the other half in equal parts. */
static uint64_t budget_ns(const struct sb_scenario_state *sc, bool handshake)
{
	double total = sc->st.options->budget_s * 1e9;
	if (handshake)
		return (uint64_t)(total / 2);
	return (uint64_t)(total / 2 /
	                  (double)(sc->track_count ? sc->track_count : 1));
}

unsigned sb_run_layouts(const struct sb_run_options *o)
{
	if (o->count_instructions || o->untimed || o->layouts <= 1)
		return 1;
	unsigned n = o->layouts < SB_LAYOUTS_MAX ? o->layouts : SB_LAYOUTS_MAX;
	return o->max_reps && o->max_reps < n ? o->max_reps : n;
}

/*
 * The records connections: one per layout, set up back to back, so each
 * lies at its own addresses (runner.h), with its queue room.  Only where
 * time is measured: instruction counts and the heap pass take one.
 */
static int records_connect(struct sb_scenario_state *sc)
{
	struct run_state *st = &sc->st;
	const struct sb_run_options *o = st->options;
	unsigned want = sb_run_layouts(o);
	int rc = 0;
	while (rc == 0 && sc->layouts < want) {
		struct records_layout *lay = &sc->layout[sc->layouts++];
		rc = handshake_once(st, &lay->pair, false);
		if (rc == 0 && sc->layouts == 1)
			sc->max_payload = max_payload(st, &lay->pair);
		lay->received =
		    rc == 0 ? sb_mem_alloc(SB_RECORD_BATCH *
		                           (sc->max_payload + READ_SLACK))
		            : NULL;
		if (rc == 0 && (!lay->received ||
		                sb_link_reserve(&lay->pair.link, SB_DIR_C2S,
		                                2 * SB_RECORD_BATCH) ||
		                sb_link_reserve(&lay->pair.link, SB_DIR_S2C,
		                                2 * SB_RECORD_BATCH)))
			rc = fail(st, SB_ERR_NOMEM, "out of memory");
	}
	return rc;
}

/* The records connections and each payload that fits one datagram. */
static int records_begin(struct sb_scenario_state *sc)
{
	struct run_state *st = &sc->st;
	const struct sb_run_options *o = st->options;
	int rc = records_connect(sc);
	size_t max = sc->max_payload;
	for (size_t i = 0; i < o->payload_count && rc == 0; i++) {
		size_t payload =
		    o->payloads[i] == SB_PAYLOAD_MAX ? max : o->payloads[i];
		if (payload > max) {
			char why[160];
			snprintf(why, sizeof(why),
			         "a %zu-byte payload does not fit one %zu-byte "
			         "MTU with this suite (at most %zu)",
			         payload, st->mtu, max);
			if (status_row(st->scenario, SB_ROW_UNSUPPORTED,
			               (long)payload, why, &sc->rows))
				rc = fail(st, SB_ERR_NOMEM, "out of memory");
			continue;
		}
		struct payload_track *t = &sc->tracks[sc->track_count++];
		*t = (struct payload_track){
		    .payload = payload,
		    .asked_max = o->payloads[i] == SB_PAYLOAD_MAX,
		};
		rc = payload_begin(st, sc->layout, sc->layouts, t,
		                   sc->track_count - 1);
	}
	return rc;
}

static struct sb_scenario_state *state_new(const struct sb_scenario *scenario,
                                           const struct sb_run_options *o)
{
	struct sb_scenario_state *sc = sb_mem_calloc(1, sizeof(*sc));
	if (!sc)
		return NULL;
	sc->st = (struct run_state){
	    .scenario = scenario,
	    .options = o,
	    .pair_config =
	        {
	            .client = scenario->client,
	            .server = scenario->server,
	            .protocol = scenario->protocol,
	            .suite = scenario->suite,
	            .creds = o->creds,
	            .mtu = scenario->conditions.mtu ? scenario->conditions.mtu
	                                            : o->mtu,
	            .cookie = o->cookie,
	            .mutual = o->mutual,
	            .auth = o->auth,
	            .cid_len = o->cid_len,
	            .impl = o->impl,
	            .deterministic = o->deterministic,
	            .transcript = o->deterministic && !o->no_transcript,
	            .seed = o->seed,
	            .count_instructions = o->count_instructions,
	            .cycle_overhead = o->cycle_overhead,
	            .stack_offset = o->stack_offset,
	        },
	};
	sc->st.mtu = sc->st.pair_config.mtu;
	return sc;
}

static void state_free(struct sb_scenario_state *sc)
{
	for (unsigned k = 0; k < sc->layouts; k++) {
		sb_pair_free(&sc->layout[k].pair);
		sb_mem_free(sc->layout[k].received);
		for (size_t i = 0; i < sc->track_count; i++)
			sb_mem_free(sc->layout[k].data[i]);
	}
	sb_series_set_free(&sc->st.series);
	sb_results_free(&sc->rows);
	sb_mem_free(sc->mark_counts);
	sb_mem_free(sc);
}

/* A count that could not be read is a failure, never a 0: checked after
 * each stretch of one scenario's calls (its begin, each of its rounds). */
static int count_failure(struct run_state *st)
{
	if (st->options->count_instructions &&
	    sb_callgrind_take_failure(st->reason, sizeof(st->reason)))
		return SB_ERR_IO;
	return 0;
}

int sb_scenario_begin(const struct sb_scenario *scenario,
                      const struct sb_run_options *options,
                      struct sb_results *results,
                      struct sb_scenario_state **state)
{
	*state = NULL;
	char why[sizeof(((struct sb_row *)0)->reason)];
	if (!scenario_supported(scenario, why, sizeof(why)))
		return status_row(scenario, SB_ROW_UNSUPPORTED, SB_NO_PAYLOAD,
		                  why, results);
	if (options->cid_len > 0 && !sb_protocol_is_dtls(scenario->protocol))
		return status_row(scenario, SB_ROW_UNSUPPORTED, SB_NO_PAYLOAD,
		                  "a Connection ID is a DTLS record field (RFC "
		                  "9146, RFC 9147 9): TLS has none",
		                  results);
	struct sb_scenario_state *sc = state_new(scenario, options);
	if (!sc)
		return SB_ERR_NOMEM;
	struct run_state *st = &sc->st;
	int rc = verify_connection(st);
	if (rc == 0 && scenario->conditions.faulty) {
		/* Under faults: no record loops, no rounds. */
		sc->rc = measure_lossy(st);
		sc->finished = true;
		*state = sc;
		return sc->rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
	}
	/* The verified connection was the first warm-up handshake. */
	for (unsigned i = 1; rc == 0 && i < options->warmup; i++) {
		struct sb_pair pair;
		rc = handshake_once(st, &pair, false);
		sb_pair_free(&pair);
	}
	/* Records go over a fresh connection, unharmed by forged records. */
	if (rc == 0)
		rc = records_begin(sc);
	rc = rc ? rc : count_failure(st);
	sc->rc = rc;
	sc->finished = rc != 0;
	*state = sc;
	return rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
}

/* One measured handshake on a fresh pair, then its forged record. */
static int round_handshake(struct sb_scenario_state *sc)
{
	struct run_state *st = &sc->st;
	uint64_t t0 = sb_cycles_monotonic_ns();
	struct sb_pair pair;
	/* An unmeasured handshake first, as for record batches: the measured
	 * one runs on the library's code warm, not after whatever else the
	 * round ran. */
	int rc = handshake_once(st, &pair, false);
	sb_pair_free(&pair);
	if (rc == 0)
		rc = handshake_once(st, &pair, true);
	if (rc == 0 && !st->options->count_instructions)
		rc = sample_reject(st, &pair);
	sb_pair_free(&pair);
	sc->handshakes++;
	sc->handshake_spent_ns += sb_cycles_monotonic_ns() - t0;
	sc->handshakes_done = track_done(
	    st, sc->handshakes, 1, sc->handshake_spent_ns, budget_ns(sc, true),
	    "handshake_cycles", NULL, SB_NO_PAYLOAD);
	return rc;
}

/* One measured batch each way of one payload's records. */
static int round_records(struct sb_scenario_state *sc, size_t i)
{
	struct run_state *st = &sc->st;
	struct payload_track *t = &sc->tracks[i];
	/* The layouts in turn: each round's batches on the next. */
	struct records_layout *lay = &sc->layout[t->reps % sc->layouts];
	struct record_buffers b = layout_buffers(lay, t, i);
	uint64_t t0 = sb_cycles_monotonic_ns();
	int rc = 0;
	/* Each measured batch directly follows an unmeasured one of the same
	 * calls (record_batch): whatever ran before (this scenario's
	 * handshake with its big-number arithmetic, another scenario, the
	 * harness's checks) left the caches and predictors cold, and a
	 * record loop's figure is its steady state. */
	for (int s = SB_ROLE_CLIENT; rc == 0 && s <= SB_ROLE_SERVER; s++)
		rc = record_batch(st, &lay->pair, (enum sb_role)s, &b,
		                  t->payload, 2, true);
	t->reps++;
	t->spent_ns += sb_cycles_monotonic_ns() - t0;
	t->done = track_done(st, t->reps, sc->layouts, t->spent_ns,
	                     budget_ns(sc, false), "encrypt_cycles",
	                     "decrypt_cycles", (long)t->payload);
	return rc;
}

static bool records_done(const struct sb_scenario_state *sc)
{
	for (size_t i = 0; i < sc->track_count; i++)
		if (!sc->tracks[i].done)
			return false;
	return true;
}

unsigned sb_scenario_rounds_kept(const struct sb_scenario_state *sc,
                                 enum sb_phase phase)
{
	if (phase == SB_PHASE_HANDSHAKES)
		return sc->handshakes;
	unsigned most = 0;
	for (size_t i = 0; i < sc->track_count; i++)
		if (sc->tracks[i].reps > most)
			most = sc->tracks[i].reps;
	return most;
}

bool sb_scenario_round_wanted(const struct sb_scenario_state *sc,
                              enum sb_phase phase)
{
	if (sc->finished)
		return false;
	return phase == SB_PHASE_HANDSHAKES ? !sc->handshakes_done
	                                    : !records_done(sc);
}

bool sb_scenario_round(struct sb_scenario_state *sc, enum sb_phase phase)
{
	if (!sb_scenario_round_wanted(sc, phase))
		return false;
	int rc = 0;
	if (phase == SB_PHASE_HANDSHAKES)
		rc = round_handshake(sc);
	for (size_t i = 0;
	     phase == SB_PHASE_RECORDS && i < sc->track_count && rc == 0; i++)
		if (!sc->tracks[i].done)
			rc = round_records(sc, i);
	rc = rc ? rc : count_failure(&sc->st);
	sc->rc = rc;
	sc->finished = rc != 0 || (sc->handshakes_done && records_done(sc));
	return sb_scenario_round_wanted(sc, phase);
}

int sb_scenario_mark(struct sb_scenario_state *sc)
{
	const struct sb_series_set *set = &sc->st.series;
	if (set->count > sc->mark_series || !sc->mark_counts) {
		size_t *counts = sb_mem_realloc(
		    sc->mark_counts, (set->count + 1) * sizeof(*counts));
		if (!counts)
			return SB_ERR_NOMEM;
		sc->mark_counts = counts;
	}
	sc->mark_series = set->count;
	for (size_t i = 0; i < set->count; i++)
		sc->mark_counts[i] = set->items[i].samples.count;
	sc->mark_handshakes = sc->handshakes;
	for (size_t i = 0; i < sc->track_count; i++)
		sc->mark_track_reps[i] = sc->tracks[i].reps;
	sc->mark_transcripts = sc->st.transcripts;
	sc->mark_differing = sc->st.transcripts_differing;
	return 0;
}

void sb_scenario_rollback(struct sb_scenario_state *sc)
{
	struct sb_series_set *set = &sc->st.series;
	if (sc->rc != 0)
		return; /* a failed scenario keeps no numbers anyway */
	for (size_t i = 0; i < set->count; i++)
		set->items[i].samples.count =
		    i < sc->mark_series ? sc->mark_counts[i] : 0;
	sc->handshakes = sc->mark_handshakes;
	sc->handshakes_done = false;
	for (size_t i = 0; i < sc->track_count; i++) {
		sc->tracks[i].reps = sc->mark_track_reps[i];
		sc->tracks[i].done = false;
	}
	sc->st.transcripts = sc->mark_transcripts;
	sc->st.transcripts_differing = sc->mark_differing;
	sc->finished = false;
}

int sb_scenario_end(struct sb_scenario_state *sc, struct sb_results *results)
{
	if (!sc)
		return 0;
	struct run_state *st = &sc->st;
	int rc = sc->rc;
	bool lossy = st->scenario->conditions.faulty;
	for (size_t i = 0; i < sc->track_count && rc == 0 && !lossy; i++)
		rc = payload_end(st, &sc->layout[0], &sc->tracks[i], i);
	if (rc == 0)
		rc = series_rows(st, &sc->rows);
	if (rc == 0 && st->pair_config.transcript && !lossy)
		rc = transcript_row(st, &sc->rows);
	for (size_t i = 0; rc == 0 && i < sc->rows.count; i++)
		if (sb_results_add(results, &sc->rows.rows[i]))
			rc = SB_ERR_NOMEM;
	if (rc && rc != SB_ERR_NOMEM)
		/* a failed scenario keeps no numbers */
		rc = status_row(st->scenario,
		                rc == SB_ERR_MTU || rc == SB_ERR_UNSUPPORTED
		                    ? SB_ROW_UNSUPPORTED
		                    : SB_ROW_FAILED,
		                SB_NO_PAYLOAD, st->reason, results);
	state_free(sc);
	return rc == SB_ERR_NOMEM ? SB_ERR_NOMEM : 0;
}

int sb_scenario_run(const struct sb_scenario *scenario,
                    const struct sb_run_options *options,
                    struct sb_results *results)
{
	struct sb_scenario_state *sc;
	int rc = sb_scenario_begin(scenario, options, results, &sc);
	if (rc || !sc)
		return rc;
	while (sb_scenario_round(sc, SB_PHASE_HANDSHAKES))
		;
	while (sb_scenario_round(sc, SB_PHASE_RECORDS))
		;
	return sb_scenario_end(sc, results);
}
