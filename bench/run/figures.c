#include "run/figures.h"

#include <stdio.h>

#include "backends/heap_interpose.h"

static const char *const figures_side_of[2] = {"client", "server"};

static int figures_add(const struct sb_figure_sink *sink, const char *side,
                       const char *metric, const char *unit, long payload,
                       double value)
{
	return sink->add(sink->ctx, side, metric, unit, payload, value);
}

int sb_figures_handshake_wire(const struct sb_link *link,
                              const struct sb_figure_sink *sink)
{
	const struct sb_link_counters *sent = link->sent;
	const long none = SB_NO_PAYLOAD;
	int rc = 0;
	for (int d = 0; d < 2 && rc == 0; d++) {
		const char *side = figures_side_of[d];
		rc = figures_add(sink, side, "handshake_bytes", "bytes", none,
		                 (double)sent[d].bytes);
		rc = rc ? rc
		        : figures_add(sink, side, "handshake_datagrams",
		                      "datagrams", none,
		                      (double)sent[d].datagrams);
		rc = rc ? rc
		        : figures_add(sink, side, "handshake_records",
		                      "records", none, (double)sent[d].records);
	}
	rc = rc ? rc
	        : figures_add(sink, "both", "handshake_bytes", "bytes", none,
	                      (double)(sent[0].bytes + sent[1].bytes));
	rc = rc ? rc
	        : figures_add(sink, "both", "handshake_datagrams", "datagrams",
	                      none,
	                      (double)(sent[0].datagrams + sent[1].datagrams));
	rc = rc ? rc
	        : figures_add(sink, "both", "handshake_flights", "flights",
	                      none, (double)link->flight_count);
	for (size_t i = 0; i < link->flight_count && rc == 0; i++) {
		const struct sb_flight *f = &link->flights[i];
		const char *side = figures_side_of[f->dir];
		char metric[32];
		snprintf(metric, sizeof(metric), "flight%u_bytes",
		         (unsigned)(i + 1) % 1000);
		rc = figures_add(sink, side, metric, "bytes", none,
		                 (double)f->sent.bytes);
		snprintf(metric, sizeof(metric), "flight%u_datagrams",
		         (unsigned)(i + 1) % 1000);
		rc = rc ? rc
		        : figures_add(sink, side, metric, "datagrams", none,
		                      (double)f->sent.datagrams);
	}
	return rc;
}

/* The heap figures of a library whose allocations are counted; `*heap`
 * their peak. */
static int figures_heap(const struct sb_endpoint *ep, const char *side,
                        long payload, const struct sb_figure_sink *sink)
{
	int rc = figures_add(sink, side, "heap_peak", "bytes", payload,
	                     (double)ep->heap.peak);
	return rc ? rc
	          : figures_add(sink, side, "heap_allocs", "allocations",
	                        payload, (double)ep->heap.allocs);
}

int sb_figures_endpoint_memory(const struct sb_endpoint *ep, long payload,
                               const struct sb_figure_sink *sink)
{
	const char *side = sb_role_name(ep->cfg.role);
	unsigned caps = ep->backend->caps;
	size_t static_ram =
	    ep->backend->static_ram ? ep->backend->static_ram(ep->state) : 0;
	int rc = figures_add(sink, side, "static_ram", "bytes", payload,
	                     (double)static_ram);
	/* The timing pass counts neither heap nor stack. */
	if (rc || !ep->heap_counted)
		return rc;
	bool stack = ep->stack.calls > 0;
	if (stack)
		rc = figures_add(sink, side, "stack_peak", "bytes", payload,
		                 (double)ep->stack.peak);
	/* An interposed backend's heap is known only in the executable that
	 * interposes (suitebench-heap: passes.h), and only while every
	 * block counted could be followed to its release (heap.h). */
	bool heap =
	    (caps & SB_CAP_HEAP_COUNTED) != 0 &&
	    (!(caps & SB_CAP_HEAP_INTERPOSED) || sb_heap_interposed()) &&
	    ep->heap.untracked == 0;
	if (rc == 0 && heap)
		rc = figures_heap(ep, side, payload, sink);
	/* RAM in all only where every part is known: a library's heap is
	 * counted, or it allocates nothing at all. */
	if (rc || !stack || !(heap || (caps & SB_CAP_HEAP_NONE)))
		return rc;
	int64_t heap_peak = heap && ep->heap.peak > 0 ? ep->heap.peak : 0;
	return figures_add(sink, side, "ram_total", "bytes", payload,
	                   (double)heap_peak + (double)static_ram +
	                       (double)ep->stack.peak);
}

int sb_figures_endpoint_costs(const struct sb_endpoint *ep, bool instructions,
                              const struct sb_figure_sink *sink)
{
	const char *side = sb_role_name(ep->cfg.role);
	const long none = SB_NO_PAYLOAD;
	int rc;
	if (instructions) {
		rc = figures_add(sink, side, "setup_instructions",
		                 "instructions", none,
		                 (double)ep->setup_instructions);
		return rc ? rc
		          : figures_add(sink, side, "handshake_instructions",
		                        "instructions", none,
		                        (double)ep->handshake_instructions);
	}
	rc = figures_add(sink, side, "setup_cycles", "cycles", none,
	                 (double)ep->setup_cycles);
	return rc ? rc
	          : figures_add(sink, side, "handshake_cycles", "cycles", none,
	                        (double)ep->handshake_cycles);
}
