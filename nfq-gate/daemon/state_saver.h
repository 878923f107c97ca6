/*
 * state_saver.h - the live gate's state saves, kept off the packet
 * path: the pass cache, penalty box and greylist are copied a few
 * thousand slots at a time between packets (no I/O, a few microseconds
 * a step), and the copy is formatted and written by the writer thread
 * (writer.h) with cache_file.c's atomic, durable write.
 *
 * One save at a time: begin refuses while a save is being copied or
 * written, so saves asked for meanwhile coalesce into the next one.  A
 * failed save leaves every old file in place.
 */
#ifndef NG_STATE_SAVER_H
#define NG_STATE_SAVER_H

#include <stddef.h>
#include <time.h>

#include "engine/engine.h"
#include "base/timeval.h"
#include "daemon/cache_file.h"
#include "daemon/writer.h"

#define NG_SAVER_TABLES NG_STATE_KINDS

struct ng_saver;

struct ng_saver *ng_saver_new(struct ng_writer *w, const char *dir);
void ng_saver_free(struct ng_saver *sv);
/*
 * Room for tables of n entries, made before the loop runs: 48 bytes an
 * entry, kept for good, so that no save allocates or page-faults on
 * the loop.  0, or -1 (out of memory: saves then allocate as they go).
 */
int ng_saver_reserve(struct ng_saver *sv, size_t n);

/* 1 when a save has begun, 0 when one is still running, -1 on ENOMEM. */
int ng_saver_begin(struct ng_saver *sv, struct ng_engine *e,
    ng_usec now_mono, time_t now_wall);
/* 1 while a save still has slots to copy on the loop. */
int ng_saver_copying(const struct ng_saver *sv);
/*
 * Copy up to max slots; the last step hands the copy to the writer.
 * Returns what ng_saver_copying() then says.
 */
int ng_saver_step(struct ng_saver *sv, struct ng_engine *e, size_t max);
/*
 * After the writer's fd was readable: 1 when the save finished, with
 * *rc the entries written or -1 and the first failure in err.
 */
int ng_saver_done(struct ng_saver *sv, int *rc, char *err, size_t errlen);
/*
 * At shutdown: wait for a save under way, then save everything now and
 * wait for that, all within timeout.  Entries written, or -1 with err.
 */
int ng_saver_final(struct ng_saver *sv, struct ng_engine *e,
    ng_usec now_mono, time_t now_wall, ng_usec timeout, char *err,
    size_t errlen);

/* The three files of dir into e at start-up; see state_saver.c. */
int ng_saver_load(struct ng_engine *e, const char *dir, ng_usec now_mono,
    time_t now_wall, void (*warn)(const char *msg));

#endif
