/*
 * synpkt.h - build an IPv4 TCP SYN with correct checksums, for the
 * benchmarks that feed SYNs to the kernel (synflood) or to the engine
 * directly (mem_bench).  Header-only so each benchmark stays one file.
 */
#ifndef NG_BENCH_SYNPKT_H
#define NG_BENCH_SYNPKT_H

#include <stdint.h>
#include <string.h>

#define SYN_IPLEN 44		/* 20 IP + 20 TCP + 4 MSS option */

static inline uint16_t
syn_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline uint32_t
syn_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

static inline void
syn_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
syn_put32(uint8_t *p, uint32_t v)
{
	syn_put16(p, (uint16_t)(v >> 16));
	syn_put16(p + 2, (uint16_t)v);
}

/* syn_rand - xorshift64*: the benchmarks' cheap random sources. */
static inline uint32_t
syn_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Addresses in host order; writes SYN_IPLEN bytes at ip. */
static inline void
syn_build(uint8_t *ip, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, uint32_t seq)
{
	uint8_t *tcp = ip + 20;
	uint32_t sum;

	memset(ip, 0, SYN_IPLEN);
	ip[0] = 0x45;
	syn_put16(ip + 2, SYN_IPLEN);
	syn_put16(ip + 4, (uint16_t)seq);	/* id */
	ip[6] = 0x40;				/* DF */
	ip[8] = 64;
	ip[9] = 6;
	syn_put32(ip + 12, src);
	syn_put32(ip + 16, dst);
	syn_put16(ip + 10, syn_csum_fold(syn_csum_add(0, ip, 20)));

	syn_put16(tcp, sport);
	syn_put16(tcp + 2, dport);
	syn_put32(tcp + 4, seq);
	tcp[12] = 6 << 4;			/* 24-byte header */
	tcp[13] = 0x02;				/* SYN */
	syn_put16(tcp + 14, 64240);
	tcp[20] = 2;				/* MSS 1460 */
	tcp[21] = 4;
	syn_put16(tcp + 22, 1460);
	sum = syn_csum_add(0, ip + 12, 8) + 6 + (SYN_IPLEN - 20);
	syn_put16(tcp + 16, syn_csum_fold(syn_csum_add(sum, tcp, 24)));
}

#endif
