/*
 * psvc_sock.c - the policy service's unix socket server (psvc_sock.h).
 *
 * Non-blocking throughout: one read per readable event, answers written
 * with a single send (an answer is far smaller than a socket buffer, and
 * Postfix waits for it before sending more).  A client that breaks the
 * protocol, or one past the connection limit, is logged and closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/psvc_sock.h"
#include "daemon/unix_listen.h"

struct client {
	int fd;
	struct ng_psvc_req req;
};

/*
 * Clients by descriptor, so an event finds its client without a scan.
 * A client's request buffer is allocated when it connects.
 */
struct ng_psvc_sock {
	struct ng_unix_listen u;	/* made safely: unix_listen.c */
	unsigned n;
	struct client *byfd[NG_PSVC_FD_MAX];
};

/* ng_psvc_sock_open - the listening socket at path, uid:gid and mode. */
struct ng_psvc_sock *
ng_psvc_sock_open(const char *path, uid_t uid, gid_t gid, unsigned mode,
    char *err, size_t errlen)
{
	struct ng_psvc_sock *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ng_unix_listen_open(&s->u, path, uid, gid, mode, "policy socket",
	    err, errlen) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * ng_psvc_sock_close - close every client and the socket; remove the
 * socket file only if it is still ours, not what replaced it.
 */
void
ng_psvc_sock_close(struct ng_psvc_sock *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < NG_PSVC_FD_MAX; i++) {
		if (s->byfd[i] != NULL) {
			close(i);
			free(s->byfd[i]);
		}
	}
	ng_unix_listen_close(&s->u);
	free(s);
}

/* ng_psvc_sock_listen_fd - the listening socket, for the event loop. */
int
ng_psvc_sock_listen_fd(const struct ng_psvc_sock *s)
{
	return s->u.lfd;
}

/* find - the client on fd, or NULL (not ours, or out of range). */
static struct client *
find(const struct ng_psvc_sock *s, int fd)
{
	return fd >= 0 && fd < NG_PSVC_FD_MAX ? s->byfd[fd] : NULL;
}

/* drop - close client c and take it out of epfd and the table. */
static void
drop(struct ng_psvc_sock *s, int epfd, struct client *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	s->byfd[c->fd] = NULL;
	s->n--;
	free(c);
}

/* on_accept - one new client into epfd, or refused when there is no room. */
static void
on_accept(struct ng_psvc_sock *s, int epfd)
{
	struct epoll_event ev;
	struct client *c;
	int fd;

	fd = accept4(s->u.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/*
	 * Refused, Postfix applies smtpd_policy_service_default_action
	 * (the README says DUNNO), so the mail goes on.
	 */
	if (s->n >= NG_PSVC_CLIENTS || fd >= NG_PSVC_FD_MAX ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		ng_log(LOG_WARNING, "policy service: %u connections open, "
		    "one refused", s->n);
		close(fd);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	ng_psvc_req_reset(&c->req);
	s->byfd[fd] = c;
	s->n++;
}

/* answer - the answer to c's finished request; -1 when it cannot be sent. */
static int
answer(struct client *c, const struct ng_psvc_rules *rules,
    ng_psvc_facts_fn fn, void *arg)
{
	struct ng_facts f;
	char out[NG_PSVC_ANSWER_MAX];
	size_t n;
	int ok;

	ok = c->req.is_policy && c->req.client_address[0] != '\0' &&
	    fn(c->req.client_address, &f, arg) == 0;
	n = ng_psvc_answer_req(&c->req, rules, ok ? &f : NULL, out,
	    sizeof(out));
	ng_psvc_req_next(&c->req);
	return send(c->fd, out, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* ng_psvc_sock_event - fd is readable: accept, or read and answer. */
void
ng_psvc_sock_event(struct ng_psvc_sock *s, int epfd, int fd,
    const struct ng_psvc_rules *rules, ng_psvc_facts_fn fn, void *arg)
{
	struct client *c;
	char buf[4096], err[128];
	ssize_t n;
	size_t off = 0, used;
	int rc;

	if (fd == s->u.lfd) {
		on_accept(s, epfd);
		return;
	}
	if ((c = find(s, fd)) == NULL)
		return;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(s, epfd, c);
		return;
	}
	while (off < (size_t)n) {
		rc = ng_psvc_feed(&c->req, buf + off, (size_t)n - off, &used,
		    err, sizeof(err));
		if (rc < 0) {
			ng_log(LOG_WARNING, "policy service: %s", err);
			drop(s, epfd, c);
			return;
		}
		off += used;
		if (rc == 1 && answer(c, rules, fn, arg) < 0) {
			drop(s, epfd, c);
			return;
		}
	}
}
