/*
 * pattern.c - check and compile the regexes of nfq-gate.conf.
 */
#include <ctype.h>
#include <stdio.h>

#include "conf/pattern.h"

/*
 * interval - the factor an interval "{m}", "{m,}", "{m,n}" or (glibc)
 * "{,n}" at s costs: its largest count plus one; 1 for a '{' that
 * starts no interval.
 */
static unsigned long
interval(const char *s)
{
	unsigned long m = 0, n = 0;
	int digits = 0;

	for (s++; isdigit((unsigned char)*s); s++, digits++)
		if (m < 100000)
			m = m * 10 + (unsigned long)(*s - '0');
	if (*s == ',')
		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (n < 100000)
				n = n * 10 + (unsigned long)(*s - '0');
	if (!digits || *s != '}')
		return 1;
	return (n > m ? n : m) + 1;
}

/*
 * too_costly - would regcomp spend too much on pat?  Anything escaped or
 * in brackets counts too, which errs on the safe side; the patterns
 * admins write (alternatives of words) are far below.
 */
static int
too_costly(const char *pat)
{
	unsigned long cost = 1;
	const char *s;

	for (s = pat; *s != '\0'; s++) {
		if (*s == '+')
			cost *= 2;
		else if (*s == '{')
			cost *= interval(s);
		if (cost > NG_PATTERN_COST)
			return 1;
	}
	return 0;
}

/* has_backref - "\1" to "\9" (but not "\\1": a backslash, a digit). */
static int
has_backref(const char *pat)
{
	const char *s;

	for (s = pat; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0')
			continue;
		if (s[1] >= '1' && s[1] <= '9')
			return 1;
		s++;
	}
	return 0;
}

/* ng_pattern_check - refuse what regcomp or regexec could choke on. */
int
ng_pattern_check(const char *pat, char *why, size_t whylen)
{
	if (has_backref(pat)) {
		snprintf(why, whylen, "a back-reference (\\1 ... \\9): not in "
		    "POSIX extended regexes, and slow to match");
		return -1;
	}
	if (too_costly(pat)) {
		snprintf(why, whylen, "its repetitions ('+' and {m,n}) "
		    "multiply past %d", NG_PATTERN_COST);
		return -1;
	}
	return 0;
}

/* ng_pattern_compile - check pat, then compile it case-insensitively. */
int
ng_pattern_compile(regex_t *re, const char *pat, char *why, size_t whylen)
{
	int rc;

	if (ng_pattern_check(pat, why, whylen) < 0)
		return -1;
	rc = regcomp(re, pat, NG_PATTERN_FLAGS);
	if (rc != 0) {
		regerror(rc, re, why, whylen);
		regfree(re);
		return -1;
	}
	return 0;
}
