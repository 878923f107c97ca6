/*
 * file_read.c - read a whole file into memory (see file_read.h).
 *
 * The file is read to its end, not to the size fstat() gave: a config
 * can come from a pipe (-c /dev/stdin), whose size is 0.  The size of a
 * regular file only sizes the first buffer, so one read usually does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/file_read.h"

#define FIRST_CAP 8192

/* first_cap - room for the file as fstat sees it now, and its NUL */
static size_t
first_cap(int fd, size_t max)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return FIRST_CAP;
	if ((unsigned long long)st.st_size > max)
		return max + 2;		/* the read shows it is too long */
	return (size_t)st.st_size + 2;	/* the NUL, and room to see EOF */
}

/* grow - a buffer twice as big, never more than max + 2 (see above) */
static char *
grow(char *buf, size_t *cap, size_t max)
{
	size_t want = *cap * 2;
	char *nb;

	if (want > max + 2)
		want = max + 2;
	if ((nb = realloc(buf, want)) == NULL)
		return NULL;
	*cap = want;
	return nb;
}

/*
 * read_to_end - every byte from fd into a malloc'd buffer.  Reading
 * stops one byte past max: that byte says the file is too long.
 */
static char *
read_to_end(int fd, size_t max, size_t *len)
{
	size_t cap = first_cap(fd, max), n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	if (buf == NULL)
		return NULL;
	for (;;) {
		if (n + 1 == cap) {	/* full but for the NUL */
			if ((nb = grow(buf, &cap, max)) == NULL)
				break;
			buf = nb;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
		if (n > max) {
			errno = EFBIG;
			break;
		}
	}
	free(buf);
	return NULL;
}

/* ng_file_read_fd - the rest of fd, or NULL and "NAME: cannot read" */
char *
ng_file_read_fd(int fd, const char *name, size_t max, size_t *len,
    char *err, size_t errlen)
{
	char *buf;
	int saved;

	if ((buf = read_to_end(fd, max, len)) == NULL) {
		saved = errno;
		ng_err(err, errlen, "%s: cannot read: %s", name,
		    strerror(saved));
		errno = saved;
	}
	return buf;
}

/* ng_file_read - all of path, or NULL and a message naming it */
char *
ng_file_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	char *buf;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		ng_err(err, errlen, "%s: cannot open: %s", path,
		    strerror(saved));
		errno = saved;
		return NULL;
	}
	buf = ng_file_read_fd(fd, path, max, len, err, errlen);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}
