/*
 * trap_bench.c - what the trap MX costs the SYN path.
 *
 * N SYNs from random sources to the real MX through ng_engine_packet(),
 * a fresh engine per round, with trap_mx empty ("off": the engine makes
 * no contact, one test of the list's length per SYN) and with trap_mx
 * set to another address ("on": every SYN puts its client in the
 * contacts table).  Rounds alternate, best of ROUNDS each; packets are
 * built before the clock starts.
 *
 * usage: trap_bench [N]   (default 200000)
 * Prints key=value lines: ns per SYN (tests/bench/trap.sh reads them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/hashkey.h"
#include "engine/engine.h"
#include "synpkt.h"

#include "benchclock.h"

#define SERVER 0xcb007119u	/* 203.0.113.25 */
#define ROUNDS 7

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* build - n SYNs from random sources and ports to the real MX. */
static uint8_t *
build(unsigned n)
{
	uint8_t *pkt = malloc((size_t)n * SYN_IPLEN);
	unsigned i;

	if (pkt == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		syn_build(pkt + (size_t)i * SYN_IPLEN, syn_rand(&rng), SERVER,
		    (uint16_t)(1024 + syn_rand(&rng) % 64512), 25, i);
	return pkt;
}

/* round_ns - ns per SYN for all n through a fresh engine. */
static double
round_ns(const uint8_t *pkt, unsigned n, int trap)
{
	static struct ng_out out;
	struct ng_settings cfg;
	struct ng_engine *e;
	double t;
	unsigned i;

	ng_settings_defaults(&cfg);
	cfg.flow_max = n;
	cfg.contacts_max = n;
	if (trap)
		ng_cidr_list_add_str(&cfg.trap_mx, "203.0.113.30");
	if (ng_hash_key_draw(cfg.hash_key) < 0 ||
	    (e = ng_engine_new(&cfg)) == NULL) {
		fprintf(stderr, "trap_bench: cannot make the engine\n");
		exit(1);
	}
	ng_settings_free(&cfg);
	t = now_sec();
	for (i = 0; i < n; i++)
		ng_engine_packet(e, pkt + (size_t)i * SYN_IPLEN, SYN_IPLEN,
		    SYN_IPLEN, i, NG_SEC(1000) + i, &out);
	t = now_sec() - t;
	if (ng_engine_stats(e)->flows_now != n)
		fprintf(stderr, "trap_bench: %llu flows, not %u\n",
		    (unsigned long long)ng_engine_stats(e)->flows_now, n);
	ng_engine_free(e);
	return t * 1e9 / n;
}

/* main - the rounds, alternating, and the best of each. */
int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200000;
	double off = 1e18, on = 1e18, v;
	uint8_t *pkt;
	int r;

	if (n == 0 || (pkt = build(n)) == NULL) {
		fprintf(stderr, "usage: trap_bench [N]\n");
		return 1;
	}
	for (r = 0; r < ROUNDS; r++) {
		if ((v = round_ns(pkt, n, 0)) < off)
			off = v;
		if ((v = round_ns(pkt, n, 1)) < on)
			on = v;
	}
	printf("syns=%u\nsyn_ns_trap_off=%.1f\nsyn_ns_trap_on=%.1f\n", n,
	    off, on);
	free(pkt);
	return 0;
}
