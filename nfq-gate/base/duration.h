/*
 * duration.h - the one grammar for a length of time, shared by
 * nfq-gate.conf (greet_pause = 6s) and the command line (nfq-gate -r
 * --greet-pause 0.5), so a value means the same wherever it is written.
 */
#ifndef NG_DURATION_H
#define NG_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "base/timeval.h"

/* Longer than any sane TTL, short enough that now + ttl never wraps. */
#define NG_DURATION_MAX NG_SEC(100ULL * 366 * 86400)

/*
 * A number, an optional fraction, an optional unit: "6", "0.5", "6s",
 * "500ms", "2m", "1.5h", "1d", "1w"; a bare number is seconds.  Digits
 * past a millionth of the unit are dropped.  No sign, no blank, nothing
 * after the unit, at most NG_DURATION_MAX.  0 and *out set, or -1 and
 * *out as it was.
 */
int ng_parse_duration(const char *s, ng_usec *out);

/*
 * The other way, for people: whole seconds in the largest two units,
 * "52m10s", "1d3h", "7s" (a string ng_parse_duration reads back only
 * when it has one unit).  Returns buf.
 */
char *ng_duration_text(uint64_t secs, char *buf, size_t len);

#endif
