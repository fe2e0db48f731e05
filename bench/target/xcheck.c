#include "target/xcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "run/verify.h"
#include "target/device.h"

#define XC_READ_SLACK 256

/* One build's connection: its sends, and the figures of the summary. */
struct xc_run {
	struct sb_xcheck_sends s;
	struct sb_xcheck_summary sum;
};

static void xc_sends_free(struct sb_xcheck_sends *s)
{
	for (size_t i = 0; i < s->count; i++)
		sb_mem_free(s->sends[i].data);
	sb_mem_free(s->sends);
	s->sends = NULL;
	s->count = 0;
}

/* Keep a copy of what the link captured. */
static int xc_keep(struct sb_xcheck_sends *s, const struct sb_wire *wire)
{
	s->sends = sb_mem_calloc(wire->packet_count ? wire->packet_count : 1,
	                         sizeof(*s->sends));
	if (!s->sends)
		return SB_ERR_NOMEM;
	for (size_t i = 0; i < wire->packet_count; i++) {
		const struct sb_wire_packet *p = &wire->packets[i];
		s->sends[i] = *p;
		s->sends[i].data = sb_mem_alloc(p->len ? p->len : 1);
		if (!s->sends[i].data)
			return SB_ERR_NOMEM;
		memcpy(s->sends[i].data, p->data, p->len);
		s->count = i + 1;
	}
	return 0;
}

/* One record of `payload` bytes from `snd` to its peer, delivered whole;
 * its bytes on the wire. */
static int xc_record(struct sb_pair *pair, enum sb_role snd, size_t payload,
                     uint64_t *wire_bytes, char *why, size_t len)
{
	enum sb_role rcv =
	    snd == SB_ROLE_CLIENT ? SB_ROLE_SERVER : SB_ROLE_CLIENT;
	uint8_t *data = sb_mem_alloc(payload),
	        *got = sb_mem_alloc(payload + XC_READ_SLACK);
	int rc = data && got ? 0 : SB_ERR_NOMEM;
	if (rc == 0) {
		sb_verify_pattern(data, payload, (unsigned)payload);
		sb_link_reset_counters(&pair->link);
		rc = sb_pair_write(pair, snd, data, payload);
		int n =
		    rc ? -1
		       : sb_pair_read(pair, rcv, got, payload + XC_READ_SLACK);
		if (rc == 0 &&
		    (n != (int)payload || memcmp(data, got, payload) != 0))
			rc = SB_ERR_RECORD;
		if (rc)
			snprintf(
			    why, len, "record of %zu bytes from %s: %s",
			    payload, sb_role_name(snd),
			    sb_pair_library_error(pair, n < 0 ? rcv : snd));
		*wire_bytes =
		    pair->link
		        .sent[snd == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C]
		        .bytes;
	}
	sb_mem_free(data);
	sb_mem_free(got);
	return rc;
}

static int xc_connect(const struct sb_target_scenario *sc,
                      const struct sb_target_options *o, struct xc_run *run,
                      char *why, size_t len)
{
	struct sb_pair_config cfg = sb_target_pair_config(sc, o);
	struct sb_xcheck_summary *sum = &run->sum;
	struct sb_pair pair;
	int rc = sb_pair_setup(&pair, &cfg);
	if (rc == 0) {
		sb_wire_capture(&pair.link.wire);
		rc = sb_pair_handshake(&pair);
	}
	if (rc)
		snprintf(why, len, "%s", pair.error);
	for (int r = SB_ROLE_CLIENT; r <= SB_ROLE_SERVER && rc == 0; r++)
		rc =
		    sb_verify_endpoint(&pair.ep[r], sc->suite, false, why, len);
	if (rc == 0) {
		sb_link_transcript_hex(&pair.link, sum->transcript);
		memcpy(run->s.transcript, sum->transcript,
		       sizeof(run->s.transcript));
		sum->flight_count = pair.link.flight_count;
		for (size_t i = 0;
		     i < pair.link.flight_count && i < SB_XCHECK_FLIGHTS; i++)
			sum->flights[i] = pair.link.flights[i];
		run->s.handshake_sends = pair.link.wire.packet_count;
	}
	size_t max = rc ? 0 : sb_target_max_payload(&pair);
	for (size_t i = 0; i < o->payload_count && rc == 0; i++) {
		size_t p =
		    o->payloads[i] == SB_PAYLOAD_MAX ? max : o->payloads[i];
		if (p == 0 || p > max)
			continue;
		size_t k = sum->payload_count++;
		sum->payloads[k] = p;
		for (int d = SB_ROLE_CLIENT; d <= SB_ROLE_SERVER && rc == 0;
		     d++)
			rc = xc_record(&pair, (enum sb_role)d, p,
			               &sum->record_bytes[k][d], why, len);
	}
	rc = rc ? rc : xc_keep(&run->s, &pair.link.wire);
	for (size_t i = 0; i < run->s.count; i++)
		sum->bytes += run->s.sends[i].len;
	sum->sends = run->s.count;
	sb_pair_free(&pair);
	return rc;
}

static const char *xc_dir(uint8_t dir)
{
	return dir == SB_DIR_C2S ? "client to server" : "server to client";
}

/* Up to 8 bytes from `at` in hex, "(end)" past the end. */
static void xc_hex(const struct sb_wire_packet *p, size_t at, char *out,
                   size_t len)
{
	size_t w = 0;
	out[0] = '\0';
	for (size_t i = at; i < p->len && i < at + 8 && w + 3 < len; i++)
		w += (size_t)snprintf(out + w, len - w, "%02x", p->data[i]);
	if (at >= p->len)
		snprintf(out, len, "(end)");
}

int sb_xcheck_compare(const struct sb_xcheck_sends *a,
                      const struct sb_xcheck_sends *b, char *why, size_t len)
{
	size_t n = a->count < b->count ? a->count : b->count;
	for (size_t i = 0; i < n; i++) {
		const struct sb_wire_packet *pa = &a->sends[i],
		                            *pb = &b->sends[i];
		size_t k = 0, shorter = pa->len < pb->len ? pa->len : pb->len;
		while (k < shorter && pa->data[k] == pb->data[k])
			k++;
		if (pa->dir == pb->dir && pa->len == pb->len && k == shorter)
			continue;
		char ha[20], hb[20], where[64];
		xc_hex(pa, k, ha, sizeof(ha));
		xc_hex(pb, k, hb, sizeof(hb));
		if (i < a->handshake_sends)
			snprintf(where, sizeof(where), "handshake flight %zu",
			         pa->flight);
		else
			snprintf(where, sizeof(where), "records");
		snprintf(why, len,
		         "send %zu (%s, %s): %s sent %zu bytes, %s %zu%s; "
		         "first difference at byte %zu: %s vs %s",
		         i + 1, where, xc_dir(pa->dir), a->build, pa->len,
		         b->build, pb->len,
		         pa->dir == pb->dir ? "" : " from the other side", k,
		         ha, hb);
		return SB_ERR_VERIFY;
	}
	if (a->count != b->count) {
		snprintf(why, len,
		         "%s made %zu sends, %s %zu (the first %zu equal)",
		         a->build, a->count, b->build, b->count, n);
		return SB_ERR_VERIFY;
	}
	if (strcmp(a->transcript, b->transcript) != 0) {
		snprintf(why, len,
		         "transcripts differ: %s %.16s..., %s %.16s...",
		         a->build, a->transcript, b->build, b->transcript);
		return SB_ERR_VERIFY;
	}
	return 0;
}

int sb_target_xcheck(const struct sb_target_scenario *sc,
                     const char *host_client, const char *host_server,
                     const struct sb_target_options *o,
                     struct sb_xcheck_summary *out, char *why, size_t len)
{
	struct xc_run m4 = {.s.build = SB_TARGET_BUILD},
	              x86 = {.s.build = "x86-64"};
	char msg[400];
	sb_device_programs(sc->client_program, sc->server_program,
	                   SB_DEVICE_EMULATED, o->counting);
	int rc = xc_connect(sc, o, &m4, msg, sizeof(msg));
	if (rc) {
		snprintf(why, len, "%s run: %s", m4.s.build, msg);
		goto out;
	}
	sb_device_programs(host_client, host_server, SB_DEVICE_NATIVE,
	                   o->counting);
	rc = xc_connect(sc, o, &x86, msg, sizeof(msg));
	if (rc) {
		snprintf(why, len, "%s run: %s", x86.s.build, msg);
		goto out;
	}
	rc = sb_xcheck_compare(&m4.s, &x86.s, why, len);
	if (rc == 0)
		*out = m4.sum;
out:
	xc_sends_free(&m4.s);
	xc_sends_free(&x86.s);
	return rc;
}
