/*
 * share_codec.c - keys, values, messages and replies of the shared state
 * (see share_codec.h), pure: no I/O, no clock, no allocation.
 *
 * One spelling of everything: single blanks, fields in one order, plain
 * decimal without a sign or a leading zero, addresses as inet_ntop
 * writes them with the host bits clear.  A decoder that took two
 * spellings of one key would let two Redis keys hold one entry, and the
 * older-first-seen rule of the greylist (share.c) would then see only
 * one of them.  Bytes quoted in an error are made printable first: they
 * end up in the log.
 */
#include <stdio.h>
#include <string.h>

#include "base/addr.h"
#include "base/err.h"
#include "conf/redis_conf.h"
#include "daemon/share_codec.h"

#define SHOWN_MAX 40		/* bytes of bad input quoted in an error */
#define MSG_WORDS 7		/* table key v1 first= count= origin= ttl */

static const char *const table_names[NG_SHARE_TABLES] = {
	"pass", "penalty", "grey", "contact"
};

/* ng_share_table_name - a table's name in keys and messages. */
const char *
ng_share_table_name(unsigned t)
{
	return t < NG_SHARE_TABLES ? table_names[t] : "?";
}

/*
 * shown - at most SHOWN_MAX of the n bytes at s, printable, for an error
 * message ("..." when cut).  Returns buf.
 */
static const char *
shown(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && i < SHOWN_MAX && o + 4 < len; i++)
		buf[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* table_of - the table named by the n bytes at s, or NG_SHARE_TABLES. */
static unsigned
table_of(const char *s, size_t n)
{
	unsigned t;

	for (t = 0; t < NG_SHARE_TABLES; t++)
		if (strlen(table_names[t]) == n &&
		    memcmp(table_names[t], s, n) == 0)
			break;
	return t;
}

/*
 * number - n bytes of plain decimal: digits only, no leading zero but
 * "0" itself, at most max.  0, or -1.
 */
static int
number(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * words - split len bytes on single blanks into exactly n words (start
 * and length of each).  0, or -1 (another count, an empty word, a blank
 * at either end or doubled).
 */
static int
words(const char *s, size_t len, size_t n, const char **w, size_t *wl)
{
	size_t i, k = 0, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (i == start || k == n)
			return -1;
		w[k] = s + start;
		wl[k++] = i - start;
		start = i + 1;
	}
	return k == n ? 0 : -1;
}

/*
 * tagged - a "name=VALUE" word: the value's start and length, or -1 when
 * the word does not begin with name=.
 */
static int
tagged(const char *w, size_t n, const char *name, const char **v,
    size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || memcmp(w, name, k) != 0 || w[k] != '=')
		return -1;
	*v = w + k + 1;
	*vn = n - k - 1;
	return 0;
}

/* ng_share_val_format - "v1 first=N count=N origin=NAME" into buf. */
int
ng_share_val_format(const struct ng_share_val *v, char *buf, size_t len)
{
	int n;

	if (v->first > NG_SHARE_FIRST_MAX ||
	    !ng_redis_name_ok(v->origin, strlen(v->origin)))
		return -1;
	n = snprintf(buf, len, "v1 first=%llu count=%lu origin=%s",
	    (unsigned long long)v->first, (unsigned long)v->count, v->origin);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* ng_share_val_parse - a value's len bytes into v; -1 with err. */
int
ng_share_val_parse(const char *s, size_t len, struct ng_share_val *v,
    char *err, size_t errlen)
{
	const char *w[4], *x;
	size_t wl[4], xn;
	uint64_t n;
	char b[SHOWN_MAX + 4];

	memset(v, 0, sizeof(*v));
	if (len >= NG_SHARE_VAL_MAX || words(s, len, 4, w, wl) < 0)
		return ng_err(err, errlen, "value \"%s\": expected \"v1 "
		    "first=N count=N origin=NAME\"", shown(s, len, b,
		    sizeof(b)));
	if (wl[0] != 2 || memcmp(w[0], "v1", 2) != 0)
		return ng_err(err, errlen, "value: version \"%s\", expected "
		    "v1", shown(w[0], wl[0], b, sizeof(b)));
	if (tagged(w[1], wl[1], "first", &x, &xn) < 0 ||
	    number(x, xn, NG_SHARE_FIRST_MAX, &v->first) < 0)
		return ng_err(err, errlen, "value: bad first \"%s\"",
		    shown(w[1], wl[1], b, sizeof(b)));
	if (tagged(w[2], wl[2], "count", &x, &xn) < 0 ||
	    number(x, xn, UINT32_MAX, &n) < 0)
		return ng_err(err, errlen, "value: bad count \"%s\"",
		    shown(w[2], wl[2], b, sizeof(b)));
	v->count = (uint32_t)n;
	if (tagged(w[3], wl[3], "origin", &x, &xn) < 0 ||
	    !ng_redis_name_ok(x, xn))
		return ng_err(err, errlen, "value: bad origin \"%s\"",
		    shown(w[3], wl[3], b, sizeof(b)));
	memcpy(v->origin, x, xn);
	v->origin[xn] = '\0';
	return 0;
}

/* cidr_format - "addr/len", canonical; its length, or -1. */
static int
cidr_format(const struct ng_addr *a, unsigned plen, char *buf, size_t len)
{
	char t[NG_ADDRSTRLEN];
	struct ng_addr m = *a;
	int n;

	if ((a->family != 4 && a->family != 6) || plen > ng_addr_bits(a))
		return -1;
	ng_addr_mask(&m, plen);
	n = snprintf(buf, len, "%s/%u", ng_addr_format(&m, t, sizeof(t)),
	    plen);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/*
 * cidr_parse - n bytes of "addr/len" in canonical form only (reformatted,
 * they must come back byte for byte).  0, or -1.
 */
static int
cidr_parse(const char *s, size_t n, struct ng_addr *a, unsigned *plen)
{
	char in[NG_ADDRSTRLEN + 8], out[NG_ADDRSTRLEN + 8];

	if (n == 0 || n >= sizeof(in) || memchr(s, '/', n) == NULL)
		return -1;
	memcpy(in, s, n);
	in[n] = '\0';
	if (strlen(in) != n || ng_addr_parse_cidr(a, plen, in) < 0)
		return -1;
	if (cidr_format(a, *plen, out, sizeof(out)) < 0)
		return -1;
	return strcmp(in, out) == 0 ? 0 : -1;
}

/* ng_share_key_format - "<prefix><table>:<addr>/<len>" into buf. */
int
ng_share_key_format(const char *prefix, unsigned table,
    const struct ng_addr *a, unsigned plen, char *buf, size_t len)
{
	char c[NG_ADDRSTRLEN + 8];
	int n;

	if (table >= NG_SHARE_TABLES || cidr_format(a, plen, c,
	    sizeof(c)) < 0)
		return -1;
	n = snprintf(buf, len, "%s%s:%s", prefix, table_names[table], c);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* ng_share_key_parse - a key's len bytes; -1 with err. */
int
ng_share_key_parse(const char *prefix, const char *s, size_t len,
    unsigned *table, struct ng_addr *a, unsigned *plen, char *err,
    size_t errlen)
{
	size_t pn = strlen(prefix);
	const char *t, *colon;
	char b[SHOWN_MAX + 4];

	if (len < pn || memcmp(s, prefix, pn) != 0)
		return ng_err(err, errlen, "key \"%s\": not under prefix "
		    "\"%s\"", shown(s, len, b, sizeof(b)), prefix);
	t = s + pn;
	colon = memchr(t, ':', len - pn);
	if (colon == NULL || (*table = table_of(t, (size_t)(colon - t))) ==
	    NG_SHARE_TABLES)
		return ng_err(err, errlen, "key \"%s\": no table (pass, "
		    "penalty, grey, contact)", shown(s, len, b, sizeof(b)));
	if (cidr_parse(colon + 1, len - (size_t)(colon + 1 - s), a,
	    plen) < 0)
		return ng_err(err, errlen, "key \"%s\": bad address/len",
		    shown(s, len, b, sizeof(b)));
	return 0;
}

/* ng_share_msg_format - "<table> <addr>/<len> <value> <ttl_ms>". */
int
ng_share_msg_format(const struct ng_share_msg *m, char *buf, size_t len)
{
	char c[NG_ADDRSTRLEN + 8], v[NG_SHARE_VAL_MAX];
	int n;

	if (m->table >= NG_SHARE_TABLES || m->ttl_ms > NG_SHARE_TTL_MAX ||
	    cidr_format(&m->addr, m->plen, c, sizeof(c)) < 0 ||
	    ng_share_val_format(&m->val, v, sizeof(v)) < 0)
		return -1;
	n = snprintf(buf, len, "%s %s %s %llu", table_names[m->table], c, v,
	    (unsigned long long)m->ttl_ms);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* ng_share_msg_parse - a message's len bytes into m; -1 with err. */
int
ng_share_msg_parse(const char *s, size_t len, struct ng_share_msg *m,
    char *err, size_t errlen)
{
	const char *w[MSG_WORDS];
	size_t wl[MSG_WORDS];
	char b[SHOWN_MAX + 4];

	memset(m, 0, sizeof(*m));
	if (len >= NG_SHARE_MSG_MAX || words(s, len, MSG_WORDS, w, wl) < 0)
		return ng_err(err, errlen, "message \"%s\": expected \"TABLE "
		    "ADDR/LEN VALUE TTL_MS\"", shown(s, len, b, sizeof(b)));
	if ((m->table = table_of(w[0], wl[0])) == NG_SHARE_TABLES)
		return ng_err(err, errlen, "message: unknown table \"%s\"",
		    shown(w[0], wl[0], b, sizeof(b)));
	if (cidr_parse(w[1], wl[1], &m->addr, &m->plen) < 0)
		return ng_err(err, errlen, "message: bad address/len \"%s\"",
		    shown(w[1], wl[1], b, sizeof(b)));
	if (ng_share_val_parse(w[2], (size_t)(w[5] + wl[5] - w[2]), &m->val,
	    err, errlen) < 0)
		return -1;
	if (number(w[6], wl[6], NG_SHARE_TTL_MAX, &m->ttl_ms) < 0)
		return ng_err(err, errlen, "message: bad ttl \"%s\"",
		    shown(w[6], wl[6], b, sizeof(b)));
	return 0;
}

/* reply_error - why a reply is not what was asked for; -1. */
static int
reply_error(const redisReply *r, const char *what, char *err,
    size_t errlen)
{
	char b[SHOWN_MAX + 4];

	if (r == NULL)
		return ng_err(err, errlen, "%s: no reply", what);
	if (r->type == REDIS_REPLY_ERROR)
		return ng_err(err, errlen, "%s: %s", what, shown(r->str,
		    r->str != NULL ? r->len : 0, b, sizeof(b)));
	return ng_err(err, errlen, "%s: unexpected reply (type %d)", what,
	    r->type);
}

/* is_string - a bulk string reply with its bytes. */
static int
is_string(const redisReply *r)
{
	return r != NULL && r->type == REDIS_REPLY_STRING && r->str != NULL;
}

/* ng_share_get_reply - GET's answer: 1 and a value, 0 nil, -1. */
int
ng_share_get_reply(const redisReply *r, struct ng_share_val *v,
    char *err, size_t errlen)
{
	if (r != NULL && r->type == REDIS_REPLY_NIL)
		return 0;
	if (!is_string(r))
		return reply_error(r, "GET", err, errlen);
	return ng_share_val_parse(r->str, r->len, v, err, errlen) < 0 ? -1 : 1;
}

/* ng_share_pttl_reply - PTTL's answer: 1 and ms, 0 gone, -1. */
int
ng_share_pttl_reply(const redisReply *r, uint64_t *ms, char *err,
    size_t errlen)
{
	if (r == NULL || r->type != REDIS_REPLY_INTEGER)
		return reply_error(r, "PTTL", err, errlen);
	if (r->integer == -2 || r->integer == 0)
		return 0;
	if (r->integer < 0)
		return ng_err(err, errlen, "PTTL: the key has no expiry");
	if ((unsigned long long)r->integer > NG_SHARE_TTL_MAX)
		return ng_err(err, errlen, "PTTL: %lld ms is too long",
		    r->integer);
	*ms = (uint64_t)r->integer;
	return 1;
}

/* ng_share_scan_reply - SCAN's [cursor, [key, ...]]; -1 with err. */
int
ng_share_scan_reply(const redisReply *r, char cursor[24],
    const redisReply **keys, char *err, size_t errlen)
{
	const redisReply *k;
	uint64_t c;
	size_t i;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element == NULL)
		return reply_error(r, "SCAN", err, errlen);
	if (!is_string(r->element[0]) || number(r->element[0]->str,
	    r->element[0]->len, UINT64_MAX, &c) < 0)
		return ng_err(err, errlen, "SCAN: bad cursor");
	k = r->element[1];
	if (k == NULL || k->type != REDIS_REPLY_ARRAY ||
	    (k->elements > 0 && k->element == NULL))
		return ng_err(err, errlen, "SCAN: no key list");
	for (i = 0; i < k->elements; i++)
		if (!is_string(k->element[i]))
			return ng_err(err, errlen, "SCAN: key %zu is not a "
			    "string", i);
	snprintf(cursor, 24, "%llu", (unsigned long long)c);
	*keys = k;
	return 0;
}

/*
 * ng_share_message_reply - a subscription's push: 1 and the payload of a
 * "message" on channel, 0 for the "subscribe" confirmation, -1 with
 * err.
 */
int
ng_share_message_reply(const redisReply *r, const char *channel,
    const char **payload, size_t *len, char *err, size_t errlen)
{
	const redisReply *kind, *ch;

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element == NULL)
		return reply_error(r, "subscription", err, errlen);
	kind = r->element[0];
	ch = r->element[1];
	if (!is_string(kind) || !is_string(ch) || ch->len != strlen(channel) ||
	    memcmp(ch->str, channel, ch->len) != 0)
		return ng_err(err, errlen, "subscription: not our channel");
	if (kind->len == 9 && memcmp(kind->str, "subscribe", 9) == 0)
		return r->element[2] != NULL &&
		    r->element[2]->type == REDIS_REPLY_INTEGER ? 0 :
		    ng_err(err, errlen, "subscribe: bad count");
	if (kind->len != 7 || memcmp(kind->str, "message", 7) != 0 ||
	    !is_string(r->element[2]))
		return ng_err(err, errlen, "subscription: not a message");
	*payload = r->element[2]->str;
	*len = r->element[2]->len;
	return 1;
}

/* ng_share_status_reply - +OK; -1 with the error's text. */
int
ng_share_status_reply(const redisReply *r, char *err, size_t errlen)
{
	if (r != NULL && r->type == REDIS_REPLY_STATUS && r->str != NULL &&
	    r->len == 2 && memcmp(r->str, "OK", 2) == 0)
		return 0;
	return reply_error(r, "command", err, errlen);
}
