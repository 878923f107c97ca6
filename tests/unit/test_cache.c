/*
 * test_cache.c - the expiring address tables (pass cache, penalty box,
 * greylist): expiry, prefix pools, capacity and eviction, walk order,
 * and random operations checked against a plain array model; touch
 * (PASS OLD) refreshing recency, the segmented LRU of the pass cache,
 * the greylist's admission control, and rehashing under a new key; a
 * segmented table saved and loaded through cache_file.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine/cache.h"
#include "daemon/cache_file.h"
#include "test.h"

static const uint8_t K[16] = { 0x5a, 0xc3 };	/* the tables' hash key */

static struct ng_addr
A(const char *s)
{
	struct ng_addr a;

	ng_addr_parse(&a, s);
	return a;
}

static void
test_put_find_expire(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 32, 128, K);
	struct ng_addr a = A("198.51.100.10");
	struct ng_cache_entry *e;

	CHECK(ng_cache_find(c, &a, 0) == NULL);
	CHECK(ng_cache_put(c, &a, 10, 100) != NULL);
	CHECK(ng_cache_find(c, &a, 50) != NULL);
	CHECK(ng_cache_find(c, &a, 109) != NULL);
	CHECK(ng_cache_find(c, &a, 110) == NULL);	/* expired */
	ng_cache_put(c, &a, 200, 100)->count = 5;
	e = ng_cache_find(c, &a, 250);
	CHECK(e != NULL);
	if (e != NULL)
		CHECK_EQ(e->first, 200);	/* expired: started afresh */
	/* A live refresh keeps first and count and moves the expiry. */
	e = ng_cache_put(c, &a, 260, 100);
	CHECK_EQ(e->first, 200);
	CHECK_EQ(e->count, 5);
	CHECK_EQ(e->expires, 360);
	CHECK_EQ(ng_cache_count(c), 1);
	CHECK_EQ(ng_cache_expire(c, 359), 0);
	CHECK_EQ(ng_cache_expire(c, 1000), 1);
	CHECK_EQ(ng_cache_count(c), 0);
	ng_cache_put(c, &a, 0, 100);
	ng_cache_del(c, &a);
	ng_cache_del(c, &a);		/* twice is harmless */
	CHECK(ng_cache_find(c, &a, 1) == NULL);
	CHECK_EQ(ng_cache_count(c), 0);
	/* An absurd TTL pins at "never" instead of wrapping. */
	e = ng_cache_put(c, &a, 1000, NG_NEVER);
	CHECK(e->expires == NG_NEVER);
	CHECK(ng_cache_find(c, &a, NG_NEVER - 1) != NULL);
	ng_cache_free(c);
	ng_cache_free(NULL);
	CHECK(ng_cache_table_new(0, 32, 128, K) == NULL);
}

/* A sender pool in one /24 (or /64) shares one entry. */
static void
test_prefix_pools(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 24, 64, K);
	struct ng_addr a = A("198.51.100.10"), b = A("198.51.100.200");
	struct ng_addr o = A("198.51.101.1");
	struct ng_addr x = A("2001:db8:1:2::1"), y = A("2001:db8:1:2:ffff::9");
	struct ng_addr z = A("2001:db8:1:3::1");
	struct ng_addr v4in6 = A("::ffff:198.51.100.10");
	struct ng_cache_entry *e;

	e = ng_cache_put(c, &a, 0, 100);
	CHECK(ng_addr_cmp(&e->key, &(struct ng_addr){ 0 }) != 0);
	CHECK(ng_cache_find(c, &b, 1) == e);
	CHECK(ng_cache_find(c, &o, 1) == NULL);
	CHECK(ng_cache_find(c, &v4in6, 1) == NULL);	/* other family */
	ng_cache_put(c, &x, 0, 100);
	CHECK(ng_cache_find(c, &y, 1) != NULL);
	CHECK(ng_cache_find(c, &z, 1) == NULL);
	CHECK_EQ(ng_cache_count(c), 2);
	ng_cache_put(c, &b, 5, 100)->count++;		/* same entry */
	CHECK_EQ(ng_cache_count(c), 2);
	CHECK_EQ(ng_cache_find(c, &a, 6)->count, 1);
	ng_cache_del(c, &b);				/* deletes the /24 */
	CHECK(ng_cache_find(c, &a, 6) == NULL);

	/* A new prefix applies to lookups made after the change. */
	ng_cache_set_prefix(c, 32, 128);
	ng_cache_put(c, &a, 10, 100);
	CHECK(ng_cache_find(c, &a, 11) != NULL);
	CHECK(ng_cache_find(c, &b, 11) == NULL);
	ng_cache_free(c);

	/* Prefix 0 lumps every address of a family together. */
	c = ng_cache_table_new(4, 0, 0, K);
	ng_cache_put(c, &a, 0, 10);
	CHECK(ng_cache_find(c, &o, 1) != NULL);
	CHECK(ng_cache_find(c, &x, 1) == NULL);
	ng_cache_free(c);
}

/* A flood of new addresses evicts the least recently refreshed. */
static void
test_capacity_evicts_oldest(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_addr a, keep = A("203.0.113.7");
	unsigned i;

	ng_cache_put(c, &keep, 0, 1000);
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, i, 1000);
		ng_cache_put(c, &keep, i, 1000);	/* keeps coming back */
	}
	CHECK_EQ(ng_cache_count(c), 10);
	CHECK_EQ(ng_cache_evictions(c), 91);
	CHECK(ng_cache_find(c, &keep, 100) != NULL);
	ng_addr_set_v4(&a, 0x0a000000u + 99);
	CHECK(ng_cache_find(c, &a, 100) != NULL);
	ng_addr_set_v4(&a, 0x0a000000u + 91);	/* keep + 91..99 */
	CHECK(ng_cache_find(c, &a, 100) != NULL);
	ng_addr_set_v4(&a, 0x0a000000u + 90);
	CHECK(ng_cache_find(c, &a, 100) == NULL);
	ng_addr_set_v4(&a, 0x0a000000u);
	CHECK(ng_cache_find(c, &a, 100) == NULL);
	ng_cache_free(c);
}

/* A hit refreshes recency, not the expiry: pass_ttl runs from the pass. */
static void
test_touch_keeps_regular(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_addr a, keep = A("203.0.113.7");
	struct ng_cache_entry *e;
	unsigned i;

	ng_cache_put(c, &keep, 0, 1000);
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, i, 1000);
		CHECK(ng_cache_touch(c, &keep, i) != NULL);
	}
	e = ng_cache_find(c, &keep, 100);
	CHECK(e != NULL);
	if (e != NULL)
		CHECK_EQ(e->expires, 1000);	/* not moved by the hits */
	CHECK(ng_cache_touch(c, &keep, 1000) == NULL);	/* expired */
	/* Without touch (find only), the regular goes with the oldest. */
	ng_cache_free(c);
	c = ng_cache_table_new(10, 32, 128, K);
	ng_cache_put(c, &keep, 0, 1000);
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, i, 1000);
		ng_cache_find(c, &keep, i);
	}
	CHECK(ng_cache_find(c, &keep, 100) == NULL);
	ng_cache_free(c);
}

/*
 * Segmented LRU: senders seen again sit in the protected segment, so a
 * burst of one-off entries many times the table's size only evicts other
 * one-off entries, even when the regulars were last seen before it.
 */
static void
test_segments(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 32, 128, K);
	struct ng_addr a;
	unsigned i, kept = 0;

	ng_cache_set_segments(c, 80);
	for (i = 0; i < 50; i++) {		/* regulars: passed, came back */
		ng_addr_set_v4(&a, 0xc6336400u + i);
		ng_cache_put(c, &a, 0, 10000)->count = 1;
		CHECK(ng_cache_touch(c, &a, 1) != NULL);
	}
	CHECK_EQ(ng_cache_protected(c), 50);
	for (i = 0; i < 10000; i++) {		/* one-off passes */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, 2 + i / 100, 10000);
	}
	for (i = 0; i < 50; i++) {
		ng_addr_set_v4(&a, 0xc6336400u + i);
		kept += ng_cache_find(c, &a, 200) != NULL;
	}
	CHECK_EQ(kept, 50);
	CHECK_EQ(ng_cache_count(c), 100);
	CHECK_EQ(ng_cache_evictions(c), 10000 - 50);
	ng_addr_set_v4(&a, 0x0a000000u + 9999);	/* the newest one-off */
	CHECK(ng_cache_find(c, &a, 200) != NULL);
	/* The protected segment is bounded: its oldest go back on
	 * probation, where the next one-off entries push them out. */
	for (i = 0; i < 40; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + 9999 - i);
		CHECK(ng_cache_touch(c, &a, 300) != NULL);
	}
	CHECK_EQ(ng_cache_protected(c), 80);
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0b000000u + i);
		ng_cache_put(c, &a, 400, 10000);
	}
	kept = 0;
	for (i = 0; i < 50; i++) {
		ng_addr_set_v4(&a, 0xc6336400u + i);
		kept += ng_cache_find(c, &a, 401) != NULL;
	}
	CHECK_EQ(kept, 40);			/* the 10 oldest regulars left */
	ng_cache_free(c);
}

/*
 * A full table whose protected tail has expired gives that slot up, not
 * the oldest live one-off on probation (whose tail is live).
 */
static void
test_expired_protected_first(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_addr a;
	unsigned i, kept = 0;

	ng_cache_set_segments(c, 5);
	for (i = 0; i < 5; i++) {		/* regulars, short TTL */
		ng_addr_set_v4(&a, 0xc6336400u + i);
		ng_cache_put(c, &a, 0, 100);
		CHECK(ng_cache_touch(c, &a, 1) != NULL);
	}
	for (i = 0; i < 5; i++) {		/* live one-offs */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, 2, 10000);
	}
	CHECK_EQ(ng_cache_protected(c), 5);
	CHECK_EQ(ng_cache_count(c), 10);
	ng_addr_set_v4(&a, 0x0c000000u);	/* at 200 the regulars are gone */
	CHECK(ng_cache_put(c, &a, 200, 10000) != NULL);
	for (i = 0; i < 5; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		kept += ng_cache_find(c, &a, 201) != NULL;
	}
	CHECK_EQ(kept, 5);
	CHECK_EQ(ng_cache_evictions(c), 0);
	ng_cache_free(c);
}

/*
 * Restored entries used more than once (count > 1) go back to the
 * protected segment of an empty table; a one-off stays on probation,
 * and a flood of new one-offs then pushes out only the restored one-off.
 */
static void
test_restore_protects(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_cache_entry r;
	struct ng_addr a;
	unsigned i;

	ng_cache_set_segments(c, 5);
	memset(&r, 0, sizeof(r));
	r.key = A("192.0.2.99");
	r.expires = 20000;
	r.count = 3;
	CHECK_EQ(ng_cache_restore(c, &r, 600), 1);
	CHECK_EQ(ng_cache_protected(c), 1);
	r.key = A("192.0.2.98");
	r.count = 1;
	CHECK_EQ(ng_cache_restore(c, &r, 600), 1);
	CHECK_EQ(ng_cache_protected(c), 1);
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, 700, 10000);
	}
	a = A("192.0.2.99");
	CHECK(ng_cache_find(c, &a, 701) != NULL);
	a = A("192.0.2.98");
	CHECK(ng_cache_find(c, &a, 701) == NULL);
	ng_cache_free(c);
}

/*
 * Saved and loaded through the state file (cache_file.c), a segmented
 * pass cache comes back with the same entries protected: a restart does
 * not put the regulars back among the one-offs.
 */
static void
test_state_round_trip(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 32, 128, K), *d;
	char dir[] = "/tmp/test_cache.XXXXXX", path[64], err[256] = "";
	struct ng_addr a;
	unsigned i, kept = 0;

	ng_cache_set_segments(c, 20);
	for (i = 0; i < 10; i++) {		/* regulars: PASS OLD */
		ng_addr_set_v4(&a, 0xc6336400u + i);
		ng_cache_put(c, &a, NG_SEC(1), NG_SEC(86400))->count = 1;
		ng_cache_touch(c, &a, NG_SEC(2))->count++;
	}
	for (i = 0; i < 30; i++) {		/* one-offs */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, NG_SEC(3), NG_SEC(86400))->count = 1;
	}
	CHECK_EQ(ng_cache_protected(c), 10);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/pass.state", dir);
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(4), 1700000000, err,
	    sizeof(err)), 40);
	d = ng_cache_table_new(100, 32, 128, K);
	ng_cache_set_segments(d, 20);
	CHECK_EQ(ng_state_load(d, path, "pass", NG_SEC(5), 1700000001, err,
	    sizeof(err)), 40);
	CHECK_EQ(ng_cache_protected(d), 10);
	for (i = 0; i < 1000; i++) {		/* a flood after the restart */
		ng_addr_set_v4(&a, 0x0b000000u + i);
		ng_cache_put(d, &a, NG_SEC(6), NG_SEC(86400));
	}
	for (i = 0; i < 10; i++) {
		ng_addr_set_v4(&a, 0xc6336400u + i);
		kept += ng_cache_find(d, &a, NG_SEC(7)) != NULL;
	}
	CHECK_EQ(kept, 10);
	unlink(path);
	rmdir(dir);
	ng_cache_free(c);
	ng_cache_free(d);
}

/*
 * Admission control (the greylist): a table full of live entries
 * refuses a new address instead of forgetting the oldest, so a flood
 * between a first try and its retry cannot make the retry new.  An
 * expired entry is reused as before.
 */
static void
test_admission(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_addr mta = A("198.51.100.25"), a;
	unsigned i, refused = 0;

	ng_cache_set_admission(c, 1);
	ng_cache_put(c, &mta, 0, 1000);		/* the real first try */
	for (i = 0; i < 10000; i++) {		/* forged SYNs */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		refused += ng_cache_put(c, &a, 1 + i / 100, 1000) == NULL;
	}
	CHECK_EQ(refused, 10000 - 9);
	CHECK_EQ(ng_cache_refused(c), 10000 - 9);
	CHECK_EQ(ng_cache_evictions(c), 0);
	CHECK(ng_cache_find(c, &mta, 500) != NULL);	/* the retry */
	/* Once the oldest expires its slot is reused for a new address. */
	ng_addr_set_v4(&a, 0x0b000000u);
	CHECK(ng_cache_put(c, &a, 999, 1000) == NULL);
	CHECK(ng_cache_put(c, &a, 1000, 1000) != NULL);
	CHECK(ng_cache_find(c, &mta, 1000) == NULL);
	CHECK_EQ(ng_cache_evictions(c), 0);	/* reused, not lost */
	/* A live entry is still refreshed in place when full. */
	ng_addr_set_v4(&a, 0x0a000000u);
	CHECK(ng_cache_put(c, &a, 1001, 1000) != NULL);
	/* The same flood without admission control forgets the MTA. */
	ng_cache_free(c);
	c = ng_cache_table_new(10, 32, 128, K);
	ng_cache_put(c, &mta, 0, 1000);
	for (i = 0; i < 10000; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, 1 + i / 100, 1000);
	}
	CHECK(ng_cache_find(c, &mta, 500) == NULL);
	ng_cache_free(c);
}

/*
 * An expired entry in the middle of a list is found and reused, within
 * capacity / 8 new entries (the sweep's step), wherever it sits.  The
 * reviewer's cases: a regular whose PASS OLD moved it to the protected
 * head without extending its expiry (a reload shortened pass_ttl) used
 * to stay while live one-offs were evicted; a greylist entry made under
 * a shorter greylist_window used to make a full table refuse every new
 * address while its oldest entry lived.
 */
static void
test_expired_in_middle(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 32, 128, K);
	struct ng_addr a;
	unsigned i, live = 0, admitted = 0;

	ng_cache_set_segments(c, 50);
	for (i = 0; i < 50; i++) {		/* regulars; one short-lived */
		ng_addr_set_v4(&a, 0xc6336400u + i);
		ng_cache_put(c, &a, 0, i == 25 ? 1000 : 100000);
		ng_cache_touch(c, &a, 1);
	}
	ng_addr_set_v4(&a, 0xc6336400u + 25);	/* PASS OLD: to the head */
	CHECK(ng_cache_touch(c, &a, 2) != NULL);
	for (i = 0; i < 50; i++) {		/* live one-offs */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, 3, 100000);
	}
	for (i = 0; i < 100 / 8 + 1; i++) {	/* at 2000 the regular is gone */
		ng_addr_set_v4(&a, 0x0b000000u + i);
		ng_cache_put(c, &a, 2000, 100000);
	}
	for (i = 0; i < 50; i++) {
		ng_addr_set_v4(&a, 0xc6336400u + i);
		live += ng_cache_find(c, &a, 2001) != NULL;
		ng_addr_set_v4(&a, 0x0a000000u + i);
		live += ng_cache_find(c, &a, 2001) != NULL;
	}
	for (i = 0; i < 100 / 8 + 1; i++) {
		ng_addr_set_v4(&a, 0x0b000000u + i);
		live += ng_cache_find(c, &a, 2001) != NULL;
	}
	CHECK_EQ(live, 100);			/* every slot holds a live one */
	CHECK_EQ(ng_cache_evictions(c), 100 / 8);
	ng_cache_free(c);

	c = ng_cache_table_new(100, 32, 128, K);	/* the greylist */
	ng_cache_set_admission(c, 1);
	for (i = 0; i < 100; i++) {		/* one under a shorter window */
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, i, i == 50 ? 10 : 100000);
	}
	for (i = 0; i < 100 / 8 + 1; i++) {
		ng_addr_set_v4(&a, 0x0b000000u + i);
		admitted += ng_cache_put(c, &a, 1000, 100000) != NULL;
	}
	CHECK_EQ(admitted, 1);
	CHECK_EQ(ng_cache_refused(c), 100 / 8);
	live = 0;
	for (i = 0; i < 100; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		live += ng_cache_find(c, &a, 1001) != NULL;
	}
	CHECK_EQ(live, 99);			/* no live first try lost */
	ng_cache_free(c);
}

/* The walk of a table, entry by entry. */
struct order {
	ng_usec first[600];
	uint32_t addr[600];
	unsigned n;
};

/* record - add an entry to the walk. */
static int
record(const struct ng_cache_entry *e, void *arg)
{
	struct order *o = arg;

	if (o->n < 600) {
		o->first[o->n] = e->first;
		o->addr[o->n] = ng_addr_v4(&e->key);
	}
	o->n++;
	return 0;
}

/* keyed_run - a segmented table under key through a flood; its walk. */
static void
keyed_run(const uint8_t key[16], struct order *o)
{
	struct ng_cache *c = ng_cache_table_new(500, 32, 128, key);
	struct ng_addr a;
	unsigned i;

	ng_cache_set_segments(c, 100);
	for (i = 0; i < 3000; i++) {		/* regulars and one-offs */
		ng_addr_set_v4(&a, 0x0a000000u +
		    (i % 3 == 0 ? (i / 3) % 150 : 1000 + i * 7919));
		if (ng_cache_touch(c, &a, i) == NULL)
			ng_cache_put(c, &a, i, 100000);
	}
	memset(o, 0, sizeof(*o));
	ng_cache_walk(c, record, o);
	CHECK_EQ(ng_cache_count(c), 500);
	CHECK_EQ(ng_cache_protected(c), 100);
	ng_cache_free(c);
}

/* The key is given at creation and changes nothing but the chains. */
static void
test_key_at_creation(void)
{
	static const uint8_t k1[16] = { 1, 2, 3 }, k2[16] = { 9, 9, 9 };
	static struct order o1, o2;

	keyed_run(k1, &o1);
	keyed_run(k2, &o2);
	CHECK_EQ(o1.n, o2.n);
	CHECK(o1.n > 0 && o1.n <= 500);
	CHECK(memcmp(o1.first, o2.first, sizeof(o1.first)) == 0);
	CHECK(memcmp(o1.addr, o2.addr, sizeof(o1.addr)) == 0);
}

struct seen {
	ng_usec first[8];
	int n, stop;
};

static int
collect(const struct ng_cache_entry *e, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->first[s->n] = e->first;
	s->n++;
	return s->stop && s->n == s->stop;
}

/* Walk: live entries only, oldest refresh first, stops when told. */
static void
test_walk_and_restore(void)
{
	struct ng_cache *c = ng_cache_table_new(8, 32, 128, K);
	struct ng_addr a;
	struct ng_cache_entry r, *e;
	struct seen s = { { 0 }, 0, 0 };
	unsigned i;

	for (i = 0; i < 4; i++) {
		ng_addr_set_v4(&a, 0xc0000200u + i);
		ng_cache_put(c, &a, i, i == 1 ? 5 : 100);
	}
	ng_addr_set_v4(&a, 0xc0000200u);
	ng_cache_put(c, &a, 10, 100);		/* refreshed: now newest */
	CHECK(ng_cache_find(c, &a, 20) != NULL);	/* clock at 20 */
	CHECK_EQ(ng_cache_walk(c, collect, &s), 0);
	CHECK_EQ(s.n, 3);			/* .1 expired at 6 */
	CHECK_EQ(s.first[0], 2);
	CHECK_EQ(s.first[1], 3);
	CHECK_EQ(s.first[2], 0);
	s.n = 0;
	s.stop = 2;
	CHECK_EQ(ng_cache_walk(c, collect, &s), 1);
	CHECK_EQ(s.n, 2);

	memset(&r, 0, sizeof(r));
	r.key = A("192.0.2.77");
	r.first = 3;
	r.expires = 20;
	r.count = 9;
	CHECK_EQ(ng_cache_restore(c, &r, 20), 0);	/* already expired */
	r.expires = 50;
	CHECK_EQ(ng_cache_restore(c, &r, 20), 1);
	e = ng_cache_find(c, &r.key, 21);
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_EQ(e->first, 3);
		CHECK_EQ(e->expires, 50);
		CHECK_EQ(e->count, 9);
	}
	ng_cache_free(c);
}

/*
 * Random puts, finds and deletes over a small address space, checked
 * against an array that does the same thing the slow, obvious way: a
 * full table reuses an expired entry, else evicts the least recently
 * touched.  M_CAP is at most the cache's sweep step, so its bounded
 * search sees every slot.
 */
#define M_CAP 8
#define M_ADDRS 40

struct model {
	int used[M_CAP];
	uint32_t addr[M_CAP];
	ng_usec first[M_CAP], expires[M_CAP], touched[M_CAP];
	uint64_t evictions;
};

static int
model_find(struct model *m, uint32_t a)
{
	int i;

	for (i = 0; i < M_CAP; i++)
		if (m->used[i] && m->addr[i] == a)
			return i;
	return -1;
}

static void
model_put(struct model *m, uint32_t a, ng_usec now, ng_usec ttl,
    ng_usec tick)
{
	int i = model_find(m, a), j;

	if (i < 0) {
		for (j = 0; j < M_CAP && m->used[j]; j++)
			;
		for (i = 0; j == M_CAP && i < M_CAP; i++)
			if (m->expires[i] <= now)
				j = i;		/* reuse an expired entry */
		if (j == M_CAP) {	/* evict the least recently touched */
			for (i = 0, j = 1; j < M_CAP; j++)
				if (m->touched[j] < m->touched[i])
					i = j;
			m->evictions++;
			j = i;
		}
		i = j;
		m->used[i] = 1;
		m->addr[i] = a;
		m->first[i] = now;
	} else if (m->expires[i] <= now) {
		m->first[i] = now;
	}
	m->expires[i] = now + ttl;
	m->touched[i] = tick;
}

static void
test_against_model(void)
{
	struct ng_cache *c = ng_cache_table_new(M_CAP, 32, 128, K);
	struct model m;
	struct ng_cache_entry *e;
	struct ng_addr a;
	ng_usec now = 1000;
	unsigned seed = 12345, op, i, bad = 0;
	int k;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 200000 && bad < 5; i++) {
		seed = seed * 1103515245u + 12345u;
		op = (seed >> 16) % 10;
		ng_addr_set_v4(&a, 0x0a000000u + (seed >> 8) % M_ADDRS);
		now += (seed >> 4) % 3;
		if (op < 4) {
			ng_cache_put(c, &a, now, 10 + op);
			model_put(&m, ng_addr_v4(&a), now, 10 + op, i + 1);
		} else if (op < 5) {
			ng_cache_del(c, &a);
			if ((k = model_find(&m, ng_addr_v4(&a))) >= 0)
				m.used[k] = 0;
		} else {
			e = ng_cache_find(c, &a, now);
			k = model_find(&m, ng_addr_v4(&a));
			if (k >= 0 && m.expires[k] <= now)
				k = -1;
			if ((e != NULL) != (k >= 0) || (e != NULL &&
			    (e->first != m.first[k] ||
			    e->expires != m.expires[k]))) {
				fprintf(stderr, "    step %u: cache and model "
				    "disagree\n", i);
				bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(ng_cache_evictions(c), m.evictions);
	CHECK(m.evictions > 1000);
	ng_cache_free(c);
}

/* A million new addresses into 100,000 slots: bounded.  How fast is for
 * make bench to say (hash flood), not for a timed test under valgrind. */
static void
test_flood(void)
{
	struct ng_cache *c = ng_cache_table_new(100000, 32, 64, K);
	struct timespec t0, t1;
	struct ng_addr a;
	uint32_t x = 1;
	unsigned i;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ng_addr_set_v4(&a, x);
		ng_cache_put(c, &a, i, NG_SEC(3600));
		ng_cache_find(c, &a, i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "    1M put+find into 100k slots: %.0f ns/op\n",
	    secs * 1e9 / 1e6);
	CHECK_EQ(ng_cache_count(c), 100000);
	CHECK(ng_cache_evictions(c) >= 899000);
	CHECK(ng_cache_find(c, &a, i) != NULL);	/* the newest survives */
	ng_cache_free(c);
}

int
main(void)
{
	RUN(test_put_find_expire);
	RUN(test_prefix_pools);
	RUN(test_capacity_evicts_oldest);
	RUN(test_touch_keeps_regular);
	RUN(test_segments);
	RUN(test_expired_protected_first);
	RUN(test_restore_protects);
	RUN(test_state_round_trip);
	RUN(test_admission);
	RUN(test_expired_in_middle);
	RUN(test_key_at_creation);
	RUN(test_walk_and_restore);
	RUN(test_against_model);
	RUN(test_flood);
	return test_done();
}
