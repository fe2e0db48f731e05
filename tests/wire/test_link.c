/*
 * test_link.c - the in-memory link: datagram boundaries, the MTU, byte,
 * datagram and record counting, flight numbering, forging.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "wire/link.h"

static struct sb_link link;

static void setup(void)
{
	sb_link_init(&link, SB_LINK_DATAGRAM, 100);
}

static void teardown(void)
{
	sb_link_free(&link);
}

/* A DTLS 1.2 record: 13-byte header with the body length at bytes 11-12. */
static size_t dtls_record(uint8_t *out, size_t body)
{
	memset(out, 0, SB_DTLS12_HEADER_LEN + body);
	out[0] = 23;
	out[1] = 0xfe;
	out[2] = 0xfd;
	out[11] = (uint8_t)(body >> 8);
	out[12] = (uint8_t)body;
	return SB_DTLS12_HEADER_LEN + body;
}

/* ---- safety ----------------------------------------------------------- */

Test(link, empty_queue_wants_io, .init = setup, .fini = teardown)
{
	uint8_t buf[8];
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, buf, sizeof(buf)),
	             SB_ERR_WANT_IO);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_S2C), 0);
}

Test(link, empty_datagram_refused, .init = setup, .fini = teardown)
{
	uint8_t b = 0;
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, &b, 0), SB_ERR_INVALID);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 0);
}

Test(link, free_twice_is_safe)
{
	struct sb_link l = {0};
	sb_link_free(&l);
	sb_link_init(&l, SB_LINK_DATAGRAM, 64);
	sb_link_free(&l);
	sb_link_free(&l);
}

Test(link, corrupt_needs_a_datagram, .init = setup, .fini = teardown)
{
	uint8_t buf[4] = {0};
	cr_assert_eq(sb_link_corrupt(&link, SB_DIR_C2S, 0), SB_ERR_INVALID);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, buf, 4), 0);
	cr_assert_eq(sb_link_corrupt(&link, SB_DIR_C2S, 4), SB_ERR_INVALID);
}

/* ---- behaviour -------------------------------------------------------- */

Test(link, keeps_datagram_boundaries_in_order, .init = setup, .fini = teardown)
{
	uint8_t a[10], b[30], out[100];
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, a, sizeof(a)), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, b, sizeof(b)), 0);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_C2S), 2);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_S2C), 0);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out)), 10);
	cr_assert_arr_eq(out, a, sizeof(a));
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out)), 30);
	cr_assert_arr_eq(out, b, sizeof(b));
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out)),
	             SB_ERR_WANT_IO);
}

Test(link, enforces_mtu, .init = setup, .fini = teardown)
{
	uint8_t buf[101] = {0};
	cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, buf, 100), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, buf, 101), SB_ERR_MTU);
	cr_assert_eq(link.sent[SB_DIR_S2C].datagrams, 1,
	             "refused must not count");
	cr_assert_eq(link.sent[SB_DIR_S2C].bytes, 100);
}

Test(link, small_receive_buffer_keeps_datagram, .init = setup, .fini = teardown)
{
	uint8_t buf[50] = {7};
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, buf, 50), 0);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, buf, 49), SB_ERR_INVALID);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, buf, 50), 50);
}

Test(link, grows_past_initial_capacity_in_order, .init = setup,
     .fini = teardown)
{
	uint8_t buf[4], out[100];
	/* Interleave sends and receives so the ring wraps before growing. */
	for (uint8_t i = 0; i < 5; i++) {
		buf[0] = i;
		cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, buf, 1 + i % 3),
		             0);
	}
	for (int i = 0; i < 3; i++)
		cr_assert_gt(sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out)),
		             0);
	for (uint8_t i = 5; i < 40; i++) {
		buf[0] = i;
		cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, buf, 1 + i % 3),
		             0);
	}
	for (uint8_t i = 3; i < 40; i++) {
		int n = sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out));
		cr_assert_eq(n, 1 + i % 3);
		cr_assert_eq(out[0], i, "datagram %u came out as %u", i,
		             out[0]);
	}
}

Test(link, counts_bytes_datagrams_records, .init = setup, .fini = teardown)
{
	uint8_t dgram[100];
	size_t len = dtls_record(dgram, 20);
	len += dtls_record(dgram + len, 5);
	cr_assert_eq(len, 51);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, dgram, len), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, dgram, 13 + 20), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].bytes, 51);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 1);
	cr_assert_eq(link.sent[SB_DIR_C2S].records, 2);
	cr_assert_eq(link.sent[SB_DIR_S2C].bytes, 33);
	cr_assert_eq(link.sent[SB_DIR_S2C].records, 1);
}

Test(link, flights_start_when_direction_changes, .init = setup,
     .fini = teardown)
{
	uint8_t d[20] = {0};
	/* client 2 datagrams, server 1, server 1, client 1 -> 3 flights */
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 11), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, d, 12), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, d, 13), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 14), 0);
	cr_assert_eq(link.flight_count, 3);
	cr_assert_eq(link.flights[0].dir, SB_DIR_C2S);
	cr_assert_eq(link.flights[0].sent.bytes, 21);
	cr_assert_eq(link.flights[0].sent.datagrams, 2);
	cr_assert_eq(link.flights[1].dir, SB_DIR_S2C);
	cr_assert_eq(link.flights[1].sent.bytes, 25);
	cr_assert_eq(link.flights[2].sent.bytes, 14);
	sb_link_reset_counters(&link);
	cr_assert_eq(link.flight_count, 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].bytes, 0);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_C2S), 3,
	             "reset keeps queues");
}

Test(link, io_callbacks_cross_over, .init = setup, .fini = teardown)
{
	struct sb_io client = sb_link_io(&link, SB_ROLE_CLIENT);
	struct sb_io server = sb_link_io(&link, SB_ROLE_SERVER);
	uint8_t msg[3] = {1, 2, 3}, out[8];
	cr_assert_eq(client.send(client.ctx, msg, 3), 0);
	cr_assert_eq(client.recv(client.ctx, out, sizeof(out)), SB_ERR_WANT_IO);
	cr_assert_eq(server.recv(server.ctx, out, sizeof(out)), 3);
	cr_assert_arr_eq(out, msg, 3);
	cr_assert_eq(link.sent[SB_DIR_C2S].bytes, 3);
}

/* A TLS record: 5-byte header with the body length at bytes 3-4. */
static size_t tls_record(uint8_t *out, size_t body)
{
	memset(out, 0, SB_TLS12_HEADER_LEN + body);
	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	return SB_TLS12_HEADER_LEN + body;
}

Test(link, stream_counts_records_across_sends)
{
	struct sb_link s;
	uint8_t buf[700];
	sb_link_init(&s, SB_LINK_STREAM, 100);
	size_t len = tls_record(buf, 300); /* longer than the "MTU" */
	len += tls_record(buf + len, 2);
	/* Split mid-header, mid-body, then mid-second-header: 3, 200, 105. */
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf, 3), 0);
	cr_assert_eq(s.sent[SB_DIR_C2S].records, 0);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf + 3, 200), 0);
	cr_assert_eq(s.sent[SB_DIR_C2S].records, 1);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf + 203, 105), 0);
	cr_assert_eq(s.sent[SB_DIR_C2S].records, 1, "second header incomplete");
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf + 308, len - 308), 0);
	cr_assert_eq(s.sent[SB_DIR_C2S].records, 2);
	cr_assert_eq(s.sent[SB_DIR_C2S].bytes, len);
	cr_assert_eq(s.sent[SB_DIR_C2S].datagrams, 4, "four segments");
	cr_assert_eq(sb_link_pending(&s, SB_DIR_C2S), len);
	sb_link_free(&s);
}

Test(link, stream_reads_any_amount_in_order)
{
	struct sb_link s;
	uint8_t buf[64], out[64];
	sb_link_init(&s, SB_LINK_STREAM, 100);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	cr_assert_eq(sb_link_send(&s, SB_DIR_S2C, buf, 40), 0);
	cr_assert_eq(sb_link_send(&s, SB_DIR_S2C, buf + 40, 24), 0);
	cr_assert_eq(sb_link_recv(&s, SB_DIR_S2C, out, 10), 10);
	cr_assert_eq(sb_link_recv(&s, SB_DIR_S2C, out + 10, 64), 54);
	cr_assert_arr_eq(out, buf, 64);
	cr_assert_eq(sb_link_recv(&s, SB_DIR_S2C, out, 64), SB_ERR_WANT_IO);
	cr_assert_eq(s.flight_count, 1);
	sb_link_free(&s);
}

Test(link, stream_reserve_then_large_sends)
{
	struct sb_link s;
	static uint8_t buf[20000], out[20000];
	sb_link_init(&s, SB_LINK_STREAM, 1232);
	cr_assert_eq(sb_link_reserve(&s, SB_DIR_C2S, 4), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf, sizeof(buf)), 0);
	cr_assert_eq(sb_link_recv(&s, SB_DIR_C2S, out, sizeof(out)),
	             (int)sizeof(out));
	cr_assert_arr_eq(out, buf, sizeof(buf));
	sb_link_free(&s);
}

/* ---- deferral: nothing but the copy inside a measured call ----------- */

Test(link, deferred_sends_are_counted_on_settle, .init = setup,
     .fini = teardown)
{
	uint8_t a[60], b[40];
	size_t la = dtls_record(a, 30), lb = dtls_record(b, 10);
	cr_assert_eq(sb_link_reserve(&link, SB_DIR_C2S, 4), 0);
	sb_link_defer(&link, true);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, a, la), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, b, lb), 0);
	sb_link_defer(&link, false);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 0,
	             "counted while deferring");
	cr_assert_eq(link.flight_count, 0);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_C2S), 2,
	             "queued all the same");
	cr_assert_eq(sb_link_settle(&link), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 2);
	cr_assert_eq(link.sent[SB_DIR_C2S].records, 2);
	cr_assert_eq(link.sent[SB_DIR_C2S].bytes, la + lb);
	cr_assert_eq(link.flight_count, 1);
	cr_assert_eq(sb_link_settle(&link), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 2, "settled once only");
}

Test(link, receive_settles_deferred_sends_first, .init = setup,
     .fini = teardown)
{
	uint8_t a[60], out[100];
	size_t la = dtls_record(a, 30);
	a[20] = 0x5a;
	sb_link_defer(&link, true); /* nothing reserved: the queue grows */
	for (int i = 0; i < 9; i++)
		cr_assert_eq(sb_link_send(&link, SB_DIR_S2C, a, la), 0);
	sb_link_defer(&link, false);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_S2C, out, sizeof(out)),
	             (int)la);
	cr_assert_arr_eq(out, a, la);
	cr_assert_eq(link.sent[SB_DIR_S2C].datagrams, 9);
	cr_assert_eq(link.sent[SB_DIR_S2C].records, 9);
}

Test(link, deferral_keeps_flight_order_when_settled_per_call, .init = setup,
     .fini = teardown)
{
	uint8_t d[20] = {0};
	/* As a handshake does: each call deferred, then settled. */
	enum sb_dir dirs[] = {SB_DIR_C2S, SB_DIR_S2C, SB_DIR_S2C, SB_DIR_C2S};
	for (size_t i = 0; i < 4; i++) {
		sb_link_defer(&link, true);
		cr_assert_eq(sb_link_send(&link, dirs[i], d, 10 + i), 0);
		sb_link_defer(&link, false);
		cr_assert_eq(sb_link_settle(&link), 0);
	}
	cr_assert_eq(link.flight_count, 3);
	cr_assert_eq(link.flights[1].sent.bytes, 11 + 12);
	cr_assert_eq(link.flights[2].dir, SB_DIR_C2S);
}

Test(link, deferral_nests, .init = setup, .fini = teardown)
{
	uint8_t d[20] = {0};
	sb_link_defer(&link, true); /* a record batch */
	sb_link_defer(&link, true); /* one write inside it */
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	sb_link_defer(&link, false);
	cr_assert(sb_link_deferred(&link), "the outer deferral still holds");
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 0);
	sb_link_defer(&link, false);
	cr_assert(!sb_link_deferred(&link));
	sb_link_defer(&link, false); /* one too many: harmless */
	cr_assert(!sb_link_deferred(&link));
	cr_assert_eq(sb_link_settle(&link), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 2);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 3,
	             "counted as sent again");
}

Test(link, faults_turn_deferral_off, .init = setup, .fini = teardown)
{
	uint8_t d[20] = {0};
	sb_link_set_faults(&link, &(struct sb_link_faults){.duplicate = 1e-12},
	                   1);
	sb_link_defer(&link, true);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 1,
	             "a lossy link counts as it sends");
	sb_link_defer(&link, false);
}

Test(link, faults_set_while_deferring_turn_it_off, .init = setup,
     .fini = teardown)
{
	uint8_t d[20] = {0};
	sb_link_defer(&link, true);
	sb_link_set_faults(&link, &(struct sb_link_faults){.reorder = 1e-12},
	                   1);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 10), 0);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 1);
	sb_link_defer(&link, false);
}

Test(link, deferral_refuses_what_the_link_refuses, .init = setup,
     .fini = teardown)
{
	uint8_t d[101] = {0};
	cr_assert_eq(sb_link_reserve(&link, SB_DIR_C2S, 2), 0);
	sb_link_defer(&link, true);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 101), SB_ERR_MTU);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 0), SB_ERR_INVALID);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, 100), 0);
	sb_link_defer(&link, false);
	cr_assert_eq(sb_link_pending(&link, SB_DIR_C2S), 1);
}

Test(link, stream_deferred_sends_keep_their_boundaries)
{
	struct sb_link s;
	uint8_t buf[400], out[400];
	sb_link_init(&s, SB_LINK_STREAM, 100);
	size_t len = tls_record(buf, 300);
	len += tls_record(buf + len, 2);
	for (size_t i = 0; i < len; i++)
		buf[i] = i < 5 || (i >= 305 && i < 310) ? buf[i] : (uint8_t)i;
	/* Something already observed and unread before the deferred sends. */
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf, 3), 0);
	sb_link_defer(&s, true);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf + 3, 200), 0);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf + 203, len - 203), 0);
	sb_link_defer(&s, false);
	cr_assert_eq(s.sent[SB_DIR_C2S].datagrams, 1,
	             "counted while deferring");
	cr_assert_eq(sb_link_recv(&s, SB_DIR_C2S, out, sizeof(out)), (int)len,
	             "the receive settles, then reads everything");
	cr_assert_arr_eq(out, buf, len);
	cr_assert_eq(s.sent[SB_DIR_C2S].datagrams, 3, "three segments");
	cr_assert_eq(s.sent[SB_DIR_C2S].records, 2);
	cr_assert_eq(s.sent[SB_DIR_C2S].bytes, len);
	sb_link_free(&s);
}

Test(link, warming_leaves_queued_data_alone, .init = setup, .fini = teardown)
{
	uint8_t d[40], out[100];
	memset(d, 0xab, sizeof(d));
	cr_assert_eq(sb_link_reserve(&link, SB_DIR_C2S, 4), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, d, sizeof(d)), 0);
	sb_link_warm(&link, SB_DIR_C2S, 8, 500); /* more than reserved, and
	                                            longer than the MTU */
	cr_assert_eq(sb_link_pending(&link, SB_DIR_C2S), 1);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 1);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, sizeof(out)),
	             (int)sizeof(d));
	cr_assert_arr_eq(out, d, sizeof(d));
}

Test(link, stream_warming_leaves_unread_bytes_alone)
{
	struct sb_link s;
	uint8_t buf[64], out[64];
	sb_link_init(&s, SB_LINK_STREAM, 100);
	cr_assert_eq(sb_link_reserve(&s, SB_DIR_S2C, 2), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i + 1);
	cr_assert_eq(sb_link_send(&s, SB_DIR_S2C, buf, sizeof(buf)), 0);
	sb_link_warm(&s, SB_DIR_S2C, 100, 100); /* past the room: clipped */
	cr_assert_eq(sb_link_recv(&s, SB_DIR_S2C, out, sizeof(out)),
	             (int)sizeof(out));
	cr_assert_arr_eq(out, buf, sizeof(buf));
	sb_link_free(&s);
}

/* ---- adversarial ------------------------------------------------------ */

Test(link, stream_corrupt_flips_unread_byte)
{
	struct sb_link s;
	uint8_t buf[4] = {0}, out[4];
	sb_link_init(&s, SB_LINK_STREAM, 100);
	cr_assert_eq(sb_link_corrupt(&s, SB_DIR_C2S, 0), SB_ERR_INVALID);
	cr_assert_eq(sb_link_send(&s, SB_DIR_C2S, buf, 4), 0);
	cr_assert_eq(sb_link_corrupt(&s, SB_DIR_C2S, 0), 0);
	cr_assert_eq(sb_link_recv(&s, SB_DIR_C2S, out, 4), 4);
	uint8_t want[4] = {0, 0, 0, 1};
	cr_assert_arr_eq(out, want, 4);
	sb_link_free(&s);
}

Test(link, corrupt_flips_one_bit_of_newest, .init = setup, .fini = teardown)
{
	uint8_t a[4] = {0, 0, 0, 0}, b[4] = {0, 0, 0, 0}, out[4];
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, a, 4), 0);
	cr_assert_eq(sb_link_send(&link, SB_DIR_C2S, b, 4), 0);
	cr_assert_eq(sb_link_corrupt(&link, SB_DIR_C2S, 1), 0);
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, 4), 4);
	cr_assert_arr_eq(out, a, 4, "oldest datagram must be untouched");
	cr_assert_eq(sb_link_recv(&link, SB_DIR_C2S, out, 4), 4);
	uint8_t want[4] = {0, 0, 1, 0};
	cr_assert_arr_eq(out, want, 4);
}
