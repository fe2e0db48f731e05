/*
 * device.h - a target program on an emulated Cortex-M4, as a backend.
 *
 * The program's commands map one to one onto `struct sb_backend`
 * (backend.h): setup, step, write and read each resume the program until
 * it yields, its port calls go to the endpoint's link and virtual clock,
 * and its random bytes come from sb_rng seeded with the endpoint's seed
 * (stream: the role), so runs repeat exactly.  The pair (run/pair.h)
 * drives it like any library, over the same link.
 *
 * Which program an endpoint runs, and where, is set per role with
 * sb_device_programs() before the pair is set up (the backend contract
 * carries no paths): on an emulated core (emu.h), or -- the same source
 * built for x86-64 -- natively as a child process (proc.h), for the
 * cross-check of the bytes on the wire.  Besides the contract, the device
 * keeps what the emulator counted and the program's stack and heap
 * high-water marks, read with sb_device_state().
 */
#ifndef SB_DEVICE_H
#define SB_DEVICE_H

#include "backends/backend.h"
#include "target/emu.h"
#include "target/proc.h"

/* Backends named as the libraries, for the rows' client/server columns. */
extern const struct sb_backend sb_device_mbedtls;
extern const struct sb_backend sb_device_bearssl;
extern const struct sb_backend sb_device_wolfssl;

/* Where a program runs. */
enum sb_device_runner {
	SB_DEVICE_EMULATED, /* on an emulated Cortex-M4: counted */
	SB_DEVICE_NATIVE,   /* natively, a child process: the wire only */
};

/* The programs endpoints set up from now on run: one executable per role
 * (enum sb_role), whose paths must outlive those endpoints. */
void sb_device_programs(const char *client, const char *server,
                        enum sb_device_runner runner,
                        enum sb_emu_counting counting);

struct sb_device {
	const struct sb_endpoint_config *cfg;
	enum sb_device_runner runner;
	struct sb_emu emu;   /* SB_DEVICE_EMULATED */
	struct sb_proc proc; /* SB_DEVICE_NATIVE */
	struct sb_rng rng;
	bool done;
	struct sb_thumb_counts boot;  /* when the program had booted */
	struct sb_thumb_counts setup; /* when it had set the endpoint up */
	char error[300];
};

/* The device behind a backend endpoint state created by these backends. */
struct sb_device *sb_device_state(void *ep);

/* The program's mailbox (emulated RAM, or the host's copy); NULL before
 * the program runs. */
struct sb_port_mailbox *sb_device_mailbox(struct sb_device *dev);

/* Heap and stack phases: from now on, peaks start at what is in use. */
void sb_device_mark(struct sb_device *dev);

#endif
