/*
 * live.c - nfq-gate -q NUM: the live gate on an NFQUEUE queue.
 *
 * Glue and an event loop, nothing more: the engine decides, nfq.c talks
 * to the kernel, this file turns the engine's verdicts into netlink
 * verdicts (offload = set the pass connmark, reset = set the reset
 * packet mark and NF_REPEAT so the REJECT rule answers with a TCP RST,
 * drop = NF_DROP), logs the engine's events, and keeps state on disk.
 * It keeps no packets of its own: a held greeting is only an id the
 * engine hands back later.
 *
 * One thread, one epoll: the netlink socket, a timerfd armed to the
 * engine's next deadline (or the next housekeeping second), and a
 * signalfd for SIGHUP (reload), SIGUSR1 (log counters), SIGTERM and
 * SIGINT (release everything held, save, exit 0).  The engine's clock is
 * CLOCK_MONOTONIC, so a wall-clock step never releases a greeting early
 * or expires a cache entry.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/netfilter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/cache.h"
#include "daemon/clock.h"
#include "conf/config.h"
#include "engine/engine.h"
#include "engine/event_format.h"
#include "daemon/live.h"
#include "base/hashkey.h"
#include "base/log.h"
#include "netdb/netdb.h"
#include "daemon/nfq.h"
#include "daemon/nftset.h"
#include "engine/packet.h"
#include "daemon/privs.h"
#include "daemon/psvc.h"
#include "daemon/psvc_sock.h"
#include "daemon/rulecheck.h"
#include "daemon/sandbox.h"
#include "daemon/state_saver.h"
#include "daemon/stats.h"
#include "daemon/writer.h"

/* sysexits.h: 78 only when restarting cannot help (the unit's
 * RestartPreventExitStatus); the rest are faults worth a restart. */
#define EX_USAGE	64
#define EX_UNAVAILABLE	69
#define EX_OSERR	71
#define EX_CANTCREAT	73
#define EX_CONFIG	78
/* rules_lost = exit: systemd restarts us, ExecStartPre puts them back. */
#define EX_RULES	75

#define DEFAULT_CONF	"/etc/nfq-gate/nfq-gate.conf"
#define COPY_RANGE	256	/* headers + the first payload bytes */
#define HOUSEKEEPING	NG_SEC(1)
#define SAVE_EVERY	NG_SEC(10)
#define SAVE_SOON	NG_SEC(1)	/* after a PASS NEW or PREGREET */
#define TICK_ROUNDS	10000		/* bound on one burst of releases */
#define SAVE_STEP_SLOTS	2048		/* table slots copied between polls */
/*
 * The whole stop, after the releases, within SHUTDOWN_WAIT, below the
 * unit's TimeoutStopSec=20s: systemd's SIGKILL would lose the save.
 */
#define SHUTDOWN_WAIT	NG_SEC(12)
#define SAVE_FINAL_WAIT	NG_SEC(10)	/* for the disk at shutdown */
#define PROM_FINAL_WAIT	NG_SEC(1)	/* the prom file is not worth more */
#define STOP_WAIT	NG_SEC(1)	/* the writer thread, idle by then */

/* The Prometheus file, written by the writer thread. */
struct prom_job {
	struct ng_job job;		/* first: the thread's view of us */
	char path[NG_PATH_MAX * 2];	/* prom_file or state_dir/... */
	char *text;
	size_t len;
};

/*
 * The rules check, run by the writer thread: a dump of a large ruleset
 * takes 100 ms and more, and each answer may wait 500 ms.  The thread
 * touches only rc and the result fields; the loop reads them once the
 * job is reaped.
 */
struct rules_job {
	struct ng_job job;		/* first: the thread's view of us */
	struct ng_rulecheck *rc;
	int lost;			/* ng_rulecheck_watch()'s answer */
	unsigned missing, found;
};

struct live {
	const char *conf_path;
	unsigned queue;
	int foreground, debug, use_syslog;
	struct ng_config cfg;
	struct ng_engine *e;
	struct ng_netdb *db;
	struct ng_nfq *q;
	struct ng_nftset *nft;
	struct ng_rulecheck *rules;
	struct ng_nfq_counters nfq_last;	/* once the queue is closed */
	ng_usec stop_by;		/* shutdown's deadline, 0 before */
	unsigned rules_found;	/* NG_RULES_* of the last good check */
	struct ng_psvc_sock *psvc;
	struct ng_writer *w;
	struct ng_saver *saver;
	struct prom_job prom;
	struct rules_job rjob;
	int epfd, sigfd, timerfd;
	ng_usec armed;
	ng_usec start, next_house, next_stats, last_save, next_rules;
	int dirty, urgent, stop, stress;
	int save_failing;
	int nft_logged;			/* an nft failure told this second */
	uint64_t enobufs_logged;
	unsigned log_used;		/* budgeted lines this second */
	uint64_t log_suppressed;	/* ... and those left out */
	uint64_t grey_full_seen;	/* greylist_full at the last look */
	ng_usec grey_full_last;		/* 0: greylist not full */
	struct ng_nfq_kstats ks;
	int have_ks, full;
	struct ng_live_stats st;
	struct ng_out out;
	char line[NG_EVENT_LINE_MAX];
};

static void
usage(void)
{
	fprintf(stderr, "usage: nfq-gate [-c CONF] -q NUM [-f] [-d] "
	    "[--no-syslog]\n");
}

/* ---- verdicts ---- */

/*
 * One engine verdict to the kernel.  mark is the packet's current mark
 * when we have it (the packet in hand), 0 for a released id.
 */
static void
send_verdict(struct live *l, uint32_t id, uint8_t action, uint8_t offload,
    uint32_t mark)
{
	ng_log(LOG_DEBUG, "verdict id %u: action %u offload %u", id, action,
	    offload);
	switch (action) {
	case NG_DROP:
		ng_nfq_verdict(l->q, id, NF_DROP, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_DROP);
		break;
	case NG_RESET:
		if (!(l->rules_found & NG_RULES_RESET)) {
			/*
			 * No reject rule was seen to catch the mark (gone,
			 * never loaded, or not looked for): the mark would
			 * RETURN and the packet be accepted.  Drop it; TCP
			 * retransmits and is refused again.
			 */
			ng_nfq_verdict(l->q, id, NF_DROP, 0, 0, 0, 0);
			ng_stats_verdict(&l->st, NG_SV_DROP);
			break;
		}
		/* Back through the hook: the REJECT rule sees the mark. */
		ng_nfq_verdict(l->q, id, NF_REPEAT, 1,
		    mark | l->cfg.mark_reset, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_RESET);
		break;
	default:
		if (offload) {
			/* Without glue, mark_passed() sets the connmark;
			 * with it, the test bit goes too: decided now. */
			ng_nfq_verdict(l->q, id, NF_ACCEPT, 0, 0,
			    l->cfg.mark_pass, ng_nfq_ct_glue(l->q) ?
			    l->cfg.mark_pass | l->cfg.mark_test : 0);
			ng_stats_verdict(&l->st, NG_SV_OFFLOAD);
		} else {
			ng_nfq_verdict(l->q, id, NF_ACCEPT, 0, 0, 0, 0);
			ng_stats_verdict(&l->st, NG_SV_ACCEPT);
		}
		break;
	}
}

/*
 * Queued, never waited for: nftset.c sends at the end of this turn of
 * the loop and reads the acks when its socket is readable.  A full
 * queue is counted; the engine's penalty box refuses the address anyway.
 */
static void
penalize(struct live *l, const struct ng_event *ev)
{
	char a[NG_ADDRSTRLEN];

	if (l->nft == NULL || ng_nftset_add(l->nft, &ev->client,
	    l->cfg.penalty_ttl) == 0)
		return;
	if (!l->nft_logged)
		ng_log(LOG_WARNING, "nft penalty set: %s: queue full (%u "
		    "waiting), not added", ng_addr_format(&ev->client, a,
		    sizeof(a)), ng_nftset_pending(l->nft));
	l->nft_logged = 1;
}

/* A batch the kernel refused or never acked: one line a second at most. */
static void
nft_failed(const struct ng_nftset_fail *f, void *arg)
{
	struct live *l = arg;
	char a[NG_ADDRSTRLEN];

	if (l->nft_logged)
		return;
	l->nft_logged = 1;
	ng_log(LOG_WARNING, "nft penalty set: %s%s: set %s: %s",
	    ng_addr_format(&f->first, a, sizeof(a)),
	    f->n > 1 ? " and others" : "", f->set,
	    f->err == ETIMEDOUT ? "no answer from the kernel" :
	    strerror(f->err));
}

/* The nft counters as the statistics show them. */
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
 * A spoofed SYN flood would otherwise be copied line for line into
 * syslog.  Lines anyone can cause with a forged SYN share a budget of
 * log_rate a second; PASS NEW and PREGREET need a completed handshake,
 * cannot be forged off-path, and are what admins and fail2ban act on, so
 * they are always written.  The counters see every event either way.
 */
static int
log_budget(struct live *l, const struct ng_event *ev)
{
	if (ev->type == NG_EV_PASS_NEW || ev->type == NG_EV_PREGREET ||
	    l->cfg.log_rate == 0)
		return 1;
	if (l->log_used < l->cfg.log_rate) {
		l->log_used++;
		return 1;
	}
	l->log_suppressed++;
	l->st.log_suppressed++;
	return 0;
}

/* Once a second: a new budget, and a word on what was left out. */
static void
log_budget_reset(struct live *l)
{
	if (l->log_suppressed > 0)
		ng_log(LOG_WARNING, "%llu connection log lines suppressed in "
		    "the last second (log_rate %u)",
		    (unsigned long long)l->log_suppressed, l->cfg.log_rate);
	l->log_suppressed = 0;
	l->log_used = 0;
}

static void
log_event(struct live *l, const struct ng_event *ev)
{
	int prio = ev->type == NG_EV_EVICT ? LOG_WARNING : LOG_INFO;

	if (log_budget(l, ev)) {
		ng_event_format_line(ev, l->line, sizeof(l->line));
		ng_log(prio, "%s", l->line);
	}
	ng_stats_event(&l->st, ev);
	switch (ev->type) {
	case NG_EV_PREGREET:
		if (ev->decision == NG_DEC_PREGREET)
			penalize(l, ev);
		l->urgent = 1;
		break;
	case NG_EV_PASS_NEW:
	case NG_EV_GREYLIST:
	case NG_EV_GREYLIST_PASS:
		l->urgent = 1;
		break;
	default:
		break;
	}
	l->dirty = 1;
}

/*
 * Without conntrack glue in the kernel, a flow's connmark is set by a
 * ctnetlink update when the engine logs its pass decision; the event
 * names the connection.  Queued after the verdict that confirms it.
 */
static void
mark_passed(struct live *l, const struct ng_event *ev)
{
	struct ng_nfq_tuple t;

	/* PASS OLD is offloaded at its handshake ACK (on_packet). */
	if (ng_nfq_ct_glue(l->q) || ev->decision != NG_DEC_PASS ||
	    ev->type == NG_EV_PASS_OLD)
		return;
	memset(&t, 0, sizeof(t));
	t.family = ev->client.family;
	memcpy(t.src, ev->client.b, 16);
	memcpy(t.dst, ev->server.b, 16);
	t.sport = ev->cport;
	t.dport = ev->sport;
	ng_nfq_ct_mark(l->q, &t, l->cfg.mark_pass, l->cfg.mark_pass |
	    l->cfg.mark_test);
}

/*
 * ct_mark_pkt - a ctnetlink update of the connmark bits under mask for
 * the connection of the packet in hand, queued after its verdict (which
 * confirms a SYN's conntrack entry first).  Conntrack finds the entry
 * by the tuple of either direction, so the packet's own one will do.
 */
static void
ct_mark_pkt(struct live *l, const struct ng_nfq_pkt *p, uint32_t mark,
    uint32_t mask)
{
	struct ng_nfq_tuple t;
	struct ng_pkt k;

	if (ng_pkt_parse(&k, p->data, p->caplen, p->wirelen) != NG_PKT_OK)
		return;
	memset(&t, 0, sizeof(t));
	t.family = k.src.family;
	memcpy(t.src, k.src.b, 16);
	memcpy(t.dst, k.dst.b, 16);
	t.sport = k.sport;
	t.dport = k.dport;
	ng_nfq_ct_mark(l->q, &t, mark, mask);
}

/*
 * test_verdict - accept, and set (on a SYN going under test) or clear
 * (on a packet of a flow the engine does not know) the connmark's test
 * bit.  Set, the rules' packet cap skips the connection, so junk
 * segments on its 4-tuple, which conntrack counts too, cannot push it
 * out of the queue before it is judged.  Cleared, a flow the engine
 * forgot while under test (evicted, expired, lost in a restart) is
 * under the cap again and stops being queued: fail open, and never
 * queued for ever.  Clearing gives no pass: a bot that makes a fresh
 * 4-tuple "midstream" with a stray ACK gets no mark its SYN could
 * reuse, and a spoofer cannot clear the bit of a real flow under test,
 * since a flow the engine knows is never midstream, forged packets
 * included.
 */
static void
test_verdict(struct live *l, const struct ng_nfq_pkt *p, int set)
{
	uint32_t mark = set ? l->cfg.mark_test : 0;

	if (ng_nfq_ct_glue(l->q))
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, mark,
		    l->cfg.mark_test);
	else {
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, 0, 0);
		ct_mark_pkt(l, p, mark, l->cfg.mark_test);
	}
	ng_stats_verdict(&l->st, NG_SV_ACCEPT);
}

/* Releases go before the packet in hand: they are older packets. */
static void
send_releases(struct live *l, const struct ng_out *o)
{
	unsigned i;

	for (i = 0; i < o->nrel; i++) {
		send_verdict(l, o->rel[i].id, o->rel[i].action,
		    o->rel[i].offload, 0);
		l->st.releases++;
	}
}

static void
handle_events(struct live *l, const struct ng_out *o)
{
	unsigned i;

	for (i = 0; i < o->nev; i++) {
		log_event(l, &o->ev[i]);
		mark_passed(l, &o->ev[i]);
	}
}

/*
 * A reset verdict on a packet that is itself a RST would only drop it
 * (REJECT never answers a RST).  In local-MTA mode the RSTs our REJECT
 * rule sends to a killed flow's client leave through OUTPUT and come
 * back to us; they must go through, or the client never learns.
 */
static int
is_rst(const struct ng_nfq_pkt *p)
{
	struct ng_pkt k;

	return ng_pkt_parse(&k, p->data, p->caplen, p->wirelen) == NG_PKT_OK &&
	    (k.flags & NG_TH_RST) != 0;
}

static void
on_packet(const struct ng_nfq_pkt *p, void *arg)
{
	struct live *l = arg;

	/*
	 * Our reset mark came back: no REJECT rule caught the repeated
	 * packet.  Judging it again would repeat it forever; drop it.
	 */
	if (l->cfg.mark_reset != 0 &&
	    (p->mark & l->cfg.mark_reset) == l->cfg.mark_reset) {
		ng_nfq_verdict(l->q, p->id, NF_DROP, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_DROP);
		if (l->st.reset_loops++ == 0)
			ng_log(LOG_WARNING, "a packet with the reset mark 0x%x "
			    "was queued again: is the REJECT rule before the "
			    "NFQUEUE rule?", l->cfg.mark_reset);
		return;
	}
	if (p->data == NULL) {		/* nothing to judge: fail open */
		ng_nfq_verdict(l->q, p->id, NF_ACCEPT, 0, 0, 0, 0);
		ng_stats_verdict(&l->st, NG_SV_ACCEPT);
		return;
	}
	ng_engine_packet(l->e, p->data, p->caplen, p->wirelen, p->id,
	    ng_clock_now(), &l->out);
	send_releases(l, &l->out);
	if (l->out.v.action == NG_RESET && is_rst(p))
		l->out.v.action = NG_ACCEPT;
	if (l->out.v.action == NG_HOLD)
		ng_stats_verdict(&l->st, NG_SV_HOLD);
	else if (l->out.v.action == NG_ACCEPT && !l->out.v.offload &&
	    (l->out.v.test || l->out.v.midstream) && l->cfg.mark_test != 0)
		test_verdict(l, p, l->out.v.test);
	else
		send_verdict(l, p->id, l->out.v.action, l->out.v.offload,
		    p->mark);
	/* A PASS OLD flow confirmed: without glue, ctnetlink offloads it. */
	if (l->out.v.confirm && !ng_nfq_ct_glue(l->q))
		ct_mark_pkt(l, p, l->cfg.mark_pass, l->cfg.mark_pass |
		    l->cfg.mark_test);
	handle_events(l, &l->out);
}

/* ---- state on disk ---- */

/*
 * The pass cache, penalty box and greylist, each in its own file in
 * state_dir (cache_file.c's format).  A save never blocks the loop: it
 * is begun here, copied a few slots per turn of the loop in run(), and
 * written by the writer thread (state_saver.c); a save asked for while
 * one runs waits for the next housekeeping second.
 */
/* save_failed - counted; logged once per failure spell, not each second */
static void
save_failed(struct live *l, const char *err)
{
	l->st.state_save_errors++;
	if (!l->save_failing)
		ng_log(LOG_WARNING, "saving state: %s", err);
	l->save_failing = 1;
	l->dirty = 1;
	l->urgent = 0;
}

/* save_ok - counted, and the end of a failure spell said */
static void
save_ok(struct live *l, int entries)
{
	ng_log(LOG_DEBUG, "state saved: %d entries", entries);
	if (l->save_failing)
		ng_log(LOG_INFO, "state saved again");
	l->save_failing = 0;
	l->st.state_saves++;
}

/* start_save - begin a save unless one is under way */
static void
start_save(struct live *l, ng_usec now)
{
	int r = ng_saver_begin(l->saver, l->e, now, time(NULL));

	/*
	 * Tried now, even when one is still running (this one then
	 * coalesces into the next try): the timer is armed from here, and
	 * a time in the past would fire it again and again.
	 */
	l->last_save = now;
	if (r == 0)
		return;
	if (r < 0) {
		save_failed(l, "out of memory");
		return;
	}
	/* What changes from here on is the next save's. */
	l->dirty = l->urgent = 0;
}

/*
 * Within a second of an urgent change, else every SAVE_EVERY.  arm_timer()
 * wakes the loop for the urgent case, so on_timer() must act on it too:
 * a wake-up that does nothing would come straight back, and the loop
 * would spin until the next housekeeping second.
 */
static int
save_due(const struct live *l, ng_usec now)
{
	return (l->urgent && now >= l->last_save + SAVE_SOON) ||
	    (l->dirty && now >= l->last_save + SAVE_EVERY);
}

/* warn_state - one state file that could not be loaded */
static void
warn_state(const char *msg)
{
	ng_log(LOG_WARNING, "state: %s", msg);
}

/* The Prometheus file: formatted here, written by the thread. */
static int
prom_run(struct ng_job *j)
{
	struct prom_job *p = (struct prom_job *)j;
	int rc;

	rc = ng_stats_prom_save(p->path, p->text, p->len, j->err,
	    sizeof(j->err));
	free(p->text);
	p->text = NULL;
	return rc;
}

static void rules_result(struct live *);

/* A finished save, prom write or rules check, told by the writer's eventfd. */
static void
on_writer(struct live *l)
{
	char err[512];
	int rc;

	if (ng_saver_done(l->saver, &rc, err, sizeof(err))) {
		if (rc < 0)
			save_failed(l, err);
		else
			save_ok(l, rc);
	}
	if (ng_writer_reap(l->w, &l->prom.job) && l->prom.job.rc < 0)
		ng_log(LOG_WARNING, "writing %s", l->prom.job.err);
	if (ng_writer_reap(l->w, &l->rjob.job))
		rules_result(l);
}

/* ---- time ---- */

static void
tick(struct live *l, ng_usec now)
{
	unsigned n;

	for (n = 0; n < TICK_ROUNDS; n++) {
		int more = ng_engine_tick(l->e, now, &l->out);

		send_releases(l, &l->out);
		handle_events(l, &l->out);
		if (!more)
			break;
	}
	ng_nfq_flush(l->q);
}

/* Stress: over half the queue held or waiting; off below a quarter. */
static void
check_stress(struct live *l)
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
		    (double)l->cfg.greet_pause_stress / NG_USEC_PER_SEC);
	} else if (l->stress && load < max / 4) {
		l->stress = 0;
		ng_engine_set_stress(l->e, 0);
		ng_log(LOG_NOTICE, "stress over: greet pause %.2fs again",
		    (double)l->cfg.greet_pause / NG_USEC_PER_SEC);
	}
	if (load >= max && !l->full) {
		l->st.queue_full++;
		ng_log(LOG_WARNING, "queue %u full: the kernel lets new "
		    "packets through unjudged (fail open)", l->queue);
	}
	l->full = load >= max;
}

static void
stats_view(struct live *l, struct ng_stats_view *v)
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
}

/* Skipped while the last one is still being written (a slow disk). */
static void
write_prom(struct live *l)
{
	struct ng_stats_view v;

	if (ng_writer_busy(l->w, &l->prom.job))
		return;
	stats_view(l, &v);
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
 * A receive buffer overrun means the kernel failed packets open that the
 * gate never saw: mail went through untested.  Say so once a second at
 * most, with the count, so an admin can raise queue_rcvbuf.
 */
static void
check_overrun(struct live *l)
{
	uint64_t n = ng_nfq_counters(l->q)->enobufs;

	if (n == l->enobufs_logged)
		return;
	ng_log(LOG_WARNING, "queue %u: receive buffer overrun (ENOBUFS) x%llu: "
	    "packets failed open unseen; raise queue_rcvbuf", l->queue,
	    (unsigned long long)(n - l->enobufs_logged));
	l->enobufs_logged = n;
}

/* rules_run - in the writer thread: one look at the rules */
static int
rules_run(struct ng_job *j)
{
	struct rules_job *r = (struct rules_job *)j;

	r->lost = ng_rulecheck_watch(r->rc);
	r->missing = ng_rulecheck_missing(r->rc);
	r->found = ng_rulecheck_found(r->rc);
	return 0;
}

/* rules_result - a finished look, back in the loop */
static void
rules_result(struct live *l)
{
	if (l->rjob.lost) {
		l->st.rules_lost++;
		if (l->cfg.rules_lost_exit) {
			ng_log(LOG_ERR, "rules_lost = exit: exiting (%d)",
			    EX_RULES);
			l->stop = 3;
		}
	}
	l->st.rules_missing = l->rjob.missing;
	/* A reload may have turned the watch off meanwhile. */
	l->rules_found = l->cfg.rules_check > 0 ? l->rjob.found : 0;
}

/*
 * check_rules - are our firewall rules still there (rulecheck.c)?  The
 * first look is made here, before any packet; the later ones by the
 * writer thread, so that the loop never waits for a dump.
 */
static void
check_rules(struct live *l, ng_usec now)
{
	/*
	 * A reload may set rules_check = 0; one cannot start the watch.
	 * Unwatched, the reset rule is not relied on (send_verdict drops).
	 */
	if (l->rules == NULL || l->cfg.rules_check == 0)
		l->rules_found = 0;
	if (l->rules == NULL || l->cfg.rules_check == 0 || now < l->next_rules)
		return;
	if (ng_writer_busy(l->w, &l->rjob.job))
		return;		/* the last look is not back yet */
	l->next_rules = now + l->cfg.rules_check;
	if (l->rjob.rc == NULL) {
		l->rjob.rc = l->rules;
		l->rjob.job.run = rules_run;
		rules_run(&l->rjob.job);
		rules_result(l);
	} else if (ng_writer_submit(l->w, &l->rjob.job) < 0)
		l->next_rules = now;	/* queue full: at the next turn */
}

/*
 * check_greylist_full - one line when a flood fills the greylist with
 * live first tries (new senders then get the greeting test instead),
 * one when it has admitted every new sender for a minute again.
 */
static void
check_greylist_full(struct live *l, ng_usec now)
{
	uint64_t n = ng_engine_stats(l->e)->greylist_full;

	if (n != l->grey_full_seen) {
		if (l->grey_full_last == 0)
			ng_log(LOG_WARNING, "greylist full (cache_max %u, no "
			    "entry expired): new senders get the greeting "
			    "test instead", l->cfg.cache_max);
		l->grey_full_seen = n;
		l->grey_full_last = now;
	} else if (l->grey_full_last != 0 &&
	    now >= l->grey_full_last + NG_SEC(60)) {
		ng_log(LOG_INFO, "greylist admits new senders again "
		    "(greylist_full=%llu)", (unsigned long long)n);
		l->grey_full_last = 0;
	}
}

static void
housekeeping(struct live *l, ng_usec now)
{
	check_overrun(l);
	check_greylist_full(l, now);
	log_budget_reset(l);
	l->nft_logged = 0;
	if (l->nft != NULL)
		ng_nftset_expire(l->nft, now, nft_failed, l);
	l->have_ks = ng_nfq_read_kstats(l->queue, &l->ks) == 0;
	check_stress(l);
	check_rules(l, now);
	if (save_due(l, now))
		start_save(l, now);
	if (l->cfg.stats_interval > 0 && now >= l->next_stats) {
		write_prom(l);
		l->next_stats = now + l->cfg.stats_interval;
	}
	l->next_house = now + HOUSEKEEPING;
}

static void
arm_timer(struct live *l)
{
	ng_usec when = ng_engine_next_timer(l->e);
	struct itimerspec its;

	if (l->next_house < when)
		when = l->next_house;
	if (l->urgent && l->last_save + SAVE_SOON < when)
		when = l->last_save + SAVE_SOON;
	if (when == l->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (when == 0)
		when = 1;	/* 0 would disarm the timer */
	its.it_value.tv_sec = (time_t)(when / NG_USEC_PER_SEC);
	its.it_value.tv_nsec = (long)(when % NG_USEC_PER_SEC) * 1000;
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed = when;
}

static void
on_timer(struct live *l)
{
	uint64_t expirations;
	ng_usec now = ng_clock_now();

	if (read(l->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		ng_log(LOG_WARNING, "timerfd: %s", strerror(errno));
	l->armed = 0;
	tick(l, now);
	if (now >= l->next_house)
		housekeeping(l, now);
	else if (save_due(l, now))
		start_save(l, now);
}

/* ---- configuration ---- */

static int
open_db(const struct ng_config *c, struct ng_netdb **db, char *err,
    size_t errlen)
{
	*db = NULL;
	if (c->database[0] == '\0')
		return 0;
	*db = ng_netdb_open(c->database, err, errlen);
	return *db == NULL ? -1 : 0;
}

static void
use_db(struct live *l, struct ng_netdb *db)
{
	struct ng_geo geo;

	if (db == NULL) {
		ng_engine_set_geo(l->e, NULL);
		return;
	}
	geo.lookup = ng_netdb_geo;
	geo.ctx = db;
	ng_engine_set_geo(l->e, &geo);
}

/* The parser's doubts (config.h warnings), one log line each. */
static void
log_warnings(const struct ng_config *c)
{
	const char *w = c->warnings, *nl;

	for (; (nl = strchr(w, '\n')) != NULL; w = nl + 1)
		ng_log(LOG_WARNING, "configuration: %.*s", (int)(nl - w), w);
}

/*
 * SIGHUP: build the new config and open the new database completely
 * before touching the ones in force; any failure keeps the old ones.
 */
static void
reload(struct live *l)
{
	struct ng_config c;
	struct ng_netdb *db;
	char err[1024];

	ng_config_defaults(&c);
	if (ng_config_load(&c, l->conf_path, err, sizeof(err)) < 0 ||
	    open_db(&c, &db, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "reload failed, old configuration kept: %s",
		    err);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	if (ng_engine_set_config(l->e, &c) < 0) {
		ng_log(LOG_ERR, "reload failed, old configuration kept: "
		    "out of memory");
		ng_netdb_close(db);
		ng_config_free(&c);
		l->st.reload_errors++;
		return;
	}
	use_db(l, db);
	ng_netdb_close(l->db);
	l->db = db;
	log_warnings(&c);
	if (ng_config_restart_keys(&l->cfg, &c, err, sizeof(err)) > 0)
		ng_log(LOG_WARNING, "reload: %s changed: kept the running "
		    "values, restart the gate to apply", err);
	ng_config_keep_restart(&c, &l->cfg);
	if (c.queue_maxlen != l->cfg.queue_maxlen &&
	    ng_nfq_set_maxlen(l->q, c.queue_maxlen) < 0)
		ng_log(LOG_WARNING, "reload: queue_maxlen: %s",
		    strerror(errno));
	ng_config_free(&l->cfg);
	l->cfg = c;
	l->st.reloads++;
	ng_log(LOG_INFO, "reloaded %s%s%s", l->conf_path,
	    db ? ", database " : "", db ? c.database : "");
}

/* ---- signals ---- */

static int
on_signal(struct live *l)
{
	struct signalfd_siginfo si;
	struct ng_stats_view v;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(l);
			break;
		case SIGUSR1:
			l->have_ks = ng_nfq_read_kstats(l->queue,
			    &l->ks) == 0;
			stats_view(l, &v);
			ng_stats_log(&v);
			break;
		default:
			ng_log(LOG_INFO, "signal %d: stopping", si.ssi_signo);
			l->stop = 1;
			break;
		}
	}
	return 0;
}

/* ---- start and stop ---- */

static int
parse_args(struct live *l, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "queue", required_argument, NULL, 'q' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "no-syslog", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	unsigned long n;
	int ch;

	l->conf_path = DEFAULT_CONF;
	l->use_syslog = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:q:fdh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			l->conf_path = optarg;
			break;
		case 'q':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || n > 65535) {
				fprintf(stderr, "nfq-gate: bad queue number "
				    "\"%s\" (0-65535)\n", optarg);
				return -1;
			}
			l->queue = (unsigned)n;
			break;
		case 'f':
			l->foreground = 1;
			break;
		case 'd':
			l->debug = 1;
			break;
		case 'S':
			l->use_syslog = 0;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (optind != argc) {
		usage();
		return -1;
	}
	return 0;
}

/*
 * stderr gets the log lines in the foreground, on a terminal, or when it
 * goes to a file or pipe; not when it is systemd's journal, which
 * already has the syslog copy.
 */
static int
want_stderr(const struct live *l)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (l->foreground || isatty(2) || !l->use_syslog)
		return 1;
	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(2, &st) < 0)
		return 1;
	return !((unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino);
}

/* The acks of nft penalty updates come in through the event loop. */
static int
watch_nft(struct live *l)
{
	struct epoll_event ev;

	if (l->nft == NULL)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = ng_nftset_fd(l->nft);
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
}

static int
open_events(struct live *l)
{
	struct epoll_event ev;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->sigfd < 0 || l->timerfd < 0 || l->epfd < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = ng_nfq_fd(l->q);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return -1;
	ev.data.fd = l->sigfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return -1;
	if (l->psvc != NULL) {
		ev.data.fd = ng_psvc_sock_listen_fd(l->psvc);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -1;
	}
	if (watch_nft(l) < 0)
		return -1;
	ev.data.fd = l->timerfd;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
}

static int
start_engine(struct live *l)
{
	char err[1024];

	ng_config_defaults(&l->cfg);
	if (ng_config_load(&l->cfg, l->conf_path, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "configuration: %s", err);
		return EX_CONFIG;
	}
	log_warnings(&l->cfg);
	/*
	 * Not the config's fault: a fetch may be replacing the file, and a
	 * restart a moment later finds it (78 would never be restarted).
	 */
	if (open_db(&l->cfg, &l->db, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "database: %s", err);
		return EX_UNAVAILABLE;
	}
	if (l->db == NULL && l->cfg.ncountry > 0)
		ng_log(LOG_WARNING, "country rules but no database: every "
		    "client's country is unknown");
	if (ng_hash_key_draw(&l->cfg) < 0) {
		ng_log(LOG_ERR, "getrandom: %s", strerror(errno));
		return EX_OSERR;
	}
	l->e = ng_engine_new(&l->cfg);
	if (l->e == NULL) {
		ng_log(LOG_ERR, "out of memory making the engine");
		return EX_OSERR;
	}
	use_db(l, l->db);
	return 0;
}

static int
start_nft(struct live *l)
{
	char err[512];

	if (l->cfg.nft_penalty_table[0] == '\0')
		return 0;
	l->nft = ng_nftset_open(l->cfg.nft_penalty_table,
	    l->cfg.nft_penalty_set4, l->cfg.nft_penalty_set6, err,
	    sizeof(err));
	if (l->nft == NULL) {
		ng_log(LOG_ERR, "nft_penalty_set: %s", err);
		return EX_UNAVAILABLE;	/* netlink, not the config */
	}
	return 0;
}


/*
 * The policy socket is made before the privilege drop, in a directory
 * Postfix's smtpd can reach, and given to the owner smtpd connects as.
 * The gate keeps the listening descriptor after the drop.
 */
static int
start_psvc(struct live *l)
{
	char owner[64], err[512], *group;
	uid_t uid;
	gid_t gid;
	int r;

	if (l->cfg.policy_socket[0] == '\0')
		return 0;
	snprintf(owner, sizeof(owner), "%s", l->cfg.policy_socket_owner);
	if ((group = strchr(owner, ':')) != NULL)
		*group++ = '\0';
	r = ng_privs_lookup(owner, &uid, &gid, err, sizeof(err));
	if (r == 0 && group != NULL)
		r = ng_privs_lookup_group(group, &gid, err, sizeof(err));
	if (r < 0) {
		ng_log(LOG_ERR, "policy_socket_owner: %s", err);
		return EX_CONFIG;
	}
	/*
	 * Started without root (systemd's DynamicUser with an ambient
	 * CAP_NET_ADMIN): only the group can change, and only to one the
	 * gate is in (SupplementaryGroups=postfix in the unit).
	 */
	if (geteuid() != 0)
		uid = (uid_t)-1;
	l->psvc = ng_psvc_sock_open(l->cfg.policy_socket, uid, gid,
	    l->cfg.policy_socket_mode, err, sizeof(err));
	if (l->psvc == NULL) {
		ng_log(LOG_ERR, "policy_socket: %s", err);
		return EX_CANTCREAT;
	}
	ng_log(LOG_INFO, "policy service on %s (%s%s, mode %04o)",
	    l->cfg.policy_socket, uid == (uid_t)-1 ? "group of " : "owner ",
	    l->cfg.policy_socket_owner, l->cfg.policy_socket_mode);
	return 0;
}

/* Last step of setup: from here on only the event loop's calls. */
static int
start_sandbox(struct live *l)
{
	char err[512];
	int n;

	if (!l->cfg.sandbox) {
		ng_log(LOG_INFO, "seccomp: off (sandbox = no)");
		return 0;
	}
	n = ng_sandbox_enter(err, sizeof(err));
	if (n < 0) {
		/*
		 * An outer filter (a unit without SystemCallFilter=seccomp)
		 * may forbid adding ours.  Refusing to run would let mail
		 * through untested; run, and say so loudly.
		 */
		ng_log(LOG_WARNING, "seccomp: %s; running without the "
		    "filter", err);
		return 0;
	}
	ng_log(LOG_INFO, "seccomp: %d syscalls allowed", n);
	return 0;
}

/*
 * The writer thread, after the privilege drop (it inherits the user
 * and capabilities) and before the seccomp filter (it needs clone).
 */
static int
start_writer(struct live *l)
{
	struct epoll_event ev;
	char err[256];

	l->prom.job.run = prom_run;
	/* prom_file and state_dir are start-only: fixed from here on. */
	if (l->cfg.prom_file[0] != '\0')
		snprintf(l->prom.path, sizeof(l->prom.path), "%s",
		    l->cfg.prom_file);
	else
		snprintf(l->prom.path, sizeof(l->prom.path),
		    "%s/nfq-gate.prom", l->cfg.state_dir);
	l->w = ng_writer_start(err, sizeof(err));
	if (l->w == NULL) {
		ng_log(LOG_ERR, "%s", err);
		return EX_OSERR;
	}
	l->saver = ng_saver_new(l->w, l->cfg.state_dir);
	if (l->saver == NULL) {
		ng_log(LOG_ERR, "out of memory");
		return EX_OSERR;
	}
	if (ng_saver_reserve(l->saver, l->cfg.cache_max) < 0)
		ng_log(LOG_WARNING, "no room for state saves in advance: "
		    "they will allocate as they go");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = ng_writer_fd(l->w);
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		ng_log(LOG_ERR, "event loop: %s", strerror(errno));
		return EX_OSERR;
	}
	return 0;
}

/* Socket and files while root, then the user; see privs.c. */
static int
start_io(struct live *l)
{
	struct ng_nfq_params p;
	char err[512];
	uid_t uid;
	gid_t gid;
	int r;

	/* Not root, the gate stays whoever started it (systemd's user). */
	if (geteuid() != 0)
		uid = geteuid(), gid = getegid();
	else if (ng_privs_lookup(l->cfg.user, &uid, &gid, err,
	    sizeof(err)) < 0) {
		ng_log(LOG_ERR, "user: %s", err);
		return EX_CONFIG;
	}
	/* A directory there that must not be used is the config's fault
	 * (78, not restarted); one that cannot be made may come back. */
	if ((r = ng_privs_prepare_dir(l->cfg.state_dir, uid, gid, err,
	    sizeof(err))) < 0) {
		ng_log(LOG_ERR, "state_dir: %s", err);
		return r == NG_PRIVS_BADDIR ? EX_CONFIG : EX_CANTCREAT;
	}
	r = ng_saver_load(l->e, l->cfg.state_dir, ng_clock_now(), time(NULL),
	    warn_state);
	if (r > 0)
		ng_log(LOG_INFO, "state: %d entries loaded from %s", r,
		    l->cfg.state_dir);
	memset(&p, 0, sizeof(p));
	p.queue = l->queue;
	p.maxlen = l->cfg.queue_maxlen;
	p.copy_range = COPY_RANGE;
	/* Room for every queued packet's message, within reason. */
	p.rcvbuf = l->cfg.queue_maxlen > 65536 ? 64 << 20 :
	    (int)l->cfg.queue_maxlen * 1024;
	if (p.rcvbuf < (1 << 20))
		p.rcvbuf = 1 << 20;
	if (l->cfg.queue_rcvbuf > 0)
		p.rcvbuf = (int)l->cfg.queue_rcvbuf;
	l->q = ng_nfq_open(&p, err, sizeof(err));
	if (l->q == NULL) {
		ng_log(LOG_ERR, "queue %u: %s", l->queue, err);
		return EX_OSERR;
	}
	if ((r = start_nft(l)) != 0 || (r = start_psvc(l)) != 0)
		return r;
	if (l->cfg.rules_check > 0 && (l->rules = ng_rulecheck_open(
	    (uint16_t)l->queue, err, sizeof(err))) == NULL)
		ng_log(LOG_WARNING, "rules check: %s: not watching the rules",
		    err);
	if (geteuid() == 0 && ng_privs_drop(uid, gid, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "dropping privileges: %s", err);
		return EX_OSERR;
	}
	if (open_events(l) < 0) {
		ng_log(LOG_ERR, "event loop: %s", strerror(errno));
		return EX_OSERR;
	}
	if ((r = start_writer(l)) != 0)
		return r;
	return start_sandbox(l);
}

/* stop_left - cap, or less when the shutdown's deadline is nearer */
static ng_usec
stop_left(const struct live *l, ng_usec cap)
{
	ng_usec now = ng_clock_now();

	if (l->stop_by == 0 || now + cap <= l->stop_by)
		return cap;
	return now < l->stop_by ? l->stop_by - now : 0;
}

/*
 * The last save, waited for: bounded, so a hung disk cannot hang a
 * stop.  0 when it was written.
 */
static int
final_save(struct live *l)
{
	char err[512];
	int rc;

	rc = ng_saver_final(l->saver, l->e, ng_clock_now(), time(NULL),
	    stop_left(l, SAVE_FINAL_WAIT), err, sizeof(err));
	if (rc < 0) {
		l->save_failing = 0;	/* the last word: always logged */
		save_failed(l, err);
		return -1;
	}
	save_ok(l, rc);
	return 0;
}

static void
shutdown_gate(struct live *l)
{
	unsigned n;
	int more = 1;

	/* Everything held goes through: nobody's mail is lost to a stop. */
	for (n = 0; n < TICK_ROUNDS && more; n++) {
		more = ng_engine_release_all(l->e, &l->out);
		send_releases(l, &l->out);
		handle_events(l, &l->out);
	}
	/*
	 * Unbound now, not after the save: with --queue-bypass the kernel
	 * lets traffic through while the disk takes its time.
	 */
	l->nfq_last = *ng_nfq_counters(l->q);
	ng_nfq_close(l->q);
	l->q = NULL;
	l->stop_by = ng_clock_now() + SHUTDOWN_WAIT;
	if (l->nft != NULL)	/* what is queued goes out, unwaited for */
		ng_nftset_send(l->nft, ng_clock_now(), nft_failed, l);
	/* A disk that did not take the save will not take the prom file. */
	if (final_save(l) == 0 && l->cfg.stats_interval > 0 &&
	    ng_writer_wait(l->w, &l->prom.job,
	    stop_left(l, PROM_FINAL_WAIT)) == 0) {
		ng_writer_reap(l->w, &l->prom.job);
		write_prom(l);
		if (ng_writer_wait(l->w, &l->prom.job,
		    stop_left(l, PROM_FINAL_WAIT)) == 0)
			on_writer(l);
	}
}

/* The policy service's view of one client_address (psvc_sock.h). */
static int
policy_facts(const char *addr, struct ng_psvc_facts *f, void *arg)
{
	struct live *l = arg;
	struct ng_addr a;

	if (ng_addr_parse(&a, addr) != 0)
		return -1;
	ng_engine_facts(l->e, &a, ng_clock_now(), f);
	l->st.policy_queries++;
	ng_log(LOG_DEBUG, "policy query [%s]: country=%s pass=%s grey=%s "
	    "pregreet=%u", addr, f->country, f->pass, f->grey, f->pregreet);
	return 0;
}

static void
on_policy(struct live *l, int fd)
{
	struct ng_psvc_rules rules;

	if (l->psvc == NULL)
		return;
	rules.action = l->cfg.policy_action;
	rules.action_penalty = l->cfg.policy_action_penalty;
	ng_psvc_sock_event(l->psvc, l->epfd, fd, &rules, policy_facts, l);
}

static void
run(struct live *l)
{
	struct epoll_event evs[16];
	int i, n, fd;

	/* The first look at the rules before the first packet: a reset is
	 * re-injected only once the reset rule is known to be there. */
	check_rules(l, ng_clock_now());
	while (!l->stop) {
		arm_timer(l);
		/* A save being copied: look, then copy a step. */
		n = epoll_wait(l->epfd, evs, 16,
		    ng_saver_copying(l->saver) ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ng_log(LOG_ERR, "epoll: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == l->sigfd)
				on_signal(l);
			else if (fd == l->timerfd)
				on_timer(l);
			else if (fd == ng_writer_fd(l->w))
				on_writer(l);
			else if (l->nft != NULL && fd == ng_nftset_fd(l->nft))
				ng_nftset_receive(l->nft, ng_clock_now(),
				    nft_failed, l);
			else if (fd != ng_nfq_fd(l->q))
				on_policy(l, fd);	/* the only other fds */
			else if (ng_nfq_receive(l->q, on_packet, l) < 0) {
				ng_log(LOG_ERR, "queue %u: receive: %s",
				    l->queue, strerror(errno));
				l->stop = 2;
			} else
				check_stress(l);
		}
		if (l->nft != NULL)
			ng_nftset_send(l->nft, ng_clock_now(), nft_failed, l);
		ng_saver_step(l->saver, l->e, SAVE_STEP_SLOTS);
	}
}

/*
 * cleanup - close and free everything; -1 when the writer thread did not
 * stop (a hung disk): it may still use l->prom, so l must not be freed.
 */
static int
cleanup(struct live *l)
{
	int stopped;

	if (l->epfd >= 0)
		close(l->epfd);
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	/* A thread stuck on a hung disk keeps its memory till exit. */
	stopped = ng_writer_stop(l->w, stop_left(l, STOP_WAIT)) == 0;
	if (stopped) {
		ng_saver_free(l->saver);
		free(l->prom.text);
		ng_rulecheck_close(l->rules);	/* a look may be running */
	}
	ng_nfq_close(l->q);
	ng_nftset_close(l->nft);
	ng_psvc_sock_close(l->psvc);
	ng_engine_free(l->e);
	ng_netdb_close(l->db);
	ng_config_free(&l->cfg);	/* the jobs hold copies of paths */
	ng_log_close();
	return stopped ? 0 : -1;
}

int
ng_live_main(int argc, char **argv)
{
	struct live *l = calloc(1, sizeof(*l));
	int r;

	if (l == NULL)
		return EX_OSERR;
	l->epfd = l->sigfd = l->timerfd = -1;
	if (parse_args(l, argc, argv) < 0) {
		free(l);
		return EX_USAGE;
	}
	ng_log_open(l->use_syslog, want_stderr(l), l->debug);
	r = start_engine(l);
	if (r == 0)
		r = start_io(l);
	if (r != 0) {
		if (cleanup(l) == 0)
			free(l);
		return r;
	}
	l->start = l->last_save = ng_clock_now();
	l->next_house = l->start + HOUSEKEEPING;
	l->next_stats = l->start + l->cfg.stats_interval;
	l->next_rules = l->start;
	ng_log(LOG_INFO, "starting on queue %u: greet pause %.2fs (%.2fs "
	    "under stress), queue_maxlen %u, database %s, state in %s, "
	    "connmark via %s", l->queue,
	    (double)l->cfg.greet_pause / NG_USEC_PER_SEC,
	    (double)l->cfg.greet_pause_stress / NG_USEC_PER_SEC,
	    l->cfg.queue_maxlen, l->db ? l->cfg.database : "none",
	    l->cfg.state_dir, ng_nfq_ct_glue(l->q) ? "verdict" : "ctnetlink");
	run(l);
	shutdown_gate(l);
	r = l->stop == 2 ? EX_OSERR : l->stop == 3 ? EX_RULES : 0;
	ng_log(LOG_INFO, "stopped");
	if (cleanup(l) == 0)	/* else left to exit: the thread uses it */
		free(l);
	return r;
}
