/*
 * early.c - the greeting test: did the client talk before the greeting?
 *
 * A client is a pre-greeting talker when it sends TCP payload before any
 * byte of the server's greeting has reached it.  One CRLF counts; so
 * does payload on the handshake's ACK, or Fast Open data in the SYN that
 * the server took.  Real MTAs wait for the 220; bots that speak first
 * are zombies.
 *
 * hold = handshake (the default): the client's handshake-completing ACK
 * is held for the greet pause instead of the greeting.  The server's
 * socket stays a half-open request - no accept, no MTA process, no
 * banner, no log line - and the client, established at its end, waits
 * for a greeting nobody has sent.  A client that says anything within
 * the pause is a pre-greeting talker and never reaches the MTA at all;
 * one that kept quiet passes when the pause runs out (engine.c), its
 * ACK goes to the server, and the MTA accepts and greets it at once.
 * While the ACK is held the server retransmits its SYN-ACK (1 s, 3 s,
 * ... on Linux) and the client answers each with the same ACK again:
 * those copies are dropped, the held original goes at release.  A
 * SYN-cookie SYN-ACK is not retransmitted and its cookie stays good
 * for minutes, far longer than any pause.
 *
 * hold = greeting: the greeting is held for the greet pause (the
 * server's first payload segments are queued, not forwarded), then
 * released all at once.  A retransmitted copy of a held segment is
 * dropped: the held original is what the client gets.  Either way, a
 * greeting the server did send (a Fast Open server socket, a capture
 * taken without a gate) is held as here.
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
 * The test hands forward: it fills a struct ng_early_step and engine.c
 * draws the conclusion (tables, log events, releases), so nothing here
 * calls back into the engine.
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

#include "engine/early.h"

/*
 * How far past cli_nxt a believable client segment may start.  A SYN's
 * window is never scaled, so before any server ACK the client may not
 * send past 64 KiB; under test it has sent nothing the gate judged.
 */
#define CLI_WINDOW 65535u

/* seq_gt - a after b, modulo 2^32 (RFC 793). */
static int
seq_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* seq_in - lo <= x <= hi, modulo 2^32. */
static int
seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x - lo <= hi - lo;
}

/* seq_max - the later of a and b, modulo 2^32. */
static uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

/* step_clear - nothing concluded, the packet accepted, believed. */
static void
step_clear(struct ng_early_step *s)
{
	memset(s, 0, sizeof(*s));
	s->action = NG_ACCEPT;
	s->doubt = NG_UV_MAX;
}

/* doubted - a segment not believed: counted by the engine, flow unchanged. */
static void
doubted(struct ng_early_step *s, enum ng_unverified why, uint8_t action)
{
	s->doubt = (uint8_t)why;
	s->action = action;
}

/* concluded - the test is over for this packet's flow. */
static void
concluded(struct ng_early_step *s, enum ng_early_end end)
{
	s->end = (uint8_t)end;
}

/* ng_early_take_held - the held ids out, forgotten; accept releases. */
unsigned
ng_early_take_held(struct ng_early *t, uint8_t action,
    uint32_t ids[NG_HOLD_MAX])
{
	unsigned i, n = t->nheld;

	if (action == NG_ACCEPT && n > 0)
		t->srv_nxt = seq_max(t->srv_nxt, t->held_end);
	for (i = 0; i < n; i++)
		ids[i] = t->held_id[i];
	t->nheld = 0;
	return n;
}

/* ng_early_take_ack - the held handshake ACK's id out, forgotten. */
int
ng_early_take_ack(struct ng_early *t, uint32_t *id)
{
	if (!t->ack_held)
		return 0;
	*id = t->ack_id;
	t->ack_held = 0;
	return 1;
}

/* ng_early_start - the flow's SYN: keep its Fast Open data, unjudged. */
void
ng_early_start(struct ng_early *t, const struct ng_pkt *p)
{
	uint32_t n = p->paycap < NG_SYN_KEEP ? p->paycap : NG_SYN_KEEP;

	memset(t, 0, sizeof(*t));
	t->cli_isn = p->seq;
	t->cli_nxt = p->seq + 1;
	t->syn_len = (uint16_t)(p->paylen > UINT16_MAX ? UINT16_MAX :
	    p->paylen);
	memcpy(t->syn_first, p->payload, n);
	t->syn_nfirst = (uint8_t)n;
}

/* ng_early_other_syn - a SYN with another ISN: kept, counted, accepted. */
void
ng_early_other_syn(struct ng_early *t, const struct ng_pkt *p,
    struct ng_early_step *s)
{
	step_clear(s);
	t->have_alt = 1;
	t->alt_isn = p->seq;
	t->alt_len = (uint16_t)(p->paylen > UINT16_MAX ? UINT16_MAX :
	    p->paylen);
	doubted(s, NG_UV_SYN, NG_ACCEPT);
}

/* answers - does a SYN-ACK's ack answer the SYN with this ISN and data? */
static int
answers(uint32_t ack, uint32_t isn, uint16_t len)
{
	return ack == isn + 1 || (len > 0 && ack == isn + 1 + len);
}

/*
 * restart - the server took the other SYN: the old connection is gone
 * there, its held segments are dropped, and the test starts over from
 * that SYN.
 */
static void
restart(struct ng_early *t, struct ng_early_step *s)
{
	struct ng_early old = *t;

	s->ndropped = (uint8_t)ng_early_take_held(t, NG_DROP, s->dropped);
	if (ng_early_take_ack(t, &s->dropped[s->ndropped]))
		s->ndropped++;
	s->restarted = 1;
	memset(t, 0, sizeof(*t));
	t->cli_isn = old.alt_isn;
	t->cli_nxt = old.alt_isn + 1;
	t->syn_len = old.alt_len;
}

/* server_synack - keep the server's ISN from the answer to our SYN. */
static void
server_synack(struct ng_early *t, const struct ng_pkt *p,
    struct ng_early_step *s)
{
	if (t->have_alt && answers(p->ack, t->alt_isn, t->alt_len) &&
	    !answers(p->ack, t->cli_isn, t->syn_len))
		restart(t, s);
	/* Only the answer to our SYN, and the first one: keep the ISN. */
	if (t->have_isn || !answers(p->ack, t->cli_isn, t->syn_len))
		return;
	t->have_isn = 1;
	t->srv_isn = p->seq;
	t->srv_nxt = t->srv_max = t->held_end = p->seq + 1;
	t->cli_nxt = p->ack;
	t->tfo_acked = t->syn_len > 0 && p->ack != t->cli_isn + 1;
}

/*
 * client_rst - a client RST ends the test only at exactly cli_nxt;
 * anything else is the kernel's to ignore or challenge.
 */
static void
client_rst(struct ng_early *t, const struct ng_pkt *p,
    struct ng_early_step *s)
{
	if (p->seq != t->cli_nxt) {
		doubted(s, NG_UV_RST, NG_ACCEPT);
		return;
	}
	concluded(s, NG_EARLY_HANGUP);
	s->held_action = NG_DROP;
}

/* doubt - why a non-RST client segment is not believed, or NG_UV_MAX. */
static enum ng_unverified
doubt(const struct ng_early *t, const struct ng_pkt *p)
{
	if (p->flags & NG_TH_SYN)
		return NG_UV_SYN;
	if (!(p->flags & NG_TH_ACK) || !t->have_isn)
		return NG_UV_HANDSHAKE;
	if (p->seq - t->cli_nxt >= CLI_WINDOW)
		return NG_UV_SEQ;
	if (!seq_in(p->ack, t->srv_isn + 1, t->srv_max))
		return NG_UV_ACK;
	return NG_UV_MAX;
}

/* pregreet - the real client talked first: these are its bytes. */
static void
pregreet(struct ng_early_step *s, const uint8_t *first, uint32_t nfirst,
    uint32_t bytes)
{
	concluded(s, NG_EARLY_PREGREET);
	s->first = first;
	s->nfirst = nfirst;
	s->bytes = bytes;
}

/*
 * hold_ack - hold = handshake: keep the handshake ACK's id until the
 * pause runs out; a copy of it (the answer to a SYN-ACK retransmit) is
 * dropped.
 */
static void
hold_ack(struct ng_early *t, const struct ng_early_ctx *x,
    struct ng_early_step *s)
{
	if (t->ack_held) {
		s->retransmit = 1;
		s->action = NG_DROP;
		return;
	}
	if (t->release_at == 0)
		t->release_at = x->due;
	t->ack_held = 1;
	t->ack_id = x->id;
	s->hold = 1;
	s->action = NG_HOLD;
	s->hold_until = t->release_at;
}

/*
 * client_fin - the real client closed before passing.  Its ACK held,
 * the server must not see the FIN either (a FIN completes the handshake
 * there, and the MTA would log a client that never was): the FIN is
 * reset, the ACK dropped, and the server's request is reset at its next
 * SYN-ACK (engine.c keeps the flow killed).
 */
static void
client_fin(struct ng_early *t, struct ng_early_step *s)
{
	concluded(s, NG_EARLY_HANGUP);
	s->held_action = NG_ACCEPT;
	if (t->ack_held) {
		s->held_action = NG_DROP;
		s->action = NG_RESET;
	}
}

/* ng_early_client - judge a client segment of a flow under test. */
void
ng_early_client(struct ng_early *t, const struct ng_pkt *p,
    const struct ng_early_ctx *x, struct ng_early_step *s)
{
	enum ng_unverified why;
	uint32_t seen;
	int covers;

	step_clear(s);
	if ((p->flags & (NG_TH_RST | NG_TH_SYN)) == NG_TH_RST) {
		client_rst(t, p, s);
		return;
	}
	if ((why = doubt(t, p)) != NG_UV_MAX) {
		/*
		 * Dropped, FINs too: a real client's FIN is always believed,
		 * and an unbelieved one with a bad ack would make the
		 * server's listener answer with a RST of the bot's choosing.
		 */
		doubted(s, why, NG_DROP);
		return;
	}
	/* The sender knows the server's ISN: this is the real client.
	 * What it can have seen: all the server sent, in a capture. */
	seen = x->capture ? t->srv_max : t->srv_nxt;
	covers = seq_gt(p->ack, t->srv_isn + 1) && !seq_gt(p->ack, seen);
	if (p->paylen == 0 && !covers && p->ack != t->srv_isn + 1) {
		/* It acks greeting bytes it cannot have: proves nothing. */
		doubted(s, NG_UV_UNRELEASED, NG_DROP);
		return;
	}
	t->established = 1;
	if (t->tfo_acked)
		pregreet(s, t->syn_first, t->syn_nfirst, t->syn_len);
	else if (p->paylen > 0 && covers)
		concluded(s, NG_EARLY_PASS);
	else if (p->paylen > 0)
		pregreet(s, p->payload, p->paycap, p->paylen);
	else if (p->flags & NG_TH_FIN)
		client_fin(t, s);
	else if (covers)
		/*
		 * It acknowledged greeting bytes and said nothing before:
		 * the test is over (postscreen passes at the end of
		 * greet_wait too).  Passing at the ACK rather than at the
		 * first command spares a packet's trip to userspace.
		 */
		concluded(s, NG_EARLY_PASS);
	else if (x->hold_ack && !t->released)
		hold_ack(t, x, s);	/* ack == srv_isn + 1: the handshake */
}

/*
 * ng_early_old - a flow passed at its SYN from the pass cache.  Every
 * packet is accepted, as before; the SYN could be forged, though, so
 * the engine refreshes the entry and offloads the flow only at the
 * first client segment believed as any is here (CONFIRM): after the
 * SYN-ACK, acknowledging it, in the client's window (the handshake
 * ACK).  A forged SYN from a passed address thus changes no table.  Not
 * believed, a segment is counted and accepted.
 */
void
ng_early_old(struct ng_early *t, const struct ng_pkt *p, int from_client,
    struct ng_early_step *s)
{
	enum ng_unverified why;

	step_clear(s);
	if (!from_client) {
		if ((p->flags & (NG_TH_SYN | NG_TH_ACK)) ==
		    (NG_TH_SYN | NG_TH_ACK))
			server_synack(t, p, s);
		else if (t->have_isn)	/* the greeting goes straight out */
			t->srv_max = seq_max(t->srv_max, p->seq +
			    p->paylen + (p->flags & NG_TH_FIN ? 1 : 0));
		return;
	}
	if (p->flags & NG_TH_RST)
		why = p->seq == t->cli_nxt ? NG_UV_MAX : NG_UV_RST;
	else
		why = doubt(t, p);
	if (why != NG_UV_MAX) {
		doubted(s, why, NG_ACCEPT);
		return;
	}
	if (p->flags & NG_TH_RST)
		return;		/* the real client gave up: no refresh */
	concluded(s, NG_EARLY_CONFIRM);
}

/* is_retransmit - is seq a held segment's? */
static int
is_retransmit(const struct ng_early *t, uint32_t seq)
{
	unsigned i;

	for (i = 0; i < t->nheld; i++)
		if (t->held_seq[i] == seq)
			return 1;
	return 0;
}

/* hold - keep a greeting segment's id until the greeting is due. */
static void
hold(struct ng_early *t, const struct ng_pkt *p, uint32_t id,
    struct ng_early_step *s)
{
	if (is_retransmit(t, p->seq) || t->nheld == NG_HOLD_MAX) {
		/* The held copy goes out at release; the sender retries. */
		s->retransmit = 1;
		s->action = NG_DROP;
		return;
	}
	t->held_id[t->nheld] = id;
	t->held_seq[t->nheld] = p->seq;
	t->held_end = seq_max(t->held_end, p->seq + p->paylen);
	t->nheld++;
	s->hold = 1;
	s->action = NG_HOLD;
	s->hold_until = t->release_at;
}

/*
 * server_rst - the MTA gave up on the client: nothing left to judge, but
 * only for a RST inside what the server sent.  A listener answers a
 * segment with a bad ack (a bot's, in SYN_RECV) with a RST whose
 * sequence number is that ack: the bot's choice, and the half-open
 * connection stays, so such a RST must not end the test.
 */
static void
server_rst(struct ng_early *t, const struct ng_pkt *p,
    struct ng_early_step *s)
{
	if (t->have_isn && !seq_in(p->seq, t->srv_isn + 1, t->srv_max)) {
		doubted(s, NG_UV_RST, NG_ACCEPT);
		return;
	}
	concluded(s, NG_EARLY_SERVER_GONE);
}

/* ng_early_server - a server segment: note it, hold the greeting. */
void
ng_early_server(struct ng_early *t, const struct ng_pkt *p, uint32_t id,
    ng_usec now, ng_usec due, struct ng_early_step *s)
{
	uint32_t end = p->seq + p->paylen + (p->flags & NG_TH_FIN ? 1 : 0);

	step_clear(s);
	if ((p->flags & (NG_TH_SYN | NG_TH_ACK)) == (NG_TH_SYN | NG_TH_ACK)) {
		server_synack(t, p, s);
		return;
	}
	if (p->flags & NG_TH_RST) {
		server_rst(t, p, s);
		return;
	}
	if (t->have_isn)
		t->srv_max = seq_max(t->srv_max, end);
	if (p->paylen == 0)
		return;
	if (t->released) {
		t->srv_nxt = seq_max(t->srv_nxt, end);
		return;
	}
	if (t->release_at == 0)
		t->release_at = due;
	if (now >= t->release_at && t->nheld == 0) {
		t->released = 1;
		t->srv_nxt = seq_max(t->srv_nxt, end);
		return;
	}
	hold(t, p, id, s);
}
