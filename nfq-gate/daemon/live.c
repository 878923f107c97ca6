/*
 * live.c - nfq-gate -q NUM: the live gate on an NFQUEUE queue.
 *
 * Glue and an event loop, nothing more: the engine decides, nfq.c talks
 * to the kernel, the live gate turns the engine's verdicts into netlink
 * verdicts (offload = set the pass connmark, reset = set the reset
 * packet mark and NF_REPEAT so the REJECT rule answers with a TCP RST,
 * drop = NF_DROP), logs the engine's events, and keeps state on disk.
 * It keeps no packets of its own: a held greeting is only an id the
 * engine hands back later.
 *
 * One thread, one epoll: the netlink socket, a timerfd armed to the
 * engine's next deadline (or the next housekeeping second, or the
 * Redis link's next deadline), the Redis link's sockets, and a
 * signalfd for SIGHUP (reload), SIGUSR1 (log counters), SIGTERM and
 * SIGINT (release everything held, save, exit 0).  The engine's clock is
 * CLOCK_MONOTONIC, so a wall-clock step never releases a greeting early
 * or expires a cache entry.
 *
 * This file holds the loop, the timer, the signals, the stop and
 * ng_live_main(); the rest of the gate is in the live_*.c files, one
 * job each, sharing struct live through live_impl.h:
 *
 *	live_setup.c	options, start-up, the privilege drop, seccomp
 *	live_reload.c	the configuration and database (start, SIGHUP)
 *	live_verdict.c	a queued packet in, its verdict out
 *	live_events.c	the engine's events: logged, counted, acted on
 *	live_state.c	the state files on disk
 *	live_stats.c	counters, stress and the Prometheus file
 *	live_rules.c	the watch on our firewall rules
 *	live_ctl.c	nfq-gate-ctl's control socket
 *	live_share.c	the shared state on Redis (share.c)
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/ct_events.h"
#include "daemon/ctl_sock.h"
#include "daemon/live.h"
#include "daemon/live_impl.h"
#include "daemon/psvc.h"
#include "daemon/psvc_sock.h"
#include "daemon/rulecheck.h"
#include "daemon/share.h"
#include "daemon/state_saver.h"

#define HOUSEKEEPING	NG_SEC(1)
#define TICK_ROUNDS	10000		/* bound on one burst of releases */
#define SAVE_STEP_SLOTS	2048		/* table slots copied between polls */
/*
 * The whole stop, after the releases, within SHUTDOWN_WAIT, below the
 * unit's TimeoutStopSec=20s: systemd's SIGKILL would lose the save.
 */
#define SHUTDOWN_WAIT	NG_SEC(12)
#define PROM_FINAL_WAIT	NG_SEC(1)	/* the prom file is not worth more */
#define STOP_WAIT	NG_SEC(1)	/* the writer thread, idle by then */

/*
 * on_writer - reap what the writer thread finished (a save, the prom
 * file, a rules check), told by its eventfd.
 */
static void
on_writer(struct live *l)
{
	char err[512];
	int rc;

	if (ng_saver_done(l->saver, &rc, err, sizeof(err))) {
		if (rc < 0)
			live_save_failed(l, err);
		else
			live_save_ok(l, rc);
	}
	if (ng_writer_reap(l->w, &l->prom.job) && l->prom.job.rc < 0)
		ng_log(LOG_WARNING, "writing %s", l->prom.job.err);
	if (ng_writer_reap(l->w, &l->rjob.job))
		live_rules_result(l);
}

/* tick - the engine's timers due by now: releases and their events. */
static void
tick(struct live *l, ng_usec now)
{
	unsigned n;

	for (n = 0; n < TICK_ROUNDS; n++) {
		int more = ng_engine_tick(l->e, now, &l->out);

		live_send_releases(l, &l->out);
		live_handle_events(l, &l->out);
		if (!more)
			break;
	}
	ng_nfq_flush(l->q);
}

/*
 * housekeeping - the once-a-second chores: words on overruns and a full
 * greylist, the kernel's queue counters, stress, the rules, the state
 * save and the prom file.
 */
static void
housekeeping(struct live *l, ng_usec now)
{
	live_check_overrun(l);
	live_check_greylist_full(l, now);
	live_log_budget_reset(l);
	l->nft_logged = 0;
	if (l->nft != NULL)
		ng_nftset_expire(l->nft, now, live_nft_failed, l);
	l->have_ks = ng_nfq_read_kstats(l->queue, &l->ks) == 0;
	ng_nfq_ct_drain(l->q);
	live_check_stress(l);
	live_check_rules(l, now);
	live_ctl_expire(l, now);
	if (live_save_due(l, now))
		live_start_save(l, now);
	if (l->cfg.stats_interval > 0 && now >= l->next_stats) {
		live_write_prom(l);
		l->next_stats = now + l->cfg.stats_interval;
	}
	l->next_house = now + HOUSEKEEPING;
}

/*
 * arm_timer - the timerfd to the engine's next deadline, the next
 * housekeeping second, an urgent save or the shared state's next
 * deadline, whichever comes first.
 */
static void
arm_timer(struct live *l)
{
	ng_usec when = ng_engine_next_timer(l->e);
	struct itimerspec its;

	if (l->next_house < when)
		when = l->next_house;
	if (l->share != NULL && ng_share_next(l->share) < when)
		when = ng_share_next(l->share);
	if (l->ldns != NULL && live_dns_next(l) < when)
		when = live_dns_next(l);
	if (l->urgent && l->last_save + SAVE_SOON < when)
		when = l->last_save + SAVE_SOON;
	if (when == 0)
		when = 1;	/* 0 would disarm it, and means "not armed" */
	if (when == l->armed)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(when / NG_USEC_PER_SEC);
	its.it_value.tv_nsec = (long)(when % NG_USEC_PER_SEC) * 1000;
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed = when;
}

/* on_timer - the timerfd fired: the engine's timers, then the chores. */
static void
on_timer(struct live *l)
{
	uint64_t expirations;
	ng_usec now = ng_clock_now();

	if (read(l->timerfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		ng_log(LOG_WARNING, "timerfd: %s", strerror(errno));
	l->armed = 0;
	live_dns_tick(l, now);	/* answers first: the pause's end reads them */
	tick(l, now);
	if (l->share != NULL)
		ng_share_tick(l->share, now);
	if (now >= l->next_house)
		housekeeping(l, now);
	else if (live_save_due(l, now))
		live_start_save(l, now);
}

/*
 * on_signal - SIGHUP reloads, SIGUSR1 logs the counters, SIGTERM and
 * SIGINT stop the loop.
 */
static int
on_signal(struct live *l)
{
	struct signalfd_siginfo si;
	struct ng_stats_view v;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			live_reload(l);
			break;
		case SIGUSR1:
			l->have_ks = ng_nfq_read_kstats(l->queue,
			    &l->ks) == 0;
			ng_nfq_ct_drain(l->q);
			live_stats_view(l, &v);
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

/* live_stop_left - cap, or less when the shutdown's deadline is nearer */
ng_usec
live_stop_left(const struct live *l, ng_usec cap)
{
	ng_usec now = ng_clock_now();

	if (l->stop_by == 0 || now + cap <= l->stop_by)
		return cap;
	return now < l->stop_by ? l->stop_by - now : 0;
}

/*
 * shutdown_gate - release everything held, unbind the queue, then the
 * last save and prom file, all within SHUTDOWN_WAIT.
 */
static void
shutdown_gate(struct live *l)
{
	unsigned n;
	int more = 1;

	/* Everything held goes through: nobody's mail is lost to a stop. */
	for (n = 0; n < TICK_ROUNDS && more; n++) {
		more = ng_engine_release_all(l->e, &l->out);
		live_send_releases(l, &l->out);
		live_handle_events(l, &l->out);
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
		ng_nftset_send(l->nft, ng_clock_now(), live_nft_failed, l);
	/* A disk that did not take the save will not take the prom file. */
	if (live_final_save(l) == 0 && l->cfg.stats_interval > 0 &&
	    ng_writer_wait(l->w, &l->prom.job,
	    live_stop_left(l, PROM_FINAL_WAIT)) == 0) {
		ng_writer_reap(l->w, &l->prom.job);
		live_write_prom(l);
		if (ng_writer_wait(l->w, &l->prom.job,
		    live_stop_left(l, PROM_FINAL_WAIT)) == 0)
			on_writer(l);
	}
}

/* policy_facts - the policy service's view of one client_address. */
static int
policy_facts(const char *addr, struct ng_facts *f, void *arg)
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

/* on_policy - a policy socket is readable: accept, or read and answer. */
static void
on_policy(struct live *l, int fd)
{
	struct ng_psvc_rules rules;

	if (l->psvc == NULL)
		return;
	rules.action = l->cfg.policy_action;
	/* mode = monitor: Postfix hears the normal action only. */
	rules.action_penalty = l->cfg.eng.monitor ? NULL :
	    l->cfg.policy_action_penalty;
	ng_psvc_sock_event(l->psvc, l->epfd, fd, &rules, policy_facts, l);
}

/*
 * on_ct_end - conntrack forgot a connection: if it went to a judged
 * port, its end for the throttle (one it never counted is ignored).
 */
static void
on_ct_end(const struct ng_ct_end *ce, void *arg)
{
	struct live *l = arg;
	struct ng_flow_key k;

	if (!ng_settings_is_port(&l->cfg.eng, ce->dport))
		return;
	memset(&k, 0, sizeof(k));
	k.caddr = ce->src;
	k.saddr = ce->dst;
	k.cport = ce->sport;
	k.sport = ce->dport;
	l->st.ct_ends++;
	ng_engine_throttle_end(l->e, &k, ng_clock_now());
}

/* on_queue - the queue is readable: packets in, verdicts out. */
static void
on_queue(struct live *l)
{
	if (ng_nfq_receive(l->q, live_on_packet, l) < 0) {
		ng_log(LOG_ERR, "queue %u: receive: %s", l->queue,
		    strerror(errno));
		l->stop = 2;
	} else
		live_check_stress(l);
}

/* run - the event loop, until a signal or a fatal error sets l->stop. */
static void
run(struct live *l)
{
	struct epoll_event evs[16];
	int i, n, fd;

	/* The first look at the rules before the first packet: a reset is
	 * re-injected only once the reset rule is known to be there. */
	live_check_rules(l, ng_clock_now());
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
				    live_nft_failed, l);
			else if (fd == ng_nfq_fd(l->q))
				on_queue(l);
			else if (l->ctl != NULL && ng_ctl_sock_owns(l->ctl, fd))
				live_on_ctl(l, fd, evs[i].events);
			else if (l->cte != NULL && fd == ng_ct_events_fd(l->cte))
				ng_ct_events_read(l->cte, on_ct_end, l,
				    &l->st.ct_enobufs);
			else if (live_dns_owns(l, fd))
				live_on_dns(l, fd);
			else if (l->share != NULL && ng_share_owns(l->share, fd))
				ng_share_event(l->share, fd, evs[i].events,
				    ng_clock_now());
			else
				on_policy(l, fd);	/* the only other fds */
		}
		if (l->nft != NULL)
			ng_nftset_send(l->nft, ng_clock_now(), live_nft_failed, l);
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
	stopped = ng_writer_stop(l->w, live_stop_left(l, STOP_WAIT)) == 0;
	if (stopped) {
		ng_saver_free(l->saver);
		free(l->prom.text);
		ng_rulecheck_close(l->rules);	/* a look may be running */
	}
	ng_nfq_close(l->q);
	ng_nftset_close(l->nft);
	ng_psvc_sock_close(l->psvc);
	ng_ctl_sock_close(l->ctl);
	ng_ct_events_close(l->cte);
	ng_share_free(l->share);	/* before the engine it writes to */
	live_dns_free(l);
	live_free_fp(l);
	if (l->lock_fd >= 0)
		close(l->lock_fd);	/* the state files are free now */
	ng_engine_free(l->e);
	ng_netdb_view_free(&l->view);
	ng_netdb_close(l->db);
	ng_config_free(&l->cfg);	/* the jobs hold copies of paths */
	ng_log_close();
	return stopped ? 0 : -1;
}

/* ng_live_main - run the gate until SIGTERM; the process's exit code. */
int
ng_live_main(int argc, char **argv)
{
	struct live *l = calloc(1, sizeof(*l));
	int r;

	if (l == NULL)
		return EX_OSERR;
	l->epfd = l->sigfd = l->timerfd = l->lock_fd = -1;
	l->rules_nparams = -1;		/* no look yet */
	if (live_parse_args(l, argc, argv) < 0) {
		free(l);
		return EX_USAGE;
	}
	ng_log_open(l->use_syslog, live_want_stderr(l), l->debug);
	r = live_start_engine(l);
	if (r == 0)
		r = live_start_io(l);
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
	    (double)l->cfg.eng.greet_pause / NG_USEC_PER_SEC,
	    (double)l->cfg.eng.greet_pause_stress / NG_USEC_PER_SEC,
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
