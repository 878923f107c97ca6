/*
 * gate_main.c - nfq-gate: pick the front-end from the command line.
 *
 *   nfq-gate -r FILE [-c CONF] [--json]   what would the gate have done?
 *   nfq-gate -c CONF -q NUM               the live gate on NFQUEUE NUM
 *   nfq-gate -n [-c CONF]                 would the live gate start?
 *   nfq-gate --list-keys                  the keys nfq-gate.conf takes
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "daemon/config_check.h"
#include "daemon/live.h"
#include "replay/replay.h"

#define EX_USAGE 64
#define EX_CONFIG 78

/* usage - every option; tests/sh/docs_drift.sh holds nfq-gate(8) to it. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: nfq-gate [-c CONF] -q NUM [-f] [-d] [--no-syslog]\n"
	    "       nfq-gate -r FILE|- [-c CONF] [--json] [--db DB]"
	    " [--greet-pause SEC] [-v]\n"
	    "       nfq-gate -n [-c CONF]\n"
	    "       nfq-gate --list-keys | -h\n"
	    "  -c, --config CONF     configuration file\n"
	    "  -q, --queue NUM       run the live gate on NFQUEUE NUM\n"
	    "  -f, --foreground      log to stderr as well\n"
	    "  -d, --debug           debug log lines\n"
	    "      --no-syslog       log to stderr only\n"
	    "  -n, --check           check CONF and all it names, start nothing\n"
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

/*
 * check_main - nfq-gate -n: the start's checks, nothing started (no
 * queue, no firewall, no socket), exit 0 or 78.  Any other option is a
 * usage error, so "-n" never falls through to a live start.
 */
static int
check_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	static struct ng_check chk;	/* 33 KB: not on the stack */
	const char *path = NG_CONFIG_PATH;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:n", opts, NULL)) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch != 'n') {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	ng_config_check(path, &chk);
	return ng_config_check_report("nfq-gate", path, &chk);
}

/* main - nfq-gate: -r replays, -q runs the live gate; the exit status. */
int
main(int argc, char **argv)
{
	int i;

	/* First: "-n" with "-q" must check, never start. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-n") == 0 ||
		    strcmp(argv[i], "--check") == 0)
			return check_main(argc, argv);
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
