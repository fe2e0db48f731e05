/*
 * test_results.c - numbers written whole (sb_results_format_number).
 *
 * The expected strings are written by hand from the decimal value; the
 * round trip is checked with the C library's strtod, not with our own
 * code.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/results.h"

/* ---- safety ------------------------------------------------------------ */

Test(results_number, zero_length_buffer_is_left_alone)
{
	char buf[4] = "xyz";
	sb_results_format_number(1.5, buf, 0);
	cr_assert_str_eq(buf, "xyz");
}

Test(results_number, short_buffer_is_terminated)
{
	char buf[4];
	sb_results_format_number(1006220.5, buf, sizeof(buf));
	cr_assert_eq(strlen(buf), 3);
}

Test(results_number, not_finite)
{
	char buf[16];
	sb_results_format_number(NAN, buf, sizeof(buf));
	cr_assert_str_eq(buf, "nan");
	sb_results_format_number(INFINITY, buf, sizeof(buf));
	cr_assert_str_eq(buf, "inf");
	sb_results_format_number(-INFINITY, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-inf");
}

/* ---- behaviour --------------------------------------------------------- */

struct number_case {
	double value;
	char text[32]; /* inline: Criterion re-executes the binary */
};

static struct number_case number_cases[] = {
    {.value = 0, .text = "0"},
    {.value = 540, .text = "540"},
    {.value = -3, .text = "-3"},
    /* %.6g wrote this one as 1.00622e+06 */
    {.value = 1006220, .text = "1006220"},
    {.value = 1006220.5, .text = "1006220.5"},
    {.value = 538.0625, .text = "538.0625"},
    {.value = 0.1, .text = "0.1"},
    {.value = 0.000125, .text = "0.000125"},
    {.value = -0.5, .text = "-0.5"},
    {.value = 1.0 / 3, .text = "0.3333333333333333"},
    {.value = 2.0 / 3, .text = "0.6666666666666666"},
    {.value = 123456789.125, .text = "123456789.125"},
    {.value = 999999999999999.0, .text = "999999999999999"},
    {.value = 99999999999999.5, .text = "99999999999999.5"},
    {.value = 1e-7, .text = "0.0000001"},
};

ParameterizedTestParameters(results_number, written_whole)
{
	return cr_make_param_array(struct number_case, number_cases,
	                           sizeof(number_cases) /
	                               sizeof(number_cases[0]));
}

ParameterizedTest(struct number_case *c, results_number, written_whole)
{
	char buf[64];
	sb_results_format_number(c->value, buf, sizeof(buf));
	cr_assert_str_eq(buf, c->text, "%.17g: got %s, expected %s", c->value,
	                 buf, c->text);
}

/* Many values of every magnitude below 10^15: each reads back exactly,
 * has no exponent, and no shorter form would read back too. */
Test(results_number, shortest_round_trip_without_exponent)
{
	unsigned seed = 20240514;
	srand(seed);
	for (int i = 0; i < 20000; i++) {
		double mag = pow(10, (rand() % 30) - 15);
		double v =
		    mag * ((double)rand() / RAND_MAX) * (rand() % 2 ? 1 : -1);
		if (fabs(v) >= 1e15)
			continue;
		char buf[64];
		sb_results_format_number(v, buf, sizeof(buf));
		cr_assert_eq(strtod(buf, NULL), v, "seed %u: %.17g wrote %s",
		             seed, v, buf);
		cr_assert_null(strpbrk(buf, "eE"), "seed %u: %.17g wrote %s",
		               seed, v, buf);
		/* Shortest: one significant digit fewer must not read back.
		 */
		char shorter[40];
		int digits = 0;
		for (const char *p = buf; *p; p++)
			digits += *p >= '0' && *p <= '9';
		if (v != 0 && v != floor(v) && digits > 1) {
			/* count only significant digits: drop leading zeros */
			const char *p = buf + (buf[0] == '-');
			while (*p == '0' || *p == '.')
				p++;
			int sig = 0;
			for (; *p; p++)
				sig += *p >= '0' && *p <= '9';
			if (sig > 1) {
				snprintf(shorter, sizeof(shorter), "%.*e",
				         sig - 2, v);
				cr_assert_neq(strtod(shorter, NULL), v,
				              "seed %u: %s is shorter than %s",
				              seed, shorter, buf);
			}
		}
	}
}

Test(results_number, large_values_keep_their_digits)
{
	char buf[64];
	sb_results_format_number(1e15, buf, sizeof(buf));
	cr_assert_eq(strtod(buf, NULL), 1e15);
	sb_results_format_number(DBL_MAX, buf, sizeof(buf));
	cr_assert_eq(strtod(buf, NULL), DBL_MAX);
}
