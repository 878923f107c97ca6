/*
 * flow.h - the flow table: one entry per TCP connection being judged.
 *
 * Capacity is fixed at start-up so a SYN flood cannot grow memory.  Each
 * entry sits on one of two LRU lists: "cold" for flows that are
 * half-open or already decided (cheap to forget, short timeout), "hot"
 * for established flows still under test (a greeting may be held).
 * When the table is full the least recently seen cold flow goes first,
 * then the least recently seen hot one.  Lookup is a hash with chains
 * through entry indices (slots.h, shared with the address caches);
 * insert, lookup and delete are O(1) on average, whatever the sources:
 * the hash is SipHash under the secret key given to ng_flow_table_new,
 * which the front-end draws from getrandom() (siphash.h).
 */
#ifndef NG_FLOW_H
#define NG_FLOW_H

#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "engine/slots.h"

#define NG_FLOW_NIL NG_NIL

struct ng_flow_key {
	struct ng_addr caddr, saddr;
	uint16_t cport, sport;
};

enum ng_flow_list {
	NG_FLOW_FREE = 0,
	NG_FLOW_COLD,
	NG_FLOW_HOT
};

struct ng_flow {
	struct ng_flow_key key;
	struct ng_link link;	/* its chain and list (slots.h) */
	uint32_t bucket;	/* its chain: delete need not hash again */
	uint8_t list;		/* enum ng_flow_list */
	ng_usec last;
};

struct ng_flow_table;

/* key: 16 secret bytes for the hash (the settings' hash_key). */
struct ng_flow_table *ng_flow_table_new(unsigned capacity,
    const uint8_t key[16]);
void ng_flow_table_free(struct ng_flow_table *t);
unsigned ng_flow_count(const struct ng_flow_table *t);
unsigned ng_flow_capacity(const struct ng_flow_table *t);

struct ng_flow *ng_flow_find(struct ng_flow_table *t,
    const struct ng_flow_key *k);
/* NULL when full: evict ng_flow_victim() first. */
struct ng_flow *ng_flow_insert(struct ng_flow_table *t,
    const struct ng_flow_key *k, ng_usec now);
void ng_flow_delete(struct ng_flow_table *t, struct ng_flow *f);
/* Mark as seen now and move to the head of the given list. */
void ng_flow_touch(struct ng_flow_table *t, struct ng_flow *f,
    enum ng_flow_list list, ng_usec now);
/* The flow to evict when full: oldest cold, else oldest hot. */
struct ng_flow *ng_flow_victim(struct ng_flow_table *t);
/* The oldest flow of a list if it was last seen at or before 'before'. */
struct ng_flow *ng_flow_stale(struct ng_flow_table *t,
    enum ng_flow_list list, ng_usec before);
/* The longest hash chain, walking every bucket: for tests only. */
unsigned ng_flow_longest_chain(const struct ng_flow_table *t);
uint32_t ng_flow_index(const struct ng_flow_table *t, const struct ng_flow *f);
struct ng_flow *ng_flow_at(struct ng_flow_table *t, uint32_t i);

#endif
