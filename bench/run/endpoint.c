#include "run/endpoint.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/heap_interpose.h"
#include "measure/layout.h"

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

/* One call with its meter: what runs on the painted stack in the RAM
 * pass, so that the stack switch stays outside the measured region. */
struct endpoint_call {
	struct sb_endpoint *ep;
	enum endpoint_op op;
	uint8_t *buf;
	size_t len;
	const struct sb_meter *meter;
	uint64_t *cycles, *instructions;
};

static int endpoint_metered(void *arg)
{
	struct endpoint_call *c = arg;
	if (!c->meter)
		return endpoint_op_call(c->ep, c->op, c->buf, c->len);
	uint64_t t0;
	sb_meter_begin(c->meter, &t0);
	int rc = endpoint_op_call(c->ep, c->op, c->buf, c->len);
	sb_meter_end(c->meter, t0, c->cycles, c->instructions);
	return rc;
}

/* A call charged to this endpoint's heap and, with a meter, measured
 * into `*cycles` and `*instructions`.  In a process that times, no hook
 * reports and nothing is charged (heap.h): the charge is skipped, and it
 * lies outside the measured region either way.  In a process that counts
 * the heap -- the RAM pass -- the call also runs on the painted stack
 * (stack.h), charged to this endpoint's stack tally, and for an
 * interposed backend the counting window is one counter, opened and
 * closed outside the measured region. */
static int endpoint_charged(struct sb_endpoint *ep, enum endpoint_op op,
                            uint8_t *buf, size_t len,
                            const struct sb_meter *meter, uint64_t *cycles,
                            uint64_t *instructions)
{
	bool counting = ep->heap_counted;
	if (!counting && !meter) /* a write or read of a timed batch */
		return endpoint_op_call(ep, op, buf, len);
	struct endpoint_call call = {.ep = ep,
	                             .op = op,
	                             .buf = buf,
	                             .len = len,
	                             .meter = meter,
	                             .cycles = cycles,
	                             .instructions = instructions};
	if (!counting)
		return sb_meter_call(meter, endpoint_metered, &call);
	bool window = ep->backend->caps & SB_CAP_HEAP_INTERPOSED;
	/* The stack of the phases whose rows are written: the handshake
	 * (its calls are the metered ones) and a phase the runner marks;
	 * not the record batches between them, which would only pay the
	 * scan. */
	bool stack = meter || ep->stack.armed;
	struct sb_heap_tally *outer = sb_heap_charge(&ep->heap);
	if (window)
		sb_heap_interpose_begin();
	int rc = stack ? sb_stack_run(&ep->stack, endpoint_metered, &call)
	               : endpoint_metered(&call);
	if (window)
		sb_heap_interpose_end();
	sb_heap_charge(outer);
	return rc;
}

/* ---- the link, off the painted stack ----------------------------------- */

/*
 * In the RAM pass the library's sends and receives reach the core through
 * these.  The core's link queues and copies (and may allocate) on the
 * library's behalf, but that work is the core's: it runs back on the
 * tool's own stack (sb_stack_outside), and with an interposed backend's
 * counting window closed.
 */
struct endpoint_io_call {
	const struct sb_io *io;
	const uint8_t *out; /* a send's bytes, or NULL for a receive */
	uint8_t *in;
	size_t len;
};

static int endpoint_io_run(void *arg)
{
	const struct endpoint_io_call *c = arg;
	unsigned windows = sb_heap_interpose_suspend();
	int rc = c->out ? c->io->send(c->io->ctx, c->out, c->len)
	                : c->io->recv(c->io->ctx, c->in, c->len);
	sb_heap_interpose_resume(windows);
	return rc;
}

static int endpoint_io_send(void *ctx, const uint8_t *buf, size_t len)
{
	const struct sb_endpoint *ep = ctx;
	struct endpoint_io_call c = {
	    .io = &ep->core_io, .out = buf, .len = len};
	return sb_stack_outside(endpoint_io_run, &c);
}

static int endpoint_io_recv(void *ctx, uint8_t *buf, size_t cap)
{
	const struct sb_endpoint *ep = ctx;
	struct endpoint_io_call c = {.io = &ep->core_io, .in = buf, .len = cap};
	return sb_stack_outside(endpoint_io_run, &c);
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
	if (ep->heap_counted && ep->cfg.io.send != endpoint_io_send) {
		ep->core_io = ep->cfg.io;
		ep->cfg.io = (struct sb_io){.ctx = ep,
		                            .send = endpoint_io_send,
		                            .recv = endpoint_io_recv};
	}
	ep->state = sb_layout_alloc(ep->backend->endpoint_size);
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

struct sb_endpoint_direct sb_endpoint_direct(const struct sb_endpoint *ep)
{
	const struct sb_backend *b = ep->backend;
	if (ep->heap_counted || !ep->state || !b->write_batch || !b->read_batch)
		return (struct sb_endpoint_direct){0};
	return (struct sb_endpoint_direct){.write_batch = b->write_batch,
	                                   .read_batch = b->read_batch,
	                                   .state = ep->state};
}

const char *sb_endpoint_library_error(const struct sb_endpoint *ep)
{
	return ep->state ? ep->backend->last_error(ep->state) : "no endpoint";
}

void sb_endpoint_free(struct sb_endpoint *ep)
{
	if (!ep->state)
		return;
	(void)endpoint_charged(ep, OP_FREE, NULL, 0, NULL, NULL, NULL);
	/* The libraries' heap, where sb_layout_alloc put it. */
	free(ep->state);
	ep->state = NULL;
}
