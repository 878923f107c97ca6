/*
 * fuzz_netdb_open.c - the database validator under libFuzzer.
 *
 * A database file may be truncated, stale or damaged, and the gate maps
 * it at start and on reload, so ng_netdb_open_buffer must refuse any
 * bad image and never read outside it.  The checksum would stop nearly
 * every mutation at the door, so when the input's first byte is odd the
 * harness writes the right checksum into the image first and the
 * structural checks get fuzzed too.  An accepted image is looked up
 * (country, and country + AS number + owner string) and walked, by
 * country and by record: validation promises those never go astray.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb.h"
#include "netdb/netdb_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
walk_fn(const struct ng_addr *first, const struct ng_addr *last,
    uint16_t cc, void *arg)
{
	if (cc == 0 || ng_addr_cmp(first, last) > 0)
		abort();
	(*(size_t *)arg)++;
	return 0;
}

/* where_fn - the walk by record: a range with something known. */
static int
where_fn(const struct ng_addr *first, const struct ng_addr *last,
    const struct ng_where *w, void *arg)
{
	if ((w->cc == 0 && w->asn == 0 && w->owner == 0) ||
	    ng_addr_cmp(first, last) > 0)
		abort();
	(*(size_t *)arg)++;
	return 0;
}

/* find - a full lookup; an owner id must name a readable string. */
static void
find(const struct ng_netdb *db, const struct ng_addr *a)
{
	struct ng_where w;
	const char *o;

	ng_netdb_find(db, a, &w);
	o = ng_netdb_owner(db, w.owner);
	if ((w.owner != 0) != (o != NULL) || (o != NULL && strlen(o) == 0))
		abort();
}

static void
exercise(const struct ng_netdb *db, const uint8_t *data, size_t size)
{
	struct ng_netdb_source s;
	struct ng_addr a;
	size_t i, n = 0;

	for (i = 0; i + 16 <= size && i < 64 * 16; i += 16) {
		ng_addr_set_v4(&a, (uint32_t)data[i] << 24 |
		    (uint32_t)data[i + 1] << 16 | data[i + 2] << 8 | data[i + 3]);
		(void)ng_netdb_lookup(db, &a);
		find(db, &a);
		a.family = 6;
		memcpy(a.b, data + i, 16);
		(void)ng_netdb_lookup(db, &a);
		find(db, &a);
	}
	ng_netdb_walk(db, 4, walk_fn, &n);
	ng_netdb_walk(db, 6, walk_fn, &n);
	ng_netdb_walk_where(db, 4, where_fn, &n);
	ng_netdb_walk_where(db, 6, where_fn, &n);
	for (i = 0; ng_netdb_source(db, i, &s) == 0; i++)
		n += strlen(s.name) + strlen(s.format);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ng_netdb_header h;
	struct ng_netdb *db;
	uint8_t *img;
	char err[512];

	if (size < 1)
		return 0;
	/* An aligned copy, as a mapped file is. */
	if ((img = malloc(size - 1 + 8)) == NULL)
		return 0;
	memcpy(img, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= sizeof(h)) {
		memcpy(&h, img, sizeof(h));
		h.checksum = ng_netdb_crc(img, size - 1);
		memcpy(img, &h, sizeof(h));
	}
	db = ng_netdb_open_buffer(img, size - 1, "fuzz.db", err, sizeof(err));
	if (db != NULL) {
		exercise(db, data, size);
		ng_netdb_close(db);
	} else if (strncmp(err, "fuzz.db: ", 9) != 0) {
		abort();
	}
	free(img);
	return 0;
}
