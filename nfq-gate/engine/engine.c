/*
 * engine.c - packet dispatch, flow bookkeeping and timers.
 *
 * Every packet is parsed, oriented (which end is the client is decided by
 * the judged port: the client connects to it), matched to its flow, and
 * handed to policy.c at the SYN or early.c afterwards.  Other ports,
 * other protocols and flows the engine never saw start are counted and
 * accepted: the gate fails open, it never loses mail because of a
 * connection it did not see begin.
 *
 * A packet it cannot parse (bad IP or TCP header, truncated, bad
 * version) or an IP fragment is counted and dropped.  The rules queue
 * only TCP to or from the judged ports, and conntrack (which the rules
 * use) reassembles fragments before the queue, so such a packet is
 * either one the kernel drops too, or one built to hide a bot's bytes
 * from the test (say behind an IPv6 extension chain longer than the
 * parser walks); accepting it would let the MTA read them unjudged.  A
 * real client never sends them, and TCP retransmits what was lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_impl.h"

static const char *event_names[NG_EV_TYPE_MAX] = {
	"CONNECT", "PASS NEW", "PASS OLD", "PREGREET", "ALLOWLISTED",
	"DENYLISTED", "PENALTY", "PASS COUNTRY", "DROP", "REJECT", "GREYLIST",
	"GREYLIST PASS", "HANGUP", "NOLISTING", "EVICT"
};

static const char *decision_names[] = {
	"none", "pass", "pregreet", "drop", "reject", "greylist", "log"
};

static const char *unverified_names[NG_UV_MAX] = {
	"syn", "no_handshake", "seq", "ack", "unreleased", "rst"
};

const char *
ng_event_type_name(uint8_t type)
{
	return type < NG_EV_TYPE_MAX ? event_names[type] : "?";
}

const char *
ng_decision_name(uint8_t decision)
{
	return decision <= NG_DEC_LOG ? decision_names[decision] : "?";
}

const char *
ng_unverified_name(unsigned reason)
{
	return reason < NG_UV_MAX ? unverified_names[reason] : "?";
}

/* ng_unverified_total - segments not believed, all reasons together. */
uint64_t
ng_unverified_total(const struct ng_stats *st)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < NG_UV_MAX; i++)
		n += st->unverified[i];
	return n;
}

/* ng_unverified_format - the total, the dropped count and each reason */
char *
ng_unverified_format(char *buf, size_t len, const struct ng_stats *st)
{
	size_t n;
	unsigned i;
	int w;

	w = snprintf(buf, len, "unverified=%llu dropped=%llu",
	    (unsigned long long)ng_unverified_total(st),
	    (unsigned long long)st->unverified_dropped);
	for (i = 0; w >= 0 && i < NG_UV_MAX; i++) {
		n = strlen(buf);
		w = snprintf(buf + n, len - n, " %s=%llu",
		    ng_unverified_name(i),
		    (unsigned long long)st->unverified[i]);
	}
	return buf;
}

/*
 * new_caches - the three address tables, each keyed with the config's
 * secret hash key and each giving up, when full, what costs good mail
 * least (cache.c): the pass cache keeps senders that came back in a
 * protected segment of four fifths; the greylist refuses new addresses
 * while its oldest first try is live, so a forged flood cannot make a
 * real MTA's retry new again; the penalty box (real offenders only) is
 * a plain LRU, a flood of bots can at worst push out other bots.
 */
static int
new_caches(struct ng_engine *e, const struct ng_config *cfg)
{
	unsigned cmax = cfg->cache_max ? cfg->cache_max : 1;

	e->pass = ng_cache_new(cmax, cfg->pass_prefix4, cfg->pass_prefix6);
	e->penalty = ng_cache_new(cmax, cfg->penalty_prefix4,
	    cfg->penalty_prefix6);
	e->grey = ng_cache_new(cmax, cfg->greylist_prefix4,
	    cfg->greylist_prefix6);
	if (e->pass == NULL || e->penalty == NULL || e->grey == NULL)
		return -1;
	ng_cache_set_key(e->pass, cfg->hash_key);
	ng_cache_set_key(e->penalty, cfg->hash_key);
	ng_cache_set_key(e->grey, cfg->hash_key);
	ng_cache_set_segments(e->pass, cmax - cmax / 5);
	ng_cache_set_admission(e->grey, 1);
	return 0;
}

struct ng_engine *
ng_engine_new(const struct ng_config *cfg)
{
	struct ng_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if (ng_config_copy(&e->cfg, cfg) < 0) {
		free(e);
		return NULL;
	}
	e->flows = ng_flow_table_new(cfg->flow_max ? cfg->flow_max : 1,
	    cfg->hash_key);
	e->holds = ng_timerq_new(cfg->flow_max ? cfg->flow_max : 1);
	if (e->flows == NULL || e->holds == NULL || new_caches(e, cfg) < 0) {
		ng_engine_free(e);
		return NULL;
	}
	return e;
}

void
ng_engine_free(struct ng_engine *e)
{
	if (e == NULL)
		return;
	ng_flow_table_free(e->flows);
	ng_timerq_free(e->holds);
	ng_cache_free(e->pass);
	ng_cache_free(e->penalty);
	ng_cache_free(e->grey);
	ng_config_free(&e->cfg);
	free(e);
}

/* Table sizes and the hash key are fixed at start-up; a reload changes
 * policy only. */
int
ng_engine_set_config(struct ng_engine *e, const struct ng_config *cfg)
{
	struct ng_config c;

	if (ng_config_copy(&c, cfg) < 0)
		return -1;
	c.flow_max = e->cfg.flow_max;
	c.cache_max = e->cfg.cache_max;
	memcpy(c.hash_key, e->cfg.hash_key, sizeof(c.hash_key));
	ng_config_free(&e->cfg);
	e->cfg = c;
	ng_cache_set_prefix(e->pass, c.pass_prefix4, c.pass_prefix6);
	ng_cache_set_prefix(e->grey, c.greylist_prefix4, c.greylist_prefix6);
	ng_cache_set_prefix(e->penalty, c.penalty_prefix4, c.penalty_prefix6);
	return 0;
}

void
ng_engine_set_geo(struct ng_engine *e, const struct ng_geo *geo)
{
	if (geo != NULL)
		e->geo = *geo;
	else
		memset(&e->geo, 0, sizeof(e->geo));
}

void
ng_engine_set_capture(struct ng_engine *e, int on)
{
	e->capture = on;
}

void
ng_engine_set_stress(struct ng_engine *e, int on)
{
	e->stress = on;
}

ng_usec
ng_engine_pause(const struct ng_engine *e)
{
	if (e->stress && e->cfg.greet_pause_stress < e->cfg.greet_pause)
		return e->cfg.greet_pause_stress;
	return e->cfg.greet_pause;
}

const struct ng_stats *
ng_engine_stats(const struct ng_engine *e)
{
	return &e->st;
}

struct ng_cache *
ng_engine_pass_cache(struct ng_engine *e)
{
	return e->pass;
}

struct ng_cache *
ng_engine_penalty_box(struct ng_engine *e)
{
	return e->penalty;
}

struct ng_cache *
ng_engine_greylist(struct ng_engine *e)
{
	return e->grey;
}

/* Events past the out buffer's room are counted but not reported. */
struct ng_event *
ng_engine_event(struct ng_engine *e, struct ng_out *out, uint8_t type,
    uint8_t decision, const struct ng_flow_key *k, ng_usec now, ng_usec since)
{
	static struct ng_event sink;
	struct ng_event *ev;

	e->st.events[type]++;
	e->st.decisions[decision]++;
	if (out->nev == NG_OUT_EV_MAX) {
		ev = &sink;
	} else {
		ev = &out->ev[out->nev++];
	}
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->decision = decision;
	ev->client = k->caddr;
	ev->server = k->saddr;
	ev->cport = k->cport;
	ev->sport = k->sport;
	ev->when = now;
	ev->after = now > since ? now - since : 0;
	return ev;
}

void
ng_engine_release_id(struct ng_out *out, uint32_t id, uint8_t action,
    uint8_t offload)
{
	/* Callers leave room: a flow holds at most NG_HOLD_MAX ids. */
	if (out->nrel == NG_OUT_REL_MAX)
		return;
	out->rel[out->nrel].id = id;
	out->rel[out->nrel].action = action;
	out->rel[out->nrel].offload = offload;
	out->nrel++;
}

static void
forget(struct ng_engine *e, struct ng_flow *f, uint8_t held_action,
    struct ng_out *out)
{
	ng_early_release(e, f, held_action, out);
	ng_flow_delete(e->flows, f);
	e->st.flows_now--;
}

static struct ng_flow *
new_flow(struct ng_engine *e, const struct ng_flow_key *k, ng_usec now,
    struct ng_out *out)
{
	struct ng_flow *f = ng_flow_insert(e->flows, k, now);

	if (f == NULL) {
		struct ng_flow *v = ng_flow_victim(e->flows);

		if (v == NULL)
			return NULL;
		/* Fail open: whatever the victim held goes through. */
		forget(e, v, NG_ACCEPT, out);
		e->st.flows_evicted++;
		f = ng_flow_insert(e->flows, k, now);
		if (f == NULL)
			return NULL;
	}
	e->st.flows++;
	e->st.flows_now++;
	return f;
}

static uint8_t
phase_for(uint8_t action)
{
	if (action == NG_RESET)
		return NG_PH_KILLED;
	if (action == NG_DROP)
		return NG_PH_DROPPED;
	return NG_PH_DONE;
}

static void
client_syn(struct ng_engine *e, const struct ng_flow_key *k,
    const struct ng_pkt *p, ng_usec now, struct ng_out *out)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);
	struct ng_syn_decision d;
	struct ng_event *ev;

	if (f != NULL && f->st.cli_isn == p->seq) {
		/* A retransmitted SYN gets what the first one got, quietly. */
		out->v.action = f->st.syn_action;
		out->v.offload = f->st.offload;
		out->v.test = f->st.phase == NG_PH_TEST ||
		    f->st.phase == NG_PH_OLD;
		ng_flow_touch(e->flows, f, f->list, now);
		return;
	}
	if (f != NULL && (f->st.phase == NG_PH_TEST ||
	    f->st.phase == NG_PH_OLD)) {
		/* Maybe forged, on a guessed port: keep the flow under test. */
		ng_early_other_syn(e, f, p, out);
		return;
	}
	if (f != NULL)
		forget(e, f, NG_DROP, out);
	ng_policy_syn(e, k, now, &d);
	ev = ng_engine_event(e, out, d.event, d.decision, k, now, now);
	ev->cc = d.cc;
	ev->reason = d.reason;
	f = new_flow(e, k, now, out);
	out->v.action = d.action;
	out->v.offload = d.offload;
	if (f == NULL)
		return;
	out->v.test = d.test || d.old;
	f->st.syn_time = now;
	f->st.cli_isn = p->seq;
	f->st.cc = d.cc;
	f->st.syn_action = d.action;
	f->st.offload = d.offload;
	f->st.phase = d.test ? NG_PH_TEST : d.old ? NG_PH_OLD :
	    phase_for(d.action);
	ng_early_syn(e, f, p, out);
}

static void
apply_phase(struct ng_flow *f, const struct ng_pkt *p, struct ng_out *out)
{
	/* A reset on a killed flow - ours, sent by REJECT, or either end's
	 * own - goes through: REJECT never answers a RST, so "reset" would
	 * only drop it and leave the other end waiting for a timeout. */
	if (f->st.phase == NG_PH_KILLED && (p->flags & NG_TH_RST))
		return;
	if (f->st.phase == NG_PH_KILLED)
		out->v.action = NG_RESET;
	else if (f->st.phase == NG_PH_DROPPED)
		out->v.action = NG_DROP;
	else
		out->v.offload = f->st.offload;
}

static void
flow_packet(struct ng_engine *e, const struct ng_flow_key *k,
    const struct ng_pkt *p, int from_client, uint32_t id, ng_usec now,
    struct ng_out *out)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);

	if (f == NULL) {
		/*
		 * Accepted; the front-end also clears the connection's
		 * test mark (live.c, test_verdict), so a flow forgotten
		 * while under test falls under the rules' packet cap and
		 * is not queued for ever.  A spoofer cannot use this on
		 * a real flow under test: a flow the engine knows is
		 * never midstream, forged packets included.
		 */
		e->st.midstream++;
		out->v.midstream = 1;
		return;
	}
	if (f->st.phase == NG_PH_OLD) {
		ng_early_old(e, f, p, from_client, now, out);
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
		return;
	}
	if (f->st.phase != NG_PH_TEST) {
		apply_phase(f, p, out);
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
		return;
	}
	if (from_client)
		ng_early_client(e, f, p, id, now, out);
	else
		ng_early_server(e, f, p, id, now, out);
	if (f->st.phase == NG_PH_TEST && f->st.established)
		ng_flow_touch(e->flows, f, NG_FLOW_HOT, now);
	else
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
}

void
ng_engine_packet(struct ng_engine *e, const uint8_t *ip, size_t caplen,
    size_t wirelen, uint32_t id, ng_usec now, struct ng_out *out)
{
	struct ng_pkt p;
	struct ng_flow_key k;
	enum ng_pkt_status st;
	int from_client;

	memset(out, 0, offsetof(struct ng_out, rel));
	e->st.packets++;
	st = ng_pkt_parse(&p, ip, caplen, wirelen);
	if (st == NG_PKT_NOT_TCP) {
		e->st.not_tcp++;
		return;
	}
	if (st == NG_PKT_FRAGMENT) {
		e->st.fragments++;
		out->v.action = NG_DROP;
		return;
	}
	if (st != NG_PKT_OK) {
		e->st.malformed[st]++;
		out->v.action = NG_DROP;
		return;
	}
	if (ng_config_is_port(&e->cfg, p.dport))
		from_client = 1;
	else if (ng_config_is_port(&e->cfg, p.sport))
		from_client = 0;
	else {
		e->st.not_tcp++;
		return;
	}
	memset(&k, 0, sizeof(k));
	k.caddr = from_client ? p.src : p.dst;
	k.saddr = from_client ? p.dst : p.src;
	k.cport = from_client ? p.sport : p.dport;
	k.sport = from_client ? p.dport : p.sport;
	if (from_client && (p.flags & (NG_TH_SYN | NG_TH_ACK | NG_TH_RST |
	    NG_TH_FIN)) == NG_TH_SYN)
		client_syn(e, &k, &p, now, out);
	else if (from_client && (p.flags & NG_TH_SYN) &&
	    !(p.flags & NG_TH_ACK)) {
		/* SYN+FIN, SYN+RST: Linux discards them; no flow for them. */
		e->st.unverified[NG_UV_SYN]++;
		e->st.unverified_dropped++;
		out->v.action = NG_DROP;
	}
	else
		flow_packet(e, &k, &p, from_client, id, now, out);
}

static int
release_due(struct ng_engine *e, ng_usec now, struct ng_out *out)
{
	uint32_t i;
	ng_usec when;
	struct ng_flow *f;

	while (ng_timerq_peek(e->holds, &i, &when) && when <= now) {
		if (out->nrel + NG_HOLD_MAX > NG_OUT_REL_MAX)
			return 1;
		f = ng_flow_at(e->flows, i);
		if (f == NULL) {
			ng_timerq_del(e->holds, i);
			continue;
		}
		f->st.released = 1;
		ng_early_release(e, f, NG_ACCEPT, out);
	}
	return 0;
}

static int
expire_list(struct ng_engine *e, enum ng_flow_list list, ng_usec before,
    struct ng_out *out)
{
	struct ng_flow *f;

	while ((f = ng_flow_stale(e->flows, list, before)) != NULL) {
		if (out->nrel + NG_HOLD_MAX > NG_OUT_REL_MAX)
			return 1;
		forget(e, f, NG_ACCEPT, out);
		e->st.flows_expired++;
	}
	return 0;
}

static ng_usec
minus(ng_usec now, ng_usec d)
{
	return now > d ? now - d : 0;
}

int
ng_engine_tick(struct ng_engine *e, ng_usec now, struct ng_out *out)
{
	memset(out, 0, offsetof(struct ng_out, rel));
	if (release_due(e, now, out))
		return 1;
	if (now > e->cfg.flow_halfopen_timeout && expire_list(e, NG_FLOW_COLD,
	    minus(now, e->cfg.flow_halfopen_timeout), out))
		return 1;
	if (now > e->cfg.flow_idle_timeout && expire_list(e, NG_FLOW_HOT,
	    minus(now, e->cfg.flow_idle_timeout), out))
		return 1;
	return 0;
}

ng_usec
ng_engine_next_timer(const struct ng_engine *e)
{
	uint32_t i;
	ng_usec when;

	if (ng_timerq_peek(e->holds, &i, &when))
		return when;
	return NG_NEVER;
}

int
ng_engine_release_all(struct ng_engine *e, struct ng_out *out)
{
	return ng_engine_tick(e, NG_NEVER - 1, out);
}
