/*
 * test_tables.c - the engine's tables under floods, end to end through
 * ng_engine_packet: a greylist full of forged first tries does not
 * forget a real one (admission control, greylist_full, the greeting test
 * for newcomers), PASS OLD keeps a regular sender in a pass cache that
 * one-off passes keep filling, and verdicts do not depend on the hash key.
 */
#include "engine/cache.h"
#include "engine/engine.h"
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

/* old - a real returning session: PASS OLD, confirmed at its ACK. */
static int
old(struct ng_engine *e, const char *cli, uint16_t cport, ng_usec t0)
{
	struct tpkt t;

	if (syn(e, cli, cport, t0) != NG_EV_PASS_OLD)
		return 0;
	t = tcp_pkt(SRV, 25, cli, cport, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 2, t0, &out);
	t = tcp_pkt(cli, cport, SRV, 25, NG_TH_ACK, 1001, 5001, NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 3, t0, &out);
	return out.v.confirm && out.v.offload;
}

/* engine - defaults, the greet pause 6 s, cache_max, an action. */
static struct ng_engine *
engine(unsigned cache_max, uint8_t action, uint8_t keybyte)
{
	struct ng_settings c;
	struct ng_engine *e;

	ng_settings_defaults(&c);
	c.hold = NG_HOLD_GREETING;	/* the sessions here answer a greeting */
	c.greet_pause = NG_SEC(6);
	c.cache_max = cache_max;
	c.default_action = action;
	c.greylist_delay = NG_SEC(60);
	memset(c.hash_key, keybyte, sizeof(c.hash_key));
	e = ng_engine_new(&c);
	ng_settings_free(&c);
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
	/* It comes back for real (a forged SYN would not count). */
	CHECK(old(e, "198.51.100.10", 40001, t + NG_SEC(20)));
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

/*
 * Two engines under different hash keys, fed the same packets: every
 * call's verdict, releases and events (type, decision, reason,
 * addresses, ports, times, bytes) must be the same.  The key may only
 * spread the tables, never change what a table keeps or gives up.
 */
struct twin {
	struct ng_engine *e[2];
	struct ng_out o[2];
	unsigned calls, differ, events;
	uint64_t seen[NG_EV_TYPE_MAX];
};

/* same_event - two events equal in everything a log line shows. */
static int
same_event(const struct ng_event *a, const struct ng_event *b)
{
	return a->type == b->type && a->decision == b->decision &&
	    strcmp(a->reason ? a->reason : "", b->reason ? b->reason : "") ==
	    0 && ng_addr_cmp(&a->client, &b->client) == 0 &&
	    ng_addr_cmp(&a->server, &b->server) == 0 &&
	    a->cport == b->cport && a->sport == b->sport && a->cc == b->cc &&
	    a->when == b->when && a->after == b->after &&
	    a->bytes == b->bytes && a->nfirst == b->nfirst &&
	    memcmp(a->first, b->first, a->nfirst) == 0;
}

/* compare - the twins' last outputs; counts and reports a difference. */
static void
compare(struct twin *w)
{
	const struct ng_out *a = &w->o[0], *b = &w->o[1];
	unsigned i, same;

	same = a->v.action == b->v.action && a->v.offload == b->v.offload &&
	    a->v.hold_until == b->v.hold_until && a->nev == b->nev &&
	    a->nrel == b->nrel;
	for (i = 0; same && i < a->nrel; i++)
		same = a->rel[i].id == b->rel[i].id &&
		    a->rel[i].action == b->rel[i].action &&
		    a->rel[i].offload == b->rel[i].offload;
	for (i = 0; same && i < a->nev; i++)
		same = same_event(&a->ev[i], &b->ev[i]);
	for (i = 0; i < a->nev; i++)
		w->seen[a->ev[i].type]++;
	w->events += a->nev;
	w->calls++;
	if (!same && w->differ++ < 3)
		fprintf(stderr, "    call %u: the keys disagree\n", w->calls);
}

/* twin_pkt - one packet to both engines. */
static void
twin_pkt(struct twin *w, const struct tpkt *t, uint32_t id, ng_usec now)
{
	ng_engine_packet(w->e[0], t->b, t->len, t->len, id, now, &w->o[0]);
	ng_engine_packet(w->e[1], t->b, t->len, t->len, id, now, &w->o[1]);
	compare(w);
}

/* twin_tick - both engines' timers up to now. */
static void
twin_tick(struct twin *w, ng_usec now)
{
	int more;

	do {
		more = ng_engine_tick(w->e[0], now, &w->o[0]);
		more |= ng_engine_tick(w->e[1], now, &w->o[1]);
		compare(w);
	} while (more);
}

/* session - SYN, SYN-ACK, ACK, greeting, then the client's line after
 * wait (polite past the pause, or a bot at once); no line: a lone SYN. */
static void
session(struct twin *w, const char *cli, uint16_t cport, ng_usec t,
    ng_usec wait, const char *line, uint32_t *id)
{
	struct tpkt p;

	p = tcp_pkt(cli, cport, SRV, 25, NG_TH_SYN, 1000, 0, NULL);
	twin_pkt(w, &p, (*id)++, t);
	if (line == NULL)
		return;
	p = tcp_pkt(SRV, 25, cli, cport, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL);
	twin_pkt(w, &p, (*id)++, t);
	p = tcp_pkt(cli, cport, SRV, 25, NG_TH_ACK, 1001, 5001, NULL);
	twin_pkt(w, &p, (*id)++, t);
	p = tcp_pkt(SRV, 25, cli, cport, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 hi\r\n");
	twin_pkt(w, &p, (*id)++, t);
	twin_tick(w, t + wait);
	p = tcp_pkt(cli, cport, SRV, 25, NG_TH_ACK | NG_TH_PSH, 1001,
	    wait > 0 ? 5009 : 5001, line);
	twin_pkt(w, &p, (*id)++, t + wait);
}

static void
test_key_does_not_change_verdicts(void)
{
	struct twin w;
	char cli[32];
	ng_usec t = NG_SEC(1000);
	uint32_t x = 12345, id = 1, r;
	unsigned i;

	memset(&w, 0, sizeof(w));
	w.e[0] = engine(16, NG_ACT_GREYLIST, 3);
	w.e[1] = engine(16, NG_ACT_GREYLIST, 4);
	for (i = 0; i < 4000; i++) {
		x = x * 1103515245u + 12345u;
		r = x >> 8;
		t += (ng_usec)(r % 3000) * 1000;
		/* A pool of 40 returning senders, bots, forged SYNs. */
		snprintf(cli, sizeof(cli), "198.51.100.%u", r % 40);
		switch ((r >> 12) % 8) {
		case 0: case 1: case 2:
			session(&w, cli, (uint16_t)(1024 + i), t, NG_SEC(7),
			    "EHLO a\r\n", &id);
			break;
		case 3:
			snprintf(cli, sizeof(cli), "192.0.2.%u", r % 30);
			session(&w, cli, (uint16_t)(1024 + i), t, 0,
			    "EHLO bot\r\n", &id);
			break;
		default:
			session(&w, v4(r & 0xffff), (uint16_t)(r >> 16), t, 0,
			    NULL, &id);
		}
		twin_tick(&w, t);
	}
	CHECK_EQ(w.differ, 0);
	/* The run meant something: every kind of verdict, full tables. */
	CHECK(w.seen[NG_EV_PASS_NEW] > 0);
	CHECK(w.seen[NG_EV_PASS_OLD] > 0);
	CHECK(w.seen[NG_EV_PREGREET] > 0);
	CHECK(w.seen[NG_EV_PENALTY] > 0);
	CHECK(w.seen[NG_EV_GREYLIST] > 0);
	CHECK(w.seen[NG_EV_GREYLIST_PASS] > 0);
	CHECK(ng_engine_stats(w.e[0])->greylist_full > 0);
	CHECK(ng_cache_evictions(ng_engine_pass_cache(w.e[0])) > 0);
	fprintf(stderr, "    %u calls, %u events compared\n", w.calls,
	    w.events);
	ng_engine_free(w.e[0]);
	ng_engine_free(w.e[1]);
}

int
main(void)
{
	RUN(test_greylist_flood);
	RUN(test_pass_cache_regular);
	RUN(test_key_does_not_change_verdicts);
	return test_done();
}
