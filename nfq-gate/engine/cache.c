/*
 * cache.c - fixed-capacity address tables with expiry.
 *
 * Open hashing with chains through entry indices and LRU lists by last
 * refresh; every operation is O(1) and all memory is allocated up front.
 * The hash is SipHash under a key the engine sets from its config (the
 * front-end draws it from getrandom()), so a flooder cannot aim its
 * addresses at one chain.  Expired entries stay in place until they are
 * refreshed, reused, evicted or swept; find and walk treat them as
 * absent.  A full table sweeps SWEEP_STEP slots on every new entry, a
 * cursor going round the slots, and frees the expired ones it meets, so
 * an expired entry in the middle of a list (PASS OLD reorders without
 * extending expiry; a reload can shorten a TTL) is given back within
 * capacity / SWEEP_STEP new entries instead of staying while live ones
 * are evicted or refused.  Bounded work, never a walk of the table.
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
#include <stdlib.h>
#include <string.h>

#include "engine/cache.h"

#define NIL UINT32_MAX
#define SWEEP_STEP 8	/* slots looked at per new entry into a full table */
#define VICTIM_LOOK 8	/* entries from a tail searched for an expired one */

enum { PROBATION = 0, PROTECTED = 1 };

struct slot {
	struct ng_cache_entry e;
	uint32_t hnext, prev, next;
	uint8_t used;
	uint8_t seg;			/* PROBATION or PROTECTED */
};

struct ng_cache {
	struct slot *v;
	uint32_t *bucket;
	uint32_t nbucket, cap, count;
	uint32_t free;			/* chain of slots given back */
	uint32_t fresh;			/* slots [fresh, cap) never used */
	uint32_t head[2], tail[2];	/* by segment; head is newest */
	uint32_t nseg[2];
	uint32_t protect_max;		/* 0: one plain LRU list */
	uint32_t cursor;		/* the sweep's next slot */
	int admit;			/* refuse rather than evict live */
	unsigned prefix4, prefix6;
	uint64_t evictions, refused;
	uint8_t key[16];
	ng_usec now;			/* latest time seen, for walk */
};

/* bucket_of - the chain of a masked address. */
static uint32_t
bucket_of(const struct ng_cache *c, const struct ng_addr *k)
{
	return ng_addr_hash(k, c->key) & (c->nbucket - 1);
}

/* masked - a's key in this table: its prefix for the family. */
static struct ng_addr
masked(const struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = *a;

	ng_addr_mask(&k, k.family == 6 ? c->prefix6 : c->prefix4);
	return k;
}

/* ng_cache_new - an empty plain-LRU table of capacity entries. */
struct ng_cache *
ng_cache_new(unsigned capacity, unsigned prefix4, unsigned prefix6)
{
	struct ng_cache *c;
	uint32_t i;

	if (capacity < 1 || capacity > (1u << 26))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->cap = capacity;
	for (c->nbucket = 16; c->nbucket < capacity; c->nbucket *= 2)
		;
	c->v = calloc(capacity, sizeof(*c->v));
	c->bucket = malloc(c->nbucket * sizeof(*c->bucket));
	if (c->v == NULL || c->bucket == NULL) {
		ng_cache_free(c);
		return NULL;
	}
	for (i = 0; i < c->nbucket; i++)
		c->bucket[i] = NIL;
	/* Slots are handed out in order, so untouched pages stay unmapped. */
	c->free = NIL;
	c->head[0] = c->tail[0] = c->head[1] = c->tail[1] = NIL;
	ng_cache_set_prefix(c, prefix4, prefix6);
	return c;
}

/* ng_cache_free - give back the table and its entries. */
void
ng_cache_free(struct ng_cache *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c->bucket);
	free(c);
}

/* ng_cache_set_key - a new hash key; the chains are rebuilt under it. */
void
ng_cache_set_key(struct ng_cache *c, const uint8_t key[16])
{
	uint32_t i, b;

	memcpy(c->key, key, sizeof(c->key));
	for (i = 0; i < c->nbucket; i++)
		c->bucket[i] = NIL;
	for (i = 0; i < c->fresh; i++) {
		if (!c->v[i].used)
			continue;
		b = bucket_of(c, &c->v[i].e.key);
		c->v[i].hnext = c->bucket[b];
		c->bucket[b] = i;
	}
}

/* ng_cache_set_segments - protect up to max entries that were hit. */
void
ng_cache_set_segments(struct ng_cache *c, unsigned protect_max)
{
	c->protect_max = protect_max < c->cap ? protect_max : c->cap - 1;
}

/* ng_cache_set_admission - refuse new entries rather than evict live. */
void
ng_cache_set_admission(struct ng_cache *c, int on)
{
	c->admit = on != 0;
}

/* Entries keep the keys they were made with; new lookups use the new
 * prefix, so a changed prefix simply stops matching old entries. */
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

/* lru_unlink - take slot i off its segment's list. */
static void
lru_unlink(struct ng_cache *c, uint32_t i)
{
	struct slot *s = &c->v[i];

	if (s->prev != NIL)
		c->v[s->prev].next = s->next;
	else
		c->head[s->seg] = s->next;
	if (s->next != NIL)
		c->v[s->next].prev = s->prev;
	else
		c->tail[s->seg] = s->prev;
	c->nseg[s->seg]--;
}

/* lru_push - put slot i at the head (newest end) of segment seg. */
static void
lru_push(struct ng_cache *c, uint32_t i, uint8_t seg)
{
	struct slot *s = &c->v[i];

	s->seg = seg;
	s->prev = NIL;
	s->next = c->head[seg];
	if (c->head[seg] != NIL)
		c->v[c->head[seg]].prev = i;
	else
		c->tail[seg] = i;
	c->head[seg] = i;
	c->nseg[seg]++;
}

/* saw_time - remember the latest time, which walk treats as now. */
static void
saw_time(struct ng_cache *c, ng_usec now)
{
	if (now > c->now)
		c->now = now;
}

/* now + ttl, pinned at NG_NEVER instead of wrapping into the past. */
static ng_usec
expiry(ng_usec now, ng_usec ttl)
{
	return ttl > NG_NEVER - now ? NG_NEVER : now + ttl;
}

/* lookup - the slot holding masked key k, or NIL. */
static uint32_t
lookup(const struct ng_cache *c, const struct ng_addr *k)
{
	uint32_t i;

	for (i = c->bucket[bucket_of(c, k)]; i != NIL; i = c->v[i].hnext)
		if (ng_addr_cmp(&c->v[i].e.key, k) == 0)
			return i;
	return NIL;
}

/* remove_slot - unchain slot i, unlink it and give it back. */
static void
remove_slot(struct ng_cache *c, uint32_t i)
{
	uint32_t *pp = &c->bucket[bucket_of(c, &c->v[i].e.key)];

	while (*pp != NIL && *pp != i)
		pp = &c->v[*pp].hnext;
	if (*pp == i)
		*pp = c->v[i].hnext;
	lru_unlink(c, i);
	c->v[i].used = 0;
	c->v[i].hnext = c->free;
	c->free = i;
	c->count--;
}

/* ng_cache_find - the live entry covering a, without touching it. */
struct ng_cache_entry *
ng_cache_find(struct ng_cache *c, const struct ng_addr *a, ng_usec now)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);

	saw_time(c, now);
	if (i == NIL || c->v[i].e.expires <= now)
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
	if (c->nseg[PROTECTED] >= c->protect_max) {
		d = c->tail[PROTECTED];
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

/* expired_near_tail - an expired entry near a segment's tail, or NIL. */
static uint32_t
expired_near_tail(const struct ng_cache *c, unsigned seg, ng_usec now)
{
	uint32_t i = c->tail[seg];
	unsigned k;

	for (k = 0; i != NIL && k < VICTIM_LOOK; k++, i = c->v[i].prev)
		if (c->v[i].e.expires <= now)
			return i;
	return NIL;
}

/* victim - the slot a full table gives up for a new entry, or NIL. */
static uint32_t
victim(struct ng_cache *c, ng_usec now)
{
	uint32_t i;

	if ((i = expired_near_tail(c, PROBATION, now)) != NIL ||
	    (i = expired_near_tail(c, PROTECTED, now)) != NIL)
		return i;
	if (c->admit) {
		c->refused++;
		return NIL;
	}
	return c->tail[PROBATION] != NIL ? c->tail[PROBATION] :
	    c->tail[PROTECTED];
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

	for (k = 0; k < SWEEP_STEP && k < c->cap; k++) {
		i = c->cursor;
		c->cursor = i + 1 < c->cap ? i + 1 : 0;
		if (c->v[i].used && c->v[i].e.expires <= now)
			remove_slot(c, i);
	}
}

/* take_slot - a slot for a new entry: unused, or freed from a victim. */
static uint32_t
take_slot(struct ng_cache *c, ng_usec now)
{
	uint32_t i;

	if (c->free == NIL && c->fresh < c->cap)
		return c->fresh++;
	if (c->free == NIL)
		sweep(c, now);
	if (c->free == NIL) {
		if ((i = victim(c, now)) == NIL)
			return NIL;
		if (c->v[i].e.expires > now)	/* a loss, not a reuse */
			c->evictions++;
		remove_slot(c, i);
	}
	i = c->free;
	c->free = c->v[i].hnext;
	return i;
}

/* ng_cache_put - insert a, or refresh its entry's expiry. */
struct ng_cache_entry *
ng_cache_put(struct ng_cache *c, const struct ng_addr *a, ng_usec now,
    ng_usec ttl)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k), b;
	struct slot *s;

	saw_time(c, now);
	if (i != NIL) {
		s = &c->v[i];
		lru_unlink(c, i);
		if (s->e.expires <= now) {	/* expired: start afresh */
			s->e.first = now;
			s->e.count = 0;
			s->seg = PROBATION;
		}
		s->e.expires = expiry(now, ttl);
		lru_push(c, i, s->seg);
		return &s->e;
	}
	if ((i = take_slot(c, now)) == NIL)
		return NULL;
	s = &c->v[i];
	memset(&s->e, 0, sizeof(s->e));
	s->e.key = k;
	s->e.first = now;
	s->e.expires = expiry(now, ttl);
	s->used = 1;
	b = bucket_of(c, &k);
	s->hnext = c->bucket[b];
	c->bucket[b] = i;
	lru_push(c, i, PROBATION);
	c->count++;
	return &s->e;
}

/* ng_cache_del - forget a's entry, if any. */
void
ng_cache_del(struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);

	if (i != NIL)
		remove_slot(c, i);
}

/* ng_cache_expire - drop every expired entry; returns how many. */
unsigned
ng_cache_expire(struct ng_cache *c, ng_usec now)
{
	unsigned n = 0;
	uint32_t i;

	saw_time(c, now);
	for (i = 0; i < c->fresh; i++) {
		if (c->v[i].used && c->v[i].e.expires <= now) {
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
	return c->count;
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
	return c->nseg[PROTECTED];
}

/* walk_seg - fn over one segment's live entries, oldest first. */
static int
walk_seg(struct ng_cache *c, unsigned seg,
    int (*fn)(const struct ng_cache_entry *, void *), void *arg)
{
	uint32_t i;
	int rc;

	for (i = c->tail[seg]; i != NIL; i = c->v[i].prev) {
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
	return c->fresh;
}

/* ng_cache_slot - the live entry in slot i, or NULL */
const struct ng_cache_entry *
ng_cache_slot(const struct ng_cache *c, size_t i, ng_usec now)
{
	if (i >= c->fresh || !c->v[i].used || c->v[i].e.expires <= now)
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
	if (c->protect_max > 0 && e->count > 1) {
		k = masked(c, &e->key);
		if ((i = lookup(c, &k)) != NIL)
			promote(c, i);
	}
	return 1;
}
