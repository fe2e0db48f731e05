/*
 * test_endpoint.c - the one place a backend call is charged: a fake
 * backend without an allocator hook (SB_CAP_HEAP_INTERPOSED) has what it
 * mallocs in its calls counted, the core's allocations behind its I/O
 * callbacks not; a backend without the bit opens no window.  Sizes are
 * known by construction; malloc_usable_size() may round a block up by
 * less than 32 bytes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "backends/heap_interpose.h"
#include "run/endpoint.h"

#define LIB_BLOCK 1000  /* what the fake library keeps per endpoint */
#define CORE_BLOCK 5000 /* what the fake core allocates per send */

struct fake_endpoint {
	const struct sb_endpoint_config *cfg;
	void *kept;
};

static void *core_blocks[8];
static size_t core_count;

/* The core's side of the I/O: it allocates, as the link does. */
static int core_send(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	if (core_count < 8)
		core_blocks[core_count++] = malloc(CORE_BLOCK);
	return 0;
}

static int core_recv(void *ctx, uint8_t *buf, size_t cap)
{
	(void)ctx;
	(void)buf;
	(void)cap;
	return SB_ERR_WANT_IO;
}

static void core_blocks_free(void)
{
	while (core_count > 0)
		free(core_blocks[--core_count]);
}

static bool fake_supports(enum sb_protocol protocol,
                          const struct sb_suite *suite, enum sb_role role,
                          struct sb_reason *why)
{
	(void)protocol;
	(void)suite;
	(void)role;
	(void)why;
	return true;
}

static int fake_setup(void *state, const struct sb_endpoint_config *cfg)
{
	struct fake_endpoint *ep = state;
	ep->cfg = cfg;
	return 0;
}

/* One step: the library allocates and keeps a block, then sends. */
static int fake_step(void *state)
{
	struct fake_endpoint *ep = state;
	ep->kept = malloc(LIB_BLOCK);
	cr_assert_not_null(ep->kept);
	return ep->cfg->io.send(ep->cfg->io.ctx, (const uint8_t *)"x", 1);
}

static int fake_write(void *state, const uint8_t *buf, size_t len)
{
	(void)state;
	(void)buf;
	(void)len;
	return 0;
}

static int fake_read(void *state, uint8_t *buf, size_t cap)
{
	struct fake_endpoint *ep = state;
	return ep->cfg->io.recv(ep->cfg->io.ctx, buf, cap);
}

static uint16_t fake_negotiated(void *state)
{
	(void)state;
	return 0;
}

static bool fake_authenticated(void *state)
{
	(void)state;
	return false;
}

static const char *fake_error(void *state)
{
	(void)state;
	return "fake";
}

static void fake_free(void *state)
{
	struct fake_endpoint *ep = state;
	free(ep->kept);
	ep->kept = NULL;
}

#define FAKE_BACKEND(caps_)                                                    \
	{                                                                      \
		.name = "fake", .caps = (caps_),                               \
		.endpoint_size = sizeof(struct fake_endpoint),                 \
		.supports = fake_supports, .endpoint_setup = fake_setup,       \
		.step = fake_step, .write = fake_write, .read = fake_read,     \
		.negotiated_suite = fake_negotiated,                           \
		.peer_authenticated = fake_authenticated,                      \
		.last_error = fake_error, .endpoint_free = fake_free,          \
	}

static const struct sb_backend interposed =
    FAKE_BACKEND(SB_CAP_HEAP_COUNTED | SB_CAP_HEAP_INTERPOSED);
static const struct sb_backend hooked = FAKE_BACKEND(SB_CAP_HEAP_COUNTED);

static void fake_endpoint_setup(struct sb_endpoint *ep,
                                const struct sb_backend *backend)
{
	char error[128];
	*ep = (struct sb_endpoint){.backend = backend};
	ep->cfg.io = (struct sb_io){NULL, core_send, core_recv};
	cr_assert_eq(sb_endpoint_setup(ep, NULL, error, sizeof(error)), 0, "%s",
	             error);
}

/* ---- safety ----------------------------------------------------------- */

Test(endpoint, free_is_safe_twice)
{
	struct sb_endpoint ep;
	fake_endpoint_setup(&ep, &interposed);
	sb_endpoint_free(&ep);
	sb_endpoint_free(&ep);
	cr_assert_null(ep.state);
}

/* ---- behaviour -------------------------------------------------------- */

Test(endpoint, interposed_backend_is_charged_its_own_blocks_only)
{
	if (!sb_heap_interposed())
		cr_skip_test("no malloc interposition in this build");
	struct sb_endpoint ep;
	fake_endpoint_setup(&ep, &interposed);
	char error[128];
	cr_assert_eq(sb_endpoint_step(&ep, NULL, error, sizeof(error)), 0);
	cr_assert_eq(core_count, 1, "the step did not reach the core's I/O");
	cr_expect_eq(ep.heap.allocs, 1, "%llu allocations charged",
	             (unsigned long long)ep.heap.allocs);
	cr_expect_geq(ep.heap.peak, LIB_BLOCK);
	cr_expect_lt(ep.heap.peak, LIB_BLOCK + 32,
	             "the core's %d-byte block was charged: peak %lld",
	             CORE_BLOCK, (long long)ep.heap.peak);
	sb_endpoint_free(&ep);
	cr_expect_eq(ep.heap.in_use, 0, "%lld bytes held after free",
	             (long long)ep.heap.in_use);
	core_blocks_free();
	/* Outside the endpoint's calls, nothing counts. */
	void *p = malloc(64);
	free(p);
	cr_expect_eq(ep.heap.allocs, 1);
}

Test(endpoint, hooked_backend_opens_no_window)
{
	struct sb_endpoint ep;
	fake_endpoint_setup(&ep, &hooked);
	char error[128];
	cr_assert_eq(sb_endpoint_step(&ep, NULL, error, sizeof(error)), 0);
	cr_expect_eq(ep.heap.allocs, 0,
	             "a backend with its own hook was charged malloc's blocks");
	sb_endpoint_free(&ep);
	core_blocks_free();
}
