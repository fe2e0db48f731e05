#include "wire/trace.h"

#include <string.h>

/* DTLS handshake header (RFC 6347 4.2.2): type, length (3), message_seq
 * (2), fragment_offset (3), fragment_length (3); TLS's is type + length. */
#define DTLS_HS_HEADER 12
#define TLS_HS_HEADER 4

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The handshake messages in one clear record body. */
static void print_messages(FILE *f, const uint8_t *body, size_t len, bool dtls)
{
	size_t header = dtls ? DTLS_HS_HEADER : TLS_HS_HEADER;
	for (size_t at = 0; len - at >= header;) {
		uint32_t frag = be24(body + at + (dtls ? 9 : 1));
		fprintf(f, " %s", sb_wire_handshake_name(body[at]));
		if (dtls && be24(body + at + 1) != frag)
			fprintf(f, "[fragment %u+%u of %u]",
			        be24(body + at + 6), frag, be24(body + at + 1));
		at += header + frag;
		if (at > len)
			break;
	}
}

static void print_dtls_records(FILE *f, const struct sb_wire_packet *p)
{
	struct sb_record r[64];
	size_t n = sb_wire_dtls_records(p->data, p->len, r, 64);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s e%u s%llu %zuB", i ? " | " : "",
		        sb_wire_type_name(r[i].type), r[i].epoch,
		        (unsigned long long)r[i].seq, r[i].length);
		const uint8_t *body =
		    p->data + r[i].offset + SB_DTLS12_HEADER_LEN;
		size_t avail = p->len - r[i].offset - SB_DTLS12_HEADER_LEN;
		if (r[i].type == SB_CT_HANDSHAKE && r[i].epoch == 0)
			print_messages(
			    f, body, r[i].length < avail ? r[i].length : avail,
			    true);
		else if (r[i].type == SB_CT_HANDSHAKE)
			fprintf(f, " (encrypted: Finished)");
	}
}

/* TLS: records may straddle sends, so only whole headers in this send are
 * shown; the link's record counts are exact either way. */
static void print_tls_records(FILE *f, const struct sb_wire_packet *p,
                              bool *encrypted)
{
	for (size_t at = 0, i = 0; p->len - at >= SB_TLS12_HEADER_LEN; i++) {
		const uint8_t *h = p->data + at;
		size_t body = (size_t)h[3] << 8 | h[4];
		fprintf(f, "%s%s %zuB", i ? " | " : "", sb_wire_type_name(h[0]),
		        body);
		size_t avail = p->len - at - SB_TLS12_HEADER_LEN;
		if (h[0] == SB_CT_HANDSHAKE && !*encrypted)
			print_messages(f, h + SB_TLS12_HEADER_LEN,
			               body < avail ? body : avail, false);
		else if (h[0] == SB_CT_HANDSHAKE)
			fprintf(f, " (encrypted: Finished)");
		if (h[0] == SB_CT_CHANGE_CIPHER_SPEC)
			*encrypted = true;
		at += SB_TLS12_HEADER_LEN + body;
		if (at > p->len)
			break;
	}
}

void sb_trace_print(FILE *f, const char *title, const struct sb_wire *wire)
{
	bool encrypted[2] = {false, false};
	fprintf(f, "%s\n  %-6s %-9s %6s  %s\n", title, "flight", "direction",
	        "bytes",
	        wire->stream ? "records (TLS, this send)"
	                     : "records: type, epoch, sequence, length");
	for (size_t i = 0; i < wire->packet_count; i++) {
		const struct sb_wire_packet *p = &wire->packets[i];
		fprintf(f, "  %-6zu %-9s %6zu  ", p->flight,
		        p->dir == 0 ? "C ---> S" : "C <--- S", p->len);
		if (wire->stream)
			print_tls_records(f, p, &encrypted[p->dir]);
		else
			print_dtls_records(f, p);
		fputc('\n', f);
	}
}
