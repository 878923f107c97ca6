/*
 * fuzz_state.c - the state file parser under libFuzzer.
 *
 * State files sit on disk between runs, where a full disk, a crash, an
 * editor or an attacker with the gate's uid may have changed them.  The
 * parser must refuse anything bad without crashing, add nothing to the
 * table when it refuses, and never put in an entry that is already
 * expired or beyond the table's capacity.  The first input byte picks
 * the table kind, the prefix lengths and the clocks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cache.h"
#include "daemon/cache_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ng_usec now_mono;
static const uint8_t K[16];	/* the hash key: any will do */

static int
check_entry(const struct ng_cache_entry *e, void *arg)
{
	(void)arg;
	if (e->expires <= now_mono || (e->key.family != 4 &&
	    e->key.family != 6))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *kinds[] = { "pass", "penalty", "greylist" };
	struct ng_cache *c;
	const char *kind;
	time_t now_wall;
	char err[256];
	int checked, loaded;
	uint8_t sel;

	if (size == 0)
		return 0;
	sel = data[0];
	data++;
	size--;
	kind = kinds[sel % 3];
	now_mono = (sel & 4) ? NG_SEC(100) : 0;
	now_wall = (sel & 8) ? 1700000000 : 1000;
	c = ng_cache_table_new(16, (sel & 16) ? 24 : 32, (sel & 32) ? 64 : 128,
	    K);
	if (c == NULL)
		return 0;
	checked = ng_state_parse(NULL, (const char *)data, size, "fuzz.state",
	    kind, now_mono, now_wall, err, sizeof(err));
	loaded = ng_state_parse(c, (const char *)data, size, "fuzz.state",
	    kind, now_mono, now_wall, err, sizeof(err));
	if ((checked < 0) != (loaded < 0))
		abort();
	if (loaded < 0 && (ng_cache_count(c) != 0 ||
	    strncmp(err, "fuzz.state:", 11) != 0))
		abort();
	if (ng_cache_count(c) > 16)
		abort();
	ng_cache_walk(c, check_entry, NULL);
	ng_cache_free(c);
	return 0;
}
