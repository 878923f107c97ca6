/*
 * origin.h - where a table entry came from: this gate, or a peer gate
 * sharing state through Redis (share.c), by name.
 *
 * An entry (engine/cache.h) keeps a small number, 0 for this gate; the
 * names live here, interned for the life of the process, so the tables
 * stay pure data and an entry grows by two bytes, not a string.
 * nfq-gate-ctl prints the name ("origin=mx2"), a state file keeps it
 * (cache_file.c).  Names are added by the event loop only; the state
 * writer thread may read them at any time (an id it holds was added
 * before the entry carrying it was copied).
 */
#ifndef NG_ORIGIN_H
#define NG_ORIGIN_H

#include <stddef.h>
#include <stdint.h>

#define NG_ORIGIN_LOCAL	0
/* Past this many peer names, new ones share one id, named "?". */
#define NG_ORIGIN_MAX	1024

/*
 * The id of a peer name (len bytes, conf/redis_conf.h's grammar, not
 * checked here), added when new; NG_ORIGIN_MAX - 1 ("?") once full.
 * Never NG_ORIGIN_LOCAL.
 */
uint16_t ng_origin_id(const char *name, size_t len);
/* "local" for NG_ORIGIN_LOCAL, the peer's name, or "?" for no such id. */
const char *ng_origin_name(uint16_t id);

#endif
