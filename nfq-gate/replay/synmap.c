/*
 * synmap.c - a direct-mapped table from flow to SYN fingerprint.
 */
#include <stdlib.h>
#include <string.h>

#include "replay/synmap.h"

#define SLOTS 65536u		/* power of two */

struct slot {
	uint8_t used;
	struct ng_addr client, server;
	uint16_t cport, sport;
	struct ng_synfp fp;
};

struct ng_synmap {
	struct slot s[SLOTS];
};

/* ng_synmap_new - an empty table. */
struct ng_synmap *
ng_synmap_new(void)
{
	return calloc(1, sizeof(struct ng_synmap));
}

/* ng_synmap_free - the table. */
void
ng_synmap_free(struct ng_synmap *m)
{
	free(m);
}

/* slot_of - the flow's slot: FNV-1a over its addresses and ports. */
static unsigned
slot_of(const struct ng_event *ev)
{
	uint32_t h = 2166136261u;
	unsigned i;

	for (i = 0; i < 16; i++)
		h = (h ^ ev->client.b[i] ^ (uint32_t)ev->server.b[i] << 8) *
		    16777619u;
	h = (h ^ ev->cport ^ (uint32_t)ev->sport << 16) * 16777619u;
	return h & (SLOTS - 1);
}

/* same - is slot s ev's flow? */
static int
same(const struct slot *s, const struct ng_event *ev)
{
	return s->used && s->cport == ev->cport && s->sport == ev->sport &&
	    ng_addr_cmp(&s->client, &ev->client) == 0 &&
	    ng_addr_cmp(&s->server, &ev->server) == 0;
}

/* ng_synmap_put - remember ev's SYN fingerprint, in its flow's slot. */
void
ng_synmap_put(struct ng_synmap *m, const struct ng_event *ev)
{
	struct slot *s = &m->s[slot_of(ev)];

	s->used = 1;
	s->client = ev->client;
	s->server = ev->server;
	s->cport = ev->cport;
	s->sport = ev->sport;
	s->fp = *ev->synfp;
}

/* ng_synmap_get - ev's flow's SYN fingerprint, or NULL. */
const struct ng_synfp *
ng_synmap_get(const struct ng_synmap *m, const struct ng_event *ev)
{
	const struct slot *s = &m->s[slot_of(ev)];

	return same(s, ev) ? &s->fp : NULL;
}
