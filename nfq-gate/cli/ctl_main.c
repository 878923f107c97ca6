/*
 * ctl_main.c - nfq-gate-ctl: look into and edit the pass cache, the
 * penalty box and the greylist of a running gate, or of a stopped one's
 * state_dir; ask a running gate for its health; check a config.
 *
 *   nfq-gate-ctl [-c CONF] [-s SOCKET] [--json] VERB [ARGS]
 *   nfq-gate-ctl --state-dir DIR [-c CONF] [--json] VERB [ARGS]
 *   nfq-gate-ctl [-c CONF] check
 *
 * The verbs are daemon/ctl.h's, and both ways run them through the same
 * ng_ctl_exec(): online it runs in the gate, behind its control socket,
 * and this program only sends the line and copies the answer out;
 * offline it runs here, on tables loaded from the state files while an
 * exclusive flock(2) on state_dir's lock file keeps a gate from
 * starting meanwhile (and this program from editing files a running gate
 * would overwrite).  Changed tables are written back the way the gate
 * writes them: ng_state_save(), one atomic, durable replacement each.
 *
 * The exit status is the answer's code (ctl.h): 0, 1 unhealthy, 2 not
 * found, 3 failed, 64 usage, 69 no gate or state_dir busy, 77 not
 * allowed on the socket; 78 from check for a config the gate would
 * refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/atomic_file.h"
#include "base/err.h"
#include "base/file_read.h"
#include "base/hashkey.h"
#include "base/timeval.h"
#include "conf/config.h"
#include "daemon/cache_file.h"
#include "daemon/clock.h"
#include "daemon/config_check.h"
#include "daemon/ctl.h"
#include "engine/cache.h"
#include "netdb/netdb.h"

#define PROG "nfq-gate-ctl"
#define EX_CONFIG 78
#define TIMEOUT NG_SEC(10)		/* connect and the whole answer */
#define STATE_FILE_MAX (256u << 20)	/* as cache_file.c reads them */
#define STATUS_MAX 1024			/* the status line */

struct opts {
	const char *conf;	/* -c, else NG_CONFIG_PATH */
	int conf_given;
	const char *sock;	/* -s */
	const char *state_dir;	/* --state-dir */
	int json;
};

/* help - every option; tests/sh/docs_drift.sh holds nfq-gate-ctl(8) to it. */
static void
help(FILE *fp)
{
	fprintf(fp,
	    "usage: " PROG " [-c CONF] [-s SOCKET] [--json] VERB [ARGS]\n"
	    "       " PROG " --state-dir DIR [-c CONF] [--json] VERB [ARGS]\n"
	    "       " PROG " [-c CONF] check\n"
	    "       " PROG " -h|--help\n"
	    "verbs: status\n"
	    "       list pass|penalty|greylist [ADDR|CIDR]\n"
	    "       show ADDR\n"
	    "       del pass|penalty|greylist ADDR|CIDR\n"
	    "       add pass|penalty|greylist ADDR [TTL]\n"
	    "       flush pass|penalty|greylist\n"
	    "       reload\n"
	    "       save\n"
	    "       check\n"
	    "  -c, --config CONF     configuration file"
	    " (" NG_CONFIG_PATH ")\n"
	    "  -s, --socket SOCKET   the gate's control socket"
	    " (control_socket)\n"
	    "      --state-dir DIR   a stopped gate's state files, not the"
	    " socket\n"
	    "      --json            the answer as one JSON document\n"
	    "  -h, --help            this text\n");
}

/* usage - a usage error: NG_CTL_USAGE, as nfq-gate-ctl(8) says. */
static int
usage(void)
{
	help(stderr);
	return NG_CTL_USAGE;
}

/* ---- the request ---- */

/*
 * build_line - "[json ]VERB ARGS\n" from the words left on the command
 * line; -1 (said on stderr) for a word with a blank or a control
 * character in it, or a line past NG_CTL_LINE_MAX.
 */
static int
build_line(char **w, int n, int json, char *line, size_t len)
{
	size_t used = 0;
	const char *p;
	int i, k;

	line[0] = '\0';
	if (json)
		used = (size_t)snprintf(line, len, "json");
	for (i = 0; i < n; i++) {
		for (p = w[i]; *p != '\0'; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f) {
				fprintf(stderr, PROG ": \"%s\": no blanks or "
				    "control characters in a word\n", w[i]);
				return -1;
			}
		if (w[i][0] == '\0') {
			fprintf(stderr, PROG ": an empty word\n");
			return -1;
		}
		k = snprintf(line + used, len - used, "%s%s", used ? " " : "",
		    w[i]);
		if (k < 0 || (size_t)k >= len - used)
			goto toolong;
		used += (size_t)k;
	}
	if (used + 2 > len)
		goto toolong;
	line[used++] = '\n';
	line[used] = '\0';
	return 0;
toolong:
	fprintf(stderr, PROG ": the request is longer than %d bytes\n",
	    NG_CTL_LINE_MAX);
	return -1;
}

/* answer - the body to stdout, the message to stderr unless the code is 0. */
static int
answer(int code, const char *msg, const char *body, size_t len)
{
	if (len > 0 && fwrite(body, 1, len, stdout) != len)
		code = code ? code : NG_CTL_FAILED;
	if (fflush(stdout) != 0) {
		fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
		code = code ? code : NG_CTL_FAILED;
	}
	if (code != NG_CTL_OK && msg[0] != '\0')
		fprintf(stderr, PROG ": %s\n", msg);
	return code;
}

/* ---- online: the control socket ---- */

/*
 * sock_path - -s, else control_socket from the config, else the default;
 * why the config gave none goes into note, for when connecting fails.
 */
static void
sock_path(const struct opts *o, char *path, size_t len, char *note,
    size_t notelen)
{
	static struct ng_config cfg;	/* big: not on the stack */
	char err[512];

	note[0] = '\0';
	if (o->sock != NULL) {
		snprintf(path, len, "%s", o->sock);
		return;
	}
	ng_config_defaults(&cfg);
	if (ng_config_load(&cfg, o->conf, err, sizeof(err)) < 0) {
		snprintf(note, notelen, "%s; tried the default socket", err);
		snprintf(path, len, "%s", NG_CTL_SOCKET_DEFAULT);
	} else if (cfg.control_socket[0] == '\0') {
		snprintf(note, notelen, "%s: control_socket is empty: the "
		    "gate has no control socket", o->conf);
		snprintf(path, len, "%s", NG_CTL_SOCKET_DEFAULT);
	} else
		snprintf(path, len, "%s", cfg.control_socket);
	ng_config_free(&cfg);
}

/* left_ms - milliseconds to the deadline, at least 0 */
static int
left_ms(ng_usec deadline)
{
	ng_usec now = ng_clock_now();

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + 999) / 1000);
}

/*
 * sock_connect - a connected stream socket to path, or -1 having said
 * why: the code in *code (69: no gate or too slow; 77: not allowed).
 */
static int
sock_connect(const char *path, const char *note, ng_usec deadline,
    int *code)
{
	struct sockaddr_un sun;
	struct timeval tv;
	int fd, ms = left_ms(deadline);

	*code = NG_CTL_UNAVAILABLE;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, PROG ": %s: socket path too long\n", path);
		*code = NG_CTL_USAGE;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	/* A blocking connect to a full backlog waits this long at most. */
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	if (note[0] != '\0')
		fprintf(stderr, PROG ": note: %s\n", note);
	if (errno == EACCES || errno == EPERM) {
		*code = NG_CTL_NOPERM;
		fprintf(stderr, PROG ": %s: permission denied (connect: %s); "
		    "run as root or as a member of control_socket_group\n",
		    path, strerror(errno));
	} else if (errno == EAGAIN || errno == EINPROGRESS)
		fprintf(stderr, PROG ": %s: the gate did not take the "
		    "connection within %llu s\n", path,
		    (unsigned long long)(TIMEOUT / NG_USEC_PER_SEC));
	else
		fprintf(stderr, PROG ": %s: no running gate (connect: %s)\n",
		    path, strerror(errno));
	close(fd);
	return -1;
}

/*
 * sock_read - read what there is before the deadline: bytes, 0 at the
 * end, -1 (said on stderr) on error or time out.
 */
static ssize_t
sock_read(int fd, const char *path, ng_usec deadline, char *buf, size_t len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&p, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, PROG ": %s: poll: %s\n", path,
			    strerror(errno));
			return -1;
		}
		if (r == 0) {
			fprintf(stderr, PROG ": %s: no answer within %llu s\n",
			    path, (unsigned long long)(TIMEOUT /
			    NG_USEC_PER_SEC));
			return -1;
		}
		n = read(fd, buf, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			fprintf(stderr, PROG ": %s: read: %s\n", path,
			    strerror(errno));
		return n;
	}
}

/*
 * parse_status - "CODE MESSAGE" into *code and msg; -1 for anything
 * else.
 */
static int
parse_status(char *line, int *code, char *msg, size_t msglen)
{
	char *end;
	long v;

	if (line[0] < '0' || line[0] > '9')
		return -1;
	errno = 0;
	v = strtol(line, &end, 10);
	if (errno != 0 || v < 0 || v > 255 || (*end != ' ' && *end != '\0'))
		return -1;
	*code = (int)v;
	if (*end == ' ')
		end++;
	snprintf(msg, msglen, "%s", end);
	return 0;
}

/*
 * run_online - send line to the gate and copy its answer out: the body
 * as it comes to stdout, the message to stderr.  The exit status.
 */
static int
run_online(const struct opts *o, const char *line)
{
	char path[NG_PATH_MAX], note[600], buf[16384], msg[STATUS_MAX];
	ng_usec deadline = ng_clock_now() + TIMEOUT;
	size_t have = 0, len = strlen(line), off;
	int fd, code, ok = 0;
	char *nl;
	ssize_t n;

	sock_path(o, path, sizeof(path), note, sizeof(note));
	if ((fd = sock_connect(path, note, deadline, &code)) < 0)
		return code;
	/* One short line into an empty socket buffer: it never blocks. */
	for (off = 0; off < len; off += (size_t)n)
		if ((n = send(fd, line + off, len - off, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR) {
				n = 0;
				continue;
			}
			fprintf(stderr, PROG ": %s: send: %s\n", path,
			    strerror(errno));
			goto unavailable;
		}
	/* The status line. */
	while ((nl = memchr(buf, '\n', have)) == NULL) {
		if (have >= STATUS_MAX) {
			fprintf(stderr, PROG ": %s: status line too long\n",
			    path);
			goto unavailable;
		}
		if ((n = sock_read(fd, path, deadline, buf + have,
		    sizeof(buf) - have)) < 0)
			goto unavailable;
		if (n == 0) {
			fprintf(stderr, PROG ": %s: the gate closed the "
			    "connection without an answer\n", path);
			goto unavailable;
		}
		have += (size_t)n;
	}
	*nl = '\0';
	if (parse_status(buf, &code, msg, sizeof(msg)) < 0) {
		fprintf(stderr, PROG ": %s: not an answer: \"%.80s\"\n",
		    path, buf);
		goto unavailable;
	}
	/* The body, to the end. */
	off = (size_t)(nl + 1 - buf);
	for (;;) {
		if (have > off && fwrite(buf + off, 1, have - off, stdout) !=
		    have - off)
			break;
		n = sock_read(fd, path, deadline, buf, sizeof(buf));
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		have = (size_t)n;
		off = 0;
	}
	close(fd);
	code = answer(code, msg, "", 0);
	return ok ? code : (code ? code : NG_CTL_FAILED);
unavailable:
	close(fd);
	return NG_CTL_UNAVAILABLE;
}

/* ---- offline: a stopped gate's state_dir ---- */

struct offline {
	struct ng_config cfg;
	struct ng_cache *t[NG_CTL_TABLE_MAX];
	char path[NG_CTL_TABLE_MAX][NG_PATH_MAX + 32];
	struct stat st[NG_CTL_TABLE_MAX];
	int exists[NG_CTL_TABLE_MAX];
	int dirty[NG_CTL_TABLE_MAX];
	struct stat dir;
	struct ng_netdb *db;
};

/*
 * holder - who holds the lock: the pid in the file, "nfq-gate-ctl" when
 * /proc says that is what it runs; 0 when the file names no pid.
 */
static long
holder(int fd, int *ctl)
{
	char buf[32], comm[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	FILE *fp;

	*ctl = 0;
	buf[n > 0 ? n : 0] = '\0';
	if ((pid = strtol(buf, NULL, 10)) <= 0)
		return 0;
	snprintf(comm, sizeof(comm), "/proc/%ld/comm", pid);
	if ((fp = fopen(comm, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), fp) != NULL)
			*ctl = strncmp(comm, PROG, strlen(PROG)) == 0;
		fclose(fp);
	}
	return pid;
}

/*
 * lock_dir - the exclusive flock on DIR/NG_CTL_LOCK_FILE, made when
 * absent (given to the directory's owner, as the gate that opens it
 * later runs as that user), our pid written in it as the gate writes
 * its own.  The descriptor, or -1 with the exit status in *code, said.
 */
static int
lock_dir(const char *dir, const struct stat *dst, int *code)
{
	char path[NG_PATH_MAX + 32], pid[32];
	int fd, made = 0, rw = 1, ctl;
	long other;

	*code = NG_CTL_FAILED;
	snprintf(path, sizeof(path), "%s/%s", dir, NG_CTL_LOCK_FILE);
	fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		made = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
	}
	/* Only looking, without the right to write: a read lock will do. */
	if (fd < 0 && errno == EACCES) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
		rw = 0;
	}
	if (fd < 0) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (made && geteuid() == 0 && fchown(fd, dst->st_uid, dst->st_gid) < 0)
		fprintf(stderr, PROG ": %s: chown: %s\n", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
		if (rw && (ftruncate(fd, 0) < 0 ||
		    pwrite(fd, pid, strlen(pid), 0) < 0))
			fprintf(stderr, PROG ": %s: %s\n", path,
			    strerror(errno));
		return fd;
	}
	if (errno == EWOULDBLOCK) {
		*code = NG_CTL_UNAVAILABLE;
		if ((other = holder(fd, &ctl)) > 0)
			fprintf(stderr, PROG ": %s is in use by a running %s "
			    "(pid %ld)\n", dir, ctl ? PROG : "nfq-gate",
			    other);
		else
			fprintf(stderr, PROG ": %s is in use by a running "
			    "nfq-gate or " PROG "\n", dir);
	} else
		fprintf(stderr, PROG ": %s: flock: %s\n", path,
		    strerror(errno));
	close(fd);
	return -1;
}

/*
 * load_conf - the config for the tables' prefixes, TTLs and size: -c,
 * else the default file when there is one, else the defaults.
 */
static int
load_conf(const struct opts *o, struct ng_config *cfg)
{
	char err[512];

	ng_config_defaults(cfg);
	if (!o->conf_given && access(o->conf, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (ng_config_load(cfg, o->conf, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, PROG ": %s\n", err);
	return -1;
}

/*
 * load_table - one state file into its table, without setting a corrupt
 * one aside as the gate does: here nothing is written unless asked.
 * 0, or -1 said on stderr ("FILE:LINE: what").
 */
static int
load_table(struct offline *w, int i, ng_usec now, time_t wall)
{
	char err[1024];
	size_t len = 0;
	char *text;
	int fd;

	if ((fd = ng_open_regular(w->path[i], err, sizeof(err))) < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (fstat(fd, &w->st[i]) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", w->path[i],
		    strerror(errno));
		close(fd);
		return -1;
	}
	w->exists[i] = 1;
	text = ng_file_read_fd(fd, w->path[i], STATE_FILE_MAX, &len, err,
	    sizeof(err));
	close(fd);
	if (text == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (ng_state_parse(w->t[i], text, len, w->path[i],
	    ng_state_kind((unsigned)i), now, wall, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s (nothing changed)\n", err);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/*
 * make_tables - the three tables as the engine makes them (engine.c):
 * cache_max each, the pass cache segmented, admission on the greylist.
 */
static int
make_tables(struct offline *w)
{
	const struct ng_settings *s = &w->cfg.eng;
	unsigned cmax = s->cache_max ? s->cache_max : 1;
	uint8_t key[NG_HASH_KEY_LEN];

	/* Any bytes will do; nothing here is under attack. */
	memset(key, 0x5a, sizeof(key));
	(void)ng_hash_key_draw(key);
	w->t[NG_CTL_PASS] = ng_cache_table_new(cmax, s->pass_prefix4,
	    s->pass_prefix6, key);
	w->t[NG_CTL_PENALTY] = ng_cache_table_new(cmax, s->penalty_prefix4,
	    s->penalty_prefix6, key);
	w->t[NG_CTL_GREYLIST] = ng_cache_table_new(cmax,
	    s->greylist_prefix4, s->greylist_prefix6, key);
	if (w->t[0] == NULL || w->t[1] == NULL || w->t[2] == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	ng_cache_set_segments(w->t[NG_CTL_PASS], cmax - cmax / 5);
	ng_cache_set_admission(w->t[NG_CTL_GREYLIST], 1);
	return 0;
}

/* changed - ctl's hook: table t is to be written back. */
static void
changed(void *arg, enum ng_ctl_table t, int added, const struct ng_addr *a,
    int prefix)
{
	struct offline *w = arg;

	(void)added;
	(void)a;
	(void)prefix;
	if ((unsigned)t < NG_CTL_TABLE_MAX)
		w->dirty[t] = 1;
}

/* where - ctl's hook for show: the database's answer for a. */
static void
where(void *arg, const struct ng_addr *a, struct ng_ctl_where *wh)
{
	struct offline *w = arg;

	ng_ctl_where_db(w->db, a, wh);
}

/*
 * give_back - the new file of table i as the old one was: its mode, and
 * (as root) its owner; a new file goes to the directory's owner, as the
 * gate that will read it runs as that user.  0, or -1 with err.
 */
static int
give_back(struct offline *w, int i, char *err, size_t errlen)
{
	const struct stat *o = w->exists[i] ? &w->st[i] : &w->dir;
	mode_t mode = w->exists[i] ? (w->st[i].st_mode & 07777) : 0600;
	int fd, rc = 0;

	if ((fd = open(w->path[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ng_err(err, errlen, "%s: %s", w->path[i],
		    strerror(errno));
	if (geteuid() == 0 && fchown(fd, o->st_uid, o->st_gid) < 0)
		rc = ng_err(err, errlen, "%s: saved, but chown to %ld:%ld "
		    "failed: %s", w->path[i], (long)o->st_uid,
		    (long)o->st_gid, strerror(errno));
	else if (fchmod(fd, mode) < 0)
		rc = ng_err(err, errlen, "%s: saved, but chmod %o failed: %s",
		    w->path[i], (unsigned)mode, strerror(errno));
	close(fd);
	return rc;
}

/*
 * save_tables - every table a verb changed back to its file, atomically
 * (ng_state_save); 0, or -1 with err.
 */
static int
save_tables(struct offline *w, int any, ng_usec now, time_t wall,
    char *err, size_t errlen)
{
	int i;

	for (i = 0; i < NG_CTL_TABLE_MAX; i++) {
		if (!w->dirty[i] && !any)
			continue;
		if (ng_state_save(w->t[i], w->path[i],
		    ng_state_kind((unsigned)i), now, wall, err, errlen) < 0 ||
		    give_back(w, i, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* wants_country - the verb is show: open the database for it. */
static int
wants_country(const char *line)
{
	if (strncmp(line, "json ", 5) == 0)
		line += 5;
	return strncmp(line, "show ", 5) == 0;
}

/*
 * offline_exec - load, run and save under the lock; the exit status.
 */
static int
offline_exec(struct offline *w, const struct opts *o, const char *line)
{
	ng_usec now = ng_clock_now();
	time_t wall = time(NULL);
	struct ng_ctl_out out;
	struct ng_ctl c;
	char msg[1024], err[1024];
	int i, code, any;

	if (load_conf(o, &w->cfg) < 0)
		return EX_CONFIG;
	if (make_tables(w) < 0)
		return NG_CTL_FAILED;
	for (i = 0; i < NG_CTL_TABLE_MAX; i++) {
		if (ng_state_path(o->state_dir, (unsigned)i, w->path[i],
		    sizeof(w->path[i])) < 0) {
			fprintf(stderr, PROG ": %s: path too long\n",
			    o->state_dir);
			return NG_CTL_USAGE;
		}
		if (load_table(w, i, now, wall) < 0)
			return NG_CTL_FAILED;
	}
	if (w->cfg.database[0] != '\0' && wants_country(line) &&
	    (w->db = ng_netdb_open(w->cfg.database, err, sizeof(err))) == NULL)
		fprintf(stderr, PROG ": %s (no countries shown)\n", err);

	memset(&c, 0, sizeof(c));
	for (i = 0; i < NG_CTL_TABLE_MAX; i++)
		c.table[i] = w->t[i];
	c.ttl[NG_CTL_PASS] = w->cfg.eng.pass_ttl;
	c.ttl[NG_CTL_PENALTY] = w->cfg.eng.penalty_ttl;
	c.ttl[NG_CTL_GREYLIST] = w->cfg.eng.greylist_window;
	c.now = now;
	/* As cache_file.c converts: wall seconds = now_wall + (t - now). */
	c.wall_offset = (int64_t)wall * (int64_t)NG_USEC_PER_SEC -
	    (int64_t)now;
	c.where = w->db != NULL ? where : NULL;
	c.changed = changed;
	c.arg = w;

	ng_ctl_out_init(&out);
	msg[0] = '\0';
	code = ng_ctl_exec(&c, line, strlen(line), &out, msg, sizeof(msg));
	if (c.modified) {
		any = !w->dirty[0] && !w->dirty[1] && !w->dirty[2];
		if (save_tables(w, any, now, wall, err, sizeof(err)) < 0) {
			ng_ctl_out_free(&out);
			fprintf(stderr, PROG ": %s\n", err);
			return NG_CTL_FAILED;
		}
	}
	code = answer(code, msg, out.buf ? out.buf : "", out.len);
	if (out.failed && code == NG_CTL_OK) {
		fprintf(stderr, PROG ": out of memory: the answer is cut "
		    "short\n");
		code = NG_CTL_FAILED;
	}
	ng_ctl_out_free(&out);
	return code;
}

/*
 * run_offline - a stopped gate's state_dir: lock it, run the verb on its
 * files, unlock.  The exit status.
 */
static int
run_offline(const struct opts *o, const char *line)
{
	static struct offline w;	/* the config is big */
	int fd, code, i;

	memset(&w, 0, sizeof(w));
	if (stat(o->state_dir, &w.dir) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->state_dir,
		    strerror(errno));
		return NG_CTL_FAILED;
	}
	if (!S_ISDIR(w.dir.st_mode)) {
		fprintf(stderr, PROG ": %s: not a directory\n", o->state_dir);
		return NG_CTL_FAILED;
	}
	if ((fd = lock_dir(o->state_dir, &w.dir, &code)) < 0)
		return code;
	code = offline_exec(&w, o, line);
	for (i = 0; i < NG_CTL_TABLE_MAX; i++)
		if (w.t[i] != NULL)
			ng_cache_free(w.t[i]);
	if (w.db != NULL)
		ng_netdb_close(w.db);
	ng_config_free(&w.cfg);
	close(fd);		/* the lock with it */
	return code;
}

/* ---- check: nfq-gate -n ---- */

/* run_check - nfq-gate -n's check and report, under our name. */
static int
run_check(const char *path)
{
	static struct ng_check chk;	/* 33 KB: not on the stack */
	int rc;

	ng_config_check(path, &chk);
	rc = ng_config_check_report(PROG, path, &chk);
	return rc == 1 ? NG_CTL_FAILED : rc;
}

/* main - nfq-gate-ctl: the options, then the verb here or in the gate. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { NG_CONFIG_PATH, 0, NULL, NULL, 0 };
	char line[NG_CTL_LINE_MAX + 1];
	int ch;

	/* "+": options before the verb only; its words are its own. */
	while ((ch = getopt_long(argc, argv, "+c:s:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.conf = optarg;
			o.conf_given = 1;
			break;
		case 's':
			o.sock = optarg;
			break;
		case 'D':
			o.state_dir = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'h':
			help(stdout);
			return fflush(stdout) == 0 ? 0 : NG_CTL_FAILED;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	if (o.sock != NULL && o.state_dir != NULL) {
		fprintf(stderr, PROG ": -s and --state-dir: one or the "
		    "other\n");
		return usage();
	}
	if (strcmp(argv[optind], "check") == 0) {
		if (optind + 1 != argc || o.sock || o.state_dir || o.json)
			return usage();
		return run_check(o.conf);
	}
	if (build_line(argv + optind, argc - optind, o.json, line,
	    sizeof(line)) < 0)
		return NG_CTL_USAGE;
	if (o.state_dir != NULL)
		return run_offline(&o, line);
	return run_online(&o, line);
}
