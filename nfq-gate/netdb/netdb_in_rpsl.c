/*
 * netdb_in_rpsl.c - RPSL whois database dumps (RIPE, APNIC, AFRINIC
 * split files such as ripe.db.inetnum): objects of "attribute: value"
 * lines separated by blank lines, continuation lines starting with a
 * blank or '+', comments starting with '%' or '#'.  An inetnum
 * ("a - b") or inet6num ("prefix/len") object gives a range; its first
 * country: attribute gives the country.  Other objects are counted and
 * skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

struct obj {
	int kind;		/* 0 none yet, 4 inetnum, 6 inet6num, -1 other */
	char net[128];
	char cc[8];
	int have_cc;
	unsigned long line;	/* where the object began */
};

/*
 * obj_range - the range of o's inetnum or inet6num: 1, or ng_in_bad's value.
 */
static int
obj_range(struct ng_in *in, struct obj *o, ng_u128 *lo, ng_u128 *hi)
{
	char *dash, *a = o->net, *b;
	struct ng_addr n;
	unsigned plen;
	int fa, fb;

	if (o->kind == 6) {
		if (ng_addr_parse_cidr(&n, &plen, a) != 0 || n.family != 6)
			return ng_in_bad(in, "bad inet6num \"%s\"", a);
		*lo = ng_u128_from_addr(&n);
		*hi = *lo | (plen == 0 ? ~(ng_u128)0 :
		    ((ng_u128)1 << (128 - plen)) - 1);
		return 1;
	}
	if ((dash = strchr(a, '-')) == NULL)
		return ng_in_bad(in, "bad inetnum \"%s\"", a);
	*dash = '\0';
	a = ng_trim(a);
	b = ng_trim(dash + 1);
	if (ng_in_parse_addr(a, &fa, lo) != 0 || fa != 4 ||
	    ng_in_parse_addr(b, &fb, hi) != 0 || fb != 4)
		return ng_in_bad(in, "bad inetnum \"%s - %s\"", a, b);
	return 1;
}

/*
 * obj_end - add the finished object and start afresh; lines are reported where
 * the object began.
 */
static int
obj_end(struct ng_in *in, struct obj *o)
{
	unsigned long now = in->lines.lineno;
	ng_u128 lo, hi;
	int r = 0;

	if (o->kind == 4 || o->kind == 6) {
		in->lines.lineno = o->line;
		if (!o->have_cc) {
			in->st->nocountry++;
		} else if ((r = obj_range(in, o, &lo, &hi)) == 1) {
			if (ng_cc_pack(o->cc) == 0 || strlen(o->cc) != 2)
				r = ng_in_bad(in, "bad country \"%s\"", o->cc);
			else
				r = ng_in_add(in, o->kind, lo, hi,
				    ng_cc_pack(o->cc));
		}
		in->lines.lineno = now;
	} else if (o->kind != 0) {
		in->st->other++;
	}
	memset(o, 0, sizeof(*o));
	return r;
}

/*
 * obj_attr - take one "attribute: value" line: the object's first names its
 * kind, and its first country: its country.
 */
static int
obj_attr(struct ng_in *in, struct obj *o, char *line)
{
	char *colon = strchr(line, ':'), *v, *hash;

	if (colon == NULL || colon == line)
		return ng_in_bad(in, "not an attribute line");
	*colon = '\0';
	v = colon + 1;
	if ((hash = strchr(v, '#')) != NULL)
		*hash = '\0';
	v = ng_trim(v);
	if (o->kind == 0) {
		o->line = in->lines.lineno;
		if (strcmp(line, "inetnum") == 0)
			o->kind = 4;
		else if (strcmp(line, "inet6num") == 0)
			o->kind = 6;
		else
			o->kind = -1;
		if (o->kind > 0)
			snprintf(o->net, sizeof(o->net), "%s", v);
	} else if (strcmp(line, "country") == 0 && !o->have_cc) {
		snprintf(o->cc, sizeof(o->cc), "%s", v);
		o->have_cc = 1;
	}
	return 0;
}

/* ng_in_rpsl - read an RPSL dump, object by object. */
int
ng_in_rpsl(struct ng_in *in)
{
	struct obj o;
	char *line;
	int r;

	memset(&o, 0, sizeof(o));
	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '%' || *line == '#')
			continue;
		if (*ng_trim(line) == '\0') {
			if (obj_end(in, &o) != 0)
				return -1;
			continue;
		}
		if (*line == ' ' || *line == '\t' || *line == '+')
			continue;	/* continuation */
		if (obj_attr(in, &o, line) != 0)
			return -1;
	}
	if (r < 0 || obj_end(in, &o) != 0)
		return -1;
	return 0;
}
