/*
 * cache.c - fixed-capacity address tables with expiry.
 *
 * Open hashing with chains through entry indices and one LRU list by
 * last refresh: a full table evicts its least recently refreshed entry,
 * which under a flood of new addresses is the oldest of the flood, not a
 * long-standing good sender that keeps coming back.  Each table uses a
 * TTL of its own, so the LRU tail is also the entry that expires soonest;
 * every operation is O(1) and all memory is allocated up front.
 *
 * The hash is seeded per table from getrandom(), so a flooder cannot aim
 * its addresses at one chain.  Expired entries stay in place until they
 * are refreshed, evicted or swept by ng_cache_expire(); find and walk
 * treat them as absent.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cache.h"

#define NIL UINT32_MAX

struct slot {
	struct ng_cache_entry e;
	uint32_t hnext, prev, next;
	uint8_t used;
};

struct ng_cache {
	struct slot *v;
	uint32_t *bucket;
	uint32_t nbucket, cap, count;
	uint32_t free;			/* chain of slots given back */
	uint32_t fresh;			/* slots [fresh, cap) never used */
	uint32_t head, tail;		/* LRU: head is newest */
	unsigned prefix4, prefix6;
	uint64_t evictions;
	uint32_t seed;
	ng_usec now;			/* latest time seen, for walk */
};

static uint32_t
bucket_of(const struct ng_cache *c, const struct ng_addr *k)
{
	return ng_addr_hash(k, c->seed) & (c->nbucket - 1);
}

static struct ng_addr
masked(const struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = *a;

	ng_addr_mask(&k, k.family == 6 ? c->prefix6 : c->prefix4);
	return k;
}

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
	c->head = c->tail = NIL;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(c->seed))
		c->seed = (uint32_t)((uintptr_t)c >> 4) * 2654435761u;
	ng_cache_set_prefix(c, prefix4, prefix6);
	return c;
}

void
ng_cache_free(struct ng_cache *c)
{
	if (c == NULL)
		return;
	free(c->v);
	free(c->bucket);
	free(c);
}

/* Entries keep the keys they were made with; new lookups use the new
 * prefix, so a changed prefix simply stops matching old entries. */
void
ng_cache_set_prefix(struct ng_cache *c, unsigned prefix4, unsigned prefix6)
{
	c->prefix4 = prefix4 > 32 ? 32 : prefix4;
	c->prefix6 = prefix6 > 128 ? 128 : prefix6;
}

void
ng_cache_prefix(const struct ng_cache *c, unsigned *prefix4,
    unsigned *prefix6)
{
	*prefix4 = c->prefix4;
	*prefix6 = c->prefix6;
}

static void
lru_unlink(struct ng_cache *c, uint32_t i)
{
	struct slot *s = &c->v[i];

	if (s->prev != NIL)
		c->v[s->prev].next = s->next;
	else
		c->head = s->next;
	if (s->next != NIL)
		c->v[s->next].prev = s->prev;
	else
		c->tail = s->prev;
}

static void
lru_push(struct ng_cache *c, uint32_t i)
{
	struct slot *s = &c->v[i];

	s->prev = NIL;
	s->next = c->head;
	if (c->head != NIL)
		c->v[c->head].prev = i;
	else
		c->tail = i;
	c->head = i;
}

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

static uint32_t
lookup(const struct ng_cache *c, const struct ng_addr *k)
{
	uint32_t i;

	for (i = c->bucket[bucket_of(c, k)]; i != NIL; i = c->v[i].hnext)
		if (ng_addr_cmp(&c->v[i].e.key, k) == 0)
			return i;
	return NIL;
}

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

static uint32_t
take_slot(struct ng_cache *c)
{
	uint32_t i;

	if (c->free == NIL && c->fresh < c->cap)
		return c->fresh++;
	if (c->free == NIL) {
		remove_slot(c, c->tail);
		c->evictions++;
	}
	i = c->free;
	c->free = c->v[i].hnext;
	return i;
}

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
		if (s->e.expires <= now) {	/* expired: start afresh */
			s->e.first = now;
			s->e.count = 0;
		}
		s->e.expires = expiry(now, ttl);
		lru_unlink(c, i);
		lru_push(c, i);
		return &s->e;
	}
	i = take_slot(c);
	s = &c->v[i];
	memset(&s->e, 0, sizeof(s->e));
	s->e.key = k;
	s->e.first = now;
	s->e.expires = expiry(now, ttl);
	s->used = 1;
	b = bucket_of(c, &k);
	s->hnext = c->bucket[b];
	c->bucket[b] = i;
	lru_push(c, i);
	c->count++;
	return &s->e;
}

void
ng_cache_del(struct ng_cache *c, const struct ng_addr *a)
{
	struct ng_addr k = masked(c, a);
	uint32_t i = lookup(c, &k);

	if (i != NIL)
		remove_slot(c, i);
}

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

size_t
ng_cache_count(const struct ng_cache *c)
{
	return c->count;
}

uint64_t
ng_cache_evictions(const struct ng_cache *c)
{
	return c->evictions;
}

int
ng_cache_walk(struct ng_cache *c,
    int (*fn)(const struct ng_cache_entry *, void *), void *arg)
{
	uint32_t i;
	int rc;

	/* Oldest first, so reading a saved walk back keeps the LRU order. */
	for (i = c->tail; i != NIL; i = c->v[i].prev) {
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

int
ng_cache_restore(struct ng_cache *c, const struct ng_cache_entry *e,
    ng_usec now)
{
	struct ng_cache_entry *n;

	if (e->expires <= now)
		return 0;
	n = ng_cache_put(c, &e->key, now, e->expires - now);
	if (n == NULL)
		return -1;
	n->first = e->first;
	n->count = e->count;
	return 1;
}
