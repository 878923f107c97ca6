/*
 * panic.c - log a broken invariant and abort (panic.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/panic.h"

/* ng_panic - the message to the log and stderr, then abort(). */
void
ng_panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ng_log(LOG_CRIT, "panic: %s", msg);
	fprintf(stderr, "nfq-gate: panic: %s\n", msg);
	abort();
}
