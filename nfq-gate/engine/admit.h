/*
 * admit.h - what to do with a new connection, decided at its SYN.
 *
 * The rules (allow, deny, nolisting, trap_mx, country, default), the
 * penalty box, the pass cache and the greylist decide before any test
 * runs; the contacts the trap MX needs are remembered here too.  Like the
 * greeting test this hands forward: it reads the settings and tables it
 * is given and fills a struct ng_syn_decision; engine.c logs it, counts
 * it and starts the flow.
 */
#ifndef NG_ADMIT_H
#define NG_ADMIT_H

#include <stdint.h>

#include "base/timeval.h"
#include "base/where.h"
#include "engine/cache.h"
#include "engine/flow.h"
#include "engine/settings.h"
#include "engine/verdict.h"

/*
 * The netblock database's answer for an address (country, ASN, owner
 * and the owner patterns it matches), filled in by the database (or a
 * test); owner_name gives the owner's string for the policy service
 * (NULL, or NULL back: none).
 */
struct ng_geo {
	void (*lookup)(const void *ctx, const struct ng_addr *a,
	    struct ng_where *w);
	const char *(*owner_name)(const void *ctx, uint32_t owner);
	const void *ctx;
};

/* What the decision reads, and the greylist and contacts it writes. */
struct ng_admit {
	const struct ng_settings *cfg;
	const struct ng_geo *geo;
	struct ng_cache *pass, *penalty, *grey, *contacts;
};

/* What the rules say at the SYN, before any test. */
struct ng_syn_decision {
	uint8_t event;		/* enum ng_event_type */
	uint8_t decision;	/* enum ng_decision */
	uint8_t action;		/* enum ng_action for the SYN */
	uint8_t offload;
	uint8_t test;		/* run the greeting test */
	uint8_t old;		/* PASS OLD: confirm at the handshake */
	uint8_t greylist_full;	/* a new sender tested, not greylisted */
	uint8_t trap;		/* to a trap_mx address: the trap's test */
	uint8_t thr_class;	/* enum ng_throttle_class whose limits
				 * apply; NG_THR_CLASSES: never throttled */
	const char *reason;
	const char *rule;	/* the asn or owner rule's name when one
				 * decided (settings.h), else NULL */
	uint16_t cc;
	struct ng_where where;	/* the database's answer (cc is where.cc) */
};

/*
 * What the rules alone say of client a whose database answer is w,
 * whatever the caches hold (the policy service's %r): the action
 * (enum ng_rule_action) and, in *kind, the rule's kind: "mynetworks",
 * "allow", "deny", "asn", "owner", "country" or "default".
 */
uint8_t ng_admit_rule(const struct ng_settings *s, const struct ng_addr *a,
    const struct ng_where *w, const char **kind);

void ng_admit_syn(const struct ng_admit *a, const struct ng_flow_key *k,
    ng_usec now, struct ng_syn_decision *d);

#endif
