/*
 * harness.h - what the harness itself costs, measured the way the runner
 * measures a library, so that its share of every figure can be told.
 */
#ifndef SB_HARNESS_H
#define SB_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Records per timed batch: enough that the counter's cost vanishes. */
#define SB_RECORD_BATCH 32

/*
 * The harness's own cost per record: one datagram of `len` bytes sent
 * and received through a link, no library involved, in TSC cycles (the
 * median over many batches, counter overhead subtracted).
 */
double sb_harness_record_cycles(size_t len, uint64_t cycle_overhead);

#endif
