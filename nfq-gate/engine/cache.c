/*
 * cache.c - fixed-capacity address tables with expiry.
 *
 * Open hashing with chains through entry indices and LRU lists by last
 * refresh (slots.h, shared with the flow table); every operation is O(1)
 * and all memory is allocated up front.  The hash is SipHash under the
 * key the table is made with (the engine's, which the front-end draws
 * from getrandom()), so a flooder cannot aim its addresses at one chain.
 * Expired entries stay in place until they are refreshed, reused,
 * evicted or swept; find and walk treat them as absent.  A full table
 * sweeps SWEEP_STEP slots on every new entry, a cursor going round the
 * slots, and frees the expired ones it meets, so an expired entry in
 * the middle of a list (PASS OLD reorders without extending expiry; a
 * reload can shorten a TTL) is given back within capacity / SWEEP_STEP
 * new entries instead of staying while live ones are evicted or
 * refused.  Bounded work, never a walk of the table.
 *
 * What a full table gives up is chosen per table, because anyone who
 * can forge a source address can fill one:
 *   - plain LRU (the penalty box): the least recently refreshed entry
 *     goes.  Each table uses one TTL, so that is also the entry that
 *     expires soonest.
 *   - segmented LRU (the pass cache): new entries go on probation; a hit
 *     (ng_cache_touch) moves one to the protected segment, at most
 *     protect_max entries, whose own tail drops back to probation's
 *     head.  Eviction takes probation's tail, so a burst of one-off
 *     entries only ever pushes out other one-off entries, never the
 *     senders that keep coming back.
 *   - admission control (the greylist): a full table whose oldest entry
 *     is still live refuses the new address (put returns NULL) instead
 *     of forgetting an entry someone may be about to use.
 * In every mode an expired entry is reused first: one the sweep freed,
 * or one within VICTIM_LOOK entries of a list's tail.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cache.h"
#include "engine/slots.h"

#define SWEEP_STEP 8	/* slots looked at per new entry into a full table */
#define VICTIM_LOOK 8	/* entries from a tail searched for an expired one */

/* The list a slot is on: its segment, or none. */
enum { FREE = 0, PROBATION, PROTECTED };

struct slot {
	struct ng_cache_entry e;	/* first: touch finds the slot */
	struct ng_link link;		/* its chain and list (slots.h) */
	uint8_t list;			/* FREE, PROBATION or PROTECTED */
};

struct ng_cache {
	struct slot *v;
	struct ng_slots s;		/* chains, free slots, hash key */
	struct ng_list lists[3];	/* by segment; FREE unused */
	uint32_t protect_max;		/* 0: one plain LRU list */
	uint32_t cursor;		/* the sweep's next slot */
	int admit;			/* refuse rather than evict live */
	unsigned prefix4, prefix6;
	uint64_t evictions, refused;
	ng_usec now;			/* latest time seen, for walk */
};

/* bucket_of - the chain of a masked address. */
static uint32_t
bucket_of(const struct ng_cache *c, const struct ng_addr *k)
{
	return ng_chain_of(&c->s, ng_addr_hash(k, c->s.key));
}

/* masked - a's key in this table: its prefix for the family. */
static struct ng_addr
masked(const struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = *a;

	ng_addr_mask(&k, k.family == 6 ? c->prefix6 : c->prefix4);
	return k;
}

/* ng_cache_table_new - an empty plain-LRU table hashed under key. */
struct ng_cache *
ng_cache_table_new(unsigned capacity, unsigned prefix4, unsigned prefix6,
    const uint8_t key[16])
{
	struct ng_cache *c;
	int l;

	if (capacity < 1 || capacity > (1u << 26))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->v = ng_slots_init(&c->s, capacity, sizeof(*c->v),
	    offsetof(struct slot, link), key);
	if (c->v == NULL) {
		free(c);
		return NULL;
	}
	for (l = 0; l < 3; l++)
		ng_list_init(&c->lists[l]);
	ng_cache_set_prefix(c, prefix4, prefix6);
	return c;
}

/* ng_cache_free - give back the table and its entries. */
void
ng_cache_free(struct ng_cache *c)
{
	if (c == NULL)
		return;
	ng_slots_fini(&c->s);
	free(c);
}

/* ng_cache_set_segments - protect up to max entries that were hit. */
void
ng_cache_set_segments(struct ng_cache *c, unsigned protect_max)
{
	c->protect_max = protect_max < c->s.cap ? protect_max :
	    c->s.cap - 1;
}

/* ng_cache_set_admission - refuse new entries rather than evict live. */
void
ng_cache_set_admission(struct ng_cache *c, int on)
{
	c->admit = on != 0;
}

/*
 * ng_cache_set_prefix - the prefixes new lookups are masked to.  Entries
 * keep the keys they were made with, so a changed prefix simply stops
 * matching old entries.
 */
void
ng_cache_set_prefix(struct ng_cache *c, unsigned prefix4, unsigned prefix6)
{
	c->prefix4 = prefix4 > 32 ? 32 : prefix4;
	c->prefix6 = prefix6 > 128 ? 128 : prefix6;
}

/* ng_cache_prefix - the prefixes new lookups are masked to. */
void
ng_cache_prefix(const struct ng_cache *c, unsigned *prefix4,
    unsigned *prefix6)
{
	*prefix4 = c->prefix4;
	*prefix6 = c->prefix6;
}

/* ng_cache_prefix_for - the prefix c keys a's family with. */
unsigned
ng_cache_prefix_for(const struct ng_cache *c, const struct ng_addr *a)
{
	return a->family == 6 ? c->prefix6 : c->prefix4;
}

/* lru_unlink - take slot i off its segment's list. */
static void
lru_unlink(struct ng_cache *c, uint32_t i)
{
	ng_list_unlink(&c->s, &c->lists[c->v[i].list], i);
}

/* lru_push - put slot i at the head (newest end) of segment seg. */
static void
lru_push(struct ng_cache *c, uint32_t i, uint8_t seg)
{
	c->v[i].list = seg;
	ng_list_push(&c->s, &c->lists[seg], i);
}

/* saw_time - remember the latest time, which walk treats as now. */
static void
saw_time(struct ng_cache *c, ng_usec now)
{
	if (now > c->now)
		c->now = now;
}

/* expiry - now + ttl, pinned at NG_NEVER rather than wrapping round. */
static ng_usec
expiry(ng_usec now, ng_usec ttl)
{
	return ttl > NG_NEVER - now ? NG_NEVER : now + ttl;
}

/* lookup - the slot holding masked key k, or NG_NIL. */
static uint32_t
lookup(const struct ng_cache *c, const struct ng_addr *k)
{
	uint32_t i;

	for (i = ng_chain_first(&c->s, bucket_of(c, k)); i != NG_NIL;
	    i = ng_chain_next(&c->s, i))
		if (ng_addr_cmp(&c->v[i].e.key, k) == 0)
			return i;
	return NG_NIL;
}

/* remove_slot - unchain slot i, unlink it and give it back. */
static void
remove_slot(struct ng_cache *c, uint32_t i)
{
	ng_chain_del(&c->s, i, bucket_of(c, &c->v[i].e.key));
	lru_unlink(c, i);
	c->v[i].list = FREE;
	ng_slots_give(&c->s, i);
}

/* ng_cache_find - the live entry covering a, without touching it. */
struct ng_cache_entry *
ng_cache_find(struct ng_cache *c, const struct ng_addr *a, ng_usec now)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);

	saw_time(c, now);
	if (i == NG_NIL || c->v[i].e.expires <= now)
		return NULL;
	return &c->v[i].e;
}

/* promote - a hit: to the protected head, its tail back to probation. */
static void
promote(struct ng_cache *c, uint32_t i)
{
	uint32_t d;

	lru_unlink(c, i);
	if (c->protect_max == 0) {
		lru_push(c, i, PROBATION);
		return;
	}
	if (c->lists[PROTECTED].n >= c->protect_max) {
		d = c->lists[PROTECTED].tail;
		lru_unlink(c, d);
		lru_push(c, d, PROBATION);
	}
	lru_push(c, i, PROTECTED);
}

/* ng_cache_touch - find a's live entry and count it as used again. */
struct ng_cache_entry *
ng_cache_touch(struct ng_cache *c, const struct ng_addr *a, ng_usec now)
{
	struct ng_cache_entry *e = ng_cache_find(c, a, now);

	/* The entry is the first member of its slot. */
	if (e != NULL)
		promote(c, (uint32_t)((struct slot *)(void *)e - c->v));
	return e;
}

/* expired_near_tail - an expired entry near a segment's tail, or NG_NIL. */
static uint32_t
expired_near_tail(const struct ng_cache *c, unsigned seg, ng_usec now)
{
	uint32_t i = c->lists[seg].tail;
	unsigned k;

	for (k = 0; i != NG_NIL && k < VICTIM_LOOK;
	    k++, i = ng_list_newer(&c->s, i))
		if (c->v[i].e.expires <= now)
			return i;
	return NG_NIL;
}

/* victim - the slot a full table gives up for a new entry, or NG_NIL. */
static uint32_t
victim(struct ng_cache *c, ng_usec now)
{
	uint32_t i;

	if ((i = expired_near_tail(c, PROBATION, now)) != NG_NIL ||
	    (i = expired_near_tail(c, PROTECTED, now)) != NG_NIL)
		return i;
	if (c->admit) {
		c->refused++;
		return NG_NIL;
	}
	return c->lists[PROBATION].tail != NG_NIL ?
	    c->lists[PROBATION].tail : c->lists[PROTECTED].tail;
}

/*
 * sweep - free the expired entries among the next SWEEP_STEP slots of a
 * full table, so every slot is looked at once per capacity / SWEEP_STEP
 * new entries, wherever it sits in the lists.
 */
static void
sweep(struct ng_cache *c, ng_usec now)
{
	unsigned k;
	uint32_t i;

	for (k = 0; k < SWEEP_STEP && k < c->s.cap; k++) {
		i = c->cursor;
		c->cursor = i + 1 < c->s.cap ? i + 1 : 0;
		if (c->v[i].list != FREE && c->v[i].e.expires <= now)
			remove_slot(c, i);
	}
}

/* take_slot - a slot for a new entry: unused, or freed from a victim. */
static uint32_t
take_slot(struct ng_cache *c, ng_usec now)
{
	uint32_t i;

	if ((i = ng_slots_take(&c->s)) != NG_NIL)
		return i;
	sweep(c, now);
	if ((i = ng_slots_take(&c->s)) != NG_NIL)
		return i;
	if ((i = victim(c, now)) == NG_NIL)
		return NG_NIL;
	if (c->v[i].e.expires > now)	/* a loss, not a reuse */
		c->evictions++;
	remove_slot(c, i);
	return ng_slots_take(&c->s);
}

/* ng_cache_put - insert a, or refresh its entry's expiry. */
struct ng_cache_entry *
ng_cache_put(struct ng_cache *c, const struct ng_addr *a, ng_usec now,
    ng_usec ttl)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);
	struct slot *s;
	uint8_t seg;

	saw_time(c, now);
	if (i != NG_NIL) {
		s = &c->v[i];
		seg = s->list;
		lru_unlink(c, i);
		if (s->e.expires <= now) {	/* expired: start afresh */
			s->e.first = now;
			s->e.count = 0;
			s->e.origin = 0;
			seg = PROBATION;
		}
		s->e.expires = expiry(now, ttl);
		lru_push(c, i, seg);
		return &s->e;
	}
	if ((i = take_slot(c, now)) == NG_NIL)
		return NULL;
	s = &c->v[i];
	memset(&s->e, 0, sizeof(s->e));
	s->e.key = k;
	s->e.first = now;
	s->e.expires = expiry(now, ttl);
	ng_chain_add(&c->s, i, bucket_of(c, &k));
	lru_push(c, i, PROBATION);
	return &s->e;
}

/* ng_cache_del - forget a's entry, if any. */
void
ng_cache_del(struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);

	if (i != NG_NIL)
		remove_slot(c, i);
}

/* ng_cache_expire - drop every expired entry; returns how many. */
unsigned
ng_cache_expire(struct ng_cache *c, ng_usec now)
{
	unsigned n = 0;
	uint32_t i;

	saw_time(c, now);
	for (i = 0; i < c->s.fresh; i++) {
		if (c->v[i].list != FREE && c->v[i].e.expires <= now) {
			remove_slot(c, i);
			n++;
		}
	}
	return n;
}

/* ng_cache_count - entries held, live or not yet swept. */
size_t
ng_cache_count(const struct ng_cache *c)
{
	return c->s.count;
}

/* ng_cache_evictions - live entries given up for new ones. */
uint64_t
ng_cache_evictions(const struct ng_cache *c)
{
	return c->evictions;
}

/* ng_cache_refused - new entries refused by admission control. */
uint64_t
ng_cache_refused(const struct ng_cache *c)
{
	return c->refused;
}

/* ng_cache_protected - entries in the protected segment now. */
size_t
ng_cache_protected(const struct ng_cache *c)
{
	return c->lists[PROTECTED].n;
}

/* walk_seg - fn over one segment's live entries, oldest first. */
static int
walk_seg(struct ng_cache *c, unsigned seg,
    int (*fn)(const struct ng_cache_entry *, void *), void *arg)
{
	uint32_t i;
	int rc;

	for (i = c->lists[seg].tail; i != NG_NIL; i = ng_list_newer(&c->s, i)) {
		if (c->v[i].e.expires <= c->now)
			continue;
		if ((rc = fn(&c->v[i].e, arg)) != 0)
			return rc;
	}
	return 0;
}

/* ng_cache_nslots - the slots a slot walk visits: all ever used */
size_t
ng_cache_nslots(const struct ng_cache *c)
{
	return c->s.fresh;
}

/* ng_cache_slot - the live entry in slot i, or NULL */
const struct ng_cache_entry *
ng_cache_slot(const struct ng_cache *c, size_t i, ng_usec now)
{
	if (i >= c->s.fresh || c->v[i].list == FREE ||
	    c->v[i].e.expires <= now)
		return NULL;
	return &c->v[i].e;
}

/*
 * ng_cache_walk - fn over live entries: probation then protected, each
 * oldest first, so restoring a saved walk in order rebuilds the lists.
 */
int
ng_cache_walk(struct ng_cache *c,
    int (*fn)(const struct ng_cache_entry *, void *), void *arg)
{
	int rc;

	if ((rc = walk_seg(c, PROBATION, fn, arg)) != 0)
		return rc;
	return walk_seg(c, PROTECTED, fn, arg);
}

/*
 * ng_cache_restore - insert a whole entry read back from a state file.
 * One seen more than once (count > 1: a pass cache entry used again)
 * goes back to the protected segment of a segmented table.
 */
int
ng_cache_restore(struct ng_cache *c, const struct ng_cache_entry *e,
    ng_usec now)
{
	struct ng_cache_entry *n;
	struct ng_addr k;
	uint32_t i;

	if (e->expires <= now)
		return 0;
	n = ng_cache_put(c, &e->key, now, e->expires - now);
	if (n == NULL)
		return -1;
	n->first = e->first;
	n->count = e->count;
	n->origin = e->origin;
	if (c->protect_max > 0 && e->count > 1) {
		k = masked(c, &e->key);
		if ((i = lookup(c, &k)) != NG_NIL)
			promote(c, i);
	}
	return 1;
}
