/*
 * config_check.c - every problem that would stop the live gate at start,
 * found without starting it (config_check.h).
 *
 * The checks are live_setup.c's, the file first, then the user (the
 * others judge by it), state_dir, the database, the policy socket.
 * Unlike the start, nothing stops at the first problem: a syntax error's line is blanked and the text parsed
 * again, so one run names every mistake.  The key of a blanked line is
 * "unsure" from then on, and the checks that would judge its default
 * instead of what the admin meant are skipped.
 *
 * Nothing is made, chowned, bound or sent to the kernel.  What root
 * would do is judged from owners and mode bits against the configured
 * user's uid and gid (its primary group only: ng_privs_drop keeps no
 * supplementary group), so the check runs as any user who can read the
 * files.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/text.h"
#include "base/file_read.h"
#include "conf/fpfile.h"
#include "daemon/config_check.h"
#include "daemon/privs.h"
#include "netdb/netdb.h"

#define EX_CONFIG 78	/* sysexits.h */

#define CONF_MAX	(128u << 20)	/* the parser's own limit */
#define LINE_LEN	4096		/* the parser's longest line */
#define UNSURE_MAX	32
#define KEY_LEN		64

#define MAY_R	4
#define MAY_W	2
#define MAY_X	1

struct ctx {
	const char *path;
	char *text;		/* the file; NULL when unreadable */
	size_t len;
	struct ng_config cfg;
	int parsed;		/* cfg holds the whole file, bad lines aside */
	char unsure[UNSURE_MAX][KEY_LEN];
	unsigned nunsure;
	int user_ok;
	uid_t uid;
	gid_t gid;
	struct ng_check *chk;
};

static void add(struct ng_check *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* add - one problem (error nonzero) or warning; counted when not kept. */
static void
add(struct ng_check *chk, int error, const char *fmt, ...)
{
	struct ng_check_item *it;
	va_list ap;

	if (error)
		chk->errors++;
	else
		chk->warnings++;
	if (chk->n == NG_CHECK_MAX)
		return;
	it = &chk->item[chk->n++];
	it->error = error;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/*
 * next_line - the line at *s (cut at LINE_LEN, comment dropped) into buf
 * and *s past it; 0 at the end of the text.
 */
static int
next_line(const struct ctx *x, const char **s, char *buf, size_t len)
{
	const char *end = x->text + x->len, *nl;
	size_t n;
	char *hash;

	if (x->text == NULL || *s >= end)
		return 0;
	if ((nl = memchr(*s, '\n', (size_t)(end - *s))) == NULL)
		nl = end;
	n = (size_t)(nl - *s);
	if (n >= len)
		n = len - 1;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	if ((hash = strchr(buf, '#')) != NULL)
		*hash = '\0';
	*s = nl + 1;
	return 1;
}

/* split_kv - "key = value" cut in two; NULL when the line has no '='. */
static char *
split_kv(char *line, char **value)
{
	char *eq = strchr(line, '=');

	if (eq == NULL)
		return NULL;
	*eq = '\0';
	*value = ng_trim(eq + 1);
	return ng_trim(line);
}

/* key_line - the last line that sets key, as the parser reads it; 0 none. */
static unsigned
key_line(const struct ctx *x, const char *key)
{
	char line[LINE_LEN], *k, *v;
	const char *s = x->text;
	unsigned n = 0, found = 0;

	while (next_line(x, &s, line, sizeof(line))) {
		n++;
		if ((k = split_kv(line, &v)) != NULL && strcmp(k, key) == 0)
			found = n;
	}
	return found;
}

/* where - "CONF:LINE" of the line setting key, or "CONF" for a default. */
static const char *
where(const struct ctx *x, const char *key, char *buf, size_t len)
{
	unsigned n = key_line(x, key);

	if (n > 0)
		snprintf(buf, len, "%s:%u", x->path, n);
	else
		snprintf(buf, len, "%s", x->path);
	return buf;
}

/* names_file - 1 when word w, as the parser resolves it, is file name. */
static int
names_file(const struct ctx *x, const char *w, const char *name,
    size_t namelen)
{
	const char *slash = strrchr(x->path, '/');
	size_t dl = slash != NULL ? (size_t)(slash - x->path) : 0;

	if (strlen(w) == namelen && memcmp(w, name, namelen) == 0)
		return 1;
	if (slash == NULL || w[0] == '/')
		return 0;
	/* Relative to the config's directory, as ng_config_load has it. */
	return dl + 1 + strlen(w) == namelen &&
	    memcmp(name, x->path, dl) == 0 && name[dl] == '/' &&
	    memcmp(name + dl + 1, w, strlen(w)) == 0;
}

/*
 * file_line - the line whose value names file name (an allow_file whose
 * own line was wrong); 0 when none does.
 */
static unsigned
file_line(const struct ctx *x, const char *name, size_t namelen)
{
	char line[LINE_LEN], *v, *w, *save;
	const char *s = x->text;
	unsigned n = 0;

	while (next_line(x, &s, line, sizeof(line))) {
		n++;
		if (split_kv(line, &v) == NULL)
			continue;
		for (w = strtok_r(v, " \t,", &save); w != NULL;
		    w = strtok_r(NULL, " \t,", &save))
			if (names_file(x, w, name, namelen))
				return n;
	}
	return 0;
}

/*
 * err_line - the config line to blame for a parser error "NAME:LINE:
 * message": LINE when NAME is the config, else the line naming NAME's
 * file; 0 when there is none (the file cannot be read at all).
 */
static unsigned
err_line(const struct ctx *x, const char *err)
{
	size_t plen = strlen(x->path), i;
	const char *p;
	unsigned long n;
	char *end;

	for (p = err; (p = strchr(p, ':')) != NULL; p++) {
		if (!isdigit((unsigned char)p[1]))
			continue;
		n = strtoul(p + 1, &end, 10);
		if (*end != ':' || n == 0 || n > 0xffffffffUL)
			continue;
		i = (size_t)(p - err);
		if (i == plen && memcmp(err, x->path, plen) == 0)
			return (unsigned)n;
		return file_line(x, err, i);
	}
	return 0;
}

/* is_unsure - 1 when key's line was blanked: its value is not known. */
static int
is_unsure(const struct ctx *x, const char *key)
{
	unsigned i;

	for (i = 0; i < x->nunsure; i++)
		if (strcmp(x->unsure[i], key) == 0)
			return 1;
	return 0;
}

/*
 * blank - remove line n's text, keeping its newline so the lines after
 * it keep their numbers; its key becomes unsure.
 */
static void
blank(struct ctx *x, unsigned n)
{
	char line[LINE_LEN], *k, *v, *p = x->text, *end = x->text + x->len,
	    *nl;
	const char *s;
	unsigned i;

	for (i = 1; i < n && p < end; i++)
		p = (nl = memchr(p, '\n', (size_t)(end - p))) != NULL ?
		    nl + 1 : end;
	if (p >= end)
		return;
	s = p;
	if (next_line(x, &s, line, sizeof(line)) &&
	    (k = split_kv(line, &v)) != NULL && x->nunsure < UNSURE_MAX &&
	    strlen(k) < KEY_LEN)
		snprintf(x->unsure[x->nunsure++], KEY_LEN, "%s", k);
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		nl = end;
	memmove(p, nl, (size_t)(end - nl));
	x->len -= (size_t)(nl - p);
	x->text[x->len] = '\0';
}

/*
 * parse_again - the edited text from fresh defaults.  Relative allow
 * and deny files are read from the config's directory, as
 * ng_config_load reads them, hence the chdir there and back: this is
 * for a command, never for the running gate.
 */
static int
parse_again(struct ctx *x, char *err, size_t errlen)
{
	char dir[NG_PATH_MAX * 2];
	const char *slash = strrchr(x->path, '/');
	int here = -1, rc;

	ng_config_free(&x->cfg);
	ng_config_defaults(&x->cfg);
	if (slash != NULL && (size_t)(slash - x->path) < sizeof(dir)) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - x->path),
		    x->path);
		here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (here >= 0 && chdir(dir[0] ? dir : "/") < 0) {
			close(here);
			here = -1;
		}
	}
	rc = ng_config_parse(&x->cfg, x->text, x->len, x->path, err, errlen);
	if (here >= 0) {
		if (fchdir(here) < 0)
			rc = -1, snprintf(err, errlen, "%s: back to the "
			    "working directory: %s", x->path, strerror(errno));
		close(here);
	}
	return rc;
}

/*
 * parse - the file as the gate reads it, then again without each line
 * the parser refused, until it takes the rest or a refusal cannot be
 * pinned to a line (the file unreadable).
 */
static void
parse(struct ctx *x)
{
	char err[NG_CHECK_LEN], last[NG_CHECK_LEN] = "";
	unsigned i, n;

	ng_config_defaults(&x->cfg);
	if (ng_config_load(&x->cfg, x->path, err, sizeof(err)) == 0) {
		x->parsed = 1;
		return;
	}
	for (i = 0; i < NG_CHECK_MAX && strcmp(err, last) != 0; i++) {
		add(x->chk, 1, "%s", err);
		if ((n = err_line(x, err)) == 0)
			break;
		blank(x, n);
		snprintf(last, sizeof(last), "%s", err);
		if (parse_again(x, err, sizeof(err)) == 0) {
			x->parsed = 1;
			return;
		}
	}
	x->chk->partial = 1;
}

/* parser_warnings - the parser's doubts ("CONF:LINE: ..."), as warnings. */
static void
parser_warnings(struct ctx *x)
{
	const char *w = x->cfg.warnings, *nl;

	for (; (nl = strchr(w, '\n')) != NULL; w = nl + 1)
		add(x->chk, 0, "%.*s", (int)(nl - w), w);
}

/*
 * may - 1 when the gate's user, after the drop, may do want (MAY_*
 * bits) to a file with st's owner and mode: its uid, else its primary
 * gid (setgroups(1, &gid) in ng_privs_drop), else others.
 */
static int
may(const struct ctx *x, const struct stat *st, unsigned want)
{
	unsigned m = (unsigned)st->st_mode;

	if (x->uid == 0)
		return 1;
	if (st->st_uid == x->uid)
		m >>= 6;
	else if (st->st_gid == x->gid)
		m >>= 3;
	return (m & want) == want;
}

/* check_user - the user exists (live_start_io); root is only a warning. */
static void
check_user(struct ctx *x)
{
	char err[256], at[NG_PATH_MAX + 16];

	if (is_unsure(x, "user"))
		return;
	if (ng_privs_lookup(x->cfg.user, &x->uid, &x->gid, err,
	    sizeof(err)) < 0) {
		add(x->chk, 1, "%s: user: %s", where(x, "user", at,
		    sizeof(at)), err);
		return;
	}
	x->user_ok = 1;
	x->chk->uid = (long)x->uid;
	if (x->uid == 0)
		add(x->chk, 0, "%s: user: root: the gate would keep every "
		    "privilege", where(x, "user", at, sizeof(at)));
}

/*
 * state_final - the directory itself, as ng_privs_prepare_dir's root
 * would find it (safe_dir), then whether the user can write it: root
 * would hand a root-owned one over, but a gate not started as root
 * (systemd's) cannot, so it is named here rather than left to chance.
 */
static void
state_final(struct ctx *x, const char *path, const struct stat *st,
    const char *at)
{
	unsigned mode = (unsigned)st->st_mode & 07777;

	if (x->user_ok && st->st_uid != 0 && st->st_uid != x->uid)
		add(x->chk, 1, "%s: state_dir: %s: owned by uid %u, not root "
		    "or the gate's user: not used", at, path,
		    (unsigned)st->st_uid);
	else if (mode & (S_IWGRP | S_IWOTH))
		add(x->chk, 1, "%s: state_dir: %s: writable by group or "
		    "others (mode %04o): not used (chmod 0750 it)", at, path,
		    mode);
	else if (x->user_ok && !may(x, st, MAY_W | MAY_X))
		add(x->chk, 1, "%s: state_dir: %s: not writable by user %s "
		    "(uid %u; owner uid %u, mode %04o): chown %s it", at, path,
		    x->cfg.user, (unsigned)x->uid, (unsigned)st->st_uid, mode,
		    x->cfg.user);
}

/*
 * state_step - one component of state_dir that exists: a link is
 * followed only on the way and only if root made it (open_dir in
 * privs.c); each directory on the way must let the user through, since
 * the state saves open their files by path after the drop.  -1 stops
 * the walk.
 */
static int
state_step(struct ctx *x, const char *path, struct stat *st, int last,
    const char *at)
{
	if (S_ISLNK(st->st_mode) && (last || st->st_uid != 0)) {
		add(x->chk, 1, "%s: state_dir: %s: a symbolic link, not "
		    "followed (name the directory itself)", at, path);
		return -1;
	}
	if (S_ISLNK(st->st_mode) && stat(path, st) < 0) {
		add(x->chk, 1, "%s: state_dir: %s: %s", at, path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st->st_mode)) {
		add(x->chk, 1, "%s: state_dir: %s: not a directory", at, path);
		return -1;
	}
	if (last) {
		state_final(x, path, st, at);
		return 0;
	}
	if (x->user_ok && !may(x, st, MAY_X)) {
		add(x->chk, 1, "%s: state_dir: %s: user %s may not enter it "
		    "(mode %04o)", at, path, x->cfg.user,
		    (unsigned)st->st_mode & 07777);
		return -1;
	}
	return 0;
}

/*
 * state_missing - path (a component of state_dir) is not there: the gate
 * makes it at start, as root, if its parent takes a new directory.
 */
static void
state_missing(struct ctx *x, const char *path, size_t plen, const char *at)
{
	char parent[NG_PATH_MAX];

	x->chk->state_missing = 1;
	while (plen > 0 && path[plen - 1] != '/')
		plen--;
	snprintf(parent, sizeof(parent), "%.*s", (int)plen, path);
	if (parent[0] == '\0')
		snprintf(parent, sizeof(parent), ".");
	/* Only root's answer is the gate's; another user's says nothing. */
	if (geteuid() == 0 && access(parent, W_OK) < 0)
		add(x->chk, 1, "%s: state_dir: cannot make %s: %s", at, path,
		    strerror(errno));
}

/* check_state_dir - walk state_dir from its first component to its last. */
static void
check_state_dir(struct ctx *x)
{
	const char *dir = x->cfg.state_dir;
	char path[NG_PATH_MAX], at[NG_PATH_MAX + 16];
	struct stat st;
	size_t i = 0;
	int last;

	if (is_unsure(x, "state_dir") || is_unsure(x, "user"))
		return;
	where(x, "state_dir", at, sizeof(at));
	for (;;) {
		while (dir[i] == '/')
			i++;
		if (dir[i] == '\0')
			break;
		while (dir[i] != '\0' && dir[i] != '/')
			i++;
		if (i >= sizeof(path))
			break;		/* the parser took no longer one */
		memcpy(path, dir, i);
		path[i] = '\0';
		last = dir[i + strspn(dir + i, "/")] == '\0';
		if (lstat(path, &st) < 0) {
			if (errno == ENOENT)
				state_missing(x, path, i, at);
			else
				add(x->chk, 1, "%s: state_dir: %s: %s", at,
				    path, strerror(errno));
			return;
		}
		if (state_step(x, path, &st, last, at) < 0 || last)
			return;
	}
}

/*
 * check_db - the database opened and validated as the start opens it,
 * and readable by the user, who opens it again on every SIGHUP.
 */
static void
check_db(struct ctx *x)
{
	struct ng_netdb_info info;
	struct ng_netdb *db;
	char err[512], at[NG_PATH_MAX + 16];
	struct stat st;

	if (is_unsure(x, "database"))
		return;
	where(x, "database", at, sizeof(at));
	if (x->cfg.database[0] == '\0') {
		if (x->cfg.eng.ncountry > 0)
			add(x->chk, 0, "%s: country rules but no database: "
			    "every client's country is unknown", x->path);
		if (x->cfg.eng.nnet_rule > 0)
			add(x->chk, 0, "%s: asn or owner rules but no "
			    "database: none of them can match", x->path);
		return;
	}
	snprintf(x->chk->database, sizeof(x->chk->database), "%s",
	    x->cfg.database);
	if (x->cfg.database[0] != '/')
		add(x->chk, 0, "%s: database: %s: a relative path, read from "
		    "the gate's working directory (/ under systemd)", at,
		    x->cfg.database);
	if ((db = ng_netdb_open(x->cfg.database, err, sizeof(err))) == NULL) {
		add(x->chk, 1, "%s: database: %s", at, err);
		return;
	}
	ng_netdb_get_info(db, &info);
	ng_netdb_close(db);
	x->chk->db_ok = 1;
	x->chk->db_ranges = info.ranges4 + info.ranges6;
	if (x->user_ok && stat(x->cfg.database, &st) == 0 &&
	    !may(x, &st, MAY_R))
		add(x->chk, 0, "%s: database: %s: not readable by user %s: "
		    "a reload (SIGHUP) could not open it", at,
		    x->cfg.database, x->cfg.user);
}

/*
 * check_socket - the policy socket's directory is there (the gate makes
 * the socket, never its directory) and nothing but an old socket or a
 * link is in the socket's place (check_place in psvc_sock.c).
 */
static void
check_socket(struct ctx *x)
{
	const char *p = x->cfg.policy_socket, *slash = strrchr(p, '/');
	char dir[NG_PATH_MAX], at[NG_PATH_MAX + 16];
	struct sockaddr_un sun;
	struct stat st;

	if (p[0] == '\0' || is_unsure(x, "policy_socket"))
		return;
	where(x, "policy_socket", at, sizeof(at));
	if (strlen(p) >= sizeof(sun.sun_path)) {
		add(x->chk, 1, "%s: policy_socket: %s: path too long (max "
		    "%zu)", at, p, sizeof(sun.sun_path) - 1);
		return;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == p ? 1 :
		    (int)(slash - p), p);
	if (stat(dir, &st) < 0)
		add(x->chk, 1, "%s: policy_socket: directory %s: %s (make it "
		    "first: the gate does not)", at, dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		add(x->chk, 1, "%s: policy_socket: %s: not a directory", at,
		    dir);
	else if (lstat(p, &st) == 0 && !S_ISSOCK(st.st_mode) &&
	    !S_ISLNK(st.st_mode))
		add(x->chk, 1, "%s: policy_socket: %s: exists and is not a "
		    "socket", at, p);
}

/* check_owner - policy_socket_owner's user and group exist (start_psvc). */
static void
check_owner(struct ctx *x)
{
	char owner[64], err[256], at[NG_PATH_MAX + 16], *group;
	uid_t uid;
	gid_t gid;

	if (x->cfg.policy_socket[0] == '\0' ||
	    is_unsure(x, "policy_socket_owner"))
		return;
	snprintf(owner, sizeof(owner), "%s", x->cfg.policy_socket_owner);
	if ((group = strchr(owner, ':')) != NULL)
		*group++ = '\0';
	if (ng_privs_lookup(owner, &uid, &gid, err, sizeof(err)) < 0 ||
	    (group != NULL && ng_privs_lookup_group(group, &gid, err,
	    sizeof(err)) < 0))
		add(x->chk, 1, "%s: policy_socket_owner: %s",
		    where(x, "policy_socket_owner", at, sizeof(at)), err);
}

/*
 * check_ports - the parser refuses a bad, doubled or SMTPS port; a list
 * without 25 is allowed (a test port, a second MTA) but said, since an
 * MX's mail arrives on 25 and would go by unjudged.
 */
static void
check_ports(struct ctx *x)
{
	char at[NG_PATH_MAX + 16];
	unsigned i;

	if (is_unsure(x, "ports"))
		return;
	x->chk->nports = x->cfg.eng.nports;
	for (i = 0; i < x->cfg.eng.nports && i < NG_PORTS_MAX; i++)
		x->chk->ports[i] = x->cfg.eng.ports[i];
	if (!ng_settings_is_port(&x->cfg.eng, 25))
		add(x->chk, 0, "%s: ports: 25 is not judged: mail to an MX "
		    "on port 25 would go by untested",
		    where(x, "ports", at, sizeof(at)));
}

/*
 * check_score - the signature file loads (the gate would not start
 * otherwise), and "score fingerprint" lines have one to class by.
 */
static void
check_score(struct ctx *x)
{
	struct ng_fpdb *db;
	char err[512], at[NG_PATH_MAX + 16];
	unsigned i, fp = 0;

	for (i = 0; i < x->cfg.eng.score.nrule; i++)
		fp += x->cfg.eng.score.rule[i].kind == NG_SCORE_FP;
	if (x->cfg.fingerprints[0] == '\0') {
		if (fp > 0)
			add(x->chk, 0, "%s: score fingerprint lines but no "
			    "fingerprints file: none of them can match",
			    x->path);
		return;
	}
	if (is_unsure(x, "fingerprints"))
		return;
	where(x, "fingerprints", at, sizeof(at));
	if ((db = ng_fpfile_load(x->cfg.fingerprints, err, sizeof(err))) ==
	    NULL) {
		add(x->chk, 1, "%s: fingerprints: %s", at, err);
		return;
	}
	ng_fpdb_free(db);
}

/* alone_rejects - one weight (named what) that reaches the threshold. */
static void
alone_rejects(struct ctx *x, const char *what, int weight)
{
	int reject = x->cfg.eng.score.reject;

	if (weight > 0 && reject > 0 && weight >= reject)
		add(x->chk, 0, "%s: %s = %d alone reaches dnsbl_threshold = %d: "
		    "every such client is rejected on that fact alone",
		    x->path, what, weight, reject);
}

/*
 * check_weights - dnsbl_threshold judges the whole score (postscreen's
 * judges DNSBL answers only), so a reverse-DNS or rule weight at or
 * above it rejects on one fact an admin may have meant as a hint.
 */
static void
check_weights(struct ctx *x)
{
	const struct ng_score_conf *s = &x->cfg.eng.score;
	unsigned i;

	alone_rejects(x, "rdns_dynamic_weight", x->cfg.dns.rdns_dynamic_weight);
	alone_rejects(x, "rdns_none_weight", x->cfg.dns.rdns_none_weight);
	alone_rejects(x, "rdns_unconfirmed_weight",
	    x->cfg.dns.rdns_unconfirmed_weight);
	for (i = 0; i < s->nrule; i++)
		alone_rejects(x, "a score line's weight", s->rule[i].weight);
}

/* ng_config_check - every check (config_check.h); the number of errors. */
unsigned
ng_config_check(const char *path, struct ng_check *chk)
{
	struct ctx x;

	memset(chk, 0, sizeof(*chk));
	chk->uid = -1;
	memset(&x, 0, sizeof(x));
	x.path = path;
	x.chk = chk;
	x.text = ng_file_read(path, CONF_MAX, &x.len, NULL, 0);
	parse(&x);
	parser_warnings(&x);
	if (x.parsed) {
		snprintf(chk->user, sizeof(chk->user), "%s", x.cfg.user);
		snprintf(chk->state_dir, sizeof(chk->state_dir), "%s",
		    x.cfg.state_dir);
		check_user(&x);
		check_state_dir(&x);
		check_db(&x);
		check_socket(&x);
		check_owner(&x);
		check_ports(&x);
		check_score(&x);
		check_weights(&x);
	}
	ng_config_free(&x.cfg);
	free(x.text);
	return chk->errors;
}

/* check_ok - the one line that says what the gate would start with. */
static void
check_ok(const char *prog, const char *path, const struct ng_check *chk)
{
	unsigned i;

	printf("%s: %s: config ok: database ", prog, path);
	if (chk->db_ok)
		printf("%s (%llu ranges)", chk->database,
		    (unsigned long long)chk->db_ranges);
	else
		printf("none");
	printf(", user %s (uid %ld), state_dir %s%s, ports", chk->user,
	    chk->uid, chk->state_dir, chk->state_missing ?
	    " (to be made)" : "");
	for (i = 0; i < chk->nports && i < NG_PORTS_MAX; i++)
		printf("%s%u", i ? "," : " ", chk->ports[i]);
	if (chk->warnings > 0)
		printf(", %u warning%s", chk->warnings,
		    chk->warnings == 1 ? "" : "s");
	printf("\n");
}

/* ng_config_check_report - see config_check.h. */
int
ng_config_check_report(const char *prog, const char *path,
    const struct ng_check *chk)
{
	unsigned i, shown = chk->n;

	for (i = 0; i < chk->n; i++)
		fprintf(stderr, "%s: %s%s\n", prog, chk->item[i].error ? "" :
		    "warning: ", chk->item[i].text);
	if (chk->errors + chk->warnings > shown)
		fprintf(stderr, "%s: %s: %u more not shown\n", prog, path,
		    chk->errors + chk->warnings - shown);
	if (chk->partial)
		fprintf(stderr, "%s: %s: the other checks did not run "
		    "(fix the above first)\n", prog, path);
	if (chk->errors > 0) {
		fprintf(stderr, "%s: %s: %u problem%s: the gate would "
		    "not start\n", prog, path, chk->errors,
		    chk->errors == 1 ? "" : "s");
		return EX_CONFIG;
	}
	check_ok(prog, path, chk);
	return fflush(stdout) == 0 ? 0 : 1;
}
