/*
 * cache_file.c - save and load the address tables as state files.
 *
 * Saving is two halves so that the live gate's packet loop only ever does
 * the first: a snapshot copies the table slot by slot in short steps
 * (ng_state_snap_step), and the second half, off the loop, sorts and
 * formats the copy and hands it to ng_atomic_write(), which writes a
 * temporary file, fsyncs it, renames it into place and fsyncs the
 * directory: at every instant the path names either the old complete
 * file or the new complete one, which is what lets the gate survive
 * kill -9 and power loss.  Loading trusts
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

#include "base/addr.h"
#include "base/atomic_file.h"
#include "base/err.h"
#include "base/file_read.h"
#include "conf/redis_conf.h"
#include "daemon/cache_file.h"
#include "daemon/origin.h"

#define LINE_MAX_LEN 256
#define FILE_MAX (256u << 20)
#define WALL_MAX 100000000000ULL	/* year ~5000: beyond is garbage */

/* ---- the two clocks ---- */

/*
 * to_wall - a monotonic time as Unix seconds, for the file: the file
 * outlives the boot whose monotonic clock it was.  round_up for expiries,
 * so a saved entry never expires early.  Capped at WALL_MAX.
 */
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

/*
 * to_mono - Unix seconds from the file as a monotonic time now; a time
 * before the clock's start is 0.
 */
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
	unsigned version;	/* the header's */
};

static int bad(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* bad - "name:line: message" into the reader's err; -1 */
static int
bad(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ng_verr_at(r->err, r->errlen, r->name, r->line, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * parse_num - plain decimal digits only: no sign, no blanks, no hex; at
 * most max.
 */
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

/*
 * split - split on blanks into at most n words; returns the count (n + 1 =
 * more).
 */
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

/*
 * parse_header - the first line: "nfq-gate-state VERSION KIND" of the kind
 * expected.
 */
static int
parse_header(struct reader *r, char *line, const char *kind)
{
	char *w[4];
	uint64_t v;

	if (split(line, w, 3) != 3 || strcmp(w[0], NG_STATE_MAGIC) != 0)
		return bad(r, "not a state file (expected \"%s %d %s\")",
		    NG_STATE_MAGIC, NG_STATE_VERSION, kind);
	if (parse_num(w[1], 1000, &v) < 0 || (v != NG_STATE_VERSION &&
	    v != NG_STATE_VERSION_ORIGIN))
		return bad(r, "unsupported version \"%s\"", w[1]);
	if (strcmp(w[2], kind) != 0)
		return bad(r, "a \"%s\" file, expected \"%s\"", w[2], kind);
	r->version = (unsigned)v;
	return 0;
}

/*
 * parse_origin - version 2's origin field: "-" (this gate) or a peer's
 * name, interned only when load is set (a check adds no names).
 */
static int
parse_origin(struct reader *r, const char *w, int load, uint16_t *origin)
{
	*origin = NG_ORIGIN_LOCAL;
	if (strcmp(w, "-") == 0)
		return 0;
	if (!ng_redis_name_ok(w, strlen(w)))
		return bad(r, "bad origin \"%s\"", w);
	if (load)
		*origin = ng_origin_id(w, strlen(w));
	return 0;
}

/*
 * parse_entry - one entry line, "ADDR/PLEN FIRST EXPIRES COUNT" (and
 * ORIGIN in version 2), checked field by field.
 */
static int
parse_entry(struct reader *r, char *line, struct ng_cache_entry *e,
    uint64_t *first, uint64_t *expires, int load)
{
	size_t nw = r->version == NG_STATE_VERSION_ORIGIN ? 5 : 4;
	char *w[6];
	unsigned plen;
	uint64_t count;

	if (split(line, w, nw) != nw)
		return bad(r, "expected \"ADDR/PLEN FIRST EXPIRES COUNT%s\"",
		    nw == 5 ? " ORIGIN" : "");
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
	if (nw == 5)
		return parse_origin(r, w[4], load, &e->origin);
	return 0;
}

/*
 * parse_pass - one pass over the file image: with c NULL it checks, with c
 * set it loads.  Returns the entries put into c (0 when only checking) or
 * -1.
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
		if (parse_entry(r, line, &e, &first, &expires, c != NULL) < 0)
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

/*
 * ng_state_parse - check the whole image, then load it into c (when c is
 * set), so a bad file never half-loads a table.
 */
int
ng_state_parse(struct ng_cache *c, const char *text, size_t len,
    const char *name, const char *kind, ng_usec now_mono, time_t now_wall,
    char *err, size_t errlen)
{
	struct reader r = { name ? name : "state", 0, err, errlen, 0 };

	if (parse_pass(NULL, &r, text, len, kind, now_mono, now_wall) < 0)
		return -1;
	if (c == NULL)
		return 0;
	return parse_pass(c, &r, text, len, kind, now_mono, now_wall);
}

/* ---- loading ---- */

/*
 * ng_state_load - read path into c (see cache_file.h); a corrupt file is
 * set aside.
 */
int
ng_state_load(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	char msg[512], aside[1024];
	size_t len = 0;
	char *text;
	int fd, n;

	/* No link followed, no FIFO waited on: see atomic_file.c. */
	if ((fd = ng_open_regular(path, msg, sizeof(msg))) < 0) {
		if (errno == ENOENT)
			return 0;
		return ng_err(err, errlen, "%s", msg);
	}
	text = ng_file_read_fd(fd, path, FILE_MAX, &len, err, errlen);
	close(fd);
	if (text == NULL)
		return -1;
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
		return ng_err(err, errlen, "%s; set aside as %s", msg, aside);
	return ng_err(err, errlen, "%s; could not set it aside: %s", msg,
	    strerror(errno));
}

/* ---- saving ---- */

/*
 * ng_state_snap_begin - start a snapshot of c: no copying yet, only the
 * room for it.
 */
int
ng_state_snap_begin(struct ng_state_snap *s, const char *kind,
    const struct ng_cache *c, ng_usec now_mono, time_t now_wall)
{
	size_t n = ng_cache_nslots(c);

	s->kind = kind;
	s->now_mono = now_mono;
	s->now_wall = now_wall;
	s->n = s->cursor = 0;
	ng_cache_prefix(c, &s->prefix4, &s->prefix6);
	/*
	 * The copy is kept from one save to the next: a fresh one would
	 * page-fault all the way through the steps on the loop.  Slots
	 * made after this point are left to the next save, so a step
	 * never reallocates.
	 */
	if (n > s->alloc && ng_state_snap_reserve(s, n) < 0)
		return -1;
	s->cap = n;
	return 0;
}

/*
 * ng_state_snap_reserve - room for n entries in the snapshot, allocated
 * and touched now.
 */
int
ng_state_snap_reserve(struct ng_state_snap *s, size_t n)
{
	struct ng_cache_entry *e;

	if (n <= s->alloc)
		return 0;
	if ((e = malloc(n * sizeof(*e))) == NULL)
		return -1;
	/* Touched now, so no step of a save ever takes a page fault. */
	memset(e, 0, n * sizeof(*e));
	free(s->e);
	s->e = e;
	s->alloc = n;
	return 0;
}

/*
 * ng_state_snap_step - copy at most max more slots of c; 1 when the
 * snapshot is complete.  A fuzzy snapshot, which is all a cache needs: the
 * table changes between steps, so an entry refreshed meanwhile is saved as
 * it was when its slot was copied, one made meanwhile may be missed, one
 * dropped meanwhile may be kept.  Each is true of some moment of the save,
 * and the next save (the table is dirty again) catches up.
 */
int
ng_state_snap_step(struct ng_state_snap *s, const struct ng_cache *c,
    size_t max)
{
	size_t end = ng_cache_nslots(c);
	const struct ng_cache_entry *e;

	if (end > s->cap)
		end = s->cap;
	for (; s->cursor < end && max > 0; s->cursor++, max--)
		if ((e = ng_cache_slot(c, s->cursor, s->now_mono)) != NULL)
			s->e[s->n++] = *e;
	return s->cursor >= end;
}

/* ng_state_snap_free - free the snapshot's copy. */
void
ng_state_snap_free(struct ng_state_snap *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/*
 * by_expiry - oldest expiry first.  Every table has one TTL for all its
 * entries, so that is also least recently refreshed first, and restoring
 * the file in order rebuilds the LRU order the slot walk did not keep.
 */
static int
by_expiry(const void *a, const void *b)
{
	const struct ng_cache_entry *x = a, *y = b;

	if (x->expires != y->expires)
		return x->expires < y->expires ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return 0;
}

#define ENTRY_TEXT_MAX (NG_ADDRSTRLEN + 4 + 3 * 21 + 2 + NG_REDIS_NAME_MAX + 1)

/* peers_in - whether a snapshot holds an entry from a peer gate. */
static int
peers_in(const struct ng_state_snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].origin != NG_ORIGIN_LOCAL)
			return 1;
	return 0;
}

/* origin_field - version 2's fifth field, with its blank: " -", " mx2". */
static void
origin_field(const struct ng_cache_entry *e, int v2, char *buf, size_t len)
{
	buf[0] = '\0';
	if (v2)
		snprintf(buf, len, " %s", e->origin == NG_ORIGIN_LOCAL ? "-" :
		    ng_origin_name(e->origin));
}

/* format - the file image of a snapshot, in a malloc'd buffer */
static char *
format(const struct ng_state_snap *s, size_t *len, uint64_t *nlive)
{
	size_t cap = (s->n + 2) * ENTRY_TEXT_MAX + 64, n = 0, i;
	char a[NG_ADDRSTRLEN], o[NG_REDIS_NAME_MAX + 3], *buf = malloc(cap);
	const struct ng_cache_entry *e;
	int v2 = peers_in(s);
	uint64_t live = 0;
	unsigned plen;

	if (buf == NULL)
		return NULL;
	n += (size_t)snprintf(buf, cap, "%s %d %s\n", NG_STATE_MAGIC,
	    v2 ? NG_STATE_VERSION_ORIGIN : NG_STATE_VERSION, s->kind);
	for (i = 0; i < s->n; i++) {
		e = &s->e[i];
		if (e->expires <= s->now_mono)
			continue;
		plen = e->key.family == 6 ? s->prefix6 : s->prefix4;
		origin_field(e, v2, o, sizeof(o));
		n += (size_t)snprintf(buf + n, cap - n, "%s/%u %" PRIu64 " %"
		    PRIu64 " %" PRIu32 "%s\n",
		    ng_addr_format(&e->key, a, sizeof(a)), plen,
		    to_wall(e->first, s->now_mono, s->now_wall, 0),
		    to_wall(e->expires, s->now_mono, s->now_wall, 1),
		    e->count, o);
		live++;
	}
	n += (size_t)snprintf(buf + n, cap - n, "end %" PRIu64 "\n", live);
	*len = n;
	*nlive = live;
	return buf;
}

/*
 * ng_state_snap_write - sort and format a complete snapshot and replace
 * path with it (ng_atomic_write: synced, durable).  The entries written,
 * or -1.
 */
int
ng_state_snap_write(struct ng_state_snap *s, const char *path, char *err,
    size_t errlen)
{
	uint64_t live = 0;
	size_t len = 0;
	char *text;
	int rc;

	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), by_expiry);
	if ((text = format(s, &len, &live)) == NULL) {
		return ng_err(err, errlen, "%s: formatting: out of memory "
		    "(the old file is kept)", path);
	}
	rc = ng_atomic_write(path, text, len, 0600, 0, err, errlen);
	free(text);
	return rc < 0 ? -1 : (int)live;
}

/*
 * ng_state_save - all of the above at once, for start-up, shutdown and
 * tests.
 */
int
ng_state_save(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen)
{
	struct ng_state_snap s;
	int n;

	memset(&s, 0, sizeof(s));
	if (ng_state_snap_begin(&s, kind, c, now_mono, now_wall) < 0) {
		return ng_err(err, errlen, "%s: out of memory (the old file "
		    "is kept)", path);
	}
	ng_state_snap_step(&s, c, SIZE_MAX);
	n = ng_state_snap_write(&s, path, err, errlen);
	ng_state_snap_free(&s);
	return n;
}

static const char *const state_kinds[NG_STATE_KINDS] = {
	"pass", "penalty", "greylist"
};

/* ng_state_kind - the kind of state file i ("pass", ...), or "?". */
const char *
ng_state_kind(unsigned i)
{
	return i < NG_STATE_KINDS ? state_kinds[i] : "?";
}

/* ng_state_path - state_dir/KIND.state; -1 when it does not fit. */
int
ng_state_path(const char *dir, unsigned i, char *path, size_t len)
{
	int n = snprintf(path, len, "%s/%s.state", dir, ng_state_kind(i));

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
