/*
 * netdb_export.c - "nfq-gate-db export": the database's country ranges as
 * kernel set input, so countries can be dropped in the kernel as well
 * (or instead), without a packet ever reaching the queue.
 *
 *   nft    an "nft -f" file: table inet T, interval sets NAME4/NAME6.
 *          The file adds the table and sets (a no-op when they exist),
 *          flushes them and adds the new elements.  nft applies one file
 *          as one transaction, so a reload swaps the elements with no
 *          moment where the set is empty, and rules using @NAME4 stay.
 *   ipset  "ipset restore" input: hash:net sets NAME4/NAME6 filled under
 *          NAME4-new, then swapped in, so iptables rules using the set
 *          see the old or the new contents, never an empty set.
 *   cidr   one prefix per line.
 *   ranges the selected database ranges as "first,last,CC" lines, the
 *          format "nfq-gate-db build" reads (for checks and diffs).
 *
 * What is selected: --countries or --except (by country; a range with no
 * country is never selected by those), --asn N,... (by AS number) and
 * --owner REGEX (a case-insensitive extended regular expression over the
 * owner string, tried once per distinct owner).  Every filter given must
 * hold; none given selects every range with a country.  With --asn or
 * --owner, the ranges format lists the database's ranges of one record
 * (country, AS number, owner), the country field empty where none.
 *
 * Every prefix list is the minimal cover of the selected addresses: the
 * selected ranges are merged where they touch, then split into the
 * fewest aligned prefixes (cidr_cover.c).  With -o the output goes to a
 * temporary file in the target's directory that is renamed over the
 * target, so a loader never reads a half-written file.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/addr.h"
#include "base/atomic_file.h"
#include "base/cidr.h"
#include "netdb/cidr_cover.h"
#include "netdb/netdb.h"
#include "netdb/netdb_export.h"

#define EXPORT_MAXCC 300	/* more codes than exist */
#define EXPORT_MAXNAME 26	/* ipset: 31 >= NAME + "6" + "-new" */
#define EXPORT_MAXASN 4096

enum export_format { FMT_NFT, FMT_IPSET, FMT_CIDR, FMT_RANGES };

struct export_opts {
	const char *db, *out, *name, *table;
	enum export_format format;
	int family;		/* 4, 6, or 0 for both */
	int except;		/* cc[] lists countries to leave out */
	int verbose;
	uint16_t cc[EXPORT_MAXCC];
	size_t ncc;		/* 0 without --countries/--except: all */
	uint32_t asn[EXPORT_MAXASN];
	size_t nasn;		/* 0 without --asn */
	regex_t owner_re;
	int have_owner;		/* --owner given: owner_re compiled */
	uint8_t *owner_hit;	/* per owner id: 0 untried, 1 match, 2 not */
	const struct ng_netdb *dbh;	/* for the owner strings */
};

struct export_run {
	struct export_opts *o;
	FILE *fp;
	struct ng_cover_merge merge;
	struct ng_cidr_list *list;	/* the family being walked */
	uint64_t ranges;
	int failed;
};

/* export_usage - the export subcommand's usage, on stderr. */
static void
export_usage(void)
{
	fprintf(stderr, "usage: nfq-gate-db export DB --format "
	    "nft|ipset|cidr|ranges\n"
	    "    [--countries CC,... | --except CC,...] [--asn N,...]\n"
	    "    [--owner REGEX] [--family 4|6]\n"
	    "    [--name NAME] [--table TABLE] [-o FILE] [-v]\n");
}

/* parse_asns - the AS number list s ("AS" prefixes allowed) into o->asn. */
static int
parse_asns(struct export_opts *o, const char *s)
{
	const char *p = s;
	unsigned long long v;
	int digits;

	if (o->nasn != 0) {
		fprintf(stderr, "nfq-gate-db export: give --asn once\n");
		return -1;
	}
	for (;;) {
		if ((p[0] == 'A' || p[0] == 'a') &&
		    (p[1] == 'S' || p[1] == 's'))
			p += 2;
		for (v = 0, digits = 0; *p >= '0' && *p <= '9' &&
		    v <= 0xffffffffull; p++, digits++)
			v = v * 10 + (unsigned)(*p - '0');
		if (digits == 0 || v == 0 || v > 0xffffffffull ||
		    (*p != ',' && *p != '\0') || o->nasn == EXPORT_MAXASN) {
			fprintf(stderr, "nfq-gate-db export: --asn %s: want AS "
			    "numbers 1 to 4294967295, comma separated (at "
			    "most %d)\n", s, EXPORT_MAXASN);
			return -1;
		}
		o->asn[o->nasn++] = (uint32_t)v;
		if (*p++ == '\0')
			return 0;
	}
}

/* parse_owner - compile the --owner pattern s. */
static int
parse_owner(struct export_opts *o, const char *s)
{
	char msg[128];
	int e;

	if (o->have_owner) {
		fprintf(stderr, "nfq-gate-db export: give --owner once\n");
		return -1;
	}
	if ((e = regcomp(&o->owner_re, s, REG_EXTENDED | REG_ICASE |
	    REG_NOSUB)) != 0) {
		regerror(e, &o->owner_re, msg, sizeof(msg));
		fprintf(stderr, "nfq-gate-db export: --owner %s: bad pattern: "
		    "%s\n", s, msg);
		return -1;
	}
	o->have_owner = 1;
	return 0;
}

/* parse_countries - the country list s of option opt, into o->cc. */
static int
parse_countries(struct export_opts *o, const char *s, const char *opt)
{
	char code[3];
	const char *p = s;

	if (o->ncc != 0) {
		fprintf(stderr, "nfq-gate-db export: give --countries or "
		    "--except once\n");
		return -1;
	}
	for (;;) {
		if (p[0] == '\0' || p[1] == '\0' ||
		    (p[2] != ',' && p[2] != '\0') || ng_cc_pack(p) == 0 ||
		    o->ncc == EXPORT_MAXCC)
			goto bad;
		o->cc[o->ncc++] = ng_cc_pack(p);
		if (p[2] == '\0')
			return 0;
		p += 3;
	}
bad:
	memcpy(code, p, p[0] && p[1] ? 2 : 1);
	code[p[0] && p[1] ? 2 : 1] = '\0';
	fprintf(stderr, "nfq-gate-db export: %s %s: bad country code near "
	    "\"%s\" (want two letters, comma separated)\n", opt, s, code);
	return -1;
}

/*
 * check_name - refuse s unless it is an identifier nft and ipset both take
 * unquoted, short enough for the set names made of it.
 */
static int
check_name(const char *s, const char *opt)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		    (i > 0 && s[i] >= '0' && s[i] <= '9')))
			break;
	if (n == 0 || i < n || n > EXPORT_MAXNAME) {
		fprintf(stderr, "nfq-gate-db export: %s %s: want a letter or _ "
		    "then letters, digits, _ (at most %d)\n", opt, s,
		    EXPORT_MAXNAME);
		return -1;
	}
	return 0;
}

/* parse_format - set o->format from its name s. */
static int
parse_format(struct export_opts *o, const char *s)
{
	if (strcmp(s, "nft") == 0)
		o->format = FMT_NFT;
	else if (strcmp(s, "ipset") == 0)
		o->format = FMT_IPSET;
	else if (strcmp(s, "cidr") == 0)
		o->format = FMT_CIDR;
	else if (strcmp(s, "ranges") == 0)
		o->format = FMT_RANGES;
	else {
		fprintf(stderr, "nfq-gate-db export: --format %s: want nft, "
		    "ipset, cidr or ranges\n", s);
		return -1;
	}
	return 0;
}

/* parse_opt - one option and its value ("--opt=v" or the next argument). */
static int
parse_opt(struct export_opts *o, const char *opt, const char *val,
    int *have_format)
{
	if (strcmp(opt, "--format") == 0 || strcmp(opt, "-f") == 0) {
		*have_format = 1;
		return parse_format(o, val);
	}
	if (strcmp(opt, "--countries") == 0 || strcmp(opt, "--except") == 0) {
		o->except = strcmp(opt, "--except") == 0;
		return parse_countries(o, val, opt);
	}
	if (strcmp(opt, "--asn") == 0)
		return parse_asns(o, val);
	if (strcmp(opt, "--owner") == 0)
		return parse_owner(o, val);
	if (strcmp(opt, "--family") == 0) {
		if (strcmp(val, "4") != 0 && strcmp(val, "6") != 0) {
			fprintf(stderr, "nfq-gate-db export: --family %s: "
			    "want 4 or 6\n", val);
			return -1;
		}
		o->family = val[0] - '0';
		return 0;
	}
	if (strcmp(opt, "--name") == 0) {
		o->name = val;
		return check_name(val, opt);
	}
	if (strcmp(opt, "--table") == 0) {
		o->table = val;
		return check_name(val, opt);
	}
	if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) {
		o->out = val;
		return 0;
	}
	fprintf(stderr, "nfq-gate-db export: unknown option %s\n", opt);
	return -1;
}

/*
 * parse_args - the export arguments into o: 0, 1 for --help, -1 for an error
 * already reported.
 */
static int
parse_args(struct export_opts *o, int argc, char **argv)
{
	char opt[32];
	const char *a, *eq, *val;
	int i, have_format = 0;

	memset(o, 0, sizeof *o);
	o->name = "geo";
	/* Not nfq_gate: the gate's own rules file deletes that table. */
	o->table = "nfq_geo";
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 1;
		if (a[0] != '-' || a[1] == '\0') {
			if (o->db != NULL) {
				fprintf(stderr, "nfq-gate-db export: one "
				    "database only (%s?)\n", a);
				return -1;
			}
			o->db = a;
			continue;
		}
		eq = strchr(a, '=');
		if (eq != NULL && a[1] == '-' && (size_t)(eq - a) < sizeof opt) {
			memcpy(opt, a, (size_t)(eq - a));
			opt[eq - a] = '\0';
			val = eq + 1;
		} else {
			if (strlen(a) >= sizeof opt || i + 1 >= argc) {
				fprintf(stderr, "nfq-gate-db export: %s: "
				    "unknown or missing its value\n", a);
				return -1;
			}
			snprintf(opt, sizeof opt, "%s", a);
			val = argv[++i];
		}
		if (parse_opt(o, opt, val, &have_format) < 0)
			return -1;
	}
	if (o->db == NULL || !have_format) {
		fprintf(stderr, "nfq-gate-db export: %s\n", o->db == NULL ?
		    "no database given" : "no --format given");
		return -1;
	}
	return 0;
}

/* selected - whether the options export country cc (never country 0). */
static int
selected(const struct export_opts *o, uint16_t cc)
{
	size_t i;

	if (cc == 0)
		return 0;
	for (i = 0; i < o->ncc; i++)
		if (o->cc[i] == cc)
			return !o->except;
	return o->ncc == 0 || o->except;
}

/* where_filters - whether --asn or --owner was given. */
static int
where_filters(const struct export_opts *o)
{
	return o->nasn > 0 || o->have_owner;
}

/* owner_selected - whether owner id k matches --owner (tried once). */
static int
owner_selected(struct export_opts *o, uint32_t k)
{
	const char *s;

	if (k == 0)
		return 0;
	if (o->owner_hit[k] == 0) {
		s = ng_netdb_owner(o->dbh, k);
		o->owner_hit[k] = s != NULL &&
		    regexec(&o->owner_re, s, 0, NULL, 0) == 0 ? 1 : 2;
	}
	return o->owner_hit[k] == 1;
}

/*
 * selected_where - whether the options export a range of w: every filter
 * given holds (the country one only when given).
 */
static int
selected_where(struct export_opts *o, const struct ng_where *w)
{
	size_t i;

	if (o->ncc > 0 && !selected(o, w->cc))
		return 0;
	if (o->nasn > 0) {
		for (i = 0; i < o->nasn && o->asn[i] != w->asn; i++)
			;
		if (w->asn == 0 || i == o->nasn)
			return 0;
	}
	return !o->have_owner || owner_selected(o, w->owner);
}

/* add_prefix - an ng_cover_fn adding one prefix to the family's list. */
static int
add_prefix(const struct ng_addr *net, unsigned plen, void *arg)
{
	struct export_run *r = arg;

	if (ng_cidr_list_add(r->list, net, plen) < 0) {
		fprintf(stderr, "nfq-gate-db export: out of memory\n");
		r->failed = 1;
		return 1;
	}
	return 0;
}

/*
 * take_range - print a selected range of country cc (ranges format) or
 * hand it to the merger.
 */
static int
take_range(struct export_run *r, const struct ng_addr *first,
    const struct ng_addr *last, uint16_t cc)
{
	char a[NG_ADDRSTRLEN], b[NG_ADDRSTRLEN], c[3];

	r->ranges++;
	if (r->o->format == FMT_RANGES) {
		fprintf(r->fp, "%s,%s,%s\n", ng_addr_format(first, a, sizeof a),
		    ng_addr_format(last, b, sizeof b),
		    cc ? ng_cc_str(cc, c) : "");
		return 0;
	}
	if (ng_cover_merge_add(&r->merge, first, last) != 0) {
		if (!r->failed)
			fprintf(stderr, "nfq-gate-db export: %s: ranges out "
			    "of order at %s\n", r->o->db,
			    ng_addr_format(first, a, sizeof a));
		r->failed = 1;
		return 1;
	}
	return 0;
}

/* walk_range - an ng_netdb_walk callback: take a selected country range. */
static int
walk_range(const struct ng_addr *first, const struct ng_addr *last,
    uint16_t cc, void *arg)
{
	struct export_run *r = arg;

	if (!selected(r->o, cc))
		return 0;
	return take_range(r, first, last, cc);
}

/*
 * walk_where - an ng_netdb_walk_where callback: take a range the country,
 * AS and owner filters select.
 */
static int
walk_where(const struct ng_addr *first, const struct ng_addr *last,
    const struct ng_where *w, void *arg)
{
	struct export_run *r = arg;

	if (!selected_where(r->o, w))
		return 0;
	return take_range(r, first, last, w->cc);
}

/* collect_family - the minimal cover of family's selected ranges, into l. */
static int
collect_family(struct export_run *r, const struct ng_netdb *db, int family,
    struct ng_cidr_list *l)
{
	int stop;

	r->list = l;
	ng_cover_merge_init(&r->merge, add_prefix, r);
	stop = where_filters(r->o) ? ng_netdb_walk_where(db, family,
	    walk_where, r) : ng_netdb_walk(db, family, walk_range, r);
	if (stop != 0 || r->failed)
		return -1;
	if (ng_cover_merge_finish(&r->merge) != 0 || r->failed)
		return -1;
	return 0;
}

/* want_family - whether family is to be exported. */
static int
want_family(const struct export_opts *o, int family)
{
	return o->family == 0 || o->family == family;
}

/* put_prefix - one line: lead, the prefix c, tail. */
static void
put_prefix(FILE *fp, const char *lead, const struct ng_cidr *c,
    const char *tail)
{
	char a[NG_ADDRSTRLEN];

	fprintf(fp, "%s%s/%u%s\n", lead, ng_addr_format(&c->net, a, sizeof a),
	    c->plen, tail);
}

/*
 * write_nft_set - the commands that create the interval set NAME4 or NAME6 if
 * need be, flush it and add l's prefixes.
 */
static void
write_nft_set(FILE *fp, const struct export_opts *o, int family,
    const struct ng_cidr_list *l)
{
	size_t i;

	fprintf(fp, "add set inet %s %s%d { type ipv%d_addr; "
	    "flags interval; }\n", o->table, o->name, family, family);
	fprintf(fp, "flush set inet %s %s%d\n", o->table, o->name, family);
	if (l->n == 0)
		return;
	fprintf(fp, "add element inet %s %s%d {\n", o->table, o->name,
	    family);
	for (i = 0; i < l->n; i++)
		put_prefix(fp, "\t", &l->v[i], i + 1 < l->n ? "," : "");
	fprintf(fp, "}\n");
}

/*
 * write_nft - the whole "nft -f" file: the table, then the sets of the
 * families wanted.
 */
static void
write_nft(FILE *fp, const struct export_opts *o,
    const struct ng_cidr_list *l4, const struct ng_cidr_list *l6)
{
	fprintf(fp, "#!/usr/sbin/nft -f\n"
	    "# Written by nfq-gate-db export (%zu IPv4, %zu IPv6 prefixes).\n"
	    "# nft applies this file as one transaction: loading it again\n"
	    "# replaces the elements with no moment where a set is empty,\n"
	    "# and rules using the sets stay in place.\n", l4->n, l6->n);
	fprintf(fp, "add table inet %s\n", o->table);
	if (want_family(o, 4))
		write_nft_set(fp, o, 4, l4);
	if (want_family(o, 6))
		write_nft_set(fp, o, 6, l6);
}

/* pow2_at_least - floor doubled until it reaches n (or 2^30). */
static unsigned long
pow2_at_least(unsigned long n, unsigned long floor)
{
	unsigned long p = floor;

	while (p < n && p < (1UL << 30))
		p <<= 1;
	return p;
}

/*
 * put_ipset_add - the "add" line for c into set.  hash:net cannot hold /0; two
 * halves cover the same addresses.
 */
static void
put_ipset_add(FILE *fp, const char *set, const struct ng_cidr *c)
{
	struct ng_cidr half;
	char lead[64];

	snprintf(lead, sizeof lead, "add %s ", set);
	if (c->plen != 0) {
		put_prefix(fp, lead, c, "");
		return;
	}
	half = *c;
	half.plen = 1;
	put_prefix(fp, lead, &half, "");
	half.net.b[0] = 0x80;
	put_prefix(fp, lead, &half, "");
}

/*
 * write_ipset_set - fill NAME4 or NAME6 through NAME<family>-new and a swap,
 * sized for l.
 */
static void
write_ipset_set(FILE *fp, const struct export_opts *o, int family,
    const struct ng_cidr_list *l)
{
	char set[40], params[96];
	unsigned long n = (unsigned long)l->n + 1;
	size_t i;

	snprintf(set, sizeof set, "%s%d", o->name, family);
	snprintf(params, sizeof params, "hash:net family %s hashsize %lu "
	    "maxelem %lu", family == 4 ? "inet" : "inet6",
	    pow2_at_least(n / 2, 1024), pow2_at_least(n, 65536));
	/* -exist and flush: a NAME-new left by an interrupted load is reused. */
	fprintf(fp, "create %s-new %s -exist\nflush %s-new\n", set, params,
	    set);
	for (i = 0; i < l->n; i++) {
		char newset[48];

		snprintf(newset, sizeof newset, "%s-new", set);
		put_ipset_add(fp, newset, &l->v[i]);
	}
	fprintf(fp, "create %s %s -exist\nswap %s-new %s\ndestroy %s-new\n",
	    set, params, set, set, set);
}

/* write_ipset - the "ipset restore" input for the families wanted. */
static void
write_ipset(FILE *fp, const struct export_opts *o,
    const struct ng_cidr_list *l4, const struct ng_cidr_list *l6)
{
	if (want_family(o, 4))
		write_ipset_set(fp, o, 4, l4);
	if (want_family(o, 6))
		write_ipset_set(fp, o, 6, l6);
}

/* write_cidr - l's prefixes, one a line. */
static void
write_cidr(FILE *fp, const struct ng_cidr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		put_prefix(fp, "", &l->v[i], "");
}

/*
 * export_run - collect each wanted family's selected ranges and write them to
 * fp in the chosen format.
 */
static int
export_run(struct export_opts *o, const struct ng_netdb *db, FILE *fp)
{
	struct export_run r;
	struct ng_cidr_list l4, l6;
	int rc = -1;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.fp = fp;
	ng_cidr_list_init(&l4);
	ng_cidr_list_init(&l6);
	if (want_family(o, 4) && collect_family(&r, db, 4, &l4) < 0)
		goto out;
	if (want_family(o, 6) && collect_family(&r, db, 6, &l6) < 0)
		goto out;
	if (o->format == FMT_NFT)
		write_nft(fp, o, &l4, &l6);
	else if (o->format == FMT_IPSET)
		write_ipset(fp, o, &l4, &l6);
	else if (o->format == FMT_CIDR) {
		write_cidr(fp, &l4);
		write_cidr(fp, &l6);
	}
	if (o->verbose)
		fprintf(stderr, "export: %llu ranges, %zu IPv4 and %zu IPv6 "
		    "prefixes\n", (unsigned long long)r.ranges, l4.n, l6.n);
	rc = 0;
out:
	ng_cidr_list_free(&l4);
	ng_cidr_list_free(&l6);
	return rc;
}

/* The arguments of export_fill. */
struct export_job {
	struct export_opts *o;
	const struct ng_netdb *db;
};

/* export_fill - export_run as the fill of ng_atomic_write_fp */
static int
export_fill(FILE *fp, void *arg)
{
	const struct export_job *j = arg;

	return export_run(j->o, j->db, fp);
}

/* export_stdout - export_run to stdout, a failed write said */
static int
export_stdout(struct export_opts *o, const struct ng_netdb *db)
{
	int rc = export_run(o, db, stdout);

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "nfq-gate-db export: writing: %s\n",
		    strerror(errno ? errno : EIO));
		return -1;
	}
	return rc;
}

/*
 * export_out - the export to stdout, or to -o FILE replaced atomically
 * (base/atomic_file.h), so a loader never reads half a file.  The
 * temporary file has a name of its own (NG_ATOMIC_UNIQUE): a cron job
 * and an admin may export to one file at once.  0, or -1 said.
 */
static int
export_out(struct export_opts *o, const struct ng_netdb *db)
{
	struct export_job j = { o, db };
	char err[512];

	if (o->out == NULL || strcmp(o->out, "-") == 0)
		return export_stdout(o, db);
	if (ng_atomic_write_fp(o->out, 0644, NG_ATOMIC_UNIQUE, export_fill,
	    &j, err, sizeof err) == 0)
		return 0;
	if (err[0] != '\0')	/* "": export_run has said why */
		fprintf(stderr, "nfq-gate-db export: %s\n", err);
	return -1;
}

/*
 * ng_db_export_main - "nfq-gate-db export": parse the arguments, open the
 * database, write the export; the exit status.
 */
int
ng_db_export_main(int argc, char **argv)
{
	struct export_opts o;
	struct ng_netdb *db;
	char err[256];
	int rc;

	if ((rc = parse_args(&o, argc, argv)) != 0) {
		export_usage();
		if (o.have_owner)
			regfree(&o.owner_re);
		return rc > 0 ? 0 : 64;	/* EX_USAGE */
	}
	if ((db = ng_netdb_open(o.db, err, sizeof err)) == NULL) {
		fprintf(stderr, "nfq-gate-db export: %s\n", err);
		rc = -1;
		goto out;
	}
	o.dbh = db;
	if (o.have_owner && (o.owner_hit = calloc((size_t)ng_netdb_owners(db)
	    + 1, 1)) == NULL) {
		fprintf(stderr, "nfq-gate-db export: out of memory\n");
		rc = -1;
	} else {
		rc = export_out(&o, db);
	}
	ng_netdb_close(db);
out:
	free(o.owner_hit);
	if (o.have_owner)
		regfree(&o.owner_re);
	return rc == 0 ? 0 : 1;
}
