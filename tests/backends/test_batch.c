/*
 * test_batch.c - SB_BACKEND_BATCH (backends/backend.h): the batch calls
 * a timed record loop makes stop where the library failed, return its
 * status, and place each read where they are told; against a fake write
 * and read that fail on command.  The real libraries' batch calls are
 * checked by every backend's test (check_batch_round_trip).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "backends/backend.h"

struct fake {
	size_t calls;   /* calls so far */
	size_t fail_at; /* the call (1-based) that fails; 0: none */
	int status;     /* what it returns then */
	uint8_t *last_buf;
	size_t last_len;
};

static int fake_write(void *state, const uint8_t *buf, size_t len)
{
	struct fake *f = state;
	f->calls++;
	f->last_buf = (uint8_t *)buf;
	f->last_len = len;
	return f->calls == f->fail_at ? f->status : 0;
}

/* Reads `cap` bytes of the call's number; on the failing call, `status`. */
static int fake_read(void *state, uint8_t *buf, size_t cap)
{
	struct fake *f = state;
	f->calls++;
	if (f->calls == f->fail_at)
		return f->status;
	memset(buf, (int)f->calls, cap);
	return (int)cap;
}

SB_BACKEND_BATCH(fake)

Test(batch, writes_all_and_returns_zero)
{
	struct fake f = {0};
	const uint8_t data[16] = {1};
	cr_assert_eq(fake_write_batch(&f, data, sizeof(data), 32), 0);
	cr_assert_eq(f.calls, 32);
	cr_assert_eq(f.last_buf, data);
	cr_assert_eq(f.last_len, sizeof(data));
}

Test(batch, write_stops_at_the_first_failure_with_its_status)
{
	struct fake f = {.fail_at = 5, .status = SB_ERR_RECORD};
	const uint8_t data[4] = {0};
	cr_assert_eq(fake_write_batch(&f, data, sizeof(data), 32),
	             SB_ERR_RECORD);
	cr_assert_eq(f.calls, 5, "no write after the failed one");
}

Test(batch, zero_count_calls_nothing)
{
	struct fake f = {0};
	uint8_t buf[8] = {0};
	cr_assert_eq(fake_write_batch(&f, buf, sizeof(buf), 0), 0);
	cr_assert_eq(fake_read_batch(&f, buf, sizeof(buf), 0, 0, 8), 8);
	cr_assert_eq(f.calls, 0);
}

Test(batch, reads_into_slots_step_apart)
{
	struct fake f = {0};
	uint8_t buf[4 * 10];
	memset(buf, 0xee, sizeof(buf));
	cr_assert_eq(fake_read_batch(&f, buf, 6, 10, 4, 6), 6);
	cr_assert_eq(f.calls, 4);
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 6; j++)
			cr_assert_eq(buf[i * 10 + j], i + 1, "slot %zu", i);
		for (size_t j = 6; j < 10; j++)
			cr_assert_eq(buf[i * 10 + j], 0xee,
			             "slot %zu written past its capacity", i);
	}
}

Test(batch, read_stops_at_the_first_unexpected_length)
{
	struct fake f = {.fail_at = 3, .status = SB_ERR_WANT_IO};
	uint8_t buf[64] = {0};
	cr_assert_eq(fake_read_batch(&f, buf, 8, 0, 32, 8), SB_ERR_WANT_IO);
	cr_assert_eq(f.calls, 3, "no read after the one that came up short");
	/* A read of another length than asked ends the batch too. */
	struct fake g = {0};
	cr_assert_eq(fake_read_batch(&g, buf, 8, 0, 32, 5), 8);
	cr_assert_eq(g.calls, 1);
}
