/*
 * gate_main.c - nfq-gate: pick the front-end from the command line.
 *
 *   nfq-gate -r FILE [-c CONF] [--json]   what would the gate have done?
 *   nfq-gate -c CONF -q NUM               the live gate on NFQUEUE NUM
 *   nfq-gate --list-keys                  the keys nfq-gate.conf takes
 */
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "daemon/live.h"
#include "replay/replay.h"

#define EX_USAGE 64

/* usage - every option; tests/sh/docs_drift.sh holds nfq-gate(8) to it. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: nfq-gate [-c CONF] -q NUM [-f] [-d] [--no-syslog]\n"
	    "       nfq-gate -r FILE|- [-c CONF] [--json] [--db DB]"
	    " [--greet-pause SEC] [-v]\n"
	    "       nfq-gate --list-keys | -h\n"
	    "  -c, --config CONF     configuration file\n"
	    "  -q, --queue NUM       run the live gate on NFQUEUE NUM\n"
	    "  -f, --foreground      log to stderr as well\n"
	    "  -d, --debug           debug log lines\n"
	    "      --no-syslog       log to stderr only\n"
	    "  -r, --read FILE|-     replay a pcap or pcapng capture\n"
	    "      --json            replay: JSON Lines, one per decision\n"
	    "      --db DB           replay: this netblock database\n"
	    "      --greet-pause SEC replay: hold greetings this long\n"
	    "  -v, --verbose         replay: CONNECT lines too\n"
	    "      --list-keys       the configuration keys, one a line\n"
	    "  -h, --help            this text\n");
}

/* list_keys - one key a line; "start-only" marks what SIGHUP keeps. */
static int
list_keys(void)
{
	const char *name;
	int start;
	size_t i;

	for (i = 0; (name = ng_config_key_name(i, &start)) != NULL; i++)
		printf("%s%s\n", name, start ? " start-only" : "");
	return fflush(stdout) == 0 ? 0 : 1;
}

/* main - nfq-gate: -r replays, -q runs the live gate; the exit status. */
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
	}
	if (argc == 2 && strcmp(argv[1], "--list-keys") == 0)
		return list_keys();
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return EX_USAGE;
}
