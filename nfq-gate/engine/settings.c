/*
 * settings.c - defaults, copies and questions about the engine's
 * settings (settings.h).
 */
#include <string.h>

#include "engine/settings.h"

/* ng_settings_defaults - the documented defaults, every list empty. */
void
ng_settings_defaults(struct ng_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->ports[0] = 25;
	s->nports = 1;
	s->greet_pause = NG_SEC(6);
	ng_score_conf_init(&s->score);
	s->greet_pause_stress = NG_SEC(2);
	s->hold = NG_HOLD_HANDSHAKE;
	s->release_window = 10;
	s->pregreet_action = NG_PREGREET_RESET;
	s->penalty_ttl = NG_SEC(3600);
	s->penalty_prefix4 = 32;
	s->penalty_prefix6 = 64;	/* a subscriber holds a /64 at least */
	s->pass_ttl = NG_SEC(86400);
	s->pass_prefix4 = 32;
	s->pass_prefix6 = 128;
	s->greylist_delay = NG_SEC(60);
	s->greylist_window = NG_SEC(4 * 3600);
	s->greylist_prefix4 = 32;
	s->greylist_prefix6 = 128;
	s->default_action = NG_ACT_TEST;
	s->deny_action = NG_ACT_REJECT;
	s->flow_max = 65536;
	s->flow_idle_timeout = NG_SEC(300);
	s->flow_halfopen_timeout = NG_SEC(70);
	s->cache_max = 100000;
	s->trap_window = NG_SEC(600);
	s->contacts_max = 100000;
	s->throttle_prefix4 = 32;
	s->throttle_prefix6 = 64;
	s->throttle_max = 10000;
	s->throttle[NG_THR_PASSED].rate = NG_THROTTLE_SAME;
	s->throttle[NG_THR_PASSED].concurrency = NG_THROTTLE_SAME;
}

/* ng_settings_throttle - class cls's limits, "same" as the general's. */
void
ng_settings_throttle(const struct ng_settings *s, unsigned cls,
    struct ng_throttle_limit *l)
{
	const struct ng_throttle_limit *g = &s->throttle[NG_THR_GENERAL];

	*l = s->throttle[cls < NG_THR_CLASSES ? cls : NG_THR_GENERAL];
	if (l->rate == NG_THROTTLE_SAME) {
		l->rate = g->rate;
		l->per = g->per;
	}
	if (l->concurrency == NG_THROTTLE_SAME)
		l->concurrency = g->concurrency;
}

/* ng_settings_throttling - is any class limited? */
int
ng_settings_throttling(const struct ng_settings *s)
{
	struct ng_throttle_limit l;
	unsigned i;

	for (i = 0; i < NG_THR_CLASSES; i++) {
		ng_settings_throttle(s, i, &l);
		if (l.rate != 0 || l.concurrency != 0)
			return 1;
	}
	return 0;
}

/* ng_settings_free - the CIDR lists; freeing twice is harmless. */
void
ng_settings_free(struct ng_settings *s)
{
	ng_cidr_list_free(&s->allow);
	ng_cidr_list_free(&s->deny);
	ng_cidr_list_free(&s->nolisting);
	ng_cidr_list_free(&s->mynetworks);
	ng_cidr_list_free(&s->trap_mx);
}

/* ng_settings_copy - dst as src with lists of its own; -1 out of memory. */
int
ng_settings_copy(struct ng_settings *dst, const struct ng_settings *src)
{
	*dst = *src;
	ng_cidr_list_init(&dst->allow);
	ng_cidr_list_init(&dst->deny);
	ng_cidr_list_init(&dst->nolisting);
	ng_cidr_list_init(&dst->mynetworks);
	ng_cidr_list_init(&dst->trap_mx);
	if (ng_cidr_list_copy(&dst->allow, &src->allow) < 0 ||
	    ng_cidr_list_copy(&dst->deny, &src->deny) < 0 ||
	    ng_cidr_list_copy(&dst->nolisting, &src->nolisting) < 0 ||
	    ng_cidr_list_copy(&dst->mynetworks, &src->mynetworks) < 0 ||
	    ng_cidr_list_copy(&dst->trap_mx, &src->trap_mx) < 0) {
		ng_settings_free(dst);
		return -1;
	}
	return 0;
}

/* ng_settings_is_port - is port one of the judged ports? */
int
ng_settings_is_port(const struct ng_settings *s, uint16_t port)
{
	unsigned i;

	for (i = 0; i < s->nports; i++)
		if (s->ports[i] == port)
			return 1;
	return 0;
}

/*
 * is_loopback - the host's own loopback, IPv4-mapped too.  It is never
 * judged, whatever the firewall sends: local submissions and monitoring
 * must not wait for a greeting test.
 */
static int
is_loopback(const struct ng_addr *a)
{
	static const uint8_t v6[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == 4)
		return a->b[0] == 127;
	return memcmp(a->b, v6, 16) == 0 ||
	    (memcmp(a->b, mapped, 12) == 0 && a->b[12] == 127);
}

/* ng_settings_never_judged - loopback or mynetworks: pass, never test. */
int
ng_settings_never_judged(const struct ng_settings *s, const struct ng_addr *a)
{
	return is_loopback(a) || ng_cidr_list_match(&s->mynetworks, a);
}

/* ng_settings_country_action - the country rule for cc, or NG_ACT_NONE. */
uint8_t
ng_settings_country_action(const struct ng_settings *s, uint16_t cc)
{
	unsigned i;

	for (i = 0; i < s->ncountry; i++)
		if (s->country[i].cc == cc)
			return s->country[i].action;
	return NG_ACT_NONE;
}

/* asn_in - is v among the n numbers at l? */
static int
asn_in(const uint32_t *l, unsigned n, uint32_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (l[i] == v)
			return 1;
	return 0;
}

/* cc_ok - does the rule's country qualifier (none: any) admit cc? */
static int
cc_ok(const struct ng_settings *s, const struct ng_net_rule *r, uint16_t cc)
{
	unsigned i;

	if (r->ncc == 0)
		return 1;
	for (i = 0; i < r->ncc; i++)
		if (s->net_cc[r->cc_first + i] == cc)
			return 1;
	return 0;
}

/*
 * ng_settings_net_rule - the first asn or owner rule that matches w.  A
 * linear walk: a few dozen rules of a few numbers each cost less than
 * the database lookup before them, and the order written is the order
 * of precedence.
 */
const struct ng_net_rule *
ng_settings_net_rule(const struct ng_settings *s, const struct ng_where *w)
{
	const struct ng_net_rule *r;
	unsigned i;
	int hit;

	for (i = 0; i < s->nnet_rule; i++) {
		r = &s->net_rule[i];
		if (r->kind == NG_NET_ASN)
			hit = w->asn != 0 &&
			    asn_in(s->net_asn + r->asn_first, r->nasn, w->asn);
		else
			hit = w->owner != 0 && r->pattern < 32 &&
			    (w->owner_bits >> r->pattern & 1u);
		if (hit && cc_ok(s, r, w->cc))
			return r;
	}
	return NULL;
}

static const char *action_names[NG_ACT_MAX] = {
	"none", "pass", "test", "greylist", "reject", "drop"
};

/* ng_rule_action_name - a rule action's config word. */
const char *
ng_rule_action_name(uint8_t action)
{
	return action < NG_ACT_MAX ? action_names[action] : "?";
}
