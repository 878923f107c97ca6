/*
 * engine_impl.h - the engine's private parts, for engine.c (packet
 * dispatch, conclusions, timers) and facts.c (what the tables say of an
 * address).  The engine's parts - admit.c at the SYN, early.c after it,
 * the tables - never include it: they get what they need as arguments
 * and hand their findings back as data, so a packet goes one way.
 */
#ifndef NG_ENGINE_IMPL_H
#define NG_ENGINE_IMPL_H

#include "engine/admit.h"
#include "engine/cache.h"
#include "engine/early.h"
#include "engine/engine.h"
#include "engine/flow.h"
#include "engine/fpdb.h"
#include "engine/packet.h"
#include "engine/timerq.h"
#include "engine/throttle.h"
#include "engine/trap.h"

/* Where a flow stands; the greeting test runs in NG_CONN_TEST only. */
enum ng_conn_phase {
	NG_CONN_TEST = 0,	/* greeting test running */
	NG_CONN_DONE,		/* decided, let everything through */
	NG_CONN_KILLED,		/* reset: reset whatever else comes */
	NG_CONN_DROPPED,	/* dropped: drop whatever else comes */
	NG_CONN_OLD,		/* PASS OLD: accepted, awaiting its handshake */
	NG_CONN_RELEASED	/* passed, its ACK released: awaiting the
				 * greeting (the release window, engine.c) */
};

#define NG_CONN_NONE UINT32_MAX	/* end of the waiting list */

/* What the engine keeps per flow, beside the flow table's entry (same
 * index): its conclusion so far and the greeting test's state. */
struct ng_conn {
	uint8_t phase;		/* enum ng_conn_phase */
	uint8_t offload;	/* decided as pass: keep telling the kernel */
	uint8_t syn_action;	/* verdict to repeat for SYN retransmits */
	uint8_t waiting;	/* passed, in the list waiting for the
				 * release window */
	uint8_t trap;		/* to a trap_mx address: its believed
				 * handshake is the hit (engine.c) */
	uint16_t cc;
	uint32_t asn, owner;	/* the database's, at the SYN (where.h) */
	uint8_t thr_class;	/* enum ng_throttle_class, as admitted */
	uint8_t counted;	/* counted by the throttle: its end frees
				 * the count (FIN/RST, or conntrack) */
	uint8_t watch;		/* passed at the SYN, kept queued to its
				 * handshake only to be counted */
	uint8_t fp;		/* the SYN's fingerprint class (fpdb.h) */
	uint8_t fp_allowed;	/* ... on the signature file's allow list */
	uint8_t score_ready;	/* its DNS answers are all in (score.h) */
	uint8_t scored;		/* judged by the score: its PASS says so */
	uint8_t grey_retry;	/* a matured score greylist entry: no
				 * second greylist */
	int score;		/* the total, once scored */
	uint32_t owner_bits;	/* the database's, at the SYN (where.h) */
	uint32_t wprev, wnext;	/* the waiting list, by flow index */
	ng_usec syn_time;
	struct ng_early test;
};

struct ng_engine {
	struct ng_settings cfg;
	struct ng_geo geo;
	const struct ng_fpdb *fpdb;	/* SYN signatures, NULL: none */
	struct ng_score_src score_src;	/* DNS facts; dns NULL: none */
	char why[NG_OUT_EV_MAX + 1][NG_SCORE_WHY_MAX];	/* SCORE texts */
	struct ng_score_seen seen[NG_SCORE_SEEN];	/* facts' %s */
	struct ng_synfp synfp;	/* the last SYN's, for its event */
	int stress;
	int capture;		/* ng_engine_set_capture() */
	int flushing;		/* ng_engine_release_all() at work */
	struct ng_flow_table *flows;
	struct ng_conn *conns;	/* by flow index */
	unsigned nconns;		/* conns[] entries (flow_max) */
	struct ng_timerq *holds;
	struct ng_cache *pass;
	struct ng_cache *penalty;
	struct ng_cache *grey;
	struct ng_cache *contacts;	/* trap.c */
	struct ng_throttle *throttle;	/* throttle.c */
	uint64_t contacts_lost;		/* its evictions seen so far */
	ng_usec contacts_lost_at;	/* when the last was seen; 0 never */
	uint32_t whead, wtail;	/* passed flows waiting for the window */
	struct ng_stats stats;
};

#endif
