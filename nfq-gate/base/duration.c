/*
 * duration.c - parse "6s", "0.5", "250ms", "1w" (see duration.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/duration.h"

#define FRAC_ONE 1000000ULL	/* the fraction is kept in millionths */

static const struct unit {
	const char *name;
	ng_usec mul;
} units[] = {
	{ "", NG_USEC_PER_SEC }, { "s", NG_USEC_PER_SEC }, { "ms", 1000 },
	{ "m", 60 * NG_USEC_PER_SEC }, { "h", 3600 * NG_USEC_PER_SEC },
	{ "d", 86400 * NG_USEC_PER_SEC }, { "w", 7 * 86400 * NG_USEC_PER_SEC }
};

/* is_digit - '0' to '9' only, whatever the locale says */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* unit_mul - microseconds in the unit named s, or 0 when s is none */
static ng_usec
unit_mul(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(s, units[i].name) == 0)
			return units[i].mul;
	return 0;
}

/*
 * ng_parse_duration - a duration in microseconds.  The whole part is
 * checked against the maximum digit by digit, so it cannot wrap; the
 * fraction is below a million, and a million times the largest unit
 * fits 64 bits, so frac * mul cannot wrap either.
 */
int
ng_parse_duration(const char *s, ng_usec *out)
{
	ng_usec whole = 0, frac = 0, scale = FRAC_ONE, mul, v;

	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++) {
		whole = whole * 10 + (ng_usec)(*s - '0');
		if (whole > NG_DURATION_MAX)
			return -1;
	}
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			if (scale >= 10) {
				scale /= 10;
				frac += (ng_usec)(*s - '0') * scale;
			}
	if ((mul = unit_mul(s)) == 0 || whole > NG_DURATION_MAX / mul)
		return -1;
	v = whole * mul + frac * mul / FRAC_ONE;
	if (v > NG_DURATION_MAX)
		return -1;
	*out = v;
	return 0;
}

/* ng_duration_text - seconds in the largest two units: "52m10s", "1d3h". */
char *
ng_duration_text(uint64_t s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%" PRIu64 "h", s / 86400,
		    s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m", s / 3600,
		    s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
	return buf;
}
