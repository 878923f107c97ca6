/*
 * scoreconf.h - the score's config lines (engine/score.h):
 *
 *   score country CN, RU = 2          ("--": no country known)
 *   score asn 4134, AS4837 = 3
 *   score owner /dyn|pool/ = 2        (a case-insensitive ERE, as the
 *                                      owner rules'; it shares their
 *                                      32 pattern bits)
 *   score fingerprint windows-desktop, unknown = 1
 *   score_greylist = 4                (0: off)
 *
 * Weights are integers from -1000 to 1000.  The thresholds are the DNS
 * list keys dnsbl_threshold and dnsbl_allowlist_threshold (conf/dnsbl.h),
 * copied into the score's settings once the file is read
 * (ng_scoreconf_finish), so one threshold judges the whole total as
 * postscreen's judges its DNSBL rank.  config.c hands the lines here and
 * puts "file:line: " in front of the messages.
 */
#ifndef NG_SCORECONF_H
#define NG_SCORECONF_H

#include <stddef.h>

struct ng_config;

#define NG_SCORE_WEIGHT_MAX 1000

/* Is line (blanks trimmed in front) a score line: "score" then a blank,
 * or "score_greylist"? */
int ng_scoreconf_is_line(const char *line);

/* One score line into c; 0, or -1 with a message (line: its number, for
 * the "set twice" check of score_greylist).  line_text may be modified. */
int ng_scoreconf_line(struct ng_config *c, char *line_text, unsigned line,
    char *err, size_t errlen);

/* After the last line: thresholds and "DNS asked" from the DNS keys. */
void ng_scoreconf_finish(struct ng_config *c);

/* The i-th key name (NULL past the last): "score", "score_greylist". */
const char *ng_scoreconf_key_name(size_t i, int *start_only);

#endif
