/*
 * nfq_kstats.h - the kernel's own counters for an NFQUEUE queue, from
 * /proc/net/netfilter/nfnetlink_queue.
 *
 * Apart from nfq.h because they come from a file, not the netlink
 * socket, and are read by the statistics, not the packet path.
 */
#ifndef NG_NFQ_KSTATS_H
#define NG_NFQ_KSTATS_H

#include <stdint.h>

/*
 * Packets waiting for a verdict, packets dropped because the queue was
 * full, packets dropped because our socket could not take them, and the
 * last id the kernel handed out.
 */
struct ng_nfq_kstats {
	uint64_t queue_total, queue_dropped, user_dropped, id_sequence;
};

/* Read queue's line into ks; -1 if the queue (or the file) is not there. */
int ng_nfq_read_kstats(unsigned queue, struct ng_nfq_kstats *ks);

/* The parser alone, for the tests: text is the whole file. */
int ng_nfq_parse_kstats(const char *text, unsigned queue,
    struct ng_nfq_kstats *ks);

#endif
