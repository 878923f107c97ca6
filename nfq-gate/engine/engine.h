/*
 * engine.h - the gate's decision engine, shared by every front-end.
 *
 * The engine sees the first packets of each TCP connection to a judged
 * port and says what to do with each one.  It does no I/O and reads no
 * clock: the NFQUEUE daemon and the pcap replay feed it packets with a
 * time, and act on the verdicts and log events it hands back as data.
 * That keeps both front-ends honest (they run the same code) and keeps
 * tests deterministic.
 *
 * Holding packets: the live front-end passes each queued packet's id.
 * When the engine answers NG_HOLD it keeps that id (the client's
 * handshake ACK, or the server's greeting with hold = greeting), and
 * hands it back later in ng_out.rel[] with its final verdict, from
 * ng_engine_packet() (a pre-greeting talker, an evicted flow, a slot
 * of the release window freed) or ng_engine_tick() (the greet pause
 * ran out).  The replay front-end has no real packets to
 * hold; it just drives ng_engine_tick() in capture time.
 */
#ifndef NG_ENGINE_H
#define NG_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "engine/packet.h"
#include "engine/admit.h"
#include "engine/fpdb.h"
#include "engine/settings.h"
#include "engine/verdict.h"

struct ng_verdict {
	uint8_t action;		/* enum ng_action */
	uint8_t offload;	/* flow is decided: stop queueing it (connmark) */
	uint8_t test;		/* a SYN whose flow stays queued until decided:
				 * exempt it from the rules' packet cap */
	uint8_t midstream;	/* no flow known for this packet */
	uint8_t confirm;	/* a PASS OLD flow's handshake completed,
				 * or a released flow's greeting came:
				 * offloaded from this packet on */
	ng_usec hold_until;	/* for NG_HOLD */
};

struct ng_release {
	uint32_t id;
	uint8_t action;		/* NG_ACCEPT, NG_DROP or NG_RESET */
	uint8_t offload;
};

#define NG_FIRST_MAX 64		/* early bytes kept for the PREGREET line */

struct ng_event {
	uint8_t type;		/* enum ng_event_type */
	uint8_t decision;	/* enum ng_decision */
	const char *reason;	/* static string: "allow", "penalty", ... */
	struct ng_addr client, server;
	uint16_t cport, sport;
	uint16_t cc;		/* client's country, 0 if unknown */
	uint32_t asn;		/* client's AS number, 0 if unknown */
	const char *owner;	/* client's owner (the database's string,
				 * valid until it is replaced), or NULL */
	const char *rule;	/* the asn or owner rule that decided the
				 * SYN (its name, settings.h), or NULL */
	const char *fp;		/* the SYN's fingerprint class (fpdb.h:
				 * "linux", "unknown"...), NULL when no
				 * signature file is set; static or the
				 * file's, valid until it is replaced */
	uint8_t fp_cls;		/* its index, for a score to read */
	uint8_t fp_allowed;	/* on the signature file's allow list:
				 * never scored */
	const struct ng_synfp *synfp;	/* the SYN event only: the raw
				 * fingerprint, valid until the next
				 * ng_engine_packet() call */
	ng_usec when;		/* time of the event */
	ng_usec after;		/* time since the flow's SYN */
	uint32_t bytes;		/* client payload bytes seen before release */
	uint8_t monitor;	/* mode = monitor: what would have been */
	uint8_t watched;	/* PASS NEW whose offload waits for the
				 * greeting (release window): no connmark
				 * yet, or the greeting is never seen */
	uint8_t trap;		/* NG_EV_TRAP: enum ng_trap_outcome */
	uint8_t pending;	/* NG_EV_TRAP: no contact known here and
				 * trap_defer on: not penalised; the daemon
				 * asks the shared state, then maybe calls
				 * ng_engine_trap_penalise() */
	ng_usec contact_age;	/* NG_EV_TRAP excused: time since the
				 * client's last SYN to a real MX */
	uint8_t nfirst;
	uint8_t first[NG_FIRST_MAX];
	/* One score (score.h).  dns: a CONNECT of a client whose score
	 * asks DNS: the daemon starts its lookups.  scored: the SCORE
	 * event and the decision it made carry the total and the action;
	 * why, the SCORE event's explanation, is valid until the next
	 * engine call. */
	uint8_t dns;
	uint8_t scored;
	uint8_t score_action;	/* enum ng_score_action */
	int score;
	int score_dns;		/* its DNS lists' part: postscreen's rank */
	const char *why;
};

#define NG_OUT_REL_MAX 64
#define NG_OUT_EV_MAX 16

struct ng_out {
	struct ng_verdict v;
	unsigned nrel, nev;
	struct ng_release rel[NG_OUT_REL_MAX];
	struct ng_event ev[NG_OUT_EV_MAX];
};

/* What the gate knows of one client address: what the Postfix policy
 * service tells Postfix at RCPT time (facts.c). */
struct ng_facts {
	char country[3];	/* "CN", or "--" when unknown */
	uint32_t asn;		/* 0 when unknown */
	const char *owner;	/* the database's string, NULL when unknown;
				 * valid until the database is replaced */
	const char *pass;	/* "old", "new" or "none" */
	const char *grey;	/* "pass", "wait" or "none" */
	/* What the rules say at a SYN from a, whatever the caches hold:
	 * "action(kind)", e.g. "greylist(owner)" (ng_admit_rule). */
	char rule[32];
	unsigned pregreet;	/* penalty box entry's count, 0 if none */
	unsigned throttled;	/* THROTTLE resets still remembered */
	uint8_t scored;		/* a score is remembered (within pass_ttl): */
	int score;		/* its last total (score.h) */
};

struct ng_stats {
	uint64_t packets;
	uint64_t not_tcp;		/* also other ports, not judged */
	uint64_t malformed[NG_PKT_STATUS_MAX];	/* by status: dropped */
	uint64_t fragments;		/* dropped */
	uint64_t unverified[NG_UV_MAX];	/* not believed, by reason */
	uint64_t unverified_dropped;	/* of those, dropped (the rest:
					 * RST/FIN left to the kernel) */
	uint64_t midstream;		/* packets of flows we never saw start */
	uint64_t flows;			/* flows created */
	uint64_t flows_now;
	uint64_t flows_evicted;
	uint64_t flows_expired;
	uint64_t held_now;
	uint64_t held_total;
	uint64_t retransmits_dropped;
	uint64_t events[NG_EV_TYPE_MAX];
	uint64_t decisions[NG_DEC_MAX];
	uint64_t cache_evicted;
	uint64_t greylist_full;		/* new senders tested, not greylisted */
	uint64_t released_now;		/* ACKs released, greeting not seen */
	uint64_t window_waits;		/* passed clients that waited for
					 * the release window */
	uint64_t release_timeouts;	/* released, no greeting in time */
	uint64_t trap_syns;		/* SYNs to a trap_mx address */
	uint64_t trap_hits;		/* believed handshakes there */
	uint64_t trap_penalised;	/* of those (or later, from the
					 * shared state), penalised */
	uint64_t trap_excused;		/* a recent contact excused them */
	uint64_t trap_unsure;		/* not penalised: contacts flooded */
	uint64_t throttle_syn;		/* SYNs reset over a limit */
	uint64_t throttle_handshake;	/* believed handshakes reset */
	uint64_t throttle_counted;	/* believed connections counted */
	uint64_t throttle_ended;	/* ... whose end was seen */
	uint64_t throttle_full;		/* not counted: table full */
	uint64_t throttle_aged;		/* ... ended by age (fail open) */
};

struct ng_engine;

/* The settings are copied.  Until ng_engine_set_geo() every client's
 * country is "--". */
struct ng_engine *ng_engine_new(const struct ng_settings *cfg);
void ng_engine_free(struct ng_engine *e);

/* Swap in a new config (SIGHUP).  Flows and caches are kept. */
int ng_engine_set_config(struct ng_engine *e, const struct ng_settings *cfg);
/* geo NULL: every client is "--" again. */
void ng_engine_set_geo(struct ng_engine *e, const struct ng_geo *geo);

/*
 * The packets come from a capture (replay): what the engine "holds" was
 * in fact delivered, so a client ACK of held greeting bytes shows it saw
 * them.  Live, such an ACK is a lie (the bytes never reached it).
 */
void ng_engine_set_capture(struct ng_engine *e, int on);

/*
 * The SYN signature table (fpdb.h), not copied: the caller keeps it
 * until it sets another or NULL (then no fingerprint is computed: a SYN
 * costs nothing more).  Each client SYN's class then goes into its
 * flow's events (ev->fp).
 */
void ng_engine_set_fpdb(struct ng_engine *e, const struct ng_fpdb *db);

/*
 * Where the score's DNS facts come from (score.h): the daemon's DNS
 * table; NULL (or never set): no DNS part, as in replay.  Not copied.
 */
void ng_engine_set_score_src(struct ng_engine *e,
    const struct ng_score_src *src);

/*
 * Every DNS answer for flow k's client is in (the daemon's poll): a
 * client whose total is at or below dnsbl_allowlist_threshold passes
 * now, its held handshake released, rather than at the pause's end.
 * Only the flow whose believed handshake is held (or, when it comes,
 * will be) is touched: a forged SYN's flow never has one.
 */
void ng_engine_score_ready(struct ng_engine *e, const struct ng_flow_key *k,
    ng_usec now, struct ng_out *out);

/* Under stress the greet pause drops to greet_pause_stress. */
void ng_engine_set_stress(struct ng_engine *e, int on);

/*
 * One packet, starting at its IP header.  caplen bytes are present,
 * wirelen is the datagram's length on the wire.  out is cleared first.
 */
void ng_engine_packet(struct ng_engine *e, const uint8_t *ip, size_t caplen,
    size_t wirelen, uint32_t id, ng_usec now, struct ng_out *out);

/*
 * Release greetings whose pause has run out and expire idle state.
 * Returns 1 when out filled up before the work was done: call again.
 */
int ng_engine_tick(struct ng_engine *e, ng_usec now, struct ng_out *out);

/* The earliest time ng_engine_tick() has work, or NG_NEVER. */
ng_usec ng_engine_next_timer(const struct ng_engine *e);

/* Release everything held (shutdown, fail open). */
int ng_engine_release_all(struct ng_engine *e, struct ng_out *out);

const struct ng_stats *ng_engine_stats(const struct ng_engine *e);

/*
 * The pass cache, penalty box, greylist and contacts, for persistence,
 * the shared state and the policy service.  See cache.h for the table
 * type.
 */
struct ng_cache;
struct ng_cache *ng_engine_pass_cache(struct ng_engine *e);
struct ng_cache *ng_engine_penalty_box(struct ng_engine *e);
struct ng_cache *ng_engine_greylist(struct ng_engine *e);
/* Who sent a SYN to a non-trap address lately (trap_mx set), keyed by
 * greylist_prefix: each entry's first is the latest such SYN. */
struct ng_cache *ng_engine_contacts(struct ng_engine *e);

/*
 * A trap hit left pending (trap_defer) that the shared state did not
 * excuse: hit's client goes into the penalty box as for a PREGREET, and
 * out (cleared first) gets a TRAP event, "penalised", naming the hit's
 * connection as the pending line did.
 */
void ng_engine_trap_penalise(struct ng_engine *e,
    const struct ng_flow_key *hit, ng_usec now, struct ng_out *out);

/*
 * A connection ended that the engine may have counted for throttling
 * (the daemon's conntrack DESTROY of an offloaded flow); one never
 * counted is ignored.
 */
void ng_engine_throttle_end(struct ng_engine *e, const struct ng_flow_key *k,
    ng_usec now);
/* Is any throttle limit set (the daemon then listens for DESTROY)? */
int ng_engine_throttling(const struct ng_engine *e);

/* What the gate knows of client a now (facts.c), for the policy service. */
void ng_engine_facts(struct ng_engine *e, const struct ng_addr *a,
    ng_usec now, struct ng_facts *f);

const char *ng_event_type_name(uint8_t type);
const char *ng_decision_name(uint8_t decision);
const char *ng_unverified_name(unsigned reason);
uint64_t ng_unverified_total(const struct ng_stats *st);
/* "unverified=N dropped=N syn=N ..." for the log and the replay summary;
 * returns buf, cut short (still terminated) if len is too small. */
char *ng_unverified_format(char *buf, size_t len, const struct ng_stats *st);

#endif
