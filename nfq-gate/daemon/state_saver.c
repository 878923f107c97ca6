/*
 * state_saver.c - state saves spread over the packet loop and finished
 * by the writer thread (see state_saver.h).
 *
 * The loop's share is ng_state_snap_step(): memory copies of a bounded
 * number of slots, never a system call.  The thread's share is the
 * sort, the formatting and the atomic write of each file (four fsyncs
 * in all, tens of milliseconds for full tables, seconds on a sick
 * disk), during which the loop keeps judging packets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cache_file.h"
#include "daemon/clock.h"
#include "conf/config.h"
#include "daemon/state_saver.h"

/* SV_REFUSED: the writer would not take the copy; done() reports it. */
enum { SV_IDLE = 0, SV_COPYING, SV_WRITING, SV_REFUSED };

struct ng_saver {
	struct ng_job job;		/* first: the thread's view of us */
	struct ng_writer *w;
	char dir[NG_PATH_MAX];
	int phase, table;
	struct ng_state_snap snap[NG_SAVER_TABLES];
};

/* table - the engine's table number i, in ng_state_kind()'s order */
static struct ng_cache *
table(struct ng_engine *e, int i)
{
	if (i == 0)
		return ng_engine_pass_cache(e);
	if (i == 1)
		return ng_engine_penalty_box(e);
	return ng_engine_greylist(e);
}

/*
 * write_all - the writer thread's job: every table is tried even when
 * one fails, so one bad file does not stop the others being saved.
 */
static int
write_all(struct ng_job *j)
{
	struct ng_saver *sv = (struct ng_saver *)j;
	char path[NG_PATH_MAX + 32], msg[512];
	int i, n, total = 0, bad = 0;

	for (i = 0; i < NG_SAVER_TABLES; i++) {
		ng_state_path(sv->dir, (unsigned)i, path, sizeof(path));
		n = ng_state_snap_write(&sv->snap[i], path, msg, sizeof(msg));
		if (n >= 0) {
			total += n;
			continue;
		}
		if (!bad)
			snprintf(j->err, sizeof(j->err), "%s", msg);
		bad = 1;
	}
	return bad ? -1 : total;
}

/* ng_saver_new - a saver for the files in dir, written by w's thread. */
struct ng_saver *
ng_saver_new(struct ng_writer *w, const char *dir)
{
	struct ng_saver *sv = calloc(1, sizeof(*sv));

	if (sv == NULL)
		return NULL;
	sv->job.run = write_all;
	sv->w = w;
	snprintf(sv->dir, sizeof(sv->dir), "%s", dir);
	return sv;
}

/* ng_saver_reserve - room for tables of n entries, made in advance. */
int
ng_saver_reserve(struct ng_saver *sv, size_t n)
{
	int i;

	for (i = 0; i < NG_SAVER_TABLES; i++)
		if (ng_state_snap_reserve(&sv->snap[i], n) < 0)
			return -1;
	return 0;
}

/* ng_saver_free - only once the writer has stopped or never ran it */
void
ng_saver_free(struct ng_saver *sv)
{
	int i;

	if (sv == NULL)
		return;
	for (i = 0; i < NG_SAVER_TABLES; i++)
		ng_state_snap_free(&sv->snap[i]);
	free(sv);
}

/* ng_saver_begin - start copying e's tables, unless a save is running. */
int
ng_saver_begin(struct ng_saver *sv, struct ng_engine *e, ng_usec now_mono,
    time_t now_wall)
{
	int i;

	if (sv->phase != SV_IDLE)
		return 0;
	for (i = 0; i < NG_SAVER_TABLES; i++) {
		if (ng_state_snap_begin(&sv->snap[i],
		    ng_state_kind((unsigned)i), table(e, i), now_mono,
		    now_wall) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	sv->table = 0;
	sv->phase = SV_COPYING;
	return 1;
}

/* ng_saver_copying - 1 while a save still has slots to copy. */
int
ng_saver_copying(const struct ng_saver *sv)
{
	return sv->phase == SV_COPYING;
}

/* ng_saver_step - copy up to max slots; the last step hands over the copy. */
int
ng_saver_step(struct ng_saver *sv, struct ng_engine *e, size_t max)
{
	if (sv->phase != SV_COPYING)
		return 0;
	/* Tables may be replaced by a reload: look each one up afresh. */
	if (ng_state_snap_step(&sv->snap[sv->table], table(e, sv->table),
	    max) && ++sv->table == NG_SAVER_TABLES) {
		sv->phase = SV_WRITING;
		if (ng_writer_submit(sv->w, &sv->job) < 0) {
			/*
			 * Queue full of other jobs, or the writer stopping:
			 * a failed save, reported by done(), and the next
			 * one tried at its time.
			 */
			sv->phase = SV_REFUSED;
			sv->job.rc = -1;
			snprintf(sv->job.err, sizeof(sv->job.err),
			    "%s: the writer refused the save (%s); the old "
			    "files are kept", sv->dir, strerror(errno));
		}
	}
	return sv->phase == SV_COPYING;
}

/* ng_saver_done - 1 when the save finished, with *rc and err. */
int
ng_saver_done(struct ng_saver *sv, int *rc, char *err, size_t errlen)
{
	if (sv->phase != SV_REFUSED && (sv->phase != SV_WRITING ||
	    !ng_writer_reap(sv->w, &sv->job)))
		return 0;
	sv->phase = SV_IDLE;
	*rc = sv->job.rc;
	snprintf(err, errlen, "%s", sv->job.err);
	return 1;
}

/* ng_saver_final - the shutdown save, waited for within timeout. */
int
ng_saver_final(struct ng_saver *sv, struct ng_engine *e, ng_usec now_mono,
    time_t now_wall, ng_usec timeout, char *err, size_t errlen)
{
	ng_usec t0 = ng_clock_now(), used;
	int rc;

	/* A save being copied is thrown away: the new one is newer. */
	if (sv->phase == SV_COPYING)
		sv->phase = SV_IDLE;
	if (sv->phase == SV_WRITING &&
	    ng_writer_wait(sv->w, &sv->job, timeout) < 0) {
		snprintf(err, errlen, "the last save is still being written "
		    "after %.0fs", (double)timeout / NG_USEC_PER_SEC);
		return -1;
	}
	ng_saver_done(sv, &rc, err, errlen);
	if (ng_saver_begin(sv, e, now_mono, now_wall) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (ng_saver_step(sv, e, (size_t)-1))
		;
	/* One budget for both waits: the stop must end in time. */
	used = ng_clock_now() - t0;
	if (ng_writer_wait(sv->w, &sv->job, used < timeout ? timeout - used :
	    0) < 0) {
		snprintf(err, errlen, "the final save is still being written "
		    "after %.0fs", (double)timeout / NG_USEC_PER_SEC);
		return -1;
	}
	if (!ng_saver_done(sv, &rc, err, errlen)) {
		snprintf(err, errlen, "the final save was lost");
		return -1;
	}
	return rc;
}

/*
 * ng_saver_load - the three files of dir into e at start-up.  Each file
 * is tried, and each failure is passed to warn: a FIFO or a
 * link planted at one file must not hide a corrupt one at another.
 * Returns the entries loaded, or -1 when any file failed.
 */
int
ng_saver_load(struct ng_engine *e, const char *dir, ng_usec now_mono,
    time_t now_wall, void (*warn)(const char *msg))
{
	char path[NG_PATH_MAX + 32], msg[1024];
	int i, n, total = 0, bad = 0;

	for (i = 0; i < NG_SAVER_TABLES; i++) {
		ng_state_path(dir, (unsigned)i, path, sizeof(path));
		n = ng_state_load(table(e, i), path,
		    ng_state_kind((unsigned)i), now_mono, now_wall, msg,
		    sizeof(msg));
		if (n >= 0) {
			total += n;
			continue;
		}
		warn(msg);
		bad = 1;
	}
	return bad ? -1 : total;
}
