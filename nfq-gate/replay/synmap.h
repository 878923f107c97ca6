/*
 * synmap.h - the replay's memory of each flow's SYN fingerprint, so a
 * decision made long after the SYN (PASS NEW after the pause) can show
 * the raw signature in the JSON ("fp_sig").
 *
 * The engine keeps only the class per flow (a byte); the raw form is
 * for people reading a replay, so it lives here.  A fixed table, direct
 * mapped by a hash of the flow: a newer flow may take an older one's
 * slot, and then the older one's decision shows no "fp_sig" (its "fp"
 * class is still there).  Bounded memory for any capture.
 */
#ifndef NG_SYNMAP_H
#define NG_SYNMAP_H

#include "engine/engine.h"
#include "engine/synfp.h"

struct ng_synmap;

struct ng_synmap *ng_synmap_new(void);
void ng_synmap_free(struct ng_synmap *m);
/* ng_synmap_put - remember ev's SYN fingerprint (ev->synfp set). */
void ng_synmap_put(struct ng_synmap *m, const struct ng_event *ev);
/* ng_synmap_get - ev's flow's SYN fingerprint, or NULL. */
const struct ng_synfp *ng_synmap_get(const struct ng_synmap *m,
    const struct ng_event *ev);

#endif
