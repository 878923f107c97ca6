/*
 * log.c - syslog facility mail plus stderr for the live daemon.
 *
 * One function, one format: every line the daemon writes, verdict or
 * error, goes through ng_log() so the two sinks never disagree.  The
 * stderr copy has no timestamp or pid of its own; journald and test
 * harnesses add what they need.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "base/log.h"

static int log_syslog, log_stderr, log_debug;

/*
 * ng_log_open - where lines go from now on: syslog, stderr, both or
 * neither; debug lets LOG_DEBUG lines through.
 */
void
ng_log_open(int to_syslog, int to_stderr, int debug)
{
	log_syslog = to_syslog;
	log_stderr = to_stderr;
	log_debug = debug;
	if (log_syslog)
		openlog("nfq-gate", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* ng_log_close - close syslog; later lines go to stderr only, if at all. */
void
ng_log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = 0;
}

/*
 * ng_log_debug_on - whether debug lines are logged (to skip formatting
 * them).
 */
int
ng_log_debug_on(void)
{
	return log_debug;
}

/* ng_log - one line, to each sink that is on. */
void
ng_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug)
		return;
	if (log_syslog) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
	}
	if (log_stderr) {
		/* One write per line: stderr is unbuffered, and a SYN storm
		 * logs a line per connection. */
		char line[1024];
		int n;

		n = snprintf(line, sizeof(line), "nfq-gate: %s",
		    prio <= LOG_ERR ? "error: " :
		    prio == LOG_WARNING ? "warning: " : "");
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(line) - 1)
			vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt,
			    ap);
		va_end(ap);
		n = (int)strlen(line);
		line[n++] = '\n';
		fwrite(line, 1, (size_t)n, stderr);
	}
}
