/*
 * redis_link.c - hiredis' async API on the gate's epoll loop (see
 * redis_link.h).
 *
 * hiredis does the protocol: it formats commands, buffers them, parses
 * replies and matches each to its callback; it asks for read and write
 * readiness through the five hooks of ac->ev, which here add and remove
 * EPOLLIN and EPOLLOUT on the connection's descriptor in the gate's own
 * epoll set.  What hiredis 0.14 leaves out is time: it has no timers,
 * so the deadlines, the idle ping and the backoff live here and run
 * from ng_redis_link_tick(), which the loop's timer calls.
 *
 * Ownership of a context, the one subtle part: hiredis frees a context
 * itself when the connection fails or closes (calling on_connect with an
 * error or on_disconnect), and defers a free asked for inside one of its
 * callbacks until the callback returns.  The conn forgets its context
 * (ac = NULL) before anything frees it, and a context freed by us is
 * marked "ours" so its on_disconnect is not taken for a lost link.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <hiredis/async.h>

#include "daemon/redis_link.h"

#define BACKOFF_FIRST	NG_SEC(1)
#define BACKOFF_MAX	NG_SEC(30)
#define PING_IDLE	NG_SEC(15)	/* an idle link is pinged this often */
#define WHY_MAX		256
#define CHANNEL_MAX	128

enum { CMD = 0, SUB = 1, NCONN = 2 };
enum { L_IDLE = 0, L_CONNECTING, L_READY };

struct conn {
	struct ng_redis_link *l;
	redisAsyncContext *ac;	/* NULL: none (or hiredis is freeing it) */
	int fd;			/* in the epoll set when registered */
	uint32_t mask;		/* EPOLLIN | EPOLLOUT asked for */
	int registered;
	int ours;		/* we freed it: its on_disconnect is ours */
	int failed;		/* epoll_ctl refused it (errno) */
	unsigned hs_left;	/* handshake answers still due */
};

struct ng_redis_link {
	int epfd;
	struct ng_redis_url url;
	char channel[CHANNEL_MAX];
	ng_usec timeout;
	unsigned max_pending;
	struct ng_redis_link_ops ops;
	struct conn c[NCONN];
	int state;
	ng_usec since;		/* the state's start */
	ng_usec next_try;	/* L_IDLE: the next try */
	ng_usec backoff;	/* the wait after the next failure */
	unsigned inflight;	/* commands awaiting a reply, pings too */
	unsigned pending;	/* of those, the caller's */
	ng_usec progress;	/* the last reply, or when one was awaited */
	ng_usec last_sent;	/* for the idle ping */
	ng_usec now;		/* the latest time seen: callbacks have none */
	int dropping;
	struct ng_redis_link_counts counts;
};

static void link_drop(struct ng_redis_link *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- what a reply may cost ---- */

static redisReplyObjectFunctions guarded;
static void *(*plain_array)(const redisReadTask *, int);

/*
 * guarded_array - hiredis' own array, when within NG_REDIS_ELEMENTS_MAX;
 * NULL fails the reader ("Out of memory"), and the link drops.
 */
static void *
guarded_array(const redisReadTask *task, int elements)
{
	if (elements < 0 || elements > NG_REDIS_ELEMENTS_MAX)
		return NULL;
	return plain_array(task, elements);
}

/* ng_redis_reader_guard - r's arrays through guarded_array. */
void
ng_redis_reader_guard(redisReader *r)
{
	if (r == NULL || r->fn == NULL || r->fn == &guarded)
		return;
	if (plain_array == NULL) {
		guarded = *r->fn;
		plain_array = r->fn->createArray;
		guarded.createArray = guarded_array;
	}
	if (r->fn->createArray == plain_array)
		r->fn = &guarded;
}

/* ---- the epoll adapter: hiredis' five hooks ---- */

/* ev_update - the descriptor's epoll registration to its mask. */
static void
ev_update(struct conn *c)
{
	struct epoll_event ev;

	if (c->fd < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = c->mask;
	ev.data.fd = c->fd;
	if (epoll_ctl(c->l->epfd, c->registered ? EPOLL_CTL_MOD :
	    EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		c->failed = errno;
		return;
	}
	c->registered = 1;
}

/* ev_set - a bit of the mask on or off, told to epoll when it changed. */
static void
ev_set(struct conn *c, uint32_t bit, int on)
{
	uint32_t m = on ? c->mask | bit : c->mask & ~bit;

	if (m == c->mask && c->registered)
		return;
	c->mask = m;
	ev_update(c);
}

/* add_read - hiredis wants to read. */
static void
add_read(void *p)
{
	ev_set(p, EPOLLIN, 1);
}

/* del_read - hiredis no longer wants to read. */
static void
del_read(void *p)
{
	ev_set(p, EPOLLIN, 0);
}

/* add_write - hiredis has bytes to write (or a connect to finish). */
static void
add_write(void *p)
{
	ev_set(p, EPOLLOUT, 1);
}

/* del_write - hiredis has written everything. */
static void
del_write(void *p)
{
	ev_set(p, EPOLLOUT, 0);
}

/*
 * cleanup - hiredis frees the context (the descriptor is still open):
 * out of the epoll set, and forgotten.
 */
static void
cleanup(void *p)
{
	struct conn *c = p;

	if (c->registered)
		(void)epoll_ctl(c->l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->registered = 0;
	c->fd = -1;
	c->mask = 0;
	c->ac = NULL;
}

/* attach - the hooks onto a new context. */
static void
attach(struct conn *c, redisAsyncContext *ac)
{
	c->ac = ac;
	c->fd = ac->c.fd;
	c->mask = 0;
	c->registered = 0;
	c->failed = 0;
	c->ours = 0;
	ac->data = c;
	ac->ev.data = c;
	ac->ev.addRead = add_read;
	ac->ev.delRead = del_read;
	ac->ev.addWrite = add_write;
	ac->ev.delWrite = del_write;
	ac->ev.cleanup = cleanup;
	ng_redis_reader_guard(ac->c.reader);
}

/* ---- the link's state ---- */

/*
 * free_conn - drop one connection: forgotten first, marked ours, then
 * freed (by hiredis later, when inside one of its callbacks).
 */
static void
free_conn(struct conn *c)
{
	redisAsyncContext *ac = c->ac;

	if (ac == NULL)
		return;
	c->ac = NULL;
	c->ours = 1;
	redisAsyncFree(ac);
}

/*
 * link_drop - both connections dropped (outstanding replies told, NULL),
 * the next try set, the owner told why.
 */
static void
link_drop(struct ng_redis_link *l, const char *fmt, ...)
{
	char why[WHY_MAX];
	va_list ap;
	int w;

	if (l->dropping)
		return;
	l->dropping = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	l->state = L_IDLE;
	l->since = l->now;
	l->next_try = l->now + l->backoff;
	l->backoff = l->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
	    l->backoff * 2;
	for (w = 0; w < NCONN; w++)
		free_conn(&l->c[w]);
	l->counts.failures++;
	l->dropping = 0;
	l->ops.down(l->ops.arg, why);
}

/* check_ready - both handshakes answered: the link is up. */
static void
check_ready(struct ng_redis_link *l)
{
	if (l->state != L_CONNECTING || l->c[CMD].hs_left > 0 ||
	    l->c[SUB].hs_left > 0)
		return;
	l->state = L_READY;
	l->since = l->progress = l->last_sent = l->now;
	l->backoff = BACKOFF_FIRST;
	l->counts.connects++;
	l->ops.ready(l->ops.arg);
}

/* err_text - the context's error, or what to say without one. */
static const char *
err_text(const redisAsyncContext *ac, const char *none)
{
	return ac->c.err != 0 && ac->c.errstr[0] != '\0' ? ac->c.errstr :
	    none;
}

/* ---- hiredis' callbacks ---- */

/*
 * on_connect - the connect finished: on failure hiredis frees the
 * context right after, so the conn lets go of it first.
 */
static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct conn *c = ac->data;

	if (status == REDIS_OK || c->ac != ac)
		return;
	c->ac = NULL;
	link_drop(c->l, "connect: %s", err_text(ac, "failed"));
}

/* on_disconnect - hiredis closed a connection: ours, or a lost link. */
static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct conn *c = ac->data;

	(void)status;
	if (c->ours) {
		c->ours = 0;
		return;
	}
	c->ac = NULL;
	link_drop(c->l, "%s", err_text(ac, "connection closed by the "
	    "server"));
}

/* shown_len - a reply's text length, cut for a log line. */
static int
shown_len(const redisReply *r)
{
	return r->len > 120 ? 120 : (int)r->len;
}

/*
 * hs_reply - one handshake answer (AUTH, SELECT, PING): +OK or +PONG,
 * else the link drops with the server's words.
 */
static void
hs_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct conn *c = priv;
	const redisReply *r = reply;

	if (r == NULL || c->ac != ac || c->hs_left == 0)
		return;
	if (r->type != REDIS_REPLY_STATUS || r->str == NULL) {
		link_drop(c->l, "handshake: %.*s", r->type ==
		    REDIS_REPLY_ERROR && r->str != NULL ? shown_len(r) : 16,
		    r->type == REDIS_REPLY_ERROR && r->str != NULL ? r->str :
		    "unexpected reply");
		return;
	}
	c->hs_left--;
	check_ready(c->l);
}

/*
 * sub_reply - the subscription's pushes: its confirmation ends the
 * handshake, every later one is the owner's.
 */
static void
sub_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct conn *c = priv;
	struct ng_redis_link *l = c->l;
	const redisReply *r = reply, *k;

	if (r == NULL || c->ac != ac)
		return;
	k = r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	    r->element != NULL ? r->element[0] : NULL;
	if (c->hs_left > 0 && k != NULL && k->type == REDIS_REPLY_STRING &&
	    k->len == 9 && memcmp(k->str, "subscribe", 9) == 0) {
		c->hs_left--;
		check_ready(l);
		return;
	}
	if (l->state != L_READY)
		return;
	l->counts.received++;
	l->ops.message(l->ops.arg, r);
}

/* user_reply - a command's reply to its owner. */
static void
user_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct conn *c = ac->data;
	struct ng_redis_link *l = c->l;

	if (l->inflight > 0)
		l->inflight--;
	if (l->pending > 0)
		l->pending--;
	if (reply != NULL) {
		l->counts.received++;
		l->progress = l->now;
	}
	l->ops.reply(l->ops.arg, priv, reply);
}

/* ping_reply - the idle ping's answer: only that it came. */
static void
ping_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct conn *c = ac->data;

	(void)priv;
	if (c->l->inflight > 0)
		c->l->inflight--;
	if (reply != NULL)
		c->l->progress = c->l->now;
}

/* ---- connecting ---- */

/* handshake - queue AUTH and SELECT as the URL asks, then last. */
static int
handshake(struct ng_redis_link *l, struct conn *c, int which)
{
	const char *argv[3];
	char db[16];
	int n = 0;

	c->hs_left = 0;
	if (l->url.pass[0] != '\0') {
		argv[n++] = "AUTH";
		if (l->url.user[0] != '\0')
			argv[n++] = l->url.user;
		argv[n++] = l->url.pass;
		if (redisAsyncCommandArgv(c->ac, hs_reply, c, n, argv,
		    NULL) != REDIS_OK)
			return -1;
		c->hs_left++;
	}
	if (l->url.db != 0) {
		snprintf(db, sizeof(db), "%u", l->url.db);
		argv[0] = "SELECT";
		argv[1] = db;
		if (redisAsyncCommandArgv(c->ac, hs_reply, c, 2, argv,
		    NULL) != REDIS_OK)
			return -1;
		c->hs_left++;
	}
	if (which == CMD && redisAsyncCommand(c->ac, hs_reply, c, "PING") !=
	    REDIS_OK)
		return -1;
	argv[0] = "SUBSCRIBE";
	argv[1] = l->channel;
	if (which == SUB && redisAsyncCommandArgv(c->ac, sub_reply, c, 2,
	    argv, NULL) != REDIS_OK)
		return -1;
	c->hs_left++;
	return 0;
}

/* open_conn - connect one of the two; 0, or -1 with why. */
static int
open_conn(struct ng_redis_link *l, int which, char *why, size_t len)
{
	struct conn *c = &l->c[which];
	redisAsyncContext *ac;

	c->l = l;
	ac = l->url.is_unix ? redisAsyncConnectUnix(l->url.path) :
	    redisAsyncConnect(l->url.host, (int)l->url.port);
	if (ac == NULL) {
		snprintf(why, len, "connect: out of memory");
		return -1;
	}
	if (ac->err) {
		snprintf(why, len, "connect: %s", err_text(ac, "failed"));
		redisAsyncFree(ac);
		return -1;
	}
	attach(c, ac);
	if (!l->url.is_unix)
		(void)redisEnableKeepAlive(&ac->c);	/* 15 s */
	if (redisAsyncSetConnectCallback(ac, on_connect) != REDIS_OK ||
	    redisAsyncSetDisconnectCallback(ac, on_disconnect) != REDIS_OK ||
	    handshake(l, c, which) < 0) {
		snprintf(why, len, "connect: out of memory");
		return -1;
	}
	return 0;
}

/* start - a new try: both connections opened, handshakes queued. */
static void
start(struct ng_redis_link *l)
{
	char why[WHY_MAX];
	int w;

	l->state = L_CONNECTING;
	l->since = l->now;
	l->inflight = l->pending = 0;
	for (w = 0; w < NCONN; w++) {
		if (open_conn(l, w, why, sizeof(why)) < 0) {
			link_drop(l, "%s", why);
			return;
		}
	}
}

/* ---- the interface ---- */

/* ng_redis_link_new - a link, not yet connected (see redis_link.h). */
struct ng_redis_link *
ng_redis_link_new(int epfd, const struct ng_redis_url *u,
    const char *channel, ng_usec timeout, unsigned max_pending,
    const struct ng_redis_link_ops *ops)
{
	struct ng_redis_link *l;
	int w;

	if (strlen(channel) >= CHANNEL_MAX || (l = calloc(1,
	    sizeof(*l))) == NULL)
		return NULL;
	l->epfd = epfd;
	l->url = *u;
	snprintf(l->channel, sizeof(l->channel), "%s", channel);
	l->timeout = timeout;
	l->max_pending = max_pending;
	l->ops = *ops;
	l->backoff = BACKOFF_FIRST;
	for (w = 0; w < NCONN; w++) {
		l->c[w].l = l;
		l->c[w].fd = -1;
	}
	return l;
}

/* ng_redis_link_free - both connections dropped, the link freed. */
void
ng_redis_link_free(struct ng_redis_link *l)
{
	int w;

	if (l == NULL)
		return;
	l->dropping = 1;	/* no "down" for a link we end */
	l->state = L_IDLE;
	for (w = 0; w < NCONN; w++)
		free_conn(&l->c[w]);
	free(l);
}

/* ng_redis_link_set_timeout - a new redis_timeout (a reload). */
void
ng_redis_link_set_timeout(struct ng_redis_link *l, ng_usec timeout)
{
	l->timeout = timeout;
}

/* ng_redis_link_owns - whether fd is one of the link's connections. */
int
ng_redis_link_owns(const struct ng_redis_link *l, int fd)
{
	return fd >= 0 && (l->c[CMD].fd == fd || l->c[SUB].fd == fd);
}

/*
 * ng_redis_link_event - readiness on one of the link's descriptors:
 * read first (replies, or the connect's outcome), then write, unless
 * the read ended the connection.
 */
void
ng_redis_link_event(struct ng_redis_link *l, int fd, uint32_t events,
    ng_usec now)
{
	redisAsyncContext *ac;
	int w;

	l->now = now;
	for (w = 0; w < NCONN; w++) {
		if (l->c[w].fd != fd || (ac = l->c[w].ac) == NULL)
			continue;
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			redisAsyncHandleRead(ac);
		if (l->c[w].ac == ac && ac->c.reader != NULL &&
		    ac->c.reader->len - ac->c.reader->pos >
		    NG_REDIS_BUFFER_MAX) {
			link_drop(l, "a reply of more than %u bytes",
			    NG_REDIS_BUFFER_MAX);
			return;
		}
		if (l->c[w].ac == ac && (events & EPOLLOUT))
			redisAsyncHandleWrite(ac);
		return;
	}
}

/* ping - the idle ping on the command connection. */
static void
ping(struct ng_redis_link *l)
{
	if (redisAsyncCommand(l->c[CMD].ac, ping_reply, NULL, "PING") !=
	    REDIS_OK)
		return;
	if (l->inflight++ == 0)
		l->progress = l->now;
	l->last_sent = l->now;
}

/* connected - whether both connections finished connecting. */
static int
connected(const struct ng_redis_link *l)
{
	int w;

	for (w = 0; w < NCONN; w++)
		if (l->c[w].ac == NULL ||
		    !(l->c[w].ac->c.flags & REDIS_CONNECTED))
			return 0;
	return 1;
}

/* ng_redis_link_tick - deadlines, the idle ping, the next try. */
void
ng_redis_link_tick(struct ng_redis_link *l, ng_usec now)
{
	unsigned ms = (unsigned)(l->timeout / 1000);
	int w;

	l->now = now;
	for (w = 0; w < NCONN; w++)
		if (l->state != L_IDLE && l->c[w].failed) {
			link_drop(l, "epoll: %s", strerror(l->c[w].failed));
			return;
		}
	switch (l->state) {
	case L_IDLE:
		if (now >= l->next_try)
			start(l);
		break;
	case L_CONNECTING:
		if (now >= l->since + l->timeout)
			link_drop(l, connected(l) ? "no answer within %ums" :
			    "connect: no answer within %ums", ms);
		break;
	default:
		if (l->inflight > 0 && now >= l->progress + l->timeout)
			link_drop(l, "no reply within %ums (%u waiting)", ms,
			    l->inflight);
		else if (l->inflight == 0 && now >= l->last_sent + PING_IDLE)
			ping(l);
		break;
	}
}

/* ng_redis_link_next - when the link next wants a tick. */
ng_usec
ng_redis_link_next(const struct ng_redis_link *l)
{
	if ((l->c[CMD].failed || l->c[SUB].failed) && l->state != L_IDLE)
		return l->now;
	switch (l->state) {
	case L_IDLE:
		return l->next_try;
	case L_CONNECTING:
		return l->since + l->timeout;
	default:
		return l->inflight > 0 ? l->progress + l->timeout :
		    l->last_sent + PING_IDLE;
	}
}

/* ng_redis_link_ready - whether commands are taken. */
int
ng_redis_link_ready(const struct ng_redis_link *l)
{
	return l->state == L_READY;
}

/* ng_redis_link_since - since when the link is ready, or not. */
ng_usec
ng_redis_link_since(const struct ng_redis_link *l)
{
	return l->since;
}

/* ng_redis_link_pending - the caller's commands awaiting a reply. */
unsigned
ng_redis_link_pending(const struct ng_redis_link *l)
{
	return l->pending;
}

/* ng_redis_link_counts - what the link has done. */
const struct ng_redis_link_counts *
ng_redis_link_counts(const struct ng_redis_link *l)
{
	return &l->counts;
}

/* ng_redis_link_cmd - one command queued (see redis_link.h). */
int
ng_redis_link_cmd(struct ng_redis_link *l, void *priv, int argc,
    const char **argv, const size_t *argvlen, ng_usec now)
{
	if (l->state != L_READY || l->c[CMD].ac == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	if (l->pending >= l->max_pending) {
		errno = ENOBUFS;
		return -1;
	}
	if (redisAsyncCommandArgv(l->c[CMD].ac, user_reply, priv, argc, argv,
	    argvlen) != REDIS_OK) {
		errno = ENOMEM;
		return -1;
	}
	l->now = now;
	if (l->inflight++ == 0)
		l->progress = now;
	l->pending++;
	l->last_sent = now;
	l->counts.sent++;
	return 0;
}
