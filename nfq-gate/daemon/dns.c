/*
 * dns.c - DNS lists and reverse DNS over one c-ares channel (see dns.h).
 *
 * The cache is the only state a lookup has: a query is a cache entry
 * in state PENDING, its reply turns it DONE with the answer and an
 * expiry, and a client's result is read off the entries of its query
 * names whenever it is asked for.  So two clients needing one name
 * share one query, and a client started twice costs nothing more.
 * Pending entries are never evicted (c-ares holds a pointer to them as
 * the callback's argument); a table full of pending entries refuses new
 * queries (counted as "dropped") rather than wait.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/err.h"
#include "base/hashkey.h"
#include "base/siphash.h"
#include "daemon/dns.h"
#include "daemon/dns_answer.h"

#define POOL_MAX 32
#define CLIENTS_MAX 1024
#define T_A_ 1
#define T_PTR_ 12
#define T_AAAA_ 28
/* A "no" without an SOA is kept this long (seconds). */
#define NEG_TTL_DEFAULT 60
/*
 * Every entry is kept at least this long whatever its TTL, so the client
 * that asked still finds the answer when its pause ends; failures too,
 * so a dead list is not asked again for every connection.
 */
#define KEEP_MIN NG_SEC(60)

enum { E_FREE, E_PENDING, E_DONE };

struct centry {
	struct ng_dns *d;
	char name[NG_DNS_NAME_MAX];
	uint16_t qtype;
	uint8_t state;
	uint32_t hnext;		/* next in the bucket, index + 1; 0 ends */
	ng_usec expires;
	struct ng_dns_answer ans;
};

struct psock {
	int fd;
	int family;
	int in_use;
};

struct client {
	struct ng_addr a;
	ng_usec until;
};

struct ng_dns {
	ares_channel ch;
	int have_ch;
	struct ng_dns_conf conf;
	regex_t dyn, dynex;
	int have_dyn, have_dynex;
	struct centry *e;
	uint32_t emax, hand;
	uint32_t *bucket;	/* index + 1 of a chain's first; 0 empty */
	uint32_t nbucket;	/* a power of two */
	uint8_t key[NG_HASH_KEY_LEN];
	struct psock pool[POOL_MAX];
	int npool;
	struct client cl[CLIENTS_MAX];
	unsigned ncl;
	struct ng_dns_counters ct;
	ng_usec now;		/* the latest caller's time, for callbacks */
	unsigned inflight, used;
};

/* ng_rdns_fact_name - the word logs and JSON use for a fact. */
const char *
ng_rdns_fact_name(enum ng_rdns_fact f)
{
	static const char *const names[] = { "off", "pending", "noanswer",
	    "none", "unconfirmed", "dynamic", "ok" };

	return (unsigned)f < sizeof(names) / sizeof(names[0]) ?
	    names[f] : "?";
}

/* ng_dns_site_state_name - the word for a site's state. */
const char *
ng_dns_site_state_name(enum ng_dns_site_state s)
{
	static const char *const names[] = { "pending", "noanswer",
	    "unlisted", "listed" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ?
	    names[s] : "?";
}

/* ng_dns_reverse_name - "d.c.b.a.suffix" or the 32 nibbles of v6. */
int
ng_dns_reverse_name(const struct ng_addr *a, const char *suffix,
    char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t used = 0;
	int i, n;

	if (a->family == 4) {
		n = snprintf(buf, len, "%u.%u.%u.%u.%s", a->b[3], a->b[2],
		    a->b[1], a->b[0], suffix);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	if (len < 64 + strlen(suffix) + 1)
		return -1;
	for (i = 15; i >= 0; i--) {
		buf[used++] = hex[a->b[i] & 15];
		buf[used++] = '.';
		buf[used++] = hex[a->b[i] >> 4];
		buf[used++] = '.';
	}
	memcpy(buf + used, suffix, strlen(suffix) + 1);
	return 0;
}

/* bucket_of - the hash bucket of a query. */
static uint32_t
bucket_of(const struct ng_dns *d, const char *name, uint16_t qtype)
{
	char k[NG_DNS_NAME_MAX + 2];
	size_t n = strlen(name);

	memcpy(k, name, n);
	k[n] = (char)(qtype >> 8);
	k[n + 1] = (char)qtype;
	return (uint32_t)ng_siphash24(d->key, k, n + 2) & (d->nbucket - 1);
}

/* unlink_entry - take e out of its bucket and free it. */
static void
unlink_entry(struct ng_dns *d, struct centry *e)
{
	uint32_t idx = (uint32_t)(e - d->e) + 1;
	uint32_t *p = &d->bucket[bucket_of(d, e->name, e->qtype)];

	while (*p != 0 && *p != idx)
		p = &d->e[*p - 1].hnext;
	if (*p == idx)
		*p = e->hnext;
	e->state = E_FREE;
	e->hnext = 0;
	d->used--;
}

/*
 * lookup - the live entry of a query, or NULL.  An expired answer is
 * freed on the way (it is what makes room without a sweep).
 */
static struct centry *
lookup(struct ng_dns *d, const char *name, uint16_t qtype)
{
	uint32_t i = d->bucket[bucket_of(d, name, qtype)];

	while (i != 0) {
		struct centry *e = &d->e[i - 1];

		i = e->hnext;
		if (e->qtype != qtype || strcmp(e->name, name) != 0)
			continue;
		if (e->state == E_DONE && e->expires <= d->now) {
			unlink_entry(d, e);
			return NULL;
		}
		return e;
	}
	return NULL;
}

/*
 * grab - a free entry: the clock hand's next one that is not pending,
 * which evicts the oldest finished entries first.  NULL when every
 * entry is pending.
 */
static struct centry *
grab(struct ng_dns *d)
{
	uint32_t n;

	for (n = 0; n < d->emax; n++) {
		struct centry *e = &d->e[d->hand];

		d->hand = (d->hand + 1) % d->emax;
		if (e->state == E_PENDING)
			continue;
		if (e->state == E_DONE)
			unlink_entry(d, e);
		return e;
	}
	return NULL;
}

static void on_reply(void *arg, int status, int timeouts,
    unsigned char *abuf, int alen);

/*
 * want - the entry for a query, asking for it when it is not cached.
 * NULL when the table is full of pending queries.
 */
static struct centry *
want(struct ng_dns *d, const char *name, uint16_t qtype)
{
	struct centry *e = lookup(d, name, qtype);
	uint32_t b;

	if (e != NULL) {
		d->ct.cache_hits += e->state == E_DONE;
		return e;
	}
	if ((e = grab(d)) == NULL) {
		d->ct.dropped++;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->d = d;
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->qtype = qtype;
	e->state = E_PENDING;
	b = bucket_of(d, name, qtype);
	e->hnext = d->bucket[b];
	d->bucket[b] = (uint32_t)(e - d->e) + 1;
	d->used++;
	d->inflight++;
	d->ct.queries++;
	/* The callback may run inside this call (no socket, no memory). */
	ares_query(d->ch, name, 1 /* C_IN */, qtype, on_reply, e);
	return e;
}

/* count - the counters of one finished query. */
static void
count(struct ng_dns *d, const struct ng_dns_answer *a)
{
	d->ct.truncated += a->truncated;
	switch (a->kind) {
	case NG_DNS_DATA: d->ct.answers++; break;
	case NG_DNS_NONE: d->ct.negative++; break;
	case NG_DNS_TIMEOUT: d->ct.timeouts++; break;
	case NG_DNS_GARBAGE: d->ct.garbage++; break;
	default: d->ct.errors++; break;
	}
}

/* keep_for - how long an answer stays: its TTL, capped, at least KEEP_MIN. */
static ng_usec
keep_for(const struct ng_dns *d, const struct ng_dns_answer *a)
{
	ng_usec t = 0;

	if (a->kind == NG_DNS_DATA)
		t = NG_SEC(a->ttl);
	else if (a->kind == NG_DNS_NONE)
		t = NG_SEC(a->ttl ? a->ttl : NEG_TTL_DEFAULT);
	if (t > d->conf.ttl_max)
		t = d->conf.ttl_max;
	return t < KEEP_MIN ? KEEP_MIN : t;
}

/* forward_type - A for an in-addr.arpa PTR, AAAA for ip6.arpa. */
static uint16_t
forward_type(const char *ptrname)
{
	size_t n = strlen(ptrname);

	return n > 9 && strcmp(ptrname + n - 9, ".ip6.arpa") == 0 ?
	    T_AAAA_ : T_A_;
}

/* want_forward - the forward lookups that confirm a PTR's names. */
static void
want_forward(struct ng_dns *d, const struct centry *ptr)
{
	struct ng_dns_answer names = ptr->ans;	/* want() may evict ptr */
	uint16_t t = forward_type(ptr->name);
	unsigned i;

	for (i = 0; i < names.n; i++)
		(void)want(d, names.name[i], t);
}

/* on_reply - c-ares' callback: the answer into the entry. */
static void
on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct centry *e = arg;
	struct ng_dns *d = e->d;
	struct ng_dns_answer a;

	(void)timeouts;
	ng_dns_answer_parse(e->qtype, status, abuf, alen, &a);
	if (a.kind == NG_DNS_CANCELLED)
		return;		/* ares_destroy: the table goes too */
	d->inflight--;
	count(d, &a);
	e->ans = a;
	e->state = E_DONE;
	e->expires = d->now + keep_for(d, &a);
	if (e->qtype == T_PTR_ && a.kind == NG_DNS_DATA)
		want_forward(d, e);
}

/* pool_find - the pool slot of fd, or NULL. */
static struct psock *
pool_find(struct ng_dns *d, int fd)
{
	int i;

	for (i = 0; i < d->npool; i++)
		if (d->pool[i].fd == fd)
			return &d->pool[i];
	return NULL;
}

/* drain - read away what a socket holds (late replies to a closed one). */
static void
drain(int fd)
{
	char buf[512];
	int n;

	for (n = 0; n < 64; n++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 &&
		    errno != EINTR)
			break;
}

/*
 * s_socket - c-ares wants a socket: a free pre-made UDP one of the
 * family.  TCP is refused (IGNTC keeps c-ares from asking for it).
 */
static ares_socket_t
s_socket(int family, int type, int proto, void *ud)
{
	struct ng_dns *d = ud;
	int i;

	(void)proto;
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_DGRAM) {
		errno = EPROTONOSUPPORT;
		return ARES_SOCKET_BAD;
	}
	for (i = 0; i < d->npool; i++)
		if (!d->pool[i].in_use && d->pool[i].family == family) {
			d->pool[i].in_use = 1;
			return d->pool[i].fd;
		}
	errno = EMFILE;
	return ARES_SOCKET_BAD;
}

/* s_close - back into the pool, emptied and disconnected. */
static int
s_close(ares_socket_t fd, void *ud)
{
	struct psock *p = pool_find(ud, fd);
	struct sockaddr sa;

	if (p == NULL)
		return close(fd);
	drain(fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	(void)connect(fd, &sa, sizeof(sa));
	p->in_use = 0;
	return 0;
}

/* s_connect - aim a pooled socket at a server. */
static int
s_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
    void *ud)
{
	(void)ud;
	return connect(fd, sa, len);
}

/* s_recvfrom - a reply. */
static ares_ssize_t
s_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *ud)
{
	(void)ud;
	return recvfrom(fd, buf, len, flags, from, fromlen);
}

/* s_sendv - a query. */
static ares_ssize_t
s_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *ud)
{
	(void)ud;
	return writev(fd, iov, n);
}

static const struct ares_socket_functions sock_funcs = {
	s_socket, s_close, s_connect, s_recvfrom, s_sendv
};

/* pool_add - n UDP sockets of a family into the pool. */
static int
pool_add(struct ng_dns *d, int family, int n, char *err, size_t errlen)
{
	while (n-- > 0 && d->npool < POOL_MAX) {
		int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);

		if (fd < 0)
			return ng_err(err, errlen, "dns: socket: %s",
			    strerror(errno));
		d->pool[d->npool].fd = fd;
		d->pool[d->npool].family = family;
		d->pool[d->npool].in_use = 0;
		d->npool++;
	}
	return 0;
}

/* make_pool - two sockets per resolver of each family it has. */
static int
make_pool(struct ng_dns *d, char *err, size_t errlen)
{
	struct ares_addr_port_node *list = NULL, *s;
	int n4 = 0, n6 = 0, rc;

	if (ares_get_servers_ports(d->ch, &list) != ARES_SUCCESS)
		return ng_err(err, errlen, "dns: cannot list resolvers");
	for (s = list; s != NULL; s = s->next)
		*(s->family == AF_INET6 ? &n6 : &n4) += 2;
	ares_free_data(list);
	if (n4 + n6 == 0)
		return ng_err(err, errlen, "dns: no resolver");
	rc = pool_add(d, AF_INET, n4 > 8 ? 8 : n4, err, errlen);
	if (rc == 0)
		rc = pool_add(d, AF_INET6, n6 > 8 ? 8 : n6, err, errlen);
	return rc;
}

/*
 * open_channel - c-ares with our timeouts, servers and sockets.  Two
 * tries, the first a third of dns_timeout: c-ares doubles the second,
 * so one resolver's two tries end at dns_timeout.
 */
static int
open_channel(struct ng_dns *d, char *err, size_t errlen)
{
	struct ares_options o;
	int rc, ms = (int)(d->conf.timeout / 1000 / 3);

	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_IGNTC | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	o.timeout = ms < 1 ? 1 : ms;
	o.tries = 2;
	rc = ares_init_options(&d->ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS)
		return ng_err(err, errlen, "dns: c-ares: %s", ares_strerror(rc));
	d->have_ch = 1;
	if (d->conf.servers[0] != '\0' &&
	    (rc = ares_set_servers_ports_csv(d->ch, d->conf.servers)) !=
	    ARES_SUCCESS)
		return ng_err(err, errlen, "dns: dns_servers: %s",
		    ares_strerror(rc));
	ares_set_socket_functions(d->ch, &sock_funcs, d);
	return make_pool(d, err, errlen);
}

/* compile - one rdns pattern ("" = none); -1 with err. */
static int
compile(regex_t *re, int *have, const char *pat, char *err, size_t errlen)
{
	*have = 0;
	if (pat[0] == '\0')
		return 0;
	if (regcomp(re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
		return ng_err(err, errlen, "dns: bad pattern \"%s\"", pat);
	*have = 1;
	return 0;
}

/* free_patterns - the compiled rdns patterns. */
static void
free_patterns(struct ng_dns *d)
{
	if (d->have_dyn)
		regfree(&d->dyn);
	if (d->have_dynex)
		regfree(&d->dynex);
	d->have_dyn = d->have_dynex = 0;
}

/* ng_dns_reconfigure - sites, weights and patterns of a new config. */
int
ng_dns_reconfigure(struct ng_dns *d, const struct ng_dns_conf *conf,
    char *err, size_t errlen)
{
	regex_t dyn, dynex;
	int hd, hx;

	if (compile(&dyn, &hd, conf->rdns_dynamic, err, errlen) < 0)
		return -1;
	if (compile(&dynex, &hx, conf->rdns_dynamic_except, err,
	    errlen) < 0) {
		if (hd)
			regfree(&dyn);
		return -1;
	}
	free_patterns(d);
	d->dyn = dyn;
	d->dynex = dynex;
	d->have_dyn = hd;
	d->have_dynex = hx;
	/* The channel's servers and the table's size stay (start-only). */
	{
		char servers[NG_DNS_SERVERS_MAX];
		unsigned cache_max = d->conf.cache_max;

		memcpy(servers, d->conf.servers, sizeof(servers));
		d->conf = *conf;
		memcpy(d->conf.servers, servers, sizeof(servers));
		d->conf.cache_max = cache_max;
	}
	return 0;
}

/* alloc_table - the entries and a bucket array of at least as many. */
static int
alloc_table(struct ng_dns *d, unsigned n, char *err, size_t errlen)
{
	d->emax = n;
	for (d->nbucket = 16; d->nbucket < n; d->nbucket <<= 1)
		;
	d->e = calloc(n, sizeof(*d->e));
	d->bucket = calloc(d->nbucket, sizeof(*d->bucket));
	if (d->e == NULL || d->bucket == NULL)
		return ng_err(err, errlen, "dns: out of memory");
	if (ng_hash_key_draw(d->key) < 0)
		return ng_err(err, errlen, "dns: no random key");
	return 0;
}

/* ng_dns_new - everything, sockets included, before the sandbox. */
struct ng_dns *
ng_dns_new(const struct ng_dns_conf *conf, char *err, size_t errlen)
{
	struct ng_dns *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		ng_err(err, errlen, "dns: out of memory");
		return NULL;
	}
	d->conf = *conf;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		free(d);
		ng_err(err, errlen, "dns: c-ares library init failed");
		return NULL;
	}
	if (alloc_table(d, conf->cache_max, err, errlen) < 0 ||
	    ng_dns_reconfigure(d, conf, err, errlen) < 0 ||
	    open_channel(d, err, errlen) < 0) {
		ng_dns_free(d);
		return NULL;
	}
	return d;
}

/* ng_dns_free - the channel first (its callbacks see the table). */
void
ng_dns_free(struct ng_dns *d)
{
	int i;

	if (d == NULL)
		return;
	if (d->have_ch)
		ares_destroy(d->ch);
	for (i = 0; i < d->npool; i++)
		close(d->pool[i].fd);
	free_patterns(d);
	free(d->e);
	free(d->bucket);
	free(d);
	ares_library_cleanup();
}

/* ng_dns_fds - the pooled sockets, for EPOLLIN. */
int
ng_dns_fds(const struct ng_dns *d, int *fds, int max)
{
	int i;

	for (i = 0; i < d->npool && i < max; i++)
		fds[i] = d->pool[i].fd;
	return i;
}

/* ng_dns_readable - a pooled socket has data: a reply, or a stray. */
void
ng_dns_readable(struct ng_dns *d, int fd, ng_usec now)
{
	struct psock *p = pool_find(d, fd);

	d->now = now;
	if (p != NULL && !p->in_use) {
		drain(fd);	/* level-triggered: never leave it readable */
		return;
	}
	/* c-ares reads an in-use socket until EAGAIN: nothing is left. */
	ares_process_fd(d->ch, fd, ARES_SOCKET_BAD);
}

/* ng_dns_next_timeout - c-ares' next retry or give-up, in microseconds. */
int64_t
ng_dns_next_timeout(struct ng_dns *d)
{
	struct timeval tv, *t;

	if (d->inflight == 0)
		return -1;
	t = ares_timeout(d->ch, NULL, &tv);
	if (t == NULL)
		return -1;
	return (int64_t)t->tv_sec * 1000000 + t->tv_usec;
}

/* ng_dns_tick - let c-ares retry and time out what is due. */
void
ng_dns_tick(struct ng_dns *d, ng_usec now)
{
	d->now = now;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* ptr_suffix - the reverse zone of a's family. */
static const char *
ptr_suffix(const struct ng_addr *a)
{
	return a->family == 4 ? "in-addr.arpa" : "ip6.arpa";
}

/* watch - remember a started client for ng_dns_poll_done. */
static void
watch(struct ng_dns *d, const struct ng_addr *a, ng_usec now)
{
	unsigned i;

	for (i = 0; i < d->ncl; i++)
		if (ng_addr_cmp(&d->cl[i].a, a) == 0)
			break;
	if (i == CLIENTS_MAX)
		i = (unsigned)(now % CLIENTS_MAX);	/* full: any one goes */
	else if (i == d->ncl)
		d->ncl++;
	d->cl[i].a = *a;
	d->cl[i].until = now + d->conf.timeout + NG_SEC(1);
}

/* ng_dns_start - ask every site and the PTR about a. */
int
ng_dns_start(struct ng_dns *d, const struct ng_addr *a, ng_usec now)
{
	char name[NG_DNS_NAME_MAX];
	unsigned i;

	if (!ng_dns_conf_enabled(&d->conf))
		return -1;
	d->now = now;
	d->ct.clients++;
	for (i = 0; i < d->conf.nsite; i++)
		if (ng_dns_reverse_name(a, d->conf.site[i].domain, name,
		    sizeof(name)) == 0)
			(void)want(d, name, T_A_);
	if (ng_dns_conf_rdns(&d->conf) &&
	    ng_dns_reverse_name(a, ptr_suffix(a), name, sizeof(name)) == 0) {
		struct centry *e = want(d, name, T_PTR_);

		if (e != NULL && e->state == E_DONE &&
		    e->ans.kind == NG_DNS_DATA)
			want_forward(d, e);
	}
	watch(d, a, now);
	return 0;
}

/* peek - an entry's state for a result: pending, a failure or done. */
static const struct centry *
peek(struct ng_dns *d, const char *name, uint16_t qtype)
{
	return lookup(d, name, qtype);
}

/* failed - a finished entry that says nothing (timeout, error...). */
static int
failed(const struct centry *e)
{
	return e->ans.kind != NG_DNS_DATA && e->ans.kind != NG_DNS_NONE;
}

/* site_result - one site's state for a. */
static void
site_result(struct ng_dns *d, const struct ng_addr *a,
    const struct ng_dnsbl_site *s, struct ng_dns_site_result *out)
{
	char name[NG_DNS_NAME_MAX];
	const struct centry *e = NULL;
	unsigned i;

	memset(out, 0, sizeof(*out));
	if (ng_dns_reverse_name(a, s->domain, name, sizeof(name)) == 0)
		e = peek(d, name, T_A_);
	if (e == NULL || e->state == E_PENDING) {
		out->state = NG_SITE_PENDING;
		return;
	}
	if (failed(e)) {
		out->state = NG_SITE_NOANSWER;
		return;
	}
	out->state = NG_SITE_UNLISTED;
	for (i = 0; i < e->ans.n; i++)
		if (ng_dnsbl_site_match(s, e->ans.addr[i])) {
			out->state = NG_SITE_LISTED;
			out->weight = s->weight;
			memcpy(out->reply, e->ans.addr[i], 4);
			return;
		}
}

/* dynamic - a confirmed name that looks like an end-user line. */
static int
dynamic(const struct ng_dns *d, const char *name)
{
	if (!d->have_dyn || regexec(&d->dyn, name, 0, NULL, 0) != 0)
		return 0;
	return !d->have_dynex || regexec(&d->dynex, name, 0, NULL, 0) != 0;
}

/*
 * confirm - does a forward answer of the PTR name hold the client?
 * 1 yes, 0 no, -1 pending, -2 failed.
 */
static int
confirm(struct ng_dns *d, const struct ng_addr *a, const char *name)
{
	const struct centry *e = peek(d, name, a->family == 4 ? T_A_ : T_AAAA_);
	unsigned i;

	if (e == NULL || e->state == E_PENDING)
		return -1;
	if (failed(e))
		return -2;
	for (i = 0; i < e->ans.n; i++)
		if (memcmp(e->ans.addr[i], a->b, a->family == 4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* rdns_from_names - the fact from a PTR's names and their forward answers. */
static enum ng_rdns_fact
rdns_from_names(struct ng_dns *d, const struct ng_addr *a,
    const struct ng_dns_answer *ptr, char *out)
{
	int pending = 0, fail = 0;
	unsigned i;

	snprintf(out, NG_DNS_NAME_MAX, "%s", ptr->name[0]);
	for (i = 0; i < ptr->n; i++) {
		int c = confirm(d, a, ptr->name[i]);

		if (c == 1) {
			snprintf(out, NG_DNS_NAME_MAX, "%s", ptr->name[i]);
			return dynamic(d, out) ? NG_RDNS_DYNAMIC : NG_RDNS_OK;
		}
		pending += c == -1;
		fail += c == -2;
	}
	if (pending)
		return NG_RDNS_PENDING;
	return fail ? NG_RDNS_NOANSWER : NG_RDNS_UNCONFIRMED;
}

/* rdns_result - the reverse-DNS fact of a. */
static enum ng_rdns_fact
rdns_result(struct ng_dns *d, const struct ng_addr *a, char *out)
{
	char name[NG_DNS_NAME_MAX];
	const struct centry *e = NULL;
	struct ng_dns_answer ptr;

	out[0] = '\0';
	if (!ng_dns_conf_rdns(&d->conf))
		return NG_RDNS_OFF;
	if (ng_dns_reverse_name(a, ptr_suffix(a), name, sizeof(name)) == 0)
		e = peek(d, name, T_PTR_);
	if (e == NULL || e->state == E_PENDING)
		return NG_RDNS_PENDING;
	if (failed(e))
		return NG_RDNS_NOANSWER;
	if (e->ans.kind == NG_DNS_NONE)
		return NG_RDNS_NONE;
	ptr = e->ans;
	return rdns_from_names(d, a, &ptr, out);
}

/* rdns_weight - the configured weight of a fact. */
static int
rdns_weight(const struct ng_dns_conf *c, enum ng_rdns_fact f)
{
	switch (f) {
	case NG_RDNS_NONE: return c->rdns_none_weight;
	case NG_RDNS_UNCONFIRMED: return c->rdns_unconfirmed_weight;
	case NG_RDNS_DYNAMIC: return c->rdns_dynamic_weight;
	default: return 0;
	}
}

/* compute - a's result from the cache as it stands. */
static void
compute(struct ng_dns *d, const struct ng_addr *a, struct ng_dns_result *r)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->complete = 1;
	r->nsite = d->conf.nsite;
	for (i = 0; i < d->conf.nsite; i++) {
		struct ng_dns_site_result *s = &r->site[i];

		site_result(d, a, &d->conf.site[i], s);
		r->complete &= s->state != NG_SITE_PENDING;
		r->noanswer += s->state == NG_SITE_PENDING ||
		    s->state == NG_SITE_NOANSWER;
		if (s->weight > 0)
			r->dnsbl_score += s->weight;
		else
			r->dnswl_score += s->weight;
	}
	r->rdns = rdns_result(d, a, r->rdns_name);
	r->complete &= r->rdns != NG_RDNS_PENDING;
	r->noanswer += r->rdns == NG_RDNS_PENDING ||
	    r->rdns == NG_RDNS_NOANSWER;
	r->rdns_score = rdns_weight(&d->conf, r->rdns);
	r->score = r->dnsbl_score + r->dnswl_score + r->rdns_score;
	r->listed = d->conf.nsite > 0 &&
	    r->dnsbl_score + r->dnswl_score >= d->conf.threshold;
	r->allowlisted = d->conf.allowlist_threshold < 0 &&
	    r->dnsbl_score + r->dnswl_score <= d->conf.allowlist_threshold;
}

/* ng_dns_result - what is known of a now; pending is no answer. */
void
ng_dns_result(struct ng_dns *d, const struct ng_addr *a, ng_usec now,
    struct ng_dns_result *r)
{
	d->now = now;
	compute(d, a, r);
	if (!r->complete)
		d->ct.unanswered++;
	if (r->rdns == NG_RDNS_PENDING)
		r->rdns = NG_RDNS_NOANSWER;
	for (unsigned i = 0; i < r->nsite; i++)
		if (r->site[i].state == NG_SITE_PENDING)
			r->site[i].state = NG_SITE_NOANSWER;
}

/* drop_client - forget watched client i (the last takes its place). */
static void
drop_client(struct ng_dns *d, unsigned i)
{
	d->cl[i] = d->cl[--d->ncl];
}

/* ng_dns_poll_done - fn for each watched client now complete. */
void
ng_dns_poll_done(struct ng_dns *d, ng_usec now, ng_dns_done_fn fn,
    void *arg)
{
	struct ng_dns_result r;
	unsigned i = 0;

	d->now = now;
	while (i < d->ncl) {
		struct ng_addr a = d->cl[i].a;

		if (d->cl[i].until <= now) {
			drop_client(d, i);
			continue;
		}
		compute(d, &a, &r);
		if (!r.complete) {
			i++;
			continue;
		}
		drop_client(d, i);
		if (fn != NULL)
			fn(&a, &r, arg);
	}
}

/* ng_dns_forget - the caller stopped waiting for a. */
void
ng_dns_forget(struct ng_dns *d, const struct ng_addr *a)
{
	unsigned i;

	for (i = 0; i < d->ncl; i++)
		if (ng_addr_cmp(&d->cl[i].a, a) == 0) {
			drop_client(d, i);
			return;
		}
}

/* ng_dns_counters - the counters so far. */
const struct ng_dns_counters *
ng_dns_counters(const struct ng_dns *d)
{
	return &d->ct;
}

/* ng_dns_cache_used - entries in the table, pending ones included. */
unsigned
ng_dns_cache_used(const struct ng_dns *d)
{
	return d->used;
}

/* ng_dns_inflight - queries c-ares has out. */
unsigned
ng_dns_inflight(const struct ng_dns *d)
{
	return d->inflight;
}
