/*
 * cache_file.c - read and write state files.
 *
 * Format, one entry a line after a header naming the table:
 *
 *	nfq-gate-state 1 pass
 *	198.51.100.0/24 1764340000 1764426400 3
 *
 * that is ADDR/PLEN, first seen and expiry in UNIX seconds, and a count.
 * Text, so an admin can read it, grep it, and delete one line by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_file.h"

#define STATE_VERSION 1
#define STATE_LINE_MAX 256

struct save {
	FILE *f;
	ng_usec now_mono;
	time_t now_wall;
	int failed;
};

static int msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static long long
to_wall(ng_usec t, ng_usec now_mono, time_t now_wall)
{
	long long d = ((long long)t - (long long)now_mono) /
	    (long long)NG_USEC_PER_SEC;

	return (long long)now_wall + d;
}

static ng_usec
to_mono(long long t, ng_usec now_mono, time_t now_wall)
{
	long long d = t - (long long)now_wall;
	long long m = (long long)now_mono + d * (long long)NG_USEC_PER_SEC;

	return m > 0 ? (ng_usec)m : 0;
}

static int
write_entry(const struct ng_cache_entry *e, void *arg)
{
	struct save *s = arg;
	char a[NG_ADDRSTRLEN];
	unsigned plen = ng_addr_bits(&e->key);

	if (e->expires <= s->now_mono)
		return 0;
	/* The key is masked; print the shortest prefix that keeps it. */
	while (plen > 0) {
		struct ng_addr m = e->key;

		ng_addr_mask(&m, plen - 1);
		if (ng_addr_cmp(&m, &e->key) != 0)
			break;
		plen--;
	}
	if (fprintf(s->f, "%s/%u %lld %lld %u\n",
	    ng_addr_format(&e->key, a, sizeof(a)), plen,
	    to_wall(e->first, s->now_mono, s->now_wall),
	    to_wall(e->expires, s->now_mono, s->now_wall), e->count) < 0)
		s->failed = 1;
	return s->failed;
}

static int
sync_dir(const char *path)
{
	char buf[4096];
	int fd, rc;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
ng_state_save(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	char tmp[4096];
	struct save s = { NULL, now_mono, now_wall, 0 };
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return msg(err, errlen, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return msg(err, errlen, "%s: cannot create: %s", tmp,
		    strerror(errno));
	s.f = fdopen(fd, "w");
	if (s.f == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		return msg(err, errlen, "%s: %s", tmp, strerror(e));
	}
	if (fprintf(s.f, "nfq-gate-state %d %s\n", STATE_VERSION, kind) < 0)
		s.failed = 1;
	ng_cache_walk(c, write_entry, &s);
	if (fflush(s.f) != 0 || fsync(fd) != 0)
		s.failed = 1;
	e = errno;
	if (fclose(s.f) != 0 && !s.failed) {
		s.failed = 1;
		e = errno;
	}
	if (s.failed) {
		unlink(tmp);
		return msg(err, errlen, "%s: write failed: %s; keeping the "
		    "last good file", path, strerror(e));
	}
	if (rename(tmp, path) < 0) {
		e = errno;
		unlink(tmp);
		return msg(err, errlen, "%s: rename failed: %s; keeping the "
		    "last good file", path, strerror(e));
	}
	sync_dir(path);
	return 0;
}

static int
parse_entry(struct ng_cache *c, char *line, ng_usec now_mono,
    time_t now_wall)
{
	char a[64];
	long long first, expires;
	unsigned count, plen;
	struct ng_cache_entry e;
	int n = 0;

	if (sscanf(line, "%63s %lld %lld %u%n", a, &first, &expires, &count,
	    &n) != 4 || line[n] != '\0')
		return -1;
	memset(&e, 0, sizeof(e));
	if (ng_addr_parse_cidr(&e.key, &plen, a) < 0 || strchr(a, '/') == NULL)
		return -1;
	if (first < 0 || expires < first)
		return -1;
	e.first = to_mono(first, now_mono, now_wall);
	e.expires = to_mono(expires, now_mono, now_wall);
	e.count = count;
	if (e.expires <= now_mono)
		return 0;
	if (c == NULL)			/* validating only */
		return 1;
	return ng_cache_restore(c, &e, now_mono) < 0 ? -1 : 1;
}

static int
check_header(const char *line, const char *kind)
{
	char k[32];
	int v, n = 0;

	if (sscanf(line, "nfq-gate-state %d %31s%n", &v, k, &n) != 2 ||
	    line[n] != '\0')
		return -1;
	return v == STATE_VERSION && strcmp(k, kind) == 0 ? 0 : -1;
}

int
ng_state_parse(struct ng_cache *c, const char *text, size_t len,
    const char *name, const char *kind, ng_usec now_mono, time_t now_wall,
    char *err, size_t errlen)
{
	char line[STATE_LINE_MAX];
	size_t i = 0;
	unsigned lineno = 0;
	int loaded = 0, r;

	while (i < len) {
		size_t n = 0;

		lineno++;
		while (i < len && text[i] != '\n') {
			if (n + 1 >= sizeof(line) || text[i] == '\0')
				return msg(err, errlen, "%s:%u: bad line",
				    name, lineno);
			line[n++] = text[i++];
		}
		if (i == len)
			return msg(err, errlen, "%s:%u: truncated line", name,
			    lineno);
		i++;
		line[n] = '\0';
		if (lineno == 1) {
			if (check_header(line, kind) < 0)
				return msg(err, errlen, "%s:1: not a version "
				    "%d %s state file", name, STATE_VERSION,
				    kind);
			continue;
		}
		r = parse_entry(c, line, now_mono, now_wall);
		if (r < 0)
			return msg(err, errlen, "%s:%u: bad entry \"%.60s\"",
			    name, lineno, line);
		loaded += r;
	}
	if (lineno == 0)
		return msg(err, errlen, "%s: empty state file", name);
	return loaded;
}

static char *
read_all(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size > (256 << 20)) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf != NULL && n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

int
ng_state_load(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	char aside[4096], why[512];
	size_t len = 0;
	char *text = read_all(path, &len);
	int rc;

	if (text == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, sizeof(why), "%s: cannot read: %s", path,
		    strerror(errno));
		rc = -1;
	} else {
		/* Validate the whole file before loading any of it, so a
		 * corrupt file leaves the cache clean, not half loaded. */
		rc = ng_state_parse(NULL, text, len, path, kind, now_mono,
		    now_wall, why, sizeof(why));
		if (rc >= 0)
			rc = ng_state_parse(c, text, len, path, kind, now_mono,
			    now_wall, why, sizeof(why));
		free(text);
		if (rc >= 0)
			return rc;
	}
	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path,
	    (long long)now_wall);
	if (rename(path, aside) == 0)
		return msg(err, errlen, "%s; set aside as %s, starting clean",
		    why, aside);
	return msg(err, errlen, "%s; starting clean", why);
}
