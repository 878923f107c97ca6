/*
 * early.c - the greeting test: did the client talk before the greeting?
 *
 * A client is a pre-greeting talker when it sends TCP payload before any
 * byte of the server's greeting has been released to it.  One CRLF
 * counts; so does payload on the handshake's ACK or in a Fast Open SYN.
 * Real MTAs wait for the 220; bots that speak first are zombies.
 *
 * The greeting is held for the greet pause (the server's first payload
 * segments are queued, not forwarded), then released all at once.  A
 * retransmitted copy of a held segment is dropped: the held original is
 * what the client gets.  A client whose ACK already covers greeting bytes
 * has seen the greeting, whatever the clock says (replayed captures can
 * reorder timestamps), so it cannot be a pre-greeting talker.
 *
 * A client that waited passes (PASS NEW) at its first packet after the
 * release that acknowledges greeting bytes, or that carries a command.
 * A client that closes or resets without that is neither: it is logged
 * as HANGUP and remembered nowhere.
 */
#include <string.h>

#include "engine_impl.h"

/* Sequence-number comparison modulo 2^32 (RFC 793). */
static int
seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static void
keep_first(struct ng_event *ev, const struct ng_pkt *p)
{
	uint32_t n = p->paycap < NG_FIRST_MAX ? p->paycap : NG_FIRST_MAX;

	memcpy(ev->first, p->payload, n);
	ev->nfirst = (uint8_t)n;
	ev->bytes = p->paylen;
}

void
ng_early_release(struct ng_engine *e, struct ng_flow *f, uint8_t action,
    struct ng_out *out)
{
	unsigned i;

	for (i = 0; i < f->st.nheld; i++)
		ng_engine_release_id(out, f->st.held_id[i], action,
		    action == NG_ACCEPT && f->st.offload);
	e->st.held_now -= f->st.nheld;
	f->st.nheld = 0;
	ng_timerq_del(e->holds, ng_flow_index(e->flows, f));
}

static void
pass_new(struct ng_engine *e, struct ng_flow *f, ng_usec now,
    struct ng_out *out)
{
	struct ng_cache_entry *c;

	f->st.phase = NG_PH_DONE;
	f->st.offload = 1;
	f->st.released = 1;
	ng_early_release(e, f, NG_ACCEPT, out);
	c = ng_cache_put(e->pass, &f->key.caddr, now, e->cfg.pass_ttl);
	if (c != NULL)
		c->count++;
	if (ng_cache_count(e->grey) > 0)	/* most gates never greylist */
		ng_cache_del(e->grey, &f->key.caddr);
	ng_engine_event(e, out, NG_EV_PASS_NEW, NG_DEC_PASS, &f->key, now,
	    f->st.syn_time)->cc = f->st.cc;
	out->v.action = NG_ACCEPT;
	out->v.offload = 1;
}

static void
pregreet(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    ng_usec now, struct ng_out *out)
{
	int enforce = e->cfg.pregreet_action == NG_PREGREET_RESET;
	struct ng_event *ev;
	struct ng_cache_entry *c;

	ev = ng_engine_event(e, out, NG_EV_PREGREET,
	    enforce ? NG_DEC_PREGREET : NG_DEC_LOG, &f->key, now,
	    f->st.syn_time);
	keep_first(ev, p);
	ev->cc = f->st.cc;
	ev->reason = enforce ? "pregreet" : "pregreet (log only)";
	/*
	 * Recorded in both modes: in log mode the penalty box is not
	 * enforced at the SYN, but the policy service still tells Postfix
	 * about the offence at RCPT time.
	 */
	c = ng_cache_put(e->penalty, &f->key.caddr, now, e->cfg.penalty_ttl);
	if (c != NULL)
		c->count++;
	if (!enforce) {
		f->st.phase = NG_PH_DONE;
		f->st.offload = 1;
		ng_early_release(e, f, NG_ACCEPT, out);
		out->v.action = NG_ACCEPT;
		out->v.offload = 1;
		return;
	}
	f->st.phase = NG_PH_KILLED;
	ng_early_release(e, f, NG_RESET, out);
	out->v.action = NG_RESET;
}

static void
hangup(struct ng_engine *e, struct ng_flow *f, uint8_t held_action,
    ng_usec now, struct ng_out *out)
{
	struct ng_event *ev;

	ev = ng_engine_event(e, out, NG_EV_HANGUP, NG_DEC_NONE, &f->key, now,
	    f->st.syn_time);
	ev->cc = f->st.cc;
	f->st.phase = NG_PH_DONE;
	ng_early_release(e, f, held_action, out);
}

void
ng_early_client(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out)
{
	(void)id;
	if (!f->st.established && (p->flags & NG_TH_ACK) && f->st.have_isn &&
	    p->ack == f->st.srv_isn + 1)
		f->st.established = 1;
	if (p->paylen > 0) {
		if (f->st.released || (f->st.have_isn &&
		    (p->flags & NG_TH_ACK) && seq_gt(p->ack, f->st.srv_isn + 1)))
			pass_new(e, f, now, out);
		else
			pregreet(e, f, p, now, out);
		return;
	}
	if (p->flags & NG_TH_RST)
		hangup(e, f, NG_DROP, now, out);
	else if (p->flags & NG_TH_FIN)
		hangup(e, f, NG_ACCEPT, now, out);
	else if (f->st.released && f->st.have_isn && (p->flags & NG_TH_ACK) &&
	    seq_gt(p->ack, f->st.srv_isn + 1))
		/*
		 * It acknowledged greeting bytes and said nothing before:
		 * the test is over (postscreen passes at the end of
		 * greet_wait too).  Passing at the ACK rather than at the
		 * first command spares a packet's trip to userspace.
		 */
		pass_new(e, f, now, out);
}

static int
is_retransmit(const struct ng_flow *f, uint32_t seq)
{
	unsigned i;

	for (i = 0; i < f->st.nheld; i++)
		if (f->st.held_seq[i] == seq)
			return 1;
	return 0;
}

static void
hold(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    uint32_t id, struct ng_out *out)
{
	if (is_retransmit(f, p->seq) || f->st.nheld == NG_HOLD_MAX) {
		/* The held copy goes out at release; the sender retries. */
		e->st.retransmits_dropped++;
		out->v.action = NG_DROP;
		return;
	}
	f->st.held_id[f->st.nheld] = id;
	f->st.held_seq[f->st.nheld] = p->seq;
	f->st.nheld++;
	e->st.held_now++;
	e->st.held_total++;
	ng_timerq_set(e->holds, ng_flow_index(e->flows, f), f->st.release_at);
	out->v.action = NG_HOLD;
	out->v.hold_until = f->st.release_at;
}

void
ng_early_server(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out)
{
	if ((p->flags & (NG_TH_SYN | NG_TH_ACK)) == (NG_TH_SYN | NG_TH_ACK)) {
		f->st.srv_isn = p->seq;
		f->st.have_isn = 1;
	}
	if (p->flags & NG_TH_RST) {
		/* The MTA gave up on the client; nothing left to judge. */
		f->st.phase = NG_PH_DONE;
		ng_early_release(e, f, NG_DROP, out);
		return;
	}
	if (p->paylen == 0 || f->st.released)
		return;
	if (f->st.release_at == 0)
		f->st.release_at = f->st.syn_time + ng_engine_pause(e);
	if (now >= f->st.release_at && f->st.nheld == 0) {
		f->st.released = 1;
		return;
	}
	hold(e, f, p, id, out);
}
