/*
 * pattern.c - check and compile the regexes of nfq-gate.conf.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

/*
 * skip_bracket - past a bracket expression starting at s ('['): a ']'
 * first (or after '^') is a member, and "[:alpha:]"-style classes hold
 * their own ']'.  At the NUL if it never closes (regcomp refuses it).
 */
static const char *
skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++;
	for (; *s != '\0' && *s != ']'; s++)
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			const char *e = strchr(s + 2, s[1]);

			if (e == NULL || e[1] != ']')
				return s + strlen(s);
			s = e + 1;
		}
	return s;
}

/* is_repeat - does s start a repetition: * + ? or an interval? */
static int
is_repeat(const char *s)
{
	return *s == '*' || *s == '+' || *s == '?' ||
	    (*s == '{' && interval(s) > 1);
}

#define NEST_MAX 64

/*
 * nested_repeat - a repetition of a repetition: stacked ("a{,6}{,3}",
 * undefined in POSIX EREs) or of a group that holds one ("(a*)+").
 * glibc's regcomp takes seconds to forever on a few levels of those
 * (the fuzzer's "(((((j)*){,3}){,8})+)*" never finished, though its
 * repetitions multiply to 72), and owner or host-name patterns never
 * need them.  Deeper than NEST_MAX groups is refused too.
 */
static int
nested_repeat(const char *pat)
{
	unsigned char holds[NEST_MAX];	/* group d holds a repetition */
	int depth = 0, prev = 0;	/* prev: 0 atom, 1 repeat, 2 ")" */
	int closed_holds = 0;
	const char *s;

	holds[0] = 0;
	for (s = pat; *s != '\0'; s++) {
		if (is_repeat(s)) {
			if (prev == 1 || (prev == 2 && closed_holds))
				return 1;
			holds[depth] = 1;
			prev = 1;
			if (*s == '{')
				s = strchr(s, '}');
			continue;
		}
		if (*s == '(') {
			if (++depth == NEST_MAX)
				return 1;
			holds[depth] = 0;
			prev = 0;
		} else if (*s == ')' && depth > 0) {
			closed_holds = holds[depth--];
			holds[depth] |= (unsigned char)closed_holds;
			prev = 2;
		} else {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '[' && *(s = skip_bracket(s)) == '\0')
				break;
			prev = 0;
		}
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
	if (nested_repeat(pat)) {
		snprintf(why, whylen, "a repetition of a repetition (\"a*+\", "
		    "\"(a+)*\"): glibc's regcomp may take minutes on those");
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
