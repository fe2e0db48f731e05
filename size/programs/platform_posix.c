/*
 * platform_posix.c - the size programs on x86-64 Linux: the peer is at
 * the other end of standard input and output (two pipes, one each way),
 * seed material comes from getrandom(2), failures go to standard error.
 *
 * A pipe is a stream, so a DTLS program (-DSB_DTLS) frames each datagram
 * on it: a 2-byte big-endian length, then the datagram, written in one
 * write(2) and read back whole; the peer sees datagram boundaries as a
 * UDP socket would keep them (nothing is lost or reordered).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

/* The largest datagram a DTLS program sends (a 2-byte length). */
#define SB_PLAT_DATAGRAM_MAX 65535u

static int write_all(const unsigned char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Read up to `len` bytes, the stream as it comes: > 0, 0 at its end, -1. */
static ssize_t read_some(unsigned char *buf, size_t len)
{
	ssize_t n;
	do
		n = read(STDIN_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

#if defined(SB_DTLS)
/* Exactly `len` bytes: 1, 0 at the end of the stream before any, -1. */
static int read_exactly(unsigned char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = read_some(buf + done, len - done);
		if (n <= 0)
			return n == 0 && done == 0 ? 0 : -1;
		done += (size_t)n;
	}
	return 1;
}

int sb_plat_send(const unsigned char *buf, size_t len)
{
	static unsigned char frame[2 + SB_PLAT_DATAGRAM_MAX];
	if (len > SB_PLAT_DATAGRAM_MAX)
		return -1;
	frame[0] = (unsigned char)(len >> 8);
	frame[1] = (unsigned char)len;
	memcpy(frame + 2, buf, len);
	return write_all(frame, len + 2) == 0 ? (int)len : -1;
}

int sb_plat_recv(unsigned char *buf, size_t len)
{
	static unsigned char datagram[SB_PLAT_DATAGRAM_MAX];
	unsigned char head[2];
	int rc = read_exactly(head, 2);
	if (rc <= 0)
		return rc;
	size_t n = (size_t)head[0] << 8 | head[1];
	if (n > 0 && read_exactly(datagram, n) != 1)
		return -1;
	if (n > len)
		return -1; /* a datagram longer than the buffer: refused */
	memcpy(buf, datagram, n);
	return (int)n;
}
#else
int sb_plat_send(const unsigned char *buf, size_t len)
{
	return write_all(buf, len) == 0 ? (int)len : -1;
}

int sb_plat_recv(unsigned char *buf, size_t len)
{
	ssize_t n = read_some(buf, len);
	return n < 0 ? -1 : (int)n;
}
#endif

unsigned long sb_plat_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)now.tv_sec * 1000ul +
	       (unsigned long)now.tv_nsec / 1000000ul;
}

void sb_plat_entropy(unsigned char *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);
		if (n < 0 && errno != EINTR)
			sb_plat_fail("getrandom", errno);
		if (n > 0)
			done += (size_t)n;
	}
}

void sb_plat_fail(const char *what, long code)
{
	fprintf(stderr, "%s failed: %ld (0x%lx)\n", what, code,
	        (unsigned long)code);
	exit(1);
}
