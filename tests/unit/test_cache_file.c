/*
 * test_cache_file.c - state files: the round trip between the monotonic
 * and wall clocks, strict parsing, corrupt files set aside, failed
 * writes that keep the last good file, and kill -9 in mid-write.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/cache.h"
#include "daemon/cache_file.h"
#include "daemon/origin.h"
#include "test.h"

static char dir[] = "/tmp/ngstate.XXXXXX";
static const uint8_t K[16];	/* the tables' hash key: any will do */

static struct ng_addr
A(const char *s)
{
	struct ng_addr a;

	ng_addr_parse(&a, s);
	return a;
}

static char *
read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return buf;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

/* Files in dir whose names start with prefix. */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_round_trip(void)
{
	struct ng_cache *c = ng_cache_table_new(100, 24, 64, K), *d;
	struct ng_addr a = A("198.51.100.10"), x = A("2001:db8:1:2::1");
	struct ng_addr gone = A("192.0.2.1");
	char path[256], err[512], text[1024];
	ng_usec mono = NG_SEC(5000);
	struct ng_cache_entry *e;

	snprintf(path, sizeof(path), "%s/pass.state", dir);
	ng_cache_put(c, &gone, mono - NG_SEC(100), NG_SEC(50));
	ng_cache_put(c, &a, mono - NG_SEC(10), NG_SEC(3600))->count = 3;
	ng_cache_put(c, &x, mono, NG_SEC(60) + 1);
	CHECK_EQ(ng_state_save(c, path, "pass", mono, 1700000000, err,
	    sizeof(err)), 2);
	/*
	 * Prefixes as configured; expiry rounded up, never down; the
	 * soonest expiry first (in a table with one TTL, the LRU order).
	 */
	CHECK_STR(read_text(path, text, sizeof(text)),
	    "nfq-gate-state 1 pass\n"
	    "2001:db8:1:2::/64 1700000000 1700000061 0\n"
	    "198.51.100.0/24 1699999990 1700003590 3\n"
	    "end 2\n");
	CHECK_EQ(count_files("pass.state.tmp"), 0);

	/* Reload after a "reboot": a new monotonic clock, wall +30 s. */
	d = ng_cache_table_new(100, 24, 64, K);
	CHECK_EQ(ng_state_load(d, path, "pass", NG_SEC(7), 1700000030, err,
	    sizeof(err)), 2);
	e = ng_cache_find(d, &a, NG_SEC(7));
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_EQ(e->count, 3);
		CHECK_EQ(e->expires, NG_SEC(7) + NG_SEC(3600 - 10 - 30));
		CHECK_EQ(e->first, 0);	/* before this boot: clamped */
	}
	CHECK(ng_cache_find(d, &x, NG_SEC(7)) != NULL);
	CHECK(ng_cache_find(d, &gone, NG_SEC(7)) == NULL);
	ng_cache_free(d);

	/* Much later, everything has expired: nothing loads, no error. */
	d = ng_cache_table_new(100, 24, 64, K);
	CHECK_EQ(ng_state_load(d, path, "pass", NG_SEC(7), 1800000000, err,
	    sizeof(err)), 0);
	CHECK_EQ(ng_cache_count(d), 0);

	/* A table of another kind is refused and set aside. */
	CHECK_EQ(ng_state_load(d, path, "penalty", 0, 1700000031, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "pass.state:1: a \"pass\" file, expected "
	    "\"penalty\"; set aside as ") != NULL);
	CHECK(strstr(err, "/pass.state.corrupt-1700000031") != NULL);
	CHECK(access(path, F_OK) != 0);
	CHECK_EQ(count_files("pass.state.corrupt-1700000031"), 1);
	snprintf(text, sizeof(text), "%s.corrupt-1700000031", path);
	unlink(text);
	ng_cache_free(c);
	ng_cache_free(d);

	/* A missing file is an empty table, not an error. */
	d = ng_cache_table_new(10, 32, 128, K);
	CHECK_EQ(ng_state_load(d, path, "pass", 0, 0, err, sizeof(err)), 0);
	ng_cache_free(d);
}

static void
test_parse(void)
{
	static const char good[] =
	    "nfq-gate-state 1 penalty\n"
	    "# a comment an admin left\n"
	    "198.51.100.11/32 1000 5000 2\n"
	    "2001:db8:1::11/128\t1000 5000 4294967295\n"
	    "192.0.2.0/24 1000 1500 1\n"	/* expired: skipped */
	    "end 3\n";
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_addr a = A("2001:db8:1::11");
	char err[256];

	CHECK_EQ(ng_state_parse(NULL, good, strlen(good), "t", "penalty", 0,
	    2000, err, sizeof(err)), 0);
	CHECK_EQ(ng_state_parse(c, good, strlen(good), "t", "penalty",
	    NG_SEC(100), 2000, err, sizeof(err)), 2);
	CHECK_EQ(ng_cache_count(c), 2);
	CHECK(ng_cache_find(c, &a, NG_SEC(100)) != NULL);
	if (ng_cache_find(c, &a, NG_SEC(100)) != NULL)
		CHECK_EQ(ng_cache_find(c, &a, NG_SEC(100))->count,
		    4294967295u);
	ng_cache_free(c);
}

static void
test_bad_input(void)
{
	static const struct { const char *text; unsigned line; } bad[] = {
		{ "", 0 },
		{ "\n", 1 },
		{ "nfq-gate-state 3 pass\nend 0\n", 1 },
		{ "nfq-gate-state 2 pass\n1.2.3.4/32 1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 2 pass\n1.2.3.4/32 1 2 3 local\nend 1\n", 2 },
		{ "nfq-gate-state 2 pass\n1.2.3.4/32 1 2 3 a/b\nend 1\n", 2 },
		{ "nfq-gate-state 2 pass\n1.2.3.4/32 1 2 3 - x\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2 3 mx1\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass extra\nend 0\n", 1 },
		{ "nfq-gate-state 1 greylist\nend 0\n", 1 },
		{ "nfq-gate-statex 1 pass\nend 0\n", 1 },
		{ "nfq-gate-state 1 pass\n", 1 },		/* no end */
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2 3\n", 2 },
		{ "nfq-gate-state 1 pass\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\nend\n", 2 },
		{ "nfq-gate-state 1 pass\nend -0\n", 2 },
		{ "nfq-gate-state 1 pass\nend 0\n\n", 3 },
		{ "nfq-gate-state 1 pass\nend 0\n1.2.3.4/32 1 2 3\n", 3 },
		{ "nfq-gate-state 1 pass\n1.2.3.4 1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/33 1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 5 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2 3 x\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\nzzz/8 1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 -1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 +2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2 4294967296\nend 1\n",
		    2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 99999999999999999999 "
		    "3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 0x1 2 3\nend 1\n", 2 },
		{ "nfq-gate-state 1 pass\n\nend 0\n", 2 },
		{ "nfq-gate-state 1 pass\n1.2.3.4/32 1 2 3\n"
		    "1.2.3.5/32 1 2 3\nend 1\n", 4 },
	};
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	char err[512], want[32], big[600];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "t.state:%u: ", bad[i].line);
		err[0] = '\0';
		CHECK_EQ(ng_state_parse(c, bad[i].text, strlen(bad[i].text),
		    "t.state", "pass", 0, 0, err, sizeof(err)), -1);
		CHECK(strncmp(err, want, strlen(want)) == 0);
		if (strncmp(err, want, strlen(want)) != 0)
			fprintf(stderr, "    case %zu: \"%s\", want %s\n", i,
			    err, want);
	}
	CHECK_EQ(ng_state_parse(c, "nfq-gate-state 1 pass\n1\0", 24, "t.state",
	    "pass", 0, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "t.state:2: NUL byte") != NULL);
	memset(big, '1', sizeof(big));
	memcpy(big, "nfq-gate-state 1 pass\n", 22);
	CHECK_EQ(ng_state_parse(c, big, sizeof(big), "t.state", "pass", 0, 0,
	    err, sizeof(err)), -1);
	CHECK(strstr(err, "t.state:2: line too long") != NULL);
	CHECK_EQ(ng_cache_count(c), 0);
	ng_cache_free(c);
}

/* A corrupt file half way down loads nothing and is set aside. */
static void
test_corrupt_set_aside(void)
{
	const char *t = "nfq-gate-state 1 pass\n198.51.100.1/32 1 99999 1\n"
	    "garbage\nend 2\n";
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	char path[256], aside[300], err[1024], want[1024], text[256];

	snprintf(path, sizeof(path), "%s/x.state", dir);
	snprintf(aside, sizeof(aside), "%s.corrupt-77", path);
	write_text(path, t);
	CHECK_EQ(ng_state_load(c, path, "pass", 0, 77, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: expected \"ADDR/PLEN FIRST "
	    "EXPIRES COUNT\"; set aside as %s", path, aside);
	CHECK_STR(err, want);
	CHECK_EQ(ng_cache_count(c), 0);
	CHECK(access(path, F_OK) != 0);
	CHECK_STR(read_text(aside, text, sizeof(text)), t);
	/* The next start finds no file and starts clean. */
	CHECK_EQ(ng_state_load(c, path, "pass", 0, 78, err, sizeof(err)), 0);
	unlink(aside);

	/* Something that cannot be read is reported and left alone. */
	mkdir(path, 0700);
	CHECK_EQ(ng_state_load(c, path, "pass", 0, 79, err, sizeof(err)), -1);
	CHECK(strstr(err, "a directory, not read") != NULL);
	CHECK_EQ(access(path, F_OK), 0);
	rmdir(path);
	ng_cache_free(c);
}

static struct ng_cache *
filled(unsigned n)
{
	struct ng_cache *c = ng_cache_table_new(n, 32, 128, K);
	struct ng_addr a;
	unsigned i;

	for (i = 0; i < n; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(c, &a, NG_SEC(10), NG_SEC(3600));
	}
	return c;
}

/* Every failed save returns -1, leaves the old file, and no litter. */
static void
test_failed_save_keeps_old(void)
{
	struct ng_cache *c = filled(1), *big = filled(1000);
	char path[512], sub[256], err[512], before[256], after[256];
	struct rlimit rl, old;
	pid_t pid;
	int st = 0;

	snprintf(sub, sizeof(sub), "%s/ro", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/pass.state", sub);
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 1);
	read_text(path, before, sizeof(before));
	CHECK(strstr(before, "end 1\n") != NULL);

	/* A directory where the file should go: rename cannot replace it. */
	CHECK_EQ(ng_state_save(c, sub, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "renaming") != NULL);
	CHECK(strstr(err, "the old file is kept") != NULL);
	CHECK_EQ(count_files("ro.tmp"), 0);

	/* No such directory. */
	snprintf(after, sizeof(after), "%s/nodir/pass.state", dir);
	CHECK_EQ(ng_state_save(c, after, "pass", 0, 1000, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "creating") != NULL);

	/* A full disk, as far as write() can tell: a file size limit. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 2000;
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &rl), 0);
	CHECK_EQ(ng_state_save(big, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CHECK(strstr(err, "File too large") != NULL);
	CHECK_STR(read_text(path, after, sizeof(after)), before);

	/*
	 * A read-only directory.  Root ignores permissions, so the save
	 * runs in a child that has become nobody.
	 */
	chmod(sub, 0555);
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		_exit(ng_state_save(big, path, "pass", NG_SEC(10), 1000,
		    err, sizeof(err)) == -1 && strstr(err,
		    "Permission denied") != NULL ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	chmod(sub, 0755);
	CHECK_STR(read_text(path, after, sizeof(after)), before);
	CHECK_EQ(ng_state_save(big, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 1000);
	unlink(path);
	rmdir(sub);
	ng_cache_free(c);
	ng_cache_free(big);
}

/*
 * What a local attacker can plant in state_dir: a FIFO would hang an
 * open() for reading or writing, a symbolic link would be followed to
 * read or overwrite its target.  Neither blocks, neither is followed.
 */
static void
test_planted(void)
{
	struct ng_cache *c = filled(3), *d = ng_cache_table_new(10, 32, 128, K);
	char path[256], tmp[300], victim[300], err[512], text[512];
	struct stat st;
	const char *good = "nfq-gate-state 1 pass\n"
	    "192.0.2.99/32 1000 99999999999 1\nend 1\n";

	snprintf(path, sizeof(path), "%s/p.state", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_text(victim, good);

	/* At the state file: not read, not set aside, table untouched. */
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_EQ(ng_state_load(d, path, "pass", 0, 1000, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "p.state: a FIFO, not read") != NULL);
	unlink(path);
	CHECK_EQ(symlink(victim, path), 0);
	CHECK_EQ(ng_state_load(d, path, "pass", 0, 1000, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "p.state: a symbolic link, not followed") != NULL);
	CHECK_EQ(ng_cache_count(d), 0);
	/* A save replaces the link itself, not its target. */
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 3);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_STR(read_text(victim, text, sizeof(text)), good);

	/* At the temporary file: removed, never written through. */
	CHECK_EQ(mkfifo(tmp, 0600), 0);
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 3);
	CHECK(lstat(tmp, &st) != 0);
	CHECK_EQ(symlink(victim, tmp), 0);
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 3);
	CHECK(lstat(tmp, &st) != 0);
	CHECK_STR(read_text(victim, text, sizeof(text)), good);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_EQ(ng_state_load(d, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 3);
	unlink(path);
	unlink(victim);
	ng_cache_free(c);
	ng_cache_free(d);
}

/*
 * A save spread over many steps while the table changes between them:
 * every entry that lived through the whole save is in the file once,
 * and the file always parses.
 */
static void
test_snapshot_steps(void)
{
	struct ng_cache *c = filled(5000), *d;
	struct ng_state_snap s;
	char path[256], err[512];
	struct ng_addr a;
	unsigned i, steps = 0;

	snprintf(path, sizeof(path), "%s/s.state", dir);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(ng_state_snap_begin(&s, "pass", c, NG_SEC(10), 1000), 0);
	while (!ng_state_snap_step(&s, c, 100)) {
		/* Churn: refresh one, make some new (evicting the oldest). */
		ng_addr_set_v4(&a, 0x0a000000u + 4999 - steps);
		ng_cache_put(c, &a, NG_SEC(11), NG_SEC(3600));
		ng_addr_set_v4(&a, 0x0b000000u + steps);
		ng_cache_put(c, &a, NG_SEC(11), NG_SEC(3600));
		steps++;
	}
	CHECK_EQ(steps, 49);
	CHECK(s.n <= 5000);
	CHECK(ng_state_snap_write(&s, path, err, sizeof(err)) > 4900);
	ng_state_snap_free(&s);
	d = ng_cache_table_new(10000, 32, 128, K);
	CHECK(ng_state_load(d, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)) > 4900);
	/* Untouched by the churn and never evicted: all there. */
	for (i = 100; i < 4900; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		if (ng_cache_find(c, &a, NG_SEC(12)) != NULL)
			CHECK(ng_cache_find(d, &a, NG_SEC(12)) != NULL);
	}
	unlink(path);
	ng_cache_free(c);
	ng_cache_free(d);
}

/*
 * kill -9 at random moments while a child saves again and again: the
 * file on disk must always load, never be set aside.
 */
static void
test_kill_during_save(void)
{
	struct ng_cache *c = filled(20000), *d;
	char path[256], err[512];
	unsigned round, loads = 0, seed = (unsigned)getpid();
	pid_t pid;
	int n;

	snprintf(path, sizeof(path), "%s/k.state", dir);
	CHECK_EQ(ng_state_save(c, path, "pass", NG_SEC(10), 1000, err,
	    sizeof(err)), 20000);
	for (round = 0; round < 20; round++) {
		pid = fork();
		if (pid == 0) {
			for (;;)
				ng_state_save(c, path, "pass", NG_SEC(10),
				    1000, err, sizeof(err));
		}
		seed = seed * 1103515245u + 12345u;
		usleep(1000 + (seed >> 8) % 30000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		d = ng_cache_table_new(20000, 32, 128, K);
		n = ng_state_load(d, path, "pass", NG_SEC(10), 1000, err,
		    sizeof(err));
		CHECK_EQ(n, 20000);
		if (n != 20000)
			fprintf(stderr, "    round %u: %s\n", round, err);
		loads += n == 20000;
		ng_cache_free(d);
	}
	CHECK_EQ(loads, 20);
	CHECK_EQ(count_files("k.state.corrupt"), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/k.state.tmp", dir);
	unlink(path);
	ng_cache_free(c);
}

/*
 * Version 2: an entry from a peer gate keeps its origin through a save
 * and a load; a table of this gate's own entries is still version 1.
 */
static void
test_origin(void)
{
	struct ng_cache *c = ng_cache_table_new(10, 32, 128, K);
	struct ng_cache *d = ng_cache_table_new(10, 32, 128, K);
	struct ng_cache_entry e, *g;
	char path[256], text[1024], err[256];
	time_t wall = 1700000000;
	ng_usec mono = NG_SEC(5000);
	uint16_t mx2;

	snprintf(path, sizeof(path), "%s/origin.state", dir);
	ng_cache_put(c, &(struct ng_addr){ 4, { 192, 0, 2, 1 } }, mono,
	    NG_SEC(60));
	CHECK_EQ(ng_state_save(c, path, "pass", mono, wall, err,
	    sizeof(err)), 1);
	read_text(path, text, sizeof(text));
	CHECK(strncmp(text, "nfq-gate-state 1 pass\n", 22) == 0);

	mx2 = ng_origin_id("mx2", 3);
	CHECK(mx2 != NG_ORIGIN_LOCAL);
	CHECK_EQ(ng_origin_id("mx2", 3), mx2);
	CHECK_STR(ng_origin_name(mx2), "mx2");
	CHECK_STR(ng_origin_name(NG_ORIGIN_LOCAL), "local");
	memset(&e, 0, sizeof(e));
	e.key = A("198.51.100.7");
	e.first = mono - NG_SEC(10);
	e.expires = mono + NG_SEC(100);
	e.count = 2;
	e.origin = mx2;
	CHECK_EQ(ng_cache_restore(c, &e, mono), 1);
	CHECK_EQ(ng_state_save(c, path, "pass", mono, wall, err,
	    sizeof(err)), 2);
	read_text(path, text, sizeof(text));
	CHECK(strncmp(text, "nfq-gate-state 2 pass\n", 22) == 0);
	CHECK(strstr(text, "198.51.100.7/32 1699999990 1700000100 2 mx2\n") !=
	    NULL);
	CHECK(strstr(text, "192.0.2.1/32 ") != NULL &&
	    strstr(text, " -\n") != NULL);
	CHECK_EQ(ng_state_load(d, path, "pass", mono, wall, err,
	    sizeof(err)), 2);
	g = ng_cache_find(d, &e.key, mono);
	CHECK(g != NULL && g->origin == mx2 && g->count == 2);
	g = ng_cache_find(d, &(struct ng_addr){ 4, { 192, 0, 2, 1 } }, mono);
	CHECK(g != NULL && g->origin == NG_ORIGIN_LOCAL);
	/* A refresh keeps the maker; an expired entry made again is ours. */
	g = ng_cache_put(d, &e.key, mono + 1, NG_SEC(100));
	CHECK(g != NULL && g->origin == mx2);
	g = ng_cache_put(d, &e.key, mono + NG_SEC(1000), NG_SEC(100));
	CHECK(g != NULL && g->origin == NG_ORIGIN_LOCAL);
	ng_cache_free(c);
	ng_cache_free(d);
	unlink(path);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	chmod(dir, 0755);	/* the child that turns nobody needs to get in */
	RUN(test_round_trip);
	RUN(test_parse);
	RUN(test_bad_input);
	RUN(test_corrupt_set_aside);
	RUN(test_failed_save_keeps_old);
	RUN(test_planted);
	RUN(test_snapshot_steps);
	RUN(test_kill_during_save);
	RUN(test_origin);
	if (rmdir(dir) != 0)
		fprintf(stderr, "    %s left behind\n", dir);
	return test_done();
}
