/*
 * clock.h - the live front-end's clock.
 *
 * The engine never reads a clock (see timeval.h); the daemon and its
 * helpers that do, read this one, so "now" means the same everywhere.
 */
#ifndef NG_CLOCK_H
#define NG_CLOCK_H

#include "base/timeval.h"

/* CLOCK_MONOTONIC in microseconds: wall-clock jumps expire nothing. */
ng_usec ng_clock_now(void);

#endif
