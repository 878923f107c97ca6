/*
 * live_events.c - the engine's events: one log line each (within the
 * log budget), counted, and acted on: a pregreet or a trap penalty into
 * the nft penalty set, a pass into the connmark, a change into the next
 * state save.
 *
 * Apart from the verdicts because an event is about a connection, not
 * the packet in hand, and may come from a release or the timer.
 */
#include <errno.h>
#include <string.h>

#include "base/addr.h"
#include "base/log.h"
#include "daemon/conntrack.h"
#include "daemon/live_impl.h"

/*
 * penalize - ev's client into the nft penalty set.
 *
 * Queued, never waited for: nftset.c sends at the end of this turn of
 * the loop and reads the acks when its socket is readable.  A full
 * queue is counted; the engine's penalty box refuses the address anyway.
 */
static void
penalize(struct live *l, const struct ng_event *ev)
{
	char a[NG_ADDRSTRLEN];

	if (l->nft == NULL || ng_nftset_add(l->nft, &ev->client,
	    l->cfg.eng.penalty_ttl) == 0)
		return;
	if (!l->nft_logged)
		ng_log(LOG_WARNING, "nft penalty set: %s: queue full (%u "
		    "waiting), not added", ng_addr_format(&ev->client, a,
		    sizeof(a)), ng_nftset_pending(l->nft));
	l->nft_logged = 1;
}

/*
 * live_nft_failed - a batch the kernel refused or never acked: one line
 * a second at most.
 */
void
live_nft_failed(const struct ng_nftset_fail *f, void *arg)
{
	struct live *l = arg;
	char a[NG_ADDRSTRLEN];

	if (l->nft_logged)
		return;
	l->nft_logged = 1;
	ng_log(LOG_WARNING, "nft penalty set: %s%s: set %s: %s",
	    ng_addr_format(&f->first, a, sizeof(a)),
	    f->n > 1 ? " and others" : "", f->set,
	    f->err == ETIMEDOUT ? "no answer from the kernel" :
	    strerror(f->err));
}

/*
 * log_budget - 1 when ev's line may be written this second.
 *
 * A spoofed SYN flood would otherwise be copied line for line into
 * syslog.  Lines anyone can cause with a forged SYN share a budget of
 * log_rate a second; PASS NEW, PREGREET and TRAP need a completed
 * handshake, cannot be forged off-path, and are what admins and fail2ban
 * act on, so they are always written.  The counters see every event
 * either way.
 */
static int
log_budget(struct live *l, const struct ng_event *ev)
{
	if (ev->type == NG_EV_PASS_NEW || ev->type == NG_EV_PREGREET ||
	    ev->type == NG_EV_TRAP || l->cfg.log_rate == 0)
		return 1;
	if (l->log_used < l->cfg.log_rate) {
		l->log_used++;
		return 1;
	}
	l->log_suppressed++;
	l->st.log_suppressed++;
	return 0;
}

/*
 * live_log_budget_reset - once a second: a new budget, and a word on
 * what was left out.
 */
void
live_log_budget_reset(struct live *l)
{
	if (l->log_suppressed > 0)
		ng_log(LOG_WARNING, "%llu connection log lines suppressed in "
		    "the last second (log_rate %u)",
		    (unsigned long long)l->log_suppressed, l->cfg.log_rate);
	l->log_suppressed = 0;
	l->log_used = 0;
}

/*
 * log_event - one event logged (within the budget), counted and acted
 * on; the state to save is dirty from here.
 */
static void
log_event(struct live *l, const struct ng_event *ev)
{
	if (log_budget(l, ev)) {
		ng_event_format_line(ev, l->line, sizeof(l->line));
		ng_log(LOG_INFO, "%s", l->line);
	}
	ng_stats_event(&l->st, ev);
	switch (ev->type) {
	case NG_EV_PREGREET:
		if (ev->decision == NG_DEC_PREGREET && !ev->monitor)
			penalize(l, ev);
		l->urgent = 1;
		break;
	case NG_EV_TRAP:	/* penalised as a PREGREET is */
		if (ev->trap == NG_TRAP_PENALISED && !ev->monitor &&
		    l->cfg.eng.pregreet_action == NG_PREGREET_RESET)
			penalize(l, ev);
		l->urgent = 1;
		break;
	case NG_EV_PASS_NEW:
	case NG_EV_GREYLIST:
	case NG_EV_GREYLIST_PASS:
		l->urgent = 1;
		break;
	default:
		break;
	}
	l->dirty = 1;
}

/*
 * mark_passed - the pass connmark for a flow the engine passed.
 *
 * Without conntrack glue in the kernel, a flow's connmark is set by a
 * ctnetlink update when the engine logs its pass decision; the event
 * names the connection.  Queued after the verdict that confirms it.
 */
static void
mark_passed(struct live *l, const struct ng_event *ev)
{
	struct ng_nfq_tuple t;

	/* PASS OLD is offloaded at its handshake ACK, a released flow at
	 * its greeting (live_on_packet): the gate must see that first. */
	if (ng_nfq_ct_glue(l->q) || ev->decision != NG_DEC_PASS ||
	    ev->type == NG_EV_PASS_OLD || ev->watched)
		return;
	memset(&t, 0, sizeof(t));
	t.family = ev->client.family;
	memcpy(t.src, ev->client.b, 16);
	memcpy(t.dst, ev->server.b, 16);
	t.sport = ev->cport;
	t.dport = ev->sport;
	ng_nfq_ct_mark(l->q, &t, l->cfg.mark_pass, l->cfg.mark_pass |
	    l->cfg.mark_test);
}

/* live_handle_events - each event of o, in order. */
void
live_handle_events(struct live *l, const struct ng_out *o)
{
	unsigned i;

	for (i = 0; i < o->nev; i++) {
		log_event(l, &o->ev[i]);
		live_dns_event(l, &o->ev[i]);
		mark_passed(l, &o->ev[i]);
		live_share_event(l, &o->ev[i]);
	}
}
