/*
 * live_fp.c - the SYN signature file (fingerprints = PATH, conf/fpfile.c)
 * in the live gate: read at start and at each reload, handed to the
 * engine, which then classes every client SYN (engine/synfp.c) for the
 * log, the JSON and the score.  A reload whose file does not load keeps
 * the one in force, as a database does.
 */
#include <stdlib.h>

#include "base/log.h"
#include "conf/fpfile.h"
#include "daemon/live_impl.h"

/*
 * live_load_fp - c's signature file into the engine (none when c names
 * none); -1 with the reason logged when it does not load (at start: the
 * gate does not start; at a reload: the old one stays).
 */
int
live_load_fp(struct live *l, const struct ng_config *c)
{
	struct ng_fpdb *db = NULL;
	char err[512];

	if (c->fingerprints[0] != '\0') {
		db = ng_fpfile_load(c->fingerprints, err, sizeof(err));
		if (db == NULL) {
			ng_log(LOG_ERR, "fingerprints: %s", err);
			return -1;
		}
	}
	ng_engine_set_fpdb(l->e, db);	/* the old one is no longer read */
	ng_fpdb_free(l->fpdb);
	l->fpdb = db;
	return 0;
}

/* live_free_fp - at exit, after the engine is gone or told. */
void
live_free_fp(struct live *l)
{
	if (l->e != NULL)
		ng_engine_set_fpdb(l->e, NULL);
	ng_fpdb_free(l->fpdb);
	l->fpdb = NULL;
}
