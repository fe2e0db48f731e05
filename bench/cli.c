#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SB_VERSION
#define SB_VERSION "unknown"
#endif

const char *sb_cli_version(void)
{
	return SB_VERSION;
}

void sb_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("suitebench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int sb_cli_number(const char *option, const char *text, unsigned long min,
                  unsigned long max, unsigned long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || errno || !end || *end ||
	    v < min || v > max) {
		sb_cli_error("%s: '%s' is not a number from %lu to %lu", option,
		             text, min, max);
		return SB_ERR_USAGE;
	}
	*out = v;
	return 0;
}

int sb_cli_split(char *text, char **items, size_t cap)
{
	size_t count = 0;
	char *save = NULL;
	if (text[0] == ',' || text[0] == '\0' || strstr(text, ",,") ||
	    text[strlen(text) - 1] == ',')
		return -1;
	for (char *tok = strtok_r(text, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (count == cap)
			return -1;
		items[count++] = tok;
	}
	return (int)count;
}
