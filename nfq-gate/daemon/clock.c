/*
 * clock.c - the live front-end's clock.
 */
#include <time.h>

#include "daemon/clock.h"

/* ng_clock_now - CLOCK_MONOTONIC as microseconds */
ng_usec
ng_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ng_usec)ts.tv_sec * NG_USEC_PER_SEC +
	    (ng_usec)ts.tv_nsec / 1000;
}
