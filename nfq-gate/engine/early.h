/*
 * early.h - the greeting test: did the client talk before the greeting?
 *
 * The question is narrow: did the client send any payload before a byte
 * of the server's greeting was released to it?  (With hold = handshake
 * the greeting cannot even be sent: the client's handshake ACK is held,
 * so the question becomes "did it talk within the pause?")  Answering it so that a
 * spoofer cannot forge the answer takes both ends' sequence numbers: the
 * server's ISN (which only the real client ever sees, in the SYN-ACK),
 * how far the greeting bytes actually let through to the client reach,
 * how far the server has sent at all, and where the client's next byte
 * must start.  A client segment is believed only if it fits all of that
 * (early.c says exactly how).  Besides: the ids of the greeting segments
 * held back, and the first bytes of Fast Open data for the log.
 *
 * The test is pure and hands forward: each call reads one packet and the
 * test's own state, updates that state and fills a struct ng_early_step
 * saying what it found (a conclusion, a segment not believed, a segment
 * to hold).  It never touches the engine's tables, counters or output;
 * engine.c acts on the step (as postscreen's tests hand their result to
 * the conclusion and never call back).
 */
#ifndef NG_EARLY_H
#define NG_EARLY_H

#include <stdint.h>

#include "base/timeval.h"
#include "engine/packet.h"
#include "engine/verdict.h"

#define NG_HOLD_MAX 4		/* greeting segments held */
#define NG_HELD_MAX (NG_HOLD_MAX + 1)	/* and the client's handshake ACK */
#define NG_SYN_KEEP 16		/* Fast Open bytes kept for the log line */

/* What one packet told the test. */
enum ng_early_end {
	NG_EARLY_GOING = 0,	/* nothing concluded */
	NG_EARLY_PASS,		/* the real client waited: PASS NEW */
	NG_EARLY_PREGREET,	/* the real client talked first */
	NG_EARLY_HANGUP,	/* the real client closed before passing */
	NG_EARLY_SERVER_GONE,	/* the MTA reset: nothing left to judge */
	NG_EARLY_CONFIRM	/* a PASS OLD flow's handshake completed */
};

struct ng_early_step {
	uint8_t end;		/* enum ng_early_end */
	uint8_t action;		/* enum ng_action for this packet */
	uint8_t doubt;		/* enum ng_unverified; NG_UV_MAX: believed */
	uint8_t held_action;	/* HANGUP: what the held segments get */
	uint8_t hold;		/* this packet is now held (its id kept) */
	uint8_t retransmit;	/* a held segment's copy: dropped */
	uint8_t restarted;	/* the server took another SYN: the test
				 * started over, ndropped ids to drop */
	uint8_t ndropped;
	uint32_t dropped[NG_HELD_MAX];
	ng_usec hold_until;	/* hold: when the greeting is due */
	const uint8_t *first;	/* PREGREET: the early bytes, */
	uint32_t nfirst;	/* how many of them are here, */
	uint32_t bytes;		/* and how many were sent */
};

struct ng_early {
	uint8_t released;	/* a greeting byte has gone to the client */
	uint8_t ack_held;	/* the client's handshake ACK is held */
	uint8_t have_isn;	/* saw the server's SYN-ACK to our SYN */
	uint8_t established;	/* saw a believable client ACK */
	uint8_t tfo_acked;	/* the SYN-ACK took the SYN's data */
	uint8_t have_alt;	/* another SYN came for this 4-tuple */
	uint8_t nheld;
	uint8_t syn_nfirst;
	uint16_t syn_len;	/* Fast Open data in the SYN */
	uint16_t alt_len;
	uint32_t cli_isn;	/* tells a SYN retransmit from another SYN */
	uint32_t cli_nxt;	/* where the client's next byte must start */
	uint32_t alt_isn;	/* the other SYN's ISN, see early.c */
	uint32_t srv_isn;
	uint32_t srv_nxt;	/* end of greeting bytes let through */
	uint32_t srv_max;	/* end of everything the server sent */
	uint32_t held_end;	/* end of the held greeting bytes */
	ng_usec release_at;
	uint32_t ack_id;	/* its queued packet's id */
	uint32_t held_id[NG_HOLD_MAX];
	uint32_t held_seq[NG_HOLD_MAX];
	uint8_t syn_first[NG_SYN_KEEP];
};

/* The flow's SYN: start the test, keep its Fast Open data unjudged. */
void ng_early_start(struct ng_early *t, const struct ng_pkt *p);
/* Another SYN (another ISN) for the 4-tuple under test. */
void ng_early_other_syn(struct ng_early *t, const struct ng_pkt *p,
    struct ng_early_step *s);
/* What a client segment is judged with besides the test's state. */
struct ng_early_ctx {
	uint8_t capture;	/* packets from a capture: held greeting
				 * bytes did reach the client (engine.h) */
	uint8_t hold_ack;	/* hold = handshake */
	uint32_t id;		/* the queued packet's id, kept if held */
	ng_usec due;		/* when the pause runs out */
};

/* A client segment under test. */
void ng_early_client(struct ng_early *t, const struct ng_pkt *p,
    const struct ng_early_ctx *x, struct ng_early_step *s);
/*
 * A server segment under test, with the queued packet's id (kept if the
 * segment is held) and when the greeting is due (the SYN's time plus the
 * greet pause; the first server payload fixes it).
 */
void ng_early_server(struct ng_early *t, const struct ng_pkt *p,
    uint32_t id, ng_usec now, ng_usec due, struct ng_early_step *s);
/* A packet of a flow passed at its SYN from the pass cache. */
void ng_early_old(struct ng_early *t, const struct ng_pkt *p,
    int from_client, struct ng_early_step *s);
/*
 * Hand over the held segments' ids (at most NG_HOLD_MAX) and forget
 * them; with NG_ACCEPT their bytes count as let through to the client.
 * Returns how many.
 */
unsigned ng_early_take_held(struct ng_early *t, uint8_t action,
    uint32_t ids[NG_HOLD_MAX]);
/* Hand over the held handshake ACK's id and forget it; 0 if none. */
int ng_early_take_ack(struct ng_early *t, uint32_t *id);

#endif
