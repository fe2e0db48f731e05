/*
 * trace.h - the handshake as a ladder, for `run --trace`.
 *
 * One line per datagram (TLS: per send): flight, direction, size, and the
 * records in it -- content type, epoch and sequence number, length -- with
 * the handshake messages of every record still in the clear.
 */
#ifndef SB_TRACE_H
#define SB_TRACE_H

#include <stdio.h>

#include "wire/wire.h"

/* Print the captured packets of `wire` as a ladder under `title`. */
void sb_trace_print(FILE *f, const char *title, const struct sb_wire *wire);

#endif
