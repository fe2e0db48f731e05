#include "run/endpoint.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/heap_interpose.h"

enum endpoint_op { OP_SETUP, OP_STEP, OP_READ, OP_WRITE, OP_FREE };

/* The backend call itself; nothing else may run between the meter's
 * begin and end. */
static int endpoint_op_call(struct sb_endpoint *ep, enum endpoint_op op,
                            uint8_t *buf, size_t len)
{
	switch (op) {
	case OP_SETUP:
		return ep->backend->endpoint_setup(ep->state, &ep->cfg);
	case OP_STEP:
		return ep->backend->step(ep->state);
	case OP_READ:
		return ep->backend->read(ep->state, buf, len);
	case OP_WRITE:
		return ep->backend->write(ep->state, buf, len);
	case OP_FREE:
		ep->backend->endpoint_free(ep->state);
		return 0;
	}
	return SB_ERR_INVALID;
}

/* A call charged to this endpoint's heap and, with a meter, measured
 * into `*cycles` and `*instructions`.  In a process that times, no hook
 * reports and nothing is charged (heap.h): the charge is skipped, and it
 * lies outside the measured region either way.  For an interposed backend
 * the counting window is one counter, opened and closed outside the
 * measured region, and only where the heap is counted. */
static int endpoint_charged(struct sb_endpoint *ep, enum endpoint_op op,
                            uint8_t *buf, size_t len,
                            const struct sb_meter *meter, uint64_t *cycles,
                            uint64_t *instructions)
{
	bool counting = ep->heap_counted;
	if (!counting && !meter) /* a write or read of a timed batch */
		return endpoint_op_call(ep, op, buf, len);
	bool window = counting && (ep->backend->caps & SB_CAP_HEAP_INTERPOSED);
	struct sb_heap_tally *outer =
	    counting ? sb_heap_charge(&ep->heap) : NULL;
	if (window)
		sb_heap_interpose_begin();
	int rc;
	if (meter) {
		uint64_t t0;
		sb_meter_begin(meter, &t0);
		rc = endpoint_op_call(ep, op, buf, len);
		sb_meter_end(meter, t0, cycles, instructions);
	} else {
		rc = endpoint_op_call(ep, op, buf, len);
	}
	if (window)
		sb_heap_interpose_end();
	if (counting)
		sb_heap_charge(outer);
	return rc;
}

/*
 * An interposed backend's I/O: the core's link queues and copies (and
 * may allocate) on the library's behalf, but that memory is the core's,
 * so the window is closed while it runs.
 */
static int endpoint_io_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct sb_endpoint *ep = ctx;
	unsigned windows = sb_heap_interpose_suspend();
	int rc = ep->core_io.send(ep->core_io.ctx, buf, len);
	sb_heap_interpose_resume(windows);
	return rc;
}

static int endpoint_io_recv(void *ctx, uint8_t *buf, size_t cap)
{
	struct sb_endpoint *ep = ctx;
	unsigned windows = sb_heap_interpose_suspend();
	int n = ep->core_io.recv(ep->core_io.ctx, buf, cap);
	sb_heap_interpose_resume(windows);
	return n;
}

static int endpoint_failed(const struct sb_endpoint *ep, int rc,
                           const char *what, char *error, size_t len)
{
	snprintf(error, len, "%s %s %s: %s: %s", ep->backend->name,
	         sb_role_name(ep->cfg.role), what, sb_strerror(rc),
	         sb_endpoint_library_error(ep));
	return rc;
}

int sb_endpoint_setup(struct sb_endpoint *ep, const struct sb_meter *meter,
                      char *error, size_t len)
{
	ep->heap_counted = sb_heap_hooks_on();
	if (ep->heap_counted && (ep->backend->caps & SB_CAP_HEAP_INTERPOSED) &&
	    ep->cfg.io.send != endpoint_io_send) {
		ep->core_io = ep->cfg.io;
		ep->cfg.io =
		    (struct sb_io){ep, endpoint_io_send, endpoint_io_recv};
	}
	ep->state = calloc(1, ep->backend->endpoint_size);
	if (!ep->state) {
		snprintf(error, len, "%s: out of memory",
		         sb_role_name(ep->cfg.role));
		return SB_ERR_NOMEM;
	}
	int rc = endpoint_charged(ep, OP_SETUP, NULL, 0, meter,
	                          &ep->setup_cycles, &ep->setup_instructions);
	return rc ? endpoint_failed(ep, rc, "setup", error, len) : 0;
}

int sb_endpoint_step(struct sb_endpoint *ep, const struct sb_meter *meter,
                     char *error, size_t len)
{
	int rc =
	    endpoint_charged(ep, OP_STEP, NULL, 0, meter, &ep->handshake_cycles,
	                     &ep->handshake_instructions);
	if (rc == 0)
		ep->done = true;
	else if (rc != SB_ERR_WANT_IO)
		endpoint_failed(ep, rc, "handshake", error, len);
	return rc;
}

int sb_endpoint_read_handshake(struct sb_endpoint *ep,
                               const struct sb_meter *meter, uint8_t *buf,
                               size_t cap)
{
	return endpoint_charged(ep, OP_READ, buf, cap, meter,
	                        &ep->handshake_cycles,
	                        &ep->handshake_instructions);
}

int sb_endpoint_write(struct sb_endpoint *ep, const uint8_t *buf, size_t len)
{
	/* The backend's write takes a const buffer; the dispatcher does not
	 * write through it. */
	return endpoint_charged(ep, OP_WRITE, (uint8_t *)(uintptr_t)buf, len,
	                        NULL, NULL, NULL);
}

int sb_endpoint_read(struct sb_endpoint *ep, uint8_t *buf, size_t cap)
{
	return endpoint_charged(ep, OP_READ, buf, cap, NULL, NULL, NULL);
}

const char *sb_endpoint_library_error(const struct sb_endpoint *ep)
{
	return ep->state ? ep->backend->last_error(ep->state) : "no endpoint";
}

void sb_endpoint_free(struct sb_endpoint *ep)
{
	if (ep->state)
		(void)endpoint_charged(ep, OP_FREE, NULL, 0, NULL, NULL, NULL);
	free(ep->state);
	ep->state = NULL;
}
