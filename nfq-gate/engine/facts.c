/*
 * facts.c - what the gate knows of one client address, for the policy
 * service.
 *
 * Postfix asks at RCPT time, long after the gate decided the connection,
 * so the answer comes from the tables that outlive flows: the country
 * database, the pass cache, the greylist and the penalty box.  A pass
 * cache entry counts the client's passes: 1 means it proved itself on
 * its first connection (PASS NEW, "new"), more means it has come back
 * since and was let through from the cache (PASS OLD, "old").
 */
#include <string.h>

#include "engine/engine_impl.h"

/* ng_engine_facts - country, pass, greylist and penalty of address a. */
void
ng_engine_facts(struct ng_engine *e, const struct ng_addr *a, ng_usec now,
    struct ng_facts *f)
{
	struct ng_cache_entry *c;
	struct ng_where w;

	memset(f, 0, sizeof(*f));
	memset(&w, 0, sizeof(w));
	if (e->geo.lookup != NULL)
		e->geo.lookup(e->geo.ctx, a, &w);
	ng_cc_str(w.cc, f->country);
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
}
