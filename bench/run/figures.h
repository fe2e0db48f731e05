/*
 * figures.h - a connection's figures, named as the CSV names them.
 *
 * The runner (many handshakes, summarised later) and `suitebench client`
 * (one handshake, rows at once) read the same figures off a link and an
 * endpoint; these functions name and side them once and hand each to a
 * sink the caller provides.
 */
#ifndef SB_FIGURES_H
#define SB_FIGURES_H

#include "output/results.h"
#include "run/endpoint.h"
#include "wire/link.h"

/* Where figures go: `add` returns 0, or a negative status that stops the
 * walk and is returned by it. */
struct sb_figure_sink {
	void *ctx;
	int (*add)(void *ctx, const char *side, const char *metric,
	           const char *unit, long payload, double value);
};

/*
 * The handshake's wire figures: bytes, datagrams and records each way
 * and in all, flights, and each flight's bytes and datagrams, sided by
 * the sender.  Returns 0 or the sink's status.
 */
int sb_figures_handshake_wire(const struct sb_link *link,
                              const struct sb_figure_sink *sink) SB_MUST_USE;

/*
 * An endpoint's memory since its heap and stack counters were last
 * marked: static_ram always (the caller-owned state the backend reports,
 * 0 when it reports none); in the RAM pass also stack_peak, heap_peak
 * and heap_allocs where its allocations are counted, and ram_total =
 * heap_peak + static_ram + stack_peak where every part is known.
 */
int sb_figures_endpoint_memory(const struct sb_endpoint *ep, long payload,
                               const struct sb_figure_sink *sink) SB_MUST_USE;

/*
 * An endpoint's setup and handshake cost: instructions when
 * `instructions` (under callgrind), else TSC cycles.
 */
int sb_figures_endpoint_costs(const struct sb_endpoint *ep, bool instructions,
                              const struct sb_figure_sink *sink) SB_MUST_USE;

#endif
