/*
 * proc.h - one target program running natively on the host, as a child
 * process: the other end of size/programs/port_host.c.
 *
 * The program is the same source as on the emulated Cortex-M4, built
 * for x86-64 with the same tailored library and configuration (size/
 * build.sh --build tailored --kind target).  Its port calls arrive over
 * a pipe (framing in port.h) and go to the same host callbacks as the
 * emulator's (`struct sb_emu_host`), so both builds meet the same link,
 * clock and seeded generator.  The host keeps its own copy of the
 * mailbox and the transfer buffer; a command sends them over, the yield
 * brings them back.  Nothing is counted here: this runner is for the
 * bytes on the wire.
 */
#ifndef SB_PROC_H
#define SB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backends/status.h"
#include "size/programs/port.h"
#include "target/emu.h"

/* How long one command may take before the program counts as hung. */
#define SB_PROC_TIMEOUT_MS 60000

struct sb_proc {
	pid_t pid;   /* 0: none */
	int to_fd;   /* the program's standard input */
	int from_fd; /* its standard output */
	struct sb_emu_host host;
	struct sb_port_mailbox mailbox;
	uint8_t buf[SB_PORT_BUF_CAP];
	uint8_t *io; /* one send, receive or random call's bytes */
};

/*
 * Start the program at `path` and wait for it to boot (its first yield).
 * Returns 0, or a negative status with the reason in `why`.  The process
 * must be freed either way.
 */
int sb_proc_setup(struct sb_proc *proc, const char *path,
                  const struct sb_emu_host *host, char *why,
                  size_t len) SB_MUST_USE;

/*
 * Hand the program the command in proc->mailbox (and, for a WRITE, the
 * buffer) and serve its port calls until it yields.  Returns 0, or a
 * negative status with the reason in `why` (the program died, broke the
 * framing or took longer than SB_PROC_TIMEOUT_MS).
 */
int sb_proc_run(struct sb_proc *proc, char *why, size_t len) SB_MUST_USE;

/* End the program and reap it; safe on a zeroed process, twice. */
void sb_proc_free(struct sb_proc *proc);

#endif
