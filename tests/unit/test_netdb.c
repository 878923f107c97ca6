/*
 * test_netdb.c - compile rows into a database image and look them up:
 * the most specific row wins, the later source wins for the same range,
 * --overlap last, boundaries, the whole address space, walking; random
 * rows against a brute-force reference; and damaged images (truncated
 * at many offsets, flipped bytes, structural damage behind a valid
 * checksum) refused with the file's name, never a crash.
 */
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

/* Compile CSV texts (later texts are later sources) and open them. */
static struct ng_netdb *
build(int last_wins, const char *csv1, const char *csv2)
{
	struct ng_nrows rows = { NULL, 0, 0, 0, 0 };
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
	struct ng_nrows rows = { NULL, 0, 0, 0, 0 };
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
	struct ng_nrows rows = { NULL, 0, 0, 0, 0 };
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
	struct ng_nrows rows = { NULL, 0, 0, 0, 0 };
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
	free(image);
	return test_done();
}
