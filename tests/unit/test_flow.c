/*
 * test_flow.c - flow table and hold timer queue, and the keyed hash:
 * keys chosen to share one bucket under the old hash spread out.
 */
#include "../bench/oldhash.h"
#include "engine/flow.h"
#include "engine/timerq.h"
#include "test.h"

static const uint8_t K1[16] = { 42 }, K2[16] = { 1 };

static struct ng_flow_key
key(unsigned i)
{
	struct ng_flow_key k;

	memset(&k, 0, sizeof(k));
	ng_addr_set_v4(&k.caddr, 0xc6336400u + (i & 0xff));
	ng_addr_parse(&k.saddr, "203.0.113.25");
	k.cport = (uint16_t)(1024 + i / 256);
	k.sport = 25;
	return k;
}

static void
test_insert_find_delete(void)
{
	struct ng_flow_table *t = ng_flow_table_new(1000, K1);
	struct ng_flow_key k;
	struct ng_flow *f;
	unsigned i;

	for (i = 0; i < 1000; i++) {
		k = key(i);
		CHECK(ng_flow_insert(t, &k, i) != NULL);
	}
	CHECK_EQ(ng_flow_count(t), 1000);
	k = key(1000);
	CHECK(ng_flow_insert(t, &k, 0) == NULL);	/* full */
	for (i = 0; i < 1000; i += 2) {
		k = key(i);
		f = ng_flow_find(t, &k);
		CHECK(f != NULL);
		if (f)
			ng_flow_delete(t, f);
	}
	CHECK_EQ(ng_flow_count(t), 500);
	for (i = 0; i < 1000; i++) {
		k = key(i);
		CHECK((ng_flow_find(t, &k) != NULL) == (i % 2 == 1));
	}
	k = key(5000);
	CHECK(ng_flow_insert(t, &k, 0) != NULL);
	ng_flow_table_free(t);
}

static void
test_victim_order(void)
{
	struct ng_flow_table *t = ng_flow_table_new(3, K2);
	struct ng_flow_key a = key(1), b = key(2), c = key(3);
	struct ng_flow *fa, *fb, *fc;

	fa = ng_flow_insert(t, &a, 10);
	fb = ng_flow_insert(t, &b, 20);
	fc = ng_flow_insert(t, &c, 30);
	ng_flow_touch(t, fa, NG_FLOW_HOT, 40);
	CHECK(ng_flow_victim(t) == fb);		/* oldest cold */
	ng_flow_touch(t, fb, NG_FLOW_HOT, 50);
	ng_flow_touch(t, fc, NG_FLOW_HOT, 60);
	CHECK(ng_flow_victim(t) == fa);		/* oldest hot */
	CHECK(ng_flow_stale(t, NG_FLOW_HOT, 39) == NULL);
	CHECK(ng_flow_stale(t, NG_FLOW_HOT, 40) == fa);
	CHECK(ng_flow_stale(t, NG_FLOW_COLD, 1000) == NULL);
	ng_flow_table_free(t);
}

/*
 * 65,535 (address, port) pairs that all land in one bucket of the old
 * hash, whatever its seed, spread over the SipHash-keyed table like any
 * other keys: the longest chain stays short, and every one is found.
 */
static void
test_old_collisions_spread(void)
{
	struct ng_flow_table *t = ng_flow_table_new(65535, K1);
	struct ng_flow_key k;
	uint32_t i, b0 = 0, same = 0;
	unsigned longest;

	memset(&k, 0, sizeof(k));
	k.caddr.family = 4;
	ng_addr_parse(&k.saddr, "203.0.113.25");
	k.sport = 25;
	for (i = 0; i < 65535; i++) {
		old_colliding(i, 0, k.caddr.b, &k.cport);
		/* They really collide under the old scheme (any seed). */
		if (i == 0)
			b0 = old_flow_hash(k.caddr.b, k.cport, 0xcb007119u, 25,
			    0x9e3779b9u, 65536);
		same += old_flow_hash(k.caddr.b, k.cport, 0xcb007119u, 25,
		    0x9e3779b9u, 65536) == b0;
		CHECK(ng_flow_insert(t, &k, i) != NULL);
	}
	CHECK_EQ(same, 65535);
	longest = ng_flow_longest_chain(t);
	fprintf(stderr, "    65,535 old-colliding keys: longest chain %u\n",
	    longest);
	CHECK(longest <= 16);
	for (i = 0; i < 65535; i += 97) {
		old_colliding(i, 0, k.caddr.b, &k.cport);
		CHECK(ng_flow_find(t, &k) != NULL);
	}
	ng_flow_table_free(t);
}

static void
test_timerq_order(void)
{
	struct ng_timerq *q = ng_timerq_new(100);
	uint32_t i, item;
	ng_usec when, last = 0;

	for (i = 0; i < 100; i++)
		ng_timerq_set(q, i, (ng_usec)((i * 37) % 100));
	ng_timerq_del(q, 3);
	ng_timerq_set(q, 50, 1000);		/* reschedule later */
	ng_timerq_set(q, 51, 0);		/* and earlier */
	CHECK_EQ(ng_timerq_count(q), 99);
	while (ng_timerq_peek(q, &item, &when)) {
		CHECK(when >= last);
		CHECK(item != 3);
		last = when;
		ng_timerq_del(q, item);
	}
	CHECK_EQ(last, 1000);
	ng_timerq_free(q);
}

int
main(void)
{
	RUN(test_insert_find_delete);
	RUN(test_victim_order);
	RUN(test_old_collisions_spread);
	RUN(test_timerq_order);
	return test_done();
}
