#include "output/provenance.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backends/backend.h"
#include "measure/callgrind.h"

/* Written at build time by cmake/version.cmake. */
extern const char sb_build_version[];

const char *sb_provenance_version(void)
{
	return sb_build_version;
}

#ifndef SB_COMPILER
#define SB_COMPILER "unknown"
#endif
#ifndef SB_BUILD_TYPE
#define SB_BUILD_TYPE "unknown"
#endif

int sb_provenance_path(const char *csv_path, char *out, size_t len)
{
	size_t n = strlen(csv_path);
	size_t stem =
	    n >= 4 && strcmp(csv_path + n - 4, ".csv") == 0 ? n - 4 : n;
	int w = snprintf(out, len, "%.*s.provenance.txt", (int)stem, csv_path);
	return w < 0 || (size_t)w >= len ? SB_ERR_INVALID : 0;
}

void sb_provenance_line(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(f, "%s: ", key);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	va_end(ap);
}

/* The value of the first /proc/cpuinfo line starting with `key`. */
static bool cpuinfo_value(const char *key, char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, key, strlen(key)) != 0 || !colon)
			continue;
		snprintf(out, len, "%s", colon + 2);
		out[strcspn(out, "\n")] = '\0';
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

static bool has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = strstr(flags, flag); p; p = strstr(p + 1, flag))
		if ((p == flags || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void write_cpu(FILE *f, const struct sb_cycles_info *cycles)
{
	char model[256] = "unknown", flags[4096] = "";
	cpuinfo_value("model name", model, sizeof(model));
	cpuinfo_value("flags", flags, sizeof(flags));
	bool invariant =
	    has_flag(flags, "constant_tsc") && has_flag(flags, "nonstop_tsc");
	sb_provenance_line(f, "cpu", "%s (%ld online)", model,
	                   sysconf(_SC_NPROCESSORS_ONLN));
	char features[256];
	sb_callgrind_cpu_features(features, sizeof(features));
	sb_provenance_line(f, "cpu_model", "%s", model);
	sb_provenance_line(f, "cpu_features", "%s", features);
	sb_provenance_line(
	    f, "cycle_source", "%s, %s; unit: TSC cycles", cycles->source,
	    invariant ? "invariant TSC (constant_tsc nonstop_tsc)"
	              : "TSC NOT flagged invariant: cycles may "
	                "not be a constant unit of time");
	sb_provenance_line(f, "cycle_frequency_hz", "%.0f", cycles->hz);
	sb_provenance_line(f, "cycle_overhead",
	                   "%llu cycles per timed region, subtracted",
	                   (unsigned long long)cycles->overhead);
	sb_provenance_line(f, "hardware_counters",
	                   "not used (cycles come from the TSC)");
}

void sb_provenance_write_common(FILE *f, int argc, char **argv,
                                const struct sb_cycles_info *cycles)
{
	sb_provenance_line(f, "tool", "suitebench %s", sb_provenance_version());
	fputs("command:", f);
	for (int i = 0; i < argc; i++)
		fprintf(f, " %s", argv[i]);
	fputc('\n', f);
	char date[32];
	time_t now = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	sb_provenance_line(f, "date", "%s", date);
	struct utsname u;
	if (uname(&u) == 0)
		sb_provenance_line(f, "system", "%s %s %s", u.sysname,
		                   u.release, u.machine);
	write_cpu(f, cycles);
	sb_provenance_line(f, "compiler", "%s", SB_COMPILER);
	sb_provenance_line(f, "build_type", "%s", SB_BUILD_TYPE);
	for (size_t i = 0; sb_backends[i]; i++) {
		char key[48];
		snprintf(key, sizeof(key), "library_%s", sb_backends[i]->name);
		sb_provenance_line(f, key, "%s", sb_backends[i]->version());
	}
}

bool sb_provenance_is_fingerprint(const char *key)
{
	static const char *const keys[] = {"cpu_model", "cpu_features",
	                                   "compiler", "build_type", "options"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return strncmp(key, "library_", 8) == 0;
}
