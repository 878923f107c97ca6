/*
 * test_tables.c - the engine's tables under floods, end to end through
 * ng_engine_packet: a greylist full of forged first tries does not
 * forget a real one (admission control, greylist_full, the greeting test
 * for newcomers), PASS OLD keeps a regular sender in a pass cache that
 * one-off passes keep filling, and verdicts do not depend on the hash key.
 */
#include "engine.h"
#include "pktbuild.h"
#include "test.h"

#define SRV "203.0.113.25"

static struct ng_out out;

/* syn - a client SYN from cli:cport; returns the first event's type. */
static int
syn(struct ng_engine *e, const char *cli, uint16_t cport, ng_usec now)
{
	struct tpkt t = tcp_pkt(cli, cport, SRV, 25, NG_TH_SYN, 1000, 0, NULL);

	ng_engine_packet(e, t.b, t.len, t.len, 1, now, &out);
	return out.nev > 0 ? out.ev[0].type : -1;
}

/* pass - a whole polite session from cli:cport at t0: PASS NEW. */
static int
pass(struct ng_engine *e, const char *cli, uint16_t cport, ng_usec t0)
{
	struct tpkt t;
	unsigned i;

	syn(e, cli, cport, t0);
	t = tcp_pkt(SRV, 25, cli, cport, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 2, t0, &out);
	t = tcp_pkt(cli, cport, SRV, 25, NG_TH_ACK, 1001, 5001, NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 3, t0, &out);
	t = tcp_pkt(SRV, 25, cli, cport, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 hi\r\n");
	ng_engine_packet(e, t.b, t.len, t.len, 4, t0, &out);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	t = tcp_pkt(cli, cport, SRV, 25, NG_TH_ACK | NG_TH_PSH, 1001, 5009,
	    "EHLO a\r\n");
	ng_engine_packet(e, t.b, t.len, t.len, 5, t0 + NG_SEC(7), &out);
	for (i = 0; i < out.nev; i++)
		if (out.ev[i].type == NG_EV_PASS_NEW)
			return 1;
	return 0;
}

/* engine - defaults, the greet pause 6 s, cache_max, an action. */
static struct ng_engine *
engine(unsigned cache_max, uint8_t action, uint8_t keybyte)
{
	struct ng_config c;
	struct ng_engine *e;

	ng_config_defaults(&c);
	c.greet_pause = NG_SEC(6);
	c.cache_max = cache_max;
	c.default_action = action;
	c.greylist_delay = NG_SEC(60);
	memset(c.hash_key, keybyte, sizeof(c.hash_key));
	e = ng_engine_new(&c);
	ng_config_free(&c);
	return e;
}

/* v4 - the text form of 10.x.y.z for flood source i. */
static const char *
v4(unsigned i)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "10.%u.%u.%u", (i >> 16) & 255,
	    (i >> 8) & 255, i & 255);
	return buf;
}

static void
test_greylist_flood(void)
{
	struct ng_engine *e = engine(8, NG_ACT_GREYLIST, 1);
	unsigned i, grey = 0, full = 0;
	int ev;

	CHECK_EQ(syn(e, "198.51.100.25", 40001, NG_SEC(1000)), NG_EV_GREYLIST);
	for (i = 0; i < 1000; i++) {		/* forged SYNs */
		ev = syn(e, v4(i), 2000, NG_SEC(1001) + i * 1000);
		if (ev == NG_EV_GREYLIST) {
			grey++;
			CHECK_EQ(out.v.action, NG_RESET);
		} else if (ev == NG_EV_CONNECT) {
			full++;
			CHECK_STR(out.ev[0].reason, "greylist full");
			CHECK_EQ(out.v.action, NG_ACCEPT);	/* to the test */
		}
	}
	CHECK_EQ(grey, 7);
	CHECK_EQ(full, 993);
	CHECK_EQ(ng_engine_stats(e)->greylist_full, 993);
	/* The real MTA's retry is not new: GREYLIST PASS, then the test. */
	CHECK_EQ(syn(e, "198.51.100.25", 40002, NG_SEC(1070)),
	    NG_EV_GREYLIST_PASS);
	/* A newcomer while full gets the greeting test and can pass. */
	CHECK(pass(e, "198.51.100.77", 40003, NG_SEC(1080)));
	/* After greylist_window the flood's slots are reused. */
	CHECK_EQ(syn(e, "198.51.100.88", 40004, NG_SEC(1000 + 4 * 3600 + 10)),
	    NG_EV_GREYLIST);
	ng_engine_free(e);
}

/*
 * A regular sender (passed, came back) survives 200 one-off passes in a
 * pass cache of 10; PASS OLD does not move pass_ttl, which still runs
 * from the first pass.
 */
static void
test_pass_cache_regular(void)
{
	struct ng_engine *e = engine(10, NG_ACT_TEST, 2);
	ng_usec t = NG_SEC(1000);
	unsigned i, passed = 0;

	CHECK(pass(e, "198.51.100.10", 40000, t));
	CHECK_EQ(syn(e, "198.51.100.10", 40001, t + NG_SEC(20)),
	    NG_EV_PASS_OLD);
	for (i = 0; i < 200; i++)
		passed += pass(e, v4(i), (uint16_t)(3000 + i),
		    t + NG_SEC(30 + 10 * i));
	CHECK_EQ(passed, 200);
	CHECK_EQ(syn(e, "198.51.100.10", 40002, t + NG_SEC(3000)),
	    NG_EV_PASS_OLD);
	/* pass_ttl (1 day) counts from the pass (at t + 7 s, the EHLO),
	 * not from the PASS OLDs. */
	CHECK_EQ(syn(e, "198.51.100.10", 40003, t + NG_SEC(86400 + 6)),
	    NG_EV_PASS_OLD);
	CHECK_EQ(syn(e, "198.51.100.10", 40004, t + NG_SEC(86400 + 7)),
	    NG_EV_CONNECT);
	ng_engine_free(e);
}

/* The same packets under two hash keys give the same events. */
static void
test_key_does_not_change_verdicts(void)
{
	struct ng_engine *a = engine(50, NG_ACT_GREYLIST, 3);
	struct ng_engine *b = engine(50, NG_ACT_GREYLIST, 4);
	unsigned i, differ = 0;
	int ea, eb;

	for (i = 0; i < 300; i++) {
		ea = syn(a, v4(i % 120), (uint16_t)(1000 + i),
		    NG_SEC(1000 + i));
		eb = syn(b, v4(i % 120), (uint16_t)(1000 + i),
		    NG_SEC(1000 + i));
		differ += ea != eb;
	}
	CHECK_EQ(differ, 0);
	ng_engine_free(a);
	ng_engine_free(b);
}

int
main(void)
{
	RUN(test_greylist_flood);
	RUN(test_pass_cache_regular);
	RUN(test_key_does_not_change_verdicts);
	return test_done();
}
