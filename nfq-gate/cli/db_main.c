/*
 * db_main.c - nfq-gate-db: build, query and export the country netblock
 * database that the gate loads.
 *
 *   nfq-gate-db build -o OUT [--format F] [--locations FILE] [--lenient]
 *               [--overlap specific|last] FILE...
 *   nfq-gate-db lookup DB [ADDR...]      (no ADDR: one per line on stdin)
 *   nfq-gate-db info DB
 *   nfq-gate-db export ...               (netdb_export.c)
 *
 * Where rows overlap, the most specific wins by default (the row starting
 * last, then the narrowest, then the later source and line); with
 * --overlap last, the later row in input order wins, which is how MMDB
 * writers apply a CSV.  The two differ only where a source lists a
 * block after a narrower block nested in it.
 *
 * Lookups print "ADDR CC", or "ADDR --" when no row covers ADDR.  Bulk
 * lookups from stdin go through large buffers both ways so millions of
 * lines cost no per-line system calls.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/addr.h"
#include "netdb/netdb.h"
#include "netdb/netdb_build.h"
#include "netdb/netdb_export.h"
#include "netdb/netdb_input.h"

#define PROG "nfq-gate-db"
#define EX_USAGE 64
#define IOBUF (1024 * 1024)

/* help - every option; tests/sh/docs_drift.sh holds nfq-gate-db(8) to it. */
static void
help(FILE *fp)
{
	fprintf(fp,
	    "usage: " PROG " build -o OUT [--format rir|rpsl|csv|ip2location|"
	    "geolite2]\n"
	    "           [--locations FILE] [--lenient] [--overlap specific|last]"
	    " FILE...\n"
	    "       " PROG " lookup DB [ADDR...]\n"
	    "       " PROG " info DB\n"
	    "       " PROG " export DB --format nft|ipset|cidr|ranges\n"
	    "           [--countries CC,... | --except CC,...] [--family 4|6]\n"
	    "           [--name NAME] [--table TABLE] [-o FILE] [-v]\n"
	    "       " PROG " -h|--help\n");
}

/* usage - a usage error: EX_USAGE, as nfq-gate-db(8) says. */
static void
usage(void)
{
	help(stderr);
	exit(EX_USAGE);
}

/*
 * report_source - the "source PATH: ..." line of a build: rows read, and
 * what was skipped.
 */
static void
report_source(const char *path, const struct ng_in_stats *st)
{
	size_t i;

	printf("source %s: %s, %llu ipv4 rows, %llu ipv6 rows", path,
	    ng_informat_name(st->format), (unsigned long long)st->rows[0],
	    (unsigned long long)st->rows[1]);
	if (st->format == NG_IN_GEOLOC)
		printf(", %llu locations", (unsigned long long)st->other);
	if (st->nocountry)
		printf(", %llu without country",
		    (unsigned long long)st->nocountry);
	if (st->bad)
		printf(", %llu bad lines skipped",
		    (unsigned long long)st->bad);
	for (i = 0; i < st->nskipped; i++)
		printf("%s %s %llu", i == 0 ? "; skipped:" : ",",
		    st->skipped[i].name,
		    (unsigned long long)st->skipped[i].n);
	printf("\n");
}

/*
 * read_inputs - every input file into rows, each in its detected (or the
 * forced) format.  Locations files go first so that blocks files can use
 * them.  0, or -1 said on stderr.
 */
static int
read_inputs(char **files, int nfiles, enum ng_informat forced,
    const char *locations, int lenient, struct ng_nrows *rows)
{
	struct ng_geoloc locs = { NULL, 0, 0, 0 };
	struct ng_in_stats st;
	enum ng_informat *fmt;
	char err[512];
	int i, pass, rc = -1;

	if ((fmt = calloc((size_t)nfiles + 1, sizeof(*fmt))) == NULL)
		return -1;
	for (i = 0; i < nfiles; i++) {
		fmt[i] = forced;
		if (forced == NG_IN_AUTO &&
		    ng_input_detect_file(files[i], &fmt[i], err,
		    sizeof(err)) != 0)
			goto fail;
		if (forced == NG_IN_GEOLITE &&
		    ng_input_detect_file(files[i], &fmt[i], err,
		    sizeof(err)) == 0 && fmt[i] != NG_IN_GEOLOC)
			fmt[i] = NG_IN_GEOLITE;
	}
	if (locations != NULL) {
		if (ng_input_read_file(locations, NG_IN_GEOLOC, lenient,
		    &locs, rows, &st, err, sizeof(err)) != 0)
			goto fail;
		report_source(locations, &st);
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nfiles; i++) {
			if ((fmt[i] == NG_IN_GEOLOC) != (pass == 0))
				continue;
			if (ng_input_read_file(files[i], fmt[i], lenient,
			    &locs, rows, &st, err, sizeof(err)) != 0)
				goto fail;
			report_source(files[i], &st);
		}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, PROG ": %s\n", err);
out:
	ng_geoloc_free(&locs);
	free(fmt);
	return rc;
}

/*
 * build_time - the time stamped into the database: SOURCE_DATE_EPOCH when
 * set, for reproducible builds, else now.
 */
static uint64_t
build_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");

	if (s != NULL && *s >= '0' && *s <= '9')
		return strtoull(s, NULL, 10);
	return (uint64_t)time(NULL);
}

/*
 * cmd_build - nfq-gate-db build: read the sources, compile the database,
 * write it atomically (ng_netdb_write), print the counts.  The exit
 * status.
 */
static int
cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "locations", required_argument, NULL, 'l' },
		{ "lenient", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "overlap", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 }
	};
	struct ng_nrows rows = { NULL, 0, 0, 0, 0 };
	struct ng_build_stats bs;
	enum ng_informat forced = NG_IN_AUTO;
	const char *out = NULL, *locations = NULL;
	char err[512];
	void *image = NULL;
	size_t len;
	int c, lenient = 0, f;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:l:Lo:O:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f':
			if (ng_informat_parse(optarg, &forced) != 0) {
				fprintf(stderr, PROG ": unknown format %s\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case 'l':
			locations = optarg;
			break;
		case 'L':
			lenient = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'O':
			if (strcmp(optarg, "specific") != 0 &&
			    strcmp(optarg, "last") != 0) {
				fprintf(stderr, PROG ": --overlap specific|last"
				    "\n");
				return EX_USAGE;
			}
			rows.last_wins = strcmp(optarg, "last") == 0;
			break;
		default:
			usage();
		}
	}
	if (out == NULL || optind == argc)
		usage();
	if (read_inputs(argv + optind, argc - optind, forced, locations,
	    lenient, &rows) != 0) {
		ng_nrows_free(&rows);
		return 1;
	}
	if (ng_netdb_compile(&rows, build_time(), &image, &len, &bs, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s: %s\n", out, err);
		ng_nrows_free(&rows);
		free(image);
		return 1;
	}
	if (ng_netdb_write(out, image, len, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);	/* it names out */
		ng_nrows_free(&rows);
		free(image);
		return 1;
	}
	for (f = 0; f < 2; f++)
		printf("ipv%d: %llu rows, %llu overlaps resolved (%s), "
		    "%llu ranges, %llu table starts, %llu nodes\n",
		    f == 0 ? 4 : 6,
		    (unsigned long long)bs.rows[f],
		    (unsigned long long)bs.overlaps[f],
		    rows.last_wins ? "later row wins" : "most specific wins",
		    (unsigned long long)bs.ranges[f],
		    (unsigned long long)bs.intervals[f],
		    (unsigned long long)bs.nodes[f]);
	printf("countries: %u\nwrote %s: %zu bytes, crc32 %08x\n",
	    bs.countries, out, bs.bytes, bs.checksum);
	ng_nrows_free(&rows);
	free(image);
	return 0;
}

/* Buffered output of "ADDR CC" lines. */
struct outbuf {
	char *b;
	size_t n;
};

/*
 * out_flush - write the buffered lines to stdout; exit 1 when that fails,
 * as the answers are lost.
 */
static void
out_flush(struct outbuf *o)
{
	if (o->n > 0 && fwrite(o->b, 1, o->n, stdout) != o->n) {
		fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
		exit(1);
	}
	o->n = 0;
}

/*
 * out_answer - buffer one "ADDR CC" line ("ADDR --" for no country); an
 * address too long for the buffer is cut.
 */
static void
out_answer(struct outbuf *o, const char *addr, size_t len, uint16_t cc)
{
	if (o->n + len + 4 > IOBUF)
		out_flush(o);
	if (len + 4 > IOBUF)
		len = IOBUF - 4;
	memcpy(o->b + o->n, addr, len);
	o->n += len;
	o->b[o->n++] = ' ';
	o->b[o->n++] = cc ? (char)(cc >> 8) : '-';
	o->b[o->n++] = cc ? (char)(cc & 0xff) : '-';
	o->b[o->n++] = '\n';
}

/*
 * lookup_one - look one address up, trimmed; blank lines and # comments
 * are skipped.  0, or -1 said on stderr.
 */
static int
lookup_one(const struct ng_netdb *db, struct outbuf *o, char *s, size_t len,
    const char *where, unsigned long line)
{
	struct ng_addr a;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		len--;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0 || *s == '#')
		return 0;
	s[len] = '\0';
	if (ng_addr_parse(&a, s) != 0) {
		out_flush(o);
		fflush(stdout);
		fprintf(stderr, PROG ": %s:%lu: bad address \"%.60s\"\n",
		    where, line, s);
		return -1;
	}
	out_answer(o, s, len, ng_netdb_lookup(db, &a));
	return 0;
}

/*
 * lookup_stdin - addresses one a line from stdin, read in big blocks.  0,
 * or -1 when any line was bad or stdin failed.
 */
static int
lookup_stdin(const struct ng_netdb *db, struct outbuf *o)
{
	char *in = malloc(IOBUF + 1), *p, *nl;
	size_t have = 0, n;
	unsigned long line = 0;
	int bad = 0;

	if (in == NULL)
		return -1;
	for (;;) {
		n = fread(in + have, 1, IOBUF - have, stdin);
		have += n;
		p = in;
		while ((nl = memchr(p, '\n', have - (size_t)(p - in))) != NULL) {
			bad |= lookup_one(db, o, p, (size_t)(nl - p), "stdin",
			    ++line);
			p = nl + 1;
		}
		have -= (size_t)(p - in);
		memmove(in, p, have);
		if (n == 0)
			break;
		if (have == IOBUF) {	/* an endless line: take it whole */
			bad |= lookup_one(db, o, in, have, "stdin", ++line);
			have = 0;
		}
	}
	if (have > 0)
		bad |= lookup_one(db, o, in, have, "stdin", ++line);
	if (ferror(stdin)) {
		fprintf(stderr, PROG ": stdin: %s\n", strerror(errno));
		bad = -1;
	}
	free(in);
	return bad;
}

/* cmd_lookup - nfq-gate-db lookup DB [ADDR...]: the exit status. */
static int
cmd_lookup(int argc, char **argv)
{
	struct ng_netdb *db;
	struct outbuf o;
	char err[512];
	int i, bad = 0;

	if (argc < 2)
		usage();
	if ((db = ng_netdb_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if ((o.b = malloc(IOBUF)) == NULL) {
		ng_netdb_close(db);
		return 1;
	}
	o.n = 0;
	if (argc == 2)
		bad = lookup_stdin(db, &o);
	for (i = 2; i < argc; i++)
		bad |= lookup_one(db, &o, argv[i], strlen(argv[i]),
		    "argument", (unsigned long)i - 1);
	out_flush(&o);
	free(o.b);
	ng_netdb_close(db);
	if (fflush(stdout) != 0)
		return 1;
	return bad ? 1 : 0;
}

/*
 * cmd_info - nfq-gate-db info DB: the header of a database.  The exit
 * status.
 */
static int
cmd_info(int argc, char **argv)
{
	struct ng_netdb *db;
	struct ng_netdb_info in;
	char err[512], when[64];
	time_t t;
	struct tm tm;

	if (argc != 2)
		usage();
	if ((db = ng_netdb_open(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	ng_netdb_get_info(db, &in);
	t = (time_t)in.built;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	printf("file: %s\nversion: %u\nbuilt: %s (%llu)\n"
	    "ranges: ipv4 %llu, ipv6 %llu\ncountries: %u\n"
	    "size: %llu bytes\nchecksum: crc32 %08x\n", argv[1], in.version,
	    when, (unsigned long long)in.built,
	    (unsigned long long)in.ranges4, (unsigned long long)in.ranges6,
	    in.countries, (unsigned long long)in.bytes, in.checksum);
	ng_netdb_close(db);
	return 0;
}

/* main - nfq-gate-db: the subcommand's exit status. */
int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 1, argv + 1);
	if (strcmp(argv[1], "lookup") == 0)
		return cmd_lookup(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return cmd_info(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return ng_db_export_main(argc - 1, argv + 1);
	usage();
	return EX_USAGE;
}
