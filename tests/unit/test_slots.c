/*
 * test_slots.c - the entry array under the flow table and the address
 * caches (slots.h): slots handed out in order and reused last-freed
 * first, chains that hold every entry of a crowded bucket, lists in
 * recency order, and the flow table's victims taken from those lists.
 */
#include <stddef.h>

#include "engine/flow.h"
#include "engine/slots.h"
#include "test.h"

static const uint8_t K[16] = { 7, 7, 7 };

/* An entry whose links are not at its start, as in struct ng_flow. */
struct item {
	uint32_t id;
	struct ng_link link;
	uint8_t pad[13];	/* an odd size: the stride is not the links' */
};

/* chain - bucket b's entries, first to last, into out; how many. */
static unsigned
chain(const struct ng_slots *s, uint32_t b, uint32_t *out, unsigned max)
{
	unsigned n = 0;
	uint32_t i;

	for (i = ng_chain_first(s, b); i != NG_NIL && n < max;
	    i = ng_chain_next(s, i))
		out[n++] = i;
	return n;
}

/* oldest_first - l's entries from its tail to its head; how many. */
static unsigned
oldest_first(const struct ng_slots *s, const struct ng_list *l,
    uint32_t *out, unsigned max)
{
	unsigned n = 0;
	uint32_t i;

	for (i = l->tail; i != NG_NIL && n < max; i = ng_list_newer(s, i))
		out[n++] = i;
	return n;
}

/* Fresh slots in index order, then the last one given back first. */
static void
test_take_order(void)
{
	struct ng_slots s;
	struct item *v = ng_slots_init(&s, 5, sizeof(*v),
	    offsetof(struct item, link), K);
	uint32_t i;

	CHECK(v != NULL);
	CHECK_EQ(s.mask + 1, 16);		/* 16 buckets at least */
	for (i = 0; i < 5; i++)
		CHECK_EQ(ng_slots_take(&s), i);
	CHECK_EQ(ng_slots_take(&s), NG_NIL);	/* full */
	CHECK_EQ(s.count, 5);
	ng_slots_give(&s, 1);
	ng_slots_give(&s, 3);
	CHECK_EQ(s.count, 3);
	CHECK_EQ(ng_slots_take(&s), 3);
	CHECK_EQ(ng_slots_take(&s), 1);
	CHECK_EQ(ng_slots_take(&s), NG_NIL);
	ng_slots_fini(&s);
	CHECK(ng_slots_init(&s, 0, sizeof(*v), 0, K) == NULL);
	v = ng_slots_init(&s, 1000, sizeof(*v), offsetof(struct item, link),
	    K);
	CHECK_EQ(s.mask + 1, 1024);		/* a power of two */
	ng_slots_fini(&s);
}

/* Every entry of one crowded bucket is on its chain, newest first,
 * and comes off from the head, the middle or the end. */
static void
test_chain_collisions(void)
{
	struct ng_slots s;
	struct item *v = ng_slots_init(&s, 64, sizeof(*v),
	    offsetof(struct item, link), K);
	uint32_t got[64], i;
	unsigned n;

	for (i = 0; i < 40; i++) {
		CHECK_EQ(ng_slots_take(&s), i);
		v[i].id = i;
		ng_chain_add(&s, i, 5);			/* all collide */
	}
	ng_chain_add(&s, ng_slots_take(&s), 6);		/* a neighbour */
	CHECK_EQ(ng_slots_longest_chain(&s), 40);
	n = chain(&s, 5, got, 64);
	CHECK_EQ(n, 40);
	for (i = 0; i < n; i++)
		CHECK_EQ(got[i], 39 - i);
	ng_chain_del(&s, 39, 5);			/* head */
	ng_chain_del(&s, 20, 5);			/* middle */
	ng_chain_del(&s, 0, 5);				/* end */
	ng_chain_del(&s, 40, 5);			/* not on it: no-op */
	n = chain(&s, 5, got, 64);
	CHECK_EQ(n, 37);
	for (i = 0; i < n; i++)
		CHECK(got[i] != 39 && got[i] != 20 && got[i] != 0);
	CHECK_EQ(got[0], 38);
	CHECK_EQ(got[n - 1], 1);
	CHECK_EQ(chain(&s, 6, got, 64), 1);
	CHECK_EQ(got[0], 40);
	for (i = 0; i < 64; i++)			/* ids untouched */
		CHECK_EQ(v[i].id, i < 40 ? i : 0);
	ng_slots_fini(&s);
}

/* Lists: newest at the head, oldest at the tail; a move or an unlink
 * anywhere keeps the rest in order and the count right. */
static void
test_list_order(void)
{
	static const uint32_t want1[] = { 0, 1, 2, 3, 4 };
	static const uint32_t want2[] = { 1, 3, 4, 0 };
	struct ng_slots s;
	struct ng_list a, b;
	uint32_t got[8], i;
	unsigned n;

	CHECK(ng_slots_init(&s, 8, sizeof(struct item),
	    offsetof(struct item, link), K) != NULL);
	ng_list_init(&a);
	ng_list_init(&b);
	CHECK_EQ(a.tail, NG_NIL);
	for (i = 0; i < 5; i++)
		ng_list_push(&s, &a, ng_slots_take(&s));
	n = oldest_first(&s, &a, got, 8);
	CHECK_EQ(n, 5);
	CHECK(memcmp(got, want1, sizeof(want1)) == 0);
	CHECK_EQ(a.head, 4);
	ng_list_unlink(&s, &a, 2);			/* middle */
	ng_list_unlink(&s, &a, 0);			/* tail */
	ng_list_push(&s, &a, 0);			/* now the newest */
	n = oldest_first(&s, &a, got, 8);
	CHECK_EQ(n, 4);
	CHECK_EQ(a.n, 4);
	CHECK(memcmp(got, want2, sizeof(want2)) == 0);
	ng_list_push(&s, &b, 2);			/* to another list */
	ng_list_unlink(&s, &a, 0);			/* head */
	ng_list_push(&s, &b, 0);
	CHECK_EQ(a.n, 3);
	CHECK_EQ(a.head, 4);
	CHECK_EQ(b.n, 2);
	CHECK_EQ(b.tail, 2);
	CHECK_EQ(b.head, 0);
	ng_list_unlink(&s, &b, 2);
	ng_list_unlink(&s, &b, 0);
	CHECK_EQ(b.head, NG_NIL);
	CHECK_EQ(b.tail, NG_NIL);
	CHECK_EQ(b.n, 0);
	ng_slots_fini(&s);
}

/* fkey - the 4-tuple of flow i. */
static struct ng_flow_key
fkey(unsigned i)
{
	struct ng_flow_key k;

	memset(&k, 0, sizeof(k));
	ng_addr_set_v4(&k.caddr, 0xc6336400u + i);
	ng_addr_parse(&k.saddr, "203.0.113.25");
	k.cport = (uint16_t)(40000 + i);
	k.sport = 25;
	return k;
}

/* A full flow table gives up its cold flows oldest first, then its
 * hot ones; a freed slot is the next one used. */
static void
test_flow_victim_order(void)
{
	struct ng_flow_table *t = ng_flow_table_new(6, K);
	struct ng_flow *f[6], *v;
	struct ng_flow_key k;
	unsigned i, want[] = { 1, 3, 5, 4, 0, 2 };

	for (i = 0; i < 6; i++) {
		k = fkey(i);
		f[i] = ng_flow_insert(t, &k, 10 + i);
		CHECK_EQ(ng_flow_index(t, f[i]), i);
	}
	k = fkey(6);
	CHECK(ng_flow_insert(t, &k, 20) == NULL);
	ng_flow_touch(t, f[4], NG_FLOW_HOT, 30);	/* hot: 4, 0, 2 */
	ng_flow_touch(t, f[0], NG_FLOW_HOT, 31);
	ng_flow_touch(t, f[2], NG_FLOW_HOT, 32);
	ng_flow_touch(t, f[5], NG_FLOW_COLD, 33);	/* cold: 1, 3, 5 */
	for (i = 0; i < 6; i++) {
		v = ng_flow_victim(t);
		CHECK(v != NULL && ng_flow_index(t, v) == want[i]);
		if (v == NULL)
			break;
		ng_flow_delete(t, v);
		CHECK(ng_flow_at(t, want[i]) == NULL);
	}
	CHECK(ng_flow_victim(t) == NULL);
	CHECK_EQ(ng_flow_count(t), 0);
	k = fkey(7);
	v = ng_flow_insert(t, &k, 40);
	CHECK(v != NULL && ng_flow_index(t, v) == 2);	/* last freed */
	CHECK(ng_flow_find(t, &k) == v);
	ng_flow_table_free(t);
}

int
main(void)
{
	RUN(test_take_order);
	RUN(test_chain_collisions);
	RUN(test_list_order);
	RUN(test_flow_victim_order);
	return test_done();
}
