/*
 * engine.c - packet dispatch, flow bookkeeping and timers.
 *
 * Every packet is parsed, oriented (which end is the client is decided by
 * the judged port: the client connects to it), matched to its flow, and
 * handed to admit.c at the SYN or to the greeting test (early.c)
 * afterwards.  Both hand their findings back as data and this file draws
 * the conclusion: the tables, the log events, the releases.  The packet
 * goes one way, front-end -> engine -> admit/early -> engine -> verdict
 * and events out, and nothing calls back up.  Other ports,
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

#include "base/bigmem.h"
#include "base/panic.h"
#include "engine/engine_impl.h"

/*
 * How long a released flow (hold = handshake) may keep its slot of the
 * release window without the server's greeting being seen: long enough
 * for a busy MTA's accept queue, short enough that a lost ACK does not
 * shrink the window for good.
 */
#define NG_RELEASE_TIMEOUT NG_SEC(30)

static const char *event_names[NG_EV_TYPE_MAX] = {
	"CONNECT", "PASS NEW", "PASS OLD", "PREGREET", "ALLOWLISTED",
	"DENYLISTED", "PENALTY", "PASS COUNTRY", "DROP", "REJECT", "GREYLIST",
	"GREYLIST PASS", "HANGUP", "NOLISTING", "TRAP", "THROTTLE", "SCORE"
};

static const char *decision_names[NG_DEC_MAX] = {
	"none", "pass", "pregreet", "drop", "reject", "greylist", "log", "trap",
	"throttle"
};

static const char *unverified_names[NG_UV_MAX] = {
	"syn", "no_handshake", "seq", "ack", "unreleased", "rst"
};

/* ng_event_type_name - the event's word in the log line ("PASS NEW"). */
const char *
ng_event_type_name(uint8_t type)
{
	return type < NG_EV_TYPE_MAX ? event_names[type] : "?";
}

/* ng_decision_name - the decision's word in the replay JSON. */
const char *
ng_decision_name(uint8_t decision)
{
	return decision < NG_DEC_MAX ? decision_names[decision] : "?";
}

/* ng_unverified_name - a doubt's word in the statistics. */
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

/* ng_unverified_format - the total, the dropped count and each reason. */
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
 * new_caches - the address tables, each keyed with the settings'
 * secret hash key and each giving up, when full, what costs good mail
 * least (cache.c): the pass cache keeps senders that came back in a
 * protected segment of four fifths; the greylist refuses new addresses
 * while its oldest first try is live, so a forged flood cannot make a
 * real MTA's retry new again; the penalty box (real offenders only) is
 * a plain LRU, a flood of bots can at worst push out other bots.  The
 * contacts (trap.c) are a plain LRU too: what a flood pushes out makes
 * the trap fail open, never penalise (trap_hit()).  Made whether or not
 * trap_mx is set, so a reload can set it; untouched memory costs
 * nothing (slots.c).
 */
static int
new_caches(struct ng_engine *e, const struct ng_settings *cfg)
{
	unsigned cmax = cfg->cache_max ? cfg->cache_max : 1;

	e->pass = ng_cache_table_new(cmax, cfg->pass_prefix4,
	    cfg->pass_prefix6, cfg->hash_key);
	e->penalty = ng_cache_table_new(cmax, cfg->penalty_prefix4,
	    cfg->penalty_prefix6, cfg->hash_key);
	e->grey = ng_cache_table_new(cmax, cfg->greylist_prefix4,
	    cfg->greylist_prefix6, cfg->hash_key);
	e->contacts = ng_cache_table_new(cfg->contacts_max ?
	    cfg->contacts_max : 1, cfg->greylist_prefix4,
	    cfg->greylist_prefix6, cfg->hash_key);
	if (e->pass == NULL || e->penalty == NULL || e->grey == NULL ||
	    e->contacts == NULL)
		return -1;
	ng_cache_set_segments(e->pass, cmax - cmax / 5);
	ng_cache_set_admission(e->grey, 1);
	return 0;
}

/* ng_engine_new - an engine with its own copy of the settings. */
struct ng_engine *
ng_engine_new(const struct ng_settings *cfg)
{
	struct ng_engine *e = calloc(1, sizeof(*e));
	unsigned fmax = cfg->flow_max ? cfg->flow_max : 1;

	if (e == NULL)
		return NULL;
	if (ng_settings_copy(&e->cfg, cfg) < 0) {
		free(e);
		return NULL;
	}
	e->flows = ng_flow_table_new(fmax, cfg->hash_key);
	e->nconns = fmax;
	e->conns = ng_bigmem_calloc(fmax, sizeof(*e->conns));
	e->holds = ng_timerq_new(fmax);
	e->whead = e->wtail = NG_CONN_NONE;
	e->throttle = ng_throttle_new(cfg->throttle_max, cfg->throttle_prefix4,
	    cfg->throttle_prefix6, cfg->hash_key);
	if (e->flows == NULL || e->conns == NULL || e->holds == NULL ||
	    e->throttle == NULL || new_caches(e, cfg) < 0) {
		ng_engine_free(e);
		return NULL;
	}
	return e;
}

/* ng_engine_free - the engine and everything it holds; NULL is fine. */
void
ng_engine_free(struct ng_engine *e)
{
	if (e == NULL)
		return;
	ng_flow_table_free(e->flows);
	ng_bigmem_free(e->conns, e->nconns, sizeof(*e->conns));
	ng_timerq_free(e->holds);
	ng_cache_free(e->pass);
	ng_cache_free(e->penalty);
	ng_cache_free(e->grey);
	ng_cache_free(e->contacts);
	ng_throttle_free(e->throttle);
	ng_settings_free(&e->cfg);
	free(e);
}

/*
 * ng_engine_set_config - new settings (SIGHUP).  Table sizes and the
 * hash key are fixed at start-up; a reload changes policy only.
 */
int
ng_engine_set_config(struct ng_engine *e, const struct ng_settings *cfg)
{
	struct ng_settings c;

	if (ng_settings_copy(&c, cfg) < 0)
		return -1;
	c.flow_max = e->cfg.flow_max;
	c.cache_max = e->cfg.cache_max;
	c.contacts_max = e->cfg.contacts_max;
	c.throttle_max = e->cfg.throttle_max;
	memcpy(c.hash_key, e->cfg.hash_key, sizeof(c.hash_key));
	ng_settings_free(&e->cfg);
	e->cfg = c;
	ng_cache_set_prefix(e->pass, c.pass_prefix4, c.pass_prefix6);
	ng_cache_set_prefix(e->grey, c.greylist_prefix4, c.greylist_prefix6);
	ng_cache_set_prefix(e->penalty, c.penalty_prefix4, c.penalty_prefix6);
	ng_cache_set_prefix(e->contacts, c.greylist_prefix4,
	    c.greylist_prefix6);
	ng_throttle_set_prefix(e->throttle, c.throttle_prefix4,
	    c.throttle_prefix6);
	return 0;
}

/* ng_engine_set_geo - the country lookup; NULL: every client is "--". */
void
ng_engine_set_geo(struct ng_engine *e, const struct ng_geo *geo)
{
	if (geo != NULL)
		e->geo = *geo;
	else
		memset(&e->geo, 0, sizeof(e->geo));
}

/* ng_engine_set_capture - the packets come from a capture (engine.h). */
void
ng_engine_set_capture(struct ng_engine *e, int on)
{
	e->capture = on;
}

/* ng_engine_set_stress - under stress the pause is greet_pause_stress. */
void
ng_engine_set_stress(struct ng_engine *e, int on)
{
	e->stress = on;
}

/* ng_engine_set_fpdb - the SYN signatures to class clients by. */
void
ng_engine_set_fpdb(struct ng_engine *e, const struct ng_fpdb *db)
{
	e->fpdb = db;
}

/*
 * syn_fp - class a client's SYN by its fingerprint (when a signature
 * table is set) into its event; client_syn keeps it in the flow.
 */
static void
syn_fp(struct ng_engine *e, const struct ng_pkt *p, struct ng_event *ev)
{
	struct ng_fp_result r;

	if (e->fpdb == NULL)
		return;
	ng_synfp_compute(&e->synfp, p);
	ng_fpdb_match(e->fpdb, &e->synfp, &p->src, &r);
	ev->fp = ng_fpdb_class_name(e->fpdb, r.cls);
	ev->fp_cls = r.cls;
	ev->fp_allowed = r.allowed;
	ev->synfp = &e->synfp;
}

/* pause - the greet pause in force now. */
static ng_usec
pause(const struct ng_engine *e)
{
	if (e->stress && e->cfg.greet_pause_stress < e->cfg.greet_pause)
		return e->cfg.greet_pause_stress;
	return e->cfg.greet_pause;
}

/* ng_engine_stats - the counters, for the front-end's statistics. */
const struct ng_stats *
ng_engine_stats(const struct ng_engine *e)
{
	return &e->stats;
}

/* ng_engine_pass_cache - the pass cache, for saving and restoring. */
struct ng_cache *
ng_engine_pass_cache(struct ng_engine *e)
{
	return e->pass;
}

/* ng_engine_penalty_box - the penalty box, for saving and restoring. */
struct ng_cache *
ng_engine_penalty_box(struct ng_engine *e)
{
	return e->penalty;
}

/* ng_engine_greylist - the greylist, for saving and restoring. */
struct ng_cache *
ng_engine_greylist(struct ng_engine *e)
{
	return e->grey;
}

/* ng_engine_contacts - the trap MX's contacts, for the shared state. */
struct ng_cache *
ng_engine_contacts(struct ng_engine *e)
{
	return e->contacts;
}

/*
 * emit - a log event for flow key k, counted.  Events past the out
 * buffer's room (NG_OUT_EV_MAX, far more than one packet makes) are
 * counted but not reported.
 */
static struct ng_event *
emit(struct ng_engine *e, struct ng_out *out, uint8_t type,
    uint8_t decision, const struct ng_flow_key *k, ng_usec now, ng_usec since)
{
	static struct ng_event sink;
	struct ng_event *ev;

	e->stats.events[type]++;
	e->stats.decisions[decision]++;
	if (out->nev == NG_OUT_EV_MAX)
		ev = &sink;
	else
		ev = &out->ev[out->nev++];
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

/*
 * conn_where - the client's country, ASN and owner, as the database
 * said at the SYN, into a later event of its flow.
 */
static void
conn_where(const struct ng_engine *e, struct ng_event *ev,
    const struct ng_conn *c)
{
	ev->cc = c->cc;
	ev->asn = c->asn;
	if (c->owner != 0 && e->geo.owner_name != NULL)
		ev->owner = e->geo.owner_name(e->geo.ctx, c->owner);
	if (e->fpdb != NULL) {
		ev->fp = ng_fpdb_class_name(e->fpdb, c->fp);
		ev->fp_cls = c->fp;
		ev->fp_allowed = c->fp_allowed;
	}
}

/*
 * release_id - a held packet's final verdict into out.  Every caller
 * leaves room for a flow's NG_HELD_MAX ids first, so a full buffer is a
 * bug: a dropped release would hold a greeting for ever.
 */
static void
release_id(struct ng_out *out, uint32_t id, uint8_t action, uint8_t offload)
{
	if (out->nrel == NG_OUT_REL_MAX)
		ng_panic("%s: no room for packet %u", __func__, id);
	out->rel[out->nrel].id = id;
	out->rel[out->nrel].action = action;
	out->rel[out->nrel].offload = offload;
	out->nrel++;
}

/* conn_of - what the engine keeps for flow f. */
static struct ng_conn *
conn_of(struct ng_engine *e, const struct ng_flow *f)
{
	return &e->conns[ng_flow_index(e->flows, f)];
}

/* release_ids - n held ids out with one verdict; the timer goes. */
static void
release_ids(struct ng_engine *e, const struct ng_flow *f,
    const uint32_t *ids, unsigned n, uint8_t action, uint8_t offload,
    struct ng_out *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		release_id(out, ids[i], action, offload);
	e->stats.held_now -= n;
	ng_timerq_del(e->holds, ng_flow_index(e->flows, f));
}

/*
 * release_held - give every held packet of f its verdict: the greeting
 * segments 'action', the client's handshake ACK the same when it is
 * accepted and a drop otherwise (a reset of it would only reset the
 * client again; the server's request is reset at its next SYN-ACK).
 */
static void
release_held(struct ng_engine *e, const struct ng_flow *f,
    struct ng_conn *c, uint8_t action, struct ng_out *out)
{
	uint32_t ids[NG_HOLD_MAX], ack;
	uint8_t offload = action == NG_ACCEPT && c->offload;
	unsigned n;

	n = ng_early_take_held(&c->test, action, ids);
	release_ids(e, f, ids, n, action, offload, out);
	if (ng_early_take_ack(&c->test, &ack))
		release_ids(e, f, &ack, 1, action == NG_ACCEPT ? NG_ACCEPT :
		    NG_DROP, offload, out);
}

/*
 * windowed - does the release window apply?  Not to a capture (no MTA
 * accept queue is there to protect) nor at shutdown (everything goes).
 */
static int
windowed(const struct ng_engine *e)
{
	return e->cfg.release_window != 0 && !e->capture && !e->flushing;
}

/* window_full - no room for another released ACK now. */
static int
window_full(const struct ng_engine *e)
{
	return windowed(e) && e->stats.released_now >= e->cfg.release_window;
}

/* wait_add - passed flow i waits for the release window, in turn. */
static void
wait_add(struct ng_engine *e, uint32_t i)
{
	struct ng_conn *c = &e->conns[i];

	c->waiting = 1;
	c->wnext = NG_CONN_NONE;
	c->wprev = e->wtail;
	if (e->wtail != NG_CONN_NONE)
		e->conns[e->wtail].wnext = i;
	else
		e->whead = i;
	e->wtail = i;
	e->stats.window_waits++;
}

/* wait_del - flow i leaves the waiting list, if it is in it. */
static void
wait_del(struct ng_engine *e, uint32_t i)
{
	struct ng_conn *c = &e->conns[i];

	if (!c->waiting)
		return;
	if (c->wprev != NG_CONN_NONE)
		e->conns[c->wprev].wnext = c->wnext;
	else
		e->whead = c->wnext;
	if (c->wnext != NG_CONN_NONE)
		e->conns[c->wnext].wprev = c->wprev;
	else
		e->wtail = c->wprev;
	c->waiting = 0;
}

/* settle - a released flow is done: offloaded, its window slot free. */
static void
settle(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c)
{
	c->phase = NG_CONN_DONE;
	c->offload = 1;
	e->stats.released_now--;
	ng_timerq_del(e->holds, ng_flow_index(e->flows, f));
}

/* forget - end flow f; what it held gets held_action. */
static void
forget(struct ng_engine *e, struct ng_flow *f, uint8_t held_action,
    struct ng_out *out)
{
	struct ng_conn *c = conn_of(e, f);

	wait_del(e, ng_flow_index(e->flows, f));
	if (c->phase == NG_CONN_RELEASED)
		e->stats.released_now--;
	release_held(e, f, c, held_action, out);
	ng_flow_delete(e->flows, f);
	e->stats.flows_now--;
}

/* new_flow - a flow for k, evicting the stalest when the table is full. */
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
		e->stats.flows_evicted++;
		f = ng_flow_insert(e->flows, k, now);
		if (f == NULL)
			return NULL;
	}
	e->stats.flows++;
	e->stats.flows_now++;
	memset(conn_of(e, f), 0, sizeof(struct ng_conn));
	return f;
}

/*
 * pass_new - the client waited: pass it, cache it, let it through.  Its
 * held ACK (hold = handshake) goes to the server; with a release window
 * the flow stays queued until the server's greeting shows the MTA took
 * it (released()).  The caller gives the packet in hand its verdict.
 */
static struct ng_event *
pass_new(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now, struct ng_out *out)
{
	struct ng_cache_entry *pc;
	struct ng_event *ev;
	int watch = c->test.ack_held && windowed(e);

	c->phase = watch ? NG_CONN_RELEASED : NG_CONN_DONE;
	c->offload = !watch;
	c->test.released = 1;
	release_held(e, f, c, NG_ACCEPT, out);
	if (watch) {
		e->stats.released_now++;
		ng_timerq_set(e->holds, ng_flow_index(e->flows, f),
		    now + NG_RELEASE_TIMEOUT);
	}
	pc = ng_cache_put(e->pass, &f->key.caddr, now, e->cfg.pass_ttl);
	if (pc != NULL)
		pc->count++;
	if (ng_cache_count(e->grey) > 0)	/* most gates never greylist */
		ng_cache_del(e->grey, &f->key.caddr);
	ev = emit(e, out, NG_EV_PASS_NEW, NG_DEC_PASS, &f->key, now,
	    c->syn_time);
	conn_where(e, ev, c);
	ev->watched = (uint8_t)watch;
	if (c->scored) {
		ev->scored = 1;
		ev->score = c->score;
		ev->score_action = ng_score_judge(&e->cfg.score, c->score);
	}
	return ev;
}

/*
 * drain - passed clients waiting for the release window go, in turn,
 * while it has room.  Returns 1 when out filled up first.
 */
static int
drain(struct ng_engine *e, ng_usec now, struct ng_out *out)
{
	struct ng_flow *f;
	uint32_t i;

	while (e->whead != NG_CONN_NONE && !window_full(e)) {
		if (out->nrel + NG_HELD_MAX > NG_OUT_REL_MAX)
			return 1;
		i = e->whead;
		wait_del(e, i);
		if ((f = ng_flow_at(e->flows, i)) == NULL)
			ng_panic("%s: waiting flow %u is gone", __func__, i);
		pass_new(e, f, &e->conns[i], now, out);
	}
	return 0;
}

/* penalise - an offence: client into the penalty box, its count up. */
static void
penalise(struct ng_engine *e, const struct ng_addr *client, ng_usec now)
{
	struct ng_cache_entry *pc;

	pc = ng_cache_put(e->penalty, client, now, e->cfg.penalty_ttl);
	if (pc != NULL)
		pc->count++;
}

/*
 * offence_end - a real client's offence ends its flow: reset, with what
 * was held (the server's request or socket is reset too: its held ACK
 * is dropped, its greeting reset), or, not enforced, let go on as
 * passed.
 */
static void
offence_end(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    int enforce, struct ng_out *out)
{
	if (!enforce) {
		c->phase = NG_CONN_DONE;
		c->offload = 1;
		release_held(e, f, c, NG_ACCEPT, out);
		out->v.action = NG_ACCEPT;
		out->v.offload = 1;
		return;
	}
	c->phase = NG_CONN_KILLED;
	release_held(e, f, c, NG_RESET, out);
	out->v.action = NG_RESET;
}

/* thr_conn - flow key k as the throttle names a connection. */
static void
thr_conn(const struct ng_flow_key *k, struct ng_throttle_conn *tc)
{
	memset(tc, 0, sizeof(*tc));
	tc->client = k->caddr;
	tc->server = k->saddr;
	tc->cport = k->cport;
	tc->sport = k->sport;
}

/* thr_end - a counted connection is over: its count goes. */
static void
thr_end(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now)
{
	struct ng_throttle_conn tc;

	if (!c->counted)
		return;
	c->counted = 0;
	thr_conn(&f->key, &tc);
	if (ng_throttle_end(e->throttle, &tc, now))
		e->stats.throttle_ended++;
}

/* thr_limit - class cls's limits into l; 0 when it has none. */
static int
thr_limit(const struct ng_engine *e, unsigned cls,
    struct ng_throttle_limit *l)
{
	if (cls >= NG_THR_CLASSES)
		return 0;
	ng_settings_throttle(&e->cfg, cls, l);
	return l->rate != 0 || l->concurrency != 0;
}

/* pregreet - the real client talked first: log, box, reset (or log). */
static void
pregreet(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_early_step *s, ng_usec now, struct ng_out *out)
{
	int enforce = e->cfg.pregreet_action == NG_PREGREET_RESET &&
	    !e->cfg.monitor;
	uint32_t nfirst = s->nfirst;
	struct ng_event *ev;

	ev = emit(e, out, NG_EV_PREGREET, enforce || e->cfg.monitor ?
	    NG_DEC_PREGREET : NG_DEC_LOG, &f->key, now, c->syn_time);
	ev->monitor = e->cfg.monitor;
	if (nfirst > NG_FIRST_MAX)
		nfirst = NG_FIRST_MAX;
	memcpy(ev->first, s->first, nfirst);
	ev->nfirst = (uint8_t)nfirst;
	ev->bytes = s->bytes;
	conn_where(e, ev, c);
	ev->reason = enforce || e->cfg.monitor ? "pregreet" :
	    "pregreet (log only)";
	/*
	 * Recorded in every mode: in log mode the penalty box is not
	 * enforced at the SYN, but the policy service still tells Postfix
	 * about the offence at RCPT time; in monitor mode nothing uses it
	 * but the MONITOR PENALTY line of the next SYN and nfq-gate-ctl.
	 */
	penalise(e, &f->key.caddr, now);
	if (enforce)
		thr_end(e, f, c, now);	/* our reset ends it */
	offence_end(e, f, c, enforce, out);
}

/*
 * hangup - the client left before passing: logged, remembered nowhere.
 * A FIN reset (its ACK was held) leaves the flow killed, so the
 * server's next SYN-ACK resets the request the MTA never saw.
 */
static void
hangup(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_early_step *s, ng_usec now, struct ng_out *out)
{

	conn_where(e, emit(e, out, NG_EV_HANGUP, NG_DEC_NONE, &f->key, now,
	    c->syn_time), c);
	c->phase = s->action == NG_RESET ? NG_CONN_KILLED : NG_CONN_DONE;
	release_held(e, f, c, s->held_action, out);
}

/* confirm - a PASS OLD flow's real handshake: refresh, offload. */
static void
confirm(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now, struct ng_out *out)
{
	struct ng_cache_entry *pc;

	/* A flow watched only for the throttle is no PASS OLD. */
	if (!c->watch &&
	    (pc = ng_cache_touch(e->pass, &f->key.caddr, now)) != NULL)
		pc->count++;	/* "old" to the policy service */
	c->phase = NG_CONN_DONE;
	c->offload = 1;
	out->v.offload = 1;
	out->v.confirm = 1;
}

/* count_step - what every step may carry besides a conclusion. */
static void
count_step(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_early_step *s, ng_usec now, struct ng_out *out)
{

	out->v.action = s->action;
	if (s->doubt != NG_UV_MAX) {
		e->stats.unverified[s->doubt]++;
		if (s->action == NG_DROP)
			e->stats.unverified_dropped++;
	}
	if (s->restarted) {
		/* The server took another SYN: the test starts over. */
		release_ids(e, f, s->dropped, s->ndropped, NG_DROP, 0, out);
		c->syn_time = now;
	}
	if (s->retransmit)
		e->stats.retransmits_dropped++;
	if (s->hold) {
		e->stats.held_now++;
		e->stats.held_total++;
		ng_timerq_set(e->holds, ng_flow_index(e->flows, f),
		    s->hold_until);
		out->v.hold_until = s->hold_until;
	}
}

static int score_decide(struct ng_engine *e, const struct ng_flow *f,
    struct ng_conn *c, ng_usec now, struct ng_out *out);

/* conclude - act on what the greeting test found in one packet. */
static void
conclude(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_early_step *s, ng_usec now, struct ng_out *out)
{
	count_step(e, f, c, s, now, out);
	if (s->end != NG_EARLY_GOING)
		wait_del(e, ng_flow_index(e->flows, f));
	switch (s->end) {
	case NG_EARLY_GOING:
		break;
	case NG_EARLY_PASS:
		/* Not judged at a pause's end (a capture, or a greeting
		 * never held): the score is judged here, before the pass. */
		if (score_decide(e, f, c, now, out)) {
			out->v.action = NG_RESET;
			break;
		}
		pass_new(e, f, c, now, out);
		out->v.action = NG_ACCEPT;
		out->v.offload = c->offload;
		break;
	case NG_EARLY_PREGREET:
		pregreet(e, f, c, s, now, out);
		break;
	case NG_EARLY_HANGUP:
		hangup(e, f, c, s, now, out);
		break;
	case NG_EARLY_SERVER_GONE:
		c->phase = NG_CONN_DONE;
		release_held(e, f, c, NG_DROP, out);
		break;
	case NG_EARLY_CONFIRM:
		confirm(e, f, c, now, out);
		break;
	default:
		ng_panic("%s: greeting test end %u", __func__, s->end);
	}
}

/*
 * contacts_watch - note when the contacts table last lost a live entry
 * (to a flood of SYNs, or to entries from the shared state): until
 * trap_window has passed, a hit with no contact is not penalised.
 */
static void
contacts_watch(struct ng_engine *e, ng_usec now)
{
	uint64_t n = ng_cache_evictions(e->contacts);

	if (n != e->contacts_lost) {
		e->contacts_lost = n;
		e->contacts_lost_at = now != 0 ? now : 1;
	}
}

/*
 * trap_outcome - a TRAP event says what the hit came to; the count, and
 * the penalty (as for a PREGREET: the box in every mode, its count up).
 */
static void
trap_outcome(struct ng_engine *e, struct ng_event *ev,
    const struct ng_trap_find *t, ng_usec now)
{
	ev->trap = t->outcome;
	ev->pending = t->outcome == NG_TRAP_PENDING;
	ev->contact_age = t->age;
	ev->reason = ng_trap_outcome_name(t->outcome);
	ev->monitor = e->cfg.monitor;
	if (t->outcome == NG_TRAP_PENALISED) {
		e->stats.trap_penalised++;
		penalise(e, &ev->client, now);
	} else if (t->outcome == NG_TRAP_EXCUSED)
		e->stats.trap_excused++;
	else if (t->outcome == NG_TRAP_UNSURE)
		e->stats.trap_unsure++;
}

/*
 * trap_hit - the believed handshake ACK of a trap flow, which only the
 * real client can send: judged by its contacts (trap.c) and reset,
 * whatever the outcome.  Never held, the ACK is the packet reset, so
 * the server's half-open request never completes and is reset at its
 * next SYN-ACK, as a PREGREET's is; a greeting already sent (Fast
 * Open) is reset as it is held.  In monitor mode it goes on.
 */
static void
trap_hit(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_early_step *s, ng_usec now, struct ng_out *out)
{
	struct ng_trap_ctx x;
	struct ng_trap_find t;
	struct ng_event *ev;

	count_step(e, f, c, s, now, out);
	contacts_watch(e, now);
	x.cfg = &e->cfg;
	x.contacts = e->contacts;
	x.lost_at = e->contacts_lost_at;
	ng_trap_judge(&x, &f->key.caddr, now, &t);
	e->stats.trap_hits++;
	ev = emit(e, out, NG_EV_TRAP, NG_DEC_TRAP, &f->key, now, c->syn_time);
	conn_where(e, ev, c);
	trap_outcome(e, ev, &t, now);
	offence_end(e, f, c, !e->cfg.monitor, out);
}

/*
 * throttle_handshake - the believed handshake of a flow under limits:
 * counted, or, over a limit (20 SYNs at once all come before any
 * handshake, so the SYN check let them by), reset as a PREGREET is:
 * the ACK in hand, held or not, is the packet reset (the client's
 * end), and the server's half-open request is reset at its next
 * SYN-ACK.  Returns 1 when it reset the flow: the step is done with.
 */
static int
throttle_handshake(struct ng_engine *e, const struct ng_flow *f,
    struct ng_conn *c, struct ng_early_step *s, ng_usec now,
    struct ng_out *out)
{
	struct ng_throttle_limit l;
	struct ng_throttle_conn tc;
	enum ng_throttle_why why;
	struct ng_event *ev;
	uint32_t id;

	if (!thr_limit(e, c->thr_class, &l))
		return 0;
	thr_conn(&f->key, &tc);
	why = ng_throttle_start(e->throttle, &l, &tc, now);
	e->stats.throttle_aged = ng_throttle_aged(e->throttle);
	if (why == NG_THR_FULL)
		e->stats.throttle_full++;	/* fail open: not counted */
	if (why == NG_THR_OK) {
		e->stats.throttle_counted++;
		c->counted = l.concurrency != 0;
	}
	if (why == NG_THR_OK || why == NG_THR_FULL)
		return 0;
	e->stats.throttle_handshake++;
	ng_throttle_reset_seen(e->throttle, &f->key.caddr, now);
	ev = emit(e, out, NG_EV_THROTTLE, NG_DEC_THROTTLE, &f->key, now,
	    c->syn_time);
	conn_where(e, ev, c);
	ev->reason = ng_throttle_why_name(why);
	ev->monitor = e->cfg.monitor;
	if (e->cfg.monitor)
		return 0;
	if (s->hold && ng_early_take_ack(&c->test, &id))
		s->hold = 0;	/* id is the packet in hand: reset below */
	s->action = NG_RESET;
	count_step(e, f, c, s, now, out);
	offence_end(e, f, c, 1, out);
	return 1;
}

/*
 * believed_handshake - did this step of a flow under test see its
 * first believed client segment (the handshake ACK), with the test
 * not concluded otherwise (payload: PREGREET; FIN or RST: HANGUP)?
 */
static int
believed_handshake(const struct ng_conn *c, int was_established,
    const struct ng_early_step *s)
{
	return !was_established && c->test.established &&
	    (s->end == NG_EARLY_GOING || s->end == NG_EARLY_PASS);
}

/*
 * is_trap_hit - does the step of a trap flow's client segment make the
 * hit?  Its first believed segment does, unless the greeting test
 * already concluded otherwise (payload: PREGREET; FIN or RST: HANGUP).
 */
static int
is_trap_hit(const struct ng_conn *c, int was_established,
    const struct ng_early_step *s)
{
	return c->trap && believed_handshake(c, was_established, s);
}

/* ng_engine_trap_penalise - a pending hit the shared state confirmed. */
void
ng_engine_trap_penalise(struct ng_engine *e, const struct ng_flow_key *hit,
    ng_usec now, struct ng_out *out)
{
	struct ng_trap_find t;
	struct ng_event *ev;

	memset(out, 0, offsetof(struct ng_out, rel));
	memset(&t, 0, sizeof(t));
	t.outcome = NG_TRAP_PENALISED;
	/* Not a decision: the connection was reset at the hit. */
	ev = emit(e, out, NG_EV_TRAP, NG_DEC_NONE, hit, now, now);
	trap_outcome(e, ev, &t, now);
}

/* phase_for - the phase a SYN's action leaves its flow in. */
static uint8_t
phase_for(uint8_t action)
{
	if (action == NG_RESET)
		return NG_CONN_KILLED;
	if (action == NG_DROP)
		return NG_CONN_DROPPED;
	return NG_CONN_DONE;
}

/* under_test - is the flow's test (or its PASS OLD check) running? */
static int
under_test(const struct ng_conn *c)
{
	return c->phase == NG_CONN_TEST || c->phase == NG_CONN_OLD;
}

/*
 * throttle_syn - a SYN the rules accept, from a client already at its
 * limits (connections believed earlier; a SYN itself counts nothing,
 * as anyone can send one): reset, THROTTLE.  Under limits a flow the
 * rules would offload at once (country pass, allow) stays queued to
 * its handshake so it can be counted; returns 1 for such a watch.
 */
static int
throttle_syn(struct ng_engine *e, const struct ng_flow_key *k, ng_usec now,
    struct ng_syn_decision *d)
{
	struct ng_throttle_limit l;
	enum ng_throttle_why why;

	if (d->action != NG_ACCEPT || !thr_limit(e, d->thr_class, &l))
		return 0;
	why = ng_throttle_check(e->throttle, &l, &k->caddr, now);
	if (why == NG_THR_OK) {
		if (!d->offload)
			return 0;
		d->offload = 0;
		d->old = 1;
		return 1;
	}
	e->stats.throttle_syn++;
	ng_throttle_reset_seen(e->throttle, &k->caddr, now);
	d->event = NG_EV_THROTTLE;
	d->decision = NG_DEC_THROTTLE;
	d->action = NG_RESET;
	d->reason = ng_throttle_why_name(why);
	d->offload = d->test = d->old = 0;
	return 0;
}

/* admit - the rules' decision for the SYN of flow k. */
static void
admit(struct ng_engine *e, const struct ng_flow_key *k, ng_usec now,
    struct ng_syn_decision *d)
{
	struct ng_admit a;

	a.cfg = &e->cfg;
	a.geo = &e->geo;
	a.pass = e->pass;
	a.penalty = e->penalty;
	a.grey = e->grey;
	a.contacts = e->contacts;
	ng_admit_syn(&a, k, now, d);
	if (d->greylist_full)
		e->stats.greylist_full++;
	if (e->cfg.trap_mx.n > 0) {
		contacts_watch(e, now);
		if (d->trap)
			e->stats.trap_syns++;
	}
}

/*
 * monitor_only - mode = monitor: the SYN the rules refuse is accepted,
 * its event says what would have been, and the flow is decided (there
 * is nothing left to enforce on it).
 */
static void
monitor_only(struct ng_syn_decision *d, struct ng_event *ev)
{
	ev->monitor = 1;
	d->action = NG_ACCEPT;
	d->offload = 1;
	d->test = 0;
	d->old = 0;
}

/* client_syn - a client's SYN: a new flow, decided by the rules. */
static void
client_syn(struct ng_engine *e, const struct ng_flow_key *k,
    const struct ng_pkt *p, ng_usec now, struct ng_out *out)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);
	struct ng_syn_decision d;
	struct ng_early_step s;
	struct ng_event *ev;
	struct ng_conn *c;
	int watch;

	c = f != NULL ? conn_of(e, f) : NULL;
	if (c != NULL && c->test.cli_isn == p->seq) {
		/* A retransmitted SYN gets what the first one got, quietly. */
		out->v.action = c->syn_action;
		out->v.offload = c->offload;
		out->v.test = under_test(c);
		ng_flow_touch(e->flows, f, f->list, now);
		return;
	}
	if (c != NULL && under_test(c)) {
		/* Maybe forged, on a guessed port: keep the flow under test. */
		ng_early_other_syn(&c->test, p, &s);
		conclude(e, f, c, &s, now, out);
		return;
	}
	if (f != NULL)
		forget(e, f, NG_DROP, out);
	admit(e, k, now, &d);
	watch = throttle_syn(e, k, now, &d);
	ev = emit(e, out, d.event, d.decision, k, now, now);
	ev->cc = d.cc;
	ev->asn = d.where.asn;
	if (d.where.owner != 0 && e->geo.owner_name != NULL)
		ev->owner = e->geo.owner_name(e->geo.ctx, d.where.owner);
	ev->reason = d.reason;
	ev->rule = d.rule;
	/* The daemon asks DNS for tested clients only, never at a trap. */
	ev->dns = d.test && !d.trap && e->cfg.score.dns && !e->capture;
	syn_fp(e, p, ev);
	if (e->cfg.monitor && d.action != NG_ACCEPT)
		monitor_only(&d, ev);
	f = new_flow(e, k, now, out);
	out->v.action = d.action;
	out->v.offload = d.offload;
	if (f == NULL)
		return;
	out->v.test = d.test || d.old;
	c = conn_of(e, f);
	c->syn_time = now;
	c->cc = d.cc;
	c->asn = d.where.asn;
	c->owner = d.where.owner;
	c->owner_bits = d.where.owner_bits;
	c->syn_action = d.action;
	c->offload = d.offload;
	c->trap = d.trap;
	c->thr_class = d.thr_class;
	c->watch = (uint8_t)watch;
	c->phase = d.test ? NG_CONN_TEST : d.old ? NG_CONN_OLD :
	    phase_for(d.action);
	c->fp = ev->fp_cls;
	c->fp_allowed = ev->fp_allowed;
	ng_early_start(&c->test, p);
}

/* apply_phase - a packet of a decided flow gets the flow's verdict. */
static void
apply_phase(const struct ng_conn *c, const struct ng_pkt *p,
    struct ng_out *out)
{
	/* A reset on a killed flow - ours, sent by REJECT, or either end's
	 * own - goes through: REJECT never answers a RST, so "reset" would
	 * only drop it and leave the other end waiting for a timeout. */
	if (c->phase == NG_CONN_KILLED && (p->flags & NG_TH_RST))
		return;
	if (c->phase == NG_CONN_KILLED)
		out->v.action = NG_RESET;
	else if (c->phase == NG_CONN_DROPPED)
		out->v.action = NG_DROP;
	else
		out->v.offload = c->offload;
}

/*
 * released - a packet of a passed flow whose ACK went to the MTA: it is
 * accepted.  The server's first payload (its greeting), RST or FIN
 * shows the MTA took the connection: the flow is offloaded and its
 * slot of the release window goes to the next waiting client.  Only
 * the server's packets count, which a spoofer outside cannot send.
 */
static void
released(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_pkt *p, int from_client, ng_usec now,
    struct ng_out *out)
{
	if (from_client || (p->paylen == 0 &&
	    !(p->flags & (NG_TH_RST | NG_TH_FIN))))
		return;
	settle(e, f, c);
	out->v.offload = 1;
	out->v.confirm = 1;	/* without conntrack glue: the connmark */
	drain(e, now, out);	/* what does not fit, the next tick takes */
}

/* ng_engine_set_score_src - where the score's DNS facts come from. */
void
ng_engine_set_score_src(struct ng_engine *e, const struct ng_score_src *src)
{
	if (src == NULL)
		memset(&e->score_src, 0, sizeof(e->score_src));
	else
		e->score_src = *src;
}

/*
 * score_of - the score of flow f's client now: the DNS facts asked of
 * the daemon, the rest as the SYN left them in the flow.
 */
static void
score_of(struct ng_engine *e, const struct ng_flow *f,
    const struct ng_conn *c, ng_usec now, struct ng_score_in *in,
    struct ng_score *s)
{
	memset(in, 0, sizeof(*in));
	if (e->cfg.score.dns && e->score_src.dns != NULL)
		e->score_src.dns(e->score_src.ctx, &f->key.caddr, now,
		    &in->dns);
	if (e->fpdb != NULL) {
		in->fp = ng_fpdb_class_name(e->fpdb, c->fp);
		in->fp_allowed = c->fp_allowed;
	}
	in->where.cc = c->cc;
	in->where.asn = c->asn;
	in->where.owner = c->owner;
	in->where.owner_bits = c->owner_bits;
	ng_score_compute(&e->cfg.score, in, s);
}

/* score_mark - an event of a scored decision carries its total. */
static void
score_mark(struct ng_event *ev, const struct ng_score *s)
{
	ev->scored = 1;
	ev->score = s->total;
	ev->score_dns = s->dns;
	ev->score_action = s->action;
}

/* score_event - the SCORE line: the total, the action and why. */
static void
score_event(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    const struct ng_score_in *in, const struct ng_score *s, ng_usec now,
    struct ng_out *out)
{
	/* The last slot serves events past the out buffer's room. */
	unsigned slot = out->nev < NG_OUT_EV_MAX ? out->nev : NG_OUT_EV_MAX;
	struct ng_score_seen *seen;
	struct ng_event *ev;

	ev = emit(e, out, NG_EV_SCORE, NG_DEC_NONE, &f->key, now,
	    c->syn_time);
	conn_where(e, ev, c);
	score_mark(ev, s);
	ev->monitor = e->cfg.monitor;
	ev->why = ng_score_explain(s, in, e->why[slot], sizeof(e->why[slot]));
	c->scored = 1;
	c->score = s->total;
	seen = &e->seen[ng_score_seen_slot(e->cfg.hash_key, &f->key.caddr)];
	seen->a = f->key.caddr;
	seen->score = s->total;
	seen->when = now != 0 ? now : 1;
}

/*
 * score_grey - a score's greylist: a first try (or a retry before
 * greylist_delay) is remembered and refused, 1; a retry after it is
 * judged on the normal test, and a full greylist fails open, 0.
 */
static int
score_grey(struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    const char **reason)
{
	struct ng_cache_entry *g = ng_cache_find(e->grey, a, now);

	if (g == NULL) {
		g = ng_cache_put(e->grey, a, now, e->cfg.greylist_window);
		if (g == NULL) {
			e->stats.greylist_full++;
			return 0;
		}
		g->count = 1;
		*reason = "score";
		return 1;
	}
	g->count++;
	if (now - g->first < e->cfg.greylist_delay) {
		*reason = "score, early retry";
		return 1;
	}
	return 0;
}

/*
 * score_kill - refused by the score at the pause's end: the held ACK is
 * reset (the client's end learns at once), held greeting bytes too, and
 * the flow stays killed, so the server's half-open request is reset at
 * its next SYN-ACK, as a PREGREET's.  Nobody is penalised: a DNS list
 * is not the client's own act.
 */
static void
score_kill(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now, struct ng_out *out)
{
	uint32_t ids[NG_HOLD_MAX], ack;
	unsigned n;

	wait_del(e, ng_flow_index(e->flows, f));
	thr_end(e, f, c, now);
	c->phase = NG_CONN_KILLED;
	n = ng_early_take_held(&c->test, NG_RESET, ids);
	release_ids(e, f, ids, n, NG_RESET, 0, out);
	if (ng_early_take_ack(&c->test, &ack))
		release_ids(e, f, &ack, 1, NG_RESET, 0, out);
}

/*
 * score_decide - the score of a tested flow at its pause's end: the
 * SCORE line, and a reject or greylist made (1: the flow is ended).
 * Otherwise (test, or pass: the pause is over anyway) the flow goes on
 * as it would have.  Trap flows and flows scored already are not.
 */
static int
score_decide(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now, struct ng_out *out)
{
	const char *reason = "score";
	struct ng_score_in in;
	struct ng_score s;
	struct ng_event *ev;

	if (!ng_score_on(&e->cfg.score) || c->trap || c->scored)
		return 0;
	score_of(e, f, c, now, &in, &s);
	if (s.action == NG_SCORE_GREYLIST &&
	    !score_grey(e, &f->key.caddr, now, &reason))
		s.action = NG_SCORE_TEST;
	score_event(e, f, c, &in, &s, now, out);
	if (s.action == NG_SCORE_REJECT)
		ev = emit(e, out, NG_EV_REJECT, NG_DEC_REJECT, &f->key, now,
		    c->syn_time);
	else if (s.action == NG_SCORE_GREYLIST)
		ev = emit(e, out, NG_EV_GREYLIST, NG_DEC_GREYLIST, &f->key,
		    now, c->syn_time);
	else
		return 0;
	conn_where(e, ev, c);
	score_mark(ev, &s);
	ev->reason = reason;
	ev->rule = "score";
	ev->monitor = e->cfg.monitor;
	if (e->cfg.monitor)
		return 0;
	score_kill(e, f, c, now, out);
	return 1;
}

/*
 * score_early - every DNS answer is in and the handshake is held: a
 * total at or below the allowlist threshold passes now, in turn behind
 * clients waiting for the release window.  Anything else waits for the
 * pause's end, and is judged there again (answers may have changed
 * nothing, but the flow's own later packets may).
 */
static void
score_early(struct ng_engine *e, const struct ng_flow *f, struct ng_conn *c,
    ng_usec now, struct ng_out *out)
{
	uint32_t i = ng_flow_index(e->flows, f);
	struct ng_score_in in;
	struct ng_score s;
	struct ng_event *ev;

	if (c->scored || c->waiting || e->cfg.score.allow >= 0 || c->trap)
		return;
	score_of(e, f, c, now, &in, &s);
	if (s.action != NG_SCORE_PASS)
		return;
	score_event(e, f, c, &in, &s, now, out);
	ng_timerq_del(e->holds, i);
	if (window_full(e)) {
		wait_add(e, i);
		return;
	}
	ev = pass_new(e, f, c, now, out);
	ev->reason = "score allowlist";
}

/* ng_engine_score_ready - flow k's DNS answers are all in. */
void
ng_engine_score_ready(struct ng_engine *e, const struct ng_flow_key *k,
    ng_usec now, struct ng_out *out)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);
	struct ng_conn *c;

	memset(out, 0, offsetof(struct ng_out, rel));
	if (f == NULL)
		return;
	c = conn_of(e, f);
	if (c->phase != NG_CONN_TEST || c->test.released)
		return;
	c->score_ready = 1;	/* its handshake may come later */
	if (c->test.ack_held)
		score_early(e, f, c, now, out);
}

/* flow_packet - any packet but a client's SYN, by its flow's phase. */
static void
flow_packet(struct ng_engine *e, const struct ng_flow_key *k,
    const struct ng_pkt *p, int from_client, uint32_t id, ng_usec now,
    struct ng_out *out)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);
	struct ng_early_step s;
	struct ng_conn *c;
	int was_established;

	if (f == NULL) {
		/*
		 * Accepted; the front-end also clears the connection's
		 * test mark (daemon/live_verdict.c), so a flow forgotten
		 * while under test falls under the rules' packet cap and
		 * is not queued for ever.  A spoofer cannot use this on
		 * a real flow under test: a flow the engine knows is
		 * never midstream, forged packets included.
		 */
		e->stats.midstream++;
		out->v.midstream = 1;
		return;
	}
	c = conn_of(e, f);
	if (c->counted && (p->flags & (NG_TH_RST | NG_TH_FIN)))
		thr_end(e, f, c, now);	/* either end closing: it is over */
	if (c->phase == NG_CONN_RELEASED) {
		released(e, f, c, p, from_client, now, out);
		ng_flow_touch(e->flows, f, NG_FLOW_HOT, now);
		return;
	}
	if (c->phase == NG_CONN_OLD) {
		ng_early_old(&c->test, p, from_client, &s);
		if (s.end != NG_EARLY_CONFIRM ||
		    !throttle_handshake(e, f, c, &s, now, out))
			conclude(e, f, c, &s, now, out);
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
		return;
	}
	if (c->phase != NG_CONN_TEST) {
		apply_phase(c, p, out);
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
		return;
	}
	was_established = c->test.established;
	if (from_client) {
		struct ng_early_ctx x;

		x.capture = (uint8_t)e->capture;
		/*
		 * A capture shows the greeting the client saw, so the
		 * replay asks whether it talked before that; holding the
		 * ACK is for live traffic (early.c).  A trap flow's ACK
		 * is the hit, never held.
		 */
		x.hold_ack = e->cfg.hold == NG_HOLD_HANDSHAKE && !e->capture &&
		    !c->trap;
		x.id = id;
		x.due = c->syn_time + pause(e);
		ng_early_client(&c->test, p, &x, &s);
	} else
		ng_early_server(&c->test, p, id, now, c->syn_time + pause(e),
		    &s);
	if (is_trap_hit(c, was_established, &s))
		trap_hit(e, f, c, &s, now, out);
	else if (!believed_handshake(c, was_established, &s) ||
	    !throttle_handshake(e, f, c, &s, now, out))
		conclude(e, f, c, &s, now, out);
	if (c->score_ready && c->phase == NG_CONN_TEST && c->test.ack_held)
		score_early(e, f, c, now, out);	/* answers before the ACK */
	if (c->phase == NG_CONN_TEST && c->test.established)
		ng_flow_touch(e->flows, f, NG_FLOW_HOT, now);
	else
		ng_flow_touch(e->flows, f, NG_FLOW_COLD, now);
}

/* ng_engine_throttle_end - a connection's end the daemon saw. */
void
ng_engine_throttle_end(struct ng_engine *e, const struct ng_flow_key *k,
    ng_usec now)
{
	struct ng_flow *f = ng_flow_find(e->flows, k);
	struct ng_throttle_conn tc;

	if (f != NULL && conn_of(e, f)->counted) {
		thr_end(e, f, conn_of(e, f), now);
		return;
	}
	thr_conn(k, &tc);
	if (ng_throttle_end(e->throttle, &tc, now))
		e->stats.throttle_ended++;
}

/* ng_engine_throttling - is any throttle limit set? */
int
ng_engine_throttling(const struct ng_engine *e)
{
	return ng_settings_throttling(&e->cfg);
}

/* ng_engine_packet - one packet in, its verdict and events out. */
void
ng_engine_packet(struct ng_engine *e, const uint8_t *ip, size_t caplen,
    size_t wirelen, uint32_t id, ng_usec now, struct ng_out *out)
{
	enum ng_pkt_status status;
	struct ng_flow_key k;
	struct ng_pkt p;
	int from_client;

	memset(out, 0, offsetof(struct ng_out, rel));
	e->stats.packets++;
	status = ng_pkt_parse(&p, ip, caplen, wirelen);
	if (status == NG_PKT_NOT_TCP) {
		e->stats.not_tcp++;
		return;
	}
	if (status == NG_PKT_FRAGMENT) {
		e->stats.fragments++;
		out->v.action = NG_DROP;
		return;
	}
	if (status != NG_PKT_OK) {
		e->stats.malformed[status]++;
		out->v.action = NG_DROP;
		return;
	}
	if (ng_settings_is_port(&e->cfg, p.dport))
		from_client = 1;
	else if (ng_settings_is_port(&e->cfg, p.sport))
		from_client = 0;
	else {
		e->stats.not_tcp++;
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
		e->stats.unverified[NG_UV_SYN]++;
		e->stats.unverified_dropped++;
		out->v.action = NG_DROP;
	} else
		flow_packet(e, &k, &p, from_client, id, now, out);
}

/*
 * release_due - flows whose pause has run out.  A held ACK means the
 * client kept quiet for the whole pause: it passes, in turn behind any
 * client already waiting for the release window.  A held greeting goes
 * to its client (hold = greeting, or at shutdown).  A released flow
 * whose greeting never came gives its window slot back.
 */
static int
release_due(struct ng_engine *e, ng_usec now, struct ng_out *out)
{
	struct ng_flow *f;
	struct ng_conn *c;
	ng_usec when;
	uint32_t i;

	while (ng_timerq_peek(e->holds, &i, &when) && when <= now) {
		if (out->nrel + NG_HELD_MAX > NG_OUT_REL_MAX)
			return 1;
		f = ng_flow_at(e->flows, i);
		if (f == NULL) {
			ng_timerq_del(e->holds, i);
			continue;
		}
		c = conn_of(e, f);
		if (c->phase == NG_CONN_RELEASED) {
			e->stats.release_timeouts++;
			settle(e, f, c);
		} else if (c->test.ack_held && !e->flushing) {
			ng_timerq_del(e->holds, i);
			if (!score_decide(e, f, c, now, out))
				wait_add(e, i);
		} else if (c->phase == NG_CONN_TEST && !e->flushing &&
		    !c->test.released && score_decide(e, f, c, now, out)) {
			continue;	/* hold = greeting, or a capture */
		} else {
			c->test.released = 1;
			release_held(e, f, c, NG_ACCEPT, out);
		}
	}
	return drain(e, now, out);
}

/* expire_list - forget a list's flows last seen at or before 'before'. */
static int
expire_list(struct ng_engine *e, enum ng_flow_list list, ng_usec before,
    struct ng_out *out)
{
	struct ng_flow *f;

	while ((f = ng_flow_stale(e->flows, list, before)) != NULL) {
		if (out->nrel + NG_HELD_MAX > NG_OUT_REL_MAX)
			return 1;
		forget(e, f, NG_ACCEPT, out);
		e->stats.flows_expired++;
	}
	return 0;
}

/* minus - now - d, or 0 before the clock reaches d. */
static ng_usec
minus(ng_usec now, ng_usec d)
{
	return now > d ? now - d : 0;
}

/* ng_engine_tick - release due greetings, expire idle flows. */
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

/*
 * ng_engine_next_timer - the earliest hold due, or NG_NEVER; at once
 * when passed clients wait and the window has room (a slot freed by a
 * flow's end rather than by a greeting).
 */
ng_usec
ng_engine_next_timer(const struct ng_engine *e)
{
	uint32_t i;
	ng_usec when;

	if (e->whead != NG_CONN_NONE && !window_full(e))
		return 0;
	if (ng_timerq_peek(e->holds, &i, &when))
		return when;
	return NG_NEVER;
}

/*
 * ng_engine_release_all - everything held goes out (shutdown): no pass
 * for a client whose pause had not run out, no window.
 */
int
ng_engine_release_all(struct ng_engine *e, struct ng_out *out)
{
	int more;

	e->flushing = 1;
	more = ng_engine_tick(e, NG_NEVER - 1, out);
	e->flushing = 0;
	return more;
}
