/*
 * dns_probe.c - the daemon's DNS lists and reverse DNS, run alone.
 *
 * dns_probe -c CONF [-t MS] [-n ROUNDS] [-s] ADDR...: loads CONF's dns
 * keys, starts every ADDR's lookups on one c-ares channel in an epoll
 * loop as the daemon will (with -s under the daemon's seccomp filter,
 * entered after the channel is set up, as the daemon will), and at the deadline (-t, default 3000 ms) or when
 * all are complete prints one line per address and round, then the
 * counters:
 *
 *   addr=A round=R complete=0|1 score=N dnsbl=N dnswl=N rdns=FACT
 *       rdns_score=N name=NAME listed=0|1 allowlisted=0|1 noanswer=N
 *       sites=DOMAIN:STATE:WEIGHT,...
 *   counters queries=N cache_hits=N answers=N negative=N timeouts=N
 *       errors=N garbage=N truncated=N dropped=N unanswered=N
 *   elapsed_ms=N   (per round, wall time from start to result)
 *
 * Rounds after the first ask again (the cache should answer them).
 * Exits 0 when the results were printed, 1 on a setup error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/addr.h"
#include "conf/config.h"
#include "daemon/clock.h"
#include "daemon/dns.h"
#include "daemon/sandbox.h"

#define ADDRS_MAX 64

static struct ng_config cfg;

/* usage - how to call, then exit 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: dns_probe -c CONF [-t MS] [-n ROUNDS] "
	    "[-s] ADDR...\n");
	exit(2);
}

/* print_result - one address's line. */
static void
print_result(const struct ng_addr *a, int round,
    const struct ng_dns_result *r)
{
	char as[NG_ADDRSTRLEN];
	unsigned i;

	ng_addr_format(a, as, sizeof(as));
	printf("addr=%s round=%d complete=%d score=%d dnsbl=%d dnswl=%d "
	    "rdns=%s rdns_score=%d name=%s listed=%d allowlisted=%d "
	    "noanswer=%u sites=", as, round, r->complete, r->score,
	    r->dnsbl_score, r->dnswl_score, ng_rdns_fact_name(r->rdns),
	    r->rdns_score, r->rdns_name[0] ? r->rdns_name : "-", r->listed,
	    r->allowlisted, r->noanswer);
	for (i = 0; i < r->nsite; i++)
		printf("%s%s:%s:%d", i ? "," : "", cfg.dns.site[i].domain,
		    ng_dns_site_state_name(r->site[i].state),
		    r->site[i].weight);
	printf("\n");
}

/* done_cb - counts the clients ng_dns_poll_done says are complete. */
static void
done_cb(const struct ng_addr *a, const struct ng_dns_result *r, void *arg)
{
	(void)a;
	(void)r;
	(*(int *)arg)++;
}

/* wait_ms - the epoll timeout: the deadline or c-ares' next timer. */
static int
wait_ms(struct ng_dns *d, ng_usec now, ng_usec deadline)
{
	int64_t t = ng_dns_next_timeout(d);
	ng_usec left = deadline > now ? deadline - now : 0;

	if (t < 0 || (ng_usec)t > left)
		t = (int64_t)left;
	return (int)((t + 999) / 1000);
}

/* run_round - start all, loop until complete or the deadline. */
static void
run_round(struct ng_dns *d, int ep, const struct ng_addr *addrs, int n,
    int round, ng_usec timeout)
{
	ng_usec start = ng_clock_now(), now = start;
	struct ng_dns_result r;
	int i, done = 0;

	for (i = 0; i < n; i++)
		ng_dns_start(d, &addrs[i], now);
	ng_dns_poll_done(d, now, done_cb, &done);
	while (done < n && now < start + timeout) {
		struct epoll_event ev[8];
		int k = epoll_wait(ep, ev, 8, wait_ms(d, now, start + timeout));

		now = ng_clock_now();
		for (i = 0; i < k; i++)
			ng_dns_readable(d, ev[i].data.fd, now);
		ng_dns_tick(d, now);
		ng_dns_poll_done(d, now, done_cb, &done);
	}
	for (i = 0; i < n; i++) {
		ng_dns_result(d, &addrs[i], now, &r);
		print_result(&addrs[i], round, &r);
		ng_dns_forget(d, &addrs[i]);
	}
	printf("elapsed_ms=%llu\n",
	    (unsigned long long)((ng_clock_now() - start) / 1000));
}

/* print_counters - the counters line. */
static void
print_counters(const struct ng_dns *d)
{
	const struct ng_dns_counters *c = ng_dns_counters(d);

	printf("counters queries=%llu cache_hits=%llu answers=%llu "
	    "negative=%llu timeouts=%llu errors=%llu garbage=%llu "
	    "truncated=%llu dropped=%llu unanswered=%llu\n",
	    (unsigned long long)c->queries, (unsigned long long)c->cache_hits,
	    (unsigned long long)c->answers, (unsigned long long)c->negative,
	    (unsigned long long)c->timeouts, (unsigned long long)c->errors,
	    (unsigned long long)c->garbage, (unsigned long long)c->truncated,
	    (unsigned long long)c->dropped, (unsigned long long)c->unanswered);
}

/* setup - the channel and an epoll set of its sockets. */
static struct ng_dns *
setup(int *ep)
{
	char err[512];
	struct ng_dns *d = ng_dns_new(&cfg.dns, err, sizeof(err));
	int fds[64], n, i;

	if (d == NULL) {
		fprintf(stderr, "dns_probe: %s\n", err);
		exit(1);
	}
	if ((*ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("epoll_create1");
		exit(1);
	}
	n = ng_dns_fds(d, fds, 64);
	for (i = 0; i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN };

		ev.data.fd = fds[i];
		if (epoll_ctl(*ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			perror("epoll_ctl");
			exit(1);
		}
	}
	return d;
}

/* main - options, addresses, rounds. */
int
main(int argc, char **argv)
{
	struct ng_addr addrs[ADDRS_MAX];
	const char *conf = NULL;
	long ms = 3000, rounds = 1;
	char err[512];
	struct ng_dns *d;
	int opt, n = 0, ep, r, sandbox = 0;

	while ((opt = getopt(argc, argv, "c:t:n:s")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 't')
			ms = atol(optarg);
		else if (opt == 'n')
			rounds = atol(optarg);
		else if (opt == 's')
			sandbox = 1;
		else
			usage();
	}
	if (conf == NULL || optind >= argc || ms <= 0 || rounds <= 0)
		usage();
	ng_config_defaults(&cfg);
	if (ng_config_load(&cfg, conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "dns_probe: %s\n", err);
		return 1;
	}
	for (; optind < argc && n < ADDRS_MAX; optind++, n++)
		if (ng_addr_parse(&addrs[n], argv[optind]) < 0) {
			fprintf(stderr, "dns_probe: bad address %s\n",
			    argv[optind]);
			return 1;
		}
	d = setup(&ep);
	if (sandbox && ng_sandbox_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "dns_probe: %s\n", err);
		return 1;
	}
	for (r = 1; r <= rounds; r++)
		run_round(d, ep, addrs, n, r, (ng_usec)ms * 1000);
	print_counters(d);
	ng_dns_free(d);
	close(ep);
	ng_config_free(&cfg);
	return 0;
}
