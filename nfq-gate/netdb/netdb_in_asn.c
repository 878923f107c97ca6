/*
 * netdb_in_asn.c - "start,end,asn,organisation" lines (the ip-location-db
 * asn layout, from RouteViews and DB-IP): inclusive ranges in text
 * form, IPv4 and IPv6 possibly in one file, each with its AS number and
 * the AS's organisation, which becomes the range's owner.  The
 * organisation is quoted when it holds a comma, "" inside quotes being
 * a quote; spaces and tabs around it are dropped, inside the quotes too.
 * An empty organisation gives the AS number alone.  A first
 * line whose start is no address is taken for a header.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

/*
 * parse_asn - the AS number s ("AS" prefix allowed): 1..4294967295; -1 for
 * anything else.
 */
static int
parse_asn(const char *s, uint32_t *asn)
{
	unsigned long long v = 0;
	const char *p = s;

	if ((p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's'))
		p += 2;
	if (*p == '\0')
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 0xffffffffull)
			return -1;
	}
	if (v == 0)
		return -1;
	*asn = (uint32_t)v;
	return 0;
}

/*
 * check_owner - whether the organisation s may be an owner string: at most
 * NG_OWNER_MAX bytes, no control bytes (an owner goes into logs and mail
 * headers).  NULL, or the reason it may not.
 */
static const char *
check_owner(const char *s)
{
	size_t i, n = strlen(s);

	if (n > NG_OWNER_MAX)
		return "organisation longer than the limit";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control character in organisation";
	return NULL;
}

/*
 * trim_blanks - s without the spaces and tabs around it, quoted or not: a
 * few organisations upstream end in a blank inside their quotes.
 */
static char *
trim_blanks(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* asn_line - add the row of one "start,end,asn,organisation" line. */
static int
asn_line(struct ng_in *in, char *line, int first)
{
	char *f[5];
	const char *why;
	int n, fa, fb;
	ng_u128 lo, hi;
	uint32_t asn;

	if ((n = ng_csv_split(line, f, 5)) < 0)
		return ng_in_bad(in, "unterminated quote or text after a "
		    "closing quote");
	if (ng_in_parse_addr(f[0], &fa, &lo) != 0) {
		if (first && strchr(f[0], '.') == NULL &&
		    strchr(f[0], ':') == NULL)
			return 0;	/* a header */
		return ng_in_bad(in, "bad start address \"%.60s\"", f[0]);
	}
	if (n != 4)
		return ng_in_bad(in, "want start,end,asn,organisation (%d "
		    "fields)", n);
	if (ng_in_parse_addr(f[1], &fb, &hi) != 0 || fb != fa)
		return ng_in_bad(in, "bad end address \"%.60s\"", f[1]);
	if (parse_asn(f[2], &asn) != 0)
		return ng_in_bad(in, "bad AS number \"%.20s\" (want 1 to "
		    "4294967295)", f[2]);
	f[3] = trim_blanks(f[3]);
	if ((why = check_owner(f[3])) != NULL)
		return ng_in_bad(in, "%s (%zu bytes, at most %d)", why,
		    strlen(f[3]), NG_OWNER_MAX);
	return ng_in_add_fields(in, fa, lo, hi, NG_NROW_ASN |
	    (*f[3] != '\0' ? NG_NROW_OWNER : 0), 0, asn, f[3]);
}

/* ng_in_asn - read asn lines, skipping blanks and # comments. */
int
ng_in_asn(struct ng_in *in)
{
	char *line;
	int r, first = 1;

	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0' || *line == '#')
			continue;
		if (asn_line(in, line, first) != 0)
			return -1;
		first = 0;
	}
	return r;
}
