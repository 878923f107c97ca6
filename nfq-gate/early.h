/*
 * early.h - per-connection state of the early-SMTP test.
 *
 * The question is narrow: did the client send any payload before a byte
 * of the server's greeting was released to it?  So the state is small:
 * the server's initial sequence number (to tell whether the client's ACK
 * already covers greeting bytes), whether the greeting was released, the
 * ids of the greeting segments held back, and the client's early bytes
 * for the log.
 */
#ifndef NG_EARLY_H
#define NG_EARLY_H

#include <stdint.h>

#include "timeval.h"

#define NG_HOLD_MAX 4

enum ng_early_phase {
	NG_PH_TEST = 0,		/* greeting test running */
	NG_PH_DONE,		/* decided, let everything through */
	NG_PH_KILLED,		/* reset: reset whatever else comes */
	NG_PH_DROPPED		/* dropped: drop whatever else comes */
};

struct ng_early {
	uint8_t phase;		/* enum ng_early_phase */
	uint8_t released;	/* a greeting byte has gone to the client */
	uint8_t have_isn;	/* saw the server's SYN-ACK */
	uint8_t established;	/* saw the client's handshake ACK */
	uint8_t offload;	/* decided as pass: keep telling the kernel */
	uint8_t syn_action;	/* verdict to repeat for SYN retransmits */
	uint8_t nheld;
	uint16_t cc;
	uint32_t srv_isn;
	uint32_t cli_isn;	/* tells a SYN retransmit from port reuse */
	ng_usec syn_time;
	ng_usec release_at;
	uint32_t held_id[NG_HOLD_MAX];
	uint32_t held_seq[NG_HOLD_MAX];
};

#endif
