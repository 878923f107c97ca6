/*
 * origin.c - the peer names table entries came from (see origin.h).
 *
 * A fixed array, appended to and never changed, so a reader on another
 * thread needs only the count: it is stored with release order after the
 * name is written and loaded with acquire order before one is read.
 * Few gates share a site, so a look-up is a scan behind a one-entry
 * cache (the peer just seen is usually the next one seen).
 */
#include <stdatomic.h>
#include <string.h>

#include "daemon/origin.h"

#define NAME_LEN 64		/* conf/redis_conf.h's NG_REDIS_NAME_MAX + 1 */
#define FULL_ID (NG_ORIGIN_MAX - 1)

static char names[NG_ORIGIN_MAX][NAME_LEN];
static atomic_uint count = 1;	/* id 0 is this gate's */
static unsigned last = 0;	/* the id last found, 0 for none */

/* same - whether id's name is the len bytes at name. */
static int
same(unsigned id, const char *name, size_t len)
{
	return strncmp(names[id], name, len) == 0 && names[id][len] == '\0';
}

/* ng_origin_id - the id of a peer's name, added when new. */
uint16_t
ng_origin_id(const char *name, size_t len)
{
	unsigned n = atomic_load_explicit(&count, memory_order_acquire), i;

	if (len >= NAME_LEN)
		len = NAME_LEN - 1;
	if (last != 0 && same(last, name, len))
		return (uint16_t)last;
	for (i = 1; i < n; i++)
		if (same(i, name, len))
			return (uint16_t)(last = i);
	if (n >= FULL_ID)
		return FULL_ID;
	memcpy(names[n], name, len);
	names[n][len] = '\0';
	atomic_store_explicit(&count, n + 1, memory_order_release);
	return (uint16_t)(last = n);
}

/* ng_origin_name - an id's name: "local", a peer's, or "?". */
const char *
ng_origin_name(uint16_t id)
{
	if (id == NG_ORIGIN_LOCAL)
		return "local";
	if (id >= atomic_load_explicit(&count, memory_order_acquire) ||
	    id == FULL_ID)
		return "?";
	return names[id];
}
