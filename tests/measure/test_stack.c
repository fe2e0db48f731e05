/*
 * test_stack.c - the painted stack, against functions whose stack use is
 * known by construction: a volatile array of N bytes, every byte written,
 * must measure N plus the function's own small frame.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "measure/stack.h"

/* A frame's own cost around its array: return address, saved registers,
 * alignment.  Generous for every compiler and sanitizer we build with. */
#define FRAME_SLACK 256

#define USE_STACK(n)                                                           \
	static __attribute__((noinline)) int use_##n(void *arg)                \
	{                                                                      \
		volatile unsigned char buf[n];                                 \
		for (size_t i = 0; i < sizeof(buf); i++)                       \
			buf[i] = (unsigned char)i;                             \
		return buf[(size_t)arg % sizeof(buf)];                         \
	}
USE_STACK(512)
USE_STACK(4096)
USE_STACK(16384)
USE_STACK(65536)

/* Only the deepest byte of the array written: the scan finds it all the
 * same, since it looks for the deepest byte touched, not for a run. */
static __attribute__((noinline)) int use_far_byte(void *arg)
{
	volatile unsigned char buf[32768];
	buf[0] = 1; /* the lowest address: arrays grow up, stacks down */
	buf[sizeof(buf) - 1] = 2;
	return buf[(size_t)arg % 2 ? 0 : sizeof(buf) - 1];
}

static int nothing(void *arg)
{
	return (int)(size_t)arg;
}

/* Sanitizer builds measure no stack (stack.c): the checks of the figures
 * are skipped there, the call itself still runs. */
#define REQUIRE_MEASURED()                                                     \
	do {                                                                   \
		if (!sb_stack_available())                                     \
			cr_skip_test("no stack measurement in this build");    \
	} while (0)

/* ---- safety ----------------------------------------------------------- */

Test(stack, the_call_runs_and_returns_its_result_in_every_build)
{
	struct sb_stack_tally t = {0};
	cr_assert_eq(sb_stack_run(&t, nothing, (void *)42), 42);
	cr_assert_eq(sb_stack_outside(nothing, (void *)9), 9);
}

Test(stack, a_call_that_does_nothing_measures_almost_nothing)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	cr_assert_eq(sb_stack_run(&t, nothing, (void *)7), 7);
	cr_assert_leq(t.peak, 64, "peak %zu", t.peak);
	cr_assert_eq(t.calls, 1);
}

static struct sb_stack_tally nested_inner;
static int nested(void *arg)
{
	/* Already on the private stack: runs in place, counts nothing. */
	return sb_stack_run(&nested_inner, use_4096, arg) + 1;
}

Test(stack, a_nested_call_runs_in_place_uncounted)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	(void)sb_stack_run(&t, nested, NULL);
	cr_assert_eq(nested_inner.calls, 0);
	cr_assert_geq(t.peak, 4096, "the outer call holds the inner frame");
}

/* ---- behaviour -------------------------------------------------------- */

/* By size, not by function pointer: Criterion hands parameters to a
 * worker process whose code may lie at other addresses. */
struct known_use {
	size_t bytes;
	bool far_byte_only;
};

static int (*known_fn(const struct known_use *c))(void *)
{
	if (c->far_byte_only)
		return use_far_byte;
	switch (c->bytes) {
	case 512:
		return use_512;
	case 4096:
		return use_4096;
	case 16384:
		return use_16384;
	default:
		return use_65536;
	}
}

ParameterizedTestParameters(stack, known_array_sizes)
{
	static struct known_use cases[] = {
	    {.bytes = 512},
	    {.bytes = 4096},
	    {.bytes = 16384},
	    {.bytes = 65536},
	    {.bytes = 32768, .far_byte_only = true},
	};
	return cr_make_param_array(struct known_use, cases,
	                           sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct known_use *c, stack, known_array_sizes)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	(void)sb_stack_run(&t, known_fn(c), NULL);
	cr_assert_geq(t.peak, c->bytes, "measured %zu for %zu bytes", t.peak,
	              c->bytes);
	cr_assert_leq(t.peak, c->bytes + FRAME_SLACK,
	              "measured %zu for %zu bytes", t.peak, c->bytes);
}

Test(stack, the_peak_is_the_deepest_call_and_mark_resets_it)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	(void)sb_stack_run(&t, use_16384, NULL);
	(void)sb_stack_run(&t, use_512, NULL);
	cr_assert_geq(t.peak, 16384);
	cr_assert_eq(t.calls, 2);
	sb_stack_mark(&t);
	cr_assert_eq(t.peak, 0);
	/* The stack was painted again after the deep call: a shallow call
	 * now measures shallow. */
	(void)sb_stack_run(&t, use_512, NULL);
	cr_assert_leq(t.peak, 512 + FRAME_SLACK, "peak %zu", t.peak);
}

Test(stack, mark_arms_a_phase_and_disarm_ends_it_keeping_the_figures)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	cr_assert_not(t.armed);
	sb_stack_mark(&t);
	cr_assert(t.armed);
	(void)sb_stack_run(&t, use_4096, NULL);
	sb_stack_disarm(&t);
	cr_assert_not(t.armed);
	cr_assert_geq(t.peak, 4096);
	cr_assert_eq(t.calls, 1);
}

/* ---- adversarial ------------------------------------------------------ */

static __attribute__((noinline)) int write_pattern_like(void *arg)
{
	/* Bytes that are every value in turn, the pattern's among them. */
	volatile unsigned char buf[8192];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 0x4d);
	return buf[(size_t)arg % sizeof(buf)];
}

Test(stack, bytes_equal_to_the_pattern_do_not_hide_the_depth)
{
	REQUIRE_MEASURED();
	struct sb_stack_tally t = {0};
	(void)sb_stack_run(&t, write_pattern_like, NULL);
	cr_assert_geq(t.peak, 8192 - 8, "peak %zu", t.peak);
	cr_assert_leq(t.peak, 8192 + FRAME_SLACK, "peak %zu", t.peak);
}
