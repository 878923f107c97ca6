/*
 * cache.h - address tables with expiry: the pass cache, the penalty box
 * and the greylist.
 *
 * Each is keyed by a client address masked to a configurable prefix, so
 * a sender pool rotating through a /24 or a /64 shares one entry.  The
 * capacity is fixed when the table is made, so a flood of new addresses
 * cannot grow memory; what a full table gives up is chosen per table
 * (cache.c: plain LRU, segmented LRU, or admission control), so that a
 * flood never pushes out the entries good mail depends on.  Tables are
 * pure data; cache_file.c reads and writes them atomically.
 */
#ifndef NG_CACHE_H
#define NG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"

struct ng_cache_entry {
	struct ng_addr key;	/* masked */
	ng_usec first;		/* when first added (greylist: first try) */
	ng_usec expires;
	uint32_t count;		/* times seen (pregreet offences, retries) */
	uint16_t origin;	/* who made it: 0 this gate, else a peer
				 * sharing state (daemon/origin.h's ids) */
};

struct ng_cache;

/* key: 16 secret bytes for the hash (the engine's hash_key), given at
 * creation as for the flow table. */
struct ng_cache *ng_cache_table_new(unsigned capacity, unsigned prefix4,
    unsigned prefix6, const uint8_t key[16]);
void ng_cache_free(struct ng_cache *c);
/* Segmented LRU: up to protect_max entries that were touched are kept
 * apart from one-off entries, which are evicted first.  0 = plain LRU. */
void ng_cache_set_segments(struct ng_cache *c, unsigned protect_max);
/* Admission control: when full and no entry has expired, put refuses
 * the new address (returns NULL) instead of evicting a live entry. */
void ng_cache_set_admission(struct ng_cache *c, int on);
void ng_cache_set_prefix(struct ng_cache *c, unsigned prefix4,
    unsigned prefix6);
void ng_cache_prefix(const struct ng_cache *c, unsigned *prefix4,
    unsigned *prefix6);
unsigned ng_cache_prefix_for(const struct ng_cache *c,
    const struct ng_addr *a);

/* The live entry covering a, or NULL (expired entries count as absent). */
struct ng_cache_entry *ng_cache_find(struct ng_cache *c,
    const struct ng_addr *a, ng_usec now);
/* The same, and a hit: the entry's recency is refreshed (segmented: it
 * moves to the protected segment).  Its expiry is left as it was. */
struct ng_cache_entry *ng_cache_touch(struct ng_cache *c,
    const struct ng_addr *a, ng_usec now);
/* Insert or refresh the expiry; returns the entry, or NULL when
 * admission control refuses a new one. */
struct ng_cache_entry *ng_cache_put(struct ng_cache *c,
    const struct ng_addr *a, ng_usec now, ng_usec ttl);
void ng_cache_del(struct ng_cache *c, const struct ng_addr *a);
/* Drop expired entries; returns how many. */
unsigned ng_cache_expire(struct ng_cache *c, ng_usec now);
size_t ng_cache_count(const struct ng_cache *c);
/* Live entries evicted for new ones (reusing an expired one is not an
 * eviction), and new ones admission control refused. */
uint64_t ng_cache_evictions(const struct ng_cache *c);
uint64_t ng_cache_refused(const struct ng_cache *c);
size_t ng_cache_protected(const struct ng_cache *c);

/* Iterate live entries, oldest first (probation, then protected);
 * stops early when fn returns nonzero. */
int ng_cache_walk(struct ng_cache *c,
    int (*fn)(const struct ng_cache_entry *, void *), void *arg);
/*
 * Slot by slot, for a save spread over many short steps: slots
 * [0, ng_cache_nslots()) hold every entry, and an entry keeps its slot
 * for as long as it lives.  ng_cache_slot() is the live entry in slot
 * i at now, or NULL.
 */
size_t ng_cache_nslots(const struct ng_cache *c);
const struct ng_cache_entry *ng_cache_slot(const struct ng_cache *c,
    size_t i, ng_usec now);
/* Insert a whole entry as read back from a state file (or a peer's,
 * origin and all); count > 1 goes back to the protected segment of a
 * segmented table. */
int ng_cache_restore(struct ng_cache *c, const struct ng_cache_entry *e,
    ng_usec now);

#endif
