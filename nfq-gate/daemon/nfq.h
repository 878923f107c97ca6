/*
 * nfq.h - one NFQUEUE queue over netlink: bind it, read queued packets,
 * send verdicts.
 *
 * Built on libmnl and libnetfilter_queue's nfq_nlmsg_* helpers (not the
 * deprecated nfq_open family) so the daemon owns its socket, its buffer
 * sizes and its event loop.  Verdicts are sent one per packet id, never
 * as a batch verdict: the gate holds greetings and releases them out of
 * order, and a batch verdict ("every id up to N") would release a held
 * one.  Several verdict messages may share one sendmsg for speed.
 */
#ifndef NG_NFQ_H
#define NG_NFQ_H

#include <stddef.h>
#include <stdint.h>

/*
 * The queue's two neighbours (the connmark updates that ride in its
 * batch, its counters in /proc), so that a file including nfq.h alone
 * (stats.h, the unit test) still finds them.
 */
#include "daemon/conntrack.h"
#include "daemon/nfq_kstats.h"

struct ng_nfq;

struct ng_nfq_params {
	unsigned queue;
	unsigned maxlen;	/* kernel queue length */
	unsigned copy_range;	/* bytes of each packet copied to us */
	int rcvbuf;		/* socket receive buffer, bytes */
};

/* One queued packet, valid during the callback only. */
struct ng_nfq_pkt {
	uint32_t id;
	uint16_t hw_proto;	/* ETH_P_IP / ETH_P_IPV6, host order */
	const uint8_t *data;	/* starts at the IP header */
	size_t caplen;		/* bytes present in data */
	size_t wirelen;		/* the packet's real length (NFQA_CAP_LEN) */
	uint32_t mark;		/* packet mark (0 when absent) */
	uint32_t ctmark;	/* conntrack mark, if has_ct */
	int has_ct;
};

struct ng_nfq_counters {
	uint64_t packets;	/* packet messages received */
	uint64_t verdicts;
	uint64_t enobufs;	/* receive overruns: packets failed open */
	uint64_t id_gaps;	/* ids the kernel used but never sent us */
	uint64_t nl_errors;	/* error replies (e.g. unknown id; the
				 * connmark updates' as many as their
				 * socket held between drains) */
	uint64_t send_errors;
	uint64_t bad_msgs;	/* messages we could not parse */
	uint64_t ct_updates;	/* ctnetlink connmark updates sent */
};

/* Bind the queue; NULL with a message in err on failure. */
struct ng_nfq *ng_nfq_open(const struct ng_nfq_params *p, char *err,
    size_t errlen);
void ng_nfq_close(struct ng_nfq *q);
int ng_nfq_fd(const struct ng_nfq *q);

/* Change the kernel queue length (SIGHUP). */
int ng_nfq_set_maxlen(struct ng_nfq *q, unsigned maxlen);

/*
 * Read what the socket has (non-blocking, at most a bounded number of
 * datagrams) and call fn for each packet.  Returns the number of packets,
 * or -1 on a fatal socket error.  Verdicts queued by fn are flushed
 * before returning.
 */
int ng_nfq_receive(struct ng_nfq *q,
    void (*fn)(const struct ng_nfq_pkt *, void *), void *arg);

/*
 * Queue one verdict (NF_ACCEPT, NF_DROP, NF_REPEAT).  set_mark sets the
 * packet mark to mark.  A nonzero ctmask changes the conntrack mark's
 * bits under ctmask to those of ctmark, keeping the others.  Verdicts go
 * out at the next ng_nfq_flush() or when the buffer fills.
 */
void ng_nfq_verdict(struct ng_nfq *q, uint32_t id, int verdict,
    int set_mark, uint32_t mark, uint32_t ctmark, uint32_t ctmask);
void ng_nfq_flush(struct ng_nfq *q);

/*
 * 1 when the kernel attaches conntrack info and takes NFQA_CT in
 * verdicts (CONFIG_NETFILTER_NETLINK_GLUE_CT); 0 when the connmark must
 * be set by a separate ctnetlink update instead.
 */
int ng_nfq_ct_glue(const struct ng_nfq *q);

/*
 * Queue msg, a ctnetlink message of len bytes (conntrack.c builds it),
 * behind the verdicts: it leaves after the verdicts queued before it,
 * on a socket of its own when there is one (the kernel's error answers
 * then never take the packets' room).  Counted in ct_updates; one longer
 * than a verdict's room is not sent.
 */
void ng_nfq_queue_ct(struct ng_nfq *q, const void *msg, size_t len);
/* Count the error answers to those updates in nl_errors (once a second). */
void ng_nfq_ct_drain(struct ng_nfq *q);

const struct ng_nfq_counters *ng_nfq_counters(const struct ng_nfq *q);

/* Pure helpers, exposed for tests. */
/* Build one verdict message in buf; returns its length. */
size_t ng_nfq_build_verdict(void *buf, size_t len, unsigned queue,
    uint32_t id, int verdict, int set_mark, uint32_t mark, uint32_t ctmark,
    uint32_t ctmask);
/* Parse one packet message; 0 on success. */
int ng_nfq_parse_packet(const void *nlh, struct ng_nfq_pkt *pkt);

#endif
