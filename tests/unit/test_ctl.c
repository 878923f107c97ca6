/*
 * test_ctl.c - nfq-gate-ctl's protocol and verbs (daemon/ctl.c) over
 * three small tables: every verb in text and JSON, ADDR and CIDR
 * filters against keys masked to /24 and /64, the codes for "not found",
 * the hooks (and their absence offline), what changed() hears, and bad
 * requests of every kind answered NG_CTL_USAGE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeval.h"
#include "daemon/ctl.h"
#include "engine/cache.h"
#include "daemon/origin.h"
#include "test.h"

static const uint8_t K[16] = { 0x17, 0x2c, 0x99 };

/* A monotonic clock 100000.5s in; its wall time 1796530000.5. */
#define NOW	(NG_SEC(100000) + 500000)
#define WALL	((int64_t)NG_SEC(1796530000) - (int64_t)NG_SEC(100000))

struct change {
	int t, added, prefix;
	char addr[NG_ADDRSTRLEN];
};

struct fx {
	struct ng_cache *tab[NG_CTL_TABLE_MAX];
	struct ng_ctl c;
	struct ng_ctl_out o;
	char msg[256];
	struct change ch[16];
	int nch;
	int status_rc, reload_rc, nsaves;
};

static struct ng_addr
A(const char *s)
{
	struct ng_addr a;

	ng_addr_parse(&a, s);
	return a;
}

static void
put(struct ng_cache *t, const char *a, ng_usec at, ng_usec ttl,
    uint32_t count)
{
	struct ng_addr x = A(a);
	struct ng_cache_entry *e = ng_cache_put(t, &x, at, ttl);

	CHECK(e != NULL);
	if (e != NULL)
		e->count = count;
}

static void
where(void *arg, const struct ng_addr *a, struct ng_ctl_where *w)
{
	(void)arg;
	if (a->family != 4 || a->b[0] != 203)
		return;		/* the caller's "--", 0, "" */
	memcpy(w->cc, "CN", 3);
	w->asn = 4134;
	snprintf(w->owner, sizeof(w->owner), "CHINANET \"backbone\"");
}

static int
status(void *arg, int json, struct ng_ctl_out *o, char *why, size_t len)
{
	struct fx *f = arg;

	if (json)
		ng_ctl_printf(o, "{\"running\":true}\n");
	else
		ng_ctl_printf(o, "running\n");
	if (f->status_rc == NG_CTL_UNHEALTHY)
		snprintf(why, len, "rules missing; queue not bound");
	return f->status_rc;
}

static int
reload(void *arg, char *err, size_t len)
{
	struct fx *f = arg;

	if (f->reload_rc != 0)
		snprintf(err, len, "nfq-gate.conf:3: bad duration");
	return f->reload_rc;
}

static int
save(void *arg, char *err, size_t len)
{
	struct fx *f = arg;

	(void)err;
	(void)len;
	f->nsaves++;
	return 0;
}

static void
changed(void *arg, enum ng_ctl_table t, int added, const struct ng_addr *a,
    int prefix)
{
	struct fx *f = arg;
	struct change *c;

	if (f->nch >= 16)
		return;
	c = &f->ch[f->nch++];
	c->t = (int)t;
	c->added = added;
	c->prefix = prefix;
	if (a != NULL)
		ng_addr_format(a, c->addr, sizeof(c->addr));
	else
		strcpy(c->addr, "-");
}

/*
 * setup - pass (/32, /128): 192.0.2.7 count 2, 2001:db8::5 count 1, one
 * expired; penalty (/24, /64): 203.0.113.0/24 count 3 made 600s ago,
 * 2001:db8:1:2::/64; greylist: 198.51.100.9, first try 40s ago.
 */
static void
setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->tab[NG_CTL_PASS] = ng_cache_table_new(64, 32, 128, K);
	f->tab[NG_CTL_PENALTY] = ng_cache_table_new(64, 24, 64, K);
	f->tab[NG_CTL_GREYLIST] = ng_cache_table_new(64, 32, 64, K);
	put(f->tab[NG_CTL_PASS], "192.0.2.99", NG_SEC(1), NG_SEC(1), 1);
	put(f->tab[NG_CTL_PASS], "192.0.2.7", NOW - NG_SEC(7200),
	    NG_SEC(86400), 2);
	put(f->tab[NG_CTL_PASS], "2001:db8::5", NOW - NG_SEC(10),
	    NG_SEC(3 * 86400 + 7200), 1);
	put(f->tab[NG_CTL_PENALTY], "203.0.113.9", NOW - NG_SEC(600),
	    NG_SEC(3600), 3);
	put(f->tab[NG_CTL_PENALTY], "2001:db8:1:2:a:b:c:d", NOW - NG_SEC(5),
	    NG_SEC(65), 1);
	put(f->tab[NG_CTL_GREYLIST], "198.51.100.9", NOW - NG_SEC(40),
	    NG_SEC(600), 1);
	memcpy(f->c.table, f->tab, sizeof(f->tab));
	f->c.ttl[NG_CTL_PASS] = NG_SEC(30 * 86400);
	f->c.ttl[NG_CTL_PENALTY] = NG_SEC(3600);
	f->c.ttl[NG_CTL_GREYLIST] = NG_SEC(600);
	f->c.now = NOW;
	f->c.wall_offset = WALL;
	f->c.where = where;
	f->c.status = status;
	f->c.reload = reload;
	f->c.save = save;
	f->c.changed = changed;
	f->c.arg = f;
	ng_ctl_out_init(&f->o);
}

static void
teardown(struct fx *f)
{
	int t;

	for (t = 0; t < NG_CTL_TABLE_MAX; t++)
		ng_cache_free(f->tab[t]);
	ng_ctl_out_free(&f->o);
}

/* run - one request; the body is in f->o.buf ("" when none). */
static int
run(struct fx *f, const char *req)
{
	ng_ctl_out_free(&f->o);
	return ng_ctl_exec(&f->c, req, strlen(req), &f->o, f->msg,
	    sizeof(f->msg));
}

static const char *
body(const struct fx *f)
{
	return f->o.buf != NULL ? f->o.buf : "";
}

static int
has(const struct fx *f, const char *s)
{
	if (strstr(body(f), s) != NULL)
		return 1;
	fprintf(stderr, "body lacks \"%s\":\n%s", s, body(f));
	return 0;
}

static void
test_list_text(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "list penalty\n"), NG_CTL_OK);
	CHECK_STR(f.msg, "ok");
	CHECK_STR(body(&f),
	    "203.0.113.0/24      count 3   first 2026-12-06 03:56:40 UTC"
	    "   expires in 50m0s   origin=local\n"
	    "2001:db8:1:2::/64   count 1   first 2026-12-06 04:06:35 UTC"
	    "   expires in 1m0s   origin=local\n"
	    "2 entries\n");
	/* The expired pass entry is not shown; v6 sorts after v4. */
	CHECK_EQ(run(&f, "list pass"), NG_CTL_OK);
	CHECK(has(&f, "192.0.2.7/32      count 2"));
	CHECK(has(&f, "expires in 22h0m   origin=local\n"));
	CHECK(has(&f, "2001:db8::5/128   count 1"));
	CHECK(has(&f, "expires in 3d1h   origin=local\n"));
	CHECK(has(&f, "\n2 entries\n"));
	CHECK(strstr(body(&f), "192.0.2.99") == NULL);
	CHECK_EQ(run(&f, "list greylist"), NG_CTL_OK);
	CHECK(has(&f, "198.51.100.9/32   count 1"));
	CHECK(has(&f, "expires in 9m20s   origin=local\n1 entry\n"));
	teardown(&f);
}

static void
test_list_filter(void)
{
	struct fx f;

	setup(&f);
	/* An address inside an entry's /24 shows that entry. */
	CHECK_EQ(run(&f, "list penalty 203.0.113.7"), NG_CTL_OK);
	CHECK(has(&f, "203.0.113.0/24"));
	CHECK(has(&f, "1 entry\n"));
	CHECK_EQ(run(&f, "list penalty 203.0.0.0/16"), NG_CTL_OK);
	CHECK(has(&f, "1 entry\n"));
	CHECK_EQ(run(&f, "list penalty 203.0.113.128/25"), NG_CTL_OK);
	CHECK(has(&f, "203.0.113.0/24"));
	CHECK_EQ(run(&f, "list penalty 2001:db8:1:2::77"), NG_CTL_OK);
	CHECK(has(&f, "2001:db8:1:2::/64"));
	CHECK_EQ(run(&f, "list penalty 2001:db8::/32"), NG_CTL_OK);
	CHECK(has(&f, "1 entry\n"));
	CHECK_EQ(run(&f, "list pass 192.0.2.0/24"), NG_CTL_OK);
	CHECK(has(&f, "192.0.2.7/32"));
	CHECK(has(&f, "1 entry\n"));
	CHECK_EQ(run(&f, "list pass ::/0"), NG_CTL_OK);
	CHECK(has(&f, "2001:db8::5/128"));
	CHECK(has(&f, "1 entry\n"));
	/* Nothing covered: not found, and the expired entry stays unseen. */
	CHECK_EQ(run(&f, "list penalty 198.51.100.0/24"), NG_CTL_NOTFOUND);
	CHECK_STR(f.msg, "no such entry");
	CHECK_STR(body(&f), "");
	CHECK_EQ(run(&f, "list pass 192.0.2.99"), NG_CTL_NOTFOUND);
	CHECK_EQ(run(&f, "list penalty 203.0.114.1"), NG_CTL_NOTFOUND);
	CHECK_EQ(run(&f, "json list pass 10.0.0.0/8"), NG_CTL_NOTFOUND);
	CHECK_STR(body(&f), "{\"code\":2,\"error\":\"no such entry\"}\n");
	/* An empty table without a filter is fine. */
	CHECK_EQ(run(&f, "flush greylist"), NG_CTL_OK);
	CHECK_EQ(run(&f, "list greylist"), NG_CTL_OK);
	CHECK_STR(body(&f), "0 entries\n");
	CHECK_EQ(run(&f, "json list greylist"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"table\":\"greylist\",\"entries\":[]}\n");
	teardown(&f);
}

static void
test_list_json(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "json list penalty"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"table\":\"penalty\",\"entries\":["
	    "{\"addr\":\"203.0.113.0/24\",\"count\":3,\"first\":1796529400,"
	    "\"expires_in\":3000,\"origin\":\"local\"},"
	    "{\"addr\":\"2001:db8:1:2::/64\",\"count\":1,"
	    "\"first\":1796529995,\"expires_in\":60,"
	    "\"origin\":\"local\"}]}\n");
	/* Blanks of either kind, a CRLF, leading blanks. */
	CHECK_EQ(run(&f, " \tjson  list\tpenalty   203.0.113.1 \r\n"),
	    NG_CTL_OK);
	CHECK(has(&f, "\"entries\":[{\"addr\":\"203.0.113.0/24\""));
	teardown(&f);
}

static void
test_show(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "show 203.0.113.7"), NG_CTL_OK);
	CHECK_STR(body(&f),
	    "address   203.0.113.7\n"
	    "country   CN\n"
	    "asn       AS4134\n"
	    "owner     CHINANET \"backbone\"\n"
	    "pass      -\n"
	    "penalty   203.0.113.0/24   count 3   first 2026-12-06 03:56:40 "
	    "UTC   expires in 50m0s   origin=local\n"
	    "greylist  -\n"
	    "verdict   would be refused at its SYN (penalty box)\n");
	CHECK_EQ(run(&f, "show 192.0.2.7"), NG_CTL_OK);
	CHECK(has(&f, "pass      192.0.2.7/32   count 2"));
	CHECK(has(&f, "verdict   passes at its SYN (PASS OLD)\n"));
	CHECK_EQ(run(&f, "show 198.51.100.9"), NG_CTL_OK);
	CHECK(has(&f, "verdict   greylisted: first try 40s ago, 1 try, "
	    "forgotten in 9m20s\n"));
	CHECK_EQ(run(&f, "show 10.1.2.3"), NG_CTL_OK);
	CHECK(has(&f, "country   --\nasn       --\nowner     --\n"));
	CHECK(has(&f, "verdict   nothing known\n"));
	CHECK_EQ(run(&f, "show 2001:db8:1:2::99"), NG_CTL_OK);
	CHECK(has(&f, "penalty   2001:db8:1:2::/64"));
	/* Expired entries are not facts. */
	CHECK_EQ(run(&f, "show 192.0.2.99"), NG_CTL_OK);
	CHECK(has(&f, "nothing known"));
	teardown(&f);
}

static void
test_show_json(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "json show 203.0.113.7"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"addr\":\"203.0.113.7\",\"country\":\"CN\","
	    "\"asn\":4134,\"owner\":\"CHINANET \\\"backbone\\\"\","
	    "\"pass\":null,\"penalty\":{\"addr\":\"203.0.113.0/24\","
	    "\"count\":3,\"first\":1796529400,\"expires_in\":3000,"
	    "\"origin\":\"local\"},"
	    "\"greylist\":null,\"verdict\":\"would be refused at its SYN "
	    "(penalty box)\"}\n");
	CHECK_EQ(run(&f, "json show 10.1.2.3"), NG_CTL_OK);
	CHECK(has(&f, "\"country\":\"--\",\"asn\":null,\"owner\":null,"));
	/* No database hook (offline without a database): no country. */
	f.c.where = NULL;
	CHECK_EQ(run(&f, "json show 10.1.2.3"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"addr\":\"10.1.2.3\",\"pass\":null,"
	    "\"penalty\":null,\"greylist\":null,"
	    "\"verdict\":\"nothing known\"}\n");
	CHECK_EQ(run(&f, "show 10.1.2.3"), NG_CTL_OK);
	CHECK(strstr(body(&f), "country") == NULL);
	teardown(&f);
}

static void
test_del(void)
{
	struct ng_addr a;
	struct fx f;

	setup(&f);
	/* Any address of the /64 frees it; changed() hears the key. */
	CHECK_EQ(run(&f, "del penalty 2001:db8:1:2::1"), NG_CTL_OK);
	CHECK(has(&f, "2001:db8:1:2::/64"));
	CHECK(has(&f, "1 entry deleted from penalty\n"));
	CHECK_EQ(f.c.modified, 1);
	CHECK_EQ(f.nch, 1);
	CHECK_EQ(f.ch[0].t, NG_CTL_PENALTY);
	CHECK_EQ(f.ch[0].added, 0);
	CHECK_STR(f.ch[0].addr, "2001:db8:1:2::");
	CHECK_EQ(f.ch[0].prefix, 64);
	a = A("2001:db8:1:2::1");
	CHECK(ng_cache_find(f.tab[NG_CTL_PENALTY], &a, NOW) == NULL);
	CHECK_EQ(run(&f, "del penalty 2001:db8:1:2::1"), NG_CTL_NOTFOUND);
	CHECK_STR(f.msg, "no such entry");
	CHECK_EQ(f.nch, 1);
	/* A CIDR takes every entry inside it. */
	put(f.tab[NG_CTL_PASS], "192.0.2.8", NOW, NG_SEC(60), 1);
	f.c.modified = 0;
	CHECK_EQ(run(&f, "json del pass 192.0.2.0/24"), NG_CTL_OK);
	CHECK(has(&f, "{\"table\":\"pass\",\"deleted\":2,\"entries\":["
	    "{\"addr\":\"192.0.2.7/32\""));
	CHECK(has(&f, "{\"addr\":\"192.0.2.8/32\",\"count\":1,"
	    "\"first\":1796530000,\"expires_in\":60,"
	    "\"origin\":\"local\"}]}\n"));
	CHECK_EQ(f.c.modified, 1);
	CHECK_EQ(f.nch, 3);
	CHECK_EQ(f.ch[2].prefix, 32);
	CHECK_EQ(run(&f, "list pass"), NG_CTL_OK);
	CHECK(has(&f, "1 entry\n"));
	CHECK_EQ(run(&f, "del pass 10.0.0.0/8"), NG_CTL_NOTFOUND);
	teardown(&f);
}

static void
test_del_old_prefix(void)
{
	struct fx f;

	/* An entry keyed /32 before a reload made the box /24 still goes. */
	setup(&f);
	ng_cache_set_prefix(f.tab[NG_CTL_PENALTY], 32, 64);
	put(f.tab[NG_CTL_PENALTY], "198.18.7.9", NOW, NG_SEC(60), 1);
	ng_cache_set_prefix(f.tab[NG_CTL_PENALTY], 24, 64);
	CHECK_EQ(run(&f, "del penalty 198.18.7.9"), NG_CTL_OK);
	CHECK_EQ(run(&f, "list penalty 198.18.0.0/16"), NG_CTL_NOTFOUND);
	CHECK_EQ(ng_cache_count(f.tab[NG_CTL_PENALTY]), 2);
	teardown(&f);
}

static void
test_add(void)
{
	struct fx f;

	setup(&f);
	/* A new offender: count 1, the given TTL, masked to /24. */
	CHECK_EQ(run(&f, "add penalty 198.18.0.77 30m"), NG_CTL_OK);
	CHECK_STR(f.msg, "ok");
	CHECK(has(&f, "198.18.0.0/24   count 1   first 2026-12-06 04:06:40 "
	    "UTC   expires in 30m0s   origin=local\n"));
	CHECK(has(&f, "198.18.0.0/24 added to penalty: would be refused"));
	CHECK_EQ(f.c.modified, 1);
	CHECK_EQ(f.nch, 1);
	CHECK_EQ(f.ch[0].added, 1);
	CHECK_STR(f.ch[0].addr, "198.18.0.0");
	CHECK_EQ(f.ch[0].prefix, 24);
	/* A known one: one more offence, the table's TTL from now. */
	CHECK_EQ(run(&f, "json add penalty 203.0.113.200"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"table\":\"penalty\",\"new\":false,\"entry\":"
	    "{\"addr\":\"203.0.113.0/24\",\"count\":4,\"first\":1796529400,"
	    "\"expires_in\":3600,\"origin\":\"local\"},\"meaning\":"
	    "\"would be refused at its SYN "
	    "(penalty box)\"}\n");
	/* pass: count 1, as for a client that passed once. */
	CHECK_EQ(run(&f, "add pass 192.0.2.50"), NG_CTL_OK);
	CHECK(has(&f, "192.0.2.50/32   count 1"));
	CHECK(has(&f, "expires in 30d0h   origin=local\n"));
	CHECK(has(&f, "added to pass: passes at its SYN"));
	/* A refresh keeps the count it had. */
	CHECK_EQ(run(&f, "add pass 192.0.2.7 1h"), NG_CTL_OK);
	CHECK(has(&f, "192.0.2.7/32   count 2"));
	CHECK(has(&f, "refreshed in pass"));
	CHECK_EQ(run(&f, "add greylist 2001:db8:9::1 90"), NG_CTL_OK);
	CHECK(has(&f, "2001:db8:9::/64   count 1"));
	CHECK(has(&f, "expires in 1m30s   origin=local\n"));
	/* A CIDR no wider than the table's prefix names one entry. */
	CHECK_EQ(run(&f, "add penalty 192.0.2.0/24"), NG_CTL_OK);
	CHECK_EQ(run(&f, "add penalty 192.0.0.0/16"), NG_CTL_USAGE);
	CHECK_STR(f.msg, "add penalty: 192.0.0.0/16 is wider than the "
	    "table's /24");
	CHECK_EQ(run(&f, "add pass 192.0.2.51/32"), NG_CTL_OK);
	CHECK_EQ(f.nch, 7);
	/* A table without a TTL of its own needs one in the request. */
	f.c.ttl[NG_CTL_PASS] = 0;
	CHECK_EQ(run(&f, "add pass 192.0.2.52"), NG_CTL_USAGE);
	CHECK_EQ(run(&f, "add pass 192.0.2.52 1d"), NG_CTL_OK);
	teardown(&f);
}

static void
test_add_full(void)
{
	struct fx f;
	struct ng_cache *g;

	setup(&f);
	g = ng_cache_table_new(2, 32, 64, K);
	ng_cache_set_admission(g, 1);
	put(g, "198.51.100.1", NOW, NG_SEC(600), 1);
	put(g, "198.51.100.2", NOW, NG_SEC(600), 1);
	f.c.table[NG_CTL_GREYLIST] = g;
	CHECK_EQ(run(&f, "add greylist 198.51.100.3"), NG_CTL_FAILED);
	CHECK_STR(f.msg, "greylist: table full");
	CHECK_EQ(f.nch, 0);
	CHECK_EQ(f.c.modified, 0);
	CHECK_EQ(run(&f, "json add greylist 198.51.100.3"), NG_CTL_FAILED);
	CHECK_STR(body(&f), "{\"code\":3,\"error\":\"greylist: table "
	    "full\"}\n");
	/* The ones already in are refreshed all the same. */
	CHECK_EQ(run(&f, "add greylist 198.51.100.2"), NG_CTL_OK);
	ng_cache_free(g);
	teardown(&f);
}

static void
test_flush(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "flush pass"), NG_CTL_OK);
	CHECK_STR(body(&f), "2 entries deleted from pass\n");
	CHECK_EQ(ng_cache_count(f.tab[NG_CTL_PASS]), 0);	/* expired too */
	CHECK_EQ(f.nch, 1);
	CHECK_EQ(f.ch[0].t, NG_CTL_PASS);
	CHECK_EQ(f.ch[0].prefix, -1);
	CHECK_STR(f.ch[0].addr, "-");
	CHECK_EQ(f.c.modified, 1);
	CHECK_EQ(run(&f, "json flush penalty"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"table\":\"penalty\",\"deleted\":2}\n");
	CHECK_EQ(run(&f, "flush penalty"), NG_CTL_OK);
	CHECK_STR(body(&f), "0 entries deleted from penalty\n");
	CHECK_EQ(ng_cache_count(f.tab[NG_CTL_GREYLIST]), 1);
	teardown(&f);
}

static void
test_hooks(void)
{
	struct fx f;

	setup(&f);
	CHECK_EQ(run(&f, "status"), NG_CTL_OK);
	CHECK_STR(f.msg, "ok");
	CHECK_STR(body(&f), "running\n");
	CHECK_EQ(run(&f, "json status"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"running\":true}\n");
	f.status_rc = NG_CTL_UNHEALTHY;
	CHECK_EQ(run(&f, "status"), NG_CTL_UNHEALTHY);
	CHECK_STR(f.msg, "rules missing; queue not bound");
	CHECK_STR(body(&f), "running\n");
	f.status_rc = 42;	/* no code of ours */
	CHECK_EQ(run(&f, "status"), NG_CTL_FAILED);
	CHECK_EQ(run(&f, "reload"), NG_CTL_OK);
	CHECK_STR(body(&f), "reloaded\n");
	CHECK_EQ(run(&f, "json reload"), NG_CTL_OK);
	CHECK_STR(body(&f), "{\"reload\":\"ok\"}\n");
	f.reload_rc = -1;
	CHECK_EQ(run(&f, "reload"), NG_CTL_FAILED);
	CHECK_STR(f.msg, "reload: nfq-gate.conf:3: bad duration");
	CHECK_STR(body(&f), "");
	CHECK_EQ(run(&f, "save"), NG_CTL_OK);
	CHECK_STR(body(&f), "state save started (on disk within a second)\n");
	CHECK_EQ(f.nsaves, 1);
	CHECK_EQ(f.c.modified, 0);
	/* Offline: no hooks, no changed(). */
	f.c.status = NULL;
	f.c.reload = NULL;
	f.c.save = NULL;
	f.c.changed = NULL;
	f.c.where = NULL;
	CHECK_EQ(run(&f, "status"), NG_CTL_USAGE);
	CHECK_STR(f.msg, "status: not available here (offline)");
	CHECK_EQ(run(&f, "reload"), NG_CTL_USAGE);
	CHECK_STR(f.msg, "reload: not available here (offline)");
	CHECK_EQ(run(&f, "json save"), NG_CTL_USAGE);
	CHECK_STR(body(&f), "{\"code\":64,\"error\":\"save: not available "
	    "here (offline)\"}\n");
	CHECK_EQ(run(&f, "del penalty 203.0.113.1"), NG_CTL_OK);
	CHECK_EQ(run(&f, "add penalty 203.0.113.1"), NG_CTL_OK);
	CHECK_EQ(run(&f, "flush pass"), NG_CTL_OK);
	CHECK_EQ(f.nch, 0);
	CHECK_EQ(f.c.modified, 1);
	/* A table the caller has not got. */
	f.c.table[NG_CTL_GREYLIST] = NULL;
	CHECK_EQ(run(&f, "list greylist"), NG_CTL_FAILED);
	CHECK_EQ(run(&f, "show 198.51.100.9"), NG_CTL_OK);
	CHECK(has(&f, "greylist  -\n"));
	teardown(&f);
}

/* usage - the request is refused as a bad one, with msg in the message. */
static int
usage(struct fx *f, const char *req, size_t len, const char *msg)
{
	int rc;

	ng_ctl_out_free(&f->o);
	rc = ng_ctl_exec(&f->c, req, len, &f->o, f->msg, sizeof(f->msg));
	if (rc == NG_CTL_USAGE && strstr(f->msg, msg) != NULL &&
	    strchr(f->msg, '\n') == NULL)
		return 1;
	fprintf(stderr, "request \"%.*s\": %d \"%s\"\n", (int)len, req, rc,
	    f->msg);
	return 0;
}

#define BAD(req, msg) CHECK(usage(&f, req, strlen(req), msg))

static void
test_bad(void)
{
	char line[NG_CTL_LINE_MAX + 8];
	struct fx f;

	setup(&f);
	BAD("", "empty request");
	BAD("\n", "empty request");
	BAD("   \t ", "empty request");
	BAD("json", "json: a verb must follow");
	BAD("json \n", "json: a verb must follow");
	BAD("frobnicate", "unknown verb \"frobnicate\"");
	BAD("LIST pass", "unknown verb");
	BAD("list", "usage: [json] list pass|penalty|greylist [ADDR|CIDR]");
	BAD("list cache", "unknown table \"cache\"");
	BAD("list pass 192.0.2.1 extra", "usage: [json] list");
	BAD("list pass 192.0.2.300", "bad address or CIDR \"192.0.2.300\"");
	BAD("list pass 192.0.2.0/33", "bad address or CIDR");
	BAD("list pass 2001:db8::/129", "bad address or CIDR");
	BAD("list pass 192.0.2.0/", "bad address or CIDR");
	BAD("list pass /24", "bad address or CIDR");
	BAD("show", "usage: [json] show ADDR");
	BAD("show 1.2.3", "bad address \"1.2.3\"");
	BAD("show 192.0.2.0/24", "bad address");
	BAD("show a b", "usage: [json] show ADDR");
	BAD("del pass", "usage: [json] del");
	BAD("del pass 1.2.3.x", "bad address or CIDR");
	BAD("add pass", "usage: [json] add pass|penalty|greylist ADDR [TTL]");
	BAD("add pass 192.0.2.1 5x", "bad TTL \"5x\"");
	BAD("add pass 192.0.2.1 0", "bad TTL \"0\"");
	BAD("add pass 192.0.2.1 -1", "bad TTL");
	BAD("add pass 192.0.2.1 1h extra", "usage: [json] add");
	BAD("add pass nowhere", "bad address \"nowhere\"");
	BAD("flush", "usage: [json] flush");
	BAD("flush pass now", "usage: [json] flush");
	BAD("status now", "usage: [json] status");
	BAD("reload all", "usage: [json] reload");
	BAD("save x", "usage: [json] save");
	BAD("json json status", "unknown verb \"json\"");
	BAD("status\nstatus\n", "more than one line");
	BAD("status\x01", "control character");
	BAD("status\x7f", "control character");
	BAD("a b c d e f g h i", "too many words");
	CHECK(usage(&f, "status\0x\n", 9, "NUL byte"));
	CHECK(usage(&f, "\0", 1, "NUL byte"));
	CHECK(usage(&f, NULL, 0, "empty request"));
	/* The longest line, then one byte more; "\n" is not counted. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "status ", 7);
	line[NG_CTL_LINE_MAX - 1] = '\n';
	CHECK(usage(&f, line, NG_CTL_LINE_MAX, "usage: [json] status"));
	CHECK(usage(&f, line, NG_CTL_LINE_MAX - 1, "usage: [json] status"));
	CHECK(usage(&f, line, NG_CTL_LINE_MAX + 1, "request longer than 511 "
	    "bytes"));
	CHECK(usage(&f, line, NG_CTL_LINE_MAX, "") && f.o.len == 0);
	/* A bad word is quoted cut short, the message stays one line. */
	memcpy(line, "show   ", 7);
	CHECK(usage(&f, line, 300, "bad address \"xxxxxxx"));
	CHECK(strlen(f.msg) < 100);
	/* JSON: the error as a document, even before the split. */
	CHECK(usage(&f, "json status\0", 12, "NUL byte"));
	CHECK_STR(body(&f), "{\"code\":64,\"error\":\"NUL byte in request\"}\n");
	BAD("json list cache", "unknown table");
	CHECK_STR(body(&f), "{\"code\":64,\"error\":\"unknown table "
	    "\\\"cache\\\" (pass, penalty, greylist)\"}\n");
	BAD("list cache", "unknown table");
	CHECK_STR(body(&f), "");
	/* Nothing was changed by any of it. */
	CHECK_EQ(f.nch, 0);
	CHECK_EQ(f.c.modified, 0);
	teardown(&f);
}

static void
test_out(void)
{
	struct ng_ctl_out o;
	struct fx f;
	int i;

	ng_ctl_out_init(&o);
	for (i = 0; i < 1000; i++)
		ng_ctl_printf(&o, "%04d,", i);
	CHECK_EQ(o.len, 5000);
	CHECK_EQ(strlen(o.buf), 5000);
	CHECK(memcmp(o.buf + 4995, "0999,", 5) == 0);
	CHECK_EQ(o.failed, 0);
	/* Once failed, nothing more goes in. */
	o.failed = 1;
	ng_ctl_printf(&o, "more");
	CHECK_EQ(o.len, 5000);
	ng_ctl_out_free(&o);
	CHECK(o.buf == NULL && o.len == 0 && o.failed == 0);
	ng_ctl_out_free(&o);
	/* A body cut short is a failed answer. */
	setup(&f);
	f.o.failed = 1;
	CHECK_EQ(ng_ctl_exec(&f.c, "list pass", 9, &f.o, f.msg,
	    sizeof(f.msg)), NG_CTL_FAILED);
	CHECK_STR(f.msg, "out of memory: answer cut short");
	CHECK_STR(ng_ctl_table_name(NG_CTL_GREYLIST), "greylist");
	CHECK_STR(ng_ctl_table_name(NG_CTL_TABLE_MAX), "?");
	/* A tiny message buffer is cut, never overrun. */
	ng_ctl_out_free(&f.o);
	CHECK_EQ(ng_ctl_exec(&f.c, "frob", 4, &f.o, f.msg, 4), NG_CTL_USAGE);
	CHECK_STR(f.msg, "unk");
	teardown(&f);
}

/* An entry from a peer gate (the shared state) names it. */
static void
test_origin(void)
{
	struct fx f;
	struct ng_addr a = A("192.0.2.7");
	struct ng_cache_entry *e;

	setup(&f);
	e = ng_cache_find(f.tab[NG_CTL_PASS], &a, NOW);
	CHECK(e != NULL);
	if (e != NULL)
		e->origin = ng_origin_id("mx-b", 4);
	CHECK_EQ(run(&f, "list pass 192.0.2.7"), NG_CTL_OK);
	CHECK(has(&f, "expires in 22h0m   origin=mx-b\n1 entry\n"));
	CHECK_EQ(run(&f, "json list pass 192.0.2.7"), NG_CTL_OK);
	CHECK(has(&f, "\"expires_in\":79200,\"origin\":\"mx-b\"}"));
	CHECK_EQ(run(&f, "show 192.0.2.7"), NG_CTL_OK);
	CHECK(has(&f, "origin=mx-b\n"));
	teardown(&f);
}

int
main(void)
{
	RUN(test_list_text);
	RUN(test_origin);
	RUN(test_list_filter);
	RUN(test_list_json);
	RUN(test_show);
	RUN(test_show_json);
	RUN(test_del);
	RUN(test_del_old_prefix);
	RUN(test_add);
	RUN(test_add_full);
	RUN(test_flush);
	RUN(test_hooks);
	RUN(test_bad);
	RUN(test_out);
	return test_done();
}
