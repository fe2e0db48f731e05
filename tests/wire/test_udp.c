/*
 * test_udp.c - the real datagram port: address parsing, one send() per
 * datagram, non-blocking receive, and counting that equals the in-memory
 * link's for the same datagrams.  Loopback (127.0.0.1) only.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/udp.h"

/* A DTLS 1.2 record (RFC 6347 4.1): 13-byte header, body length last. */
static size_t dtls_record(uint8_t *out, uint8_t type, size_t body)
{
	memset(out, 0x5a, SB_DTLS12_HEADER_LEN + body);
	out[0] = type;
	out[1] = 0xfe;
	out[2] = 0xfd;
	memset(out + 3, 0, 8); /* epoch 0, sequence 0 */
	out[11] = (uint8_t)(body >> 8);
	out[12] = (uint8_t)body;
	return SB_DTLS12_HEADER_LEN + body;
}

/* A plain UDP socket on 127.0.0.1 standing for the server; its port. */
static int peer_socket(char *address, size_t len)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(address, len, "127.0.0.1:%u", ntohs(a.sin_port));
	return fd;
}

/* ---- safety ----------------------------------------------------------- */

/* Inline strings: Criterion re-executes the binary for each case. */
struct address_case {
	char text[32];
	char host[16]; /* empty: refused */
	char port[8];
};

static struct address_case address_cases[] = {
    {.text = "127.0.0.1:5684", .host = "127.0.0.1", .port = "5684"},
    {.text = "[::1]:4433", .host = "::1", .port = "4433"},
    {.text = "gw.example:5684", .host = "gw.example", .port = "5684"},
    {.text = "[fe80::1%lo]:1", .host = "fe80::1%lo", .port = "1"},
    {.text = "::1:4433"},  /* IPv6 without brackets: port unclear */
    {.text = "localhost"}, /* no port */
    {.text = ":5684"},     /* no host */
    {.text = "host:"},     /* empty port */
    {.text = "[::1]4433"}, /* no colon after the bracket */
    {.text = "[::1]"},     /* no port */
    {.text = "[]:4433"},   /* empty host */
    {.text = ""},
};

ParameterizedTestParameters(udp, split_address)
{
	return cr_make_param_array(struct address_case, address_cases,
	                           sizeof(address_cases) /
	                               sizeof(address_cases[0]));
}

ParameterizedTest(struct address_case *c, udp, split_address)
{
	char host[64] = "", port[16] = "";
	int rc = sb_udp_split_address(c->text, host, sizeof(host), port,
	                              sizeof(port));
	if (!c->host[0]) {
		cr_assert_eq(rc, SB_ERR_USAGE, "'%s' was accepted", c->text);
		return;
	}
	cr_assert_eq(rc, 0, "'%s' was refused", c->text);
	cr_assert_str_eq(host, c->host);
	cr_assert_str_eq(port, c->port);
}

Test(udp, split_address_refuses_what_does_not_fit)
{
	char host[4], port[16];
	cr_assert_eq(sb_udp_split_address("toolong:1", host, sizeof(host), port,
	                                  sizeof(port)),
	             SB_ERR_USAGE);
}

Test(udp, free_twice_and_zeroed_is_safe)
{
	struct sb_udp_port port = {0};
	sb_udp_free(&port);
	sb_udp_free(&port);
	struct sb_link link;
	sb_link_init(&link, SB_LINK_DATAGRAM, 1232);
	cr_assert_eq(
	    sb_udp_setup(&port, "no port", &link, SB_ROLE_CLIENT, 1232),
	    SB_ERR_USAGE);
	cr_assert(strstr(port.error, "no port"));
	sb_udp_free(&port);
	sb_udp_free(&port);
	sb_link_free(&link);
}

Test(udp, nothing_waiting_wants_io)
{
	char address[64];
	int peer = peer_socket(address, sizeof(address));
	struct sb_link link;
	struct sb_udp_port port;
	uint8_t buf[64];
	sb_link_init(&link, SB_LINK_DATAGRAM, 1232);
	cr_assert_eq(sb_udp_setup(&port, address, &link, SB_ROLE_CLIENT, 1232),
	             0);
	struct sb_io io = sb_udp_io(&port);
	cr_assert_eq(io.recv(io.ctx, buf, sizeof(buf)), SB_ERR_WANT_IO);
	cr_assert_eq(sb_udp_wait(&port, 0), 0);
	cr_assert_eq(link.sent[SB_DIR_S2C].datagrams, 0);
	sb_udp_free(&port);
	sb_link_free(&link);
	close(peer);
}

/* ---- behaviour -------------------------------------------------------- */

/*
 * The same exchange through the socket and through the in-memory link
 * counts the same: bytes, datagrams, records, flights, transcript.
 */
Test(udp, counts_like_the_link)
{
	char address[64];
	int peer = peer_socket(address, sizeof(address));
	struct sb_link real, memory;
	struct sb_udp_port port;
	uint8_t hello[200], flight[300], buf[512];
	size_t hello_len = dtls_record(hello, 22, 100);
	size_t flight_len = dtls_record(flight, 22, 90);
	flight_len += dtls_record(flight + flight_len, 22, 12);
	sb_link_init(&real, SB_LINK_DATAGRAM, 1232);
	sb_link_init(&memory, SB_LINK_DATAGRAM, 1232);
	sb_link_transcript_start(&real);
	sb_link_transcript_start(&memory);
	cr_assert_eq(sb_udp_setup(&port, address, &real, SB_ROLE_CLIENT, 1232),
	             0);
	struct sb_io io = sb_udp_io(&port);

	/* Client to server: one send(), one datagram on the wire. */
	cr_assert_eq(io.send(io.ctx, hello, hello_len), 0);
	cr_assert_eq(recv(peer, buf, sizeof(buf), 0), (ssize_t)hello_len);
	cr_assert_arr_eq(buf, hello, hello_len);
	/* Server to client: answered to the client's address. */
	struct sockaddr_in client = {0};
	socklen_t client_len = sizeof(client);
	cr_assert_eq(
	    getsockname(port.fd, (struct sockaddr *)&client, &client_len), 0);
	cr_assert_eq(sendto(peer, flight, flight_len, 0,
	                    (struct sockaddr *)&client, client_len),
	             (ssize_t)flight_len);
	cr_assert_eq(sb_udp_wait(&port, 2000000), 1);
	cr_assert_eq(io.recv(io.ctx, buf, sizeof(buf)), (int)flight_len);
	cr_assert_arr_eq(buf, flight, flight_len);

	cr_assert_eq(sb_link_send(&memory, SB_DIR_C2S, hello, hello_len), 0);
	cr_assert_eq(sb_link_send(&memory, SB_DIR_S2C, flight, flight_len), 0);
	for (int d = 0; d < 2; d++) {
		cr_assert_eq(real.sent[d].bytes, memory.sent[d].bytes);
		cr_assert_eq(real.sent[d].datagrams, memory.sent[d].datagrams);
		cr_assert_eq(real.sent[d].records, memory.sent[d].records);
	}
	cr_assert_eq(real.sent[SB_DIR_S2C].records, 2);
	cr_assert_eq(real.flight_count, 2);
	cr_assert_eq(real.flight_count, memory.flight_count);
	char real_hex[65], memory_hex[65];
	sb_link_transcript_hex(&real, real_hex);
	sb_link_transcript_hex(&memory, memory_hex);
	cr_assert_str_eq(real_hex, memory_hex);
	cr_assert_eq(port.sent, 1);
	cr_assert_eq(port.received, 1);
	sb_udp_free(&port);
	sb_link_free(&real);
	sb_link_free(&memory);
	close(peer);
}

/* A datagram longer than the buffer stays for the next receive, counted
 * once, as the link keeps it queued. */
Test(udp, too_small_a_buffer_keeps_the_datagram)
{
	char address[64];
	int peer = peer_socket(address, sizeof(address));
	struct sb_link link;
	struct sb_udp_port port;
	uint8_t rec[100], buf[200];
	size_t len = dtls_record(rec, 23, 80);
	sb_link_init(&link, SB_LINK_DATAGRAM, 1232);
	cr_assert_eq(sb_udp_setup(&port, address, &link, SB_ROLE_CLIENT, 1232),
	             0);
	struct sb_io io = sb_udp_io(&port);
	struct sockaddr_in client = {0};
	socklen_t client_len = sizeof(client);
	cr_assert_eq(
	    getsockname(port.fd, (struct sockaddr *)&client, &client_len), 0);
	cr_assert_eq(
	    sendto(peer, rec, len, 0, (struct sockaddr *)&client, client_len),
	    (ssize_t)len);
	cr_assert_eq(sb_udp_wait(&port, 2000000), 1);
	cr_assert_eq(io.recv(io.ctx, buf, 10), SB_ERR_INVALID);
	cr_assert_eq(sb_udp_wait(&port, 0), 1);
	cr_assert_eq(io.recv(io.ctx, buf, sizeof(buf)), (int)len);
	cr_assert_arr_eq(buf, rec, len);
	cr_assert_eq(link.sent[SB_DIR_S2C].datagrams, 1);
	cr_assert_eq(link.sent[SB_DIR_S2C].bytes, len);
	sb_udp_free(&port);
	sb_link_free(&link);
	close(peer);
}

/* ---- adversarial ------------------------------------------------------ */

Test(udp, datagram_above_the_mtu_refused_and_not_counted)
{
	char address[64];
	int peer = peer_socket(address, sizeof(address));
	struct sb_link link;
	struct sb_udp_port port;
	uint8_t big[400];
	size_t len = dtls_record(big, 22, 300);
	sb_link_init(&link, SB_LINK_DATAGRAM, 256);
	cr_assert_eq(sb_udp_setup(&port, address, &link, SB_ROLE_CLIENT, 256),
	             0);
	struct sb_io io = sb_udp_io(&port);
	cr_assert_eq(io.send(io.ctx, big, len), SB_ERR_MTU);
	cr_assert_eq(io.send(io.ctx, big, 0), SB_ERR_INVALID);
	cr_assert_eq(link.sent[SB_DIR_C2S].datagrams, 0);
	cr_assert_eq(port.sent, 0);
	sb_udp_free(&port);
	sb_link_free(&link);
	close(peer);
}

/* Nothing listens: the ICMP port-unreachable reaches the receive as an
 * error with its reason, never as a datagram. */
Test(udp, refused_port_is_an_error)
{
	char address[64];
	int peer = peer_socket(address, sizeof(address));
	close(peer);
	struct sb_link link;
	struct sb_udp_port port;
	uint8_t rec[64], buf[64];
	size_t len = dtls_record(rec, 22, 20);
	sb_link_init(&link, SB_LINK_DATAGRAM, 1232);
	cr_assert_eq(sb_udp_setup(&port, address, &link, SB_ROLE_CLIENT, 1232),
	             0);
	struct sb_io io = sb_udp_io(&port);
	cr_assert_eq(io.send(io.ctx, rec, len), 0);
	cr_assert_eq(sb_udp_wait(&port, 2000000), 1);
	cr_assert_eq(io.recv(io.ctx, buf, sizeof(buf)), SB_ERR_IO);
	cr_assert(strstr(port.error, "refused"), "error: %s", port.error);
	cr_assert_eq(link.sent[SB_DIR_S2C].datagrams, 0);
	sb_udp_free(&port);
	sb_link_free(&link);
}
