/*
 * dnsbl.c - the DNS list and reverse-DNS keys (see dnsbl.h).
 *
 * Everything here reads admin text, so every number is range-checked
 * and every name length-checked before it is copied; a bad site stops
 * the config with the site's text in the message.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/duration.h"
#include "base/err.h"
#include "base/text.h"
#include "conf/dnsbl.h"
#include "conf/pattern.h"

#define WEIGHT_MAX 1000
#define CACHE_MAX (1u << 20)

/*
 * policyd-weight's dynamic-host words (its DYN_ patterns, made a config
 * default as its changelog asks), plus names that spell an address.
 */
const char ng_rdns_dynamic_default[] =
    "(^|[^a-z])(dip|dyn|dynamic|dial|dialin|dialup|ppp|pppoe|dsl|adsl|"
    "xdsl|vdsl|cable|catv|pool|dhcp|modem|broadband|cust|customer|"
    "client|resnet|user)([^a-z]|$)|"
    "[0-9]{1,3}[.-][0-9]{1,3}[.-][0-9]{1,3}[.-][0-9]{1,3}";

enum { K_SITES, K_THRESH, K_ALTHRESH, K_DYN, K_DYNEX, K_DYNW, K_NONEW,
	K_UNCW, K_TIMEOUT, K_SERVERS, K_CACHE, K_TTLMAX };

static const struct {
	const char *name;
	int start_only;
	int repeat;
} dkeys[NG_DNS_CONF_KEYS] = {
	[K_SITES] = { "dnsbl_sites", 0, 1 },
	[K_THRESH] = { "dnsbl_threshold", 0, 0 },
	[K_ALTHRESH] = { "dnsbl_allowlist_threshold", 0, 0 },
	[K_DYN] = { "rdns_dynamic", 0, 0 },
	[K_DYNEX] = { "rdns_dynamic_except", 0, 0 },
	[K_DYNW] = { "rdns_dynamic_weight", 0, 0 },
	[K_NONEW] = { "rdns_none_weight", 0, 0 },
	[K_UNCW] = { "rdns_unconfirmed_weight", 0, 0 },
	[K_TIMEOUT] = { "dns_timeout", 0, 0 },
	[K_SERVERS] = { "dns_servers", 1, 0 },
	[K_CACHE] = { "dns_cache_max", 1, 0 },
	[K_TTLMAX] = { "dns_ttl_max", 0, 0 },
};

/* ng_dns_conf_defaults - the defaults nfq-gate.conf(5) documents. */
void
ng_dns_conf_defaults(struct ng_dns_conf *d)
{
	memset(d, 0, sizeof(*d));
	d->threshold = 1;
	d->allowlist_threshold = 0;
	snprintf(d->rdns_dynamic, sizeof(d->rdns_dynamic), "%s",
	    ng_rdns_dynamic_default);
	d->timeout = NG_SEC(5);
	d->cache_max = 8192;
	d->ttl_max = NG_SEC(3600);
}

/* ng_dns_conf_key_name - the i-th DNS key, NULL past the last. */
const char *
ng_dns_conf_key_name(size_t i, int *start_only)
{
	if (i >= NG_DNS_CONF_KEYS)
		return NULL;
	if (start_only != NULL)
		*start_only = dkeys[i].start_only;
	return dkeys[i].name;
}

/* ng_dns_conf_rdns - 1 when any reverse-DNS fact has a weight. */
int
ng_dns_conf_rdns(const struct ng_dns_conf *d)
{
	return d->rdns_dynamic_weight != 0 || d->rdns_none_weight != 0 ||
	    d->rdns_unconfirmed_weight != 0;
}

/* ng_dns_conf_enabled - 1 when there is a list or an rDNS weight. */
int
ng_dns_conf_enabled(const struct ng_dns_conf *d)
{
	return d->nsite > 0 || ng_dns_conf_rdns(d);
}

/* parse_int - a whole signed decimal in [lo, hi]; -1 otherwise. */
static int
parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* octet_num - a decimal 0..255 of exactly the given length; -1 if not. */
static int
octet_num(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > 255 ? -1 : v;
}

/* set_range - bits lo..hi of one octet's map; -1 if hi < lo. */
static int
set_range(uint8_t map[32], int lo, int hi)
{
	int v;

	if (lo < 0 || hi < 0 || hi < lo)
		return -1;
	for (v = lo; v <= hi; v++)
		map[v >> 3] |= (uint8_t)(1u << (v & 7));
	return 0;
}

/* list_item - one "n" or "a..b" of a bracket list (s..s+len). */
static int
list_item(uint8_t map[32], const char *s, size_t len)
{
	const char *dots = NULL;
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.') {
			dots = s + i;
			break;
		}
	if (dots == NULL)
		return set_range(map, octet_num(s, len), octet_num(s, len));
	return set_range(map, octet_num(s, (size_t)(dots - s)),
	    octet_num(dots + 2, len - (size_t)(dots - s) - 2));
}

/* octet_pat - one octet of a filter: "n" or "[item;item...]". */
static int
octet_pat(uint8_t map[32], const char *s, size_t len)
{
	size_t i, start;

	if (len == 0 || s[0] != '[')
		return set_range(map, octet_num(s, len), octet_num(s, len));
	if (len < 3 || s[len - 1] != ']')
		return -1;
	start = 1;
	for (i = 1; i < len; i++) {
		if (s[i] != ';' && i != len - 1)
			continue;
		if (list_item(map, s + start, i - start) < 0)
			return -1;
		start = i + 1;
	}
	return 0;
}

/*
 * parse_filter - "a.b.c.d" with bracket octets into the site's maps.
 * The octet separator is a '.' outside brackets (a range's ".." is
 * inside them).
 */
static int
parse_filter(struct ng_dnsbl_site *s, const char *f)
{
	size_t i, start = 0, n = 0, len = strlen(f);
	int depth = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && f[i] == '[')
			depth++;
		else if (i < len && f[i] == ']')
			depth--;
		if (depth < 0 || depth > 1)
			return -1;
		if (i < len && (f[i] != '.' || depth > 0))
			continue;
		if (n == 4 || octet_pat(s->octet[n], f + start, i - start) < 0)
			return -1;
		n++;
		start = i + 1;
	}
	return n == 4 && depth == 0 ? 0 : -1;
}

/*
 * check_domain - a DNS name the list is queried under: letters, digits,
 * '-', '_' and dots, no empty label, at most 63 a label, and room left
 * for the reversed IPv6 address (72 bytes) before NG_DNS_NAME_MAX.
 */
static int
check_domain(const char *d)
{
	size_t len = strlen(d), label = 0, i;

	if (len == 0 || len > NG_DNS_NAME_MAX - 1 - 73)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (label == 0)
				return -1;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return -1;
		if (++label > 63)
			return -1;
	}
	return label == 0 ? -1 : 0;
}

/* parse_site - one "domain[=filter][*weight]" into s. */
static int
parse_site(struct ng_dnsbl_site *s, char *w, char *msg, size_t msglen)
{
	char *star = strrchr(w, '*'), *eq;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->weight = 1;
	if (star != NULL) {
		*star = '\0';
		if (parse_int(star + 1, -WEIGHT_MAX, WEIGHT_MAX, &s->weight) < 0)
			return ng_err(msg, msglen, "dnsbl_sites: bad weight "
			    "\"%s\" (an integer, -%d to %d)", star + 1,
			    WEIGHT_MAX, WEIGHT_MAX);
	}
	if ((eq = strchr(w, '=')) != NULL) {
		*eq = '\0';
		if (parse_filter(s, eq + 1) < 0)
			return ng_err(msg, msglen, "dnsbl_sites: bad reply "
			    "filter \"%s\" (like 127.0.0.[2..11] or "
			    "127.0.[0;1].[1..3])", eq + 1);
		s->has_filter = 1;
	}
	if (strlen(w) > 0 && w[strlen(w) - 1] == '.')
		w[strlen(w) - 1] = '\0';
	if (check_domain(w) < 0)
		return ng_err(msg, msglen, "dnsbl_sites: bad domain \"%s\"", w);
	for (i = 0; w[i] != '\0'; i++)
		s->domain[i] = (char)tolower((unsigned char)w[i]);
	return 0;
}

/* ng_dnsbl_parse_sites - each comma- or blank-separated site of v. */
int
ng_dnsbl_parse_sites(struct ng_dns_conf *d, char *v, char *msg,
    size_t msglen)
{
	char *save = NULL, *w;

	for (w = strtok_r(v, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save)) {
		if (d->nsite == NG_DNSBL_SITES_MAX)
			return ng_err(msg, msglen, "dnsbl_sites: more than %d "
			    "sites", NG_DNSBL_SITES_MAX);
		if (parse_site(&d->site[d->nsite], w, msg, msglen) < 0)
			return -1;
		d->nsite++;
	}
	return 0;
}

/* ng_dnsbl_site_match - does the reply address pass the filter? */
int
ng_dnsbl_site_match(const struct ng_dnsbl_site *s, const uint8_t a[4])
{
	int i;

	if (!s->has_filter)
		return 1;
	for (i = 0; i < 4; i++)
		if (!(s->octet[i][a[i] >> 3] & (1u << (a[i] & 7))))
			return 0;
	return 1;
}

/*
 * set_pattern - "/ERE/" (or "" to clear) into buf, checked to compile
 * case-insensitively as daemon/dns.c will compile it.
 */
static int
set_pattern(const char *key, char *buf, size_t len, const char *v,
    char *msg, size_t msglen)
{
	size_t n = strlen(v);
	char why[128];
	regex_t re;

	if (n == 0) {
		buf[0] = '\0';
		return 0;
	}
	if (n < 2 || v[0] != '/' || v[n - 1] != '/')
		return ng_err(msg, msglen, "%s: expected /REGEX/", key);
	if (n - 2 >= len)
		return ng_err(msg, msglen, "%s: pattern longer than %zu bytes",
		    key, len - 1);
	memcpy(buf, v + 1, n - 2);
	buf[n - 2] = '\0';
	if (ng_pattern_compile(&re, buf, why, sizeof(why)) < 0) {
		buf[0] = '\0';
		return ng_err(msg, msglen, "%s: %s", key, why);
	}
	regfree(&re);
	return 0;
}

/*
 * check_servers - "addr[:port], [v6]:port ..." as c-ares'
 * ares_set_servers_ports_csv reads them; commas or blanks between.
 */
static int
check_servers(char *out, size_t outlen, const char *v, char *msg,
    size_t msglen)
{
	char copy[NG_DNS_SERVERS_MAX], *save = NULL, *w;
	size_t used = 0;

	if (strlen(v) >= sizeof(copy))
		return ng_err(msg, msglen, "dns_servers: too long");
	snprintf(copy, sizeof(copy), "%s", v);
	for (w = strtok_r(copy, ", \t", &save); w != NULL;
	    w = strtok_r(NULL, ", \t", &save)) {
		char host[64], *colon, *end = NULL;
		struct ng_addr a;
		long port = 53;
		int n;

		if (strlen(w) >= sizeof(host))
			return ng_err(msg, msglen, "dns_servers: bad \"%s\"", w);
		if (w[0] == '[') {
			colon = strstr(w, "]:");
			if (colon == NULL)
				return ng_err(msg, msglen, "dns_servers: "
				    "\"%s\": [v6]:port", w);
			snprintf(host, sizeof(host), "%.*s", (int)(colon - w - 1),
			    w + 1);
			colon++;
		} else if ((colon = strchr(w, ':')) != NULL &&
		    strchr(colon + 1, ':') == NULL) {
			snprintf(host, sizeof(host), "%.*s", (int)(colon - w), w);
		} else {
			colon = NULL;
			snprintf(host, sizeof(host), "%s", w);
		}
		if (colon != NULL) {
			port = strtol(colon + 1, &end, 10);
			if (*end != '\0' || port < 1 || port > 65535)
				return ng_err(msg, msglen, "dns_servers: bad "
				    "port in \"%s\"", w);
		}
		if (ng_addr_parse(&a, host) < 0)
			return ng_err(msg, msglen, "dns_servers: \"%s\" is not "
			    "an IP address", host);
		n = snprintf(out + used, outlen - used, "%s%s%s%s:%ld",
		    used ? "," : "", a.family == 6 ? "[" : "", host,
		    a.family == 6 ? "]" : "", port);
		if (n < 0 || (size_t)n >= outlen - used)
			return ng_err(msg, msglen, "dns_servers: too long");
		used += (size_t)n;
	}
	return 0;
}

/* key_of - the index of a DNS key, or -1. */
static int
key_of(const char *key)
{
	int i;

	for (i = 0; i < NG_DNS_CONF_KEYS; i++)
		if (strcmp(key, dkeys[i].name) == 0)
			return i;
	return -1;
}

/* set_weight - an integer key in [-WEIGHT_MAX, WEIGHT_MAX]. */
static int
set_weight(int *out, const char *key, const char *v, char *msg,
    size_t msglen)
{
	if (parse_int(v, -WEIGHT_MAX, WEIGHT_MAX, out) < 0)
		return ng_err(msg, msglen, "%s: bad integer \"%s\" (-%d to %d)",
		    key, v, WEIGHT_MAX, WEIGHT_MAX);
	return 0;
}

/* set_one - the value of key k. */
static int
set_one(struct ng_dns_conf *d, int k, char *v, char *msg, size_t msglen)
{
	const char *name = dkeys[k].name;
	ng_usec t;
	int n;

	switch (k) {
	case K_SITES:
		return ng_dnsbl_parse_sites(d, v, msg, msglen);
	case K_THRESH:
		return set_weight(&d->threshold, name, v, msg, msglen);
	case K_ALTHRESH:
		return set_weight(&d->allowlist_threshold, name, v, msg, msglen);
	case K_DYN:
		return set_pattern(name, d->rdns_dynamic,
		    sizeof(d->rdns_dynamic), v, msg, msglen);
	case K_DYNEX:
		return set_pattern(name, d->rdns_dynamic_except,
		    sizeof(d->rdns_dynamic_except), v, msg, msglen);
	case K_DYNW:
		return set_weight(&d->rdns_dynamic_weight, name, v, msg, msglen);
	case K_NONEW:
		return set_weight(&d->rdns_none_weight, name, v, msg, msglen);
	case K_UNCW:
		return set_weight(&d->rdns_unconfirmed_weight, name, v, msg,
		    msglen);
	case K_SERVERS:
		return check_servers(d->servers, sizeof(d->servers), v, msg,
		    msglen);
	case K_CACHE:
		if (parse_int(v, 16, CACHE_MAX, &n) < 0)
			return ng_err(msg, msglen, "%s: bad count \"%s\" (16 "
			    "to %u)", name, v, CACHE_MAX);
		d->cache_max = (unsigned)n;
		return 0;
	default:	/* K_TIMEOUT, K_TTLMAX */
		if (ng_parse_duration(v, &t) < 0 || t < 1000 ||
		    t > NG_SEC(86400 * 7))
			return ng_err(msg, msglen, "%s: bad duration \"%s\" "
			    "(1ms to 7d)", name, v);
		*(k == K_TIMEOUT ? &d->timeout : &d->ttl_max) = t;
		return 0;
	}
}

/* ng_dns_conf_set - the hook config.c calls before "unknown setting". */
int
ng_dns_conf_set(struct ng_dns_conf *d, unsigned *seen, const char *key,
    char *v, unsigned line, char *msg, size_t msglen)
{
	int k = key_of(key);

	if (k < 0)
		return 0;
	if (seen[k] && !dkeys[k].repeat)
		return ng_err(msg, msglen, "%s: set twice (first on line %u)",
		    key, seen[k]);
	seen[k] = line;
	return set_one(d, k, v, msg, msglen) < 0 ? -1 : 1;
}
