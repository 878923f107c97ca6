/*
 * packet.c - decode IPv4/IPv6 + TCP headers, checking every length.
 *
 * Fragments are passed over, never judged: a gate that reassembled would
 * be a target, and a mail client has no reason to fragment a SYN or an
 * EHLO.  The IPv6 extension-header chain is walked (hop-by-hop, routing,
 * fragment, destination options, AH) with a bound on its length, so a
 * crafted chain costs a few comparisons and nothing more.
 */
#include <string.h>

#include "base/bytes.h"
#include "engine/packet.h"

#define IP6_MAX_EXT 16

/*
 * options_ok - are these IPv4 options well formed?
 *
 * IPv4 options: EOL, NOP, or kind + length >= 2 within the header, as
 * Linux's ip_options_compile() insists too.  TCP options are not judged
 * here (only handed on, for the SYN fingerprint, synfp.c, which reads
 * bad ones as a quirk): Linux's tcp_parse_options() takes
 * lists this would refuse (an unknown kind with length 1 ends the list
 * and the segment is kept), so refusing them here would only make a
 * place for a bot's bytes to hide.
 */
static int
options_ok(const uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opt[i] == 0)
			return 1;
		if (opt[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return 0;
		i += opt[i + 1];
	}
	return 1;
}

/*
 * parse_tcp - the TCP header at seg; seglen is its length per the IP
 * header.
 */
static enum ng_pkt_status
parse_tcp(struct ng_pkt *p, const uint8_t *seg, size_t seglen, size_t cap)
{
	size_t doff;

	if (seglen < 20)
		return NG_PKT_BAD_TCPHDR;
	if (cap < 20)
		return NG_PKT_TRUNCATED;
	doff = (size_t)(seg[12] >> 4) * 4;
	if (doff < 20 || doff > seglen)
		return NG_PKT_BAD_TCPHDR;
	if (cap < doff)
		return NG_PKT_TRUNCATED;
	p->sport = ng_get16(seg);
	p->dport = ng_get16(seg + 2);
	p->seq = ng_get32(seg + 4);
	p->ack = ng_get32(seg + 8);
	p->flags = seg[13];
	p->window = ng_get16(seg + 14);
	p->paylen = (uint32_t)(seglen - doff);
	p->payload = seg + doff;
	p->paycap = (uint32_t)(cap - doff < p->paylen ? cap - doff : p->paylen);
	p->tcp_rsvd = seg[12] & 0x0f;
	p->urp = ng_get16(seg + 18);
	p->optlen = (uint8_t)(doff - 20);	/* cap >= doff: all present */
	p->opt = seg + 20;
	return NG_PKT_OK;
}

/* parse_ip4 - an IPv4 header and what it carries. */
static enum ng_pkt_status
parse_ip4(struct ng_pkt *p, const uint8_t *b, size_t caplen, size_t wirelen)
{
	size_t ihl, tot;
	uint16_t frag;

	if (caplen < 20)
		return NG_PKT_TRUNCATED;
	ihl = (size_t)(b[0] & 0x0f) * 4;
	tot = ng_get16(b + 2);
	if (ihl < 20 || tot < ihl || tot > wirelen)
		return NG_PKT_BAD_IPHDR;
	if (caplen < ihl)
		return NG_PKT_TRUNCATED;
	if (!options_ok(b + 20, ihl - 20))
		return NG_PKT_BAD_IPHDR;
	p->src.family = p->dst.family = 4;
	memcpy(p->src.b, b + 12, 4);
	memcpy(p->dst.b, b + 16, 4);
	p->ipver = 4;
	p->tos = b[1];
	p->ttl = b[8];
	p->ip_id = ng_get16(b + 4);
	p->ip_optlen = (uint8_t)(ihl - 20);
	frag = ng_get16(b + 6);
	p->df = (frag & 0x4000) != 0;
	if (frag & 0x3fff)		/* MF set or offset nonzero */
		return NG_PKT_FRAGMENT;
	if (b[9] != 6)
		return NG_PKT_NOT_TCP;
	if (caplen > tot)
		caplen = tot;		/* Ethernet padding is not payload */
	return parse_tcp(p, b + ihl, tot - ihl, caplen - ihl);
}

/* parse_ip6 - an IPv6 header, its extension chain, and what it carries. */
static enum ng_pkt_status
parse_ip6(struct ng_pkt *p, const uint8_t *b, size_t caplen, size_t wirelen)
{
	size_t tot, off = 40;
	uint8_t nh;
	int n;

	if (caplen < 40)
		return NG_PKT_TRUNCATED;
	tot = 40 + (size_t)ng_get16(b + 4);
	if (tot == 40 && b[6] == 0)
		return NG_PKT_BAD_IPHDR;	/* jumbogram: not for mail */
	if (tot > wirelen)
		return NG_PKT_BAD_IPHDR;
	p->src.family = p->dst.family = 6;
	memcpy(p->src.b, b + 8, 16);
	memcpy(p->dst.b, b + 24, 16);
	p->ipver = 6;
	p->tos = (uint8_t)((b[0] & 0x0f) << 4 | b[1] >> 4);
	p->flow = ((uint32_t)(b[1] & 0x0f) << 16) | ng_get16(b + 2);
	p->ttl = b[7];
	if (caplen > tot)
		caplen = tot;
	nh = b[6];
	for (n = 0; n < IP6_MAX_EXT; n++) {
		size_t len;

		if (nh == 6 && off > caplen)
			return NG_PKT_TRUNCATED;
		if (nh == 6) {
			p->ip_optlen = (uint8_t)(off - 40 > 255 ? 255 : off - 40);
			return parse_tcp(p, b + off, tot - off, caplen - off);
		}
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51)
			return NG_PKT_NOT_TCP;
		if (nh == 0 && off != 40)
			return NG_PKT_BAD_IPHDR;  /* hop-by-hop must be first */
		if (off + 8 > tot)
			return NG_PKT_BAD_IPHDR;
		if (off + 8 > caplen)
			return NG_PKT_TRUNCATED;
		if (nh == 44) {
			if (ng_get16(b + off + 2) & 0xfff9)  /* offset or M */
				return NG_PKT_FRAGMENT;
			len = 8;
		} else if (nh == 51) {
			len = ((size_t)b[off + 1] + 2) * 4;
		} else {
			len = ((size_t)b[off + 1] + 1) * 8;
		}
		if (off + len > tot)
			return NG_PKT_BAD_IPHDR;
		nh = b[off];
		off += len;
	}
	return NG_PKT_BAD_IPHDR;		/* chain too long */
}

/*
 * ng_pkt_parse - one datagram from its IP header: addresses, ports,
 * flags, payload.
 */
enum ng_pkt_status
ng_pkt_parse(struct ng_pkt *p, const uint8_t *buf, size_t caplen,
    size_t wirelen)
{
	memset(p, 0, sizeof(*p));
	if (wirelen < caplen)
		wirelen = caplen;
	if (caplen < 1)
		return NG_PKT_TRUNCATED;
	switch (buf[0] >> 4) {
	case 4:
		return parse_ip4(p, buf, caplen, wirelen);
	case 6:
		return parse_ip6(p, buf, caplen, wirelen);
	default:
		return NG_PKT_BAD_VERSION;
	}
}

/* ng_pkt_strstatus - a parse status's name, for the log. */
const char *
ng_pkt_strstatus(enum ng_pkt_status st)
{
	static const char *names[NG_PKT_STATUS_MAX] = {
		"ok", "not tcp", "fragment", "truncated", "bad ip version",
		"bad ip header", "bad tcp header"
	};

	if ((unsigned)st >= NG_PKT_STATUS_MAX)
		return "unknown";
	return names[st];
}
