/*
 * log.h - the daemon's log: syslog (facility mail, ident nfq-gate) and,
 * in the foreground, stderr.
 *
 * Mail admins look for a gate's verdicts next to Postfix's own lines in
 * the mail log, so syslog uses facility mail.  stderr carries the same
 * lines when a person or a test harness is watching.
 */
#ifndef NG_LOG_H
#define NG_LOG_H

#include <syslog.h>

/* Either may be off; debug enables LOG_DEBUG lines. */
void ng_log_open(int to_syslog, int to_stderr, int debug);
void ng_log_close(void);
void ng_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ng_log_debug_on(void);

#endif
