#include "run/runner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/callgrind.h"
#include "measure/cycles.h"
#include "run/figures.h"
#include "run/harness.h"
#include "run/pair.h"
#include "run/series.h"
#include "run/verify.h"

/* Bytes of application data the verification round trip sends. */
#define VERIFY_PAYLOAD 100
/* Slack in each receive slot, so a record longer than expected is seen. */
#define READ_SLACK 256

struct run_state {
	const struct sb_scenario *scenario;
	const struct sb_run_options *options;
	struct sb_pair_config pair_config;
	size_t mtu; /* the scenario's */
	struct sb_series_set series;
	uint64_t deadline_ns; /* when the scenario stops chasing precision */
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
 * Whether a measuring loop at repetition `i` is done: never before the
 * minimum repetitions, then when its metrics (`second` may be NULL) are
 * precise enough (checked every 8 repetitions: the check sorts), the
 * maximum is reached, or the time allowed until `deadline_ns` is spent.
 */
static bool loop_done(struct run_state *st, unsigned i, const char *first,
                      const char *second, long payload, uint64_t deadline_ns)
{
	const struct sb_run_options *o = st->options;
	if (i < o->reps)
		return false;
	if (i >= o->max_reps || sb_cycles_monotonic_ns() >= deadline_ns)
		return true;
	return (i - o->reps) % 8 == 0 && timing_precise(st, first, payload) &&
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

static void add_warning(struct sb_row *row, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_warning(struct sb_row *row, const char *fmt, ...)
{
	size_t at = strlen(row->warnings);
	if (at > 0 && at + 2 < sizeof(row->warnings)) {
		strcpy(row->warnings + at, "; ");
		at += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(row->warnings + at, sizeof(row->warnings) - at, fmt, ap);
	va_end(ap);
}

/* Caveats of a timed figure: outliers, precision not reached, and a
 * harness cost that is not negligible beside it. */
static void timing_warnings(struct run_state *st, const struct sb_series *s,
                            struct sb_row *row)
{
	const struct sb_run_options *o = st->options;
	size_t outliers = sb_series_outliers(s);
	if (outliers > 0)
		add_warning(
		    row, "%zu of %zu samples are outliers (modified z > 3.5)",
		    outliers, s->samples.count);
	double med = row->stats.median;
	double half = sb_stats_median_half_width(&row->stats);
	if (o->precision > 0 && med > 0 && half > o->precision * med)
		add_warning(row,
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
	if (med > 0 && link > 0.01 * med)
		add_warning(row, "link copy is %.1f %% of this figure",
		            100 * link / med);
}

static int series_rows(struct run_state *st, struct sb_results *out)
{
	for (size_t i = 0; i < st->series.count; i++) {
		struct sb_series *s = &st->series.items[i];
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
			add_warning(&row, "the server delivered a replayed "
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
	       sb_kx_uses_psk(st->scenario->suite->kx) ||
	       st->options->mutual;
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

static void fill_pattern(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31u + seed);
}

static int round_trip(struct run_state *st, struct sb_pair *pair,
                      enum sb_role sender)
{
	uint8_t sent[VERIFY_PAYLOAD];
	uint8_t got[VERIFY_PAYLOAD + READ_SLACK];
	fill_pattern(sent, sizeof(sent), sender);
	enum sb_role receiver = peer_of(sender);
	int rc = sb_pair_write(pair, sender, sent, sizeof(sent));
	if (rc)
		return fail(st, SB_ERR_VERIFY, "%s write: %s",
		            sb_role_name(sender),
		            sb_pair_library_error(pair, sender));
	int n = sb_pair_read(pair, receiver, got, sizeof(got));
	if (n != (int)sizeof(sent) || memcmp(sent, got, sizeof(sent)) != 0)
		return fail(st, SB_ERR_VERIFY,
		            "data from %s did not arrive intact (%d bytes: %s)",
		            sb_role_name(sender), n,
		            n < 0 ? sb_pair_library_error(pair, receiver) : "");
	return 0;
}

/*
 * DTLS anti-replay (RFC 6347 4.1.2.6): a record an attacker sends again
 * must not be delivered twice.  The copy goes in as an attacker's would,
 * past the guard (the endpoint did not send it twice).  Detection is
 * optional in the RFC, so a library without it gives replay_dropped 0
 * with a warning, not a failed scenario.
 */
static int replay_dropped(struct run_state *st, struct sb_pair *pair)
{
	uint8_t sent[VERIFY_PAYLOAD], copy[SB_LINK_MAX_MTU];
	uint8_t got[VERIFY_PAYLOAD + READ_SLACK];
	fill_pattern(sent, sizeof(sent), 11);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, sent, sizeof(sent)))
		return fail(st, SB_ERR_VERIFY, "client write: %s",
		            sb_pair_library_error(pair, SB_ROLE_CLIENT));
	int len =
	    sb_link_peek_newest(&pair->link, SB_DIR_C2S, copy, sizeof(copy));
	if (len < 0 ||
	    sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got)) !=
	        (int)sizeof(sent) ||
	    sb_link_inject(&pair->link, SB_DIR_C2S, copy, (size_t)len))
		return fail(st, SB_ERR_VERIFY, "record before the replay lost");
	int n = sb_pair_read(pair, SB_ROLE_SERVER, got, sizeof(got));
	return sample(st, "server", "replay_dropped", "records", SB_NO_PAYLOAD,
	              n < 0 ? 1 : 0);
}

/* DTLS drops a forged record silently (RFC 6347 4.1.2.7); either way it
 * must never be delivered as data. */
static int forged_record_rejected(struct run_state *st, struct sb_pair *pair)
{
	uint8_t buf[VERIFY_PAYLOAD + READ_SLACK];
	fill_pattern(buf, VERIFY_PAYLOAD, 7);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, buf, VERIFY_PAYLOAD) ||
	    sb_link_corrupt(&pair->link, SB_DIR_C2S, 0))
		return fail(st, SB_ERR_VERIFY,
		            "could not send the forged record");
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

static int verify_connection(struct run_state *st)
{
	struct sb_pair pair;
	int rc = connect_pair(st, &pair);
	if (rc == 0)
		rc = round_trip(st, &pair, SB_ROLE_CLIENT);
	if (rc == 0)
		rc = round_trip(st, &pair, SB_ROLE_SERVER);
	if (rc == 0)
		rc = check_guard(st, &pair);
	if (rc == 0 && st->options->observer &&
	    st->options->observer->connection)
		rc = export_capture(st, &pair);
	if (rc == 0 && st->scenario->protocol == SB_PROTO_DTLS12)
		rc = replay_dropped(st, &pair);
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
		add_warning(&row,
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

static int write_batch(struct run_state *st, struct sb_pair *pair,
                       enum sb_role sender, const struct record_buffers *b,
                       size_t payload, struct batch_cost *cost)
{
	uint64_t t0;
	sb_meter_begin(&pair->meter, &t0);
	for (size_t i = 0; i < SB_RECORD_BATCH; i++)
		if (sb_pair_write(pair, sender, b->payload, payload)) {
			sb_meter_end(&pair->meter, t0, &cost->cycles,
			             &cost->instructions);
			return fail(st, SB_ERR_RECORD,
			            "%s write of %zu bytes: %s",
			            sb_role_name(sender), payload,
			            sb_pair_library_error(pair, sender));
		}
	sb_meter_end(&pair->meter, t0, &cost->cycles, &cost->instructions);
	return 0;
}

static int read_batch(struct run_state *st, struct sb_pair *pair,
                      enum sb_role receiver, const struct record_buffers *b,
                      size_t payload, struct batch_cost *cost)
{
	uint64_t t0;
	int n = (int)payload;
	sb_meter_begin(&pair->meter, &t0);
	for (size_t i = 0; i < SB_RECORD_BATCH && n == (int)payload; i++)
		n = sb_pair_read(pair, receiver, b->received + i * b->slot,
		                 b->slot);
	sb_meter_end(&pair->meter, t0, &cost->cycles, &cost->instructions);
	if (n != (int)payload)
		return fail(st, SB_ERR_RECORD,
		            "%s read %d bytes of a %zu-byte record: %s",
		            sb_role_name(receiver), n, payload,
		            n < 0 ? sb_pair_library_error(pair, receiver)
		                  : "length differs");
	for (size_t i = 0; i < SB_RECORD_BATCH; i++)
		if (memcmp(b->received + i * b->slot, b->payload, payload) != 0)
			return fail(st, SB_ERR_VERIFY,
			            "record %zu of %zu bytes arrived altered",
			            i, payload);
	return 0;
}

/* Every write of the batch must be one record, in DTLS one datagram. */
static int check_batch_wire(struct run_state *st, const struct sb_link *link,
                            enum sb_dir dir, size_t payload)
{
	const struct sb_link_counters *c = &link->sent[dir];
	bool datagrams_ok =
	    link->mode == SB_LINK_STREAM || c->datagrams == SB_RECORD_BATCH;
	if (!datagrams_ok || c->records != SB_RECORD_BATCH ||
	    c->bytes % SB_RECORD_BATCH != 0)
		return fail(
		    st, SB_ERR_VERIFY,
		    "%zu-byte writes gave %llu datagrams, %llu records, "
		    "%llu bytes for %d records",
		    payload, (unsigned long long)c->datagrams,
		    (unsigned long long)c->records,
		    (unsigned long long)c->bytes, SB_RECORD_BATCH);
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
	case SB_PROTO_DTLS12:
		return (struct sb_record){.header_len = SB_DTLS12_HEADER_LEN};
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
	double type = v13 ? SB_TLS13_INNER_TYPE_LEN : 0;
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
	if (rc == 0 && st->scenario->protocol == SB_PROTO_DTLS13)
		rc = sample(st, side, "overhead_cid", "bytes", payload, cid);
	rc = rc ? rc
	        : sample(st, side, "overhead_nonce", "bytes", payload, nonce);
	if (rc == 0 && v13)
		rc = sample(st, side, "overhead_content_type", "bytes", payload,
		            type);
	return rc ? rc
	          : sample(st, side, "overhead_tag", "bytes", payload, tag);
}

static int record_batch(struct run_state *st, struct sb_pair *pair,
                        enum sb_role sender, const struct record_buffers *b,
                        size_t payload, bool measured)
{
	enum sb_role receiver = peer_of(sender);
	enum sb_dir dir = sender == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	struct batch_cost enc = {0}, dec = {0};
	sb_link_reset_counters(&pair->link);
	int rc = write_batch(st, pair, sender, b, payload, &enc);
	rc = rc ? rc : check_batch_wire(st, &pair->link, dir, payload);
	rc = rc ? rc : read_batch(st, pair, receiver, b, payload, &dec);
	/* The guard's check runs here, between timed batches. */
	rc = rc ? rc : check_guard(st, pair);
	if (rc || !measured)
		return rc;
	double wire = (double)(pair->link.sent[dir].bytes / SB_RECORD_BATCH);
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
	case SB_PROTO_DTLS12:
		return sb_suite_dtls12_overhead(suite);
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
 * that size) with this suite, and that both libraries put in one record. */
static size_t max_payload(const struct run_state *st, struct sb_pair *pair)
{
	size_t max = st->mtu - record_overhead(st, pair);
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

/* Steady state: the heap while one record goes each way. */
static int steady_state_heap(struct run_state *st, struct sb_pair *pair,
                             const struct record_buffers *b, size_t payload)
{
	sb_heap_mark(&pair->ep[SB_ROLE_CLIENT].heap);
	sb_heap_mark(&pair->ep[SB_ROLE_SERVER].heap);
	for (int s = SB_ROLE_CLIENT; s <= SB_ROLE_SERVER; s++) {
		enum sb_role sender = (enum sb_role)s;
		if (sb_pair_write(pair, sender, b->payload, payload) ||
		    sb_pair_read(pair, peer_of(sender), b->received, b->slot) !=
		        (int)payload)
			return fail(st, SB_ERR_RECORD,
			            "steady-state record of %zu bytes from %s "
			            "was lost",
			            payload, sb_role_name(sender));
	}
	return sample_heap(st, pair, (long)payload);
}

static int measure_payload(struct run_state *st, struct sb_pair *pair,
                           size_t payload, uint64_t deadline_ns)
{
	const struct sb_run_options *o = st->options;
	struct record_buffers b = {.slot = payload + READ_SLACK};
	b.payload = malloc(payload);
	b.received = malloc(SB_RECORD_BATCH * b.slot);
	int rc = b.payload && b.received
	             ? 0
	             : fail(st, SB_ERR_NOMEM, "out of memory");
	if (rc == 0 &&
	    (sb_link_reserve(&pair->link, SB_DIR_C2S, SB_RECORD_BATCH) ||
	     sb_link_reserve(&pair->link, SB_DIR_S2C, SB_RECORD_BATCH)))
		rc = fail(st, SB_ERR_NOMEM, "out of memory");
	if (rc == 0)
		fill_pattern(b.payload, payload, (unsigned)payload);
	/* What the same records cost the link alone, for the warnings. */
	size_t wire = payload + record_overhead(st, pair);
	if (rc == 0 && !o->count_instructions)
		rc = sample(st, "both", "harness_cycles", "cycles",
		            (long)payload,
		            sb_harness_record_cycles(wire, o->cycle_overhead));
	for (unsigned i = 0; rc == 0 && i < o->warmup; i++)
		for (int s = SB_ROLE_CLIENT; rc == 0 && s <= SB_ROLE_SERVER;
		     s++)
			rc = record_batch(st, pair, (enum sb_role)s, &b,
			                  payload, false);
	for (unsigned i = 0;
	     rc == 0 && !loop_done(st, i, "encrypt_cycles", "decrypt_cycles",
	                           (long)payload, deadline_ns);
	     i++)
		for (int s = SB_ROLE_CLIENT; rc == 0 && s <= SB_ROLE_SERVER;
		     s++)
			rc = record_batch(st, pair, (enum sb_role)s, &b,
			                  payload, true);
	if (rc == 0)
		rc = steady_state_heap(st, pair, &b, payload);
	if (rc == 0)
		rc = check_guard(st, pair);
	free(b.payload);
	free(b.received);
	return rc;
}

/* Each payload size gets an equal share of the scenario's time left. */
static uint64_t payload_deadline(const struct run_state *st, size_t left)
{
	uint64_t now = sb_cycles_monotonic_ns();
	if (now >= st->deadline_ns)
		return now;
	return now + (st->deadline_ns - now) / left;
}

static int measure_records(struct run_state *st, struct sb_pair *pair,
                           struct sb_results *out)
{
	const struct sb_run_options *o = st->options;
	size_t max = max_payload(st, pair);
	int rc = 0;
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
			               (long)payload, why, out))
				return fail(st, SB_ERR_NOMEM, "out of memory");
			continue;
		}
		rc =
		    measure_payload(st, pair, payload,
		                    payload_deadline(st, o->payload_count - i));
		if (rc == 0 && o->payloads[i] == SB_PAYLOAD_MAX)
			for (int s = SB_ROLE_CLIENT;
			     s <= SB_ROLE_SERVER && rc == 0; s++)
				rc = sample(st, sb_role_name((enum sb_role)s),
				            "max_payload", "bytes",
				            SB_NO_PAYLOAD, (double)payload);
	}
	return rc;
}

/* ---- the scenario ------------------------------------------------------ */

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
	fill_pattern(buf, payload, 3);
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

static int measure_handshakes(struct run_state *st)
{
	const struct sb_run_options *o = st->options;
	uint64_t now = sb_cycles_monotonic_ns();
	/* Handshakes may use half the scenario's time, records the rest. */
	uint64_t deadline =
	    now < st->deadline_ns ? now + (st->deadline_ns - now) / 2 : now;
	int rc = 0;
	for (unsigned i = 0;
	     rc == 0 && !loop_done(st, i, "handshake_cycles", NULL,
	                           SB_NO_PAYLOAD, deadline);
	     i++) {
		struct sb_pair pair;
		rc = handshake_once(st, &pair, true);
		if (rc == 0 && !o->count_instructions)
			rc = sample_reject(st, &pair);
		sb_pair_free(&pair);
	}
	return rc;
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

static int measure(struct run_state *st, struct sb_results *out)
{
	const struct sb_run_options *o = st->options;
	struct sb_pair pair = {0};
	st->deadline_ns =
	    sb_cycles_monotonic_ns() + (uint64_t)(o->budget_s * 1e9);
	int rc = verify_connection(st);
	if (rc == 0 && st->scenario->conditions.faulty)
		return measure_lossy(st);
	/* The verified connection was the first warm-up handshake. */
	for (unsigned i = 1; rc == 0 && i < o->warmup; i++) {
		rc = handshake_once(st, &pair, false);
		sb_pair_free(&pair);
	}
	if (rc == 0)
		rc = measure_handshakes(st);
	/* Records go over a fresh connection, unharmed by forged records. */
	if (rc == 0)
		rc = handshake_once(st, &pair, false);
	if (rc == 0)
		rc = measure_records(st, &pair, out);
	sb_pair_free(&pair);
	return rc;
}

int sb_scenario_run(const struct sb_scenario *scenario,
                    const struct sb_run_options *options,
                    struct sb_results *results)
{
	struct run_state st = {
	    .scenario = scenario,
	    .options = options,
	    .pair_config =
	        {
	            .client = scenario->client,
	            .server = scenario->server,
	            .protocol = scenario->protocol,
	            .suite = scenario->suite,
	            .creds = options->creds,
	            .mtu = scenario->conditions.mtu ? scenario->conditions.mtu
	                                            : options->mtu,
	            .cookie = options->cookie,
	            .mutual = options->mutual,
	            .auth = options->auth,
	            .cid_len = options->cid_len,
	            .impl = options->impl,
	            .deterministic = options->deterministic,
	            .transcript =
	                options->deterministic && !options->no_transcript,
	            .seed = options->seed,
	            .count_instructions = options->count_instructions,
	            .cycle_overhead = options->cycle_overhead,
	        },
	};
	st.mtu = st.pair_config.mtu;
	if (!scenario_supported(scenario, st.reason, sizeof(st.reason)))
		return status_row(scenario, SB_ROW_UNSUPPORTED, SB_NO_PAYLOAD,
		                  st.reason, results);
	if (options->cid_len > 0 && !sb_protocol_is_dtls(scenario->protocol))
		return status_row(scenario, SB_ROW_UNSUPPORTED, SB_NO_PAYLOAD,
		                  "a Connection ID is a DTLS record field (RFC "
		                  "9146, RFC 9147 9): TLS has none",
		                  results);
	size_t kept = results->count;
	int rc = measure(&st, results);
	/* A count that could not be read is a failure, never a 0. */
	if (rc == 0 && options->count_instructions &&
	    sb_callgrind_take_failure(st.reason, sizeof(st.reason)))
		rc = SB_ERR_IO;
	if (rc == 0)
		rc = series_rows(&st, results);
	if (rc == 0 && st.pair_config.transcript)
		rc = transcript_row(&st, results);
	sb_series_set_free(&st.series);
	if (rc == SB_ERR_NOMEM)
		return rc;
	if (rc) {
		results->count = kept; /* a failed scenario keeps no numbers */
		return status_row(scenario,
		                  rc == SB_ERR_MTU || rc == SB_ERR_UNSUPPORTED
		                      ? SB_ROW_UNSUPPORTED
		                      : SB_ROW_FAILED,
		                  SB_NO_PAYLOAD, st.reason, results);
	}
	return 0;
}
