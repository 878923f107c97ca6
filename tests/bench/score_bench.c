/*
 * score_bench.c - what one score costs: CPU ns per SYN through
 * ng_engine_packet() with the fingerprint and the score on (the shipped
 * signature file, a DNS list, rDNS and score lines) against a gate with
 * neither, and ns per tested client for the whole test (SYN, SYN-ACK,
 * handshake ACK held, the pause's end: the score judged, with a fake
 * DNS answer) with and without; then the daemon's DNS work per tested
 * client once its answers are cached (ng_dns_start, the poll for
 * completed clients, ng_dns_result), the lookups failing fast against a
 * closed port (failures are cached as answers are, so the cached path
 * is the same).  Packets are built before the clock starts; best of
 * five rounds, the order turned each round; CPU time of this thread.
 *
 * usage: score_bench FPFILE [N]   (N per round, default 100000)
 * Prints key=value lines.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hashkey.h"
#include "conf/config.h"
#include "conf/fpfile.h"
#include "daemon/dns.h"
#include "engine/engine.h"
#include "engine/fpdb.h"
#include "synpkt.h"

#define SERVER 0xcb007119u	/* 203.0.113.25 */
#define ROUNDS 5
#define PKT_MAX 64
#define DNS_CLIENTS 1000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* cpu_sec - this thread's CPU time in seconds. */
static double
cpu_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Linux's default SYN options (mss, sok, ts, nop, ws). */
static const uint8_t linux_opt[20] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0,
	1, 0, 0, 0, 0, 1, 3, 3, 7 };

/* build_syn - client SYN i from a random source (Linux options). */
static size_t
build_syn(uint8_t *ip, uint32_t src, uint16_t sport, uint32_t isn)
{
	uint8_t *tcp = ip + 20;

	syn_build(ip, src, SERVER, sport, 25, isn);
	ip[8] = 64;
	syn_put16(ip + 2, 20 + 40);
	tcp[12] = (uint8_t)((40 / 4) << 4);
	syn_put16(tcp + 14, 64240);
	memcpy(tcp + 20, linux_opt, sizeof(linux_opt));
	return 60;
}

/* build_tcp - a 20-byte TCP segment a -> b with flags, seq, ack. */
static size_t
build_tcp(uint8_t *ip, uint32_t a, uint32_t b, uint16_t ap, uint16_t bp,
    uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t *tcp = ip + 20;

	syn_build(ip, a, b, ap, bp, seq);
	syn_put16(ip + 2, 40);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	syn_put32(tcp + 8, ack);
	return 40;		/* checksums unchecked by the engine */
}

/* fake_dns - a listed-by-one-site answer, for the pause's end. */
static void
fake_dns(const void *ctx, const struct ng_addr *a, ng_usec now,
    struct ng_score_dns *d)
{
	(void)ctx;
	(void)a;
	(void)now;
	memset(d, 0, sizeof(*d));
	d->asked = d->complete = 1;
	d->dnsbl = 1;
	d->rdns_fact = "ok";
	snprintf(d->detail, sizeof(d->detail), "zen.example=1");
}

/* score_on - a DNS list, rDNS, and score lines of every kind. */
static void
score_on(struct ng_settings *s)
{
	struct ng_score_conf *c = &s->score;
	struct ng_score_rule *r;

	c->dns = 1;
	c->reject = 5;
	c->greylist = 4;
	c->allow = -2;
	r = &c->rule[c->nrule++];
	r->kind = NG_SCORE_COUNTRY;
	r->weight = 1;
	r->first = 0;
	r->n = 2;
	c->ccs[c->nccs++] = ng_cc_pack("CN");
	c->ccs[c->nccs++] = ng_cc_pack("RU");
	r = &c->rule[c->nrule++];
	r->kind = NG_SCORE_ASN;
	r->weight = 2;
	r->n = 1;
	c->asns[c->nasn++] = 4134;
	r = &c->rule[c->nrule++];
	r->kind = NG_SCORE_FP;
	r->weight = 1;
	snprintf(r->cls, sizeof(r->cls), "unknown");
}

/* new_engine - defaults (hold = handshake), or with the score on. */
static struct ng_engine *
new_engine(unsigned n, int on, const struct ng_fpdb *db)
{
	static const struct ng_score_src src = { fake_dns, NULL };
	struct ng_config cfg;
	struct ng_engine *e;

	ng_config_defaults(&cfg);
	cfg.eng.flow_max = n;
	cfg.eng.release_window = 0;
	if (on)
		score_on(&cfg.eng);
	if (ng_hash_key_draw(cfg.eng.hash_key) < 0 ||
	    (e = ng_engine_new(&cfg.eng)) == NULL) {
		ng_config_free(&cfg);
		return NULL;
	}
	ng_config_free(&cfg);
	if (on) {
		ng_engine_set_fpdb(e, db);
		ng_engine_set_score_src(e, &src);
	}
	return e;
}

struct pkts {
	uint8_t (*syn)[PKT_MAX], (*synack)[PKT_MAX], (*ack)[PKT_MAX];
	size_t *len;
};

/* syns - ns per SYN of n new clients. */
static double
syns(const struct pkts *p, unsigned n, int on, const struct ng_fpdb *db)
{
	static struct ng_out out;
	struct ng_engine *e = new_engine(n, on, db);
	double t0, t;
	unsigned i;

	if (e == NULL)
		return -1;
	t0 = cpu_sec();
	for (i = 0; i < n; i++)
		ng_engine_packet(e, p->syn[i], p->len[i], p->len[i], i,
		    1000000, &out);
	t = cpu_sec() - t0;
	ng_engine_free(e);
	return t * 1e9 / n;
}

/* tests - ns per tested client: its handshake held, the pause's end. */
static double
tests(const struct pkts *p, unsigned n, int on, const struct ng_fpdb *db,
    unsigned *scored)
{
	static struct ng_out out;
	struct ng_engine *e = new_engine(n, on, db);
	double t0, t;
	unsigned i;

	if (e == NULL)
		return -1;
	t0 = cpu_sec();
	for (i = 0; i < n; i++) {
		ng_engine_packet(e, p->syn[i], p->len[i], p->len[i], 3 * i,
		    1000000, &out);
		ng_engine_packet(e, p->synack[i], 40, 40, 3 * i + 1, 1000000,
		    &out);
		ng_engine_packet(e, p->ack[i], 40, 40, 3 * i + 2, 1000000,
		    &out);
	}
	while (ng_engine_tick(e, 1000000 + NG_SEC(10), &out))
		;
	t = cpu_sec() - t0;
	*scored = (unsigned)ng_engine_stats(e)->events[NG_EV_SCORE];
	if (ng_engine_stats(e)->events[NG_EV_PASS_NEW] != n)
		fprintf(stderr, "score_bench: %llu of %u passed\n",
		    (unsigned long long)ng_engine_stats(e)->events[
		    NG_EV_PASS_NEW], n);
	ng_engine_free(e);
	return t * 1e9 / n;
}

/* dns_wait - drive the channel until no query is out (or 3 s). */
static void
dns_wait(struct ng_dns *d)
{
	struct pollfd pf[64];
	int fds[64], i, n;
	ng_usec now;
	struct timespec ts;

	n = ng_dns_fds(d, fds, 64);
	for (i = 0; i < n; i++) {
		pf[i].fd = fds[i];
		pf[i].events = POLLIN;
	}
	for (int k = 0; k < 300 && ng_dns_inflight(d) > 0; k++) {
		(void)poll(pf, (nfds_t)n, 10);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (ng_usec)ts.tv_sec * 1000000 + (ng_usec)ts.tv_nsec / 1000;
		for (i = 0; i < n; i++)
			if (pf[i].revents)
				ng_dns_readable(d, fds[i], now);
		ng_dns_tick(d, now);
		ng_dns_poll_done(d, now, NULL, NULL);
	}
}

/* done_count - ng_dns_poll_done's callback: clients complete. */
static void
done_count(const struct ng_addr *a, const struct ng_dns_result *r,
    void *arg)
{
	(void)a;
	*(unsigned *)arg += r->complete != 0;
}

/* dns_cached - ns per client: start, poll, result, all from the cache. */
static double
dns_cached(unsigned *queries, unsigned *complete)
{
	static struct ng_dns_result r;
	struct ng_config cfg;
	struct ng_addr a[DNS_CLIENTS];
	struct ng_dns *d;
	char err[256];
	double t0, best = -1;
	unsigned i, round;
	static const char *conf = "dnsbl_sites = zen.example*3, bl.example*2, "
	    "list.dnswl.example*-2\nrdns_none_weight = 1\n"
	    "dns_servers = 127.0.0.1:9\ndns_timeout = 300ms\n";

	ng_config_defaults(&cfg);
	if (ng_config_parse(&cfg, conf, strlen(conf), "bench", err,
	    sizeof(err)) < 0 || (d = ng_dns_new(&cfg.dns, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "score_bench: dns: %s\n", err);
		ng_config_free(&cfg);
		return -1;
	}
	for (i = 0; i < DNS_CLIENTS; i++) {
		char txt[32];

		snprintf(txt, sizeof(txt), "10.0.%u.%u", i >> 8, i & 255);
		ng_addr_parse(&a[i], txt);
		ng_dns_start(d, &a[i], 1000000);
	}
	dns_wait(d);
	*queries = (unsigned)ng_dns_counters(d)->queries;
	fprintf(stderr, "score_bench: dns warm-up: queries=%llu errors=%llu "
	    "timeouts=%llu dropped=%llu cache=%u\n",
	    (unsigned long long)ng_dns_counters(d)->queries,
	    (unsigned long long)ng_dns_counters(d)->errors,
	    (unsigned long long)ng_dns_counters(d)->timeouts,
	    (unsigned long long)ng_dns_counters(d)->dropped,
	    ng_dns_cache_used(d));
	for (round = 0; round < ROUNDS; round++) {
		*complete = 0;
		t0 = cpu_sec();
		for (i = 0; i < DNS_CLIENTS; i++) {
			ng_dns_start(d, &a[i], 2000000);
			ng_dns_poll_done(d, 2000000, done_count, complete);
			ng_dns_result(d, &a[i], 2000000, &r);
		}
		t0 = (cpu_sec() - t0) * 1e9 / DNS_CLIENTS;
		best = best < 0 || t0 < best ? t0 : best;
	}
	ng_dns_free(d);
	ng_config_free(&cfg);
	return best;
}

/* make_pkts - n clients' SYN, SYN-ACK and handshake ACK. */
static int
make_pkts(struct pkts *p, unsigned n)
{
	unsigned i;

	p->syn = malloc((size_t)n * PKT_MAX);
	p->synack = malloc((size_t)n * PKT_MAX);
	p->ack = malloc((size_t)n * PKT_MAX);
	p->len = malloc((size_t)n * sizeof(*p->len));
	if (!p->syn || !p->synack || !p->ack || !p->len)
		return -1;
	for (i = 0; i < n; i++) {
		uint32_t src = 0x0a000000u | (syn_rand(&rng) & 0x00ffffffu);
		uint16_t sp = (uint16_t)(1024 + syn_rand(&rng) % 60000);

		p->len[i] = build_syn(p->syn[i], src, sp, 1000);
		build_tcp(p->synack[i], SERVER, src, 25, sp, 0x12, 5000, 1001);
		build_tcp(p->ack[i], src, SERVER, sp, 25, 0x10, 1001, 5001);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ng_fpdb *db;
	struct pkts p;
	char err[256];
	unsigned n = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 100000;
	unsigned r, sc_on = 0, sc_off = 0, q = 0, done = 0;
	double on = -1, off = -1, ton = -1, toff = -1, x, dns;

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: score_bench FPFILE [N]\n");
		return 2;
	}
	if ((db = ng_fpfile_load(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "score_bench: %s\n", err);
		return 1;
	}
	if (make_pkts(&p, n) < 0)
		return 1;
	for (r = 0; r < ROUNDS; r++) {
		int first = r & 1;

		x = syns(&p, n, first, db);
		if (first)
			on = on < 0 || x < on ? x : on;
		else
			off = off < 0 || x < off ? x : off;
		x = syns(&p, n, !first, db);
		if (!first)
			on = on < 0 || x < on ? x : on;
		else
			off = off < 0 || x < off ? x : off;
		x = tests(&p, n, 1, db, &sc_on);
		ton = ton < 0 || x < ton ? x : ton;
		x = tests(&p, n, 0, db, &sc_off);
		toff = toff < 0 || x < toff ? x : toff;
	}
	dns = dns_cached(&q, &done);
	printf("syns=%u\nsyn_ns_on=%.1f\nsyn_ns_off=%.1f\n", n, on, off);
	printf("test_ns_on=%.1f\ntest_ns_off=%.1f\n", ton, toff);
	printf("scored_on=%u\nscored_off=%u\n", sc_on, sc_off);
	printf("dns_clients=%u\ndns_queries=%u\ndns_complete=%u\n"
	    "dns_cached_ns=%.1f\n", DNS_CLIENTS, q, done, dns);
	ng_fpdb_free(db);
	return 0;
}
