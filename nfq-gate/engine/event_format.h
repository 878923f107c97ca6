/*
 * event_format.h - turn an engine event into text: a postscreen-style
 * log line, or one JSON object for the replay's --json output.
 *
 * Both front-ends log the same lines (the live daemon to syslog, the
 * replay to stdout), so an admin who greps one can grep the other, and
 * the tests can check the replay against the lines the daemon writes.
 */
#ifndef NG_EVENT_FORMAT_H
#define NG_EVENT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

/*
 * Enough for any line or object: 64 early bytes escaped as \xHH, twice,
 * an owner string of up to 255 bytes escaped as \u00XX, a rule name.
 */
#define NG_EVENT_LINE_MAX 4096

/*
 * Escape bytes C-style for a log line: \r \n \t \\ as such, other bytes
 * outside printable ASCII as \xHH.  Always NUL-terminates (len > 0);
 * returns the length written, truncating at a whole escape.
 */
size_t ng_escape_c(const uint8_t *p, size_t n, char *buf, size_t len);

/*
 * "PASS NEW [198.51.100.10]:40001" and friends, without a newline.  A
 * line that names the country adds " asn=N" when the ASN is known,
 * " rule=\"asn AS4134\"" when an asn or owner rule decided, and the
 * owner last, " owner=TEXT" (C-escaped, to the end of the line).
 */
size_t ng_event_format_line(const struct ng_event *ev, char *buf,
    size_t len);

/*
 * {"client":"198.51.100.10:40001","server":"203.0.113.25:25",
 *  "verdict":"pass","country":null,"reason":"...","after":0.020000,
 *  "bytes":0,"first":null,"asn":null,"owner":null,"rule":null}
 * without a newline (asn a number, owner the database's string, rule
 * the asn or owner rule that decided, when known); a TRAP hit excused by
 * a contact adds "contact_age":12.000000, a monitor-mode event
 * "monitor":true.
 */
size_t ng_event_format_json(const struct ng_event *ev, char *buf,
    size_t len);

#endif
