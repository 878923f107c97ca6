/*
 * trap.c - the trap MX: the contacts table and the judgement of a hit
 * (trap.h).
 *
 * Why the hit is the believed handshake ACK and not the SYN: anyone can
 * forge a SYN from any address, so a SYN to the trap proves nothing
 * about its source; the ACK that acknowledges exactly the server's ISN
 * + 1 (early.c) comes from the host that received the SYN-ACK, the real
 * client.  The contacts, on the other hand, are put at the SYN: forging
 * one only excuses its address, never penalises anyone.
 *
 * Fail open: a flood of forged SYNs to the real MX can push real
 * contacts out of the table (a plain LRU of contacts_max).  While the
 * table has lost a live entry within trap_window, a hit with no contact
 * is not penalised: its contact may be the one lost.
 */
#include <string.h>

#include "engine/trap.h"

static const char *outcome_names[NG_TRAP_OUTCOME_MAX] = {
	"penalised", "excused", "contacts table flooded", "pending"
};

/* ng_trap_outcome_name - "penalised", "excused", ...; "?" past the last. */
const char *
ng_trap_outcome_name(uint8_t outcome)
{
	return outcome < NG_TRAP_OUTCOME_MAX ? outcome_names[outcome] : "?";
}

/* ng_trap_syn - a trap's SYN (1), or a contact remembered (0). */
int
ng_trap_syn(struct ng_cache *contacts, const struct ng_settings *cfg,
    const struct ng_addr *client, const struct ng_addr *server, ng_usec now)
{
	struct ng_cache_entry *c;

	if (ng_cidr_list_match(&cfg->trap_mx, server))
		return 1;
	if ((c = ng_cache_put(contacts, client, now, cfg->trap_window)) !=
	    NULL) {
		c->first = now;		/* the latest contact */
		c->count++;
	}
	return 0;
}

/*
 * ng_trap_judge - excused by a contact within trap_window (a reload may
 * have shortened it since the entry was put), not penalised while the
 * table may have lost it, pending when the shared state decides, else
 * penalised.
 */
void
ng_trap_judge(const struct ng_trap_ctx *x, const struct ng_addr *client,
    ng_usec now, struct ng_trap_find *f)
{
	const struct ng_cache_entry *c = ng_cache_find(x->contacts, client,
	    now);
	ng_usec window = x->cfg->trap_window;

	memset(f, 0, sizeof(*f));
	if (c != NULL)
		f->age = now > c->first ? now - c->first : 0;
	if (c != NULL && f->age <= window)
		f->outcome = NG_TRAP_EXCUSED;
	else if (x->lost_at != 0 && (now <= x->lost_at ||
	    now - x->lost_at <= window))
		f->outcome = NG_TRAP_UNSURE;
	else if (x->cfg->trap_defer)
		f->outcome = NG_TRAP_PENDING;
	else
		f->outcome = NG_TRAP_PENALISED;
	if (f->outcome != NG_TRAP_EXCUSED)
		f->age = 0;
}
