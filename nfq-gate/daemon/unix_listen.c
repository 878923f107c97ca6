/*
 * unix_listen.c - a listening unix socket made safely (unix_listen.h),
 * the same way for the policy socket and the control socket.
 *
 * The directory a socket goes in may belong to someone who wants us to
 * give them a file: postfix owns /var/spool/postfix/private and could
 * swap the socket for a link between bind and chown.  So every step
 * works on descriptors and names in a directory only we can write to.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/unix_listen.h"

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
remove_stale(int dfd, const char *what)
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
			ng_log(LOG_INFO, "%s: removed a stale %s", what,
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
 * give - owner and mode of "s" in pfd, then move it to base in dfd
 * ((uid_t)-1, (gid_t)-1: left as born).  chown only when it changes
 * something: in a setgid directory the
 * socket is born with the right group, and the systemd unit's system
 * call filter (~@privileged) kills a process that calls chown at all.
 * The rename replaces a stale socket or a link without following it.
 */
static int
give(struct ng_unix_listen *u, int pfd, uid_t uid, gid_t gid, unsigned mode,
    const char *base)
{
	struct stat st;

	if (fstatat(pfd, "s", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EPERM;
		return -1;
	}
	if (((uid != (uid_t)-1 && st.st_uid != uid) ||
	    (gid != (gid_t)-1 && st.st_gid != gid)) &&
	    fchownat(pfd, "s", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	/* A default ACL may have beaten the umask. */
	if ((st.st_mode & 07777) != mode && fchmodat(pfd, "s", mode, 0) < 0)
		return -1;
	if (renameat(pfd, "s", u->dfd, base) < 0)
		return -1;
	u->dev = st.st_dev;
	u->ino = st.st_ino;
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

/* make - the listening socket at base in u->dfd; errno (and *why). */
static int
make(struct ng_unix_listen *u, const char *base, uid_t uid, gid_t gid,
    unsigned mode, const char **why)
{
	char name[64];
	int pfd, r = -1, e;

	if (check_place(u->dfd, base) < 0) {
		if (errno == ENOTSOCK)
			*why = "exists and is not a socket";
		return -1;
	}
	remove_stale(u->dfd, u->what);
	if ((pfd = private_dir(u->dfd, name, sizeof(name), why)) < 0)
		return -1;
	if (bind_in(u->lfd, pfd, mode) == 0 && listen(u->lfd, 64) == 0 &&
	    give(u, pfd, uid, gid, mode, base) == 0)
		r = 0;
	e = errno;
	(void)unlinkat(pfd, "s", 0);	/* left only on failure */
	(void)unlinkat(u->dfd, name, AT_REMOVEDIR);
	close(pfd);
	errno = e;
	return r;
}

/* ng_unix_listen_open - the listening socket at path, uid:gid and mode. */
int
ng_unix_listen_open(struct ng_unix_listen *u, const char *path, uid_t uid,
    gid_t gid, unsigned mode, const char *what, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	const char *base, *why = NULL;

	memset(u, 0, sizeof(*u));
	u->lfd = u->dfd = -1;
	u->what = what;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (split(path, dir, sizeof(dir), &base) < 0) {
		snprintf(err, errlen, "%s: no file name", path);
		return -1;
	}
	snprintf(u->base, sizeof(u->base), "%s", base);
	u->dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	u->lfd = u->dfd < 0 ? -1 : socket(AF_UNIX,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->lfd < 0 || make(u, base, uid, gid, mode & 07777, &why) < 0) {
		snprintf(err, errlen, "%s: %s", path, why != NULL ? why :
		    strerror(errno));
		if (u->lfd >= 0)
			close(u->lfd);
		if (u->dfd >= 0)
			close(u->dfd);
		u->lfd = u->dfd = -1;
		return -1;
	}
	return 0;
}

/*
 * ng_unix_listen_close - close the socket; remove its file only if it
 * is still ours, not what replaced it.
 */
void
ng_unix_listen_close(struct ng_unix_listen *u)
{
	struct stat st;

	if (u->lfd >= 0)
		close(u->lfd);
	if (u->dfd >= 0 && fstatat(u->dfd, u->base, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == u->dev &&
	    st.st_ino == u->ino)
		(void)unlinkat(u->dfd, u->base, 0);
	if (u->dfd >= 0)
		close(u->dfd);
	u->lfd = u->dfd = -1;
}
