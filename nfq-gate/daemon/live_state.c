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
#include <time.h>

#include "base/log.h"
#include "daemon/clock.h"
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
