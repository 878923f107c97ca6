/*
 * test_share_codec.c - the shared state's words on the wire: keys,
 * values and messages round-trip in their one spelling; every other
 * spelling, every bad field and every wrong reply is an error that
 * names what was wrong; the URL grammar of redis_url.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "base/addr.h"
#include "conf/redis_conf.h"
#include "daemon/redis_link.h"
#include "daemon/share_codec.h"
#include "test.h"

static struct ng_addr
A(const char *s)
{
	struct ng_addr a;

	ng_addr_parse(&a, s);
	return a;
}

/* reply - the reply hiredis' reader makes of RESP bytes (or NULL). */
static redisReply *
reply(const char *resp)
{
	redisReader *rd = redisReaderCreate();
	void *r = NULL;

	if (rd == NULL)
		return NULL;
	if (redisReaderFeed(rd, resp, strlen(resp)) != REDIS_OK ||
	    redisReaderGetReply(rd, &r) != REDIS_OK)
		r = NULL;
	redisReaderFree(rd);
	return r;
}

static void
test_value(void)
{
	struct ng_share_val v, w;
	char buf[NG_SHARE_VAL_MAX], err[256];
	int n;

	memset(&v, 0, sizeof(v));
	v.first = 1700000000123456ULL;
	v.count = 3;
	strcpy(v.origin, "mx-a.example");
	n = ng_share_val_format(&v, buf, sizeof(buf));
	CHECK_STR(buf, "v1 first=1700000000123456 count=3 origin=mx-a.example");
	CHECK_EQ(n, (int)strlen(buf));
	CHECK_EQ(ng_share_val_parse(buf, (size_t)n, &w, err, sizeof(err)), 0);
	CHECK(w.first == v.first && w.count == 3);
	CHECK_STR(w.origin, "mx-a.example");
	CHECK_EQ(ng_share_val_parse("v1 first=0 count=4294967295 origin=a",
	    36, &w, err, sizeof(err)), 0);
	CHECK(w.first == 0 && w.count == 4294967295u);
	/* Too small a buffer, a bad origin, a first past the limit. */
	CHECK_EQ(ng_share_val_format(&v, buf, 20), -1);
	strcpy(v.origin, "local");
	CHECK_EQ(ng_share_val_format(&v, buf, sizeof(buf)), -1);
	strcpy(v.origin, "a");
	v.first = NG_SHARE_FIRST_MAX + 1;
	CHECK_EQ(ng_share_val_format(&v, buf, sizeof(buf)), -1);
}

static void
test_value_bad(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "expected" },
		{ "v1", "expected" },
		{ "v2 first=1 count=1 origin=a", "version \"v2\"" },
		{ "V1 first=1 count=1 origin=a", "version" },
		{ "v1 first=1 count=1 origin=a ", "expected" },
		{ " v1 first=1 count=1 origin=a", "expected" },
		{ "v1  first=1 count=1 origin=a", "expected" },
		{ "v1 first=1 count=1 origin=a extra", "expected" },
		{ "v1 count=1 first=1 origin=a", "bad first" },
		{ "v1 first= count=1 origin=a", "bad first" },
		{ "v1 first=01 count=1 origin=a", "bad first" },
		{ "v1 first=-1 count=1 origin=a", "bad first" },
		{ "v1 first=+1 count=1 origin=a", "bad first" },
		{ "v1 first=0x10 count=1 origin=a", "bad first" },
		{ "v1 first=100000000000000001 count=1 origin=a", "bad first" },
		{ "v1 first=99999999999999999999999 count=1 origin=a",
		    "bad first" },
		{ "v1 first=1 count=4294967296 origin=a", "bad count" },
		{ "v1 first=1 count=1.5 origin=a", "bad count" },
		{ "v1 first=1 count=1 origin=", "bad origin" },
		{ "v1 first=1 count=1 origin=local", "bad origin" },
		{ "v1 first=1 count=1 origin=-", "bad origin" },
		{ "v1 first=1 count=1 origin=a/b", "bad origin" },
		{ "v1 first=1 count=1 origin=a\tb", "bad origin" },
		{ "v1 first=1 count=1 originx=a", "bad origin" },
	};
	struct ng_share_val v;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(ng_share_val_parse(bad[i].text, strlen(bad[i].text),
		    &v, err, sizeof(err)), -1);
		if (strstr(err, bad[i].why) == NULL) {
			CHECK(0);
			fprintf(stderr, "    case %zu: \"%s\"\n", i, err);
		}
	}
	/* A NUL inside, and control bytes quoted printably. */
	CHECK_EQ(ng_share_val_parse("v1 first=1\0 count=1 origin=a", 28, &v,
	    err, sizeof(err)), -1);
	CHECK_EQ(ng_share_val_parse("\x01\x02", 2, &v, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"??\"") != NULL);
}

static void
test_key(void)
{
	struct ng_addr a = A("198.51.100.77"), b;
	char buf[NG_SHARE_KEY_MAX], err[256];
	unsigned t, plen;
	int n;

	n = ng_share_key_format("nfq-gate:", NG_SHARE_PASS, &a, 24, buf,
	    sizeof(buf));
	CHECK_STR(buf, "nfq-gate:pass:198.51.100.0/24");
	CHECK_EQ(ng_share_key_parse("nfq-gate:", buf, (size_t)n, &t, &b, &plen,
	    err, sizeof(err)), 0);
	CHECK(t == NG_SHARE_PASS && plen == 24 &&
	    ng_addr_cmp(&b, &(struct ng_addr){ 4, { 198, 51, 100 } }) == 0);
	a = A("2001:db8:1:2:a:b:c:d");
	n = ng_share_key_format("x:", NG_SHARE_CONTACT, &a, 64, buf,
	    sizeof(buf));
	CHECK_STR(buf, "x:contact:2001:db8:1:2::/64");
	CHECK_EQ(ng_share_key_parse("x:", buf, (size_t)n, &t, &b, &plen, err,
	    sizeof(err)), 0);
	CHECK(t == NG_SHARE_CONTACT && plen == 64);
	CHECK_EQ(ng_share_key_format("x:", NG_SHARE_TABLES, &a, 64, buf,
	    sizeof(buf)), -1);
	CHECK_EQ(ng_share_key_format("x:", NG_SHARE_GREY, &a, 129, buf,
	    sizeof(buf)), -1);
	CHECK_EQ(ng_share_key_format("x:", NG_SHARE_GREY, &a, 64, buf, 10),
	    -1);
}

static void
test_key_bad(void)
{
	static const char *const bad[] = {
		"",
		"nfq-gate:",
		"other:pass:1.2.3.4/32",
		"nfq-gate:pass",
		"nfq-gate:pass:",
		"nfq-gate:passes:1.2.3.4/32",
		"nfq-gate:updates",
		"nfq-gate:pass:1.2.3.4",		/* no length */
		"nfq-gate:pass:1.2.3.4/24",		/* host bits set */
		"nfq-gate:pass:1.2.3.0/024",		/* leading zero */
		"nfq-gate:pass:1.2.3.0/33",
		"nfq-gate:pass:01.2.3.0/24",
		"nfq-gate:grey:2001:DB8::/64",		/* not canonical */
		"nfq-gate:grey:2001:db8:0::/64",
		"nfq-gate:grey:::ffff:1.2.3.4/128x",
		"nfq-gate:grey:1.2.3.4/32 ",
	};
	char err[256];
	struct ng_addr a;
	unsigned t, plen;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(ng_share_key_parse("nfq-gate:", bad[i],
		    strlen(bad[i]), &t, &a, &plen, err, sizeof(err)), -1);
		CHECK(strncmp(err, "key \"", 5) == 0);
	}
	CHECK_EQ(ng_share_key_parse("nfq-gate:", "nfq-gate:pass:1.2.3.4/32\0",
	    25, &t, &a, &plen, err, sizeof(err)), -1);
}

static void
test_message(void)
{
	struct ng_share_msg m, n;
	char buf[NG_SHARE_MSG_MAX], err[256];
	int len;

	memset(&m, 0, sizeof(m));
	m.table = NG_SHARE_PENALTY;
	m.addr = A("203.0.113.0");
	m.plen = 24;
	m.val.first = 1700000000000000ULL;
	m.val.count = 2;
	strcpy(m.val.origin, "mx-b");
	m.ttl_ms = 3600000;
	len = ng_share_msg_format(&m, buf, sizeof(buf));
	CHECK_STR(buf, "penalty 203.0.113.0/24 v1 first=1700000000000000 "
	    "count=2 origin=mx-b 3600000");
	CHECK_EQ(ng_share_msg_parse(buf, (size_t)len, &n, err, sizeof(err)),
	    0);
	CHECK(n.table == NG_SHARE_PENALTY && n.plen == 24 &&
	    n.ttl_ms == 3600000 && n.val.count == 2 &&
	    ng_addr_cmp(&n.addr, &m.addr) == 0);
	CHECK_STR(n.val.origin, "mx-b");
	/* A deletion: ttl 0. */
	CHECK_EQ(ng_share_msg_parse("grey 2001:db8::/64 v1 first=0 count=0 "
	    "origin=a 0", 48, &n, err, sizeof(err)), 0);
	CHECK(n.table == NG_SHARE_GREY && n.ttl_ms == 0 && n.plen == 64);
	m.ttl_ms = NG_SHARE_TTL_MAX + 1;
	CHECK_EQ(ng_share_msg_format(&m, buf, sizeof(buf)), -1);
}

static void
test_message_bad(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "expected" },
		{ "pass 1.2.3.4/32 v1 first=1 count=1 origin=a", "expected" },
		{ "pass 1.2.3.4/32 v1 first=1 count=1 origin=a 5 6",
		    "expected" },
		{ "pass  1.2.3.4/32 v1 first=1 count=1 origin=a 5",
		    "expected" },
		{ "pas 1.2.3.4/32 v1 first=1 count=1 origin=a 5",
		    "unknown table" },
		{ "pass 1.2.3.4 v1 first=1 count=1 origin=a 5", "address" },
		{ "pass 1.2.3.4/16 v1 first=1 count=1 origin=a 5", "address" },
		{ "pass 1.2.3.4/32 v2 first=1 count=1 origin=a 5", "version" },
		{ "pass 1.2.3.4/32 v1 first=1 count=x origin=a 5", "count" },
		{ "pass 1.2.3.4/32 v1 first=1 count=1 origin=a -5", "ttl" },
		{ "pass 1.2.3.4/32 v1 first=1 count=1 origin=a 05", "ttl" },
		{ "pass 1.2.3.4/32 v1 first=1 count=1 origin=a 3162240000001",
		    "ttl" },
	};
	struct ng_share_msg m;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(ng_share_msg_parse(bad[i].text, strlen(bad[i].text),
		    &m, err, sizeof(err)), -1);
		if (strstr(err, bad[i].why) == NULL) {
			CHECK(0);
			fprintf(stderr, "    case %zu: \"%s\"\n", i, err);
		}
	}
}

static void
test_replies(void)
{
	struct ng_share_val v;
	const redisReply *keys;
	const char *p;
	char err[256], cursor[24];
	uint64_t ms;
	size_t n;
	redisReply *r;

	r = reply("$37\r\nv1 first=12 count=1 origin=mx-a.local\r\n");
	CHECK_EQ(ng_share_get_reply(r, &v, err, sizeof(err)), 1);
	CHECK(v.first == 12);
	freeReplyObject(r);
	r = reply("$-1\r\n");
	CHECK_EQ(ng_share_get_reply(r, &v, err, sizeof(err)), 0);
	freeReplyObject(r);
	r = reply("$7\r\ngarbage\r\n");
	CHECK_EQ(ng_share_get_reply(r, &v, err, sizeof(err)), -1);
	freeReplyObject(r);
	r = reply("-WRONGTYPE wrong kind of value\r\n");
	CHECK_EQ(ng_share_get_reply(r, &v, err, sizeof(err)), -1);
	CHECK(strstr(err, "WRONGTYPE") != NULL);
	freeReplyObject(r);
	CHECK_EQ(ng_share_get_reply(NULL, &v, err, sizeof(err)), -1);
	CHECK(strstr(err, "no reply") != NULL);

	r = reply(":1500\r\n");
	CHECK_EQ(ng_share_pttl_reply(r, &ms, err, sizeof(err)), 1);
	CHECK(ms == 1500);
	freeReplyObject(r);
	r = reply(":-2\r\n");
	CHECK_EQ(ng_share_pttl_reply(r, &ms, err, sizeof(err)), 0);
	freeReplyObject(r);
	r = reply(":-1\r\n");
	CHECK_EQ(ng_share_pttl_reply(r, &ms, err, sizeof(err)), -1);
	CHECK(strstr(err, "no expiry") != NULL);
	freeReplyObject(r);
	r = reply("$2\r\n10\r\n");
	CHECK_EQ(ng_share_pttl_reply(r, &ms, err, sizeof(err)), -1);
	freeReplyObject(r);

	r = reply("*2\r\n$3\r\n170\r\n*2\r\n$3\r\nk:a\r\n$3\r\nk:b\r\n");
	CHECK_EQ(ng_share_scan_reply(r, cursor, &keys, err, sizeof(err)), 0);
	CHECK_STR(cursor, "170");
	CHECK(keys->elements == 2);
	freeReplyObject(r);
	r = reply("*2\r\n$1\r\n0\r\n*0\r\n");
	CHECK_EQ(ng_share_scan_reply(r, cursor, &keys, err, sizeof(err)), 0);
	CHECK_STR(cursor, "0");
	freeReplyObject(r);
	r = reply("*2\r\n$2\r\nx1\r\n*0\r\n");
	CHECK_EQ(ng_share_scan_reply(r, cursor, &keys, err, sizeof(err)), -1);
	freeReplyObject(r);
	r = reply("*2\r\n$1\r\n0\r\n*1\r\n:5\r\n");
	CHECK_EQ(ng_share_scan_reply(r, cursor, &keys, err, sizeof(err)), -1);
	freeReplyObject(r);
	r = reply("*1\r\n$1\r\n0\r\n");
	CHECK_EQ(ng_share_scan_reply(r, cursor, &keys, err, sizeof(err)), -1);
	freeReplyObject(r);

	r = reply("*3\r\n$7\r\nmessage\r\n$5\r\nc:upd\r\n$2\r\nhi\r\n");
	CHECK_EQ(ng_share_message_reply(r, "c:upd", &p, &n, err,
	    sizeof(err)), 1);
	CHECK(n == 2 && memcmp(p, "hi", 2) == 0);
	CHECK_EQ(ng_share_message_reply(r, "other", &p, &n, err,
	    sizeof(err)), -1);
	freeReplyObject(r);
	r = reply("*3\r\n$9\r\nsubscribe\r\n$5\r\nc:upd\r\n:1\r\n");
	CHECK_EQ(ng_share_message_reply(r, "c:upd", &p, &n, err,
	    sizeof(err)), 0);
	freeReplyObject(r);
	r = reply("*3\r\n$7\r\nmessage\r\n$5\r\nc:upd\r\n:1\r\n");
	CHECK_EQ(ng_share_message_reply(r, "c:upd", &p, &n, err,
	    sizeof(err)), -1);
	freeReplyObject(r);

	r = reply("+OK\r\n");
	CHECK_EQ(ng_share_status_reply(r, err, sizeof(err)), 0);
	freeReplyObject(r);
	r = reply("-NOPERM no permissions\r\n");
	CHECK_EQ(ng_share_status_reply(r, err, sizeof(err)), -1);
	CHECK(strstr(err, "NOPERM") != NULL);
	freeReplyObject(r);
}

static void
test_url(void)
{
	struct ng_redis_url u;
	char err[256], t[160];

	CHECK_EQ(ng_redis_url_parse(&u, "redis://127.0.0.1:6380/2", err,
	    sizeof(err)), 0);
	CHECK(!u.is_unix && u.port == 6380 && u.db == 2 && u.pass[0] == 0);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_STR(ng_redis_url_text(&u, t, sizeof(t)), "127.0.0.1:6380 db 2");
	CHECK_EQ(ng_redis_url_parse(&u, "redis://gate:s%40cret@[::1]", err,
	    sizeof(err)), 0);
	CHECK(u.port == 6379 && u.db == 0);
	CHECK_STR(u.user, "gate");
	CHECK_STR(u.pass, "s@cret");
	CHECK_STR(ng_redis_url_text(&u, t, sizeof(t)), "[::1]:6379 db 0");
	CHECK_EQ(ng_redis_url_parse(&u, "redis://:pw@10.0.0.1/", err,
	    sizeof(err)), 0);
	CHECK(u.user[0] == 0);
	CHECK_STR(u.pass, "pw");
	CHECK_EQ(ng_redis_url_parse(&u, "unix:/run/redis/r.sock?db=3&"
	    "password=x%2Fy&user=u", err, sizeof(err)), 0);
	CHECK(u.is_unix && u.db == 3);
	CHECK_STR(u.path, "/run/redis/r.sock");
	CHECK_STR(u.pass, "x/y");
	CHECK_STR(ng_redis_url_text(&u, t, sizeof(t)),
	    "unix:/run/redis/r.sock db 3");
}

static void
test_url_bad(void)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "", "expected" },
		{ "http://1.2.3.4", "expected" },
		{ "rediss://1.2.3.4", "TLS" },
		{ "redis://", "host" },
		{ "redis://localhost:6379", "not an IP address" },
		{ "redis://::1", "host" },
		{ "redis://[1.2.3.4]", "not an IP address" },
		{ "redis://[::1", "']'" },
		{ "redis://[::1]x", "after ']'" },
		{ "redis://1.2.3.4:0", "port" },
		{ "redis://1.2.3.4:65536", "port" },
		{ "redis://1.2.3.4:-1", "port" },
		{ "redis://1.2.3.4:", "port" },
		{ "redis://1.2.3.4/x", "database" },
		{ "redis://1.2.3.4/65536", "database" },
		{ "redis://1.2.3.4/1?x=y", "no '?'" },
		{ "redis://pw@1.2.3.4", "USER:PASS" },
		{ "redis://u:@1.2.3.4", "password" },
		{ "redis://u:p%zz@1.2.3.4", "password" },
		{ "redis://u:p%00@1.2.3.4", "password" },
		{ "redis://u:p w@1.2.3.4", "password" },
		{ "unix:", "absolute" },
		{ "unix:relative.sock", "absolute" },
		{ "unix:/x?db", "NAME=VALUE" },
		{ "unix:/x?db=1&db=2", "twice" },
		{ "unix:/x?db=x", "bad value" },
		{ "unix:/x?tls=1", "unknown parameter" },
		{ "unix:/x?user=u", "needs a password" },
		{ "unix:/x?password=", "bad value" },
	};
	struct ng_redis_url u;
	char err[256], longp[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(ng_redis_url_parse(&u, bad[i].url, err, sizeof(err)),
		    -1);
		if (strstr(err, bad[i].why) == NULL) {
			CHECK(0);
			fprintf(stderr, "    case %zu: %s: \"%s\"\n", i,
			    bad[i].url, err);
		}
	}
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = 'u', longp[1] = 'n', longp[2] = 'i', longp[3] = 'x';
	longp[4] = ':', longp[5] = '/';
	longp[sizeof(longp) - 1] = '\0';
	CHECK_EQ(ng_redis_url_parse(&u, longp, err, sizeof(err)), -1);
	CHECK(strstr(err, "longer") != NULL);
}

static void
test_names(void)
{
	CHECK(ng_redis_name_ok("mx1.example.org", 15));
	CHECK(ng_redis_name_ok("a", 1));
	CHECK(!ng_redis_name_ok("", 0));
	CHECK(!ng_redis_name_ok("local", 5));
	CHECK(ng_redis_name_ok("locally", 7));
	CHECK(!ng_redis_name_ok("-", 1));
	CHECK(!ng_redis_name_ok("a b", 3));
	CHECK(!ng_redis_name_ok("a:b", 3));
	CHECK(ng_redis_name_ok("0123456789012345678901234567890123456789"
	    "01234567890123456789012", 63));
	CHECK(!ng_redis_name_ok("0123456789012345678901234567890123456789"
	    "012345678901234567890123", 64));
	CHECK(ng_redis_prefix_ok("nfq-gate:"));
	CHECK(ng_redis_prefix_ok("site_1.gates:"));
	CHECK(!ng_redis_prefix_ok(""));
	CHECK(!ng_redis_prefix_ok("a*"));
	CHECK(!ng_redis_prefix_ok("a b"));
	CHECK(!ng_redis_prefix_ok("[x]"));
}

/* guarded_reply - one reply of s through a guarded reader: REDIS_OK or
 * REDIS_ERR, and the reply's elements (-1: none). */
static int
guarded_reply(const char *s, long long *elements)
{
	redisReader *rd = redisReaderCreate();
	void *r = NULL;
	int rc;

	*elements = -1;
	if (rd == NULL)
		return REDIS_ERR;
	ng_redis_reader_guard(rd);
	rc = redisReaderFeed(rd, s, strlen(s));
	if (rc == REDIS_OK)
		rc = redisReaderGetReply(rd, &r);
	if (r != NULL) {
		*elements = (long long)((redisReply *)r)->elements;
		freeReplyObject(r);
	}
	redisReaderFree(rd);
	return rc;
}

/* test_reader_guard - an array header the gate would have to allocate
 * gigabytes for is a bad reply; a real one passes. */
static void
test_reader_guard(void)
{
	long long n;

	CHECK(guarded_reply("*2\r\n$1\r\na\r\n$1\r\nb\r\n", &n) ==
	    REDIS_OK && n == 2);
	CHECK(guarded_reply("*333333333\r\n", &n) == REDIS_ERR);
	CHECK(guarded_reply("*65537\r\n", &n) == REDIS_ERR);
	CHECK(guarded_reply("*65536\r\n", &n) == REDIS_OK && n == -1);
	CHECK(guarded_reply("*1\r\n*999999999\r\n", &n) == REDIS_ERR);
	CHECK(guarded_reply("*-1\r\n", &n) == REDIS_OK);
}

int
main(void)
{
	RUN(test_value);
	RUN(test_value_bad);
	RUN(test_key);
	RUN(test_key_bad);
	RUN(test_message);
	RUN(test_message_bad);
	RUN(test_replies);
	RUN(test_url);
	RUN(test_url_bad);
	RUN(test_names);
	RUN(test_reader_guard);
	return test_done();
}
