/*
 * live_stats.c - what the live gate counts and watches: the stress
 * switch, the statistics view behind SIGUSR1 and the Prometheus file,
 * and the once-a-second words on overruns and a full greylist.
 *
 * Apart from the loop because none of it decides a packet: it reads
 * counters and says what they mean.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/live_impl.h"
#include "daemon/share.h"
#include "engine/cache.h"

/* nft_counts - the nft counters as the statistics show them. */
static void
nft_counts(struct live *l)
{
	const struct ng_nftset_counts *c;

	if (l->nft == NULL)
		return;
	c = ng_nftset_counts(l->nft);
	l->st.nft_adds = c->added;
	l->st.nft_errors = c->errors;
	l->st.nft_timeouts = c->timeouts;
	l->st.nft_dropped = c->dropped;
}

/*
 * live_check_stress - stress on when over half the queue is held or
 * waiting, off below a quarter; a word when the queue is full.
 */
void
live_check_stress(struct live *l)
{
	uint64_t load = ng_engine_stats(l->e)->held_now;
	uint64_t max = l->cfg.queue_maxlen;

	if (l->have_ks && l->ks.queue_total > load)
		load = l->ks.queue_total;
	if (!l->stress && load > max / 2) {
		l->stress = 1;
		l->st.stress_on++;
		ng_engine_set_stress(l->e, 1);
		ng_log(LOG_WARNING, "stress: %llu packets held or queued "
		    "(queue_maxlen %llu): greet pause now %.2fs",
		    (unsigned long long)load, (unsigned long long)max,
		    (double)l->cfg.eng.greet_pause_stress / NG_USEC_PER_SEC);
	} else if (l->stress && load < max / 4) {
		l->stress = 0;
		ng_engine_set_stress(l->e, 0);
		ng_log(LOG_NOTICE, "stress over: greet pause %.2fs again",
		    (double)l->cfg.eng.greet_pause / NG_USEC_PER_SEC);
	}
	if (load >= max && !l->full) {
		l->st.queue_full++;
		ng_log(LOG_WARNING, "queue %u full: the kernel lets new "
		    "packets through unjudged (fail open)", l->queue);
	}
	l->full = load >= max;
}

/* live_stats_view - every counter in v, for SIGUSR1's line or the prom file. */
void
live_stats_view(struct live *l, struct ng_stats_view *v)
{
	memset(v, 0, sizeof(*v));
	nft_counts(l);
	v->live = &l->st;
	v->eng = ng_engine_stats(l->e);
	v->nfq = l->q != NULL ? ng_nfq_counters(l->q) : &l->nfq_last;
	v->ks = l->have_ks ? &l->ks : NULL;
	v->queue = l->queue;
	v->stress = l->stress;
	v->uptime_sec = (ng_clock_now() - l->start) / NG_USEC_PER_SEC;
	v->pass_evicted = ng_cache_evictions(ng_engine_pass_cache(l->e));
	v->penalty_evicted = ng_cache_evictions(ng_engine_penalty_box(l->e));
	v->grey_evicted = ng_cache_evictions(ng_engine_greylist(l->e));
	v->grey_refused = ng_cache_refused(ng_engine_greylist(l->e));
	v->contacts_evicted = ng_cache_evictions(ng_engine_contacts(l->e));
	if (l->share != NULL) {
		ng_share_counts(l->share, &l->redis_counts);
		v->redis = &l->redis_counts;
	}
	v->dns = live_dns_counters(l, &v->dns_cache);
}

/*
 * live_prom_run - in the writer thread: the Prometheus file, formatted
 * by the loop, to disk.
 */
int
live_prom_run(struct ng_job *j)
{
	struct prom_job *p = (struct prom_job *)j;
	int rc;

	rc = ng_stats_prom_save(p->path, p->text, p->len, j->err,
	    sizeof(j->err));
	free(p->text);
	p->text = NULL;
	return rc;
}

/*
 * live_write_prom - the Prometheus file formatted and handed to the
 * writer; skipped while the last one is still being written (a slow disk).
 */
void
live_write_prom(struct live *l)
{
	struct ng_stats_view v;

	if (ng_writer_busy(l->w, &l->prom.job))
		return;
	live_stats_view(l, &v);
	l->prom.text = ng_stats_prom_text(&v, &l->prom.len);
	if (l->prom.text == NULL) {
		ng_log(LOG_WARNING, "writing %s: out of memory",
		    l->prom.path);
		return;
	}
	if (ng_writer_submit(l->w, &l->prom.job) < 0) {
		free(l->prom.text);
		l->prom.text = NULL;
	}
}

/*
 * live_check_overrun - a receive buffer overrun means the kernel failed
 * packets open that the gate never saw: mail went through untested.  Say so
 * once a second at most, with the count, so an admin can raise queue_rcvbuf.
 */
void
live_check_overrun(struct live *l)
{
	uint64_t n = ng_nfq_counters(l->q)->enobufs;

	if (n == l->enobufs_logged)
		return;
	ng_log(LOG_WARNING, "queue %u: receive buffer overrun (ENOBUFS) x%llu: "
	    "packets failed open unseen; raise queue_rcvbuf", l->queue,
	    (unsigned long long)(n - l->enobufs_logged));
	l->enobufs_logged = n;
}

/*
 * live_check_greylist_full - one line when a flood fills the greylist with
 * live first tries (new senders then get the greeting test instead),
 * one when it has admitted every new sender for a minute again.
 */
void
live_check_greylist_full(struct live *l, ng_usec now)
{
	uint64_t n = ng_engine_stats(l->e)->greylist_full;

	if (n != l->grey_full_seen) {
		if (l->grey_full_last == 0)
			ng_log(LOG_WARNING, "greylist full (cache_max %u, no "
			    "entry expired): new senders get the greeting "
			    "test instead", l->cfg.eng.cache_max);
		l->grey_full_seen = n;
		l->grey_full_last = now;
	} else if (l->grey_full_last != 0 &&
	    now >= l->grey_full_last + NG_SEC(60)) {
		ng_log(LOG_INFO, "greylist admits new senders again "
		    "(greylist_full=%llu)", (unsigned long long)n);
		l->grey_full_last = 0;
	}
}
