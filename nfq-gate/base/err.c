/*
 * err.c - error messages into a caller's buffer (see err.h).
 */
#include <stdio.h>

#include "base/err.h"

/* ng_verr - fmt and ap into err, when there is an err to write to. */
int
ng_verr(char *err, size_t errlen, const char *fmt, va_list ap)
{
	if (err != NULL && errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	return -1;
}

/* ng_err - ng_verr with the arguments in line. */
int
ng_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ng_verr(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ng_verr_at - "file:line: " then the message, which is cut to fit. */
int
ng_verr_at(char *err, size_t errlen, const char *file, unsigned long line,
    const char *fmt, va_list ap)
{
	int n;

	if (err == NULL || errlen == 0)
		return -1;
	n = snprintf(err, errlen, "%s:%lu: ", file, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	return -1;
}

/* ng_err_at - ng_verr_at with the arguments in line. */
int
ng_err_at(char *err, size_t errlen, const char *file, unsigned long line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ng_verr_at(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}
