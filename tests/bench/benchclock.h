/*
 * benchclock.h - the one clock every benchmark program times with.
 */
#ifndef NG_BENCHCLOCK_H
#define NG_BENCHCLOCK_H

#include <time.h>

/* now_sec - the monotonic clock in seconds. */
static inline double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
