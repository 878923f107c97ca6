/*
 * slots.c - setting up and taking down a table's entry array and its
 * hash buckets; the per-packet calls are inline in slots.h.
 */
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "engine/slots.h"

/*
 * ng_slots_init - capacity zeroed entries of size bytes and a bucket per
 * entry at least (16 at least, a power of two), every chain empty.  The
 * entries are zeroed memory (huge pages when big, base/bigmem.h) handed
 * out in order, so untouched pages stay unmapped until a flood needs
 * them.
 */
void *
ng_slots_init(struct ng_slots *s, unsigned capacity, size_t size,
    size_t link_off, const uint8_t key[NG_SIPHASH_KEYLEN])
{
	uint32_t i, nbucket;

	memset(s, 0, sizeof(*s));
	if (capacity < 1)
		return NULL;
	for (nbucket = 16; nbucket < capacity; nbucket *= 2)
		;
	s->cap = capacity;	/* before any failure: ng_slots_fini uses them */
	s->stride = size;
	s->v = ng_bigmem_calloc(capacity, size);
	s->bucket = malloc(nbucket * sizeof(*s->bucket));
	if (s->v == NULL || s->bucket == NULL) {
		ng_slots_fini(s);
		return NULL;
	}
	s->links = (unsigned char *)s->v + link_off;
	s->mask = nbucket - 1;
	s->free = NG_NIL;
	memcpy(s->key, key, sizeof(s->key));
	for (i = 0; i < nbucket; i++)
		s->bucket[i] = NG_NIL;
	return s->v;
}

/* ng_slots_fini - give back the entries and the buckets. */
void
ng_slots_fini(struct ng_slots *s)
{
	ng_bigmem_free(s->v, s->cap, s->stride);
	free(s->bucket);
	s->v = NULL;
	s->bucket = NULL;
}

/* ng_slots_longest_chain - the most entries sharing one bucket. */
unsigned
ng_slots_longest_chain(const struct ng_slots *s)
{
	unsigned n, most = 0;
	uint32_t b, i;

	for (b = 0; b <= s->mask; b++) {
		n = 0;
		for (i = ng_chain_first(s, b); i != NG_NIL;
		    i = ng_chain_next(s, i))
			n++;
		if (n > most)
			most = n;
	}
	return most;
}
