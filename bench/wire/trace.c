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

/* RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest
 * (SHA-256 of "HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

static const char *message_name(const uint8_t *msg, size_t header, size_t avail)
{
	/* body: legacy_version (2), then the random */
	if (msg[0] == 2 && avail >= header + 2 + sizeof(hrr_random) &&
	    memcmp(msg + header + 2, hrr_random, sizeof(hrr_random)) == 0)
		return "HelloRetryRequest";
	return sb_wire_handshake_name(msg[0]);
}

/* The handshake messages in one clear record body. */
static void print_messages(FILE *f, const uint8_t *body, size_t len, bool dtls)
{
	size_t header = dtls ? DTLS_HS_HEADER : TLS_HS_HEADER;
	for (size_t at = 0; len - at >= header;) {
		uint32_t frag = be24(body + at + (dtls ? 9 : 1));
		fprintf(f, " %s", message_name(body + at, header, len - at));
		if (dtls && be24(body + at + 1) != frag)
			fprintf(f, "[fragment %u+%u of %u]",
			        be24(body + at + 6), frag, be24(body + at + 1));
		at += header + frag;
		if (at > len)
			break;
	}
}

/* A DTLS 1.3 unified header: its first byte and what it says. */
static void print_unified(FILE *f, const struct sb_record *r)
{
	fprintf(f, "ciphertext e%u s%llu %zuB [unified %02x: ", r->epoch,
	        (unsigned long long)r->seq, r->length, r->flags);
	if (r->flags & SB_DTLS13_C)
		fprintf(f, "CID %u, ", r->cid_len);
	fprintf(f, "seq %u bit, %s, header %zu]", 8u * r->seq_len,
	        r->flags & SB_DTLS13_L ? "length" : "no length", r->header_len);
}

static void print_dtls_records(FILE *f, const struct sb_wire *wire,
                               const struct sb_wire_packet *p)
{
	struct sb_record r[64];
	size_t n = sb_wire_dtls_parse(p->data, p->len, wire->cid_len, r, 64);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", i ? " | " : "");
		if (r[i].unified) {
			print_unified(f, &r[i]);
			continue;
		}
		fprintf(f, "%s e%u s%llu %zuB", sb_wire_type_name(r[i].type),
		        r[i].epoch, (unsigned long long)r[i].seq, r[i].length);
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
	        : wire->dtls13
	            ? "records: type, epoch, sequence, length (DTLS 1.3 "
	              "ciphertext: epoch's low 2 bits, encrypted sequence)"
	            : "records: type, epoch, sequence, length");
	for (size_t i = 0; i < wire->packet_count; i++) {
		const struct sb_wire_packet *p = &wire->packets[i];
		fprintf(f, "  %-6zu %-9s %6zu  ", p->flight,
		        p->dir == 0 ? "C ---> S" : "C <--- S", p->len);
		if (wire->stream)
			print_tls_records(f, p, &encrypted[p->dir]);
		else
			print_dtls_records(f, wire, p);
		fputc('\n', f);
	}
}
