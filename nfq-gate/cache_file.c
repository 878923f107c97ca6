/*
 * cache_file.c - save and load the address tables as state files.
 *
 * Saving writes a temporary file beside the real one and renames it into
 * place only after fsync, then fsyncs the directory: at every instant the
 * path names either the old complete file or the new complete one, which
 * is what lets the gate survive kill -9 and power loss.  Loading trusts
 * nothing: every line is checked before any entry goes into the table,
 * and a bad file is renamed aside (PATH.corrupt-TIME) for a human to look
 * at, so one damaged file costs a clean start, not a refused start or a
 * half-loaded table.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "cache_file.h"

#define LINE_MAX_LEN 256
#define FILE_MAX (256u << 20)
#define WALL_MAX 100000000000ULL	/* year ~5000: beyond is garbage */

static void
say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- the two clocks ---- */

static uint64_t
to_wall(ng_usec t, ng_usec now_mono, time_t now_wall, int round_up)
{
	uint64_t w = (uint64_t)now_wall, d;

	if (t >= now_mono) {
		d = (t - now_mono) / NG_USEC_PER_SEC;
		if (round_up && (t - now_mono) % NG_USEC_PER_SEC)
			d++;
		return d > WALL_MAX - w ? WALL_MAX : w + d;
	}
	d = (now_mono - t) / NG_USEC_PER_SEC;
	return d > w ? 0 : w - d;
}

static ng_usec
to_mono(uint64_t w, ng_usec now_mono, time_t now_wall)
{
	uint64_t nw = (uint64_t)now_wall, d;

	if (w >= nw)
		return now_mono + (w - nw) * NG_USEC_PER_SEC;
	d = (nw - w) * NG_USEC_PER_SEC;
	return d > now_mono ? 0 : now_mono - d;
}

/* ---- parsing ---- */

struct reader {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
};

static int bad(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err == NULL || r->errlen == 0)
		return -1;
	n = snprintf(r->err, r->errlen, "%s:%u: ", r->name, r->line);
	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Plain decimal digits only: no sign, no blanks, no hex. */
static int
parse_num(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* Split on blanks into at most n words; returns the count (n + 1 = more). */
static size_t
split(char *s, char **w, size_t n)
{
	char *save = NULL, *t;
	size_t i = 0;

	for (t = strtok_r(s, " \t\r", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r", &save)) {
		if (i == n)
			return n + 1;
		w[i++] = t;
	}
	return i;
}

static int
parse_header(struct reader *r, char *line, const char *kind)
{
	char *w[4];
	uint64_t v;

	if (split(line, w, 3) != 3 || strcmp(w[0], NG_STATE_MAGIC) != 0)
		return bad(r, "not a state file (expected \"%s %d %s\")",
		    NG_STATE_MAGIC, NG_STATE_VERSION, kind);
	if (parse_num(w[1], 1000, &v) < 0 || v != NG_STATE_VERSION)
		return bad(r, "unsupported version \"%s\"", w[1]);
	if (strcmp(w[2], kind) != 0)
		return bad(r, "a \"%s\" file, expected \"%s\"", w[2], kind);
	return 0;
}

static int
parse_entry(struct reader *r, char *line, struct ng_cache_entry *e,
    uint64_t *first, uint64_t *expires)
{
	char *w[5];
	unsigned plen;
	uint64_t count;

	if (split(line, w, 4) != 4)
		return bad(r, "expected \"ADDR/PLEN FIRST EXPIRES COUNT\"");
	memset(e, 0, sizeof(*e));
	if (strchr(w[0], '/') == NULL ||
	    ng_addr_parse_cidr(&e->key, &plen, w[0]) < 0)
		return bad(r, "bad address/prefix \"%s\"", w[0]);
	if (parse_num(w[1], WALL_MAX, first) < 0)
		return bad(r, "bad first-seen time \"%s\"", w[1]);
	if (parse_num(w[2], WALL_MAX, expires) < 0)
		return bad(r, "bad expiry time \"%s\"", w[2]);
	if (*expires < *first)
		return bad(r, "expires before it was first seen");
	if (parse_num(w[3], UINT32_MAX, &count) < 0)
		return bad(r, "bad count \"%s\"", w[3]);
	e->count = (uint32_t)count;
	return 0;
}

/*
 * One pass over the file image: with c NULL it checks, with c set it
 * loads.  Returns the entries put into c (0 when only checking) or -1.
 */
static int
parse_pass(struct ng_cache *c, struct reader *r, const char *text,
    size_t len, const char *kind, ng_usec now_mono, time_t now_wall)
{
	char line[LINE_MAX_LEN];
	uint64_t nentries = 0, declared, first = 0, expires = 0;
	struct ng_cache_entry e;
	int loaded = 0, ended = 0;
	size_t i = 0;

	r->line = 0;
	while (i < len) {
		size_t n = 0;
		char *w[3];

		r->line++;
		for (; i < len && text[i] != '\n'; i++) {
			if (text[i] == '\0')
				return bad(r, "NUL byte");
			if (n + 1 >= sizeof(line))
				return bad(r, "line too long");
			line[n++] = text[i];
		}
		i++;
		line[n] = '\0';
		if (ended)
			return bad(r, "text after the end line");
		if (r->line == 1) {
			if (parse_header(r, line, kind) < 0)
				return -1;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (strncmp(line, "end", 3) == 0) {
			if (split(line, w, 2) != 2 || strcmp(w[0], "end") ||
			    parse_num(w[1], UINT32_MAX, &declared) < 0)
				return bad(r, "bad end line");
			if (declared != nentries)
				return bad(r, "end line says %" PRIu64
				    " entries, file has %" PRIu64, declared,
				    nentries);
			ended = 1;
			continue;
		}
		if (parse_entry(r, line, &e, &first, &expires) < 0)
			return -1;
		nentries++;
		if (c == NULL || expires <= (uint64_t)now_wall)
			continue;
		e.first = to_mono(first, now_mono, now_wall);
		e.expires = to_mono(expires, now_mono, now_wall);
		if (ng_cache_restore(c, &e, now_mono) > 0)
			loaded++;
	}
	if (r->line == 0)
		return bad(r, "empty file");
	if (!ended)
		return bad(r, "no end line: the file was cut short");
	return loaded;
}

int
ng_state_parse(struct ng_cache *c, const char *text, size_t len,
    const char *name, const char *kind, ng_usec now_mono, time_t now_wall,
    char *err, size_t errlen)
{
	struct reader r = { name ? name : "state", 0, err, errlen };

	if (parse_pass(NULL, &r, text, len, kind, now_mono, now_wall) < 0)
		return -1;
	if (c == NULL)
		return 0;
	return parse_pass(c, &r, text, len, kind, now_mono, now_wall);
}

/* ---- loading ---- */

/* The whole file, or NULL with errno set. */
static char *
slurp(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r = 0;

	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;	/* shrank under us: parse what is there */
		n += (size_t)r;
	}
	if (r < 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int
ng_state_load(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	char msg[512], aside[1024];
	size_t len = 0;
	char *text;
	int fd, n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return 0;
		say(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	text = slurp(fd, &len);
	if (text == NULL) {
		say(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	n = ng_state_parse(NULL, text, len, path, kind, now_mono, now_wall,
	    msg, sizeof(msg));
	if (n == 0)
		n = ng_state_parse(c, text, len, path, kind, now_mono,
		    now_wall, msg, sizeof(msg));
	free(text);
	if (n >= 0)
		return n;
	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path,
	    (long long)now_wall);
	if (rename(path, aside) == 0)
		say(err, errlen, "%s; set aside as %s", msg, aside);
	else
		say(err, errlen, "%s; could not set it aside: %s", msg,
		    strerror(errno));
	return -1;
}

/* ---- saving ---- */

struct writer {
	FILE *f;
	ng_usec now_mono;
	time_t now_wall;
	unsigned prefix4, prefix6;
	uint64_t n;
};

static int
write_entry(const struct ng_cache_entry *e, void *arg)
{
	struct writer *w = arg;
	char a[NG_ADDRSTRLEN];
	unsigned plen = e->key.family == 6 ? w->prefix6 : w->prefix4;

	if (e->expires <= w->now_mono)
		return 0;
	fprintf(w->f, "%s/%u %" PRIu64 " %" PRIu64 " %" PRIu32 "\n",
	    ng_addr_format(&e->key, a, sizeof(a)), plen,
	    to_wall(e->first, w->now_mono, w->now_wall, 0),
	    to_wall(e->expires, w->now_mono, w->now_wall, 1), e->count);
	w->n++;
	return ferror(w->f) ? -1 : 0;
}

/* Make the rename itself durable. */
static int
sync_dir(const char *path)
{
	char dir[1024], *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
ng_state_save(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	struct writer w = { NULL, now_mono, now_wall, 32, 128, 0 };
	char tmp[1024];
	const char *step = "creating";
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		say(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0 || (w.f = fdopen(fd, "w")) == NULL)
		goto fail;
	step = "writing";
	ng_cache_prefix(c, &w.prefix4, &w.prefix6);
	fprintf(w.f, "%s %d %s\n", NG_STATE_MAGIC, NG_STATE_VERSION, kind);
	if (ng_cache_walk(c, write_entry, &w) != 0)
		goto fail;
	fprintf(w.f, "end %" PRIu64 "\n", w.n);
	if (fflush(w.f) != 0 || ferror(w.f))
		goto fail;
	step = "syncing";
	if (fsync(fd) < 0)
		goto fail;
	step = "closing";
	fd = -1;
	if (fclose(w.f) != 0) {
		w.f = NULL;
		goto fail;
	}
	w.f = NULL;
	step = "renaming";
	if (rename(tmp, path) < 0)
		goto fail;
	if (sync_dir(path) < 0) {
		say(err, errlen, "%s: syncing its directory: %s", path,
		    strerror(errno));
		return -1;
	}
	return (int)w.n;
fail:
	saved = errno;
	if (w.f != NULL)
		fclose(w.f);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	say(err, errlen, "%s: %s %s: %s (the old file is kept)", path, step,
	    tmp, strerror(saved));
	return -1;
}
