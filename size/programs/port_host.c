/*
 * port_host.c - the port on the host (port.h): the target program runs
 * natively, and its calls are messages over its standard input (from the
 * host) and output (to it), framed as port.h describes.  bench/target/
 * proc.c is the other end: it joins the program to the same link as the
 * emulated Cortex-M4, so the bytes on the wire of the two builds of one
 * program can be compared (`run --target cortex-m4 --cross-check`).
 *
 * Nothing here is counted: no instructions, no stack, no heap (the
 * mailbox's heap fields stay 0).  The host port exists for the wire.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target.h"

volatile struct sb_port_mailbox sb_port_mailbox;

static uint8_t port_buf[SB_PORT_BUF_CAP];

/* The host went away or broke the framing: nothing left to serve. */
static void port_gone(void) __attribute__((noreturn));
static void port_gone(void)
{
	_exit(3);
}

static void port_write(const void *p, size_t len)
{
	const uint8_t *b = p;
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, b, len);
		if (n <= 0)
			port_gone();
		b += n;
		len -= (size_t)n;
	}
}

static void port_read(void *p, size_t len)
{
	uint8_t *b = p;
	while (len > 0) {
		ssize_t n = read(STDIN_FILENO, b, len);
		if (n <= 0)
			port_gone();
		b += n;
		len -= (size_t)n;
	}
}

static void port_msg(uint32_t call, uint32_t arg)
{
	struct sb_port_msg m = {.call = call, .arg = arg};
	port_write(&m, sizeof(m));
}

/* The mailbox is volatile: copy it field by field through a plain one. */
static void port_mailbox_out(void)
{
	struct sb_port_mailbox mb;
	memcpy(&mb, (const void *)&sb_port_mailbox, sizeof(mb));
	port_write(&mb, sizeof(mb));
}

static void port_mailbox_in(void)
{
	struct sb_port_mailbox mb;
	port_read(&mb, sizeof(mb));
	memcpy((void *)&sb_port_mailbox, &mb, sizeof(mb));
}

void sb_port_yield(void)
{
	int32_t result = sb_port_mailbox.result;
	uint32_t out = sb_port_mailbox.cmd == SB_PORT_CMD_READ && result > 0
	                   ? (uint32_t)result
	                   : 0;
	port_msg(SB_PORT_CALL_YIELD, out);
	port_mailbox_out();
	port_write(port_buf, out);
	port_mailbox_in();
	if (sb_port_mailbox.cmd == SB_PORT_CMD_WRITE) {
		if (sb_port_mailbox.len > sizeof(port_buf))
			port_gone();
		port_read(port_buf, sb_port_mailbox.len);
	}
}

int sb_port_send(const uint8_t *buf, size_t len)
{
	int32_t ret;
	port_msg(SB_PORT_CALL_SEND, (uint32_t)len);
	port_write(buf, len);
	port_read(&ret, sizeof(ret));
	return ret;
}

int sb_port_recv(uint8_t *buf, size_t cap)
{
	int32_t ret;
	port_msg(SB_PORT_CALL_RECV, (uint32_t)cap);
	port_read(&ret, sizeof(ret));
	if (ret > 0) {
		if ((size_t)ret > cap)
			port_gone();
		port_read(buf, (size_t)ret);
	}
	return ret;
}

uint64_t sb_port_now_us(void)
{
	uint64_t now;
	port_msg(SB_PORT_CALL_CLOCK, 0);
	port_read(&now, sizeof(now));
	return now;
}

void sb_port_random(uint8_t *buf, size_t len)
{
	port_msg(SB_PORT_CALL_RANDOM, (uint32_t)len);
	port_read(buf, len);
}

int main(void)
{
	sb_port_serve(port_buf, sizeof(port_buf));
}
