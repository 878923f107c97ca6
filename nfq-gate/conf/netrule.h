/*
 * netrule.h - the config's asn and owner lines:
 *
 *   asn 4134, AS4837 [in CC[, CC...]] = ACTION
 *   owner /RE/ [in CC[, CC...]] = ACTION
 *
 * The rules go into the engine's settings (settings.h: plain arrays, the
 * pattern as a bit number); the owner patterns, case-insensitive POSIX
 * EREs, are compiled here once and kept in struct ng_config, for the
 * front-ends to run over the database's owner strings at load
 * (ng_netdb_view_init).  config.c finds the lines and puts "file:line: "
 * in front of the messages.
 */
#ifndef NG_NETRULE_H
#define NG_NETRULE_H

#include <stddef.h>

struct ng_config;

/* An owner pattern's longest text, with its NUL. */
#define NG_OWNER_PATTERN_MAX 256

/*
 * Is line (blanks trimmed in front) an owner rule, "owner" and blanks
 * then '/'?  Such a line is cut before the usual '#' and '=' split, since
 * a pattern may hold both.
 */
int ng_netrule_is_owner(const char *line);

/*
 * Cut the pattern out of an owner line: *pat gets its text with "\/"
 * made '/', in place, and *rest what follows the closing '/'.  0, or -1
 * with a message (no closing slash, empty, too long).
 */
int ng_netrule_cut_pattern(char *line, char **pat, char **rest, char *err,
    size_t errlen);

/*
 * One rule: for asn, words is what stands between "asn" and '=', the
 * numbers and the qualifier; for owner, words is the qualifier alone
 * ("" or "in BR, AR").  action is enum ng_rule_action.  0, or -1 with a
 * message.
 */
int ng_netrule_asn(struct ng_config *c, char *words, int action, char *err,
    size_t errlen);
int ng_netrule_owner(struct ng_config *c, const char *pat, char *words,
    int action, char *err, size_t errlen);

/* The bit of an owner pattern, new or shared (the score's lines use
 * it too); -1 with a message. */
int ng_netrule_pattern_bit(struct ng_config *c, const char *pat, char *err,
    size_t errlen);

/* The compiled patterns: freed (twice is harmless), or compiled again
 * for a copy (-1: out of memory, dst's patterns then none). */
void ng_netrule_free(struct ng_config *c);
int ng_netrule_copy(struct ng_config *dst, const struct ng_config *src);

#endif
