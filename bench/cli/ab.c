/*
 * ab.c - `suitebench ab BASE HEAD [options] [-- run options]`: two builds
 * of the tool measured side by side, in interleaved rounds, judged row by
 * row (gate/ab.h for timing, gate/compare.h for exact figures).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "gate/ab.h"
#include "gate/compare.h"
#include "measure/layout.h"
#include "output/csv_read.h"

#define AB_DEFAULT_ROUNDS 20
#define AB_MAX_ROUNDS 200
#define AB_DEFAULT_MIN_EFFECT 0.03
#define AB_MAX_RUN_ARGS 64

struct ab_cli {
	const char *bin[2]; /* 0: BASE, 1: HEAD */
	unsigned rounds;
	unsigned long seed;
	double min_effect;
	double confidence;
	bool verbose;
	char *run_args[AB_MAX_RUN_ARGS];
	int run_argc;
};

/* clang-format off */
static void ab_usage(FILE *f)
{
	fprintf(f,
		"usage: suitebench ab BASE HEAD [options] [-- run options]\n"
		"\n"
		"Measures two builds of suitebench (BASE and HEAD: paths to their\n"
		"executables) on this machine, now, in interleaved rounds: each round\n"
		"runs 'BIN run -q -o FILE [run options]' once per build, in an order\n"
		"drawn from --seed, so a slow stretch of the machine lands on both.\n"
		"Each round gives one median per build and row; a timing figure\n"
		"(cycles, ns) is judged on the rounds' ratios HEAD/BASE -- their\n"
		"median, with the distribution-free confidence interval of a median\n"
		"(sign test), so rounds in which the machine changed state between\n"
		"the two processes do not move it -- and is a regression only when\n"
		"the whole interval lies above +min-effect.  Exact figures (bytes, counts, instructions) of the\n"
		"first round are judged as 'compare' judges them.  Prints, per row that\n"
		"changed: 'HEAD is +x %% (95 %% CI a .. b)'.\n"
		"\n"
		"options:\n"
		"  --rounds N        rounds (default %d; at least 6 at 95 %%, 8 at\n"
		"                    99 %%, 11 at 99.9 %%)\n"
		"  --seed N          seed of the order within each round (default 1)\n"
		"  --min-effect P    smallest change that counts, %% (default %.0f)\n"
		"  --confidence C    95, 99 or 99.9 (default 95)\n"
		"  -v, --verbose     print every timing row, not only the changed\n"
		"  -h, --help        this help\n"
		"Run options after '--' go to both builds' 'run' (default: --pairs\n"
		"openssl/openssl --suite psk-ccm8 --protocol dtls1.2 --payload 16\n"
		"--budget 0 --reps 20).\n"
		"\n"
		"Exit status: 0 no regression, 1 a regression, 2 bad input or a build\n"
		"that could not run.\n",
		AB_DEFAULT_ROUNDS, 100 * AB_DEFAULT_MIN_EFFECT);
}
/* clang-format on */

static int ab_parse_percent(const char *option, const char *text, double *out)
{
	char *end = NULL;
	double v = strtod(text, &end);
	if (!end || *end || end == text || !(v >= 0 && v < 100)) {
		sb_cli_error(
		    "%s: expected a percentage in [0, 100), not '%.40s'",
		    option, text);
		return SB_ERR_USAGE;
	}
	*out = v / 100;
	return 0;
}

static void ab_default_args(struct ab_cli *cli)
{
	static char *defaults[] = {"--pairs",    "openssl/openssl",
	                           "--suite",    "psk-ccm8",
	                           "--protocol", "dtls1.2",
	                           "--payload",  "16",
	                           "--budget",   "0",
	                           "--reps",     "20"};
	cli->run_argc = (int)(sizeof(defaults) / sizeof(defaults[0]));
	memcpy(cli->run_args, defaults, sizeof(defaults));
}

/* Returns 0 to run, 1 after --help, or SB_ERR_USAGE. */
static int ab_parse(int argc, char **argv, struct ab_cli *cli)
{
	static const struct option longopts[] = {
	    {"rounds", required_argument, NULL, 'r'},
	    {"seed", required_argument, NULL, 's'},
	    {"min-effect", required_argument, NULL, 'e'},
	    {"confidence", required_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	*cli = (struct ab_cli){.rounds = AB_DEFAULT_ROUNDS,
	                       .seed = 1,
	                       .min_effect = AB_DEFAULT_MIN_EFFECT,
	                       .confidence = 0.95};
	unsigned long v;
	int opt, rc = 0, dashes = argc;
	/* Options and operands before '--', run options after it. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashes = i;
			break;
		}
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(dashes, argv, ":vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rc = sb_cli_number("--rounds", optarg, 1, AB_MAX_ROUNDS,
			                   &v);
			cli->rounds = (unsigned)v;
			break;
		case 's':
			rc = sb_cli_number("--seed", optarg, 0, ULONG_MAX,
			                   &cli->seed);
			break;
		case 'e':
			rc = ab_parse_percent("--min-effect", optarg,
			                      &cli->min_effect);
			break;
		case 'c':
			if (strcmp(optarg, "95") && strcmp(optarg, "99") &&
			    strcmp(optarg, "99.9")) {
				sb_cli_error("--confidence: 95, 99 or 99.9, "
				             "not '%.40s'",
				             optarg);
				rc = SB_ERR_USAGE;
			}
			cli->confidence = strtod(optarg, NULL) / 100;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			ab_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("ab: %s needs a value", argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error("ab: unknown option '%.60s' (try "
			             "'suitebench ab --help')",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	if (rc)
		return rc;
	if (sb_ab_interval_rank(cli->rounds, cli->confidence) == 0) {
		unsigned need = cli->rounds;
		while (sb_ab_interval_rank(need, cli->confidence) == 0)
			need++;
		sb_cli_error("ab: --rounds %u is too few for a %g %% interval "
		             "of the median: at least %u",
		             cli->rounds, 100 * cli->confidence, need);
		return SB_ERR_USAGE;
	}
	if (dashes - optind != 2) {
		sb_cli_error("ab: expected BASE and HEAD executables, got %d "
		             "operand%s (run options go after '--'; try "
		             "'suitebench ab --help')",
		             dashes - optind, dashes - optind == 1 ? "" : "s");
		return SB_ERR_USAGE;
	}
	for (int b = 0; b < 2; b++) {
		cli->bin[b] = argv[optind + b];
		if (access(cli->bin[b], X_OK) != 0) {
			sb_cli_error("ab: %.200s: not an executable: %s",
			             cli->bin[b], strerror(errno));
			return SB_ERR_USAGE;
		}
	}
	if (dashes + 1 >= argc) {
		ab_default_args(cli);
		return 0;
	}
	if (argc - dashes - 1 > AB_MAX_RUN_ARGS) {
		sb_cli_error("ab: at most %d run options", AB_MAX_RUN_ARGS);
		return SB_ERR_USAGE;
	}
	for (int i = dashes + 1; i < argc; i++)
		cli->run_args[cli->run_argc++] = argv[i];
	return 0;
}

/* Run `bin run -q -o out [run args]`; 0 when it ran (exit 0 or 1: a failed
 * scenario is a row), else SB_ERR_IO after one line on stderr. */
static int ab_run_one(const struct ab_cli *cli, const char *bin,
                      const char *out)
{
	char *args[AB_MAX_RUN_ARGS + 8];
	int n = 0;
	args[n++] = (char *)bin;
	args[n++] = "run";
	args[n++] = "-q";
	args[n++] = "-o";
	args[n++] = (char *)out;
	for (int i = 0; i < cli->run_argc; i++)
		args[n++] = cli->run_args[i];
	args[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		/* One address layout for every run of a build: with ASLR, each
		 * process lands its buffers at other alignments, and record
		 * costs move with them between processes (by up to 30 % for
		 * Mbed TLS's CCM_8), which would swamp the rounds' ratios. */
		sb_layout_fix_addresses();
		execv(bin, args);
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		sb_cli_error("ab: '%.200s run' failed (exit %d): the builds "
		             "must both accept these run options",
		             bin, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return SB_ERR_IO;
	}
	return 0;
}

/* The ok row of `r` with the key of `key`, or NULL. */
static const struct sb_row *ab_find(const struct sb_results *r,
                                    const struct sb_row *key)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->rows[i].status == SB_ROW_OK &&
		    sb_row_key_cmp(&r->rows[i], key) == 0)
			return &r->rows[i];
	return NULL;
}

/* results[round][build] */
struct ab_runs {
	struct sb_results (*results)[2];
	unsigned rounds;
};

static int ab_measure(const struct ab_cli *cli, const char *dir,
                      struct ab_runs *runs)
{
	unsigned long long state = cli->seed * 6364136223846793005ull + 1;
	for (unsigned r = 0; r < cli->rounds; r++) {
		runs->rounds = r + 1; /* so a failed round is cleaned up too */
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		int first = (int)(state >> 63);
		for (int k = 0; k < 2; k++) {
			int b = k ? 1 - first : first;
			char out[PATH_MAX], msg[PATH_MAX + 128];
			snprintf(out, sizeof(out), "%s/r%u-%c.csv", dir, r,
			         b ? 'h' : 'b');
			if (ab_run_one(cli, cli->bin[b], out))
				return SB_ERR_IO;
			if (sb_csv_results_load(out, &runs->results[r][b], msg,
			                        sizeof(msg))) {
				sb_cli_error("ab: %s", msg);
				return SB_ERR_IO;
			}
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rab: round %u of %u", r + 1,
			        cli->rounds);
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	return 0;
}

static void ab_row_name(const struct sb_row *row, char *buf, size_t len)
{
	char payload[24] = "-";
	if (row->payload != SB_NO_PAYLOAD)
		snprintf(payload, sizeof(payload), "%ld", row->payload);
	snprintf(buf, len, "%s/%s %s %s %s %s %s%s%s", row->client, row->server,
	         row->protocol, row->suite, payload, row->side, row->metric,
	         row->conditions[0] ? " " : "", row->conditions);
}

/* Judge every timing row of the first HEAD run; counts the regressions. */
static size_t ab_judge_timing(const struct ab_cli *cli,
                              const struct ab_runs *runs)
{
	size_t regressions = 0, judged = 0, changed = 0;
	double base[AB_MAX_ROUNDS], head[AB_MAX_ROUNDS];
	const struct sb_results *first = &runs->results[0][1];
	for (size_t i = 0; i < first->count; i++) {
		const struct sb_row *key = &first->rows[i];
		if (key->status != SB_ROW_OK ||
		    sb_compare_metric_class(key->metric, key->unit) !=
		        SB_COMPARE_TIMING)
			continue;
		for (unsigned r = 0; r < runs->rounds; r++) {
			const struct sb_row *b =
			    ab_find(&runs->results[r][0], key);
			const struct sb_row *h =
			    ab_find(&runs->results[r][1], key);
			base[r] = b ? b->stats.median : 0;
			head[r] = h ? h->stats.median : 0;
		}
		struct sb_ab_estimate e;
		if (sb_ab_judge(base, head, runs->rounds, cli->confidence,
		                cli->min_effect, &e))
			continue;
		judged++;
		regressions += e.verdict == SB_AB_REGRESSION;
		bool notable = e.verdict == SB_AB_REGRESSION ||
		               e.verdict == SB_AB_IMPROVEMENT;
		changed += notable;
		if (!notable && !cli->verbose)
			continue;
		char name[384]; /* a key: conditions may be 127 */
		ab_row_name(key, name, sizeof(name));
		printf("%s: HEAD is %+.1f %% (%g %% CI %+.1f .. %+.1f %%, "
		       "%zu rounds): %s\n",
		       name, 100 * (e.ratio - 1), 100 * cli->confidence,
		       100 * (e.low - 1), 100 * (e.high - 1), e.rounds,
		       sb_ab_verdict_name(e.verdict));
	}
	printf("timing: %zu rows judged over %u rounds, %zu changed beyond "
	       "+-%.1f %%, %zu regression%s\n",
	       judged, runs->rounds, changed, 100 * cli->min_effect,
	       regressions, regressions == 1 ? "" : "s");
	return regressions;
}

/* Exact figures: the first round's HEAD against its BASE, as compare
 * judges them (defaults).  Returns the regressions, or -1. */
static long ab_judge_exact(const struct ab_runs *runs)
{
	struct sb_compare_report rep = {0};
	long regressions = -1;
	if (sb_compare_results_judge(&runs->results[0][0], &runs->results[0][1],
	                             NULL, &rep) == 0) {
		regressions = 0;
		for (size_t i = 0; i < rep.count; i++) {
			const struct sb_compare_entry *e = &rep.entries[i];
			if (e->outcome != SB_COMPARE_REGRESSION ||
			    e->kind == SB_COMPARE_TIMING)
				continue;
			const struct sb_row *row =
			    e->current ? e->current : e->baseline;
			char name[384]; /* a key: conditions may be 127 */
			ab_row_name(row, name, sizeof(name));
			printf("%s: exact figure %s: regression\n", name,
			       e->current && e->baseline ? "rose" : "lost");
			regressions++;
		}
		printf("exact: %zu rows, %ld regression%s\n", rep.count,
		       regressions, regressions == 1 ? "" : "s");
	}
	sb_compare_report_free(&rep);
	return regressions;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_cli cli;
	int rc = ab_parse(argc, argv, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	char dir[] = "/tmp/suitebench-ab-XXXXXX";
	if (!mkdtemp(dir)) {
		sb_cli_error("ab: cannot make a work directory: %s",
		             strerror(errno));
		return SB_EXIT_USAGE;
	}
	struct ab_runs runs = {
	    .results = sb_mem_calloc(cli.rounds, sizeof(*runs.results))};
	int status = SB_EXIT_USAGE;
	if (!runs.results)
		sb_cli_error("out of memory");
	else if (ab_measure(&cli, dir, &runs) == 0) {
		size_t timing = ab_judge_timing(&cli, &runs);
		long exact = ab_judge_exact(&runs);
		status = exact < 0             ? SB_EXIT_USAGE
		         : timing || exact > 0 ? SB_EXIT_FAILURE
		                               : SB_EXIT_OK;
		printf("verdict: %s\n", status == SB_EXIT_OK        ? "PASS"
		                        : status == SB_EXIT_FAILURE ? "FAIL"
		                                                    : "ERROR");
	}
	for (unsigned r = 0; runs.results && r < runs.rounds; r++)
		for (int b = 0; b < 2; b++) {
			char path[PATH_MAX];
			sb_results_free(&runs.results[r][b]);
			snprintf(path, sizeof(path), "%s/r%u-%c.csv", dir, r,
			         b ? 'h' : 'b');
			unlink(path);
			snprintf(path, sizeof(path), "%s/r%u-%c.provenance.txt",
			         dir, r, b ? 'h' : 'b');
			unlink(path);
		}
	sb_mem_free(runs.results);
	rmdir(dir);
	return status;
}
