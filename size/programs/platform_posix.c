/*
 * platform_posix.c - the size programs on x86-64 Linux: the peer is at
 * the other end of standard input and output (two pipes, one each way),
 * seed material comes from getrandom(2), failures go to standard error.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "platform.h"

int sb_plat_send(const unsigned char *buf, size_t len)
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
	return (int)done;
}

int sb_plat_recv(unsigned char *buf, size_t len)
{
	ssize_t n;
	do
		n = read(STDIN_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : (int)n;
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
