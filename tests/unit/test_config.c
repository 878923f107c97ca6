/*
 * test_config.c - nfq-gate.conf parsing: every key, every error.
 *
 * Errors must name the file and line ("NAME:LINE: message"), and an
 * allow_file error must name the allow file and its own line, because
 * that is what an admin needs to fix a config that stops the gate.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "test.h"

static char tmpdir[] = "/tmp/ngcfg.XXXXXX";

static int
parse(struct ng_config *c, const char *text, char *err, size_t errlen)
{
	ng_config_defaults(c);
	err[0] = '\0';
	return ng_config_parse(c, text, strlen(text), "t.conf", err, errlen);
}

/* text must fail with an error starting "t.conf:LINE: " containing want. */
static void
expect_err(const char *text, unsigned line, const char *want)
{
	struct ng_config c;
	char err[512], prefix[32];
	int rc = parse(&c, text, err, sizeof(err));

	snprintf(prefix, sizeof(prefix), "t.conf:%u: ", line);
	CHECK_EQ(rc, -1);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(strstr(err, want) != NULL);
	if (rc != -1 || strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, want) == NULL)
		fprintf(stderr, "    text \"%s\": got \"%s\", want %s%s\n",
		    text, err, prefix, want);
	ng_config_free(&c);
}

static void
test_defaults(void)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, "", err, sizeof(err)), 0);
	CHECK_EQ(c.eng.nports, 1);
	CHECK_EQ(c.eng.ports[0], 25);
	CHECK_EQ(c.eng.greet_pause, NG_SEC(6));
	CHECK_EQ(c.eng.greet_pause_stress, NG_SEC(2));
	CHECK_EQ(c.eng.pregreet_action, NG_PREGREET_RESET);
	CHECK_EQ(c.eng.monitor, 0);
	CHECK_EQ(c.eng.penalty_ttl, NG_SEC(3600));
	CHECK_EQ(c.eng.pass_ttl, NG_SEC(86400));
	CHECK_EQ(c.eng.pass_prefix4, 32);
	CHECK_EQ(c.eng.pass_prefix6, 128);
	CHECK_EQ(c.eng.penalty_prefix4, 32);
	CHECK_EQ(c.eng.penalty_prefix6, 64);
	CHECK_EQ(c.eng.greylist_prefix4, 32);
	CHECK_EQ(c.eng.greylist_prefix6, 128);
	CHECK_EQ(c.eng.greylist_delay, NG_SEC(60));
	CHECK_EQ(c.eng.greylist_window, NG_SEC(4 * 3600));
	CHECK_EQ(c.eng.default_action, NG_ACT_TEST);
	CHECK_EQ(c.eng.deny_action, NG_ACT_REJECT);
	CHECK_EQ(c.eng.ncountry, 0);
	CHECK_EQ(c.eng.allow.n + c.eng.deny.n + c.eng.nolisting.n, 0);
	CHECK_EQ(c.eng.flow_max, 65536);
	CHECK_EQ(c.eng.flow_idle_timeout, NG_SEC(300));
	CHECK_EQ(c.eng.flow_halfopen_timeout, NG_SEC(70));
	CHECK_EQ(c.eng.cache_max, 100000);
	CHECK_EQ(c.queue_maxlen, 65536);
	CHECK_EQ(c.mark_pass, 0x100);
	CHECK_EQ(c.mark_reset, 0x200);
	CHECK_EQ(c.mark_test, 0x400);
	CHECK_STR(c.database, "");
	CHECK_STR(c.state_dir, "/var/lib/nfq-gate");
	CHECK_STR(c.user, "nfq-gate");
	CHECK_EQ(c.sandbox, 1);
	CHECK_EQ(c.log_rate, 1000);
	CHECK_STR(c.policy_socket, "");
	CHECK_STR(c.policy_socket_owner, "postfix");
	CHECK_EQ(c.policy_socket_mode, 0660);
	CHECK_STR(c.policy_action, "PREPEND X-NFQ-Gate: country=%c; asn=%a; "
	    "owner=%o; rule=%r; pass=%p; grey=%g; pregreet=%n; throttled=%t");
	CHECK_EQ(c.stats_interval, NG_SEC(60));
	CHECK_STR(c.nft_penalty_table, "");
	CHECK_STR(c.prom_file, "");
	CHECK_EQ(c.eng.mynetworks.n, 0);
	CHECK_STR(c.warnings, "");
	CHECK(ng_settings_is_port(&c.eng, 25));
	CHECK(!ng_settings_is_port(&c.eng, 587));
	ng_config_free(&c);
}

static void
test_every_key(void)
{
	static const char text[] =
	    "# a comment line\n"
	    "\n"
	    "   ports = 25, 587 2525   # trailing comment\n"
	    "greet_pause = 500ms\n"
	    "greet_pause_stress=1s\n"
	    "pregreet_action = log\r\n"
	    "mode = monitor\n"
	    "penalty_ttl = 2h\n"
	    "pass_ttl = 1w\n"
	    "pass_prefix = 24, 64\n"
	    "penalty_prefix = /30 /56\n"
	    "greylist_prefix = /28 /56\n"
	    "greylist_delay = 2m\n"
	    "greylist_window = 1d\n"
	    "default_action = greylist\n"
	    "deny_action = drop\n"
	    "country CN, RU = drop\n"
	    "country -- = reject\n"
	    "allow = 192.0.2.0/24, 2001:db8:1::/48\n"
	    "allow = 198.51.100.10\n"
	    "deny = 203.0.113.0/24\n"
	    "nolisting = 203.0.113.26 2001:db8:25::26\n"
	    "mynetworks = 10.0.0.0/8 [2001:db8:9::]/48\n"
	    "prom_file = /var/lib/prometheus/node-exporter/nfq-gate.prom\n"
	    "flow_max = 1000\n"
	    "flow_idle_timeout = 60\n"
	    "flow_halfopen_timeout = 5s\n"
	    "cache_max = 5000\n"
	    "queue_maxlen = 2048\n"
	    "mark_pass = 0x10\n"
	    "mark_reset = 32\n"
	    "database = /var/lib/nfq-gate/netblocks.db\n"
	    "state_dir = /tmp/state\n"
	    "user = nobody\n"
	    "stats_interval = 5m\n"
	    "nft_penalty_set = inet nfq_gate penalty4 penalty6\n"
	    "sandbox = no\n"
	    "queue_rcvbuf = 256k\n"
	    "log_rate = 0\n"
	    "policy_socket = /var/spool/postfix/nfq-gate/policy\n"
	    "policy_socket_owner = postfix:postdrop\n"
	    "policy_socket_mode = 600\n"
	    "policy_action = PREPEND X-NFQ-Gate: cc=%c; pass=%p; grey=%g\n"
	    "policy_action_penalty =\n"
	    "inside = eth1, 10.0.0.0/8\n"
	    "inside = fd00::/8 br-lan.2\n"
	    "rules_check = 30s\n"
	    "rules_lost = exit\n";
	struct ng_config c;
	struct ng_addr a;
	char err[256];

	CHECK_EQ(parse(&c, text, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "    %s\n", err);
	CHECK_EQ(c.eng.nports, 3);
	CHECK(ng_settings_is_port(&c.eng, 25) && ng_settings_is_port(&c.eng, 587) &&
	    ng_settings_is_port(&c.eng, 2525));
	CHECK_EQ(c.eng.greet_pause, 500000);
	CHECK_EQ(c.eng.greet_pause_stress, NG_SEC(1));
	CHECK_EQ(c.eng.pregreet_action, NG_PREGREET_LOG);
	CHECK_EQ(c.eng.monitor, 1);
	CHECK_EQ(c.eng.penalty_ttl, NG_SEC(7200));
	CHECK_EQ(c.eng.pass_ttl, NG_SEC(7 * 86400));
	CHECK_EQ(c.eng.pass_prefix4, 24);
	CHECK_EQ(c.eng.pass_prefix6, 64);
	CHECK_EQ(c.eng.penalty_prefix4, 30);
	CHECK_EQ(c.eng.penalty_prefix6, 56);
	CHECK_EQ(c.eng.greylist_prefix4, 28);
	CHECK_EQ(c.eng.greylist_prefix6, 56);
	CHECK_EQ(c.eng.greylist_delay, NG_SEC(120));
	CHECK_EQ(c.eng.greylist_window, NG_SEC(86400));
	CHECK_EQ(c.eng.default_action, NG_ACT_GREYLIST);
	CHECK_EQ(c.eng.deny_action, NG_ACT_DROP);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("CN")), NG_ACT_DROP);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("RU")), NG_ACT_DROP);
	CHECK_EQ(ng_settings_country_action(&c.eng, 0), NG_ACT_REJECT);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("US")), NG_ACT_NONE);
	CHECK_EQ(c.eng.allow.n, 3);
	CHECK_EQ(c.eng.deny.n, 1);
	CHECK_EQ(c.eng.nolisting.n, 2);
	CHECK_EQ(c.eng.mynetworks.n, 2);
	CHECK_STR(c.prom_file, "/var/lib/prometheus/node-exporter/nfq-gate.prom");
	/* 587 is taken, with a warning naming the line. */
	CHECK(strstr(c.warnings, "t.conf:3: ports: 587 is submission") ==
	    c.warnings);
	ng_addr_parse(&a, "2001:db8:1:ffff::1");
	CHECK(ng_cidr_list_match(&c.eng.allow, &a));
	ng_addr_parse(&a, "198.51.100.10");
	CHECK(ng_cidr_list_match(&c.eng.allow, &a));
	ng_addr_parse(&a, "198.51.100.11");
	CHECK(!ng_cidr_list_match(&c.eng.allow, &a));
	ng_addr_parse(&a, "203.0.113.99");
	CHECK(ng_cidr_list_match(&c.eng.deny, &a));
	ng_addr_parse(&a, "2001:db8:25::26");
	CHECK(ng_cidr_list_match(&c.eng.nolisting, &a));
	CHECK_EQ(c.eng.flow_max, 1000);
	CHECK_EQ(c.eng.flow_idle_timeout, NG_SEC(60));
	CHECK_EQ(c.eng.flow_halfopen_timeout, NG_SEC(5));
	CHECK_EQ(c.eng.cache_max, 5000);
	CHECK_EQ(c.queue_maxlen, 2048);
	CHECK_EQ(c.mark_pass, 0x10);
	CHECK_EQ(c.mark_reset, 32);
	CHECK_STR(c.database, "/var/lib/nfq-gate/netblocks.db");
	CHECK_STR(c.state_dir, "/tmp/state");
	CHECK_STR(c.user, "nobody");
	CHECK_EQ(c.stats_interval, NG_SEC(300));
	CHECK_EQ(c.sandbox, 0);
	CHECK_EQ(c.queue_rcvbuf, 256 * 1024);
	CHECK_EQ(c.log_rate, 0);
	CHECK_STR(c.policy_socket, "/var/spool/postfix/nfq-gate/policy");
	CHECK_STR(c.policy_socket_owner, "postfix:postdrop");
	CHECK_EQ(c.policy_socket_mode, 0600);
	CHECK_STR(c.policy_action,
	    "PREPEND X-NFQ-Gate: cc=%c; pass=%p; grey=%g");
	CHECK_STR(c.policy_action_penalty, "");
	CHECK_STR(c.nft_penalty_table, "inet nfq_gate");
	CHECK_STR(c.nft_penalty_set4, "penalty4");
	CHECK_STR(c.nft_penalty_set6, "penalty6");
	CHECK_EQ(c.rules_check, NG_SEC(30));
	CHECK_EQ(c.rules_lost_exit, 1);
	ng_config_free(&c);
}

static void
test_durations(void)
{
	static const struct { const char *s; ng_usec v; } ok[] = {
		{ "6s", NG_SEC(6) }, { "500ms", 500000 }, { "2m", NG_SEC(120) },
		{ "1h", NG_SEC(3600) }, { "1d", NG_SEC(86400) },
		{ "1w", NG_SEC(604800) }, { "7", NG_SEC(7) }, { "0", 0 },
		{ "0ms", 0 }, { "36500d", NG_SEC(36500ULL * 86400) },
		/* One grammar with --greet-pause: fractions since then. */
		{ "0.5", 500000 }, { "1.5s", 1500000 }, { "0.5m", NG_SEC(30) },
	};
	static const char *bad[] = {
		"", "-1", "-1s", "6x", ".5s", "s", " 6s", "6 s", "6S", "0x10",
		"99999999999999999999", "18446744073709551616",
		"1000000w", "40000d", "6ss", "+6",
	};
	struct ng_config c;
	char err[512];
	size_t i;
	ng_usec v;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		CHECK_EQ(ng_parse_duration(ok[i].s, &v), 0);
		CHECK_EQ(v, ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		CHECK_EQ(ng_parse_duration(bad[i], &v), -1);
		CHECK_EQ(v, 12345);
		if (ng_parse_duration(bad[i], &v) != -1)
			fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
	}
	expect_err("\n\ngreet_pause = 6x\n", 3,
	    "greet_pause: bad duration \"6x\"");
	expect_err("pass_ttl = -1d\n", 1, "pass_ttl: bad duration \"-1d\"");
	expect_err("penalty_ttl =\n", 1, "penalty_ttl: bad duration");
	/* A fraction in the file, as on nfq-gate -r's command line. */
	CHECK_EQ(parse(&c, "greet_pause = 0.5\ngreet_pause_stress = 0.25s\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(c.eng.greet_pause, 500000);
	CHECK_EQ(c.eng.greet_pause_stress, 250000);
	ng_config_free(&c);
}

static void
test_country(void)
{
	struct ng_config c;
	char err[256];

	/* A later line for the same code overrides; codes are any case. */
	CHECK_EQ(parse(&c, "country CN RU,KP = drop\n"
	    "country cn = greylist\n"
	    "country   de  =   pass  \n", err, sizeof(err)), 0);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("CN")),
	    NG_ACT_GREYLIST);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("RU")), NG_ACT_DROP);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("KP")), NG_ACT_DROP);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("DE")), NG_ACT_PASS);
	CHECK_EQ(ng_settings_country_action(&c.eng, 0), NG_ACT_NONE);
	CHECK_EQ(c.eng.ncountry, 4);
	ng_config_free(&c);

	expect_err("country CHN = drop\n", 1, "bad country code \"CHN\"");
	expect_err("\ncountry CN, 1A = drop\n", 2, "bad country code \"1A\"");
	expect_err("country C = drop\n", 1, "bad country code \"C\"");
	expect_err("country = drop\n", 1, "no country code");
	expect_err("country CN = maybe\n", 1, "bad action \"maybe\"");
	expect_err("country CN = none\n", 1, "bad action \"none\"");
	expect_err("country CN =\n", 1, "bad action");
}

/* rule - the i-th asn or owner rule of c. */
static const struct ng_net_rule *
rule(const struct ng_config *c, unsigned i)
{
	return &c->eng.net_rule[i];
}

/* asn and owner rules: order, lists, qualifiers, names, shared bits. */
static void
test_net_rules(void)
{
	struct ng_config c, d;
	struct ng_where w;
	char err[512];

	CHECK_EQ(parse(&c, "asn 4134, AS4837 = greylist\n"
	    "owner /dynamic|dial|pool|dsl|ppp|cable/ = greylist # dial-up\n"
	    "  owner\t/dynamic|pool/ in BR, ar = drop\n"
	    "asn as4134 in CN,-- = drop\n"
	    "owner /a=b#c\\/d/ = reject\n"
	    "owner /DYNAMIC|dial|pool|dsl|ppp|cable/ in DE = pass\n"
	    "owner /[[:digit:]]+-static/ = test\n"
	    "owner /dynamic|dial|pool|dsl|ppp|cable/ = test\n",
	    err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(c.eng.nnet_rule, 8);
	CHECK_EQ(rule(&c, 0)->kind, NG_NET_ASN);
	CHECK_EQ(rule(&c, 0)->action, NG_ACT_GREYLIST);
	CHECK_EQ(rule(&c, 0)->nasn, 2);
	CHECK_EQ(c.eng.net_asn[rule(&c, 0)->asn_first], 4134);
	CHECK_EQ(c.eng.net_asn[rule(&c, 0)->asn_first + 1], 4837);
	CHECK_EQ(rule(&c, 0)->ncc, 0);
	CHECK_STR(rule(&c, 0)->name, "asn AS4134,AS4837");
	CHECK_EQ(rule(&c, 1)->kind, NG_NET_OWNER);
	CHECK_EQ(rule(&c, 1)->pattern, 0);
	CHECK_STR(rule(&c, 1)->name, "owner /dynamic|dial|pool|dsl|ppp|cable/");
	CHECK_EQ(rule(&c, 2)->pattern, 1);
	CHECK_EQ(rule(&c, 2)->action, NG_ACT_DROP);
	CHECK_EQ(rule(&c, 2)->ncc, 2);
	CHECK_EQ(c.eng.net_cc[rule(&c, 2)->cc_first], ng_cc_pack("BR"));
	CHECK_EQ(c.eng.net_cc[rule(&c, 2)->cc_first + 1], ng_cc_pack("AR"));
	CHECK_EQ(rule(&c, 3)->ncc, 2);
	CHECK_EQ(c.eng.net_cc[rule(&c, 3)->cc_first + 1], 0);	/* "--" */
	CHECK_STR(rule(&c, 3)->name, "asn AS4134");
	/* '#', '=' and an escaped slash inside the pattern are its own */
	CHECK_EQ(rule(&c, 4)->pattern, 2);
	CHECK_STR(c.owner_pat[2], "a=b#c/d");
	CHECK_EQ(rule(&c, 4)->action, NG_ACT_REJECT);
	/* a pattern differing only in case is another pattern (text) */
	CHECK_EQ(rule(&c, 5)->pattern, 3);
	CHECK_EQ(rule(&c, 6)->pattern, 4);
	/* the same text again shares its bit */
	CHECK_EQ(rule(&c, 7)->pattern, 0);
	CHECK_EQ(c.owner_npat, 5);
	CHECK_EQ(c.eng.nowner_pattern, 5);
	/* compiled case-insensitive, extended */
	CHECK_EQ(regexec(&c.owner_re[0], "Dynamic pool of X", 0, NULL, 0), 0);
	CHECK(regexec(&c.owner_re[0], "static", 0, NULL, 0) != 0);
	CHECK_EQ(regexec(&c.owner_re[2], "xA=B#C/Dx", 0, NULL, 0), 0);
	CHECK_EQ(regexec(&c.owner_re[4], "12-STATIC", 0, NULL, 0), 0);
	/* first match in the order written; the qualifier restricts */
	memset(&w, 0, sizeof(w));
	w.asn = 4134;
	w.cc = ng_cc_pack("CN");
	CHECK(ng_settings_net_rule(&c.eng, &w) == rule(&c, 0));
	w.asn = 9;
	w.owner = 7;
	w.owner_bits = 1u << 1;
	w.cc = ng_cc_pack("AR");
	CHECK(ng_settings_net_rule(&c.eng, &w) == rule(&c, 2));
	w.cc = ng_cc_pack("US");
	CHECK(ng_settings_net_rule(&c.eng, &w) == NULL);
	w.owner = 0;	/* no owner: no owner rule, whatever the bits */
	w.cc = ng_cc_pack("BR");
	CHECK(ng_settings_net_rule(&c.eng, &w) == NULL);
	/* a copy has patterns of its own: freeing one leaves the other */
	CHECK_EQ(ng_config_copy(&d, &c), 0);
	ng_config_free(&c);
	CHECK_EQ(d.owner_nre, 5);
	CHECK_EQ(regexec(&d.owner_re[1], "POOL", 0, NULL, 0), 0);
	CHECK_STR(d.eng.net_rule[3].name, "asn AS4134");
	ng_config_free(&d);
	ng_config_free(&d);	/* twice is harmless */

	/* long lists and patterns: names cut, never overflowing */
	CHECK_EQ(parse(&c, "asn 4200000001 4200000002 4200000003 4200000004 "
	    "4200000005 = drop\nowner /0123456789012345678901234567890123456"
	    "789012345678901234567890/ = drop\n", err, sizeof(err)), 0);
	CHECK_EQ(strlen(rule(&c, 0)->name), NG_NET_RULE_NAME - 1);
	CHECK(strstr(rule(&c, 0)->name, "...") != NULL);
	CHECK_EQ(c.eng.net_asn[rule(&c, 0)->asn_first + 4], 4200000005u);
	CHECK(strlen(rule(&c, 1)->name) < NG_NET_RULE_NAME);
	CHECK(strstr(rule(&c, 1)->name, ".../") != NULL);
	ng_config_free(&c);
}

/* Bad asn and owner lines: each a "file:line: message". */
static void
test_net_rule_errors(void)
{
	struct ng_config c;
	char text[64 * 40 + 64], err[512];
	size_t n = 0;
	int i;

	expect_err("\nasn 0 = drop\n", 2, "asn: bad AS number \"0\"");
	expect_err("asn 4294967296 = drop\n", 1, "bad AS number");
	expect_err("asn AS = drop\n", 1, "bad AS number \"AS\"");
	expect_err("asn -5 = drop\n", 1, "bad AS number");
	expect_err("asn 12x = drop\n", 1, "bad AS number \"12x\"");
	expect_err("asn = drop\n", 1, "asn: no AS number");
	expect_err("asn in CN = drop\n", 1, "asn: no AS number");
	expect_err("asn 1 in = drop\n", 1, "no country code after \"in\"");
	expect_err("asn 1 in CHN = drop\n", 1, "asn: bad country code");
	expect_err("asn 1 = maybe\n", 1, "asn: bad action \"maybe\"");
	expect_err("owner /(/ = drop\n", 1, "owner: bad pattern: ");
	expect_err("\n\nowner /a[/ = drop\n", 3, "owner: bad pattern: ");
	expect_err("owner /abc = drop\n", 1, "not closed by '/'");
	expect_err("owner // = drop\n", 1, "empty pattern");
	expect_err("owner dsl = drop\n", 1, "between slashes");
	expect_err("owner /dsl/ drop\n", 1, "owner: expected");
	expect_err("owner /dsl/ = nope\n", 1, "owner: bad action");
	expect_err("owner /dsl/ BR = drop\n", 1, "\"BR\" after the pattern");
	expect_err("owner /dsl/ in = drop\n", 1, "no country code after");
	expect_err("owner /dsl/ in BRA = drop\n", 1, "bad country code");
	/* what would make regcomp blow up: repetitions that multiply */
	expect_err("owner /dyna+++++++++++mic/ = drop\n", 1,
	    "owner: bad pattern: its repetitions");
	expect_err("owner /(a{1,255}){1,255}/ = drop\n", 1,
	    "multiply past 1024");
	expect_err("owner /x{2000}/ = drop\n", 1, "multiply past 1024");
	expect_err("owner /p{,24442}e/ = drop\n", 1, "multiply past 1024");
	expect_err("owner /(a)\\1/ = drop\n", 1, "back-reference");
	expect_err("owner /p{0000000000000000000000009999}/ = drop\n", 1,
	    "multiply past 1024");
	/* repetitions of repetitions: glibc's regcomp never finished on
	 * the fuzzer's "(((((j)*){,3}){,8})+)*" */
	expect_err("owner /j{,6}{,3}{3,}{,3}/ = drop\n", 1,
	    "a repetition of a repetition");
	expect_err("owner /(((((j)*){,3}){,8})+)*/ = drop\n", 1,
	    "a repetition of a repetition");
	expect_err("owner /(pool+)?/ = drop\n", 1,
	    "a repetition of a repetition");
	CHECK_EQ(parse(&c, "owner /d+y+n+a+m+i+c+p+o+l/ = drop\n"
	    "owner /x{1,127}[0-9]+-pool{2}/ = drop\nowner /a\\{3/ = drop\n"
	    "owner /dyn(amic)?-?[0-9]+|[]*+]+x|\\(a*\\)+/ = drop\n", err,
	    sizeof(err)), 0);
	CHECK_EQ(c.owner_npat, 4);
	ng_config_free(&c);
	/* an escaped backslash before a digit is no back-reference */
	CHECK_EQ(parse(&c, "owner /a\\\\1/ = drop\n", err, sizeof(err)), 0);
	CHECK_EQ(regexec(&c.owner_re[0], "xa\\1", 0, NULL, 0), 0);
	ng_config_free(&c);
	/* 32 distinct patterns fit, the 33rd does not */
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "owner /p%d/ = drop\n", i);
	expect_err(text, 33, "owner: more than 32 distinct patterns");
}

/* More rules than the table holds: the line that overflows is named. */
static void
test_net_rule_limits(void)
{
	static char text[300 * 16];
	char err[512];
	struct ng_config c;
	size_t n = 0;
	int i;

	for (i = 0; i < NG_NET_RULES_MAX + 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "asn %d = drop\n", i + 1);
	expect_err(text, NG_NET_RULES_MAX + 1, "more than 256 asn and owner");
	text[n - strlen("asn 257 = drop\n")] = '\0';
	CHECK_EQ(parse(&c, text, err, sizeof(err)), 0);
	CHECK_EQ(c.eng.nnet_rule, NG_NET_RULES_MAX);
	ng_config_free(&c);
}

static void
test_lists(void)
{
	struct ng_config c;
	char err[256];

	CHECK_EQ(parse(&c, "ports = 25\n", err, sizeof(err)), 0);
	CHECK_EQ(c.eng.nports, 1);
	ng_config_free(&c);
	CHECK_EQ(parse(&c, "ports = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n", err,
	    sizeof(err)), 0);
	CHECK_EQ(c.eng.nports, NG_PORTS_MAX);
	ng_config_free(&c);
	expect_err("ports = 25, 0\n", 1, "ports: bad port \"0\"");
	expect_err("ports = 65536\n", 1, "ports: bad port \"65536\"");
	expect_err("ports = smtp\n", 1, "ports: bad port \"smtp\"");
	expect_err("ports = 25 25\n", 1, "port 25 listed twice");
	expect_err("ports = ,\n", 1, "ports: empty");
	expect_err("allow = 10.0.0.0/33\n", 1,
	    "bad address or prefix \"10.0.0.0/33\"");
	expect_err("deny = 1.2.3.4 bogus\n", 1,
	    "bad address or prefix \"bogus\"");
	expect_err("nolisting = 2001:db8::/129\n", 1, "bad address");
	expect_err("allow =\n", 1, "allow: missing value");
	/* Repeatable keys accumulate; single ones may not repeat. */
	CHECK_EQ(parse(&c, "allow = 10.0.0.1\nallow = 10.0.0.2\n"
	    "deny = ::1\ndeny=::2\nnolisting=1.1.1.1\nnolisting=2.2.2.2\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(c.eng.allow.n, 2);
	CHECK_EQ(c.eng.deny.n, 2);
	CHECK_EQ(c.eng.nolisting.n, 2);
	ng_config_free(&c);
}

static void
test_errors(void)
{
	expect_err("bogus = 1\n", 1, "unknown setting \"bogus\"");
	expect_err("sandbox = maybe\n", 1, "sandbox: bad value \"maybe\"");
	expect_err("mode = dry\n", 1, "mode: bad mode \"dry\" (enforce or "
	    "monitor)");
	expect_err("queue_rcvbuf = 2g\n", 1, "queue_rcvbuf: bad size \"2g\"");
	expect_err("queue_rcvbuf = 2048m\n", 1, "at most 1024m");
	expect_err("queue_rcvbuf = k\n", 1, "queue_rcvbuf: bad size");
	expect_err("log_rate = -1\n", 1, "log_rate: bad number \"-1\"");
	expect_err("policy_socket_mode = 0999\n", 1,
	    "policy_socket_mode: bad mode \"0999\"");
	expect_err("policy_socket_mode = 01777\n", 1, "bad mode");
	expect_err("policy_socket_owner = :postfix\n", 1,
	    "policy_socket_owner: bad owner");
	expect_err("policy_socket_owner = a:b:c\n", 1, "bad owner");
	expect_err("\npolicy_action = DUNNO %x\n", 2,
	    "policy_action: template: unknown escape");
	expect_err("policy_action_penalty = REJECT 100%\n", 1,
	    "policy_action_penalty: template: unknown escape");
	expect_err("greet pause = 1\n", 1, "unknown setting \"greet pause\"");
	expect_err("# c\ngreet_pause\n", 2, "expected \"key = value\"");
	expect_err(" = 5\n", 1, "missing key");
	expect_err("greet_pause = 1s\n\ngreet_pause = 2s\n", 3,
	    "greet_pause: set twice (first on line 1)");
	expect_err("ports = 25\nports = 587\n", 2, "ports: set twice");
	expect_err("pregreet_action = drop\n", 1,
	    "pregreet_action: bad action \"drop\"");
	expect_err("default_action = none\n", 1,
	    "default_action: bad action \"none\"");
	expect_err("deny_action = pass\n", 1, "deny_action: bad action");
	expect_err("pass_prefix = 24\n", 1, "expected two prefix lengths");
	expect_err("penalty_prefix = 32 129\n", 1,
	    "bad IPv6 prefix length \"129\"");
	expect_err("pass_prefix = 24 64 96\n", 1,
	    "expected two prefix lengths");
	expect_err("pass_prefix = 33 64\n", 1, "bad IPv4 prefix length \"33\"");
	expect_err("greylist_prefix = 24 129\n", 1,
	    "bad IPv6 prefix length \"129\"");
	expect_err("greylist_prefix = 24 -1\n", 1, "bad IPv6 prefix length");
	expect_err("flow_max = 0\n", 1, "flow_max: bad count \"0\"");
	expect_err("cache_max = many\n", 1, "cache_max: bad count");
	expect_err("queue_maxlen = 999999999999\n", 1, "queue_maxlen: bad count");
	expect_err("flow_max = 0x10\n", 1, "flow_max: bad count");
	expect_err("mark_pass = 0\n", 1, "mark_pass: bad mark \"0\"");
	expect_err("mark_reset = 0x1ffffffff\n", 1, "mark_reset: bad mark");
	expect_err("mark_reset = 0xzz\n", 1, "mark_reset: bad mark");
	expect_err("\nmark_pass = 0x200\n", 2,
	    "mark_pass and mark_reset must differ");
	expect_err("mark_pass = 0x300\nmark_reset = 768\n#\n", 2,
	    "mark_pass and mark_reset must differ");
	expect_err("mark_test = 0x100\n", 1,
	    "mark_pass and mark_test must share no bit");
	expect_err("mark_test = 0x500\n", 1,
	    "mark_pass and mark_test must share no bit");
	expect_err("\nmark_reset = 0x400\n", 2,
	    "mark_reset and mark_test must share no bit");
	expect_err("mark_test = 0\n", 1, "mark_test: bad mark");
	expect_err("state_dir =\n", 1, "state_dir: missing value");
	expect_err("user = a:b\n", 1, "user: bad user name");
	expect_err("user = 0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\n", 1,
	    "user: value too long");
	expect_err("nft_penalty_set = inet t s4\n", 1,
	    "expected FAMILY TABLE SET4 SET6");
	expect_err("nft_penalty_set = inet t s4 s6 s7\n", 1,
	    "expected FAMILY TABLE SET4 SET6");
	expect_err("nft_penalty_set = arp t s4 s6\n", 1, "bad family \"arp\"");
	expect_err("nft_penalty_set = inet t; s4 s6\n", 1, "bad name \"t;\"");
	expect_err("inside = 10.0.0.0/33\n", 1, "inside: bad network");
	expect_err("inside = fd00::/8/8\n", 1, "inside: bad network");
	expect_err("inside = eth1;\n", 1, "inside: bad interface name");
	expect_err("inside = averyveryverylongname\n", 1,
	    "inside: bad interface name");
	expect_err("inside =\n", 1, "inside: missing value");
	expect_err("rules_lost = restart\n", 1,
	    "rules_lost: bad value \"restart\" (log or exit)");
}

static void
test_odd_text(void)
{
	struct ng_config c;
	char err[256], big[8192];
	static const char nul[] = "greet_pause = 1s\ncache_max\0 = 5\n";

	/* Swapping the marks is fine: the check runs after the last line. */
	CHECK_EQ(parse(&c, "mark_pass = 0x200\nmark_reset = 0x100\n", err,
	    sizeof(err)), 0);
	CHECK_EQ(c.mark_pass, 0x200);
	CHECK_EQ(c.mark_reset, 0x100);
	ng_config_free(&c);
	/* Empty database and nft set mean "off"; no final newline is fine. */
	CHECK_EQ(parse(&c, "database =\nnft_penalty_set =   \n"
	    "mark_pass = 010", err, sizeof(err)), 0);
	CHECK_STR(c.database, "");
	CHECK_STR(c.nft_penalty_table, "");
	CHECK_EQ(c.mark_pass, 10);
	ng_config_free(&c);

	ng_config_defaults(&c);
	CHECK_EQ(ng_config_parse(&c, nul, sizeof(nul) - 1, "t.conf", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "t.conf:2: NUL byte") != NULL);
	ng_config_free(&c);

	memset(big, 'a', sizeof(big));
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_parse(&c, big, sizeof(big), "t.conf", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "t.conf:1: line longer") != NULL);
	ng_config_free(&c);

	/* A tiny error buffer truncates, never overflows. */
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_parse(&c, "x = 1\n", 6, "t.conf", err, 4), -1);
	CHECK_EQ(strlen(err), 3);
	CHECK_EQ(ng_config_parse(&c, "x = 1\n", 6, "t.conf", NULL, 0), -1);
	ng_config_free(&c);

	CHECK_STR(ng_rule_action_name(NG_ACT_NONE), "none");
	CHECK_STR(ng_rule_action_name(NG_ACT_PASS), "pass");
	CHECK_STR(ng_rule_action_name(NG_ACT_TEST), "test");
	CHECK_STR(ng_rule_action_name(NG_ACT_GREYLIST), "greylist");
	CHECK_STR(ng_rule_action_name(NG_ACT_REJECT), "reject");
	CHECK_STR(ng_rule_action_name(NG_ACT_DROP), "drop");
	CHECK_STR(ng_rule_action_name(77), "?");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
}

static void
test_files(void)
{
	struct ng_config c;
	char conf[256], list[256], err[512], want[512];
	struct ng_addr a;

	snprintf(conf, sizeof(conf), "%s/nfq-gate.conf", tmpdir);
	snprintf(list, sizeof(list), "%s/allow.txt", tmpdir);
	write_file(list, "# good senders\n192.0.2.0/24\n\n"
	    "  2001:db8:7::/48   # partner\n");
	write_file(conf, "allow_file = allow.txt\n"
	    "deny_file = allow.txt\nallow = 10.0.0.1\n");
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_load(&c, conf, err, sizeof(err)), 0);
	CHECK_EQ(c.eng.allow.n, 3);
	CHECK_EQ(c.eng.deny.n, 2);
	ng_addr_parse(&a, "2001:db8:7:1::1");
	CHECK(ng_cidr_list_match(&c.eng.allow, &a));
	ng_config_free(&c);

	/* A bad line in the allow file names that file and its line. */
	write_file(list, "192.0.2.0/24\n# x\n192.0.2.300\n");
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_load(&c, conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/allow.txt:3: bad address or prefix "
	    "\"192.0.2.300\"", tmpdir);
	CHECK_STR(err, want);
	ng_config_free(&c);

	/* A missing allow file: the config's line names it. */
	write_file(conf, "\nallow_file = nothere.txt\n");
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_load(&c, conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: allow_file: cannot open "
	    "%s/nothere.txt: No such file or directory", conf, tmpdir);
	CHECK_STR(err, want);
	ng_config_free(&c);

	/* Errors in the config itself carry its path. */
	write_file(conf, "greet_pause = 6s\n\n\n\n\n\n\n\n\n\n\n"
	    "greet_pause_stress = 6x\n");
	ng_config_defaults(&c);
	CHECK_EQ(ng_config_load(&c, conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:12: greet_pause_stress: bad duration "
	    "\"6x\"", conf);
	CHECK_STR(err, want);
	ng_config_free(&c);

	ng_config_defaults(&c);
	snprintf(conf, sizeof(conf), "%s/missing.conf", tmpdir);
	CHECK_EQ(ng_config_load(&c, conf, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or "
	    "directory", conf);
	CHECK_STR(err, want);
	ng_config_free(&c);
	unlink(list);
	snprintf(conf, sizeof(conf), "%s/nfq-gate.conf", tmpdir);
	unlink(conf);
}

/*
 * The sample config in rules/ documents the defaults: it must parse to
 * exactly what ng_config_defaults() gives, and every commented-out
 * example line in it must parse too.
 */
static void
test_sample(void)
{
	struct ng_config c, d;
	char err[512], path[512], line[512], cwd[512];
	const char *root = getenv("NG_ROOT");
	unsigned examples = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rules/nfq-gate.conf",
	    root ? root : ".");
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "    no %s\n", path);
		CHECK(f != NULL);
		return;
	}
	ng_config_defaults(&c);
	ng_config_defaults(&d);
	err[0] = '\0';
	CHECK_EQ(ng_config_load(&c, path, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "    %s\n", err);
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	ng_config_free(&c);

	/* Example lists: allow_file = allow.txt is relative to the cwd. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_EQ(chdir(tmpdir), 0);
	write_file("allow.txt", "192.0.2.1\n");
	write_file("deny.txt", "192.0.2.2\n");
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strspn(line + 1, "abcdefghijklmnopqrstuvwxyz_");

		if (line[0] != '#' || n == 0 || strchr(line, '=') == NULL ||
		    strspn(line + 1 + n, " ,-ABCDEFGHIJKLMNOPQRSTUVWXYZ=") == 0)
			continue;
		examples++;
		ng_config_defaults(&c);
		err[0] = '\0';
		CHECK_EQ(ng_config_parse(&c, line + 1, strlen(line + 1),
		    "example", err, sizeof(err)), 0);
		if (err[0])
			fprintf(stderr, "    %s in: %s", err, line);
		ng_config_free(&c);
	}
	fclose(f);
	unlink("allow.txt");
	unlink("deny.txt");
	CHECK_EQ(chdir(cwd), 0);
	CHECK(examples >= 10);
	fprintf(stderr, "    %u example lines parsed\n", examples);
}

static void
test_copy(void)
{
	struct ng_config c, d;
	char err[256];
	struct ng_addr a;

	CHECK_EQ(parse(&c, "allow = 10.0.0.0/8\ndeny = ::1\n"
	    "nolisting = 1.2.3.4\ncountry CN = drop\n", err, sizeof(err)), 0);
	CHECK_EQ(ng_config_copy(&d, &c), 0);
	CHECK(d.eng.allow.v != c.eng.allow.v);
	ng_config_free(&c);	/* d must not share c's lists */
	ng_addr_parse(&a, "10.1.2.3");
	CHECK(ng_cidr_list_match(&d.eng.allow, &a));
	CHECK_EQ(d.eng.deny.n, 1);
	CHECK_EQ(d.eng.nolisting.n, 1);
	CHECK_EQ(ng_settings_country_action(&d.eng, ng_cc_pack("CN")), NG_ACT_DROP);
	ng_config_free(&d);
	ng_config_free(&d);	/* freeing twice is harmless */
}

/* 465 refused, 587 warned, 15 ports, reset as a spelling of reject. */
static void
test_safe_defaults(void)
{
	struct ng_config c;
	char err[256];

	expect_err("\nports = 25, 465\n", 2, "465 is SMTPS (implicit TLS)");
	CHECK_EQ(parse(&c, "ports = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(c.eng.nports, 15);
	CHECK_STR(c.warnings, "");
	ng_config_free(&c);
	expect_err("ports = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", 1,
	    "at most 15 ports");
	CHECK_EQ(parse(&c, "# x\nports = 587\n", err, sizeof(err)), 0);
	CHECK(strncmp(c.warnings, "t.conf:2: ports: 587 is submission",
	    34) == 0);
	CHECK(c.warnings[strlen(c.warnings) - 1] == '\n');
	ng_config_free(&c);
	CHECK_EQ(parse(&c, "deny_action = reset\ncountry CN = reset\n", err,
	    sizeof(err)), 0);
	CHECK_EQ(c.eng.deny_action, NG_ACT_REJECT);
	CHECK_EQ(ng_settings_country_action(&c.eng, ng_cc_pack("CN")),
	    NG_ACT_REJECT);
	ng_config_free(&c);
	expect_err("deny_action = pass\n", 1, "reject, also spelt reset");
}

static int
judged(const struct ng_config *c, const char *addr)
{
	struct ng_addr a;

	CHECK_EQ(ng_addr_parse(&a, addr), 0);
	return !ng_settings_never_judged(&c->eng, &a);
}

/* Postfix's mynetworks syntax, a file of them, and loopback always. */
static void
test_mynetworks(void)
{
	struct ng_config c;
	char err[512], conf[1024], list[256];

	CHECK_EQ(parse(&c, "", err, sizeof(err)), 0);
	CHECK(!judged(&c, "127.0.0.1") && !judged(&c, "127.255.0.9"));
	CHECK(!judged(&c, "::1") && !judged(&c, "::ffff:127.0.0.1"));
	CHECK(judged(&c, "128.0.0.1") && judged(&c, "::2"));
	CHECK(judged(&c, "10.1.2.3"));
	ng_config_free(&c);

	snprintf(list, sizeof(list), "%s/mynet.txt", tmpdir);
	write_file(list, "# the office\n192.0.2.0/24\n\n");
	snprintf(conf, sizeof(conf), "mynetworks = 127.0.0.0/8 [::1]/128 "
	    "10.0.0.0/8, [2001:db8::]/32 [2001:db8:7::1]\nmynetworks = %s\n",
	    list);
	CHECK_EQ(parse(&c, conf, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "    %s\n", err);
	CHECK(!judged(&c, "10.1.2.3") && !judged(&c, "2001:db8:5::1"));
	CHECK(!judged(&c, "192.0.2.77"));
	CHECK(judged(&c, "192.0.3.1") && judged(&c, "2001:db9::1"));
	CHECK_EQ(c.eng.allow.n, 0);		/* a list of its own */
	ng_config_free(&c);
	unlink(list);

	expect_err("mynetworks = hash:/etc/postfix/network_table\n", 1,
	    "lookup tables are not read here");
	expect_err("mynetworks = [::1\n", 1, "bad address or prefix \"[::1\"");
	expect_err("mynetworks = 10.0.0.0/40\n", 1, "bad address or prefix");
	expect_err("mynetworks =\n", 1, "mynetworks: missing value");
	expect_err("mynetworks = /nonexistent/mynet\n", 1,
	    "mynetworks: cannot open /nonexistent/mynet");
}

/* A reload names each start-only key that changed, once. */
static void
test_restart_keys(void)
{
	struct ng_config a, b;
	char err[256], names[256];

	CHECK_EQ(parse(&a, "flow_max = 10\nuser = nobody\n", err,
	    sizeof(err)), 0);
	CHECK_EQ(parse(&b, "flow_max = 10\nuser = nobody\ngreet_pause = 1s\n"
	    "queue_maxlen = 100\nmark_pass = 0x800\n", err, sizeof(err)), 0);
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, sizeof(names)), 0);
	CHECK_STR(names, "");
	ng_config_free(&b);
	CHECK_EQ(parse(&b, "flow_max = 11\ncache_max = 5\nqueue_rcvbuf = 1m\n"
	    "nft_penalty_set = inet t s4 s6\npolicy_socket = /x/p\n"
	    "policy_socket_owner = pf\npolicy_socket_mode = 0600\n"
	    "state_dir = /s\nprom_file = /p.prom\nuser = u\nsandbox = no\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, sizeof(names)), 11);
	CHECK_STR(names, "flow_max, cache_max, queue_rcvbuf, state_dir, "
	    "prom_file, user, sandbox, policy_socket, policy_socket_owner, "
	    "policy_socket_mode, nft_penalty_set");
	/* A short buffer is cut, the count stays right. */
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, 12), 11);
	CHECK_EQ(strlen(names), 11);
	ng_config_keep_restart(&b, &a);
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, sizeof(names)), 0);
	CHECK_EQ(b.eng.flow_max, 10);
	CHECK_STR(b.user, "nobody");
	CHECK_STR(b.nft_penalty_table, "");
	CHECK_STR(b.policy_socket_owner, "postfix");
	ng_config_free(&a);
	ng_config_free(&b);
}

/*
 * The trap MX's keys: defaults, lists that repeat, durations, the
 * table size a reload keeps, and the warning for a trap address that
 * nolisting resets first.
 */
/* The throttle's keys: limits per class, "same", bad values. */
static void
test_throttle_keys(void)
{
	struct ng_throttle_limit l;
	struct ng_config a;
	char err[256];

	CHECK_EQ(parse(&a, "", err, sizeof(err)), 0);
	CHECK_EQ(ng_settings_throttling(&a.eng), 0);
	CHECK_EQ(a.eng.throttle_max, 10000);
	CHECK_EQ(a.eng.throttle_prefix4, 32);
	CHECK_EQ(a.eng.throttle_prefix6, 64);
	ng_config_free(&a);
	CHECK_EQ(parse(&a, "throttle_rate = 30/1m\nthrottle_concurrency = 5\n"
	    "throttle_allow_concurrency = 64\nthrottle_prefix = 24, 48\n"
	    "throttle_max = 50\n", err, sizeof(err)), 0);
	ng_settings_throttle(&a.eng, NG_THR_PASSED, &l);
	CHECK_EQ(l.rate, 30);
	CHECK_EQ(l.per, NG_SEC(60));
	CHECK_EQ(l.concurrency, 5);
	ng_settings_throttle(&a.eng, NG_THR_ALLOW, &l);
	CHECK_EQ(l.rate, 0);
	CHECK_EQ(l.concurrency, 64);
	CHECK_EQ(a.eng.throttle_prefix4, 24);
	CHECK_EQ(a.eng.throttle_max, 50);
	ng_config_free(&a);
	CHECK_EQ(parse(&a, "throttle_rate = 30/1m\nthrottle_passed_rate = 0\n"
	    "throttle_passed_concurrency = 2\n", err, sizeof(err)), 0);
	ng_settings_throttle(&a.eng, NG_THR_PASSED, &l);
	CHECK_EQ(l.rate, 0);
	CHECK_EQ(l.concurrency, 2);
	CHECK_EQ(ng_settings_throttling(&a.eng), 1);
	ng_config_free(&a);
	expect_err("throttle_rate = 30\n", 1, "throttle_rate: expected N/");
	expect_err("\nthrottle_rate = 0/1m\n", 2, "throttle_rate: bad count");
	expect_err("throttle_rate = 5/soon\n", 1, "throttle_rate: bad interval");
	expect_err("throttle_rate = 5/2d\n", 1, "throttle_rate: bad interval");
	expect_err("throttle_rate = same\n", 1, "throttle_rate: expected");
	expect_err("throttle_concurrency = 65\n", 1,
	    "throttle_concurrency: bad number");
	expect_err("throttle_allow_concurrency = same\n", 1,
	    "throttle_allow_concurrency: bad number");
	expect_err("throttle_max = 0\n", 1, "throttle_max: bad count");
	expect_err("throttle_prefix = 24\n", 1, "expected two prefix lengths");
}

static void
test_trap_keys(void)
{
	struct ng_config a, b;
	char err[256], names[256];
	struct ng_addr x;

	CHECK_EQ(parse(&a, "", err, sizeof(err)), 0);
	CHECK_EQ(a.eng.trap_mx.n, 0);
	CHECK_EQ(a.eng.trap_window, NG_SEC(600));
	CHECK_EQ(a.eng.contacts_max, 100000);
	CHECK_EQ(a.eng.trap_defer, 0);
	ng_config_free(&a);
	CHECK_EQ(parse(&a, "trap_mx = 203.0.113.30, 2001:db8:25::30\n"
	    "trap_mx = 198.51.100.0/28\ntrap_window = 5m\n"
	    "contacts_max = 5000\n", err, sizeof(err)), 0);
	CHECK_EQ(a.eng.trap_mx.n, 3);
	ng_addr_parse(&x, "198.51.100.7");
	CHECK(ng_cidr_list_match(&a.eng.trap_mx, &x));
	CHECK_EQ(a.eng.trap_window, NG_SEC(300));
	CHECK_EQ(a.eng.contacts_max, 5000);
	CHECK_STR(a.warnings, "");
	CHECK_EQ(parse(&b, "trap_mx = 203.0.113.31\ntrap_window = 1h\n"
	    "contacts_max = 10\n", err, sizeof(err)), 0);
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, sizeof(names)), 1);
	CHECK_STR(names, "contacts_max");
	ng_config_keep_restart(&b, &a);
	CHECK_EQ(b.eng.contacts_max, 5000);
	CHECK_EQ(b.eng.trap_window, NG_SEC(3600));
	ng_config_free(&a);
	ng_config_free(&b);
	expect_err("trap_mx =\n", 1, "trap_mx: missing value");
	expect_err("trap_mx = 203.0.113.300\n", 1, "bad address or prefix");
	expect_err("\ntrap_window = soon\n", 2, "trap_window: bad duration");
	expect_err("contacts_max = 0\n", 1, "contacts_max: bad count");
	expect_err("trap_window = 1m\ntrap_window = 2m\n", 2, "set twice");
	/* A trap nolisting resets first traps nobody: said, not refused. */
	CHECK_EQ(parse(&a, "nolisting = 203.0.113.0/24\n#\n"
	    "trap_mx = 203.0.113.30, 2001:db8:25::30\n", err, sizeof(err)), 0);
	CHECK_STR(a.warnings, "t.conf:3: trap_mx: 203.0.113.30/32 is a "
	    "nolisting address too: its SYNs are reset there, nobody reaches "
	    "the trap\n");
	ng_config_free(&a);
}

/*
 * The shared state's keys: defaults (off, "nfq-gate:", 500ms, the host's
 * name), both URL forms, a reload may change every one, and each bad
 * value is an error naming the line.
 */
static void
test_redis_keys(void)
{
	struct ng_config a, b;
	char err[256], names[256];

	CHECK_EQ(parse(&a, "", err, sizeof(err)), 0);
	CHECK_STR(a.redis_url, "");
	CHECK_STR(a.redis_prefix, "nfq-gate:");
	CHECK_EQ(a.redis_timeout, 500000);
	CHECK_STR(a.mx_name, "");
	ng_config_free(&a);
	CHECK_EQ(parse(&a, "redis_url = redis://gate:pw@192.0.2.6:6380/1\n"
	    "redis_prefix = site1:\nredis_timeout = 250ms\n"
	    "mx_name = mx-a.example\n", err, sizeof(err)), 0);
	CHECK_STR(a.redis_url, "redis://gate:pw@192.0.2.6:6380/1");
	CHECK_STR(a.redis_prefix, "site1:");
	CHECK_EQ(a.redis_timeout, 250000);
	CHECK_STR(a.mx_name, "mx-a.example");
	CHECK_EQ(parse(&b, "redis_url = unix:/run/redis/redis.sock?db=2\n",
	    err, sizeof(err)), 0);
	CHECK_EQ(ng_config_restart_keys(&a, &b, names, sizeof(names)), 0);
	ng_config_free(&a);
	ng_config_free(&b);
	CHECK_EQ(parse(&a, "redis_url =\n", err, sizeof(err)), 0);
	CHECK_STR(a.redis_url, "");
	ng_config_free(&a);
	expect_err("\nredis_url = redis://localhost\n", 2,
	    "redis_url: host \"localhost\" is not an IP address");
	expect_err("redis_url = rediss://192.0.2.6\n", 1, "redis_url: "
	    "rediss:// (TLS) is not supported");
	expect_err("redis_url = tcp://192.0.2.6\n", 1, "redis_url: expected");
	expect_err("redis_url = unix:/x?db=1&db=1\n", 1, "given twice");
	expect_err("redis_url = redis://192.0.2.6\nredis_url = "
	    "redis://192.0.2.7\n", 2, "set twice");
	expect_err("redis_prefix =\n", 1, "redis_prefix: bad prefix");
	expect_err("redis_prefix = a*\n", 1, "redis_prefix: bad prefix");
	expect_err("redis_timeout = 0\n", 1, "redis_timeout: bad duration");
	expect_err("redis_timeout = 2m\n", 1, "redis_timeout: bad duration");
	expect_err("#\n#\nmx_name = local\n", 3, "mx_name: bad name");
	expect_err("mx_name = mx a\n", 1, "mx_name: bad name");
}

/* Every key the table lists is one the parser knows; the rules last. */
static void
test_key_names(void)
{
	struct ng_config c;
	const char *name;
	char err[256];
	int start, nstart = 0;
	size_t i;

	for (i = 0; (name = ng_config_key_name(i, &start)) != NULL; i++) {
		nstart += start;
		ng_config_defaults(&c);
		/* "KEY" alone is a syntax error, never an unknown key. */
		CHECK_EQ(ng_config_parse(&c, name, strlen(name), "t", err,
		    sizeof(err)), -1);
		CHECK(strstr(err, "unknown setting") == NULL);
		ng_config_free(&c);
	}
	CHECK(i > 30);
	/* the rule lines' keys, in a row */
	for (i = 0; (name = ng_config_key_name(i, NULL)) != NULL; i++)
		if (strcmp(name, "country") == 0)
			break;
	CHECK(name != NULL);
	CHECK_STR(ng_config_key_name(i + 1, NULL), "asn");
	CHECK_STR(ng_config_key_name(i + 2, NULL), "owner");
	CHECK_EQ(nstart, 17);	/* control_socket, control_socket_group,
				 * contacts_max, throttle_max, dns_servers,
				 * dns_cache_max too */
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_defaults);
	RUN(test_every_key);
	RUN(test_durations);
	RUN(test_country);
	RUN(test_net_rules);
	RUN(test_net_rule_errors);
	RUN(test_net_rule_limits);
	RUN(test_lists);
	RUN(test_errors);
	RUN(test_odd_text);
	RUN(test_files);
	RUN(test_sample);
	RUN(test_copy);
	RUN(test_safe_defaults);
	RUN(test_mynetworks);
	RUN(test_restart_keys);
	RUN(test_key_names);
	RUN(test_trap_keys);
	RUN(test_throttle_keys);
	RUN(test_redis_keys);
	rmdir(tmpdir);
	return test_done();
}
