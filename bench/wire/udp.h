/*
 * udp.h - a real datagram path for one endpoint: a connected UDP socket.
 *
 * The port gives an endpoint the same `struct sb_io` an in-memory link
 * gives it -- one send() per datagram, a non-blocking receive of one
 * datagram -- so a backend cannot tell the two apart.  Every datagram
 * sent or received is counted by a `struct sb_link` through
 * sb_link_count(), exactly as the in-memory link counts its own: bytes,
 * datagrams and records per direction, flights, the wire view with its
 * nonce guard and capture, and the transcript.  The link queues nothing
 * here; it only counts.
 *
 * A real peer also needs real time: sb_udp_clock() is the clock the
 * endpoint's DTLS retransmission timers read, CLOCK_REALTIME in
 * microseconds, and sb_udp_wait() sleeps in poll() until the peer sends
 * or a timer is due.
 */
#ifndef SB_UDP_H
#define SB_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/backend.h"
#include "wire/link.h"

/* "[v6-address]:port" and a terminating NUL fit; longer is refused. */
#define SB_UDP_ADDRESS_MAX 300

struct sb_udp_port {
	int fd;
	bool open;            /* fd is a socket this port must close */
	struct sb_link *link; /* counts every datagram, both ways */
	enum sb_dir out;      /* the direction this endpoint's sends go */
	size_t mtu;           /* the largest datagram sent */
	uint8_t *buf;         /* one received datagram, SB_LINK_MAX_MTU */
	size_t held;          /* bytes of a datagram too long for the
	                         last receive, kept for the next one */
	uint64_t sent;        /* datagrams sent and received */
	uint64_t received;
	char peer[80];   /* numeric: "192.0.2.1:5684", "[::1]:5684" */
	char error[256]; /* the last socket failure, "" if none */
};

/*
 * Split "HOST:PORT" or "[IPV6]:PORT" into `host` and `port`.  Returns 0,
 * or SB_ERR_USAGE when the text has no port, an empty host, or does not
 * fit the buffers.
 */
int sb_udp_split_address(const char *text, char *host, size_t host_len,
                         char *port, size_t port_len) SB_MUST_USE;

/*
 * Resolve `address` ("HOST:PORT", IPv4 or IPv6, by getaddrinfo) and
 * connect a datagram socket to the first address that takes it, for the
 * endpoint playing `role`; its sends are counted by `link` in that role's
 * direction and are refused above `mtu`.  Returns 0, SB_ERR_USAGE for an
 * address that does not parse, SB_ERR_IO when it does not resolve or no
 * socket connects (the reason in port->error), or SB_ERR_NOMEM.  The port
 * must be freed either way; `link` must outlive it.
 */
int sb_udp_setup(struct sb_udp_port *port, const char *address,
                 struct sb_link *link, enum sb_role role,
                 size_t mtu) SB_MUST_USE;

/*
 * The endpoint's io callbacks.  send: one send() of the datagram, 0, or
 * SB_ERR_MTU above the MTU, SB_ERR_IO when the socket refuses it.  recv:
 * one waiting datagram's length, SB_ERR_WANT_IO when none waits,
 * SB_ERR_INVALID when it does not fit `cap` (it is kept for the next
 * call), or SB_ERR_IO (a refused port, reported by ICMP, lands here).
 * An empty datagram carries no record and is skipped.
 */
struct sb_io sb_udp_io(struct sb_udp_port *port);

/*
 * Sleep in poll() until a datagram waits or `timeout_us` passes (rounded
 * up to whole milliseconds, so a deadline is never woken early).  Returns
 * 1 when a datagram waits, 0 on timeout, or SB_ERR_IO.
 */
int sb_udp_wait(struct sb_udp_port *port, uint64_t timeout_us) SB_MUST_USE;

/* Close the socket, release the buffer; safe on a zeroed port, twice. */
void sb_udp_free(struct sb_udp_port *port);

/*
 * Real time for real peers: CLOCK_REALTIME in microseconds since the Unix
 * epoch, the clock a DTLS endpoint's timers read when its peer is not
 * simulated.  Certificates are then checked against today's date.
 */
struct sb_clock sb_udp_clock(void);

#endif
