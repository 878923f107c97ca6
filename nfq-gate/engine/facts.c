/*
 * facts.c - what the gate knows of one client address, for the policy
 * service.
 *
 * Postfix asks at RCPT time, long after the gate decided the connection,
 * so the answer comes from the tables that outlive flows: the country
 * database, the pass cache, the greylist and the penalty box.  A pass
 * cache entry counts the client's passes: 1 means it proved itself on
 * its first connection (PASS NEW, "new"), more means it has come back
 * since and was let through from the cache (PASS OLD, "old").  The
 * rule is what the rules alone say at a SYN (ng_admit_rule), caches
 * aside, so a SpamAssassin rule can score "the gate would greylist this
 * owner" even for a client that passed long ago.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_impl.h"

/* score_fact - the last score of a, if its slot still holds it. */
static void
score_fact(const struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    struct ng_facts *f)
{
	const struct ng_score_seen *s;

	s = &e->seen[ng_score_seen_slot(e->cfg.hash_key, a)];
	if (s->when == 0 || ng_addr_cmp(&s->a, a) != 0 ||
	    now - s->when > e->cfg.pass_ttl)
		return;
	f->scored = 1;
	f->score = s->score;
}

/*
 * ng_engine_facts - country, ASN, owner, the rules' word, pass, greylist
 * and penalty of address a.
 */
void
ng_engine_facts(struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    struct ng_facts *f)
{
	struct ng_cache_entry *c;
	struct ng_where w;
	const char *kind;
	uint8_t act;

	memset(f, 0, sizeof(*f));
	memset(&w, 0, sizeof(w));
	if (e->geo.lookup != NULL)
		e->geo.lookup(e->geo.ctx, a, &w);
	ng_cc_str(w.cc, f->country);
	act = ng_admit_rule(&e->cfg, a, &w, &kind);
	snprintf(f->rule, sizeof(f->rule), "%s(%s)", ng_rule_action_name(act),
	    kind);
	f->asn = w.asn;
	f->owner = NULL;
	if (w.owner != 0 && e->geo.owner_name != NULL)
		f->owner = e->geo.owner_name(e->geo.ctx, w.owner);
	c = ng_cache_find(e->pass, a, now);
	f->pass = c == NULL ? "none" : c->count > 1 ? "old" : "new";
	c = ng_cache_find(e->grey, a, now);
	if (c == NULL)
		f->grey = "none";
	else
		f->grey = now - c->first < e->cfg.greylist_delay ? "wait" :
		    "pass";
	c = ng_cache_find(e->penalty, a, now);
	f->pregreet = c == NULL ? 0 : c->count;
	f->throttled = ng_throttle_resets(e->throttle, a, now);
	score_fact(e, a, now, f);
}
