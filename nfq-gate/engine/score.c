/*
 * score.c - the facts of a client under test added up (score.h).
 *
 * Small on purpose: it runs once per tested client at the end of its
 * pause (and once more when its DNS answers are all in), never per
 * packet, so the rules are a short list walked in order.
 */
#include <stdio.h>
#include <string.h>

#include "base/siphash.h"
#include "engine/score.h"

/* ng_score_seen_slot - a keyed hash of a's bytes, so forged addresses
 * cannot aim at one slot. */
unsigned
ng_score_seen_slot(const uint8_t key[16], const struct ng_addr *a)
{
	uint8_t b[17];

	b[0] = a->family;
	memcpy(b + 1, a->b, 16);
	return (unsigned)(ng_siphash24(key, b, sizeof(b)) % NG_SCORE_SEEN);
}

/* ng_score_conf_init - nothing scored, postscreen's thresholds. */
void
ng_score_conf_init(struct ng_score_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->reject = 1;
}

/* ng_score_on - is there anything to score? */
int
ng_score_on(const struct ng_score_conf *c)
{
	return c->dns || c->nrule > 0;
}

/* has_asn - is asn in rule r's list? */
static int
has_asn(const struct ng_score_conf *c, const struct ng_score_rule *r,
    uint32_t asn)
{
	unsigned i;

	for (i = r->first; i < (unsigned)r->first + r->n && i < c->nasn; i++)
		if (c->asns[i] == asn)
			return 1;
	return 0;
}

/* has_cc - is cc in rule r's list ("--" is 0, and may be listed)? */
static int
has_cc(const struct ng_score_conf *c, const struct ng_score_rule *r,
    uint16_t cc)
{
	unsigned i;

	for (i = r->first; i < (unsigned)r->first + r->n && i < c->nccs; i++)
		if (c->ccs[i] == cc)
			return 1;
	return 0;
}

/* rule_adds - rule r's weight into s when it matches in. */
static void
rule_adds(const struct ng_score_conf *c, const struct ng_score_rule *r,
    const struct ng_score_in *in, struct ng_score *s)
{
	switch (r->kind) {
	case NG_SCORE_COUNTRY:
		if (has_cc(c, r, in->where.cc))
			s->country += r->weight;
		break;
	case NG_SCORE_ASN:
		if (in->where.asn != 0 && has_asn(c, r, in->where.asn))
			s->asn += r->weight;
		break;
	case NG_SCORE_OWNER:
		if (r->pattern < 32 && (in->where.owner_bits >> r->pattern) & 1)
			s->owner += r->weight;
		break;
	case NG_SCORE_FP:
		if (in->fp != NULL && !in->fp_allowed &&
		    strcmp(in->fp, r->cls) == 0)
			s->fp += r->weight;
		break;
	default:
		break;
	}
}

/* ng_score_judge - the thresholds, highest first. */
uint8_t
ng_score_judge(const struct ng_score_conf *c, int total)
{
	if (total >= c->reject)
		return NG_SCORE_REJECT;
	if (c->greylist > 0 && total >= c->greylist)
		return NG_SCORE_GREYLIST;
	if (c->allow < 0 && total <= c->allow)
		return NG_SCORE_PASS;
	return NG_SCORE_TEST;
}

/* ng_score_compute - every matching weight added, then judged. */
void
ng_score_compute(const struct ng_score_conf *c, const struct ng_score_in *in,
    struct ng_score *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	if (in->dns.asked) {
		s->dns = in->dns.dnsbl + in->dns.dnswl;
		s->rdns = in->dns.rdns;
	}
	for (i = 0; i < c->nrule && i < NG_SCORE_RULES_MAX; i++)
		rule_adds(c, &c->rule[i], in, s);
	s->total = s->dns + s->rdns + s->fp + s->country + s->asn + s->owner;
	s->action = ng_score_judge(c, s->total);
}

/* ng_score_action_name - the action's word in the SCORE line. */
const char *
ng_score_action_name(uint8_t action)
{
	static const char *names[] = { "test", "pass", "greylist", "reject" };

	return action < sizeof(names) / sizeof(names[0]) ? names[action] :
	    "?";
}

/* put - text appended to buf at *n, never past len (terminated). */
static void
put(char *buf, size_t len, size_t *n, const char *text)
{
	size_t k = strlen(text);

	if (*n + 1 >= len)
		return;
	if (k > len - *n - 1)
		k = len - *n - 1;
	memcpy(buf + *n, text, k);
	*n += k;
	buf[*n] = '\0';
}

/* ng_score_explain - each part that said something, for the log. */
char *
ng_score_explain(const struct ng_score *s, const struct ng_score_in *in,
    char *buf, size_t len)
{
	char cc[3], t[NG_SCORE_DNS_DETAIL + 48];
	size_t n = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (in->dns.asked) {
		snprintf(t, sizeof(t), " dnsbl=%d", s->dns);
		put(buf, len, &n, t);
		if (in->dns.detail[0] != '\0') {
			snprintf(t, sizeof(t), " (%s)", in->dns.detail);
			put(buf, len, &n, t);
		}
		if (in->dns.rdns_fact != NULL) {
			snprintf(t, sizeof(t), " rdns=%s(%d)",
			    in->dns.rdns_fact, s->rdns);
			put(buf, len, &n, t);
		}
		if (!in->dns.complete) {
			snprintf(t, sizeof(t), " noanswer=%u",
			    in->dns.noanswer);
			put(buf, len, &n, t);
		}
	}
	if (in->fp != NULL) {
		snprintf(t, sizeof(t), " fp=%.32s(%d)", in->fp, s->fp);
		put(buf, len, &n, t);
	}
	snprintf(t, sizeof(t), " country=%s(%d)", ng_cc_str(in->where.cc, cc),
	    s->country);
	put(buf, len, &n, t);
	if (in->where.asn != 0) {
		snprintf(t, sizeof(t), " asn=%lu(%d)",
		    (unsigned long)in->where.asn, s->asn);
		put(buf, len, &n, t);
	}
	if (s->owner != 0) {
		snprintf(t, sizeof(t), " owner(%d)", s->owner);
		put(buf, len, &n, t);
	}
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}
