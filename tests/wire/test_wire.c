/*
 * test_wire.c - the record view and the nonce/sequence guard, on records
 * built by hand to RFC 6347 4.1 (DTLS) and RFC 5246 6.2.1 (TLS).
 */
#include <criterion/criterion.h>
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
