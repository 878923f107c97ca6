/*
 * engine_impl.h - the engine's private parts, shared by engine.c (packet
 * dispatch and timers), policy.c (what to do at the SYN) and early.c
 * (the greeting test), and facts.c (the policy service's view of the
 * tables).  Nothing outside those files includes it.
 */
#ifndef NG_ENGINE_IMPL_H
#define NG_ENGINE_IMPL_H

#include "engine/cache.h"
#include "engine/engine.h"
#include "engine/flow.h"
#include "engine/packet.h"
#include "engine/timerq.h"

struct ng_engine {
	struct ng_config cfg;
	struct ng_geo geo;
	int stress;
	int capture;		/* ng_engine_set_capture() */
	struct ng_flow_table *flows;
	struct ng_timerq *holds;
	struct ng_cache *pass;
	struct ng_cache *penalty;
	struct ng_cache *grey;
	struct ng_stats st;
};

/* What the policy says at the SYN, before any test. */
struct ng_syn_decision {
	uint8_t event;		/* enum ng_event_type */
	uint8_t decision;	/* enum ng_decision */
	uint8_t action;		/* enum ng_action for the SYN */
	uint8_t offload;
	uint8_t test;		/* run the greeting test */
	uint8_t old;		/* PASS OLD: confirm at the handshake */
	const char *reason;
	uint16_t cc;
};

void ng_policy_syn(struct ng_engine *e, const struct ng_flow_key *k,
    ng_usec now, struct ng_syn_decision *d);

void ng_early_syn(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, struct ng_out *out);
void ng_early_other_syn(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, struct ng_out *out);
void ng_early_client(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out);
void ng_early_server(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, uint32_t id, ng_usec now, struct ng_out *out);
void ng_early_old(struct ng_engine *e, struct ng_flow *f,
    const struct ng_pkt *p, int from_client, ng_usec now, struct ng_out *out);
void ng_early_release(struct ng_engine *e, struct ng_flow *f,
    uint8_t action, struct ng_out *out);

struct ng_event *ng_engine_event(struct ng_engine *e, struct ng_out *out,
    uint8_t type, uint8_t decision, const struct ng_flow_key *k,
    ng_usec now, ng_usec since);
void ng_engine_release_id(struct ng_out *out, uint32_t id, uint8_t action,
    uint8_t offload);
ng_usec ng_engine_pause(const struct ng_engine *e);

#endif
