/*
 * platform.h - what a size program needs from the machine it runs on.
 *
 * Each program links exactly one implementation: platform_posix.c on
 * x86-64 (it runs, as one process of a client/server pair talking over
 * its standard input and output), platform_baremetal.c on the Cortex-M4
 * (it links but never runs: these are the stubs a board support package
 * would fill in).  Neither is library code, so neither is counted.
 */
#ifndef SB_SIZE_PLATFORM_H
#define SB_SIZE_PLATFORM_H

#include <stddef.h>

/*
 * Send `len` bytes to the peer; returns how many were sent, or -1.
 * DTLS programs (built with -DSB_DTLS): one call sends one datagram.
 */
int sb_plat_send(const unsigned char *buf, size_t len);

/*
 * Receive up to `len` bytes; returns how many (> 0), 0 at the end of the
 * stream, or -1.  DTLS programs: one whole datagram (-1 if it is longer
 * than `len`).
 */
int sb_plat_recv(unsigned char *buf, size_t len);

/* A millisecond clock, for DTLS retransmission timers. */
unsigned long sb_plat_ms(void);

/* Fill `buf` with `len` bytes of seed material for the library's DRBG. */
void sb_plat_entropy(unsigned char *buf, size_t len);

/* Report that step `what` failed with the library's code, and stop. */
void sb_plat_fail(const char *what, long code) __attribute__((noreturn));

#endif
