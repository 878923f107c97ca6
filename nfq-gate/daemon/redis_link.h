/*
 * redis_link.h - the gate's link to Redis: hiredis' async API driven by
 * the gate's own epoll loop, never waited on.
 *
 * One link is two connections: one for commands (pipelined: SET, GET,
 * PUBLISH, SCAN...) and one subscribed to a channel, because a Redis
 * connection that subscribes can do nothing else.  Each is connected
 * without blocking, sends AUTH and SELECT when the URL asks, then PING
 * (commands) or SUBSCRIBE (the other); the link is ready when both have
 * answered.  Every answer has a deadline (the timeout, redis_timeout):
 * the handshake as a whole, and while commands are outstanding each
 * reply within the timeout of the one before.  A deadline passed, an
 * error from the server, a closed connection: both connections are
 * dropped (every outstanding command's reply handler is told, with a
 * NULL reply), and a new try follows after 1 s, doubling to 30 s.  Idle,
 * the command connection is pinged every 15 s, so a peer that vanished
 * is noticed.  Commands are refused (-1) while the link is not ready or
 * when max_pending are outstanding; the caller counts and forgets them.
 *
 * hiredis 0.14 has no timers; the loop asks ng_redis_link_next() when
 * the link wants ng_redis_link_tick(), and arms its timer for it.
 */
#ifndef NG_REDIS_LINK_H
#define NG_REDIS_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "base/timeval.h"
#include "conf/redis_conf.h"

struct ng_redis_link;

/*
 * What one reply may cost, whatever the peer sends: an array of at most
 * NG_REDIS_ELEMENTS_MAX elements (hiredis allocates the whole array at
 * its header: "*333333333" alone would be gigabytes), and at most
 * NG_REDIS_BUFFER_MAX bytes read and not yet made into replies.  Past
 * either the link drops, as for any bad reply.  The largest reply the
 * gate asks for is a SCAN page of about 1000 keys.
 */
#define NG_REDIS_ELEMENTS_MAX	65536
#define NG_REDIS_BUFFER_MAX	(16u << 20)

/* The array limit on a hiredis reader (the link's own, or any other). */
void ng_redis_reader_guard(redisReader *r);

struct ng_redis_link_ops {
	/* Both connections are up: authenticated, selected, subscribed. */
	void (*ready)(void *arg);
	/* The link went down, or a try to bring it up failed, and why. */
	void (*down)(void *arg, const char *why);
	/* A command's reply (priv as given to ng_redis_link_cmd); NULL
	 * when the link dropped before it came.  Commands may be sent
	 * from here. */
	void (*reply)(void *arg, void *priv, const redisReply *r);
	/* A push on the subscribed connection (not the confirmation). */
	void (*message)(void *arg, const redisReply *r);
	void *arg;
};

struct ng_redis_link_counts {
	uint64_t sent;		/* commands sent (ours, not the handshake) */
	uint64_t received;	/* their replies, and pushes */
	uint64_t failures;	/* tries that failed, links that dropped */
	uint64_t connects;	/* times the link became ready */
};

/*
 * A link to u, on epoll set epfd, subscribed to channel; not connected
 * until the first ng_redis_link_tick().  NULL when out of memory.
 */
struct ng_redis_link *ng_redis_link_new(int epfd,
    const struct ng_redis_url *u, const char *channel, ng_usec timeout,
    unsigned max_pending, const struct ng_redis_link_ops *ops);
/* Drop the connections (outstanding replies get NULL) and free. */
void ng_redis_link_free(struct ng_redis_link *l);
void ng_redis_link_set_timeout(struct ng_redis_link *l, ng_usec timeout);

/* Whether fd is one of the link's; the loop hands its events over. */
int ng_redis_link_owns(const struct ng_redis_link *l, int fd);
void ng_redis_link_event(struct ng_redis_link *l, int fd, uint32_t events,
    ng_usec now);
/* Deadlines, pings and new tries due by now. */
void ng_redis_link_tick(struct ng_redis_link *l, ng_usec now);
/* When the link next wants a tick (NG_NEVER: not before an event). */
ng_usec ng_redis_link_next(const struct ng_redis_link *l);

int ng_redis_link_ready(const struct ng_redis_link *l);
/* Since when the link has been in its state (ready, or not). */
ng_usec ng_redis_link_since(const struct ng_redis_link *l);
unsigned ng_redis_link_pending(const struct ng_redis_link *l);
const struct ng_redis_link_counts *ng_redis_link_counts(
    const struct ng_redis_link *l);

/*
 * Queue one command (argc words) on the command connection; its reply
 * goes to ops->reply with priv.  0, or -1 with errno: ENOTCONN (not
 * ready), ENOBUFS (max_pending outstanding), ENOMEM.
 */
int ng_redis_link_cmd(struct ng_redis_link *l, void *priv, int argc,
    const char **argv, const size_t *argvlen, ng_usec now);

#endif
