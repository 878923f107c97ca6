/*
 * verdict.h - the words the engine and its parts share: what to do with
 * a packet, the events and decisions they log, why a client segment
 * was not believed, and what a trap hit came to.
 */
#ifndef NG_VERDICT_H
#define NG_VERDICT_H

enum ng_action {
	NG_ACCEPT = 0,
	NG_DROP,		/* silently discard */
	NG_RESET,		/* discard and reset the sender's end */
	NG_HOLD			/* keep until released in ng_out.rel[] */
};

/*
 * Why a client segment of a flow under test was not believed (early.c):
 * no real client of the handshake the gate saw could have sent it, or
 * it proves nothing.  Such a segment is counted here and nowhere else.
 */
enum ng_unverified {
	NG_UV_SYN = 0,		/* another SYN, or SYN with ACK/FIN/RST */
	NG_UV_HANDSHAKE,	/* before the SYN-ACK, or without ACK */
	NG_UV_SEQ,		/* sequence number outside the window */
	NG_UV_ACK,		/* acks bytes the server never sent */
	NG_UV_UNRELEASED,	/* ACK/FIN of greeting bytes still held */
	NG_UV_RST,		/* RST not at the expected sequence number */
	NG_UV_MAX
};

enum ng_event_type {
	NG_EV_CONNECT = 0,
	NG_EV_PASS_NEW,
	NG_EV_PASS_OLD,
	NG_EV_PREGREET,
	NG_EV_ALLOWLISTED,
	NG_EV_DENYLISTED,
	NG_EV_PENALTY,		/* refused: address is in the penalty box */
	NG_EV_COUNTRY_PASS,
	NG_EV_DROP,		/* country drop */
	NG_EV_REJECT,		/* country reject */
	NG_EV_GREYLIST,
	NG_EV_GREYLIST_PASS,
	NG_EV_HANGUP,
	NG_EV_NOLISTING,
	NG_EV_TRAP,		/* a believed handshake at a trap MX address */
	NG_EV_THROTTLE,		/* over its rate or concurrency: reset */
	NG_EV_SCORE,		/* a score judged at the pause's end: the
				 * decision's explanation (score.h) */
	NG_EV_TYPE_MAX
};

/* The flow-level verdict, as the replay JSON names it. */
enum ng_decision {
	NG_DEC_NONE = 0,	/* informational event, not a decision */
	NG_DEC_PASS,
	NG_DEC_PREGREET,
	NG_DEC_DROP,
	NG_DEC_REJECT,
	NG_DEC_GREYLIST,
	NG_DEC_LOG,
	NG_DEC_TRAP,		/* reset at a trap MX address */
	NG_DEC_THROTTLE,	/* reset: over its connection limits */
	NG_DEC_MAX
};

/* What a trap hit (NG_EV_TRAP) came to; trap.c decides, engine.c acts. */
enum ng_trap_outcome {
	NG_TRAP_PENALISED = 0,	/* no recent contact: into the penalty box */
	NG_TRAP_EXCUSED,	/* a SYN to a real MX within trap_window */
	NG_TRAP_UNSURE,		/* no contact, but the contacts table lost
				 * live entries within trap_window: not
				 * penalised (fail open) */
	NG_TRAP_PENDING,	/* no contact here; the daemon asks the
				 * shared state (trap_defer) */
	NG_TRAP_OUTCOME_MAX
};

#endif
