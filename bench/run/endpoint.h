/*
 * endpoint.h - one library endpoint, and what its calls cost.
 *
 * Every call the core makes into a backend for an endpoint goes through
 * here, so that heap charging and measurement happen in one place for
 * `run` (two endpoints joined by the in-memory link, pair.h) and for
 * `client` (one endpoint over UDP) alike: setup and handshake steps are
 * measured regions (meter.h) charged to this endpoint's heap counter;
 * application writes and reads are charged but not timed, because the
 * runner times whole batches of them.  A backend with no allocator hook
 * (SB_CAP_HEAP_INTERPOSED) is charged through the malloc interposition:
 * its window is open around each charged call, outside the measured
 * region, and closed while the library calls back into the core's I/O.
 * In the RAM pass (the process that counts the heap) every call also
 * runs on the tool's painted stack, so that its stack use is measured
 * exactly (stack.h), and the core's I/O runs back on the tool's own; the
 * timing pass never switches stacks.
 */
#ifndef SB_ENDPOINT_H
#define SB_ENDPOINT_H

#include "backends/backend.h"
#include "measure/heap.h"
#include "measure/meter.h"
#include "measure/stack.h"

struct sb_endpoint {
	const struct sb_backend *backend;
	void *state;
	struct sb_endpoint_config cfg;
	uint64_t setup_cycles;
	uint64_t handshake_cycles;
	uint64_t setup_instructions; /* when the meter counts them */
	uint64_t handshake_instructions;
	struct sb_heap_tally heap; /* the library's heap, this endpoint's */
	bool heap_counted;         /* this process counts the heap (heap.h) */
	bool done;                 /* the handshake finished */
	/* the deepest stack its calls used (RAM pass only, stack.h) */
	struct sb_stack_tally stack;
	/* RAM pass: the caller's I/O, which cfg.io reaches off the painted
	 * stack and with an interposition window closed; the endpoint must
	 * not move once set up */
	struct sb_io core_io;
};

/*
 * Allocate the backend's state and set it up for `ep->cfg` (filled in by
 * the caller, with `ep->backend`), measuring the call.  Returns 0, or a
 * negative status with the backend's reason in `error`.  The endpoint
 * must be freed either way.
 */
int sb_endpoint_setup(struct sb_endpoint *ep, const struct sb_meter *meter,
                      char *error, size_t len) SB_MUST_USE;

/*
 * One measured handshake step: 0 once the handshake is done (and
 * `ep->done` set), SB_ERR_WANT_IO while it waits for the peer, another
 * negative status with the backend's reason in `error` when it failed.
 */
int sb_endpoint_step(struct sb_endpoint *ep, const struct sb_meter *meter,
                     char *error, size_t len) SB_MUST_USE;

/*
 * A measured read by a finished endpoint while its peer is not done:
 * handshake traffic (a retransmitted flight), charged to the handshake.
 * Returns what the backend's read returns.
 */
int sb_endpoint_read_handshake(struct sb_endpoint *ep,
                               const struct sb_meter *meter, uint8_t *buf,
                               size_t cap) SB_MUST_USE;

/* Write one application record, charged to this endpoint's heap. */
int sb_endpoint_write(struct sb_endpoint *ep, const uint8_t *buf,
                      size_t len) SB_MUST_USE;

/* Read one application record, charged to this endpoint's heap. */
int sb_endpoint_read(struct sb_endpoint *ep, uint8_t *buf,
                     size_t cap) SB_MUST_USE;

/*
 * The backend's own batch calls with its state (backend.h), for a timed
 * record loop to call with nothing between it and the library: in a
 * process that counts nothing (heap.h) sb_endpoint_write and
 * sb_endpoint_read only dispatch, and the dispatch would be timed with the
 * library.  Both NULL when this endpoint's calls are charged (the RAM
 * pass) or its backend has no batch calls: then the loop goes through
 * sb_endpoint_write and read, one call at a time.
 */
struct sb_endpoint_direct {
	int (*write_batch)(void *state, const uint8_t *buf, size_t len,
	                   size_t count);
	int (*read_batch)(void *state, uint8_t *buf, size_t cap, size_t step,
	                  size_t count, int want);
	void *state;
};

struct sb_endpoint_direct sb_endpoint_direct(const struct sb_endpoint *ep);

/* The backend's text for its last failure ("no endpoint" before setup). */
const char *sb_endpoint_library_error(const struct sb_endpoint *ep);

/* Free the backend's state; safe on a zeroed endpoint, and twice. */
void sb_endpoint_free(struct sb_endpoint *ep);

#endif
