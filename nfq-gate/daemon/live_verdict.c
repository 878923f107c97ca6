/*
 * live_verdict.c - a queued packet in, its verdict out: the engine's
 * answer turned into a netlink verdict, the packet and connection marks
 * that go with it, and the held packets the engine releases.
 *
 * Apart from the loop because this is the hot path and the one place
 * that knows what each verdict means to the kernel and the rules.
 */
#include <linux/netfilter.h>
#include <string.h>

#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/conntrack.h"
#include "daemon/live_impl.h"
#include "daemon/rulecheck.h"
#include "engine/packet.h"

/*
 * send_verdict - one engine verdict to the kernel.  mark is the packet's
 * current mark when we have it (the packet in hand), 0 for a released id.
 */
static void
send_verdict(struct live *l, uint32_t id, uint8_t action, uint8_t offload,
    uint32_t mark)
{
	ng_log(LOG_DEBUG, "verdict id %u: action %u offload %u", id, action,
	    offload);
	switch (action) {
	case NG_DROP:
		ng_nfq_verdict(l->q, id, NF_DROP, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_DROP);
		break;
	case NG_RESET:
		if (!(l->rules_found & NG_RULES_RESET)) {
			/*
			 * No reject rule was seen to catch the mark (gone,
			 * never loaded, or not looked for): the mark would
			 * RETURN and the packet be accepted.  Drop it; TCP
			 * retransmits and is refused again.
			 */
			ng_nfq_verdict(l->q, id, NF_DROP, 0, 0, 0, 0);
			ng_stats_verdict(&l->st, NG_SV_DROP);
			break;
		}
		/* Back through the hook: the REJECT rule sees the mark. */
		ng_nfq_verdict(l->q, id, NF_REPEAT, 1,
		    mark | l->cfg.mark_reset, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_RESET);
		break;
	default:
		if (offload) {
			/* Without glue, mark_passed() sets the connmark;
			 * with it, the test bit goes too: decided now. */
			ng_nfq_verdict(l->q, id, NF_ACCEPT, 0, 0,
			    l->cfg.mark_pass, ng_nfq_ct_glue(l->q) ?
			    l->cfg.mark_pass | l->cfg.mark_test : 0);
			ng_stats_verdict(&l->st, NG_SV_OFFLOAD);
		} else {
			ng_nfq_verdict(l->q, id, NF_ACCEPT, 0, 0, 0, 0);
			ng_stats_verdict(&l->st, NG_SV_ACCEPT);
		}
		break;
	}
}

/*
 * ct_mark_pkt - a ctnetlink update of the connmark bits under mask for
 * the connection of the packet in hand, queued after its verdict (which
 * confirms a SYN's conntrack entry first).  Conntrack finds the entry
 * by the tuple of either direction, so the packet's own one will do.
 */
static void
ct_mark_pkt(struct live *l, const struct ng_nfq_pkt *p, uint32_t mark,
    uint32_t mask)
{
	struct ng_nfq_tuple t;
	struct ng_pkt k;

	if (ng_pkt_parse(&k, p->data, p->caplen, p->wirelen) != NG_PKT_OK)
		return;
	memset(&t, 0, sizeof(t));
	t.family = k.src.family;
	memcpy(t.src, k.src.b, 16);
	memcpy(t.dst, k.dst.b, 16);
	t.sport = k.sport;
	t.dport = k.dport;
	ng_nfq_ct_mark(l->q, &t, mark, mask);
}

/*
 * test_verdict - accept, and set (on a SYN going under test) or clear
 * (on a packet of a flow the engine does not know) the connmark's test
 * bit.  Set, the rules' packet cap skips the connection, so junk
 * segments on its 4-tuple, which conntrack counts too, cannot push it
 * out of the queue before it is judged.  Cleared, a flow the engine
 * forgot while under test (evicted, expired, lost in a restart) is
 * under the cap again and stops being queued: fail open, and never
 * queued for ever.  Clearing gives no pass: a bot that makes a fresh
 * 4-tuple "midstream" with a stray ACK gets no mark its SYN could
 * reuse, and a spoofer cannot clear the bit of a real flow under test,
 * since a flow the engine knows is never midstream, forged packets
 * included.
 */
static void
test_verdict(struct live *l, const struct ng_nfq_pkt *p, int set)
{
	uint32_t mark = set ? l->cfg.mark_test : 0;

	if (ng_nfq_ct_glue(l->q))
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, mark,
		    l->cfg.mark_test);
	else {
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, 0, 0);
		ct_mark_pkt(l, p, mark, l->cfg.mark_test);
	}
	ng_stats_verdict(&l->st, NG_SV_ACCEPT);
}

/*
 * live_send_releases - the verdicts of the held packets the engine
 * releases; before the packet in hand's: they are older packets.
 */
void
live_send_releases(struct live *l, const struct ng_out *o)
{
	unsigned i;

	for (i = 0; i < o->nrel; i++) {
		send_verdict(l, o->rel[i].id, o->rel[i].action,
		    o->rel[i].offload, 0);
		l->st.releases++;
	}
}

/*
 * is_rst - 1 when p is a TCP RST.
 *
 * A reset verdict on a packet that is itself a RST would only drop it
 * (REJECT never answers a RST).  In local-MTA mode the RSTs our REJECT
 * rule sends to a killed flow's client leave through OUTPUT and come
 * back to us; they must go through, or the client never learns.
 */
static int
is_rst(const struct ng_nfq_pkt *p)
{
	struct ng_pkt k;

	return ng_pkt_parse(&k, p->data, p->caplen, p->wirelen) == NG_PKT_OK &&
	    (k.flags & NG_TH_RST) != 0;
}

/*
 * live_on_packet - one queued packet: the engine's verdict on it, after
 * the releases it caused and before its events.
 */
void
live_on_packet(const struct ng_nfq_pkt *p, void *arg)
{
	struct live *l = arg;

	/*
	 * Our reset mark came back: no REJECT rule caught the repeated
	 * packet.  Judging it again would repeat it forever; drop it.
	 */
	if (l->cfg.mark_reset != 0 &&
	    (p->mark & l->cfg.mark_reset) == l->cfg.mark_reset) {
		ng_nfq_verdict(l->q, p->id, NF_DROP, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_DROP);
		if (l->st.reset_loops++ == 0)
			ng_log(LOG_WARNING, "a packet with the reset mark 0x%x "
			    "was queued again: is the REJECT rule before the "
			    "NFQUEUE rule?", l->cfg.mark_reset);
		return;
	}
	if (p->data == NULL) {		/* nothing to judge: fail open */
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_ACCEPT);
		return;
	}
	ng_engine_packet(l->e, p->data, p->caplen, p->wirelen, p->id,
	    ng_clock_now(), &l->out);
	live_send_releases(l, &l->out);
	if (l->out.v.action == NG_RESET && is_rst(p))
		l->out.v.action = NG_ACCEPT;
	if (l->out.v.action == NG_HOLD)
		ng_stats_verdict(&l->st, NG_SV_HOLD);
	else if (l->out.v.action == NG_ACCEPT && !l->out.v.offload &&
	    (l->out.v.test || l->out.v.midstream) && l->cfg.mark_test != 0)
		test_verdict(l, p, l->out.v.test);
	else
		send_verdict(l, p->id, l->out.v.action, l->out.v.offload,
		    p->mark);
	/* A PASS OLD flow confirmed, or a released flow greeted: without
	 * glue, ctnetlink offloads it. */
	if (l->out.v.confirm && !ng_nfq_ct_glue(l->q))
		ct_mark_pkt(l, p, l->cfg.mark_pass, l->cfg.mark_pass |
		    l->cfg.mark_test);
	if (l->out.v.confirm)	/* the pass entry refreshed: shared */
		live_share_confirm(l, p);
	live_handle_events(l, &l->out);
}
