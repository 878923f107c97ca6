/*
 * mmdb_compare.c - check our compiled database against libmaxminddb
 * reading the MMDB built from the same whois data.
 *
 *   mmdb_compare OUR.db REF.mmdb IPV4.csv IPV6.csv [N4 N6]
 *
 * The two are built independently from the same rows, so any address
 * where they disagree is a bug in one of them (ours, in practice).  We
 * try N4 random IPv4 and N6 IPv6 addresses (half uniform in 2000::/3,
 * half inside or just outside random rows), then every row boundary
 * +-1 and the middle of every row, which covers every nested row.
 * Prints counts per set and the first disagreements; exits 1 on any.
 */
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/addr.h"
#include "netdb/netdb.h"
#include "netdb/netdb_format.h"

struct row {
	ng_u128 lo, hi;
};

static struct ng_netdb *db;
static MMDB_s mm;
static unsigned long disagree, mmdb_errors;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static ng_u128
rnd128(void)
{
	return (ng_u128)rnd() << 64 | rnd();
}

static uint16_t
mmdb_cc(const struct ng_addr *a)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	int gai, mer;
	char cc[3];

	memset(&ss, 0, sizeof(ss));
	if (a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->b, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->b, 16);
	}
	r = MMDB_lookup_sockaddr(&mm, (struct sockaddr *)&ss, &mer);
	if (mer != MMDB_SUCCESS) {
		mmdb_errors++;
		return 0xffff;
	}
	if (!r.found_entry)
		return 0;
	gai = MMDB_get_value(&r.entry, &d, "country_code", NULL);
	if (gai != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
		return 0;
	cc[0] = d.utf8_string[0];
	cc[1] = d.utf8_string[1];
	cc[2] = '\0';
	return ng_cc_pack(cc);
}

static void
check(ng_u128 v, int family)
{
	struct ng_addr a;
	uint16_t ours, ref;
	char s[NG_ADDRSTRLEN], c1[3], c2[3];

	if (family == 4)
		v &= 0xffffffffu;
	ng_u128_to_addr(v, family, &a);
	ours = ng_netdb_lookup(db, &a);
	ref = mmdb_cc(&a);
	if (ours == ref)
		return;
	if (++disagree <= (getenv("MMDB_COMPARE_ALL") ? 100000ul : 20ul))
		fprintf(stderr, "DISAGREE %s: ours %s, mmdb %s\n",
		    ng_addr_format(&a, s, sizeof(s)), ng_cc_str(ours, c1),
		    ref == 0xffff ? "error" : ng_cc_str(ref, c2));
}

static struct row *
read_rows(const char *path, int family, size_t *np)
{
	FILE *fp = fopen(path, "r");
	char line[256], *c1, *c2;
	struct row *v = NULL;
	size_t n = 0, cap = 0;
	struct ng_addr a, b;

	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((c1 = strchr(line, ',')) == NULL ||
		    (c2 = strchr(c1 + 1, ',')) == NULL)
			continue;
		*c1 = *c2 = '\0';
		if (ng_addr_parse(&a, line) != 0 ||
		    ng_addr_parse(&b, c1 + 1) != 0 || a.family != family)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				exit(2);
		}
		v[n].lo = ng_u128_from_addr(&a);
		v[n++].hi = ng_u128_from_addr(&b);
	}
	fclose(fp);
	*np = n;
	return v;
}

static void
report(const char *what, unsigned long n, unsigned long before)
{
	printf("%-28s %9lu checked, %lu disagreements\n", what, n,
	    disagree - before);
}

static void
random_v4(unsigned long n)
{
	unsigned long i, d = disagree;

	for (i = 0; i < n; i++)
		check(rnd() & 0xffffffffu, 4);
	report("ipv4 random", n, d);
}

static void
random_v6(unsigned long n, const struct row *r, size_t nr)
{
	unsigned long i, d = disagree;
	ng_u128 w, v;

	for (i = 0; i < n / 2; i++)	/* uniform in 2000::/3 */
		check(rnd128() >> 3 | (ng_u128)1 << 125, 6);
	for (i = 0; i < n - n / 2 && nr > 0; i++) {
		const struct row *x = &r[rnd() % nr];

		/* Inside the row, or up to a few addresses outside it. */
		w = x->hi - x->lo + 1;
		v = w == 0 ? rnd128() : x->lo + rnd128() % w;
		if (rnd() % 8 == 0)
			v = rnd() & 1 ? x->lo - 1 - rnd() % 16 :
			    x->hi + 1 + rnd() % 16;
		check(v, 6);
	}
	report("ipv6 random (2000::/3, near)", n, d);
}

/* Every boundary +-1 and every row's middle (nested rows too). */
static void
edges(const struct row *r, size_t nr, int family, const char *what)
{
	unsigned long d = disagree;
	size_t i;

	for (i = 0; i < nr; i++) {
		check(r[i].lo - 1, family);
		check(r[i].lo, family);
		check(r[i].lo + 1, family);
		check(r[i].hi - 1, family);
		check(r[i].hi, family);
		check(r[i].hi + 1, family);
		check(r[i].lo + (r[i].hi - r[i].lo) / 2, family);
	}
	report(what, nr * 7, d);
}

static int
row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->hi > b->hi ? -1 : a->hi < b->hi;
}

/* Rows inside an earlier row: the cases where most specific matters. */
static void
nested(struct row *r, size_t nr, int family, const char *what)
{
	unsigned long d = disagree, n = 0;
	ng_u128 maxhi = 0;
	size_t i;

	qsort(r, nr, sizeof(*r), row_cmp);
	for (i = 0; i < nr; i++) {
		if (i > 0 && r[i].lo <= maxhi) {
			n++;
			check(r[i].lo, family);
			check(r[i].hi, family);
			check(r[i].lo - 1, family);
			check(r[i].hi + 1, family);
		}
		if (i == 0 || r[i].hi > maxhi)
			maxhi = r[i].hi;
	}
	printf("%-28s %9lu rows inside another, %lu disagreements\n", what,
	    n, disagree - d);
}

int
main(int argc, char **argv)
{
	struct row *r4, *r6;
	size_t n4, n6;
	unsigned long want4 = 1000000, want6 = 1000000;
	char err[512];

	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: mmdb_compare OUR.db REF.mmdb "
		    "IPV4.csv IPV6.csv [N4 N6]\n");
		return 2;
	}
	if (argc == 7) {
		want4 = strtoul(argv[5], NULL, 10);
		want6 = strtoul(argv[6], NULL, 10);
	}
	if ((db = ng_netdb_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (MMDB_open(argv[2], MMDB_MODE_MMAP, &mm) != MMDB_SUCCESS) {
		fprintf(stderr, "%s: cannot open MMDB\n", argv[2]);
		return 2;
	}
	r4 = read_rows(argv[3], 4, &n4);
	r6 = read_rows(argv[4], 6, &n6);
	printf("rows: %zu ipv4, %zu ipv6\n", n4, n6);
	random_v4(want4);
	random_v6(want6, r6, n6);
	edges(r4, n4, 4, "ipv4 boundaries +-1, middles");
	edges(r6, n6, 6, "ipv6 boundaries +-1, middles");
	nested(r4, n4, 4, "ipv4 nested");
	nested(r6, n6, 6, "ipv6 nested");
	printf("total: %lu disagreements, %lu mmdb errors\n", disagree,
	    mmdb_errors);
	free(r4);
	free(r6);
	MMDB_close(&mm);
	ng_netdb_close(db);
	return disagree || mmdb_errors ? 1 : 0;
}
