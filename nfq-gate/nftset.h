/*
 * nftset.h - put pre-greeting talkers into an nftables set with a
 * timeout, so the kernel drops their next SYNs before they reach the
 * queue at all (nft_penalty_set in nfq-gate.conf).
 *
 * The set is the admin's, made with "flags timeout"; we only add
 * elements.  A failure is logged and counted, never fatal: the engine's
 * own penalty box still refuses the address.
 */
#ifndef NG_NFTSET_H
#define NG_NFTSET_H

#include <stddef.h>

#include "addr.h"
#include "timeval.h"

struct ng_nftset;

/* table is "FAMILY NAME" (inet, ip or ip6); set4/set6 may be "-". */
struct ng_nftset *ng_nftset_open(const char *table, const char *set4,
    const char *set6, char *err, size_t errlen);
void ng_nftset_close(struct ng_nftset *s);

/* Add a with a timeout; 0 on success, -1 with err filled. */
int ng_nftset_add(struct ng_nftset *s, const struct ng_addr *a, ng_usec ttl,
    char *err, size_t errlen);

#endif
