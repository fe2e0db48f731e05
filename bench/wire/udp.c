#define _GNU_SOURCE
#include "wire/udp.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/mem.h"

/* Room for any UDP payload: 65535 less 8 bytes of UDP header, and IPv6's
 * 65527 is the largest without jumbograms (RFC 2675). */
#define UDP_RECV_MAX 65536

static int udp_fail(struct sb_udp_port *port, const char *what, int err)
{
	snprintf(port->error, sizeof(port->error), "%s %s: %s", what,
	         port->peer[0] ? port->peer : "(not connected)", strerror(err));
	return SB_ERR_IO;
}

int sb_udp_split_address(const char *text, char *host, size_t host_len,
                         char *port, size_t port_len)
{
	const char *h = text, *colon;
	size_t hl;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			return SB_ERR_USAGE;
		h = text + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		/* Two colons without brackets: an IPv6 address, port unclear.
		 */
		if (!colon || memchr(text, ':', (size_t)(colon - text)))
			return SB_ERR_USAGE;
		hl = (size_t)(colon - text);
	}
	size_t pl = strlen(colon + 1);
	if (hl == 0 || hl >= host_len || pl == 0 || pl >= port_len)
		return SB_ERR_USAGE;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, pl + 1);
	return 0;
}

/* The numeric form of a connected address: "192.0.2.1:4433", "[::1]:4433". */
static void describe_address(struct sb_udp_port *port,
                             const struct addrinfo *ai)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(port->peer, sizeof(port->peer),
		         "(unprintable address)");
		return;
	}
	snprintf(port->peer, sizeof(port->peer),
	         ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

/* The first address that takes a connected datagram socket. */
static int udp_connect_first(struct sb_udp_port *port,
                             const struct addrinfo *list)
{
	int err = EADDRNOTAVAIL;
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		                ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		describe_address(port, ai);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			continue;
		}
		port->fd = fd;
		port->open = true;
		return 0;
	}
	return udp_fail(port, "connect", err);
}

int sb_udp_setup(struct sb_udp_port *port, const char *address,
                 struct sb_link *link, enum sb_role role, size_t mtu)
{
	char host[SB_UDP_ADDRESS_MAX], service[32];
	memset(port, 0, sizeof(*port));
	port->fd = -1;
	port->link = link;
	port->out = role == SB_ROLE_CLIENT ? SB_DIR_C2S : SB_DIR_S2C;
	port->mtu = mtu;
	if (sb_udp_split_address(address, host, sizeof(host), service,
	                         sizeof(service))) {
		snprintf(port->error, sizeof(port->error),
		         "expected HOST:PORT or [IPV6]:PORT, not '%s'",
		         address);
		return SB_ERR_USAGE;
	}
	if (!(port->buf = sb_mem_alloc(UDP_RECV_MAX)))
		return SB_ERR_NOMEM;
	/* A numeric port only: a service name would hide a typo. */
	const struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_DGRAM,
	    .ai_protocol = IPPROTO_UDP,
	    .ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *list = NULL;
	int gai = getaddrinfo(host, service, &hints, &list);
	if (gai != 0) {
		snprintf(port->error, sizeof(port->error), "%s: %s", address,
		         gai == EAI_SYSTEM ? strerror(errno)
		                           : gai_strerror(gai));
		return SB_ERR_IO;
	}
	int rc = udp_connect_first(port, list);
	freeaddrinfo(list);
	return rc;
}

static int udp_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct sb_udp_port *port = ctx;
	if (len == 0)
		return SB_ERR_INVALID;
	if (len > port->mtu)
		return SB_ERR_MTU;
	ssize_t n;
	do
		n = send(port->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return udp_fail(port, "send to", errno);
	if ((size_t)n != len)
		return udp_fail(port, "short send to", EMSGSIZE);
	port->sent++;
	return sb_link_count(port->link, port->out, buf, len);
}

/* Take the next datagram off the socket into port->buf, counting it. */
static int udp_take(struct sb_udp_port *port)
{
	enum sb_dir in = port->out == SB_DIR_C2S ? SB_DIR_S2C : SB_DIR_C2S;
	for (;;) {
		ssize_t n = recv(port->fd, port->buf, UDP_RECV_MAX,
		                 MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return SB_ERR_WANT_IO;
		if (n < 0)
			return udp_fail(port, "receive from", errno);
		if (n == 0)
			continue; /* no record in it: nothing to count or read
			           */
		if (n > UDP_RECV_MAX)
			return udp_fail(port, "receive from", EMSGSIZE);
		port->received++;
		int rc = sb_link_count(port->link, in, port->buf, (size_t)n);
		if (rc)
			return rc;
		port->held = (size_t)n;
		return 0;
	}
}

static int udp_recv(void *ctx, uint8_t *buf, size_t cap)
{
	struct sb_udp_port *port = ctx;
	if (port->held == 0) {
		int rc = udp_take(port);
		if (rc)
			return rc;
	}
	if (port->held > cap)
		return SB_ERR_INVALID;
	size_t len = port->held;
	memcpy(buf, port->buf, len);
	port->held = 0;
	return (int)len;
}

struct sb_io sb_udp_io(struct sb_udp_port *port)
{
	return (struct sb_io){
	    .ctx = port,
	    .send = udp_send,
	    .recv = udp_recv,
	};
}

int sb_udp_wait(struct sb_udp_port *port, uint64_t timeout_us)
{
	if (port->held > 0)
		return 1;
	uint64_t ms = (timeout_us + 999) / 1000;
	struct pollfd p = {.fd = port->fd, .events = POLLIN};
	int n = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
	if (n < 0)
		return errno == EINTR ? 0 : udp_fail(port, "poll on", errno);
	/* POLLERR too: the receive then reports the ICMP error. */
	return n > 0 ? 1 : 0;
}

void sb_udp_free(struct sb_udp_port *port)
{
	if (port->open)
		close(port->fd);
	port->open = false;
	port->fd = -1;
	sb_mem_free(port->buf);
	port->buf = NULL;
	port->held = 0;
}

static uint64_t udp_clock_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct sb_clock sb_udp_clock(void)
{
	return (struct sb_clock){.ctx = NULL, .now_us = udp_clock_now};
}
