/*
 * dnsbl.h - the DNS list and reverse-DNS keys of nfq-gate.conf.
 *
 * The grammar is postscreen's, so an admin can copy main.cf lines:
 *
 *   dnsbl_sites = zen.example*3, bl.example=127.0.0.[2..11]*2,
 *       list.dnswl.example=127.0.[0..255].[1..3]*-2
 *   dnsbl_threshold = 3
 *   dnsbl_allowlist_threshold = -1
 *
 * A site is DOMAIN[=FILTER][*WEIGHT]: FILTER is four octets, each a
 * number, or "[...]" holding ';'-separated numbers and "a..b" ranges;
 * WEIGHT is an integer, negative for allowlists (default 1).  Several
 * sites go on a line, separated by commas or blanks, and repeated
 * dnsbl_sites lines add to the list.  A site whose filter admits one of
 * the reply's addresses (any address, without a filter, as postscreen)
 * counts its weight once, however many addresses match.  Sites on the
 * same domain share one query.
 *
 * The reverse-DNS keys score the client's PTR name: rdns_dynamic =
 * /ERE/ (case-insensitive) names a "dynamic-looking" host (a default
 * from policyd-weight's list), rdns_dynamic_except = /ERE/ takes names
 * back out, and rdns_{dynamic,none,unconfirmed}_weight are the weights
 * of the three facts.  The config keeps the pattern texts only (checked
 * to compile here); daemon/dns.c compiles its own copies, so this
 * struct stays plain data that ng_config_copy can copy with "=".
 *
 * The keys reach config.c through one hook, ng_dns_conf_set, so the
 * general key table is not touched per key.
 */
#ifndef NG_DNSBL_H
#define NG_DNSBL_H

#include <stddef.h>
#include <stdint.h>

#include "base/timeval.h"

#define NG_DNSBL_SITES_MAX 32
#define NG_DNS_NAME_MAX 256	/* a DNS name's text, with the NUL */
#define NG_DNS_SERVERS_MAX 512
#define NG_RDNS_RE_MAX 512
#define NG_DNS_CONF_KEYS 12

/* One dnsbl_sites entry. */
struct ng_dnsbl_site {
	char domain[NG_DNS_NAME_MAX];	/* lower case, no trailing dot */
	int weight;
	int has_filter;
	/* Bit v of octet[i] set: value v is admitted in the i-th octet. */
	uint8_t octet[4][32];
};

struct ng_dns_conf {
	struct ng_dnsbl_site site[NG_DNSBL_SITES_MAX];
	unsigned nsite;
	int threshold;			/* dnsbl_threshold, default 1 */
	int allowlist_threshold;	/* < 0 enables; default 0 = off */
	char rdns_dynamic[NG_RDNS_RE_MAX];	/* ERE text, no slashes */
	char rdns_dynamic_except[NG_RDNS_RE_MAX];	/* "" = none */
	int rdns_dynamic_weight;	/* all three 0 = no rDNS lookups */
	int rdns_none_weight;
	int rdns_unconfirmed_weight;
	ng_usec timeout;		/* dns_timeout: one lookup, all tries */
	char servers[NG_DNS_SERVERS_MAX];	/* "" = /etc/resolv.conf */
	unsigned cache_max;		/* dns_cache_max: cached answers */
	ng_usec ttl_max;		/* dns_ttl_max: cap on any TTL */
};

/* The policyd-weight-like default of rdns_dynamic. */
extern const char ng_rdns_dynamic_default[];

/* Defaults as nfq-gate.conf(5) gives them. */
void ng_dns_conf_defaults(struct ng_dns_conf *d);

/*
 * ng_dns_conf_set - one "key = value" line if key is one of this file's:
 * returns 1 when taken, 0 when the key is not a DNS key, -1 with the
 * message (no "file:line: ", the caller puts it in front) in msg.  line
 * is the line number, kept in seen[NG_DNS_CONF_KEYS] (the caller's,
 * zeroed before a file, so the config itself stays comparable) for the
 * "set twice" check.  v may be modified.
 */
int ng_dns_conf_set(struct ng_dns_conf *d, unsigned *seen, const char *key,
    char *v, unsigned line, char *msg, size_t msglen);

/* The i-th key name (NULL past the last); *start_only for start keys. */
const char *ng_dns_conf_key_name(size_t i, int *start_only);

/*
 * ng_dnsbl_parse_sites - the sites of one dnsbl_sites value added to d
 * (the fuzzer's entry); -1 with msg on the first bad one.
 */
int ng_dnsbl_parse_sites(struct ng_dns_conf *d, char *v, char *msg,
    size_t msglen);

/* ng_dnsbl_site_match - 1 when a reply address (network order bytes)
 * passes the site's filter (always, without one). */
int ng_dnsbl_site_match(const struct ng_dnsbl_site *s, const uint8_t a[4]);

/* ng_dns_conf_enabled - 1 when any lookup is configured at all. */
int ng_dns_conf_enabled(const struct ng_dns_conf *d);
int ng_dns_conf_rdns(const struct ng_dns_conf *d);

#endif
