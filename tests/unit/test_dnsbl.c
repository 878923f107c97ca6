/*
 * test_dnsbl.c - the DNS list keys (conf/dnsbl.c), the query names and
 * the reply parser (daemon/dns_answer.c) on hand-made replies.
 */
#include <ares.h>
#include <string.h>

#include "conf/config.h"
#include "conf/dnsbl.h"
#include "daemon/dns.h"
#include "daemon/dns_answer.h"
#include "test.h"

/* parse - a config text into c (defaults first); the parser's result. */
static int
parse(struct ng_config *c, const char *text, char *err, size_t len)
{
	ng_config_defaults(c);
	err[0] = '\0';
	return ng_config_parse(c, text, strlen(text), "t.conf", err, len);
}

/* match - four octets, as a reply's bytes, through a site's filter. */
static int
match(const struct ng_dnsbl_site *s, int a, int b, int c, int d)
{
	const uint8_t v[4] = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d };

	return ng_dnsbl_site_match(s, v);
}

/* test_postscreen_line - the example of the issue, as postscreen takes it. */
static void
test_postscreen_line(void)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, "dnsbl_sites = Zen.Example.*3, "
	    "bl.example=127.0.0.[2..11]*2,\n"
	    "dnsbl_sites = list.dnswl.example=127.0.[0..255].[1..3]*-2 "
	    "plain.example\n"
	    "dnsbl_threshold = 3\ndnsbl_allowlist_threshold = -1\n",
	    err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.dns.nsite, 4);
	CHECK_STR(c.dns.site[0].domain, "zen.example");
	CHECK_EQ(c.dns.site[0].weight, 3);
	CHECK_EQ(c.dns.site[0].has_filter, 0);
	CHECK(match(&c.dns.site[0], 127, 0, 0, 99));
	CHECK_STR(c.dns.site[1].domain, "bl.example");
	CHECK_EQ(c.dns.site[1].weight, 2);
	CHECK(match(&c.dns.site[1], 127, 0, 0, 2));
	CHECK(match(&c.dns.site[1], 127, 0, 0, 11));
	CHECK(!match(&c.dns.site[1], 127, 0, 0, 1));
	CHECK(!match(&c.dns.site[1], 127, 0, 0, 12));
	CHECK(!match(&c.dns.site[1], 127, 0, 1, 2));
	CHECK_EQ(c.dns.site[2].weight, -2);
	CHECK(match(&c.dns.site[2], 127, 0, 200, 3));
	CHECK(!match(&c.dns.site[2], 127, 0, 200, 4));
	CHECK(!match(&c.dns.site[2], 127, 1, 200, 1));
	CHECK_EQ(c.dns.site[3].weight, 1);
	CHECK_EQ(c.dns.threshold, 3);
	CHECK_EQ(c.dns.allowlist_threshold, -1);
	CHECK(ng_dns_conf_enabled(&c.dns));
	CHECK(!ng_dns_conf_rdns(&c.dns));
	ng_config_free(&c);
}

/* test_lists - "[a;b..c]" lists mixing numbers and ranges. */
static void
test_lists(void)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, "dnsbl_sites = x.example=127.[0;2].0.[1;3;5..7]\n",
	    err, sizeof(err)), 0);
	CHECK(match(&c.dns.site[0], 127, 0, 0, 1));
	CHECK(match(&c.dns.site[0], 127, 2, 0, 6));
	CHECK(!match(&c.dns.site[0], 127, 1, 0, 1));
	CHECK(!match(&c.dns.site[0], 127, 0, 0, 4));
	CHECK(!match(&c.dns.site[0], 127, 0, 0, 8));
	ng_config_free(&c);
}

/* bad - a config text the parser must refuse with "t.conf:LINE: WHY". */
static void
bad(const char *text, const char *want)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, text, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL || strncmp(err, "t.conf:", 7) != 0) {
		test_failures++;
		fprintf(stderr, "for %s: error \"%s\", want \"%s\"\n", text,
		    err, want);
	}
	ng_config_free(&c);
}

/* test_bad_input - every way a line can be wrong. */
static void
test_bad_input(void)
{
	char many[2048];
	int i, n = 0;

	bad("dnsbl_sites = a.example*x\n", "t.conf:1: dnsbl_sites: bad weight");
	bad("dnsbl_sites = a.example*\n", "bad weight");
	bad("dnsbl_sites = a.example*1001\n", "bad weight");
	bad("dnsbl_sites = a.example*2*3\n", "bad domain");
	bad("dnsbl_sites = a.example=127.0.0\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.1.1\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.256\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.[2..]\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.[5..2]\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.[1;2\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.[[1]]\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127..0.1\n", "bad reply filter");
	bad("dnsbl_sites = a.example=127.0.0.[]\n", "bad reply filter");
	bad("dnsbl_sites = a.example=\n", "bad reply filter");
	bad("dnsbl_sites = bad..example\n", "bad domain");
	bad("dnsbl_sites = .example\n", "bad domain");
	bad("dnsbl_sites = =127.0.0.2\n", "bad domain");
	bad("dnsbl_sites = a$b.example\n", "bad domain");
	bad("\n\ndnsbl_threshold = x\n", "t.conf:3: dnsbl_threshold: bad");
	bad("dnsbl_threshold = 1\ndnsbl_threshold = 2\n", "set twice");
	bad("rdns_dynamic = dyn\n", "expected /REGEX/");
	bad("rdns_dynamic = /(/\n", "rdns_dynamic:");
	bad("rdns_dynamic_except = /\n", "expected /REGEX/");
	bad("rdns_dynamic = /a+++++++++++/\n", "multiply past");
	bad("rdns_dynamic = /j{,6}{,3}{3,}{,3}/\n",
	    "a repetition of a repetition");
	bad("rdns_dynamic = /(a{1,40}){1,40}/\n", "multiply past");
	bad("rdns_none_weight = 1.5\n", "bad integer");
	bad("dns_servers = 10.0.0.1:0\n", "bad port");
	bad("dns_servers = mydns\n", "not an IP address");
	bad("dns_servers = [::1]\n", "[v6]:port");
	bad("dns_timeout = 0\n", "bad duration");
	bad("dns_cache_max = 3\n", "bad count");
	bad("dns_ttl_max = forever\n", "bad duration");
	n += snprintf(many + n, sizeof(many) - (size_t)n, "dnsbl_sites =");
	for (i = 0; i <= NG_DNSBL_SITES_MAX; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n,
		    " s%d.example", i);
	snprintf(many + n, sizeof(many) - (size_t)n, "\n");
	bad(many, "more than 32 sites");
}

/* test_other_keys - rDNS keys, servers and defaults. */
static void
test_other_keys(void)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, "", err, sizeof(err)), 0);
	CHECK(!ng_dns_conf_enabled(&c.dns));
	CHECK_EQ(c.dns.threshold, 1);
	CHECK_EQ(c.dns.allowlist_threshold, 0);
	CHECK_STR(c.dns.rdns_dynamic, ng_rdns_dynamic_default);
	ng_config_free(&c);
	CHECK_EQ(parse(&c, "rdns_dynamic = /^dyn-/\n"
	    "rdns_dynamic_except = /=x/\nrdns_dynamic_weight = -3\n"
	    "dns_servers = 10.0.0.1, [2001:db8::53]:5353 10.0.0.2:5300\n"
	    "dns_timeout = 1500ms\ndns_cache_max = 100\ndns_ttl_max = 1h\n",
	    err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(c.dns.rdns_dynamic, "^dyn-");
	CHECK_STR(c.dns.rdns_dynamic_except, "=x");
	CHECK_EQ(c.dns.rdns_dynamic_weight, -3);
	CHECK(ng_dns_conf_rdns(&c.dns));
	CHECK_STR(c.dns.servers,
	    "10.0.0.1:53,[2001:db8::53]:5353,10.0.0.2:5300");
	CHECK_EQ(c.dns.timeout, 1500 * 1000);
	CHECK_EQ(c.dns.cache_max, 100);
	CHECK_EQ(c.dns.ttl_max, NG_SEC(3600));
	ng_config_free(&c);
}

/* test_key_names - the keys reach --list-keys; servers are start-only. */
static void
test_key_names(void)
{
	int found = 0, so = -1, so2 = -1;
	const char *k;
	size_t i;

	for (i = 0; (k = ng_config_key_name(i, NULL)) != NULL; i++) {
		int s;

		(void)ng_config_key_name(i, &s);
		if (strcmp(k, "dnsbl_sites") == 0) {
			found++;
			so = s;
		}
		if (strcmp(k, "dns_servers") == 0) {
			found++;
			so2 = s;
		}
	}
	CHECK_EQ(found, 2);
	CHECK_EQ(so, 0);
	CHECK_EQ(so2, 1);
}

/* test_restart_keys - a reload names the DNS keys it cannot change. */
static void
test_restart_keys(void)
{
	struct ng_config a, b;
	char err[256], buf[256];

	CHECK_EQ(parse(&a, "dns_servers = 10.0.0.1\ndnsbl_sites = x.example\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(parse(&b, "dns_servers = 10.0.0.2\ndns_cache_max = 99\n"
	    "dnsbl_sites = y.example\n", err, sizeof(err)), 0);
	CHECK_EQ(ng_config_restart_keys(&a, &b, buf, sizeof(buf)), 2);
	CHECK_STR(buf, "dns_servers, dns_cache_max");
	ng_config_keep_restart(&b, &a);
	CHECK_STR(b.dns.servers, "10.0.0.1:53");
	CHECK_EQ(b.dns.cache_max, 8192);
	CHECK_STR(b.dns.site[0].domain, "y.example");
	ng_config_free(&a);
	ng_config_free(&b);
}

/* test_reverse_names - the query names of both families. */
static void
test_reverse_names(void)
{
	struct ng_addr a;
	char buf[NG_DNS_NAME_MAX];

	ng_addr_parse(&a, "192.0.2.10");
	CHECK_EQ(ng_dns_reverse_name(&a, "zen.example", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "10.2.0.192.zen.example");
	CHECK_EQ(ng_dns_reverse_name(&a, "zen.example", buf, 10), -1);
	ng_addr_parse(&a, "2001:db8::1");
	CHECK_EQ(ng_dns_reverse_name(&a, "ip6.arpa", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.b.d.0.1.0.0.2.ip6.arpa");
	CHECK_EQ(ng_dns_reverse_name(&a, "ip6.arpa", buf, 70), -1);
}

/* The question "2.0.0.127.zen.example" A IN, after a 12-byte header. */
static const unsigned char question[] = {
	1, '2', 1, '0', 1, '0', 3, '1', '2', '7', 3, 'z', 'e', 'n',
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1
};

/* reply - header (rcode, counts) + question + rest into buf; its length. */
static int
reply(unsigned char *buf, int flags2, int an, int ns,
    const unsigned char *rest, size_t restlen)
{
	unsigned char hdr[12] = { 0x12, 0x34, 0x81, (unsigned char)flags2,
	    0, 1, 0, (unsigned char)an, 0, (unsigned char)ns, 0, 0 };

	memcpy(buf, hdr, 12);
	memcpy(buf + 12, question, sizeof(question));
	memcpy(buf + 12 + sizeof(question), rest, restlen);
	return (int)(12 + sizeof(question) + restlen);
}

/* test_answer_a - an A reply, two addresses, the smaller TTL. */
static void
test_answer_a(void)
{
	static const unsigned char rrs[] = {
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 127, 0, 0, 2,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0x00, 0x3c, 0, 4, 127, 0, 0, 4,
	};
	unsigned char buf[512];
	struct ng_dns_answer a;
	int len = reply(buf, 0x80, 2, 0, rrs, sizeof(rrs));

	ng_dns_answer_parse(1, ARES_SUCCESS, buf, len, &a);
	CHECK_EQ(a.kind, NG_DNS_DATA);
	CHECK_EQ(a.n, 2);
	CHECK_EQ(a.addr[1][3], 4);
	CHECK_EQ(a.ttl, 60);
	CHECK_EQ(a.truncated, 0);
	CHECK_EQ(ng_dns_reply_ttl(buf, (size_t)len, 1), 60);
	/* Cut anywhere: garbage or "no", never a crash or stray data. */
	for (int cut = 0; cut < len; cut++) {
		ng_dns_answer_parse(1, ARES_SUCCESS, buf, cut, &a);
		CHECK(a.kind != NG_DNS_DATA || a.n <= 2);
	}
	ng_dns_answer_parse(1, ARES_SUCCESS, buf, len - 2, &a);
	CHECK_EQ(a.kind, NG_DNS_GARBAGE);
	buf[2] |= 0x02;		/* TC */
	ng_dns_answer_parse(1, ARES_SUCCESS, buf, len, &a);
	CHECK_EQ(a.truncated, 1);
	CHECK_EQ(a.kind, NG_DNS_DATA);
}

/* test_answer_negative - NXDOMAIN, its SOA: min(TTL, minimum). */
static void
test_answer_negative(void)
{
	static const unsigned char soa[] = {
		0xc0, 12, 0, 6, 0, 1, 0, 0, 0x0e, 0x10,
		0, 22, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
		0, 0, 0x01, 0x2c,
	};
	unsigned char buf[512];
	struct ng_dns_answer a;
	int len = reply(buf, 0x83, 0, 1, soa, sizeof(soa));

	ng_dns_answer_parse(1, ARES_ENOTFOUND, buf, len, &a);
	CHECK_EQ(a.kind, NG_DNS_NONE);
	CHECK_EQ(a.ttl, 300);
	CHECK_EQ(ng_dns_reply_ttl(buf, (size_t)len, 6), 300);
	/* An SOA too short to hold the numbers gives no TTL. */
	buf[len - 24] = 0;
	buf[len - 23] = 10;
	CHECK_EQ(ng_dns_reply_ttl(buf, (size_t)len, 6), -1);
	ng_dns_answer_parse(1, ARES_ENOTFOUND, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_NONE);
	CHECK_EQ(a.ttl, 0);
	/* A truncated empty reply proves nothing. */
	len = reply(buf, 0x80, 0, 0, soa, 0);
	buf[2] |= 0x02;
	ng_dns_answer_parse(1, ARES_ENODATA, buf, len, &a);
	CHECK_EQ(a.kind, NG_DNS_ERROR);
	CHECK_EQ(a.truncated, 1);
}

/* test_answer_status - statuses without a reply. */
static void
test_answer_status(void)
{
	struct ng_dns_answer a;

	ng_dns_answer_parse(1, ARES_ETIMEOUT, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_TIMEOUT);
	ng_dns_answer_parse(1, ARES_ESERVFAIL, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_ERROR);
	ng_dns_answer_parse(1, ARES_EBADRESP, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_GARBAGE);
	ng_dns_answer_parse(1, ARES_EDESTRUCTION, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_CANCELLED);
	ng_dns_answer_parse(1, ARES_SUCCESS, NULL, 0, &a);
	CHECK_EQ(a.kind, NG_DNS_GARBAGE);
}

/* test_walker_loops - compression pointers and lengths that lie. */
static void
test_walker_loops(void)
{
	unsigned char buf[64] = { 0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
	    0xc0, 12 };

	CHECK_EQ(ng_dns_reply_ttl(buf, 14, 1), -1);	/* RR missing */
	CHECK_EQ(ng_dns_reply_ttl(buf, 11, 1), -1);
	buf[12] = 63;			/* a label past the end */
	CHECK_EQ(ng_dns_reply_ttl(buf, 20, 1), -1);
	buf[12] = 0x80;			/* reserved label type */
	CHECK_EQ(ng_dns_reply_ttl(buf, 20, 1), -1);
}

/* main - every test. */
int
main(void)
{
	RUN(test_postscreen_line);
	RUN(test_lists);
	RUN(test_bad_input);
	RUN(test_other_keys);
	RUN(test_key_names);
	RUN(test_restart_keys);
	RUN(test_reverse_names);
	RUN(test_answer_a);
	RUN(test_answer_negative);
	RUN(test_answer_status);
	RUN(test_walker_loops);
	return test_done();
}
