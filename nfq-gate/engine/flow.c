/*
 * flow.c - fixed-capacity flow table with two LRU lists.
 *
 * Entries live in one array allocated at start-up; hash chains and LRU
 * links are array indices, so the table is a single allocation and an
 * entry's index doubles as its handle for the hold timer queue.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/flow.h"
#include "base/siphash.h"

struct ng_flow_table {
	struct ng_flow *v;
	uint32_t *bucket;
	uint32_t nbucket;	/* power of two */
	uint32_t cap, count;
	uint32_t free;		/* free list through hnext */
	uint32_t head[3], tail[3];	/* by enum ng_flow_list */
	uint8_t key[NG_SIPHASH_KEYLEN];
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
	return (uint32_t)ng_siphash24(t->key, m, len) & (t->nbucket - 1);
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
	uint32_t i;

	if (capacity < 1 || capacity > (1u << 28))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cap = capacity;
	memcpy(t->key, key, sizeof(t->key));
	for (t->nbucket = 16; t->nbucket < capacity; t->nbucket *= 2)
		;
	t->v = calloc(capacity, sizeof(*t->v));
	t->bucket = malloc(t->nbucket * sizeof(*t->bucket));
	if (t->v == NULL || t->bucket == NULL) {
		ng_flow_table_free(t);
		return NULL;
	}
	for (i = 0; i < t->nbucket; i++)
		t->bucket[i] = NG_FLOW_NIL;
	for (i = 0; i < capacity; i++)
		t->v[i].hnext = i + 1 < capacity ? i + 1 : NG_FLOW_NIL;
	for (i = 0; i < 3; i++)
		t->head[i] = t->tail[i] = NG_FLOW_NIL;
	return t;
}

/* ng_flow_table_free - give back the table. */
void
ng_flow_table_free(struct ng_flow_table *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t->bucket);
	free(t);
}

/* ng_flow_count - flows held now. */
unsigned
ng_flow_count(const struct ng_flow_table *t)
{
	return t->count;
}

/* ng_flow_capacity - flows it can hold. */
unsigned
ng_flow_capacity(const struct ng_flow_table *t)
{
	return t->cap;
}

/* ng_flow_longest_chain - the most entries sharing one bucket. */
unsigned
ng_flow_longest_chain(const struct ng_flow_table *t)
{
	unsigned n, most = 0;
	uint32_t b, i;

	for (b = 0; b < t->nbucket; b++) {
		n = 0;
		for (i = t->bucket[b]; i != NG_FLOW_NIL; i = t->v[i].hnext)
			n++;
		if (n > most)
			most = n;
	}
	return most;
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
	if (i >= t->cap || t->v[i].list == NG_FLOW_FREE)
		return NULL;
	return &t->v[i];
}

/* list_unlink - take f off its LRU list. */
static void
list_unlink(struct ng_flow_table *t, struct ng_flow *f)
{
	uint32_t l = f->list;

	if (f->prev != NG_FLOW_NIL)
		t->v[f->prev].next = f->next;
	else
		t->head[l] = f->next;
	if (f->next != NG_FLOW_NIL)
		t->v[f->next].prev = f->prev;
	else
		t->tail[l] = f->prev;
}

/* list_push - put f at the head (newest end) of list l. */
static void
list_push(struct ng_flow_table *t, struct ng_flow *f, uint32_t l)
{
	uint32_t i = ng_flow_index(t, f);

	f->list = (uint8_t)l;
	f->prev = NG_FLOW_NIL;
	f->next = t->head[l];
	if (t->head[l] != NG_FLOW_NIL)
		t->v[t->head[l]].prev = i;
	else
		t->tail[l] = i;
	t->head[l] = i;
}

/* ng_flow_find - k's flow, or NULL (remembering k's bucket). */
struct ng_flow *
ng_flow_find(struct ng_flow_table *t, const struct ng_flow_key *k)
{
	uint32_t i, b = key_hash(t, k);

	for (i = t->bucket[b]; i != NG_FLOW_NIL; i = t->v[i].hnext)
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
	uint32_t i, h;

	if (t->free == NG_FLOW_NIL || t->count == t->cap)
		return NULL;
	i = t->free;
	f = &t->v[i];
	t->free = f->hnext;
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->last = now;
	h = t->have_missed && key_eq(&t->missed, k) ? t->missed_bucket :
	    key_hash(t, k);
	t->have_missed = 0;
	f->bucket = h;
	f->hnext = t->bucket[h];
	t->bucket[h] = i;
	list_push(t, f, NG_FLOW_COLD);
	t->count++;
	return f;
}

/* ng_flow_delete - unchain f, unlink it and free its slot. */
void
ng_flow_delete(struct ng_flow_table *t, struct ng_flow *f)
{
	uint32_t i = ng_flow_index(t, f), *pp;

	pp = &t->bucket[f->bucket];
	while (*pp != NG_FLOW_NIL && *pp != i)
		pp = &t->v[*pp].hnext;
	if (*pp == i)
		*pp = f->hnext;
	list_unlink(t, f);
	f->list = NG_FLOW_FREE;
	f->hnext = t->free;
	t->free = i;
	t->count--;
}

/* ng_flow_touch - f seen now: to the head of list. */
void
ng_flow_touch(struct ng_flow_table *t, struct ng_flow *f,
    enum ng_flow_list list, ng_usec now)
{
	if (now > f->last)
		f->last = now;
	list_unlink(t, f);
	list_push(t, f, list);
}

/* ng_flow_victim - the flow to evict: oldest cold, else oldest hot. */
struct ng_flow *
ng_flow_victim(struct ng_flow_table *t)
{
	if (t->tail[NG_FLOW_COLD] != NG_FLOW_NIL)
		return &t->v[t->tail[NG_FLOW_COLD]];
	if (t->tail[NG_FLOW_HOT] != NG_FLOW_NIL)
		return &t->v[t->tail[NG_FLOW_HOT]];
	return NULL;
}

/* ng_flow_stale - list's oldest flow if seen at or before 'before'. */
struct ng_flow *
ng_flow_stale(struct ng_flow_table *t, enum ng_flow_list list,
    ng_usec before)
{
	uint32_t i = t->tail[list];

	if (i == NG_FLOW_NIL || t->v[i].last > before)
		return NULL;
	return &t->v[i];
}
