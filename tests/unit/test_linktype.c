/*
 * test_linktype.c - the link-layer decoders: where the IP header starts
 * for every supported link type, and a clean refusal for short frames,
 * deep VLAN stacks, non-IP frames and unknown link types.
 */
#include <stdint.h>
#include <string.h>

#include "replay/linktype.h"
#include "test.h"

static uint8_t f[256];

/* An Ethernet header with ntags VLAN tags (802.1ad outermost) and type. */
static size_t
eth(int ntags, uint16_t type)
{
	size_t n = 12;
	int i;

	memset(f, 0xee, sizeof(f));
	for (i = 0; i < ntags; i++) {
		f[n] = i == 0 && ntags > 1 ? 0x88 : 0x81;
		f[n + 1] = i == 0 && ntags > 1 ? 0xa8 : 0x00;
		f[n + 2] = 0x00;
		f[n + 3] = (uint8_t)(i + 1);
		n += 4;
	}
	f[n] = (uint8_t)(type >> 8);
	f[n + 1] = (uint8_t)type;
	n += 2;
	f[n] = 0x45;
	return n;
}

static void
test_ethernet(void)
{
	size_t off = 99;

	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, eth(0, 0x0800) + 20,
	    &off), NG_LINK_IP);
	CHECK_EQ(off, 14);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, eth(0, 0x86dd) + 40,
	    &off), NG_LINK_IP);
	CHECK_EQ(off, 14);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, eth(0, 0x0806) + 28,
	    &off), NG_LINK_NOT_IP);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, 13, &off),
	    NG_LINK_SHORT);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, 0, &off),
	    NG_LINK_SHORT);
	/* the header alone is fine: the engine judges the empty datagram */
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, eth(0, 0x0800), &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 14);
}

static void
test_vlan(void)
{
	size_t off = 0, n;

	n = eth(1, 0x0800);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, n + 20, &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 18);
	n = eth(2, 0x86dd);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, n + 40, &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 22);
	n = eth(NG_VLAN_MAX, 0x0800);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, n, &off), NG_LINK_IP);
	CHECK_EQ(off, 14 + 4 * NG_VLAN_MAX);
	n = eth(NG_VLAN_MAX + 1, 0x0800);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, n, &off),
	    NG_LINK_TOO_MANY_TAGS);
	/* a tag cut off in the middle */
	n = eth(2, 0x0800);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, 20, &off),
	    NG_LINK_SHORT);
	/* the old 0x9100 QinQ tag */
	n = eth(2, 0x0800);
	f[12] = 0x91;
	f[13] = 0x00;
	CHECK_EQ(ng_link_ip_offset(NG_DLT_EN10MB, f, n, &off), NG_LINK_IP);
	CHECK_EQ(off, 22);
}

static void
test_sll(void)
{
	size_t off = 0;

	memset(f, 0, sizeof(f));
	f[14] = 0x08;		/* protocol 0x0800 */
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL, f, 36, &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 16);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL, f, 15, &off),
	    NG_LINK_SHORT);
	f[14] = 0x00;
	f[15] = 0x04;		/* 802.2 LLC frames */
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL, f, 36, &off),
	    NG_LINK_NOT_IP);

	memset(f, 0, sizeof(f));
	f[0] = 0x86;
	f[1] = 0xdd;
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL2, f, 60, &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 20);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL2, f, 19, &off),
	    NG_LINK_SHORT);
	/* a VLAN tag after the cooked header */
	f[0] = 0x81;
	f[1] = 0x00;
	f[22] = 0x08;
	f[23] = 0x00;
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LINUX_SLL2, f, 44, &off),
	    NG_LINK_IP);
	CHECK_EQ(off, 24);
}

static void
af(const uint8_t b[4])
{
	memcpy(f, b, 4);
}

static void
test_loopback(void)
{
	static const uint8_t le2[4] = { 2, 0, 0, 0 }, be2[4] = { 0, 0, 0, 2 },
	    le30[4] = { 30, 0, 0, 0 }, be24[4] = { 0, 0, 0, 24 },
	    le28[4] = { 28, 0, 0, 0 }, be17[4] = { 0, 0, 0, 17 };
	size_t off = 0;

	af(le2);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_NULL, f, 24, &off), NG_LINK_IP);
	CHECK_EQ(off, 4);
	af(le30);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_NULL, f, 44, &off), NG_LINK_IP);
	af(le28);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_NULL, f, 44, &off), NG_LINK_IP);
	/* a big-endian writer's DLT_NULL file */
	af(be24);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_NULL, f, 44, &off), NG_LINK_IP);
	af(be2);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LOOP, f, 24, &off), NG_LINK_IP);
	CHECK_EQ(off, 4);
	af(be24);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LOOP, f, 44, &off), NG_LINK_IP);
	af(be17);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_LOOP, f, 44, &off),
	    NG_LINK_NOT_IP);
	CHECK_EQ(ng_link_ip_offset(NG_DLT_NULL, f, 3, &off), NG_LINK_SHORT);
}

static void
test_raw_and_unknown(void)
{
	static const int raw[] = { NG_DLT_RAW, NG_DLT_RAW_LT, NG_DLT_IPV4,
	    NG_DLT_IPV6, NG_DLT_RAW_BSD };
	size_t off = 7, i;

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		off = 7;
		CHECK_EQ(ng_link_ip_offset(raw[i], f, 20, &off), NG_LINK_IP);
		CHECK_EQ(off, 0);
		CHECK(ng_link_supported(raw[i]));
	}
	CHECK_EQ(ng_link_ip_offset(105, f, 20, &off), NG_LINK_UNSUPPORTED);
	CHECK(!ng_link_supported(105));		/* 802.11 */
	CHECK(!ng_link_supported(-1));
	CHECK(ng_link_name(105) == NULL);
	CHECK_STR(ng_link_name(NG_DLT_LINUX_SLL2), "LINUX_SLL2");
	CHECK_STR(ng_link_strstatus(NG_LINK_SHORT), "short link header");
	CHECK_STR(ng_link_strstatus((enum ng_link_status)99), "unknown");
}

int
main(void)
{
	RUN(test_ethernet);
	RUN(test_vlan);
	RUN(test_sll);
	RUN(test_loopback);
	RUN(test_raw_and_unknown);
	return test_done();
}
