/*
 * hash_bench.c - the flow table under a hash flood: SYNs whose
 * (address, port) were chosen to share one bucket of the old hash,
 * against SYNs from random sources, side by side.
 *
 * The engine rows feed every SYN through ng_engine_packet() with the
 * SipHash key drawn from getrandom() as the daemon does, so they show
 * whether keys picked against the old scheme still cost more than
 * random ones.  The table rows time the flow table alone (find, then
 * insert, as the engine does at a SYN) under SipHash and, replayed,
 * under the old scheme: its work per SYN
 * (hash, walk the chain looking for the flow, insert at the head) over
 * real struct ng_flow entries, so the memory walked is the table's own;
 * the old rows use a smaller count because the flood is quadratic there.
 * Packets are built before the clock starts.  Best of three rounds,
 * alternating.
 *
 * usage: hash_bench [N [NOLD]]   (defaults 65535 and 16384; the table
 * rows use NOLD keys, like the old ones)
 * Prints key=value lines: ns per SYN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "engine/flow.h"
#include "base/hashkey.h"
#include "oldhash.h"
#include "synpkt.h"

#include "benchclock.h"

#define SERVER 0xcb007119u	/* 203.0.113.25 */
#define ROUNDS 3

struct keyset {
	uint32_t *src;		/* host order */
	uint16_t *port;
	unsigned n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* next_rand - the random sources (and the old hash's seeds). */
static uint32_t
next_rand(void)
{
	return syn_rand(&rng);
}

/* make_set - n colliding (old hash) or random clients. */
static int
make_set(struct keyset *s, unsigned n, int colliding)
{
	uint8_t cb[16];
	unsigned i;

	s->n = n;
	s->src = calloc(n, sizeof(*s->src));
	s->port = calloc(n, sizeof(*s->port));
	if (s->src == NULL || s->port == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (colliding) {
			s->src[i] = old_colliding(i, i / 65535, cb,
			    &s->port[i]);
		} else {
			s->src[i] = next_rand();
			s->port[i] = (uint16_t)(1024 + next_rand() % 64512);
		}
	}
	return 0;
}

/* free_set - give back a set's arrays. */
static void
free_set(struct keyset *s)
{
	free(s->src);
	free(s->port);
}

/* engine_ns - ns per SYN for the whole set through a fresh engine. */
static double
engine_ns(const struct keyset *s, struct ng_out *out)
{
	struct ng_config cfg;
	struct ng_engine *e;
	uint8_t *pkt = malloc((size_t)s->n * SYN_IPLEN);
	double t;
	unsigned i;

	ng_config_defaults(&cfg);
	cfg.eng.flow_max = s->n;
	if (pkt == NULL || ng_hash_key_draw(cfg.eng.hash_key) < 0 ||
	    (e = ng_engine_new(&cfg.eng)) == NULL) {
		fprintf(stderr, "hash_bench: cannot make the engine\n");
		exit(1);
	}
	for (i = 0; i < s->n; i++)
		syn_build(pkt + (size_t)i * SYN_IPLEN, s->src[i], SERVER,
		    s->port[i], 25, i);
	t = now_sec();
	for (i = 0; i < s->n; i++)
		ng_engine_packet(e, pkt + (size_t)i * SYN_IPLEN, SYN_IPLEN,
		    SYN_IPLEN, i, NG_SEC(1000), out);
	t = now_sec() - t;
	if (ng_engine_stats(e)->flows_now != s->n)
		fprintf(stderr, "hash_bench: %llu flows, not %u\n",
		    (unsigned long long)ng_engine_stats(e)->flows_now, s->n);
	ng_engine_free(e);
	free(pkt);
	return t * 1e9 / s->n;
}

/* set_key - the 4-tuple of client i of a set. */
static void
set_key(struct ng_flow_key *k, const struct keyset *s, unsigned i)
{
	memset(k, 0, sizeof(*k));
	ng_addr_set_v4(&k->caddr, s->src[i]);
	ng_addr_set_v4(&k->saddr, SERVER);
	k->cport = s->port[i];
	k->sport = 25;
}

/* table_ns - ns per SYN of find-then-insert in the SipHash table. */
static double
table_ns(const struct keyset *s, unsigned *longest)
{
	struct ng_config cfg;
	struct ng_flow_table *t;
	struct ng_flow_key k;
	double t0;
	unsigned i;

	ng_config_defaults(&cfg);
	if (ng_hash_key_draw(cfg.eng.hash_key) < 0 ||
	    (t = ng_flow_table_new(s->n, cfg.eng.hash_key)) == NULL)
		exit(1);
	t0 = now_sec();
	for (i = 0; i < s->n; i++) {
		set_key(&k, s, i);
		if (ng_flow_find(t, &k) == NULL)
			ng_flow_insert(t, &k, i);
	}
	t0 = now_sec() - t0;
	*longest = ng_flow_longest_chain(t);
	ng_flow_table_free(t);
	return t0 * 1e9 / s->n;
}

/* old_ns - ns per SYN of the old scheme's find-then-insert. */
static double
old_ns(const struct keyset *s, unsigned *longest)
{
	uint32_t nb, *bucket, b, i, j, seed = next_rand(), depth;
	struct ng_flow *v;
	struct ng_flow_key k;
	double t0;

	for (nb = 16; nb < s->n; nb *= 2)
		;
	v = calloc(s->n, sizeof(*v));
	bucket = malloc(nb * sizeof(*bucket));
	if (v == NULL || bucket == NULL)
		exit(1);
	memset(bucket, 0xff, nb * sizeof(*bucket));
	*longest = 0;
	t0 = now_sec();
	for (i = 0; i < s->n; i++) {
		set_key(&k, s, i);
		b = old_flow_hash(k.caddr.b, k.cport, SERVER, 25, seed, nb);
		depth = 0;
		for (j = bucket[b]; j != NG_FLOW_NIL; j = v[j].link.hnext,
		    depth++)
			if (v[j].key.cport == k.cport &&
			    ng_addr_cmp(&v[j].key.caddr, &k.caddr) == 0 &&
			    ng_addr_cmp(&v[j].key.saddr, &k.saddr) == 0)
				break;
		if (depth > *longest)
			*longest = depth;
		/* The old insert hashed the key again, as the new one does. */
		b = old_flow_hash(k.caddr.b, k.cport, SERVER, 25, seed, nb);
		v[i].key = k;
		v[i].link.hnext = bucket[b];
		bucket[b] = i;
	}
	t0 = now_sec() - t0;
	free(v);
	free(bucket);
	return t0 * 1e9 / s->n;
}

/* best - the smaller of a running best (0: none yet) and x. */
static double
best(double b, double x)
{
	return b == 0 || x < b ? x : b;
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 65535;
	unsigned nold = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) :
	    16384, r, lc = 0, lr = 0, tc = 0, tr = 0;
	struct keyset col, ran, ocol, oran;
	double nc = 0, nr = 0, oc = 0, orr = 0, sc = 0, sr = 0;
	struct ng_out *out = malloc(sizeof(*out));

	if (n < 1 || nold < 1 || out == NULL || make_set(&col, n, 1) < 0 ||
	    make_set(&ran, n, 0) < 0 || make_set(&ocol, nold, 1) < 0 ||
	    make_set(&oran, nold, 0) < 0) {
		fprintf(stderr, "usage: hash_bench [N [NOLD]]\n");
		return 2;
	}
	for (r = 0; r < ROUNDS; r++) {
		nc = best(nc, engine_ns(&col, out));
		nr = best(nr, engine_ns(&ran, out));
		sc = best(sc, table_ns(&ocol, &tc));
		sr = best(sr, table_ns(&oran, &tr));
		oc = best(oc, old_ns(&ocol, &lc));
		orr = best(orr, old_ns(&oran, &lr));
	}
	printf("n=%u\nnold=%u\n", n, nold);
	printf("new_collide_ns=%.1f\nnew_random_ns=%.1f\n", nc, nr);
	printf("old_collide_ns=%.1f\nold_random_ns=%.1f\n", oc, orr);
	printf("table_collide_ns=%.1f\ntable_random_ns=%.1f\n", sc, sr);
	printf("old_collide_chain=%u\nold_random_chain=%u\n", lc, lr);
	printf("table_collide_chain=%u\ntable_random_chain=%u\n", tc, tr);
	free_set(&col);
	free_set(&ran);
	free_set(&ocol);
	free_set(&oran);
	free(out);
	return 0;
}
