/*
 * trap.h - the trap MX: who reached the fake highest MX without having
 * tried a real one first.
 *
 * Real MTAs walk a domain's MX records in order and reach the
 * highest-numbered one only after the others failed; many spam engines
 * try it first, hoping a backup MX filters less (spamd's -M, Project
 * Tarbaby).  So every SYN to another address of the site is remembered
 * for trap_window in the contacts table, and a client whose believed
 * handshake reaches a trap_mx address is judged by it.  Like the
 * greeting test this hands forward: it reads and writes only the table
 * it is given and fills a struct ng_trap_find; engine.c resets, boxes
 * and logs.
 */
#ifndef NG_TRAP_H
#define NG_TRAP_H

#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "engine/cache.h"
#include "engine/settings.h"
#include "engine/verdict.h"

/* What a trap hit is judged with. */
struct ng_trap_ctx {
	const struct ng_settings *cfg;
	struct ng_cache *contacts;
	ng_usec lost_at;	/* when contacts last lost a live entry to
				 * a new one; 0: never */
};

/* What it came to. */
struct ng_trap_find {
	uint8_t outcome;	/* enum ng_trap_outcome */
	ng_usec age;		/* NG_TRAP_EXCUSED: since the contact */
};

/*
 * The SYN of a flow from k->caddr to k->saddr, trap_mx set: 1 when the
 * server address is a trap; else the client's contact is remembered (its
 * entry's first is this SYN's time) and 0.
 */
int ng_trap_syn(struct ng_cache *contacts, const struct ng_settings *cfg,
    const struct ng_addr *client, const struct ng_addr *server, ng_usec now);

/* A believed handshake of client at a trap address: the outcome. */
void ng_trap_judge(const struct ng_trap_ctx *x, const struct ng_addr *client,
    ng_usec now, struct ng_trap_find *f);

/* The outcome's words in a log line and the JSON reason. */
const char *ng_trap_outcome_name(uint8_t outcome);

#endif
