/*
 * netdb_in_ip2l.c - IP2Location LITE DB1 CSV:
 *   "16777216","16777471","US","United States of America"
 * Addresses are quoted decimal integers, up to 39 digits in the IPv6
 * file.  There, rows inside ::ffff:0:0/96 are IPv4-mapped and go to
 * IPv4; "-" means no country.  A row whose end fits in 32 bits is IPv4
 * (the IPv6 file's only such row, ::/96..., has no country).
 */
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

#define MAPPED_LO ((ng_u128)0xffff << 32)
#define MAPPED_HI (MAPPED_LO | 0xffffffffu)

/*
 * decimal - s, an unsigned decimal, as a 128-bit value; -1 on junk or
 * overflow.
 */
static int
decimal(const char *s, ng_u128 *v)
{
	ng_u128 x = 0, max = ~(ng_u128)0;
	int d;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (x > (max - (ng_u128)d) / 10)
			return -1;
		x = x * 10 + (ng_u128)d;
	}
	*v = x;
	return 0;
}

/* qfield - cut the next field: a quoted string, then a comma or the end. */
static char *
qfield(char **sp)
{
	char *s = *sp, *e;

	if (s == NULL || *s != '"' || (e = strchr(s + 1, '"')) == NULL)
		return NULL;
	*e = '\0';
	if (e[1] == ',')
		*sp = e + 2;
	else if (e[1] == '\0')
		*sp = NULL;
	else
		return NULL;
	return s + 1;
}

/* ip2l_line - add the row of one line, an IPv4-mapped row as IPv4. */
static int
ip2l_line(struct ng_in *in, char *line)
{
	char *s = line, *a, *b, *cc;
	ng_u128 lo, hi;
	int family = 4;

	if ((a = qfield(&s)) == NULL || (b = qfield(&s)) == NULL ||
	    (cc = qfield(&s)) == NULL)
		return ng_in_bad(in, "want \"from\",\"to\",\"CC\",...");
	if (decimal(a, &lo) != 0 || decimal(b, &hi) != 0)
		return ng_in_bad(in, "bad number \"%s\" or \"%s\"", a, b);
	if (hi < lo)
		return ng_in_bad(in, "range end before its start");
	if (strcmp(cc, "-") == 0) {
		in->st->nocountry++;
		return 0;
	}
	if (strlen(cc) != 2 || ng_cc_pack(cc) == 0)
		return ng_in_bad(in, "bad country \"%s\"", cc);
	if (hi > 0xffffffffu) {
		family = 6;
		if (lo >= MAPPED_LO && lo <= MAPPED_HI) {
			if (hi > MAPPED_HI)
				return ng_in_bad(in, "row crosses the end of "
				    "::ffff:0:0/96");
			lo -= MAPPED_LO;
			hi -= MAPPED_LO;
			family = 4;
		}
	}
	return ng_in_add(in, family, lo, hi, ng_cc_pack(cc));
}

/* ng_in_ip2l - read IP2Location lines, skipping blanks and # comments. */
int
ng_in_ip2l(struct ng_in *in)
{
	char *line;
	int r;

	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0' || *line == '#')
			continue;
		if (ip2l_line(in, line) != 0)
			return -1;
	}
	return r;
}
