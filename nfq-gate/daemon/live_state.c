/*
 * live_state.c - the state on disk: the pass cache, penalty box and
 * greylist, each in its own file in state_dir (cache_file.c's format).
 *
 * A save never blocks the loop: it is begun here, copied a few slots
 * per turn of the loop in live.c's run(), and written by the writer thread
 * (state_saver.c); a save asked for while one runs waits for the next
 * housekeeping second.  Apart from the loop because when to save, and
 * how to tell a failure once per spell, is its own small policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/clock.h"
#include "daemon/ctl.h"
#include "daemon/live_impl.h"
#include "daemon/state_saver.h"

#define SAVE_FINAL_WAIT	NG_SEC(10)	/* for the disk at shutdown */

/* live_save_failed - counted; logged once per failure spell, not each second */
void
live_save_failed(struct live *l, const char *err)
{
	l->st.state_save_errors++;
	if (!l->save_failing)
		ng_log(LOG_WARNING, "saving state: %s", err);
	l->save_failing = 1;
	l->dirty = 1;
	l->urgent = 0;
}

/* live_save_ok - counted, and the end of a failure spell said */
void
live_save_ok(struct live *l, int entries)
{
	ng_log(LOG_DEBUG, "state saved: %d entries", entries);
	if (l->save_failing)
		ng_log(LOG_INFO, "state saved again");
	l->save_failing = 0;
	l->st.state_saves++;
}

/* live_start_save - begin a save unless one is under way */
void
live_start_save(struct live *l, ng_usec now)
{
	int r = ng_saver_begin(l->saver, l->e, now, time(NULL));

	/*
	 * Tried now, even when one is still running (this one then
	 * coalesces into the next try): the timer is armed from here, and
	 * a time in the past would fire it again and again.
	 */
	l->last_save = now;
	if (r == 0)
		return;
	if (r < 0) {
		live_save_failed(l, "out of memory");
		return;
	}
	/* What changes from here on is the next save's. */
	l->dirty = l->urgent = 0;
}

/*
 * live_save_due - 1 within a second of an urgent change, else every
 * SAVE_EVERY.  arm_timer() wakes the loop for the urgent case, so on_timer()
 * must act on it too: a wake-up that does nothing would come straight back,
 * and the loop would spin until the next housekeeping second.
 */
int
live_save_due(const struct live *l, ng_usec now)
{
	return (l->urgent && now >= l->last_save + SAVE_SOON) ||
	    (l->dirty && now >= l->last_save + SAVE_EVERY);
}

/* live_warn_state - one state file that could not be loaded */
void
live_warn_state(const char *msg)
{
	ng_log(LOG_WARNING, "state: %s", msg);
}

/*
 * live_final_save - the last save, waited for: bounded, so a hung disk
 * cannot hang a stop.  0 when it was written.
 */
int
live_final_save(struct live *l)
{
	char err[512];
	int rc;

	rc = ng_saver_final(l->saver, l->e, ng_clock_now(), time(NULL),
	    live_stop_left(l, SAVE_FINAL_WAIT), err, sizeof(err));
	if (rc < 0) {
		l->save_failing = 0;	/* the last word: always logged */
		live_save_failed(l, err);
		return -1;
	}
	live_save_ok(l, rc);
	return 0;
}

/* lock_owner - the pid a lock file names, as text for the log ("?"). */
static void
lock_owner(int fd, char *buf, size_t len)
{
	char text[24];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	long pid;

	text[n > 0 ? n : 0] = '\0';
	if (sscanf(text, "%ld", &pid) == 1 && pid > 0)
		snprintf(buf, len, "pid %ld", pid);
	else
		snprintf(buf, len, "pid unknown");
}

/* write_pid - our pid into the lock file we hold, "PID\n". */
static void
write_pid(const char *path)
{
	char pid[32];
	int fd, n;

	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0 || write(fd, pid, (size_t)n) != n)
		ng_log(LOG_WARNING, "state_dir: %s: %s", path,
		    fd < 0 ? strerror(errno) : "cannot write the pid");
	if (fd >= 0)
		close(fd);
}

/*
 * live_lock_state - state_dir/NG_CTL_LOCK_FILE, made ours and locked
 * (flock, exclusive) for the gate's life, with our pid in it: a second
 * gate, or nfq-gate-ctl --state-dir, on the same files would overwrite
 * ours.  The lock belongs to the open file, so it outlives the
 * privilege drop and needs no call under seccomp.  The descriptor kept
 * is read-only: one open for writing would stop the file system being
 * remounted read-only under the gate.  Taken by another: the exit
 * code; a lock file that cannot be made is said and run without (a
 * read-only state_dir must not stop the gate).
 */
int
live_lock_state(struct live *l, uid_t uid, gid_t gid)
{
	char path[NG_PATH_MAX + sizeof(NG_CTL_LOCK_FILE) + 1], pid[32];
	struct stat st;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", l->cfg.state_dir,
	    NG_CTL_LOCK_FILE);
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ng_log(LOG_WARNING, "state_dir: %s: %s: running unlocked",
		    path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		lock_owner(fd, pid, sizeof(pid));
		close(fd);
		if (e != EWOULDBLOCK) {
			ng_log(LOG_WARNING, "state_dir: %s: flock: %s: "
			    "running unlocked", path, strerror(e));
			return 0;
		}
		ng_log(LOG_ERR, "state_dir %s is in use by another nfq-gate "
		    "or nfq-gate-ctl (%s, %s)", l->cfg.state_dir, pid, path);
		return EX_UNAVAILABLE;
	}
	/* Root made it: the user's, as every file in state_dir. */
	if (geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid) &&
	    fchown(fd, uid, gid) < 0)
		ng_log(LOG_WARNING, "state_dir: %s: chown: %s (nfq-gate-ctl "
		    "--state-dir as that user cannot take the lock)", path,
		    strerror(errno));
	write_pid(path);
	l->lock_fd = fd;
	return 0;
}
