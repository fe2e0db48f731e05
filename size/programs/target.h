/*
 * target.h - what a target program (size/programs/<library>_target.c)
 * implements, and the port calls it may use (port.h describes the port).
 *
 * The same program source runs on the emulated Cortex-M4 (port_cm4.c,
 * calls are register accesses) and natively on x86-64 (port_host.c,
 * calls are messages over standard input and output), so the bytes on
 * the wire of the two can be compared.  Each side is its own program:
 * the server is compiled with -DSB_SIZE_SERVER, as the tailored library.
 */
#ifndef SB_TARGET_H
#define SB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "creds.h"
#include "port.h"

/* The name in the server's certificate (suites/make-credentials.sh). */
#define SB_SERVER_NAME "server.suitebench.test"

/* Certificates are checked against 2025-01-01 (days since year 0). */
#define SB_NOW_DAYS 739617u

/* The mailbox: the command's arguments in, results out. */
extern volatile struct sb_port_mailbox sb_port_mailbox;

/* Port calls: see enum sb_port_call. */
int sb_port_send(const uint8_t *buf, size_t len);
int sb_port_recv(uint8_t *buf, size_t cap);
uint64_t sb_port_now_us(void);
void sb_port_random(uint8_t *buf, size_t len);

/* Record a library failure: its code and the call, for the host. */
int sb_target_fail(const char *where, int code);

/* The program: each returns an SB_PORT_* result (READ: the length). */
int sb_target_setup(void);
int sb_target_step(void);
int sb_target_write(const uint8_t *buf, size_t len);
int sb_target_read(uint8_t *buf, size_t cap);

/* The command loop both ports run: never returns. */
void sb_port_serve(uint8_t *buf, size_t cap) __attribute__((noreturn));

/* The port's own: the yield between commands. */
void sb_port_yield(void);

#endif
