/*
 * live_dns.c - the DNS lists and reverse DNS in the live gate: the
 * c-ares channel (daemon/dns.c) on the epoll loop, lookups started at a
 * tested client's SYN, its answers handed to the engine's score
 * (engine/score.h), and an allowlisted client passed as soon as they
 * are in.
 *
 * Made at start only when a dnsbl site or an rdns weight is set (no
 * resolver is touched otherwise); a reload may change sites, weights and
 * patterns, but one that turns DNS on needs a restart (the sockets are
 * made before the sandbox).
 *
 * Spoofing: a forged SYN from any address starts that address's lookups
 * (answers cached, the table bounded by dns_cache_max, the waiting
 * list below bounded and overwritten oldest first): that is the cost,
 * counted as dns_clients.  It never decides anything about a real
 * client: the early pass acts only on a flow whose believed handshake
 * the engine holds (ng_engine_score_ready), and the score at the
 * pause's end only on such flows too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/dns.h"
#include "daemon/live_impl.h"

#define DNS_FDS_MAX 64
/* Tested flows waiting for their client's answers (for the early pass). */
#define DNS_WAIT_MAX 4096

struct dns_wait {
	struct ng_flow_key k;
	ng_usec until;		/* 0: free */
};

struct live_dns {
	struct ng_dns *dns;
	struct ng_score_src src;
	struct live *l;
	int nfd;
	int fds[DNS_FDS_MAX];
	unsigned next;		/* the ring's next slot */
	struct dns_wait wait[DNS_WAIT_MAX];
	uint64_t wait_lost;	/* overwritten before their answers */
	uint64_t early;		/* early passes asked of the engine */
	struct ng_out out;	/* the early pass's own: l->out may be in
				 * the middle of its events */
	struct ng_dns_conf conf;	/* sites, for the detail text */
};

/* detail - "zen.example=3 list.dnswl.example=-2": the sites that hit. */
static void
detail(const struct live_dns *ld, const struct ng_dns_result *r, char *buf,
    size_t len)
{
	size_t n = 0;
	unsigned i;
	int w;

	buf[0] = '\0';
	for (i = 0; i < r->nsite && i < ld->conf.nsite; i++) {
		if (r->site[i].state != NG_SITE_LISTED || n >= len)
			continue;
		w = snprintf(buf + n, len - n, "%s%s=%d", n ? " " : "",
		    ld->conf.site[i].domain, r->site[i].weight);
		if (w < 0)
			break;
		n += (size_t)w < len - n ? (size_t)w : len - n - 1;
	}
}

/* dns_facts - the engine's callback: what the DNS says of a now. */
static void
dns_facts(const void *ctx, const struct ng_addr *a, ng_usec now,
    struct ng_score_dns *d)
{
	struct live_dns *ld = (struct live_dns *)(uintptr_t)ctx;
	struct ng_dns_result r;

	ng_dns_result(ld->dns, a, now, &r);
	memset(d, 0, sizeof(*d));
	d->asked = 1;
	d->complete = (uint8_t)r.complete;
	d->dnsbl = r.dnsbl_score;
	d->dnswl = r.dnswl_score;
	d->rdns = r.rdns_score;
	d->rdns_fact = r.rdns == NG_RDNS_OFF ? NULL : ng_rdns_fact_name(r.rdns);
	d->noanswer = r.noanswer;
	detail(ld, &r, d->detail, sizeof(d->detail));
}

/* live_start_dns - the channel, before the sandbox; 0, or the exit code. */
int
live_start_dns(struct live *l)
{
	struct live_dns *ld;
	char err[512];

	if (!ng_dns_conf_enabled(&l->cfg.dns))
		return 0;
	if ((ld = calloc(1, sizeof(*ld))) == NULL) {
		ng_log(LOG_ERR, "dns: out of memory");
		return EX_OSERR;
	}
	ld->dns = ng_dns_new(&l->cfg.dns, err, sizeof(err));
	if (ld->dns == NULL) {
		free(ld);
		ng_log(LOG_ERR, "dns: %s", err);
		return EX_UNAVAILABLE;
	}
	ld->l = l;
	ld->conf = l->cfg.dns;
	ld->nfd = ng_dns_fds(ld->dns, ld->fds, DNS_FDS_MAX);
	ld->src.dns = dns_facts;
	ld->src.ctx = ld;
	l->ldns = ld;
	ng_engine_set_score_src(l->e, &ld->src);
	ng_log(LOG_INFO, "dns: %u lists, reverse DNS %s, %d sockets",
	    l->cfg.dns.nsite, ng_dns_conf_rdns(&l->cfg.dns) ? "on" : "off",
	    ld->nfd);
	return 0;
}

/* live_dns_watch - its sockets into the loop's epoll; -1 on failure. */
int
live_dns_watch(struct live *l)
{
	struct epoll_event ev;
	int i;

	if (l->ldns == NULL)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	for (i = 0; i < l->ldns->nfd; i++) {
		ev.data.fd = l->ldns->fds[i];
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -1;
	}
	return 0;
}

/* live_dns_owns - is fd one of the resolver's sockets? */
int
live_dns_owns(const struct live *l, int fd)
{
	int i;

	if (l->ldns == NULL)
		return 0;
	for (i = 0; i < l->ldns->nfd; i++)
		if (l->ldns->fds[i] == fd)
			return 1;
	return 0;
}

/*
 * ready - a's answers are all in: each flow of a still waiting is
 * offered to the engine, which passes it if its total is at or below
 * the allowlist threshold and its believed handshake is held.
 */
static void
ready(const struct ng_addr *a, const struct ng_dns_result *r, void *arg)
{
	struct live_dns *ld = arg;
	struct live *l = ld->l;
	ng_usec now = ng_clock_now();
	unsigned i;

	(void)r;
	if (l->cfg.eng.score.allow >= 0)
		return;		/* nothing passes early */
	for (i = 0; i < DNS_WAIT_MAX; i++) {
		struct dns_wait *w = &ld->wait[i];

		if (w->until == 0 || ng_addr_cmp(&w->k.caddr, a) != 0)
			continue;
		if (w->until > now) {
			ld->early++;
			ng_engine_score_ready(l->e, &w->k, now, &ld->out);
			live_send_releases(l, &ld->out);
			live_handle_events(l, &ld->out);
		}
		w->until = 0;
	}
}

/* poll_done - hand every client whose answers are in to ready(). */
static void
poll_done(struct live *l, ng_usec now)
{
	ng_dns_poll_done(l->ldns->dns, now, ready, l->ldns);
	ng_nfq_flush(l->q);
}

/* live_on_dns - a resolver socket is readable. */
void
live_on_dns(struct live *l, int fd)
{
	ng_usec now = ng_clock_now();

	ng_dns_readable(l->ldns->dns, fd, now);
	poll_done(l, now);
}

/* live_dns_next - when the resolver's timer is due, or NG_NEVER. */
ng_usec
live_dns_next(struct live *l)
{
	int64_t t;

	if (l->ldns == NULL || (t = ng_dns_next_timeout(l->ldns->dns)) < 0)
		return NG_NEVER;
	return ng_clock_now() + (ng_usec)t;
}

/* live_dns_tick - the resolver's retries and timeouts. */
void
live_dns_tick(struct live *l, ng_usec now)
{
	if (l->ldns == NULL)
		return;
	ng_dns_tick(l->ldns->dns, now);
	poll_done(l, now);
}

/*
 * start - a tested client's SYN: its lookups start (or the cache
 * answers), and its flow waits for them in the ring until its pause
 * is over.
 */
static void
start(struct live *l, const struct ng_event *ev)
{
	struct live_dns *ld = l->ldns;
	struct dns_wait *w = &ld->wait[ld->next];
	ng_usec now = ng_clock_now();

	if (ng_dns_start(ld->dns, &ev->client, now) < 0)
		return;
	if (w->until > now)
		ld->wait_lost++;
	memset(&w->k, 0, sizeof(w->k));
	w->k.caddr = ev->client;
	w->k.saddr = ev->server;
	w->k.cport = ev->cport;
	w->k.sport = ev->sport;
	w->until = now + l->cfg.eng.greet_pause + 1;
	ld->next = (ld->next + 1) % DNS_WAIT_MAX;
	poll_done(l, now);	/* a cached answer is in already */
}

/* rank_line - postscreen's "DNSBL rank N for [a]:p" for a listed one. */
static void
rank_line(const struct ng_event *ev)
{
	char a[NG_ADDRSTRLEN];

	if (ev->score_dns <= 0)
		return;
	ng_addr_format(&ev->client, a, sizeof(a));
	ng_log(LOG_INFO, "DNSBL rank %d for [%s]:%u", ev->score_dns, a,
	    ev->cport);
}

/* live_dns_event - an engine event DNS has to do with. */
void
live_dns_event(struct live *l, const struct ng_event *ev)
{
	if (l->ldns == NULL)
		return;
	if (ev->dns)
		start(l, ev);
	else if (ev->type == NG_EV_SCORE)
		rank_line(ev);
}

/* live_dns_reload - new sites, weights, patterns; 0 or -1 with err. */
int
live_dns_reload(struct live *l, const struct ng_config *next, char *err,
    size_t errlen)
{
	if (l->ldns == NULL) {
		if (ng_dns_conf_enabled(&next->dns))
			ng_log(LOG_WARNING, "reload: DNS lists or reverse DNS "
			    "set: restart the gate to start them");
		return 0;
	}
	if (ng_dns_reconfigure(l->ldns->dns, &next->dns, err, errlen) < 0)
		return -1;
	l->ldns->conf = next->dns;
	return 0;
}

/* live_dns_status - one line for nfq-gate-ctl status. */
const char *
live_dns_status(const struct live *l, char *buf, size_t len)
{
	const struct ng_dns_counters *c;

	if (l->ldns == NULL)
		return "off";
	c = ng_dns_counters(l->ldns->dns);
	snprintf(buf, len, "%" PRIu64 " clients, %" PRIu64 " queries, %"
	    PRIu64 " cache hits, %" PRIu64 " timeouts, %" PRIu64 " errors, %"
	    PRIu64 " unanswered, cache %u", c->clients, c->queries,
	    c->cache_hits, c->timeouts, c->errors, c->unanswered,
	    ng_dns_cache_used(l->ldns->dns));
	return buf;
}

/* live_dns_counters - the resolver's counters and cache entries, NULL
 * when off. */
const struct ng_dns_counters *
live_dns_counters(const struct live *l, unsigned *cache_used)
{
	if (l->ldns == NULL)
		return NULL;
	*cache_used = ng_dns_cache_used(l->ldns->dns);
	return ng_dns_counters(l->ldns->dns);
}

/* live_dns_free - at exit. */
void
live_dns_free(struct live *l)
{
	if (l->ldns == NULL)
		return;
	if (l->e != NULL)
		ng_engine_set_score_src(l->e, NULL);
	ng_dns_free(l->ldns->dns);
	free(l->ldns);
	l->ldns = NULL;
}
