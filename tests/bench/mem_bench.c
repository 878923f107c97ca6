/*
 * mem_bench.c - what the gate costs in memory: the resident set with the
 * whole netblock database open and a million flows in the flow table,
 * against the same process before it did anything.
 *
 * The flow table is filled for real (a SYN from a million different
 * addresses through ng_engine_packet) because a table that is only
 * allocated costs nothing until it is touched, and a gate under a storm
 * touches all of it.  Time stands still, so nothing expires.
 *
 * usage: mem_bench DB [FLOWS]
 * Prints key=value lines (sizes in kB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "netdb/netdb.h"
#include "synpkt.h"

static long
rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

int
main(int argc, char **argv)
{
	long empty = rss_kb(), withdb;
	unsigned long flows = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	struct ng_netdb *db;
	struct ng_engine *e;
	struct ng_config cfg;
	struct ng_geo geo;
	struct ng_netdb_view view;
	struct ng_out *out;
	uint8_t pkt[SYN_IPLEN];
	char err[512];
	unsigned long i;

	if (argc < 2) {
		fprintf(stderr, "usage: mem_bench DB [FLOWS]\n");
		return 2;
	}
	if ((db = ng_netdb_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "mem_bench: %s\n", err);
		return 1;
	}
	withdb = rss_kb();

	ng_config_defaults(&cfg);
	cfg.eng.flow_max = (unsigned)flows;
	if ((e = ng_engine_new(&cfg.eng)) == NULL ||
	    (out = malloc(sizeof(*out))) == NULL) {
		fprintf(stderr, "mem_bench: cannot create the engine\n");
		return 1;
	}
	/* The daemon's way: a view of the database, no owner patterns. */
	if (ng_netdb_view_init(&view, db, NULL, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "mem_bench: %s\n", err);
		return 1;
	}
	geo.lookup = ng_netdb_where;
	geo.owner_name = ng_netdb_owner_name;
	geo.ctx = &view;
	ng_engine_set_geo(e, &geo);
	/* 100.64.0.0/10 and up: a million distinct, uncovered clients. */
	for (i = 0; i < flows; i++) {
		syn_build(pkt, 0x64400000u + (uint32_t)i, 0xcb007119u,
		    (uint16_t)(1024 + i % 60000), 25, (uint32_t)i);
		ng_engine_packet(e, pkt, sizeof(pkt), sizeof(pkt), (uint32_t)i,
		    NG_SEC(1000), out);
	}
	printf("rss_empty_kb=%ld\nrss_db_kb=%ld\nrss_full_kb=%ld\n", empty,
	    withdb, rss_kb());
	printf("flows_now=%llu\nflows_evicted=%llu\n",
	    (unsigned long long)ng_engine_stats(e)->flows_now,
	    (unsigned long long)ng_engine_stats(e)->flows_evicted);
	ng_engine_free(e);
	ng_netdb_view_free(&view);
	ng_netdb_close(db);
	free(out);
	return 0;
}
