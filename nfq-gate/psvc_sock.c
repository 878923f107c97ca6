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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "psvc_sock.h"

struct client {
	int fd;
	struct ng_psvc_req req;
};

/*
 * Clients by descriptor, so an event finds its client without a scan.
 * A client's request buffer is allocated when it connects.
 */
struct ng_psvc_sock {
	int lfd;
	unsigned n;
	char path[108];
	struct client *byfd[NG_PSVC_FD_MAX];
};

/*
 * chown only when it changes something: in a setgid directory the socket
 * is born with the right group, and the systemd unit's system call
 * filter (~@privileged) kills a process that calls chown at all.
 */
static int
give(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if ((uid == (uid_t)-1 || st.st_uid == uid) && st.st_gid == gid)
		return 0;
	return chown(path, uid, gid);
}

struct ng_psvc_sock *
ng_psvc_sock_open(const char *path, uid_t uid, gid_t gid, unsigned mode,
    char *err, size_t errlen)
{
	struct ng_psvc_sock *s;
	struct sockaddr_un sun;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	(void)unlink(path);	/* a stale socket from a crash */
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sun,
	    sizeof(sun)) < 0 || listen(s->lfd, 64) < 0 ||
	    give(path, uid, gid) < 0 || chmod(path, mode) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (s->lfd >= 0)
			close(s->lfd);
		free(s);
		return NULL;
	}
	return s;
}

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
	close(s->lfd);
	(void)unlink(s->path);
	free(s);
}

int
ng_psvc_sock_listen_fd(const struct ng_psvc_sock *s)
{
	return s->lfd;
}

static struct client *
find(const struct ng_psvc_sock *s, int fd)
{
	return fd >= 0 && fd < NG_PSVC_FD_MAX ? s->byfd[fd] : NULL;
}

static void
drop(struct ng_psvc_sock *s, int epfd, struct client *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	s->byfd[c->fd] = NULL;
	s->n--;
	free(c);
}

static void
on_accept(struct ng_psvc_sock *s, int epfd)
{
	struct epoll_event ev;
	struct client *c;
	int fd;

	fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
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

static int
answer(struct client *c, const struct ng_psvc_rules *rules,
    ng_psvc_facts_fn fn, void *arg)
{
	struct ng_psvc_facts f;
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

void
ng_psvc_sock_event(struct ng_psvc_sock *s, int epfd, int fd,
    const struct ng_psvc_rules *rules, ng_psvc_facts_fn fn, void *arg)
{
	struct client *c;
	char buf[4096], err[128];
	ssize_t n;
	size_t off = 0, used;
	int rc;

	if (fd == s->lfd) {
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
