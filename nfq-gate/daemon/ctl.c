/*
 * ctl.c - nfq-gate-ctl's requests: one line parsed into words, and its
 * verb run over the gate's tables (see ctl.h).
 *
 * The same code answers the running gate's control socket and the
 * offline tool, so both say the same thing about the same tables.  A
 * request is copied into a fixed buffer and checked byte by byte before
 * it is split, so nothing a client sends can reach past NG_CTL_LINE_MAX
 * or put a second line into the status line's message.
 *
 * Matching: an admin names an address or a CIDR, the tables hold keys
 * masked to their prefix (a /24 or a /64 for the penalty box).  A target
 * matches an entry when the two prefixes overlap, that is when one holds
 * the other: "list penalty 203.0.113.7" finds the 203.0.113.0/24 entry
 * covering that address, "del pass 192.0.2.0/24" every host inside it.
 *
 * Time: the tables keep monotonic microseconds; the text prints when an
 * entry was made as UTC wall time (wall_offset; UTC because the live
 * gate's sandbox reads no time zone file), JSON as unix seconds, and
 * what is left of a TTL in the largest two units ("52m10s").
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/addr.h"
#include "base/duration.h"
#include "base/err.h"
#include "daemon/ctl.h"
#include "daemon/origin.h"

#define WORDS_MAX	8	/* "json add penalty ADDR TTL" is five */
#define OUT_FIRST	1024	/* the body's first allocation */
#define HITS_FIRST	16	/* the first allocation of matched entries */
#define ECHO_MAX	"60"	/* bytes of a bad word quoted in a message */

/* One request on its way through: what it asked and where it answers. */
struct call {
	struct ng_ctl *c;
	struct ng_ctl_out *o;
	char *msg;
	size_t msglen;
	int json;
	enum ng_ctl_table t;		/* for the verbs that name a table */
	struct ng_cache *tab;		/* c->table[t] */
	char **arg;			/* the words after verb and table */
	int narg;
};

/* What list, del and flush match: one address, a CIDR, or everything. */
struct target {
	struct ng_addr net;		/* masked to plen */
	unsigned plen;
	int all;
};

/* The live entries a target matched, copied out of the table. */
struct hits {
	struct ng_cache_entry *v;
	size_t n, cap;
	const struct target *tg;
	const struct ng_cache *tab;
	ng_usec now;
	int nomem;
};

struct verb {
	const char *name;
	int tabled;			/* a table word follows the verb */
	int min, max;			/* words after that */
	int (*run)(struct call *);
	const char *usage;
};

static int say(struct call *k, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *const table_names[NG_CTL_TABLE_MAX] = {
	"pass", "penalty", "greylist"
};

/* ng_ctl_table_name - a table's name in requests and answers. */
const char *
ng_ctl_table_name(enum ng_ctl_table t)
{
	if ((unsigned)t >= NG_CTL_TABLE_MAX)
		return "?";
	return table_names[t];
}

/* ng_ctl_out_init - an empty body, nothing allocated yet. */
void
ng_ctl_out_init(struct ng_ctl_out *o)
{
	memset(o, 0, sizeof(*o));
}

/* ng_ctl_out_free - give back the body; o is empty again after. */
void
ng_ctl_out_free(struct ng_ctl_out *o)
{
	free(o->buf);
	ng_ctl_out_init(o);
}

/*
 * out_room - room for need more bytes and the NUL; 0, or -1 with
 * o->failed set, after which nothing is appended (the body is cut
 * short where memory ran out, never garbled).
 */
static int
out_room(struct ng_ctl_out *o, size_t need)
{
	size_t cap;
	char *p;

	if (o->failed)
		return -1;
	if (need < o->cap - o->len)
		return 0;
	if (need > SIZE_MAX / 4 - o->len) {
		o->failed = 1;
		return -1;
	}
	cap = o->cap > 0 ? o->cap : OUT_FIRST;
	while (cap - o->len <= need)
		cap *= 2;
	if ((p = realloc(o->buf, cap)) == NULL) {
		o->failed = 1;
		return -1;
	}
	o->buf = p;
	o->cap = cap;
	return 0;
}

/* out_mem - n bytes onto the body. */
static void
out_mem(struct ng_ctl_out *o, const char *s, size_t n)
{
	if (out_room(o, n) < 0)
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* ng_ctl_printf - formatted text onto the body. */
void
ng_ctl_printf(struct ng_ctl_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = 1;
		return;
	}
	if (out_room(o, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/*
 * ng_ctl_json_str - s as a JSON string.  Anything outside printable
 * ASCII is escaped, so the document stays valid whatever a hook hands us.
 */
void
ng_ctl_json_str(struct ng_ctl_out *o, const char *s)
{
	const unsigned char *p;

	out_mem(o, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			ng_ctl_printf(o, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			ng_ctl_printf(o, "\\u%04x", *p);
		else
			out_mem(o, (const char *)p, 1);
	}
	out_mem(o, "\"", 1);
}

/* say - the status line's message; returns code. */
static int
say(struct call *k, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ng_verr(k->msg, k->msglen, fmt, ap);
	va_end(ap);
	return code;
}

/* not_here - a verb whose hook is missing: offline, or not wired up. */
static int
not_here(struct call *k, const char *verb)
{
	return say(k, NG_CTL_USAGE, "%s: not available here (offline)", verb);
}

/* wall_secs - a table time as unix seconds, wall_offset added exactly. */
static int64_t
wall_secs(const struct ng_ctl *c, ng_usec t)
{
	int64_t q = (int64_t)(t / NG_USEC_PER_SEC);
	int64_t r = (int64_t)(t % NG_USEC_PER_SEC);
	int64_t one = (int64_t)NG_USEC_PER_SEC;

	/* Each part fits, and so does their sum: no overflow whatever
	 * the offset. */
	r += c->wall_offset % one;
	if (r < 0)
		q--;
	else if (r >= one)
		q++;
	return q + c->wall_offset / one;
}

/* wall_text - a table time as "2026-12-06 04:10:02 UTC". */
static char *
wall_text(const struct ng_ctl *c, ng_usec t, char *buf, size_t len)
{
	int64_t s = wall_secs(c, t);
	time_t tt = (time_t)s;
	struct tm tm;

	if ((int64_t)tt != s || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, s);
	return buf;
}

/* whole_secs - microseconds as seconds, rounded up, so a live entry
 * never shows 0s left. */
static uint64_t
whole_secs(ng_usec d)
{
	return d / NG_USEC_PER_SEC + (d % NG_USEC_PER_SEC != 0);
}

/* left_secs - what is left of an entry's TTL, in seconds. */
static uint64_t
left_secs(const struct ng_ctl *c, ng_usec expires)
{
	return whole_secs(expires > c->now ? expires - c->now : 0);
}

/* age_secs - how long ago t was, in whole seconds. */
static uint64_t
age_secs(const struct ng_ctl *c, ng_usec t)
{
	return c->now > t ? (c->now - t) / NG_USEC_PER_SEC : 0;
}

/* key_text - an entry's key with its table's prefix: "203.0.113.0/24". */
static char *
key_text(const struct ng_cache *tab, const struct ng_addr *key, char *buf,
    size_t len)
{
	char a[NG_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", ng_addr_format(key, a, sizeof(a)),
	    ng_cache_prefix_for(tab, key));
	return buf;
}

/*
 * entry_json - one entry as an object; expires_in null for "never",
 * origin "local" or the peer gate it came from.
 */
static void
entry_json(struct call *k, const struct ng_cache_entry *e)
{
	char a[NG_ADDRSTRLEN + 8];

	ng_ctl_printf(k->o, "{\"addr\":\"%s\",\"count\":%" PRIu32
	    ",\"first\":%" PRId64 ",\"expires_in\":",
	    key_text(k->tab, &e->key, a, sizeof(a)), e->count,
	    wall_secs(k->c, e->first));
	if (e->expires == NG_NEVER)
		ng_ctl_printf(k->o, "null");
	else
		ng_ctl_printf(k->o, "%" PRIu64, left_secs(k->c, e->expires));
	ng_ctl_printf(k->o, ",\"origin\":");
	ng_ctl_json_str(k->o, ng_origin_name(e->origin));
	ng_ctl_printf(k->o, "}");
}

/* entry_text - one entry as a line, columns padded to aw and cw. */
static void
entry_text(struct call *k, const struct ng_cache_entry *e, int aw, int cw)
{
	char a[NG_ADDRSTRLEN + 8], first[64], span[32], left[48];

	if (e->expires == NG_NEVER)
		snprintf(left, sizeof(left), "never expires");
	else
		snprintf(left, sizeof(left), "expires in %s", ng_duration_text(
		    left_secs(k->c, e->expires), span, sizeof(span)));
	ng_ctl_printf(k->o, "%-*s   count %-*" PRIu32 "   first %s   %s   "
	    "origin=%s\n", aw, key_text(k->tab, &e->key, a, sizeof(a)), cw,
	    e->count, wall_text(k->c, e->first, first, sizeof(first)), left,
	    ng_origin_name(e->origin));
}

/* entries_text - the entries as aligned lines. */
static void
entries_text(struct call *k, const struct hits *h)
{
	char a[NG_ADDRSTRLEN + 8], n[16];
	int aw = 0, cw = 0, w;
	size_t i;

	for (i = 0; i < h->n; i++) {
		w = (int)strlen(key_text(k->tab, &h->v[i].key, a, sizeof(a)));
		aw = w > aw ? w : aw;
		w = snprintf(n, sizeof(n), "%" PRIu32, h->v[i].count);
		cw = w > cw ? w : cw;
	}
	for (i = 0; i < h->n; i++)
		entry_text(k, &h->v[i], aw, cw);
}

/* entries_json - the entries as a JSON array. */
static void
entries_json(struct call *k, const struct hits *h)
{
	size_t i;

	ng_ctl_printf(k->o, "[");
	for (i = 0; i < h->n; i++) {
		if (i > 0)
			ng_ctl_printf(k->o, ",");
		entry_json(k, &h->v[i]);
	}
	ng_ctl_printf(k->o, "]");
}

/* plural - "1 entry", "3 entries". */
static const char *
plural(size_t n)
{
	return n == 1 ? "entry" : "entries";
}

/*
 * overlaps - whether an entry keyed key (a prefix of eplen bits) and the
 * target share an address: masked to the shorter of the two prefixes,
 * they are equal.
 */
static int
overlaps(const struct ng_addr *key, unsigned eplen, const struct target *tg)
{
	struct ng_addr n;
	unsigned m;

	if (tg->all)
		return 1;
	if (key->family != tg->net.family)
		return 0;
	m = eplen < tg->plen ? eplen : tg->plen;
	n = tg->net;
	ng_addr_mask(&n, m);
	return ng_addr_in(key, &n, m);
}

/* hit - ng_cache_walk's callback: keep a live entry the target matches. */
static int
hit(const struct ng_cache_entry *e, void *arg)
{
	struct hits *h = arg;
	struct ng_cache_entry *v;
	size_t cap;

	if (e->expires <= h->now ||
	    !overlaps(&e->key, ng_cache_prefix_for(h->tab, &e->key), h->tg))
		return 0;
	if (h->n == h->cap) {
		cap = h->cap > 0 ? h->cap * 2 : HITS_FIRST;
		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(h->v, cap * sizeof(*v))) == NULL) {
			h->nomem = 1;
			return -1;
		}
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = *e;
	return 0;
}

/* by_key - qsort's order for entries: by address. */
static int
by_key(const void *a, const void *b)
{
	const struct ng_cache_entry *x = a, *y = b;

	return ng_addr_cmp(&x->key, &y->key);
}

/*
 * collect - copies of the live entries the target matches, by address.
 * Copies, because del and flush change the table the walk goes over.
 * 0, or -1 out of memory (h holds nothing then).
 */
static int
collect(struct call *k, const struct target *tg, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	h->tg = tg;
	h->tab = k->tab;
	h->now = k->c->now;
	ng_cache_walk(k->tab, hit, h);
	if (h->nomem) {
		free(h->v);
		memset(h, 0, sizeof(*h));
		return -1;
	}
	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), by_key);
	return 0;
}

/*
 * del_exact - delete the entry keyed k.  ng_cache_del masks what it is
 * given to the table's prefix; an entry made under a longer prefix
 * before a reload would then be missed, so the table's prefix is a
 * host's for the call and is put back after.
 */
static void
del_exact(struct ng_cache *tab, const struct ng_addr *k)
{
	unsigned p4, p6;

	ng_cache_prefix(tab, &p4, &p6);
	ng_cache_set_prefix(tab, 32, 128);
	ng_cache_del(tab, k);
	ng_cache_set_prefix(tab, p4, p6);
}

/* get_target - an ADDR or CIDR word, or everything when w is NULL. */
static int
get_target(struct call *k, const char *w, struct target *tg)
{
	memset(tg, 0, sizeof(*tg));
	if (w == NULL) {
		tg->all = 1;
		return NG_CTL_OK;
	}
	if (ng_addr_parse_cidr(&tg->net, &tg->plen, w) < 0)
		return say(k, NG_CTL_USAGE, "bad address or CIDR \"%."
		    ECHO_MAX "s\"", w);
	return NG_CTL_OK;
}

/* do_list - the live entries, or those a target matches. */
static int
do_list(struct call *k)
{
	struct target tg;
	struct hits h;
	int rc;

	if ((rc = get_target(k, k->narg > 0 ? k->arg[0] : NULL, &tg)) !=
	    NG_CTL_OK)
		return rc;
	if (collect(k, &tg, &h) < 0)
		return say(k, NG_CTL_FAILED, "out of memory");
	if (h.n == 0 && !tg.all)
		return say(k, NG_CTL_NOTFOUND, "no such entry");
	if (k->json) {
		ng_ctl_printf(k->o, "{\"table\":\"%s\",\"entries\":",
		    ng_ctl_table_name(k->t));
		entries_json(k, &h);
		ng_ctl_printf(k->o, "}\n");
	} else {
		entries_text(k, &h);
		ng_ctl_printf(k->o, "%zu %s\n", h.n, plural(h.n));
	}
	free(h.v);
	return NG_CTL_OK;
}

/* drop_all - delete the collected entries, telling changed() of each. */
static void
drop_all(struct call *k, const struct hits *h, int tell)
{
	struct ng_ctl *c = k->c;
	size_t i;

	for (i = 0; i < h->n; i++) {
		del_exact(k->tab, &h->v[i].key);
		if (tell && c->changed != NULL)
			c->changed(c->arg, k->t, 0, &h->v[i].key,
			    (int)ng_cache_prefix_for(k->tab, &h->v[i].key));
	}
	if (h->n > 0)
		c->modified = 1;
}

/* deleted_body - what del and flush answer: the count, the entries. */
static void
deleted_body(struct call *k, const struct hits *h)
{
	if (k->json) {
		ng_ctl_printf(k->o, "{\"table\":\"%s\",\"deleted\":%zu,"
		    "\"entries\":", ng_ctl_table_name(k->t), h->n);
		entries_json(k, h);
		ng_ctl_printf(k->o, "}\n");
		return;
	}
	entries_text(k, h);
	ng_ctl_printf(k->o, "%zu %s deleted from %s\n", h->n, plural(h->n),
	    ng_ctl_table_name(k->t));
}

/* do_del - delete every entry the target matches. */
static int
do_del(struct call *k)
{
	struct target tg;
	struct hits h;
	int rc;

	if ((rc = get_target(k, k->arg[0], &tg)) != NG_CTL_OK)
		return rc;
	if (collect(k, &tg, &h) < 0)
		return say(k, NG_CTL_FAILED, "out of memory");
	if (h.n == 0)
		return say(k, NG_CTL_NOTFOUND, "no such entry");
	drop_all(k, &h, 1);
	deleted_body(k, &h);
	free(h.v);
	return NG_CTL_OK;
}

/*
 * do_flush - delete every entry, the expired ones not yet swept too.
 * changed() hears of it once, as "every one" (prefix -1), even from an
 * empty table: live, the penalty box's nft set is emptied whatever it
 * still holds, which is what an admin flushing it means.
 */
static int
do_flush(struct call *k)
{
	struct target tg;
	struct hits h;

	memset(&tg, 0, sizeof(tg));
	tg.all = 1;
	if (collect(k, &tg, &h) < 0)
		return say(k, NG_CTL_FAILED, "out of memory");
	drop_all(k, &h, 0);
	ng_cache_expire(k->tab, k->c->now);
	if (k->c->changed != NULL)
		k->c->changed(k->c->arg, k->t, 0, NULL, -1);
	k->c->modified = 1;
	if (k->json)
		ng_ctl_printf(k->o, "{\"table\":\"%s\",\"deleted\":%zu}\n",
		    ng_ctl_table_name(k->t), h.n);
	else
		ng_ctl_printf(k->o, "%zu %s deleted from %s\n", h.n,
		    plural(h.n), ng_ctl_table_name(k->t));
	free(h.v);
	return NG_CTL_OK;
}

/* add_ttl - the TTL word, or the table's own; 0, or a usage answer. */
static int
add_ttl(struct call *k, ng_usec *ttl)
{
	*ttl = k->c->ttl[k->t];
	if (k->narg > 1 && (ng_parse_duration(k->arg[1], ttl) < 0 ||
	    *ttl == 0))
		return say(k, NG_CTL_USAGE, "bad TTL \"%." ECHO_MAX "s\" "
		    "(a duration above 0: 3600, 90m, 1h, 7d)", k->arg[1]);
	if (*ttl == 0)
		return say(k, NG_CTL_USAGE, "add %s: give a TTL (the table "
		    "has none)", ng_ctl_table_name(k->t));
	return NG_CTL_OK;
}

/*
 * add_meaning - what an added entry does, and its count.  The count is
 * what the gate itself would have: a pass entry is 1, a client that
 * passed once ("new" to the policy service until it comes back and
 * confirms: PASS OLD makes it "old") - any entry passes at the SYN, and
 * an admin's word is not a returning sender's; a penalty entry counts
 * one more offence; a greylist entry is a first try made now.
 */
static const char *
add_meaning(struct call *k, struct ng_cache_entry *e)
{
	switch (k->t) {
	case NG_CTL_PASS:
		if (e->count == 0)
			e->count = 1;
		return "passes at its SYN (PASS OLD); \"new\" to the policy "
		    "service until it comes back";
	case NG_CTL_PENALTY:
		if (e->count < UINT32_MAX)
			e->count++;
		return "would be refused at its SYN (penalty box)";
	default:
		if (e->count == 0)
			e->count = 1;
		return "greylisted: a first try made now";
	}
}

/* add_body - the added entry and what it means. */
static void
add_body(struct call *k, const struct ng_cache_entry *e, int fresh,
    const char *meaning)
{
	char a[NG_ADDRSTRLEN + 8];

	if (k->json) {
		ng_ctl_printf(k->o, "{\"table\":\"%s\",\"new\":%s,\"entry\":",
		    ng_ctl_table_name(k->t), fresh ? "true" : "false");
		entry_json(k, e);
		ng_ctl_printf(k->o, ",\"meaning\":");
		ng_ctl_json_str(k->o, meaning);
		ng_ctl_printf(k->o, "}\n");
		return;
	}
	entry_text(k, e, 0, 0);
	ng_ctl_printf(k->o, "%s %s %s: %s\n", key_text(k->tab, &e->key, a,
	    sizeof(a)), fresh ? "added to" : "refreshed in",
	    ng_ctl_table_name(k->t), meaning);
}

/*
 * add_addr - the address word of add: an address, or a CIDR no wider
 * than the table's prefix (it names one entry, not many).
 */
static int
add_addr(struct call *k, struct ng_addr *a)
{
	unsigned plen;

	if (ng_addr_parse_cidr(a, &plen, k->arg[0]) < 0)
		return say(k, NG_CTL_USAGE, "bad address \"%." ECHO_MAX "s\"",
		    k->arg[0]);
	if (plen < ng_cache_prefix_for(k->tab, a))
		return say(k, NG_CTL_USAGE, "add %s: %." ECHO_MAX "s is wider "
		    "than the table's /%u", ng_ctl_table_name(k->t),
		    k->arg[0], ng_cache_prefix_for(k->tab, a));
	return NG_CTL_OK;
}

/* do_add - put an address's entry in, or refresh its TTL. */
static int
do_add(struct call *k)
{
	struct ng_cache_entry *e;
	struct ng_addr a;
	const char *meaning;
	ng_usec ttl;
	int rc, fresh;

	if ((rc = add_addr(k, &a)) != NG_CTL_OK ||
	    (rc = add_ttl(k, &ttl)) != NG_CTL_OK)
		return rc;
	fresh = ng_cache_find(k->tab, &a, k->c->now) == NULL;
	if ((e = ng_cache_put(k->tab, &a, k->c->now, ttl)) == NULL)
		return say(k, NG_CTL_FAILED, "%s: table full",
		    ng_ctl_table_name(k->t));
	meaning = add_meaning(k, e);
	if (k->c->changed != NULL)
		k->c->changed(k->c->arg, k->t, 1, &e->key,
		    (int)ng_cache_prefix_for(k->tab, &e->key));
	k->c->modified = 1;
	add_body(k, e, fresh, meaning);
	return NG_CTL_OK;
}

/*
 * verdict - what the tables make of a SYN from the address, strongest
 * rule first as admit.c has them (the lists and country rules are not
 * the tables', so they are not in it); buf when it needs numbers.
 */
static const char *
verdict(struct call *k, struct ng_cache_entry *const e[], char *buf,
    size_t len)
{
	char age[32], left[32];

	if (e[NG_CTL_PENALTY] != NULL)
		return "would be refused at its SYN (penalty box)";
	if (e[NG_CTL_PASS] != NULL)
		return "passes at its SYN (PASS OLD)";
	if (e[NG_CTL_GREYLIST] == NULL)
		return "nothing known";
	snprintf(buf, len, "greylisted: first try %s ago, %" PRIu32 " %s, "
	    "forgotten in %s",
	    ng_duration_text(age_secs(k->c, e[NG_CTL_GREYLIST]->first), age,
	    sizeof(age)), e[NG_CTL_GREYLIST]->count,
	    e[NG_CTL_GREYLIST]->count == 1 ? "try" : "tries",
	    ng_duration_text(left_secs(k->c, e[NG_CTL_GREYLIST]->expires), left,
	    sizeof(left)));
	return buf;
}

/* where_json - the database's country, asn and owner (null unknown). */
static void
where_json(struct call *k, const struct ng_ctl_where *w)
{
	ng_ctl_printf(k->o, ",\"country\":");
	ng_ctl_json_str(k->o, w->cc);
	if (w->asn != 0)
		ng_ctl_printf(k->o, ",\"asn\":%" PRIu32, w->asn);
	else
		ng_ctl_printf(k->o, ",\"asn\":null");
	ng_ctl_printf(k->o, ",\"owner\":");
	if (w->owner[0] != '\0')
		ng_ctl_json_str(k->o, w->owner);
	else
		ng_ctl_printf(k->o, "null");
}

/* show_json - show's answer as one object; a table with no entry null. */
static void
show_json(struct call *k, const char *addr, const struct ng_ctl_where *w,
    struct ng_cache_entry *const e[], const char *what)
{
	unsigned t;

	ng_ctl_printf(k->o, "{\"addr\":\"%s\"", addr);
	if (w != NULL)
		where_json(k, w);
	for (t = 0; t < NG_CTL_TABLE_MAX; t++) {
		ng_ctl_printf(k->o, ",\"%s\":", table_names[t]);
		k->tab = k->c->table[t];
		if (e[t] == NULL)
			ng_ctl_printf(k->o, "null");
		else
			entry_json(k, e[t]);
	}
	ng_ctl_printf(k->o, ",\"verdict\":");
	ng_ctl_json_str(k->o, what);
	ng_ctl_printf(k->o, "}\n");
}

/* show_text - show's answer as labelled lines. */
static void
show_text(struct call *k, const char *addr, const struct ng_ctl_where *w,
    struct ng_cache_entry *const e[], const char *what)
{
	unsigned t;

	ng_ctl_printf(k->o, "address   %s\n", addr);
	if (w != NULL) {
		ng_ctl_printf(k->o, "country   %s\n", w->cc);
		if (w->asn != 0)
			ng_ctl_printf(k->o, "asn       AS%" PRIu32 "\n",
			    w->asn);
		else
			ng_ctl_printf(k->o, "asn       --\n");
		ng_ctl_printf(k->o, "owner     %s\n",
		    w->owner[0] != '\0' ? w->owner : "--");
	}
	for (t = 0; t < NG_CTL_TABLE_MAX; t++) {
		ng_ctl_printf(k->o, "%-9s ", table_names[t]);
		k->tab = k->c->table[t];
		if (e[t] == NULL)
			ng_ctl_printf(k->o, "-\n");
		else
			entry_text(k, e[t], 0, 0);
	}
	ng_ctl_printf(k->o, "verdict   %s\n", what);
}

/* where_of - the where hook's answer, its strings terminated. */
static const struct ng_ctl_where *
where_of(struct call *k, const struct ng_addr *a, struct ng_ctl_where *w)
{
	if (k->c->where == NULL)
		return NULL;
	memset(w, 0, sizeof(*w));
	memcpy(w->cc, "--", 3);
	k->c->where(k->c->arg, a, w);
	w->cc[2] = '\0';
	w->owner[sizeof(w->owner) - 1] = '\0';
	return w;
}

/* ng_ctl_where_db - country, AS number and owner of a in db. */
void
ng_ctl_where_db(const struct ng_netdb *db, const struct ng_addr *a,
    struct ng_ctl_where *w)
{
	struct ng_where nw;
	const char *owner;

	memset(w, 0, sizeof(*w));
	memcpy(w->cc, "--", 3);
	if (db == NULL)
		return;
	ng_netdb_find(db, a, &nw);
	ng_cc_str(nw.cc, w->cc);
	w->asn = nw.asn;
	if ((owner = ng_netdb_owner(db, nw.owner)) != NULL)
		snprintf(w->owner, sizeof(w->owner), "%s", owner);
}

/* do_show - every fact the tables hold about one address. */
static int
do_show(struct call *k)
{
	struct ng_cache_entry *e[NG_CTL_TABLE_MAX];
	char addr[NG_ADDRSTRLEN], buf[160];
	const struct ng_ctl_where *wp;
	struct ng_ctl_where w;
	const char *what;
	struct ng_addr a;
	unsigned t;

	if (ng_addr_parse(&a, k->arg[0]) < 0)
		return say(k, NG_CTL_USAGE, "bad address \"%." ECHO_MAX "s\"",
		    k->arg[0]);
	for (t = 0; t < NG_CTL_TABLE_MAX; t++)
		e[t] = k->c->table[t] == NULL ? NULL :
		    ng_cache_find(k->c->table[t], &a, k->c->now);
	wp = where_of(k, &a, &w);
	what = verdict(k, e, buf, sizeof(buf));
	ng_addr_format(&a, addr, sizeof(addr));
	if (k->json)
		show_json(k, addr, wp, e, what);
	else
		show_text(k, addr, wp, e, what);
	return NG_CTL_OK;
}

/* do_status - the gate's health, from its hook. */
static int
do_status(struct call *k)
{
	char why[256];
	int rc;

	if (k->c->status == NULL)
		return not_here(k, "status");
	why[0] = '\0';
	rc = k->c->status(k->c->arg, k->json, k->o, why, sizeof(why));
	if (rc == NG_CTL_OK)
		return NG_CTL_OK;
	if (rc != NG_CTL_UNHEALTHY)
		rc = NG_CTL_FAILED;
	why[sizeof(why) - 1] = '\0';
	return say(k, rc, "%s", why[0] != '\0' ? why :
	    rc == NG_CTL_UNHEALTHY ? "unhealthy" : "status failed");
}

/* run_hook - reload or save through its hook; the body says it is done. */
static int
run_hook(struct call *k, const char *verb,
    int (*fn)(void *, char *, size_t), const char *done)
{
	char err[256];

	if (fn == NULL)
		return not_here(k, verb);
	err[0] = '\0';
	if (fn(k->c->arg, err, sizeof(err)) != 0) {
		err[sizeof(err) - 1] = '\0';
		return say(k, NG_CTL_FAILED, "%s: %s", verb, err[0] != '\0' ?
		    err : "failed");
	}
	if (k->json)
		ng_ctl_printf(k->o, "{\"%s\":\"ok\"}\n", verb);
	else
		ng_ctl_printf(k->o, "%s\n", done);
	return NG_CTL_OK;
}

/* do_reload - read the configuration again, as SIGHUP does. */
static int
do_reload(struct call *k)
{
	return run_hook(k, "reload", k->c->reload, "reloaded");
}

/*
 * do_save - start a state save now.  The gate writes off its loop (the
 * writer thread), so this says it began, not that it is on disk: the
 * files follow within a second, and a failing save is in status.
 */
static int
do_save(struct call *k)
{
	return run_hook(k, "save", k->c->save,
	    "state save started (on disk within a second)");
}

static const struct verb verbs[] = {
	{ "status", 0, 0, 0, do_status, "status" },
	{ "list", 1, 0, 1, do_list, "list pass|penalty|greylist [ADDR|CIDR]" },
	{ "show", 0, 1, 1, do_show, "show ADDR" },
	{ "del", 1, 1, 1, do_del, "del pass|penalty|greylist ADDR|CIDR" },
	{ "add", 1, 1, 2, do_add, "add pass|penalty|greylist ADDR [TTL]" },
	{ "flush", 1, 0, 0, do_flush, "flush pass|penalty|greylist" },
	{ "reload", 0, 0, 0, do_reload, "reload" },
	{ "save", 0, 0, 0, do_save, "save" },
};

/* find_verb - the verb named w, or NULL. */
static const struct verb *
find_verb(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(w, verbs[i].name) == 0)
			return &verbs[i];
	return NULL;
}

/* find_table - the table named w; 0, or -1. */
static int
find_table(const char *w, enum ng_ctl_table *t)
{
	unsigned i;

	for (i = 0; i < NG_CTL_TABLE_MAX; i++) {
		if (strcmp(w, table_names[i]) == 0) {
			*t = (enum ng_ctl_table)i;
			return 0;
		}
	}
	return -1;
}

/* usage - a verb's words were wrong: say how they go. */
static int
usage(struct call *k, const struct verb *v)
{
	return say(k, NG_CTL_USAGE, "usage: [json] %s", v->usage);
}

/* dispatch - the words to their verb, checked against its usage. */
static int
dispatch(struct call *k, char **w, int n)
{
	const struct verb *v;
	int i = 0;

	k->json = n > 0 && strcmp(w[0], "json") == 0;
	i = k->json;
	if (i == n)
		return say(k, NG_CTL_USAGE, n > 0 ? "json: a verb must "
		    "follow" : "empty request");
	if ((v = find_verb(w[i])) == NULL)
		return say(k, NG_CTL_USAGE, "unknown verb \"%." ECHO_MAX "s\" "
		    "(status, list, show, del, add, flush, reload, save)",
		    w[i]);
	i++;
	if (v->tabled) {
		if (i == n)
			return usage(k, v);
		if (find_table(w[i], &k->t) < 0)
			return say(k, NG_CTL_USAGE, "unknown table \"%."
			    ECHO_MAX "s\" (pass, penalty, greylist)", w[i]);
		if ((k->tab = k->c->table[k->t]) == NULL)
			return say(k, NG_CTL_FAILED, "%s: no such table here",
			    ng_ctl_table_name(k->t));
		i++;
	}
	if (n - i < v->min || n - i > v->max)
		return usage(k, v);
	k->arg = w + i;
	k->narg = n - i;
	return v->run(k);
}

/* is_blank - what separates words. */
static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * take_line - the request as a string in buf (NG_CTL_LINE_MAX bytes):
 * one line without its "\n" (or "\r\n"), shorter than NG_CTL_LINE_MAX,
 * no NUL or other control byte, so no word can break a message line.
 */
static int
take_line(struct call *k, char *buf, const char *line, size_t len)
{
	unsigned char ch;
	size_t i;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= NG_CTL_LINE_MAX)
		return say(k, NG_CTL_USAGE, "request longer than %d bytes",
		    NG_CTL_LINE_MAX - 1);
	for (i = 0; i < len; i++) {
		ch = (unsigned char)line[i];
		if (ch == '\0')
			return say(k, NG_CTL_USAGE, "NUL byte in request");
		if (ch == '\n')
			return say(k, NG_CTL_USAGE, "more than one line in "
			    "request");
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return say(k, NG_CTL_USAGE, "control character in "
			    "request");
	}
	if (len > 0)
		memcpy(buf, line, len);
	buf[len] = '\0';
	return NG_CTL_OK;
}

/* split - s cut into at most WORDS_MAX words at blanks. */
static int
split(struct call *k, char *s, char **w, int *n)
{
	*n = 0;
	for (;;) {
		while (is_blank(*s))
			*s++ = '\0';
		if (*s == '\0')
			return NG_CTL_OK;
		if (*n == WORDS_MAX)
			return say(k, NG_CTL_USAGE, "too many words in request");
		w[(*n)++] = s;
		while (*s != '\0' && !is_blank(*s))
			s++;
	}
}

/*
 * starts_json - whether the raw line asks for JSON, so that a request
 * refused before it is split still gets a JSON answer.
 */
static int
starts_json(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(line[i]))
		i++;
	return len - i > 4 && memcmp(line + i, "json", 4) == 0 &&
	    is_blank(line[i + 4]);
}

/*
 * finish - the answer's last word: a body cut short is a failure, and a
 * failed JSON request whose verb wrote nothing gets {"code","error"}.
 */
static int
finish(struct call *k, int rc, size_t start)
{
	if (k->o->failed && rc == NG_CTL_OK)
		rc = say(k, NG_CTL_FAILED, "out of memory: answer cut short");
	if (rc != NG_CTL_OK && k->json && k->o->len == start) {
		ng_ctl_printf(k->o, "{\"code\":%d,\"error\":", rc);
		ng_ctl_json_str(k->o, k->msg != NULL && k->msglen > 0 ? k->msg : "");
		ng_ctl_printf(k->o, "}\n");
	}
	return rc;
}

/* ng_ctl_exec - parse one request line and run it (see ctl.h). */
int
ng_ctl_exec(struct ng_ctl *c, const char *line, size_t len,
    struct ng_ctl_out *o, char *msg, size_t msglen)
{
	char buf[NG_CTL_LINE_MAX];
	char *w[WORDS_MAX];
	struct call k;
	size_t start = o->len;
	int n = 0, rc;

	memset(&k, 0, sizeof(k));
	k.c = c;
	k.o = o;
	k.msg = msg;
	k.msglen = msglen;
	k.json = line != NULL && starts_json(line, len);
	say(&k, NG_CTL_OK, "ok");
	if (line == NULL)
		len = 0;
	rc = take_line(&k, buf, line, len);
	if (rc == NG_CTL_OK)
		rc = split(&k, buf, w, &n);
	if (rc == NG_CTL_OK)
		rc = dispatch(&k, w, n);
	return finish(&k, rc, start);
}
