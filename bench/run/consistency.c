#include "run/consistency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "suites/suites.h"

/*
 * The record operations, whose work does not depend on the handshake
 * that keyed them.  Not reject_cycles: a forged record is the first one
 * a fresh connection reads, and Mbed TLS frees its handshake state (of a
 * size that depends on the key exchange) in that read.
 */
static bool operation_metric(const char *metric)
{
	static const char *const metrics[] = {
	    "encrypt_cycles",
	    "decrypt_cycles",
	    "encrypt_instructions",
	    "decrypt_instructions",
	};
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (strcmp(metric, metrics[i]) == 0)
			return true;
	return false;
}

/* The operation of `row` into `op`; false when the row is not one. */
static bool row_operation(const struct sb_row *row,
                          struct sb_consistency_op *op)
{
	if (row->status != SB_ROW_OK || !operation_metric(row->metric) ||
	    row->stats.n == 0)
		return false;
	const struct sb_suite *suite = sb_suite_find(row->suite);
	if (!suite)
		return false;
	bool client = strcmp(row->side, "client") == 0;
	if (!client && strcmp(row->side, "server") != 0)
		return false;
	memset(op, 0, sizeof(*op));
	snprintf(op->library, sizeof(op->library), "%s",
	         client ? row->client : row->server);
	snprintf(op->side, sizeof(op->side), "%s", row->side);
	snprintf(op->protocol, sizeof(op->protocol), "%s", row->protocol);
	snprintf(op->aead, sizeof(op->aead), "%s", sb_aead_name(suite->aead));
	op->payload = row->payload;
	snprintf(op->metric, sizeof(op->metric), "%s", row->metric);
	snprintf(op->conditions, sizeof(op->conditions), "%s", row->conditions);
	return true;
}

static bool same_operation(const struct sb_consistency_op *a,
                           const struct sb_consistency_op *b)
{
	return strcmp(a->library, b->library) == 0 &&
	       strcmp(a->side, b->side) == 0 &&
	       strcmp(a->protocol, b->protocol) == 0 &&
	       strcmp(a->aead, b->aead) == 0 && a->payload == b->payload &&
	       strcmp(a->metric, b->metric) == 0 &&
	       strcmp(a->conditions, b->conditions) == 0;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int by_spread_desc(const void *a, const void *b)
{
	double x = ((const struct sb_consistency_op *)a)->spread;
	double y = ((const struct sb_consistency_op *)b)->spread;
	return (x < y) - (x > y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void sb_consistency_op_name(const struct sb_consistency_op *op, char *buf,
                            size_t len)
{
	snprintf(buf, len, "%s %s %s %s %ld B %s%s%s", op->library, op->side,
	         op->protocol, op->aead, op->payload, op->metric,
	         op->conditions[0] ? " " : "", op->conditions);
}

/* One operation: its rows (indices `rows`), its figures, its marks. */
static void check_operation(struct sb_results *results, const size_t *rows,
                            size_t n, double *scratch, double threshold,
                            struct sb_consistency_op *op)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = results->rows[rows[i]].stats.median;
	op->scenarios = n;
	op->reference = median_of(scratch, n);
	op->min = scratch[0];
	op->max = scratch[n - 1];
	op->spread = op->min > 0 ? op->max / op->min - 1 : 0;
	for (size_t i = 0; i < n; i++) {
		struct sb_row *row = &results->rows[rows[i]];
		double off = op->reference > 0
		                 ? row->stats.median / op->reference - 1
		                 : 0;
		if (off > threshold || off < -threshold) {
			op->marked++;
			sb_results_warn(
			    row, 100 * (off < 0 ? -off : off),
			    "%+.1f %% off the same operation in %zu "
			    "scenarios (their median %.0f)",
			    100 * off, n, op->reference);
		}
	}
}

int sb_consistency_check(struct sb_results *results, double threshold,
                         struct sb_consistency *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = results->count;
	struct sb_consistency_op *keys =
	    sb_mem_calloc(n ? n : 1, sizeof(*keys));
	bool *is_op = sb_mem_calloc(n ? n : 1, sizeof(*is_op));
	bool *taken = sb_mem_calloc(n ? n : 1, sizeof(*taken));
	size_t *rows = sb_mem_calloc(n ? n : 1, sizeof(*rows));
	double *scratch = sb_mem_calloc(n ? n : 1, sizeof(*scratch));
	out->ops = sb_mem_calloc(n ? n : 1, sizeof(*out->ops));
	int rc = keys && is_op && taken && rows && scratch && out->ops
	             ? 0
	             : SB_ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		is_op[i] = row_operation(&results->rows[i], &keys[i]);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!is_op[i] || taken[i])
			continue;
		size_t count = 0;
		for (size_t j = i; j < n; j++)
			if (is_op[j] && !taken[j] &&
			    same_operation(&keys[i], &keys[j])) {
				taken[j] = true;
				rows[count++] = j;
			}
		if (count < 2)
			continue;
		struct sb_consistency_op *op = &out->ops[out->count++];
		*op = keys[i];
		check_operation(results, rows, count, scratch, threshold, op);
		out->marked += op->marked;
	}
	if (rc == 0 && out->count > 0) {
		for (size_t i = 0; i < out->count; i++)
			scratch[i] = out->ops[i].spread;
		out->median_spread = median_of(scratch, out->count);
		qsort(out->ops, out->count, sizeof(*out->ops), by_spread_desc);
	}
	sb_mem_free(keys);
	sb_mem_free(is_op);
	sb_mem_free(taken);
	sb_mem_free(rows);
	sb_mem_free(scratch);
	if (rc)
		sb_consistency_free(out);
	return rc;
}

void sb_consistency_free(struct sb_consistency *c)
{
	sb_mem_free(c->ops);
	memset(c, 0, sizeof(*c));
}
