/*
 * test_netdb.c - compile rows into a database image and look them up:
 * the most specific row wins, the later source wins for the same range,
 * --overlap last, boundaries, the whole address space, walking; random
 * rows against a brute-force reference; and damaged images (truncated
 * at many offsets, flipped bytes, structural damage behind a valid
 * checksum) refused with the file's name, never a crash.  Country, AS
 * number and owner: each field resolved on its own and overlaid, the
 * owner strings stored once, 32- and 64-bit slices, the owner pattern
 * view, and damage to the records and owner strings.
 */
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/addr.h"
#include "netdb/netdb.h"
#include "netdb/netdb_build.h"
#include "netdb/netdb_format.h"
#include "netdb/netdb_input.h"
#include "test.h"

static char err[512];
static void *image;
static size_t image_len;

/*
 * Compile texts of the given formats (a later text is a later source)
 * and open the image; NULL-terminated pairs of format and text.
 */
static struct ng_netdb *
build_multi(int last_wins, enum ng_informat f1, const char *t1,
    enum ng_informat f2, const char *t2)
{
	struct ng_nrows rows = { .v = NULL };
	struct ng_in_stats st;
	struct ng_build_stats bs;
	struct ng_netdb *db;

	rows.last_wins = last_wins;
	free(image);
	image = NULL;
	if (ng_input_read_mem(t1, strlen(t1), "one", f1, 0, NULL, &rows, &st,
	    err, sizeof(err)) != 0 ||
	    ng_nrows_add_source(&rows, "one", ng_informat_name(f1),
	    (const uint64_t (*)[3])st.fields) != 0 ||
	    (t2 != NULL && ng_input_read_mem(t2, strlen(t2), "two", f2, 0,
	    NULL, &rows, &st, err, sizeof(err)) != 0) ||
	    (t2 != NULL && ng_nrows_add_source(&rows, "/some/dir/two",
	    ng_informat_name(f2), (const uint64_t (*)[3])st.fields) != 0) ||
	    ng_netdb_compile(&rows, 1700000000, &image, &image_len, &bs, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "build: %s\n", err);
		ng_nrows_free(&rows);
		return NULL;
	}
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "mem.db", err,
	    sizeof(err));
	if (db == NULL)
		fprintf(stderr, "open: %s\n", err);
	return db;
}

/* "CC ASN OWNER" of addr as nfq-gate-db lookup prints them. */
static const char *
where(const struct ng_netdb *db, const char *addr)
{
	static char buf[4][400];
	static int k;
	struct ng_addr a;
	struct ng_where w;
	char cc[3], asn[16];
	const char *o;

	if (ng_addr_parse(&a, addr) != 0)
		return "bad";
	k = (k + 1) % 4;
	memset(&w, 0x55, sizeof(w));
	ng_netdb_find(db, &a, &w);
	o = ng_netdb_owner(db, w.owner);
	snprintf(asn, sizeof(asn), "AS%u", w.asn);
	snprintf(buf[k], sizeof(buf[k]), "%s %s %s",
	    w.cc ? ng_cc_str(w.cc, cc) : "--", w.asn ? asn : "--",
	    o ? o : "--");
	if (w.owner_bits != 0 || (w.owner != 0) != (o != NULL))
		return "bad where";
	return buf[k];
}

/* Compile CSV texts (later texts are later sources) and open them. */
static struct ng_netdb *
build(int last_wins, const char *csv1, const char *csv2)
{
	struct ng_nrows rows = { .v = NULL };
	struct ng_in_stats st;
	struct ng_build_stats bs;
	struct ng_netdb *db;

	rows.last_wins = last_wins;
	free(image);
	image = NULL;
	if (ng_input_read_mem(csv1, strlen(csv1), "one.csv", NG_IN_CSV, 0,
	    NULL, &rows, &st, err, sizeof(err)) != 0 ||
	    (csv2 != NULL && ng_input_read_mem(csv2, strlen(csv2), "two.csv",
	    NG_IN_CSV, 0, NULL, &rows, &st, err, sizeof(err)) != 0) ||
	    ng_netdb_compile(&rows, 1700000000, &image, &image_len, &bs, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "build: %s\n", err);
		ng_nrows_free(&rows);
		return NULL;
	}
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "mem.db", err,
	    sizeof(err));
	if (db == NULL)
		fprintf(stderr, "open: %s\n", err);
	return db;
}

static const char *
look(const struct ng_netdb *db, const char *addr)
{
	static char buf[8][3];
	static int k;
	struct ng_addr a;

	if (ng_addr_parse(&a, addr) != 0)
		return "bad";
	k = (k + 1) % 8;
	return ng_cc_str(ng_netdb_lookup(db, &a), buf[k]);
}

static void
test_most_specific(void)
{
	/* The container comes last: input order alone would pick it. */
	struct ng_netdb *db = build(0,
	    "10.1.0.0,10.1.255.255,DE\n"
	    "10.1.2.0,10.1.2.255,NL\n"
	    "10.0.0.0,10.255.255.255,US\n"
	    "2001:db8:1::,2001:db8:1::ffff,FR\n"
	    "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,IT\n", NULL);

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "9.255.255.255"), "--");
	CHECK_STR(look(db, "10.0.0.0"), "US");
	CHECK_STR(look(db, "10.0.255.255"), "US");
	CHECK_STR(look(db, "10.1.0.0"), "DE");
	CHECK_STR(look(db, "10.1.1.255"), "DE");
	CHECK_STR(look(db, "10.1.2.0"), "NL");
	CHECK_STR(look(db, "10.1.2.255"), "NL");
	CHECK_STR(look(db, "10.1.3.0"), "DE");
	CHECK_STR(look(db, "10.1.255.255"), "DE");
	CHECK_STR(look(db, "10.2.0.0"), "US");
	CHECK_STR(look(db, "10.255.255.255"), "US");
	CHECK_STR(look(db, "11.0.0.0"), "--");
	CHECK_STR(look(db, "2001:db8::"), "IT");
	CHECK_STR(look(db, "2001:db8:1::"), "FR");
	CHECK_STR(look(db, "2001:db8:1::ffff"), "FR");
	CHECK_STR(look(db, "2001:db8:1::1:0"), "IT");
	CHECK_STR(look(db, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "IT");
	CHECK_STR(look(db, "2001:db9::"), "--");
	CHECK_STR(look(db, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), "--");
	CHECK_EQ(ng_netdb_lookup_v4(db, 0x0a010203), ng_cc_pack("NL"));
	ng_netdb_close(db);

	/* --overlap last: the later row wins even over a nested one. */
	db = build(1, "10.1.0.0,10.1.255.255,DE\n"
	    "10.0.0.0,10.255.255.255,US\n"
	    "10.1.2.0,10.1.2.255,NL\n", NULL);
	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "10.1.0.0"), "US");
	CHECK_STR(look(db, "10.1.2.7"), "NL");
	ng_netdb_close(db);

	/* Partial overlaps: the block starting later takes the overlap. */
	db = build(0, "10.0.0.0,10.0.0.99,DE\n10.0.0.50,10.0.0.255,US\n",
	    NULL);
	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "10.0.0.49"), "DE");
	CHECK_STR(look(db, "10.0.0.50"), "US");
	CHECK_STR(look(db, "10.0.0.99"), "US");
	ng_netdb_close(db);
}

static void
test_later_source(void)
{
	struct ng_netdb *db = build(0,
	    "1.0.1.0,1.0.3.255,CN\n1.0.4.0,1.0.7.255,AU\n"
	    "1.0.8.0,1.0.8.255,JP\n1.0.8.0,1.0.8.255,KR\n",
	    "1.0.1.0,1.0.3.255,HK\n240e::,240e:fff:ffff:ffff:ffff:ffff:ffff:ffff,CN\n");

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "1.0.1.0"), "HK");
	CHECK_STR(look(db, "1.0.3.255"), "HK");
	CHECK_STR(look(db, "1.0.4.0"), "AU");
	CHECK_STR(look(db, "1.0.8.5"), "KR");	/* later line, same file */
	CHECK_STR(look(db, "240e::5"), "CN");
	ng_netdb_close(db);
}

/* A non-power-of-two RIR count, through the whole pipeline. */
static void
test_rir_count(void)
{
	static const char rir[] = "2|ripencc|1|1|1|1|1\n"
	    "ripencc|RU|ipv4|5.8.0.0|24576|20110411|allocated\n"
	    "ripencc|DE|ipv4|5.8.96.0|100|20110411|assigned\n";
	struct ng_nrows rows = { .v = NULL };
	struct ng_in_stats st;
	struct ng_build_stats bs;
	struct ng_netdb *db;

	free(image);
	image = NULL;
	CHECK_EQ(ng_input_read_mem(rir, strlen(rir), "rir", NG_IN_AUTO, 0,
	    NULL, &rows, &st, err, sizeof(err)), 0);
	CHECK_EQ(ng_netdb_compile(&rows, 0, &image, &image_len, &bs, err,
	    sizeof(err)), 0);
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "rir.db", err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "5.7.255.255"), "--");
	CHECK_STR(look(db, "5.8.0.0"), "RU");
	CHECK_STR(look(db, "5.8.95.255"), "RU");
	CHECK_STR(look(db, "5.8.96.0"), "DE");
	CHECK_STR(look(db, "5.8.96.99"), "DE");
	CHECK_STR(look(db, "5.8.96.100"), "--");
	ng_netdb_close(db);
}

/* Rows touching the ends of the address spaces. */
static void
test_whole_space(void)
{
	struct ng_netdb *db = build(0,
	    "0.0.0.0,255.255.255.255,ZZ\n0.0.0.0,0.0.0.0,AA\n"
	    "255.255.255.255,255.255.255.255,BB\n"
	    "::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,YY\n"
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe,"
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,CC\n"
	    "::,::,DD\n", NULL);
	struct ng_netdb_info in;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(look(db, "0.0.0.0"), "AA");
	CHECK_STR(look(db, "0.0.0.1"), "ZZ");
	CHECK_STR(look(db, "255.255.255.254"), "ZZ");
	CHECK_STR(look(db, "255.255.255.255"), "BB");
	CHECK_STR(look(db, "::"), "DD");
	CHECK_STR(look(db, "::1"), "YY");
	CHECK_STR(look(db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"), "YY");
	CHECK_STR(look(db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), "CC");
	CHECK_STR(look(db, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "CC");
	ng_netdb_get_info(db, &in);
	CHECK_EQ(in.version, NG_NETDB_VERSION);
	CHECK_EQ(in.built, 1700000000);
	CHECK_EQ(in.ranges4, 3);
	CHECK_EQ(in.ranges6, 3);
	CHECK_EQ(in.countries, 6);
	CHECK_EQ(in.bytes, image_len);
	ng_netdb_close(db);
	/* No rows at all is a valid, empty database. */
	db = build(0, "", NULL);
	CHECK(db != NULL);
	if (db != NULL) {
		CHECK_STR(look(db, "1.2.3.4"), "--");
		CHECK_STR(look(db, "2001::1"), "--");
		ng_netdb_close(db);
	}
}

/* Walking: touching rows of one country merge, order is ascending. */
struct walked {
	char text[4096];
	size_t n;
};

static int
walk_fn(const struct ng_addr *first, const struct ng_addr *last,
    uint16_t cc, void *arg)
{
	struct walked *w = arg;
	char a[NG_ADDRSTRLEN], b[NG_ADDRSTRLEN], c[3];
	size_t len = strlen(w->text);

	snprintf(w->text + len, sizeof(w->text) - len, "%s-%s %s\n",
	    ng_addr_format(first, a, sizeof(a)),
	    ng_addr_format(last, b, sizeof(b)), ng_cc_str(cc, c));
	return ++w->n == 100;
}

static void
test_walk(void)
{
	struct ng_netdb *db = build(0,
	    "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.3.255,AU\n"
	    "1.0.2.0,1.0.2.9,CN\n9.0.0.0,9.0.0.0,US\n"
	    "2001:db8::,2001:db8::ffff,FR\n2001:db8::1:0,2001:db8::1:5,FR\n",
	    NULL);
	struct walked w;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	memset(&w, 0, sizeof(w));
	CHECK_EQ(ng_netdb_walk(db, 4, walk_fn, &w), 0);
	CHECK_STR(w.text, "1.0.0.0-1.0.1.255 AU\n1.0.2.0-1.0.2.9 CN\n"
	    "1.0.2.10-1.0.3.255 AU\n9.0.0.0-9.0.0.0 US\n");
	memset(&w, 0, sizeof(w));
	CHECK_EQ(ng_netdb_walk(db, 6, walk_fn, &w), 0);
	CHECK_STR(w.text, "2001:db8::-2001:db8::1:5 FR\n");
	ng_netdb_close(db);
}

/*
 * Random rows, including deeply nested ones and IPv6 ranges ending
 * off /64 boundaries, against a brute-force reference of the rule.
 */
struct ref_row {
	ng_u128 lo, hi;
	uint32_t prio;
	uint16_t cc;
};

static uint64_t rng = 12345;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint16_t
ref_lookup(const struct ref_row *r, size_t n, ng_u128 x)
{
	const struct ref_row *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (x < r[i].lo || x > r[i].hi)
			continue;
		if (best == NULL || r[i].lo > best->lo ||
		    (r[i].lo == best->lo && (r[i].hi - r[i].lo <
		    best->hi - best->lo || (r[i].hi - r[i].lo ==
		    best->hi - best->lo && r[i].prio > best->prio))))
			best = &r[i];
	}
	return best ? best->cc : 0;
}

static ng_u128
rand_addr(int family, ng_u128 base)
{
	if (family == 4)
		return (base + (rnd() % 0x3000000u)) & 0xffffffffu;
	/* Clustered: a few /32s, then bits anywhere below. */
	return base + ((ng_u128)(rnd() % 4) << 96) +
	    ((ng_u128)rnd() >> (rnd() % 64) << 32) + (rnd() >> (rnd() % 64));
}

static void
random_family(int family, size_t nrows, ng_u128 base)
{
	struct ref_row *ref = calloc(nrows, sizeof(*ref));
	struct ng_nrows rows = { .v = NULL };
	struct ng_build_stats bs;
	struct ng_netdb *db;
	struct ng_addr a;
	size_t i, j, bad = 0;
	ng_u128 x, w;
	static const char *ccs[] = { "US", "DE", "CN", "RU", "FR", "JP", "BR" };

	for (i = 0; i < nrows; i++) {
		ref[i].lo = rand_addr(family, base);
		w = rnd() % 3 == 0 ? rnd() % 16 : rand_addr(family, 0) / 16;
		ref[i].hi = ref[i].lo + w;
		if (ref[i].hi < ref[i].lo || (family == 4 &&
		    ref[i].hi > 0xffffffffu))
			ref[i].hi = family == 4 ? 0xffffffffu : ~(ng_u128)0;
		ref[i].cc = ng_cc_pack(ccs[rnd() % 7]);
		ref[i].prio = (uint32_t)i;
		ng_nrows_add(&rows, family, ref[i].lo, ref[i].hi, ref[i].cc);
	}
	free(image);
	image = NULL;
	CHECK_EQ(ng_netdb_compile(&rows, 0, &image, &image_len, &bs, err,
	    sizeof(err)), 0);
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "rand.db", err,
	    sizeof(err));
	CHECK(db != NULL);
	if (db == NULL) {
		fprintf(stderr, "%s\n", err);
		free(ref);
		return;
	}
	for (i = 0; i < 10000; i++) {
		j = rnd() % nrows;
		switch (i % 5) {
		case 0: x = ref[j].lo; break;
		case 1: x = ref[j].lo - 1; break;
		case 2: x = ref[j].hi; break;
		case 3: x = ref[j].hi + 1; break;
		default: x = rand_addr(family, base); break;
		}
		if (family == 4)
			x &= 0xffffffffu;
		ng_u128_to_addr(x, family, &a);
		if (ng_netdb_lookup(db, &a) != ref_lookup(ref, nrows, x) &&
		    bad++ < 5) {
			char s[NG_ADDRSTRLEN];

			fprintf(stderr, "random IPv%d: %s differs\n", family,
			    ng_addr_format(&a, s, sizeof(s)));
		}
	}
	CHECK_EQ(bad, 0);
	ng_netdb_close(db);
	free(ref);
}

static void
test_random(void)
{
	int round;

	for (round = 0; round < 3; round++) {
		random_family(4, 2000, (ng_u128)(rnd() % 200) << 24);
		random_family(6, 2000, (ng_u128)0x2a00 << 112);
	}
}

/* A realistic image for the damage tests. */
static void
make_image(void)
{
	struct ng_nrows rows = { .v = NULL };
	struct ng_build_stats bs;
	size_t i;
	ng_u128 lo;

	for (i = 0; i < 3000; i++) {
		lo = (ng_u128)(rnd() & 0xffffff00u);
		ng_nrows_add(&rows, 4, lo, lo + rnd() % 5000,
		    ng_cc_pack(i % 2 ? "DE" : "US"));
		lo = (ng_u128)0x2a00 << 112 | (ng_u128)rnd() << 40;
		ng_nrows_add(&rows, 6, lo, lo + (rnd() >> (rnd() % 64)),
		    ng_cc_pack(i % 3 ? "CN" : "FR"));
		/* AS numbers and owners too: their sections get damaged. */
		if (i % 3 == 0) {
			char owner[16];

			snprintf(owner, sizeof(owner), "net %u",
			    (unsigned)(rnd() % 40));
			lo = (ng_u128)(rnd() & 0xffffff00u);
			ng_nrows_add_fields(&rows, i % 2 ? 4 : 6,
			    i % 2 ? lo : (ng_u128)0x2a00 << 112 | lo << 40,
			    (i % 2 ? lo : (ng_u128)0x2a00 << 112 | lo << 40) +
			    rnd() % 9000, NG_NROW_ASN | NG_NROW_OWNER, 0,
			    (uint32_t)(1 + rnd() % 100), owner);
		}
	}
	free(image);
	image = NULL;
	ng_netdb_compile(&rows, 0, &image, &image_len, &bs, err, sizeof(err));
	ng_nrows_free(&rows);
}

/* Use an accepted image thoroughly: nothing may crash or go astray. */
static int
count_fn(const struct ng_addr *f, const struct ng_addr *l, uint16_t cc,
    void *arg)
{
	(void)f;
	(void)l;
	(void)cc;
	(*(size_t *)arg)++;
	return 0;
}

static void
exercise(const struct ng_netdb *db)
{
	struct ng_addr a;
	size_t i, n = 0;

	for (i = 0; i < 2000; i++) {
		ng_addr_set_v4(&a, (uint32_t)rnd());
		(void)ng_netdb_lookup(db, &a);
		ng_u128_to_addr((ng_u128)rnd() << 64 | rnd(), 6, &a);
		a.b[0] = 0x2a;
		(void)ng_netdb_lookup(db, &a);
	}
	ng_netdb_walk(db, 4, count_fn, &n);
	ng_netdb_walk(db, 6, count_fn, &n);
}

static void
fix_crc(unsigned char *img, size_t len)
{
	struct ng_netdb_header h;

	memcpy(&h, img, sizeof(h));
	h.checksum = ng_netdb_crc(img, len);
	memcpy(img, &h, sizeof(h));
}

static void
test_damage(void)
{
	unsigned char *copy;
	struct ng_netdb *db;
	size_t off, refused = 0, accepted = 0, i;

	make_image();
	CHECK(image != NULL);
	if (image == NULL)
		return;
	copy = malloc(image_len);
	db = ng_netdb_open_buffer(image, image_len, "good.db", err,
	    sizeof(err));
	CHECK(db != NULL);
	ng_netdb_close(db);

	/* Truncation anywhere: every header offset, then a stride. */
	for (off = 0; off < image_len; off += off < 512 ? 1 : 997) {
		memcpy(copy, image, off);
		db = ng_netdb_open_buffer(copy, off, "cut.db", err,
		    sizeof(err));
		CHECK(db == NULL);
		if (db != NULL)
			ng_netdb_close(db);
		else if (strncmp(err, "cut.db: ", 8) != 0)
			CHECK(0);
	}
	/* A flipped byte anywhere: the checksum or the header catches it. */
	for (off = 0; off < image_len; off += off < 512 ? 1 : 9973) {
		memcpy(copy, image, image_len);
		copy[off] ^= (unsigned char)(1u << (off % 8));
		db = ng_netdb_open_buffer(copy, image_len, "flip.db", err,
		    sizeof(err));
		CHECK(db == NULL);
		if (db != NULL)
			ng_netdb_close(db);
	}
	/*
	 * Damage behind a valid checksum (a hostile or buggy writer): the
	 * structural checks refuse it, or the image is still safe to use.
	 */
	for (i = 0; i < 1000; i++) {
		memcpy(copy, image, image_len);
		off = sizeof(struct ng_netdb_header) +
		    rnd() % (image_len - sizeof(struct ng_netdb_header));
		copy[off] = (unsigned char)rnd();
		if (i % 2)
			copy[rnd() % sizeof(struct ng_netdb_header)] =
			    (unsigned char)rnd();
		fix_crc(copy, image_len);
		db = ng_netdb_open_buffer(copy, image_len, "evil.db", err,
		    sizeof(err));
		if (db == NULL) {
			refused++;
			CHECK(strncmp(err, "evil.db: ", 9) == 0);
			continue;
		}
		accepted++;
		exercise(db);
		ng_netdb_close(db);
	}
	fprintf(stderr, "  structural damage: %zu refused, %zu accepted "
	    "(harmless)\n", refused, accepted);
	CHECK(refused > 500);
	free(copy);
}

/* Write the last image to a new temporary file (path: a mkstemp
 * template) and open it from there; NULL when either step failed. */
static struct ng_netdb *
open_written(char *path)
{
	struct ng_netdb *db;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return NULL;
	close(fd);
	CHECK_EQ(ng_netdb_write(path, image, image_len, err, sizeof(err)), 0);
	db = ng_netdb_open(path, err, sizeof(err));
	CHECK(db != NULL);
	return db;
}

static void
test_file(void)
{
	char path[] = "/tmp/test_netdb.XXXXXX", msg[600];
	struct ng_netdb *db;
	FILE *fp;
	int fd;

	db = build(0, "1.0.1.0,1.0.3.255,CN\n", NULL);
	CHECK(db != NULL);
	ng_netdb_close(db);
	db = open_written(path);
	if (db != NULL) {
		CHECK_STR(look(db, "1.0.1.5"), "CN");
		ng_netdb_close(db);
	}
	/* Truncated on disk. */
	CHECK_EQ(truncate(path, (off_t)image_len - 1), 0);
	db = ng_netdb_open(path, err, sizeof(err));
	CHECK(db == NULL);
	snprintf(msg, sizeof(msg), "%s: truncated", path);
	CHECK(strncmp(err, msg, strlen(msg)) == 0);
	CHECK_EQ(truncate(path, 10), 0);
	CHECK(ng_netdb_open(path, err, sizeof(err)) == NULL);
	CHECK(strncmp(err, msg, strlen(msg)) == 0);
	/* Not a database at all. */
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp != NULL) {
		for (fd = 0; fd < 100; fd++)
			fputs("1.0.1.0,1.0.3.255,CN\n", fp);
		fclose(fp);
	}
	CHECK(ng_netdb_open(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "bad magic") != NULL);
	unlink(path);
	CHECK(ng_netdb_open(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, path) != NULL);
	/* Writing into a missing directory fails cleanly. */
	CHECK_EQ(ng_netdb_write("/nonexistent/dir/x.db", image, image_len, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);
}

/*
 * A database file truncated in place (cp over it, an unsafe copy on a
 * full disk) under a running gate must not take the gate down: what was
 * opened and validated stays in force.  With a file mapping, the
 * lookups below died of SIGBUS.
 */
static void
test_truncated_in_place(void)
{
	char path[] = "/tmp/test_netdb.XXXXXX", a[32];
	struct ng_netdb *db;
	char *csv, *w;
	int i, bad = 0;

	csv = malloc(4096 * 40);
	CHECK(csv != NULL);
	if (csv == NULL)
		return;
	w = csv;
	for (i = 0; i < 4096; i++)
		w += sprintf(w, "%d.%d.%d.0,%d.%d.%d.255,%s\n", 1 + i / 64,
		    (i % 64) * 4, i % 7, 1 + i / 64, (i % 64) * 4, i % 7,
		    i % 2 ? "CN" : "BR");
	db = build(0, csv, NULL);
	free(csv);
	CHECK(db != NULL);
	ng_netdb_close(db);
	CHECK(image_len > 4 * 4096);
	db = open_written(path);
	if (db == NULL)
		return;
	CHECK_EQ(truncate(path, 0), 0);
	for (i = 0; i < 4096; i++) {
		snprintf(a, sizeof(a), "%d.%d.%d.9", 1 + i / 64, (i % 64) * 4,
		    i % 7);
		if (strcmp(look(db, a), i % 2 ? "CN" : "BR") != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
	ng_netdb_close(db);
	unlink(path);
}

/*
 * Fields from sources of different kinds combine; each is resolved on
 * its own (a row nested in one field does not cut the others).
 */
static void
test_fields(void)
{
	struct ng_netdb *db = build_multi(0, NG_IN_CSV,
	    "10.0.0.0,10.255.255.255,US\n"
	    "10.1.0.0,10.1.0.255,DE\n"
	    "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,FR\n",
	    NG_IN_ASN,
	    "10.0.0.0,10.0.255.255,64500,\"Big, Inc.\"\n"
	    "10.0.1.0,10.0.1.255,64501,Small dynamic pool\n"
	    "10.1.0.128,10.2.0.255,64502,Across\n"
	    "11.0.0.0,11.0.0.255,64503,\n"
	    "2001:db8::8000,2001:db8::ffff,64500,\"Big, Inc.\"\n");
	struct ng_netdb_info in;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_STR(where(db, "9.255.255.255"), "-- -- --");
	CHECK_STR(where(db, "10.0.0.0"), "US AS64500 Big, Inc.");
	CHECK_STR(where(db, "10.0.0.255"), "US AS64500 Big, Inc.");
	CHECK_STR(where(db, "10.0.1.0"), "US AS64501 Small dynamic pool");
	CHECK_STR(where(db, "10.0.1.255"), "US AS64501 Small dynamic pool");
	CHECK_STR(where(db, "10.0.2.0"), "US AS64500 Big, Inc.");
	CHECK_STR(where(db, "10.0.255.255"), "US AS64500 Big, Inc.");
	CHECK_STR(where(db, "10.1.0.0"), "DE -- --");
	CHECK_STR(where(db, "10.1.0.127"), "DE -- --");
	CHECK_STR(where(db, "10.1.0.128"), "DE AS64502 Across");
	CHECK_STR(where(db, "10.1.0.255"), "DE AS64502 Across");
	CHECK_STR(where(db, "10.1.1.0"), "US AS64502 Across");
	CHECK_STR(where(db, "10.2.0.255"), "US AS64502 Across");
	CHECK_STR(where(db, "10.2.1.0"), "US -- --");
	CHECK_STR(where(db, "10.255.255.255"), "US -- --");
	CHECK_STR(where(db, "11.0.0.0"), "-- AS64503 --");
	CHECK_STR(where(db, "11.0.1.0"), "-- -- --");
	CHECK_STR(where(db, "2001:db8::7fff"), "FR -- --");
	CHECK_STR(where(db, "2001:db8::8000"), "FR AS64500 Big, Inc.");
	CHECK_STR(where(db, "2001:db8::ffff"), "FR AS64500 Big, Inc.");
	CHECK_STR(where(db, "2001:db8::1:0"), "FR -- --");
	/* The country lookup is unchanged by the other fields. */
	CHECK_STR(look(db, "10.0.1.7"), "US");
	CHECK_STR(look(db, "11.0.0.1"), "--");
	/* Owner strings once each; ids run 1..owners. */
	CHECK_EQ(ng_netdb_owners(db), 3);
	CHECK(ng_netdb_owner(db, 0) == NULL);
	CHECK(ng_netdb_owner(db, 4) == NULL);
	CHECK(ng_netdb_owner(db, 3) != NULL);
	ng_netdb_get_info(db, &in);
	CHECK_EQ(in.countries, 3);
	CHECK_EQ(in.asns, 4);
	CHECK_EQ(in.owners, 3);
	CHECK_EQ(in.wide, 0);
	/* Each source, named without its directory. */
	{
		struct ng_netdb_source src;

		CHECK_EQ(ng_netdb_source(db, 0, &src), 0);
		CHECK_STR(src.name, "one");
		CHECK_STR(src.format, "csv");
		CHECK_EQ(src.rows[0][0], 2);
		CHECK_EQ(src.rows[1][0], 1);
		CHECK_EQ(ng_netdb_source(db, 1, &src), 0);
		CHECK_STR(src.name, "two");
		CHECK_STR(src.format, "asn");
		CHECK_EQ(src.rows[0][1], 4);
		CHECK_EQ(src.rows[0][2], 3);
		CHECK_EQ(src.rows[1][1], 1);
		CHECK_EQ(ng_netdb_source(db, 2, &src), -1);
	}
	/* US+64500, US+64501, US+64500 again, DE, DE+64502, US+64502, US,
	 * 64503: 8 ranges, 7 with a country, 6 with an AS, 5 with an owner. */
	CHECK_EQ(in.ranges4, 8);
	CHECK_EQ(in.fields[0][0], 7);
	CHECK_EQ(in.fields[0][1], 6);
	CHECK_EQ(in.fields[0][2], 5);
	CHECK_EQ(in.ranges6, 3);
	ng_netdb_close(db);

	/* --overlap last applies to each field alone. */
	db = build_multi(1, NG_IN_ASN, "10.0.1.0,10.0.1.255,1,Inner\n"
	    "10.0.0.0,10.0.255.255,2,Outer\n", NG_IN_CSV,
	    "10.0.0.0,10.0.0.255,JP\n");
	CHECK(db != NULL);
	if (db != NULL) {
		CHECK_STR(where(db, "10.0.1.1"), "-- AS2 Outer");
		CHECK_STR(where(db, "10.0.0.1"), "JP AS2 Outer");
		/* "Inner" is overridden everywhere: not stored. */
		CHECK_EQ(ng_netdb_owners(db), 1);
		ng_netdb_close(db);
	}
	/* An owner from RPSL, a country from RIR stats. */
	db = build_multi(0, NG_IN_RPSL, "inetnum: 5.8.0.0 - 5.8.0.255\n"
	    "netname: DYN-POOL\n", NG_IN_RIR, "2|ripencc|1|1|1|1|1\n"
	    "ripencc|RU|ipv4|5.8.0.0|256|20110411|allocated\n");
	CHECK(db != NULL);
	if (db != NULL) {
		CHECK_STR(where(db, "5.8.0.9"), "RU -- DYN-POOL");
		ng_netdb_close(db);
	}
}

/* Walking by record: one range per record, every field given. */
struct walked_where {
	char text[4096];
};

static int
walk_where_fn(const struct ng_addr *first, const struct ng_addr *last,
    const struct ng_where *w, void *arg)
{
	struct walked_where *ww = arg;
	char a[NG_ADDRSTRLEN], b[NG_ADDRSTRLEN], c[3];
	size_t len = strlen(ww->text);

	snprintf(ww->text + len, sizeof(ww->text) - len, "%s-%s %s %u %u\n",
	    ng_addr_format(first, a, sizeof(a)),
	    ng_addr_format(last, b, sizeof(b)),
	    w->cc ? ng_cc_str(w->cc, c) : "--", w->asn, w->owner);
	return 0;
}

static void
test_walk_where(void)
{
	struct ng_netdb *db = build_multi(0, NG_IN_CSV,
	    "1.0.0.0,1.0.3.255,AU\n", NG_IN_ASN,
	    "1.0.0.0,1.0.0.255,7,A\n1.0.1.0,1.0.1.255,7,A\n"
	    "1.0.2.0,1.0.4.255,8,B\n");
	struct walked_where ww;
	struct walked w;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	memset(&ww, 0, sizeof(ww));
	CHECK_EQ(ng_netdb_walk_where(db, 4, walk_where_fn, &ww), 0);
	CHECK_STR(ww.text, "1.0.0.0-1.0.1.255 AU 7 1\n"
	    "1.0.2.0-1.0.3.255 AU 8 2\n1.0.4.0-1.0.4.255 -- 8 2\n");
	/* The country walk still merges by country alone. */
	memset(&w, 0, sizeof(w));
	CHECK_EQ(ng_netdb_walk(db, 4, walk_fn, &w), 0);
	CHECK_STR(w.text, "1.0.0.0-1.0.3.255 AU\n");
	ng_netdb_close(db);
}

/* The owner pattern view: bits per owner, computed once. */
static void
test_view(void)
{
	struct ng_netdb *db = build_multi(0, NG_IN_ASN,
	    "1.0.0.0,1.0.0.255,1,Some DYNAMIC pool\n"
	    "1.0.1.0,1.0.1.255,2,Static hosting\n"
	    "1.0.2.0,1.0.2.255,3,\n", NG_IN_CSV, "1.0.0.0,1.0.3.255,BR\n");
	struct ng_netdb_view v;
	struct ng_where w;
	struct ng_addr a;
	regex_t re[2];

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_EQ(regcomp(&re[0], "dynamic|pool", REG_EXTENDED | REG_ICASE |
	    REG_NOSUB), 0);
	CHECK_EQ(regcomp(&re[1], "^static|pool", REG_EXTENDED | REG_ICASE |
	    REG_NOSUB), 0);
	CHECK_EQ(ng_netdb_view_init(&v, db, re, 2, err, sizeof(err)), 0);
	ng_addr_parse(&a, "1.0.0.1");
	ng_netdb_where(&v, &a, &w);
	CHECK_EQ(w.owner_bits, 3);
	CHECK_EQ(w.asn, 1);
	CHECK_STR(ng_netdb_owner_name(&v, w.owner), "Some DYNAMIC pool");
	ng_addr_parse(&a, "1.0.1.1");
	ng_netdb_where(&v, &a, &w);
	CHECK_EQ(w.owner_bits, 2);
	ng_addr_parse(&a, "1.0.2.1");
	ng_netdb_where(&v, &a, &w);
	CHECK_EQ(w.owner_bits, 0);
	CHECK_EQ(w.owner, 0);
	CHECK_EQ(w.asn, 3);
	CHECK_EQ(w.cc, ng_cc_pack("BR"));
	ng_netdb_view_free(&v);
	/* No patterns: no bits, and the view still answers. */
	CHECK_EQ(ng_netdb_view_init(&v, db, NULL, 0, err, sizeof(err)), 0);
	ng_addr_parse(&a, "1.0.0.1");
	ng_netdb_where(&v, &a, &w);
	CHECK_EQ(w.owner_bits, 0);
	CHECK_EQ(w.asn, 1);
	ng_netdb_view_free(&v);
	regfree(&re[0]);
	regfree(&re[1]);
	ng_netdb_close(db);
}

/*
 * More than 65536 records: the 64-bit slices.  Disjoint rows, each its
 * own AS and owner, checked at every row's ends and middle.
 */
static void
test_wide(void)
{
	struct ng_nrows rows = { .v = NULL };
	struct ng_build_stats bs;
	struct ng_netdb_info in;
	struct ng_netdb *db;
	struct ng_where w;
	struct ng_addr a;
	char owner[32];
	size_t i, bad = 0;
	const size_t n = 70000;
	ng_u128 lo;

	for (i = 0; i < n; i++) {
		lo = 0x0a000000u + (ng_u128)i * 16;
		snprintf(owner, sizeof(owner), "owner %zu", i % 1000);
		ng_nrows_add_fields(&rows, 4, lo, lo + 7 + i % 8,
		    NG_NROW_ASN | NG_NROW_OWNER, 0, (uint32_t)i + 1, owner);
	}
	ng_nrows_add(&rows, 6, (ng_u128)1 << 125, ((ng_u128)1 << 125) + 99,
	    ng_cc_pack("NZ"));
	/* IPv6 rows of their own ASes, some ending inside a /64 (split). */
	for (i = 0; i < 3000; i++) {
		lo = (ng_u128)0x2a00 << 112 | (ng_u128)i << 72;
		ng_nrows_add_fields(&rows, 6, lo, lo + ((ng_u128)1 << 64) +
		    (i % 3 == 0 ? 99 : 0) - (i % 3 == 0 ? 0 : 1), NG_NROW_ASN,
		    0, (uint32_t)(1000000 + i), NULL);
	}
	free(image);
	image = NULL;
	CHECK_EQ(ng_netdb_compile(&rows, 0, &image, &image_len, &bs, err,
	    sizeof(err)), 0);
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "wide.db", err,
	    sizeof(err));
	CHECK(db != NULL);
	if (db == NULL)
		return;
	ng_netdb_get_info(db, &in);
	CHECK_EQ(in.wide, 1);
	CHECK_EQ(in.records, n + 3002);
	CHECK_EQ(in.owners, 1000);
	for (i = 0; i < n; i++) {
		lo = 0x0a000000u + (ng_u128)i * 16;
		ng_u128_to_addr(lo, 4, &a);
		ng_netdb_find(db, &a, &w);
		bad += w.asn != i + 1;
		ng_u128_to_addr(lo + 7 + i % 8, 4, &a);
		ng_netdb_find(db, &a, &w);
		bad += w.asn != i + 1;
		snprintf(owner, sizeof(owner), "owner %zu", i % 1000);
		bad += strcmp(ng_netdb_owner(db, w.owner), owner) != 0;
		if (i % 8 != 7) {
			ng_u128_to_addr(lo + 8 + i % 8, 4, &a);
			ng_netdb_find(db, &a, &w);
			bad += w.asn != 0 || w.owner != 0;
		}
	}
	for (i = 0; i < 3000; i++) {
		ng_u128 hi6;

		lo = (ng_u128)0x2a00 << 112 | (ng_u128)i << 72;
		hi6 = lo + ((ng_u128)1 << 64) + (i % 3 == 0 ? 99 : 0) -
		    (i % 3 == 0 ? 0 : 1);
		ng_u128_to_addr(lo, 6, &a);
		ng_netdb_find(db, &a, &w);
		bad += w.asn != 1000000 + i;
		ng_u128_to_addr(hi6, 6, &a);
		ng_netdb_find(db, &a, &w);
		bad += w.asn != 1000000 + i;
		ng_u128_to_addr(hi6 + 1, 6, &a);
		ng_netdb_find(db, &a, &w);
		bad += w.asn != 0;
	}
	CHECK_EQ(bad, 0);
	CHECK_STR(look(db, "2000::63"), "NZ");
	CHECK_STR(look(db, "2000::64"), "--");
	ng_netdb_close(db);
}

/* Random rows giving random fields, each field against its reference. */
static void
random_fields(int family, size_t nrows, ng_u128 base)
{
	struct ref_row *ref[3];
	size_t nref[3] = { 0, 0, 0 };
	struct ng_nrows rows = { .v = NULL };
	struct ng_build_stats bs;
	struct ng_netdb *db;
	struct ng_where w;
	struct ng_addr a;
	size_t i, j, f, bad = 0;
	unsigned fields;
	ng_u128 x, lo, hi, wd;
	char owner[16];
	const char *o;
	uint16_t v[3];

	for (f = 0; f < 3; f++)
		ref[f] = calloc(nrows, sizeof(*ref[f]));
	for (i = 0; i < nrows; i++) {
		lo = rand_addr(family, base);
		wd = rnd() % 3 == 0 ? rnd() % 16 : rand_addr(family, 0) / 16;
		hi = lo + wd;
		if (hi < lo || (family == 4 && hi > 0xffffffffu))
			hi = family == 4 ? 0xffffffffu : ~(ng_u128)0;
		fields = 1 + (unsigned)(rnd() % 7);
		/* The values: a country, an AS, an owner's number + 1. */
		v[0] = (uint16_t)(ng_cc_pack("DE") + rnd() % 5);
		v[1] = (uint16_t)(1 + rnd() % 9);
		v[2] = (uint16_t)(1 + rnd() % 50);
		snprintf(owner, sizeof(owner), "o%u", v[2] - 1u);
		for (f = 0; f < 3; f++) {
			if (!(fields & (1u << f)))
				continue;
			ref[f][nref[f]].lo = lo;
			ref[f][nref[f]].hi = hi;
			ref[f][nref[f]].prio = (uint32_t)i;
			ref[f][nref[f]++].cc = v[f];
		}
		ng_nrows_add_fields(&rows, family, lo, hi, fields, v[0], v[1],
		    owner);
	}
	free(image);
	image = NULL;
	CHECK_EQ(ng_netdb_compile(&rows, 0, &image, &image_len, &bs, err,
	    sizeof(err)), 0);
	ng_nrows_free(&rows);
	db = ng_netdb_open_buffer(image, image_len, "rand.db", err,
	    sizeof(err));
	CHECK(db != NULL);
	for (i = 0; db != NULL && i < 6000; i++) {
		f = rnd() % 3;
		j = nref[f] ? rnd() % nref[f] : 0;
		switch (i % 5) {
		case 0: x = nref[f] ? ref[f][j].lo : 0; break;
		case 1: x = nref[f] ? ref[f][j].lo - 1 : 0; break;
		case 2: x = nref[f] ? ref[f][j].hi : 0; break;
		case 3: x = nref[f] ? ref[f][j].hi + 1 : 0; break;
		default: x = rand_addr(family, base); break;
		}
		if (family == 4)
			x &= 0xffffffffu;
		ng_u128_to_addr(x, family, &a);
		ng_netdb_find(db, &a, &w);
		o = ng_netdb_owner(db, w.owner);
		if (w.cc != ref_lookup(ref[0], nref[0], x) ||
		    w.asn != ref_lookup(ref[1], nref[1], x) ||
		    (o ? (uint16_t)(1 + atoi(o + 1)) : 0) !=
		    ref_lookup(ref[2], nref[2], x))
			bad++;
	}
	CHECK_EQ(bad, 0);
	ng_netdb_close(db);
	for (f = 0; f < 3; f++)
		free(ref[f]);
}

static void
test_random_fields(void)
{
	int round;

	for (round = 0; round < 3; round++) {
		random_fields(4, 1500, (ng_u128)(rnd() % 200) << 24);
		random_fields(6, 1500, (ng_u128)0x2a00 << 112);
	}
}

/* Targeted damage to a version 4 image's new parts. */
static void
test_damage_records(void)
{
	struct ng_netdb_header h;
	struct ng_netdb_rec r;
	unsigned char *copy;
	struct ng_netdb *db;
	uint32_t u;

	db = build_multi(0, NG_IN_CSV, "1.0.0.0,1.0.0.255,AU\n", NG_IN_ASN,
	    "1.0.0.0,1.0.0.127,5,Alpha\n1.0.0.128,1.0.0.255,6,Beta\n");
	CHECK(db != NULL);
	if (db == NULL)
		return;
	ng_netdb_close(db);
	copy = malloc(image_len);
	memcpy(&h, image, sizeof(h));
#define REOPEN(what) do { \
		fix_crc(copy, image_len); \
		db = ng_netdb_open_buffer(copy, image_len, "d.db", err, \
		    sizeof(err)); \
		CHECK(db == NULL); \
		if (db != NULL) \
			ng_netdb_close(db); \
		else if (strstr(err, what) == NULL) \
			fprintf(stderr, "want %s: %s\n", what, err); \
		CHECK(db == NULL && strstr(err, what) != NULL); \
	} while (0)
	/* A version 3 file: rebuild it. */
	memcpy(copy, image, image_len);
	u = 3;
	memcpy(copy + offsetof(struct ng_netdb_header, version), &u, 4);
	REOPEN("rebuild it with nfq-gate-db build");
	/* Record 0 must be empty; others: valid codes and owner ids. */
	memcpy(copy, image, image_len);
	r.asn = 1;
	memcpy(copy + h.sec[NG_SEC_REC].off, &r.asn, 4);
	REOPEN("record 0 not empty");
	memcpy(copy, image, image_len);
	memcpy(&r, copy + h.sec[NG_SEC_REC].off + sizeof(r), sizeof(r));
	r.owner = h.owners + 1;
	memcpy(copy + h.sec[NG_SEC_REC].off + sizeof(r), &r, sizeof(r));
	REOPEN("bad record");
	memcpy(copy, image, image_len);
	memcpy(&r, copy + h.sec[NG_SEC_REC].off + sizeof(r), sizeof(r));
	r.cc = 0x4141 ^ 0x2020;	/* "aa": not a packed code */
	memcpy(copy + h.sec[NG_SEC_REC].off + sizeof(r), &r, sizeof(r));
	REOPEN("bad record");
	/* Only record 0 may say "nothing known". */
	memcpy(copy, image, image_len);
	memset(copy + h.sec[NG_SEC_REC].off + sizeof(r), 0, sizeof(r));
	REOPEN("bad record");
	/* Owner strings: a control byte, a missing NUL, offsets. */
	memcpy(copy, image, image_len);
	copy[h.sec[NG_SEC_OWNSTR].off + 1] = '\n';
	REOPEN("bad owner string");
	memcpy(copy, image, image_len);
	copy[h.sec[NG_SEC_OWNSTR].off + 5] = 'x';
	REOPEN("bad owner string");
	memcpy(copy, image, image_len);
	u = 1;
	memcpy(copy + h.sec[NG_SEC_OWNOFF].off, &u, 4);
	REOPEN("owner string table");
	/* Source names: printable, NUL-padded. */
	memcpy(copy, image, image_len);
	CHECK_EQ(h.sec[NG_SEC_SRC].count, 2);
	memset(copy + h.sec[NG_SEC_SRC].off, 'x', 64);
	REOPEN("bad source");
	memcpy(copy, image, image_len);
	copy[h.sec[NG_SEC_SRC].off + 1] = '\t';
	REOPEN("bad source");
	/* The header's counts must match the sections. */
	memcpy(copy, image, image_len);
	u = h.records + 1;
	memcpy(copy + offsetof(struct ng_netdb_header, records), &u, 4);
	REOPEN("section sizes disagree");
	memcpy(copy, image, image_len);
	u = h.countries + 1;
	memcpy(copy + offsetof(struct ng_netdb_header, countries), &u, 4);
	REOPEN("country count");
	memcpy(copy, image, image_len);
	u = NG_NETDB_F_WIDE;
	memcpy(copy + offsetof(struct ng_netdb_header, flags), &u, 4);
	REOPEN("section sizes disagree");
	memcpy(copy, image, image_len);
	u = 2;
	memcpy(copy + offsetof(struct ng_netdb_header, flags), &u, 4);
	REOPEN("flags");
#undef REOPEN
	free(copy);
}

int
main(void)
{
	RUN(test_most_specific);
	RUN(test_later_source);
	RUN(test_rir_count);
	RUN(test_whole_space);
	RUN(test_walk);
	RUN(test_random);
	RUN(test_damage);
	RUN(test_file);
	RUN(test_truncated_in_place);
	RUN(test_fields);
	RUN(test_walk_where);
	RUN(test_view);
	RUN(test_wide);
	RUN(test_random_fields);
	RUN(test_damage_records);
	free(image);
	return test_done();
}
