/*
 * test_event_format.c - log lines and JSON objects for engine events:
 * the exact postscreen-style forms the tests and admins grep for, the
 * escaping of hostile early bytes, and JSON that a strict parser takes.
 */
#include <string.h>

#include "engine/event_format.h"
#include "test.h"

static char buf[NG_EVENT_LINE_MAX];

static struct ng_event
ev(uint8_t type, uint8_t decision, const char *cli, uint16_t cport)
{
	struct ng_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.decision = decision;
	ng_addr_parse(&e.client, cli);
	ng_addr_parse(&e.server, strchr(cli, ':') ? "2001:db8:25::25" :
	    "203.0.113.25");
	e.cport = cport;
	e.sport = 25;
	return e;
}

static const char *
line(const struct ng_event *e)
{
	ng_event_format_line(e, buf, sizeof(buf));
	return buf;
}

static const char *
json(const struct ng_event *e)
{
	ng_event_format_json(e, buf, sizeof(buf));
	return buf;
}

static void
set_first(struct ng_event *e, const char *s, size_t n)
{
	memcpy(e->first, s, n);
	e->nfirst = (uint8_t)n;
	e->bytes = (uint32_t)n;
}

static void
test_lines(void)
{
	struct ng_event e;

	e = ev(NG_EV_CONNECT, NG_DEC_NONE, "198.51.100.10", 40001);
	CHECK_STR(line(&e),
	    "CONNECT from [198.51.100.10]:40001 to [203.0.113.25]:25");
	e = ev(NG_EV_PASS_NEW, NG_DEC_PASS, "198.51.100.10", 40001);
	CHECK_STR(line(&e), "PASS NEW [198.51.100.10]:40001");
	e = ev(NG_EV_PASS_OLD, NG_DEC_PASS, "198.51.100.10", 40002);
	CHECK_STR(line(&e), "PASS OLD [198.51.100.10]:40002");
	e = ev(NG_EV_PREGREET, NG_DEC_PREGREET, "198.51.100.11", 40002);
	set_first(&e, "EHLO bot1\r\n", 11);
	e.after = 20000;
	CHECK_STR(line(&e), "PREGREET 11 after 0.02 from "
	    "[198.51.100.11]:40002: EHLO bot1\\r\\n");
	e = ev(NG_EV_DROP, NG_DEC_DROP, "1.0.1.5", 40011);
	e.cc = ng_cc_pack("CN");
	CHECK_STR(line(&e), "DROP [1.0.1.5]:40011 country=CN");
	e = ev(NG_EV_REJECT, NG_DEC_REJECT, "240e::5", 40012);
	CHECK_STR(line(&e), "REJECT [240e::5]:40012 country=--");
	e = ev(NG_EV_PENALTY, NG_DEC_REJECT, "198.51.100.11", 1);
	CHECK_STR(line(&e), "PENALTY [198.51.100.11]:1");
	e = ev(NG_EV_ALLOWLISTED, NG_DEC_PASS, "2001:db8:1::10", 2);
	CHECK_STR(line(&e), "ALLOWLISTED [2001:db8:1::10]:2");
	e = ev(NG_EV_DENYLISTED, NG_DEC_REJECT, "198.51.100.11", 3);
	CHECK_STR(line(&e), "DENYLISTED [198.51.100.11]:3");
	e = ev(NG_EV_GREYLIST, NG_DEC_GREYLIST, "198.51.100.12", 4);
	CHECK_STR(line(&e), "GREYLIST [198.51.100.12]:4");
	e = ev(NG_EV_GREYLIST_PASS, NG_DEC_NONE, "198.51.100.12", 5);
	CHECK_STR(line(&e), "GREYLIST PASS [198.51.100.12]:5");
	e = ev(NG_EV_NOLISTING, NG_DEC_REJECT, "198.51.100.12", 6);
	CHECK_STR(line(&e),
	    "NOLISTING [198.51.100.12]:6 to [203.0.113.25]:25");
	e = ev(NG_EV_HANGUP, NG_DEC_NONE, "198.51.100.12", 7);
	e.after = 500000;
	CHECK_STR(line(&e), "HANGUP after 0.50 from [198.51.100.12]:7 in "
	    "tests before SMTP handshake");
}

static void
test_after_rounding(void)
{
	struct ng_event e = ev(NG_EV_HANGUP, NG_DEC_NONE, "192.0.2.1", 1);

	e.after = 4999;
	CHECK(strstr(line(&e), "after 0.00 ") != NULL);
	e.after = 5000;
	CHECK(strstr(line(&e), "after 0.01 ") != NULL);
	e.after = 1994999;
	CHECK(strstr(line(&e), "after 1.99 ") != NULL);
	e.after = 1995000;
	CHECK(strstr(line(&e), "after 2.00 ") != NULL);
	e.after = NG_SEC(123456);
	CHECK(strstr(line(&e), "after 123456.00 ") != NULL);
}

static void
test_escape(void)
{
	static const uint8_t raw[] = { 'A', '\r', '\n', '\t', '\\', 0x00,
	    0x1b, 0x7f, 0xff, '"', ' ' };
	char out[64];
	size_t n;

	n = ng_escape_c(raw, sizeof(raw), out, sizeof(out));
	CHECK_STR(out, "A\\r\\n\\t\\\\\\x00\\x1b\\x7f\\xff\" ");
	CHECK_EQ(n, strlen(out));
	/* truncation stops at a whole escape and stays terminated */
	n = ng_escape_c(raw, sizeof(raw), out, 5);
	CHECK_STR(out, "A\\r");
	n = ng_escape_c(raw + 5, 1, out, 4);
	CHECK_STR(out, "");
	CHECK_EQ(ng_escape_c(raw, 1, out, 0), 0);
}

static void
test_worst_case_fits(void)
{
	struct ng_event e = ev(NG_EV_PREGREET, NG_DEC_PREGREET,
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);
	size_t n;

	memset(e.first, 0xff, NG_FIRST_MAX);
	e.nfirst = NG_FIRST_MAX;
	e.bytes = 4000000000u;
	e.after = NG_NEVER;
	n = ng_event_format_line(&e, buf, sizeof(buf));
	CHECK(n < sizeof(buf) - 1);
	CHECK(strstr(buf, "\\xff\\xff") != NULL);
	CHECK(strlen(buf) == n);
	n = ng_event_format_json(&e, buf, sizeof(buf));
	CHECK(n < sizeof(buf) - 1);
	CHECK(buf[n - 1] == '}');
	/* a tiny buffer truncates, never overflows */
	CHECK(ng_event_format_json(&e, buf, 10) == 9);
	CHECK_EQ(strlen(buf), 9);
}

/* Lines that name the country name the ASN, the rule and the owner. */
static void
test_where_lines(void)
{
	struct ng_event e;

	e = ev(NG_EV_DROP, NG_DEC_DROP, "1.0.1.5", 40011);
	e.cc = ng_cc_pack("CN");
	e.asn = 4134;
	CHECK_STR(line(&e), "DROP [1.0.1.5]:40011 country=CN asn=4134");
	e.rule = "asn AS4134,AS4837";
	e.owner = "CHINANET Guangdong\r\n\xff";
	CHECK_STR(line(&e), "DROP [1.0.1.5]:40011 country=CN asn=4134 "
	    "rule=\"asn AS4134,AS4837\" owner=CHINANET Guangdong\\r\\n\\xff");
	/* a greylist line says more only when an asn or owner rule decided */
	e = ev(NG_EV_GREYLIST, NG_DEC_GREYLIST, "200.1.2.3", 40012);
	e.cc = ng_cc_pack("BR");
	e.owner = "Claro dynamic pool";
	CHECK_STR(line(&e), "GREYLIST [200.1.2.3]:40012");
	e.rule = "owner /dynamic|pool/";
	CHECK_STR(line(&e), "GREYLIST [200.1.2.3]:40012 country=BR "
	    "rule=\"owner /dynamic|pool/\" owner=Claro dynamic pool");
}

/* The longest owner, every byte escaped, still leaves whole objects. */
static void
test_long_owner(void)
{
	char owner[256];
	struct ng_event e = ev(NG_EV_REJECT, NG_DEC_REJECT,
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535);
	size_t n;

	memset(owner, 0x01, sizeof(owner) - 1);
	owner[255] = '\0';
	e.owner = owner;
	e.asn = 4294967295u;
	e.rule = "owner /0123456789012345678901234567890123.../";
	memset(e.first, 0xff, NG_FIRST_MAX);
	e.nfirst = NG_FIRST_MAX;
	n = ng_event_format_json(&e, buf, sizeof(buf));
	CHECK(n < sizeof(buf) - 1);
	CHECK(buf[n - 1] == '}');
	n = ng_event_format_line(&e, buf, sizeof(buf));
	CHECK(n < sizeof(buf) - 1);
	CHECK(strstr(buf, "\\x01\\x01") != NULL);
}

static void
test_json(void)
{
	struct ng_event e;

	e = ev(NG_EV_PREGREET, NG_DEC_PREGREET, "198.51.100.11", 40002);
	set_first(&e, "EHLO \"x\"\r\n", 10);
	e.after = 20000;
	e.reason = "pregreet";
	CHECK_STR(json(&e), "{\"client\":\"198.51.100.11:40002\","
	    "\"server\":\"203.0.113.25:25\",\"verdict\":\"pregreet\","
	    "\"country\":null,\"reason\":\"pregreet\",\"after\":0.020000,"
	    "\"bytes\":10,\"first\":\"EHLO \\\"x\\\"\\\\r\\\\n\","
	    "\"asn\":null,\"owner\":null,\"rule\":null}");
	e = ev(NG_EV_DROP, NG_DEC_DROP, "240e::5", 40011);
	e.cc = ng_cc_pack("cn");
	e.reason = "country";
	e.after = 1;
	CHECK_STR(json(&e), "{\"client\":\"[240e::5]:40011\","
	    "\"server\":\"[2001:db8:25::25]:25\",\"verdict\":\"drop\","
	    "\"country\":\"CN\",\"reason\":\"country\",\"after\":0.000001,"
	    "\"bytes\":0,\"first\":null,\"asn\":null,\"owner\":null,"
	    "\"rule\":null}");
	/* the database's ASN and owner, and the rule that decided */
	e.asn = 4134;
	e.owner = "CHINANET \"backbone\"\x01";
	e.rule = "asn AS4134";
	CHECK(strstr(json(&e), ",\"first\":null,\"asn\":4134,\"owner\":"
	    "\"CHINANET \\\"backbone\\\"\\u0001\",\"rule\":\"asn AS4134\"}")
	    != NULL);
	/* control characters in a string become \u00XX */
	e.reason = "a\x01" "b";
	CHECK(strstr(json(&e), "\"reason\":\"a\\u0001b\"") != NULL);
	/* no reason from the engine: one from the type */
	e = ev(NG_EV_PASS_NEW, NG_DEC_PASS, "198.51.100.10", 1);
	CHECK(strstr(json(&e), "\"verdict\":\"pass\"") != NULL);
	CHECK(strstr(json(&e), "\"reason\":\"") != NULL);
	e = ev(NG_EV_PREGREET, NG_DEC_LOG, "198.51.100.10", 1);
	set_first(&e, "\r\n", 2);
	CHECK(strstr(json(&e), "\"verdict\":\"log\"") != NULL);
	CHECK(strstr(json(&e), "\"first\":\"\\\\r\\\\n\"") != NULL);
}

int
main(void)
{
	RUN(test_lines);
	RUN(test_after_rounding);
	RUN(test_escape);
	RUN(test_worst_case_fits);
	RUN(test_json);
	RUN(test_where_lines);
	RUN(test_long_owner);
	return test_done();
}
