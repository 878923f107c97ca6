/*
 * throttle.c - connection rate and concurrency limits per client.
 *
 * An open-addressed table of throttle_max entries, each probed at most
 * NG_THROTTLE_PROBE places from its keyed hash (SipHash: nobody
 * without the key can aim at one run of places), so every operation is
 * bounded.  An entry keeps the client's live connections (a tag of
 * server address and ports, and its start, so an end seen twice - a
 * FIN and then conntrack's DESTROY - counts once), a fixed rate window
 * (start and count: a client over its rate is refused until the window
 * passes) and its THROTTLE resets for the policy service.  An entry
 * with nothing live, no window running and no reset to remember is free
 * for another client.
 */
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "base/siphash.h"
#include "engine/throttle.h"

#define NG_THROTTLE_PROBE 8

struct thr_entry {
	struct ng_addr key;		/* masked */
	uint8_t used;
	uint8_t nlive;
	uint16_t resets;
	uint32_t wcount;		/* started in the window */
	ng_usec wstart, wend;		/* the rate window */
	ng_usec last_reset;
	uint32_t tag[NG_THROTTLE_SLOTS];	/* live connections */
	uint32_t start_s[NG_THROTTLE_SLOTS];	/* their start, seconds */
};

struct ng_throttle {
	struct thr_entry *ent;
	unsigned n;
	unsigned prefix4, prefix6;
	uint64_t aged;
	uint8_t key[16];
};

/* ng_throttle_new - an empty table of max entries. */
struct ng_throttle *
ng_throttle_new(unsigned max, unsigned prefix4, unsigned prefix6,
    const uint8_t key[16])
{
	struct ng_throttle *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->n = max ? max : 1;
	t->ent = ng_bigmem_calloc(t->n, sizeof(*t->ent));
	if (t->ent == NULL) {
		free(t);
		return NULL;
	}
	t->prefix4 = prefix4;
	t->prefix6 = prefix6;
	memcpy(t->key, key, sizeof(t->key));
	return t;
}

/* ng_throttle_free - the table; NULL is fine. */
void
ng_throttle_free(struct ng_throttle *t)
{
	if (t == NULL)
		return;
	ng_bigmem_free(t->ent, t->n, sizeof(*t->ent));
	free(t);
}

/* ng_throttle_set_prefix - new prefixes: the old keys mean nothing. */
void
ng_throttle_set_prefix(struct ng_throttle *t, unsigned prefix4,
    unsigned prefix6)
{
	if (prefix4 == t->prefix4 && prefix6 == t->prefix6)
		return;
	t->prefix4 = prefix4;
	t->prefix6 = prefix6;
	memset(t->ent, 0, (size_t)t->n * sizeof(*t->ent));
}

/* ng_throttle_why_name - the log line's word for a refusal. */
const char *
ng_throttle_why_name(enum ng_throttle_why why)
{
	switch (why) {
	case NG_THR_RATE:
		return "rate";
	case NG_THR_CONCURRENCY:
		return "concurrency";
	case NG_THR_FULL:
		return "full";
	default:
		return "ok";
	}
}

/* masked - a's key: the address cut to the family's prefix. */
static struct ng_addr
masked(const struct ng_throttle *t, const struct ng_addr *a)
{
	struct ng_addr k = *a;

	ng_addr_mask(&k, a->family == 4 ? t->prefix4 : t->prefix6);
	return k;
}

/* age - forget e's connections older than NG_THROTTLE_MAX_AGE. */
static void
age(struct ng_throttle *t, struct thr_entry *e, ng_usec now)
{
	uint32_t now_s = (uint32_t)(now / NG_USEC_PER_SEC);
	unsigned i = 0;

	while (i < e->nlive) {
		if ((uint32_t)(now_s - e->start_s[i]) <
		    NG_THROTTLE_MAX_AGE / NG_USEC_PER_SEC) {
			i++;
			continue;
		}
		/* Fail open: its end was lost, it counts no more. */
		e->nlive--;
		e->tag[i] = e->tag[e->nlive];
		e->start_s[i] = e->start_s[e->nlive];
		t->aged++;
	}
}

/* live - does e still hold anything: a connection, a window, a reset? */
static int
live(struct ng_throttle *t, struct thr_entry *e, ng_usec now)
{
	if (!e->used)
		return 0;
	age(t, e, now);
	return e->nlive > 0 || now < e->wend || (e->resets > 0 &&
	    now - e->last_reset < NG_THROTTLE_REMEMBER);
}

/* place - the table index of probe i for key k. */
static unsigned
place(const struct ng_throttle *t, const struct ng_addr *k, unsigned i)
{
	return (unsigned)((ng_addr_hash(k, t->key) + (uint64_t)i) % t->n);
}

/* find - the live entry for address a, or NULL. */
static struct thr_entry *
find(struct ng_throttle *t, const struct ng_addr *a, ng_usec now)
{
	struct ng_addr k = masked(t, a);
	struct thr_entry *e;
	unsigned i;

	for (i = 0; i < NG_THROTTLE_PROBE && i < t->n; i++) {
		e = &t->ent[place(t, &k, i)];
		if (e->used && ng_addr_cmp(&e->key, &k) == 0)
			return live(t, e, now) ? e : NULL;
	}
	return NULL;
}

/* make - a's entry, new if need be; NULL when its places are taken. */
static struct thr_entry *
make(struct ng_throttle *t, const struct ng_addr *a, ng_usec now)
{
	struct ng_addr k = masked(t, a);
	struct thr_entry *e, *free_e = NULL;
	unsigned i;

	for (i = 0; i < NG_THROTTLE_PROBE && i < t->n; i++) {
		e = &t->ent[place(t, &k, i)];
		if (e->used && ng_addr_cmp(&e->key, &k) == 0) {
			if (live(t, e, now))
				return e;
			free_e = e;	/* stale: start it over */
			break;
		}
		if (free_e == NULL && !live(t, e, now))
			free_e = e;
	}
	if (free_e == NULL)
		return NULL;
	memset(free_e, 0, sizeof(*free_e));
	free_e->used = 1;
	free_e->key = k;
	return free_e;
}

/* over - is entry e over limit l now? */
static enum ng_throttle_why
over(const struct thr_entry *e, const struct ng_throttle_limit *l,
    ng_usec now)
{
	if (l->concurrency != 0 && e->nlive >= l->concurrency)
		return NG_THR_CONCURRENCY;
	if (l->rate != 0 && e->wcount >= l->rate && now - e->wstart < l->per)
		return NG_THR_RATE;
	return NG_THR_OK;
}

/* ng_throttle_check - over the limit now?  Counts nothing. */
enum ng_throttle_why
ng_throttle_check(struct ng_throttle *t, const struct ng_throttle_limit *l,
    const struct ng_addr *a, ng_usec now)
{
	struct thr_entry *e;

	if (l->concurrency == 0 && l->rate == 0)
		return NG_THR_OK;
	if ((e = find(t, a, now)) == NULL)
		return NG_THR_OK;
	return over(e, l, now);
}

/* conn_tag - a connection's tag among its client's: never 0. */
static uint32_t
conn_tag(const struct ng_throttle *t, const struct ng_throttle_conn *c)
{
	uint8_t msg[sizeof(struct ng_addr) + 4];
	uint32_t h;

	memcpy(msg, &c->server, sizeof(c->server));
	memcpy(msg + sizeof(c->server), &c->cport, 2);
	memcpy(msg + sizeof(c->server) + 2, &c->sport, 2);
	h = (uint32_t)ng_siphash24(t->key, msg, sizeof(msg));
	return h != 0 ? h : 1;
}

/* ng_throttle_start - a believed connection: refused, or counted. */
enum ng_throttle_why
ng_throttle_start(struct ng_throttle *t, const struct ng_throttle_limit *l,
    const struct ng_throttle_conn *c, ng_usec now)
{
	enum ng_throttle_why why;
	struct thr_entry *e;

	if (l->concurrency == 0 && l->rate == 0)
		return NG_THR_OK;
	if ((e = make(t, &c->client, now)) == NULL)
		return NG_THR_FULL;
	if ((why = over(e, l, now)) != NG_THR_OK)
		return why;
	if (l->rate != 0) {
		if (e->wcount == 0 || now - e->wstart >= l->per) {
			e->wstart = now;
			e->wend = now + l->per;
			e->wcount = 0;
		}
		e->wcount++;
	}
	if (l->concurrency != 0 && e->nlive < NG_THROTTLE_SLOTS) {
		e->tag[e->nlive] = conn_tag(t, c);
		e->start_s[e->nlive] = (uint32_t)(now / NG_USEC_PER_SEC);
		e->nlive++;
	}
	return NG_THR_OK;
}

/* ng_throttle_end - a counted connection is over: its slot is free. */
int
ng_throttle_end(struct ng_throttle *t, const struct ng_throttle_conn *c,
    ng_usec now)
{
	struct thr_entry *e = find(t, &c->client, now);
	uint32_t tag;
	unsigned i;

	if (e == NULL || e->nlive == 0)
		return 0;
	tag = conn_tag(t, c);
	for (i = 0; i < e->nlive; i++) {
		if (e->tag[i] != tag)
			continue;
		e->nlive--;
		e->tag[i] = e->tag[e->nlive];
		e->start_s[i] = e->start_s[e->nlive];
		return 1;
	}
	return 0;
}

/* ng_throttle_reset_seen - count a THROTTLE reset on a's entry. */
void
ng_throttle_reset_seen(struct ng_throttle *t, const struct ng_addr *a,
    ng_usec now)
{
	struct thr_entry *e = find(t, a, now);

	if (e == NULL)
		return;
	if (e->resets < UINT16_MAX)
		e->resets++;
	e->last_reset = now;
}

/* ng_throttle_resets - a's remembered THROTTLE resets. */
unsigned
ng_throttle_resets(struct ng_throttle *t, const struct ng_addr *a,
    ng_usec now)
{
	struct thr_entry *e = find(t, a, now);

	if (e == NULL || now - e->last_reset >= NG_THROTTLE_REMEMBER)
		return 0;
	return e->resets;
}

/* ng_throttle_aged - connections that stopped counting by age. */
uint64_t
ng_throttle_aged(const struct ng_throttle *t)
{
	return t->aged;
}
