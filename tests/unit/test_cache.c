/*
 * test_cache.c - expiring address tables and their state files.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cache_file.h"
#include "test.h"

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
	struct ng_cache *c = ng_cache_new(100, 32, 128);
	struct ng_addr a = A("198.51.100.10");

	CHECK(ng_cache_find(c, &a, 0) == NULL);
	CHECK(ng_cache_put(c, &a, 10, 100) != NULL);
	CHECK(ng_cache_find(c, &a, 50) != NULL);
	CHECK(ng_cache_find(c, &a, 110) == NULL);	/* expired */
	ng_cache_put(c, &a, 200, 100);
	CHECK_EQ(ng_cache_find(c, &a, 250)->first, 200);  /* afresh */
	CHECK_EQ(ng_cache_count(c), 1);
	CHECK_EQ(ng_cache_expire(c, 1000), 1);
	CHECK_EQ(ng_cache_count(c), 0);
	ng_cache_put(c, &a, 0, 100);
	ng_cache_del(c, &a);
	CHECK(ng_cache_find(c, &a, 1) == NULL);
	ng_cache_free(c);
}

static void
test_prefix_pools(void)
{
	struct ng_cache *c = ng_cache_new(100, 24, 64);
	struct ng_addr a = A("198.51.100.10"), b = A("198.51.100.200");
	struct ng_addr o = A("198.51.101.1");
	struct ng_addr x = A("2001:db8:1:2::1"), y = A("2001:db8:1:2:ffff::9");
	struct ng_addr z = A("2001:db8:1:3::1");

	ng_cache_put(c, &a, 0, 100);
	CHECK(ng_cache_find(c, &b, 1) != NULL);
	CHECK(ng_cache_find(c, &o, 1) == NULL);
	ng_cache_put(c, &x, 0, 100);
	CHECK(ng_cache_find(c, &y, 1) != NULL);
	CHECK(ng_cache_find(c, &z, 1) == NULL);
	CHECK_EQ(ng_cache_count(c), 2);
	ng_cache_free(c);
}

/* A flood of new addresses evicts the least recently refreshed. */
static void
test_capacity_evicts_oldest(void)
{
	struct ng_cache *c = ng_cache_new(10, 32, 128);
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
	ng_addr_set_v4(&a, 0x0a000000u);
	CHECK(ng_cache_find(c, &a, 100) == NULL);
	ng_cache_free(c);
}

static char dir[] = "/tmp/ngcache.XXXXXX";

static void
test_state_round_trip(void)
{
	struct ng_cache *c = ng_cache_new(100, 24, 64), *d;
	struct ng_addr a = A("198.51.100.10"), x = A("2001:db8:1:2::1");
	struct ng_addr gone = A("192.0.2.1");
	char path[256], err[512];
	ng_usec mono = NG_SEC(5000);
	struct ng_cache_entry *e;

	snprintf(path, sizeof(path), "%s/pass.state", dir);
	ng_cache_put(c, &a, mono - NG_SEC(10), NG_SEC(3600))->count = 3;
	ng_cache_put(c, &x, mono, NG_SEC(60));
	ng_cache_put(c, &gone, mono - NG_SEC(100), NG_SEC(50));
	CHECK_EQ(ng_state_save(c, path, "pass", mono, 1700000000, err,
	    sizeof(err)), 0);
	/* Reload after a "reboot": a new monotonic clock, wall +30 s. */
	d = ng_cache_new(100, 24, 64);
	CHECK_EQ(ng_state_load(d, path, "pass", NG_SEC(7), 1700000030, err,
	    sizeof(err)), 2);
	e = ng_cache_find(d, &a, NG_SEC(7));
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->count, 3);
		CHECK_EQ(e->expires, NG_SEC(7) + NG_SEC(3600 - 10 - 30));
	}
	CHECK(ng_cache_find(d, &x, NG_SEC(7)) != NULL);
	CHECK(ng_cache_find(d, &gone, NG_SEC(7)) == NULL);
	/* A table of another kind is refused. */
	CHECK_EQ(ng_state_load(d, path, "penalty", 0, 1700000030, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "set aside") != NULL);
	CHECK(access(path, F_OK) != 0);
	ng_cache_free(c);
	ng_cache_free(d);
}

static void
test_state_bad_input(void)
{
	static const char *bad[] = {
		"",
		"nfq-gate-state 2 pass\n",
		"nfq-gate-state 1 pass",
		"nfq-gate-state 1 pass\n1.2.3.4 1 2 3\n",
		"nfq-gate-state 1 pass\n1.2.3.4/33 1 2 3\n",
		"nfq-gate-state 1 pass\n1.2.3.4/32 5 2 3\n",
		"nfq-gate-state 1 pass\n1.2.3.4/32 1 2\n",
		"nfq-gate-state 1 pass\n1.2.3.4/32 1 2 3 junk\n",
		"nfq-gate-state 1 pass\nzzz/8 1 2 3\n",
	};
	struct ng_cache *c = ng_cache_new(10, 32, 128);
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(ng_state_parse(c, bad[i], strlen(bad[i]), "t.state",
		    "pass", 0, 0, err, sizeof(err)), -1);
		CHECK(strncmp(err, "t.state:", 8) == 0);
	}
	CHECK_EQ(ng_cache_count(c), 0);
	ng_cache_free(c);
}

/* A corrupt file half way down loads nothing: the gate starts clean. */
static void
test_corrupt_loads_nothing(void)
{
	const char *t = "nfq-gate-state 1 pass\n198.51.100.1/32 1 99999 1\n"
	    "garbage\n";
	struct ng_cache *c = ng_cache_new(10, 32, 128);
	char path[256], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/x.state", dir);
	f = fopen(path, "w");
	fputs(t, f);
	fclose(f);
	CHECK_EQ(ng_state_load(c, path, "pass", 0, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, ":3:") != NULL);
	CHECK_EQ(ng_cache_count(c), 0);
	ng_cache_free(c);
}

/* A failed write keeps the last good file. */
static void
test_failed_save_keeps_old(void)
{
	struct ng_cache *c = ng_cache_new(10, 32, 128);
	struct ng_addr a = A("198.51.100.10");
	char path[512], sub[256], err[512];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/ro", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/pass.state", sub);
	ng_cache_put(c, &a, 0, NG_SEC(100));
	CHECK_EQ(ng_state_save(c, path, "pass", 0, 1000, err, sizeof(err)), 0);
	/* Turn the target into something rename cannot replace. */
	CHECK_EQ(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s", sub);	/* a directory */
	CHECK_EQ(ng_state_save(c, path, "pass", 0, 1000, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "keeping the last good file") != NULL);
	snprintf(path, sizeof(path), "%s/nodir/pass.state", dir);
	CHECK_EQ(ng_state_save(c, path, "pass", 0, 1000, err, sizeof(err)),
	    -1);
	ng_cache_free(c);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_put_find_expire);
	RUN(test_prefix_pools);
	RUN(test_capacity_evicts_oldest);
	RUN(test_state_round_trip);
	RUN(test_state_bad_input);
	RUN(test_corrupt_loads_nothing);
	RUN(test_failed_save_keeps_old);
	if (system("rm -rf /tmp/ngcache.*") != 0)
		return 1;
	return test_done();
}
