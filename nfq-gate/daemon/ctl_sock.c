/*
 * ctl_sock.c - the control socket's server (ctl_sock.h).
 *
 * Like psvc_sock.c, non-blocking throughout, but the other way round in
 * size: a request is one short line, an answer may be megabytes.  So
 * a client is first read until its line is whole, then written to as
 * its socket takes the answer (EPOLLOUT), a bounded number of sends per
 * event, and closed when the last byte is gone.  The packet loop never
 * waits for an admin's terminal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/ctl_sock.h"
#include "daemon/unix_listen.h"

#define SENDS_PER_EVENT	16	/* a turn of the loop is not the client's */
#define GROUPS_MAX	256	/* SO_PEERGROUPS on the stack; more: malloc */
#define HEAD_MAX	(NG_CTL_LINE_MAX + 16)

struct client {
	int fd;			/* -1: a free slot */
	int writing;		/* the request ran; the answer goes out */
	ng_usec deadline;
	size_t len;		/* request bytes read */
	char line[NG_CTL_LINE_MAX + 1];	/* a line and its "\n" */
	char head[HEAD_MAX];	/* "CODE MESSAGE\n" */
	size_t hlen;
	struct ng_ctl_out o;	/* the body */
	size_t off;		/* of head then body, sent */
};

struct ng_ctl_sock {
	struct ng_unix_listen u;	/* made safely: unix_listen.c */
	gid_t allow;
	ng_usec logged;		/* a refusal said at this second */
	struct ng_ctl_sock_counts c;
	struct client cl[NG_CTL_CLIENTS];
};

/* ng_ctl_sock_open - the listening socket at path, uid:gid and mode. */
struct ng_ctl_sock *
ng_ctl_sock_open(const char *path, uid_t uid, gid_t gid, unsigned mode,
    gid_t allow, char *err, size_t errlen)
{
	struct ng_ctl_sock *s;
	int i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ng_unix_listen_open(&s->u, path, uid, gid, mode,
	    "control socket", err, errlen) < 0) {
		free(s);
		return NULL;
	}
	s->allow = allow;
	for (i = 0; i < NG_CTL_CLIENTS; i++)
		s->cl[i].fd = -1;
	return s;
}

/* ng_ctl_sock_close - every client closed, then the socket. */
void
ng_ctl_sock_close(struct ng_ctl_sock *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < NG_CTL_CLIENTS; i++) {
		if (s->cl[i].fd >= 0) {
			close(s->cl[i].fd);
			ng_ctl_out_free(&s->cl[i].o);
		}
	}
	ng_unix_listen_close(&s->u);
	free(s);
}

/* ng_ctl_sock_listen_fd - the listening socket, for the event loop. */
int
ng_ctl_sock_listen_fd(const struct ng_ctl_sock *s)
{
	return s->u.lfd;
}

/* ng_ctl_sock_counts - requests, refusals and errors so far. */
const struct ng_ctl_sock_counts *
ng_ctl_sock_counts(const struct ng_ctl_sock *s)
{
	return &s->c;
}

/* find - the client on fd, or NULL. */
static struct client *
find(struct ng_ctl_sock *s, int fd)
{
	int i;

	for (i = 0; fd >= 0 && i < NG_CTL_CLIENTS; i++)
		if (s->cl[i].fd == fd)
			return &s->cl[i];
	return NULL;
}

/* ng_ctl_sock_owns - 1 when fd is ours (listening or a client). */
int
ng_ctl_sock_owns(const struct ng_ctl_sock *s, int fd)
{
	return fd == s->u.lfd || find((struct ng_ctl_sock *)s, fd) != NULL;
}

/* drop - close client c, take it out of epfd, free its slot. */
static void
drop(int epfd, struct client *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	ng_ctl_out_free(&c->o);
	c->fd = -1;
}

/*
 * in_groups - 1 when the peer on fd has gid among its supplementary
 * groups (SO_PEERGROUPS, Linux 4.13).
 */
static int
in_groups(int fd, gid_t gid)
{
	gid_t small[GROUPS_MAX], *g = small;
	socklen_t len = sizeof(small);
	size_t i, n;
	int r, found = 0;

	r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len);
	if (r < 0 && errno == ERANGE && len > sizeof(small) &&
	    (g = malloc(len)) != NULL)
		r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len);
	if (g == NULL)
		return 0;
	n = r == 0 ? len / sizeof(gid_t) : 0;
	for (i = 0; i < n && !found; i++)
		found = g[i] == gid;
	if (g != small)
		free(g);
	return found;
}

/*
 * peer_ok - 1 when the peer on fd may talk: root, or in the allowed
 * group (its primary or a supplementary one).  *uid says who it was.
 */
static int
peer_ok(const struct ng_ctl_sock *s, int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	*uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	*uid = cr.uid;
	return cr.uid == 0 || cr.gid == s->allow || in_groups(fd, s->allow);
}

/*
 * refuse - a one-line answer to a connection we will not serve, and the
 * close; said in the log once a second at most (any local user can
 * connect when the socket's mode lets them).  The request already there
 * is read first: a unix socket closed with unread data resets its
 * peer, which may then lose our line.
 */
static void
refuse(struct ng_ctl_sock *s, int fd, int code, const char *why,
    ng_usec now)
{
	char line[NG_CTL_LINE_MAX + 1];
	int n;

	(void)recv(fd, line, sizeof(line), MSG_DONTWAIT);
	n = snprintf(line, sizeof(line), "%d %s\n", code, why);
	(void)send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	s->c.refused++;
	if (now / NG_USEC_PER_SEC == s->logged)
		return;
	s->logged = now / NG_USEC_PER_SEC;
	ng_log(LOG_WARNING, "control socket: %s", why);
}

/* slot - a free client slot, or NULL. */
static struct client *
slot(struct ng_ctl_sock *s)
{
	int i;

	for (i = 0; i < NG_CTL_CLIENTS; i++)
		if (s->cl[i].fd < 0)
			return &s->cl[i];
	return NULL;
}

/* on_accept - one new client, checked, into epfd; or refused. */
static void
on_accept(struct ng_ctl_sock *s, int epfd, ng_usec now)
{
	struct epoll_event ev;
	struct client *c;
	char why[96];
	uid_t uid;
	int fd;

	fd = accept4(s->u.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!peer_ok(s, fd, &uid)) {
		snprintf(why, sizeof(why), "permission denied: uid %ld is "
		    "not root or in control_socket_group", (long)uid);
		refuse(s, fd, NG_CTL_NOPERM, why, now);
		return;
	}
	if ((c = slot(s)) == NULL) {
		snprintf(why, sizeof(why), "busy: %d control connections "
		    "open", NG_CTL_CLIENTS);
		refuse(s, fd, NG_CTL_UNAVAILABLE, why, now);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline = now + NG_CTL_READ_WAIT;
	ng_ctl_out_init(&c->o);
}

/*
 * flush - as much of c's answer as the socket takes now; the close when
 * all is gone or the peer is; EPOLLOUT when the socket is full.
 */
static void
flush(struct ng_ctl_sock *s, int epfd, struct client *c, ng_usec now)
{
	struct epoll_event ev;
	struct msghdr mh;
	struct iovec iov[2];
	size_t total = c->hlen + c->o.len;
	ssize_t n;
	int i;

	for (i = 0; i < SENDS_PER_EVENT && c->off < total; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		if (c->off < c->hlen) {
			iov[0].iov_base = c->head + c->off;
			iov[0].iov_len = c->hlen - c->off;
			iov[1].iov_base = c->o.buf;
			iov[1].iov_len = c->o.len;
			mh.msg_iovlen = c->o.len > 0 ? 2 : 1;
		} else {
			iov[0].iov_base = c->o.buf + (c->off - c->hlen);
			iov[0].iov_len = total - c->off;
			mh.msg_iovlen = 1;
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			s->c.errors++;	/* gone before the end */
			drop(epfd, c);
			return;
		}
		c->off += (size_t)n;
		c->deadline = now + NG_CTL_WRITE_WAIT;
	}
	if (c->off == total) {
		drop(epfd, c);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.fd = c->fd;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		s->c.errors++;
		drop(epfd, c);
	}
}

/*
 * answer - c's request (len bytes) run by fn, its status line made with
 * the message on one line, and the writing begun.
 */
static void
answer(struct ng_ctl_sock *s, int epfd, struct client *c, size_t len,
    ng_usec now, ng_ctl_sock_fn fn, void *arg)
{
	char msg[NG_CTL_LINE_MAX], *p;
	int code, n;

	msg[0] = '\0';
	code = fn(arg, c->line, len, &c->o, msg, sizeof(msg));
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = snprintf(c->head, sizeof(c->head), "%d %s\n", code,
	    msg[0] != '\0' ? msg : "ok");
	c->hlen = n > 0 && (size_t)n < sizeof(c->head) ? (size_t)n :
	    sizeof(c->head) - 1;
	c->head[c->hlen - 1] = '\n';	/* a message cut short still ends */
	c->writing = 1;
	c->off = 0;
	c->deadline = now + NG_CTL_WRITE_WAIT;
	s->c.requests++;
	flush(s, epfd, c, now);
}

/*
 * too_long - a request past NG_CTL_LINE_MAX: answered NG_CTL_USAGE
 * without running it.
 */
static void
too_long(struct ng_ctl_sock *s, int epfd, struct client *c, ng_usec now)
{
	int n;

	n = snprintf(c->head, sizeof(c->head), "%d request longer than %d "
	    "bytes\n", NG_CTL_USAGE, NG_CTL_LINE_MAX);
	c->hlen = (size_t)n;
	c->writing = 1;
	c->deadline = now + NG_CTL_WRITE_WAIT;
	s->c.errors++;
	flush(s, epfd, c, now);
}

/*
 * on_read - more of c's request; run at its "\n", or at the end of
 * input (the "\n" is optional), refused when too long.
 */
static void
on_read(struct ng_ctl_sock *s, int epfd, struct client *c, ng_usec now,
    ng_ctl_sock_fn fn, void *arg)
{
	char *nl;
	ssize_t n;

	n = read(c->fd, c->line + c->len, sizeof(c->line) - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && c->len == 0)) {
		drop(epfd, c);	/* gone, or nothing asked */
		return;
	}
	nl = memchr(c->line + c->len, '\n', (size_t)n);
	c->len += (size_t)n;
	if (nl != NULL)
		answer(s, epfd, c, (size_t)(nl - c->line) + 1, now, fn, arg);
	else if (n == 0)
		answer(s, epfd, c, c->len, now, fn, arg);
	else if (c->len == sizeof(c->line))
		too_long(s, epfd, c, now);
}

/* ng_ctl_sock_event - accept, read and run, or write more. */
void
ng_ctl_sock_event(struct ng_ctl_sock *s, int epfd, int fd, uint32_t events,
    ng_usec now, ng_ctl_sock_fn fn, void *arg)
{
	struct client *c;

	if (fd == s->u.lfd) {
		on_accept(s, epfd, now);
		return;
	}
	if ((c = find(s, fd)) == NULL)
		return;
	if (!c->writing)
		on_read(s, epfd, c, now, fn, arg);
	else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		flush(s, epfd, c, now);
}

/* ng_ctl_sock_expire - the clients past their deadline, closed. */
void
ng_ctl_sock_expire(struct ng_ctl_sock *s, int epfd, ng_usec now)
{
	int i;

	for (i = 0; i < NG_CTL_CLIENTS; i++) {
		if (s->cl[i].fd < 0 || now < s->cl[i].deadline)
			continue;
		ng_log(LOG_DEBUG, "control socket: a client %s, closed",
		    s->cl[i].writing ? "read nothing of its answer" :
		    "sent no request in time");
		s->c.errors++;
		drop(epfd, &s->cl[i]);
	}
}
