#include "run/harness.h"

#include "measure/cycles.h"
#include "measure/stats.h"
#include "wire/link.h"

double sb_harness_record_cycles(size_t len, uint64_t cycle_overhead)
{
	enum { BATCHES = 200 };
	uint8_t out[SB_LINK_MAX_MTU] = {0}, in[SB_LINK_MAX_MTU];
	double per_record[BATCHES];
	struct sb_link link;
	sb_link_init(&link, SB_LINK_DATAGRAM, len);
	/* As in a record loop: one DTLS application record per datagram. */
	out[0] = 23;
	out[1] = 0xfe;
	out[2] = 0xfd;
	out[4] = 1;
	out[11] = (uint8_t)((len - SB_DTLS12_HEADER_LEN) >> 8);
	out[12] = (uint8_t)(len - SB_DTLS12_HEADER_LEN);
	if (sb_link_reserve(&link, SB_DIR_C2S, SB_RECORD_BATCH)) {
		sb_link_free(&link);
		return 0;
	}
	int failed = 0;
	for (int b = 0; b < BATCHES; b++) {
		/* As in a record batch: sends only queue while timed, and are
		 * counted and observed between the writes and the reads. */
		sb_link_defer(&link, true);
		uint64_t t0 = sb_cycles_now();
		for (int i = 0; i < SB_RECORD_BATCH; i++)
			failed |= sb_link_send(&link, SB_DIR_C2S, out, len);
		uint64_t t1 = sb_cycles_now();
		sb_link_defer(&link, false);
		failed |= sb_link_settle(&link);
		uint64_t t2 = sb_cycles_now();
		for (int i = 0; i < SB_RECORD_BATCH; i++)
			failed |=
			    sb_link_recv(&link, SB_DIR_C2S, in, sizeof(in)) < 0;
		uint64_t t3 = sb_cycles_now();
		per_record[b] =
		    (double)(sb_cycles_elapsed(t0, t1, cycle_overhead) +
		             sb_cycles_elapsed(t2, t3, cycle_overhead)) /
		    SB_RECORD_BATCH;
		/* Between batches, as the runner does: the guard's noted
		 * records are checked outside the timing. */
		failed |= sb_wire_check_guard(&link.wire) == NULL;
	}
	sb_link_free(&link);
	struct sb_summary s;
	sb_stats_summarize(per_record, BATCHES, &s);
	return failed ? 0 : s.median;
}
