/*
 * pktbuild.h - build IPv4/IPv6 TCP packets for unit tests.
 *
 * Checksums are left zero: the engine never checks them (the kernel has
 * already done so by the time NFQUEUE sees a packet).
 */
#ifndef NG_PKTBUILD_H
#define NG_PKTBUILD_H

#include <stdint.h>
#include <string.h>

#include "base/addr.h"
#include "engine/packet.h"

struct tpkt {
	uint8_t b[2048];
	size_t len;
};

/* addr - a parsed address (one at a time: the next call overwrites it). */
static inline const struct ng_addr *
addr(const char *s)
{
	static struct ng_addr a;

	ng_addr_parse(&a, s);
	return &a;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * A TCP segment between two endpoints "addr" given as text, with nopt
 * bytes of TCP options (padded with zeros to a multiple of 4).
 */
static inline struct tpkt
tcp_pkt_opt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t flags, uint32_t seq, uint32_t ack, const char *payload,
    const uint8_t *opt, size_t nopt)
{
	struct tpkt t;
	struct ng_addr s, d;
	size_t plen = payload ? strlen(payload) : 0, ih;
	size_t th = 20 + ((nopt + 3) & ~(size_t)3);
	uint8_t *tcp;

	memset(&t, 0, sizeof(t));
	ng_addr_parse(&s, src);
	ng_addr_parse(&d, dst);
	if (s.family == 4) {
		ih = 20;
		t.b[0] = 0x45;
		put16(t.b + 2, (uint16_t)(ih + th + plen));
		t.b[8] = 64;
		t.b[9] = 6;
		memcpy(t.b + 12, s.b, 4);
		memcpy(t.b + 16, d.b, 4);
	} else {
		ih = 40;
		t.b[0] = 0x60;
		put16(t.b + 4, (uint16_t)(th + plen));
		t.b[6] = 6;
		t.b[7] = 64;
		memcpy(t.b + 8, s.b, 16);
		memcpy(t.b + 24, d.b, 16);
	}
	tcp = t.b + ih;
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (uint8_t)((th / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	if (nopt)
		memcpy(tcp + 20, opt, nopt);
	if (plen)
		memcpy(tcp + th, payload, plen);
	t.len = ih + th + plen;
	return t;
}

/* A TCP segment without options. */
static inline struct tpkt
tcp_pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
    uint8_t flags, uint32_t seq, uint32_t ack, const char *payload)
{
	return tcp_pkt_opt(src, sport, dst, dport, flags, seq, ack, payload,
	    NULL, 0);
}

#endif
