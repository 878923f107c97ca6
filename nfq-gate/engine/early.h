/*
 * early.h - per-connection state of the early-SMTP test.
 *
 * The question is narrow: did the client send any payload before a byte
 * of the server's greeting was released to it?  Answering it so that a
 * spoofer cannot forge the answer takes both ends' sequence numbers: the
 * server's ISN (which only the real client ever sees, in the SYN-ACK),
 * how far the greeting bytes actually let through to the client reach,
 * how far the server has sent at all, and where the client's next byte
 * must start.  A client segment is believed only if it fits all of that
 * (early.c says exactly how).  Besides: the ids of the greeting segments
 * held back, and the first bytes of Fast Open data for the log.
 */
#ifndef NG_EARLY_H
#define NG_EARLY_H

#include <stdint.h>

#include "base/timeval.h"

#define NG_HOLD_MAX 4
#define NG_SYN_KEEP 16		/* Fast Open bytes kept for the log line */

enum ng_early_phase {
	NG_PH_TEST = 0,		/* greeting test running */
	NG_PH_DONE,		/* decided, let everything through */
	NG_PH_KILLED,		/* reset: reset whatever else comes */
	NG_PH_DROPPED,		/* dropped: drop whatever else comes */
	NG_PH_OLD		/* PASS OLD: accepted, awaiting its handshake */
};

struct ng_early {
	uint8_t phase;		/* enum ng_early_phase */
	uint8_t released;	/* a greeting byte has gone to the client */
	uint8_t have_isn;	/* saw the server's SYN-ACK to our SYN */
	uint8_t established;	/* saw a believable client ACK */
	uint8_t tfo_acked;	/* the SYN-ACK took the SYN's data */
	uint8_t have_alt;	/* another SYN came for this 4-tuple */
	uint8_t offload;	/* decided as pass: keep telling the kernel */
	uint8_t syn_action;	/* verdict to repeat for SYN retransmits */
	uint8_t nheld;
	uint8_t syn_nfirst;
	uint16_t cc;
	uint16_t syn_len;	/* Fast Open data in the SYN */
	uint16_t alt_len;
	uint32_t cli_isn;	/* tells a SYN retransmit from another SYN */
	uint32_t cli_nxt;	/* where the client's next byte must start */
	uint32_t alt_isn;	/* the other SYN's ISN, see early.c */
	uint32_t srv_isn;
	uint32_t srv_nxt;	/* end of greeting bytes let through */
	uint32_t srv_max;	/* end of everything the server sent */
	uint32_t held_end;	/* end of the held greeting bytes */
	ng_usec syn_time;
	ng_usec release_at;
	uint32_t held_id[NG_HOLD_MAX];
	uint32_t held_seq[NG_HOLD_MAX];
	uint8_t syn_first[NG_SYN_KEEP];
};

#endif
