/*
 * cidr_cover.h - turn address ranges into the fewest aligned prefixes.
 *
 * Kernel sets (nft interval sets, ipset hash:net) and most firewalls want
 * prefixes, while the netblock database holds arbitrary ranges.  Every
 * range [first, last] has exactly one minimal cover by aligned prefixes;
 * emitting it keeps exported sets as small as Python's
 * ipaddress.collapse_addresses would make them.  The merger in front of
 * it joins adjacent and overlapping ranges first, so ranges of several
 * selected countries that touch become one run before they are split.
 */
#ifndef NG_CIDR_COVER_H
#define NG_CIDR_COVER_H

#include "base/addr.h"

/* Called once per prefix, in address order; nonzero stops the cover. */
typedef int (*ng_cover_fn)(const struct ng_addr *net, unsigned plen,
    void *arg);

/*
 * Emit the minimal prefix cover of the inclusive range [first, last].
 * Returns 0, fn's nonzero value, or -1 when the range is malformed
 * (families differ or are not 4/6, or first > last).
 */
int ng_cidr_cover(const struct ng_addr *first, const struct ng_addr *last,
    ng_cover_fn fn, void *arg);

/* Joins ranges fed in ascending order of first address, one family. */
struct ng_cover_merge {
	struct ng_addr first, last;	/* the run being built */
	int open;			/* a run is pending */
	ng_cover_fn fn;
	void *arg;
};

void ng_cover_merge_init(struct ng_cover_merge *m, ng_cover_fn fn,
    void *arg);
/*
 * Add a range.  It extends the pending run when it overlaps or touches
 * it; otherwise the run is covered and emitted.  Returns what
 * ng_cidr_cover returned for an emitted run, or -1 for a malformed range,
 * a family change or a range that starts before the pending run.
 */
int ng_cover_merge_add(struct ng_cover_merge *m, const struct ng_addr *first,
    const struct ng_addr *last);
/* Emit the pending run, if any. */
int ng_cover_merge_finish(struct ng_cover_merge *m);

#endif
