/*
 * live_impl.h - the live gate's private header: struct live, which every
 * live_*.c file works on, and the functions one of them calls in another.
 *
 * Only the live_*.c files include it; the rest of the program sees
 * ng_live_main() in live.h.  A function here is defined in the file its
 * group below names and is static everywhere else it could be.
 */
#ifndef NG_LIVE_IMPL_H
#define NG_LIVE_IMPL_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "base/timeval.h"
#include "conf/config.h"
#include "engine/engine.h"
#include "engine/event_format.h"
#include "netdb/netdb.h"
#include "daemon/ct_events.h"
#include "daemon/nfq.h"
#include "daemon/rulecheck.h"
#include "daemon/nfq_kstats.h"
#include "daemon/share.h"
#include "daemon/nftset.h"
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

#define SAVE_EVERY	NG_SEC(10)
#define SAVE_SOON	NG_SEC(1)	/* after a PASS NEW or PREGREET */

struct ng_ctl_sock;
struct ng_dns_counters;
struct live_dns;
struct ng_psvc_sock;
struct ng_rulecheck;
struct ng_saver;
struct ng_share;

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
	int nparams;			/* what the rules' comments said */
	struct ng_rule_params params[NG_RULE_PARAMS_MAX];
};

struct live {
	const char *conf_path;
	unsigned queue;
	int foreground, debug, use_syslog;
	struct ng_config cfg;
	struct ng_engine *e;
	struct ng_netdb *db;
	struct ng_netdb_view view;	/* db and its owner pattern bits */
	struct ng_nfq *q;
	struct ng_nftset *nft;
	struct ng_rulecheck *rules;
	struct ng_nfq_counters nfq_last;	/* once the queue is closed */
	ng_usec stop_by;		/* shutdown's deadline, 0 before */
	unsigned rules_found;	/* NG_RULES_* of the last good check */
	struct ng_psvc_sock *psvc;
	struct ng_ctl_sock *ctl;	/* nfq-gate-ctl's; NULL: off */
	struct ng_share *share;		/* Redis (live_share.c); NULL: off */
	struct ng_ct_events *cte;	/* conntrack DESTROY events, for the
					 * throttle; NULL: none */
	int cte_on;			/* in its groups (a limit is set) */
	struct live_dns *ldns;		/* DNS lists (live_dns.c); NULL: off */
	struct ng_fpdb *fpdb;		/* SYN signatures (live_fp.c), or NULL */
	struct ng_share_counts redis_counts;	/* for the stats view */
	int tcp_ok;			/* no filter, or one that allows TCP */
	int lock_fd;			/* state_dir's flock, -1: none */
	time_t reload_wall;		/* the last reload (0: none yet) */
	int reload_failed;		/* ... failed, and why: */
	char reload_err[256];
	struct ng_writer *w;
	struct ng_saver *saver;
	struct prom_job prom;
	struct rules_job rjob;
	/* The last finished look's rule parameters, for status (-1: none
	 * yet); copied in the loop, so never half-written by the thread. */
	int rules_nparams;
	struct ng_rule_params rules_params[NG_RULE_PARAMS_MAX];
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

/* live.c: the loop */
ng_usec live_stop_left(const struct live *l, ng_usec cap);

/* live_setup.c: start-up */
int live_parse_args(struct live *l, int argc, char **argv);
int live_want_stderr(const struct live *l);
int live_start_engine(struct live *l);
int live_start_io(struct live *l);
void live_ct_events_update(struct live *l);

/* live_reload.c: the configuration and database, at start and SIGHUP */
int live_open_db(const struct ng_config *c, struct ng_netdb **db, char *err,
    size_t errlen);
int live_new_view(const struct ng_config *c, const struct ng_netdb *db,
    struct ng_netdb_view *v, char *err, size_t errlen);
void live_use_db(struct live *l, struct ng_netdb *db,
    struct ng_netdb_view *v);
void live_log_warnings(const struct ng_config *c);
void live_reload(struct live *l);

/* live_verdict.c: packets in, verdicts out */
void live_on_packet(const struct ng_nfq_pkt *p, void *arg);
void live_send_releases(struct live *l, const struct ng_out *o);

/* live_events.c: the engine's events logged and acted on */
void live_handle_events(struct live *l, const struct ng_out *o);
void live_log_budget_reset(struct live *l);
void live_nft_failed(const struct ng_nftset_fail *f, void *arg);

/* live_state.c: state on disk */
void live_save_failed(struct live *l, const char *err);
void live_save_ok(struct live *l, int entries);
void live_start_save(struct live *l, ng_usec now);
int live_save_due(const struct live *l, ng_usec now);
void live_warn_state(const char *msg);
int live_lock_state(struct live *l, uid_t uid, gid_t gid);
int live_final_save(struct live *l);

/* live_stats.c: counters, stress and the Prometheus file */
void live_check_stress(struct live *l);
void live_stats_view(struct live *l, struct ng_stats_view *v);
int live_prom_run(struct ng_job *j);
void live_write_prom(struct live *l);
void live_check_overrun(struct live *l);
void live_check_greylist_full(struct live *l, ng_usec now);

/* live_ctl.c: nfq-gate-ctl's control socket */
int live_start_ctl(struct live *l);
void live_on_ctl(struct live *l, int fd, uint32_t events);
void live_ctl_expire(struct live *l, ng_usec now);

/* live_share.c: the shared state on Redis */
void live_share_settings(struct ng_config *c);
void live_start_share(struct live *l);
void live_share_reload(struct live *l, const struct ng_config *next);
void live_share_event(struct live *l, const struct ng_event *ev);
void live_share_confirm(struct live *l, const struct ng_nfq_pkt *p);
void live_share_ctl(struct live *l, int table, int added,
    const struct ng_addr *a, int prefix);

/* live_fp.c: the SYN signature file */
int live_load_fp(struct live *l, const struct ng_config *c);
void live_free_fp(struct live *l);

/* live_dns.c: DNS lists and reverse DNS for the score */
int live_start_dns(struct live *l);
int live_dns_watch(struct live *l);
int live_dns_owns(const struct live *l, int fd);
void live_on_dns(struct live *l, int fd);
ng_usec live_dns_next(struct live *l);
void live_dns_tick(struct live *l, ng_usec now);
void live_dns_event(struct live *l, const struct ng_event *ev);
int live_dns_reload(struct live *l, const struct ng_config *next, char *err,
    size_t errlen);
const char *live_dns_status(const struct live *l, char *buf, size_t len);
const struct ng_dns_counters *live_dns_counters(const struct live *l,
    unsigned *cache_used);
void live_dns_free(struct live *l);

/* live_rules.c: the watch on our firewall rules */
void live_rules_result(struct live *l);
void live_check_rules(struct live *l, ng_usec now);

#endif
