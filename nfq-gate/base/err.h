/*
 * err.h - the one way an error message goes into a caller's buffer.
 *
 * Every parser and loader reports a failure as -1 and a message in a
 * char err[errlen] the caller passed in; the file readers put the file
 * name and line in front ("nfq-gate.conf:12: bad duration").  These
 * helpers are that snprintf in one place, so every message is cut the
 * same way when the buffer is short and a NULL or empty buffer is
 * never written.
 */
#ifndef NG_ERR_H
#define NG_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* The message into err; returns -1, so "return ng_err(...)" fails. */
int ng_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ng_verr(char *err, size_t errlen, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/*
 * "file:line: message" into err; returns -1.  When "file:line: " alone
 * does not fit, err holds what of it fits and no message.
 */
int ng_err_at(char *err, size_t errlen, const char *file,
    unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int ng_verr_at(char *err, size_t errlen, const char *file,
    unsigned long line, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

#endif
