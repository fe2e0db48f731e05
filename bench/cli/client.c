/*
 * cmd_client.c - `suitebench client`: one DTLS 1.2 client of a chosen
 * library against a real server over UDP, verified as `run` verifies a
 * connection and counted on the same wire view, so a user measures their
 * own server (a device, a CoAP gateway, `openssl s_server -dtls1_2`).
 *
 * Only the client is ours: its side is measured (cycles, heap), the
 * server's side is what crossed the wire towards us.  Timers run in real
 * time; the loop sleeps in poll() until the peer answers or the next
 * retransmission is due.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"
#include "cli/cli.h"
#include "measure/cycles.h"
#include "measure/heap.h"
#include "measure/layout.h"
#include "output/csv.h"
#include "output/outfile.h"
#include "output/provenance.h"
#include "output/results.h"
#include "output/table.h"
#include "run/figures.h"
#include "run/pair.h"
#include "run/passes.h"
#include "run/runner.h"
#include "run/verify.h"
#include "wire/link.h"
#include "wire/trace.h"
#include "wire/udp.h"

#define CLIENT_DEFAULT_SUITE "psk-ccm8"
#define CLIENT_DEFAULT_PAYLOAD 100
#define CLIENT_DEFAULT_TIMEOUT_S 10
/* The initial retransmission timeout (RFC 6347 4.2.4.1): how long to wait
 * when the library does not say when its own timer fires. */
#define CLIENT_IDLE_WAIT_US 1000000u
/* A deadline that passed and was not re-armed: wait this long, not 0. */
#define CLIENT_MIN_WAIT_US 1000u
/* Slack in the receive buffer, so a record longer than expected is seen. */
#define CLIENT_READ_SLACK 256
/* The text the payload repeats: printable, so a server that prints what
 * it receives (openssl s_server does) shows it. */
#define CLIENT_PAYLOAD_TEXT "suitebench payload "

struct client_cli {
	const char *connect;
	const struct sb_backend *backend;
	const struct sb_suite *suite;
	size_t mtu;
	bool mtu_given;
	bool mutual;
	const char *server_name;
	const char *credentials_dir;
	size_t payload;
	bool echo;
	bool trace;
	unsigned timeout_s;
	const char *output;
	bool quiet;
	const char *heap_pass; /* SB_PASS_HEAP_OPTION: this is the heap pass */
};

struct client_session {
	const struct client_cli *cli;
	struct sb_link link;
	struct sb_udp_port port;
	struct sb_endpoint ep; /* the client: its library, state and costs */
	struct sb_meter meter;
	uint64_t handshake_ns;
	uint64_t round_trip_ns; /* --echo: write until the echo was read */
	uint64_t give_up_ns;    /* monotonic: the --timeout deadline */
	bool waited_zero;       /* the last wait was for a passed deadline */
	bool cookie_seen;       /* the server sent a HelloVerifyRequest */
	struct sb_link_counters record[2]; /* the record's traffic, each way */
	char reason[sizeof(((struct sb_row *)0)->reason)];
};

/* clang-format off */
static void client_usage(FILE *f)
{
	fprintf(f,
		"usage: suitebench client --connect HOST:PORT [options]\n"
		"\n"
		"Runs one DTLS 1.2 client of the chosen library over a real UDP socket\n"
		"against a server -- a device, a gateway, 'openssl s_server -dtls1_2' --\n"
		"verifies the connection as 'run' does (the suite negotiated is the one\n"
		"requested, the server authenticated by its certificate or the PSK, the\n"
		"nonce and sequence guard clean both ways), then sends one record.  It\n"
		"reports the same wire metrics as 'run': handshake bytes, datagrams and\n"
		"records each way, flights and each flight's bytes, the client's\n"
		"handshake cycles, and the handshake's wall time.  Server-side figures\n"
		"are what the client received, retransmissions included.\n"
		"\n"
		"options:\n"
		"  --connect HOST:PORT  the server; IPv6 as [ADDRESS]:PORT (required)\n"
		"  --backend NAME    the client library: openssl or mbedtls (default: %s)\n"
		"  --suite NAME      the one suite offered (default: %s)\n"
		"  --mtu N           largest datagram the client sends (default: %d)\n"
		"  --mutual          present the client certificate (ECDHE-ECDSA suites)\n"
		"  --server-name N   the name the server certificate must carry, also\n"
		"                    sent as SNI (default: %s)\n"
		"  --credentials DIR CA, client certificate and psk.txt (default: %s)\n"
		"  --payload N       bytes of application data to send (default: %d);\n"
		"                    printable text ending in a newline\n"
		"  --echo            the server echoes what it receives: read the record\n"
		"                    back and check it byte for byte.  Without --echo the\n"
		"                    client writes one record and reads nothing (openssl\n"
		"                    s_server prints what it receives and echoes nothing)\n"
		"  --timeout S       give up after S seconds (default: %d)\n"
		"  --trace           print the connection as a ladder: datagrams, records,\n"
		"                    handshake messages, both directions\n"
		"  -o, --output FILE write the rows as CSV (client: the library, server:\n"
		"                    'peer'), and the provenance beside it\n"
		"  -q, --quiet       no table on stdout\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 when the connection was verified (or the library does\n"
		"not support the suite: an unsupported row), 1 when it failed, 2 for bad\n"
		"input.\n",
		sb_backends[0] ? sb_backends[0]->name : "none",
		CLIENT_DEFAULT_SUITE, SB_LINK_DEFAULT_MTU, SB_SERVER_NAME,
		sb_credentials_default_dir(), CLIENT_DEFAULT_PAYLOAD,
		CLIENT_DEFAULT_TIMEOUT_S);
}
/* clang-format on */

/* ---- option parsing ---------------------------------------------------- */

static void set_defaults(struct client_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->backend = sb_backends[0];
	cli->suite = sb_suite_find(CLIENT_DEFAULT_SUITE);
	cli->mtu = SB_LINK_DEFAULT_MTU;
	cli->server_name = SB_SERVER_NAME;
	cli->credentials_dir = sb_credentials_default_dir();
	cli->payload = CLIENT_DEFAULT_PAYLOAD;
	cli->timeout_s = CLIENT_DEFAULT_TIMEOUT_S;
}

static int parse_option(struct client_cli *cli, int opt, const char *arg)
{
	unsigned long v = 0;
	switch (opt) {
	case 'b':
		if (!(cli->backend = sb_backend_find(arg))) {
			sb_cli_error("--backend: unknown backend '%s' (see "
			             "'suitebench list' for the backends this "
			             "build has)",
			             arg);
			return SB_ERR_USAGE;
		}
		return 0;
	case 's':
		if (!(cli->suite = sb_suite_find(arg))) {
			sb_cli_error("--suite: unknown suite '%s' (see "
			             "'suitebench list' for names)",
			             arg);
			return SB_ERR_USAGE;
		}
		return 0;
	case 'm':
		if (sb_cli_number("--mtu", arg, SB_LINK_MIN_MTU,
		                  SB_LINK_MAX_MTU, &v))
			return SB_ERR_USAGE;
		cli->mtu = v;
		cli->mtu_given = true;
		return 0;
	case 'p':
		if (sb_cli_number("--payload", arg, 1, SB_LINK_MAX_MTU, &v))
			return SB_ERR_USAGE;
		cli->payload = v;
		return 0;
	default: /* 't' */
		if (sb_cli_number("--timeout", arg, 1, 86400, &v))
			return SB_ERR_USAGE;
		cli->timeout_s = (unsigned)v;
		return 0;
	}
}

/* What can only be judged once every option is known. */
static int check_options(const struct client_cli *cli)
{
	if (!cli->connect) {
		sb_cli_error("client: --connect HOST:PORT is required");
		return SB_ERR_USAGE;
	}
	if (!cli->backend) {
		sb_cli_error("client: this build has no backend");
		return SB_ERR_USAGE;
	}
	char host[SB_UDP_ADDRESS_MAX], port[32];
	if (sb_udp_split_address(cli->connect, host, sizeof(host), port,
	                         sizeof(port))) {
		sb_cli_error("--connect: expected HOST:PORT or [IPV6]:PORT, "
		             "not '%s'",
		             cli->connect);
		return SB_ERR_USAGE;
	}
	unsigned long number;
	if (sb_cli_number("--connect: the port", port, 1, 65535, &number))
		return SB_ERR_USAGE;
	size_t max = cli->mtu - sb_suite_dtls12_overhead(cli->suite);
	if (cli->payload > max) {
		sb_cli_error("--payload: %zu bytes do not fit one %zu-byte "
		             "datagram with %s (at most %zu)",
		             cli->payload, cli->mtu, cli->suite->short_name,
		             max);
		return SB_ERR_USAGE;
	}
	return 0;
}

/* Returns 0 to run, 1 after --help, or SB_ERR_USAGE. */
static int parse_client_args(int argc, char **argv, struct client_cli *cli)
{
	static const struct option longopts[] = {
	    {"connect", required_argument, NULL, 'C'},
	    {"backend", required_argument, NULL, 'b'},
	    {"suite", required_argument, NULL, 's'},
	    {"mtu", required_argument, NULL, 'm'},
	    {"mutual", no_argument, NULL, 'M'},
	    {"server-name", required_argument, NULL, 'N'},
	    {"credentials", required_argument, NULL, 'c'},
	    {"payload", required_argument, NULL, 'p'},
	    {"echo", no_argument, NULL, 'e'},
	    {"timeout", required_argument, NULL, 't'},
	    {"trace", no_argument, NULL, 'T'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {SB_PASS_HEAP_OPTION + 2, required_argument, NULL, 'H'},
	    {NULL, 0, NULL, 0},
	};
	int opt, rc = 0;
	set_defaults(cli);
	opterr = 0;
	optind = 1;
	while (rc == 0 &&
	       (opt = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			cli->connect = optarg;
			break;
		case 'b':
		case 's':
		case 'm':
		case 'p':
		case 't':
			rc = parse_option(cli, opt, optarg);
			break;
		case 'M':
			cli->mutual = true;
			break;
		case 'N':
			cli->server_name = optarg;
			break;
		case 'c':
			cli->credentials_dir = optarg;
			break;
		case 'e':
			cli->echo = true;
			break;
		case 'T':
			cli->trace = true;
			break;
		case 'o':
			cli->output = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'H':
			cli->heap_pass = optarg;
			break;
		case 'h':
			client_usage(stdout);
			return 1;
		case ':':
			sb_cli_error("client: %s needs a value",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		default:
			sb_cli_error("client: unknown option '%s' (try "
			             "'suitebench client --help')",
			             argv[optind - 1]);
			return SB_ERR_USAGE;
		}
	}
	if (rc == 0 && optind < argc) {
		sb_cli_error("client: unexpected argument '%s'", argv[optind]);
		return SB_ERR_USAGE;
	}
	return rc ? rc : check_options(cli);
}

/* ---- the session ------------------------------------------------------- */

static int session_fail(struct client_session *s, int status, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

static int session_fail(struct client_session *s, int status, const char *fmt,
                        ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	return status;
}

/* A library failure, with the socket's own error when there was one. */
static int session_library_fail(struct client_session *s, int status,
                                const char *what)
{
	const struct sb_backend *b = s->cli->backend;
	bool socket_error = s->port.error[0] != '\0';
	return session_fail(
	    s, status, "%s client %s with %s: %s: %s%s%s%s", b->name, what,
	    s->port.peer, sb_strerror(status),
	    sb_endpoint_library_error(&s->ep), socket_error ? " (socket: " : "",
	    socket_error ? s->port.error : "", socket_error ? ")" : "");
}

static int session_setup(struct client_session *s,
                         const struct sb_credential_set *creds)
{
	const struct client_cli *cli = s->cli;
	sb_link_init(&s->link, SB_LINK_DATAGRAM, cli->mtu);
	s->link.clock = sb_udp_clock();
	sb_link_guard(&s->link, cli->suite->explicit_nonce_len);
	/* Always: the provenance says whether the server asked for a
	 * cookie, and --trace prints the ladder, even of a failure. */
	sb_wire_capture(&s->link.wire);
	int rc = sb_udp_setup(&s->port, cli->connect, &s->link, SB_ROLE_CLIENT,
	                      cli->mtu);
	if (rc)
		return session_fail(s, rc, "%s",
		                    rc == SB_ERR_NOMEM ? "out of memory"
		                                       : s->port.error);
	s->ep.backend = cli->backend;
	s->ep.cfg = (struct sb_endpoint_config){
	    .protocol = SB_PROTO_DTLS12,
	    .role = SB_ROLE_CLIENT,
	    .suite = cli->suite,
	    .creds = sb_credentials_for(creds, cli->suite, SB_ROLE_CLIENT),
	    .server_name = cli->server_name,
	    .mtu = cli->mtu,
	    .mutual = cli->mutual,
	    .impl = SB_IMPL_NATIVE,
	    .io = sb_udp_io(&s->port),
	    .clock = sb_udp_clock(),
	};
	char error[sizeof(s->reason)];
	rc = sb_endpoint_setup(&s->ep, &s->meter, error, sizeof(error));
	if (rc == SB_ERR_NOMEM)
		return session_fail(s, rc, "out of memory");
	return rc ? session_library_fail(s, rc, "setup") : 0;
}

/*
 * Sleep until the peer sends or the library's retransmission timer is
 * due (the initial DTLS timeout when it does not say), never past the
 * --timeout deadline.  Returns 0, or a status with the reason when the
 * deadline has passed or the socket failed.
 */
static int wait_for_peer(struct client_session *s, const char *awaited)
{
	const struct client_cli *cli = s->cli;
	uint64_t now_ns = sb_cycles_monotonic_ns();
	if (now_ns >= s->give_up_ns)
		return session_fail(
		    s, SB_ERR_STALLED,
		    "no %s %s within %u s: %llu datagrams sent, %llu "
		    "received%s",
		    awaited, s->port.peer, cli->timeout_s,
		    (unsigned long long)s->port.sent,
		    (unsigned long long)s->port.received,
		    s->port.received ? ""
		                     : " (is a DTLS server listening there, "
		                       "with this suite?)");
	uint64_t wait_us = CLIENT_IDLE_WAIT_US;
	uint64_t next = cli->backend->next_timeout_us
	                    ? cli->backend->next_timeout_us(s->ep.state)
	                    : 0;
	if (next) {
		uint64_t now = s->ep.cfg.clock.now_us(s->ep.cfg.clock.ctx);
		wait_us = next > now ? next - now : 0;
	}
	/* A passed deadline gets one immediate step; if the library did not
	 * re-arm its timer there, do not spin on it. */
	if (wait_us == 0 && s->waited_zero)
		wait_us = CLIENT_MIN_WAIT_US;
	s->waited_zero = wait_us == 0;
	uint64_t left_us = (s->give_up_ns - now_ns + 999) / 1000;
	if (wait_us > left_us)
		wait_us = left_us;
	int rc = sb_udp_wait(&s->port, wait_us);
	return rc < 0 ? session_fail(s, rc, "%s", s->port.error) : 0;
}

static int session_handshake(struct client_session *s)
{
	uint64_t t0 = sb_cycles_monotonic_ns();
	for (;;) {
		char error[sizeof(s->reason)];
		int rc =
		    sb_endpoint_step(&s->ep, &s->meter, error, sizeof(error));
		if (rc == 0)
			break;
		if (rc != SB_ERR_WANT_IO)
			return session_library_fail(s, rc, "handshake");
		if ((rc = wait_for_peer(s, "handshake with")) != 0)
			return rc;
	}
	s->handshake_ns = sb_cycles_monotonic_ns() - t0;
	return 0;
}

/* The suite negotiated, the server authenticated, and the nonce and
 * sequence guard clean over both directions (a repeat in the server's
 * records is the server's). */
static int session_verify(struct client_session *s)
{
	int rc = sb_verify_endpoint(&s->ep, s->cli->suite, true, s->reason,
	                            sizeof(s->reason));
	return rc ? rc
	          : sb_verify_guard(&s->link.wire, s->reason,
	                            sizeof(s->reason));
}

static void fill_payload(uint8_t *buf, size_t len)
{
	static const char text[] = CLIENT_PAYLOAD_TEXT;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)text[i % (sizeof(text) - 1)];
	buf[len - 1] = '\n';
}

/* Read the echo of `sent`, waiting for it as for the handshake. */
static int read_echo(struct client_session *s, const uint8_t *sent, size_t len)
{
	uint8_t got[SB_LINK_MAX_MTU + CLIENT_READ_SLACK];
	int n;
	for (;;) {
		n = sb_endpoint_read(&s->ep, got, sizeof(got));
		if (n != SB_ERR_WANT_IO)
			break;
		int rc = wait_for_peer(s, "echo from");
		if (rc)
			return rc;
	}
	if (n < 0)
		return session_library_fail(s, n, "read");
	if ((size_t)n != len || memcmp(got, sent, len) != 0)
		return session_fail(s, SB_ERR_VERIFY,
		                    "the echo did not arrive intact (%d bytes "
		                    "for %zu sent)",
		                    n, len);
	return 0;
}

/* One record out; with --echo, the same bytes back. */
static int session_record(struct client_session *s)
{
	size_t len = s->cli->payload;
	uint8_t *sent = sb_mem_alloc(len);
	if (!sent)
		return session_fail(s, SB_ERR_NOMEM, "out of memory");
	fill_payload(sent, len);
	/* Counted as a difference: resetting the link would renumber the
	 * flights, and the ladder goes on after the handshake. */
	struct sb_link_counters before[2] = {s->link.sent[0], s->link.sent[1]};
	uint64_t t0 = sb_cycles_monotonic_ns();
	int rc = sb_endpoint_write(&s->ep, sent, len);
	if (rc)
		rc = session_library_fail(s, rc, "write");
	if (rc == 0 && s->cli->echo)
		rc = read_echo(s, sent, len);
	s->round_trip_ns = sb_cycles_monotonic_ns() - t0;
	for (int d = 0; d < 2; d++) {
		s->record[d].bytes = s->link.sent[d].bytes - before[d].bytes;
		s->record[d].datagrams =
		    s->link.sent[d].datagrams - before[d].datagrams;
		s->record[d].records =
		    s->link.sent[d].records - before[d].records;
	}
	sb_mem_free(sent);
	return rc ? rc
	          : sb_verify_guard(&s->link.wire, s->reason,
	                            sizeof(s->reason));
}

static void session_free(struct client_session *s)
{
	sb_endpoint_free(&s->ep);
	sb_udp_free(&s->port);
	sb_link_free(&s->link);
}

/* ---- rows -------------------------------------------------------------- */

static struct sb_row base_row(const struct client_cli *cli)
{
	struct sb_row row = {.payload = SB_NO_PAYLOAD};
	snprintf(row.client, sizeof(row.client), "%s", cli->backend->name);
	snprintf(row.server, sizeof(row.server), "peer");
	snprintf(row.protocol, sizeof(row.protocol), "%s",
	         sb_protocol_name(SB_PROTO_DTLS12));
	snprintf(row.kx, sizeof(row.kx), "%s", sb_kx_name(cli->suite->kx));
	snprintf(row.suite, sizeof(row.suite), "%s", cli->suite->short_name);
	/* As `run --mtu N` labels its rows, so the two line up. */
	if (cli->mtu_given)
		snprintf(row.conditions, sizeof(row.conditions), "mtu=%zu",
		         cli->mtu);
	return row;
}

/* One observation: a row whose statistics are that one value (n = 1). */
static int metric_row(struct sb_results *out, const struct sb_row *base,
                      const char *side, const char *metric, const char *unit,
                      long payload, double value)
{
	struct sb_row row = *base;
	row.payload = payload;
	snprintf(row.side, sizeof(row.side), "%s", side);
	snprintf(row.metric, sizeof(row.metric), "%s", metric);
	snprintf(row.unit, sizeof(row.unit), "%s", unit);
	sb_stats_summarize(&value, 1, &row.stats);
	return sb_results_add(out, &row);
}

static int status_row(struct sb_results *out, const struct sb_row *base,
                      enum sb_row_status status, const char *reason)
{
	struct sb_row row = *base;
	row.status = status;
	snprintf(row.side, sizeof(row.side), "both");
	snprintf(row.metric, sizeof(row.metric), "scenario");
	snprintf(row.reason, sizeof(row.reason), "%s", reason);
	return sb_results_add(out, &row);
}

/* Rows of one observation each, for sb_figures_*(). */
struct row_sink {
	struct sb_results *out;
	const struct sb_row *base;
};

static int row_sink_add(void *ctx, const char *side, const char *metric,
                        const char *unit, long payload, double value)
{
	const struct row_sink *rs = ctx;
	return metric_row(rs->out, rs->base, side, metric, unit, payload,
	                  value);
}

/* The handshake's wire figures and the client's own costs, named and
 * sided as `run` names them. */
static int handshake_rows(const struct client_session *s,
                          struct sb_results *out, const struct sb_row *base)
{
	struct row_sink rs = {.out = out, .base = base};
	struct sb_figure_sink sink = {.ctx = &rs, .add = row_sink_add};
	int rc = sb_figures_handshake_wire(&s->link, &sink);
	rc = rc ? rc : sb_figures_endpoint_costs(&s->ep, false, &sink);
	rc = rc ? rc : sb_figures_endpoint_memory(&s->ep, SB_NO_PAYLOAD, &sink);
	return rc ? rc
	          : metric_row(out, base, "both", "handshake_ns", "ns",
	                       SB_NO_PAYLOAD, (double)s->handshake_ns);
}

/* The record sent (and, with --echo, received) after the handshake. */
static int record_rows(const struct client_session *s, struct sb_results *out,
                       const struct sb_row *base)
{
	const struct sb_link_counters *c2s = &s->record[SB_DIR_C2S];
	const struct sb_link_counters *s2c = &s->record[SB_DIR_S2C];
	long p = (long)s->cli->payload;
	int rc = metric_row(out, base, "client", "record_bytes", "bytes", p,
	                    (double)c2s->bytes);
	rc = rc ? rc
	        : metric_row(out, base, "client", "record_overhead", "bytes", p,
	                     (double)c2s->bytes - (double)p);
	if (rc || !s->cli->echo)
		return rc;
	rc = metric_row(out, base, "server", "record_bytes", "bytes", p,
	                (double)s2c->bytes);
	return rc ? rc
	          : metric_row(out, base, "both", "round_trip_ns", "ns", p,
	                       (double)s->round_trip_ns);
}

/* Whether the server asked for a cookie: a HelloVerifyRequest (handshake
 * type 3, RFC 6347 4.3.2) in a clear record it sent. */
static bool saw_cookie(const struct sb_wire *wire)
{
	for (size_t i = 0; i < wire->packet_count; i++) {
		const struct sb_wire_packet *p = &wire->packets[i];
		struct sb_record r[16];
		size_t n = p->dir == SB_DIR_S2C
		               ? sb_wire_dtls_records(p->data, p->len, r, 16)
		               : 0;
		for (size_t k = 0; k < n; k++)
			if (r[k].type == SB_CT_HANDSHAKE && r[k].epoch == 0 &&
			    r[k].length > 0 &&
			    r[k].offset + SB_DTLS12_HEADER_LEN < p->len &&
			    p->data[r[k].offset + SB_DTLS12_HEADER_LEN] == 3)
				return true;
	}
	return false;
}

static void print_trace(const struct client_session *s)
{
	char title[SB_UDP_ADDRESS_MAX + 160];
	snprintf(title, sizeof(title), "%s client -> %s, dtls1.2 %s%s",
	         s->cli->backend->name,
	         s->port.peer[0] ? s->port.peer : s->cli->connect,
	         s->cli->suite->short_name,
	         s->reason[0] ? ": up to the failure" : "");
	sb_trace_print(stdout, title, &s->link.wire);
}

/*
 * Connect, verify and measure; the rows go to `out`.  A failed connection
 * is one failed row with the reason, none of its numbers kept.  Returns 0
 * or SB_ERR_NOMEM.
 */
static int client_run(struct client_session *s,
                      const struct sb_credential_set *creds,
                      struct sb_results *out)
{
	const struct client_cli *cli = s->cli;
	struct sb_row base = base_row(cli);
	struct sb_reason why = {{0}};
	if (!cli->backend->supports(SB_PROTO_DTLS12, cli->suite, SB_ROLE_CLIENT,
	                            &why)) {
		char reason[sizeof(why.text) + 32];
		snprintf(reason, sizeof(reason), "client %s: %s",
		         cli->backend->name, why.text);
		return status_row(out, &base, SB_ROW_UNSUPPORTED, reason);
	}
	size_t kept = out->count;
	s->give_up_ns =
	    sb_cycles_monotonic_ns() + (uint64_t)cli->timeout_s * 1000000000u;
	int rc = session_setup(s, creds);
	rc = rc ? rc : session_handshake(s);
	rc = rc ? rc : session_verify(s);
	s->cookie_seen = saw_cookie(&s->link.wire);
	/* The handshake's figures, before the record adds to the counters. */
	if (rc == 0 && handshake_rows(s, out, &base))
		rc = session_fail(s, SB_ERR_NOMEM, "out of memory");
	rc = rc ? rc : session_record(s);
	if (rc == 0 && record_rows(s, out, &base))
		rc = session_fail(s, SB_ERR_NOMEM, "out of memory");
	if (cli->trace)
		print_trace(s);
	if (rc == SB_ERR_NOMEM)
		return rc;
	if (rc) {
		out->count = kept;
		return status_row(out, &base,
		                  rc == SB_ERR_MTU ? SB_ROW_UNSUPPORTED
		                                   : SB_ROW_FAILED,
		                  s->reason);
	}
	return 0;
}

/* ---- output ------------------------------------------------------------ */

static void write_provenance(FILE *f, int argc, char **argv,
                             const struct client_session *s,
                             const struct sb_cycles_info *cycles)
{
	const struct client_cli *cli = s->cli;
	sb_provenance_write_common(f, argc, argv, cycles);
	sb_provenance_line(f, "counter",
	                   "cycles (TSC), the client's calls "
	                   "only (its socket calls included)");
	sb_provenance_line(f, "peer", "%s (resolved: %s)", cli->connect,
	                   s->port.peer[0] ? s->port.peer : "not connected");
	sb_provenance_line(f, "peer_side",
	                   "server figures are the datagrams the client "
	                   "received, retransmissions included");
	sb_provenance_line(f, "clock",
	                   "real time (CLOCK_REALTIME): "
	                   "retransmission timers run in real time");
	sb_provenance_line(f, "timeout", "%u s", cli->timeout_s);
	sb_provenance_line(f, "mtu",
	                   "%zu (the client's; the server picks "
	                   "its own)",
	                   cli->mtu);
	sb_provenance_line(f, "cookie_exchange", "%s",
	                   s->cookie_seen
	                       ? "the server sent a HelloVerifyRequest"
	                       : "none seen");
	sb_provenance_line(f, "mutual_auth", "%s", cli->mutual ? "on" : "off");
	sb_provenance_line(f, "server_name", "%s", cli->server_name);
	sb_provenance_line(f, "round_trip", "%s",
	                   cli->echo ? "--echo: the record read back and "
	                               "compared byte for byte"
	                             : "one record written, nothing read back");
	sb_provenance_line(f, "credentials", "%s", cli->credentials_dir);
	sb_provenance_line(f, "address_layout", "%s",
	                   sb_layout_addresses_text());
	sb_provenance_line(f, "passes",
	                   "%s; heap figures from a second connection in a "
	                   "child process that counts the heap",
	                   sb_heap_hooks_on()
	                       ? "cycles timed with heap accounting on (no "
	                         "separate pass: under valgrind)"
	                       : "cycles in a process with no heap accounting "
	                         "(no allocator hooks, no tallies)");
}

static int commit_outputs(struct sb_cli_outputs *out,
                          const struct sb_results *r, int argc, char **argv,
                          const struct client_session *s,
                          const struct sb_cycles_info *cycles)
{
	FILE *prov = sb_cli_outputs_provenance(out);
	if (prov)
		write_provenance(prov, argc, argv, s, cycles);
	return sb_cli_outputs_commit(out, r, s->cli->quiet);
}

/* The heap figures: the same command in a child that counts the heap,
 * over a connection of its own to the same server.  Without them the
 * figures go on, saying so. */
static int client_heap_pass(const struct client_cli *cli, int argc, char **argv,
                            struct sb_results *results)
{
	char msg[512];
	struct sb_results heap = {0};
	if (!cli->quiet)
		fprintf(stderr, "heap pass (a second connection, heap "
		                "counted) ... ");
	int rc = sb_pass_heap_run(argc, argv, &heap, msg, sizeof(msg));
	/* A connection that failed there is a row that says why. */
	if (rc == 0 && heap.count && heap.rows[0].status != SB_ROW_OK) {
		snprintf(msg, sizeof(msg), "heap pass: %s",
		         heap.rows[0].reason);
		rc = SB_ERR_IO;
	}
	if (!cli->quiet)
		fprintf(stderr, "%s\n", rc ? "failed" : "done");
	if (rc)
		fprintf(
		    stderr,
		    "warning: %s: no heap figures (a server that serves one "
		    "client at a time, like openssl s_server, does not "
		    "answer a second connection)\n",
		    msg);
	else
		rc = sb_pass_merge(results, &heap);
	sb_results_free(&heap);
	return rc == SB_ERR_NOMEM ? rc : 0;
}

/* ---- the command ------------------------------------------------------- */

static int client_command(int argc, char **argv, char **args)
{
	struct client_cli cli;
	struct sb_credential_set creds;
	struct sb_cli_outputs out = {0};
	struct sb_results results = {0};
	struct sb_cycles_info cycles;
	struct client_session session = {.cli = &cli};
	char msg[PATH_MAX + 128];
	int rc = parse_client_args(argc, args, &cli);
	if (rc)
		return rc == 1 ? SB_EXIT_OK : SB_EXIT_USAGE;
	if (cli.heap_pass) {
		/* The heap pass: one more connection, heap counted, its rows
		 * to the file. */
		cli.output = cli.heap_pass;
		cli.quiet = true;
		cli.trace = false;
	} else if (sb_pass_timing_elsewhere()) {
		/* Cycles are timed in a process with no heap hooks (run's
		 * rule); the heap figures come from a connection of their
		 * own.  main() passed argv + 1: argv[-1] is the name. */
		rc = sb_pass_exec_timing(argc + 1, argv - 1, true);
		return SB_EXIT_FAILURE; /* only reached when exec failed */
	}
	if (sb_credentials_load(&creds, cli.credentials_dir, msg,
	                        sizeof(msg))) {
		sb_cli_error("%s", msg);
		return SB_EXIT_USAGE;
	}
	if (cli.output && sb_cli_outputs_open(&out, cli.output))
		return SB_EXIT_USAGE;
	sb_cycles_calibrate(&cycles);
	session.meter.cycle_overhead = cycles.overhead;
	rc = client_run(&session, &creds, &results);
	if (rc)
		sb_cli_error("out of memory");
	if (rc == 0 && !cli.heap_pass && !sb_heap_hooks_on() && results.count &&
	    results.rows[0].status == SB_ROW_OK)
		rc = client_heap_pass(&cli, argc + 1, argv - 1, &results);
	const struct sb_row *first = results.count ? &results.rows[0] : NULL;
	if (rc == 0 && first && first->status != SB_ROW_OK)
		sb_cli_error("%s", first->reason);
	bool csv_on_stdout = cli.output && strcmp(cli.output, "-") == 0;
	if (rc == 0 && !cli.quiet && !csv_on_stdout)
		sb_table_print(stdout, &results, (long)cli.payload, false);
	if (rc == 0 && cli.output)
		/* main() passed argv + 1: argv[-1] is the program's name. */
		rc = commit_outputs(&out, &results, argc + 1, argv - 1,
		                    &session, &cycles);
	sb_cli_outputs_abort(&out);
	session_free(&session);
	/* An output that could not be written: exit 2 (README). */
	int status = rc == SB_ERR_IO                           ? SB_EXIT_USAGE
	             : rc                                      ? SB_EXIT_FAILURE
	             : first && first->status == SB_ROW_FAILED ? SB_EXIT_FAILURE
	                                                       : SB_EXIT_OK;
	sb_results_free(&results);
	return status;
}

int cmd_client(int argc, char **argv)
{
	/* getopt_long permutes what it parses; the provenance quotes the
	 * command line as given, so parsing gets a copy of the pointers. */
	char **args = sb_mem_calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		sb_cli_error("out of memory");
		return SB_EXIT_FAILURE;
	}
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	int status = client_command(argc, argv, args);
	sb_mem_free(args);
	return status;
}
