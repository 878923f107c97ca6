/*
 * admit.c - what to do with a new connection, decided at its SYN.
 *
 * Precedence, strongest first:
 *   loopback and mynetworks > nolisting > allow > deny > penalty box >
 *   trap_mx > pass cache > asn and owner rules > country action >
 *   default.
 * The asn and owner rules are tried in the order written and the first
 * that matches decides; one with "in CC" matches only in those
 * countries.  A database answer without an ASN (or owner) matches no
 * asn (or owner) rule.  Owner patterns were run over every owner string
 * when the database or the config was loaded: here a rule only reads a
 * bit (ng_where.owner_bits).
 * A SYN these rules accept is then held to its client's connection
 * limits (engine.c's throttle_syn(), throttle.c): the decision says
 * whose limits apply (thr_class), and never for loopback, mynetworks or
 * a trap_mx address.
 * A SYN to a trap_mx address is let through to the server: only the
 * handshake that follows can tell the real client (trap.c), and a rule
 * that would pass mail has nothing to pass there.
 * An allow-listed client is never tested, so it passes even if it talks
 * early; a denied one is refused even if it once passed.  Greylisting
 * is a country (or default) action: the first SYN is reset, a retry
 * after greylist_delay and within greylist_window goes on to the
 * greeting test.
 */
#include <string.h>

#include "base/panic.h"
#include "engine/admit.h"
#include "engine/trap.h"

/* set - the decision: its event, verdict, SYN action and reason. */
static void
set(struct ng_syn_decision *d, uint8_t event, uint8_t decision,
    uint8_t action, const char *reason)
{
	d->event = event;
	d->decision = decision;
	d->action = action;
	d->reason = reason;
	d->offload = action == NG_ACCEPT && decision == NG_DEC_PASS;
	d->test = 0;
}

/* greylist - a first try is reset and remembered, a retry in time tested. */
static void
greylist(const struct ng_admit *ad, const struct ng_addr *a, ng_usec now,
    struct ng_syn_decision *d)
{
	struct ng_cache_entry *g = ng_cache_find(ad->grey, a, now);

	if (g == NULL) {
		g = ng_cache_put(ad->grey, a, now, ad->cfg->greylist_window);
		if (g == NULL) {
			/* Full of live first tries (a flood): forgetting one
			 * would make a real MTA's retry new again, so this
			 * sender gets the greeting test instead (fail open). */
			d->greylist_full = 1;
			set(d, NG_EV_CONNECT, NG_DEC_NONE, NG_ACCEPT,
			    "greylist full");
			d->test = 1;
			return;
		}
		g->count = 1;
		set(d, NG_EV_GREYLIST, NG_DEC_GREYLIST, NG_RESET, "new");
		return;
	}
	g->count++;
	if (now - g->first < ad->cfg->greylist_delay) {
		set(d, NG_EV_GREYLIST, NG_DEC_GREYLIST, NG_RESET, "early retry");
		return;
	}
	set(d, NG_EV_GREYLIST_PASS, NG_DEC_NONE, NG_ACCEPT, "greylist");
	d->test = 1;
}

/*
 * by_network - the first matching asn or owner rule (into *net), else
 * the country rule, else the default: the action, and its kind in *kind
 * ("asn", "owner", "country" or "default").
 */
static uint8_t
by_network(const struct ng_settings *s, const struct ng_where *w,
    const char **kind, const struct ng_net_rule **net)
{
	const struct ng_net_rule *r = ng_settings_net_rule(s, w);
	uint8_t act;

	*net = r;
	if (r != NULL) {
		*kind = r->kind == NG_NET_ASN ? "asn" : "owner";
		return r->action;
	}
	act = ng_settings_country_action(s, w->cc);
	*kind = act == NG_ACT_NONE ? "default" : "country";
	return act == NG_ACT_NONE ? s->default_action : act;
}

/* ng_admit_rule - what the rules say of a, caches aside (admit.h). */
uint8_t
ng_admit_rule(const struct ng_settings *s, const struct ng_addr *a,
    const struct ng_where *w, const char **kind)
{
	const struct ng_net_rule *net;

	if (ng_settings_never_judged(s, a)) {
		*kind = "mynetworks";
		return NG_ACT_PASS;
	}
	if (ng_cidr_list_match(&s->allow, a)) {
		*kind = "allow";
		return NG_ACT_PASS;
	}
	if (ng_cidr_list_match(&s->deny, a)) {
		*kind = "deny";
		return s->deny_action == NG_ACT_DROP ? NG_ACT_DROP :
		    NG_ACT_REJECT;
	}
	return by_network(s, w, kind, &net);
}

/*
 * country - the client's asn or owner rule, country rule, or the default
 * action.
 */
static void
country(const struct ng_admit *ad, const struct ng_addr *a, ng_usec now,
    struct ng_syn_decision *d)
{
	const struct ng_net_rule *net;
	const char *why;
	uint8_t act = by_network(ad->cfg, &d->where, &why, &net);

	/* The reason names the asn or owner line that decided. */
	if (net != NULL)
		d->rule = why = net->name;
	switch (act) {
	case NG_ACT_PASS:
		set(d, NG_EV_COUNTRY_PASS, NG_DEC_PASS, NG_ACCEPT, why);
		break;
	case NG_ACT_REJECT:
		set(d, NG_EV_REJECT, NG_DEC_REJECT, NG_RESET, why);
		break;
	case NG_ACT_DROP:
		set(d, NG_EV_DROP, NG_DEC_DROP, NG_DROP, why);
		break;
	case NG_ACT_GREYLIST:
		greylist(ad, a, now, d);
		break;
	case NG_ACT_TEST:
		set(d, NG_EV_CONNECT, NG_DEC_NONE, NG_ACCEPT,
		    d->rule != NULL ? d->rule : "test");
		d->test = 1;
		break;
	default:
		/* The config parser knows no other action. */
		ng_panic("%s: rule action %u", __func__, act);
	}
}

/* ng_admit_syn - the SYN's decision, strongest rule first. */
void
ng_admit_syn(const struct ng_admit *ad, const struct ng_flow_key *k,
    ng_usec now, struct ng_syn_decision *d)
{
	const struct ng_addr *a = &k->caddr;
	struct ng_cache_entry *pc;
	int trap;

	memset(d, 0, sizeof(*d));
	if (ad->geo->lookup != NULL) {
		ad->geo->lookup(ad->geo->ctx, a, &d->where);
		d->cc = d->where.cc;
	}
	/* Every SYN, whatever the rules say of it, is a contact or not. */
	trap = ad->cfg->trap_mx.n > 0 && ng_trap_syn(ad->contacts, ad->cfg,
	    a, &k->saddr, now);
	/* Loopback and mynetworks: the host's own mail is never judged. */
	if (ng_settings_never_judged(ad->cfg, a)) {
		set(d, NG_EV_ALLOWLISTED, NG_DEC_PASS, NG_ACCEPT, "mynetworks");
		d->thr_class = NG_THR_CLASSES;
		return;
	}
	if (ng_cidr_list_match(&ad->cfg->nolisting, &k->saddr)) {
		set(d, NG_EV_NOLISTING, NG_DEC_REJECT, NG_RESET, "nolisting");
		return;
	}
	if (ng_cidr_list_match(&ad->cfg->allow, a)) {
		set(d, NG_EV_ALLOWLISTED, NG_DEC_PASS, NG_ACCEPT, "allow");
		d->thr_class = NG_THR_ALLOW;
		return;
	}
	if (ng_cidr_list_match(&ad->cfg->deny, a)) {
		if (ad->cfg->deny_action == NG_ACT_DROP)
			set(d, NG_EV_DENYLISTED, NG_DEC_DROP, NG_DROP, "deny");
		else
			set(d, NG_EV_DENYLISTED, NG_DEC_REJECT, NG_RESET,
			    "deny");
		return;
	}
	if (ad->cfg->pregreet_action == NG_PREGREET_RESET &&
	    ng_cache_find(ad->penalty, a, now) != NULL) {
		set(d, NG_EV_PENALTY, NG_DEC_REJECT, NG_RESET, "penalty");
		return;
	}
	if (trap) {
		set(d, NG_EV_CONNECT, NG_DEC_NONE, NG_ACCEPT, "trap");
		d->test = 1;
		d->trap = 1;
		d->thr_class = NG_THR_CLASSES;	/* reset at its handshake */
		return;
	}
	if ((pc = ng_cache_find(ad->pass, a, now)) != NULL) {
		/*
		 * The decision, but anyone can send this SYN: the entry's
		 * recency and count ("old" to the policy service) are
		 * refreshed, and the flow offloaded, only when the
		 * handshake completes in a believed way (ng_early_old).
		 */
		set(d, NG_EV_PASS_OLD, NG_DEC_PASS, NG_ACCEPT, "pass cache");
		d->offload = 0;
		d->old = 1;
		d->thr_class = NG_THR_PASSED;
		return;
	}
	country(ad, a, now, d);
}
