#include "runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "pair.h"

/* Bytes of application data the verification round trip sends. */
#define VERIFY_PAYLOAD 100
/* Slack in each receive slot, so a record longer than expected is seen. */
#define READ_SLACK 256

/* The samples of one metric, keyed like a row. */
struct series {
	char side[8];
	char metric[32];
	const char *unit;
	long payload;
	struct sb_samples samples;
};

struct run_state {
	const struct sb_scenario *scenario;
	const struct sb_run_options *options;
	struct sb_pair_config pair_config;
	struct series *series;
	size_t series_count;
	size_t series_cap;
	char reason[sizeof(((struct sb_row *)0)->reason)];
};

const char *sb_protocol_name(enum sb_protocol protocol)
{
	switch (protocol) {
	case SB_PROTO_DTLS12:
		return "dtls1.2";
	case SB_PROTO_TLS12:
		return "tls1.2";
	}
	return "?";
}

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

static struct series *series_find(struct run_state *st, const char *side,
				  const char *metric, long payload)
{
	for (size_t i = 0; i < st->series_count; i++) {
		struct series *s = &st->series[i];
		if (s->payload == payload && strcmp(s->side, side) == 0 &&
		    strcmp(s->metric, metric) == 0)
			return s;
	}
	return NULL;
}

static int sample(struct run_state *st, const char *side, const char *metric,
		  const char *unit, long payload, double value)
{
	struct series *s = series_find(st, side, metric, payload);
	if (!s) {
		if (st->series_count == st->series_cap) {
			size_t cap = st->series_cap ? 2 * st->series_cap : 32;
			struct series *grown =
				realloc(st->series, cap * sizeof(*grown));
			if (!grown)
				return fail(st, SB_ERR_NOMEM, "out of memory");
			st->series = grown;
			st->series_cap = cap;
		}
		s = &st->series[st->series_count++];
		*s = (struct series){.unit = unit, .payload = payload};
		snprintf(s->side, sizeof(s->side), "%s", side);
		snprintf(s->metric, sizeof(s->metric), "%s", metric);
	}
	if (sb_samples_add(&s->samples, value))
		return fail(st, SB_ERR_NOMEM, "out of memory");
	return 0;
}

static void series_free(struct run_state *st)
{
	for (size_t i = 0; i < st->series_count; i++)
		sb_samples_free(&st->series[i].samples);
	free(st->series);
	st->series = NULL;
	st->series_count = st->series_cap = 0;
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

static int series_rows(struct run_state *st, struct sb_results *out)
{
	for (size_t i = 0; i < st->series_count; i++) {
		struct series *s = &st->series[i];
		struct sb_row row = scenario_row(st->scenario);
		row.payload = s->payload;
		snprintf(row.side, sizeof(row.side), "%s", s->side);
		snprintf(row.metric, sizeof(row.metric), "%s", s->metric);
		snprintf(row.unit, sizeof(row.unit), "%s", s->unit);
		sb_stats_summarize(s->samples.values, s->samples.count,
				   &row.stats);
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
	return role == SB_ROLE_CLIENT || st->scenario->suite->kx != SB_KX_ECDHE_ECDSA ||
	       st->options->mutual;
}

static int verify_handshake(struct run_state *st, struct sb_pair *pair)
{
	uint16_t want = st->scenario->suite->code_point;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		struct sb_pair_endpoint *ep = &pair->ep[r];
		uint16_t got = ep->backend->negotiated_suite(ep->state);
		if (got != want)
			return fail(st, SB_ERR_VERIFY,
				    "%s negotiated suite 0x%04X, not 0x%04X",
				    sb_role_name((enum sb_role)r), got, want);
		if (must_authenticate(st, (enum sb_role)r) &&
		    !ep->backend->peer_authenticated(ep->state))
			return fail(st, SB_ERR_VERIFY,
				    "%s did not authenticate its peer",
				    sb_role_name((enum sb_role)r));
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

/* DTLS drops a forged record silently (RFC 6347 4.1.2.7); either way it
 * must never be delivered as data. */
static int forged_record_rejected(struct run_state *st, struct sb_pair *pair)
{
	uint8_t buf[VERIFY_PAYLOAD + READ_SLACK];
	fill_pattern(buf, VERIFY_PAYLOAD, 7);
	if (sb_pair_write(pair, SB_ROLE_CLIENT, buf, VERIFY_PAYLOAD) ||
	    sb_link_corrupt(&pair->link, SB_DIR_C2S, 0))
		return fail(st, SB_ERR_VERIFY, "could not send the forged record");
	int n = sb_pair_read(pair, SB_ROLE_SERVER, buf, sizeof(buf));
	if (n >= 0)
		return fail(st, SB_ERR_VERIFY,
			    "server accepted a record with a flipped tag bit");
	return 0;
}

static int connect_pair(struct run_state *st, struct sb_pair *pair)
{
	if (sb_pair_setup(pair, &st->pair_config) || sb_pair_handshake(pair))
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	return verify_handshake(st, pair);
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
		rc = forged_record_rejected(st, &pair);
	sb_pair_free(&pair);
	return rc;
}

/* ---- handshake measurement --------------------------------------------- */

static int sample_wire(struct run_state *st, const struct sb_link *link)
{
	static const char *const side_of[2] = {"client", "server"};
	const struct sb_link_counters *c2s = &link->sent[SB_DIR_C2S];
	const struct sb_link_counters *s2c = &link->sent[SB_DIR_S2C];
	int rc = 0;
	for (int d = 0; d < 2 && rc == 0; d++) {
		const struct sb_link_counters *c = &link->sent[d];
		rc = sample(st, side_of[d], "handshake_bytes", "bytes",
			    SB_NO_PAYLOAD, (double)c->bytes);
		rc = rc ? rc : sample(st, side_of[d], "handshake_datagrams",
				      "datagrams", SB_NO_PAYLOAD,
				      (double)c->datagrams);
		rc = rc ? rc : sample(st, side_of[d], "handshake_records",
				      "records", SB_NO_PAYLOAD,
				      (double)c->records);
	}
	rc = rc ? rc : sample(st, "both", "handshake_bytes", "bytes",
			      SB_NO_PAYLOAD, (double)(c2s->bytes + s2c->bytes));
	rc = rc ? rc : sample(st, "both", "handshake_datagrams", "datagrams",
			      SB_NO_PAYLOAD,
			      (double)(c2s->datagrams + s2c->datagrams));
	rc = rc ? rc : sample(st, "both", "handshake_flights", "flights",
			      SB_NO_PAYLOAD, (double)link->flight_count);
	for (size_t i = 0; i < link->flight_count && rc == 0; i++) {
		const struct sb_flight *f = &link->flights[i];
		char metric[32];
		snprintf(metric, sizeof(metric), "flight%u_bytes", (unsigned)(i + 1) % 1000);
		rc = sample(st, side_of[f->dir], metric, "bytes", SB_NO_PAYLOAD,
			    (double)f->sent.bytes);
		snprintf(metric, sizeof(metric), "flight%u_datagrams", (unsigned)(i + 1) % 1000);
		rc = rc ? rc : sample(st, side_of[f->dir], metric, "datagrams",
				      SB_NO_PAYLOAD, (double)f->sent.datagrams);
	}
	return rc;
}

/* Heap figures of both endpoints since their counters were last marked,
 * or the caller-owned RAM of a library that allocates nothing; nothing
 * for a library whose allocations cannot be counted. */
static int sample_heap(struct run_state *st, const struct sb_pair *pair,
		       long payload)
{
	int rc = 0;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++) {
		const struct sb_pair_endpoint *ep = &pair->ep[r];
		const char *side = sb_role_name((enum sb_role)r);
		if (ep->backend->static_ram)
			rc = sample(st, side, "static_ram", "bytes", payload,
				    (double)ep->backend->static_ram(ep->state));
		if (rc || !(ep->backend->caps & SB_CAP_HEAP_COUNTED))
			continue;
		rc = sample(st, side, "heap_peak", "bytes", payload,
			    (double)ep->heap.peak);
		rc = rc ? rc : sample(st, side, "heap_allocs", "allocations",
				      payload, (double)ep->heap.allocs);
	}
	return rc;
}

static int sample_handshake(struct run_state *st, const struct sb_pair *pair,
			    uint64_t ns)
{
	int rc = sample_heap(st, pair, SB_NO_PAYLOAD);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++) {
		const char *side = sb_role_name((enum sb_role)r);
		rc = sample(st, side, "setup_cycles", "cycles", SB_NO_PAYLOAD,
			    (double)pair->ep[r].setup_cycles);
		rc = rc ? rc : sample(st, side, "handshake_cycles", "cycles",
				      SB_NO_PAYLOAD,
				      (double)pair->ep[r].handshake_cycles);
	}
	rc = rc ? rc : sample(st, "both", "handshake_ns", "ns", SB_NO_PAYLOAD,
			      (double)ns);
	return rc ? rc : sample_wire(st, &pair->link);
}

/* One handshake on a fresh pair, timed; `measured` keeps its figures. */
static int handshake_once(struct run_state *st, struct sb_pair *pair,
			  bool measured)
{
	if (sb_pair_setup(pair, &st->pair_config))
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	uint64_t t0 = sb_monotonic_ns();
	int rc = sb_pair_handshake(pair);
	uint64_t ns = sb_monotonic_ns() - t0;
	if (rc)
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	rc = verify_handshake(st, pair);
	if (rc == 0 && measured)
		rc = sample_handshake(st, pair, ns);
	return rc;
}

/* ---- record measurement ------------------------------------------------ */

struct record_buffers {
	uint8_t *payload;  /* what is sent */
	uint8_t *received; /* SB_RECORD_BATCH slots of payload + READ_SLACK */
	size_t slot;
};

static int write_batch(struct run_state *st, struct sb_pair *pair,
		       enum sb_role sender, const struct record_buffers *b,
		       size_t payload, uint64_t *cycles)
{
	uint64_t t0 = sb_cycles_now();
	for (size_t i = 0; i < SB_RECORD_BATCH; i++)
		if (sb_pair_write(pair, sender, b->payload, payload))
			return fail(st, SB_ERR_RECORD,
				    "%s write of %zu bytes: %s",
				    sb_role_name(sender), payload,
				    sb_pair_library_error(pair, sender));
	*cycles = sb_cycles_elapsed(t0, sb_cycles_now(), pair->cycle_overhead);
	return 0;
}

static int read_batch(struct run_state *st, struct sb_pair *pair,
		      enum sb_role receiver, const struct record_buffers *b,
		      size_t payload, uint64_t *cycles)
{
	uint64_t t0 = sb_cycles_now();
	for (size_t i = 0; i < SB_RECORD_BATCH; i++) {
		int n = sb_pair_read(pair, receiver, b->received + i * b->slot,
				     b->slot);
		if (n != (int)payload)
			return fail(st, SB_ERR_RECORD,
				    "%s read %d bytes of a %zu-byte record: %s",
				    sb_role_name(receiver), n, payload,
				    n < 0 ? sb_pair_library_error(pair, receiver)
					  : "length differs");
	}
	*cycles = sb_cycles_elapsed(t0, sb_cycles_now(), pair->cycle_overhead);
	for (size_t i = 0; i < SB_RECORD_BATCH; i++)
		if (memcmp(b->received + i * b->slot, b->payload, payload) != 0)
			return fail(st, SB_ERR_VERIFY,
				    "record %zu of %zu bytes arrived altered", i,
				    payload);
	return 0;
}

/* Every write of the batch must be one record, in DTLS one datagram. */
static int check_batch_wire(struct run_state *st, const struct sb_link *link,
			    enum sb_dir dir, size_t payload)
{
	const struct sb_link_counters *c = &link->sent[dir];
	bool datagrams_ok = link->mode == SB_LINK_STREAM ||
			    c->datagrams == SB_RECORD_BATCH;
	if (!datagrams_ok || c->records != SB_RECORD_BATCH ||
	    c->bytes % SB_RECORD_BATCH != 0)
		return fail(st, SB_ERR_VERIFY,
			    "%zu-byte writes gave %llu datagrams, %llu records, "
			    "%llu bytes for %d records",
			    payload, (unsigned long long)c->datagrams,
			    (unsigned long long)c->records,
			    (unsigned long long)c->bytes, SB_RECORD_BATCH);
	return 0;
}

static int record_batch(struct run_state *st, struct sb_pair *pair,
			enum sb_role sender, const struct record_buffers *b,
			size_t payload, bool measured)
{
	enum sb_role receiver = peer_of(sender);
	enum sb_dir dir = sender == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	uint64_t enc = 0, dec = 0;
	sb_link_reset_counters(&pair->link);
	int rc = write_batch(st, pair, sender, b, payload, &enc);
	rc = rc ? rc : check_batch_wire(st, &pair->link, dir, payload);
	rc = rc ? rc : read_batch(st, pair, receiver, b, payload, &dec);
	if (rc || !measured)
		return rc;
	double wire = (double)(pair->link.sent[dir].bytes / SB_RECORD_BATCH);
	long p = (long)payload;
	rc = sample(st, sb_role_name(sender), "encrypt_cycles", "cycles", p,
		    (double)enc / SB_RECORD_BATCH);
	rc = rc ? rc : sample(st, sb_role_name(receiver), "decrypt_cycles",
			      "cycles", p, (double)dec / SB_RECORD_BATCH);
	rc = rc ? rc : sample(st, sb_role_name(sender), "record_bytes",
			      "bytes", p, wire);
	rc = rc ? rc : sample(st, sb_role_name(sender), "record_overhead",
			      "bytes", p, wire - (double)payload);
	return rc;
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
			   size_t payload)
{
	const struct sb_run_options *o = st->options;
	struct record_buffers b = {.slot = payload + READ_SLACK};
	b.payload = malloc(payload);
	b.received = malloc(SB_RECORD_BATCH * b.slot);
	int rc = b.payload && b.received ? 0 : fail(st, SB_ERR_NOMEM, "out of memory");
	if (rc == 0 && (sb_link_reserve(&pair->link, SB_DIR_C2S, SB_RECORD_BATCH) ||
			sb_link_reserve(&pair->link, SB_DIR_S2C, SB_RECORD_BATCH)))
		rc = fail(st, SB_ERR_NOMEM, "out of memory");
	if (rc == 0)
		fill_pattern(b.payload, payload, (unsigned)payload);
	for (unsigned i = 0; rc == 0 && i < o->warmup + o->reps; i++)
		for (int s = SB_ROLE_CLIENT; rc == 0 && s <= SB_ROLE_SERVER; s++)
			rc = record_batch(st, pair, (enum sb_role)s, &b, payload,
					  i >= o->warmup);
	if (rc == 0)
		rc = steady_state_heap(st, pair, &b, payload);
	free(b.payload);
	free(b.received);
	return rc;
}

/* The largest payload whose record fits one MTU (for TLS: one segment of
 * that size) with this suite. */
static size_t max_payload(const struct run_state *st)
{
	const struct sb_suite *suite = st->scenario->suite;
	size_t overhead = st->scenario->protocol == SB_PROTO_TLS12
				  ? sb_suite_tls12_overhead(suite)
				  : sb_suite_dtls12_overhead(suite);
	return st->options->mtu - overhead;
}

static int measure_records(struct run_state *st, struct sb_pair *pair,
			   struct sb_results *out)
{
	const struct sb_run_options *o = st->options;
	size_t max = max_payload(st);
	int rc = 0;
	for (size_t i = 0; i < o->payload_count && rc == 0; i++) {
		size_t payload = o->payloads[i] == SB_PAYLOAD_MAX ? max
								  : o->payloads[i];
		if (payload > max) {
			char why[160];
			snprintf(why, sizeof(why),
				 "a %zu-byte payload does not fit one %zu-byte "
				 "MTU with this suite (at most %zu)",
				 payload, o->mtu, max);
			if (status_row(st->scenario, SB_ROW_UNSUPPORTED,
				       (long)payload, why, out))
				return fail(st, SB_ERR_NOMEM, "out of memory");
			continue;
		}
		rc = measure_payload(st, pair, payload);
		if (rc == 0 && o->payloads[i] == SB_PAYLOAD_MAX)
			for (int s = SB_ROLE_CLIENT; s <= SB_ROLE_SERVER && rc == 0; s++)
				rc = sample(st, sb_role_name((enum sb_role)s),
					    "max_payload", "bytes", SB_NO_PAYLOAD,
					    (double)payload);
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
		snprintf(why, len, "client %s: %s", sc->client->name, reason.text);
		return false;
	}
	if (!sc->server->supports(sc->protocol, sc->suite, SB_ROLE_SERVER,
				  &reason)) {
		snprintf(why, len, "server %s: %s", sc->server->name, reason.text);
		return false;
	}
	return true;
}

static int measure(struct run_state *st, struct sb_results *out)
{
	const struct sb_run_options *o = st->options;
	struct sb_pair pair = {0};
	int rc = verify_connection(st);
	/* The verified connection was the first warm-up handshake. */
	for (unsigned i = 1; rc == 0 && i < o->warmup; i++) {
		rc = handshake_once(st, &pair, false);
		sb_pair_free(&pair);
	}
	for (unsigned i = 0; rc == 0 && i < o->reps; i++) {
		sb_pair_free(&pair);
		rc = handshake_once(st, &pair, true);
	}
	/* Records go over the last measured connection. */
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
				.mtu = options->mtu,
				.cookie = options->cookie,
				.mutual = options->mutual,
				.impl = options->impl,
				.cycle_overhead = options->cycle_overhead,
			},
	};
	if (!scenario_supported(scenario, st.reason, sizeof(st.reason)))
		return status_row(scenario, SB_ROW_UNSUPPORTED, SB_NO_PAYLOAD,
				  st.reason, results);
	size_t kept = results->count;
	int rc = measure(&st, results);
	if (rc == 0)
		rc = series_rows(&st, results);
	series_free(&st);
	if (rc == SB_ERR_NOMEM)
		return rc;
	if (rc) {
		results->count = kept; /* a failed scenario keeps no numbers */
		return status_row(scenario, SB_ROW_FAILED, SB_NO_PAYLOAD,
				  st.reason, results);
	}
	return 0;
}
