/*
 * test_throttle.c - connection limits per client: the table alone
 * (rate window, concurrency, ends counted once, age, a full table) and
 * the engine with it (resets at the SYN and at the believed handshake,
 * spoofed SYNs and forged ACKs never counting, ends freeing places).
 */
#include <string.h>

#include "engine/cache.h"
#include "engine/engine.h"
#include "engine/throttle.h"
#include "outev.h"
#include "pktbuild.h"
#include "test.h"

#define CLI "198.51.100.10"
#define SRV "203.0.113.25"
#define MS(x) ((ng_usec)(x) * 1000)

static struct ng_out out;
static const uint8_t key[16] = { 1, 2, 3 };

/* conn - a connection of client cli from port cport to SRV:25. */
static struct ng_throttle_conn
conn(const char *cli, uint16_t cport)
{
	struct ng_throttle_conn c;

	memset(&c, 0, sizeof(c));
	c.client = *addr(cli);
	c.server = *addr(SRV);
	c.cport = cport;
	c.sport = 25;
	return c;
}

static void
test_table_concurrency(void)
{
	struct ng_throttle *t = ng_throttle_new(100, 32, 64, key);
	struct ng_throttle_limit l = { 0, 0, 2 };
	struct ng_throttle_conn a = conn(CLI, 1), b = conn(CLI, 2),
	    c = conn(CLI, 3), other = conn("198.51.100.99", 1);
	ng_usec t0 = NG_SEC(1000);

	CHECK_EQ(ng_throttle_check(t, &l, &a.client, t0), NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &a, t0), NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &b, t0), NG_THR_OK);
	CHECK_EQ(ng_throttle_check(t, &l, &a.client, t0), NG_THR_CONCURRENCY);
	CHECK_EQ(ng_throttle_start(t, &l, &c, t0), NG_THR_CONCURRENCY);
	CHECK_EQ(ng_throttle_start(t, &l, &other, t0), NG_THR_OK);
	/* An end counts once, a connection never counted not at all. */
	CHECK_EQ(ng_throttle_end(t, &c, t0), 0);
	CHECK_EQ(ng_throttle_end(t, &a, t0), 1);
	CHECK_EQ(ng_throttle_end(t, &a, t0), 0);
	CHECK_EQ(ng_throttle_check(t, &l, &a.client, t0), NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &c, t0), NG_THR_OK);
	/* A lost end: after NG_THROTTLE_MAX_AGE it counts no more. */
	CHECK_EQ(ng_throttle_check(t, &l, &a.client,
	    t0 + NG_THROTTLE_MAX_AGE - 1), NG_THR_CONCURRENCY);
	CHECK_EQ(ng_throttle_check(t, &l, &a.client,
	    t0 + NG_THROTTLE_MAX_AGE + NG_SEC(1)), NG_THR_OK);
	CHECK_EQ(ng_throttle_aged(t), 2);
	ng_throttle_free(t);
}

static void
test_table_rate(void)
{
	struct ng_throttle *t = ng_throttle_new(100, 24, 64, key);
	struct ng_throttle_limit l = { 3, NG_SEC(60), 0 };
	struct ng_throttle_conn c = conn(CLI, 1);
	ng_usec t0 = NG_SEC(1000);
	unsigned i;

	for (i = 0; i < 3; i++) {
		c.cport = (uint16_t)(10 + i);
		CHECK_EQ(ng_throttle_start(t, &l, &c, t0 + NG_SEC(i)),
		    NG_THR_OK);
	}
	/* The /24 shares the key: another address of it is over too. */
	CHECK_EQ(ng_throttle_check(t, &l, addr("198.51.100.77"),
	    t0 + NG_SEC(59)), NG_THR_RATE);
	CHECK_EQ(ng_throttle_check(t, &l, addr("198.51.101.77"),
	    t0 + NG_SEC(59)), NG_THR_OK);
	c.cport = 20;
	CHECK_EQ(ng_throttle_start(t, &l, &c, t0 + NG_SEC(59)), NG_THR_RATE);
	/* The window passes: a new one starts. */
	CHECK_EQ(ng_throttle_check(t, &l, &c.client, t0 + NG_SEC(60)),
	    NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &c, t0 + NG_SEC(60)), NG_THR_OK);
	/* Resets are remembered only for a client with an entry. */
	ng_throttle_reset_seen(t, &c.client, t0 + NG_SEC(61));
	ng_throttle_reset_seen(t, addr("192.0.2.1"), t0 + NG_SEC(61));
	CHECK_EQ(ng_throttle_resets(t, &c.client, t0 + NG_SEC(62)), 1);
	CHECK_EQ(ng_throttle_resets(t, addr("192.0.2.1"), t0 + NG_SEC(62)),
	    0);
	CHECK_EQ(ng_throttle_resets(t, &c.client, t0 + NG_SEC(61) +
	    NG_THROTTLE_REMEMBER), 0);
	ng_throttle_free(t);
}

/* A full table counts no new client and throttles no one. */
static void
test_table_full(void)
{
	struct ng_throttle *t = ng_throttle_new(2, 32, 64, key);
	struct ng_throttle_limit l = { 1, NG_SEC(60), 1 };
	struct ng_throttle_conn a = conn("192.0.2.1", 1),
	    b = conn("192.0.2.2", 1), c = conn("192.0.2.3", 1);

	CHECK_EQ(ng_throttle_start(t, &l, &a, NG_SEC(10)), NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &b, NG_SEC(10)), NG_THR_OK);
	CHECK_EQ(ng_throttle_start(t, &l, &c, NG_SEC(10)), NG_THR_FULL);
	CHECK_EQ(ng_throttle_start(t, &l, &c, NG_SEC(10)), NG_THR_FULL);
	CHECK_EQ(ng_throttle_check(t, &l, &c.client, NG_SEC(10)), NG_THR_OK);
	/* Once a's and b's windows pass (ended too), c gets a place. */
	ng_throttle_end(t, &a, NG_SEC(10));
	CHECK_EQ(ng_throttle_start(t, &l, &c, NG_SEC(71)), NG_THR_OK);
	ng_throttle_free(t);
}

/* cpkt, spkt - a client's, a server's segment of cli:cport <-> SRV:25. */
static void
cpkt(struct ng_engine *e, const char *cli, uint16_t cport, uint8_t fl,
    uint32_t seq, uint32_t ack, const char *data, uint32_t id, ng_usec now)
{
	struct tpkt t = tcp_pkt(cli, cport, SRV, 25, fl, seq, ack, data);

	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

static void
spkt(struct ng_engine *e, const char *cli, uint16_t cport, uint8_t fl,
    uint32_t seq, uint32_t ack, uint32_t id, ng_usec now)
{
	struct tpkt t = tcp_pkt(SRV, 25, cli, cport, fl, seq, ack, NULL);

	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

static void (*tweak_fn)(struct ng_settings *);

static struct ng_engine *
engine(unsigned rate, ng_usec per, unsigned conc)
{
	struct ng_settings c;
	struct ng_engine *e;

	ng_settings_defaults(&c);
	c.throttle[NG_THR_GENERAL].rate = rate;
	c.throttle[NG_THR_GENERAL].per = per;
	c.throttle[NG_THR_GENERAL].concurrency = conc;
	if (tweak_fn != NULL)
		tweak_fn(&c);
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	return e;
}

/* syn_synack - the SYN (ISN 1000) and the server's SYN-ACK (ISN 5000). */
static void
syn_synack(struct ng_engine *e, const char *cli, uint16_t port, ng_usec t)
{
	cpkt(e, cli, port, NG_TH_SYN, 1000, 0, NULL, port * 10u, t);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	spkt(e, cli, port, NG_TH_SYN | NG_TH_ACK, 5000, 1001, port * 10u + 1,
	    t);
}

/*
 * Six connections at once against concurrency 2: every SYN comes before
 * any handshake, so the 3rd to 6th believed handshakes are reset (the
 * held ACK is the packet reset, nothing stays held); the next SYN is
 * reset at once; a FIN frees a place.
 */
static void
test_engine_concurrency(void)
{
	struct ng_engine *e = engine(0, 0, 2);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100);
	uint16_t p;
	struct ng_facts f;

	for (p = 1; p <= 6; p++)
		syn_synack(e, CLI, p, t0);
	for (p = 1; p <= 6; p++) {
		cpkt(e, CLI, p, NG_TH_ACK, 1001, 5001, NULL, p * 10u + 2,
		    t0 + MS(1));
		if (p <= 2) {
			CHECK_EQ(out.v.action, NG_HOLD);
			CHECK(out_event(&out, NG_EV_THROTTLE) == NULL);
		} else {
			CHECK_EQ(out.v.action, NG_RESET);
			CHECK(out_event(&out, NG_EV_THROTTLE) != NULL);
			CHECK_EQ(out.nrel, 0);
		}
	}
	CHECK_STR(ng_event_type_name(NG_EV_THROTTLE), "THROTTLE");
	CHECK_EQ(st->throttle_handshake, 4);
	CHECK_EQ(st->throttle_counted, 2);
	CHECK_EQ(st->held_now, 2);
	/* The server's SYN-ACK retransmit of a reset flow is reset. */
	spkt(e, CLI, 3, NG_TH_SYN | NG_TH_ACK, 5000, 1001, 99, t0 + NG_SEC(1));
	CHECK_EQ(out.v.action, NG_RESET);
	cpkt(e, CLI, 7, NG_TH_SYN, 1000, 0, NULL, 70, t0 + NG_SEC(2));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK(out_event(&out, NG_EV_THROTTLE) != NULL);
	CHECK_STR(out_event(&out, NG_EV_THROTTLE)->reason, "concurrency");
	CHECK_EQ(out_event(&out, NG_EV_THROTTLE)->decision, NG_DEC_THROTTLE);
	CHECK_EQ(st->throttle_syn, 1);
	ng_engine_facts(e, addr(CLI), t0 + NG_SEC(3), &f);
	CHECK_EQ(f.throttled, 5);
	/* Connection 1 passes, then closes: a place is free again. */
	ng_engine_tick(e, t0 + NG_SEC(7), &out);
	cpkt(e, CLI, 1, NG_TH_ACK | NG_TH_FIN, 1001, 5001, NULL, 80,
	    t0 + NG_SEC(8));
	CHECK_EQ(st->throttle_ended, 1);
	syn_synack(e, CLI, 8, t0 + NG_SEC(9));
	CHECK(out_event(&out, NG_EV_THROTTLE) == NULL);
	/* The daemon's conntrack DESTROY frees connection 2's place. */
	cpkt(e, CLI, 8, NG_TH_ACK, 1001, 5001, NULL, 83, t0 + NG_SEC(9));
	CHECK_EQ(out.v.action, NG_ACCEPT);	/* PASS OLD now, counted */
	CHECK_EQ(st->throttle_counted, 3);
	cpkt(e, CLI, 9, NG_TH_SYN, 1000, 0, NULL, 90, t0 + NG_SEC(10));
	CHECK_EQ(out.v.action, NG_RESET);
	{
		struct ng_flow_key k;

		memset(&k, 0, sizeof(k));
		k.caddr = *addr(CLI);
		k.saddr = *addr(SRV);
		k.cport = 2;
		k.sport = 25;
		ng_engine_throttle_end(e, &k, t0 + NG_SEC(11));
		ng_engine_throttle_end(e, &k, t0 + NG_SEC(11));
	}
	CHECK_EQ(st->throttle_ended, 2);
	cpkt(e, CLI, 10, NG_TH_SYN, 1000, 0, NULL, 100, t0 + NG_SEC(12));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_free(e);
}

/*
 * An off-path spoofer's SYNs (and ACKs it cannot make right) from the
 * victim's address count nothing: the victim's own connection passes.
 */
static void
test_engine_spoofed(void)
{
	struct ng_engine *e = engine(1, NG_SEC(60), 1);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100);
	uint16_t p;

	for (p = 100; p < 150; p++) {
		syn_synack(e, CLI, p, t0);
		/* A blind ACK: the server's ISN guessed wrong. */
		cpkt(e, CLI, p, NG_TH_ACK, 1001, 777, NULL, p * 10u + 2, t0);
		CHECK(out.v.action != NG_HOLD);
	}
	CHECK_EQ(st->throttle_counted, 0);
	CHECK_EQ(st->throttle_syn + st->throttle_handshake, 0);
	syn_synack(e, CLI, 2, t0 + MS(5));
	cpkt(e, CLI, 2, NG_TH_ACK, 1001, 5001, NULL, 22, t0 + MS(6));
	CHECK_EQ(out.v.action, NG_HOLD);
	CHECK_EQ(st->throttle_counted, 1);
	ng_engine_free(e);
}

/* Over the rate, a client is reset at the SYN until the window passes. */
static void
test_engine_rate(void)
{
	struct ng_engine *e = engine(2, NG_SEC(30), 0);
	ng_usec t0 = NG_SEC(100);
	uint16_t p;

	for (p = 1; p <= 2; p++) {
		syn_synack(e, CLI, p, t0);
		cpkt(e, CLI, p, NG_TH_ACK, 1001, 5001, NULL, p * 10u + 2, t0);
		CHECK_EQ(out.v.action, NG_HOLD);
	}
	cpkt(e, CLI, 3, NG_TH_SYN, 1000, 0, NULL, 30, t0 + NG_SEC(29));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_STR(out_event(&out, NG_EV_THROTTLE)->reason, "rate");
	cpkt(e, CLI, 4, NG_TH_SYN, 1000, 0, NULL, 40, t0 + NG_SEC(30));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK(out_event(&out, NG_EV_THROTTLE) == NULL);
	ng_engine_free(e);
}

static void
country_pass(struct ng_settings *c)
{
	c->default_action = NG_ACT_PASS;
	c->mynetworks.n = 0;
}

/*
 * A client the rules pass at its SYN is kept queued to its handshake
 * while limits apply, only to be counted; mynetworks never.
 */
static void
test_engine_pass_watched(void)
{
	struct ng_engine *e;
	uint16_t p;

	tweak_fn = country_pass;
	e = engine(0, 0, 1);
	tweak_fn = NULL;
	syn_synack(e, CLI, 1, NG_SEC(10));
	CHECK_EQ(out.v.offload, 0);
	syn_synack(e, CLI, 2, NG_SEC(10));
	CHECK_EQ(out.v.offload, 0);
	cpkt(e, CLI, 1, NG_TH_ACK, 1001, 5001, NULL, 12, NG_SEC(10));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(e)), 0);
	cpkt(e, CLI, 2, NG_TH_ACK, 1001, 5001, NULL, 22, NG_SEC(11));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK(out_event(&out, NG_EV_THROTTLE) != NULL);
	for (p = 1; p <= 3; p++) {
		syn_synack(e, "127.0.0.1", p, NG_SEC(12));
		cpkt(e, "127.0.0.1", p, NG_TH_ACK, 1001, 5001, NULL, 2,
		    NG_SEC(12));
		CHECK_EQ(out.v.action, NG_ACCEPT);
	}
	ng_engine_free(e);
}

int
main(void)
{
	RUN(test_table_concurrency);
	RUN(test_table_rate);
	RUN(test_table_full);
	RUN(test_engine_concurrency);
	RUN(test_engine_spoofed);
	RUN(test_engine_rate);
	RUN(test_engine_pass_watched);
	return test_done();
}
