#include "wire/pcap.h"

#include <string.h>

/* Classic pcap (libpcap's savefile format), little-endian, Ethernet-less
 * raw IPv4 frames: LINKTYPE_RAW is 101 in the file header. */
#define PCAP_MAGIC 0xa1b2c3d4u
#define LINKTYPE_RAW 101
#define IP_HEADER 20
#define UDP_HEADER 8
#define TCP_HEADER 20

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

/* RFC 791 header checksum: one's complement of the one's complement sum. */
static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ip_header(uint8_t *h, size_t total, uint8_t proto, int dir,
                      uint16_t id)
{
	static const uint8_t client[4] = {10, 0, 0, 1},
	                     server[4] = {10, 0, 0, 2};
	memset(h, 0, IP_HEADER);
	h[0] = 0x45; /* version 4, 5 words */
	be16(h + 2, (uint16_t)total);
	be16(h + 4, id);
	h[6] = 0x40; /* don't fragment */
	h[8] = 64;   /* TTL */
	h[9] = proto;
	memcpy(h + 12, dir == 0 ? client : server, 4);
	memcpy(h + 16, dir == 0 ? server : client, 4);
	be16(h + 10, ip_checksum(h, IP_HEADER));
}

static void ports(uint8_t *h, int dir)
{
	be16(h, dir == 0 ? SB_PCAP_CLIENT_PORT : SB_PCAP_SERVER_PORT);
	be16(h + 2, dir == 0 ? SB_PCAP_SERVER_PORT : SB_PCAP_CLIENT_PORT);
}

/* TCP: sequence numbers follow the bytes of each direction; every segment
 * acknowledges all the peer has sent, with PSH|ACK set.  Checksums are
 * left 0, which dissectors accept unless told to verify. */
static size_t transport_header(uint8_t *h, const struct sb_wire *wire,
                               const struct sb_wire_packet *p, uint32_t sent[2])
{
	ports(h, p->dir);
	if (!wire->stream) {
		be16(h + 4, (uint16_t)(UDP_HEADER + p->len));
		h[6] = h[7] = 0;
		return UDP_HEADER;
	}
	memset(h + 4, 0, TCP_HEADER - 4);
	be32(h + 4, 1 + sent[p->dir]);
	be32(h + 8, 1 + sent[!p->dir]);
	h[12] = 5 << 4; /* data offset: 5 words */
	h[13] = 0x18;   /* PSH, ACK */
	be16(h + 14, 65535);
	sent[p->dir] += (uint32_t)p->len;
	return TCP_HEADER;
}

int sb_pcap_write(FILE *f, const struct sb_wire *wire)
{
	uint8_t file_header[24];
	le32(file_header, PCAP_MAGIC);
	le16(file_header + 4, 2);
	le16(file_header + 6, 4);
	le32(file_header + 8, 0);      /* GMT offset */
	le32(file_header + 12, 0);     /* timestamp accuracy */
	le32(file_header + 16, 65535); /* snap length */
	le32(file_header + 20, LINKTYPE_RAW);
	if (fwrite(file_header, sizeof(file_header), 1, f) != 1)
		return SB_ERR_IO;
	uint32_t sent[2] = {0, 0};
	for (size_t i = 0; i < wire->packet_count; i++) {
		const struct sb_wire_packet *p = &wire->packets[i];
		uint8_t headers[IP_HEADER + TCP_HEADER], record[16];
		size_t th =
		    transport_header(headers + IP_HEADER, wire, p, sent);
		size_t total = IP_HEADER + th + p->len;
		ip_header(headers, total, wire->stream ? 6 : 17, p->dir,
		          (uint16_t)(i + 1));
		/* Packets carry distinct times even when the virtual clock
		 * stood still: one microsecond apart. */
		uint64_t t = p->time_us + i;
		le32(record, (uint32_t)(t / 1000000u));
		le32(record + 4, (uint32_t)(t % 1000000u));
		le32(record + 8, (uint32_t)total);
		le32(record + 12, (uint32_t)total);
		if (fwrite(record, sizeof(record), 1, f) != 1 ||
		    fwrite(headers, IP_HEADER + th, 1, f) != 1 ||
		    fwrite(p->data, p->len, 1, f) != 1)
			return SB_ERR_IO;
	}
	return 0;
}
