/*
 * policy.c - what to do with a new connection, decided at its SYN.
 *
 * Precedence, strongest first:
 *   loopback and mynetworks > nolisting > allow > deny > penalty box >
 *   pass cache > country action > default.
 * An allow-listed client is never tested, so it passes even if it talks
 * early; a denied one is refused even if it once passed.  Greylisting
 * is a country (or default) action: the first SYN is reset, a retry
 * after greylist_delay and within greylist_window goes on to the
 * greeting test.
 */
#include <string.h>

#include "engine/engine_impl.h"

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

static void
greylist(struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    struct ng_syn_decision *d)
{
	struct ng_cache_entry *g = ng_cache_find(e->grey, a, now);

	if (g == NULL) {
		g = ng_cache_put(e->grey, a, now, e->cfg.greylist_window);
		if (g == NULL) {
			/* Full of live first tries (a flood): forgetting one
			 * would make a real MTA's retry new again, so this
			 * sender gets the greeting test instead (fail open). */
			e->st.greylist_full++;
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
	if (now - g->first < e->cfg.greylist_delay) {
		set(d, NG_EV_GREYLIST, NG_DEC_GREYLIST, NG_RESET, "early retry");
		return;
	}
	set(d, NG_EV_GREYLIST_PASS, NG_DEC_NONE, NG_ACCEPT, "greylist");
	d->test = 1;
}

static void
country(struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    struct ng_syn_decision *d)
{
	uint8_t act = ng_config_country_action(&e->cfg, d->cc);
	const char *why = "country";

	if (act == NG_ACT_NONE) {
		act = e->cfg.default_action;
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
		greylist(e, a, now, d);
		break;
	default:
		set(d, NG_EV_CONNECT, NG_DEC_NONE, NG_ACCEPT, "test");
		d->test = 1;
		break;
	}
}

void
ng_policy_syn(struct ng_engine *e, const struct ng_flow_key *k, ng_usec now,
    struct ng_syn_decision *d)
{
	const struct ng_addr *a = &k->caddr;
	struct ng_cache_entry *pc;

	memset(d, 0, sizeof(*d));
	if (e->geo.lookup != NULL)
		d->cc = e->geo.lookup(e->geo.ctx, a);
	/* Loopback and mynetworks: the host's own mail is never judged. */
	if (ng_config_never_judged(&e->cfg, a)) {
		set(d, NG_EV_ALLOWLISTED, NG_DEC_PASS, NG_ACCEPT, "mynetworks");
		return;
	}
	if (ng_cidr_list_match(&e->cfg.nolisting, &k->saddr)) {
		set(d, NG_EV_NOLISTING, NG_DEC_REJECT, NG_RESET, "nolisting");
		return;
	}
	if (ng_cidr_list_match(&e->cfg.allow, a)) {
		set(d, NG_EV_ALLOWLISTED, NG_DEC_PASS, NG_ACCEPT, "allow");
		return;
	}
	if (ng_cidr_list_match(&e->cfg.deny, a)) {
		if (e->cfg.deny_action == NG_ACT_DROP)
			set(d, NG_EV_DENYLISTED, NG_DEC_DROP, NG_DROP, "deny");
		else
			set(d, NG_EV_DENYLISTED, NG_DEC_REJECT, NG_RESET,
			    "deny");
		return;
	}
	if (e->cfg.pregreet_action == NG_PREGREET_RESET &&
	    ng_cache_find(e->penalty, a, now) != NULL) {
		set(d, NG_EV_PENALTY, NG_DEC_REJECT, NG_RESET, "penalty");
		return;
	}
	if ((pc = ng_cache_find(e->pass, a, now)) != NULL) {
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
	country(e, a, now, d);
}
