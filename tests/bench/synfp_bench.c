/*
 * synfp_bench.c - what SYN fingerprinting costs: ns of CPU per SYN
 * through ng_engine_packet() with the shipped signature file against
 * the same engine without one, side by side on the same packets.
 *
 * The SYNs come from random sources with the option layouts real stacks
 * send (Linux, Windows, macOS, none), so the matcher sees hits, misses
 * and every bucket.  A third run uses the shipped file plus thousands of
 * filler signatures in other layouts: the cost per SYN must not grow
 * with the file (fpdb.c looks a layout up, it does not scan).  The
 * fingerprint and match alone are timed too.  Packets are built before
 * the clock starts; best of five rounds, the order turned each round;
 * CPU time of this thread.
 *
 * usage: synfp_bench FPFILE [N]   (N SYNs per round, default 200000)
 * Prints key=value lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hashkey.h"
#include "conf/config.h"
#include "conf/fpfile.h"
#include "engine/engine.h"
#include "engine/fpdb.h"
#include "engine/synfp.h"
#include "synpkt.h"

#define SERVER 0xcb007119u	/* 203.0.113.25 */
#define ROUNDS 5
#define PKT_MAX 64
#define FILLER 3000

struct tmpl {
	uint8_t opt[40];
	uint8_t nopt, ttl;
	uint16_t win;
};

/* Linux default, Linux no timestamps, Windows 7, macOS, no options. */
static const struct tmpl tmpls[] = {
	{ { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 },
	    20, 64, 64240 },
	{ { 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7 }, 12, 64, 64240 },
	{ { 2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 }, 12, 128, 8192 },
	{ { 2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0,
	    4, 2, 0, 0 }, 24, 64, 65535 },
	{ { 0 }, 0, 250, 1024 },
};
#define NTMPL (sizeof(tmpls) / sizeof(tmpls[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* cpu_sec - this thread's CPU time in seconds. */
static double
cpu_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* build - SYN i from a random source, with template i % NTMPL. */
static size_t
build(uint8_t *ip, unsigned i)
{
	const struct tmpl *t = &tmpls[i % NTMPL];
	uint32_t src = 0x0a000000u | (syn_rand(&rng) & 0x00ffffffu);
	uint8_t *tcp = ip + 20;
	size_t th = 20 + t->nopt;

	syn_build(ip, src, SERVER, (uint16_t)(1024 + syn_rand(&rng) % 60000),
	    25, syn_rand(&rng) | 1);
	ip[8] = t->ttl;
	syn_put16(ip + 2, (uint16_t)(20 + th));
	tcp[12] = (uint8_t)((th / 4) << 4);
	syn_put16(tcp + 14, t->win);
	memcpy(tcp + 20, t->opt, t->nopt);
	return 20 + th;		/* checksums unchecked by the engine */
}

/* run - ns per SYN through a fresh engine, with db or without. */
static double
run(uint8_t (*pkt)[PKT_MAX], const size_t *len, unsigned n,
    const struct ng_fpdb *db)
{
	static struct ng_out out;
	struct ng_config cfg;
	struct ng_engine *e;
	double t0, t;
	unsigned i;

	ng_config_defaults(&cfg);
	cfg.eng.flow_max = n;
	if (ng_hash_key_draw(cfg.eng.hash_key) < 0 ||
	    (e = ng_engine_new(&cfg.eng)) == NULL) {
		ng_config_free(&cfg);
		return -1;
	}
	ng_engine_set_fpdb(e, db);
	t0 = cpu_sec();
	for (i = 0; i < n; i++)
		ng_engine_packet(e, pkt[i], len[i], len[i], i, 1000000, &out);
	t = cpu_sec() - t0;
	ng_engine_free(e);
	ng_config_free(&cfg);
	return t * 1e9 / n;
}

/* alone - ns per SYN of parse + fingerprint + match only (db NULL:
 * the parse only). */
static double
alone(uint8_t (*pkt)[PKT_MAX], const size_t *len, unsigned n,
    const struct ng_fpdb *db, unsigned *known)
{
	struct ng_fp_result r;
	struct ng_synfp fp;
	struct ng_pkt p;
	double t0;
	unsigned i;

	*known = 0;
	t0 = cpu_sec();
	for (i = 0; i < n; i++) {
		(void)ng_pkt_parse(&p, pkt[i], len[i], len[i]);
		if (db == NULL) {	/* the baseline: the parse alone */
			*known += p.window != 0;
			continue;
		}
		ng_synfp_compute(&fp, &p);
		ng_fpdb_match(db, &fp, &p.src, &r);
		*known += r.cls != NG_FP_UNKNOWN;
	}
	return (cpu_sec() - t0) * 1e9 / n;
}

/* big_db - the shipped file and FILLER signatures in other layouts. */
static struct ng_fpdb *
big_db(const char *path)
{
	static const char *opts[] = { "mss", "nop", "ws", "sok", "ts", "sack" };
	struct ng_fpdb *db = NULL;
	char err[256], *text;
	size_t len, cap;
	FILE *f = fopen(path, "r");
	unsigned i, k, x;

	cap = 1024 * 1024;
	text = malloc(cap);
	if (f == NULL || text == NULL)
		goto out;
	len = fread(text, 1, cap / 2, f);
	len += (size_t)snprintf(text + len, cap - len, "\nlabel = filler\n");
	for (i = 0; i < FILLER && len < cap - 200; i++) {
		len += (size_t)snprintf(text + len, cap - len,
		    "sig = *:64:0:*:*,*:mss");
		for (x = i + 1, k = 0; k < 5 && x > 0; k++, x /= 6)
			len += (size_t)snprintf(text + len, cap - len, ",%s",
			    opts[x % 6]);
		len += (size_t)snprintf(text + len, cap - len,
		    ",?%u:df:0\n", 9 + i % 200);
	}
	db = ng_fpdb_parse(text, len, path, err, sizeof(err));
	if (db == NULL)
		fprintf(stderr, "synfp_bench: %s\n", err);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return db;
}

/* best - the lower of a previous best (or -1) and v. */
static double
best(double b, double v)
{
	return b < 0 || (v >= 0 && v < b) ? v : b;
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200000;
	double off = -1, on = -1, big = -1, a = -1, ab = -1, pa = -1;
	struct ng_fpdb *db, *bdb;
	uint8_t (*pkt)[PKT_MAX];
	unsigned i, known = 0, kb;
	size_t *len;
	char err[256];

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: synfp_bench FPFILE [N]\n");
		return 2;
	}
	db = ng_fpfile_load(argv[1], err, sizeof(err));
	bdb = big_db(argv[1]);
	pkt = malloc((size_t)n * PKT_MAX);
	len = malloc((size_t)n * sizeof(*len));
	if (db == NULL || bdb == NULL || pkt == NULL || len == NULL) {
		fprintf(stderr, "synfp_bench: %s\n", db ? "setup" : err);
		return 1;
	}
	for (i = 0; i < n; i++)
		len[i] = build(pkt[i], i);
	for (i = 0; i < ROUNDS; i++) {
		if (i & 1)
			on = best(on, run(pkt, len, n, db));
		off = best(off, run(pkt, len, n, NULL));
		if (!(i & 1))
			on = best(on, run(pkt, len, n, db));
		big = best(big, run(pkt, len, n, bdb));
		a = best(a, alone(pkt, len, n, db, &known));
		ab = best(ab, alone(pkt, len, n, bdb, &kb));
		pa = best(pa, alone(pkt, len, n, NULL, &kb));
	}
	printf("syns=%u\nsigs=%u\nbig_sigs=%u\n", n, ng_fpdb_nsigs(db),
	    ng_fpdb_nsigs(bdb));
	printf("off_ns=%.0f\non_ns=%.0f\nbig_ns=%.0f\n", off, on, big);
	printf("alone_ns=%.0f\nalone_big_ns=%.0f\nparse_ns=%.0f\nknown=%u\n",
	    a, ab, pa, known);
	ng_fpdb_free(db);
	ng_fpdb_free(bdb);
	free(pkt);
	free(len);
	return 0;
}
