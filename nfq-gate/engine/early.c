/*
 * early.c - the greeting test: did the client talk before the greeting?
 *
 * A client is a pre-greeting talker when it sends TCP payload before any
 * byte of the server's greeting has reached it.  One CRLF counts; so
 * does payload on the handshake's ACK, or Fast Open data in the SYN that
 * the server took.  Real MTAs wait for the 220; bots that speak first
 * are zombies.
 *
 * The greeting is held for the greet pause (the server's first payload
 * segments are queued, not forwarded), then released all at once.  A
 * retransmitted copy of a held segment is dropped: the held original is
 * what the client gets.
 *
 * Only what a real peer could have sent is judged.  An off-path spoofer
 * can forge the client's address, port and SYN, but it never sees the
 * SYN-ACK, so it does not know the server's ISN; and it never sees the
 * real client's packets, so it does not know the real client's sequence
 * numbers.  So a client segment is believed only when
 *   - the gate saw the server's SYN-ACK to this flow's SYN,
 *   - it has the ACK flag and acknowledges something in
 *     [srv_isn + 1, srv_max] (srv_max: the end of what the server sent),
 *   - its sequence number lies in [cli_nxt, cli_nxt + WINDOW) (a RST:
 *     exactly cli_nxt, RFC 5961, as Linux checks it).
 * Then its ACK says how much greeting the client has: a payload whose
 * ACK covers released greeting bytes (srv_isn + 1 < ack <= srv_nxt) is
 * PASS NEW; any other payload (nothing released yet, ack == srv_isn + 1,
 * or an ACK of bytes still held) is PREGREET - its sender knew the
 * server's ISN, so it is the real host, and it talked without having the
 * greeting.  A pure ACK of released greeting bytes is PASS NEW too.
 *
 * What is not believed is counted (stats.unverified, by reason), never
 * logged as PREGREET or PASS, never put in any table, and leaves the
 * flow as it was:
 *   - payload and pure ACKs are dropped.  The server's kernel would drop
 *     nearly all of them anyway (no ACK, ACK of unsent data, out of
 *     window), a real client never sends them, and the MTA must not read
 *     bytes the test has not judged.  That covers a payload whose ACK is
 *     beyond srv_max ("ack = srv_isn + 500", a bot skipping the test):
 *     it proves nothing, so it is neither PASS nor PREGREET, just gone.
 *     An ACK of held greeting bytes without payload is dropped too.
 *   - RST and FIN are accepted and left to the kernel, which ignores
 *     them or answers with a challenge ACK (so a real client whose RST
 *     was slightly off gets to send the exact one); the held greeting
 *     stays held.
 *
 * Fast Open data in the SYN is never judged at the SYN: anyone can send
 * a SYN.  Its length is kept; if the server's SYN-ACK acknowledged it,
 * the server has the client's bytes before its greeting, and when the
 * handshake completes with a believable ACK the client is PREGREET.  If
 * the SYN-ACK did not take the data, the client sends it again after
 * the handshake and it is judged then.  A spoofed SYN with data never
 * completes a handshake.
 *
 * Another SYN for a 4-tuple under test (a different ISN) does not
 * replace the flow: a spoofer who guessed the port would otherwise wipe
 * out a held session.  It is counted and accepted (the server's kernel
 * challenge-ACKs it), and its ISN kept; if the server answers it with a
 * SYN-ACK, the server has dropped the old connection, and the flow
 * starts over from that SYN.
 *
 * Replay (ng_engine_set_capture): the capture shows what the client got,
 * so an ACK of "held" greeting bytes counts as an ACK of released ones;
 * that keeps --greet-pause from calling MTAs that answered the greeting
 * they saw bots.
 *
 * A client that closes or resets without having passed is neither: it
 * is logged as HANGUP and remembered nowhere.
 */
#include <string.h>

#include "engine/engine_impl.h"

/*
 * How far past cli_nxt a believable client segment may start.  A SYN's
 * window is never scaled, so before any server ACK the client may not
 * send past 64 KiB; under test it has sent nothing the gate judged.
 */
#define CLI_WINDOW 65535u

/* Sequence-number comparison modulo 2^32 (RFC 793). */
static int
seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* lo <= x <= hi, modulo 2^32. */
static int
seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x - lo <= hi - lo;
}

static uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

/* The end of the greeting bytes the client can have seen. */
static uint32_t
seen_end(const struct ng_engine *e, const struct ng_flow *f)
{
	return e->capture ? f->st.srv_max : f->st.srv_nxt;
}

/* unverified - count a segment that is not believed; leave the flow. */
static void
unverified(struct ng_engine *e, enum ng_unverified why, uint8_t action,
    struct ng_out *out)
{
	e->st.unverified[why]++;
	if (action == NG_DROP)
		e->st.unverified_dropped++;
	out->v.action = action;
}

/* ng_early_release - give every held greeting segment its verdict. */
void
ng_early_release(struct ng_engine *e, struct ng_flow *f, uint8_t action,
    struct ng_out *out)
{
	unsigned i;

	if (action == NG_ACCEPT && f->st.nheld > 0)
		f->st.srv_nxt = seq_max(f->st.srv_nxt, f->st.held_end);
	for (i = 0; i < f->st.nheld; i++)
		ng_engine_release_id(out, f->st.held_id[i], action,
		    action == NG_ACCEPT && f->st.offload);
	e->st.held_now -= f->st.nheld;
	f->st.nheld = 0;
	ng_timerq_del(e->holds, ng_flow_index(e->flows, f));
}

/* pass_new - the client waited: pass it, cache it, let it through. */
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

/* pregreet - the real client talked first: log, box, reset (or log). */
static void
pregreet(struct ng_engine *e, struct ng_flow *f, const uint8_t *first,
    uint32_t nfirst, uint32_t bytes, ng_usec now, struct ng_out *out)
{
	int enforce = e->cfg.pregreet_action == NG_PREGREET_RESET;
	struct ng_event *ev;
	struct ng_cache_entry *c;

	ev = ng_engine_event(e, out, NG_EV_PREGREET,
	    enforce ? NG_DEC_PREGREET : NG_DEC_LOG, &f->key, now,
	    f->st.syn_time);
	if (nfirst > NG_FIRST_MAX)
		nfirst = NG_FIRST_MAX;
	memcpy(ev->first, first, nfirst);
	ev->nfirst = (uint8_t)nfirst;
	ev->bytes = bytes;
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

/* ng_early_syn - the flow's SYN: remember its Fast Open data, unjudged. */
void
ng_early_syn(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    struct ng_out *out)
{
	uint32_t n = p->paycap < NG_SYN_KEEP ? p->paycap : NG_SYN_KEEP;

	(void)e;
	(void)out;
	f->st.cli_nxt = p->seq + 1;
	f->st.syn_len = (uint16_t)(p->paylen > UINT16_MAX ? UINT16_MAX :
	    p->paylen);
	memcpy(f->st.syn_first, p->payload, n);
	f->st.syn_nfirst = (uint8_t)n;
}

/* ng_early_other_syn - a SYN with another ISN for a flow under test. */
void
ng_early_other_syn(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, struct ng_out *out)
{
	f->st.have_alt = 1;
	f->st.alt_isn = p->seq;
	f->st.alt_len = (uint16_t)(p->paylen > UINT16_MAX ? UINT16_MAX :
	    p->paylen);
	unverified(e, NG_UV_SYN, NG_ACCEPT, out);
}

/* Does a SYN-ACK's ack answer the SYN with this ISN and data length? */
static int
answers(uint32_t ack, uint32_t isn, uint16_t len)
{
	return ack == isn + 1 || (len > 0 && ack == isn + 1 + len);
}

/* The server took the other SYN: the old connection is gone there. */
static void
restart(struct ng_engine *e, struct ng_flow *f, ng_usec now,
    struct ng_out *out)
{
	struct ng_early s = f->st;

	ng_early_release(e, f, NG_DROP, out);
	memset(&f->st, 0, sizeof(f->st));
	f->st.phase = s.phase;		/* NG_PH_TEST or NG_PH_OLD */
	f->st.cc = s.cc;
	f->st.syn_action = s.syn_action;
	f->st.offload = s.offload;
	f->st.syn_time = now;
	f->st.cli_isn = s.alt_isn;
	f->st.cli_nxt = s.alt_isn + 1;
	f->st.syn_len = s.alt_len;
}

static void
server_synack(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    ng_usec now, struct ng_out *out)
{
	if (f->st.have_alt && answers(p->ack, f->st.alt_isn, f->st.alt_len) &&
	    !answers(p->ack, f->st.cli_isn, f->st.syn_len))
		restart(e, f, now, out);
	/* Only the answer to our SYN, and the first one: keep the ISN. */
	if (f->st.have_isn || !answers(p->ack, f->st.cli_isn, f->st.syn_len))
		return;
	f->st.have_isn = 1;
	f->st.srv_isn = p->seq;
	f->st.srv_nxt = f->st.srv_max = f->st.held_end = p->seq + 1;
	f->st.cli_nxt = p->ack;
	f->st.tfo_acked = f->st.syn_len > 0 && p->ack != f->st.cli_isn + 1;
}

/*
 * A client RST ends the test only at exactly cli_nxt; anything else is
 * the kernel's to ignore or challenge.
 */
static void
client_rst(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    ng_usec now, struct ng_out *out)
{
	if (p->seq != f->st.cli_nxt) {
		unverified(e, NG_UV_RST, NG_ACCEPT, out);
		return;
	}
	hangup(e, f, NG_DROP, now, out);
}

/* Why a non-RST client segment is not believed, or NG_UV_MAX if it is. */
static enum ng_unverified
doubt(const struct ng_flow *f, const struct ng_pkt *p)
{
	if (p->flags & NG_TH_SYN)
		return NG_UV_SYN;
	if (!(p->flags & NG_TH_ACK) || !f->st.have_isn)
		return NG_UV_HANDSHAKE;
	if (p->seq - f->st.cli_nxt >= CLI_WINDOW)
		return NG_UV_SEQ;
	if (!seq_in(p->ack, f->st.srv_isn + 1, f->st.srv_max))
		return NG_UV_ACK;
	return NG_UV_MAX;
}

void
ng_early_client(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out)
{
	enum ng_unverified why;
	int covers;

	(void)id;
	if ((p->flags & (NG_TH_RST | NG_TH_SYN)) == NG_TH_RST) {
		client_rst(e, f, p, now, out);
		return;
	}
	if ((why = doubt(f, p)) != NG_UV_MAX) {
		/*
		 * Dropped, FINs too: a real client's FIN is always believed,
		 * and an unbelieved one with a bad ack would make the
		 * server's listener answer with a RST of the bot's choosing.
		 */
		unverified(e, why, NG_DROP, out);
		return;
	}
	/* The sender knows the server's ISN: this is the real client. */
	covers = seq_gt(p->ack, f->st.srv_isn + 1) &&
	    !seq_gt(p->ack, seen_end(e, f));
	if (p->paylen == 0 && !covers && p->ack != f->st.srv_isn + 1) {
		/* It acks greeting bytes it cannot have: proves nothing. */
		unverified(e, NG_UV_UNRELEASED, NG_DROP, out);
		return;
	}
	f->st.established = 1;
	if (f->st.tfo_acked)
		pregreet(e, f, f->st.syn_first, f->st.syn_nfirst,
		    f->st.syn_len, now, out);
	else if (p->paylen > 0 && covers)
		pass_new(e, f, now, out);
	else if (p->paylen > 0)
		pregreet(e, f, p->payload, p->paycap, p->paylen, now, out);
	else if (p->flags & NG_TH_FIN)
		hangup(e, f, NG_ACCEPT, now, out);
	else if (covers)
		/*
		 * It acknowledged greeting bytes and said nothing before:
		 * the test is over (postscreen passes at the end of
		 * greet_wait too).  Passing at the ACK rather than at the
		 * first command spares a packet's trip to userspace.
		 */
		pass_new(e, f, now, out);
}

/*
 * ng_early_old - a flow passed at its SYN from the pass cache.  Every
 * packet is accepted, as before; the SYN could be forged, though, so
 * the entry's recency and count are refreshed, and the flow offloaded,
 * only at the first client segment believed as early.c believes any:
 * after the SYN-ACK, acknowledging it, in the client's window (the
 * handshake ACK).  A forged SYN from a passed address thus changes no
 * table.  Not believed, a segment is counted and accepted.
 */
void
ng_early_old(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    int from_client, ng_usec now, struct ng_out *out)
{
	struct ng_cache_entry *c;
	enum ng_unverified why;

	out->v.action = NG_ACCEPT;
	if (!from_client) {
		if ((p->flags & (NG_TH_SYN | NG_TH_ACK)) ==
		    (NG_TH_SYN | NG_TH_ACK))
			server_synack(e, f, p, now, out);
		else if (f->st.have_isn)	/* the greeting goes straight out */
			f->st.srv_max = seq_max(f->st.srv_max, p->seq +
			    p->paylen + (p->flags & NG_TH_FIN ? 1 : 0));
		return;
	}
	if (p->flags & NG_TH_RST)
		why = p->seq == f->st.cli_nxt ? NG_UV_MAX : NG_UV_RST;
	else
		why = doubt(f, p);
	if (why != NG_UV_MAX) {
		unverified(e, why, NG_ACCEPT, out);
		return;
	}
	if (p->flags & NG_TH_RST)
		return;		/* the real client gave up: no refresh */
	if ((c = ng_cache_touch(e->pass, &f->key.caddr, now)) != NULL)
		c->count++;	/* "old" to the policy service */
	f->st.phase = NG_PH_DONE;
	f->st.offload = 1;
	out->v.offload = 1;
	out->v.confirm = 1;
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
	f->st.held_end = seq_max(f->st.held_end, p->seq + p->paylen);
	f->st.nheld++;
	e->st.held_now++;
	e->st.held_total++;
	ng_timerq_set(e->holds, ng_flow_index(e->flows, f), f->st.release_at);
	out->v.action = NG_HOLD;
	out->v.hold_until = f->st.release_at;
}

/*
 * server_rst - the MTA gave up on the client: nothing left to judge, but
 * only for a RST inside what the server sent.  A listener answers a
 * segment with a bad ack (a bot's, in SYN_RECV) with a RST whose
 * sequence number is that ack: the bot's choice, and the half-open
 * connection stays, so such a RST must not end the test.
 */
static void
server_rst(struct ng_engine *e, struct ng_flow *f, const struct ng_pkt *p,
    struct ng_out *out)
{
	if (f->st.have_isn &&
	    !seq_in(p->seq, f->st.srv_isn + 1, f->st.srv_max)) {
		unverified(e, NG_UV_RST, NG_ACCEPT, out);
		return;
	}
	f->st.phase = NG_PH_DONE;
	ng_early_release(e, f, NG_DROP, out);
}

void
ng_early_server(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out)
{
	uint32_t end = p->seq + p->paylen + (p->flags & NG_TH_FIN ? 1 : 0);

	if ((p->flags & (NG_TH_SYN | NG_TH_ACK)) == (NG_TH_SYN | NG_TH_ACK)) {
		server_synack(e, f, p, now, out);
		return;
	}
	if (p->flags & NG_TH_RST) {
		server_rst(e, f, p, out);
		return;
	}
	if (f->st.have_isn)
		f->st.srv_max = seq_max(f->st.srv_max, end);
	if (p->paylen == 0)
		return;
	if (f->st.released) {
		f->st.srv_nxt = seq_max(f->st.srv_nxt, end);
		return;
	}
	if (f->st.release_at == 0)
		f->st.release_at = f->st.syn_time + ng_engine_pause(e);
	if (now >= f->st.release_at && f->st.nheld == 0) {
		f->st.released = 1;
		f->st.srv_nxt = seq_max(f->st.srv_nxt, end);
		return;
	}
	hold(e, f, p, id, out);
}
