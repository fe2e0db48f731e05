#include "target/device.h"

#include <stdio.h>
#include <string.h>

static const char *device_elf[2];
static enum sb_device_runner device_runner;
static enum sb_emu_counting device_counting;

void sb_device_programs(const char *client, const char *server,
                        enum sb_device_runner runner,
                        enum sb_emu_counting counting)
{
	device_elf[SB_ROLE_CLIENT] = client;
	device_elf[SB_ROLE_SERVER] = server;
	device_runner = runner;
	device_counting = counting;
}

struct sb_port_mailbox *sb_device_mailbox(struct sb_device *dev)
{
	if (dev->runner == SB_DEVICE_NATIVE)
		return dev->proc.pid ? &dev->proc.mailbox : NULL;
	return dev->emu.uc ? sb_emu_mailbox(&dev->emu) : NULL;
}

/* The program's transfer buffer, or NULL. */
static uint8_t *dev_buffer(struct sb_device *dev)
{
	if (dev->runner == SB_DEVICE_NATIVE)
		return dev->proc.pid ? dev->proc.buf : NULL;
	return sb_emu_buffer(&dev->emu);
}

/* Resume the program until it has carried out its mailbox's command. */
static int dev_resume(struct sb_device *dev)
{
	if (dev->runner == SB_DEVICE_NATIVE)
		return sb_proc_run(&dev->proc, dev->error, sizeof(dev->error));
	return sb_emu_run(&dev->emu, dev->error, sizeof(dev->error));
}

struct sb_device *sb_device_state(void *ep)
{
	return ep;
}

static int dev_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct sb_device *dev = ctx;
	return dev->cfg->io.send(dev->cfg->io.ctx, buf, len);
}

static int dev_recv(void *ctx, uint8_t *buf, size_t cap)
{
	struct sb_device *dev = ctx;
	return dev->cfg->io.recv(dev->cfg->io.ctx, buf, cap);
}

static uint64_t dev_now_us(void *ctx)
{
	struct sb_device *dev = ctx;
	return dev->cfg->clock.now_us(dev->cfg->clock.ctx);
}

static void dev_random(void *ctx, uint8_t *buf, size_t len)
{
	struct sb_device *dev = ctx;
	sb_rng_fill(&dev->rng, buf, len);
}

void sb_device_mark(struct sb_device *dev)
{
	struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	if (!mb)
		return;
	mb->heap_peak = mb->heap_in_use;
	mb->heap_allocs = 0;
	if (dev->runner == SB_DEVICE_EMULATED)
		sb_emu_stack_paint(&dev->emu);
}

/* Map a program's SB_PORT_* result to a status, keeping its reason. */
static int dev_status(struct sb_device *dev, int32_t result, int fail)
{
	const struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	switch (result) {
	case SB_PORT_WANT_IO:
		return SB_ERR_WANT_IO;
	case SB_PORT_ERR_IO:
		snprintf(dev->error, sizeof(dev->error), "the link refused");
		return SB_ERR_IO;
	case SB_PORT_ERR_CLOSED:
		snprintf(dev->error, sizeof(dev->error),
		         "the peer closed the connection");
		return SB_ERR_PEER_CLOSED;
	case SB_PORT_ERR_LIB:
		snprintf(dev->error, sizeof(dev->error), "%.31s: -0x%04X",
		         mb->where, (unsigned)-mb->lib_error);
		return fail;
	default:
		snprintf(dev->error, sizeof(dev->error),
		         "the program answered %d", (int)result);
		return SB_ERR_INVALID;
	}
}

/* Run one command; its result (>= 0) or a negative status. */
static int dev_command(struct sb_device *dev, uint32_t cmd, uint32_t len,
                       int fail)
{
	struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	mb->cmd = cmd;
	mb->len = len;
	int rc = dev_resume(dev);
	if (rc)
		return rc;
	return mb->result >= 0 ? mb->result : dev_status(dev, mb->result, fail);
}

static int dev_setup(void *state, const struct sb_endpoint_config *cfg)
{
	struct sb_device *dev = state;
	dev->cfg = cfg;
	dev->runner = device_runner;
	sb_rng_seed(&dev->rng, cfg->seed, (uint64_t)cfg->role);
	const char *path = device_elf[cfg->role];
	if (!path) {
		snprintf(dev->error, sizeof(dev->error), "no program");
		return SB_ERR_INVALID;
	}
	struct sb_emu_host host = {
	    .ctx = dev,
	    .send = dev_send,
	    .recv = dev_recv,
	    .now_us = dev_now_us,
	    .random = dev_random,
	};
	int rc = dev->runner == SB_DEVICE_NATIVE
	             ? sb_proc_setup(&dev->proc, path, &host, dev->error,
	                             sizeof(dev->error))
	             : sb_emu_setup(&dev->emu, path, &host, device_counting,
	                            dev->error, sizeof(dev->error));
	if (rc)
		return rc;
	/* Setup, the handshake and their stack and heap start here. */
	dev->boot = dev->emu.counts;
	sb_device_mark(dev);
	struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	mb->dtls = sb_protocol_is_dtls(cfg->protocol);
	mb->cookie = cfg->cookie;
	mb->mtu = (uint32_t)cfg->mtu;
	rc = dev_command(dev, SB_PORT_CMD_SETUP, 0, SB_ERR_INVALID);
	dev->setup = dev->emu.counts;
	return rc > 0 ? 0 : rc;
}

static int dev_step(void *state)
{
	struct sb_device *dev = state;
	if (dev->done)
		return 0;
	int rc = dev_command(dev, SB_PORT_CMD_STEP, 0, SB_ERR_HANDSHAKE);
	if (rc >= 0)
		dev->done = true;
	return rc > 0 ? 0 : rc;
}

static int dev_write(void *state, const uint8_t *buf, size_t len)
{
	struct sb_device *dev = state;
	uint8_t *dst = dev_buffer(dev);
	if (!dst || len > sb_device_mailbox(dev)->buf_cap) {
		snprintf(dev->error, sizeof(dev->error),
		         "%zu bytes do not fit the program's buffer", len);
		return SB_ERR_INVALID;
	}
	memcpy(dst, buf, len);
	int rc =
	    dev_command(dev, SB_PORT_CMD_WRITE, (uint32_t)len, SB_ERR_RECORD);
	return rc > 0 ? 0 : rc;
}

static int dev_read(void *state, uint8_t *buf, size_t cap)
{
	struct sb_device *dev = state;
	const uint8_t *src = dev_buffer(dev);
	if (!src)
		return SB_ERR_INVALID;
	uint32_t room = sb_device_mailbox(dev)->buf_cap;
	int n = dev_command(dev, SB_PORT_CMD_READ,
	                    (uint32_t)(cap < room ? cap : room), SB_ERR_RECORD);
	if (n > 0)
		memcpy(buf, src, (size_t)n);
	return n == 0 ? SB_ERR_WANT_IO : n;
}

SB_BACKEND_BATCH(dev)

static uint16_t dev_negotiated_suite(void *state)
{
	const struct sb_port_mailbox *mb = sb_device_mailbox(state);
	return mb ? (uint16_t)mb->suite : 0;
}

static bool dev_peer_authenticated(void *state)
{
	struct sb_device *dev = state;
	return dev->done && sb_device_mailbox(dev)->peer_authenticated;
}

static const char *dev_last_error(void *state)
{
	struct sb_device *dev = state;
	return dev->error[0] ? dev->error : "no error recorded";
}

static void dev_free(void *state)
{
	struct sb_device *dev = state;
	sb_emu_free(&dev->emu);
	sb_proc_free(&dev->proc);
}

static size_t dev_static_ram(const void *state)
{
	struct sb_device *dev = (struct sb_device *)(uintptr_t)state;
	const struct sb_port_mailbox *mb = sb_device_mailbox(dev);
	return mb ? mb->static_ram : 0;
}

static uint64_t dev_next_timeout_us(void *state)
{
	const struct sb_port_mailbox *mb = sb_device_mailbox(state);
	return mb ? (uint64_t)mb->timer_hi << 32 | mb->timer_lo : 0;
}

static size_t dev_max_payload(void *state)
{
	const struct sb_port_mailbox *mb = sb_device_mailbox(state);
	return mb ? mb->max_payload : 0;
}

static bool dev_supports_any(enum sb_protocol protocol,
                             const struct sb_suite *suite, enum sb_role role,
                             struct sb_reason *why)
{
	(void)role;
	return sb_suite_fits(protocol, suite, why);
}

static const char *dev_version(void)
{
	return "target program (size/programs), emulated Cortex-M4 or native";
}

#define DEVICE_BACKEND(lib)                                                    \
	{                                                                      \
		.name = lib, .version = dev_version, .caps = 0,                \
		.endpoint_size = sizeof(struct sb_device),                     \
		.supports = dev_supports_any, .endpoint_setup = dev_setup,     \
		.step = dev_step, .write = dev_write, .read = dev_read,        \
		.write_batch = dev_write_batch, .read_batch = dev_read_batch,  \
		.negotiated_suite = dev_negotiated_suite,                      \
		.peer_authenticated = dev_peer_authenticated,                  \
		.last_error = dev_last_error, .endpoint_free = dev_free,       \
		.static_ram = dev_static_ram,                                  \
		.next_timeout_us = dev_next_timeout_us,                        \
		.max_payload = dev_max_payload,                                \
	}

const struct sb_backend sb_device_mbedtls = DEVICE_BACKEND("mbedtls");
const struct sb_backend sb_device_bearssl = DEVICE_BACKEND("bearssl");
const struct sb_backend sb_device_wolfssl = DEVICE_BACKEND("wolfssl");
