/*
 * duration.h - the one grammar for a length of time, shared by
 * nfq-gate.conf (greet_pause = 6s) and the command line (nfq-gate -r
 * --greet-pause 0.5), so a value means the same wherever it is written.
 */
#ifndef NG_DURATION_H
#define NG_DURATION_H

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

#endif
