/*
 * lookup_bench.c - country lookups/s: our database against the two
 * obvious alternatives, on the same addresses in the same run.
 *
 * The baselines are a binary search over the database's own sorted
 * ranges (what a careful programmer writes first) and libmaxminddb's
 * MMDB_lookup_sockaddr on the MMDB edition of the same whois data.
 * Addresses are drawn once, up front, from a fixed seed: IPv4 uniformly
 * over the whole space, IPv6 inside the covered ranges (uniform IPv6
 * addresses would all miss and measure nothing).  Each result set is
 * summed into a checksum and the answers are compared, so no compiler
 * can skip the work and a fast wrong answer shows.  Each contender runs
 * three passes, taking turns, and its best pass counts.
 *
 * usage: lookup_bench DB [MMDB] [N]
 *        lookup_bench --where CCDB FULLDB [N]
 * The second form sets a database of countries alone (CCDB) beside one
 * of country, AS number and owner built from the same country rows plus
 * AS data (FULLDB), on the same addresses in the same run: the country
 * lookup on each, and the full lookup (ng_netdb_find and the owner
 * string) on FULLDB; the country answers of the two must agree.
 * Prints key=value lines; tests/bench/lookup.sh makes the table rows.
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/addr.h"
#include "netdb/netdb.h"

#include "benchclock.h"

struct range {
	uint64_t hi, lo;	/* first address; IPv4 in lo */
	uint64_t lhi, llo;	/* last address */
	uint16_t cc;
};

struct ranges {
	struct range *r;
	size_t n, cap;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_rand(void)
{
	/* xorshift64*: fast and reproducible, quality is not the point */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t
load64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void
die(const char *msg)
{
	fprintf(stderr, "lookup_bench: %s\n", msg);
	exit(1);
}

static int
collect(const struct ng_addr *first, const struct ng_addr *last,
    uint16_t cc, void *arg)
{
	struct ranges *rs = arg;
	struct range *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 65536;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		if (rs->r == NULL)
			die("out of memory");
	}
	r = &rs->r[rs->n++];
	if (first->family == 4) {
		r->hi = r->lhi = 0;
		r->lo = ng_addr_v4(first);
		r->llo = ng_addr_v4(last);
	} else {
		r->hi = load64(first->b);
		r->lo = load64(first->b + 8);
		r->lhi = load64(last->b);
		r->llo = load64(last->b + 8);
	}
	r->cc = cc;
	return 0;
}

/* The baseline: the last range starting at or below a, if it covers a. */
static uint16_t
bsearch_lookup(const struct ranges *rs, uint64_t hi, uint64_t lo)
{
	size_t l = 0, h = rs->n, m;
	const struct range *r;

	while (l < h) {
		m = l + (h - l) / 2;
		r = &rs->r[m];
		if (r->hi < hi || (r->hi == hi && r->lo <= lo))
			l = m + 1;
		else
			h = m;
	}
	if (l == 0)
		return 0;
	r = &rs->r[l - 1];
	if (r->lhi > hi || (r->lhi == hi && r->llo >= lo))
		return r->cc;
	return 0;
}

static uint16_t
mmdb_lookup(MMDB_s *mm, const struct ng_addr *a)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	MMDB_lookup_result_s res;
	MMDB_entry_data_s ent;
	char cc[3];
	int err;

	if (a->family == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->b, 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->b, 16);
		sa = (const struct sockaddr *)&sin6;
	}
	res = MMDB_lookup_sockaddr(mm, sa, &err);
	if (err != MMDB_SUCCESS || !res.found_entry)
		return 0;
	if (MMDB_get_value(&res.entry, &ent, "country_code", NULL) !=
	    MMDB_SUCCESS || !ent.has_data ||
	    ent.type != MMDB_DATA_TYPE_UTF8_STRING || ent.data_size != 2)
		return 0;
	memcpy(cc, ent.utf8_string, 2);
	cc[2] = '\0';
	return ng_cc_pack(cc);
}

/* Addresses inside the covered IPv6 ranges, most of them in big ones. */
static void
draw_v6(struct ng_addr *a, const struct ranges *rs)
{
	const struct range *r = &rs->r[next_rand() % rs->n];
	uint64_t lo = next_rand();
	int i;

	a->family = 6;
	if (r->hi == r->lhi && (lo < r->lo || lo > r->llo))
		lo = r->lo;
	for (i = 0; i < 8; i++) {
		a->b[i] = (uint8_t)(r->hi >> (56 - 8 * i));
		a->b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

struct result {
	double secs;		/* the best pass */
	uint64_t sum;
};

/*
 * Every contender makes PASSES passes over the same addresses in turn and
 * its best counts: a pass that a timer interrupt, another process or a
 * cold cache slowed is noise, not the lookup's cost.
 */
#define PASSES 3

/* best_of - keep the pass that took t seconds if it is r's best. */
static void
best_of(struct result *r, double t)
{
	if (r->secs == 0 || t < r->secs)
		r->secs = t;
}

static void
print_family(const char *fam, size_t n, struct result *ours,
    struct result *bs, struct result *mm, size_t diff_bs, size_t diff_mm)
{
	printf("%s_ours=%.0f\n%s_bsearch=%.0f\n", fam, n / ours->secs,
	    fam, n / bs->secs);
	if (mm->secs > 0)
		printf("%s_mmdb=%.0f\n", fam, n / mm->secs);
	printf("%s_differ_bsearch=%zu\n%s_differ_mmdb=%zu\n", fam, diff_bs,
	    fam, diff_mm);
}

static void
run_family(int fam, const struct ng_netdb *db, const struct ranges *rs,
    MMDB_s *mm, size_t n)
{
	struct ng_addr *a = malloc(n * sizeof(*a));
	uint16_t *ans = malloc(n * sizeof(*ans));
	struct result ours = { 0, 0 }, bs = { 0, 0 }, mmr = { 0, 0 };
	size_t i, diff_bs = 0, diff_mm = 0;
	double t;
	uint16_t c;
	int pass;

	if (a == NULL || ans == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (fam == 4) {
			memset(a[i].b, 0, sizeof(a[i].b));
			ng_addr_set_v4(&a[i], (uint32_t)next_rand());
		} else
			draw_v6(&a[i], rs);
	}

	/* Touch the answers first: page faults are not lookups. */
	memset(ans, 0, n * sizeof(*ans));
	for (pass = 0; pass < PASSES; pass++) {
		t = now_sec();
		if (fam == 4)
			for (i = 0; i < n; i++)
				ans[i] = ng_netdb_lookup_v4(db,
				    ng_addr_v4(&a[i]));
		else
			for (i = 0; i < n; i++)
				ans[i] = ng_netdb_lookup(db, &a[i]);
		best_of(&ours, now_sec() - t);

		t = now_sec();
		bs.sum = 0;
		diff_bs = 0;
		for (i = 0; i < n; i++) {
			if (fam == 4)
				c = bsearch_lookup(rs, 0, ng_addr_v4(&a[i]));
			else
				c = bsearch_lookup(rs, load64(a[i].b),
				    load64(a[i].b + 8));
			bs.sum += c;
			diff_bs += c != ans[i];
		}
		best_of(&bs, now_sec() - t);

		if (mm == NULL)
			continue;
		t = now_sec();
		mmr.sum = 0;
		diff_mm = 0;
		for (i = 0; i < n; i++) {
			c = mmdb_lookup(mm, &a[i]);
			mmr.sum += c;
			diff_mm += c != ans[i];
		}
		best_of(&mmr, now_sec() - t);
	}
	print_family(fam == 4 ? "v4" : "v6", n, &ours, &bs, &mmr, diff_bs,
	    diff_mm);
	free(a);
	free(ans);
}

static double open_time(const char *path);

/* full_lookups - n full lookups on db: a checksum of every field. */
static uint64_t
full_lookups(const struct ng_netdb *db, const struct ng_addr *a, size_t n)
{
	struct ng_where w;
	const char *o;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ng_netdb_find(db, &a[i], &w);
		o = ng_netdb_owner(db, w.owner);
		sum += w.cc + w.asn + (o != NULL ? (unsigned char)o[0] : 0);
	}
	return sum;
}

/*
 * where_family - country lookups on cc and on full, full lookups on full,
 * taking turns over the same n addresses; key=value lines.
 */
static void
where_family(int fam, const struct ng_netdb *cc, const struct ng_netdb *full,
    const struct ranges *rs, size_t n)
{
	struct ng_addr *a = malloc(n * sizeof(*a));
	uint16_t *ans = malloc(n * sizeof(*ans));
	struct result rc = { 0, 0 }, rf = { 0, 0 }, rw = { 0, 0 };
	const char *name = fam == 4 ? "w4" : "w6";
	size_t i, differ = 0;
	double t;
	int pass;

	if (a == NULL || ans == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (fam == 4) {
			memset(a[i].b, 0, sizeof(a[i].b));
			ng_addr_set_v4(&a[i], (uint32_t)next_rand());
		} else
			draw_v6(&a[i], rs);
	}
	memset(ans, 0, n * sizeof(*ans));
	for (pass = 0; pass < PASSES; pass++) {
		t = now_sec();
		for (i = 0; i < n; i++)
			ans[i] = ng_netdb_lookup(cc, &a[i]);
		best_of(&rc, now_sec() - t);
		t = now_sec();
		rf.sum = 0;
		differ = 0;
		for (i = 0; i < n; i++) {
			uint16_t c = ng_netdb_lookup(full, &a[i]);

			rf.sum += c;
			differ += c != ans[i];
		}
		best_of(&rf, now_sec() - t);
		t = now_sec();
		rw.sum = full_lookups(full, a, n);
		best_of(&rw, now_sec() - t);
	}
	printf("%s_cc=%.0f\n%s_full_cc=%.0f\n%s_full_find=%.0f\n"
	    "%s_differ=%zu\n%s_sum=%llu\n", name, n / rc.secs, name,
	    n / rf.secs, name, n / rw.secs, name, differ, name,
	    (unsigned long long)rw.sum);
	free(a);
	free(ans);
}

/* where_main - lookup_bench --where CCDB FULLDB [N]. */
static int
where_main(int argc, char **argv)
{
	struct ranges r6 = { NULL, 0, 0 };
	struct ng_netdb *cc, *full;
	size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 10000000;
	char err[512];

	if (argc < 4) {
		fprintf(stderr, "usage: lookup_bench --where CCDB FULLDB "
		    "[N]\n");
		return 2;
	}
	printf("cc_open_ms=%.3f\nfull_open_ms=%.3f\n",
	    open_time(argv[2]) * 1e3, open_time(argv[3]) * 1e3);
	if ((cc = ng_netdb_open(argv[2], err, sizeof(err))) == NULL ||
	    (full = ng_netdb_open(argv[3], err, sizeof(err))) == NULL)
		die(err);
	ng_netdb_walk(cc, 6, collect, &r6);
	if (r6.n == 0)
		die("the country database needs IPv6 ranges");
	printf("lookups=%zu\n", n);
	where_family(4, cc, full, &r6, n);
	fflush(stdout);
	where_family(6, cc, full, &r6, n);
	ng_netdb_close(cc);
	ng_netdb_close(full);
	free(r6.r);
	return 0;
}

/* Best of several: opening is quick and the first one warms the cache. */
static double
open_time(const char *path)
{
	struct ng_netdb *db;
	char err[512];
	double best = 1e9, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = now_sec();
		if ((db = ng_netdb_open(path, err, sizeof(err))) == NULL)
			die(err);
		t = now_sec() - t;
		ng_netdb_close(db);
		if (t < best)
			best = t;
	}
	return best;
}

static double
mmdb_open_time(const char *path)
{
	MMDB_s mm;
	double best = 1e9, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = now_sec();
		if (MMDB_open(path, MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS)
			return 0;
		t = now_sec() - t;
		MMDB_close(&mm);
		if (t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	struct ranges r4 = { NULL, 0, 0 }, r6 = { NULL, 0, 0 };
	struct ng_netdb *db;
	MMDB_s mm, *mmp = NULL;
	size_t n = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000000;
	char err[512];

	if (argc > 1 && strcmp(argv[1], "--where") == 0)
		return where_main(argc, argv);
	if (argc < 2) {
		fprintf(stderr, "usage: lookup_bench DB [MMDB] [N]\n");
		return 2;
	}
	printf("open_ms=%.3f\n", open_time(argv[1]) * 1e3);
	if ((db = ng_netdb_open(argv[1], err, sizeof(err))) == NULL)
		die(err);
	if (argc > 2 && argv[2][0] != '\0') {
		printf("mmdb_open_ms=%.3f\n", mmdb_open_time(argv[2]) * 1e3);
		if (MMDB_open(argv[2], MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS)
			die("cannot open the MMDB file");
		mmp = &mm;
	}
	ng_netdb_walk(db, 4, collect, &r4);
	ng_netdb_walk(db, 6, collect, &r6);
	printf("ranges4=%zu\nranges6=%zu\nlookups=%zu\n", r4.n, r6.n, n);
	if (r4.n == 0 || r6.n == 0)
		die("the database needs ranges of both families");
	fflush(stdout);
	run_family(4, db, &r4, mmp, n);
	fflush(stdout);
	run_family(6, db, &r6, mmp, n);
	if (mmp != NULL)
		MMDB_close(mmp);
	ng_netdb_close(db);
	free(r4.r);
	free(r6.r);
	return 0;
}
