/*
 * nftset.h - put pre-greeting talkers into an nftables set with a
 * timeout, so the kernel drops their next SYNs before they reach the
 * queue at all (nft_penalty_set in nfq-gate.conf).
 *
 * The set is the admin's, made with "flags timeout"; we add elements,
 * and delete them when an admin frees an address (nfq-gate-ctl).  Nothing here waits: an add is queued (a bounded queue; a
 * full one drops the add and counts it), queued adds go out in batches
 * on a non-blocking netlink socket, and the kernel's acks are read when
 * the loop sees the socket readable and matched by sequence number, so
 * a lost or late ack never shifts the others.  A batch without an ack
 * after NG_NFTSET_ACK_TIMEOUT is counted and forgotten.  A failure is
 * logged and counted, never fatal: the engine's own penalty box still
 * refuses the address.
 */
#ifndef NG_NFTSET_H
#define NG_NFTSET_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"

#define NG_NFTSET_QUEUE		1024	/* adds waiting to be sent */
#define NG_NFTSET_BATCH		64	/* elements in one message */
#define NG_NFTSET_INFLIGHT	32	/* messages sent, not yet acked */
#define NG_NFTSET_ACK_TIMEOUT	NG_SEC(2)

struct ng_nftset_counts {
	uint64_t added;		/* acked by the kernel */
	uint64_t deleted;	/* deletes and flushes done (or not needed) */
	uint64_t errors;	/* refused by the kernel (error ack) */
	uint64_t timeouts;	/* no ack in time: forgotten */
	uint64_t dropped;	/* queue full: never sent */
	uint64_t late;		/* acks for nothing we wait for */
};

/* A failed batch, for the log: n addresses, the first one, why. */
struct ng_nftset_fail {
	struct ng_addr first;
	unsigned n;
	const char *set;
	int err;		/* errno from the kernel; ETIMEDOUT: no ack */
};

struct ng_nftset;

/* table is "FAMILY NAME" (inet, ip or ip6); set4/set6 may be "-". */
struct ng_nftset *ng_nftset_open(const char *table, const char *set4,
    const char *set6, char *err, size_t errlen);
void ng_nftset_close(struct ng_nftset *s);
/* The socket to poll for acks (EPOLLIN). */
int ng_nftset_fd(const struct ng_nftset *s);

/* Queue a with a timeout: 0, or -1 when the queue is full (counted). */
int ng_nftset_add(struct ng_nftset *s, const struct ng_addr *a,
    ng_usec ttl);
/*
 * Queue a's removal, or emptying the set of family (4 or 6; 0: both);
 * the same queue as the adds, in order with them.  0, or -1 when the
 * queue is full (counted as dropped).
 */
int ng_nftset_del(struct ng_nftset *s, const struct ng_addr *a);
int ng_nftset_flush(struct ng_nftset *s, unsigned family);
/*
 * Send what is queued, as far as the in-flight limit allows; fail hears
 * of a batch the socket refused outright.
 */
void ng_nftset_send(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg);
/*
 * Read the acks there are (the socket was readable) and forget batches
 * older than the timeout; fail is told of every failed batch.
 */
void ng_nftset_receive(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg);
void ng_nftset_expire(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg);
const struct ng_nftset_counts *ng_nftset_counts(const struct ng_nftset *s);
/* Adds queued or in flight. */
unsigned ng_nftset_pending(const struct ng_nftset *s);

/*
 * The halves of send and receive without the socket, for the tests:
 * build the next batch into buf (its length, 0 when nothing to send;
 * the batch counts as in flight from now), and take the acks in buf.
 */
size_t ng_nftset_build(struct ng_nftset *s, void *buf, size_t len,
    ng_usec now);
void ng_nftset_input(struct ng_nftset *s, const void *buf, size_t len,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg);
/* A set without a socket (tests): the acks come from ng_nftset_input. */
struct ng_nftset *ng_nftset_new(const char *table, const char *set4,
    const char *set6, uint32_t seq, char *err, size_t errlen);

#endif
