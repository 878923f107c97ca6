/*
 * cache_file.h - the pass cache, penalty box and greylist on disk.
 *
 * A gate that forgets its pass cache on restart makes every good sender
 * sit through the greet pause again, and one that forgets its penalty box
 * lets the bots straight back in; so the tables are saved to state_dir
 * and read back at start-up, and a kill -9 at any moment must leave the
 * last good file in place.
 *
 * The format is text, easy to read and to edit by hand:
 *
 *	nfq-gate-state 1 pass
 *	198.51.100.0/24 1700000000 1700086400 1
 *	2001:db8:1::/64 1700000100 1700086500 3
 *	end 2
 *
 * One entry per line: ADDR/PLEN, first seen, expiry (both UNIX wall-clock
 * seconds) and count.  The "end" line gives the number of entries, so a
 * file cut short is recognised as such.  The engine's clock is
 * monotonic; the functions below take both clocks and convert.
 *
 * Version 2 adds a fifth field, the entry's origin: "-" for this gate's
 * own, else the name of the peer gate it came from through the shared
 * state (daemon/origin.h).  It is written only when some entry has a
 * peer origin, so a gate that shares nothing writes version 1 as
 * before, and both versions are read.
 */
#ifndef NG_CACHE_FILE_H
#define NG_CACHE_FILE_H

#include <stddef.h>
#include <time.h>

#include "engine/cache.h"
#include "base/timeval.h"

#define NG_STATE_MAGIC "nfq-gate-state"
#define NG_STATE_VERSION 1
#define NG_STATE_VERSION_ORIGIN 2	/* with the origin field */

/* The three state files, state_dir/KIND.state, in this order (the
 * order of nfq-gate-ctl's tables too): pass, penalty, greylist. */
#define NG_STATE_KINDS 3
const char *ng_state_kind(unsigned i);
/* state_dir/KIND.state for kind i into path; -1 when it does not fit. */
int ng_state_path(const char *dir, unsigned i, char *path, size_t len);

/*
 * A save in two halves (see cache_file.c): begin and step copy the
 * table on the packet loop, a few slots at a time, with no I/O; write
 * sorts, formats and writes the copy atomically, and is for a thread
 * that may block.  step returns 1 once every slot is copied.  Zero
 * the struct before the first begin; begin again reuses the memory,
 * free releases it.
 */
struct ng_state_snap {
	const char *kind;
	unsigned prefix4, prefix6;
	ng_usec now_mono;
	time_t now_wall;
	struct ng_cache_entry *e;	/* the copy, kept between saves */
	size_t n, cap, alloc;
	size_t cursor;			/* next slot to copy */
};

int ng_state_snap_begin(struct ng_state_snap *s, const char *kind,
    const struct ng_cache *c, ng_usec now_mono, time_t now_wall);
int ng_state_snap_step(struct ng_state_snap *s, const struct ng_cache *c,
    size_t max);
/* Entries written, or -1 with a message in err (path left as it was). */
int ng_state_snap_write(struct ng_state_snap *s, const char *path,
    char *err, size_t errlen);
void ng_state_snap_free(struct ng_state_snap *s);
/* Room for n entries, allocated and touched now (at start-up). */
int ng_state_snap_reserve(struct ng_state_snap *s, size_t n);

/*
 * All of the above at once: write the live entries of c to path atomically: a temporary file in the
 * same directory, fsync, rename over path, fsync the directory.  Returns
 * the number of entries written, or -1 with a message in err (path is
 * then left as it was).
 */
int ng_state_save(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen);

/*
 * Read path into c.  Returns the entries loaded (expired ones are
 * skipped), 0 when the file does not exist, or -1 with a message in err:
 * an unreadable file, a symbolic link (never followed), a FIFO or
 * anything else not a regular file is left alone and not read; a corrupt one is renamed to
 * PATH.corrupt-<unix time> and c is left untouched, so the caller starts
 * clean.
 */
int ng_state_load(struct ng_cache *c, const char *path, const char *kind,
    ng_usec now_mono, time_t now_wall, char *err, size_t errlen);

/*
 * The parser behind ng_state_load(), over a buffer (for the fuzzer).
 * With c NULL it only validates.  Errors are "name:line: message".  On
 * error nothing has been added to c: every line is checked first.
 */
int ng_state_parse(struct ng_cache *c, const char *text, size_t len,
    const char *name, const char *kind, ng_usec now_mono, time_t now_wall,
    char *err, size_t errlen);

#endif
