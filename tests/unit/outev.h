/*
 * outev.h - what the engine's tests read back from a struct ng_out.
 */
#ifndef NG_TEST_OUTEV_H
#define NG_TEST_OUTEV_H

#include "engine/engine.h"

/* out_event - o's first event of type, or NULL. */
static inline const struct ng_event *
out_event(const struct ng_out *o, uint8_t type)
{
	unsigned i;

	for (i = 0; i < o->nev; i++)
		if (o->ev[i].type == type)
			return &o->ev[i];
	return NULL;
}

#endif
