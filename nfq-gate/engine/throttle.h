/*
 * throttle.h - connection rate and concurrency limits per client.
 *
 * Postfix's anvil counts connections only once smtpd has one, and a
 * gate in front of any MTA has nothing else.  This table counts, per
 * client address masked to throttle_prefix, the connections live now
 * and those started in the current rate window, so that a client over
 * its limit is reset at its SYN (a real MTA defers and retries).
 *
 * Only connections the engine believes count: a handshake ACK that
 * acknowledges exactly the server's ISN + 1, which only the real client
 * saw (early.c).  A bare SYN proves nothing, so an off-path spoofer can
 * neither fill the table nor push a victim over its limit; entries are
 * made only for believed connections.  Every failure fails open: a full
 * table throttles no one, a connection whose end is never seen stops
 * counting after NG_THROTTLE_MAX_AGE, and a limit above
 * NG_THROTTLE_SLOTS is refused by the config parser.
 */
#ifndef NG_THROTTLE_H
#define NG_THROTTLE_H

#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"

#define NG_THROTTLE_SLOTS 64	/* live connections kept per client */
/* A counted connection whose end was never seen (a lost conntrack
 * event) stops counting after this long: SMTP sessions are minutes. */
#define NG_THROTTLE_MAX_AGE NG_SEC(3600)
/* How long a client's THROTTLE resets are remembered (%t). */
#define NG_THROTTLE_REMEMBER NG_SEC(3600)

/* One class's limits (general, passed, allow-listed); 0 = no limit. */
struct ng_throttle_limit {
	unsigned rate;		/* connections per 'per' */
	ng_usec per;
	unsigned concurrency;
};

/* What a check found. */
enum ng_throttle_why {
	NG_THR_OK = 0,
	NG_THR_RATE,		/* rate connections started this window */
	NG_THR_CONCURRENCY,	/* concurrency connections live */
	NG_THR_FULL		/* under the limit, not counted: table full */
};

/* One connection: its client's address and ports, its server. */
struct ng_throttle_conn {
	struct ng_addr client, server;
	uint16_t cport, sport;
};

struct ng_throttle;

struct ng_throttle *ng_throttle_new(unsigned max, unsigned prefix4,
    unsigned prefix6, const uint8_t key[16]);
void ng_throttle_free(struct ng_throttle *t);
/* New prefixes (a reload): the table starts empty again. */
void ng_throttle_set_prefix(struct ng_throttle *t, unsigned prefix4,
    unsigned prefix6);

/* Is client a over limit l now?  Nothing is counted. */
enum ng_throttle_why ng_throttle_check(struct ng_throttle *t,
    const struct ng_throttle_limit *l, const struct ng_addr *a, ng_usec now);
/*
 * A believed connection starts: over l it is not counted and the why is
 * returned; else it counts (NG_THR_FULL: the table had no room).
 */
enum ng_throttle_why ng_throttle_start(struct ng_throttle *t,
    const struct ng_throttle_limit *l, const struct ng_throttle_conn *c,
    ng_usec now);
/* A counted connection ended (FIN/RST seen, conntrack DESTROY); one not
 * counted is ignored.  Returns 1 when it was counted. */
int ng_throttle_end(struct ng_throttle *t, const struct ng_throttle_conn *c,
    ng_usec now);
/* A THROTTLE reset of client a, remembered for the policy service;
 * only a client with an entry (a believed connection) has one. */
void ng_throttle_reset_seen(struct ng_throttle *t, const struct ng_addr *a,
    ng_usec now);
/* THROTTLE resets of a still remembered; 0 none. */
unsigned ng_throttle_resets(struct ng_throttle *t, const struct ng_addr *a,
    ng_usec now);
/* Counted connections that stopped counting by age so far. */
uint64_t ng_throttle_aged(const struct ng_throttle *t);

/* "rate" or "concurrency" for the log line. */
const char *ng_throttle_why_name(enum ng_throttle_why why);

#endif
