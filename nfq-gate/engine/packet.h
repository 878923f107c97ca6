/*
 * packet.h - decode one IPv4 or IPv6 datagram down to its TCP segment.
 *
 * The parser sees hostile input, so it checks every length it uses and
 * never reads past the bytes it was given.  The TCP payload length comes
 * from the IP header lengths, never from the frame or capture length:
 * Ethernet pads short frames, and a parser that trusts the frame sees
 * "payload" on bare ACKs and calls polite clients bots.
 */
#ifndef NG_PACKET_H
#define NG_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"

#define NG_TH_FIN 0x01
#define NG_TH_SYN 0x02
#define NG_TH_RST 0x04
#define NG_TH_PSH 0x08
#define NG_TH_ACK 0x10

enum ng_pkt_status {
	NG_PKT_OK = 0,
	NG_PKT_NOT_TCP,		/* well-formed, but not TCP: not our business */
	NG_PKT_FRAGMENT,	/* a fragment: passed over, never judged */
	NG_PKT_TRUNCATED,	/* fewer bytes than the headers need */
	NG_PKT_BAD_VERSION,
	NG_PKT_BAD_IPHDR,	/* IHL, total length, options or ext headers */
	NG_PKT_BAD_TCPHDR,	/* data offset (options are not checked) */
	NG_PKT_STATUS_MAX
};

struct ng_pkt {
	struct ng_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* NG_TH_* */
	uint16_t window;
	uint32_t paylen;	/* from the IP lengths */
	const uint8_t *payload;	/* first payload byte, may be partial */
	uint32_t paycap;	/* payload bytes actually present (<= paylen) */
	/* What the SYN fingerprint reads (synfp.h), kept for every packet:
	 * a few loads from headers already checked, no extra parsing. */
	uint8_t ipver;		/* 4 or 6 */
	uint8_t ttl;		/* IPv4 TTL or IPv6 hop limit */
	uint8_t tos;		/* IPv4 TOS or IPv6 traffic class */
	uint8_t df;		/* IPv4 don't-fragment bit */
	uint8_t ip_optlen;	/* IPv4 option bytes, IPv6 extension
				 * header bytes (capped at 255) */
	uint8_t tcp_rsvd;	/* the TCP header's 4 reserved bits */
	uint16_t ip_id;		/* IPv4 identification */
	uint32_t flow;		/* IPv6 flow label */
	uint16_t urp;		/* TCP urgent pointer */
	uint8_t optlen;		/* TCP option bytes (data offset - 20) */
	const uint8_t *opt;	/* TCP options, all optlen bytes present */
};

/*
 * buf holds caplen bytes starting at the IP header; wirelen is the
 * datagram's length on the wire (caplen when nothing was cut off).
 */
enum ng_pkt_status ng_pkt_parse(struct ng_pkt *p, const uint8_t *buf,
    size_t caplen, size_t wirelen);
const char *ng_pkt_strstatus(enum ng_pkt_status st);

#endif
