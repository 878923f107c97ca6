/*
 * share.h - the gates of one site sharing their tables through Redis:
 * the pass cache, the penalty box (offence counts and all), the
 * greylist and the trap MX's contacts.
 *
 * The engine's tables stay the first and only level a SYN consults;
 * Redis only fills them, so a SYN never waits for it.  Out: every
 * change the engine's events show (a PASS NEW, a PASS OLD confirmed, a
 * PREGREET, a greylist first try, a contact), and every change made with
 * nfq-gate-ctl, is written to Redis as a key with the entry's remaining
 * lifetime and PUBLISHed on <prefix>updates (share_codec.h has the
 * words).  In: the subscription's messages from the other gates are
 * merged into the local tables, and after every (re)connect the whole
 * key space under the prefix is read (SCAN) and merged, then every local
 * entry written back: what changed on either side while the link was
 * down meets again.  Merging: the older first-seen wins for the
 * greylist (one first try for the whole site), the later one for
 * contacts (the latest SYN), the later expiry and the higher count
 * always.
 *
 * A greylist first try is written with SET NX: the first gate to see
 * the sender wins, and a gate that loses reads the winner's entry and
 * adopts its first-seen time, so the try at MX B is the same first try
 * as at MX A.  A trap hit this gate cannot excuse from its own contacts
 * is asked of Redis (ng_share_trap_check): a contact or greylist key for
 * the client excuses it; none means penalised; no answer in time (or no
 * link) means not penalised.  Fail open throughout: Redis down, slow or
 * refusing costs one log line and the sharing, never a delayed SYN.
 */
#ifndef NG_SHARE_H
#define NG_SHARE_H

#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "conf/redis_conf.h"
#include "engine/engine.h"

/* The commands that may wait for a reply; past it writes are dropped. */
#define NG_SHARE_PENDING_MAX 20000

struct ng_share;

struct ng_share_conf {
	struct ng_redis_url url;
	char prefix[NG_REDIS_PREFIX_MAX + 1];
	char name[NG_REDIS_NAME_MAX + 1];	/* mx_name: our origin */
	ng_usec timeout;
};

/* What the owner (the live gate) does when the tables change from
 * outside. */
struct ng_share_hooks {
	/* A penalty entry came (ttl > 0) or went (ttl 0): the nft set
	 * follows for a host-length key. */
	void (*penalty)(void *arg, const struct ng_addr *a, unsigned plen,
	    ng_usec ttl);
	/* The tables changed: a state save is due. */
	void (*changed)(void *arg);
	/* A pending trap hit Redis did not excuse: penalise the client. */
	void (*trap_penalise)(void *arg, const struct ng_flow_key *hit);
	void *arg;
};

struct ng_share_counts {
	int up;			/* the link is ready */
	uint64_t errors;	/* link failures, error replies, bad data */
	uint64_t sent, received;
	uint64_t dropped;	/* writes not queued: too many waiting, or
				 * past the budget for what a forged SYN
				 * can cause */
	uint64_t reconnects;	/* times the link came back */
};

/*
 * The shared state for engine e, its link on epoll set epfd (not
 * connected before the first ng_share_tick()).  NULL out of memory.
 */
struct ng_share *ng_share_new(int epfd, struct ng_engine *e,
    const struct ng_share_conf *c, const struct ng_share_hooks *h);
void ng_share_free(struct ng_share *s);
/*
 * A reloaded configuration: a new URL or prefix makes a new link (and a
 * resync), a new name or timeout is used from now on.  -1 out of memory
 * (the old link kept).
 */
int ng_share_reconf(struct ng_share *s, const struct ng_share_conf *c);

/* The loop's hooks: descriptors, the timer. */
int ng_share_owns(const struct ng_share *s, int fd);
void ng_share_event(struct ng_share *s, int fd, uint32_t events,
    ng_usec now);
void ng_share_tick(struct ng_share *s, ng_usec now);
ng_usec ng_share_next(const struct ng_share *s);

/* Out: an engine event (after it was logged), a PASS OLD flow's
 * believed handshake, a change made with nfq-gate-ctl (added, or
 * deleted: prefix given; table: NG_SHARE_PASS, _PENALTY or _GREY). */
void ng_share_engine_event(struct ng_share *s, const struct ng_event *ev);
void ng_share_confirmed(struct ng_share *s, const struct ng_addr *client,
    ng_usec now);
void ng_share_ctl_change(struct ng_share *s, unsigned table, int added,
    const struct ng_addr *a, int prefix, ng_usec now);
/* A pending trap hit (ev: NG_EV_TRAP, pending): ask Redis. */
void ng_share_trap_check(struct ng_share *s, const struct ng_event *ev,
    ng_usec now);

void ng_share_counts(const struct ng_share *s, struct ng_share_counts *c);
/*
 * One line for nfq-gate-ctl status: "up 2m (unix:/run/redis.sock db 0),
 * 12 waiting" or "DOWN 40s (127.0.0.1:6379 db 0): why"; *healthy 0 when
 * down.
 */
void ng_share_status(const struct ng_share *s, ng_usec now, char *buf,
    size_t len, int *healthy);

#endif
