/*
 * ref_common.h - what the hand-written reference loops share: a datagram
 * queue, the TSC, the credentials' PSK, medians, and the report format.
 *
 * The reference loops (ref_openssl.c, ref_mbedtls.c) are the yardstick
 * of scripts/harness-check: the least code that runs a DTLS 1.2
 * handshake and record loops between two endpoints of one library in
 * memory, with suitebench's configuration (one suite, P-256, cookie
 * exchange on, MTU 1232, one datagram per write, no tickets, no session
 * cache) and nothing else -- no accounting, no verification beyond what
 * the loop needs to be right.  They include nothing of suitebench but its
 * stack anchor (measure/layout.h) and its heap history: given a stack offset, a
 * loop's timed code runs at that stack position, as suitebench's does with
 * --stack-offset, so that harness-check compares the two programs over the
 * same layouts rather than over what ASLR dealt each process.
 *
 * The record loops run over LAYOUTS connections (default 1) set up back
 * to back, in turn, as suitebench's --layouts, so that harness-check can
 * compare medians over as many address layouts in both programs.  Given
 * a HEAP-HISTORY seed, a loop shapes its heap from it before its first
 * library call (measure/heap_history.h), as suitebench's --heap-layout
 * does in each scenario's process: harness-check gives both programs the
 * same seeds round by round.
 *
 * Output, one figure per line, medians in TSC cycles:
 *   handshake <cycles of one handshake, client and server together>
 *   encrypt <side> <payload> <cycles per record written>
 *   decrypt <side> <payload> <cycles per record read>
 */
#ifndef REF_COMMON_H
#define REF_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "measure/heap_history.h"
#include "measure/layout.h"

#define REF_MTU 1232
#define REF_BATCH 32 /* records per timed batch, as suitebench's */
#define REF_SLOTS 64

static inline uint64_t ref_now(void)
{
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}

/* One direction: a ring of MTU-sized datagrams. */
struct ref_queue {
	uint8_t data[REF_SLOTS][REF_MTU];
	size_t len[REF_SLOTS];
	size_t head, count;
};

static inline int ref_push(struct ref_queue *q, const uint8_t *buf, size_t n)
{
	if (n > REF_MTU || q->count == REF_SLOTS)
		return -1;
	size_t at = (q->head + q->count) % REF_SLOTS;
	memcpy(q->data[at], buf, n);
	q->len[at] = n;
	q->count++;
	return 0;
}

/* The oldest datagram into `buf`: its length, 0 when none, -1 too big. */
static inline int ref_pop(struct ref_queue *q, uint8_t *buf, size_t cap)
{
	if (q->count == 0)
		return 0;
	size_t n = q->len[q->head];
	if (n > cap)
		return -1;
	memcpy(buf, q->data[q->head], n);
	q->head = (q->head + 1) % REF_SLOTS;
	q->count--;
	return (int)n;
}

/* An endpoint's two queues. */
struct ref_ports {
	struct ref_queue *out, *in;
};

/* A client and a server in memory: each direction's queue, and each
 * endpoint's view of them. */
struct ref_link {
	struct ref_queue c2s, s2c;
	struct ref_ports client, server;
};

/* Empty queues, and each endpoint's view of them. */
static inline void ref_link_init(struct ref_link *l)
{
	l->c2s.head = l->c2s.count = l->s2c.head = l->s2c.count = 0;
	l->client = (struct ref_ports){&l->c2s, &l->s2c};
	l->server = (struct ref_ports){&l->s2c, &l->c2s};
}

static int ref_by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static inline double ref_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), ref_by_u64);
	return n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The PSK of suites/credentials/psk.txt: "identity hexkey". */
struct ref_psk {
	char identity[64];
	uint8_t key[64];
	size_t len;
};

static inline int ref_load_psk(const char *dir, struct ref_psk *psk)
{
	char path[4096], hex[160];
	snprintf(path, sizeof(path), "%s/psk.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f || fscanf(f, "%63s %159s", psk->identity, hex) != 2) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	psk->len = strlen(hex) / 2;
	for (size_t i = 0; i < psk->len; i++)
		sscanf(hex + 2 * i, "%2hhx", &psk->key[i]);
	return 0;
}

#define REF_LAYOUTS_MAX 16 /* as suitebench's SB_LAYOUTS_MAX */

/* The arguments every reference takes. */
struct ref_args {
	const char *suite; /* psk-ccm8, psk-gcm, ecdhe-ecdsa-ccm8, ... */
	unsigned reps;
	const char *creds;
	int stack_offset; /* -1: the stack where the process put it */
	unsigned layouts; /* records connections, as suitebench's --layouts */
};

static inline int ref_parse(int argc, char **argv, struct ref_args *a)
{
	if (argc < 4 || argc > 7) {
		fprintf(stderr,
		        "usage: %s SUITE REPS CREDENTIALS-DIR [STACK-OFFSET "
		        "[LAYOUTS [HEAP-HISTORY]]]\n",
		        argv[0]);
		return -1;
	}
	a->suite = argv[1];
	a->reps = (unsigned)strtoul(argv[2], NULL, 10);
	a->creds = argv[3];
	a->stack_offset = -1;
	a->layouts = 1;
	if (argc == 7) {
		char *end;
		unsigned long seed = strtoul(argv[6], &end, 10);
		if (*end || !*argv[6] || seed > UINT32_MAX) {
			fprintf(stderr, "%s: bad heap history %s (0-%lu)\n",
			        argv[0], argv[6], (unsigned long)UINT32_MAX);
			return -1;
		}
		/* Before the first library call, outside every timed region;
		 * released when the process ends. */
		if (sb_heap_history_shape(seed))
			(void)atexit(sb_heap_history_release);
	}
	if (argc >= 6) {
		char *end;
		unsigned long n = strtoul(argv[5], &end, 10);
		if (*end || n < 1 || n > REF_LAYOUTS_MAX) {
			fprintf(stderr, "%s: bad layouts count %s (1-%d)\n",
			        argv[0], argv[5], REF_LAYOUTS_MAX);
			return -1;
		}
		a->layouts = (unsigned)n;
	}
	if (argc >= 5) {
		a->stack_offset = (int)strtol(argv[4], NULL, 10);
		if (!sb_layout_offset_valid((unsigned)a->stack_offset)) {
			fprintf(stderr, "%s: bad stack offset %s\n", argv[0],
			        argv[4]);
			return -1;
		}
	}
	return a->reps > 0 ? 0 : -1;
}

/* Run `fn(arg)`, which times, at the stack position asked for. */
static inline int ref_call(const struct ref_args *a, int (*fn)(void *),
                           void *arg)
{
	return a->stack_offset < 0
	           ? fn(arg)
	           : sb_layout_call((unsigned)a->stack_offset, fn, arg);
}

/*
 * One timed batch of REF_BATCH records on records connection `conn`, from
 * the client (`client_writes`) or the server: cycles per record written
 * and read.  Each program's own, run through ref_call.
 */
typedef int (*ref_batch_fn)(const struct ref_args *a, void *conn,
                            int client_writes, const uint8_t *data, size_t len,
                            uint64_t *enc, uint64_t *dec);

/*
 * The record loops, as suitebench's: per payload, 3 warm-up rounds and
 * `reps` measured ones, rounded up to whole turns of the connections as
 * suitebench rounds --reps up, measured round j on connection
 * j % a->layouts (each set up at its own addresses, as suitebench's
 * --layouts); in each round and direction an unmeasured batch, then the
 * measured one, in the steady state of its own loop.  Prints each
 * figure's median.
 */
static inline int ref_records(const struct ref_args *a, void *const conns[],
                              ref_batch_fn batch, const uint8_t *data)
{
	static const size_t payloads[] = {16, 1024};
	static const char *const names[4][2] = {{"encrypt", "client"},
	                                        {"decrypt", "server"},
	                                        {"encrypt", "server"},
	                                        {"decrypt", "client"}};
	unsigned reps =
	    a->reps + (a->layouts - a->reps % a->layouts) % a->layouts;
	uint64_t *v[4];
	for (int f = 0; f < 4; f++)
		if (!(v[f] = calloc(reps, sizeof(*v[f]))))
			return -1;
	for (size_t k = 0; k < 2; k++) {
		size_t len = payloads[k];
		for (unsigned i = 0; i < 3 + reps; i++) {
			void *conn =
			    conns[(i + 3 * a->layouts - 3) % a->layouts];
			for (int dir = 0; dir < 2; dir++) {
				uint64_t e, d;
				if (batch(a, conn, dir == 0, data, len, &e,
				          &d) ||
				    batch(a, conn, dir == 0, data, len, &e, &d))
					return -1;
				if (i >= 3) {
					v[2 * dir][i - 3] = e;
					v[2 * dir + 1][i - 3] = d;
				}
			}
		}
		for (int f = 0; f < 4; f++)
			printf("%s %s %zu %.1f\n", names[f][0], names[f][1],
			       len, ref_median(v[f], reps));
	}
	for (int f = 0; f < 4; f++)
		free(v[f]);
	return 0;
}

#endif
