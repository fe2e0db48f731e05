/*
 * run_target.c - `suitebench run --target cortex-m4`: the handshakes and
 * records of `run`, executed by the target programs (size/programs/
 * *_target.c) on two emulated Cortex-M4 cores (bench/target/), counted
 * in instructions and estimated in cycles, milliseconds and microjoules.
 * The programs are built through size/build.sh --kind target (tailored
 * libraries, cached in the size work directory).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "output/provenance.h"
#include "run/credentials.h"
#include "size/sizebuild.h"
#include "target/device.h"
#include "target/scenario.h"
#include "target/thumb.h"
#include "target/xcheck.h"
#include "wire/link.h"
#include "wire/trace.h"

#ifndef SB_SIZE_DIR
#define SB_SIZE_DIR "size"
#endif
#ifndef SB_SIZE_WORK
#define SB_SIZE_WORK "build/size"
#endif

struct tgt_cli {
	bool libraries[SB_SIZE_LIBRARIES];
	bool protocols[SB_PROTO_TLS13 + 1];
	const struct sb_suite *suites[64];
	size_t suite_count;
	bool kx_wanted[SB_KX_COUNT];
	struct sb_target_options o;
	const char *output;
	const char *work;
	const char *credentials_dir;
	bool trace;
	bool quiet;
	bool xcheck;
};

static void tgt_usage(FILE *f)
{
	fprintf(f,
	        "usage: suitebench run --target cortex-m4 [options]\n"
	        "\n"
	        "Runs the verified handshake and record loops of 'run' with "
	        "both endpoints\n"
	        "on emulated Cortex-M4 cores (Unicorn): bare-metal programs "
	        "of the tailored\n"
	        "Mbed TLS, BearSSL and wolfSSL builds.  Counts each side's "
	        "instructions exactly and\n"
	        "estimates cycles from the Cortex-M4's documented timings "
	        "(labelled estimates).\n"
	        "\n"
	        "options:\n"
	        "  --backend LIST      mbedtls, bearssl, wolfssl (default: "
	        "all three)\n"
	        "  --protocol LIST     dtls1.2, tls1.2 (default: both)\n"
	        "  --suite LIST        suites by short or IANA name, or "
	        "'all' (default: all)\n"
	        "  --kx LIST           only these key exchanges\n"
	        "  --payload LIST      record payloads in bytes, 'max' "
	        "(default: 16,64,256,1024)\n"
	        "  --reps N            measured handshakes and records per "
	        "payload (default 2;\n"
	        "                      counts must repeat exactly)\n"
	        "  --mtu N             datagram MTU (default: %d)\n"
	        "  --no-cookie         no HelloVerifyRequest cookies\n"
	        "  --seed N            the programs' random generator seed "
	        "(default: 1)\n"
	        "  --mcu-mhz F         the clock time is estimated at "
	        "(default: 64)\n"
	        "  --mcu-uj-per-mhz F  active power in uW per MHz (uJ/s per "
	        "MHz: the\n"
	        "                      datasheet's uA/MHz times volts): adds "
	        "energy estimates\n"
	        "  --count-each        count with a hook on every "
	        "instruction (slow; the\n"
	        "                      cross-check of the block counts)\n"
	        "  --work DIR          where programs are built and cached "
	        "(default: %s)\n"
	        "  --cross-check       also build the programs for x86-64 and "
	        "fail a scenario\n"
	        "                      whose bytes on the wire differ from "
	        "theirs\n"
	        "  --trace             print each verified handshake\n"
	        "  --credentials DIR   test credentials (default: %s)\n"
	        "  -o, --output FILE   CSV (and FILE's .provenance.txt)\n"
	        "  -q, --quiet         no table, no progress\n",
	        SB_LINK_DEFAULT_MTU, SB_SIZE_WORK,
	        sb_credentials_default_dir());
}

static int tgt_double(const char *option, const char *arg, double min,
                      double max, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v) || v < min || v > max) {
		sb_cli_error("%s: expected a number from %g to %g, not '%s'",
		             option, min, max, arg);
		return SB_ERR_USAGE;
	}
	*out = v;
	return 0;
}

static int tgt_list(const char *option, char *arg, const char *const *names,
                    size_t n, bool *wanted)
{
	char *items[16];
	int count = sb_cli_split(arg, items, 16);
	if (count <= 0) {
		sb_cli_error("%s: expected a comma-separated list", option);
		return SB_ERR_USAGE;
	}
	for (int i = 0; i < count; i++) {
		size_t k = 0;
		while (k < n && strcasecmp(items[i], names[k]) != 0)
			k++;
		if (k == n) {
			sb_cli_error("%s: unknown '%s'", option, items[i]);
			return SB_ERR_USAGE;
		}
		wanted[k] = true;
	}
	return 0;
}

static int tgt_payloads(struct tgt_cli *cli, char *arg)
{
	char *items[SB_PAYLOADS_MAX_COUNT];
	int n = sb_cli_split(arg, items, SB_PAYLOADS_MAX_COUNT);
	if (n <= 0) {
		sb_cli_error("--payload: expected sizes, comma-separated");
		return SB_ERR_USAGE;
	}
	for (int i = 0; i < n; i++) {
		unsigned long v = SB_PAYLOAD_MAX;
		if (strcasecmp(items[i], "max") != 0 &&
		    sb_cli_number("--payload", items[i], 1, SB_PORT_BUF_CAP,
		                  &v))
			return SB_ERR_USAGE;
		cli->o.payloads[i] = v;
	}
	cli->o.payload_count = (size_t)n;
	return 0;
}

static int tgt_parse(int argc, char **argv, struct tgt_cli *cli)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 'g'},
	    {"backend", required_argument, NULL, 'b'},
	    {"protocol", required_argument, NULL, 't'},
	    {"suite", required_argument, NULL, 's'},
	    {"kx", required_argument, NULL, 'k'},
	    {"payload", required_argument, NULL, 'p'},
	    {"reps", required_argument, NULL, 'r'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"no-cookie", no_argument, NULL, 'C'},
	    {"seed", required_argument, NULL, 'E'},
	    {"mcu-mhz", required_argument, NULL, 'Z'},
	    {"mcu-uj-per-mhz", required_argument, NULL, 'U'},
	    {"count-each", no_argument, NULL, 'Y'},
	    {"work", required_argument, NULL, 'w'},
	    {"trace", no_argument, NULL, 'T'},
	    {"cross-check", no_argument, NULL, 'X'},
	    {"credentials", required_argument, NULL, 'c'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	/* Indexed by enum sb_size_library. */
	static const char *const libs[] = {"openssl", "mbedtls",     "bearssl",
	                                   "gnutls",  "mbedtls-iot", "wolfssl"};
	static const char *const protos[] = {"dtls1.2", "tls1.2"};
	static const size_t defaults[] = {16, 64, 256, 1024};
	*cli = (struct tgt_cli){
	    .o = {.mtu = SB_LINK_DEFAULT_MTU,
	          .cookie = true,
	          .seed = 1,
	          .reps = 2,
	          .mcu_mhz = 64,
	          .payload_count = 4},
	    .work = SB_SIZE_WORK,
	    .credentials_dir = sb_credentials_default_dir(),
	};
	memcpy(cli->o.payloads, defaults, sizeof(defaults));
	bool kx_given = false;
	int opt, rc = 0;
	unsigned long v;
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			if (strcmp(optarg, "cortex-m4") != 0) {
				sb_cli_error("--target: the one target is "
				             "cortex-m4, not '%s'",
				             optarg);
				rc = SB_ERR_USAGE;
			}
			break;
		case 'b':
			rc = tgt_list("--backend", optarg, libs, 6,
			              cli->libraries);
			break;
		case 't':
			rc = tgt_list("--protocol", optarg, protos, 2,
			              cli->protocols);
			break;
		case 's': {
			int n = sb_cli_suites(optarg, cli->suites, 64);
			rc = n < 0 ? n : 0;
			cli->suite_count = n < 0 ? 0 : (size_t)n;
			break;
		}
		case 'k': {
			char *items[8];
			int n = sb_cli_split(optarg, items, 8);
			kx_given = true;
			for (int i = 0; i < n && rc == 0; i++) {
				int kx = sb_kx_find(items[i]);
				if (kx < 0) {
					sb_cli_error("--kx: unknown '%s'",
					             items[i]);
					rc = SB_ERR_USAGE;
				} else {
					cli->kx_wanted[kx] = true;
				}
			}
			rc = rc ? rc : n <= 0 ? SB_ERR_USAGE : 0;
			break;
		}
		case 'p':
			rc = tgt_payloads(cli, optarg);
			break;
		case 'r':
			rc = sb_cli_number("--reps", optarg, 2, 1000, &v);
			cli->o.reps = (unsigned)v;
			break;
		case 'm':
			rc = sb_cli_number("--mtu", optarg, SB_LINK_MIN_MTU,
			                   SB_LINK_MAX_MTU, &v);
			cli->o.mtu = v;
			break;
		case 'E':
			rc = sb_cli_number("--seed", optarg, 0, ULONG_MAX, &v);
			cli->o.seed = v;
			break;
		case 'C':
			cli->o.cookie = false;
			break;
		case 'Z':
			rc = tgt_double("--mcu-mhz", optarg, 0.001, 10000,
			                &cli->o.mcu_mhz);
			break;
		case 'U':
			rc = tgt_double("--mcu-uj-per-mhz", optarg, 0.001, 1e6,
			                &cli->o.mcu_uw_per_mhz);
			break;
		case 'Y':
			cli->o.counting = SB_EMU_COUNT_EACH;
			break;
		case 'w':
			cli->work = optarg;
			break;
		case 'T':
			cli->trace = true;
			break;
		case 'X':
			cli->xcheck = true;
			break;
		case 'c':
			cli->credentials_dir = optarg;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			tgt_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("run: %s needs a value", argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error("run --target: unknown or unsupported "
			             "option '%s' (try 'suitebench run "
			             "--target cortex-m4 --help')",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	if (rc == 0 && optind < argc) {
		sb_cli_error("run: unexpected argument '%s'", argv[optind]);
		return SB_ERR_USAGE;
	}
	if (rc)
		return rc;
	if (!cli->libraries[SB_SIZE_MBEDTLS] &&
	    !cli->libraries[SB_SIZE_BEARSSL] &&
	    !cli->libraries[SB_SIZE_WOLFSSL]) {
		/* Only libraries without a target program were named. */
		for (int l = 0; l < SB_SIZE_LIBRARIES; l++)
			if (cli->libraries[l]) {
				sb_cli_error("--backend: %s has no target "
				             "program (mbedtls, bearssl and "
				             "wolfssl have)",
				             sb_size_library_name(l));
				return SB_ERR_USAGE;
			}
		cli->libraries[SB_SIZE_MBEDTLS] = true;
		cli->libraries[SB_SIZE_BEARSSL] = true;
		cli->libraries[SB_SIZE_WOLFSSL] = true;
	}
	if (!cli->protocols[SB_PROTO_DTLS12] && !cli->protocols[SB_PROTO_TLS12])
		cli->protocols[SB_PROTO_DTLS12] =
		    cli->protocols[SB_PROTO_TLS12] = true;
	if (cli->suite_count == 0)
		for (size_t i = 0; i < sb_suites_count && i < 64; i++)
			cli->suites[cli->suite_count++] = &sb_suites[i];
	if (!kx_given)
		for (int k = 0; k < SB_KX_COUNT; k++)
			cli->kx_wanted[k] = true;
	return 0;
}

/* ---- the table --------------------------------------------------------- */

static const struct sb_row *tgt_find(const struct sb_results *r, size_t from,
                                     size_t to, const char *side,
                                     const char *metric, long payload)
{
	for (size_t i = from; i < to; i++)
		if (r->rows[i].status == SB_ROW_OK &&
		    strcmp(r->rows[i].side, side) == 0 &&
		    strcmp(r->rows[i].metric, metric) == 0 &&
		    r->rows[i].payload == payload)
			return &r->rows[i];
	return NULL;
}

static double tgt_median(const struct sb_results *r, size_t from, size_t to,
                         const char *side, const char *metric, long payload)
{
	const struct sb_row *row = tgt_find(r, from, to, side, metric, payload);
	return row ? row->stats.median : NAN;
}

/* One line per scenario: what issue 18's table asks for. */
static void tgt_table(const struct tgt_cli *cli, const struct sb_results *r,
                      const size_t *starts, size_t count)
{
	long p = 64;
	printf("%-8s %-7s %-20s %12s %12s %8s %8s %9s %9s %6s %6s %6s %6s\n",
	       "library", "proto", "suite", "hs_insn_cli", "hs_insn_srv",
	       "ms_cli", "ms_srv", "enc64_ins", "dec64_ins", "stk_c", "stk_s",
	       "heap_c", "heap_s");
	for (size_t s = 0; s < count; s++) {
		size_t a = starts[s], b = starts[s + 1];
		const struct sb_row *first = &r->rows[a];
		if (first->status != SB_ROW_OK) {
			printf("%-8s %-7s %-20s %s: %s\n", first->client,
			       first->protocol, first->suite,
			       sb_results_status_name(first->status),
			       first->reason);
			continue;
		}
		printf(
		    "%-8s %-7s %-20s %12.0f %12.0f %8.1f %8.1f %9.0f %9.0f "
		    "%6.0f %6.0f %6.0f %6.0f\n",
		    first->client, first->protocol, first->suite,
		    tgt_median(r, a, b, "client", "handshake_instructions",
		               SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "server", "handshake_instructions",
		               SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "client", "handshake_ms_est",
		               SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "server", "handshake_ms_est",
		               SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "client", "encrypt_instructions", p),
		    tgt_median(r, a, b, "server", "decrypt_instructions", p),
		    tgt_median(r, a, b, "client", "stack_peak", SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "server", "stack_peak", SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "client", "heap_peak", SB_NO_PAYLOAD),
		    tgt_median(r, a, b, "server", "heap_peak", SB_NO_PAYLOAD));
	}
	printf("ms at %g MHz are estimates (cycles from the instruction mix, "
	       "Cortex-M4 timings, zero wait states); instructions are "
	       "exact.\n",
	       cli->o.mcu_mhz);
}

/* ---- provenance -------------------------------------------------------- */

static void tgt_provenance(FILE *f, int argc, char **argv,
                           const struct tgt_cli *cli)
{
	struct sb_cycles_info none = {0};
	sb_provenance_write_common(f, argc, argv, &none);
	sb_provenance_line(
	    f, "target",
	    "cortex-m4: Unicorn %s emulating UC_CPU_ARM_CORTEX_M4 "
	    "(Thumb, M-class); programs size/programs/"
	    "LIBRARY_target.c built by size/build.sh --kind "
	    "target in %s",
	    "2", cli->work);
	sb_provenance_line(
	    f, "options",
	    "mtu=%zu cookie=%s seed=%llu reps=%u counting=%s mcu_mhz=%g "
	    "mcu_uw_per_mhz=%g",
	    cli->o.mtu, cli->o.cookie ? "on" : "off",
	    (unsigned long long)cli->o.seed, cli->o.reps,
	    cli->o.counting == SB_EMU_COUNT_EACH ? "each-instruction"
	                                         : "blocks",
	    cli->o.mcu_mhz, cli->o.mcu_uw_per_mhz);
	sb_provenance_line(
	    f, "instructions",
	    "exact: every Thumb instruction each program executed in the "
	    "region, counted by a block hook (per-block counts, decoded once; "
	    "a stop inside a block taken back); port calls are register "
	    "accesses, so the host's work is not in the counts");
	sb_provenance_line(
	    f, "cycles_model",
	    "ESTIMATE, not measured: Cortex-M4 TRM (ARM DDI 0439) table 3-1 "
	    "at zero wait states: data processing 1, MUL/MLA/MLS/long "
	    "multiplies 1, SDIV/UDIV %d (range %d-%d), LDR/STR 2, LDRD/STRD 3, "
	    "LDM/STM/PUSH/POP 1+N, taken branch or PC write 1+P with P=%d "
	    "(range %d-%d), TBB/TBH 2+P; conditional branches refill only "
	    "when taken (the next block is not the fall-through)",
	    SB_THUMB_DIVIDE, SB_THUMB_DIVIDE_MIN, SB_THUMB_DIVIDE_MAX,
	    SB_THUMB_REFILL, SB_THUMB_REFILL_MIN, SB_THUMB_REFILL_MAX);
	sb_provenance_line(
	    f, "cycles_bounds",
	    "_cycles_est_min: P=%d, divides %d, neighbouring loads/stores "
	    "pipelined to 1 cycle; _cycles_est_max: P=%d, divides %d",
	    SB_THUMB_REFILL_MIN, SB_THUMB_DIVIDE_MIN, SB_THUMB_REFILL_MAX,
	    SB_THUMB_DIVIDE_MAX);
	sb_provenance_line(
	    f, "cycles_limits",
	    "not modelled: flash wait states and flash-accelerator misses "
	    "(a real 64+ MHz part runs from flash with 1-3 wait states), bus "
	    "contention, interrupts, the extra fetch of an unaligned 32-bit "
	    "branch target; time = cycles / mcu_mhz");
	if (cli->o.mcu_uw_per_mhz > 0)
		sb_provenance_line(f, "energy_model",
		                   "ESTIMATE: uJ = %g uW/MHz x cycles / 1e6 "
		                   "(active power scales with the clock)",
		                   cli->o.mcu_uw_per_mhz);
	sb_provenance_line(f, "memory",
	                   "stack_peak: painted stack, bytes below the top "
	                   "the program touched; heap_peak: newlib-nano "
	                   "malloc_usable_size of blocks held, through "
	                   "--wrap=calloc,malloc,realloc,free; heap_arena: "
	                   "the allocator's "
	                   "break (what the arena must hold); static_ram: "
	                   "the program's caller-owned state by the README's "
	                   "one rule (static_flash: its constant part, in "
	                   "flash); ram_total = heap_peak + static_ram + "
	                   "stack_peak");
	if (cli->xcheck)
		sb_provenance_line(
		    f, "cross_check",
		    "each scenario's programs also built for "
		    "x86-64 (size/build.sh --build tailored --kind "
		    "target) and run natively over the same link "
		    "and seed; every send compared byte for byte "
		    "(wire_equal_x86_64: the bytes compared)");
}

/* ---- running ----------------------------------------------------------- */

static bool tgt_kx_ok(enum sb_size_library lib, enum sb_protocol proto,
                      const struct sb_suite *s, bool cookie, char *why,
                      size_t len)
{
	if (!sb_size_supported(lib, SB_SIZE_CORTEX_M4, s, why, len))
		return false;
	if (lib == SB_SIZE_BEARSSL && proto == SB_PROTO_DTLS12) {
		snprintf(why, len, "BearSSL has no DTLS");
		return false;
	}
	if (lib == SB_SIZE_WOLFSSL && proto == SB_PROTO_DTLS12 && !cookie) {
		snprintf(
		    why, len,
		    "a wolfSSL 5.7.2 DTLS server always answers the first "
		    "ClientHello with a HelloVerifyRequest cookie (dtls.c, "
		    "DoClientHelloStateless): no --no-cookie");
		return false;
	}
	return true;
}

/* ---- the cross-check -------------------------------------------------- */

static void tgt_xcheck_print(FILE *f, const struct sb_target_scenario *sc,
                             const struct tgt_cli *cli,
                             const struct sb_xcheck_summary *x)
{
	static const char *const dir[2] = {"c>s", "s>c"};
	fprintf(f,
	        "cross-check %s %s %s (seed %llu): cortex-m4 = x86-64, "
	        "%zu sends, %llu bytes equal\n",
	        sc->device->name, sb_protocol_name(sc->protocol),
	        sc->suite->short_name, (unsigned long long)cli->o.seed,
	        x->sends, (unsigned long long)x->bytes);
	fprintf(f, "  handshake:");
	for (size_t i = 0; i < x->flight_count && i < SB_XCHECK_FLIGHTS; i++)
		fprintf(f, " %s%zu %s %llu B/%llu", i ? "|" : "", i + 1,
		        dir[x->flights[i].dir],
		        (unsigned long long)x->flights[i].sent.bytes,
		        (unsigned long long)x->flights[i].sent.datagrams);
	fprintf(f, "\n  transcript_sha256: %s\n  records:", x->transcript);
	for (size_t i = 0; i < x->payload_count; i++)
		fprintf(f, " %s%zu: c>s %llu B, s>c %llu B", i ? "|" : "",
		        x->payloads[i],
		        (unsigned long long)x->record_bytes[i][0],
		        (unsigned long long)x->record_bytes[i][1]);
	fprintf(f, "\n");
}

/*
 * Build the programs of `sc` for x86-64 (the same tailored library and
 * configuration) and compare the bytes on the wire.  Equal: a
 * wire_equal_x86_64 row (the bytes compared).  Different: the scenario's
 * rows become one failed row naming the first difference.
 */
static int tgt_xcheck(const struct tgt_cli *cli, enum sb_size_library lib,
                      const struct sb_target_scenario *sc, size_t start,
                      struct sb_results *results)
{
	const char *name = sb_size_library_name(lib);
	char why[600];
	struct sb_size_job job = {.target = true};
	int rc = sb_size_job_init(&job, lib, SB_SIZE_TAILORED, sc->suite,
	                          SB_SIZE_DIR "/build.sh", cli->work);
	if (rc == 0)
		rc = sb_size_job_build(&job, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "work path too long");
	struct sb_xcheck_summary x = {0};
	if (rc == 0) {
		char client[PATH_MAX + 8], server[PATH_MAX + 8];
		snprintf(client, sizeof(client), "%s/client", job.out);
		snprintf(server, sizeof(server), "%s/server", job.out);
		rc = sb_target_xcheck(sc, client, server, &cli->o, &x, why,
		                      sizeof(why));
	}
	if (rc == SB_ERR_NOMEM)
		return rc;
	if (rc) {
		fprintf(stderr,
		        "suitebench: cross-check FAILED: %s %s %s: %s\n", name,
		        sb_protocol_name(sc->protocol), sc->suite->short_name,
		        why);
		char reason[700];
		snprintf(reason, sizeof(reason), "cross-check with x86-64: %s",
		         why);
		results->count = start;
		return sb_target_status_row(name, sc->protocol, sc->suite,
		                            SB_ROW_FAILED, reason, results);
	}
	bool csv_on_stdout = cli->output && strcmp(cli->output, "-") == 0;
	if (!cli->quiet)
		tgt_xcheck_print(csv_on_stdout ? stderr : stdout, sc, cli, &x);
	struct sb_row row = sb_target_row(name, sc->protocol, sc->suite);
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "wire_equal_x86_64");
	snprintf(row.unit, sizeof(row.unit), "bytes");
	double bytes = (double)x.bytes;
	sb_stats_summarize(&bytes, 1, &row.stats);
	return sb_results_add(results, &row);
}

static int tgt_one(const struct tgt_cli *cli, enum sb_size_library lib,
                   enum sb_protocol proto, const struct sb_suite *suite,
                   struct sb_results *results)
{
	const char *name = sb_size_library_name(lib);
	char why[400];
	if (!tgt_kx_ok(lib, proto, suite, cli->o.cookie, why, sizeof(why)))
		return sb_target_status_row(name, proto, suite,
		                            SB_ROW_UNSUPPORTED, why, results);
	struct sb_size_job job = {.target = true};
	if (sb_size_job_init(&job, lib, SB_SIZE_CORTEX_M4, suite,
	                     SB_SIZE_DIR "/build.sh", cli->work))
		return sb_target_status_row(name, proto, suite, SB_ROW_FAILED,
		                            "work path too long", results);
	if (!cli->quiet)
		fprintf(stderr, "suitebench: %s %s %s on cortex-m4\n", name,
		        sb_protocol_name(proto), suite->short_name);
	if (sb_size_job_build(&job, why, sizeof(why)))
		return sb_target_status_row(name, proto, suite, SB_ROW_FAILED,
		                            why, results);
	char client[PATH_MAX + 8], server[PATH_MAX + 8];
	snprintf(client, sizeof(client), "%s/client", job.out);
	snprintf(server, sizeof(server), "%s/server", job.out);
	struct sb_target_scenario sc = {
	    .device = lib == SB_SIZE_MBEDTLS   ? &sb_device_mbedtls
	              : lib == SB_SIZE_WOLFSSL ? &sb_device_wolfssl
	                                       : &sb_device_bearssl,
	    .client_program = client,
	    .server_program = server,
	    .protocol = proto,
	    .suite = suite,
	};
	size_t start = results->count;
	int rc = sb_target_scenario_run(&sc, &cli->o, results);
	if (rc == 0 && cli->xcheck && results->rows[start].status == SB_ROW_OK)
		rc = tgt_xcheck(cli, lib, &sc, start, results);
	return rc;
}

static int tgt_trace(void *ctx, const char *title, const struct sb_wire *wire)
{
	(void)ctx;
	sb_trace_print(stdout, title, wire);
	return 0;
}

/* `args`: a copy of `argv` to parse (and split). */
static int tgt_dispatch(int argc, char **argv, char **args)
{
	struct tgt_cli cli;
	struct sb_credential_set creds;
	struct sb_cli_outputs out = {0};
	struct sb_results results = {0};
	int rc = tgt_parse(argc, args, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	char msg[PATH_MAX + 128];
	if (sb_credentials_load(&creds, cli.credentials_dir, msg,
	                        sizeof(msg))) {
		sb_cli_error("%s", msg);
		return SB_EXIT_USAGE;
	}
	if (cli.output && sb_cli_outputs_open(&out, cli.output))
		return SB_EXIT_USAGE;
	struct sb_run_observer observer = {.connection = tgt_trace};
	cli.o.creds = &creds;
	cli.o.observer = cli.trace ? &observer : NULL;
	size_t starts[1024], count = 0;
	static const enum sb_size_library libs[] = {
	    SB_SIZE_MBEDTLS, SB_SIZE_BEARSSL, SB_SIZE_WOLFSSL};
	for (size_t l = 0; l < 3 && rc == 0; l++)
		for (int p = SB_PROTO_DTLS12; p <= SB_PROTO_TLS12 && rc == 0;
		     p++)
			for (size_t s = 0; s < cli.suite_count && rc == 0;
			     s++) {
				const struct sb_suite *suite = cli.suites[s];
				if (!cli.libraries[libs[l]] ||
				    !cli.protocols[p] ||
				    !cli.kx_wanted[suite->kx] ||
				    !sb_suite_fits((enum sb_protocol)p, suite,
				                   &(struct sb_reason){{0}}) ||
				    count + 1 >= 1024)
					continue;
				starts[count++] = results.count;
				rc = tgt_one(&cli, libs[l], (enum sb_protocol)p,
				             suite, &results);
			}
	starts[count] = results.count;
	bool csv_on_stdout = cli.output && strcmp(cli.output, "-") == 0;
	if (rc == 0 && !cli.quiet && !csv_on_stdout)
		tgt_table(&cli, &results, starts, count);
	if (rc == 0 && cli.output) {
		FILE *prov = sb_cli_outputs_provenance(&out);
		if (prov)
			tgt_provenance(prov, argc, argv, &cli);
		rc = sb_cli_outputs_commit(&out, &results, cli.quiet);
	}
	sb_cli_outputs_abort(&out);
	int status = rc                                ? SB_EXIT_FAILURE
	             : count == 0                      ? SB_EXIT_USAGE
	             : sb_results_any_failed(&results) ? SB_EXIT_FAILURE
	                                               : SB_EXIT_OK;
	if (count == 0)
		sb_cli_error("run --target: no scenario matches");
	sb_results_free(&results);
	return status;
}

int sb_cli_target_dispatch(int argc, char **argv)
{
	/* Lists are split in place: the provenance quotes the originals. */
	char **args = sb_cli_args_copy(argc, argv);
	int status = args ? tgt_dispatch(argc, argv, args) : SB_EXIT_FAILURE;
	sb_cli_args_free(argc, args);
	return status;
}
