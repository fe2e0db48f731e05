/*
 * test_wire.c - the record view and the nonce/sequence guard, on records
 * built by hand to RFC 6347 4.1 (DTLS), RFC 5246 6.2.1 (TLS) and RFC 9147
 * 4 (the DTLS 1.3 unified header).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "wire/wire.h"

static struct sb_wire wire;

static void teardown(void)
{
	sb_wire_free(&wire);
}

/* A DTLS record with `body` bytes; the first 8 body bytes are `nonce`. */
static size_t dtls(uint8_t *out, uint8_t type, uint16_t epoch, uint64_t seq,
                   size_t body, uint64_t nonce)
{
	memset(out, 0, SB_DTLS12_HEADER_LEN + body);
	out[0] = type;
	out[1] = 0xfe;
	out[2] = 0xfd;
	out[3] = (uint8_t)(epoch >> 8);
	out[4] = (uint8_t)epoch;
	for (int i = 0; i < 6; i++)
		out[5 + i] = (uint8_t)(seq >> (40 - 8 * i));
	out[11] = (uint8_t)(body >> 8);
	out[12] = (uint8_t)body;
	for (int i = 0; i < 8 && (size_t)i < body; i++)
		out[13 + i] = (uint8_t)(nonce >> (56 - 8 * i));
	return SB_DTLS12_HEADER_LEN + body;
}

/*
 * A DTLS 1.3 ciphertext record behind a unified header (RFC 9147 4):
 * flags 001CSLEE from `epoch`'s low bits and the options, then the CID
 * (`cid` bytes of 0xc1), the sequence number's low 8 or 16 bits, the
 * length; the body is `body` bytes of `fill`.
 */
static size_t unified(uint8_t *out, uint16_t epoch, uint64_t seq, size_t cid,
                      bool seq16, bool with_length, size_t body, uint8_t fill)
{
	size_t at = 0;
	out[at++] = (uint8_t)(0x20 | (cid ? 0x10 : 0) | (seq16 ? 0x08 : 0) |
	                      (with_length ? 0x04 : 0) | (epoch & 3));
	memset(out + at, 0xc1, cid);
	at += cid;
	if (seq16)
		out[at++] = (uint8_t)(seq >> 8);
	out[at++] = (uint8_t)seq;
	if (with_length) {
		out[at++] = (uint8_t)(body >> 8);
		out[at++] = (uint8_t)body;
	}
	memset(out + at, fill, body);
	return at + body;
}

/* Observe one send; returns the records it began. */
static size_t send(int dir, const uint8_t *buf, size_t len)
{
	size_t records = 99;
	cr_assert_eq(sb_wire_observe(&wire, dir, buf, len, 0, 1, &records), 0);
	return records;
}

/* ---- safety ----------------------------------------------------------- */

Test(wire, free_twice_and_empty_send, .fini = teardown)
{
	sb_wire_init(&wire, false, 8);
	cr_assert_eq(send(0, (const uint8_t *)"", 0), 0);
	cr_assert_str_empty(sb_wire_check_guard(&wire));
	sb_wire_free(&wire);
}

Test(wire, truncated_header_is_not_a_record)
{
	uint8_t d[64];
	struct sb_record r[4];
	size_t len = dtls(d, 23, 1, 5, 20, 0);
	cr_assert_eq(sb_wire_dtls_records(d, len, r, 4), 1);
	cr_assert_eq(sb_wire_dtls_records(d, 12, r, 4), 0);
}

/* ---- behaviour -------------------------------------------------------- */

Test(wire, parses_dtls_headers)
{
	uint8_t d[128];
	struct sb_record r[4];
	size_t len = dtls(d, 22, 0, 3, 10, 0);
	len += dtls(d + len, 20, 0, 4, 1, 0);
	len += dtls(d + len, 22, 1, 0, 40, 0x1122);
	cr_assert_eq(sb_wire_dtls_records(d, len, r, 4), 3);
	cr_assert_eq(r[0].type, SB_CT_HANDSHAKE);
	cr_assert_eq(r[0].version, 0xfefd);
	cr_assert_eq(r[0].seq, 3);
	cr_assert_eq(r[1].type, SB_CT_CHANGE_CIPHER_SPEC);
	cr_assert_eq(r[2].epoch, 1);
	cr_assert_eq(r[2].length, 40);
	cr_assert_eq(r[2].offset, 13 + 10 + 13 + 1);
}

/* RFC 9146 4: a tls12_cid record carries the CID between the sequence
 * number and the length; a handshake record before it has none. */
Test(wire, parses_dtls12_cid_records)
{
	static const uint8_t cid_record[] = {
	    25,   0xfe, 0xfd, 0,    1, 0, 0, 0, 0, 0, 9, /* seq 9 */
	    0xc0, 0xc1, 0xc2, 0xc3, 0, 5,                /* CID, length */
	    1,    2,    3,    4,    5};
	uint8_t d[128];
	struct sb_record r[4];
	size_t len = dtls(d, 22, 0, 3, 10, 0);
	memcpy(d + len, cid_record, sizeof(cid_record));
	len += sizeof(cid_record);
	cr_assert_eq(sb_wire_dtls_parse(d, len, 4, r, 4), 2);
	cr_assert_eq(r[0].header_len, SB_DTLS12_HEADER_LEN);
	cr_assert_eq(r[0].cid_len, 0);
	cr_assert_eq(r[1].type, SB_CT_TLS12_CID);
	cr_assert_eq(r[1].epoch, 1);
	cr_assert_eq(r[1].seq, 9);
	cr_assert_eq(r[1].header_len, SB_DTLS12_HEADER_LEN + 4);
	cr_assert_eq(r[1].cid_len, 4);
	cr_assert_eq(r[1].length, 5, "length %zu", r[1].length);
	/* cut inside the CID: not a record */
	cr_assert_eq(sb_wire_dtls_parse(d, 23 + 14, 4, r, 4), 1);
}

/* RFC 9147 4: the header's size follows from its flags and the CID. */
struct unified_case {
	size_t cid;
	bool seq16;
	bool with_length;
	size_t header; /* expected */
};

static const struct unified_case unified_cases[] = {
    {.cid = 0, .seq16 = true, .with_length = true, .header = 5},
    {.cid = 0, .seq16 = false, .with_length = true, .header = 4},
    {.cid = 0, .seq16 = true, .with_length = false, .header = 3},
    {.cid = 0, .seq16 = false, .with_length = false, .header = 2},
    {.cid = 1, .seq16 = true, .with_length = true, .header = 6},
    {.cid = 8, .seq16 = false, .with_length = false, .header = 10},
};

ParameterizedTestParameters(wire, parses_unified_headers)
{
	return cr_make_param_array(struct unified_case, unified_cases,
	                           sizeof(unified_cases) /
	                               sizeof(unified_cases[0]));
}

ParameterizedTest(const struct unified_case *c, wire, parses_unified_headers)
{
	uint8_t d[128];
	struct sb_record r[4];
	size_t len =
	    unified(d, 3, 0x1234, c->cid, c->seq16, c->with_length, 30, 0x55);
	cr_assert_eq(sb_wire_dtls_parse(d, len, c->cid, r, 4), 1);
	cr_assert(r[0].unified);
	cr_assert_eq(r[0].header_len, c->header);
	cr_assert_eq(r[0].cid_len, c->cid);
	cr_assert_eq(r[0].seq_len, c->seq16 ? 2 : 1);
	cr_assert_eq(r[0].seq, c->seq16 ? 0x1234 : 0x34);
	cr_assert_eq(r[0].epoch, 3);
	cr_assert_eq(r[0].length, 30, "length %zu", r[0].length);
	cr_assert_eq(r[0].type, 0, "the content type is encrypted");
}

Test(wire, dtls13_datagram_mixes_both_forms)
{
	/* a ServerHello in the clear, then two ciphertext records in epoch 2
	 * (the last without a length: it runs to the datagram's end) */
	uint8_t d[256];
	struct sb_record r[4];
	size_t len = dtls(d, 22, 0, 1, 60, 0);
	len += unified(d + len, 2, 7, 0, true, true, 23, 1);
	len += unified(d + len, 2, 8, 0, false, false, 40, 2);
	cr_assert_eq(sb_wire_dtls_parse(d, len, 0, r, 4), 3);
	cr_assert(!r[0].unified);
	cr_assert_eq(r[0].header_len, SB_DTLS12_HEADER_LEN);
	cr_assert(r[1].unified);
	cr_assert_eq(r[1].offset, 13 + 60);
	cr_assert_eq(r[2].offset, 13 + 60 + 5 + 23);
	cr_assert_eq(r[2].length, 40);
	/* a header cut off after its flags byte is not a record */
	cr_assert_eq(sb_wire_dtls_parse(d, 13 + 60 + 2, 0, r, 4), 1);
}

Test(wire, dtls13_connection_passes, .fini = teardown)
{
	uint8_t d[128];
	sb_wire_init(&wire, false, 0);
	sb_wire_dtls13(&wire, 1);
	send(0, d, dtls(d, 22, 0, 0, 100, 0));
	send(0, d, dtls(d, 22, 0, 1, 100, 0));
	/* epoch 2 (no early data), then 3; a retransmitted epoch-2 record
	 * after epoch 3 began; the other direction counts on its own */
	send(0, d, unified(d, 2, 0, 1, true, true, 40, 1));
	send(0, d, unified(d, 3, 0, 1, true, true, 40, 2));
	send(0, d, unified(d, 2, 1, 1, true, true, 40, 3));
	send(0, d, unified(d, 3, 1, 1, true, true, 40, 4));
	/* key updates: epoch 4 shows as bits 0 */
	send(0, d, unified(d, 0, 0, 1, true, true, 40, 5));
	send(1, d, unified(d, 2, 0, 1, true, true, 40, 1));
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
	cr_assert_eq(wire.dir[0].last.cid_len, 1);
	cr_assert_eq(wire.dir[0].last.header_len, 6);
}

Test(wire, a_normal_connection_passes, .fini = teardown)
{
	uint8_t d[128];
	sb_wire_init(&wire, false, 8);
	for (uint64_t s = 0; s < 3; s++)
		cr_assert_eq(send(0, d, dtls(d, 22, 0, s, 30, 0)), 1);
	/* epoch 1 starts again at sequence 0; nonces follow the sequence */
	for (uint64_t s = 0; s < 100; s++)
		send(0, d, dtls(d, 23, 1, s, 40, (1ull << 48) | s));
	/* a retransmitted epoch-0 record continues epoch 0's counter */
	send(0, d, dtls(d, 22, 0, 3, 30, 0));
	/* the other direction has its own counters */
	send(1, d, dtls(d, 23, 1, 0, 40, 1ull << 48));
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
}

Test(wire, tls_nonces_after_change_cipher_spec, .fini = teardown)
{
	/* CCS then two encrypted records with nonces 1, 2; split across sends
	 */
	static const uint8_t stream[] = {
	    20, 3, 3, 0,  1, 1, 22, 3,  3, 0, 10, 0, 0, 0, 0, 0, 0, 0,
	    1,  9, 9, 23, 3, 3, 0,  10, 0, 0, 0,  0, 0, 0, 0, 2, 9, 9};
	sb_wire_init(&wire, true, 8);
	/* the CCS record's header completes in the first 9 bytes, the other
	 * two records' in the rest */
	cr_assert_eq(send(0, stream, 9), 1);
	cr_assert_eq(send(0, stream + 9, sizeof(stream) - 9), 2);
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
}

Test(wire, counts_past_sixty_four_records_in_a_datagram, .fini = teardown)
{
	static uint8_t d[100 * 14];
	size_t len = 0;
	sb_wire_init(&wire, false, 0);
	for (uint64_t s = 0; s < 100; s++)
		len += dtls(d + len, 23, 1, s, 1, 0);
	cr_assert_eq(send(0, d, len), 100);
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
}

Test(wire, truncated_record_has_no_nonce_to_read, .fini = teardown)
{
	uint8_t d[64];
	sb_wire_init(&wire, false, 8);
	dtls(d, 23, 1, 0, 40, 5);
	/* the header promises 40 bytes, the datagram ends after 4 */
	cr_assert_eq(send(0, d, SB_DTLS12_HEADER_LEN + 4), 1);
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
}

Test(wire, capture_keeps_copies, .fini = teardown)
{
	uint8_t d[64];
	sb_wire_init(&wire, false, 0);
	sb_wire_capture(&wire);
	size_t len = dtls(d, 22, 0, 0, 5, 0);
	size_t records;
	cr_assert_eq(sb_wire_observe(&wire, 1, d, len, 77, 2, &records), 0);
	cr_assert_eq(records, 1);
	d[0] = 0;
	cr_assert_eq(wire.packet_count, 1);
	cr_assert_eq(wire.packets[0].data[0], 22, "a copy, not a reference");
	cr_assert_eq(wire.packets[0].time_us, 77);
	cr_assert_eq(wire.packets[0].flight, 2);
	cr_assert_eq(wire.packets[0].dir, 1);
}

/* ---- adversarial: the guard fires ------------------------------------- */

Test(wire, repeated_sequence_number_fires, .fini = teardown)
{
	uint8_t d[64];
	sb_wire_init(&wire, false, 8);
	send(0, d, dtls(d, 23, 1, 5, 40, 5));
	send(0, d, dtls(d, 23, 1, 5, 40, 6));
	cr_assert_not_null(strstr(sb_wire_check_guard(&wire),
	                          "client sent epoch 1 sequence 5 again"),
	                   "%s", sb_wire_check_guard(&wire));
}

Test(wire, repeated_nonce_fires, .fini = teardown)
{
	uint8_t d[64];
	sb_wire_init(&wire, false, 8);
	send(1, d, dtls(d, 23, 1, 0, 40, 0xabc));
	send(1, d, dtls(d, 23, 1, 1, 40, 0xabc));
	cr_assert_not_null(
	    strstr(sb_wire_check_guard(&wire),
	           "server reused explicit nonce 0000000000000abc"),
	    "%s", sb_wire_check_guard(&wire));
}

Test(wire, chacha20_has_no_nonce_to_repeat, .fini = teardown)
{
	uint8_t d[64];
	sb_wire_init(&wire, false, 0);
	send(0, d, dtls(d, 23, 1, 0, 40, 7));
	send(0, d, dtls(d, 23, 1, 1, 40, 7));
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
}

Test(wire, tls_repeated_nonce_fires, .fini = teardown)
{
	static const uint8_t stream[] = {20, 3, 3, 0, 1, 1, 23, 3, 3,  0, 9, 0,
	                                 0,  0, 0, 0, 0, 0, 4,  9, 23, 3, 3, 0,
	                                 9,  0, 0, 0, 0, 0, 0,  0, 4,  9};
	sb_wire_init(&wire, true, 8);
	send(0, stream, sizeof(stream));
	cr_assert_not_null(
	    strstr(sb_wire_check_guard(&wire), "reused explicit nonce"), "%s",
	    sb_wire_check_guard(&wire));
}

Test(wire, dtls13_same_ciphertext_record_twice_fires, .fini = teardown)
{
	uint8_t d[128];
	sb_wire_init(&wire, false, 0);
	sb_wire_dtls13(&wire, 0);
	send(1, d, unified(d, 2, 0, 0, true, true, 40, 0x66));
	send(1, d, unified(d, 3, 9, 0, true, true, 40, 0x77));
	send(1, d, unified(d, 3, 10, 0, true, true, 40, 0x77));
	cr_assert_str_empty(sb_wire_check_guard(&wire), "%s",
	                    sb_wire_check_guard(&wire));
	send(1, d, unified(d, 3, 9, 0, true, true, 40, 0x77));
	cr_assert_not_null(strstr(sb_wire_check_guard(&wire),
	                          "server sent the same ciphertext record "
	                          "twice (epoch bits 3, encrypted sequence 9)"),
	                   "%s", sb_wire_check_guard(&wire));
}

Test(wire, dtls13_plaintext_after_epoch_0_fires, .fini = teardown)
{
	uint8_t d[128];
	sb_wire_init(&wire, false, 0);
	sb_wire_dtls13(&wire, 0);
	send(0, d, dtls(d, 23, 1, 0, 40, 0));
	cr_assert_not_null(strstr(sb_wire_check_guard(&wire),
	                          "DTLSPlaintext header in epoch 1"),
	                   "%s", sb_wire_check_guard(&wire));
}

Test(wire, dtls13_epoch_bits_jumping_fires, .fini = teardown)
{
	uint8_t d[128];
	sb_wire_init(&wire, false, 0);
	sb_wire_dtls13(&wire, 0);
	send(0, d, unified(d, 2, 0, 0, true, true, 40, 1));
	/* from epoch 2, bits 0 would be epoch 4: two steps ahead */
	send(0, d, unified(d, 0, 1, 0, true, true, 40, 2));
	cr_assert_not_null(
	    strstr(sb_wire_check_guard(&wire), "epoch bits 0 in epoch 2"), "%s",
	    sb_wire_check_guard(&wire));
}
