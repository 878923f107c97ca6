/*
 * flow.c - fixed-capacity flow table with two LRU lists.
 *
 * Entries live in one array allocated at start-up; hash chains and LRU
 * links are array indices (slots.h), so the table is a single allocation
 * and an entry's index doubles as its handle for the hold timer queue.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flow.h"
#include "base/siphash.h"

struct ng_flow_table {
	struct ng_flow *v;
	struct ng_slots s;	/* chains, free slots and the hash key */
	struct ng_list lists[3];	/* by enum ng_flow_list; FREE unused */
	/* The last key a find missed, and its bucket: the insert that
	 * follows at a SYN need not hash it again. */
	struct ng_flow_key missed;
	uint32_t missed_bucket;
	int have_missed;
};

/*
 * key_hash - the bucket of a 4-tuple: SipHash over all of it (family,
 * both ports, both addresses) under the table's secret key, so no
 * choice of forged sources and ports can aim at one chain.
 */
static uint32_t
key_hash(const struct ng_flow_table *t, const struct ng_flow_key *k)
{
	uint8_t m[1 + 2 * 2 + 2 * 16];
	size_t n = k->caddr.family == 6 ? 16 : 4, len = 0;

	m[len++] = k->caddr.family;
	m[len++] = (uint8_t)(k->cport >> 8);
	m[len++] = (uint8_t)k->cport;
	m[len++] = (uint8_t)(k->sport >> 8);
	m[len++] = (uint8_t)k->sport;
	memcpy(m + len, k->caddr.b, n);
	len += n;
	memcpy(m + len, k->saddr.b, n);
	len += n;
	return ng_chain_of(&t->s, ng_siphash24(t->s.key, m, len));
}

/* key_eq - the same 4-tuple. */
static int
key_eq(const struct ng_flow_key *a, const struct ng_flow_key *b)
{
	return a->cport == b->cport && a->sport == b->sport &&
	    ng_addr_cmp(&a->caddr, &b->caddr) == 0 &&
	    ng_addr_cmp(&a->saddr, &b->saddr) == 0;
}

/* ng_flow_table_new - a table of capacity flows hashed under key. */
struct ng_flow_table *
ng_flow_table_new(unsigned capacity, const uint8_t key[16])
{
	struct ng_flow_table *t;
	int l;

	if (capacity < 1 || capacity > (1u << 28))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->v = ng_slots_init(&t->s, capacity, sizeof(*t->v),
	    offsetof(struct ng_flow, link), key);
	if (t->v == NULL) {
		free(t);
		return NULL;
	}
	for (l = 0; l < 3; l++)
		ng_list_init(&t->lists[l]);
	return t;
}

/* ng_flow_table_free - give back the table. */
void
ng_flow_table_free(struct ng_flow_table *t)
{
	if (t == NULL)
		return;
	ng_slots_fini(&t->s);
	free(t);
}

/* ng_flow_count - flows held now. */
unsigned
ng_flow_count(const struct ng_flow_table *t)
{
	return t->s.count;
}

/* ng_flow_capacity - flows it can hold. */
unsigned
ng_flow_capacity(const struct ng_flow_table *t)
{
	return t->s.cap;
}

/* ng_flow_longest_chain - the most entries sharing one bucket. */
unsigned
ng_flow_longest_chain(const struct ng_flow_table *t)
{
	return ng_slots_longest_chain(&t->s);
}

/* ng_flow_index - a flow's handle (for the hold timers). */
uint32_t
ng_flow_index(const struct ng_flow_table *t, const struct ng_flow *f)
{
	return (uint32_t)(f - t->v);
}

/* ng_flow_at - the live flow with handle i, or NULL. */
struct ng_flow *
ng_flow_at(struct ng_flow_table *t, uint32_t i)
{
	if (i >= t->s.cap || t->v[i].list == NG_FLOW_FREE)
		return NULL;
	return &t->v[i];
}

/* ng_flow_find - k's flow, or NULL (remembering k's bucket). */
struct ng_flow *
ng_flow_find(struct ng_flow_table *t, const struct ng_flow_key *k)
{
	uint32_t i, b = key_hash(t, k);

	for (i = ng_chain_first(&t->s, b); i != NG_NIL;
	    i = ng_chain_next(&t->s, i))
		if (key_eq(&t->v[i].key, k))
			return &t->v[i];
	t->missed = *k;
	t->missed_bucket = b;
	t->have_missed = 1;
	return NULL;
}

/* ng_flow_insert - a new cold flow for k, or NULL when full. */
struct ng_flow *
ng_flow_insert(struct ng_flow_table *t, const struct ng_flow_key *k,
    ng_usec now)
{
	struct ng_flow *f;
	uint32_t i;

	if ((i = ng_slots_take(&t->s)) == NG_NIL)
		return NULL;
	f = &t->v[i];
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->last = now;
	f->bucket = t->have_missed && key_eq(&t->missed, k) ?
	    t->missed_bucket : key_hash(t, k);
	t->have_missed = 0;
	ng_chain_add(&t->s, i, f->bucket);
	f->list = NG_FLOW_COLD;
	ng_list_push(&t->s, &t->lists[NG_FLOW_COLD], i);
	return f;
}

/* ng_flow_delete - unchain f, unlink it and free its slot. */
void
ng_flow_delete(struct ng_flow_table *t, struct ng_flow *f)
{
	uint32_t i = ng_flow_index(t, f);

	ng_chain_del(&t->s, i, f->bucket);
	ng_list_unlink(&t->s, &t->lists[f->list], i);
	f->list = NG_FLOW_FREE;
	ng_slots_give(&t->s, i);
}

/* ng_flow_touch - f seen now: to the head of list. */
void
ng_flow_touch(struct ng_flow_table *t, struct ng_flow *f,
    enum ng_flow_list list, ng_usec now)
{
	uint32_t i = ng_flow_index(t, f);

	if (now > f->last)
		f->last = now;
	ng_list_unlink(&t->s, &t->lists[f->list], i);
	f->list = (uint8_t)list;
	ng_list_push(&t->s, &t->lists[list], i);
}

/* ng_flow_victim - the flow to evict: oldest cold, else oldest hot. */
struct ng_flow *
ng_flow_victim(struct ng_flow_table *t)
{
	if (t->lists[NG_FLOW_COLD].tail != NG_NIL)
		return &t->v[t->lists[NG_FLOW_COLD].tail];
	if (t->lists[NG_FLOW_HOT].tail != NG_NIL)
		return &t->v[t->lists[NG_FLOW_HOT].tail];
	return NULL;
}

/* ng_flow_stale - list's oldest flow if seen at or before 'before'. */
struct ng_flow *
ng_flow_stale(struct ng_flow_table *t, enum ng_flow_list list,
    ng_usec before)
{
	uint32_t i = t->lists[list].tail;

	if (i == NG_NIL || t->v[i].last > before)
		return NULL;
	return &t->v[i];
}
