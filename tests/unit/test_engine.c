/*
 * test_engine.c - the engine end to end on hand-built packet sequences:
 * the greeting test, policy precedence, greylisting, holds and eviction.
 */
#include <string.h>

#include "engine/engine.h"
#include "engine/event_format.h"
#include "engine/cache.h"
#include "outev.h"
#include "pktbuild.h"
#include "test.h"

#define CLI "198.51.100.10"
#define BOT "198.51.100.11"
#define SRV "203.0.113.25"
#define MS(x) ((ng_usec)(x) * 1000)

static struct ng_out out;
static struct ng_facts facts;

static void
feed(struct ng_engine *e, struct tpkt t, uint32_t id, ng_usec now)
{
	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

/* Client-side packet from cli:cport. */
static void
cpkt(struct ng_engine *e, const char *cli, uint16_t cport, uint8_t fl,
    uint32_t seq, uint32_t ack, const char *data, uint32_t id, ng_usec now)
{
	const char *srv = cli[0] == '2' ? "2001:db8:25::25" : SRV;

	feed(e, tcp_pkt(cli, cport, srv, 25, fl, seq, ack, data), id, now);
}

static void
spkt(struct ng_engine *e, const char *cli, uint16_t cport, uint8_t fl,
    uint32_t seq, uint32_t ack, const char *data, uint32_t id, ng_usec now)
{
	const char *srv = cli[0] == '2' ? "2001:db8:25::25" : SRV;

	feed(e, tcp_pkt(srv, 25, cli, cport, fl, seq, ack, data), id, now);
}

/* SYN, SYN-ACK, ACK at t0 (client ISN 1000, server ISN 5000). */
static void
handshake(struct ng_engine *e, const char *cli, uint16_t port, ng_usec t0)
{
	cpkt(e, cli, port, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	spkt(e, cli, port, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, t0);
	cpkt(e, cli, port, NG_TH_ACK, 1001, 5001, NULL, 3, t0);
}

static int
has_event(uint8_t type)
{
	unsigned i;

	for (i = 0; i < out.nev; i++)
		if (out.ev[i].type == type)
			return 1;
	return 0;
}

/* The verdict out.rel gives id, or -1 if it is not there. */
static int
released_as(uint32_t id)
{
	unsigned i;

	for (i = 0; i < out.nrel; i++)
		if (out.rel[i].id == id)
			return out.rel[i].action;
	return -1;
}

/*
 * The defaults, but holding the greeting: most tests here are of the
 * greeting test itself, which hold = handshake runs too; the handshake
 * hold has its own tests below (hs_engine()).
 */
static void
greeting_defaults(struct ng_settings *c)
{
	ng_settings_defaults(c);
	c->hold = NG_HOLD_GREETING;
}

static struct ng_engine *
engine(void (*tweak)(struct ng_settings *))
{
	struct ng_settings c;
	struct ng_engine *e;

	greeting_defaults(&c);
	c.greet_pause = NG_SEC(6);
	if (tweak)
		tweak(&c);
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	return e;
}

static void
test_polite_client_passes(void)
{
	struct ng_engine *e = engine(NULL);
	ng_usec t0 = NG_SEC(100);

	handshake(e, CLI, 40001, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	spkt(e, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 4,
	    t0 + MS(10));
	CHECK_EQ(out.v.action, NG_HOLD);
	CHECK_EQ(out.v.hold_until, t0 + NG_SEC(6));
	CHECK_EQ(ng_engine_next_timer(e), t0 + NG_SEC(6));
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(5), &out), 0);
	CHECK_EQ(out.nrel, 0);
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(6), &out), 0);
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(out.rel[0].id, 4);
	CHECK_EQ(out.rel[0].action, NG_ACCEPT);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	cpkt(e, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 1001, 5009, "EHLO a\r\n", 5,
	    t0 + NG_SEC(6) + MS(30));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out_event(&out, NG_EV_PASS_NEW)->decision, NG_DEC_PASS);
	/* Next connection: PASS OLD at the SYN, offloaded at the
	 * handshake ACK, no hold. */
	cpkt(e, CLI, 40002, NG_TH_SYN, 7, 0, NULL, 6, t0 + NG_SEC(60));
	CHECK(has_event(NG_EV_PASS_OLD));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 0);
	CHECK_EQ(out.v.test, 1);
	spkt(e, CLI, 40002, NG_TH_SYN | NG_TH_ACK, 1, 8, NULL, 7,
	    t0 + NG_SEC(60));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 0);
	cpkt(e, CLI, 40002, NG_TH_ACK, 8, 2, NULL, 8, t0 + NG_SEC(60));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out.v.confirm, 1);
	CHECK_EQ(out.nev, 0);		/* no second log line */
	spkt(e, CLI, 40002, NG_TH_ACK | NG_TH_PSH, 2, 8, "220 hi\r\n", 9,
	    t0 + NG_SEC(60));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	ng_engine_free(e);
}

/* A pure ACK of the released greeting ends the test: PASS NEW there. */
static void
test_pass_at_greeting_ack(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, CLI, 40003, 0);
	spkt(e, CLI, 40003, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 4,
	    MS(10));
	CHECK_EQ(out.v.action, NG_HOLD);
	/* A window update that acks nothing new is no proof. */
	cpkt(e, CLI, 40003, NG_TH_ACK, 1001, 5001, NULL, 5, MS(500));
	CHECK(!has_event(NG_EV_PASS_NEW));
	ng_engine_tick(e, NG_SEC(6), &out);
	CHECK_EQ(out.nrel, 1);
	cpkt(e, CLI, 40003, NG_TH_ACK, 1001, 5009, NULL, 6, NG_SEC(6) + MS(1));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	/* Its command then goes by without another event. */
	cpkt(e, CLI, 40003, NG_TH_ACK | NG_TH_PSH, 1001, 5009, "EHLO a\r\n", 7,
	    NG_SEC(6) + MS(2));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_free(e);
}

static void
test_bot_is_reset_and_boxed(void)
{
	struct ng_engine *e = engine(NULL);
	ng_usec t0 = NG_SEC(100);
	const struct ng_event *ev;

	handshake(e, BOT, 40002, t0);
	spkt(e, BOT, 40002, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 4,
	    t0 + MS(5));
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, BOT, 40002, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO bot\r\n", 5, t0 + MS(20));
	ev = out_event(&out, NG_EV_PREGREET);
	CHECK(ev != NULL);
	if (ev) {
		CHECK_EQ(ev->bytes, 10);
		CHECK_EQ(ev->after, MS(20));
		CHECK_EQ(ev->nfirst, 10);
		CHECK_EQ(ev->decision, NG_DEC_PREGREET);
	}
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(out.nrel, 1);			/* the held greeting */
	CHECK_EQ(out.rel[0].id, 4);
	CHECK_EQ(out.rel[0].action, NG_RESET);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	/* Anything else on that flow is reset too. */
	spkt(e, BOT, 40002, NG_TH_ACK | NG_TH_PSH, 5009, 1011, "250 x\r\n", 6,
	    t0 + MS(30));
	CHECK_EQ(out.v.action, NG_RESET);
	/* Resets on the killed flow (REJECT's own) pass untouched. */
	spkt(e, BOT, 40002, NG_TH_RST, 5009, 0, NULL, 9, t0 + MS(31));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	cpkt(e, BOT, 40002, NG_TH_RST | NG_TH_ACK, 1011, 5009, NULL, 10,
	    t0 + MS(31));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_facts(e, addr(BOT), t0 + NG_SEC(1), &facts);
	CHECK_EQ(facts.pregreet, 1);
	CHECK_STR(facts.pass, "none");
	/* A new SYN from the bot is refused at once. */
	cpkt(e, BOT, 40003, NG_TH_SYN, 1, 0, NULL, 7, t0 + NG_SEC(10));
	CHECK(has_event(NG_EV_PENALTY));
	CHECK_EQ(out.v.action, NG_RESET);
	/* ...until the penalty expires (default 1h). */
	cpkt(e, BOT, 40004, NG_TH_SYN, 1, 0, NULL, 8, t0 + NG_SEC(3700));
	CHECK(has_event(NG_EV_CONNECT));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_free(e);
}

/* Payload before the server said anything at all, and a lone CRLF. */
static void
test_talk_before_any_greeting(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, BOT, 1, 0);
	cpkt(e, BOT, 1, NG_TH_ACK, 1001, 5001, "\r\n", 9, MS(1));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_RESET);
	/* The MTA's greeting comes later: it is reset, freeing the slot. */
	spkt(e, BOT, 1, NG_TH_ACK, 5001, 1003, "220 hi\r\n", 10, MS(50));
	CHECK_EQ(out.v.action, NG_RESET);
	ng_engine_free(e);
}

static void
test_payload_on_handshake_ack(void)
{
	struct ng_engine *e = engine(NULL);

	cpkt(e, BOT, 2, NG_TH_SYN, 1000, 0, NULL, 1, 0);
	spkt(e, BOT, 2, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, 0);
	cpkt(e, BOT, 2, NG_TH_ACK, 1001, 5001, "EHLO x\r\n", 3, MS(1));
	CHECK(has_event(NG_EV_PREGREET));
	ng_engine_free(e);
}

/*
 * Fast Open: the SYN's data is never judged at the SYN (anyone can send
 * one).  If the SYN-ACK took it, the server had the client's bytes
 * before its greeting: PREGREET once the handshake completes.  If not,
 * the client sends them again after the handshake, judged then.
 */
static void
test_tfo_judged_at_handshake(void)
{
	struct ng_engine *e = engine(NULL);
	const struct ng_event *ev;

	cpkt(e, BOT, 3, NG_TH_SYN, 1000, 0, "EHLO tfo\r\n", 1, 0);
	CHECK(has_event(NG_EV_CONNECT));
	CHECK(!has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	spkt(e, BOT, 3, NG_TH_SYN | NG_TH_ACK, 5000, 1011, NULL, 2, MS(1));
	CHECK_EQ(out.nev, 0);
	cpkt(e, BOT, 3, NG_TH_ACK, 1011, 5001, NULL, 3, MS(2));
	ev = out_event(&out, NG_EV_PREGREET);
	CHECK(ev != NULL);
	if (ev) {
		CHECK_EQ(ev->bytes, 10);
		CHECK_EQ(ev->nfirst, 10);
		CHECK(memcmp(ev->first, "EHLO tfo\r\n", 10) == 0);
	}
	CHECK_EQ(out.v.action, NG_RESET);
	/* Not taken: the client resends it after the handshake. */
	cpkt(e, "198.51.100.13", 4, NG_TH_SYN, 1000, 0, "EHLO tfo\r\n", 1,
	    MS(3));
	spkt(e, "198.51.100.13", 4, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL,
	    2, MS(4));
	cpkt(e, "198.51.100.13", 4, NG_TH_ACK, 1001, 5001, NULL, 3, MS(5));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	cpkt(e, "198.51.100.13", 4, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO tfo\r\n", 4, MS(6));
	CHECK(has_event(NG_EV_PREGREET));
	ng_engine_free(e);
}

/* A two-segment greeting with a retransmit of the first segment. */
static void
test_split_greeting_and_retransmit(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, CLI, 3, 0);
	spkt(e, CLI, 3, NG_TH_ACK, 5001, 1001, "220-hello\r\n", 4, MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	spkt(e, CLI, 3, NG_TH_ACK, 5012, 1001, "220 there\r\n", 5, MS(2));
	CHECK_EQ(out.v.action, NG_HOLD);
	spkt(e, CLI, 3, NG_TH_ACK, 5001, 1001, "220-hello\r\n", 6, NG_SEC(1));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(ng_engine_stats(e)->retransmits_dropped, 1);
	CHECK_EQ(ng_engine_stats(e)->held_now, 2);
	ng_engine_tick(e, NG_SEC(6), &out);
	CHECK_EQ(out.nrel, 2);
	CHECK_EQ(out.rel[0].id, 4);
	CHECK_EQ(out.rel[1].id, 5);
	cpkt(e, CLI, 3, NG_TH_ACK, 1001, 5023, "EHLO c\r\n", 7, NG_SEC(7));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	ng_engine_free(e);
}

static void
test_hangup_is_neither(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, CLI, 4, 0);
	spkt(e, CLI, 4, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	cpkt(e, CLI, 4, NG_TH_RST, 1001, 0, NULL, 5, NG_SEC(1));
	CHECK(has_event(NG_EV_HANGUP));
	CHECK_EQ(out_event(&out, NG_EV_HANGUP)->decision, NG_DEC_NONE);
	CHECK_EQ(out.nrel, 1);
	CHECK(ng_cache_find(ng_engine_pass_cache(e), &out.ev[0].client,
	    NG_SEC(2)) == NULL);
	CHECK(ng_cache_find(ng_engine_penalty_box(e), &out.ev[0].client,
	    NG_SEC(2)) == NULL);
	handshake(e, CLI, 5, NG_SEC(2));
	cpkt(e, CLI, 5, NG_TH_FIN | NG_TH_ACK, 1001, 5001, NULL, 5, NG_SEC(3));
	CHECK(has_event(NG_EV_HANGUP));
	CHECK_EQ(ng_engine_stats(e)->decisions[NG_DEC_PASS], 0);
	CHECK_EQ(ng_engine_stats(e)->decisions[NG_DEC_PREGREET], 0);
	ng_engine_free(e);
}

static void
test_other_ports_ignored(void)
{
	struct ng_engine *e = engine(NULL);

	feed(e, tcp_pkt(BOT, 5, SRV, 80, NG_TH_SYN, 1, 0, "GET /"), 1, 0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(ng_engine_stats(e)->flows, 0);
	ng_engine_free(e);
}

/* With pause 0 (replay), the greeting is released as it is seen. */
static void
test_zero_pause_and_ack_coverage(void)
{
	struct ng_engine *e = engine(NULL);
	struct ng_settings c;

	greeting_defaults(&c);
	c.greet_pause = 0;
	ng_engine_set_config(e, &c);
	ng_settings_free(&c);
	handshake(e, CLI, 6, 0);
	spkt(e, CLI, 6, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	cpkt(e, CLI, 6, NG_TH_ACK, 1001, 5009, "EHLO a\r\n", 5, MS(2));
	CHECK(has_event(NG_EV_PASS_NEW));
	/*
	 * Reordered capture: the EHLO is stamped before the greeting, its
	 * ACK covering greeting bytes the server has not sent yet.  Live,
	 * that ACK is one the server's kernel drops (it acks unsent data):
	 * not believed, dropped, judged at the client's next segment.
	 */
	handshake(e, "198.51.100.12", 7, NG_SEC(1));
	cpkt(e, "198.51.100.12", 7, NG_TH_ACK, 1001, 5009, "EHLO b\r\n", 5,
	    NG_SEC(1) + MS(1));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(ng_engine_stats(e)->unverified[NG_UV_ACK], 1);
	spkt(e, "198.51.100.12", 7, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 6,
	    NG_SEC(1) + MS(2));
	cpkt(e, "198.51.100.12", 7, NG_TH_ACK, 1001, 5009, "EHLO b\r\n", 7,
	    NG_SEC(1) + MS(3));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK(!has_event(NG_EV_PREGREET));
	ng_engine_free(e);
}

static uint16_t
fake_cc(const struct ng_addr *a)
{
	if (a->family == 4 && a->b[0] == 1)
		return ng_cc_pack("CN");
	if (a->family == 4 && a->b[0] == 5)
		return ng_cc_pack("RU");
	if (a->family == 4 && a->b[0] == 9)
		return ng_cc_pack("DE");
	return 0;
}

static void
fake_geo(const void *ctx, const struct ng_addr *a, struct ng_where *w)
{
	(void)ctx;
	memset(w, 0, sizeof(*w));
	w->cc = fake_cc(a);
}

static void
policy_conf(struct ng_settings *c)
{
	c->country[0].cc = ng_cc_pack("CN");
	c->country[0].action = NG_ACT_DROP;
	c->country[1].cc = ng_cc_pack("RU");
	c->country[1].action = NG_ACT_REJECT;
	c->country[2].cc = ng_cc_pack("DE");
	c->country[2].action = NG_ACT_PASS;
	c->ncountry = 3;
	ng_cidr_list_add_str(&c->allow, "1.0.1.7/32");
	ng_cidr_list_add_str(&c->allow, "2001:db8:aa::/48");
	ng_cidr_list_add_str(&c->deny, "198.51.100.0/24");
	ng_cidr_list_add_str(&c->deny, "1.0.1.8/32");
}

static uint8_t
syn_event(struct ng_engine *e, const char *cli, ng_usec now)
{
	static uint16_t port = 50000;

	cpkt(e, cli, port++, NG_TH_SYN, 1, 0, NULL, 1, now);
	return out.nev ? out.ev[0].type : NG_EV_TYPE_MAX;
}

static void
test_policy_precedence(void)
{
	struct ng_engine *e = engine(policy_conf);
	struct ng_geo geo = { fake_geo, NULL, NULL };
	struct ng_addr a;

	ng_engine_set_geo(e, &geo);
	/* allow beats the CN drop */
	CHECK_EQ(syn_event(e, "1.0.1.7", 0), NG_EV_ALLOWLISTED);
	CHECK_EQ(out.v.offload, 1);
	/* deny beats country */
	CHECK_EQ(syn_event(e, "1.0.1.8", 0), NG_EV_DENYLISTED);
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(syn_event(e, "5.1.1.1", 0), NG_EV_REJECT);
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(out.ev[0].cc, ng_cc_pack("RU"));
	CHECK_EQ(syn_event(e, "9.1.1.1", 0), NG_EV_COUNTRY_PASS);
	CHECK_EQ(syn_event(e, "2001:db8:aa::1", 0), NG_EV_ALLOWLISTED);
	CHECK_EQ(syn_event(e, "2001:db8:bb::1", 0), NG_EV_CONNECT);
	/* penalty beats pass cache, which beats the country action */
	ng_addr_parse(&a, "5.1.1.2");
	ng_cache_put(ng_engine_pass_cache(e), &a, 0, NG_SEC(100));
	CHECK_EQ(syn_event(e, "5.1.1.2", 1), NG_EV_PASS_OLD);
	ng_cache_put(ng_engine_penalty_box(e), &a, 0, NG_SEC(100));
	CHECK_EQ(syn_event(e, "5.1.1.2", 2), NG_EV_PENALTY);
	/* deny beats the pass cache */
	ng_addr_parse(&a, "198.51.100.99");
	ng_cache_put(ng_engine_pass_cache(e), &a, 0, NG_SEC(100));
	CHECK_EQ(syn_event(e, "198.51.100.99", 3), NG_EV_DENYLISTED);
	ng_engine_free(e);
}

/*
 * A database with ASNs and owners, by the first byte: 1 CN AS4134
 * "CHINANET" (dynamic pattern bit 0 unset), 2 BR AS28573 "Claro
 * dynamic pool" (bit 0), 3 US AS4134 no owner, 4 BR nothing more,
 * 6 DE AS3320 "DTAG static" (bit 1), anything else "--".
 */
static void
net_geo(const void *ctx, const struct ng_addr *a, struct ng_where *w)
{
	static const struct { uint8_t b; char cc[3]; uint32_t asn, owner,
	    bits; } t[] = {
		{ 1, "CN", 4134, 1, 0 }, { 2, "BR", 28573, 2, 1 },
		{ 3, "US", 4134, 0, 0 }, { 4, "BR", 0, 0, 0 },
		{ 6, "DE", 3320, 3, 2 },
	};
	size_t i;

	(void)ctx;
	memset(w, 0, sizeof(*w));
	for (i = 0; a->family == 4 && i < sizeof(t) / sizeof(t[0]); i++) {
		if (a->b[0] != t[i].b)
			continue;
		w->cc = ng_cc_pack(t[i].cc);
		w->asn = t[i].asn;
		w->owner = t[i].owner;
		w->owner_bits = t[i].bits;
	}
}

static const char *
net_owner(const void *ctx, uint32_t owner)
{
	static const char *names[] = { NULL, "CHINANET", "Claro dynamic pool",
	    "DTAG static" };

	(void)ctx;
	return owner < 4 ? names[owner] : NULL;
}

/* net_rule - append a rule to c: asns or pattern, a qualifier cc or 0. */
static void
net_rule(struct ng_settings *c, uint8_t kind, uint8_t act, const char *name,
    uint32_t asn1, uint32_t asn2, uint8_t pattern, const char *cc)
{
	struct ng_net_rule *r = &c->net_rule[c->nnet_rule++];

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->action = act;
	r->pattern = pattern;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->asn_first = (uint16_t)c->nnet_asn;
	if (asn1 != 0)
		c->net_asn[c->nnet_asn++] = asn1, r->nasn++;
	if (asn2 != 0)
		c->net_asn[c->nnet_asn++] = asn2, r->nasn++;
	r->cc_first = (uint16_t)c->nnet_cc;
	for (; cc != NULL && *cc != '\0'; cc += 2, r->ncc++)
		c->net_cc[c->nnet_cc++] = strncmp(cc, "--", 2) == 0 ? 0 :
		    ng_cc_pack((char[3]){ cc[0], cc[1], 0 });
}

static void
net_conf(struct ng_settings *c)
{
	net_rule(c, NG_NET_ASN, NG_ACT_DROP, "asn AS4134", 4134, 0, 0, "CN");
	net_rule(c, NG_NET_OWNER, NG_ACT_GREYLIST, "owner /dynamic/", 0, 0,
	    0, "BRAR");
	net_rule(c, NG_NET_ASN, NG_ACT_REJECT, "asn AS4134,AS64500", 4134,
	    64500, 0, NULL);
	net_rule(c, NG_NET_OWNER, NG_ACT_PASS, "owner /static/", 0, 0, 1,
	    NULL);
	c->nowner_pattern = 2;
	c->country[0].cc = ng_cc_pack("BR");
	c->country[0].action = NG_ACT_DROP;
	c->country[1].cc = ng_cc_pack("CN");
	c->country[1].action = NG_ACT_PASS;
	c->ncountry = 2;
	ng_cidr_list_add_str(&c->allow, "2.0.0.7/32");
}

/* rule_of - facts.rule for cli. */
static const char *
rule_of(struct ng_engine *e, const char *cli)
{
	ng_engine_facts(e, addr(cli), 0, &facts);
	return facts.rule;
}

/*
 * asn and owner rules: after allow and the pass cache, before the
 * country rule; the first matching in the order written; "in CC"
 * restricts; no ASN or owner matches no such rule.
 */
static void
test_net_rule_precedence(void)
{
	struct ng_engine *e = engine(net_conf);
	struct ng_geo geo = { net_geo, net_owner, NULL };
	struct ng_addr a;

	ng_engine_set_geo(e, &geo);
	/* AS4134 in CN: the first rule, not the CN country pass */
	CHECK_EQ(syn_event(e, "1.0.0.1", 0), NG_EV_DROP);
	CHECK_STR(out.ev[0].reason, "asn AS4134");
	CHECK_STR(out.ev[0].rule, "asn AS4134");
	CHECK_EQ(out.ev[0].asn, 4134);
	CHECK_STR(out.ev[0].owner, "CHINANET");
	CHECK_STR(rule_of(e, "1.0.0.1"), "drop(asn)");
	/* a dynamic pool in BR: greylisted, not the BR country drop */
	CHECK_EQ(syn_event(e, "2.0.0.1", 0), NG_EV_GREYLIST);
	CHECK_STR(out.ev[0].reason, "new");
	CHECK_STR(out.ev[0].rule, "owner /dynamic/");
	CHECK_STR(out.ev[0].owner, "Claro dynamic pool");
	CHECK_STR(rule_of(e, "2.0.0.1"), "greylist(owner)");
	/* AS4134 outside CN: the qualifier fails, the later asn rule hits */
	CHECK_EQ(syn_event(e, "3.0.0.1", 0), NG_EV_REJECT);
	CHECK_STR(out.ev[0].reason, "asn AS4134,AS64500");
	CHECK(out.ev[0].owner == NULL);
	CHECK_STR(rule_of(e, "3.0.0.1"), "reject(asn)");
	/* no ASN, no owner: no net rule, the country rule */
	CHECK_EQ(syn_event(e, "4.0.0.1", 0), NG_EV_DROP);
	CHECK_STR(out.ev[0].reason, "country");
	CHECK(out.ev[0].rule == NULL);
	CHECK_EQ(out.ev[0].asn, 0);
	CHECK_STR(rule_of(e, "4.0.0.1"), "drop(country)");
	/* an owner rule that passes */
	CHECK_EQ(syn_event(e, "6.0.0.1", 0), NG_EV_COUNTRY_PASS);
	CHECK_STR(out.ev[0].reason, "owner /static/");
	CHECK_STR(rule_of(e, "6.0.0.1"), "pass(owner)");
	/* unknown: the default */
	CHECK_EQ(syn_event(e, "8.0.0.1", 0), NG_EV_CONNECT);
	CHECK_STR(rule_of(e, "8.0.0.1"), "test(default)");
	CHECK_STR(rule_of(e, "127.0.0.1"), "pass(mynetworks)");
	/* allow beats the owner rule */
	CHECK_EQ(syn_event(e, "2.0.0.7", 0), NG_EV_ALLOWLISTED);
	CHECK_STR(rule_of(e, "2.0.0.7"), "pass(allow)");
	/* the pass cache beats the owner rule; %r says what the rules say */
	ng_addr_parse(&a, "2.0.0.8");
	ng_cache_put(ng_engine_pass_cache(e), &a, 0, NG_SEC(100));
	CHECK_EQ(syn_event(e, "2.0.0.8", 1), NG_EV_PASS_OLD);
	CHECK_STR(rule_of(e, "2.0.0.8"), "greylist(owner)");
	CHECK_EQ(facts.asn, 28573);
	CHECK_STR(facts.owner, "Claro dynamic pool");
	CHECK_STR(facts.country, "BR");
	/* no database at all: country and default only */
	ng_engine_set_geo(e, NULL);
	CHECK_EQ(syn_event(e, "1.0.0.2", 2), NG_EV_CONNECT);
	CHECK_STR(rule_of(e, "1.0.0.2"), "test(default)");
	ng_engine_free(e);
}

/* A flow's later events carry the SYN's ASN and owner too. */
static void
test_net_rule_events(void)
{
	struct ng_engine *e = engine(NULL);
	struct ng_geo geo = { net_geo, net_owner, NULL };

	ng_engine_set_geo(e, &geo);
	handshake(e, "6.0.0.9", 9, 0);
	cpkt(e, "6.0.0.9", 9, NG_TH_ACK, 1001, 5001, "EHLO early\r\n", 4, 1);
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.ev[0].asn, 3320);
	CHECK_STR(out.ev[0].owner, "DTAG static");
	CHECK_EQ(out.ev[0].cc, ng_cc_pack("DE"));
	ng_engine_free(e);
}

static void
test_country_drop_is_sticky(void)
{
	struct ng_engine *e = engine(policy_conf);
	struct ng_geo geo = { fake_geo, NULL, NULL };

	ng_engine_set_geo(e, &geo);
	cpkt(e, "1.0.1.5", 40011, NG_TH_SYN, 1, 0, NULL, 1, 0);
	CHECK(has_event(NG_EV_DROP));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.ev[0].decision, NG_DEC_DROP);
	/* The retransmitted SYN is dropped quietly. */
	cpkt(e, "1.0.1.5", 40011, NG_TH_SYN, 1, 0, NULL, 2, NG_SEC(1));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nev, 0);
	ng_engine_free(e);
}

static void
test_allowlisted_may_talk_early(void)
{
	struct ng_engine *e = engine(policy_conf);

	handshake(e, "1.0.1.7", 9, 0);
	cpkt(e, "1.0.1.7", 9, NG_TH_ACK, 1001, 5001, "EHLO early\r\n", 4, 1);
	CHECK(!has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	ng_engine_free(e);
}

static void
grey_conf(struct ng_settings *c)
{
	c->default_action = NG_ACT_GREYLIST;
}

static void
test_greylist(void)
{
	struct ng_engine *e = engine(grey_conf);

	CHECK_EQ(syn_event(e, CLI, NG_SEC(1000)), NG_EV_GREYLIST);
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(out.ev[0].decision, NG_DEC_GREYLIST);
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1030)), NG_EV_GREYLIST);
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1061)), NG_EV_GREYLIST_PASS);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	/* The retry then takes the greeting test and passes. */
	handshake(e, CLI, 7777, NG_SEC(1062));
	spkt(e, CLI, 7777, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4,
	    NG_SEC(1062));
	ng_engine_tick(e, NG_SEC(1068), &out);
	cpkt(e, CLI, 7777, NG_TH_ACK, 1001, 5009, "EHLO x\r\n", 5, NG_SEC(1069));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1100)), NG_EV_PASS_OLD);
	/* Outside the window, a retry starts over. */
	CHECK_EQ(syn_event(e, "198.51.100.50", NG_SEC(2000)), NG_EV_GREYLIST);
	CHECK_EQ(syn_event(e, "198.51.100.50", NG_SEC(2000 + 5 * 3600)),
	    NG_EV_GREYLIST);
	ng_engine_free(e);
}

static void
geo_cn(const void *ctx, const struct ng_addr *a, struct ng_where *w)
{
	(void)ctx;
	(void)a;
	memset(w, 0, sizeof(*w));
	w->cc = ng_cc_pack("CN");
}

static void
grey_short(struct ng_settings *c)
{
	c->default_action = NG_ACT_GREYLIST;
	c->greylist_delay = NG_SEC(60);
}

/* What the policy service is told, through a client's life. */
static void
test_facts(void)
{
	struct ng_engine *e = engine(grey_short);
	struct ng_geo geo = { geo_cn, NULL, NULL };

	ng_engine_facts(e, addr(CLI), NG_SEC(1), &facts);
	CHECK_STR(facts.country, "--");
	CHECK_STR(facts.pass, "none");
	CHECK_STR(facts.grey, "none");
	CHECK_EQ(facts.pregreet, 0);
	ng_engine_set_geo(e, &geo);
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1000)), NG_EV_GREYLIST);
	ng_engine_facts(e, addr(CLI), NG_SEC(1010), &facts);
	CHECK_STR(facts.country, "CN");
	CHECK_STR(facts.grey, "wait");
	ng_engine_facts(e, addr(CLI), NG_SEC(1060), &facts);
	CHECK_STR(facts.grey, "pass");
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1061)), NG_EV_GREYLIST_PASS);
	handshake(e, CLI, 7777, NG_SEC(1062));
	spkt(e, CLI, 7777, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4,
	    NG_SEC(1062));
	ng_engine_tick(e, NG_SEC(1068), &out);
	cpkt(e, CLI, 7777, NG_TH_ACK, 1001, 5009, "EHLO x\r\n", 5, NG_SEC(1069));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_facts(e, addr(CLI), NG_SEC(1070), &facts);
	CHECK_STR(facts.pass, "new");
	CHECK_STR(facts.grey, "none");	/* a passed client leaves it */
	/* A SYN alone (anyone can send it) does not make it "old"... */
	CHECK_EQ(syn_event(e, CLI, NG_SEC(1100)), NG_EV_PASS_OLD);
	ng_engine_facts(e, addr(CLI), NG_SEC(1101), &facts);
	CHECK_STR(facts.pass, "new");
	/* ... a completed handshake does. */
	handshake(e, CLI, 7778, NG_SEC(1102));
	CHECK_EQ(out.v.confirm, 1);
	ng_engine_facts(e, addr(CLI), NG_SEC(1103), &facts);
	CHECK_STR(facts.pass, "old");
	/* Past pass_ttl the entry is gone. */
	ng_engine_facts(e, addr(CLI), NG_SEC(1069 + 86401), &facts);
	CHECK_STR(facts.pass, "none");
	ng_engine_free(e);
}

static void
small_table(struct ng_settings *c)
{
	c->flow_max = 4;
}

/* A full table evicts the oldest idle flow, releasing what it held. */
static void
test_eviction_fails_open(void)
{
	struct ng_engine *e = engine(small_table);
	char ip[32];
	int i;

	handshake(e, CLI, 1, 0);
	spkt(e, CLI, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 77, MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	for (i = 0; i < 3; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", 100 + i);
		cpkt(e, ip, 2, NG_TH_SYN, 1, 0, NULL, 1, MS(2));
	}
	CHECK_EQ(ng_engine_stats(e)->flows_evicted, 0);
	/* Half-open flows go before the hot one holding a greeting. */
	cpkt(e, "198.51.100.200", 2, NG_TH_SYN, 1, 0, NULL, 1, MS(3));
	CHECK_EQ(ng_engine_stats(e)->flows_evicted, 1);
	CHECK_EQ(out.nrel, 0);
	for (i = 0; i < 4; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", 150 + i);
		cpkt(e, ip, 2, NG_TH_SYN, 1, 0, NULL, 1, MS(4));
	}
	CHECK_EQ(ng_engine_stats(e)->flows_evicted, 5);
	CHECK_EQ(ng_engine_stats(e)->flows_now, 4);
	CHECK_EQ(ng_engine_stats(e)->held_now, 1);	/* hot flow kept */
	ng_engine_free(e);
}

static void
one_flow(struct ng_settings *c)
{
	c->flow_max = 1;
}

/* With only hot flows left, the oldest goes and its greeting is let out. */
static void
test_eviction_releases_held(void)
{
	struct ng_engine *e = engine(one_flow);

	handshake(e, CLI, 1, 0);
	spkt(e, CLI, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 77, MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, BOT, 2, NG_TH_SYN, 1, 0, NULL, 78, MS(2));
	CHECK_EQ(ng_engine_stats(e)->flows_evicted, 1);
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(out.rel[0].id, 77);
	CHECK_EQ(out.rel[0].action, NG_ACCEPT);
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	ng_engine_free(e);
}

static void
test_idle_expiry(void)
{
	struct ng_engine *e = engine(NULL);

	cpkt(e, CLI, 1, NG_TH_SYN, 1, 0, NULL, 1, NG_SEC(10));
	CHECK_EQ(ng_engine_stats(e)->flows_now, 1);
	ng_engine_tick(e, NG_SEC(79), &out);	/* half-open timeout 70 s */
	CHECK_EQ(ng_engine_stats(e)->flows_now, 1);
	ng_engine_tick(e, NG_SEC(81), &out);
	CHECK_EQ(ng_engine_stats(e)->flows_now, 0);
	CHECK_EQ(ng_engine_stats(e)->flows_expired, 1);
	ng_engine_free(e);
}

static void
log_only(struct ng_settings *c)
{
	c->pregreet_action = NG_PREGREET_LOG;
}

static void
test_log_only_mode(void)
{
	struct ng_engine *e = engine(log_only);

	handshake(e, BOT, 1, 0);
	spkt(e, BOT, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	cpkt(e, BOT, 1, NG_TH_ACK, 1001, 5001, "EHLO b\r\n", 5, MS(2));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.ev[0].decision, NG_DEC_LOG);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(out.rel[0].action, NG_ACCEPT);
	CHECK_EQ(syn_event(e, BOT, NG_SEC(1)), NG_EV_CONNECT);
	/* Recorded, though not enforced: the policy service sees it. */
	ng_engine_facts(e, addr(BOT), NG_SEC(2), &facts);
	CHECK_EQ(facts.pregreet, 1);
	ng_engine_free(e);
}

static void
monitor_conf(struct ng_settings *c)
{
	policy_conf(c);
	c->monitor = 1;
}

/*
 * mode = monitor: every decision is made and its event marked, nothing
 * is enforced; what was recorded (penalty box, greylist) stays for
 * nfq-gate-ctl, and the next SYN's PENALTY is a MONITOR line too.
 */
/* Neither allowed nor denied, no country: tested. */
#define MBOT "192.0.2.50"

static void
test_monitor_mode(void)
{
	struct ng_engine *e = engine(monitor_conf);
	struct ng_geo geo = { fake_geo, NULL, NULL };
	char line[512];

	ng_engine_set_geo(e, &geo);
	/* A country drop and a deny: accepted, offloaded, marked. */
	CHECK_EQ(syn_event(e, "1.0.1.5", 0), NG_EV_DROP);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out.ev[0].monitor, 1);
	CHECK_EQ(out.ev[0].decision, NG_DEC_DROP);
	ng_event_format_line(&out.ev[0], line, sizeof(line));
	CHECK(strncmp(line, "MONITOR DROP [1.0.1.5]:", 23) == 0);
	CHECK_EQ(syn_event(e, "1.0.1.8", 0), NG_EV_DENYLISTED);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	/* Its next packet goes through too: the flow is not killed. */
	cpkt(e, "1.0.1.8", 49999, NG_TH_ACK, 2, 1, "x", 9, 1);
	/* A polite client is unmarked, and tested as ever. */
	CHECK_EQ(syn_event(e, "9.1.1.9", 0), NG_EV_COUNTRY_PASS);
	CHECK_EQ(out.ev[0].monitor, 0);
	/* A pre-greeting talker: logged as PREGREET, never reset. */
	handshake(e, MBOT, 1, 0);
	spkt(e, MBOT, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, MBOT, 1, NG_TH_ACK, 1001, 5001, "EHLO b\r\n", 5, MS(2));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out_event(&out, NG_EV_PREGREET)->monitor, 1);
	CHECK_EQ(out_event(&out, NG_EV_PREGREET)->decision, NG_DEC_PREGREET);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(out.rel[0].action, NG_ACCEPT);
	ng_event_format_line(out_event(&out, NG_EV_PREGREET), line, sizeof(line));
	CHECK(strncmp(line, "MONITOR PREGREET 8 after ", 25) == 0);
	/* Recorded, so the next SYN says what enforcing would have done. */
	CHECK_EQ(syn_event(e, MBOT, NG_SEC(1)), NG_EV_PENALTY);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.ev[0].monitor, 1);
	ng_event_format_json(&out.ev[0], line, sizeof(line));
	CHECK(strstr(line, "\"monitor\":true") != NULL);
	ng_engine_free(e);
}

static void
test_ipv6_flow(void)
{
	struct ng_engine *e = engine(NULL);
	char buf[NG_EPSTRLEN];

	handshake(e, "2001:db8:1::11", 40002, 0);
	cpkt(e, "2001:db8:1::11", 40002, NG_TH_ACK, 1001, 5001, "EHLO six\r\n",
	    4, MS(3));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_STR(ng_addr_format_ep(&out.ev[0].client, out.ev[0].cport, buf,
	    sizeof(buf)), "[2001:db8:1::11]:40002");
	ng_engine_free(e);
}

/* Garbage between the packets of a flow never derails it. */
static void
test_malformed_mixed_in(void)
{
	struct ng_engine *e = engine(NULL);
	struct tpkt bad = tcp_pkt(CLI, 1, SRV, 25, NG_TH_ACK, 1, 1, "EHLO");

	handshake(e, CLI, 1, 0);
	bad.b[0] = 0x41;
	feed(e, bad, 9, MS(1));
	/* Unparsable: dropped, so nothing in it reaches the MTA unjudged. */
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nev, 0);
	feed(e, bad, 9, MS(1));
	spkt(e, CLI, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(2));
	ng_engine_tick(e, NG_SEC(6), &out);
	cpkt(e, CLI, 1, NG_TH_ACK, 1001, 5009, "EHLO a\r\n", 5, NG_SEC(7));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(ng_engine_stats(e)->malformed[NG_PKT_BAD_IPHDR], 2);
	ng_engine_free(e);
}

static void
test_stress_shortens_pause(void)
{
	struct ng_engine *e = engine(NULL);

	ng_engine_set_stress(e, 1);
	handshake(e, CLI, 1, 0);
	spkt(e, CLI, 1, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	CHECK_EQ(out.v.hold_until, NG_SEC(2));
	ng_engine_free(e);
}

/* ---- spoofers: what an off-path attacker can send ------------------ */

static int
boxed(struct ng_engine *e, const char *a, ng_usec now)
{
	return ng_cache_find(ng_engine_penalty_box(e), addr(a), now) != NULL;
}

static int
cached(struct ng_engine *e, const char *a, ng_usec now)
{
	return ng_cache_find(ng_engine_pass_cache(e), addr(a), now) != NULL;
}

/*
 * A spoofed SYN with data from a good address.  The server's SYN-ACK
 * goes to the real host, whose kernel answers it with a RST; the spoofer
 * never learns the server's ISN, so its follow-ups prove nothing.
 */
static void
test_spoofed_syn_data(void)
{
	struct ng_engine *e = engine(NULL);
	const struct ng_stats *st = ng_engine_stats(e);

	cpkt(e, CLI, 4444, NG_TH_SYN, 777, 0, "EHLO spoof\r\n", 1, 0);
	CHECK(!has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	/* The server took the data (cookie-less Fast Open) ... */
	spkt(e, CLI, 4444, NG_TH_SYN | NG_TH_ACK, 123456, 790, NULL, 2, MS(1));
	/* ... the spoofer guesses at the handshake ACK ... */
	cpkt(e, CLI, 4444, NG_TH_ACK, 790, 5001, NULL, 3, MS(2));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	cpkt(e, CLI, 4444, NG_TH_ACK | NG_TH_PSH, 790, 1, "EHLO x\r\n", 4,
	    MS(3));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->unverified[NG_UV_ACK], 2);
	/* ... and the real host resets the SYN-ACK it never asked for. */
	cpkt(e, CLI, 4444, NG_TH_RST, 790, 0, NULL, 5, MS(4));
	CHECK(has_event(NG_EV_HANGUP));
	CHECK(!boxed(e, CLI, MS(5)));
	CHECK(!cached(e, CLI, MS(5)));
	CHECK_EQ(st->events[NG_EV_PREGREET], 0);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 0);
	/* Its real mail still goes through the test and passes. */
	handshake(e, CLI, 4445, NG_SEC(1));
	spkt(e, CLI, 4445, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 6, NG_SEC(1));
	ng_engine_tick(e, NG_SEC(7), &out);
	cpkt(e, CLI, 4445, NG_TH_ACK, 1001, 5009, "EHLO a\r\n", 7, NG_SEC(7));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_free(e);
}

/* A spoofed SYN, then data with a guessed ACK before any SYN-ACK or after. */
static void
test_spoofed_syn_then_data(void)
{
	struct ng_engine *e = engine(NULL);
	const struct ng_stats *st = ng_engine_stats(e);

	cpkt(e, CLI, 5555, NG_TH_SYN, 1000, 0, NULL, 1, 0);
	cpkt(e, CLI, 5555, NG_TH_ACK | NG_TH_PSH, 1001, 5001, "EHLO x\r\n", 2,
	    MS(1));				/* before any SYN-ACK */
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->unverified[NG_UV_HANDSHAKE], 1);
	spkt(e, CLI, 5555, NG_TH_SYN | NG_TH_ACK, 987654321, 1001, NULL, 3,
	    MS(2));
	cpkt(e, CLI, 5555, NG_TH_ACK | NG_TH_PSH, 1001, 5001, "EHLO x\r\n", 4,
	    MS(3));				/* a guessed ACK */
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	cpkt(e, CLI, 5555, NG_TH_PSH, 1001, 0, "EHLO x\r\n", 5, MS(4));
	CHECK_EQ(out.v.action, NG_DROP);	/* no ACK flag at all */
	cpkt(e, CLI, 5555, NG_TH_FIN | NG_TH_ACK, 1001, 5001, NULL, 6, MS(5));
	CHECK_EQ(out.nev, 0);		/* an unbelieved FIN is dropped too */
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->events[NG_EV_PREGREET], 0);
	CHECK(!boxed(e, CLI, MS(6)));
	ng_engine_free(e);
}

/*
 * Blind injection into a held session: right 4-tuple, wrong sequence
 * numbers, during the pause.  Nothing of it counts; the greeting stays
 * held and the real client passes.
 */
static void
test_blind_injection(void)
{
	struct ng_engine *e = engine(NULL);
	const struct ng_stats *st = ng_engine_stats(e);

	handshake(e, CLI, 6000, 0);
	spkt(e, CLI, 6000, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 4,
	    MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, CLI, 6000, NG_TH_ACK | NG_TH_PSH, 900000, 5001, "QUIT\r\n", 5,
	    MS(100));				/* out of window */
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(out.nrel, 0);
	cpkt(e, CLI, 6000, NG_TH_ACK | NG_TH_PSH, 1001, 77, "QUIT\r\n", 6,
	    MS(101));				/* in window, wrong ACK */
	CHECK_EQ(out.v.action, NG_DROP);
	cpkt(e, CLI, 6000, NG_TH_RST, 1500, 0, NULL, 7, MS(102));
	CHECK_EQ(out.v.action, NG_ACCEPT);	/* the kernel's to judge */
	CHECK_EQ(out.nrel, 0);
	cpkt(e, CLI, 6000, NG_TH_RST | NG_TH_ACK, 3000000000u, 5001, NULL, 8,
	    MS(103));
	cpkt(e, CLI, 6000, NG_TH_FIN | NG_TH_ACK, 1001, 12345, NULL, 9,
	    MS(104));
	CHECK_EQ(out.v.action, NG_DROP);	/* bad ack: not believed */
	cpkt(e, CLI, 6000, NG_TH_SYN, 31337, 0, "EHLO\r\n", 10, MS(105));
	CHECK_EQ(out.v.action, NG_ACCEPT);	/* challenge-ACKed there */
	cpkt(e, CLI, 6000, NG_TH_SYN | NG_TH_ACK, 31337, 5001, NULL, 11,
	    MS(106));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->held_now, 1);
	CHECK_EQ(st->events[NG_EV_HANGUP], 0);
	CHECK_EQ(st->events[NG_EV_PREGREET], 0);
	CHECK_EQ(st->unverified[NG_UV_SEQ], 1);
	CHECK_EQ(st->unverified[NG_UV_ACK], 2);
	CHECK_EQ(st->unverified[NG_UV_RST], 2);
	CHECK_EQ(st->unverified[NG_UV_SYN], 2);
	ng_engine_tick(e, NG_SEC(6), &out);
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(out.rel[0].action, NG_ACCEPT);
	cpkt(e, CLI, 6000, NG_TH_ACK | NG_TH_PSH, 1001, 5009, "EHLO a\r\n", 12,
	    NG_SEC(6) + MS(1));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_free(e);
}

/*
 * A bot that knows the server's ISN (it is the real host) acks greeting
 * bytes that were never released.  Beyond what the server sent: dropped,
 * proves nothing.  Held bytes, without payload: dropped; with payload:
 * it talked without the greeting, PREGREET.  Never PASS NEW.
 */
static void
test_ack_of_unreleased_greeting(void)
{
	struct ng_engine *e = engine(NULL);
	const struct ng_stats *st = ng_engine_stats(e);

	handshake(e, BOT, 7000, 0);
	spkt(e, BOT, 7000, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 4,
	    MS(1));
	cpkt(e, BOT, 7000, NG_TH_ACK | NG_TH_PSH, 1001, 5500, "EHLO b\r\n", 5,
	    MS(2));				/* srv_isn + 500 */
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	cpkt(e, BOT, 7000, NG_TH_ACK, 1001, 5009, NULL, 6, MS(3));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->unverified[NG_UV_ACK], 1);
	CHECK_EQ(st->unverified[NG_UV_UNRELEASED], 1);
	CHECK_EQ(st->held_now, 1);
	cpkt(e, BOT, 7000, NG_TH_ACK | NG_TH_PSH, 1001, 5009, "EHLO b\r\n", 7,
	    MS(4));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 0);
	CHECK(!cached(e, BOT, MS(5)));
	/* After the release, an ACK past what was released is no pass. */
	handshake(e, CLI, 7001, NG_SEC(1));
	spkt(e, CLI, 7001, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 8, NG_SEC(1));
	ng_engine_tick(e, NG_SEC(7), &out);
	cpkt(e, CLI, 7001, NG_TH_ACK, 1001, 5010, NULL, 9, NG_SEC(7));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_DROP);
	cpkt(e, CLI, 7001, NG_TH_ACK, 1001, 5009, NULL, 10, NG_SEC(7));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_free(e);
}

/* Controls: bots hiding behind odd TCP options are still caught. */
static void
test_odd_options_bot(void)
{
	static const uint8_t odd[] = { 0x99, 1, 0, 0 };	/* kind, length 1 */
	struct ng_engine *e = engine(NULL);

	handshake(e, BOT, 8000, 0);
	feed(e, tcp_pkt_opt(BOT, 8000, SRV, 25, NG_TH_ACK | NG_TH_PSH, 1001,
	    5001, "EHLO odd\r\n", odd, sizeof(odd)), 4, MS(1));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_RESET);
	ng_engine_free(e);
}

/* A SYN with another ISN that the server does answer: a new connection. */
static void
test_other_syn_answered(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, CLI, 9000, 0);
	spkt(e, CLI, 9000, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	cpkt(e, CLI, 9000, NG_TH_SYN, 2000, 0, NULL, 5, NG_SEC(20));
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	/* The server had dropped the old one: it answers the new SYN. */
	spkt(e, CLI, 9000, NG_TH_SYN | NG_TH_ACK, 8000, 2001, NULL, 6,
	    NG_SEC(20));
	CHECK_EQ(out.nrel, 1);			/* the old greeting goes */
	CHECK_EQ(out.rel[0].action, NG_DROP);
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	cpkt(e, CLI, 9000, NG_TH_ACK, 2001, 8001, NULL, 7, NG_SEC(20));
	spkt(e, CLI, 9000, NG_TH_ACK, 8001, 2001, "220 hi\r\n", 8, NG_SEC(20));
	CHECK_EQ(out.v.action, NG_HOLD);
	ng_engine_tick(e, NG_SEC(27), &out);
	cpkt(e, CLI, 9000, NG_TH_ACK, 2001, 8009, "EHLO a\r\n", 9, NG_SEC(27));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_free(e);
}

/* Replay: a capture's ACK of "held" bytes shows the client had them. */
static void
test_capture_counts_held_as_seen(void)
{
	struct ng_engine *e = engine(NULL);

	ng_engine_set_capture(e, 1);
	handshake(e, CLI, 9100, 0);
	spkt(e, CLI, 9100, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, CLI, 9100, NG_TH_ACK, 1001, 5009, NULL, 5, MS(20));
	CHECK(has_event(NG_EV_PASS_NEW));
	ng_engine_free(e);
}

static void
v6_128(struct ng_settings *c)
{
	c->penalty_prefix4 = 32;
	c->penalty_prefix6 = 128;
}

/* The penalty box keys on the /64 by default: a bot cannot hop in it. */
static void
test_penalty_prefix(void)
{
	struct ng_engine *e = engine(NULL);

	handshake(e, "2001:db8:1::11", 1, 0);
	cpkt(e, "2001:db8:1::11", 1, NG_TH_ACK, 1001, 5001, "EHLO\r\n", 4, 1);
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(syn_event(e, "2001:db8:1::99", MS(1)), NG_EV_PENALTY);
	CHECK_EQ(syn_event(e, "2001:db8:2::11", MS(1)), NG_EV_CONNECT);
	CHECK_EQ(syn_event(e, "198.51.100.200", MS(1)), NG_EV_CONNECT);
	ng_engine_free(e);
	e = engine(v6_128);
	handshake(e, "2001:db8:1::11", 1, 0);
	cpkt(e, "2001:db8:1::11", 1, NG_TH_ACK, 1001, 5001, "EHLO\r\n", 4, 1);
	CHECK_EQ(syn_event(e, "2001:db8:1::99", MS(1)), NG_EV_CONNECT);
	CHECK_EQ(syn_event(e, "2001:db8:1::11", MS(1)), NG_EV_PENALTY);
	ng_engine_free(e);
}

/* ---- the property: a blind spoofer can never forge a verdict -------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: deterministic, so a failure can be replayed. */
static uint32_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

#define SPOOF_CLIENTS 100
#define SPOOF_PER_CLIENT 10000	/* 1,000,000 forged segments in all */

struct spoof_run {
	struct ng_engine *e;
	char cli[48];
	uint16_t port;		/* the real session's port */
	uint32_t cisn, sisn;	/* its ISNs: the spoofer knows neither */
	uint32_t fisn;		/* the spoofer's own last SYN */
	uint16_t fport;
	unsigned forged, dropped, bad;
	int handshake;		/* hold = handshake: the ACK waits */
	ng_usec now;
};

/* Any verdict event for forged traffic is a failure. */
static void
spoof_check(struct spoof_run *r)
{
	unsigned i;

	for (i = 0; i < out.nev; i++)
		if (out.ev[i].type == NG_EV_PREGREET ||
		    out.ev[i].type == NG_EV_PASS_NEW)
			r->bad++;
	r->forged++;
	if (out.v.action == NG_DROP)
		r->dropped++;
}

/* One forged segment: anything a spoofer could send for this address. */
static void
spoof_one(struct spoof_run *r)
{
	static const char *data[] = { "EHLO spoof\r\n", "\r\n", "QUIT\r\n",
	    "MAIL FROM:<a@b>\r\n" };
	static const uint8_t odd[][4] = { { 0x99, 1, 0, 0 }, { 0x22, 2, 0, 0 },
	    { 2, 4, 5, 0xb4 }, { 0x99, 0, 0, 0 } };
	static const uint8_t flagset[] = { NG_TH_ACK, NG_TH_ACK | NG_TH_PSH,
	    NG_TH_RST, NG_TH_RST | NG_TH_ACK, NG_TH_FIN | NG_TH_ACK,
	    NG_TH_SYN | NG_TH_ACK, NG_TH_PSH, NG_TH_SYN | NG_TH_FIN };
	const char *srv = r->cli[0] == '2' ? "2001:db8:25::25" : SRV;
	uint32_t k = rnd(), seq = rnd(), ack = rnd();
	uint16_t port = (k & 3) == 0 ? r->port : (k & 3) == 1 ? r->fport :
	    (uint16_t)(1024 + rnd() % 60000);
	uint8_t fl = flagset[(k >> 2) & 7];
	const char *pay = (k >> 5) & 1 ? data[(k >> 6) & 3] : NULL;
	size_t nopt = (k >> 8) & 1 ? 4 : 0;

	switch ((k >> 9) & 7) {
	case 0:		/* a SYN, maybe with data, on a port of its choice */
		r->fport = port;
		r->fisn = seq;
		feed(r->e, tcp_pkt_opt(r->cli, port, srv, 25, NG_TH_SYN, seq,
		    0, pay, odd[k >> 30], nopt), 1, r->now);
		spoof_check(r);
		/* The server answers the SYN of a new flow with a SYN-ACK
		 * (to the real host), a live one with a challenge ACK. */
		if (port == r->port) {
			spkt(r->e, r->cli, port, NG_TH_ACK, r->sisn + 1,
			    r->cisn + 1, NULL, 2, r->now);
			break;
		}
		ack = rnd();
		spkt(r->e, r->cli, port, NG_TH_SYN | NG_TH_ACK, ack, seq + 1 +
		    (pay && (k >> 29) & 1 ? (uint32_t)strlen(pay) : 0), NULL,
		    2, r->now);
		/* Half the time the real host's kernel resets it. */
		if ((k >> 28) & 1)
			cpkt(r->e, r->cli, port, NG_TH_RST, seq + 1, 0, NULL, 3,
			    r->now);
		break;
	case 1:		/* its own flow: it knows seq, guesses the ACK */
		seq = r->fisn + 1;
		/* FALLTHROUGH */
	default:
		feed(r->e, tcp_pkt_opt(r->cli, port, srv, 25, fl, seq, ack, pay,
		    odd[k >> 30], nopt), 4, r->now);
		spoof_check(r);
		break;
	}
}

/* The real client's session on r->port, with spoofing all through it. */
static void
spoof_session(struct spoof_run *r)
{
	const struct ng_stats *st = ng_engine_stats(r->e);
	uint64_t passed = st->events[NG_EV_PASS_NEW];
	unsigned i;

	r->cisn = rnd();
	r->sisn = rnd();
	for (i = 0; i < SPOOF_PER_CLIENT / 2; i++) {
		r->now += 100;
		spoof_one(r);
	}
	cpkt(r->e, r->cli, r->port, NG_TH_SYN, r->cisn, 0, NULL, 10, r->now);
	spkt(r->e, r->cli, r->port, NG_TH_SYN | NG_TH_ACK, r->sisn,
	    r->cisn + 1, NULL, 11, r->now);
	cpkt(r->e, r->cli, r->port, NG_TH_ACK, r->cisn + 1, r->sisn + 1, NULL,
	    12, r->now);
	if (!r->handshake)
		spkt(r->e, r->cli, r->port, NG_TH_ACK | NG_TH_PSH, r->sisn + 1,
		    r->cisn + 1, "220 mx ESMTP\r\n", 13, r->now + MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	/* The pause: 5,000 forged segments in 6 s. */
	for (i = 0; i < SPOOF_PER_CLIENT / 2; i++) {
		r->now += 1000;
		while (ng_engine_tick(r->e, r->now, &out))
			;
		spoof_one(r);
	}
	if (r->handshake) {
		/* The pause ran out on the real client's held ACK. */
		CHECK_EQ(st->events[NG_EV_PASS_NEW], passed);
		while (ng_engine_tick(r->e, r->now + NG_SEC(1), &out))
			;
		CHECK(has_event(NG_EV_PASS_NEW));
		CHECK_EQ(released_as(12), NG_ACCEPT);
		CHECK_EQ(st->events[NG_EV_PASS_NEW], passed + 1);
		spkt(r->e, r->cli, r->port, NG_TH_ACK | NG_TH_PSH, r->sisn + 1,
		    r->cisn + 1, "220 mx ESMTP\r\n", 13, r->now + NG_SEC(1));
		CHECK_EQ(out.v.offload, 1);
		r->now += NG_SEC(60);
		return;
	}
	while (ng_engine_tick(r->e, r->now + NG_SEC(1), &out))
		;
	CHECK_EQ(st->events[NG_EV_PASS_NEW], passed);	/* none forged */
	cpkt(r->e, r->cli, r->port, NG_TH_ACK, r->cisn + 1, r->sisn + 15,
	    NULL, 14, r->now + NG_SEC(1));
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(st->events[NG_EV_PASS_NEW], passed + 1);
	r->now += NG_SEC(60);
}

/* ---- hold = handshake: the client's ACK is what waits ---- */

static unsigned hs_window;

static void
hs_tweak(struct ng_settings *c)
{
	c->hold = NG_HOLD_HANDSHAKE;
	c->release_window = hs_window;
}

/* An engine holding handshake ACKs, release window w (0: none). */
static struct ng_engine *
hs_engine(unsigned w)
{
	hs_window = w;
	return engine(hs_tweak);
}

/*
 * A polite client: its ACK is held (the server never accepts), the
 * server's SYN-ACK retransmit goes through and the client's repeated
 * ACK is dropped, the pause runs out: PASS NEW, the held ACK goes to
 * the server, and the server's greeting offloads the flow.
 */
static void
test_handshake_polite_passes(void)
{
	struct ng_engine *e = hs_engine(10);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100);

	cpkt(e, CLI, 40001, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.test, 1);
	spkt(e, CLI, 40001, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	cpkt(e, CLI, 40001, NG_TH_ACK, 1001, 5001, NULL, 3, t0 + MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	CHECK_EQ(out.v.hold_until, t0 + NG_SEC(6));
	CHECK_EQ(st->held_now, 1);
	CHECK_EQ(ng_engine_next_timer(e), t0 + NG_SEC(6));
	/* The server's SYN-ACK retransmit, the client's answer to it. */
	spkt(e, CLI, 40001, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 4,
	    t0 + NG_SEC(1));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	cpkt(e, CLI, 40001, NG_TH_ACK, 1001, 5001, NULL, 5, t0 + NG_SEC(1));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK_EQ(st->retransmits_dropped, 1);
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(5), &out), 0);
	CHECK_EQ(out.nrel, 0);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(6), &out), 0);
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(out_event(&out, NG_EV_PASS_NEW)->after, NG_SEC(6));
	CHECK_EQ(out.nrel, 1);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	CHECK_EQ(out.rel[0].offload, 0);	/* watched until the greeting */
	CHECK_EQ(st->held_now, 0);
	CHECK_EQ(st->released_now, 1);
	/* The MTA accepted: its greeting frees the slot, offloads. */
	spkt(e, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 5001, 1001, "220 hi\r\n", 6,
	    t0 + NG_SEC(6) + MS(2));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(st->released_now, 0);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	cpkt(e, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 1001, 5009, "EHLO a\r\n", 7,
	    t0 + NG_SEC(6) + MS(3));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out.nev, 0);
	/* Next time: PASS OLD at the SYN, nothing held. */
	cpkt(e, CLI, 40002, NG_TH_SYN, 7, 0, NULL, 8, t0 + NG_SEC(60));
	CHECK(has_event(NG_EV_PASS_OLD));
	spkt(e, CLI, 40002, NG_TH_SYN | NG_TH_ACK, 1, 8, NULL, 9,
	    t0 + NG_SEC(60));
	cpkt(e, CLI, 40002, NG_TH_ACK, 8, 2, NULL, 10, t0 + NG_SEC(60));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.offload, 1);
	ng_engine_free(e);
}

/*
 * A bot talks into the pause: PREGREET, its segment reset, its held ACK
 * dropped (the server never accepted), and the server's next SYN-ACK
 * retransmit reset so the half-open request goes too.
 */
static void
test_handshake_bot_never_reaches_mta(void)
{
	struct ng_engine *e = hs_engine(10);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100);

	handshake(e, BOT, 40003, t0);
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, BOT, 40003, NG_TH_ACK | NG_TH_PSH, 1001, 5001, "EHLO bot\r\n",
	    4, t0 + MS(20));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out_event(&out, NG_EV_PREGREET)->bytes, 10);
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(released_as(3), NG_DROP);
	CHECK_EQ(st->held_now, 0);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	spkt(e, BOT, 40003, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 5,
	    t0 + NG_SEC(1));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(e)), 1);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(e)), 0);
	/* Data on the handshake ACK itself: PREGREET, nothing held. */
	cpkt(e, BOT, 40004, NG_TH_SYN, 1000, 0, NULL, 6, t0 + NG_SEC(2));
	CHECK_EQ(out.v.action, NG_RESET);	/* the penalty box, now */
	ng_engine_free(e);
	e = hs_engine(10);
	cpkt(e, BOT, 40004, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	spkt(e, BOT, 40004, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, t0);
	cpkt(e, BOT, 40004, NG_TH_ACK | NG_TH_PSH, 1001, 5001, "HELO x\r\n", 3,
	    t0);
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(out.nrel, 0);
	ng_engine_free(e);
}

/*
 * A client that closes within the pause: HANGUP, its FIN reset (it must
 * not complete the handshake at the server), the held ACK dropped, the
 * request reset at the next SYN-ACK.  A RST at the right sequence
 * number goes through to the server's request as it is.
 */
static void
test_handshake_hangup(void)
{
	struct ng_engine *e = hs_engine(10);
	ng_usec t0 = NG_SEC(100);

	handshake(e, CLI, 40005, t0);
	cpkt(e, CLI, 40005, NG_TH_ACK | NG_TH_FIN, 1001, 5001, NULL, 4,
	    t0 + NG_SEC(2));
	CHECK(has_event(NG_EV_HANGUP));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(released_as(3), NG_DROP);
	spkt(e, CLI, 40005, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 5,
	    t0 + NG_SEC(3));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(e)), 0);
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(e)), 0);
	handshake(e, CLI, 40006, t0);
	cpkt(e, CLI, 40006, NG_TH_RST, 1001, 0, NULL, 4, t0 + NG_SEC(2));
	CHECK(has_event(NG_EV_HANGUP));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(released_as(3), NG_DROP);
	ng_engine_free(e);
}

/*
 * The release window: with room for 2, five clients passing at once
 * send two ACKs to the MTA; each greeting seen lets the next one go, in
 * the order they passed; one that talks while it waits is still caught;
 * a released flow whose greeting never comes gives its slot back after
 * 30 s; shutdown lets everything go without a pass.
 */
static void
test_release_window(void)
{
	struct ng_engine *e = hs_engine(2);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100), t6 = t0 + NG_SEC(6);
	char cli[32];
	unsigned i;

	for (i = 0; i < 5; i++) {
		snprintf(cli, sizeof(cli), "198.51.100.%u", 20 + i);
		handshake(e, cli, (uint16_t)(41000 + i), t0 + i);
		CHECK_EQ(out.v.action, NG_HOLD);
	}
	CHECK_EQ(ng_engine_tick(e, t6 + 10, &out), 0);
	CHECK_EQ(out.nrel, 2);
	CHECK_EQ(out.nev, 2);
	CHECK_EQ(st->released_now, 2);
	CHECK_EQ(st->window_waits, 5);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 2);
	CHECK(ng_engine_next_timer(e) > t6 + 10);	/* full: no spin */
	/* The fourth talks while it waits: caught, out of the line. */
	cpkt(e, "198.51.100.23", 41003, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO\r\n", 9, t6 + 20);
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(released_as(3), NG_DROP);
	/* The first's greeting: the third goes (the fourth is gone). */
	spkt(e, "198.51.100.20", 41000, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 hi\r\n", 10, t6 + MS(5));
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out.nev, 1);
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK(!ng_addr_cmp(&out_event(&out, NG_EV_PASS_NEW)->client,
	    addr("198.51.100.22")));
	CHECK_EQ(released_as(3), NG_ACCEPT);
	CHECK_EQ(st->released_now, 2);
	/* The second never greets: after 30 s its slot goes to the fifth. */
	CHECK_EQ(ng_engine_tick(e, t6 + NG_SEC(29), &out), 0);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(ng_engine_tick(e, t6 + NG_SEC(30) + MS(1), &out), 0);
	CHECK_EQ(st->release_timeouts, 1);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 4);
	CHECK(!ng_addr_cmp(&out_event(&out, NG_EV_PASS_NEW)->client,
	    addr("198.51.100.24")));
	/* The second's late packets are offloaded now. */
	spkt(e, "198.51.100.21", 41001, NG_TH_ACK | NG_TH_PSH, 5001, 1001,
	    "220 hi\r\n", 11, t6 + NG_SEC(32));
	CHECK_EQ(out.v.offload, 1);
	ng_engine_free(e);

	/* Shutdown: the waiting and the held go, no pass for the latter. */
	e = hs_engine(1);
	st = ng_engine_stats(e);
	handshake(e, "198.51.100.30", 42000, t0);
	handshake(e, "198.51.100.31", 42001, t0);
	CHECK_EQ(ng_engine_tick(e, t6, &out), 0);
	CHECK_EQ(out.nrel, 1);
	handshake(e, "198.51.100.32", 42002, t6);
	CHECK_EQ(ng_engine_release_all(e, &out), 0);
	CHECK_EQ(out.nrel, 2);		/* the waiting one and the held one */
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 2);
	CHECK_EQ(st->held_now, 0);
	ng_engine_free(e);

	/* No window: every ACK goes at once, offloaded. */
	e = hs_engine(0);
	handshake(e, CLI, 42003, t0);
	CHECK_EQ(ng_engine_tick(e, t6, &out), 0);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	CHECK_EQ(out.rel[0].offload, 1);
	ng_engine_free(e);
}

/*
 * An ACK that comes after the pause already ran out (the SYN-ACK was
 * lost and retransmitted) passes at the next tick; eviction of a flow
 * with a held ACK lets the ACK through (fail open), no pass.
 */
static void
test_handshake_late_ack_and_eviction(void)
{
	struct ng_engine *e;
	ng_usec t0 = NG_SEC(100);

	e = hs_engine(10);
	cpkt(e, CLI, 40010, NG_TH_SYN, 1000, 0, NULL, 1, t0);
	spkt(e, CLI, 40010, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2,
	    t0 + NG_SEC(7));
	cpkt(e, CLI, 40010, NG_TH_ACK, 1001, 5001, NULL, 3, t0 + NG_SEC(7));
	CHECK_EQ(out.v.action, NG_HOLD);
	CHECK(ng_engine_next_timer(e) <= t0 + NG_SEC(7));
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(7), &out), 0);
	CHECK(has_event(NG_EV_PASS_NEW));
	CHECK_EQ(released_as(3), NG_ACCEPT);
	ng_engine_free(e);
}

static void
tiny_hs(struct ng_settings *c)
{
	c->hold = NG_HOLD_HANDSHAKE;
	c->flow_max = 1;
}

static void
test_handshake_eviction_fails_open(void)
{
	struct ng_engine *e = engine(tiny_hs);
	const struct ng_stats *st = ng_engine_stats(e);
	ng_usec t0 = NG_SEC(100);

	handshake(e, CLI, 40011, t0);
	CHECK_EQ(out.v.action, NG_HOLD);
	cpkt(e, BOT, 40012, NG_TH_SYN, 1, 0, NULL, 9, t0 + MS(1));
	CHECK_EQ(released_as(3), NG_ACCEPT);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], 0);
	CHECK_EQ(st->held_now, 0);
	ng_engine_free(e);
}

/*
 * An off-path attacker that does not know the server's ISN sends a
 * million random forged segments (SYN, SYN+data, ACK, data with random
 * or its own sequence numbers and random ACKs, RST, FIN, odd options)
 * for good clients' addresses and 4-tuples, before and during their
 * real sessions: no PREGREET, no PASS NEW for forged traffic, no entry
 * in the penalty box or pass cache, and every real session ends PASS
 * NEW.
 */
static void
spoof_many(int handshake)
{
	struct spoof_run r;
	const struct ng_stats *st;
	unsigned g;

	memset(&r, 0, sizeof(r));
	r.handshake = handshake;
	r.e = handshake ? hs_engine(10) : engine(NULL);
	st = ng_engine_stats(r.e);
	r.now = NG_SEC(1000);
	for (g = 0; g < SPOOF_CLIENTS; g++) {
		if (g % 2)
			snprintf(r.cli, sizeof(r.cli), "2001:db8:%x::10", g);
		else
			snprintf(r.cli, sizeof(r.cli), "198.51.100.%u", g);
		r.port = (uint16_t)(30000 + rnd() % 30000);
		r.fport = r.port;
		spoof_session(&r);
	}
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(st->events[NG_EV_PREGREET], 0);
	CHECK_EQ(st->events[NG_EV_PASS_NEW], SPOOF_CLIENTS);
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(r.e)), 0);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(r.e)), SPOOF_CLIENTS);
	CHECK(r.forged >= SPOOF_CLIENTS * SPOOF_PER_CLIENT);
	CHECK_EQ(st->released_now, 0);
	fprintf(stderr, "  spoof (hold = %s): %u forged segments, %u dropped, "
	    "unverified %llu (dropped %llu), PREGREET 0, PASS NEW %llu (real)\n",
	    handshake ? "handshake" : "greeting", r.forged, r.dropped,
	    (unsigned long long)ng_unverified_total(st),
	    (unsigned long long)st->unverified_dropped,
	    (unsigned long long)st->events[NG_EV_PASS_NEW]);
	ng_engine_free(r.e);
}

static void
test_spoofer_cannot_forge_verdicts(void)
{
	spoof_many(0);
	spoof_many(1);
}

/*
 * The same engine still catches real bots, each with its own handshake:
 * a pre-greeting talker, a talker in the handshake ACK, a Fast Open bot
 * whose data the server took, and a talker behind odd options.
 */
static void
test_spoof_controls(void)
{
	static const uint8_t odd[] = { 1, 0x99, 1, 0 };
	struct ng_engine *e = engine(NULL);
	const struct ng_stats *st = ng_engine_stats(e);

	handshake(e, "198.51.100.31", 1, 0);
	cpkt(e, "198.51.100.31", 1, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO\r\n", 4, MS(1));
	cpkt(e, "198.51.100.32", 1, NG_TH_SYN, 1000, 0, NULL, 1, 0);
	spkt(e, "198.51.100.32", 1, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2,
	    0);
	cpkt(e, "198.51.100.32", 1, NG_TH_ACK | NG_TH_PSH, 1001, 5001,
	    "EHLO\r\n", 3, MS(1));
	cpkt(e, "198.51.100.33", 1, NG_TH_SYN, 1000, 0, "EHLO\r\n", 1, 0);
	spkt(e, "198.51.100.33", 1, NG_TH_SYN | NG_TH_ACK, 5000, 1007, NULL, 2,
	    0);
	cpkt(e, "198.51.100.33", 1, NG_TH_ACK, 1007, 5001, NULL, 3, MS(1));
	handshake(e, "198.51.100.34", 1, 0);
	feed(e, tcp_pkt_opt("198.51.100.34", 1, SRV, 25, NG_TH_ACK, 1001, 5001,
	    "EHLO\r\n", odd, sizeof(odd)), 4, MS(1));
	CHECK_EQ(st->events[NG_EV_PREGREET], 4);
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(e)), 4);
	ng_engine_free(e);
}

/*
 * The SYN of a flow going under test says so (the front-end marks its
 * connection so the rules' packet cap skips it); a decided SYN does
 * not.  A packet of a flow the engine does not know is midstream (the
 * front-end clears that mark); a forged packet of a known flow is not.
 */
static void
test_verdict_test_and_midstream(void)
{
	struct ng_engine *e = engine(NULL);

	cpkt(e, CLI, 40001, NG_TH_SYN, 1000, 0, NULL, 1, NG_SEC(1));
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.test, 1);
	CHECK_EQ(out.v.offload, 0);
	CHECK_EQ(out.v.midstream, 0);
	cpkt(e, CLI, 40001, NG_TH_SYN, 1000, 0, NULL, 2, NG_SEC(2));
	CHECK_EQ(out.v.test, 1);		/* retransmit: the same */
	/* Forged junk on the flow's 4-tuple: known, so not midstream. */
	cpkt(e, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 77, 99, "junk\r\n", 3,
	    NG_SEC(2));
	CHECK_EQ(out.v.midstream, 0);
	CHECK_EQ(out.v.offload, 0);
	cpkt(e, CLI, 40009, NG_TH_ACK, 77, 99, NULL, 4, NG_SEC(2));
	CHECK_EQ(out.v.midstream, 1);
	CHECK_EQ(out.v.action, NG_ACCEPT);
	CHECK_EQ(out.v.test, 0);
	CHECK_EQ(ng_engine_stats(e)->midstream, 1);
	/* Never judged: not under test. */
	cpkt(e, "127.0.0.1", 40002, NG_TH_SYN, 1000, 0, NULL, 5, NG_SEC(3));
	CHECK_EQ(out.v.test, 0);
	CHECK_EQ(out.v.offload, 1);
	ng_engine_free(e);
}

static void
pass_segments(struct ng_settings *c)
{
	c->cache_max = 10;	/* 8 protected, the rest on probation */
}

/* pass_once - a real PASS NEW for cli, so it is in the pass cache once. */
static void
pass_once(struct ng_engine *e, const char *cli, ng_usec t)
{
	handshake(e, cli, 7000, t);
	spkt(e, cli, 7000, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 4, t);
	ng_engine_tick(e, t + NG_SEC(6), &out);
	cpkt(e, cli, 7000, NG_TH_ACK, 1001, 5009, "EHLO x\r\n", 5,
	    t + NG_SEC(6));
	CHECK(has_event(NG_EV_PASS_NEW));
}

/* pass_entry_is - CLI's pass-cache entry, the protected segment, facts */
static void
pass_entry_is(struct ng_engine *e, ng_usec now, unsigned count,
    size_t protected, const char *pass)
{
	struct ng_cache *pc = ng_engine_pass_cache(e);
	struct ng_cache_entry *c = ng_cache_find(pc, addr(CLI), now);

	CHECK_EQ(c ? c->count : 0, count);
	CHECK_EQ(ng_cache_protected(pc), protected);
	ng_engine_facts(e, addr(CLI), now, &facts);
	CHECK_STR(facts.pass, pass);
}

/*
 * PASS OLD is decided at the SYN, but a forged SYN from a passed
 * address (no handshake: the spoofer never sees the SYN-ACK; the real
 * host resets it) changes nothing: not the entry's count, not its
 * segment, not the policy service's "new".  Forged ACKs with guessed
 * numbers do not confirm it either.  A real session (handshake ACK
 * acknowledging the server's SYN-ACK) refreshes: count 2, protected.
 */
static void
test_pass_old_needs_handshake(void)
{
	struct ng_engine *e = engine(pass_segments);
	ng_usec t = NG_SEC(100);
	unsigned i;

	pass_once(e, CLI, t);
	pass_entry_is(e, t + NG_SEC(7), 1, 0, "new");
	for (i = 0; i < 50; i++) {
		uint16_t port = (uint16_t)(20000 + i);
		ng_usec now = t + NG_SEC(10) + i;

		cpkt(e, CLI, port, NG_TH_SYN, 100 + i, 0, NULL, 1, now);
		CHECK(has_event(NG_EV_PASS_OLD));
		CHECK_EQ(out.v.action, NG_ACCEPT);
		CHECK_EQ(out.v.offload, 0);
		/* The server answers; the spoofer guesses the ACK. */
		spkt(e, CLI, port, NG_TH_SYN | NG_TH_ACK, 9000, 101 + i, NULL,
		    2, now);
		cpkt(e, CLI, port, NG_TH_ACK, 101 + i, 12345 + i, NULL, 3,
		    now);
		CHECK_EQ(out.v.action, NG_ACCEPT);
		CHECK_EQ(out.v.offload, 0);
		CHECK_EQ(out.v.confirm, 0);
	}
	pass_entry_is(e, t + NG_SEC(100), 1, 0, "new");
	/* The real client comes back. */
	handshake(e, CLI, 7001, t + NG_SEC(200));
	CHECK_EQ(out.v.offload, 1);
	CHECK_EQ(out.v.confirm, 1);
	pass_entry_is(e, t + NG_SEC(201), 2, 1, "old");
	ng_engine_free(e);
}

/*
 * A bot's FIN with a bad ack, sent while the server is half-open, makes
 * the listener answer with a RST whose sequence number is that ack (the
 * bot's choice) and keep the half-open connection.  Neither the FIN nor
 * that RST may end the test: the bot's command after the handshake is
 * still PREGREET.
 */
static void
test_bad_ack_fin_and_listener_rst(void)
{
	struct ng_engine *e = engine(NULL);

	cpkt(e, BOT, 30, NG_TH_SYN, 1000, 0, NULL, 1, 0);
	spkt(e, BOT, 30, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, 0);
	cpkt(e, BOT, 30, NG_TH_FIN | NG_TH_ACK, 1001, 5002, NULL, 3, MS(1));
	CHECK_EQ(out.v.action, NG_DROP);
	CHECK(!has_event(NG_EV_HANGUP));
	spkt(e, BOT, 30, NG_TH_RST, 5002, 0, NULL, 4, MS(2));
	CHECK(!has_event(NG_EV_HANGUP));
	cpkt(e, BOT, 30, NG_TH_ACK, 1001, 5001, "EHLO bot\r\n", 5, MS(3));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.action, NG_RESET);
	/* A RST inside what the server sent still ends a test. */
	cpkt(e, CLI, 31, NG_TH_SYN, 1000, 0, NULL, 6, MS(10));
	spkt(e, CLI, 31, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 7, MS(10));
	spkt(e, CLI, 31, NG_TH_RST, 5001, 0, NULL, 8, MS(11));
	cpkt(e, CLI, 31, NG_TH_ACK, 1001, 5001, "EHLO x\r\n", 9, MS(12));
	CHECK(!has_event(NG_EV_PREGREET));
	ng_engine_free(e);
}

/*
 * A bot that never ACKs keeps its flow alive through the server's
 * SYN-ACK retransmissions (1, 3, 7, 15, 31 s); the last gap before the
 * server gives up is 32 s.  The default half-open timeout outlasts it,
 * so an ACK with a command at 62 s is still judged, not midstream.
 */
static void
test_halfopen_outlasts_synack_retries(void)
{
	static const unsigned rtx[] = { 1, 3, 7, 15, 31 };
	struct ng_engine *e = engine(NULL);
	unsigned i;

	cpkt(e, BOT, 32, NG_TH_SYN, 1000, 0, NULL, 1, 0);
	spkt(e, BOT, 32, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, 0);
	for (i = 0; i < sizeof(rtx) / sizeof(rtx[0]); i++) {
		ng_engine_tick(e, NG_SEC(rtx[i]), &out);
		spkt(e, BOT, 32, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL,
		    3 + i, NG_SEC(rtx[i]));
	}
	ng_engine_tick(e, NG_SEC(62), &out);
	cpkt(e, BOT, 32, NG_TH_ACK, 1001, 5001, "EHLO bot\r\n", 9,
	    NG_SEC(62));
	CHECK(has_event(NG_EV_PREGREET));
	CHECK_EQ(out.v.midstream, 0);
	ng_engine_free(e);
}

/*
 * A PASS OLD flow confirms at a believed client segment.  If the
 * handshake ACK never reached the gate, the first segment it sees acks
 * the greeting: that must count (the greeting went straight out, so
 * it is part of what the server sent).
 */
static void
test_pass_old_confirms_on_greeting_ack(void)
{
	struct ng_engine *e = engine(pass_segments);
	ng_usec t = NG_SEC(100);

	pass_once(e, CLI, t);
	t += NG_SEC(20);
	cpkt(e, CLI, 7002, NG_TH_SYN, 1000, 0, NULL, 1, t);
	CHECK(has_event(NG_EV_PASS_OLD));
	spkt(e, CLI, 7002, NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL, 2, t);
	/* (the handshake ACK is lost before the gate) */
	spkt(e, CLI, 7002, NG_TH_ACK, 5001, 1001, "220 hi\r\n", 3, t);
	cpkt(e, CLI, 7002, NG_TH_ACK, 1001, 5009, "EHLO x\r\n", 4, t);
	CHECK_EQ(out.v.confirm, 1);
	CHECK_EQ(out.v.offload, 1);
	pass_entry_is(e, t + NG_SEC(1), 2, 1, "old");
	ng_engine_free(e);
}

int
main(void)
{
	RUN(test_polite_client_passes);
	RUN(test_verdict_test_and_midstream);
	RUN(test_pass_old_needs_handshake);
	RUN(test_pass_at_greeting_ack);
	RUN(test_bot_is_reset_and_boxed);
	RUN(test_talk_before_any_greeting);
	RUN(test_payload_on_handshake_ack);
	RUN(test_tfo_judged_at_handshake);
	RUN(test_split_greeting_and_retransmit);
	RUN(test_hangup_is_neither);
	RUN(test_other_ports_ignored);
	RUN(test_zero_pause_and_ack_coverage);
	RUN(test_policy_precedence);
	RUN(test_net_rule_precedence);
	RUN(test_net_rule_events);
	RUN(test_country_drop_is_sticky);
	RUN(test_allowlisted_may_talk_early);
	RUN(test_greylist);
	RUN(test_facts);
	RUN(test_eviction_fails_open);
	RUN(test_eviction_releases_held);
	RUN(test_idle_expiry);
	RUN(test_log_only_mode);
	RUN(test_ipv6_flow);
	RUN(test_malformed_mixed_in);
	RUN(test_stress_shortens_pause);
	RUN(test_spoofed_syn_data);
	RUN(test_spoofed_syn_then_data);
	RUN(test_blind_injection);
	RUN(test_ack_of_unreleased_greeting);
	RUN(test_odd_options_bot);
	RUN(test_other_syn_answered);
	RUN(test_capture_counts_held_as_seen);
	RUN(test_penalty_prefix);
	RUN(test_spoofer_cannot_forge_verdicts);
	RUN(test_spoof_controls);
	RUN(test_bad_ack_fin_and_listener_rst);
	RUN(test_halfopen_outlasts_synack_retries);
	RUN(test_pass_old_confirms_on_greeting_ack);
	RUN(test_monitor_mode);
	RUN(test_handshake_polite_passes);
	RUN(test_handshake_bot_never_reaches_mta);
	RUN(test_handshake_hangup);
	RUN(test_release_window);
	RUN(test_handshake_late_ack_and_eviction);
	RUN(test_handshake_eviction_fails_open);
	return test_done();
}
