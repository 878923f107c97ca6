/*
 * psvc_sock.c - the policy service's unix socket server (psvc_sock.h).
 *
 * Non-blocking throughout: one read per readable event, answers written
 * with a single send (an answer is far smaller than a socket buffer, and
 * Postfix waits for it before sending more).  A client that breaks the
 * protocol, or one past the connection limit, is logged and closed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/psvc_sock.h"

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
	int dfd;		/* the socket's directory (O_PATH) */
	dev_t dev;		/* the socket file, to remove only ours */
	ino_t ino;
	unsigned n;
	char base[108];
	struct client *byfd[NG_PSVC_FD_MAX];
};

/* split - dir and base of path ("." for a bare name); -1 if no base. */
static int
split(const char *path, char *dir, size_t dlen, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(dir, dlen, ".");
		*base = path;
	} else {
		snprintf(dir, dlen, "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
		*base = slash + 1;
	}
	return **base == '\0' ? -1 : 0;
}

#define PRIVATE_PREFIX ".nfq-gate."
#define PRIVATE_TRIES 8

/*
 * private_dir - a directory of our own in dfd, named at random, for the
 * socket to be made and given away in.  The owner of dfd (postfix, for
 * /var/spool/postfix/private) may rename it or put a link or a
 * directory of theirs in its place at any moment: the open does not
 * follow links, and what it opens must be ours and closed to others.
 * Whatever goes wrong after the mkdirat, the name is removed again (an
 * rmdir: it takes neither a link nor a directory someone filled).
 * *why says what failed when errno alone would mislead.
 */
static int
private_dir(int dfd, char *name, size_t len, const char **why)
{
	unsigned char r[8];
	struct stat st;
	int i, fd, e;

	for (i = 0; i < PRIVATE_TRIES; i++) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		snprintf(name, len, PRIVATE_PREFIX
		    "%02x%02x%02x%02x%02x%02x%02x%02x",
		    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
		if (mkdirat(dfd, name, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 &&
		    st.st_uid == geteuid() && (st.st_mode & 077) == 0)
			return fd;
		e = fd < 0 ? errno : EPERM;
		if (fd >= 0) {
			*why = "the private directory beside it is not ours "
			    "or is open to others";
			close(fd);
		}
		(void)unlinkat(dfd, name, AT_REMOVEDIR);
		errno = e;
		return -1;
	}
	*why = "no free name for a private directory beside it (" 
	    PRIVATE_PREFIX "*: 8 random names all taken)";
	errno = EEXIST;
	return -1;
}

/*
 * remove_stale - rmdir the empty private directories of ours (0700)
 * that a gate killed between mkdirat and its cleanup left in dfd.  No
 * link is followed (fstatat without, rmdir never does) and rmdir takes
 * only an empty directory, so nothing of anybody else's goes.
 */
static void
remove_stale(int dfd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, PRIVATE_PREFIX,
		    sizeof(PRIVATE_PREFIX) - 1) != 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    (st.st_mode & 07777) != 0700)
			continue;
		if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0)
			ng_log(LOG_INFO, "policy socket: removed a stale %s",
			    de->d_name);
	}
	closedir(d);
}

/*
 * bind_in - bind lfd to "s" in directory pfd, born no more open than
 * mode (the umask), by a path no one else can change (pfd is our
 * working directory for the call).
 */
static int
bind_in(int lfd, int pfd, unsigned mode)
{
	struct sockaddr_un sun;
	mode_t old;
	int cwd, r, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	sun.sun_path[0] = 's';
	if ((cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (fchdir(pfd) < 0) {
		e = errno;
		close(cwd);
		errno = e;
		return -1;
	}
	old = umask(~mode & 0777);
	r = bind(lfd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	if (fchdir(cwd) < 0 && r == 0) {
		r = -1;
		e = errno;
	}
	close(cwd);
	errno = e;
	return r;
}

/*
 * give - owner and mode of "s" in pfd, then move it to base in dfd.
 * chown only when it changes something: in a setgid directory the
 * socket is born with the right group, and the systemd unit's system
 * call filter (~@privileged) kills a process that calls chown at all.
 * The rename replaces a stale socket or a link without following it.
 */
static int
give(struct ng_psvc_sock *s, int pfd, uid_t uid, gid_t gid, unsigned mode,
    const char *base)
{
	struct stat st;

	if (fstatat(pfd, "s", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EPERM;
		return -1;
	}
	if (((uid != (uid_t)-1 && st.st_uid != uid) || st.st_gid != gid) &&
	    fchownat(pfd, "s", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	/* A default ACL may have beaten the umask. */
	if ((st.st_mode & 07777) != mode && fchmodat(pfd, "s", mode, 0) < 0)
		return -1;
	if (renameat(pfd, "s", s->dfd, base) < 0)
		return -1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

/*
 * check_place - what is at base now may be replaced: nothing, a stale
 * socket, or a link (replaced, not followed).  Anything else is refused.
 */
static int
check_place(int dfd, const char *base)
{
	struct stat st;

	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode))
		return 0;
	errno = ENOTSOCK;
	return -1;
}

/* make - the listening socket at base in s->dfd; errno (and *why). */
static int
make(struct ng_psvc_sock *s, const char *base, uid_t uid, gid_t gid,
    unsigned mode, const char **why)
{
	char name[64];
	int pfd, r = -1, e;

	if (check_place(s->dfd, base) < 0) {
		if (errno == ENOTSOCK)
			*why = "exists and is not a socket";
		return -1;
	}
	remove_stale(s->dfd);
	if ((pfd = private_dir(s->dfd, name, sizeof(name), why)) < 0)
		return -1;
	if (bind_in(s->lfd, pfd, mode) == 0 && listen(s->lfd, 64) == 0 &&
	    give(s, pfd, uid, gid, mode, base) == 0)
		r = 0;
	e = errno;
	(void)unlinkat(pfd, "s", 0);	/* left only on failure */
	(void)unlinkat(s->dfd, name, AT_REMOVEDIR);
	close(pfd);
	errno = e;
	return r;
}

/* ng_psvc_sock_open - the listening socket at path, uid:gid and mode. */
struct ng_psvc_sock *
ng_psvc_sock_open(const char *path, uid_t uid, gid_t gid, unsigned mode,
    char *err, size_t errlen)
{
	struct ng_psvc_sock *s;
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	const char *base, *why = NULL;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return NULL;
	}
	if (split(path, dir, sizeof(dir), &base) < 0) {
		snprintf(err, errlen, "%s: no file name", path);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->base, sizeof(s->base), "%s", base);
	s->dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	s->lfd = s->dfd < 0 ? -1 : socket(AF_UNIX,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || make(s, base, uid, gid, mode & 07777, &why) < 0) {
		snprintf(err, errlen, "%s: %s", path, why != NULL ? why :
		    strerror(errno));
		if (s->lfd >= 0)
			close(s->lfd);
		if (s->dfd >= 0)
			close(s->dfd);
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
	struct stat st;
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
	if (fstatat(s->dfd, s->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == s->dev && st.st_ino == s->ino)
		(void)unlinkat(s->dfd, s->base, 0);
	close(s->dfd);
	free(s);
}

/* ng_psvc_sock_listen_fd - the listening socket, for the event loop. */
int
ng_psvc_sock_listen_fd(const struct ng_psvc_sock *s)
{
	return s->lfd;
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
