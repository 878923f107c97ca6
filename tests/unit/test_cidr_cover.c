/*
 * test_cidr_cover.c - the minimal CIDR cover and the range merger.
 *
 * The cover is checked against an independent reference: walking the
 * binary prefix tree and emitting every node wholly inside the range,
 * which is the minimal cover by construction.  Random ranges of both
 * families, every boundary (0, the top address, the whole space) and
 * the merger's joining rules are exercised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/cidr_cover.h"
#include "test.h"

#define MAXP 600

struct got {
	struct ng_addr net[MAXP];
	unsigned plen[MAXP];
	int n;
	int stop_at;		/* return 7 at this prefix index, or -1 */
};

static int
collect(const struct ng_addr *net, unsigned plen, void *arg)
{
	struct got *g = arg;

	if (g->n == g->stop_at)
		return 7;
	if (g->n < MAXP) {
		g->net[g->n] = *net;
		g->plen[g->n] = plen;
	}
	g->n++;
	return 0;
}

static struct ng_addr
A(const char *s)
{
	struct ng_addr a;

	memset(&a, 0, sizeof a);
	if (ng_addr_parse(&a, s) != 0) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

static void
set_bit(struct ng_addr *a, unsigned bit, int on)
{
	uint8_t m = (uint8_t)(0x80 >> (bit % 8));

	if (on)
		a->b[bit / 8] |= m;
	else
		a->b[bit / 8] &= (uint8_t)~m;
}

static struct ng_addr
node_last(const struct ng_addr *net, unsigned plen)
{
	struct ng_addr l = *net;
	unsigned i;

	for (i = plen; i < ng_addr_bits(net); i++)
		set_bit(&l, i, 1);
	return l;
}

/* Reference: the prefix tree nodes wholly inside [f, l], in order. */
static void
ref_cover(const struct ng_addr *f, const struct ng_addr *l,
    struct ng_addr net, unsigned plen, struct got *g)
{
	struct ng_addr nl = node_last(&net, plen);

	if (ng_addr_cmp(&nl, f) < 0 || ng_addr_cmp(&net, l) > 0)
		return;
	if (ng_addr_cmp(&net, f) >= 0 && ng_addr_cmp(&nl, l) <= 0) {
		collect(&net, plen, g);
		return;
	}
	set_bit(&net, plen, 0);
	ref_cover(f, l, net, plen + 1, g);
	set_bit(&net, plen, 1);
	ref_cover(f, l, net, plen + 1, g);
}

static void
check_range(const struct ng_addr *f, const struct ng_addr *l)
{
	static struct got g, r;
	struct ng_addr zero;
	int i, same;

	memset(&g, 0, sizeof g);
	memset(&r, 0, sizeof r);
	g.stop_at = r.stop_at = -1;
	memset(&zero, 0, sizeof zero);
	zero.family = f->family;
	CHECK_EQ(ng_cidr_cover(f, l, collect, &g), 0);
	ref_cover(f, l, zero, 0, &r);
	CHECK_EQ(g.n, r.n);
	same = g.n == r.n;
	for (i = 0; same && i < g.n && i < MAXP; i++)
		same = ng_addr_cmp(&g.net[i], &r.net[i]) == 0 &&
		    g.plen[i] == r.plen[i];
	CHECK(same);
	if (!same) {
		char a[NG_ADDRSTRLEN], b[NG_ADDRSTRLEN];
		fprintf(stderr, "  range %s - %s\n", ng_addr_format(f, a,
		    sizeof a), ng_addr_format(l, b, sizeof b));
	}
}

static void
fmt_prefix(const struct got *g, int i, char *buf, size_t len)
{
	char a[NG_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", ng_addr_format(&g->net[i], a, sizeof a),
	    g->plen[i]);
}

static void
test_known(void)
{
	struct got g;
	struct ng_addr f, l;
	char p[64];

	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("1.0.1.0");
	l = A("1.0.3.255");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 2);
	fmt_prefix(&g, 0, p, sizeof p);
	CHECK_STR(p, "1.0.1.0/24");
	fmt_prefix(&g, 1, p, sizeof p);
	CHECK_STR(p, "1.0.2.0/23");

	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("0.0.0.0");
	l = A("255.255.255.255");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 1);
	fmt_prefix(&g, 0, p, sizeof p);
	CHECK_STR(p, "0.0.0.0/0");

	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("::");
	l = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 1);
	fmt_prefix(&g, 0, p, sizeof p);
	CHECK_STR(p, "::/0");

	/* One address short at both ends: 2 * 31 and 2 * 127 prefixes. */
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("0.0.0.1");
	l = A("255.255.255.254");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 62);
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("::1");
	l = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 254);
	fmt_prefix(&g, 253, p, sizeof p);
	CHECK_STR(p, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128");

	/* A single top address. */
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = l = A("255.255.255.255");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 1);
	fmt_prefix(&g, 0, p, sizeof p);
	CHECK_STR(p, "255.255.255.255/32");

	/* The 64-bit half boundary of IPv6. */
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	f = A("2001:db8:0:0:ffff:ffff:ffff:ffff");
	l = A("2001:db8:0:1::");
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 0);
	CHECK_EQ(g.n, 2);
	fmt_prefix(&g, 1, p, sizeof p);
	CHECK_STR(p, "2001:db8:0:1::/128");
}

static void
test_errors(void)
{
	struct got g;
	struct ng_addr f = A("10.0.0.2"), l = A("10.0.0.1"), s = A("::1");

	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), -1);
	CHECK_EQ(ng_cidr_cover(&l, &s, collect, &g), -1);
	f.family = 5;
	CHECK_EQ(ng_cidr_cover(&f, &f, collect, &g), -1);
	CHECK_EQ(g.n, 0);
	/* The callback's stop value comes back. */
	f = A("0.0.0.1");
	l = A("0.0.0.255");
	g.stop_at = 3;
	CHECK_EQ(ng_cidr_cover(&f, &l, collect, &g), 7);
	CHECK_EQ(g.n, 3);
}

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A random address sharing a random-length prefix with base. */
static void
rnd_near(struct ng_addr *a, const struct ng_addr *base)
{
	unsigned bits = ng_addr_bits(base), keep = rnd() % (bits + 1), i;

	*a = *base;
	for (i = keep; i < bits; i++)
		set_bit(a, i, (int)(rnd() & 1));
	/* Runs of ones and zeros make aligned edges likely. */
	if (rnd() % 3 == 0)
		for (i = bits - rnd() % (bits - keep + 1); i < bits; i++)
			set_bit(a, i, (int)(rnd() % 2));
}

static void
test_random(void)
{
	struct ng_addr f, l, t, base;
	int i, fam;
	unsigned j;

	for (i = 0; i < 20000; i++) {
		fam = i % 2 ? 6 : 4;
		memset(&base, 0, sizeof base);
		base.family = (uint8_t)fam;
		for (j = 0; j < ng_addr_bits(&base); j++)
			set_bit(&base, j, (int)(rnd() & 1));
		rnd_near(&f, &base);
		rnd_near(&l, &f);
		if (ng_addr_cmp(&f, &l) > 0) {
			t = f;
			f = l;
			l = t;
		}
		check_range(&f, &l);
	}
}

static void
test_merge(void)
{
	struct got g;
	struct ng_cover_merge m;
	struct ng_addr a1 = A("1.0.1.0"), a2 = A("1.0.1.255");
	struct ng_addr b1 = A("1.0.2.0"), b2 = A("1.0.3.255");
	struct ng_addr c1 = A("1.0.3.0"), c2 = A("1.0.3.10");
	struct ng_addr d1 = A("1.0.8.0"), d2 = A("1.0.8.255");
	struct ng_addr v6 = A("::1"), z = A("1.0.0.255");
	struct ng_addr top = A("255.255.255.255"), e1 = A("255.255.255.0");
	char p[64];

	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	ng_cover_merge_init(&m, collect, &g);
	CHECK_EQ(ng_cover_merge_add(&m, &a1, &a2), 0);
	CHECK_EQ(ng_cover_merge_add(&m, &b1, &b2), 0);	/* touches */
	CHECK_EQ(ng_cover_merge_add(&m, &c1, &c2), 0);	/* inside */
	CHECK_EQ(g.n, 0);
	CHECK_EQ(ng_cover_merge_add(&m, &z, &z), -1);	/* backwards */
	CHECK_EQ(ng_cover_merge_add(&m, &v6, &v6), -1);	/* family */
	CHECK_EQ(ng_cover_merge_add(&m, &d1, &d2), 0);	/* gap: emit */
	CHECK_EQ(g.n, 2);
	CHECK_EQ(ng_cover_merge_add(&m, &e1, &top), 0);
	CHECK_EQ(ng_cover_merge_add(&m, &top, &top), 0);	/* at the top */
	CHECK_EQ(ng_cover_merge_finish(&m), 0);
	CHECK_EQ(ng_cover_merge_finish(&m), 0);		/* idempotent */
	CHECK_EQ(g.n, 4);
	fmt_prefix(&g, 0, p, sizeof p);
	CHECK_STR(p, "1.0.1.0/24");
	fmt_prefix(&g, 1, p, sizeof p);
	CHECK_STR(p, "1.0.2.0/23");
	fmt_prefix(&g, 2, p, sizeof p);
	CHECK_STR(p, "1.0.8.0/24");
	fmt_prefix(&g, 3, p, sizeof p);
	CHECK_STR(p, "255.255.255.0/24");

	/* Overlap that reaches further joins: 1.0.1.0-1.0.2.255 + 1.0.2.0-1.0.3.255. */
	memset(&g, 0, sizeof g);
	g.stop_at = -1;
	ng_cover_merge_init(&m, collect, &g);
	b1 = A("1.0.2.255");
	CHECK_EQ(ng_cover_merge_add(&m, &a1, &b1), 0);
	b1 = A("1.0.2.0");
	CHECK_EQ(ng_cover_merge_add(&m, &b1, &b2), 0);
	CHECK_EQ(ng_cover_merge_finish(&m), 0);
	CHECK_EQ(g.n, 2);

	/* A malformed range is refused and leaves the run alone. */
	CHECK_EQ(ng_cover_merge_add(&m, &b2, &b1), -1);
}

int
main(void)
{
	RUN(test_known);
	RUN(test_errors);
	RUN(test_random);
	RUN(test_merge);
	return test_done();
}
