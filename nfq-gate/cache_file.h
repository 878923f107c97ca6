/*
 * cache_file.h - the pass cache, penalty box and greylist on disk.
 *
 * State must survive kill -9 and reboots, or every restart would make
 * good senders wait again and let known bots straight back in.  Files
 * are written atomically (temporary file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old file or the new one.  A
 * file that fails to parse is set aside as NAME.corrupt-TIME and the
 * gate starts clean rather than refusing to start.
 *
 * The engine keeps time on a monotonic clock; files hold wall-clock UNIX
 * seconds.  Callers pass both clocks' "now" so entries convert exactly.
 */
#ifndef NG_CACHE_FILE_H
#define NG_CACHE_FILE_H

#include <stddef.h>
#include <time.h>

#include "cache.h"

/* Write every live entry; -1 with a message, the old file untouched. */
int ng_state_save(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen);

/*
 * Load entries into c.  Returns how many were loaded, 0 for a missing
 * file, or -1 when the file was corrupt (it is renamed aside and err says
 * so, naming the file and line).
 */
int ng_state_load(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen);

/* The parser behind ng_state_load, over a buffer (tests, the fuzzer);
 * with c NULL it only validates. */
int ng_state_parse(struct ng_cache *c, const char *text, size_t len,
    const char *name, const char *kind, ng_usec now_mono, time_t now_wall,
    char *err, size_t errlen);

#endif
