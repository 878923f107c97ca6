/*
 * dns.h - asynchronous DNS lists and reverse DNS for the live gate.
 *
 * One c-ares channel, driven by the daemon's epoll loop, asks about a
 * client while its greeting is held: the A record of the reversed
 * address under every dnsbl_sites domain, and its PTR name, whose names
 * are then confirmed by a forward A (or AAAA) lookup.  Nothing here
 * blocks and nothing here decides: the caller asks for a client's
 * result whenever it likes (at the end of the pause, or when told that
 * everything has answered) and what has not answered by then counts as
 * no answer.
 *
 * Answers are cached by their DNS TTL (capped by dns_ttl_max; a "no" by
 * its SOA minimum, or 60 s without one), in a table of dns_cache_max
 * entries; a full table drops its oldest finished entries first.  Two
 * clients of one DNSBL-listed /32 cost one query.
 *
 * Sockets: c-ares is handed UDP sockets made in ng_dns_new, before the
 * sandbox (daemon/sandbox.c allows no new AF_INET datagram socket), via
 * ares_set_socket_functions; it "closes" and "opens" sockets from that
 * pool, TCP fallback is off (ARES_FLAG_IGNTC: a cut reply is used as
 * it is, or counted as no answer), and the resolvers are read from
 * dns_servers or /etc/resolv.conf at ng_dns_new, so a reload cannot
 * move them (dns_servers is a start-only key).  After setup the
 * channel needs only sendmsg/writev, recvfrom, connect (re-aim a pooled
 * socket) and fcntl, which the filter allows.
 *
 * Wiring into the daemon's loop (for the lead):
 *
 *   dns = ng_dns_new(&cfg->dns, err, sizeof(err));   before the sandbox
 *           (make it even when no site is set: a reload may add sites,
 *           but cannot make the sockets the filter no longer allows)
 *   n = ng_dns_fds(dns, fds, max);   add each to epoll for EPOLLIN
 *   on EPOLLIN of one:  ng_dns_readable(dns, fd, now);
 *   timer:  ng_dns_next_timeout(dns, now) -> the loop's timerfd/epoll
 *           timeout; when it expires, ng_dns_tick(dns, now)
 *   at a tested client's SYN:  ng_dns_start(dns, &addr, now);
 *   after readable/tick:  ng_dns_poll_done(dns, now, fn, arg) calls fn
 *           once for each started client whose lookups are all done
 *           (an allowlisted one may then pass before its pause ends)
 *   at the pause's end:  ng_dns_result(dns, &addr, now, &res) - what
 *           is known, res.complete says whether anything was missing
 *   SIGHUP:  ng_dns_reconfigure(dns, &newcfg->dns) (sites, weights,
 *           patterns; not the servers or the cache size)
 */
#ifndef NG_DNS_H
#define NG_DNS_H

#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "conf/dnsbl.h"

struct ng_dns;

/* One site's part of a result. */
enum ng_dns_site_state {
	NG_SITE_PENDING,	/* asked, not answered yet */
	NG_SITE_NOANSWER,	/* timeout, error or garbage */
	NG_SITE_UNLISTED,	/* NXDOMAIN, or no address passes the filter */
	NG_SITE_LISTED		/* an address passes: the weight counts */
};

/* The reverse-DNS fact. */
enum ng_rdns_fact {
	NG_RDNS_OFF,		/* no rdns_*_weight set: not asked */
	NG_RDNS_PENDING,	/* PTR or forward lookups still out */
	NG_RDNS_NOANSWER,	/* a lookup failed: nothing known */
	NG_RDNS_NONE,		/* no PTR record */
	NG_RDNS_UNCONFIRMED,	/* no PTR name resolves back to the client */
	NG_RDNS_DYNAMIC,	/* confirmed, but matches rdns_dynamic */
	NG_RDNS_OK		/* confirmed server-looking name */
};

struct ng_dns_site_result {
	uint8_t state;		/* enum ng_dns_site_state */
	uint8_t reply[4];	/* LISTED: the first matching address */
	int weight;		/* LISTED: the site's weight, else 0 */
};

struct ng_dns_result {
	int complete;		/* nothing pending */
	int score;		/* dnsbl + dnswl + rdns: the "rank" */
	int dnsbl_score;	/* positive weights that matched */
	int dnswl_score;	/* negative weights that matched (<= 0) */
	int rdns_score;		/* the rdns fact's weight */
	int listed;		/* dnsbl_score + dnswl_score >= dnsbl_threshold */
	int allowlisted;	/* allowlist threshold < 0, score <= it */
	unsigned noanswer;	/* lookups counted as no answer */
	unsigned nsite;
	struct ng_dns_site_result site[NG_DNSBL_SITES_MAX];
	enum ng_rdns_fact rdns;
	char rdns_name[NG_DNS_NAME_MAX];	/* the PTR name, or "" */
};

struct ng_dns_counters {
	uint64_t queries;	/* sent (cache misses) */
	uint64_t cache_hits;	/* lookups the cache answered */
	uint64_t answers;	/* replies with records */
	uint64_t negative;	/* NXDOMAIN / no data */
	uint64_t timeouts;
	uint64_t errors;	/* SERVFAIL, REFUSED, socket errors */
	uint64_t garbage;	/* replies that did not parse */
	uint64_t truncated;	/* replies with the TC bit */
	uint64_t dropped;	/* not asked: the cache full of pending */
	uint64_t unanswered;	/* results given with lookups pending */
	uint64_t clients;	/* ng_dns_start calls */
};

/* Called by ng_dns_poll_done for a client whose lookups are done. */
typedef void (*ng_dns_done_fn)(const struct ng_addr *a,
    const struct ng_dns_result *r, void *arg);

/* A channel, its socket pool and cache; NULL with err on failure. */
struct ng_dns *ng_dns_new(const struct ng_dns_conf *conf, char *err,
    size_t errlen);
void ng_dns_free(struct ng_dns *d);

/* New sites, weights and patterns (a reload); -1 with err. */
int ng_dns_reconfigure(struct ng_dns *d, const struct ng_dns_conf *conf,
    char *err, size_t errlen);

/* The sockets to watch for EPOLLIN (all made at ng_dns_new). */
int ng_dns_fds(const struct ng_dns *d, int *fds, int max);
void ng_dns_readable(struct ng_dns *d, int fd, ng_usec now);
/* Microseconds until ng_dns_tick is due; -1 when nothing is out. */
int64_t ng_dns_next_timeout(struct ng_dns *d);
void ng_dns_tick(struct ng_dns *d, ng_usec now);

/* Start (or reuse cached) lookups for a client; -1 when DNS is off. */
int ng_dns_start(struct ng_dns *d, const struct ng_addr *a, ng_usec now);
/* What is known now of a client; pending lookups count as no answer. */
void ng_dns_result(struct ng_dns *d, const struct ng_addr *a, ng_usec now,
    struct ng_dns_result *r);
/* fn for each started client now complete (then forgotten). */
void ng_dns_poll_done(struct ng_dns *d, ng_usec now, ng_dns_done_fn fn,
    void *arg);
/* Stop watching a client (its pause ended). */
void ng_dns_forget(struct ng_dns *d, const struct ng_addr *a);

const struct ng_dns_counters *ng_dns_counters(const struct ng_dns *d);
/* Entries and in-flight queries now. */
unsigned ng_dns_cache_used(const struct ng_dns *d);
unsigned ng_dns_inflight(const struct ng_dns *d);

/* Names for logs and JSON. */
const char *ng_rdns_fact_name(enum ng_rdns_fact f);
const char *ng_dns_site_state_name(enum ng_dns_site_state s);

/*
 * ng_dns_reverse_name - the query name of a for suffix ("zen.example"
 * or "in-addr.arpa" / "ip6.arpa" for PTR): "4.3.2.1.zen.example".
 * -1 when buf is short.
 */
int ng_dns_reverse_name(const struct ng_addr *a, const char *suffix,
    char *buf, size_t len);

#endif
