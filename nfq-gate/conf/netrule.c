/*
 * netrule.c - the config's asn and owner lines (netrule.h).
 *
 * The engine never runs a regex: each distinct owner pattern gets a bit
 * number here, and the front-ends run the compiled patterns over every
 * owner string of the database once, when it or the config is loaded.
 * So the patterns are few (32, the bits of ng_where.owner_bits) and a
 * pattern written twice shares its bit.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/addr.h"
#include "base/err.h"
#include "conf/config.h"
#include "conf/netrule.h"
#include "conf/pattern.h"


/* ng_netrule_is_owner - "owner", blanks, then a slash? */
int
ng_netrule_is_owner(const char *line)
{
	size_t n = 0;

	if (strncmp(line, "owner", 5) != 0)
		return 0;
	line += 5;
	while (line[n] == ' ' || line[n] == '\t')
		n++;
	return n > 0 && line[n] == '/';
}

/* ng_netrule_cut_pattern - the text between the slashes, "\/" unescaped. */
int
ng_netrule_cut_pattern(char *line, char **pat, char **rest, char *err,
    size_t errlen)
{
	char *r = strchr(line, '/'), *w;

	if (r == NULL)
		return ng_err(err, errlen, "%s", "owner: no pattern: "
		    "owner /RE/ = ACTION");
	*pat = w = ++r;
	for (; *r != '\0' && *r != '/'; r++) {
		/* Only "\/" is ours; the regex's own escapes stay. */
		if (r[0] == '\\' && r[1] == '/')
			r++;
		else if (r[0] == '\\' && r[1] != '\0')
			*w++ = *r++;
		*w++ = *r;
	}
	if (*r != '/')
		return ng_err(err, errlen, "%s", "owner: pattern not closed "
		    "by '/'");
	*w = '\0';
	*rest = r + 1;
	if (**pat == '\0')
		return ng_err(err, errlen, "%s", "owner: empty pattern");
	if (strlen(*pat) >= NG_OWNER_PATTERN_MAX)
		return ng_err(err, errlen, "owner: pattern longer than %d "
		    "bytes", NG_OWNER_PATTERN_MAX - 1);
	return 0;
}

/*
 * new_rule - the next free rule, of kind, in the order written; NULL
 * with a message when the table is full.
 */
static struct ng_net_rule *
new_rule(struct ng_settings *s, uint8_t kind, int action, char *err,
    size_t errlen)
{
	struct ng_net_rule *r;

	if (s->nnet_rule == NG_NET_RULES_MAX) {
		ng_err(err, errlen, "%s: more than %d asn and owner rules",
		    kind == NG_NET_ASN ? "asn" : "owner", NG_NET_RULES_MAX);
		return NULL;
	}
	r = &s->net_rule[s->nnet_rule];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->action = (uint8_t)action;
	return r;
}

/*
 * add_cc - one code of a rule's "in CC, CC" qualifier ("--": no
 * country known).
 */
static int
add_cc(struct ng_settings *s, struct ng_net_rule *r, const char *kind,
    const char *w, char *err, size_t errlen)
{
	uint16_t cc = 0;

	if (strcmp(w, "--") != 0 && (strlen(w) != 2 ||
	    (cc = ng_cc_pack(w)) == 0))
		return ng_err(err, errlen, "%s: bad country code \"%s\"",
		    kind, w);
	if (s->nnet_cc == NG_NET_CCS_MAX)
		return ng_err(err, errlen, "%s: more than %d country codes "
		    "after \"in\" in all", kind, NG_NET_CCS_MAX);
	if (r->ncc == 0)
		r->cc_first = (uint16_t)s->nnet_cc;
	s->net_cc[s->nnet_cc++] = cc;
	r->ncc++;
	return 0;
}

/*
 * parse_asn - "4134" or "AS4134" (any case): 1 to 4294967295, the
 * 32-bit AS numbers (0 is reserved, and is "unknown" here).
 */
static int
parse_asn(const char *w, uint32_t *asn)
{
	unsigned long long v;
	char *end;

	if (strncasecmp(w, "as", 2) == 0)
		w += 2;
	if (!isdigit((unsigned char)*w))
		return -1;
	errno = 0;
	v = strtoull(w, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 4294967295ULL)
		return -1;
	*asn = (uint32_t)v;
	return 0;
}

/* add_asn - one number of an asn rule, into the shared list. */
static int
add_asn(struct ng_settings *s, struct ng_net_rule *r, const char *w,
    char *err, size_t errlen)
{
	uint32_t asn;

	if (parse_asn(w, &asn) < 0)
		return ng_err(err, errlen, "asn: bad AS number \"%s\" (1 to "
		    "4294967295, \"AS\" in front allowed)", w);
	if (s->nnet_asn == NG_NET_ASNS_MAX)
		return ng_err(err, errlen, "asn: more than %d AS numbers in "
		    "all", NG_NET_ASNS_MAX);
	if (r->nasn == 0)
		r->asn_first = (uint16_t)s->nnet_asn;
	s->net_asn[s->nnet_asn++] = asn;
	r->nasn++;
	return 0;
}

/*
 * words - what stands before the '=': an asn rule's numbers, then for
 * either kind an optional "in" and country codes.  An owner rule has
 * only the qualifier (its pattern was cut out first).
 */
static int
words(struct ng_settings *s, struct ng_net_rule *r, char *v, char *err,
    size_t errlen)
{
	const char *kind = r->kind == NG_NET_ASN ? "asn" : "owner";
	char *w, *save = NULL;
	int in = 0;

	for (w = strtok_r(v, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save)) {
		if (!in && strcmp(w, "in") == 0) {
			in = 1;
			continue;
		}
		if (in && add_cc(s, r, kind, w, err, errlen) < 0)
			return -1;
		if (!in && r->kind == NG_NET_OWNER)
			return ng_err(err, errlen, "owner: \"%s\" after the "
			    "pattern (only \"in CC, ...\" may follow)", w);
		if (!in && add_asn(s, r, w, err, errlen) < 0)
			return -1;
	}
	if (in && r->ncc == 0)
		return ng_err(err, errlen, "%s: no country code after \"in\"",
		    kind);
	if (r->kind == NG_NET_ASN && r->nasn == 0)
		return ng_err(err, errlen, "%s", "asn: no AS number before "
		    "'='");
	return 0;
}

/*
 * asn_name - "asn AS4134,AS4837", cut with "..." when long: the reason
 * the log and the replay's JSON give.
 */
static void
asn_name(const struct ng_settings *s, struct ng_net_rule *r)
{
	size_t n, len = sizeof(r->name);
	unsigned i;
	int k;

	n = (size_t)snprintf(r->name, len, "asn");
	for (i = 0; i < r->nasn; i++) {
		k = snprintf(r->name + n, len - n, "%sAS%lu", i ? "," : " ",
		    (unsigned long)s->net_asn[r->asn_first + i]);
		if (k < 0 || (size_t)k >= len - n) {
			snprintf(r->name + len - 4, 4, "...");
			return;
		}
		n += (size_t)k;
	}
}

/* ng_netrule_asn - "asn N[, N...] [in CC...] = ACTION". */
int
ng_netrule_asn(struct ng_config *c, char *v, int action, char *err,
    size_t errlen)
{
	struct ng_settings *s = &c->eng;
	unsigned asns = s->nnet_asn, ccs = s->nnet_cc;
	struct ng_net_rule *r;

	if ((r = new_rule(s, NG_NET_ASN, action, err, errlen)) == NULL)
		return -1;
	if (words(s, r, v, err, errlen) < 0) {
		s->nnet_asn = asns;	/* a failed line leaves nothing */
		s->nnet_cc = ccs;
		return -1;
	}
	asn_name(s, r);
	s->nnet_rule++;
	return 0;
}

/*
 * pattern_bit - the bit of pattern pat: the one it already has, or a
 * new one with pat compiled.  -1 with a message.
 */
static int
pattern_bit(struct ng_config *c, const char *pat, char *err, size_t errlen)
{
	char why[128];
	unsigned i;

	for (i = 0; i < c->owner_npat; i++)
		if (strcmp(c->owner_pat[i], pat) == 0)
			return (int)i;
	if (c->owner_npat == NG_OWNER_PATTERNS_MAX)
		return ng_err(err, errlen, "owner: more than %d distinct "
		    "patterns", NG_OWNER_PATTERNS_MAX);
	if (ng_pattern_compile(&c->owner_re[i], pat, why, sizeof(why)) < 0)
		return ng_err(err, errlen, "owner: bad pattern: %s", why);
	snprintf(c->owner_pat[i], sizeof(c->owner_pat[i]), "%s", pat);
	c->owner_npat++;
	c->owner_nre++;
	c->eng.nowner_pattern = c->owner_npat;
	return (int)i;
}

/* ng_netrule_owner - "owner /RE/ [in CC...] = ACTION". */
int
ng_netrule_owner(struct ng_config *c, const char *pat, char *v, int action,
    char *err, size_t errlen)
{
	struct ng_settings *s = &c->eng;
	unsigned ccs = s->nnet_cc;
	struct ng_net_rule *r;
	int bit;

	if ((r = new_rule(s, NG_NET_OWNER, action, err, errlen)) == NULL)
		return -1;
	if (words(s, r, v, err, errlen) < 0) {
		s->nnet_cc = ccs;
		return -1;
	}
	if ((bit = pattern_bit(c, pat, err, errlen)) < 0) {
		s->nnet_cc = ccs;
		return -1;
	}
	r->pattern = (uint8_t)bit;
	if (strlen(pat) + 9 < sizeof(r->name))
		snprintf(r->name, sizeof(r->name), "owner /%s/", pat);
	else
		snprintf(r->name, sizeof(r->name), "owner /%.*s.../",
		    (int)sizeof(r->name) - 13, pat);
	s->nnet_rule++;
	return 0;
}

/* ng_netrule_free - the compiled patterns; the texts stay. */
void
ng_netrule_free(struct ng_config *c)
{
	unsigned i;

	for (i = 0; i < c->owner_nre; i++)
		regfree(&c->owner_re[i]);
	c->owner_nre = 0;
}

/*
 * ng_netrule_copy - dst's own compiled patterns, from src's texts (a
 * regex_t cannot be copied).  The texts compiled once already.
 */
int
ng_netrule_copy(struct ng_config *dst, const struct ng_config *src)
{
	unsigned i;

	dst->owner_nre = 0;
	for (i = 0; i < src->owner_npat; i++) {
		if (regcomp(&dst->owner_re[i], src->owner_pat[i],
		    NG_PATTERN_FLAGS) != 0) {
			ng_netrule_free(dst);
			return -1;
		}
		dst->owner_nre++;
	}
	return 0;
}

/*
 * ng_netrule_pattern_bit - the owner_bits bit of pattern pat, shared by
 * the owner rules and the score's owner lines (conf/scoreconf.c), so
 * both fit the 32 bits of ng_where.owner_bits.  -1 with a message.
 */
int
ng_netrule_pattern_bit(struct ng_config *c, const char *pat, char *err,
    size_t errlen)
{
	return pattern_bit(c, pat, err, errlen);
}
