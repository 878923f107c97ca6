/*
 * gate_main.c - nfq-gate: pick the front-end from the command line.
 *
 *   nfq-gate -r FILE [-c CONF] [--json]   what would the gate have done?
 *   nfq-gate -c CONF -q NUM               the live gate on NFQUEUE NUM
 */
#include <stdio.h>
#include <string.h>

#include "front.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: nfq-gate -r FILE|- [-c CONF] [--json] [--greet-pause SEC]\n"
	    "       nfq-gate [-c CONF] -q NUM [-f] [-d]\n");
}

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0 ||
		    strncmp(argv[i], "--read", 6) == 0)
			return ng_replay_main(argc, argv);
		if (strcmp(argv[i], "-q") == 0 ||
		    strncmp(argv[i], "--queue", 7) == 0)
			return ng_live_main(argc, argv);
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		}
	}
	usage();
	return 64;	/* EX_USAGE */
}
