/*
 * netdb_in_csv.c - "start,end,CC" lines (ip-location-db, DB-IP lite):
 * inclusive ranges in text form, IPv4 and IPv6 possibly in one file.
 * Fields may be quoted and extra fields are ignored; a first line whose
 * start is no address is taken for a header.
 */
#include <stdio.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

/* field - cut the next comma-separated field, without quotes and blanks. */
static char *
field(char **sp)
{
	char *s = *sp, *c, *f;
	size_t n;

	if (s == NULL)
		return NULL;
	if ((c = strchr(s, ',')) != NULL) {
		*c = '\0';
		*sp = c + 1;
	} else {
		*sp = NULL;
	}
	f = ng_trim(s);
	n = strlen(f);
	if (n >= 2 && f[0] == '"' && f[n - 1] == '"') {
		f[n - 1] = '\0';
		f++;
	}
	return f;
}

/*
 * csv_line - add the row of one "start,end,CC" line; on the first line, a
 * start that is no address marks a header.
 */
static int
csv_line(struct ng_in *in, char *line, int first)
{
	char *s = line, *a, *b, *cc;
	int fa, fb;
	ng_u128 lo, hi;

	a = field(&s);
	b = field(&s);
	cc = field(&s);
	if (ng_in_parse_addr(a, &fa, &lo) != 0) {
		if (first && strchr(a, '.') == NULL && strchr(a, ':') == NULL)
			return 0;	/* a header */
		return ng_in_bad(in, "bad start address \"%s\"", a);
	}
	if (b == NULL || cc == NULL)
		return ng_in_bad(in, "want start,end,country");
	if (ng_in_parse_addr(b, &fb, &hi) != 0 || fb != fa)
		return ng_in_bad(in, "bad end address \"%s\"", b);
	if (*cc == '\0' || strcmp(cc, "-") == 0) {
		in->st->nocountry++;
		return 0;
	}
	if (strlen(cc) != 2 || ng_cc_pack(cc) == 0)
		return ng_in_bad(in, "bad country \"%s\"", cc);
	return ng_in_add(in, fa, lo, hi, ng_cc_pack(cc));
}

/* ng_in_csv - read "start,end,CC" lines, skipping blanks and # comments. */
int
ng_in_csv(struct ng_in *in)
{
	char *line;
	int r, first = 1;

	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0' || *line == '#')
			continue;
		if (csv_line(in, line, first) != 0)
			return -1;
		first = 0;
	}
	return r;
}
