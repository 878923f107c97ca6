/*
 * test_score.c - one score, one decision: the pure sum and thresholds
 * (engine/score.c), then the engine acting on it at the pause's end and
 * early, with a fake DNS table behind the score's callback.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/template.h"
#include "daemon/config_check.h"
#include "daemon/psvc.h"
#include "engine/engine.h"
#include "engine/event_format.h"
#include "engine/cache.h"
#include "engine/score.h"
#include "outev.h"
#include "pktbuild.h"
#include "test.h"

#define CLI "198.51.100.10"
#define SRV "203.0.113.25"
#define MS(x) ((ng_usec)(x) * 1000)

static struct ng_out out;

/* The fake DNS table: one answer for every client. */
static struct ng_score_dns fake;
static unsigned fake_asked;

/* fake_dns - the score's DNS callback. */
static void
fake_dns(const void *ctx, const struct ng_addr *a, ng_usec now,
    struct ng_score_dns *d)
{
	(void)ctx;
	(void)a;
	(void)now;
	fake_asked++;
	*d = fake;
}

static const struct ng_score_src src = { fake_dns, NULL };

/* conf - a score with thresholds reject 5, greylist 3, allow -2. */
static void
conf(struct ng_score_conf *c)
{
	ng_score_conf_init(c);
	c->dns = 1;
	c->reject = 5;
	c->greylist = 3;
	c->allow = -2;
}

/* add_cc_rule - "score country CC = w". */
static void
add_cc_rule(struct ng_score_conf *c, const char *cc, int w)
{
	struct ng_score_rule *r = &c->rule[c->nrule++];

	memset(r, 0, sizeof(*r));
	r->kind = NG_SCORE_COUNTRY;
	r->weight = w;
	r->first = (uint16_t)c->nccs;
	r->n = 1;
	c->ccs[c->nccs++] = ng_cc_pack(cc);
}

static void
test_thresholds(void)
{
	struct ng_score_conf c;

	conf(&c);
	CHECK_EQ(ng_score_judge(&c, 5), NG_SCORE_REJECT);
	CHECK_EQ(ng_score_judge(&c, 9), NG_SCORE_REJECT);
	CHECK_EQ(ng_score_judge(&c, 4), NG_SCORE_GREYLIST);
	CHECK_EQ(ng_score_judge(&c, 3), NG_SCORE_GREYLIST);
	CHECK_EQ(ng_score_judge(&c, 2), NG_SCORE_TEST);
	CHECK_EQ(ng_score_judge(&c, -1), NG_SCORE_TEST);
	CHECK_EQ(ng_score_judge(&c, -2), NG_SCORE_PASS);
	CHECK_EQ(ng_score_judge(&c, -7), NG_SCORE_PASS);
	/* Off: greylist 0, allowlist 0. */
	c.greylist = 0;
	c.allow = 0;
	CHECK_EQ(ng_score_judge(&c, 4), NG_SCORE_TEST);
	CHECK_EQ(ng_score_judge(&c, -9), NG_SCORE_TEST);
	/* The reject threshold wins over the others, whatever they say. */
	c.greylist = 1;
	c.reject = 1;
	CHECK_EQ(ng_score_judge(&c, 1), NG_SCORE_REJECT);
	CHECK_STR(ng_score_action_name(NG_SCORE_REJECT), "reject");
	CHECK_STR(ng_score_action_name(NG_SCORE_PASS), "pass");
	CHECK_STR(ng_score_action_name(200), "?");
}

static void
test_sum_and_explain(void)
{
	struct ng_score_conf c;
	struct ng_score_in in;
	struct ng_score s;
	struct ng_score_rule *r;
	char why[NG_SCORE_WHY_MAX];

	conf(&c);
	add_cc_rule(&c, "CN", 2);
	add_cc_rule(&c, "CN", 1);	/* both count */
	add_cc_rule(&c, "RU", 7);
	r = &c.rule[c.nrule++];
	memset(r, 0, sizeof(*r));
	r->kind = NG_SCORE_FP;
	r->weight = 1;
	strcpy(r->cls, "windows-desktop");
	r = &c.rule[c.nrule++];
	memset(r, 0, sizeof(*r));
	r->kind = NG_SCORE_ASN;
	r->weight = -4;
	r->first = (uint16_t)c.nasn;
	r->n = 2;
	c.asns[c.nasn++] = 15169;
	c.asns[c.nasn++] = 8075;
	r = &c.rule[c.nrule++];
	memset(r, 0, sizeof(*r));
	r->kind = NG_SCORE_OWNER;
	r->weight = 2;
	r->pattern = 3;

	memset(&in, 0, sizeof(in));
	in.where.cc = ng_cc_pack("CN");
	in.fp = "windows-desktop";
	in.dns.asked = 1;
	in.dns.complete = 1;
	in.dns.dnsbl = 3;
	in.dns.dnswl = -1;
	in.dns.rdns = 1;
	in.dns.rdns_fact = "dynamic";
	strcpy(in.dns.detail, "zen.example=3 wl.example=-1");
	ng_score_compute(&c, &in, &s);
	CHECK_EQ(s.dns, 2);
	CHECK_EQ(s.rdns, 1);
	CHECK_EQ(s.country, 3);
	CHECK_EQ(s.fp, 1);
	CHECK_EQ(s.asn, 0);
	CHECK_EQ(s.owner, 0);
	CHECK_EQ(s.total, 7);
	CHECK_EQ(s.action, NG_SCORE_REJECT);
	ng_score_explain(&s, &in, why, sizeof(why));
	CHECK_STR(why, "dnsbl=2 (zen.example=3 wl.example=-1) rdns=dynamic(1) "
	    "fp=windows-desktop(1) country=CN(3)");
	/* The fingerprint allow list: never scored. */
	in.fp_allowed = 1;
	ng_score_compute(&c, &in, &s);
	CHECK_EQ(s.fp, 0);
	/* ASN and owner bit. */
	in.where.asn = 8075;
	in.where.owner_bits = 1u << 3;
	in.dns.asked = 0;	/* replay: no DNS part, whatever it says */
	ng_score_compute(&c, &in, &s);
	CHECK_EQ(s.dns + s.rdns, 0);
	CHECK_EQ(s.asn, -4);
	CHECK_EQ(s.owner, 2);
	CHECK_EQ(s.total, 3 - 4 + 2);
	in.dns.complete = 0;
	in.dns.asked = 1;
	in.dns.noanswer = 2;
	ng_score_explain(&s, &in, why, sizeof(why));
	CHECK(strstr(why, "noanswer=2") != NULL);
	CHECK(strstr(why, "asn=8075(-4)") != NULL);
	/* A short buffer: cut, terminated. */
	ng_score_explain(&s, &in, why, 8);
	CHECK(strlen(why) > 0 && strlen(why) < 8);
	/* An unknown country can be scored as "--" (0). */
	in.where.cc = 0;
	add_cc_rule(&c, "CN", 0);
	c.ccs[c.nccs - 1] = 0;
	c.rule[c.nrule - 1].weight = 5;
	ng_score_compute(&c, &in, &s);
	CHECK_EQ(s.country, 5);
}

/* A hold = handshake engine scoring with the fake DNS. */
static struct ng_engine *
score_engine(void (*tweak)(struct ng_settings *))
{
	struct ng_settings c;
	struct ng_engine *e;

	ng_settings_defaults(&c);
	c.greet_pause = NG_SEC(6);
	c.release_window = 0;
	conf(&c.score);
	if (tweak != NULL)
		tweak(&c);
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	ng_engine_set_score_src(e, &src);
	memset(&fake, 0, sizeof(fake));
	fake.asked = 1;
	fake.complete = 1;
	fake_asked = 0;
	return e;
}

static void
feed(struct ng_engine *e, struct tpkt t, uint32_t id, ng_usec now)
{
	ng_engine_packet(e, t.b, t.len, t.len, id, now, &out);
}

/* syn, synack, ack of client port p at t (client ISN 1000, server 5000). */
static void
syn(struct ng_engine *e, uint16_t p, ng_usec t)
{
	feed(e, tcp_pkt(CLI, p, SRV, 25, NG_TH_SYN, 1000, 0, NULL), 1, t);
}

static void
synack_ack(struct ng_engine *e, uint16_t p, ng_usec t)
{
	feed(e, tcp_pkt(SRV, 25, CLI, p, NG_TH_SYN | NG_TH_ACK, 5000, 1001,
	    NULL), 2, t);
	feed(e, tcp_pkt(CLI, p, SRV, 25, NG_TH_ACK, 1001, 5001, NULL), 3, t);
}

static int
released_as(uint32_t id)
{
	unsigned i;

	for (i = 0; i < out.nrel; i++)
		if (out.rel[i].id == id)
			return out.rel[i].action;
	return -1;
}

/* flow_key - CLI:p -> SRV:25. */
static struct ng_flow_key
flow_key(uint16_t p)
{
	struct ng_flow_key k;

	memset(&k, 0, sizeof(k));
	ng_addr_parse(&k.caddr, CLI);
	ng_addr_parse(&k.saddr, SRV);
	k.cport = p;
	k.sport = 25;
	return k;
}

static void
test_dns_flag_at_syn(void)
{
	struct ng_engine *e = score_engine(NULL);

	syn(e, 40001, NG_SEC(10));
	CHECK(out_event(&out, NG_EV_CONNECT) != NULL);
	CHECK_EQ(out_event(&out, NG_EV_CONNECT)->dns, 1);
	ng_engine_free(e);
}

static void
test_reject_at_pause_end(void)
{
	struct ng_engine *e = score_engine(NULL);
	const struct ng_event *ev;
	char line[NG_EVENT_LINE_MAX];
	ng_usec t0 = NG_SEC(100);

	fake.dnsbl = 6;
	strcpy(fake.detail, "zen.example=6");
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0 + MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	CHECK_EQ(fake_asked, 0);	/* nothing asked before the end */
	CHECK_EQ(ng_engine_tick(e, t0 + NG_SEC(6), &out), 0);
	CHECK_EQ(fake_asked, 1);
	ev = out_event(&out, NG_EV_SCORE);
	CHECK(ev != NULL);
	if (ev != NULL) {
		CHECK_EQ(ev->score, 6);
		ng_event_format_line(ev, line, sizeof(line));
		CHECK_STR(line, "SCORE 6 reject for [198.51.100.10]:40001: "
		    "dnsbl=6 (zen.example=6) country=--(0)");
	}
	CHECK(out_event(&out, NG_EV_REJECT) != NULL);
	CHECK(out_event(&out, NG_EV_PASS_NEW) == NULL);
	CHECK_EQ(released_as(3), NG_RESET);	/* the held ACK: the client */
	/* The server's SYN-ACK retransmit is reset: its request goes. */
	feed(e, tcp_pkt(SRV, 25, CLI, 40001, NG_TH_SYN | NG_TH_ACK, 5000,
	    1001, NULL), 4, t0 + NG_SEC(7));
	CHECK_EQ(out.v.action, NG_RESET);
	/* The policy service's %s: the last score. */
	{
		struct ng_facts f;
		struct ng_addr a;

		ng_addr_parse(&a, CLI);
		ng_engine_facts(e, &a, t0 + NG_SEC(8), &f);
		CHECK_EQ(f.scored, 1);
		CHECK_EQ(f.score, 6);
		ng_addr_parse(&a, "198.51.100.99");
		ng_engine_facts(e, &a, t0 + NG_SEC(8), &f);
		CHECK_EQ(f.scored, 0);
	}
	/* Not penalised, not cached. */
	CHECK_EQ(ng_cache_count(ng_engine_penalty_box(e)), 0);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(e)), 0);
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	ng_engine_free(e);
}

static void
test_greylist_then_retry_tested(void)
{
	struct ng_engine *e = score_engine(NULL);
	ng_usec t0 = NG_SEC(100);

	fake.dnsbl = 3;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK(out_event(&out, NG_EV_GREYLIST) != NULL);
	CHECK_EQ(released_as(3), NG_RESET);
	CHECK_EQ(ng_cache_count(ng_engine_greylist(e)), 1);
	/* An early retry: greylisted again. */
	syn(e, 40002, t0 + NG_SEC(30));
	synack_ack(e, 40002, t0 + NG_SEC(30));
	ng_engine_tick(e, t0 + NG_SEC(36), &out);
	CHECK(out_event(&out, NG_EV_GREYLIST) != NULL);
	if (out_event(&out, NG_EV_GREYLIST) != NULL)
		CHECK_STR(out_event(&out, NG_EV_GREYLIST)->reason, "score, early retry");
	/* After greylist_delay: the normal test, passed. */
	syn(e, 40003, t0 + NG_SEC(400));
	synack_ack(e, 40003, t0 + NG_SEC(400));
	ng_engine_tick(e, t0 + NG_SEC(406), &out);
	CHECK(out_event(&out, NG_EV_GREYLIST) == NULL);
	CHECK(out_event(&out, NG_EV_SCORE) != NULL);
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	if (out_event(&out, NG_EV_PASS_NEW) != NULL)
		CHECK_EQ(out_event(&out, NG_EV_PASS_NEW)->score, 3);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	ng_engine_free(e);
}

static void
test_unlisted_takes_the_test(void)
{
	struct ng_engine *e = score_engine(NULL);
	ng_usec t0 = NG_SEC(100);

	fake.dnsbl = 1;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0);
	ng_engine_tick(e, t0 + NG_SEC(5), &out);
	CHECK_EQ(out.nev, 0);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK(out_event(&out, NG_EV_SCORE) != NULL);
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	ng_engine_free(e);
}

static void
test_allowlist_passes_early(void)
{
	struct ng_engine *e = score_engine(NULL);
	struct ng_flow_key k = flow_key(40001);
	ng_usec t0 = NG_SEC(100);

	fake.dnswl = -3;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0 + MS(1));
	CHECK_EQ(out.v.action, NG_HOLD);
	/* Answers in at 50 ms: passed at once, the ACK released. */
	ng_engine_score_ready(e, &k, t0 + MS(50), &out);
	CHECK(out_event(&out, NG_EV_SCORE) != NULL);
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	if (out_event(&out, NG_EV_PASS_NEW) != NULL) {
		CHECK_STR(out_event(&out, NG_EV_PASS_NEW)->reason, "score allowlist");
		CHECK_EQ(out_event(&out, NG_EV_PASS_NEW)->after, MS(50));
	}
	CHECK_EQ(released_as(3), NG_ACCEPT);
	CHECK_EQ(ng_engine_next_timer(e), NG_NEVER);
	/* Nothing more at the pause's end. */
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK_EQ(out.nev, 0);
	ng_engine_free(e);
}

static void
test_allowlist_before_handshake(void)
{
	struct ng_engine *e = score_engine(NULL);
	struct ng_flow_key k = flow_key(40001);
	ng_usec t0 = NG_SEC(100);

	fake.dnswl = -2;
	syn(e, 40001, t0);
	/* A cached answer, before the handshake: remembered. */
	ng_engine_score_ready(e, &k, t0, &out);
	CHECK_EQ(out.nev, 0);
	synack_ack(e, 40001, t0 + MS(20));
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	ng_engine_free(e);
}

static void
test_early_not_for_others(void)
{
	struct ng_engine *e = score_engine(NULL);
	struct ng_flow_key k = flow_key(40001), other = flow_key(40009);
	ng_usec t0 = NG_SEC(100);

	/* Not at or below the allowlist threshold: waits for the end. */
	fake.dnswl = -1;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0);
	ng_engine_score_ready(e, &k, t0 + MS(5), &out);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(out.nrel, 0);
	/* A flow that does not exist (a forged SYN's, gone): nothing. */
	fake.dnswl = -5;
	ng_engine_score_ready(e, &other, t0 + MS(6), &out);
	CHECK_EQ(out.nev, 0);
	/* A flow whose handshake never came (a forged SYN): no pass. */
	syn(e, 40009, t0);
	ng_engine_score_ready(e, &other, t0 + MS(7), &out);
	CHECK_EQ(out.nev, 0);
	CHECK_EQ(ng_cache_count(ng_engine_pass_cache(e)), 0);
	ng_engine_free(e);
}

/* greeting - hold = greeting. */
static void
greeting(struct ng_settings *c)
{
	c->hold = NG_HOLD_GREETING;
}

static void
test_greeting_mode_reject(void)
{
	struct ng_engine *e = score_engine(greeting);
	ng_usec t0 = NG_SEC(100);

	fake.dnsbl = 5;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0);
	CHECK_EQ(out.v.action, NG_ACCEPT);	/* the ACK goes to the MTA */
	feed(e, tcp_pkt(SRV, 25, CLI, 40001, NG_TH_ACK | NG_TH_PSH, 5001,
	    1001, "220 hi\r\n"), 4, t0 + MS(5));
	CHECK_EQ(out.v.action, NG_HOLD);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK(out_event(&out, NG_EV_REJECT) != NULL);
	CHECK_EQ(released_as(4), NG_RESET);	/* the greeting, reset */
	/* The client's next segment is reset: it learns then. */
	feed(e, tcp_pkt(CLI, 40001, SRV, 25, NG_TH_ACK | NG_TH_PSH, 1001,
	    5001, "EHLO x\r\n"), 5, t0 + NG_SEC(7));
	CHECK_EQ(out.v.action, NG_RESET);
	CHECK_EQ(ng_engine_stats(e)->held_now, 0);
	ng_engine_free(e);
}

/* no_score - no weights, no DNS: nothing scored, nothing asked. */
static void
no_score(struct ng_settings *c)
{
	ng_score_conf_init(&c->score);
}

static void
test_off_asks_nothing(void)
{
	struct ng_engine *e = score_engine(no_score);
	ng_usec t0 = NG_SEC(100);

	syn(e, 40001, t0);
	CHECK_EQ(out_event(&out, NG_EV_CONNECT)->dns, 0);
	synack_ack(e, 40001, t0);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK(out_event(&out, NG_EV_SCORE) == NULL);
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	CHECK_EQ(fake_asked, 0);
	ng_engine_free(e);
}

/* monitor - mode = monitor: logged, not enforced. */
static void
monitor(struct ng_settings *c)
{
	c->monitor = 1;
}

static void
test_monitor_logs_only(void)
{
	struct ng_engine *e = score_engine(monitor);
	ng_usec t0 = NG_SEC(100);

	fake.dnsbl = 9;
	syn(e, 40001, t0);
	synack_ack(e, 40001, t0);
	ng_engine_tick(e, t0 + NG_SEC(6), &out);
	CHECK(out_event(&out, NG_EV_REJECT) != NULL);
	if (out_event(&out, NG_EV_REJECT) != NULL)
		CHECK_EQ(out_event(&out, NG_EV_REJECT)->monitor, 1);
	CHECK(out_event(&out, NG_EV_PASS_NEW) != NULL);
	CHECK_EQ(released_as(3), NG_ACCEPT);
	ng_engine_free(e);
}

/* parse - text as a config; 0, or -1 with err. */
static int
parse(struct ng_config *c, const char *text, char *err, size_t len)
{
	ng_config_free(c);
	ng_config_defaults(c);
	return ng_config_parse(c, text, strlen(text), "t", err, len);
}

static void
test_config_lines(void)
{
	struct ng_config c;
	char err[512];
	const struct ng_score_conf *s = &c.eng.score;

	ng_config_defaults(&c);
	CHECK_EQ(parse(&c, "score country CN, RU = 2\n"
	    "score asn 4134, AS4837 = 3 # comment\n"
	    "owner /dsl/ = greylist\n"
	    "score owner /dyn|po#ol=/ = -2\n"
	    "score owner /dsl/ = 1\n"
	    "score fingerprint windows-desktop unknown = 1\n"
	    "score_greylist = 4\n"
	    "dnsbl_sites = zen.example*3\n"
	    "dnsbl_threshold = 6\n"
	    "dnsbl_allowlist_threshold = -2\n", err, sizeof(err)), 0);
	CHECK_EQ(s->nrule, 6);
	CHECK_EQ(s->rule[0].kind, NG_SCORE_COUNTRY);
	CHECK_EQ(s->rule[0].n, 2);
	CHECK_EQ(s->ccs[1], ng_cc_pack("RU"));
	CHECK_EQ(s->rule[1].kind, NG_SCORE_ASN);
	CHECK_EQ(s->asns[1], 4837);
	CHECK_EQ(s->rule[1].weight, 3);
	/* Owner patterns share the owner rules' bits. */
	CHECK_EQ(s->rule[2].pattern, 1);
	CHECK_EQ(s->rule[2].weight, -2);
	CHECK_EQ(s->rule[3].pattern, 0);
	CHECK_STR(c.owner_pat[1], "dyn|po#ol=");
	CHECK_STR(s->rule[5].cls, "unknown");
	CHECK_EQ(s->greylist, 4);
	CHECK_EQ(s->reject, 6);
	CHECK_EQ(s->allow, -2);
	CHECK_EQ(s->dns, 1);
	CHECK(ng_score_on(s));
	/* Nothing set: off, no DNS. */
	CHECK_EQ(parse(&c, "greet_pause = 3s\n", err, sizeof(err)), 0);
	CHECK(!ng_score_on(s));
	CHECK_EQ(s->reject, 1);
	/* Bad lines. */
	CHECK_EQ(parse(&c, "score country CHN = 2\n", err, sizeof(err)), -1);
	CHECK_STR(err, "t:1: score country: bad country code \"CHN\"");
	CHECK_EQ(parse(&c, "score asn 0 = 2\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score asn 4294967296 = 2\n", err, sizeof(err)),
	    -1);
	CHECK_EQ(parse(&c, "score asn 1 = 1001\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score asn 1 = x\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score asn 1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score country = 1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score wat 1 = 1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score owner /x( / = 1\n", err, sizeof(err)), -1);
	CHECK(strstr(err, "bad pattern") != NULL);
	CHECK_EQ(parse(&c, "score owner /x/ 1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score owner /x = 1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score_greylist = -1\n", err, sizeof(err)), -1);
	CHECK_EQ(parse(&c, "score_greylist = 2\nscore_greylist = 3\n", err,
	    sizeof(err)), -1);
	CHECK_STR(err, "t:2: score_greylist: set twice (first on line 1)");
	CHECK_EQ(parse(&c, "score fingerprint "
	    "a-class-label-much-longer-than-thirty-one = 1\n", err,
	    sizeof(err)), -1);
	ng_config_free(&c);
}

/* The policy service's %s: the last score, "--" without one. */
static void
test_policy_fact(void)
{
	struct ng_psvc_rules rules = { "PREPEND X: score=%s; pass=%p", "" };
	struct ng_facts f = { .country = "--", .pass = "new", .grey = "none" };
	char ans[NG_PSVC_ANSWER_MAX], err[128];

	ng_psvc_answer(&rules, &f, ans, sizeof(ans));
	CHECK_STR(ans, "action=PREPEND X: score=--; pass=new\n\n");
	f.scored = 1;
	f.score = -3;
	ng_psvc_answer(&rules, &f, ans, sizeof(ans));
	CHECK_STR(ans, "action=PREPEND X: score=-3; pass=new\n\n");
	CHECK_EQ(ng_template_check("PREPEND X: %s", err, sizeof(err)), 0);
}

/* check_text - nfq-gate -n's errors for a config text. */
static unsigned
check_text(const char *text, struct ng_check *chk)
{
	char path[] = "/tmp/test_score.XXXXXX";
	int fd = mkstemp(path);
	unsigned n;

	if (fd < 0)
		return 99;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return 99;
	}
	close(fd);
	n = ng_config_check(path, chk);
	unlink(path);
	return n;
}

/* found - is there an item of chk holding s? */
static int
found(const struct ng_check *chk, const char *s)
{
	unsigned i;

	for (i = 0; i < chk->n; i++)
		if (strstr(chk->item[i].text, s) != NULL)
			return 1;
	return 0;
}

/* nfq-gate -n: the signature file must load; lines without one warn. */
static void
test_config_check(void)
{
	static struct ng_check chk;
	/* Whatever else this host says of the base (its own errors). */
	unsigned base = check_text("user = root\nstate_dir = /tmp\n", &chk);

	CHECK_EQ(check_text("user = root\nstate_dir = /tmp\n"
	    "fingerprints = /nonexistent/x.fp\n", &chk), base + 1);
	CHECK(found(&chk, "fingerprints: /nonexistent/x.fp: cannot open"));
	CHECK_EQ(check_text("user = root\nstate_dir = /tmp\n"
	    "score fingerprint linux = 1\n", &chk), base);
	CHECK(found(&chk, "score fingerprint lines but no fingerprints"));
}

int
main(void)
{
	RUN(test_config_check);
	RUN(test_policy_fact);
	RUN(test_config_lines);
	RUN(test_thresholds);
	RUN(test_sum_and_explain);
	RUN(test_dns_flag_at_syn);
	RUN(test_reject_at_pause_end);
	RUN(test_greylist_then_retry_tested);
	RUN(test_unlisted_takes_the_test);
	RUN(test_allowlist_passes_early);
	RUN(test_allowlist_before_handshake);
	RUN(test_early_not_for_others);
	RUN(test_off_asks_nothing);
	RUN(test_greeting_mode_reject);
	RUN(test_monitor_logs_only);
	return test_done();
}
