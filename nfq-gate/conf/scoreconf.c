/*
 * scoreconf.c - "score KIND ... = N" and score_greylist (scoreconf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/err.h"
#include "base/text.h"
#include "conf/config.h"
#include "conf/netrule.h"
#include "conf/scoreconf.h"

/* ng_scoreconf_is_line - "score" and a blank, or "score_greylist"? */
int
ng_scoreconf_is_line(const char *line)
{
	if (strncmp(line, "score_greylist", 14) == 0)
		return line[14] == '\0' || line[14] == '=' || line[14] == ' ' ||
		    line[14] == '\t';
	return strncmp(line, "score", 5) == 0 &&
	    (line[5] == ' ' || line[5] == '\t');
}

/* parse_int - a whole integer in [lo, hi] into *out; -1 otherwise. */
static int
parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* new_rule - the next free score rule of kind; NULL with a message. */
static struct ng_score_rule *
new_rule(struct ng_score_conf *s, uint8_t kind, int weight, char *err,
    size_t errlen)
{
	struct ng_score_rule *r;

	if (s->nrule == NG_SCORE_RULES_MAX) {
		ng_err(err, errlen, "score: more than %d score lines",
		    NG_SCORE_RULES_MAX);
		return NULL;
	}
	r = &s->rule[s->nrule];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->weight = weight;
	return r;
}

/* next_word - the next comma- or blank-separated word of *p, or NULL. */
static char *
next_word(char **p)
{
	char *w = *p, *e;

	while (*w == ',' || *w == ' ' || *w == '\t')
		w++;
	if (*w == '\0')
		return NULL;
	for (e = w; *e != '\0' && *e != ',' && *e != ' ' && *e != '\t'; e++)
		;
	*p = *e != '\0' ? e + 1 : e;
	*e = '\0';
	return w;
}

/* add_ccs - "CN, RU, --" into the rule's country list. */
static int
add_ccs(struct ng_score_conf *s, struct ng_score_rule *r, char *v, char *err,
    size_t errlen)
{
	char *w;

	r->first = (uint16_t)s->nccs;
	while ((w = next_word(&v)) != NULL) {
		if (strcmp(w, "--") != 0 && (strlen(w) != 2 ||
		    !isalpha((unsigned char)w[0]) ||
		    !isalpha((unsigned char)w[1])))
			return ng_err(err, errlen, "score country: bad "
			    "country code \"%s\"", w);
		if (s->nccs == NG_SCORE_CCS_MAX)
			return ng_err(err, errlen, "score country: more than "
			    "%d codes", NG_SCORE_CCS_MAX);
		s->ccs[s->nccs++] = strcmp(w, "--") == 0 ? 0 : ng_cc_pack(w);
		r->n++;
	}
	if (r->n == 0)
		return ng_err(err, errlen, "%s", "score country: no code");
	return 0;
}

/* add_asns - "4134, AS4837" into the rule's ASN list. */
static int
add_asns(struct ng_score_conf *s, struct ng_score_rule *r, char *v,
    char *err, size_t errlen)
{
	unsigned long long n;
	char *w, *end;

	r->first = (uint16_t)s->nasn;
	while ((w = next_word(&v)) != NULL) {
		const char *d = strncasecmp(w, "AS", 2) == 0 ? w + 2 : w;

		errno = 0;
		n = strtoull(d, &end, 10);
		if (!isdigit((unsigned char)*d) || *end != '\0' || errno != 0 ||
		    n == 0 || n > 4294967295ULL)
			return ng_err(err, errlen, "score asn: bad AS number "
			    "\"%s\"", w);
		if (s->nasn == NG_SCORE_ASNS_MAX)
			return ng_err(err, errlen, "score asn: more than %d "
			    "numbers", NG_SCORE_ASNS_MAX);
		s->asns[s->nasn++] = (uint32_t)n;
		r->n++;
	}
	if (r->n == 0)
		return ng_err(err, errlen, "%s", "score asn: no number");
	return 0;
}

/* add_classes - "windows-desktop, unknown": one rule per class. */
static int
add_classes(struct ng_score_conf *s, char *v, int weight, char *err,
    size_t errlen)
{
	struct ng_score_rule *r;
	char *w;
	int n = 0;

	while ((w = next_word(&v)) != NULL) {
		if (strlen(w) >= NG_SCORE_CLASS_LEN)
			return ng_err(err, errlen, "score fingerprint: class "
			    "longer than %d bytes", NG_SCORE_CLASS_LEN - 1);
		if ((r = new_rule(s, NG_SCORE_FP, weight, err, errlen)) ==
		    NULL)
			return -1;
		memcpy(r->cls, w, strlen(w) + 1);
		s->nrule++;
		n++;
	}
	if (n == 0)
		return ng_err(err, errlen, "%s", "score fingerprint: no class");
	return 0;
}

/* weight_of - the text after '=' as a weight; -1 with a message. */
static int
weight_of(const char *kind, char *eq, int *w, char *err, size_t errlen)
{
	char *hash = strchr(eq, '#');

	if (hash != NULL)
		*hash = '\0';
	if (parse_int(ng_trim(eq), -NG_SCORE_WEIGHT_MAX, NG_SCORE_WEIGHT_MAX,
	    w) < 0)
		return ng_err(err, errlen, "score %s: bad weight \"%s\" (an "
		    "integer from -%d to %d)", kind, ng_trim(eq),
		    NG_SCORE_WEIGHT_MAX, NG_SCORE_WEIGHT_MAX);
	return 0;
}

/* owner_score - "owner /RE/ = N": the pattern's bit shared with the
 * owner rules'. */
static int
owner_score(struct ng_config *c, char *rest, char *err, size_t errlen)
{
	char *pat, *after, *eq;
	struct ng_score_rule *r;
	int bit, w;

	if (ng_netrule_cut_pattern(rest, &pat, &after, err, errlen) < 0)
		return -1;
	if ((eq = strchr(after, '=')) == NULL || *ng_trim(after) != '=')
		return ng_err(err, errlen, "%s", "score owner: expected "
		    "\"score owner /RE/ = N\"");
	if (weight_of("owner", eq + 1, &w, err, errlen) < 0)
		return -1;
	if ((r = new_rule(&c->eng.score, NG_SCORE_OWNER, w, err, errlen)) ==
	    NULL)
		return -1;
	if ((bit = ng_netrule_pattern_bit(c, pat, err, errlen)) < 0)
		return -1;
	r->pattern = (uint8_t)bit;
	c->eng.score.nrule++;
	return 0;
}

/* list_score - "country ...", "asn ..." or "fingerprint ..." = N. */
static int
list_score(struct ng_score_conf *s, const char *kind, char *words, char *eq,
    char *err, size_t errlen)
{
	struct ng_score_rule *r;
	unsigned nasn = s->nasn, nccs = s->nccs;
	int w, rc;

	if (weight_of(kind, eq, &w, err, errlen) < 0)
		return -1;
	if (strcmp(kind, "fingerprint") == 0)
		return add_classes(s, words, w, err, errlen);
	if ((r = new_rule(s, strcmp(kind, "asn") == 0 ? NG_SCORE_ASN :
	    NG_SCORE_COUNTRY, w, err, errlen)) == NULL)
		return -1;
	rc = r->kind == NG_SCORE_ASN ? add_asns(s, r, words, err, errlen) :
	    add_ccs(s, r, words, err, errlen);
	if (rc < 0) {
		s->nasn = nasn;	/* nothing of a bad line stays */
		s->nccs = nccs;
		return -1;
	}
	s->nrule++;
	return 0;
}

/* greylist_line - "score_greylist = N", N >= 0 (0: off). */
static int
greylist_line(struct ng_score_conf *s, char *v, unsigned line, char *err,
    size_t errlen)
{
	char *eq = strchr(v, '=');
	int n;

	if (eq == NULL || *ng_trim(v + 14) != '=')
		return ng_err(err, errlen, "%s", "expected \"score_greylist "
		    "= N\"");
	if (s->greylist_line != 0)
		return ng_err(err, errlen, "score_greylist: set twice (first "
		    "on line %u)", s->greylist_line);
	if (strchr(eq, '#') != NULL)
		*strchr(eq, '#') = '\0';
	if (parse_int(ng_trim(eq + 1), 0, NG_SCORE_WEIGHT_MAX * 8, &n) < 0)
		return ng_err(err, errlen, "score_greylist: bad value \"%s\" "
		    "(an integer, 0 = off)", ng_trim(eq + 1));
	s->greylist = n;
	s->greylist_line = line;
	return 0;
}

/* ng_scoreconf_line - one score line. */
int
ng_scoreconf_line(struct ng_config *c, char *text, unsigned line, char *err,
    size_t errlen)
{
	static const char *const kinds[] = { "country", "asn", "fingerprint" };
	char *rest, *eq, *kind;
	size_t i;

	if (strncmp(text, "score_greylist", 14) == 0)
		return greylist_line(&c->eng.score, text, line, err, errlen);
	rest = text + 5;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (strncmp(rest, "owner", 5) == 0 &&
	    (rest[5] == ' ' || rest[5] == '\t'))
		return owner_score(c, rest + 5, err, errlen);
	if ((eq = strchr(rest, '=')) == NULL)
		return ng_err(err, errlen, "%s", "score: expected \"score KIND "
		    "... = N\"");
	*eq = '\0';
	kind = next_word(&rest);
	for (i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return list_score(&c->eng.score, kinds[i], rest, eq + 1,
			    err, errlen);
	return ng_err(err, errlen, "score: unknown kind \"%s\" (country, asn, "
	    "owner or fingerprint)", kind != NULL ? kind : "");
}

/* ng_scoreconf_finish - the thresholds from the DNS list keys. */
void
ng_scoreconf_finish(struct ng_config *c)
{
	c->eng.score.reject = c->dns.threshold;
	c->eng.score.allow = c->dns.allowlist_threshold;
	c->eng.score.dns = ng_dns_conf_enabled(&c->dns);
	/* Only the parse needs it: a parsed file compares equal to the
	 * defaults it spells out (the sample config's test). */
	c->eng.score.greylist_line = 0;
}

/* ng_scoreconf_key_name - "score", "score_greylist", then NULL. */
const char *
ng_scoreconf_key_name(size_t i, int *start_only)
{
	static const char *const names[] = { "score", "score_greylist" };

	if (i >= sizeof(names) / sizeof(names[0]))
		return NULL;
	if (start_only != NULL)
		*start_only = 0;
	return names[i];
}
