/*
 * platform_baremetal.c - the size programs on a Cortex-M4: the stubs a
 * board support package would replace with its UART (or radio) driver
 * and its hardware random-number generator.  The program is linked to be
 * measured, never run, so the stubs only have to keep the link honest:
 * every library path the program calls stays reachable.  A DTLS program
 * sends and receives one datagram per call, as a radio driver would.
 */
#include "platform.h"

/* Stand-ins for memory-mapped peripherals, so nothing is optimised away. */
static volatile unsigned char uart_data;
static volatile unsigned long trng_data;
static volatile unsigned long systick_ms;

int sb_plat_send(const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_data = buf[i];
	return (int)len;
}

int sb_plat_recv(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = uart_data;
	return (int)len;
}

unsigned long sb_plat_ms(void)
{
	return systick_ms;
}

void sb_plat_entropy(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)trng_data;
}

void sb_plat_fail(const char *what, long code)
{
	(void)what;
	(void)code;
	for (;;)
		;
}
