/*
 * test_addr.c - address parsing, printing, masking, and CIDR lists.
 */
#include "base/addr.h"
#include "base/cidr.h"
#include "test.h"

static void
test_parse_format(void)
{
	struct ng_addr a;
	char buf[NG_EPSTRLEN];

	CHECK_EQ(ng_addr_parse(&a, "198.51.100.10"), 0);
	CHECK_EQ(a.family, 4);
	CHECK_EQ(ng_addr_v4(&a), 0xc633640aU);
	CHECK_STR(ng_addr_format(&a, buf, sizeof(buf)), "198.51.100.10");
	CHECK_STR(ng_addr_format_ep(&a, 25, buf, sizeof(buf)),
	    "[198.51.100.10]:25");
	CHECK_EQ(ng_addr_parse(&a, "2001:DB8::1"), 0);
	CHECK_EQ(a.family, 6);
	CHECK_STR(ng_addr_format(&a, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(ng_addr_format_ep(&a, 40002, buf, sizeof(buf)),
	    "[2001:db8::1]:40002");
	CHECK_EQ(ng_addr_parse(&a, "256.1.1.1"), -1);
	CHECK_EQ(ng_addr_parse(&a, "1.2.3"), -1);
	CHECK_EQ(ng_addr_parse(&a, "2001:db8:::1"), -1);
	CHECK_EQ(ng_addr_parse(&a, ""), -1);
	CHECK_EQ(ng_addr_parse(&a, " 1.2.3.4"), -1);
}

static void
test_cidr_parse_mask(void)
{
	struct ng_addr a, b;
	unsigned plen;
	char buf[NG_ADDRSTRLEN];

	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "1.0.1.77/22"), 0);
	CHECK_EQ(plen, 22);
	CHECK_STR(ng_addr_format(&a, buf, sizeof(buf)), "1.0.0.0");
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "240e:fff::5/20"), 0);
	CHECK_STR(ng_addr_format(&a, buf, sizeof(buf)), "240e::");
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "10.0.0.1"), 0);
	CHECK_EQ(plen, 32);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "10.0.0.0/33"), -1);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "::/129"), -1);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "10.0.0.0/"), -1);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "10.0.0.0/-1"), -1);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "10.0.0.0/8x"), -1);
	CHECK_EQ(ng_addr_parse_cidr(&a, &plen, "/8"), -1);
	ng_addr_parse(&a, "2001:db8:1:2:3:4:5:6");
	b = a;
	ng_addr_mask(&b, 64);
	CHECK_STR(ng_addr_format(&b, buf, sizeof(buf)), "2001:db8:1:2::");
	b = a;
	ng_addr_mask(&b, 0);
	CHECK_STR(ng_addr_format(&b, buf, sizeof(buf)), "::");
	CHECK(ng_addr_in(&a, &b, 0));
	ng_addr_parse(&b, "1.2.3.4");
	CHECK(!ng_addr_in(&a, &b, 0));		/* families differ */
}

static void
test_hash_spreads(void)
{
	struct ng_addr a;
	static const uint8_t key[16] = { 7 };
	unsigned seen[64] = { 0 }, i, empty = 0;

	for (i = 0; i < 6400; i++) {
		ng_addr_set_v4(&a, 0xc6336400u + i);
		seen[ng_addr_hash(&a, key) & 63]++;
	}
	for (i = 0; i < 64; i++)
		empty += seen[i] < 50;
	CHECK_EQ(empty, 0);
}

static void
test_cc(void)
{
	char buf[3];

	CHECK_EQ(ng_cc_pack("CN"), ('C' << 8) | 'N');
	CHECK_EQ(ng_cc_pack("cn"), ('C' << 8) | 'N');
	CHECK_EQ(ng_cc_pack("C"), 0);
	CHECK_EQ(ng_cc_pack("1N"), 0);
	CHECK_EQ(ng_cc_pack(NULL), 0);
	CHECK_STR(ng_cc_str(ng_cc_pack("RU"), buf), "RU");
	CHECK_STR(ng_cc_str(0, buf), "--");
}

static void
test_cidr_list(void)
{
	struct ng_cidr_list l, m;
	struct ng_addr a;

	ng_cidr_list_init(&l);
	CHECK_EQ(ng_cidr_list_add_str(&l, "198.51.100.0/24"), 0);
	CHECK_EQ(ng_cidr_list_add_str(&l, "2001:db8:aa::/48"), 0);
	CHECK_EQ(ng_cidr_list_add_str(&l, "bogus"), -1);
	ng_addr_parse(&a, "198.51.100.77");
	CHECK(ng_cidr_list_match(&l, &a));
	ng_addr_parse(&a, "198.51.101.1");
	CHECK(!ng_cidr_list_match(&l, &a));
	ng_addr_parse(&a, "2001:db8:aa:ffff::1");
	CHECK(ng_cidr_list_match(&l, &a));
	ng_addr_parse(&a, "2001:db8:ab::1");
	CHECK(!ng_cidr_list_match(&l, &a));
	CHECK_EQ(ng_cidr_list_copy(&m, &l), 0);
	ng_cidr_list_free(&l);
	ng_addr_parse(&a, "198.51.100.1");
	CHECK(ng_cidr_list_match(&m, &a));
	ng_cidr_list_free(&m);
	CHECK(!ng_cidr_list_match(&m, &a));
}

int
main(void)
{
	RUN(test_parse_format);
	RUN(test_cidr_parse_mask);
	RUN(test_hash_spreads);
	RUN(test_cc);
	RUN(test_cidr_list);
	return test_done();
}
