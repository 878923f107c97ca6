/*
 * live_ctl.c - nfq-gate-ctl's side of the live gate: the control socket
 * made at start, each request run by ctl.c over the engine's own
 * tables, and the hooks only a running gate has: status, reload (the
 * SIGHUP path), save (the periodic saver's), and what follows a change
 * (the nft penalty set, the next save).
 *
 * Apart from the loop because none of it decides a packet; everything
 * runs on the loop, between packets, and nothing here waits: a save is
 * queued, an nft delete is queued, the answer is written as the
 * client's socket takes it (ctl_sock.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/duration.h"
#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/ctl.h"
#include "daemon/ctl_sock.h"
#include "daemon/live_impl.h"
#include "daemon/privs.h"
#include "daemon/rulecheck.h"
#include "daemon/share.h"
#include "engine/cache.h"

#define REASONS_MAX	8
#define REASON_LEN	160
#define QUEUE_RULES	(NG_RULES_Q4 | NG_RULES_Q6 | NG_RULES_LEGACY | \
			    NG_RULES_LEGACY6)

/* What status reports, gathered once for the text and the JSON. */
struct status {
	int bound, watched, looked;
	unsigned found, missing;
	ng_usec rules_age;
	struct ng_netdb_info db;
	uint64_t flows, held, pass, penalty, grey;
	uint64_t fail_open, enobufs, unverified;
	uint64_t uptime;
	char rules[160];		/* names of what the rules check saw */
	char missing_names[160];
	int params_known, nparams;	/* what the rules' comments said */
	struct ng_rule_params params[NG_RULE_PARAMS_MAX];
	int redis_ok;			/* the shared state's link is up */
	char redis[REASON_LEN];		/* and its line; "" without */
	unsigned nwhy;
	char why[REASONS_MAX][REASON_LEN];
};

/* parent_dir - make the socket's directory when it is not there (one
 * level, 0755: /run/nfq-gate outside systemd's RuntimeDirectory=). */
static void
parent_dir(const char *path)
{
	char dir[NG_PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path ||
	    (size_t)(slash - path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (mkdir(dir, 0755) == 0)
		ng_log(LOG_INFO, "control socket: made %s", dir);
}

/*
 * live_start_ctl - the control socket, made before the privilege drop:
 * root's, group control_socket_group, 0660 (0600 for the group root).
 * Not root (systemd), it stays the gate's user's, reached by root.  A
 * socket that cannot be made is said and the gate runs without it:
 * nfq-gate-ctl status then fails, which monitoring sees, and mail is
 * still judged.
 */
int
live_start_ctl(struct live *l)
{
	char err[512];
	gid_t allow, gid;
	uid_t uid;
	unsigned mode;

	if (l->cfg.control_socket[0] == '\0')
		return 0;
	if (ng_privs_lookup_group(l->cfg.control_socket_group, &allow, err,
	    sizeof(err)) < 0) {
		ng_log(LOG_ERR, "control_socket_group: %s", err);
		return EX_CONFIG;
	}
	mode = allow == 0 ? 0600 : 0660;
	uid = geteuid() == 0 ? 0 : (uid_t)-1;
	gid = geteuid() == 0 || allow != 0 ? allow : (gid_t)-1;
	parent_dir(l->cfg.control_socket);
	l->ctl = ng_ctl_sock_open(l->cfg.control_socket, uid, gid, mode,
	    allow, err, sizeof(err));
	if (l->ctl == NULL) {
		ng_log(LOG_WARNING, "control_socket: %s: nfq-gate-ctl cannot "
		    "reach this gate", err);
		return 0;
	}
	ng_log(LOG_INFO, "control socket on %s (root and group %s, mode "
	    "%04o)", l->cfg.control_socket, l->cfg.control_socket_group,
	    mode);
	return 0;
}

/* ctl_where - the loaded database's answer for a, "--" without. */
static void
ctl_where(void *arg, const struct ng_addr *a, struct ng_ctl_where *w)
{
	struct live *l = arg;

	ng_ctl_where_db(l->db, a, w);
}

/* ctl_reload - the SIGHUP path, and how it ended. */
static int
ctl_reload(void *arg, char *err, size_t errlen)
{
	struct live *l = arg;

	live_reload(l);
	if (!l->reload_failed)
		return 0;
	snprintf(err, errlen, "old configuration kept: %s", l->reload_err);
	return -1;
}

/*
 * ctl_save - a save now, as housekeeping begins one: queued, not waited
 * for (the loop copies the tables in steps, the writer thread writes
 * them, within a second or so).  One already under way: this one
 * follows it within SAVE_SOON.  Failing saves make it fail.
 */
static int
ctl_save(void *arg, char *err, size_t errlen)
{
	struct live *l = arg;

	l->dirty = l->urgent = 1;
	live_start_save(l, ng_clock_now());
	if (!l->save_failing)
		return 0;
	snprintf(err, errlen, "queued, but state saves are failing (see the "
	    "log)");
	return -1;
}

/* host_len - 32 or 128: a prefix that names one address. */
static int
host_len(const struct ng_addr *a)
{
	return a->family == 4 ? 32 : 128;
}

/*
 * penalty_nft - the nft penalty set follows the penalty box.  The set
 * holds single addresses (what PREGREET put there), the box keys masked
 * to penalty_prefix: a deleted /64 cannot be matched to the addresses
 * in the set, so that family's set is emptied (the box still refuses
 * everyone else in it; the set is only the kernel's shortcut).  An added
 * prefix wider than a host is left to the box.
 */
static void
penalty_nft(struct live *l, int added, const struct ng_addr *a, int prefix)
{
	struct ng_cache_entry *e;
	ng_usec now = ng_clock_now();

	if (a == NULL || prefix < 0) {
		(void)ng_nftset_flush(l->nft, 0);
		return;
	}
	if (prefix != host_len(a)) {
		if (!added) {
			(void)ng_nftset_flush(l->nft, a->family);
			ng_log(LOG_INFO, "nft penalty set: IPv%u set emptied "
			    "for a /%d deleted from the penalty box",
			    a->family, prefix);
		}
		return;
	}
	if (!added) {
		(void)ng_nftset_del(l->nft, a);
		return;
	}
	e = ng_cache_find(ng_engine_penalty_box(l->e), a, now);
	if (e != NULL && e->expires > now)
		(void)ng_nftset_add(l->nft, a, e->expires - now);
}

/* ctl_changed - a table changed: saved soon, the nft set follows. */
static void
ctl_changed(void *arg, enum ng_ctl_table t, int added,
    const struct ng_addr *a, int prefix)
{
	struct live *l = arg;

	l->dirty = l->urgent = 1;
	if (t == NG_CTL_PENALTY && l->nft != NULL)
		penalty_nft(l, added, a, prefix);
	live_share_ctl(l, (int)t, added, a, prefix);
}

/* why_add - one more reason the gate is not whole. */
static void __attribute__((format(printf, 2, 3)))
why_add(struct status *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nwhy >= REASONS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why[s->nwhy++], REASON_LEN, fmt, ap);
	va_end(ap);
}

/*
 * gather_params - what the rules were installed with (their comments),
 * against the config: a difference is a reason; none recorded is said
 * (rules_params_text) but is no reason, rules by hand or an older tool.
 */
static void
gather_params(struct live *l, struct status *s)
{
	char w[REASON_LEN];
	int i;

	if (!s->looked || (s->found & QUEUE_RULES) == 0)
		return;
	if (l->rules_nparams < 0)
		return;
	s->params_known = 1;
	s->nparams = l->rules_nparams;
	memcpy(s->params, l->rules_params, sizeof(s->params));
	for (i = 0; i < s->nparams; i++)
		if (ng_rule_params_mismatch(&s->params[i], (uint16_t)l->queue,
		    l->cfg.eng.ports, l->cfg.eng.nports, l->cfg.mark_pass,
		    l->cfg.mark_reset, l->cfg.mark_test, w, sizeof(w))) {
			why_add(s, "rules installed for %s; run nfq-gate-rules "
			    "install", w);
			break;
		}
}

/* gather_rules - what the rules watch last saw, and whether it is whole. */
static void
gather_rules(struct live *l, struct status *s)
{
	s->watched = l->rules != NULL && l->cfg.rules_check > 0;
	s->looked = s->watched && l->rjob.rc != NULL;
	s->found = l->rules_found;
	s->missing = l->st.rules_missing;
	s->rules_age = s->looked ? ng_clock_now() - (l->next_rules -
	    l->cfg.rules_check) : 0;
	ng_rulecheck_names(s->found, s->rules, sizeof(s->rules));
	ng_rulecheck_names(s->missing, s->missing_names,
	    sizeof(s->missing_names));
	if (s->missing != 0)
		why_add(s, "rules missing: %s", s->missing_names);
	else if (s->looked && (s->found & QUEUE_RULES) == 0)
		why_add(s, "no rule queues to queue %u", l->queue);
	gather_params(l, s);
}

/* gather - everything status says, and the reasons it is unhealthy. */
static void
gather(struct live *l, struct status *s)
{
	const struct ng_stats *es = ng_engine_stats(l->e);

	memset(s, 0, sizeof(*s));
	l->have_ks = ng_nfq_read_kstats(l->queue, &l->ks) == 0;
	s->bound = l->q != NULL && l->have_ks;
	if (!s->bound)
		why_add(s, "queue %u not bound", l->queue);
	gather_rules(l, s);
	if (l->db != NULL)
		ng_netdb_get_info(l->db, &s->db);
	else if (l->cfg.database[0] != '\0')
		why_add(s, "database %s not loaded", l->cfg.database);
	if (l->reload_failed)
		why_add(s, "last reload failed: %s", l->reload_err);
	if (l->save_failing)
		why_add(s, "state saves to %s are failing", l->cfg.state_dir);
	if (l->share != NULL) {
		ng_share_status(l->share, ng_clock_now(), s->redis,
		    sizeof(s->redis), &s->redis_ok);
		if (!s->redis_ok)
			why_add(s, "shared state: redis %s", s->redis);
	}
	s->flows = es->flows_now;
	s->held = es->held_now;
	s->pass = ng_cache_count(ng_engine_pass_cache(l->e));
	s->penalty = ng_cache_count(ng_engine_penalty_box(l->e));
	s->grey = ng_cache_count(ng_engine_greylist(l->e));
	s->fail_open = l->st.queue_full;
	s->enobufs = (l->q != NULL ? ng_nfq_counters(l->q) :
	    &l->nfq_last)->enobufs;
	s->unverified = ng_unverified_total(es);
	s->uptime = (ng_clock_now() - l->start) / NG_USEC_PER_SEC;
}

/* utc - unix time t as "2024-05-01T12:00:00Z" (no zone file under seccomp). */
static const char *
utc(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "never");
	return buf;
}

/* kv - one aligned "key: value" line of the text. */
static void
kv(struct ng_ctl_out *o, const char *key, const char *value)
{
	ng_ctl_printf(o, "%s:%*s%s\n", key, (int)(14 - strlen(key)), "",
	    value);
}

/* text_rules - the rules line: what is there, what went, when looked. */
static void
text_rules(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	char v[512], a[32];

	if (!s->watched)
		snprintf(v, sizeof(v), "not watched (rules_check = 0, or "
		    "the check could not start)");
	else if (!s->looked)
		snprintf(v, sizeof(v), "not looked at yet");
	else
		snprintf(v, sizeof(v), "%s%s%s%s (looked %s ago, every %us)",
		    s->missing != 0 ? "MISSING " : "",
		    s->missing != 0 ? s->missing_names : "",
		    s->missing != 0 ? "; there: " : "",
		    s->found != 0 ? s->rules : "none",
		    ng_duration_text(s->rules_age / NG_USEC_PER_SEC, a, sizeof(a)),
		    (unsigned)(l->cfg.rules_check / NG_USEC_PER_SEC));
	kv(o, "rules", v);
}

/* text_params - a "rule params" line for each set the comments gave. */
static void
text_params(const struct status *s, struct ng_ctl_out *o)
{
	char v[512], p[256], from[160];
	int i;

	if (!s->params_known)
		return;
	if (s->nparams == 0)
		kv(o, "rule params", "none recorded (installed by an older "
		    "nfq-gate-rules?)");
	for (i = 0; i < s->nparams; i++) {
		ng_rule_params_format(&s->params[i], p, sizeof(p));
		ng_rulecheck_names(s->params[i].from, from, sizeof(from));
		snprintf(v, sizeof(v), "%s (%s)", p, from);
		kv(o, "rule params", v);
	}
}

/* text_db - the database line: path, rows, when built, how old. */
static void
text_db(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	char v[NG_PATH_MAX + 160], b[32], a[32];
	time_t now = time(NULL);

	if (l->db == NULL) {
		kv(o, "database", "none");
		return;
	}
	snprintf(v, sizeof(v), "%s (%" PRIu64 " rows, built %s, %s old)",
	    l->cfg.database, s->db.ranges4 + s->db.ranges6,
	    utc((time_t)s->db.built, b, sizeof(b)),
	    ng_duration_text((uint64_t)now > s->db.built ? (uint64_t)now - s->db.built :
	    0, a, sizeof(a)));
	kv(o, "database", v);
}

/* fill - "n of max" for a table's line. */
static const char *
fill(uint64_t n, uint64_t max, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " of %" PRIu64, n, max);
	return buf;
}

/* status_text - the status for a person: aligned "key: value" lines. */
static void
status_text(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	const struct ng_ctl_sock_counts *cc;
	char v[REASON_LEN * 2], t[32];
	unsigned i;

	kv(o, "health", s->nwhy == 0 ? "ok" : "UNHEALTHY");
	for (i = 0; i < s->nwhy; i++)
		kv(o, "reason", s->why[i]);
	snprintf(v, sizeof(v), "%u (%s)", l->queue, s->bound ? "bound" :
	    "NOT BOUND");
	kv(o, "queue", v);
	text_rules(l, s, o);
	text_params(s, o);
	text_db(l, s, o);
	kv(o, "flows", fill(s->flows, l->cfg.eng.flow_max, v, sizeof(v)));
	kv(o, "held", fill(s->held, l->cfg.eng.flow_max, v, sizeof(v)));
	kv(o, "pass", fill(s->pass, l->cfg.eng.cache_max, v, sizeof(v)));
	kv(o, "penalty", fill(s->penalty, l->cfg.eng.cache_max, v,
	    sizeof(v)));
	kv(o, "greylist", fill(s->grey, l->cfg.eng.cache_max, v, sizeof(v)));
	kv(o, "stress", l->stress ? "on" : "off");
	snprintf(v, sizeof(v), "%" PRIu64 " times the queue was full",
	    s->fail_open);
	kv(o, "fail open", v);
	snprintf(v, sizeof(v), "%" PRIu64, s->enobufs);
	kv(o, "enobufs", v);
	snprintf(v, sizeof(v), "%" PRIu64, s->unverified);
	kv(o, "unverified", v);
	snprintf(v, sizeof(v), "%" PRIu64 " resets at the SYN, %" PRIu64
	    " at the handshake", l->e != NULL ?
	    ng_engine_stats(l->e)->throttle_syn : 0, l->e != NULL ?
	    ng_engine_stats(l->e)->throttle_handshake : 0);
	kv(o, "throttle", v);
	kv(o, "uptime", ng_duration_text(s->uptime, v, sizeof(v)));
	if (l->reload_wall == 0)
		snprintf(v, sizeof(v), "none");
	else
		snprintf(v, sizeof(v), "%s, %s", utc(l->reload_wall, t,
		    sizeof(t)), l->reload_failed ? "FAILED" : "ok");
	kv(o, "last reload", v);
	kv(o, "state saves", l->save_failing ? "FAILING" : "ok");
	kv(o, "shared state", s->redis[0] != '\0' ? s->redis : "off");
	kv(o, "dns", live_dns_status(l, v, sizeof(v)));
	cc = ng_ctl_sock_counts(l->ctl);
	snprintf(v, sizeof(v), "%" PRIu64 " requests, %" PRIu64 " refused, %"
	    PRIu64 " errors", cc->requests, cc->refused, cc->errors);
	kv(o, "control", v);
}

/* json_rules - the "rules" member. */
static void
json_rules(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	ng_ctl_printf(o, "\"rules\":{\"watched\":%s,\"looked\":%s,"
	    "\"found\":", s->watched ? "true" : "false",
	    s->looked ? "true" : "false");
	ng_ctl_json_str(o, s->found != 0 ? s->rules : "");
	ng_ctl_printf(o, ",\"missing\":");
	ng_ctl_json_str(o, s->missing != 0 ? s->missing_names : "");
	ng_ctl_printf(o, ",\"age\":%" PRIu64 ",\"every\":%" PRIu64 "},",
	    (uint64_t)(s->rules_age / NG_USEC_PER_SEC),
	    (uint64_t)(l->cfg.rules_check / NG_USEC_PER_SEC));
}

/*
 * json_params - the "rule_params" member: null when not known, else each
 * set the rules' comments gave (an empty list: none recorded).
 */
static void
json_params(const struct status *s, struct ng_ctl_out *o)
{
	const struct ng_rule_params *p;
	char from[160];
	int i;
	unsigned j;

	if (!s->params_known) {
		ng_ctl_printf(o, "\"rule_params\":null,");
		return;
	}
	ng_ctl_printf(o, "\"rule_params\":[");
	for (i = 0; i < s->nparams; i++) {
		p = &s->params[i];
		ng_rulecheck_names(p->from, from, sizeof(from));
		ng_ctl_printf(o, "%s{\"from\":", i > 0 ? "," : "");
		ng_ctl_json_str(o, from);
		if (p->have & NG_RP_QUEUE)
			ng_ctl_printf(o, ",\"queue\":%u", p->queue);
		if (p->have & NG_RP_PORTS) {
			ng_ctl_printf(o, ",\"ports\":[");
			for (j = 0; j < p->nports; j++)
				ng_ctl_printf(o, "%s%u", j > 0 ? "," : "",
				    p->ports[j]);
			ng_ctl_printf(o, "]");
		}
		if (p->have & NG_RP_PASS)
			ng_ctl_printf(o, ",\"mark_pass\":%u", p->pass);
		if (p->have & NG_RP_RESET)
			ng_ctl_printf(o, ",\"mark_reset\":%u", p->reset);
		if (p->have & NG_RP_TEST)
			ng_ctl_printf(o, ",\"mark_test\":%u", p->test);
		ng_ctl_printf(o, "}");
	}
	ng_ctl_printf(o, "],");
}

/* json_db - the "database" member: null without one. */
static void
json_db(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	time_t now = time(NULL);

	if (l->db == NULL) {
		ng_ctl_printf(o, "\"database\":null,");
		return;
	}
	ng_ctl_printf(o, "\"database\":{\"path\":");
	ng_ctl_json_str(o, l->cfg.database);
	ng_ctl_printf(o, ",\"rows\":%" PRIu64 ",\"built\":%" PRIu64
	    ",\"age\":%" PRIu64 "},", s->db.ranges4 + s->db.ranges6,
	    s->db.built, (uint64_t)now > s->db.built ?
	    (uint64_t)now - s->db.built : 0);
}

/* json_tables - the "tables" member: each fill and its limit. */
static void
json_tables(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	uint64_t fm = l->cfg.eng.flow_max, cm = l->cfg.eng.cache_max;

	ng_ctl_printf(o, "\"tables\":{\"flows\":[%" PRIu64 ",%" PRIu64 "],"
	    "\"held\":[%" PRIu64 ",%" PRIu64 "],\"pass\":[%" PRIu64 ",%"
	    PRIu64 "],\"penalty\":[%" PRIu64 ",%" PRIu64 "],\"greylist\":[%"
	    PRIu64 ",%" PRIu64 "]},", s->flows, fm, s->held, fm, s->pass, cm,
	    s->penalty, cm, s->grey, cm);
}

/*
 * json_share - the "shared_state" member: null without Redis, else up,
 * the status line and the counters.
 */
static void
json_share(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	struct ng_share_counts c;

	if (l->share == NULL) {
		ng_ctl_printf(o, "\"shared_state\":null,");
		return;
	}
	ng_share_counts(l->share, &c);
	ng_ctl_printf(o, "\"shared_state\":{\"up\":%s,\"status\":",
	    s->redis_ok ? "true" : "false");
	ng_ctl_json_str(o, s->redis);
	ng_ctl_printf(o, ",\"sent\":%" PRIu64 ",\"received\":%" PRIu64
	    ",\"dropped\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"reconnects\":%"
	    PRIu64 "},", c.sent, c.received, c.dropped, c.errors,
	    c.reconnects);
}

/* json_dns - the "dns" member: null when off, else the resolver's
 * counters (daemon/dns.h). */
static void
json_dns(struct live *l, struct ng_ctl_out *o)
{
	const struct ng_dns_counters *c;
	unsigned used = 0;

	if ((c = live_dns_counters(l, &used)) == NULL) {
		ng_ctl_printf(o, "\"dns\":null,");
		return;
	}
	ng_ctl_printf(o, "\"dns\":{\"clients\":%" PRIu64 ",\"queries\":%"
	    PRIu64 ",\"cache_hits\":%" PRIu64 ",\"timeouts\":%" PRIu64
	    ",\"errors\":%" PRIu64 ",\"garbage\":%" PRIu64
	    ",\"unanswered\":%" PRIu64 ",\"cache\":%u},", c->clients,
	    c->queries, c->cache_hits, c->timeouts, c->errors, c->garbage,
	    c->unanswered, used);
}

/* json_throttle - the "throttle" member: its resets and counts. */
static void
json_throttle(struct live *l, struct ng_ctl_out *o)
{
	static const struct ng_stats zero;
	const struct ng_stats *e = l->e != NULL ? ng_engine_stats(l->e) :
	    &zero;

	ng_ctl_printf(o, "\"throttle\":{\"syn\":%" PRIu64 ",\"handshake\":%"
	    PRIu64 ",\"counted\":%" PRIu64 ",\"ended\":%" PRIu64
	    ",\"full\":%" PRIu64 ",\"aged\":%" PRIu64 "},", e->throttle_syn,
	    e->throttle_handshake, e->throttle_counted, e->throttle_ended,
	    e->throttle_full, e->throttle_aged);
}

/* status_json - the status as one JSON document. */
static void
status_json(struct live *l, const struct status *s, struct ng_ctl_out *o)
{
	const struct ng_ctl_sock_counts *cc = ng_ctl_sock_counts(l->ctl);
	unsigned i;

	ng_ctl_printf(o, "{\"healthy\":%s,\"reasons\":[",
	    s->nwhy == 0 ? "true" : "false");
	for (i = 0; i < s->nwhy; i++) {
		ng_ctl_printf(o, i > 0 ? "," : "");
		ng_ctl_json_str(o, s->why[i]);
	}
	ng_ctl_printf(o, "],\"queue\":%u,\"bound\":%s,", l->queue,
	    s->bound ? "true" : "false");
	json_rules(l, s, o);
	json_params(s, o);
	json_db(l, s, o);
	json_tables(l, s, o);
	ng_ctl_printf(o, "\"stress\":%s,\"fail_open\":%" PRIu64 ",\"enobufs\":%"
	    PRIu64 ",\"unverified\":%" PRIu64 ",\"uptime\":%" PRIu64 ","
	    "\"last_reload\":", l->stress ? "true" : "false", s->fail_open,
	    s->enobufs, s->unverified, s->uptime);
	if (l->reload_wall == 0)
		ng_ctl_printf(o, "null,");
	else {
		ng_ctl_printf(o, "{\"time\":%lld,\"ok\":%s,\"error\":",
		    (long long)l->reload_wall, l->reload_failed ? "false" :
		    "true");
		ng_ctl_json_str(o, l->reload_failed ? l->reload_err : "");
		ng_ctl_printf(o, "},");
	}
	json_share(l, s, o);
	json_dns(l, o);
	json_throttle(l, o);
	ng_ctl_printf(o, "\"state_saves_failing\":%s,\"ctl\":{\"requests\":%"
	    PRIu64 ",\"refused\":%" PRIu64 ",\"errors\":%" PRIu64 "}}\n",
	    l->save_failing ? "true" : "false", cc->requests, cc->refused,
	    cc->errors);
}

/* ctl_status - the gate's health: the body, and the reasons in why. */
static int
ctl_status(void *arg, int json, struct ng_ctl_out *o, char *why,
    size_t whylen)
{
	struct live *l = arg;
	struct status s;
	size_t used = 0;
	unsigned i;
	int n;

	gather(l, &s);
	if (json)
		status_json(l, &s, o);
	else
		status_text(l, &s, o);
	for (i = 0; i < s.nwhy && used < whylen; i++) {
		n = snprintf(why + used, whylen - used, "%s%s",
		    i > 0 ? "; " : "", s.why[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return s.nwhy == 0 ? NG_CTL_OK : NG_CTL_UNHEALTHY;
}

/* logged_line - the request as one printable line for the log. */
static void
logged_line(const char *line, size_t len, char *buf, size_t blen)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < blen; i++) {
		if (line[i] == '\n')
			break;
		buf[n++] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	}
	buf[n] = '\0';
}

/*
 * ctl_run - one request over the gate's tables (ctl.c); a change, a
 * reload or a save is logged, so the log says who changed what when.
 */
static int
ctl_run(void *arg, const char *line, size_t len, struct ng_ctl_out *o,
    char *msg, size_t msglen)
{
	struct live *l = arg;
	struct ng_ctl c;
	struct timespec ts;
	char said[NG_CTL_LINE_MAX + 1];
	int code;

	memset(&c, 0, sizeof(c));
	c.table[NG_CTL_PASS] = ng_engine_pass_cache(l->e);
	c.table[NG_CTL_PENALTY] = ng_engine_penalty_box(l->e);
	c.table[NG_CTL_GREYLIST] = ng_engine_greylist(l->e);
	c.ttl[NG_CTL_PASS] = l->cfg.eng.pass_ttl;
	c.ttl[NG_CTL_PENALTY] = l->cfg.eng.penalty_ttl;
	c.ttl[NG_CTL_GREYLIST] = l->cfg.eng.greylist_window;
	c.now = ng_clock_now();
	clock_gettime(CLOCK_REALTIME, &ts);
	c.wall_offset = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 -
	    (int64_t)c.now;
	c.where = ctl_where;
	c.status = ctl_status;
	c.reload = ctl_reload;
	c.save = ctl_save;
	c.changed = ctl_changed;
	c.arg = l;
	code = ng_ctl_exec(&c, line, len, o, msg, msglen);
	if (c.modified) {
		logged_line(line, len, said, sizeof(said));
		ng_log(LOG_INFO, "nfq-gate-ctl: %s: %s", said,
		    code == NG_CTL_OK ? "done" : msg);
	}
	return code;
}

/* live_on_ctl - a control socket fd had events. */
void
live_on_ctl(struct live *l, int fd, uint32_t events)
{
	ng_ctl_sock_event(l->ctl, l->epfd, fd, events, ng_clock_now(),
	    ctl_run, l);
}

/* live_ctl_expire - housekeeping: the control clients out of time. */
void
live_ctl_expire(struct live *l, ng_usec now)
{
	if (l->ctl != NULL)
		ng_ctl_sock_expire(l->ctl, l->epfd, now);
}
