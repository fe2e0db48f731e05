/*
 * cmd_run.c - `suitebench run`: build the scenario list from the command
 * line, run each scenario, and write the table, the CSV and its provenance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "measure/callgrind.h"
#include "measure/cycles.h"
#include "measure/heap.h"
#include "measure/heap_history.h"
#include "measure/layout.h"
#include "output/csv.h"
#include "output/outfile.h"
#include "output/provenance.h"
#include "output/table.h"
#include "run/consistency.h"
#include "run/passes.h"
#include "run/runner.h"
#include "run/schedule.h"
#include "wire/link.h"
#include "wire/pcap.h"
#include "wire/trace.h"

/* Records connections per scenario by default (--layouts). */
#define RUN_LAYOUTS_DEFAULT 8

#define MAX_SCENARIOS 1024

#define MAX_PAIRS 64

/* Every combination of the swept conditions is a scenario of its own. */
#define MAX_CONDITIONS 256

/* Values in one --mtu, --loss, --duplicate or --reorder list. */
#define MAX_LIST 16

/* Backends in one --backend, --client or --server list. */
#define MAX_BACKENDS 8

struct backend_pair {
	const struct sb_backend *client;
	const struct sb_backend *server;
};

struct run_cli {
	struct backend_pair pairs[MAX_PAIRS];
	size_t pair_count;
	const struct sb_backend *clients[8]; /* --client, until paired */
	size_t client_count;
	const struct sb_backend *servers[8]; /* --server, until paired */
	size_t server_count;
	bool protocols[SB_PROTO_TLS13 + 1];
	const struct sb_suite *suites[64];
	size_t suite_count;
	bool kx_wanted[SB_KX_COUNT];
	bool kx_given; /* --kx named the key exchanges */
	struct sb_run_options options;
	bool max_reps_given;
	const char *output;
	const char *raw;
	const char *pcap;
	bool trace;
	size_t mtus[MAX_LIST]; /* --mtu: a sweep when more than one */
	size_t mtu_count;
	double faults[3][MAX_LIST]; /* --loss, --duplicate, --reorder lists */
	size_t fault_count[3];
	long cpu; /* -1: not pinned */
	const char *credentials_dir;
	bool quiet;
	const char *heap_pass; /* SB_PASS_HEAP_OPTION: this is the heap pass */
	const char *timing_pass; /* SB_PASS_TIMING_OPTION: one more timing
	                            process of --processes */
	unsigned processes;      /* --processes: timing processes */
	bool random_layout;      /* --random-layout: keep the kernel's ASLR */
};

/* Measurements of the machine itself, taken before and after the run. */
struct machine_check {
	double load_before;
	uint64_t probe_before;
	uint64_t probe_after;
	double harness_cycles;
	struct sb_schedule_report schedule;
	struct sb_consistency consistency;
	const struct sb_results *results; /* the run's rows, once measured */
	unsigned processes;               /* timing processes that ran */
	size_t process_rows;   /* timing rows compared between processes */
	double process_median; /* their medians' spread: median, worst */
	double process_worst;
};

static void run_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: suitebench run [options]\n"
	    "\n"
	    "Runs verified (D)TLS 1.2 and 1.3 handshakes and record loops "
	    "between\n"
	    "a client library and a server library, and measures them.\n"
	    "Every scenario is verified first (negotiated suite, peer "
	    "authenticated,\n"
	    "data round-trips, a forged record rejected); one that fails is "
	    "reported\n"
	    "as failed, never as numbers.\n"
	    "\n"
	    "options:\n"
	    "  --backend LIST    libraries to run, each against itself "
	    "(default: all\n"
	    "                    in this build; see 'suitebench list')\n"
	    "  --client LIST     client libraries; with --server, every "
	    "combination\n"
	    "  --server LIST     server libraries (each defaults to all when "
	    "only the\n"
	    "                    other is given)\n"
	    "  --pairs LIST      client/server pairs such as openssl/mbedtls, "
	    "or 'all'\n"
	    "                    for every client against every server\n"
	    "  --protocol LIST   dtls1.2, tls1.2, dtls1.3, tls1.3 (default:\n"
	    "                    dtls1.2,tls1.2)\n"
	    "  --suite LIST      suites by short or IANA name, or 'all' "
	    "(default: all\n"
	    "                    but the web suites, ecdhe-rsa-*)\n"
	    "  --kx LIST         only these key exchanges: psk, ecdhe-psk, "
	    "ecdhe-ecdsa,\n"
	    "                    ecdhe-rsa\n"
	    "  --payload LIST    record payload sizes in bytes; 'max' is the "
	    "largest\n"
	    "                    that fits one datagram (default: "
	    "16,64,256,1024,max)\n"
	    "  --reps N          at least N measured handshakes, and N record "
	    "batches\n"
	    "                    of %d per payload and direction (default: "
	    "20)\n"
	    "  --precision P     then go on until each timed median is known "
	    "to +-P %%\n"
	    "                    (95 %% confidence; default: 1)...\n"
	    "  --max-reps N      ...or N repetitions are done (default: "
	    "1000)...\n"
	    "  --budget S        ...or the scenario has run S seconds "
	    "(default: 3;\n"
	    "                    0: exactly --reps, records in whole turns "
	    "of --layouts)\n"
	    "  --warmup N        unmeasured handshakes and batches first; the "
	    "first\n"
	    "                    handshake also verifies the connection "
	    "(default: 3)\n"
	    "  --mtu LIST        datagram MTU in bytes (default: %d, IPv6 "
	    "minimum\n"
	    "                    less IPv6 and UDP headers); a list sweeps it\n"
	    "  --loss LIST       DTLS handshakes over a link that loses, "
	    "duplicates\n"
	    "  --duplicate LIST  or reorders each datagram with these "
	    "probabilities\n"
	    "  --reorder LIST    (seeded by --seed): success rate, virtual "
	    "time,\n"
	    "                    bytes with retransmissions; no record loops\n"
	    "  --no-cookie       servers skip the HelloVerifyRequest cookie "
	    "exchange\n"
	    "  --mutual          servers ask for and verify client "
	    "certificates\n"
	    "  --auth A          certificate key exchanges authenticate by "
	    "'cert'\n"
	    "                    (X.509, default) or 'rpk': a raw public key "
	    "(RFC 7250)\n"
	    "                    checked against the pinned one in the "
	    "credentials\n"
	    "  --cid N           DTLS Connection ID of N bytes each way (RFC "
	    "9146,\n"
	    "                    RFC 9147 9; 0-20, default 0: none); "
	    "libraries or\n"
	    "                    protocols without it are unsupported rows\n"
	    "  --bearssl-impl I  BearSSL's AES/GHASH/ChaCha20/Poly1305 code: "
	    "'native'\n"
	    "                    (x86 AES-NI, PCLMUL, SSE2 where the CPU has "
	    "them;\n"
	    "                    default) or 'ct' (portable constant-time, as "
	    "on an MCU)\n"
	    "  --deterministic   seed every library's random generator (see "
	    "--seed)\n"
	    "                    so transcripts and bytes repeat exactly; NOT "
	    "secure\n"
	    "  --seed N          the seed of --deterministic (default: 1)\n"
	    "  --no-transcript   with --deterministic: no transcript_sha256 "
	    "row\n"
	    "                    (the transcript is hashed between library "
	    "calls,\n"
	    "                    never inside a measured one)\n"
	    "  --counter C       cycles (default: TSC) or instructions: exact "
	    "counts\n"
	    "                    under valgrind's callgrind (the tool re-runs "
	    "itself\n"
	    "                    there; timing metrics are then left out)\n"
	    "  --target cortex-m4  run the tailored Mbed TLS and BearSSL "
	    "builds "
	    "on emulated\n"
	    "                    Cortex-M4 cores instead (its own options: "
	    "'run --target\n"
	    "                    cortex-m4 --help')\n"
	    "  --cpu N           pin the run to CPU N\n"
	    "  --stack-offset B  run the measured calls with the stack B bytes "
	    "into its\n"
	    "                    page (0-4080, a multiple of 16; default 0); "
	    "moving it\n"
	    "                    shows how much a figure depends on it "
	    "(README,\n"
	    "                    'Stack position')\n"
	    "  --random-layout   time with the kernel's address randomisation "
	    "(default:\n"
	    "                    off, one address layout every run; README,\n"
	    "                    'Address layout')\n"
	    "  --layouts N       time each scenario's records over N "
	    "connections, each\n"
	    "                    at its own addresses, in turn, each as many "
	    "times: record\n"
	    "                    repetitions come in whole turns (1-%d, at "
	    "most --max-reps;\n"
	    "                    default %d; README, 'Address layout')\n"
	    "  --heap-layout S   start each scenario's process from heap "
	    "history S\n"
	    "                    (0-%lu; default 0: none): before its "
	    "first library\n"
	    "                    call it allocates blocks of sizes drawn from "
	    "S and frees\n"
	    "                    every other one; moving it shows how much a "
	    "figure depends\n"
	    "                    on where the libraries' blocks land (README, "
	    "'Heap\n"
	    "                    history')\n"
	    "  --processes N     time in N processes, one after another, and "
	    "keep per\n"
	    "                    timing row the median process's figures "
	    "(default 1;\n"
	    "                    a whole process can run slow or fast: "
	    "README,\n"
	    "                    'Processes')\n"
	    "  --raw FILE        also write every sample, one CSV row each\n"
	    "  --trace           print each scenario's verified handshake as a "
	    "ladder:\n"
	    "                    datagrams, records, handshake messages\n"
	    "  --pcap FILE       write one scenario's verified connection as a "
	    "pcap\n"
	    "                    file (synthesized IPv4/UDP, or TCP for TLS)\n"
	    "  --credentials DIR test credentials (default: %s)\n"
	    "  -o, --output FILE write the rows as CSV to FILE, and the "
	    "provenance\n"
	    "                    beside it (FILE minus .csv, plus "
	    ".provenance.txt);\n"
	    "                    '-' writes the CSV to stdout instead of the "
	    "table\n"
	    "  -q, --quiet       no table on stdout, no progress on stderr\n"
	    "  -h, --help        this help\n"
	    "\n"
	    "Exit status: 0 when every scenario ran or was unsupported, 1 when "
	    "one\n"
	    "failed, 2 for bad input.\n",
	    SB_RECORD_BATCH, SB_LINK_DEFAULT_MTU, SB_LAYOUTS_MAX,
	    RUN_LAYOUTS_DEFAULT, (unsigned long)UINT32_MAX,
	    sb_credentials_default_dir());
}

/* ---- option parsing ---------------------------------------------------- */

static const struct sb_backend *find_backend(const char *option,
                                             const char *name)
{
	const struct sb_backend *b = sb_backend_find(name);
	if (!b)
		sb_cli_error("%s: unknown backend '%s' (see 'suitebench list' "
		             "for the backends this build has)",
		             option, name);
	return b;
}

static size_t all_backends(const struct sb_backend **out, size_t cap)
{
	size_t n = 0;
	for (; sb_backends[n] && n < cap; n++)
		out[n] = sb_backends[n];
	return n;
}

/* A comma-separated list of backend names into `out`; a name given twice
 * is kept once, with a note.  Returns the count or SB_ERR_USAGE. */
static int parse_backend_list(const char *option, char *arg,
                              const struct sb_backend **out, size_t cap)
{
	char *names[MAX_BACKENDS];
	size_t count = 0;
	int n = sb_cli_split(arg, names, MAX_BACKENDS);
	if (n < 0 || (size_t)n > cap) {
		sb_cli_error("%s: expected a comma-separated list of at most "
		             "%zu backends",
		             option, cap);
		return SB_ERR_USAGE;
	}
	if (n == 1 && strcasecmp(names[0], "all") == 0)
		return (int)all_backends(out, cap);
	for (int i = 0; i < n; i++) {
		const struct sb_backend *b = find_backend(option, names[i]);
		bool seen = false;
		if (!b)
			return SB_ERR_USAGE;
		for (size_t k = 0; k < count; k++)
			seen |= out[k] == b;
		if (seen)
			sb_cli_note("%s names %s twice; it runs once", option,
			            b->name);
		else
			out[count++] = b;
	}
	return (int)count;
}

/* A pair already in the list is not added again: two equal scenarios
 * would give two rows with one key. */
static int add_pair(struct run_cli *cli, const struct sb_backend *client,
                    const struct sb_backend *server)
{
	for (size_t i = 0; i < cli->pair_count; i++)
		if (cli->pairs[i].client == client &&
		    cli->pairs[i].server == server) {
			sb_cli_note("the pair %s/%s is given twice; it "
			            "runs once",
			            client->name, server->name);
			return 0;
		}
	if (cli->pair_count == MAX_PAIRS) {
		sb_cli_error("too many client/server pairs (at most %d)",
		             MAX_PAIRS);
		return SB_ERR_USAGE;
	}
	cli->pairs[cli->pair_count++] = (struct backend_pair){client, server};
	return 0;
}

static int parse_backends(struct run_cli *cli, char *arg)
{
	const struct sb_backend *list[MAX_BACKENDS];
	int n = parse_backend_list("--backend", arg, list, MAX_BACKENDS);
	for (int i = 0; i < n; i++)
		if (add_pair(cli, list[i], list[i]))
			return SB_ERR_USAGE;
	return n < 0 ? n : 0;
}

/* "all", or pairs "client/server" separated by commas. */
static int parse_pairs(struct run_cli *cli, char *arg)
{
	if (strcasecmp(arg, "all") == 0) {
		const struct sb_backend *list[8];
		size_t n = all_backends(list, 8);
		for (size_t c = 0; c < n; c++)
			for (size_t s = 0; s < n; s++)
				if (add_pair(cli, list[c], list[s]))
					return SB_ERR_USAGE;
		return 0;
	}
	char *items[MAX_PAIRS];
	int n = sb_cli_split(arg, items, MAX_PAIRS);
	for (int i = 0; i < n; i++) {
		char *slash = strchr(items[i], '/');
		if (!slash) {
			n = -1;
			break;
		}
		*slash = '\0';
		const struct sb_backend *client =
		    find_backend("--pairs", items[i]);
		const struct sb_backend *server =
		    client ? find_backend("--pairs", slash + 1) : NULL;
		if (!server || add_pair(cli, client, server))
			return SB_ERR_USAGE;
	}
	if (n < 0) {
		sb_cli_error("--pairs: expected 'all' or client/server pairs "
		             "such as openssl/mbedtls, comma-separated");
		return SB_ERR_USAGE;
	}
	return 0;
}

static int parse_protocols(struct run_cli *cli, char *arg)
{
	char *names[SB_PROTO_TLS13 + 1];
	int n = sb_cli_split(arg, names, SB_PROTO_TLS13 + 1);
	memset(cli->protocols, 0, sizeof(cli->protocols));
	for (int i = 0; i < n; i++) {
		int found = -1;
		for (int p = SB_PROTO_DTLS12; p <= SB_PROTO_TLS13; p++)
			if (strcasecmp(names[i], sb_protocol_name(
			                             (enum sb_protocol)p)) == 0)
				found = p;
		if (strcasecmp(names[i], "dtls") == 0)
			found = SB_PROTO_DTLS12;
		else if (strcasecmp(names[i], "tls") == 0)
			found = SB_PROTO_TLS12;
		if (found < 0) {
			n = -1;
			break;
		}
		if (cli->protocols[found])
			sb_cli_note("--protocol names %s twice; it runs "
			            "once",
			            sb_protocol_name((enum sb_protocol)found));
		cli->protocols[found] = true;
	}
	if (n < 0) {
		sb_cli_error("--protocol: expected dtls1.2, tls1.2, dtls1.3 "
		             "or tls1.3, comma-separated");
		return SB_ERR_USAGE;
	}
	return 0;
}

/* --client and --server pair every client with every server; a side not
 * given means every backend of this build. */
static int pair_clients_with_servers(struct run_cli *cli)
{
	if (cli->client_count == 0 && cli->server_count == 0)
		return 0;
	if (cli->client_count == 0)
		cli->client_count = all_backends(cli->clients, 8);
	if (cli->server_count == 0)
		cli->server_count = all_backends(cli->servers, 8);
	for (size_t c = 0; c < cli->client_count; c++)
		for (size_t s = 0; s < cli->server_count; s++)
			if (add_pair(cli, cli->clients[c], cli->servers[s]))
				return SB_ERR_USAGE;
	return 0;
}

static int parse_suites(struct run_cli *cli, char *arg)
{
	size_t cap = sizeof(cli->suites) / sizeof(cli->suites[0]);
	int n = sb_cli_suites(arg, cli->suites, cap);
	if (n < 0)
		return n;
	cli->suite_count = (size_t)n;
	/* Suites asked for by name or 'all' include the web suites. */
	if (!cli->kx_given)
		cli->kx_wanted[SB_KX_ECDHE_RSA] = true;
	return 0;
}

static int parse_kx(struct run_cli *cli, char *arg)
{
	char *names[SB_KX_COUNT];
	int n = sb_cli_split(arg, names, SB_KX_COUNT);
	if (n < 0) {
		sb_cli_error("--kx: expected psk, ecdhe-psk, ecdhe-ecdsa or "
		             "ecdhe-rsa, comma-separated");
		return SB_ERR_USAGE;
	}
	memset(cli->kx_wanted, 0, sizeof(cli->kx_wanted));
	cli->kx_given = true;
	for (int i = 0; i < n; i++) {
		int kx = sb_kx_find(names[i]);
		if (kx < 0) {
			sb_cli_error("--kx: unknown key exchange '%s' (psk, "
			             "ecdhe-psk, ecdhe-ecdsa, ecdhe-rsa)",
			             names[i]);
			return SB_ERR_USAGE;
		}
		if (cli->kx_wanted[kx])
			sb_cli_note("--kx names %s twice", names[i]);
		cli->kx_wanted[kx] = true;
	}
	return 0;
}

static int parse_payloads(struct run_cli *cli, char *arg)
{
	char *items[SB_PAYLOADS_MAX_COUNT];
	int n = sb_cli_split(arg, items, SB_PAYLOADS_MAX_COUNT);
	if (n < 0) {
		sb_cli_error(
		    "--payload: expected at most %d sizes, comma-separated",
		    SB_PAYLOADS_MAX_COUNT);
		return SB_ERR_USAGE;
	}
	size_t count = 0;
	for (int i = 0; i < n; i++) {
		unsigned long v = SB_PAYLOAD_MAX;
		bool seen = false;
		if (strcasecmp(items[i], "max") != 0 &&
		    sb_cli_number("--payload", items[i], 1, SB_LINK_MAX_MTU,
		                  &v))
			return SB_ERR_USAGE;
		if (v > SB_WIRE_PLAINTEXT_MAX) {
			sb_cli_error("--payload: %lu bytes is more than one "
			             "record carries (at most %d, 2^14: RFC "
			             "5246 6.2.1)",
			             v, SB_WIRE_PLAINTEXT_MAX);
			return SB_ERR_USAGE;
		}
		for (size_t k = 0; k < count; k++)
			seen |= cli->options.payloads[k] == v;
		if (seen)
			sb_cli_note("--payload lists %s twice; it runs "
			            "once",
			            v == SB_PAYLOAD_MAX ? "max" : items[i]);
		else
			cli->options.payloads[count++] = v;
	}
	cli->options.payload_count = count;
	return 0;
}

/* A decimal as people write it -- digits, point, exponent -- and
 * finite: no hex, no "inf" or "nan", no spaces (strtod takes them all). */
static bool parse_decimal(const char *text, double *out)
{
	char *end = NULL;
	if (!text[0] || strspn(text, "0123456789.eE+-") != strlen(text))
		return false;
	errno = 0;
	*out = strtod(text, &end);
	return end != text && !*end && errno != ERANGE;
}

/* --loss/--duplicate/--reorder: probabilities in [0, 1), comma-separated;
 * a value given twice (as 0.1 and 0.10 too) is kept once. */
static int parse_fault_list(struct run_cli *cli, int opt, char *arg)
{
	static const char *const names[3] = {"--loss", "--duplicate",
	                                     "--reorder"};
	int kind = opt == 'F' ? 0 : opt == 'G' ? 1 : 2;
	char *items[MAX_LIST];
	size_t count = 0;
	int n = sb_cli_split(arg, items, MAX_LIST);
	for (int i = 0; i < n; i++) {
		double p = 0;
		bool seen = false;
		if (!parse_decimal(items[i], &p) || !(p >= 0 && p < 1)) {
			n = -1;
			break;
		}
		for (size_t k = 0; k < count; k++)
			seen |= cli->faults[kind][k] == p;
		if (seen)
			sb_cli_note("%s lists %s twice; it runs once",
			            names[kind], items[i]);
		else
			cli->faults[kind][count++] = p;
	}
	if (n < 0) {
		sb_cli_error("%s: expected probabilities from 0 to below 1, "
		             "comma-separated (at most %d)",
		             names[kind], MAX_LIST);
		return SB_ERR_USAGE;
	}
	cli->fault_count[kind] = count;
	return 0;
}

static int parse_counter(struct run_cli *cli, const char *arg)
{
	if (strcasecmp(arg, "instructions") == 0)
		cli->options.count_instructions = true;
	else if (strcasecmp(arg, "cycles") == 0)
		cli->options.count_instructions = false;
	else {
		sb_cli_error(
		    "--counter: expected cycles or instructions, not '%s'",
		    arg);
		return SB_ERR_USAGE;
	}
	return 0;
}

/* --auth: X.509 certificates or raw public keys. */
static int parse_auth(struct run_cli *cli, const char *arg)
{
	if (strcasecmp(arg, "cert") == 0)
		cli->options.auth = SB_AUTH_CERT;
	else if (strcasecmp(arg, "rpk") == 0)
		cli->options.auth = SB_AUTH_RPK;
	else {
		sb_cli_error("--auth: expected cert or rpk, not '%s'", arg);
		return SB_ERR_USAGE;
	}
	return 0;
}

static int parse_impl(struct run_cli *cli, const char *arg)
{
	if (strcasecmp(arg, "ct") == 0)
		cli->options.impl = SB_IMPL_PORTABLE;
	else if (strcasecmp(arg, "native") == 0)
		cli->options.impl = SB_IMPL_NATIVE;
	else {
		sb_cli_error("--bearssl-impl: expected ct or native, not '%s'",
		             arg);
		return SB_ERR_USAGE;
	}
	return 0;
}

/* --mtu: one MTU, or a list to sweep; an MTU given twice runs once. */
static int parse_mtus(struct run_cli *cli, char *arg)
{
	char *items[MAX_LIST];
	size_t count = 0;
	int n = sb_cli_split(arg, items, MAX_LIST);
	if (n < 0) {
		sb_cli_error("--mtu: expected at most %d sizes, "
		             "comma-separated",
		             MAX_LIST);
		return SB_ERR_USAGE;
	}
	for (int i = 0; i < n; i++) {
		unsigned long v;
		bool seen = false;
		if (sb_cli_number("--mtu", items[i], SB_LINK_MIN_MTU,
		                  SB_LINK_MAX_MTU, &v))
			return SB_ERR_USAGE;
		for (size_t k = 0; k < count; k++)
			seen |= cli->mtus[k] == v;
		if (seen)
			sb_cli_note("--mtu lists %lu twice; it runs once", v);
		else
			cli->mtus[count++] = v;
	}
	cli->mtu_count = count;
	cli->options.mtu = cli->mtus[0];
	return 0;
}

/* A percentage such as 1 or 0.5. */
static int parse_precision(struct run_cli *cli, const char *arg)
{
	double v = 0;
	if (!parse_decimal(arg, &v) || !(v > 0 && v <= 100)) {
		sb_cli_error(
		    "--precision: '%s' is not a percentage above 0 and "
		    "at most 100",
		    arg);
		return SB_ERR_USAGE;
	}
	cli->options.precision = v / 100;
	return 0;
}

static int parse_number_option(int opt, char *arg, struct run_cli *cli)
{
	unsigned long v = 0;
	struct sb_run_options *o = &cli->options;
	switch (opt) {
	case 'r':
		if (sb_cli_number("--reps", arg, 1, 1000000, &v))
			return SB_ERR_USAGE;
		o->reps = (unsigned)v;
		return 0;
	case 'w':
		if (sb_cli_number("--warmup", arg, 1, 1000000, &v))
			return SB_ERR_USAGE;
		o->warmup = (unsigned)v;
		return 0;
	case 'x':
		if (sb_cli_number("--max-reps", arg, 1, 10000000, &v))
			return SB_ERR_USAGE;
		o->max_reps = (unsigned)v;
		cli->max_reps_given = true;
		return 0;
	case 'B':
		if (sb_cli_number("--budget", arg, 0, 86400, &v))
			return SB_ERR_USAGE;
		o->budget_s = (double)v;
		return 0;
	case 'u':
		if (sb_cli_number("--cpu", arg, 0, 4095, &v))
			return SB_ERR_USAGE;
		cli->cpu = (long)v;
		return 0;
	case 'O':
		if (sb_cli_number("--stack-offset", arg, 0, SB_LAYOUT_PAGE - 1,
		                  &v))
			return SB_ERR_USAGE;
		if (!sb_layout_offset_valid((unsigned)v)) {
			sb_cli_error("--stack-offset %s: not a multiple of %u",
			             arg, SB_LAYOUT_ALIGN);
			return SB_ERR_USAGE;
		}
		o->stack_offset = (unsigned)v;
		return 0;
	case 'E':
		if (sb_cli_number("--seed", arg, 0, ULONG_MAX, &v))
			return SB_ERR_USAGE;
		o->seed = v;
		return 0;
	case 'Y':
		if (sb_cli_number("--layouts", arg, 1, SB_LAYOUTS_MAX, &v))
			return SB_ERR_USAGE;
		o->layouts = (unsigned)v;
		return 0;
	case 'J':
		/* RFC 9146 3 and RFC 9147 9: a CID is at most 255 bytes;
		 * 20 is QUIC's limit and plenty here (a library allowing less
		 * says unsupported). */
		if (sb_cli_number("--cid", arg, 0, 20, &v))
			return SB_ERR_USAGE;
		o->cid_len = v;
		return 0;
	default: /* 'm' */
		return parse_mtus(cli, arg);
	}
}

static void set_defaults(struct run_cli *cli)
{
	static const size_t payloads[] = {16, 64, 256, 1024, SB_PAYLOAD_MAX};
	memset(cli, 0, sizeof(*cli));
	cli->protocols[SB_PROTO_DTLS12] = true;
	cli->protocols[SB_PROTO_TLS12] = true;
	for (size_t s = 0; s < sb_suites_count; s++)
		cli->suites[cli->suite_count++] = &sb_suites[s];
	/* The web suites (ECDHE-RSA) are for contrast, and the default run
	 * already takes minutes: they run when --suite or --kx asks. */
	memset(cli->kx_wanted, 1, sizeof(cli->kx_wanted));
	cli->kx_wanted[SB_KX_ECDHE_RSA] = false;
	cli->options.mtu = SB_LINK_DEFAULT_MTU;
	cli->options.cookie = true;
	cli->options.reps = 20;
	cli->options.warmup = 3;
	cli->options.max_reps = 1000;
	cli->options.precision = 0.01;
	cli->options.budget_s = 3;
	cli->options.seed = 1;
	cli->options.layouts = RUN_LAYOUTS_DEFAULT;
	cli->cpu = -1;
	cli->options.stack_offset = SB_LAYOUT_DEFAULT_OFFSET;
	cli->processes = 1;
	memcpy(cli->options.payloads, payloads, sizeof(payloads));
	cli->options.payload_count = sizeof(payloads) / sizeof(payloads[0]);
	cli->credentials_dir = sb_credentials_default_dir();
}

/* Long options without a letter of their own. */
enum {
	OPT_HEAP_PASS = 1000,
	OPT_TIMING_PASS,
	OPT_PROCESSES,
	OPT_RANDOM_LAYOUT,
	OPT_HEAP_LAYOUT
};

/* --reps is the least, --max-reps the most: a --reps above the default
 * --max-reps raises it, above a --max-reps given it is a contradiction. */
static int check_reps(struct run_cli *cli)
{
	struct sb_run_options *o = &cli->options;
	if (o->reps <= o->max_reps)
		return 0;
	if (!cli->max_reps_given) {
		o->max_reps = o->reps;
		return 0;
	}
	sb_cli_error("--max-reps %u is below --reps %u: at least %u and at "
	             "most %u repetitions cannot both hold",
	             o->max_reps, o->reps, o->reps, o->max_reps);
	return SB_ERR_USAGE;
}

/* Returns 0 to run, 1 after --help, or SB_ERR_USAGE. */
static int parse_run_args(int argc, char **argv, struct run_cli *cli)
{
	static const struct option longopts[] = {
	    {"backend", required_argument, NULL, 'b'},
	    {"client", required_argument, NULL, 'L'},
	    {"server", required_argument, NULL, 'S'},
	    {"pairs", required_argument, NULL, 'P'},
	    {"protocol", required_argument, NULL, 't'},
	    {"suite", required_argument, NULL, 's'},
	    {"kx", required_argument, NULL, 'k'},
	    {"payload", required_argument, NULL, 'p'},
	    {"reps", required_argument, NULL, 'r'},
	    {"max-reps", required_argument, NULL, 'x'},
	    {"precision", required_argument, NULL, 'R'},
	    {"budget", required_argument, NULL, 'B'},
	    {"cpu", required_argument, NULL, 'u'},
	    {"stack-offset", required_argument, NULL, 'O'},
	    {"raw", required_argument, NULL, 'W'},
	    {"trace", no_argument, NULL, 'T'},
	    {"loss", required_argument, NULL, 'F'},
	    {"duplicate", required_argument, NULL, 'G'},
	    {"reorder", required_argument, NULL, 'H'},
	    {"pcap", required_argument, NULL, 'A'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"no-cookie", no_argument, NULL, 'C'},
	    {"mutual", no_argument, NULL, 'M'},
	    {"auth", required_argument, NULL, 'Z'},
	    {"cid", required_argument, NULL, 'J'},
	    {"layouts", required_argument, NULL, 'Y'},
	    {"bearssl-impl", required_argument, NULL, 'I'},
	    {"deterministic", no_argument, NULL, 'D'},
	    {"no-transcript", no_argument, NULL, 'X'},
	    {"counter", required_argument, NULL, 'K'},
	    {"seed", required_argument, NULL, 'E'},
	    {"credentials", required_argument, NULL, 'c'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"processes", required_argument, NULL, OPT_PROCESSES},
	    {"random-layout", no_argument, NULL, OPT_RANDOM_LAYOUT},
	    {"heap-layout", required_argument, NULL, OPT_HEAP_LAYOUT},
	    {SB_PASS_HEAP_OPTION + 2, required_argument, NULL, OPT_HEAP_PASS},
	    {SB_PASS_TIMING_OPTION + 2, required_argument, NULL,
	     OPT_TIMING_PASS},
	    {NULL, 0, NULL, 0},
	};
	int opt, rc = 0, n;
	bool reps_given = false;
	set_defaults(cli);
	/* A pass of its own (timing, heap, callgrind) re-parses the command
	 * line that its first process already noted on. */
	if (getenv(SB_HEAP_HOOKS_ENV) || sb_callgrind_active())
		sb_cli_notes_off();
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			rc = parse_backends(cli, optarg);
			break;
		case 'P':
			rc = parse_pairs(cli, optarg);
			break;
		case 't':
			rc = parse_protocols(cli, optarg);
			break;
		case 'L':
			n = parse_backend_list("--client", optarg, cli->clients,
			                       8);
			rc = n < 0 ? n : 0;
			cli->client_count = n < 0 ? 0 : (size_t)n;
			break;
		case 'S':
			n = parse_backend_list("--server", optarg, cli->servers,
			                       8);
			rc = n < 0 ? n : 0;
			cli->server_count = n < 0 ? 0 : (size_t)n;
			break;
		case 's':
			rc = parse_suites(cli, optarg);
			break;
		case 'k':
			rc = parse_kx(cli, optarg);
			break;
		case 'p':
			rc = parse_payloads(cli, optarg);
			break;
		case 'r':
			reps_given = true;
			rc = parse_number_option(opt, optarg, cli);
			break;
		case 'w':
		case 'x':
		case 'B':
		case 'u':
		case 'O':
		case 'E':
		case 'J':
		case 'Y':
		case 'm':
			rc = parse_number_option(opt, optarg, cli);
			break;
		case 'R':
			rc = parse_precision(cli, optarg);
			break;
		case 'T':
			cli->trace = true;
			break;
		case 'F':
		case 'G':
		case 'H':
			rc = parse_fault_list(cli, opt, optarg);
			break;
		case 'A':
			cli->pcap = optarg;
			break;
		case 'W':
			cli->raw = optarg;
			break;
		case 'C':
			cli->options.cookie = false;
			break;
		case 'M':
			cli->options.mutual = true;
			break;
		case 'Z':
			rc = parse_auth(cli, optarg);
			break;
		case 'I':
			rc = parse_impl(cli, optarg);
			break;
		case 'D':
			cli->options.deterministic = true;
			break;
		case 'X':
			cli->options.no_transcript = true;
			break;
		case 'K':
			rc = parse_counter(cli, optarg);
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
		case OPT_HEAP_PASS:
			cli->heap_pass = optarg;
			break;
		case OPT_TIMING_PASS:
			cli->timing_pass = optarg;
			break;
		case OPT_PROCESSES: {
			unsigned long v;
			rc = sb_cli_number("--processes", optarg, 1,
			                   SB_PASS_MAX_PROCESSES, &v);
			cli->processes = (unsigned)v;
			break;
		}
		case OPT_RANDOM_LAYOUT:
			cli->random_layout = true;
			break;
		case OPT_HEAP_LAYOUT: {
			unsigned long v;
			rc = sb_cli_number("--heap-layout", optarg, 0,
			                   UINT32_MAX, &v);
			cli->options.heap_layout = v;
			break;
		}
		case 'h':
			run_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("run: %s needs a value", argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error(
			    "run: unknown option '%s' (try 'suitebench "
			    "run --help')",
			    argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	if (rc == 0 && optind < argc) {
		sb_cli_error("run: unexpected argument '%s'", argv[optind]);
		return SB_ERR_USAGE;
	}
	if (rc == 0)
		rc = pair_clients_with_servers(cli);
	/* Counts are exact: no precision to chase, and fewer repetitions do. */
	if (cli->options.count_instructions) {
		cli->options.budget_s = 0;
		if (!reps_given)
			cli->options.reps = 3;
	}
	if (rc == 0 && cli->pair_count == 0) {
		/* Default: every backend against itself. */
		const struct sb_backend *list[8];
		size_t n_all = all_backends(list, 8);
		for (size_t i = 0; i < n_all && rc == 0; i++)
			rc = add_pair(cli, list[i], list[i]);
	}
	if (rc == 0 && cli->pair_count == 0) {
		sb_cli_error("run: this build has no backend");
		return SB_ERR_USAGE;
	}
	return rc ? rc : check_reps(cli);
}

/* ---- running ----------------------------------------------------------- */

static bool faults_given(const struct run_cli *cli)
{
	return cli->fault_count[0] || cli->fault_count[1] ||
	       cli->fault_count[2];
}

/* The shortest decimal that reads back as exactly `v`: 0.1, not
 * 0.10000000000000001; 0.1234567 and 0.1234568 stay apart. */
static void shortest_exact(double v, char *buf, size_t len)
{
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Every combination of the swept MTUs and fault probabilities, each with
 * its exact label.  Returns the count, or SB_ERR_USAGE when there are more
 * than `cap`. */
static int build_conditions(const struct run_cli *cli,
                            struct sb_conditions *out, size_t cap)
{
	static const char *const names[3] = {"loss", "duplicate", "reorder"};
	size_t counts[4] = {cli->mtu_count, cli->fault_count[0],
	                    cli->fault_count[1], cli->fault_count[2]};
	size_t total = 1;
	for (int k = 0; k < 4; k++)
		total *= counts[k] ? counts[k] : 1;
	if (total > cap) {
		sb_cli_error("run: --mtu, --loss, --duplicate and --reorder "
		             "give %zu combinations; at most %zu run at once",
		             total, cap);
		return SB_ERR_USAGE;
	}
	for (size_t i = 0; i < total; i++) {
		struct sb_conditions *c = &out[i];
		size_t rest = i, pick[4];
		int at = 0;
		*c = (struct sb_conditions){.faulty = faults_given(cli)};
		for (int k = 0; k < 4; k++) {
			size_t size = counts[k] ? counts[k] : 1;
			pick[k] = rest % size;
			rest /= size;
		}
		if (cli->mtu_count) {
			c->mtu = cli->mtus[pick[0]];
			at = snprintf(c->label, sizeof(c->label), "mtu=%zu",
			              c->mtu);
		}
		double *p[3] = {&c->faults.loss, &c->faults.duplicate,
		                &c->faults.reorder};
		for (int k = 0; k < 3; k++) {
			char value[32];
			if (!cli->fault_count[k])
				continue;
			*p[k] = cli->faults[k][pick[k + 1]];
			shortest_exact(*p[k], value, sizeof(value));
			at += snprintf(c->label + at,
			               sizeof(c->label) - (size_t)at, "%s%s=%s",
			               at ? "," : "", names[k], value);
		}
		/* The label is a key: cut, two conditions could share it. */
		if (at < 0 || (size_t)at >= sizeof(c->label)) {
			sb_cli_error("run: a condition label does not fit %zu "
			             "bytes",
			             sizeof(c->label));
			return SB_ERR_USAGE;
		}
	}
	return (int)total;
}

/* Every scenario the options name, into `out`.  Returns 0 with the count
 * in `*count`, or SB_ERR_USAGE after one line when there is none or more
 * than `cap` -- never a silently shortened list. */
static int build_scenarios(const struct run_cli *cli, struct sb_scenario *out,
                           size_t cap, size_t *count)
{
	static struct sb_conditions conditions[MAX_CONDITIONS];
	int nc = build_conditions(cli, conditions, MAX_CONDITIONS);
	if (nc < 0)
		return SB_ERR_USAGE;
	size_t n = 0;
	for (size_t p = 0; p < cli->pair_count; p++)
		for (int proto = SB_PROTO_DTLS12; proto <= SB_PROTO_TLS13;
		     proto++)
			for (size_t s = 0; s < cli->suite_count; s++)
				for (size_t c = 0; c < (size_t)nc; c++) {
					/* Faults are a datagram path's: TLS's
					 * stream is reliable.  A 1.3 suite in a
					 * 1.2 protocol (or the reverse) is no
					 * scenario at all. */
					enum sb_protocol pr =
					    (enum sb_protocol)proto;
					if (!cli->protocols[proto] ||
					    !cli->kx_wanted[cli->suites[s]
					                        ->kx] ||
					    cli->suites[s]->tls13 !=
					        sb_protocol_is_13(pr) ||
					    (conditions[c].faulty &&
					     !sb_protocol_is_dtls(pr)))
						continue;
					if (n < cap)
						out[n] = (struct sb_scenario){
						    .client =
						        cli->pairs[p].client,
						    .server =
						        cli->pairs[p].server,
						    .protocol =
						        (enum sb_protocol)proto,
						    .suite = cli->suites[s],
						    .conditions = conditions[c],
						};
					n++;
				}
	*count = n;
	if (n > cap) {
		sb_cli_error("run: these options give %zu scenarios; at most "
		             "%zu run at once (narrow --pairs, --suite, "
		             "--mtu or the fault lists)",
		             n, cap);
		return SB_ERR_USAGE;
	}
	if (n == 0 && faults_given(cli) && !cli->protocols[SB_PROTO_DTLS12] &&
	    !cli->protocols[SB_PROTO_DTLS13])
		sb_cli_error("run: no scenario: --loss, --duplicate and "
		             "--reorder apply to DTLS only");
	else if (n == 0)
		sb_cli_error(
		    "run: no scenario matches the --suite and --kx given");
	return n ? 0 : SB_ERR_USAGE;
}

/* Progress on stderr: each scenario as it is verified, then the rounds
 * (about every two seconds, and every repeated one). */
struct run_progress {
	const struct run_cli *cli;
	uint64_t last_ns;
};

static void progress_began(void *ctx, size_t index, size_t count,
                           const struct sb_scenario *sc, const char *status)
{
	(void)ctx;
	fprintf(stderr, "[%zu/%zu] %s/%s %s %s %s: %s\n", index + 1, count,
	        sc->client->name, sc->server->name,
	        sb_protocol_name(sc->protocol), sc->suite->short_name,
	        sc->conditions.label, status);
}

static void progress_round(void *ctx, enum sb_phase phase, unsigned round,
                           size_t active, double slowdown, bool repeated)
{
	struct run_progress *p = ctx;
	uint64_t now = sb_cycles_monotonic_ns();
	if (!repeated && now - p->last_ns < 2000000000u)
		return;
	p->last_ns = now;
	fprintf(stderr,
	        "%s round %u: %zu scenarios measuring, speed probe %+.1f "
	        "%%%s\n",
	        phase == SB_PHASE_HANDSHAKES ? "handshake" : "record", round,
	        active, 100 * slowdown,
	        repeated ? ": slowed, measured again" : "");
}

static int run_all(const struct run_cli *cli, const struct sb_scenario *sc,
                   size_t count, struct sb_results *results,
                   struct sb_schedule_report *report)
{
	struct run_progress p = {.cli = cli,
	                         .last_ns = sb_cycles_monotonic_ns()};
	struct sb_schedule_progress progress = {
	    .ctx = &p, .began = progress_began, .round = progress_round};
	uint64_t t0 = sb_cycles_monotonic_ns();
	int rc =
	    sb_schedule_run(sc, count, &cli->options,
	                    cli->quiet ? NULL : &progress, results, report);
	if (rc == SB_ERR_NOMEM)
		sb_cli_error("out of memory");
	if (rc) /* a failure, not an unwritable output (exit 1) */
		return SB_ERR_NOMEM;
	if (!cli->quiet)
		fprintf(stderr,
		        "%u interleaved rounds (%u of handshakes, then %u of "
		        "record loops) in %.1f s; %u of %u stretches between "
		        "speed probes slowed by more than %.0f %% measured "
		        "again, %u kept\n",
		        report->rounds,
		        report->phase_rounds[SB_PHASE_HANDSHAKES],
		        report->phase_rounds[SB_PHASE_RECORDS],
		        (double)(sb_cycles_monotonic_ns() - t0) / 1e9,
		        report->repeated, report->stretches + report->repeated,
		        100 * report->threshold, report->slowed_kept);
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of the medians of ok rows matching (library on `side`, or
 * any side for "both"; metric; payload); 0 when there are none. */
static double rows_median(const struct sb_results *r, const char *library,
                          const char *side, const char *metric, long payload)
{
	double *v = sb_mem_calloc(r->count + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; v && i < r->count; i++) {
		const struct sb_row *row = &r->rows[i];
		bool both = strcmp(side, "both") == 0;
		const char *lib =
		    strcmp(side, "server") == 0 ? row->server : row->client;
		bool involved = both ? strcmp(row->client, library) == 0 ||
		                           strcmp(row->server, library) == 0
		                     : strcmp(lib, library) == 0;
		if (row->status == SB_ROW_OK && row->payload == payload &&
		    involved && strcmp(row->side, side) == 0 &&
		    strcmp(row->metric, metric) == 0)
			v[n++] = row->stats.median;
	}
	double m = 0;
	if (n > 0) {
		qsort(v, n, sizeof(*v), by_value);
		m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	sb_mem_free(v);
	return m;
}

/*
 * What remains of the harness, per library and payload: the link's cost
 * per record (measured alone, sb_harness_record_cycles: the send inside a
 * timed write, the receive inside a timed read) beside the library's own
 * client encrypt + server decrypt of that payload.
 */
static void provenance_harness(FILE *f, const struct sb_results *r,
                               const struct sb_run_options *o)
{
	for (size_t b = 0; sb_backends[b]; b++) {
		const char *lib = sb_backends[b]->name;
		for (size_t i = 0; i < o->payload_count; i++) {
			long p = (long)o->payloads[i];
			if (o->payloads[i] == SB_PAYLOAD_MAX)
				continue;
			double link =
			    rows_median(r, lib, "both", "harness_cycles", p);
			double enc =
			    rows_median(r, lib, "client", "encrypt_cycles", p);
			double dec =
			    rows_median(r, lib, "server", "decrypt_cycles", p);
			if (link <= 0 || enc + dec <= 0)
				continue;
			char key[64];
			snprintf(key, sizeof(key), "harness.%s.%ld", lib, p);
			sb_provenance_line(
			    f, key,
			    "%.1f cycles per record through the link (send + "
			    "receive, the same code for every library) = "
			    "%.1f %% of %s's client encrypt + server decrypt "
			    "(%.0f + %.0f)",
			    link, 100 * link / (enc + dec), lib, enc, dec);
		}
	}
}

static void write_provenance(FILE *f, int argc, char **argv,
                             const struct run_cli *cli,
                             const struct sb_cycles_info *cycles,
                             const struct machine_check *m)
{
	const struct sb_run_options *o = &cli->options;
	sb_provenance_write_common(f, argc, argv, cycles);
	sb_provenance_line(f, "load_average", "%.2f at start", m->load_before);
	/* What shapes the figures of a row beyond its key (fingerprint). */
	char seed[32] = "random";
	if (o->deterministic)
		snprintf(seed, sizeof(seed), "%llu",
		         (unsigned long long)o->seed);
	/* Raw public keys and CIDs only when asked for: runs without them
	 * keep the fingerprint they always had. */
	char extra[48] = "";
	if (o->auth == SB_AUTH_RPK || o->cid_len > 0)
		snprintf(extra, sizeof(extra), " auth=%s cid=%zu",
		         o->auth == SB_AUTH_RPK ? "rpk" : "cert", o->cid_len);
	sb_provenance_line(
	    f, "options",
	    "mtu=%zu cookie=%s mutual=%s impl=%s seed=%s counter=%s%s", o->mtu,
	    o->cookie ? "on" : "off", o->mutual ? "on" : "off",
	    o->impl == SB_IMPL_NATIVE ? "native" : "portable", seed,
	    o->count_instructions ? "instructions" : "cycles", extra);
	if (o->count_instructions) {
		char seen[256];
		const char *native = getenv(SB_CALLGRIND_NATIVE_ENV);
		sb_callgrind_cpu_features(seen, sizeof(seen));
		sb_provenance_line(
		    f, "counter",
		    "instructions, counted by valgrind's callgrind "
		    "around each measured region; timing metrics "
		    "left out");
		sb_provenance_line(f, "cpu_features_native", "%s",
		                   native ? native : "unknown");
		sb_provenance_line(f, "cpu_features_under_valgrind",
		                   "%s (what the libraries saw: code paths may "
		                   "differ from a native run)",
		                   seen);
	} else {
		sb_provenance_line(f, "counter", "cycles (TSC)");
	}
	sb_provenance_line(f, "passes",
	                   "%s in a process with no heap accounting (no "
	                   "allocator hooks, no tallies); heap figures from a "
	                   "pass of their own (same scenarios, same "
	                   "verification, a child process)",
	                   o->count_instructions ? "instructions" : "cycles");
	double drift =
	    m->probe_before
	        ? 100.0 * ((double)m->probe_after - (double)m->probe_before) /
	              (double)m->probe_before
	        : 0;
	sb_provenance_line(f, "speed_probe",
	                   "%llu cycles at start, %llu at end (%+.1f %%; a "
	                   "change means the CPU's speed or share changed)",
	                   (unsigned long long)m->probe_before,
	                   (unsigned long long)m->probe_after, drift);
	/* How slowed rounds were handled: not at all under callgrind. */
	char slowed[320];
	if (o->count_instructions)
		snprintf(slowed, sizeof(slowed),
		         "instruction counts do not move with the machine's "
		         "speed: no round probed or measured again");
	else
		snprintf(
		    slowed, sizeof(slowed),
		    "a quick speed probe every %u ms of rounds or so: %u "
		    "of %u stretches between probes slowed by more than "
		    "%.0f %% (against the fastest probe, %llu cycles) "
		    "measured again, %u kept; worst probe %+.1f %%",
		    SB_SCHEDULE_STRETCH_NS / 1000000u, m->schedule.repeated,
		    m->schedule.stretches + m->schedule.repeated,
		    100 * m->schedule.threshold,
		    (unsigned long long)m->schedule.probe_best,
		    m->schedule.slowed_kept, 100 * m->schedule.worst_slowdown);
	sb_provenance_line(f, "interleaving",
	                   "%u rounds (%u of handshakes, then %u of record "
	                   "loops), scenarios in a seeded random order each "
	                   "round (seed %llu); %s",
	                   m->schedule.rounds,
	                   m->schedule.phase_rounds[SB_PHASE_HANDSHAKES],
	                   m->schedule.phase_rounds[SB_PHASE_RECORDS],
	                   (unsigned long long)o->seed, slowed);
	const struct sb_consistency *c = &m->consistency;
	sb_provenance_line(
	    f, "consistency",
	    "%zu operations (library, side, protocol, AEAD, payload) measured "
	    "in several scenarios disagree by %.1f %% at the median, %.1f %% "
	    "at worst; %zu rows beyond %.0f %% marked",
	    c->count, 100 * c->median_spread,
	    c->count ? 100 * c->ops[0].spread : 0.0, c->marked,
	    100 * SB_CONSISTENCY_THRESHOLD);
	for (size_t i = 0; i < c->count; i++) {
		const struct sb_consistency_op *op = &c->ops[i];
		char key[256];
		snprintf(key, sizeof(key), "consistency.%s.%s.%s.%s.%ld.%s%s%s",
		         op->library, op->side, op->protocol, op->aead,
		         op->payload, op->metric, op->conditions[0] ? "." : "",
		         op->conditions);
		char lo[40], hi[40];
		sb_results_format_number(op->min, lo, sizeof(lo));
		sb_results_format_number(op->max, hi, sizeof(hi));
		sb_provenance_line(
		    f, key, "%.1f %% over %zu scenarios (medians %s to %s)",
		    100 * op->spread, op->scenarios, lo, hi);
	}
	if (m->processes > 1)
		sb_provenance_line(
		    f, "processes",
		    "%u timing processes, one after another; each timing row "
		    "is the median process's; over %zu rows the processes' "
		    "medians were %.1f %% apart at the median, %.1f %% at "
		    "worst",
		    m->processes, m->process_rows, 100 * m->process_median,
		    100 * m->process_worst);
	else
		sb_provenance_line(f, "processes", "1 timing process");
	sb_provenance_line(f, "harness_cycles",
	                   "%.1f per 45-byte record sent and received through "
	                   "the link alone",
	                   m->harness_cycles);
	if (m->results)
		provenance_harness(f, m->results, o);
	if (sb_layout_anchors())
		sb_provenance_line(f, "stack_offset",
		                   "%u bytes into the page at every measured "
		                   "call's caller",
		                   o->stack_offset);
	else
		sb_provenance_line(f, "stack_offset",
		                   "none: a sanitizer build, the stack lies "
		                   "where the process put it");
	sb_provenance_line(f, "address_layout", "%s",
	                   sb_layout_addresses_text());
	if (o->heap_layout)
		sb_provenance_line(
		    f, "heap_layout",
		    "seed %lu: each scenario's process allocated "
		    "%u blocks of sizes drawn from it and freed "
		    "every other one before its first library call",
		    o->heap_layout, SB_HEAP_HISTORY_BLOCKS);
	else
		sb_provenance_line(
		    f, "heap_layout",
		    "none: each scenario's process started from the "
		    "heap the run's process left");
	if (cli->cpu >= 0)
		sb_provenance_line(f, "cpu_affinity", "pinned to CPU %ld",
		                   cli->cpu);
	else
		sb_provenance_line(f, "cpu_affinity", "not pinned");
	sb_provenance_line(f, "precision",
	                   "%.2f %% target, %u to %u reps, "
	                   "budget %.0f s per scenario",
	                   100 * o->precision, o->reps, o->max_reps,
	                   o->budget_s);
	sb_provenance_line(f, "mtu", "%zu", o->mtu);
	sb_provenance_line(f, "cookie_exchange", "%s",
	                   o->cookie ? "on" : "off");
	if (o->deterministic)
		sb_provenance_line(
		    f, "deterministic",
		    "seed %llu: every library's random generator "
		    "seeded, clocks virtual (NOT secure)",
		    (unsigned long long)o->seed);
	else
		sb_provenance_line(f, "deterministic",
		                   "no: libraries use their "
		                   "own random generators");
	sb_provenance_line(f, "mutual_auth", "%s", o->mutual ? "on" : "off");
	sb_provenance_line(f, "peer_auth", "%s",
	                   o->auth == SB_AUTH_RPK
	                       ? "raw public keys (RFC 7250), pinned"
	                       : "X.509 certificates");
	sb_provenance_line(f, "connection_id", "%zu bytes", o->cid_len);
	sb_provenance_line(f, "warmup", "%u", o->warmup);
	unsigned layouts = sb_run_layouts(o);
	if (layouts == 1)
		sb_provenance_line(f, "layouts",
		                   "1 records connection per scenario");
	else
		sb_provenance_line(
		    f, "layouts",
		    "%u records connections per scenario%s, each at its own "
		    "addresses, timed in turn round by round, each as many "
		    "times (the heap pass and instruction counts: 1)",
		    layouts,
		    layouts < o->layouts ? " (at most --max-reps)" : "");
	sb_provenance_line(f, "reps", "%u", o->reps);
	sb_provenance_line(f, "record_batch", "%d records per timed batch",
	                   SB_RECORD_BATCH);
	/* The test credentials by their place in the tree, not this
	 * machine's path: committed results carry no machine paths. */
	bool default_creds =
	    strcmp(cli->credentials_dir, sb_credentials_default_dir()) == 0;
	sb_provenance_line(f, "credentials", "%s",
	                   default_creds ? "suites/credentials (the tree's "
	                                   "test credentials)"
	                                 : cli->credentials_dir);
	for (size_t i = 0; sb_backends[i]; i++) {
		char key[48], text[256];
		if (!sb_backends[i]->describe_impl)
			continue;
		sb_backends[i]->describe_impl(o->impl, text, sizeof(text));
		snprintf(key, sizeof(key), "primitives_%s",
		         sb_backends[i]->name);
		sb_provenance_line(f, key, "%s", text);
	}
}

static int commit_outputs(struct sb_cli_outputs *out,
                          const struct sb_results *r, int argc, char **argv,
                          const struct run_cli *cli,
                          const struct sb_cycles_info *cycles,
                          const struct machine_check *machine)
{
	FILE *prov = sb_cli_outputs_provenance(out);
	if (prov)
		write_provenance(prov, argc, argv, cli, cycles, machine);
	return sb_cli_outputs_commit(out, r, cli->quiet);
}

static int load_credentials(const struct run_cli *cli,
                            struct sb_credential_set *creds)
{
	char msg[PATH_MAX + 128];
	if (sb_credentials_load(creds, cli->credentials_dir, msg,
	                        sizeof(msg))) {
		sb_cli_error("%s", msg);
		return SB_ERR_USAGE;
	}
	return 0;
}

/* The table shows record costs at the first numeric payload asked for. */
static long table_payload(const struct sb_run_options *o)
{
	for (size_t i = 0; i < o->payload_count; i++)
		if (o->payloads[i] != SB_PAYLOAD_MAX)
			return (long)o->payloads[i];
	return SB_NO_PAYLOAD;
}

/* Pin the process to one CPU, so the scheduler cannot move it mid-figure. */
static int pin_cpu(long cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		sb_cli_error("--cpu %ld: %s", cpu, strerror(errno));
		return SB_ERR_USAGE;
	}
	return 0;
}

static int by_warning_level(const void *a, const void *b)
{
	const struct sb_row *x = *(const struct sb_row *const *)a;
	const struct sb_row *y = *(const struct sb_row *const *)b;
	return (x->warning_level < y->warning_level) -
	       (x->warning_level > y->warning_level);
}

/* Figures with caveats, on stderr: the worst first, then one line with
 * the count and what to do about them. */
static void report_warnings(const struct sb_results *r)
{
	enum { SHOWN = 8 };
	const struct sb_row **flagged =
	    sb_mem_calloc(r->count + 1, sizeof(*flagged));
	size_t n = 0;
	for (size_t i = 0; flagged && i < r->count; i++)
		if (r->rows[i].warnings[0])
			flagged[n++] = &r->rows[i];
	if (flagged)
		qsort(flagged, n, sizeof(*flagged), by_warning_level);
	for (size_t i = 0; i < n && i < SHOWN; i++) {
		const struct sb_row *row = flagged[i];
		char payload[24] = "";
		if (row->payload != SB_NO_PAYLOAD)
			snprintf(payload, sizeof(payload), " %ld B",
			         row->payload);
		fprintf(stderr, "warning: %s/%s %s %s%s %s %s: %s\n",
		        row->client, row->server, row->protocol, row->suite,
		        payload, row->side, row->metric, row->warnings);
	}
	if (n > 0)
		fprintf(stderr,
		        "%zu of %zu figures have warnings (the worst %zu "
		        "above; all in the CSV's warnings column). Outliers "
		        "and imprecise medians come from a busy or shared "
		        "machine: rerun on an idle one, pin with --cpu, or "
		        "raise --budget/--max-reps.\n",
		        n, r->count, n < SHOWN ? n : (size_t)SHOWN);
	sb_mem_free(flagged);
}

/* The consistency report on stderr: the worst operations, and the
 * summary. */
static void report_consistency(const struct sb_consistency *c)
{
	if (c->count == 0) {
		fprintf(stderr, "consistency: no operation was measured in "
		                "more than one scenario\n");
		return;
	}
	for (size_t i = 0; i < c->count && i < 5; i++) {
		char name[160];
		sb_consistency_op_name(&c->ops[i], name, sizeof(name));
		fprintf(stderr,
		        "consistency: %s: %.1f %% between %zu scenarios "
		        "(%.0f to %.0f)\n",
		        name, 100 * c->ops[i].spread, c->ops[i].scenarios,
		        c->ops[i].min, c->ops[i].max);
	}
	fprintf(stderr,
	        "consistency: %zu operations measured in several scenarios "
	        "disagree by %.1f %% at the median, %.1f %% at worst; %zu "
	        "rows beyond %.0f %% are marked\n",
	        c->count, 100 * c->median_spread, 100 * c->ops[0].spread,
	        c->marked, 100 * SB_CONSISTENCY_THRESHOLD);
	if (c->marked)
		fprintf(
		    stderr,
		    "consistency: where a library's blocks land moves some "
		    "operations by more than\n"
		    "  %.0f %% in one scenario; sh scripts/heap-layouts tells "
		    "which disagreements are\n"
		    "  more than that, sh scripts/consistency which are other "
		    "work (README, 'Heap\n"
		    "  history', 'Consistency')\n",
		    100 * SB_CONSISTENCY_THRESHOLD);
}

static void check_machine_before(struct run_cli *cli, struct machine_check *m)
{
	m->load_before = sb_cycles_load_average();
	if (m->load_before > 0.5 && !cli->quiet)
		fprintf(stderr,
		        "warning: the machine is busy (load %.2f): "
		        "timings will be noisy\n",
		        m->load_before);
	m->probe_before = sb_cycles_probe();
	/* The smallest record the run sends: a 16-byte payload, 45 bytes. */
	m->harness_cycles =
	    sb_harness_record_cycles(45, cli->options.cycle_overhead);
}

/* A fixed piece of work that took a different number of cycles at the
 * end than at the start: the core's speed, or its share, changed. */
static void warn_speed_drift(const struct run_cli *cli,
                             const struct machine_check *m)
{
	if (cli->quiet || m->probe_before == 0)
		return;
	double drift = 100.0 *
	               ((double)m->probe_after - (double)m->probe_before) /
	               (double)m->probe_before;
	if (drift > 3 || drift < -3)
		fprintf(
		    stderr,
		    "warning: the speed probe moved %+.1f %% during the "
		    "run: the CPU's speed or its share of the host changed, "
		    "so early and late figures are not alike\n",
		    drift);
}

/* Where the runner's samples and captures go: --raw, --trace, --pcap. */
struct run_sinks {
	FILE *raw;
	FILE *trace;
	FILE *pcap;
};

static int sink_samples(void *ctx, const struct sb_row *row,
                        const double *values, size_t count)
{
	const struct run_sinks *sinks = ctx;
	return sinks->raw ? sb_csv_raw_write(sinks->raw, row, values, count)
	                  : 0;
}

static int sink_connection(void *ctx, const char *title,
                           const struct sb_wire *wire)
{
	const struct run_sinks *sinks = ctx;
	if (sinks->trace)
		sb_trace_print(sinks->trace, title, wire);
	return sinks->pcap ? sb_pcap_write(sinks->pcap, wire) : 0;
}

/* The heap figures, from a pass of their own before the timing pass (so
 * the two never share the CPU).  Without them the run goes on, saying
 * so. */
static void run_heap_pass(const struct run_cli *cli, int argc, char **argv,
                          struct sb_results *heap)
{
	char msg[512];
	uint64_t t0 = sb_cycles_monotonic_ns();
	if (!cli->quiet)
		fprintf(stderr, "heap pass (a process of its own) ... ");
	int rc = sb_pass_heap_run(argc, argv, heap, msg, sizeof(msg));
	if (!cli->quiet)
		fprintf(stderr, "%s (%.1f s)\n", rc ? "failed" : "done",
		        (double)(sb_cycles_monotonic_ns() - t0) / 1e9);
	if (rc) {
		sb_results_free(heap);
		fprintf(stderr, "warning: %s: no heap figures\n", msg);
	}
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/*
 * --processes N: N - 1 more timing processes after this one, each the same
 * command in a fresh process; each timing row keeps the median process's
 * figures (passes.h), and `m` notes how far the processes' medians were
 * apart.  A process that fails ends the run: its reason is printed.
 */
static int run_more_processes(const struct run_cli *cli, int argc, char **argv,
                              struct sb_results *results,
                              struct machine_check *m)
{
	double *spread =
	    sb_mem_calloc(results->count ? results->count : 1, sizeof(*spread));
	struct sb_results *more =
	    sb_mem_calloc(SB_PASS_MAX_PROCESSES, sizeof(*more));
	if (!spread || !more) {
		sb_mem_free(spread);
		sb_mem_free(more);
		sb_cli_error("out of memory");
		return SB_ERR_NOMEM;
	}
	int rc = 0;
	size_t count = 0;
	for (unsigned p = 2; rc == 0 && p <= cli->processes; p++) {
		char msg[512];
		uint64_t t0 = sb_cycles_monotonic_ns();
		if (!cli->quiet)
			fprintf(stderr, "timing process %u of %u ... ", p,
			        cli->processes);
		rc = sb_pass_timing_run(argc, argv, &more[count], msg,
		                        sizeof(msg));
		if (!cli->quiet)
			fprintf(stderr, "%s (%.1f s)\n", rc ? "failed" : "done",
			        (double)(sb_cycles_monotonic_ns() - t0) / 1e9);
		if (rc)
			sb_cli_error("%s", msg);
		else
			count++;
	}
	m->processes = 1 + (unsigned)count;
	sb_pass_keep_median(results, more, count, spread);
	for (size_t i = 0; i < SB_PASS_MAX_PROCESSES; i++)
		sb_results_free(&more[i]);
	sb_mem_free(more);
	size_t n = 0;
	for (size_t i = 0; i < results->count; i++)
		if (spread[i] >= 0)
			spread[n++] = spread[i];
	qsort(spread, n, sizeof(*spread), by_double);
	m->process_rows = n;
	m->process_median = n ? spread[n / 2] : 0;
	m->process_worst = n ? spread[n - 1] : 0;
	sb_mem_free(spread);
	return rc;
}

/*
 * Every output before any work: the files are distinct (and from stdout
 * when --trace prints there), then opened -- each a temporary file beside
 * its target, so nothing is created or replaced until the commit.
 */
static int check_outputs(const struct run_cli *cli)
{
	struct sb_cli_path paths[4];
	size_t n = 0;
	if (cli->output)
		paths[n++] =
		    (struct sb_cli_path){"-o", cli->output, true, true};
	if (cli->raw)
		paths[n++] =
		    (struct sb_cli_path){"--raw", cli->raw, true, false};
	if (cli->pcap)
		paths[n++] =
		    (struct sb_cli_path){"--pcap", cli->pcap, true, false};
	if (cli->trace)
		paths[n++] = (struct sb_cli_path){"--trace", "-", true, false};
	return sb_cli_paths_check(paths, n);
}

static int open_outputs(const struct run_cli *cli, struct sb_cli_outputs *out,
                        struct run_sinks *sinks)
{
	if (cli->output && sb_cli_outputs_open(out, cli->output))
		return SB_ERR_USAGE;
	if (cli->raw) {
		sinks->raw = sb_cli_outputs_add(out, "--raw", cli->raw);
		if (!sinks->raw)
			return SB_ERR_USAGE;
		if (sb_csv_record_write(sinks->raw, sb_csv_raw_columns,
		                        sb_csv_raw_column_count)) {
			sb_cli_error("cannot write %s", cli->raw);
			return SB_ERR_USAGE;
		}
	}
	if (cli->pcap &&
	    !(sinks->pcap = sb_cli_outputs_add(out, "--pcap", cli->pcap)))
		return SB_ERR_USAGE;
	return 0;
}

/* Whether an output file is standard output: then no table there. */
static bool output_on_stdout(const struct run_cli *cli)
{
	const char *paths[3] = {cli->output, cli->raw, cli->pcap};
	for (int i = 0; i < 3; i++)
		if (paths[i] && strcmp(paths[i], "-") == 0)
			return true;
	return false;
}

/* Everything a run can refuse, checked before anything is opened. */
static int check_run(const struct run_cli *cli, struct sb_scenario *scenarios,
                     size_t *count)
{
	if (build_scenarios(cli, scenarios, MAX_SCENARIOS, count))
		return SB_ERR_USAGE;
	if (cli->pcap && *count != 1) {
		sb_cli_error("--pcap records one scenario, and these options "
		             "give %zu: narrow them with --pairs, --protocol "
		             "and --suite",
		             *count);
		return SB_ERR_USAGE;
	}
	return check_outputs(cli);
}

/* `args` is a copy of `argv` that parsing may cut up. */
static int run_command(int argc, char **argv, char **args)
{
	static struct sb_scenario scenarios[MAX_SCENARIOS];
	struct run_cli cli;
	struct sb_credential_set creds;
	struct sb_cli_outputs out = {0};
	struct sb_results results = {0};
	struct sb_cycles_info cycles;
	struct machine_check machine = {0};
	struct run_sinks sinks = {0};
	size_t count = 0;
	int rc = parse_run_args(argc, args, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	if (cli.heap_pass) {
		/* The heap pass: the same scenarios, verified the same way,
		 * heap counted, nothing timed that is kept. */
		if (!sb_heap_hooks_on()) {
			sb_cli_error("%s: this process counts no heap",
			             SB_PASS_HEAP_OPTION);
			return SB_EXIT_USAGE;
		}
		cli.output = cli.heap_pass;
		cli.quiet = true;
		cli.raw = cli.pcap = NULL;
		cli.trace = false;
		cli.options.count_instructions = false;
		cli.options.untimed = true;
		cli.options.budget_s = 0;
		cli.processes = 1;
	}
	if (cli.timing_pass) {
		/* One more timing process: the same scenarios, its rows to
		 * the file; the first process keeps the other outputs. */
		cli.output = cli.timing_pass;
		cli.quiet = true;
		cli.raw = cli.pcap = NULL;
		cli.trace = false;
		cli.processes = 1;
	}
	if (cli.processes > 1 && (cli.options.count_instructions || cli.raw ||
	                          cli.pcap || cli.trace)) {
		sb_cli_error(
		    "--processes keeps the median of several timing "
		    "processes: it does not go with --counter "
		    "instructions (exact either way), --raw, --pcap or "
		    "--trace (one process's samples)");
		return SB_EXIT_USAGE;
	}
	/* Everything refusable is refused here, before a pass is started or
	 * a file opened. */
	if (check_run(&cli, scenarios, &count))
		return SB_EXIT_USAGE;
	if (!cli.heap_pass && !cli.options.count_instructions &&
	    sb_pass_timing_elsewhere()) {
		/* Cycles are timed in a process with no heap hooks. */
		rc =
		    sb_pass_exec_timing(argc + 1, argv - 1, !cli.random_layout);
		return SB_EXIT_FAILURE;
	}
	if (cli.options.count_instructions && !sb_callgrind_active()) {
		/* main() passed argv + 1: argv[-1] is the program's name. */
		rc = sb_callgrind_reexec(argc + 1, argv - 1);
		return rc < 0 ? SB_EXIT_FAILURE : rc;
	}
	if (load_credentials(&cli, &creds) ||
	    (cli.cpu >= 0 && pin_cpu(cli.cpu)) ||
	    open_outputs(&cli, &out, &sinks)) {
		sb_cli_outputs_abort(&out);
		return SB_EXIT_USAGE;
	}
	cli.options.creds = &creds;
	sinks.trace = cli.trace ? stdout : NULL;
	struct sb_run_observer observer = {
	    .ctx = &sinks,
	    .samples = sinks.raw ? sink_samples : NULL,
	    .connection = sinks.trace || sinks.pcap ? sink_connection : NULL,
	};
	cli.options.observer = &observer;

	sb_cycles_calibrate(&cycles);
	cli.options.cycle_overhead = cycles.overhead;
	check_machine_before(&cli, &machine);
	struct sb_results heap = {0};
	/* A process that counts the heap itself (under valgrind) needs no
	 * heap pass of its own. */
	if (!cli.heap_pass && !cli.timing_pass && !sb_heap_hooks_on())
		run_heap_pass(&cli, argc + 1, argv - 1, &heap);
	rc = run_all(&cli, scenarios, count, &results, &machine.schedule);
	if (rc == 0 && cli.processes > 1)
		rc = run_more_processes(&cli, argc + 1, argv - 1, &results,
		                        &machine);
	if (rc == 0 && sb_pass_merge(&results, &heap)) {
		sb_cli_error("out of memory");
		rc = SB_ERR_NOMEM;
	}
	sb_results_free(&heap);
	if (rc == 0 && !cli.heap_pass && !cli.timing_pass &&
	    sb_consistency_check(&results, SB_CONSISTENCY_THRESHOLD,
	                         &machine.consistency)) {
		sb_cli_error("out of memory");
		rc = SB_ERR_NOMEM;
	}
	machine.probe_after = sb_cycles_probe();
	warn_speed_drift(&cli, &machine);
	/* With an output on standard output, the table would corrupt it. */
	if (rc == 0 && !cli.quiet && !output_on_stdout(&cli))
		sb_table_print(stdout, &results, table_payload(&cli.options),
		               cli.options.count_instructions);
	if (rc == 0 && !cli.quiet) {
		report_warnings(&results);
		report_consistency(&machine.consistency);
	}
	machine.results = &results;
	if (rc == 0)
		/* main() passed argv + 1: argv[-1] is the program's name. */
		rc = commit_outputs(&out, &results, argc + 1, argv - 1, &cli,
		                    &cycles, &machine);
	sb_cli_outputs_abort(&out);
	/* An output that could not be written is an unwritable output
	 * (README): exit 2, and nothing was put in place. */
	int status = rc == SB_ERR_IO                   ? SB_EXIT_USAGE
	             : rc                              ? SB_EXIT_FAILURE
	             : sb_results_any_failed(&results) ? SB_EXIT_FAILURE
	                                               : SB_EXIT_OK;
	sb_results_free(&results);
	sb_consistency_free(&machine.consistency);
	return status;
}

int cmd_run(int argc, char **argv)
{
	/* --target runs on emulated devices: its own options and loop. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--target") == 0 ||
		    strncmp(argv[i], "--target=", 9) == 0)
			return sb_cli_target_dispatch(argc, argv);
	char **args = sb_cli_args_copy(argc, argv);
	int status = args ? run_command(argc, argv, args) : SB_EXIT_FAILURE;
	sb_cli_args_free(argc, args);
	return status;
}
