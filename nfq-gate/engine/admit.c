/*
 * admit.c - what to do with a new connection, decided at its SYN.
 *
 * Precedence, strongest first:
 *   loopback and mynetworks > nolisting > allow > deny > penalty box >
 *   trap_mx > pass cache > country action > default.
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

/* country - the client's country rule, or the default action. */
static void
country(const struct ng_admit *ad, const struct ng_addr *a, ng_usec now,
    struct ng_syn_decision *d)
{
	uint8_t act = ng_settings_country_action(ad->cfg, d->cc);
	const char *why = "country";

	if (act == NG_ACT_NONE) {
		act = ad->cfg->default_action;
		why = "default";
	}
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
		set(d, NG_EV_CONNECT, NG_DEC_NONE, NG_ACCEPT, "test");
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
		return;
	}
	if (ng_cidr_list_match(&ad->cfg->nolisting, &k->saddr)) {
		set(d, NG_EV_NOLISTING, NG_DEC_REJECT, NG_RESET, "nolisting");
		return;
	}
	if (ng_cidr_list_match(&ad->cfg->allow, a)) {
		set(d, NG_EV_ALLOWLISTED, NG_DEC_PASS, NG_ACCEPT, "allow");
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
		return;
	}
	country(ad, a, now, d);
}
