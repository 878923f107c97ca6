/*
 * fuzz_dnsbl.c - the dnsbl_sites syntax and the other DNS keys under
 * libFuzzer.
 *
 * The first byte picks the key (dnsbl_sites through the site parser
 * alone, or any DNS key through the config hook); the rest is the
 * value.  What is accepted must hold to the limits daemon/dns.c relies
 * on: at most NG_DNSBL_SITES_MAX sites, domains NUL-terminated, short
 * enough for a reversed IPv6 address in front, lower case, weights in
 * range; the filter match must answer for any reply address.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - what the accepted config promises. */
static void
check(const struct ng_dns_conf *d)
{
	static const uint8_t probes[3][4] = { { 127, 0, 0, 2 },
	    { 0, 0, 0, 0 }, { 255, 255, 255, 255 } };
	unsigned i, j;

	if (d->nsite > NG_DNSBL_SITES_MAX)
		abort();
	for (i = 0; i < d->nsite; i++) {
		const struct ng_dnsbl_site *s = &d->site[i];
		size_t len = strnlen(s->domain, sizeof(s->domain));

		if (len == 0 || len + 74 > NG_DNS_NAME_MAX ||
		    s->weight < -1000 || s->weight > 1000)
			abort();
		for (j = 0; j < len; j++)
			if (isupper((unsigned char)s->domain[j]))
				abort();
		for (j = 0; j < 3; j++)
			(void)ng_dnsbl_site_match(s, probes[j]);
	}
	if (memchr(d->servers, 0, sizeof(d->servers)) == NULL ||
	    memchr(d->rdns_dynamic, 0, sizeof(d->rdns_dynamic)) == NULL)
		abort();
}

/* LLVMFuzzerTestOneInput - one key's value. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ng_dns_conf d;
	char msg[256], *v;
	const char *key;
	int k;

	if (size < 1 || size > 8192)
		return 0;
	if ((v = malloc(size)) == NULL)
		return 0;
	memcpy(v, data + 1, size - 1);
	v[size - 1] = '\0';
	ng_dns_conf_defaults(&d);
	k = data[0] % (NG_DNS_CONF_KEYS + 1);
	if (k == NG_DNS_CONF_KEYS) {
		if (ng_dnsbl_parse_sites(&d, v, msg, sizeof(msg)) == 0)
			check(&d);
	} else {
		key = ng_dns_conf_key_name((size_t)k, NULL);
		unsigned seen[NG_DNS_CONF_KEYS] = { 0 };

		if (ng_dns_conf_set(&d, seen, key, v, 1, msg,
		    sizeof(msg)) == 1)
			check(&d);
		else if (memchr(msg, 0, sizeof(msg)) == NULL)
			abort();
	}
	free(v);
	return 0;
}
