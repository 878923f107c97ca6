/*
 * timeval.h - the engine's notion of time.
 *
 * The engine never reads a clock: every call takes "now" as microseconds
 * from an arbitrary epoch.  The NFQUEUE front-end passes CLOCK_MONOTONIC
 * (wall-clock jumps must not expire a pass cache), the replay front-end
 * passes capture timestamps, and tests pass whatever they like.
 */
#ifndef NG_TIMEVAL_H
#define NG_TIMEVAL_H

#include <stdint.h>

typedef uint64_t ng_usec;

#define NG_USEC_PER_SEC 1000000ULL
#define NG_SEC(s) ((ng_usec)(s) * NG_USEC_PER_SEC)
#define NG_NEVER UINT64_MAX

#endif
