#include "target/scenario.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "run/figures.h"
#include "run/pair.h"
#include "run/series.h"
#include "run/verify.h"
#include "target/device.h"

#define READ_SLACK 256

struct tgt_state {
	const struct sb_target_scenario *sc;
	const struct sb_target_options *o;
	struct sb_pair_config pair_config;
	struct sb_series_set series;
	char transcript[65];
	unsigned transcripts_differing;
	char reason[sizeof(((struct sb_row *)0)->reason)];
};

static int fail(struct tgt_state *st, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct tgt_state *st, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
	return status;
}

static int sample(struct tgt_state *st, const char *side, const char *metric,
                  const char *unit, long payload, double value)
{
	if (sb_series_add(&st->series, side, metric, unit, payload, value))
		return fail(st, SB_ERR_NOMEM, "out of memory");
	return 0;
}

static int sink_add(void *ctx, const char *side, const char *metric,
                    const char *unit, long payload, double value)
{
	return sample(ctx, side, metric, unit, payload, value);
}

static struct sb_device *dev_of(struct sb_pair *pair, enum sb_role role)
{
	return sb_device_state(pair->ep[role].state);
}

static enum sb_role peer_of(enum sb_role role)
{
	return role == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
}

/* ---- figures ----------------------------------------------------------- */

/*
 * A region's cost: "<what>_instructions" exactly, and, as estimates, its
 * cycles with their bounds and its time at the MCU clock (ms for a
 * handshake, us for a record) and energy when the power is given.
 */
static int sample_costs(struct tgt_state *st, const char *side,
                        const char *what, long payload,
                        const struct sb_thumb_counts *c, bool handshake)
{
	char m[5][32];
	snprintf(m[0], sizeof(m[0]), "%s_instructions", what);
	snprintf(m[1], sizeof(m[1]), "%s_cycles_est", what);
	snprintf(m[2], sizeof(m[2]), "%s_cycles_est_min", what);
	snprintf(m[3], sizeof(m[3]), "%s_cycles_est_max", what);
	snprintf(m[4], sizeof(m[4]), "%s_%s_est", what,
	         handshake ? "ms" : "us");
	double est = (double)sb_thumb_cycles_est(c);
	double us = est / st->o->mcu_mhz;
	int rc = sample(st, side, m[0], "instructions", payload,
	                (double)c->instructions);
	rc =
	    rc ? rc : sample(st, side, m[1], "cycles (estimate)", payload, est);
	rc = rc ? rc
	        : sample(st, side, m[2], "cycles (estimate)", payload,
	                 (double)sb_thumb_cycles_min(c));
	rc = rc ? rc
	        : sample(st, side, m[3], "cycles (estimate)", payload,
	                 (double)sb_thumb_cycles_max(c));
	rc = rc ? rc
	        : sample(st, side, m[4],
	                 handshake ? "ms (estimate)" : "us (estimate)", payload,
	                 handshake ? us / 1000.0 : us);
	if (rc == 0 && handshake && st->o->mcu_uw_per_mhz > 0) {
		char e[32];
		snprintf(e, sizeof(e), "%s_uj_est", what);
		/* P = k * f and t = cycles / f: E = k * cycles, pJ. */
		rc = sample(st, side, e, "uJ (estimate)", payload,
		            st->o->mcu_uw_per_mhz * est / 1e6);
	}
	return rc;
}

/*
 * RAM of one side since its last mark, as `run` writes it (README, "RAM
 * like for like"): stack_peak (painted stack), heap_peak and heap_allocs
 * (the program's allocator), static_ram (the program's caller-owned
 * state by the one rule; static_flash, the part of it that is constant
 * data in flash), and ram_total = heap_peak + static_ram + stack_peak:
 * every part is known on the target (BearSSL allocates nothing).
 */
static int sample_memory(struct tgt_state *st, struct sb_device *dev,
                         const char *side, long payload)
{
	const struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	uint32_t stack = sb_emu_stack_peak(&dev->emu);
	const struct {
		const char *metric, *unit;
		double value;
		bool handshake_only;
	} figures[] = {
	    {"stack_peak", "bytes", stack, false},
	    {"heap_peak", "bytes", mb->heap_peak, false},
	    {"heap_allocs", "allocations", mb->heap_allocs, false},
	    {"heap_arena", "bytes", mb->heap_break, true},
	    {"static_ram", "bytes", mb->static_ram, false},
	    {"static_flash", "bytes", mb->static_flash, false},
	    {"ram_total", "bytes",
	     (double)mb->heap_peak + (double)mb->static_ram + (double)stack,
	     false},
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (rc == 0 &&
		    (!figures[i].handshake_only || payload == SB_NO_PAYLOAD))
			rc = sample(st, side, figures[i].metric,
			            figures[i].unit, payload, figures[i].value);
	return rc;
}

/* ---- verification ------------------------------------------------------ */

static int connect_pair(struct tgt_state *st, struct sb_pair *pair)
{
	int rc = sb_pair_setup(pair, &st->pair_config);
	if (rc)
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	if (st->o->observer && st->o->observer->connection)
		sb_wire_capture(&pair->link.wire);
	if (sb_pair_handshake(pair))
		return fail(st, SB_ERR_HANDSHAKE, "%s", pair->error);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		/* The server proves itself to the client; the client only
		 * by the PSK. */
		bool auth =
		    r == SB_ROLE_CLIENT || sb_kx_uses_psk(st->sc->suite->kx);
		rc = sb_verify_endpoint(&pair->ep[r], st->sc->suite, auth,
		                        st->reason, sizeof(st->reason));
		if (rc)
			return rc;
	}
	return sb_verify_guard(&pair->link.wire, st->reason,
	                       sizeof(st->reason));
}

/* A record with one flipped tag bit is never delivered; what refusing
 * it cost the server is a figure. */
static int forged_rejected(struct tgt_state *st, struct sb_pair *pair,
                           size_t payload, bool measured)
{
	uint8_t buf[SB_LINK_MAX_MTU];
	int rc =
	    sb_verify_forge(pair, buf, payload, st->reason, sizeof(st->reason));
	if (rc)
		return rc;
	struct sb_device *dev = dev_of(pair, SB_ROLE_SERVER);
	struct sb_thumb_counts before = dev->emu.counts;
	int n = sb_pair_read(pair, SB_ROLE_SERVER, buf, sizeof(buf));
	if (n >= 0)
		return fail(st, SB_ERR_VERIFY,
		            "server accepted a record with a flipped tag bit");
	if (!measured)
		return 0;
	struct sb_thumb_counts c =
	    sb_thumb_counts_sub(&dev->emu.counts, &before);
	return sample_costs(st, "server", "reject", (long)payload, &c, false);
}

static int export_capture(struct tgt_state *st, const struct sb_pair *pair)
{
	const struct sb_run_observer *obs = st->o->observer;
	char title[160];
	snprintf(title, sizeof(title),
	         "%s/%s %s %s on Cortex-M4: the verified connection",
	         st->sc->device->name, st->sc->device->name,
	         sb_protocol_name(st->sc->protocol), st->sc->suite->short_name);
	if (obs->connection(obs->ctx, title, &pair->link.wire))
		return fail(st, SB_ERR_IO, "writing the capture failed");
	return 0;
}

static int verify_connection(struct tgt_state *st)
{
	struct sb_pair pair;
	int rc = connect_pair(st, &pair);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++)
		rc = sb_verify_round_trip(&pair, (enum sb_role)r, st->reason,
		                          sizeof(st->reason));
	rc = rc ? rc
	        : sb_verify_guard(&pair.link.wire, st->reason,
	                          sizeof(st->reason));
	if (rc == 0 && st->o->observer && st->o->observer->connection)
		rc = export_capture(st, &pair);
	if (rc == 0 && sb_protocol_is_dtls(st->sc->protocol))
		rc = sb_verify_replay(&pair,
		                      &(struct sb_figure_sink){st, sink_add},
		                      st->reason, sizeof(st->reason));
	if (rc == 0)
		rc = forged_rejected(st, &pair, SB_VERIFY_PAYLOAD, false);
	sb_pair_free(&pair);
	return rc;
}

/* ---- measurement ------------------------------------------------------- */

static void note_transcript(struct tgt_state *st, const struct sb_link *link,
                            unsigned i)
{
	char hex[65];
	sb_link_transcript_hex(link, hex);
	if (i == 0)
		memcpy(st->transcript, hex, sizeof(hex));
	else if (strcmp(hex, st->transcript) != 0)
		st->transcripts_differing++;
}

static int sample_handshake(struct tgt_state *st, struct sb_pair *pair)
{
	struct sb_figure_sink sink = {.ctx = st, .add = sink_add};
	int rc = 0;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++) {
		struct sb_device *dev = dev_of(pair, (enum sb_role)r);
		const char *side = sb_role_name((enum sb_role)r);
		struct sb_thumb_counts setup =
		    sb_thumb_counts_sub(&dev->setup, &dev->boot);
		struct sb_thumb_counts hs =
		    sb_thumb_counts_sub(&dev->emu.counts, &dev->setup);
		rc = sample(st, side, "setup_instructions", "instructions",
		            SB_NO_PAYLOAD, (double)setup.instructions);
		rc = rc ? rc
		        : sample_costs(st, side, "handshake", SB_NO_PAYLOAD,
		                       &hs, true);
		rc = rc ? rc : sample_memory(st, dev, side, SB_NO_PAYLOAD);
	}
	rc = rc ? rc : sb_figures_handshake_wire(&pair->link, &sink);
	return rc ? rc
	          : sample(st, "both", "handshake_virtual_ms", "ms",
	                   SB_NO_PAYLOAD,
	                   (double)pair->handshake_virtual_us / 1000.0);
}

size_t sb_target_max_payload(struct sb_pair *pair)
{
	const struct sb_endpoint_config *cfg = &pair->ep[SB_ROLE_CLIENT].cfg;
	const struct sb_suite *s = cfg->suite;
	size_t mtu = cfg->mtu;
	size_t over = cfg->protocol == SB_PROTO_DTLS12
	                  ? sb_suite_dtls12_overhead(s)
	                  : sb_suite_tls12_overhead(s);
	size_t max = mtu > over ? mtu - over : 0;
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER; r++) {
		size_t lib =
		    pair->ep[r].backend->max_payload(pair->ep[r].state);
		if (lib > 0 && lib < max)
			max = lib;
	}
	size_t buf =
	    sb_device_mailbox(sb_device_state(pair->ep[SB_ROLE_CLIENT].state))
	        ->buf_cap;
	return max < buf ? max : buf;
}

/* One record each way, `reps` times after one unmeasured: the
 * instructions of each write and read, and the memory it took. */
static int measure_payload(struct tgt_state *st, struct sb_pair *pair,
                           size_t payload)
{
	uint8_t *data = sb_mem_alloc(payload),
	        *got = sb_mem_alloc(payload + READ_SLACK);
	int rc = data && got ? 0 : fail(st, SB_ERR_NOMEM, "out of memory");
	if (rc == 0)
		sb_verify_pattern(data, payload, (unsigned)payload);
	for (int s = SB_ROLE_CLIENT; rc == 0 && s <= SB_ROLE_SERVER; s++) {
		enum sb_role snd = (enum sb_role)s, rcv = peer_of(snd);
		enum sb_dir dir =
		    snd == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
		struct sb_device *ds = dev_of(pair, snd),
		                 *dr = dev_of(pair, rcv);
		for (unsigned i = 0; rc == 0 && i <= st->o->reps; i++) {
			if (i == 1) {
				sb_device_mark(ds);
				sb_device_mark(dr);
			}
			sb_link_reset_counters(&pair->link);
			struct sb_thumb_counts a = ds->emu.counts;
			if (sb_pair_write(pair, snd, data, payload))
				rc = fail(st, SB_ERR_RECORD,
				          "%s write of %zu: %s",
				          sb_role_name(snd), payload,
				          sb_pair_library_error(pair, snd));
			struct sb_thumb_counts b = ds->emu.counts;
			struct sb_thumb_counts r0 = dr->emu.counts;
			int n = rc ? 0
			           : sb_pair_read(pair, rcv, got,
			                          payload + READ_SLACK);
			if (rc == 0 && (n != (int)payload ||
			                memcmp(data, got, payload) != 0))
				rc = fail(
				    st, SB_ERR_RECORD,
				    "record of %zu bytes from %s lost (%d)",
				    payload, sb_role_name(snd), n);
			rc = rc ? rc
			        : sb_verify_guard(&pair->link.wire, st->reason,
			                          sizeof(st->reason));
			if (rc || i == 0)
				continue;
			struct sb_thumb_counts enc =
			    sb_thumb_counts_sub(&b, &a);
			struct sb_thumb_counts dec =
			    sb_thumb_counts_sub(&dr->emu.counts, &r0);
			rc = sample_costs(st, sb_role_name(snd), "encrypt",
			                  (long)payload, &enc, false);
			rc = rc ? rc
			        : sample_costs(st, sb_role_name(rcv), "decrypt",
			                       (long)payload, &dec, false);
			rc = rc ? rc
			        : sample(st, sb_role_name(snd), "record_bytes",
			                 "bytes", (long)payload,
			                 (double)pair->link.sent[dir].bytes);
		}
	}
	for (int r = SB_ROLE_CLIENT; rc == 0 && r <= SB_ROLE_SERVER; r++)
		rc =
		    sample_memory(st, dev_of(pair, (enum sb_role)r),
		                  sb_role_name((enum sb_role)r), (long)payload);
	sb_mem_free(data);
	sb_mem_free(got);
	return rc;
}

static int measure(struct tgt_state *st)
{
	int rc = verify_connection(st);
	struct sb_pair pair;
	for (unsigned i = 0; rc == 0 && i < st->o->reps; i++) {
		rc = sb_pair_setup(&pair, &st->pair_config);
		if (rc == 0 && sb_pair_handshake(&pair))
			rc = SB_ERR_HANDSHAKE;
		if (rc) {
			rc = fail(st, SB_ERR_HANDSHAKE, "%s", pair.error);
		} else {
			note_transcript(st, &pair.link, i);
			rc = sample_handshake(st, &pair);
		}
		size_t first = st->o->payloads[0];
		size_t max = rc ? 0 : sb_target_max_payload(&pair);
		rc = rc ? rc
		        : forged_rejected(st, &pair,
		                          first && first <= max ? first : max,
		                          true);
		sb_pair_free(&pair);
	}
	if (rc)
		return rc;
	/* Records over a fresh connection. */
	rc = sb_pair_setup(&pair, &st->pair_config);
	if (rc == 0 && sb_pair_handshake(&pair))
		rc = SB_ERR_HANDSHAKE;
	if (rc)
		rc = fail(st, SB_ERR_HANDSHAKE, "%s", pair.error);
	size_t max = rc ? 0 : sb_target_max_payload(&pair);
	for (size_t i = 0; rc == 0 && i < st->o->payload_count; i++) {
		size_t p = st->o->payloads[i] == SB_PAYLOAD_MAX
		               ? max
		               : st->o->payloads[i];
		if (p > max)
			continue; /* an unsupported row is added by the caller
			           */
		rc = measure_payload(st, &pair, p);
		if (rc == 0 && st->o->payloads[i] == SB_PAYLOAD_MAX)
			for (int r = SB_ROLE_CLIENT; rc == 0 && r <= 1; r++)
				rc = sample(st, sb_role_name((enum sb_role)r),
				            "max_payload", "bytes",
				            SB_NO_PAYLOAD, (double)p);
	}
	sb_pair_free(&pair);
	return rc;
}

/* ---- rows -------------------------------------------------------------- */

struct sb_row sb_target_row(const char *library, enum sb_protocol protocol,
                            const struct sb_suite *suite)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD};
	snprintf(row.client, sizeof(row.client), "%s", library);
	snprintf(row.server, sizeof(row.server), "%s", library);
	snprintf(row.protocol, sizeof(row.protocol), "%s",
	         sb_protocol_name(protocol));
	snprintf(row.kx, sizeof(row.kx), "%s", sb_kx_name(suite->kx));
	snprintf(row.suite, sizeof(row.suite), "%s", suite->short_name);
	snprintf(row.build, sizeof(row.build), "%s", SB_TARGET_BUILD);
	return row;
}

int sb_target_status_row(const char *library, enum sb_protocol protocol,
                         const struct sb_suite *suite,
                         enum sb_row_status status, const char *reason,
                         struct sb_results *results)
{
	struct sb_row row = sb_target_row(library, protocol, suite);
	row.status = status;
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "scenario");
	snprintf(row.reason, sizeof(row.reason), "%s", reason);
	return sb_results_add(results, &row);
}

static bool is_estimate(const char *unit)
{
	return strstr(unit, "(estimate)") != NULL;
}

static int series_rows(struct tgt_state *st, struct sb_results *out)
{
	for (size_t i = 0; i < st->series.count; i++) {
		struct sb_series *s = &st->series.items[i];
		struct sb_row row = sb_target_row(
		    st->sc->device->name, st->sc->protocol, st->sc->suite);
		row.payload = s->payload;
		snprintf(row.side, sizeof(row.side), "%s", s->side);
		snprintf(row.metric, sizeof(row.metric), "%s", s->metric);
		snprintf(row.unit, sizeof(row.unit), "%s", s->unit);
		const struct sb_run_observer *obs = st->o->observer;
		if (obs && obs->samples &&
		    obs->samples(obs->ctx, &row, s->samples.values,
		                 s->samples.count))
			return fail(st, SB_ERR_IO,
			            "writing raw samples failed");
		sb_stats_summarize(s->samples.values, s->samples.count,
		                   &row.stats);
		if (is_estimate(s->unit))
			snprintf(row.warnings, sizeof(row.warnings),
			         "estimate from the instruction mix with "
			         "Cortex-M4 timings, zero wait states (see "
			         "provenance)");
		if (row.stats.min != row.stats.max &&
		    strstr(s->metric, "instructions"))
			snprintf(row.warnings, sizeof(row.warnings),
			         "counts differ between repetitions");
		if (sb_results_add(out, &row))
			return SB_ERR_NOMEM;
	}
	return 0;
}

static int transcript_row(struct tgt_state *st, struct sb_results *out)
{
	struct sb_row row = sb_target_row(st->sc->device->name,
	                                  st->sc->protocol, st->sc->suite);
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "transcript_sha256");
	snprintf(row.digest, sizeof(row.digest), "%s", st->transcript);
	double differing = st->transcripts_differing;
	sb_stats_summarize(&differing, 1, &row.stats);
	snprintf(row.unit, sizeof(row.unit), "differing");
	if (st->transcripts_differing)
		snprintf(row.warnings, sizeof(row.warnings),
		         "%u handshakes differ from the first: not "
		         "deterministic",
		         st->transcripts_differing);
	return sb_results_add(out, &row);
}

struct sb_pair_config sb_target_pair_config(const struct sb_target_scenario *sc,
                                            const struct sb_target_options *o)
{
	return (struct sb_pair_config){
	    .client = sc->device,
	    .server = sc->device,
	    .protocol = sc->protocol,
	    .suite = sc->suite,
	    .creds = o->creds,
	    .mtu = o->mtu,
	    .cookie = o->cookie,
	    .deterministic = true,
	    .transcript = true,
	    .seed = o->seed,
	};
}

int sb_target_scenario_run(const struct sb_target_scenario *sc,
                           const struct sb_target_options *o,
                           struct sb_results *results)
{
	struct tgt_state st = {
	    .sc = sc,
	    .o = o,
	    .pair_config = sb_target_pair_config(sc, o),
	};
	sb_device_programs(sc->client_program, sc->server_program,
	                   SB_DEVICE_EMULATED, o->counting);
	size_t kept = results->count;
	int rc = measure(&st);
	if (rc == 0)
		rc = series_rows(&st, results);
	if (rc == 0)
		rc = transcript_row(&st, results);
	sb_series_set_free(&st.series);
	if (rc == SB_ERR_NOMEM)
		return rc;
	if (rc) {
		results->count = kept;
		return sb_target_status_row(sc->device->name, sc->protocol,
		                            sc->suite, SB_ROW_FAILED, st.reason,
		                            results);
	}
	return 0;
}
