/*
 * pattern.h - the case-insensitive extended regexes an admin writes in
 * nfq-gate.conf (owner rules, reverse-DNS patterns), checked before they
 * are compiled.
 *
 * glibc's regcomp expands "a+" and "a{m,n}" by copying the operand, so
 * repetitions multiply ("a" and twenty '+' took 700 MB, the fuzzer found
 * it); back-references are no POSIX ERE and may backtrack without bound
 * over every owner string at each load.  One check for every pattern.
 */
#ifndef NG_PATTERN_H
#define NG_PATTERN_H

#include <regex.h>
#include <stddef.h>

/* The product of every '+' (2) and interval (its count + 1) allowed. */
#define NG_PATTERN_COST 1024
#define NG_PATTERN_FLAGS (REG_EXTENDED | REG_ICASE | REG_NOSUB)

/* 0, or -1 with why ("its repetitions ... multiply past 1024", ...). */
int ng_pattern_check(const char *pat, char *why, size_t whylen);

/* ng_pattern_check, then regcomp with NG_PATTERN_FLAGS into re (freed
 * on failure).  0, or -1 with why (regerror's words). */
int ng_pattern_compile(regex_t *re, const char *pat, char *why,
    size_t whylen);

#endif
