/*
 * cmd_size.c - `suitebench size`: what each suite costs in code size, per
 * library and build, from the linker maps of minimal client and server
 * programs that size/build.sh builds (see size/README.md).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "measure/cycles.h"
#include "output/csv.h"
#include "output/outfile.h"
#include "output/provenance.h"
#include "size/mapfile.h"
#include "size/sizebuild.h"

#ifndef SB_SIZE_DIR
#define SB_SIZE_DIR "size"
#endif
#ifndef SB_SIZE_WORK
#define SB_SIZE_WORK "build/size"
#endif

#define MAX_SUITES 64
#define MAX_ARCHIVES 8
#define PAIR_TIMEOUT_S 60
#define DETAIL_OBJECTS 15
#define DETAIL_SECTIONS 25

static const char *const metrics[SB_MAP_CLASSES] = {
    [SB_MAP_TEXT] = "code_text",
    [SB_MAP_RODATA] = "code_rodata",
    [SB_MAP_DATA] = "code_data",
    [SB_MAP_BSS] = "code_bss",
};

struct size_cli {
	bool libraries[SB_SIZE_LIBRARIES];
	bool builds[SB_SIZE_BUILDS];
	bool protocols[SB_SIZE_PROTOCOLS];
	const struct sb_suite *suites[MAX_SUITES];
	size_t suite_count;
	const char *output;
	const char *work;
	const char *script_dir;
	bool quiet;
	bool detail;
	const char *map;    /* --map: attribute this map only */
	char *archive_list; /* --archive, with --map */
	/* The provenance of each (build, library), from its info.txt. */
	char info[SB_SIZE_BUILDS][SB_SIZE_LIBRARIES][2048];
};

static void size_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: suitebench size [options]\n"
	    "       suitebench size --map FILE --archive LIST\n"
	    "\n"
	    "Builds, for each library, suite and protocol (TLS 1.2, DTLS 1.2), "
	    "a\n"
	    "minimal client program and server program that complete one "
	    "handshake\n"
	    "and one record with only that suite, links each with -Os "
	    "-ffunction-sections\n"
	    "-fdata-sections -Wl,--gc-sections and a linker map, and reports "
	    "the\n"
	    "bytes the library contributes (text, rodata, data, bss; the "
	    "program\n"
	    "and libc excluded).  The x86-64 programs are run, client against\n"
	    "server (DTLS: datagrams framed with a length on the pipes), "
	    "before\n"
	    "their sizes count.  See size/README.md.\n"
	    "\n"
	    "builds:\n"
	    "  prebuilt    Debian's static archives (OpenSSL, Mbed TLS and "
	    "GnuTLS:\n"
	    "              whole-library figures: the library's, not the "
	    "suite's)\n"
	    "  tailored    Mbed TLS, BearSSL and wolfSSL compiled from "
	    "Debian's source\n"
	    "              packages: Mbed TLS with one configuration per "
	    "suite\n"
	    "              (size/mbedtls-configs/), wolfSSL with one "
	    "user_settings.h\n"
	    "              driven by the suite (size/wolfssl-configs/), "
	    "BearSSL with\n"
	    "              function sections\n"
	    "  cortex-m4   the tailored libraries built for a Cortex-M4 "
	    "(Debian's\n"
	    "              gcc-arm-none-eabi and newlib), client and "
	    "server:\n"
	    "              flash = text + rodata + data, RAM = data + bss\n"
	    "  (library mbedtls-iot: configs/mbedtls-iot.h, the `mbedtls-iot`\n"
	    "   backend's configuration, in the tailored and cortex-m4 "
	    "builds)\n"
	    "\n"
	    "options:\n"
	    "  --library LIST    openssl, mbedtls, bearssl, gnutls, "
	    "mbedtls-iot,\n"
	    "                    wolfssl\n"
	    "                    (default: all)\n"
	    "  --suite LIST      suites by short or IANA name (default: all)\n"
	    "  --build LIST      prebuilt, tailored, cortex-m4 (default: all)\n"
	    "  --protocol LIST   tls1.2, dtls1.2 (default: both)\n"
	    "  --detail LIB:SUITE  only that library and suite, and list its\n"
	    "                    largest contributors (objects and functions)\n"
	    "  --work DIR        cache of sources and build products\n"
	    "                    (default: %s)\n"
	    "  --map FILE        attribute an existing GNU ld map instead: "
	    "the\n"
	    "  --archive LIST    bytes the named archives (libx.a, ...) "
	    "contribute\n"
	    "  -o, --output FILE write the rows as CSV to FILE, and the "
	    "provenance\n"
	    "                    beside it; '-' writes the CSV to stdout\n"
	    "  -q, --quiet       no table on stdout, no progress on stderr\n"
	    "  -h, --help        this help\n"
	    "\n"
	    "Exit status: 0 when every build was measured or unsupported, 1 "
	    "when\n"
	    "one failed, 2 for bad input.\n",
	    SB_SIZE_WORK);
}

/* ---- option parsing ---------------------------------------------------- */

/* A comma-separated list of names into `wanted`, "all" for every one. */
static int parse_names(const char *option, char *arg, bool *wanted, int count,
                       int (*find)(const char *))
{
	char *names[8];
	int n = sb_cli_split(arg, names, 8);
	if (n < 0) {
		sb_cli_error("%s: expected a comma-separated list", option);
		return SB_ERR_USAGE;
	}
	memset(wanted, 0, (size_t)count * sizeof(*wanted));
	for (int i = 0; i < n; i++) {
		if (strcasecmp(names[i], "all") == 0) {
			memset(wanted, 1, (size_t)count * sizeof(*wanted));
			continue;
		}
		int k = find(names[i]);
		if (k < 0) {
			sb_cli_error("%s: unknown name '%s'", option, names[i]);
			return SB_ERR_USAGE;
		}
		wanted[k] = true;
	}
	return 0;
}

static int parse_suites(struct size_cli *cli, char *arg)
{
	size_t cap = sizeof(cli->suites) / sizeof(cli->suites[0]);
	int n = sb_cli_suites(arg, cli->suites, cap);
	if (n < 0)
		return n;
	cli->suite_count = (size_t)n;
	return 0;
}

/* LIBRARY:SUITE: only that pair, with its largest contributors listed. */
static int parse_detail(struct size_cli *cli, char *arg)
{
	char *colon = strchr(arg, ':');
	if (colon)
		*colon = '\0';
	int lib = colon ? sb_size_library_find(arg) : -1;
	const struct sb_suite *s = colon ? sb_suite_find(colon + 1) : NULL;
	if (lib < 0 || !s) {
		sb_cli_error("--detail: expected LIBRARY:SUITE such as "
		             "bearssl:ecdhe-ecdsa-ccm8");
		return SB_ERR_USAGE;
	}
	memset(cli->libraries, 0, sizeof(cli->libraries));
	cli->libraries[lib] = true;
	cli->suites[0] = s;
	cli->suite_count = 1;
	cli->detail = true;
	return 0;
}

static void set_defaults(struct size_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	memset(cli->libraries, 1, sizeof(cli->libraries));
	memset(cli->builds, 1, sizeof(cli->builds));
	memset(cli->protocols, 1, sizeof(cli->protocols));
	for (size_t s = 0; s < sb_suites_count; s++)
		cli->suites[cli->suite_count++] = &sb_suites[s];
	cli->work = SB_SIZE_WORK;
	cli->script_dir = SB_SIZE_DIR;
}

static int check_combination(const struct size_cli *cli)
{
	if (cli->map && !cli->archive_list) {
		sb_cli_error("size: --map needs --archive (the library's "
		             "archives, such as libbearssl.a)");
		return SB_ERR_USAGE;
	}
	if (cli->archive_list && !cli->map) {
		sb_cli_error("size: --archive goes with --map");
		return SB_ERR_USAGE;
	}
	return 0;
}

/* Returns 0 to run, 1 after --help, or SB_ERR_USAGE. */
static int parse_size_args(int argc, char **argv, struct size_cli *cli)
{
	static const struct option longopts[] = {
	    {"library", required_argument, NULL, 'l'},
	    {"suite", required_argument, NULL, 's'},
	    {"build", required_argument, NULL, 'b'},
	    {"protocol", required_argument, NULL, 'p'},
	    {"detail", required_argument, NULL, 'd'},
	    {"work", required_argument, NULL, 'w'},
	    {"map", required_argument, NULL, 'm'},
	    {"archive", required_argument, NULL, 'a'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt, rc = 0;
	char *detail = NULL;
	set_defaults(cli);
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			rc = parse_names("--library", optarg, cli->libraries,
			                 SB_SIZE_LIBRARIES,
			                 sb_size_library_find);
			break;
		case 'b':
			rc = parse_names("--build", optarg, cli->builds,
			                 SB_SIZE_BUILDS, sb_size_build_find);
			break;
		case 'p':
			rc = parse_names("--protocol", optarg, cli->protocols,
			                 SB_SIZE_PROTOCOLS,
			                 sb_size_protocol_find);
			break;
		case 's':
			rc = parse_suites(cli, optarg);
			break;
		case 'd':
			detail = optarg;
			break;
		case 'w':
			cli->work = optarg;
			break;
		case 'm':
			cli->map = optarg;
			break;
		case 'a':
			cli->archive_list = optarg;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			size_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("size: %s needs a value",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error(
			    "size: unknown option '%s' (try 'suitebench "
			    "size --help')",
			    argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	if (rc == 0 && optind < argc) {
		sb_cli_error("size: unexpected argument '%s'", argv[optind]);
		return SB_ERR_USAGE;
	}
	/* --detail last: it narrows whatever --library and --suite said. */
	if (rc == 0 && detail)
		rc = parse_detail(cli, detail);
	return rc ? rc : check_combination(cli);
}

/* ---- rows -------------------------------------------------------------- */

static struct sb_row base_row(const struct sb_size_job *job, const char *side)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD};
	const char *lib = sb_size_library_name(job->library);
	snprintf(row.client, sizeof(row.client), "%s", lib);
	snprintf(row.server, sizeof(row.server), "%s", lib);
	snprintf(row.protocol, sizeof(row.protocol), "%s",
	         sb_size_protocol_name(job->protocol));
	snprintf(row.kx, sizeof(row.kx), "%s", sb_kx_name(job->suite->kx));
	snprintf(row.suite, sizeof(row.suite), "%s", job->suite->short_name);
	snprintf(row.side, sizeof(row.side), "%s", side);
	snprintf(row.unit, sizeof(row.unit), "bytes");
	snprintf(row.build, sizeof(row.build), "%s",
	         sb_size_build_name(job->build));
	snprintf(row.granularity, sizeof(row.granularity), "%s",
	         sb_size_granularity(job->library, job->build, NULL, 0));
	return row;
}

/* One row for a job that has no sizes: unsupported, or failed. */
static int status_row(const struct sb_size_job *job, enum sb_row_status status,
                      const char *reason, struct sb_results *results)
{
	struct sb_row row = base_row(job, "both");
	row.granularity[0] = '\0'; /* no figure, so no granularity */
	row.status = status;
	snprintf(row.metric, sizeof(row.metric), "code_size");
	size_t n = strlen(reason); /* a long path may be cut */
	if (n >= sizeof(row.reason))
		n = sizeof(row.reason) - 1;
	memcpy(row.reason, reason, n);
	row.reason[n] = '\0';
	return sb_results_add(results, &row);
}

static int size_rows(const struct sb_size_job *job, const char *side,
                     const uint64_t sizes[SB_MAP_CLASSES],
                     struct sb_results *results)
{
	for (int c = 0; c < SB_MAP_CLASSES; c++) {
		struct sb_row row = base_row(job, side);
		double v = (double)sizes[c];
		row.status = SB_ROW_OK;
		snprintf(row.metric, sizeof(row.metric), "%s", metrics[c]);
		sb_size_granularity(job->library, job->build, row.reason,
		                    sizeof(row.reason));
		row.stats = (struct sb_summary){.n = 1,
		                                .median = v,
		                                .p25 = v,
		                                .p75 = v,
		                                .min = v,
		                                .max = v};
		int rc = sb_results_add(results, &row);
		if (rc)
			return rc;
	}
	return 0;
}

/* The sizes of one side's program, from its map. */
static int side_sizes(const struct sb_size_job *job, const char *side,
                      uint64_t sizes[SB_MAP_CLASSES], char *msg, size_t len)
{
	static char archives[MAX_ARCHIVES][PATH_MAX];
	const char *names[MAX_ARCHIVES];
	struct sb_map map = {0};
	int n = sb_size_side_load(job, side, &map, archives, MAX_ARCHIVES, msg,
	                          len);
	for (int i = 0; i < n; i++)
		names[i] = archives[i];
	if (n > 0)
		sb_mapfile_sum(&map, names, (size_t)n, sizes);
	sb_mapfile_free(&map);
	if (n > 0 && sizes[SB_MAP_TEXT] == 0) {
		snprintf(msg, len, "%s/%s.map: the library contributes no code",
		         job->out, side);
		return SB_ERR_INVALID;
	}
	return n < 0 ? n : 0;
}

/* Keep the first info.txt of each (build, library) for the provenance. */
static void keep_info(struct size_cli *cli, const struct sb_size_job *job)
{
	char *info = cli->info[job->build][job->library];
	char path[PATH_MAX + 16];
	if (info[0])
		return;
	snprintf(path, sizeof(path), "%s/info.txt", job->out);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(info, 1, sizeof(cli->info[0][0]) - 1, f);
	info[n] = '\0';
	fclose(f);
}

/* Build, verify and measure one job.  Returns 0 or SB_ERR_NOMEM; what
 * went wrong with the job itself is a row. */
static int measure_job(struct size_cli *cli, const struct sb_size_job *job,
                       struct sb_results *results)
{
	char msg[PATH_MAX + 512];
	uint64_t sizes[2][SB_MAP_CLASSES];
	const char *sides[2] = {"client", "server"};
	size_t n_sides = 2;
	/* The protocol first: BearSSL has no DTLS whatever the suite. */
	if (!sb_size_protocol_supported(job->library, job->build, job->protocol,
	                                msg, sizeof(msg)) ||
	    !sb_size_supported(job->library, job->build, job->suite, msg,
	                       sizeof(msg)))
		return status_row(job, SB_ROW_UNSUPPORTED, msg, results);
	int rc = sb_size_job_build(job, msg, sizeof(msg));
	if (rc == 0 && sb_size_build_runs(job->build))
		rc = sb_size_pair_run(job, PAIR_TIMEOUT_S, msg, sizeof(msg));
	for (size_t s = 0; rc == 0 && s < n_sides; s++)
		rc = side_sizes(job, sides[s], sizes[s], msg, sizeof(msg));
	if (rc)
		return status_row(job, SB_ROW_FAILED, msg, results);
	keep_info(cli, job);
	for (size_t s = 0; rc == 0 && s < n_sides; s++)
		rc = size_rows(job, sides[s], sizes[s], results);
	return rc;
}

/* One job, with its progress line on stderr.  Returns 0 or an error
 * that stops the run (out of memory, a bad --work). */
static int run_job(struct size_cli *cli, int library, int build, int protocol,
                   const struct sb_suite *suite, const char *script,
                   struct sb_results *results)
{
	struct sb_size_job job = {.protocol = protocol};
	if (sb_size_job_init(&job, library, build, suite, script, cli->work)) {
		sb_cli_error("--work: path too long");
		return SB_ERR_USAGE;
	}
	uint64_t t0 = sb_cycles_monotonic_ns();
	size_t before = results->count;
	if (measure_job(cli, &job, results)) {
		sb_cli_error("out of memory");
		return SB_ERR_NOMEM;
	}
	const struct sb_row *r = &results->rows[before];
	bool failed = r->status == SB_ROW_FAILED;
	if (!cli->quiet)
		fprintf(stderr, "%s (%.1f s)%s%s\n",
		        sb_results_status_name(r->status),
		        (double)(sb_cycles_monotonic_ns() - t0) / 1e9,
		        failed ? ": " : "", failed ? r->reason : "");
	return 0;
}

/* Whether (build, library, protocol) is asked for. */
static bool wanted(const struct size_cli *cli, int b, int l, int p)
{
	return cli->builds[b] && cli->libraries[l] && cli->protocols[p];
}

static int run_all(struct size_cli *cli, struct sb_results *results)
{
	size_t total = 0, done = 0;
	char script[PATH_MAX];
	snprintf(script, sizeof(script), "%s/build.sh", cli->script_dir);
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
			for (int p = 0; p < SB_SIZE_PROTOCOLS; p++)
				if (wanted(cli, b, l, p))
					total += cli->suite_count;
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
			for (int p = 0; p < SB_SIZE_PROTOCOLS; p++)
				for (size_t s = 0; wanted(cli, b, l, p) &&
				                   s < cli->suite_count;
				     s++) {
					if (!cli->quiet)
						fprintf(
						    stderr,
						    "[%zu/%zu] %s %s %s %s "
						    "... ",
						    ++done, total,
						    sb_size_build_name(b),
						    sb_size_library_name(l),
						    sb_size_protocol_name(p),
						    cli->suites[s]->short_name);
					int rc = run_job(cli, l, b, p,
					                 cli->suites[s], script,
					                 results);
					if (rc)
						return rc;
				}
	return 0;
}

/* ---- the table --------------------------------------------------------- */

/* Flash and RAM of one side's program of (library, suite, build,
 * protocol), from the rows. */
struct cell {
	enum sb_row_status status;
	bool found;
	bool whole;
	uint64_t bytes[SB_MAP_CLASSES];
};

struct cell_key {
	const char *lib, *suite, *build, *protocol, *side;
};

static struct cell find_cell(const struct sb_results *r,
                             const struct cell_key *k)
{
	struct cell c = {0};
	for (size_t i = 0; i < r->count; i++) {
		const struct sb_row *row = &r->rows[i];
		if (strcmp(row->client, k->lib) ||
		    strcmp(row->suite, k->suite) ||
		    strcmp(row->build, k->build) ||
		    strcmp(row->protocol, k->protocol) ||
		    (strcmp(row->side, k->side) && strcmp(row->side, "both")))
			continue;
		c.found = true;
		c.status = row->status;
		c.whole = strcmp(row->granularity, "whole-library") == 0;
		for (int k = 0; k < SB_MAP_CLASSES; k++)
			if (strcmp(row->metric, metrics[k]) == 0)
				c.bytes[k] = (uint64_t)row->stats.median;
	}
	return c;
}

static void print_cell(FILE *f, const struct cell *c)
{
	if (!c->found)
		fprintf(f, "  %9s %7s", "", "");
	else if (c->status == SB_ROW_UNSUPPORTED)
		fprintf(f, "  %9s %7s", "-", "-");
	else if (c->status == SB_ROW_FAILED)
		fprintf(f, "  %9s %7s", "failed", "");
	else
		fprintf(f, "  %8llu%s %7llu",
		        (unsigned long long)(c->bytes[SB_MAP_TEXT] +
		                             c->bytes[SB_MAP_RODATA] +
		                             c->bytes[SB_MAP_DATA]),
		        c->whole ? "*" : " ",
		        (unsigned long long)(c->bytes[SB_MAP_DATA] +
		                             c->bytes[SB_MAP_BSS]));
}

/* One line: a side's program of (library, suite, protocol), per build. */
static void print_line(FILE *f, const struct size_cli *cli,
                       const struct sb_results *r, struct cell_key *k)
{
	fprintf(f, "  %-11s %-21s %-7s %-6s", k->lib, k->suite, k->protocol,
	        k->side);
	for (int b = 0; b < SB_SIZE_BUILDS; b++) {
		if (!cli->builds[b])
			continue;
		k->build = sb_size_build_name(b);
		struct cell c = find_cell(r, k);
		print_cell(f, &c);
	}
	fprintf(f, "\n");
}

static void print_table(FILE *f, const struct size_cli *cli,
                        const struct sb_results *r)
{
	static const char *const sides[] = {"client", "server"};
	fprintf(f,
	        "The library's bytes in each program: flash = text + rodata "
	        "+ data, RAM = data + bss\n  %-11s %-21s %-7s %-6s",
	        "library", "suite", "proto", "side");
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		if (cli->builds[b])
			fprintf(f, "  %-17s", sb_size_build_name(b));
	fprintf(f, "\n  %-11s %-21s %-7s %-6s", "", "", "", "");
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		if (cli->builds[b])
			fprintf(f, "  %9s %7s", "flash", "RAM");
	fprintf(f, "\n");
	for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
		for (size_t s = 0; cli->libraries[l] && s < cli->suite_count;
		     s++)
			for (int p = 0; p < SB_SIZE_PROTOCOLS; p++)
				for (int d = 0; cli->protocols[p] && d < 2;
				     d++) {
					struct cell_key k = {
					    .lib = sb_size_library_name(l),
					    .suite = cli->suites[s]->short_name,
					    .protocol =
					        sb_size_protocol_name(p),
					    .side = sides[d]};
					print_line(f, cli, r, &k);
				}
	fprintf(
	    f, "  (* whole-library: the library's size, not the suite's; - not "
	       "supported, see the CSV's reason; RAM is static only, heap "
	       "and stack not counted)\n");
}

/* ---- detail ------------------------------------------------------------ */

/* ".text.br_foo" is function br_foo; other names are shown whole. */
static const char *section_label(const char *section)
{
	static const char *const prefixes[] = {".text.", ".rodata.", ".data.",
	                                       ".bss."};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(section, prefixes[i], n) == 0 && section[n])
			return section + n;
	}
	return section;
}

static void print_objects(FILE *f, const struct sb_map_object *objs, size_t n)
{
	fprintf(f, "  largest objects:\n    %-36s %8s %8s %6s %6s %8s\n",
	        "archive(member)", "text", "rodata", "data", "bss", "total");
	for (size_t i = 0; i < n && i < DETAIL_OBJECTS; i++) {
		char name[300];
		snprintf(name, sizeof(name), "%s(%s)", objs[i].archive,
		         objs[i].object);
		fprintf(f, "    %-36s %8llu %8llu %6llu %6llu %8llu\n", name,
		        (unsigned long long)objs[i].bytes[SB_MAP_TEXT],
		        (unsigned long long)objs[i].bytes[SB_MAP_RODATA],
		        (unsigned long long)objs[i].bytes[SB_MAP_DATA],
		        (unsigned long long)objs[i].bytes[SB_MAP_BSS],
		        (unsigned long long)objs[i].total);
	}
	if (n > DETAIL_OBJECTS)
		fprintf(f, "    ... and %zu more\n", n - DETAIL_OBJECTS);
}

static void print_sections(FILE *f, const struct sb_map_entry *list, size_t n)
{
	fprintf(f,
	        "  largest sections (a function or a table each, with "
	        "function sections):\n    %-40s %-6s %-24s %8s\n",
	        "name", "class", "object", "bytes");
	for (size_t i = 0; i < n && i < DETAIL_SECTIONS; i++)
		fprintf(f, "    %-40s %-6s %-24s %8llu\n",
		        section_label(list[i].section),
		        sb_mapfile_class_name(list[i].cls), list[i].object,
		        (unsigned long long)list[i].size);
}

/* The largest contributors to one side's program of `job`. */
static int print_detail(FILE *f, const struct sb_size_job *job,
                        const char *side)
{
	static char archives[MAX_ARCHIVES][PATH_MAX];
	const char *names[MAX_ARCHIVES];
	char msg[PATH_MAX + 256];
	struct sb_map map = {0};
	struct sb_map_object *objs = NULL;
	struct sb_map_entry *list = NULL;
	size_t n_objs = 0, n_list = 0;
	uint64_t sizes[SB_MAP_CLASSES];
	int n = sb_size_side_load(job, side, &map, archives, MAX_ARCHIVES, msg,
	                          sizeof(msg));
	int rc = n < 0 ? n : 0;
	for (int i = 0; i < n; i++)
		names[i] = archives[i];
	if (rc == 0)
		rc = sb_mapfile_objects(&map, names, (size_t)n, &objs, &n_objs);
	if (rc == 0)
		rc = sb_mapfile_largest(&map, names, (size_t)n, &list, &n_list);
	if (rc == 0) {
		sb_mapfile_sum(&map, names, (size_t)n, sizes);
		fprintf(f,
		        "\n%s %s %s, %s build, %s program: text %llu, rodata "
		        "%llu, data %llu, bss %llu\n",
		        sb_size_library_name(job->library),
		        job->suite->short_name,
		        sb_size_protocol_name(job->protocol),
		        sb_size_build_name(job->build), side,
		        (unsigned long long)sizes[SB_MAP_TEXT],
		        (unsigned long long)sizes[SB_MAP_RODATA],
		        (unsigned long long)sizes[SB_MAP_DATA],
		        (unsigned long long)sizes[SB_MAP_BSS]);
		print_objects(f, objs, n_objs);
		print_sections(f, list, n_list);
	} else if (rc != SB_ERR_NOMEM) {
		sb_cli_error("%s", msg);
	}
	sb_mem_free(objs);
	sb_mem_free(list);
	sb_mapfile_free(&map);
	return rc;
}

static void print_details(FILE *f, const struct size_cli *cli,
                          const struct sb_results *r)
{
	char script[PATH_MAX];
	snprintf(script, sizeof(script), "%s/build.sh", cli->script_dir);
	for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
		for (int b = 0; b < SB_SIZE_BUILDS; b++)
			for (int p = 0; p < SB_SIZE_PROTOCOLS; p++) {
				struct sb_size_job job = {.protocol = p};
				if (!wanted(cli, b, l, p) ||
				    sb_size_job_init(&job, l, b, cli->suites[0],
				                     script, cli->work))
					continue;
				struct cell_key k = {
				    .lib = sb_size_library_name(l),
				    .suite = cli->suites[0]->short_name,
				    .build = sb_size_build_name(b),
				    .protocol = sb_size_protocol_name(p),
				    .side = "client"};
				struct cell c = find_cell(r, &k);
				if (c.found && c.status == SB_ROW_OK &&
				    print_detail(f, &job, "client") ==
				        SB_ERR_NOMEM)
					return;
			}
}

/* ---- --map: attribute a map the user linked ---------------------------- */

static int attribute_map(const struct size_cli *cli)
{
	char *items[MAX_ARCHIVES];
	char msg[PATH_MAX + 256];
	uint64_t sizes[SB_MAP_CLASSES];
	struct sb_map map = {0};
	int n = sb_cli_split(cli->archive_list, items, MAX_ARCHIVES);
	if (n < 0) {
		sb_cli_error("--archive: expected at most %d archive names, "
		             "comma-separated",
		             MAX_ARCHIVES);
		return SB_EXIT_USAGE;
	}
	if (sb_mapfile_load(cli->map, &map, msg, sizeof(msg))) {
		sb_mapfile_free(&map);
		sb_cli_error("%s", msg);
		return SB_EXIT_USAGE;
	}
	sb_mapfile_sum(&map, (const char *const *)items, (size_t)n, sizes);
	sb_mapfile_free(&map);
	printf("text %llu\nrodata %llu\ndata %llu\nbss %llu\n",
	       (unsigned long long)sizes[SB_MAP_TEXT],
	       (unsigned long long)sizes[SB_MAP_RODATA],
	       (unsigned long long)sizes[SB_MAP_DATA],
	       (unsigned long long)sizes[SB_MAP_BSS]);
	return SB_EXIT_OK;
}

/* ---- output ------------------------------------------------------------ */

static void write_provenance(FILE *f, int argc, char **argv,
                             const struct size_cli *cli)
{
	struct sb_cycles_info cycles;
	sb_cycles_calibrate(&cycles);
	sb_provenance_write_common(f, argc, argv, &cycles);
	sb_provenance_line(f, "size_method",
	                   "bytes of the library's archives in each program, "
	                   "from its GNU ld map: text; rodata (with "
	                   ".data.rel.ro); data; bss; unwind tables, the "
	                   "program and libc not counted (bench/mapfile.h)");
	/* The tree's own directories by their place in it: committed
	 * results carry no machine paths. */
	bool tree = strcmp(cli->script_dir, SB_SIZE_DIR) == 0;
	sb_provenance_line(f, "size_programs",
	                   "%s/programs: TLS 1.2 or DTLS 1.2 (cookie exchange; "
	                   "datagrams framed with a 2-byte length on the "
	                   "pipes), one suite, one handshake and one record; "
	                   "x86-64 pairs run before they count",
	                   tree ? "size" : cli->script_dir);
	sb_provenance_line(f, "size_work", "%s",
	                   strcmp(cli->work, SB_SIZE_WORK) == 0
	                       ? "the build directory's size/ (default)"
	                       : cli->work);
	for (int b = 0; b < SB_SIZE_BUILDS; b++)
		for (int l = 0; l < SB_SIZE_LIBRARIES; l++) {
			const char *info = cli->info[b][l];
			while (*info) {
				size_t n = strcspn(info, "\n");
				fprintf(f, "size_%s_%s_%.*s\n",
				        sb_size_build_name(b),
				        sb_size_library_name(l), (int)n, info);
				info += n + (info[n] == '\n');
			}
		}
}

static int commit_outputs(struct sb_cli_outputs *out,
                          const struct sb_results *r, int argc, char **argv,
                          const struct size_cli *cli)
{
	FILE *prov = sb_cli_outputs_provenance(out);
	if (prov)
		write_provenance(prov, argc, argv, cli);
	return sb_cli_outputs_commit(out, r, cli->quiet);
}

/* `args` is a copy of `argv` that parsing may cut up (lists are split in
 * place); the provenance quotes `argv`. */
static int size_command(int argc, char **argv, char **args)
{
	static struct size_cli cli;
	struct sb_cli_outputs out = {0};
	struct sb_results results = {0};
	int rc = parse_size_args(argc, args, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	if (cli.map)
		return attribute_map(&cli);
	if (cli.output && sb_cli_outputs_open(&out, cli.output))
		return SB_EXIT_USAGE;
	rc = run_all(&cli, &results);
	bool csv_on_stdout = cli.output && strcmp(cli.output, "-") == 0;
	if (rc == 0 && !cli.quiet && !csv_on_stdout)
		print_table(stdout, &cli, &results);
	if (rc == 0 && cli.detail && !csv_on_stdout)
		print_details(stdout, &cli, &results);
	if (rc == 0 && cli.output)
		/* main() passed argv + 1: argv[-1] is the program's name. */
		rc = commit_outputs(&out, &results, argc + 1, argv - 1, &cli);
	sb_cli_outputs_abort(&out);
	int status = rc == SB_ERR_USAGE || rc == SB_ERR_IO   ? SB_EXIT_USAGE
	             : rc || sb_results_any_failed(&results) ? SB_EXIT_FAILURE
	                                                     : SB_EXIT_OK;
	sb_results_free(&results);
	return status;
}

int cmd_size(int argc, char **argv)
{
	char **args = sb_cli_args_copy(argc, argv);
	int status = args ? size_command(argc, argv, args) : SB_EXIT_FAILURE;
	sb_cli_args_free(argc, args);
	return status;
}
