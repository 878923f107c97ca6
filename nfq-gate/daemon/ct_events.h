/*
 * ct_events.h - conntrack's DESTROY events (and updates to a closing
 * TCP state): the end of connections the gate no longer sees.
 *
 * A passed connection is offloaded (its packets bypass the queue), so
 * the engine never sees its FIN or RST; the throttle's concurrency
 * count learns of its end here instead.  The socket is made while the
 * daemon is root (the group needs CAP_NET_ADMIN) and read in the event
 * loop; the parser is pure, for the tests and the fuzzer.
 */
#ifndef NG_CT_EVENTS_H
#define NG_CT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"

/* A TCP connection's original direction, as conntrack names it. */
struct ng_ct_end {
	struct ng_addr src, dst;
	uint16_t sport, dport;	/* host order */
};

struct ng_ct_events;

/* The socket, in no group yet; NULL with a message in err. */
struct ng_ct_events *ng_ct_events_open(char *err, size_t errlen);
/*
 * Join (on) or leave the DESTROY and UPDATE groups (CAP_NET_ADMIN, which
 * the gate keeps); 0, or -1 with a message in err.  Out of the groups
 * the socket costs nothing: the kernel sends it no event.
 */
int ng_ct_events_listen(struct ng_ct_events *c, int on, char *err,
    size_t errlen);
void ng_ct_events_close(struct ng_ct_events *c);
int ng_ct_events_fd(const struct ng_ct_events *c);

/*
 * Read what is waiting (at most a bounded number of datagrams, so the
 * queue is not starved) and call fn for each TCP connection's end.
 * Overruns (ENOBUFS: events lost, their connections age out) are
 * counted in *enobufs.
 */
void ng_ct_events_read(struct ng_ct_events *c,
    void (*fn)(const struct ng_ct_end *, void *), void *arg,
    uint64_t *enobufs);

/*
 * One datagram of netlink messages: the tuple of each TCP DESTROY, and
 * of each update to a closing state (FIN_WAIT .. CLOSE), to fn (an end
 * may come more than once: the engine counts it once).
 * Returns how many, or -1 when the datagram is malformed (what came
 * before the bad part was still handed on).
 */
int ng_ct_parse(const void *buf, size_t len,
    void (*fn)(const struct ng_ct_end *, void *), void *arg);

#endif
