/*
 * slots.h - the machinery under the flow table and the address caches:
 * a fixed array of entries, hash chains and LRU lists through it.
 *
 * Both tables (flow.c, cache.c) are the same thing underneath: capacity
 * fixed at start-up so a flood cannot grow memory, one array allocated
 * once, a SipHash bucket array whose chains run through entry indices,
 * and doubly linked lists by recency through the same indices.  Indices
 * rather than pointers keep each link at four bytes and let an entry's
 * index serve as its handle (the hold timers keep flow indices).
 *
 * Each entry embeds a struct ng_link; the table says where, and how big
 * an entry is, when it calls ng_slots_init().  The table keeps its own
 * lists (struct ng_list) and remembers which list each entry is on, as
 * with <sys/queue.h>: the lists are the table's policy (cold and hot
 * flows; probation and protected addresses), the links are not.
 *
 * Slots are handed out in index order, then reused last-freed first, so
 * the pages of a table that never fills are never touched.  The calls a
 * packet makes (chains, list moves) are inline here: they are the hot
 * path of every packet.
 */
#ifndef NG_SLOTS_H
#define NG_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/siphash.h"

#define NG_NIL UINT32_MAX	/* no entry: the end of a chain or list */

/* The links each entry carries. */
struct ng_link {
	uint32_t hnext;		/* next in its hash chain, or the free chain */
	uint32_t newer, older;	/* neighbours on its list */
};

/* One list by recency: the head is the newest entry, the tail the oldest. */
struct ng_list {
	uint32_t head, tail;
	uint32_t n;
};

struct ng_slots {
	unsigned char *links;	/* entry 0's struct ng_link */
	size_t stride;		/* bytes from one entry to the next */
	void *v;		/* the entries */
	uint32_t *bucket;	/* each chain's first entry */
	uint32_t mask;		/* buckets - 1: their number is a power of 2 */
	uint32_t cap, count;
	uint32_t fresh;		/* slots [fresh, cap) never used */
	uint32_t free;		/* slots given back, through hnext */
	uint8_t key[NG_SIPHASH_KEYLEN];	/* the table's secret hash key */
};

/* The entry array (zeroed), or NULL; link_off is where each entry's
 * struct ng_link sits, key the 16 secret bytes of the table's hash. */
void *ng_slots_init(struct ng_slots *s, unsigned capacity, size_t size,
    size_t link_off, const uint8_t key[NG_SIPHASH_KEYLEN]);
void ng_slots_fini(struct ng_slots *s);
/* The longest hash chain, walking every bucket: for tests only. */
unsigned ng_slots_longest_chain(const struct ng_slots *s);

/* ng_link_at - the links of entry i. */
static inline struct ng_link *
ng_link_at(const struct ng_slots *s, uint32_t i)
{
	return (struct ng_link *)(void *)(s->links + (size_t)i * s->stride);
}

/* ng_slots_take - an unused slot (counted as used), or NG_NIL when full. */
static inline uint32_t
ng_slots_take(struct ng_slots *s)
{
	uint32_t i = s->free;

	if (i != NG_NIL)
		s->free = ng_link_at(s, i)->hnext;
	else if (s->fresh < s->cap)
		i = s->fresh++;
	else
		return NG_NIL;
	s->count++;
	return i;
}

/* ng_slots_give - slot i is unused again (off every chain and list). */
static inline void
ng_slots_give(struct ng_slots *s, uint32_t i)
{
	ng_link_at(s, i)->hnext = s->free;
	s->free = i;
	s->count--;
}

/* ng_chain_of - the bucket of a hash. */
static inline uint32_t
ng_chain_of(const struct ng_slots *s, uint64_t hash)
{
	return (uint32_t)hash & s->mask;
}

/* ng_chain_first - the first entry of bucket b's chain, or NG_NIL. */
static inline uint32_t
ng_chain_first(const struct ng_slots *s, uint32_t b)
{
	return s->bucket[b];
}

/* ng_chain_next - the entry after i on its chain, or NG_NIL. */
static inline uint32_t
ng_chain_next(const struct ng_slots *s, uint32_t i)
{
	return ng_link_at(s, i)->hnext;
}

/* ng_chain_add - put entry i first on bucket b's chain. */
static inline void
ng_chain_add(struct ng_slots *s, uint32_t i, uint32_t b)
{
	ng_link_at(s, i)->hnext = s->bucket[b];
	s->bucket[b] = i;
}

/* ng_chain_del - take entry i off bucket b's chain. */
static inline void
ng_chain_del(struct ng_slots *s, uint32_t i, uint32_t b)
{
	uint32_t *pp = &s->bucket[b];

	while (*pp != NG_NIL && *pp != i)
		pp = &ng_link_at(s, *pp)->hnext;
	if (*pp == i)
		*pp = ng_link_at(s, i)->hnext;
}

/* ng_list_init - an empty list. */
static inline void
ng_list_init(struct ng_list *l)
{
	l->head = l->tail = NG_NIL;
	l->n = 0;
}

/* ng_list_push - put entry i at the head (newest end) of l. */
static inline void
ng_list_push(struct ng_slots *s, struct ng_list *l, uint32_t i)
{
	struct ng_link *k = ng_link_at(s, i);

	k->newer = NG_NIL;
	k->older = l->head;
	if (l->head != NG_NIL)
		ng_link_at(s, l->head)->newer = i;
	else
		l->tail = i;
	l->head = i;
	l->n++;
}

/* ng_list_unlink - take entry i off l, the list it is on. */
static inline void
ng_list_unlink(struct ng_slots *s, struct ng_list *l, uint32_t i)
{
	struct ng_link *k = ng_link_at(s, i);

	if (k->newer != NG_NIL)
		ng_link_at(s, k->newer)->older = k->older;
	else
		l->head = k->older;
	if (k->older != NG_NIL)
		ng_link_at(s, k->older)->newer = k->newer;
	else
		l->tail = k->newer;
	l->n--;
}

/* ng_list_newer - the entry after i walking from the tail, or NG_NIL. */
static inline uint32_t
ng_list_newer(const struct ng_slots *s, uint32_t i)
{
	return ng_link_at(s, i)->newer;
}

#endif
