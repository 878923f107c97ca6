/*
 * test_packet.c - the IP/TCP parser on good, odd and hostile input.
 */
#include "pktbuild.h"
#include "test.h"

static void
test_ipv4_basic(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 40001, "203.0.113.25", 25,
	    NG_TH_ACK | NG_TH_PSH, 100, 200, "EHLO x\r\n");
	struct ng_pkt p;

	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_OK);
	CHECK_EQ(p.sport, 40001);
	CHECK_EQ(p.dport, 25);
	CHECK_EQ(p.seq, 100);
	CHECK_EQ(p.ack, 200);
	CHECK_EQ(p.paylen, 8);
	CHECK_EQ(p.paycap, 8);
	CHECK(memcmp(p.payload, "EHLO", 4) == 0);
	CHECK_EQ(p.src.family, 4);
}

/* Ethernet pads a 40-byte ACK to 46 bytes: the padding is not payload. */
static void
test_padding_is_not_payload(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 40001, "203.0.113.25", 25,
	    NG_TH_ACK, 1, 2, NULL);
	struct ng_pkt p;

	memset(t.b + t.len, 0xaa, 6);
	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len + 6, t.len + 6), NG_PKT_OK);
	CHECK_EQ(p.paylen, 0);
	CHECK_EQ(p.paycap, 0);
}

/*
 * TCP options are not the gate's business: lists Linux keeps (an unknown
 * kind with length 1 or 0 ends its walk; a length past the header too)
 * parse, so no bot can hide its bytes behind them.  Only the data
 * offset, which Linux checks too, can make a TCP header bad.
 */
static void
test_tcp_options_not_validated(void)
{
	static const uint8_t odd[][4] = {
		{ 0x99, 1, 0, 0 },	/* unknown kind, length 1 */
		{ 0x99, 0, 0, 0 },	/* length 0 */
		{ 2, 40, 5, 0xb4 },	/* MSS with a length past the header */
		{ 1, 1, 1, 0x22 },	/* NOPs, then a kind with no length */
	};
	struct ng_pkt p;
	struct tpkt t;
	size_t i;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		t = tcp_pkt_opt("198.51.100.10", 40001, "203.0.113.25", 25,
		    NG_TH_ACK | NG_TH_PSH, 100, 200, "EHLO x\r\n", odd[i], 4);
		CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_OK);
		CHECK_EQ(p.paylen, 8);
		CHECK(memcmp(p.payload, "EHLO", 4) == 0);
	}
	t.b[20 + 12] = 0x40;			/* data offset 4 < 5 */
	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_BAD_TCPHDR);
}

static void
test_ipv4_bad_headers(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 1, "203.0.113.25", 25,
	    NG_TH_SYN, 1, 0, NULL);
	struct ng_pkt p;
	struct tpkt u;

	u = t; u.b[0] = 0x44;			/* IHL 16 bytes */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	u = t; put16(u.b + 2, 200);		/* longer than the wire */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	u = t; put16(u.b + 2, 10);		/* shorter than its header */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	u = t; u.b[0] = 0x55;
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_VERSION);
	u = t; u.b[20 + 12] = 0x40;		/* data offset 16 */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_TCPHDR);
	u = t; u.b[20 + 12] = 0xf0;		/* data offset past the end */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_TCPHDR);
	CHECK_EQ(ng_pkt_parse(&p, t.b, 19, 19), NG_PKT_TRUNCATED);
	CHECK_EQ(ng_pkt_parse(&p, t.b, 30, t.len), NG_PKT_TRUNCATED);
	CHECK_EQ(ng_pkt_parse(&p, t.b, 0, 0), NG_PKT_TRUNCATED);
	u = t; u.b[9] = 17;
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_NOT_TCP);
}

static void
test_ipv4_options(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 1, "203.0.113.25", 25,
	    NG_TH_SYN, 1, 0, "x");
	struct tpkt u;
	struct ng_pkt p;

	/* Insert 4 bytes of IP options (NOP NOP NOP EOL). */
	memset(&u, 0, sizeof(u));
	memcpy(u.b, t.b, 20);
	u.b[0] = 0x46;
	u.b[20] = 1; u.b[21] = 1; u.b[22] = 1; u.b[23] = 0;
	memcpy(u.b + 24, t.b + 20, t.len - 20);
	u.len = t.len + 4;
	put16(u.b + 2, (uint16_t)u.len);
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_OK);
	CHECK_EQ(p.paylen, 1);
	u.b[20] = 7; u.b[21] = 9;		/* option runs past the header */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	u.b[20] = 7; u.b[21] = 1;		/* length below 2 */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
}

static void
test_ipv4_fragments(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 1, "203.0.113.25", 25,
	    NG_TH_SYN, 1, 0, NULL);
	struct ng_pkt p;

	t.b[6] = 0x20;				/* MF */
	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_FRAGMENT);
	t.b[6] = 0x00; t.b[7] = 0x10;		/* offset 16 */
	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_FRAGMENT);
	t.b[6] = 0x40; t.b[7] = 0;		/* DF only: fine */
	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_OK);
}

/* Splice an extension header of type 'type' in front of the TCP header. */
static struct tpkt
with_ext(struct tpkt t, uint8_t type, const uint8_t *ext, size_t n)
{
	struct tpkt u;

	memset(&u, 0, sizeof(u));
	memcpy(u.b, t.b, 40);
	memcpy(u.b + 40, ext, n);
	u.b[40] = u.b[6];		/* ext's next header = old next */
	u.b[6] = type;
	memcpy(u.b + 40 + n, t.b + 40, t.len - 40);
	u.len = t.len + n;
	put16(u.b + 4, (uint16_t)(u.len - 40));
	return u;
}

static void
test_ipv6_chain(void)
{
	struct tpkt t = tcp_pkt("2001:db8:1::10", 40001, "2001:db8:25::25", 25,
	    NG_TH_ACK, 5, 6, "QUIT\r\n");
	uint8_t opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };	/* PadN */
	uint8_t frag[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };	/* atomic */
	struct tpkt u;
	struct ng_pkt p;

	CHECK_EQ(ng_pkt_parse(&p, t.b, t.len, t.len), NG_PKT_OK);
	CHECK_EQ(p.paylen, 6);
	u = with_ext(t, 60, opts, 8);			/* dest opts */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_OK);
	CHECK_EQ(p.paylen, 6);
	u = with_ext(u, 43, opts, 8);			/* routing */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_OK);
	u = with_ext(u, 0, opts, 8);			/* hop-by-hop first */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_OK);
	CHECK_EQ(p.dport, 25);
	CHECK_EQ(p.paylen, 6);
	u = with_ext(u, 60, opts, 8);	/* hop-by-hop no longer first */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	u = with_ext(t, 44, frag, 8);			/* atomic fragment */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_OK);
	frag[7] = 0; frag[3] = 0x08;			/* offset 1 */
	u = with_ext(t, 44, frag, 8);
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_FRAGMENT);
	opts[1] = 200;				/* ext runs past the end */
	u = with_ext(t, 60, opts, 8);
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
	CHECK_EQ(ng_pkt_parse(&p, t.b, 39, 39), NG_PKT_TRUNCATED);
	u = t; put16(u.b + 4, 0);	/* zero payload length: no room */
	u.b[6] = 6;
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_TCPHDR);
	u.b[6] = 0;			/* jumbogram */
	CHECK_EQ(ng_pkt_parse(&p, u.b, u.len, u.len), NG_PKT_BAD_IPHDR);
}

/* A capture cut at snaplen still gives the payload length. */
static void
test_snaplen(void)
{
	struct tpkt t = tcp_pkt("198.51.100.10", 1, "203.0.113.25", 25,
	    NG_TH_ACK, 1, 2, "EHLO a.long.name.example\r\n");
	struct ng_pkt p;

	CHECK_EQ(ng_pkt_parse(&p, t.b, 44, t.len), NG_PKT_OK);
	CHECK_EQ(p.paylen, 26);
	CHECK_EQ(p.paycap, 4);
}

/* Every truncation of a good packet is refused or parsed, never overrun. */
static void
test_every_truncation(void)
{
	struct tpkt t = tcp_pkt("2001:db8:1::10", 1, "2001:db8:25::25", 25,
	    NG_TH_ACK, 1, 2, "DATA\r\n");
	struct ng_pkt p;
	size_t n;

	for (n = 0; n < t.len; n++) {
		enum ng_pkt_status st = ng_pkt_parse(&p, t.b, n, n);

		CHECK(st != NG_PKT_OK || p.paycap <= n);
	}
}

int
main(void)
{
	RUN(test_ipv4_basic);
	RUN(test_padding_is_not_payload);
	RUN(test_ipv4_bad_headers);
	RUN(test_ipv4_options);
	RUN(test_tcp_options_not_validated);
	RUN(test_ipv4_fragments);
	RUN(test_ipv6_chain);
	RUN(test_snaplen);
	RUN(test_every_truncation);
	return test_done();
}
