/*
 * conntrack.h - ctnetlink connmark updates, sent right behind the queue's
 * verdicts.
 *
 * When the kernel has no conntrack glue for verdicts (ng_nfq_ct_glue()
 * is 0), a connection's connmark is set with a separate ctnetlink update
 * instead; it goes out in order with the verdicts, so the update of a
 * connection whose first packet is in a verdict just before it finds the
 * entry confirmed.  The names keep the ng_nfq_ prefix: nfq.c sends the
 * updates, right behind its verdicts.
 */
#ifndef NG_CONNTRACK_H
#define NG_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

struct ng_nfq;

/* A TCP connection as conntrack names it, for a ctnetlink update. */
struct ng_nfq_tuple {
	uint8_t family;		/* 4 or 6 */
	uint8_t reply;		/* 1: src/dst are the reply direction */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;	/* host order */
};

/*
 * Queue a ctnetlink update: the connmark bits under mask become mark's.
 * Sent in order with the verdicts, so the update of a connection whose
 * first packet is in a verdict just before it finds it confirmed.
 */
void ng_nfq_ct_mark(struct ng_nfq *q, const struct ng_nfq_tuple *t,
    uint32_t mark, uint32_t mask);
/* Build that update in buf (len bytes); its length, 0 if buf is short. */
size_t ng_nfq_build_ct_mark(void *buf, size_t len,
    const struct ng_nfq_tuple *t, uint32_t mark, uint32_t mask);

#endif
