/*
 * live_setup.c - the live gate's start-up: options, the engine and its
 * database, the state_dir lock, the queue, nft, the policy and control
 * sockets and the rules watch opened while root, then the privilege drop, the event loop's descriptors, the
 * writer thread and the seccomp filter, in that order.
 *
 * Apart from the loop because it runs once and its order is the point:
 * each step needs what the one before it made, and some must come
 * before the drop or the filter.  Each failure maps to the exit code
 * that tells systemd whether a restart can help (live_impl.h).
 */
#include <errno.h>
#include <getopt.h>
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

#include "base/hashkey.h"
#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/ctl_sock.h"
#include "daemon/live_impl.h"
#include "daemon/privs.h"
#include "daemon/psvc_sock.h"
#include "daemon/rulecheck.h"
#include "daemon/sandbox.h"
#include "daemon/state_saver.h"

#define COPY_RANGE	256	/* headers + the first payload bytes */

/* usage - the synopsis, on stderr. */
static void
usage(void)
{
	fprintf(stderr, "usage: nfq-gate [-c CONF] -q NUM [-f] [-d] "
	    "[--no-syslog]\n");
}

/* live_parse_args - the command line into l; -1 when it is wrong. */
int
live_parse_args(struct live *l, int argc, char **argv)
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

	l->conf_path = NG_CONFIG_PATH;
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
 * live_want_stderr - 1 when stderr gets the log lines too: in the
 * foreground, on a terminal, or when it goes to a file or pipe; not when
 * it is systemd's journal, which already has the syslog copy.
 */
int
live_want_stderr(const struct live *l)
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

/* watch_nft - the acks of nft penalty updates into the event loop. */
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

/*
 * open_events - the signals blocked and read from a signalfd, the
 * timerfd, and the epoll set with every descriptor the loop watches.
 */
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
	if (l->ctl != NULL) {
		ev.data.fd = ng_ctl_sock_listen_fd(l->ctl);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -1;
	}
	if (watch_nft(l) < 0)
		return -1;
	if (l->cte != NULL) {
		ev.data.fd = ng_ct_events_fd(l->cte);
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -1;
	}
	ev.data.fd = l->timerfd;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
}

/*
 * live_start_engine - the configuration, the database, the hash key and
 * the engine; the exit code on failure.
 */
int
live_start_engine(struct live *l)
{
	struct ng_netdb_view v;
	char err[1024];

	ng_config_defaults(&l->cfg);
	if (ng_config_load(&l->cfg, l->conf_path, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "configuration: %s", err);
		return EX_CONFIG;
	}
	live_share_settings(&l->cfg);
	live_log_warnings(&l->cfg);
	/*
	 * Not the config's fault: a fetch may be replacing the file, and a
	 * restart a moment later finds it (78 would never be restarted).
	 */
	if (live_open_db(&l->cfg, &l->db, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "database: %s", err);
		return EX_UNAVAILABLE;
	}
	if (l->db == NULL && l->cfg.eng.ncountry > 0)
		ng_log(LOG_WARNING, "country rules but no database: every "
		    "client's country is unknown");
	if (l->db == NULL && l->cfg.eng.nnet_rule > 0)
		ng_log(LOG_WARNING, "asn or owner rules but no database: "
		    "none of them can match");
	if (live_new_view(&l->cfg, l->db, &v, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "database: %s", err);
		return EX_OSERR;
	}
	if (ng_hash_key_draw(l->cfg.eng.hash_key) < 0) {
		ng_netdb_view_free(&v);
		ng_log(LOG_ERR, "getrandom: %s", strerror(errno));
		return EX_OSERR;
	}
	l->e = ng_engine_new(&l->cfg.eng);
	if (l->e == NULL) {
		ng_netdb_view_free(&v);
		ng_log(LOG_ERR, "out of memory making the engine");
		return EX_OSERR;
	}
	live_use_db(l, l->db, &v);
	if (live_load_fp(l, &l->cfg) < 0)
		return EX_CONFIG;
	return 0;
}

/* start_nft - the nft penalty set, when the config names one. */
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
 * start_psvc - the policy socket, made before the privilege drop, in a
 * directory Postfix's smtpd can reach, and given to the owner smtpd connects
 * as. The gate keeps the listening descriptor after the drop.
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

/*
 * start_sandbox - the seccomp filter, the last step of setup: from here
 * on only the event loop's calls.
 */
static int
start_sandbox(struct live *l)
{
	char err[512];
	int n;

	l->tcp_ok = 1;
	if (!l->cfg.sandbox) {
		ng_log(LOG_INFO, "seccomp: off (sandbox = no)");
		return 0;
	}
	/* TCP to Redis: allowed while a redis_url is set at start. */
	n = ng_sandbox_enter_tcp(l->cfg.redis_url[0] != '\0', err,
	    sizeof(err));
	l->tcp_ok = l->cfg.redis_url[0] != '\0' || n < 0;
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
 * start_writer - the writer thread and the state saver, after the privilege
 * drop (it inherits the user and capabilities) and before the seccomp filter
 * (it needs clone).
 */
static int
start_writer(struct live *l)
{
	struct epoll_event ev;
	char err[256];

	l->prom.job.run = live_prom_run;
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
	if (ng_saver_reserve(l->saver, l->cfg.eng.cache_max) < 0)
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

/*
 * live_ct_events_update - in conntrack's event groups while a throttle
 * limit is set (at start and after each reload), out of them otherwise:
 * the ends of offloaded connections, which the engine no longer sees.
 * Without them a counted connection stops counting after an hour
 * (fail open).
 */
void
live_ct_events_update(struct live *l)
{
	int on = ng_engine_throttling(l->e);
	char err[256];

	if (on == l->cte_on)
		return;
	if (l->cte == NULL || ng_ct_events_listen(l->cte, on, err,
	    sizeof(err)) < 0) {
		if (on)
			ng_log(LOG_WARNING, "throttle: %s: the ends of passed "
			    "connections are not seen; each counts for at "
			    "most an hour", l->cte == NULL ?
			    "no conntrack event socket" : err);
		return;
	}
	l->cte_on = on;
}

/*
 * start_ct_events - the conntrack event socket, made while root (its
 * groups need CAP_NET_ADMIN, which the unit keeps for reloads), and
 * into its groups if a throttle limit is set.
 */
static void
start_ct_events(struct live *l)
{
	char err[256];

	l->cte = ng_ct_events_open(err, sizeof(err));
	if (l->cte == NULL && ng_engine_throttling(l->e))
		ng_log(LOG_WARNING, "throttle: %s", err);
	live_ct_events_update(l);
}

/* live_start_io - socket and files while root, then the user (privs.c). */
int
live_start_io(struct live *l)
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
	if ((r = live_lock_state(l, uid, gid)) != 0)
		return r;
	r = ng_saver_load(l->e, l->cfg.state_dir, ng_clock_now(), time(NULL),
	    live_warn_state);
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
	if ((r = start_nft(l)) != 0 || (r = start_psvc(l)) != 0 ||
	    (r = live_start_ctl(l)) != 0)
		return r;
	start_ct_events(l);
	if ((r = live_start_dns(l)) != 0)	/* its sockets: before the sandbox */
		return r;
	if (l->cfg.rules_check > 0 && (l->rules = ng_rulecheck_open(
	    (uint16_t)l->queue, err, sizeof(err))) == NULL)
		ng_log(LOG_WARNING, "rules check: %s: not watching the rules",
		    err);
	if (geteuid() == 0 && ng_privs_drop(uid, gid, err, sizeof(err)) < 0) {
		ng_log(LOG_ERR, "dropping privileges: %s", err);
		return EX_OSERR;
	}
	if (open_events(l) < 0 || live_dns_watch(l) < 0) {
		ng_log(LOG_ERR, "event loop: %s", strerror(errno));
		return EX_OSERR;
	}
	if ((r = start_writer(l)) != 0)
		return r;
	live_start_share(l);	/* connects from the loop, fails open */
	return start_sandbox(l);
}
