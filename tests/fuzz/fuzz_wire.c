/*
 * fuzz_wire.c - libFuzzer target: the record parser and guard of
 * bench/wire/wire.c (DTLS datagrams, the TLS stream across sends, the
 * sequence and nonce guard), and the trace and pcap writers that walk the
 * captured records (trace.c, pcap.c).
 *
 * The input is a connection: a mode byte (bit 0: TLS stream, else DTLS;
 * bit 1: 8-byte explicit nonces; bit 2: capture for trace and pcap; bit 3:
 * DTLS 1.3, with Connection IDs of bits 4-6 bytes), then sends, each a
 * control byte (bit 0: direction; bits 1-6: length bits 8-13; bit 7: run
 * the guard after it), a length byte and the bytes.
 * tests/fuzz/wire-seeds.py turns real connections into this form.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/pcap.h"
#include "wire/trace.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every record sb_wire_dtls_parse() returns starts inside the datagram
 * with a whole header, and they follow one another. */
static void check_records(const uint8_t *buf, size_t len, size_t cid_len)
{
	struct sb_record rec[64];
	size_t n = sb_wire_dtls_parse(buf, len, cid_len, rec, 64);
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		if (rec[i].offset != next || rec[i].header_len == 0 ||
		    rec[i].offset + rec[i].header_len > len) {
			fprintf(stderr,
			        "record %zu at %zu (header %zu) of %zu "
			        "bytes\n",
			        i, rec[i].offset, rec[i].header_len, len);
			abort();
		}
		next = rec[i].offset + rec[i].header_len + rec[i].length;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink && !(sink = fopen("/dev/null", "w")))
		return 0;
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	struct sb_wire wire;
	sb_wire_init(&wire, mode & 1, mode & 2 ? 8 : 0);
	size_t cid_len = (mode >> 4) & 7;
	if (!(mode & 1) && (mode & 8))
		sb_wire_dtls13(&wire, cid_len);
	if (mode & 4)
		sb_wire_capture(&wire);
	size_t at = 1, flight = 0;
	uint64_t time_us = 0;
	while (size - at >= 2) {
		uint8_t ctl = data[at];
		size_t len = (size_t)((ctl >> 1) & 0x3f) << 8 | data[at + 1];
		at += 2;
		if (len > size - at)
			len = size - at;
		const uint8_t *buf = data + at;
		at += len;
		size_t records = 0;
		check_records(buf, len, mode & 8 ? cid_len : 0);
		flight += (ctl & 1) ? 1 : 0;
		time_us += len;
		if (sb_wire_observe(&wire, ctl & 1, buf, len, time_us, flight,
		                    &records))
			break;
		if ((ctl & 0x80) && !sb_wire_check_guard(&wire))
			break;
	}
	const char *violation = sb_wire_check_guard(&wire);
	if (violation && strchr(violation, '\n')) {
		fprintf(stderr, "a guard message spans lines: %s\n", violation);
		abort();
	}
	if (mode & 4) {
		sb_trace_print(sink, "fuzz", &wire);
		(void)!sb_pcap_write(sink, &wire);
	}
	sb_wire_free(&wire);
	return 0;
}
