/*
 * stats.h - the live daemon's counters: what it did with packets, what
 * it decided per country, and the kernel's view of the queue.
 *
 * SIGUSR1 logs them; every stats_interval they are written as a
 * Prometheus text file (nfq-gate.prom in state_dir) for node_exporter's
 * textfile collector, atomically so a scrape never sees half a file.
 */
#ifndef NG_STATS_H
#define NG_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "daemon/nfq.h"
#include "daemon/dns.h"
#include "daemon/share.h"

enum ng_stat_verdict {
	NG_SV_ACCEPT = 0,	/* NF_ACCEPT, flow still judged */
	NG_SV_OFFLOAD,		/* NF_ACCEPT with the pass connmark */
	NG_SV_DROP,
	NG_SV_RESET,		/* reset mark + NF_REPEAT */
	NG_SV_HOLD,		/* kept by the engine for later */
	NG_SV_MAX
};

#define NG_STATS_CC_MAX 300	/* more than there are country codes */

struct ng_cc_count {
	uint16_t cc;
	uint64_t dec[NG_DEC_MAX];
};

struct ng_live_stats {
	uint64_t verdicts[NG_SV_MAX];
	uint64_t releases;		/* held ids released */
	uint64_t queue_full;		/* times held+queued reached maxlen */
	uint64_t stress_on;		/* times stress mode began */
	uint64_t reloads, reload_errors;
	uint64_t state_saves, state_save_errors;
	uint64_t nft_adds, nft_errors;	/* acked, refused by the kernel */
	uint64_t nft_timeouts;		/* no ack in time */
	uint64_t nft_dropped;		/* the nft queue was full */
	uint64_t policy_queries;	/* answered from the tables */
	uint64_t log_suppressed;	/* lines over log_rate */
	uint64_t reset_loops;		/* reset mark queued again: no REJECT */
	uint64_t rules_lost;		/* times our firewall rules went */
	uint64_t ct_ends;		/* conntrack DESTROYs to a judged port */
	uint64_t ct_enobufs;		/* ... overruns: events lost */
	unsigned rules_missing;		/* NG_RULES_* gone now; 0 = all there */
	unsigned ncc;
	struct ng_cc_count cc[NG_STATS_CC_MAX];
};

/* Everything one dump shows; any pointer but live may be NULL. */
struct ng_stats_view {
	const struct ng_live_stats *live;
	const struct ng_stats *eng;
	const struct ng_nfq_counters *nfq;
	const struct ng_nfq_kstats *ks;
	unsigned queue;
	int stress;
	uint64_t uptime_sec;
	/* The address tables (cache.c): live entries evicted for new ones,
	 * new greylist entries refused while it is full of live ones. */
	uint64_t pass_evicted, penalty_evicted, grey_evicted, grey_refused;
	uint64_t contacts_evicted;	/* the trap MX's contacts */
	/* The shared state's link (share.h); NULL: no redis_url. */
	const struct ng_share_counts *redis;
	/* The DNS lists' resolver (dns.h); NULL: off. */
	const struct ng_dns_counters *dns;
	unsigned dns_cache;		/* its entries now */
};

void ng_stats_verdict(struct ng_live_stats *s, enum ng_stat_verdict v);
void ng_stats_event(struct ng_live_stats *s, const struct ng_event *ev);

/* The counters as a few log lines (SIGUSR1). */
void ng_stats_log(const struct ng_stats_view *v);
/* Prometheus text exposition format. */
void ng_stats_prom(const struct ng_stats_view *v, FILE *fp);
/* The same text in a malloc'd buffer (no I/O), or NULL. */
char *ng_stats_prom_text(const struct ng_stats_view *v, size_t *len);
/*
 * Write it as path (prom_file, or state_dir/nfq-gate.prom) with
 * ng_atomic_write(), a blocking call for the writer thread; 0, or -1
 * with errno and err.
 */
int ng_stats_prom_save(const char *path, const char *text, size_t len,
    char *err, size_t errlen);

#endif
