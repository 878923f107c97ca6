/*
 * atomic_file.c - replace a file atomically, open one without following
 * links or blocking (see atomic_file.h).
 *
 * The temporary file is unlinked before it is made with O_EXCL: a FIFO,
 * a symbolic link or a stale half-written file left at PATH.tmp is
 * removed (unlink never follows a link), and if something is planted
 * again in between, the open fails with EEXIST instead of writing
 * through it.  rename() replaces the directory entry itself, so a link
 * or FIFO planted at PATH is replaced, never followed.  A unique name
 * (NG_ATOMIC_UNIQUE) is made by mkstemp, whose O_EXCL does the same.
 *
 * One way for every file, so none is less durable than the others by
 * accident: the only exception is a flag the caller names and says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/err.h"

#define PATH_LEN 4096	/* PATH_MAX: what the kernel takes */

/* what_is - a word for a file type a state file must not be */
static const char *
what_is(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* write_all - the whole buffer, through short writes and EINTR */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * sync_dir - make a rename in path's directory durable.  The directory
 * itself is followed if it is a link: it is the admin's state_dir
 * (vetted by privs.c when the gate starts as root), and systemd's
 * DynamicUser= makes /var/lib/nfq-gate a link to private/nfq-gate.
 * Only the entries the gate writes in it must never be links.
 */
static int
sync_dir(const char *path)
{
	char dir[PATH_LEN], *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* make_tmp - a new regular file at tmp, whatever was there before */
static int
make_tmp(const char *tmp, mode_t mode)
{
	struct stat st;
	int fd;

	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/*
 * make_unique - a new file under a fresh name (tmp's XXXXXX filled in).
 * mkstemp's O_EXCL never follows a link; it makes the file 0600, so
 * the mode is set after.
 */
static int
make_unique(char *tmp, mode_t mode)
{
	int fd, saved;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -1;
	if (fchmod(fd, mode) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return fd;
}

/* One replacement under way: the temporary file and how far it got. */
struct atomic {
	const char *path;
	char tmp[PATH_LEN];
	int fd;
	FILE *fp;		/* the stream over fd, when there is one */
	int flags;
	int made;		/* tmp is a file this call made */
	const char *step;	/* for the message: "creating", "writing"... */
};

/*
 * drop - close and remove the temporary file.  A unique name is only
 * unlinked once the file was made here: after a failed mkstemp it may
 * name another writer's file.  The fixed name is always ours to remove.
 */
static void
drop(struct atomic *a)
{
	if (a->fp != NULL)
		fclose(a->fp);
	else if (a->fd >= 0)
		close(a->fd);
	if (a->made || !(a->flags & NG_ATOMIC_UNIQUE))
		unlink(a->tmp);
	a->fp = NULL;
	a->fd = -1;
}

/* failed - drop the temporary file, say which step failed; -1 */
static int
failed(struct atomic *a, char *err, size_t errlen)
{
	int saved = errno;

	drop(a);
	ng_err(err, errlen, "%s: %s %s: %s (the old file is kept)", a->path,
	    a->step, a->tmp, strerror(saved));
	errno = saved;
	return -1;
}

/* begin - name and make the temporary file beside path */
static int
begin(struct atomic *a, const char *path, mode_t mode, int flags,
    char *err, size_t errlen)
{
	const char *suffix = flags & NG_ATOMIC_UNIQUE ? ".tmpXXXXXX" : ".tmp";

	memset(a, 0, sizeof(*a));
	a->path = path;
	a->fd = -1;
	a->flags = flags;
	a->step = "creating";
	if ((size_t)snprintf(a->tmp, sizeof(a->tmp), "%s%s", path, suffix) >=
	    sizeof(a->tmp)) {
		a->tmp[0] = '\0';
		ng_err(err, errlen, "%s: path too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	a->fd = flags & NG_ATOMIC_UNIQUE ? make_unique(a->tmp, mode) :
	    make_tmp(a->tmp, mode);
	if (a->fd < 0)
		return failed(a, err, errlen);
	a->made = 1;
	return 0;
}

/*
 * finish - sync, close, rename over the path, sync the directory.  The
 * file is synced before the rename so that the new name never points
 * at blocks not yet on disk; the directory after, so the rename lasts.
 */
static int
finish(struct atomic *a, char *err, size_t errlen)
{
	int durable = !(a->flags & NG_ATOMIC_NOSYNC), rc, saved;

	a->step = "syncing";
	if (durable && fsync(a->fd) < 0)
		return failed(a, err, errlen);
	a->step = "closing";
	rc = a->fp != NULL ? fclose(a->fp) : close(a->fd);
	a->fp = NULL;
	a->fd = -1;
	if (rc < 0)
		return failed(a, err, errlen);
	a->step = "renaming";
	if (rename(a->tmp, a->path) < 0)
		return failed(a, err, errlen);
	if (durable && sync_dir(a->path) < 0) {
		saved = errno;
		ng_err(err, errlen, "%s: syncing its directory: %s", a->path,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

/* ng_atomic_write - replace path with a buffer (see atomic_file.h) */
int
ng_atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    int flags, char *err, size_t errlen)
{
	struct atomic a;

	if (begin(&a, path, mode, flags, err, errlen) < 0)
		return -1;
	a.step = "writing";
	if (write_all(a.fd, buf, len) < 0)
		return failed(&a, err, errlen);
	return finish(&a, err, errlen);
}

/* ng_atomic_write_fp - replace path with what fill writes to a stream */
int
ng_atomic_write_fp(const char *path, mode_t mode, int flags,
    int (*fill)(FILE *fp, void *arg), void *arg, char *err, size_t errlen)
{
	struct atomic a;

	if (begin(&a, path, mode, flags, err, errlen) < 0)
		return -1;
	a.step = "writing";
	if ((a.fp = fdopen(a.fd, "w")) == NULL)
		return failed(&a, err, errlen);
	if (fill(a.fp, arg) < 0) {
		drop(&a);
		ng_err(err, errlen, "%s", "");
		return -1;
	}
	errno = 0;
	if (fflush(a.fp) != 0 || ferror(a.fp)) {
		if (errno == 0)
			errno = EIO;	/* an earlier write failed */
		return failed(&a, err, errlen);
	}
	return finish(&a, err, errlen);
}

/* ng_open_regular - open a regular file to read, never through a link */
int
ng_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			ng_err(err, errlen, "%s: a symbolic link, not "
			    "followed", path);
		else
			ng_err(err, errlen, "%s: cannot open: %s", path,
			    strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		ng_err(err, errlen, "%s: cannot stat: %s", path,
		    strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ng_err(err, errlen, "%s: %s, not read", path,
		    what_is(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}
