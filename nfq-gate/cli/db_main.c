/*
 * db_main.c - nfq-gate-db: build, query and export the netblock database
 * (country, AS number, owner) that the gate loads.
 *
 *   nfq-gate-db build -o OUT [--format F] [--locations FILE] [--lenient]
 *               [--overlap specific|last] FILE...
 *   nfq-gate-db lookup [--json] DB [ADDR...]  (no ADDR: one a line on stdin)
 *   nfq-gate-db info DB
 *   nfq-gate-db export ...               (netdb_export.c)
 *
 * Where rows overlap, the most specific wins by default (the row starting
 * last, then the narrowest, then the later source and line); with
 * --overlap last, the later row in input order wins, which is how MMDB
 * writers apply a CSV.  The two differ only where a source lists a
 * block after a narrower block nested in it.
 *
 * Each field (country, AS number, owner) is resolved on its own over the
 * rows that give it, so sources of different kinds combine.
 *
 * Lookups print "ADDR CC ASN OWNER": CC a country code, ASN as "AS4134",
 * OWNER the rest of the line; "--" for each field no row gives.  With
 * --json, one object a line: {"addr":..,"country":..,"asn":..,"owner":..}
 * (country and owner strings or null, asn a number or null).  Bulk
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
	    "geolite2|asn]\n"
	    "           [--locations FILE] [--lenient] [--overlap specific|last]"
	    " FILE...\n"
	    "       " PROG " lookup [--json] DB [ADDR...]\n"
	    "       " PROG " info DB\n"
	    "       " PROG " export DB --format nft|ipset|cidr|ranges\n"
	    "           [--countries CC,... | --except CC,...] [--asn N,...]\n"
	    "           [--owner REGEX] [--family 4|6]\n"
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
	for (i = 0; i < 2; i++)
		if (st->rows[i] > 0)
			printf("%sipv%d %llu/%llu/%llu",
			    i == 0 || st->rows[0] == 0 ?
			    "; with country/asn/owner: " : ", ", i == 0 ? 4 : 6,
			    (unsigned long long)st->fields[i][NG_FIELD_CC],
			    (unsigned long long)st->fields[i][NG_FIELD_ASN],
			    (unsigned long long)st->fields[i][NG_FIELD_OWNER]);
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
			if (fmt[i] != NG_IN_GEOLOC &&
			    ng_nrows_add_source(rows, files[i],
			    ng_informat_name(st.format),
			    (const uint64_t (*)[3])st.fields) != 0) {
				snprintf(err, sizeof(err), "%s: out of memory "
				    "or more than %d sources", files[i],
				    NG_NETDB_MAXSRC);
				goto fail;
			}
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
	struct ng_nrows rows = { .v = NULL };
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
	printf("countries: %u\nAS numbers: %u\nowners: %u\nrecords: %u\n"
	    "wrote %s: %zu bytes, crc32 %08x\n", bs.countries, bs.asns,
	    bs.owners, bs.records, out, bs.bytes, bs.checksum);
	ng_nrows_free(&rows);
	free(image);
	return 0;
}

/* Buffered output of answer lines. */
struct outbuf {
	char *b;
	size_t n;
	int json;
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

/* out_str - append n bytes of s (the caller made room). */
static void
out_str(struct outbuf *o, const char *s, size_t n)
{
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

/* utf8_len - the length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ?
	    3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
	    (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) ||
	    (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/*
 * out_json_str - append s as a JSON string (at most 6 bytes out per byte
 * in): quote, backslash and control bytes escaped, bytes that are not
 * UTF-8 as U+FFFD.
 */
static void
out_json_str(struct outbuf *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t n;

	o->b[o->n++] = '"';
	while (*p) {
		if (*p == '"' || *p == '\\') {
			o->b[o->n++] = '\\';
			o->b[o->n++] = (char)*p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p++);
			out_str(o, esc, 6);
		} else if ((n = utf8_len(p)) == 0) {
			out_str(o, "\\ufffd", 6);
			p++;
		} else {
			out_str(o, (const char *)p, n);
			p += n;
		}
	}
	o->b[o->n++] = '"';
}

/*
 * out_answer - buffer one answer for the address text addr: "ADDR CC ASN
 * OWNER" ("--" for each field unknown) or a JSON object.  An address too
 * long for the buffer is cut.
 */
static void
out_answer(struct outbuf *o, const struct ng_netdb *db, const char *addr,
    size_t len, const struct ng_where *w)
{
	const char *owner = ng_netdb_owner(db, w->owner);
	char num[48], cc[3], text[260];
	size_t need;

	if (len > 256)
		len = 256;	/* a valid address is never this long */
	need = 6 * len + 6 * NG_OWNER_MAX + 128;
	if (o->n + need > IOBUF)
		out_flush(o);
	ng_cc_str(w->cc, cc);
	if (!o->json) {
		out_str(o, addr, len);
		if (w->asn)
			snprintf(num, sizeof(num), " %s AS%u ",
			    w->cc ? cc : "--", w->asn);
		else
			snprintf(num, sizeof(num), " %s -- ",
			    w->cc ? cc : "--");
		out_str(o, num, strlen(num));
		out_str(o, owner ? owner : "--", owner ? strlen(owner) : 2);
		o->b[o->n++] = '\n';
		return;
	}
	memcpy(text, addr, len);
	text[len] = '\0';
	out_str(o, "{\"addr\":", 8);
	out_json_str(o, text);
	out_str(o, ",\"country\":", 11);
	if (w->cc)
		out_json_str(o, cc);
	else
		out_str(o, "null", 4);
	if (w->asn)
		snprintf(num, sizeof(num), ",\"asn\":%u,\"owner\":", w->asn);
	else
		snprintf(num, sizeof(num), ",\"asn\":null,\"owner\":");
	out_str(o, num, strlen(num));
	if (owner)
		out_json_str(o, owner);
	else
		out_str(o, "null", 4);
	out_str(o, "}\n", 2);
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
	struct ng_where w;

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
	ng_netdb_find(db, &a, &w);
	out_answer(o, db, s, len, &w);
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

/*
 * cmd_lookup - nfq-gate-db lookup [--json] DB [ADDR...]: the exit status.
 * --json may come anywhere before the first address.
 */
static int
cmd_lookup(int argc, char **argv)
{
	struct ng_netdb *db;
	struct outbuf o;
	char err[512];
	int i, bad = 0, json = 0;

	while (argc >= 2 && strcmp(argv[1], "--json") == 0) {
		json = 1;
		argv++;
		argc--;
	}
	if (argc >= 3 && strcmp(argv[2], "--json") == 0) {
		json = 1;
		argv[2] = argv[1];
		argv++;
		argc--;
	}
	if (argc < 2 || argv[1][0] == '-')
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
	o.json = json;
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
 * print_sources - the "source NAME: FORMAT, ..." lines of info: the rows
 * each source gave, per family, with a country, an AS number, an owner.
 */
static void
print_sources(const struct ng_netdb *db)
{
	struct ng_netdb_source s;
	size_t i;
	int f;

	for (i = 0; ng_netdb_source(db, i, &s) == 0; i++) {
		printf("source %s: %s", s.name, s.format);
		for (f = 0; f < 2; f++)
			printf(", ipv%d country/asn/owner %llu/%llu/%llu",
			    f == 0 ? 4 : 6, (unsigned long long)s.rows[f][0],
			    (unsigned long long)s.rows[f][1],
			    (unsigned long long)s.rows[f][2]);
		printf("\n");
	}
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
	int f;

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
	    "ranges: ipv4 %llu, ipv6 %llu\n", argv[1], in.version,
	    when, (unsigned long long)in.built,
	    (unsigned long long)in.ranges4, (unsigned long long)in.ranges6);
	for (f = 0; f < 2; f++)
		printf("ipv%d ranges with: country %llu, asn %llu, "
		    "owner %llu\n", f == 0 ? 4 : 6,
		    (unsigned long long)in.fields[f][0],
		    (unsigned long long)in.fields[f][1],
		    (unsigned long long)in.fields[f][2]);
	print_sources(db);
	printf("countries: %u\nAS numbers: %u\nowners: %u\n"
	    "records: %u (%s slices)\nsize: %llu bytes\n"
	    "checksum: crc32 %08x\n", in.countries, in.asns, in.owners,
	    in.records, in.wide ? "64-bit" : "32-bit",
	    (unsigned long long)in.bytes, in.checksum);
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
