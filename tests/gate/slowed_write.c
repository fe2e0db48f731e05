/*
 * slowed_write.c - a known regression, for demonstrating the gate only.
 *
 * Linked into the test build `suitebench-slowed` with
 * -Wl,--wrap=SSL_write: every OpenSSL record write first does a fixed
 * amount of extra work, then calls the real SSL_write.  The production
 * binary and backends/openssl.c know nothing of it.  The amount is
 * SB_SLOWED_ITERATIONS loop iterations (default 200) read once, so
 * scripts/gate-proof can inject a +1 % instruction count or a 10 %
 * slowdown with the same binary.
 */
#include <stdlib.h>

int __real_SSL_write(void *ssl, const void *buf, int num);
int __wrap_SSL_write(void *ssl, const void *buf, int num);

static unsigned long slowed_iterations(void)
{
	static long cached = -1;
	if (cached < 0) {
		const char *text = getenv("SB_SLOWED_ITERATIONS");
		cached = text ? strtol(text, NULL, 10) : 200;
		if (cached < 0)
			cached = 0;
	}
	return (unsigned long)cached;
}

int __wrap_SSL_write(void *ssl, const void *buf, int num)
{
	volatile unsigned long sink = 0;
	for (unsigned long i = slowed_iterations(); i > 0; i--)
		sink += i;
	return __real_SSL_write(ssl, buf, num);
}
