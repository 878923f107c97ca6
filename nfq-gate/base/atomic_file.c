/*
 * atomic_file.c - replace a file atomically, open one without following
 * links or blocking (see atomic_file.h).
 *
 * The temporary file is unlinked before it is made with O_EXCL: a FIFO,
 * a symbolic link or a stale half-written file left at PATH.tmp is
 * removed (unlink never follows a link), and if something is planted
 * again in between, the open fails with EEXIST instead of writing
 * through it.  rename() replaces the directory entry itself, so a link
 * or FIFO planted at PATH is replaced, never followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"

#define PATH_LEN 1024

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

int
ng_atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    int durable, char *err, size_t errlen)
{
	char tmp[PATH_LEN];
	const char *step = "creating";
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = make_tmp(tmp, mode)) < 0)
		goto fail;
	step = "writing";
	if (write_all(fd, buf, len) < 0)
		goto fail;
	step = "syncing";
	if (durable && fsync(fd) < 0)
		goto fail;
	step = "closing";
	saved = close(fd);
	fd = -1;
	if (saved < 0)
		goto fail;
	step = "renaming";
	if (rename(tmp, path) < 0)
		goto fail;
	if (durable && sync_dir(path) < 0) {
		saved = errno;
		snprintf(err, errlen, "%s: syncing its directory: %s", path,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	snprintf(err, errlen, "%s: %s %s: %s (the old file is kept)", path,
	    step, tmp, strerror(saved));
	errno = saved;
	return -1;
}

int
ng_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP)
			snprintf(err, errlen, "%s: a symbolic link, not "
			    "followed", path);
		else
			snprintf(err, errlen, "%s: cannot open: %s", path,
			    strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot stat: %s", path,
		    strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not read", path,
		    what_is(st.st_mode));
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}
