/*
 * share.c - the site's gates sharing their tables through Redis (see
 * share.h): entries out, updates in, the resync after a (re)connect,
 * and the trap MX's question to the shared state.
 *
 * Everything here runs on the event loop and waits for nothing: a
 * command is queued on the link (redis_link.c) and its reply handled
 * when it comes.  Commands whose reply matters carry a record from a
 * fixed pool (struct req); the rest share one tag.  The engine's tables
 * are read and written between packets, with the same calls the state
 * file uses (ng_cache_restore), so an entry from a peer is exactly an
 * entry from disk, origin and all.
 *
 * Time: the tables keep CLOCK_MONOTONIC, the wire unix microseconds
 * (another host's monotonic clock means nothing here); struct clocks
 * holds both, read once per piece of work, and converts.  A first-seen
 * time in the future (a peer's clock ahead) is taken as now.
 *
 * What anyone can cause with a forged SYN (a contact, a greylist first
 * try) must not turn into a Redis write per packet: a contact, and a
 * PASS OLD refresh, goes out at most once a minute per entry (a small
 * hashed "recent" table), and contacts and first tries together at
 * most SYN_WRITES a second (a spoofed flood of new addresses is new
 * entries every packet); PASS NEW, PREGREET and a trap penalty need a
 * believed handshake, and always go.  Bad data from Redis is logged (one line a second at most, the
 * rest counted) and ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/addr.h"
#include "base/duration.h"
#include "base/hashkey.h"
#include "base/log.h"
#include "daemon/origin.h"
#include "daemon/redis_link.h"
#include "daemon/share.h"
#include "daemon/share_codec.h"
#include "engine/cache.h"

#define REQ_MAX		8192	/* commands waiting with a record */
#define SCAN_COUNT	"1000"
#define SCAN_ROOM	1500	/* records free before the next SCAN */
#define PUSH_ENTRIES	256	/* entries written back per tick */
#define PUSH_SLOTS	4096	/* table slots looked at per tick */
#define PUSH_HIGH	(NG_SHARE_PENDING_MAX / 2)
#define RECENT_SLOTS	4096
#define RECENT_WINDOW	NG_SEC(60)
/* Writes a forged SYN can cause (a greylist first try, a contact) a
 * second at most, as a bucket of this many tokens refilled at this
 * rate: a spoofed flood of new addresses must not become a Redis write,
 * a key living greylist_window and a message to every gate per packet. */
#define SYN_WRITES	2000
#define WARN_EVERY	NG_SEC(1)	/* a budget of WARN_MAX lines */
#define WARN_MAX	10
#define WHY_MAX		256
#define ERR_MAX		160
/* First-seen times closer than this are one time: each trip between
 * the clocks (ours, the wire's, a peer's) may move one a little. */
#define FIRST_SLACK	NG_SEC(1)

enum req_kind { R_FREE = 0, R_GREY_NX, R_GREY_GET, R_LOAD, R_TRAP };
enum rs_phase { RS_IDLE = 0, RS_SCAN, RS_PUSH };

/* What a command whose reply matters remembers. */
struct req {
	uint8_t kind;		/* enum req_kind */
	uint8_t table;		/* enum ng_share_table */
	uint8_t left;		/* replies still due */
	uint8_t got;		/* replies in: tells them apart */
	uint8_t lost;		/* one never came: the link dropped */
	int8_t found;		/* R_LOAD: GET's answer; R_TRAP: a value */
	uint16_t plen, cport, sport;
	struct ng_addr addr, server;
	ng_usec t0;		/* R_TRAP: when asked */
	uint64_t ttl_ms;	/* R_LOAD: PTTL's answer */
	struct ng_share_val val;
	uint32_t next;		/* the free list */
};

/* A write that went out lately, by a hash of its table and key. */
struct recent {
	uint32_t tag;
	ng_usec at;
};

/* Both clocks at one moment. */
struct clocks {
	ng_usec mono;
	uint64_t wall;		/* unix microseconds */
};

struct ng_share {
	int epfd;
	struct ng_engine *e;
	struct ng_share_conf conf;
	struct ng_share_hooks hooks;
	char channel[NG_REDIS_PREFIX_MAX + 8];
	char where[160];		/* the URL for log lines */
	struct ng_redis_link *link;
	struct ng_redis_link_counts gone;	/* of links replaced */
	struct req *req;
	uint32_t free_head;
	unsigned nfree;
	/* the resync */
	int phase;			/* enum rs_phase */
	int scan_waiting, scan_done;
	char cursor[24];
	unsigned loads;			/* R_LOAD records out */
	unsigned push_table;
	size_t push_slot;
	uint64_t loaded, pushed;
	/* the link's story, for the log */
	int ever_up, down_logged;
	ng_usec down_since;
	char why[WHY_MAX];
	ng_usec now;			/* the latest time seen */
	/* writes */
	uint8_t key[NG_HASH_KEY_LEN];
	struct recent recent[RECENT_SLOTS];
	double syn_tokens;		/* SYN_WRITES at most */
	ng_usec syn_at;			/* when last refilled */
	ng_usec warn_at;		/* the budget's second began */
	unsigned warn_used;
	uint64_t warn_quiet;
	uint64_t errors, dropped;
};

/* The tags of commands with nothing to remember. */
static char tag_write, tag_scan;

static void complain(struct ng_share *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- small things ---- */

/* clocks_at - both clocks now (mono: the loop's now). */
static void
clocks_at(struct clocks *k, ng_usec mono)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	k->mono = mono;
	k->wall = (uint64_t)ts.tv_sec * NG_USEC_PER_SEC +
	    (uint64_t)ts.tv_nsec / 1000;
}

/* to_wall - a table time as unix microseconds. */
static uint64_t
to_wall(const struct clocks *k, ng_usec t)
{
	if (t >= k->mono)
		return k->wall + (t - k->mono);
	return k->mono - t > k->wall ? 0 : k->wall - (k->mono - t);
}

/* to_mono - unix microseconds as a table time, never after now. */
static ng_usec
to_mono(const struct clocks *k, uint64_t w)
{
	if (w >= k->wall)
		return k->mono;
	return k->wall - w > k->mono ? 0 : k->mono - (k->wall - w);
}

/* table_cache - the engine's table behind a shared table. */
static struct ng_cache *
table_cache(struct ng_share *s, unsigned t)
{
	switch (t) {
	case NG_SHARE_PASS:
		return ng_engine_pass_cache(s->e);
	case NG_SHARE_PENALTY:
		return ng_engine_penalty_box(s->e);
	case NG_SHARE_GREY:
		return ng_engine_greylist(s->e);
	default:
		return ng_engine_contacts(s->e);
	}
}

/*
 * complain - bad data or an error reply: counted, and logged within a
 * budget of WARN_MAX lines a second (a Redis full of junk must not
 * flood the log); the next line says how many were left out.
 */
static void
complain(struct ng_share *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	s->errors++;
	if (s->warn_at == 0 || s->now >= s->warn_at + WARN_EVERY) {
		s->warn_at = s->now != 0 ? s->now : 1;
		s->warn_used = 0;
	}
	if (s->warn_used >= WARN_MAX) {
		s->warn_quiet++;
		return;
	}
	s->warn_used++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->warn_quiet > 0)
		ng_log(LOG_WARNING, "shared state: %s (and %llu before it not "
		    "logged)", msg, (unsigned long long)s->warn_quiet);
	else
		ng_log(LOG_WARNING, "shared state: %s", msg);
	s->warn_quiet = 0;
}

/* ---- the records ---- */

/* req_get - a free record of kind, zeroed; NULL when none is left. */
static struct req *
req_get(struct ng_share *s, uint8_t kind)
{
	struct req *r;
	uint32_t next;

	if (s->nfree == 0)
		return NULL;
	r = &s->req[s->free_head];
	next = r->next;
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	s->free_head = next;
	s->nfree--;
	return r;
}

/* req_put - a record back on the free list. */
static void
req_put(struct ng_share *s, struct req *r)
{
	r->kind = R_FREE;
	r->next = s->free_head;
	s->free_head = (uint32_t)(r - s->req);
	s->nfree++;
}

/* is_req - whether priv is one of our records (not a tag). */
static struct req *
is_req(struct ng_share *s, void *priv)
{
	uintptr_t p = (uintptr_t)priv, lo = (uintptr_t)s->req;
	struct req *r;

	if (p < lo || p >= lo + REQ_MAX * sizeof(*r) ||
	    (p - lo) % sizeof(*r) != 0)
		return NULL;
	r = priv;
	return r->kind == R_FREE ? NULL : r;
}

/* ---- writes ---- */

/*
 * cmd - one command on the link; -1 when not queued (a full queue is
 * counted as dropped: the entry lives on locally, and the next resync
 * writes it).
 */
static int
cmd(struct ng_share *s, void *priv, int argc, const char **argv,
    const size_t *lens)
{
	if (ng_redis_link_cmd(s->link, priv, argc, argv, lens, s->now) == 0)
		return 0;
	if (errno != ENOTCONN)
		s->dropped++;
	return -1;
}

/* recent_tag - the hashed table and key of a write, never 0. */
static uint32_t
recent_tag(const struct ng_share *s, unsigned t, const struct ng_addr *k)
{
	return (ng_addr_hash(k, s->key) ^ (t * 0x9e3779b9u)) | 1;
}

/* recent_fresh - whether the same write went out within the window. */
static int
recent_fresh(const struct ng_share *s, unsigned t, const struct ng_addr *k)
{
	uint32_t tag = recent_tag(s, t, k);
	const struct recent *r = &s->recent[tag % RECENT_SLOTS];

	return r->tag == tag && s->now < r->at + RECENT_WINDOW;
}

/* recent_mark - a write went out now. */
static void
recent_mark(struct ng_share *s, unsigned t, const struct ng_addr *k)
{
	uint32_t tag = recent_tag(s, t, k);
	struct recent *r = &s->recent[tag % RECENT_SLOTS];

	r->tag = tag;
	r->at = s->now;
}

/*
 * entry_msg - a local entry as a message (its key text and value too):
 * 0, or -1 when it has no time left or will not format.
 */
static int
entry_msg(struct ng_share *s, unsigned t, const struct ng_cache_entry *e,
    const struct clocks *k, struct ng_share_msg *m)
{
	const struct ng_cache *c = table_cache(s, t);
	ng_usec left;

	if (e->expires <= k->mono)
		return -1;
	left = e->expires - k->mono;
	memset(m, 0, sizeof(*m));
	m->table = t;
	m->addr = e->key;
	m->plen = ng_cache_prefix_for(c, &e->key);
	m->val.first = to_wall(k, e->first);
	m->val.count = e->count;
	snprintf(m->val.origin, sizeof(m->val.origin), "%s", s->conf.name);
	m->ttl_ms = left / 1000 + (left % 1000 != 0);
	if (m->ttl_ms > NG_SHARE_TTL_MAX)
		m->ttl_ms = NG_SHARE_TTL_MAX;
	return 0;
}

/* publish - a message on the channel, for the other gates. */
static void
publish(struct ng_share *s, const struct ng_share_msg *m)
{
	char msg[NG_SHARE_MSG_MAX];
	const char *argv[3];
	size_t lens[3];
	int n;

	if ((n = ng_share_msg_format(m, msg, sizeof(msg))) < 0)
		return;
	argv[0] = "PUBLISH";
	argv[1] = s->channel;
	argv[2] = msg;
	lens[0] = 7;
	lens[1] = strlen(s->channel);
	lens[2] = (size_t)n;
	(void)cmd(s, &tag_write, 3, argv, lens);
}

/*
 * set_cmd - "SET key value PX ttl [NX]" for message m, sent with priv;
 * 0, or -1 when not queued.
 */
static int
set_cmd(struct ng_share *s, const struct ng_share_msg *m, int nx,
    void *priv)
{
	char key[NG_SHARE_KEY_MAX], val[NG_SHARE_VAL_MAX], ttl[24];
	const char *argv[6];
	size_t lens[6];
	int kn, vn;

	kn = ng_share_key_format(s->conf.prefix, m->table, &m->addr, m->plen,
	    key, sizeof(key));
	vn = ng_share_val_format(&m->val, val, sizeof(val));
	if (kn < 0 || vn < 0)
		return -1;
	snprintf(ttl, sizeof(ttl), "%llu", (unsigned long long)m->ttl_ms);
	argv[0] = "SET", argv[1] = key, argv[2] = val;
	argv[3] = "PX", argv[4] = ttl, argv[5] = "NX";
	lens[0] = 3, lens[1] = (size_t)kn, lens[2] = (size_t)vn;
	lens[3] = 2, lens[4] = strlen(ttl), lens[5] = 2;
	return cmd(s, priv, nx ? 6 : 5, argv, lens);
}

/* write_entry - a local entry into Redis, and published. */
static void
write_entry(struct ng_share *s, unsigned t, const struct ng_cache_entry *e,
    const struct clocks *k)
{
	struct ng_share_msg m;

	if (entry_msg(s, t, e, k, &m) < 0)
		return;
	if (set_cmd(s, &m, 0, &tag_write) == 0)
		publish(s, &m);
	recent_mark(s, t, &e->key);
}

/*
 * grey_first - a greylist first try: SET NX, the first gate to see the
 * sender wins (published then; else its entry is read and adopted).
 */
static void
grey_first(struct ng_share *s, const struct ng_cache_entry *e,
    const struct clocks *k)
{
	struct ng_share_msg m;
	struct req *r;

	if (entry_msg(s, NG_SHARE_GREY, e, k, &m) < 0)
		return;
	if ((r = req_get(s, R_GREY_NX)) == NULL) {
		s->dropped++;
		return;
	}
	r->table = NG_SHARE_GREY;
	r->addr = m.addr;
	r->plen = (uint16_t)m.plen;
	if (set_cmd(s, &m, 1, r) < 0)
		req_put(s, r);
	recent_mark(s, NG_SHARE_GREY, &e->key);
}

/* key_cmd - "VERB key" for one table's key of a, sent with priv. */
static int
key_cmd(struct ng_share *s, const char *verb, unsigned t,
    const struct ng_addr *a, unsigned plen, void *priv)
{
	char key[NG_SHARE_KEY_MAX];
	const char *argv[2];
	size_t lens[2];
	int kn;

	if ((kn = ng_share_key_format(s->conf.prefix, t, a, plen, key,
	    sizeof(key))) < 0)
		return -1;
	argv[0] = verb;
	argv[1] = key;
	lens[0] = strlen(verb);
	lens[1] = (size_t)kn;
	return cmd(s, priv, 2, argv, lens);
}

/* ---- merging what comes in ---- */

/*
 * better_first - whether a peer's first-seen time wins: the older for
 * every table but the contacts, whose first is the latest SYN; by more
 * than the clocks' slack, so an entry that went round the gates does
 * not change hands.
 */
static int
better_first(unsigned t, ng_usec theirs, ng_usec ours)
{
	if (t == NG_SHARE_CONTACT)
		return theirs > ours + FIRST_SLACK;
	return theirs + FIRST_SLACK < ours;
}

/*
 * merge - a peer's view of an entry into a's local one (expires 0: keep
 * ours; won: theirs is the first try that won the SET NX, taken as it
 * is); the merged entry in *m.  1 when it changed or is new.
 */
static int
merge(struct ng_share *s, unsigned t, struct ng_cache *c,
    const struct ng_addr *a, const struct ng_share_val *v, ng_usec expires,
    int won, const struct clocks *k, struct ng_cache_entry *m)
{
	const struct ng_cache_entry *e = ng_cache_find(c, a, k->mono);
	ng_usec first = to_mono(k, v->first);
	uint16_t origin = strcmp(v->origin, s->conf.name) == 0 ?
	    NG_ORIGIN_LOCAL : ng_origin_id(v->origin, strlen(v->origin));
	int changed = 0;

	if (e == NULL) {
		if (expires <= k->mono)
			return 0;
		memset(m, 0, sizeof(*m));
		m->key = *a;
		m->first = first;
		m->expires = expires;
		m->count = v->count;
		m->origin = origin;
		return 1;
	}
	*m = *e;
	if ((won && (first != m->first || origin != m->origin)) ||
	    better_first(t, first, m->first)) {
		m->first = first;
		m->origin = origin;
		changed = 1;
	}
	if (expires > m->expires) {
		m->expires = expires;
		changed = 1;
	}
	if (v->count > m->count) {
		m->count = v->count;
		changed = 1;
	}
	return changed;
}

/*
 * apply - a peer's entry (expires 0 and won: the greylist first try an
 * SET NX found, adopted as it is) merged into the local table; 1 when it
 * changed something.
 */
static int
apply(struct ng_share *s, unsigned t, const struct ng_addr *a,
    unsigned plen, const struct ng_share_val *v, ng_usec expires,
    const struct clocks *k)
{
	struct ng_cache *c = table_cache(s, t);
	struct ng_cache_entry m;
	unsigned lp = ng_cache_prefix_for(c, a);
	char at[NG_ADDRSTRLEN];

	/* Wider than we key: it cannot be narrowed to one of our keys. */
	if (plen < lp || !merge(s, t, c, a, v, expires, expires == 0, k, &m))
		return 0;
	if (ng_cache_restore(c, &m, k->mono) <= 0)
		return 0;
	if (t == NG_SHARE_PENALTY && s->hooks.penalty != NULL)
		s->hooks.penalty(s->hooks.arg, &m.key, lp, m.expires -
		    k->mono);
	if (ng_log_debug_on())
		ng_log(LOG_DEBUG, "shared state: %s %s/%u from %s: count %lu, "
		    "first seen %.1f ms ago", ng_share_table_name(t),
		    ng_addr_format(&m.key, at, sizeof(at)), lp, v->origin,
		    (unsigned long)m.count, k->wall > v->first ?
		    (double)(k->wall - v->first) / 1000 : 0.0);
	return 1;
}

/* forget - a peer deleted an entry (nfq-gate-ctl del): so do we. */
static int
forget(struct ng_share *s, unsigned t, const struct ng_addr *a,
    unsigned plen, ng_usec now)
{
	struct ng_cache *c = table_cache(s, t);
	unsigned lp = ng_cache_prefix_for(c, a);

	if (plen < lp || ng_cache_find(c, a, now) == NULL)
		return 0;
	ng_cache_del(c, a);
	if (t == NG_SHARE_PENALTY && s->hooks.penalty != NULL)
		s->hooks.penalty(s->hooks.arg, a, lp, 0);
	return 1;
}

/* changed - the tables changed from outside: a save is due. */
static void
changed(struct ng_share *s)
{
	if (s->hooks.changed != NULL)
		s->hooks.changed(s->hooks.arg);
}

/* ---- replies ---- */

/* reply_write - a fire-and-forget command's reply: errors counted. */
static void
reply_write(struct ng_share *s, const redisReply *r)
{
	char err[ERR_MAX];

	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    ng_share_status_reply(r, err, sizeof(err)) < 0)
		complain(s, "%s", err);
}

/* grey_nx_reply - SET NX answered: ours (publish) or taken (read it). */
static void
grey_nx_reply(struct ng_share *s, struct req *q, const redisReply *r)
{
	const struct ng_cache_entry *e;
	struct ng_share_msg m;
	struct clocks k;
	char err[ERR_MAX];

	if (r != NULL && r->type == REDIS_REPLY_NIL) {
		q->kind = R_GREY_GET;
		if (key_cmd(s, "GET", NG_SHARE_GREY, &q->addr, q->plen, q) == 0)
			return;
	} else if (r != NULL && ng_share_status_reply(r, err,
	    sizeof(err)) == 0) {
		clocks_at(&k, s->now);
		e = ng_cache_find(table_cache(s, NG_SHARE_GREY), &q->addr,
		    s->now);
		if (e != NULL && entry_msg(s, NG_SHARE_GREY, e, &k, &m) == 0)
			publish(s, &m);
	} else if (r != NULL)
		complain(s, "greylist SET NX: %s", err);
	req_put(s, q);
}

/*
 * grey_get_reply - another gate saw the sender first: its first-seen
 * time is adopted, so this try is the same first try.
 */
static void
grey_get_reply(struct ng_share *s, struct req *q, const redisReply *r)
{
	struct ng_share_val v;
	struct clocks k;
	char err[ERR_MAX], a[NG_ADDRSTRLEN];
	int rc;

	if (r != NULL) {
		rc = ng_share_get_reply(r, &v, err, sizeof(err));
		clocks_at(&k, s->now);
		if (rc < 0)
			complain(s, "greylist %s/%u: %s: ignored",
			    ng_addr_format(&q->addr, a, sizeof(a)), q->plen,
			    err);
		else if (rc > 0 && apply(s, NG_SHARE_GREY, &q->addr, q->plen,
		    &v, 0, &k))
			changed(s);
	}
	req_put(s, q);
}

static void scan_next(struct ng_share *s);
static void check_loaded(struct ng_share *s);

/* load_reply - GET then PTTL of one key the SCAN found. */
static void
load_reply(struct ng_share *s, struct req *q, const redisReply *r)
{
	char err[ERR_MAX], a[NG_ADDRSTRLEN];
	struct clocks k;
	int rc;

	if (r == NULL)
		q->lost = 1;
	else if (q->got == 0) {
		q->found = (int8_t)ng_share_get_reply(r, &q->val, err,
		    sizeof(err));
		if (q->found < 0)
			complain(s, "%s %s/%u: %s: ignored",
			    ng_share_table_name(q->table), ng_addr_format(
			    &q->addr, a, sizeof(a)), q->plen, err);
	} else if ((rc = ng_share_pttl_reply(r, &q->ttl_ms, err,
	    sizeof(err))) < 0)
		complain(s, "%s %s/%u: %s: ignored",
		    ng_share_table_name(q->table), ng_addr_format(&q->addr, a,
		    sizeof(a)), q->plen, err);
	else if (rc == 0)
		q->ttl_ms = 0;
	q->got++;
	if (--q->left > 0)
		return;
	if (!q->lost && q->found == 1 && q->ttl_ms > 0) {
		clocks_at(&k, s->now);
		if (apply(s, q->table, &q->addr, q->plen, &q->val, s->now +
		    q->ttl_ms * 1000, &k))
			s->loaded++;
	}
	req_put(s, q);
	s->loads--;
	check_loaded(s);
	scan_next(s);
}

/* trap_line - the log line of a trap hit the shared state decided. */
static void
trap_line(const struct req *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* trap_line - "TRAP [client]:port to [server]:port: <what>". */
static void
trap_line(const struct req *q, const char *fmt, ...)
{
	char c[NG_EPSTRLEN], v[NG_EPSTRLEN], what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ng_log(LOG_INFO, "TRAP %s to %s: %s", ng_addr_format_ep(&q->addr,
	    q->cport, c, sizeof(c)), ng_addr_format_ep(&q->server, q->sport,
	    v, sizeof(v)), what);
}

/* trap_decide - both answers in: excused, penalised, or fail open. */
static void
trap_decide(struct ng_share *s, struct req *q)
{
	char age[32];
	struct clocks k;
	ng_usec ms = (s->now - q->t0) / 1000;

	if (q->lost) {
		trap_line(q, "not penalised, shared state unavailable");
		return;
	}
	if (s->now > q->t0 + s->conf.timeout) {
		trap_line(q, "not penalised, the shared state answered after "
		    "%llums", (unsigned long long)ms);
		return;
	}
	if (!q->found) {
		if (s->hooks.trap_penalise != NULL) {
			struct ng_flow_key hit;

			memset(&hit, 0, sizeof(hit));
			hit.caddr = q->addr;
			hit.saddr = q->server;
			hit.cport = q->cport;
			hit.sport = q->sport;
			s->hooks.trap_penalise(s->hooks.arg, &hit);
		}
		return;
	}
	clocks_at(&k, s->now);
	ng_duration_text(k.wall > q->val.first ? (k.wall - q->val.first) /
	    NG_USEC_PER_SEC : 0, age, sizeof(age));
	trap_line(q, "excused, %s %s ago at %s", q->table == NG_SHARE_CONTACT ?
	    "contact" : "greylisted", age, q->val.origin);
}

/* trap_reply - one of the trap question's two GETs answered. */
static void
trap_reply(struct ng_share *s, struct req *q, const redisReply *r)
{
	struct ng_share_val v;
	char err[ERR_MAX];
	int rc;

	if (r == NULL)
		q->lost = 1;
	else if ((rc = ng_share_get_reply(r, &v, err, sizeof(err))) < 0)
		complain(s, "trap check: %s: ignored", err);
	else if (rc > 0 && (!q->found || v.first > q->val.first)) {
		q->val = v;
		q->found = 1;
		/* The contact is asked first, the greylist second. */
		q->table = q->got == 0 ? NG_SHARE_CONTACT : NG_SHARE_GREY;
	}
	q->got++;
	if (--q->left > 0)
		return;
	trap_decide(s, q);
	req_put(s, q);
}

/*
 * scan_key - one key a SCAN found: GET and PTTL queued with a record;
 * a key that is not ours is bad data.
 */
static void
scan_key(struct ng_share *s, const redisReply *key)
{
	const char *argv[2];
	size_t lens[2];
	char err[ERR_MAX];
	struct req *q;
	struct ng_addr a;
	unsigned t, plen;

	if (ng_share_key_parse(s->conf.prefix, key->str, key->len, &t, &a,
	    &plen, err, sizeof(err)) < 0) {
		complain(s, "%s: ignored", err);
		return;
	}
	if ((q = req_get(s, R_LOAD)) == NULL) {
		s->dropped++;
		return;
	}
	q->table = (uint8_t)t;
	q->addr = a;
	q->plen = (uint16_t)plen;
	argv[1] = key->str;
	lens[1] = key->len;
	argv[0] = "GET", lens[0] = 3;
	if (cmd(s, q, 2, argv, lens) < 0) {
		req_put(s, q);
		return;
	}
	q->left = 1;
	s->loads++;
	argv[0] = "PTTL", lens[0] = 4;
	if (cmd(s, q, 2, argv, lens) == 0)
		q->left = 2;
	else
		q->lost = 1;	/* no TTL, no entry */
}

/* scan_reply - a SCAN's keys read, the next SCAN (or the end). */
static void
scan_reply(struct ng_share *s, const redisReply *r)
{
	const redisReply *keys;
	char err[ERR_MAX];
	size_t i;

	s->scan_waiting = 0;
	if (r == NULL || s->phase != RS_SCAN)
		return;
	if (ng_share_scan_reply(r, s->cursor, &keys, err, sizeof(err)) < 0) {
		complain(s, "resync: %s: loading stopped", err);
		s->scan_done = 1;
	} else {
		for (i = 0; i < keys->elements; i++)
			scan_key(s, keys->element[i]);
		s->scan_done = strcmp(s->cursor, "0") == 0;
	}
	check_loaded(s);
	scan_next(s);
}

/* on_reply - the link's reply hook: to the handler of its command. */
static void
on_reply(void *arg, void *priv, const redisReply *r)
{
	struct ng_share *s = arg;
	struct req *q;

	if (priv == &tag_write) {
		reply_write(s, r);
		return;
	}
	if (priv == &tag_scan) {
		scan_reply(s, r);
		return;
	}
	if ((q = is_req(s, priv)) == NULL)
		return;
	switch (q->kind) {
	case R_GREY_NX:
		grey_nx_reply(s, q, r);
		break;
	case R_GREY_GET:
		grey_get_reply(s, q, r);
		break;
	case R_LOAD:
		load_reply(s, q, r);
		break;
	default:
		trap_reply(s, q, r);
		break;
	}
}

/* ---- the subscription ---- */

/* on_message - another gate's update: merged, or deleted. */
static void
on_message(void *arg, const redisReply *r)
{
	struct ng_share *s = arg;
	struct ng_share_msg m;
	struct clocks k;
	const char *p;
	char err[ERR_MAX];
	size_t n;
	int rc;

	rc = ng_share_message_reply(r, s->channel, &p, &n, err, sizeof(err));
	if (rc <= 0) {
		if (rc < 0)
			complain(s, "%s: ignored", err);
		return;
	}
	if (ng_share_msg_parse(p, n, &m, err, sizeof(err)) < 0) {
		complain(s, "%s: ignored", err);
		return;
	}
	if (strcmp(m.val.origin, s->conf.name) == 0)
		return;		/* our own, back from Redis */
	clocks_at(&k, s->now);
	if (m.ttl_ms == 0 ? forget(s, m.table, &m.addr, m.plen, s->now) :
	    apply(s, m.table, &m.addr, m.plen, &m.val, s->now + m.ttl_ms *
	    1000, &k))
		changed(s);
}

/* ---- the resync ---- */

/* scan_next - the next SCAN, when one is due and records are free. */
static void
scan_next(struct ng_share *s)
{
	char match[NG_REDIS_PREFIX_MAX + 2];
	const char *argv[6];

	if (s->phase != RS_SCAN || s->scan_waiting || s->scan_done ||
	    s->nfree < SCAN_ROOM)
		return;
	snprintf(match, sizeof(match), "%s*", s->conf.prefix);
	argv[0] = "SCAN", argv[1] = s->cursor, argv[2] = "MATCH";
	argv[3] = match, argv[4] = "COUNT", argv[5] = SCAN_COUNT;
	if (cmd(s, &tag_scan, 6, argv, NULL) == 0)
		s->scan_waiting = 1;
}

/* check_loaded - every key read and merged: on to writing ours back. */
static void
check_loaded(struct ng_share *s)
{
	if (s->phase != RS_SCAN || !s->scan_done || s->scan_waiting ||
	    s->loads > 0)
		return;
	s->phase = RS_PUSH;
	s->push_table = 0;
	s->push_slot = 0;
	if (s->loaded > 0)
		changed(s);
}

/* resynced - the resync's end, said once: connected, or back. */
static void
resynced(struct ng_share *s)
{
	char d[32];

	s->phase = RS_IDLE;
	if (s->down_logged)
		ng_log(LOG_NOTICE, "shared state: redis %s back after %s; "
		    "resynced %llu entries (%llu loaded, %llu written)",
		    s->where, ng_duration_text((s->now - s->down_since) /
		    NG_USEC_PER_SEC, d, sizeof(d)),
		    (unsigned long long)(s->loaded + s->pushed),
		    (unsigned long long)s->loaded,
		    (unsigned long long)s->pushed);
	else
		ng_log(LOG_INFO, "shared state: redis %s connected as %s; "
		    "resynced %llu entries (%llu loaded, %llu written)",
		    s->where, s->conf.name,
		    (unsigned long long)(s->loaded + s->pushed),
		    (unsigned long long)s->loaded,
		    (unsigned long long)s->pushed);
	s->ever_up = 1;
	s->down_logged = 0;
}

/*
 * push_step - a step of writing every live local entry back: a bounded
 * number of slots and entries, and not while the link is busy.
 */
static void
push_step(struct ng_share *s)
{
	const struct ng_cache_entry *e;
	struct ng_cache *c;
	struct clocks k;
	unsigned slots = 0, entries = 0;

	clocks_at(&k, s->now);
	while (slots < PUSH_SLOTS && entries < PUSH_ENTRIES &&
	    ng_redis_link_pending(s->link) < PUSH_HIGH) {
		if (s->push_table >= NG_SHARE_TABLES) {
			resynced(s);
			return;
		}
		c = table_cache(s, s->push_table);
		if (s->push_slot >= ng_cache_nslots(c)) {
			s->push_table++;
			s->push_slot = 0;
			continue;
		}
		slots++;
		if ((e = ng_cache_slot(c, s->push_slot++, s->now)) == NULL)
			continue;
		write_entry(s, s->push_table, e, &k);
		s->pushed++;
		entries++;
	}
}

/* ---- the link's hooks ---- */

/* on_ready - the link is up: the resync starts with a SCAN. */
static void
on_ready(void *arg)
{
	struct ng_share *s = arg;

	s->phase = RS_SCAN;
	s->scan_waiting = s->scan_done = 0;
	s->loads = 0;
	s->loaded = s->pushed = 0;
	snprintf(s->cursor, sizeof(s->cursor), "0");
	memset(s->recent, 0, sizeof(s->recent));
	scan_next(s);
}

/* on_down - the link went down (or a try failed): said once. */
static void
on_down(void *arg, const char *why)
{
	struct ng_share *s = arg;

	s->phase = RS_IDLE;
	s->scan_waiting = 0;
	snprintf(s->why, sizeof(s->why), "%s", why);
	if (s->down_logged) {
		ng_log(LOG_DEBUG, "shared state: redis %s: %s", s->where, why);
		return;
	}
	ng_log(LOG_WARNING, "shared state: redis %s unavailable: %s; local "
	    "only", s->where, why);
	s->down_logged = 1;
	s->down_since = s->now;
}

/* ---- the interface ---- */

/* set_names - the channel and the URL's log text, from s->conf. */
static void
set_names(struct ng_share *s)
{
	snprintf(s->channel, sizeof(s->channel), "%supdates", s->conf.prefix);
	ng_redis_url_text(&s->conf.url, s->where, sizeof(s->where));
}

/* new_link - a link for the configuration in s->conf. */
static struct ng_redis_link *
new_link(struct ng_share *s)
{
	struct ng_redis_link_ops ops;

	memset(&ops, 0, sizeof(ops));
	ops.ready = on_ready;
	ops.down = on_down;
	ops.reply = on_reply;
	ops.message = on_message;
	ops.arg = s;
	set_names(s);
	return ng_redis_link_new(s->epfd, &s->conf.url, s->channel,
	    s->conf.timeout, NG_SHARE_PENDING_MAX, &ops);
}

/* ng_share_new - the shared state for engine e (see share.h). */
struct ng_share *
ng_share_new(int epfd, struct ng_engine *e, const struct ng_share_conf *c,
    const struct ng_share_hooks *h)
{
	struct ng_share *s = calloc(1, sizeof(*s));
	uint32_t i;

	if (s == NULL)
		return NULL;
	s->epfd = epfd;
	s->e = e;
	s->conf = *c;
	s->hooks = *h;
	s->req = calloc(REQ_MAX, sizeof(*s->req));
	if (s->req == NULL || ng_hash_key_draw(s->key) < 0 ||
	    (s->link = new_link(s)) == NULL) {
		free(s->req);
		free(s);
		return NULL;
	}
	for (i = 0; i < REQ_MAX; i++)
		s->req[i].next = i + 1;
	s->nfree = REQ_MAX;
	return s;
}

/* ng_share_free - the link dropped (replies due told), all freed. */
void
ng_share_free(struct ng_share *s)
{
	if (s == NULL)
		return;
	ng_redis_link_free(s->link);
	free(s->req);
	free(s);
}

/* add_counts - a replaced link's counts kept in the totals. */
static void
add_counts(struct ng_redis_link_counts *to,
    const struct ng_redis_link_counts *c)
{
	to->sent += c->sent;
	to->received += c->received;
	to->failures += c->failures;
	to->connects += c->connects;
}

/* ng_share_reconf - a reload's settings (see share.h). */
int
ng_share_reconf(struct ng_share *s, const struct ng_share_conf *c)
{
	struct ng_share_conf old = s->conf;
	struct ng_redis_link *l, *was = s->link;

	s->conf = *c;
	if (memcmp(&old.url, &c->url, sizeof(c->url)) == 0 &&
	    strcmp(old.prefix, c->prefix) == 0) {
		ng_redis_link_set_timeout(s->link, c->timeout);
		return 0;
	}
	if ((l = new_link(s)) == NULL) {
		s->conf = old;
		set_names(s);
		return -1;
	}
	add_counts(&s->gone, ng_redis_link_counts(was));
	s->link = l;
	s->phase = RS_IDLE;
	ng_redis_link_free(was);
	s->down_logged = 0;
	s->ever_up = 0;
	ng_log(LOG_INFO, "shared state: now redis %s, prefix %s", s->where,
	    s->conf.prefix);
	return 0;
}

/* ng_share_owns - whether fd is the link's. */
int
ng_share_owns(const struct ng_share *s, int fd)
{
	return ng_redis_link_owns(s->link, fd);
}

/* ng_share_event - readiness on one of the link's descriptors. */
void
ng_share_event(struct ng_share *s, int fd, uint32_t events, ng_usec now)
{
	s->now = now;
	ng_redis_link_event(s->link, fd, events, now);
}

/* ng_share_tick - the link's deadlines and tries, a step of resync. */
void
ng_share_tick(struct ng_share *s, ng_usec now)
{
	s->now = now;
	ng_redis_link_tick(s->link, now);
	if (s->phase == RS_PUSH && ng_redis_link_ready(s->link))
		push_step(s);
	else if (s->phase == RS_SCAN)
		scan_next(s);
}

/* ng_share_next - when the share next wants a tick. */
ng_usec
ng_share_next(const struct ng_share *s)
{
	ng_usec t = ng_redis_link_next(s->link);

	if (s->phase == RS_PUSH && ng_redis_link_ready(s->link) &&
	    ng_redis_link_pending(s->link) < PUSH_HIGH)
		return s->now;
	if (s->phase == RS_SCAN && !s->scan_waiting && !s->scan_done &&
	    s->nfree >= SCAN_ROOM)
		return s->now;
	return t;
}

/* event_table - the table an engine event changed, or NG_SHARE_TABLES. */
static unsigned
event_table(const struct ng_event *ev)
{
	switch (ev->type) {
	case NG_EV_PASS_NEW:
		return NG_SHARE_PASS;
	case NG_EV_PREGREET:
		return NG_SHARE_PENALTY;
	case NG_EV_TRAP:
		return ev->trap == NG_TRAP_PENALISED ? NG_SHARE_PENALTY :
		    NG_SHARE_TABLES;
	case NG_EV_GREYLIST:	/* a first try (a rule's or a score's,
				 * engine/score.h), not an early retry */
		return ev->reason != NULL && (strcmp(ev->reason, "new") == 0 ||
		    strcmp(ev->reason, "score") == 0) ? NG_SHARE_GREY :
		    NG_SHARE_TABLES;
	default:
		return NG_SHARE_TABLES;
	}
}

/*
 * syn_write_ok - one write a forged SYN could have caused may go out:
 * within the bucket (SYN_WRITES a second), else counted as dropped; the
 * entry lives on locally and the next resync carries it.
 */
static int
syn_write_ok(struct ng_share *s, ng_usec now)
{
	if (now > s->syn_at) {
		s->syn_tokens += (double)(now - s->syn_at) * SYN_WRITES /
		    (double)NG_USEC_PER_SEC;
		if (s->syn_tokens > SYN_WRITES)
			s->syn_tokens = SYN_WRITES;
		s->syn_at = now;
	}
	if (s->syn_tokens < 1) {
		s->dropped++;
		return 0;
	}
	s->syn_tokens -= 1;
	return 1;
}

/*
 * ng_share_engine_event - what an engine event changed, out to Redis:
 * the entry it made or refreshed, and the client's contact.
 */
void
ng_share_engine_event(struct ng_share *s, const struct ng_event *ev)
{
	const struct ng_cache_entry *e = NULL, *ct;
	struct clocks k;
	unsigned t = event_table(ev);

	if (!ng_redis_link_ready(s->link))
		return;
	s->now = ev->when;
	if (t < NG_SHARE_TABLES)
		e = ng_cache_find(table_cache(s, t), &ev->client, ev->when);
	/* Its first is the latest SYN: this event's, when it was one. */
	ct = ng_cache_find(table_cache(s, NG_SHARE_CONTACT), &ev->client,
	    ev->when);
	if (ct != NULL && (ct->first != ev->when ||
	    recent_fresh(s, NG_SHARE_CONTACT, &ct->key)))
		ct = NULL;
	if (e == NULL && ct == NULL)
		return;
	clocks_at(&k, ev->when);
	if (e != NULL && t == NG_SHARE_GREY) {
		if (syn_write_ok(s, ev->when))
			grey_first(s, e, &k);
	} else if (e != NULL)
		write_entry(s, t, e, &k);
	if (ct != NULL && syn_write_ok(s, ev->when))
		write_entry(s, NG_SHARE_CONTACT, ct, &k);
}

/* ng_share_confirmed - a PASS OLD flow's handshake: the refresh out. */
void
ng_share_confirmed(struct ng_share *s, const struct ng_addr *client,
    ng_usec now)
{
	const struct ng_cache_entry *e;
	struct clocks k;

	if (!ng_redis_link_ready(s->link))
		return;
	s->now = now;
	e = ng_cache_find(table_cache(s, NG_SHARE_PASS), client, now);
	if (e == NULL || recent_fresh(s, NG_SHARE_PASS, &e->key))
		return;
	clocks_at(&k, now);
	write_entry(s, NG_SHARE_PASS, e, &k);
}

/*
 * ng_share_ctl_change - nfq-gate-ctl added or deleted an entry: the
 * other gates follow (a flush stays local).
 */
void
ng_share_ctl_change(struct ng_share *s, unsigned table, int added,
    const struct ng_addr *a, int prefix, ng_usec now)
{
	const struct ng_cache_entry *e;
	struct ng_share_msg m;
	struct clocks k;

	if (!ng_redis_link_ready(s->link) || a == NULL || prefix < 0 ||
	    table >= NG_SHARE_TABLES)
		return;
	s->now = now;
	clocks_at(&k, now);
	if (added) {
		e = ng_cache_find(table_cache(s, table), a, now);
		if (e != NULL)
			write_entry(s, table, e, &k);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.table = table;
	m.addr = *a;
	m.plen = (unsigned)prefix;
	snprintf(m.val.origin, sizeof(m.val.origin), "%s", s->conf.name);
	if (key_cmd(s, "DEL", table, a, m.plen, &tag_write) == 0)
		publish(s, &m);
}

/*
 * trap_ask - the client's contact key, then its greylist key, asked with
 * record q; how many were sent (a second not sent makes the answer "no
 * link": the first one's reply must not decide alone).
 */
static unsigned
trap_ask(struct ng_share *s, struct req *q)
{
	static const unsigned asked[2] = { NG_SHARE_CONTACT, NG_SHARE_GREY };
	struct ng_cache *c;
	struct ng_addr k;
	unsigned t, plen;

	for (t = 0; t < 2; t++) {
		c = table_cache(s, asked[t]);
		k = q->addr;
		plen = ng_cache_prefix_for(c, &k);
		ng_addr_mask(&k, plen);
		if (key_cmd(s, "GET", asked[t], &k, plen, q) < 0) {
			q->lost = 1;
			break;
		}
	}
	return t;
}

/*
 * ng_share_trap_check - a trap hit with no contact here: is there one
 * (or a greylist entry) in Redis?  Not penalised without an answer.
 */
void
ng_share_trap_check(struct ng_share *s, const struct ng_event *ev,
    ng_usec now)
{
	struct req local, *q = NULL;

	s->now = now;
	if (ng_redis_link_ready(s->link))
		q = req_get(s, R_TRAP);
	if (q == NULL) {
		memset(&local, 0, sizeof(local));
		q = &local;
	}
	q->addr = ev->client;
	q->server = ev->server;
	q->cport = ev->cport;
	q->sport = ev->sport;
	q->t0 = now;
	if (q != &local && (q->left = (uint8_t)trap_ask(s, q)) > 0)
		return;
	trap_line(q, "not penalised, shared state unavailable");
	if (q != &local)
		req_put(s, q);
}

/* ng_share_counts - the counters for status and the prom file. */
void
ng_share_counts(const struct ng_share *s, struct ng_share_counts *c)
{
	struct ng_redis_link_counts t = s->gone;

	add_counts(&t, ng_redis_link_counts(s->link));
	memset(c, 0, sizeof(*c));
	c->up = ng_redis_link_ready(s->link);
	c->errors = s->errors + t.failures;
	c->sent = t.sent;
	c->received = t.received;
	c->dropped = s->dropped;
	c->reconnects = t.connects > 1 ? t.connects - 1 : 0;
}

/* ng_share_status - the status line (see share.h). */
void
ng_share_status(const struct ng_share *s, ng_usec now, char *buf,
    size_t len, int *healthy)
{
	ng_usec since = ng_redis_link_since(s->link);
	char d[32];

	*healthy = ng_redis_link_ready(s->link);
	if (*healthy)
		snprintf(buf, len, "up %s (%s, as %s), %u waiting%s",
		    ng_duration_text(now > since ? (now - since) /
		    NG_USEC_PER_SEC : 0, d, sizeof(d)), s->where,
		    s->conf.name, ng_redis_link_pending(s->link),
		    s->phase != RS_IDLE ? ", resyncing" : "");
	else
		snprintf(buf, len, "DOWN %s (%s): %s", ng_duration_text(
		    s->down_logged && now > s->down_since ? (now -
		    s->down_since) / NG_USEC_PER_SEC : 0, d, sizeof(d)),
		    s->where, s->why[0] ? s->why : "not connected yet");
}
