/*
 * netdb_in_rpsl.c - RPSL whois database dumps (RIPE, APNIC, AFRINIC
 * split files such as ripe.db.inetnum): objects of "attribute: value"
 * lines separated by blank lines, continuation lines starting with a
 * blank or '+', comments starting with '%' or '#'.  An inetnum
 * ("a - b") or inet6num ("prefix/len") object gives a range; its first
 * country: attribute gives the country, and its netname:, descr: and
 * org: attributes (continuation lines included) its owner, as
 *   NETNAME: descr, more descr (ORG-ID)
 * (the descr: lines and their continuations joined with ", " and " ";
 * a part missing is left out with its punctuation; blanks squeezed,
 * control bytes made blanks, cut to NG_OWNER_MAX bytes at a character
 * boundary).  Other objects are counted and skipped.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

#define OWNER_PART 1024	/* bytes kept of each owner attribute */

struct obj {
	int kind;		/* 0 none yet, 4 inetnum, 6 inet6num, -1 other */
	char net[128];
	char cc[8];
	int have_cc;
	unsigned long line;	/* where the object began */
	char netname[OWNER_PART], descr[OWNER_PART], org[OWNER_PART];
	char *cont;		/* where continuation lines go, or NULL */
};

/*
 * part_add - append the value v to the owner part p (sep before it when p
 * is not empty), blanks squeezed and control bytes made blanks; what does
 * not fit OWNER_PART is dropped.
 */
static void
part_add(char *p, const char *sep, const char *v)
{
	size_t n = strlen(p);
	int blank = n == 0;

	if (*v == '\0')
		return;
	if (n > 0) {
		while (*sep && n + 1 < OWNER_PART)
			p[n++] = *sep++;
		blank = 1;
	}
	for (; *v && n + 1 < OWNER_PART; v++) {
		int b = (unsigned char)*v <= ' ' || *v == 0x7f;

		if (b && blank)
			continue;
		p[n++] = b ? ' ' : *v;
		blank = b;
	}
	while (n > 0 && p[n - 1] == ' ')
		n--;
	p[n] = '\0';
}

/*
 * obj_owner - the owner string of o into buf (at most NG_OWNER_MAX bytes,
 * cut before a UTF-8 continuation byte); empty when o has none.
 */
static void
obj_owner(const struct obj *o, char *buf, size_t len)
{
	const char *part[6];
	size_t n = 0, i, k;

	part[0] = o->netname;
	part[1] = *o->netname && *o->descr ? ": " : "";
	part[2] = o->descr;
	part[3] = *o->org && (*o->netname || *o->descr) ? " (" :
	    *o->org ? "(" : "";
	part[4] = o->org;
	part[5] = *o->org ? ")" : "";
	for (i = 0; i < 6; i++)
		for (k = 0; part[i][k] && n + 1 < len; k++)
			buf[n++] = part[i][k];
	buf[n] = '\0';
	if (n > NG_OWNER_MAX) {
		n = NG_OWNER_MAX;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		buf[n] = '\0';
	}
}

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
	char owner[NG_OWNER_MAX + 8];
	unsigned fields = 0;
	ng_u128 lo, hi;
	int r = 0;

	if (o->kind == 4 || o->kind == 6) {
		in->lines.lineno = o->line;
		obj_owner(o, owner, sizeof(owner));
		if (*owner != '\0')
			fields |= NG_NROW_OWNER;
		if (o->have_cc && (ng_cc_pack(o->cc) == 0 ||
		    strlen(o->cc) != 2))
			r = ng_in_bad(in, "bad country \"%s\"", o->cc);
		else if (o->have_cc)
			fields |= NG_NROW_CC;
		if (r == 0 && fields == 0)
			in->st->nocountry++;
		else if (r == 0 && (r = obj_range(in, o, &lo, &hi)) == 1)
			r = ng_in_add_fields(in, o->kind, lo, hi, fields,
			    fields & NG_NROW_CC ? ng_cc_pack(o->cc) : 0, 0,
			    owner);
		in->lines.lineno = now;
	} else if (o->kind != 0) {
		in->st->other++;
	}
	memset(o, 0, sizeof(*o));
	return r;
}

/*
 * obj_attr - take one "attribute: value" line: the object's first names its
 * kind, its first country: its country, netname:, descr: and org: its owner.
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
	o->cont = NULL;
	if (o->kind > 0) {
		if (strcmp(line, "netname") == 0)
			o->cont = o->netname;
		else if (strcmp(line, "descr") == 0)
			o->cont = o->descr;
		else if (strcmp(line, "org") == 0)
			o->cont = o->org;
		if (o->cont != NULL)
			part_add(o->cont, o->cont == o->descr ? ", " : " ", v);
	}
	return 0;
}

/*
 * obj_cont - a continuation line (after its blank or '+'): more of the
 * owner attribute before it, if that was one.
 */
static void
obj_cont(struct obj *o, char *line)
{
	char *hash;

	if (o->cont == NULL)
		return;
	if ((hash = strchr(line + 1, '#')) != NULL)
		*hash = '\0';
	part_add(o->cont, " ", line + 1);
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
		if (*line == ' ' || *line == '\t' || *line == '+') {
			obj_cont(&o, line);
			continue;
		}
		if (obj_attr(in, &o, line) != 0)
			return -1;
	}
	if (r < 0 || obj_end(in, &o) != 0)
		return -1;
	return 0;
}
