/*
 * fuzz_config.c - the nfq-gate.conf parser under libFuzzer.
 *
 * The config is admin input, but a SIGHUP reload parses it inside the
 * running gate, so no text may crash it, and what it accepts must be
 * within the limits the engine relies on.  Inputs that name an
 * allow_file or deny_file are skipped: the fuzzer would otherwise read
 * whatever files it can guess, such as /dev/stdin.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_net - asn and owner rules within their arrays and patterns. */
static void
check_net(const struct ng_config *c)
{
	const struct ng_settings *s = &c->eng;
	const struct ng_net_rule *r;
	unsigned i;

	if (s->nnet_rule > NG_NET_RULES_MAX || s->nnet_asn > NG_NET_ASNS_MAX ||
	    s->nnet_cc > NG_NET_CCS_MAX || c->owner_npat > NG_OWNER_PATTERNS_MAX ||
	    c->owner_nre != c->owner_npat || s->nowner_pattern != c->owner_npat)
		abort();
	for (i = 0; i < s->nnet_rule; i++) {
		r = &s->net_rule[i];
		if (r->action < NG_ACT_PASS || r->action > NG_ACT_DROP ||
		    (r->kind != NG_NET_ASN && r->kind != NG_NET_OWNER) ||
		    (r->kind == NG_NET_OWNER && r->pattern >= c->owner_npat) ||
		    (r->kind == NG_NET_ASN && r->nasn == 0) ||
		    (unsigned)r->asn_first + r->nasn > s->nnet_asn ||
		    (unsigned)r->cc_first + r->ncc > s->nnet_cc ||
		    memchr(r->name, 0, sizeof(r->name)) == NULL)
			abort();
	}
	for (i = 0; i < s->nnet_asn; i++)
		if (s->net_asn[i] == 0)
			abort();
}

static void
check(const struct ng_config *c)
{
	unsigned i;

	if (c->eng.nports < 1 || c->eng.nports > NG_PORTS_MAX)
		abort();
	for (i = 0; i < c->eng.nports; i++)
		if (c->eng.ports[i] == 0)
			abort();
	if (c->mark_pass == 0 || c->mark_reset == 0 || c->mark_test == 0 ||
	    c->mark_pass == c->mark_reset ||
	    (c->mark_test & (c->mark_pass | c->mark_reset)) != 0)
		abort();
	if (c->eng.pass_prefix4 > 32 || c->eng.pass_prefix6 > 128 ||
	    c->eng.penalty_prefix4 > 32 || c->eng.penalty_prefix6 > 128 ||
	    c->eng.greylist_prefix4 > 32 || c->eng.greylist_prefix6 > 128)
		abort();
	if (c->eng.default_action < NG_ACT_PASS || c->eng.default_action > NG_ACT_DROP)
		abort();
	if (c->eng.deny_action != NG_ACT_REJECT && c->eng.deny_action != NG_ACT_DROP)
		abort();
	if (c->eng.ncountry > NG_COUNTRY_RULES_MAX)
		abort();
	for (i = 0; i < c->eng.ncountry; i++)
		if (c->eng.country[i].action < NG_ACT_PASS ||
		    c->eng.country[i].action > NG_ACT_DROP)
			abort();
	check_net(c);
	/* Durations must leave room for now + ttl without wrapping. */
	if (c->eng.greet_pause > NG_SEC(1ULL << 32) ||
	    c->eng.pass_ttl > NG_SEC(1ULL << 32) ||
	    c->eng.penalty_ttl > NG_SEC(1ULL << 32))
		abort();
	if (memchr(c->database, 0, sizeof(c->database)) == NULL ||
	    memchr(c->state_dir, 0, sizeof(c->state_dir)) == NULL ||
	    memchr(c->user, 0, sizeof(c->user)) == NULL ||
	    memchr(c->nft_penalty_table, 0,
	    sizeof(c->nft_penalty_table)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ng_config c, d;
	char err[256], word[32];
	ng_usec v;
	int rc;

	if (memmem(data, size, "_file", 5) != NULL)
		return 0;
	ng_config_defaults(&c);
	err[0] = '\0';
	rc = ng_config_parse(&c, (const char *)data, size, "fuzz.conf", err,
	    sizeof(err));
	if (rc == 0) {
		check(&c);
		if (ng_config_copy(&d, &c) == 0) {
			check(&d);
			ng_config_free(&d);
		}
	} else if (rc != -1 || strncmp(err, "fuzz.conf:", 10) != 0) {
		abort();
	}
	ng_config_free(&c);

	/* The duration parser on its own, over a NUL-terminated prefix. */
	size = size < sizeof(word) - 1 ? size : sizeof(word) - 1;
	memcpy(word, data, size);
	word[size] = '\0';
	if (ng_parse_duration(word, &v) == 0 && v > NG_SEC(4000000000ULL))
		abort();
	return 0;
}
