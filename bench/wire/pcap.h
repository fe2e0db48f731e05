/*
 * pcap.h - captured traffic as a classic pcap file for Wireshark/tshark.
 *
 * Each send becomes one packet with synthesized IPv4 and UDP (DTLS) or
 * TCP (TLS) headers between 10.0.0.1:40000 (client) and 10.0.0.2:4433
 * (server), time-stamped with the virtual clock.  tshark dissects it with
 * `-d udp.port==4433,dtls` (TLS on 4433 needs `-d tcp.port==4433,tls`).
 */
#ifndef SB_PCAP_H
#define SB_PCAP_H

#include <stdio.h>

#include "wire/wire.h"

#define SB_PCAP_SERVER_PORT 4433
#define SB_PCAP_CLIENT_PORT 40000

/* Write every packet `wire` captured.  Returns 0 or SB_ERR_IO. */
int sb_pcap_write(FILE *f, const struct sb_wire *wire) SB_MUST_USE;

#endif
