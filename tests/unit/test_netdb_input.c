/*
 * test_netdb_input.c - the source readers: RIR stats, RPSL (country and
 * owner), CSV, IP2Location, GeoLite2, asn CSV; format detection, gzip,
 * and bad lines reported as "file:line" (or skipped and counted with
 * lenient).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/addr.h"
#include "netdb/netdb_build.h"
#include "netdb/netdb_input.h"
#include "test.h"

static struct ng_nrows rows;
static struct ng_in_stats st;
static char err[512];

static int
rd(const char *text, enum ng_informat f, int lenient)
{
	ng_nrows_free(&rows);
	err[0] = '\0';
	return ng_input_read_mem(text, strlen(text), "t.txt", f, lenient,
	    NULL, &rows, &st, err, sizeof(err));
}

static ng_u128
a2u(const char *s)
{
	struct ng_addr a;

	if (ng_addr_parse(&a, s) != 0) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return ng_u128_from_addr(&a);
}

/* Is there a row of this family, range and country? */
static int
has(int family, const char *lo, const char *hi, const char *cc)
{
	size_t i;

	for (i = 0; i < rows.n; i++)
		if (rows.v[i].family == family && rows.v[i].lo == a2u(lo) &&
		    rows.v[i].hi == a2u(hi) && rows.v[i].cc == ng_cc_pack(cc))
			return 1;
	return 0;
}

/* The owner string of row i, or "" for none. */
static const char *
row_owner(size_t i)
{
	if (!(rows.v[i].fields & NG_NROW_OWNER))
		return "";
	return rows.owners.buf + rows.owners.off[rows.v[i].owner - 1];
}

/* Is there a row of this family and range with this AS and owner? */
static int
has_asn(int family, const char *lo, const char *hi, uint32_t asn,
    const char *owner)
{
	size_t i;

	for (i = 0; i < rows.n; i++)
		if (rows.v[i].family == family && rows.v[i].lo == a2u(lo) &&
		    rows.v[i].hi == a2u(hi) && rows.v[i].asn == asn &&
		    (rows.v[i].fields & NG_NROW_ASN) &&
		    !(rows.v[i].fields & NG_NROW_CC) &&
		    strcmp(row_owner(i), owner) == 0)
			return 1;
	return 0;
}

/* The owner of the row of this family and start, or NULL for no row. */
static const char *
owner_at(int family, const char *lo)
{
	size_t i;

	for (i = 0; i < rows.n; i++)
		if (rows.v[i].family == family && rows.v[i].lo == a2u(lo))
			return row_owner(i);
	return NULL;
}

static uint64_t
skipped(const char *status)
{
	size_t i;

	for (i = 0; i < st.nskipped; i++)
		if (strcmp(st.skipped[i].name, status) == 0)
			return st.skipped[i].n;
	return 0;
}

static const char rir_text[] =
    "2.3|ripencc|20230323|6|19830705|20230322|+0100\n"
    "# a comment\n"
    "ripencc|*|ipv4|*|4|summary\n"
    "ripencc|*|ipv6|*|2|summary\n"
    "ripencc|RU|asn|8359|1|19970829|allocated|a1\n"
    "ripencc|RU|ipv4|5.8.0.0|24576|20110411|allocated|a2\n"
    "ripencc|DE|ipv4|2.16.0.0|512|20100628|assigned|a3\n"
    "ripencc|ZZ|ipv4|2.56.0.0|1024||available|\n"
    "ripencc||ipv4|2.57.0.0|256||reserved|\n"
    "ripencc|RU|ipv6|2a02:6b8::|32|20071120|allocated|a4\n"
    "ripencc||ipv6|2a0f::|16||reserved|\n"
    "\n";

static void
test_rir(void)
{
	CHECK_EQ(rd(rir_text, NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_RIR);
	CHECK_EQ(st.rows[0], 2);
	CHECK_EQ(st.rows[1], 1);
	CHECK_EQ(st.other, 1);		/* the ASN */
	/* 24576 hosts: not a power of two, 5.8.0.0 - 5.8.95.255. */
	CHECK(has(4, "5.8.0.0", "5.8.95.255", "RU"));
	CHECK(has(4, "2.16.0.0", "2.16.1.255", "DE"));
	CHECK(has(6, "2a02:6b8::", "2a02:6b8:ffff:ffff:ffff:ffff:ffff:ffff",
	    "RU"));
	CHECK_EQ(skipped("available"), 1);
	CHECK_EQ(skipped("reserved"), 2);
	/* Plain delegated (not extended): no opaque id. */
	CHECK_EQ(rd("2|apnic|20230323|2|19850701|20230322|+1000\n"
	    "apnic|CN|ipv4|1.0.1.0|768|20110414|allocated\n"
	    "apnic|AU|ipv4|1.0.0.0|256|20110811|assigned\n", NG_IN_AUTO, 0), 0);
	CHECK(has(4, "1.0.1.0", "1.0.3.255", "CN"));
	CHECK(has(4, "1.0.0.0", "1.0.0.255", "AU"));
}

static void
test_rir_bad(void)
{
	static const char *bad[] = {
		"apnic|CN|ipv4|1.0.1.x|256|20110414|allocated\n",
		"apnic|CN|ipv4|1.0.1.0|0|20110414|allocated\n",
		"apnic|CN|ipv4|255.255.255.0|257|20110414|allocated\n",
		"apnic|CN|ipv4|1.0.1.0|12z|20110414|allocated\n",
		"apnic|CN|ipv6|2001:db8::|129|20110414|allocated\n",
		"apnic|CN|ipv6|2001:db8::1|32|20110414|allocated\n",
		"apnic|CN|ipv6|1.0.1.0|32|20110414|allocated\n",
		"apnic|C|ipv4|1.0.1.0|256|20110414|allocated\n",
		"apnic|CN|ipv4|1.0.1.0|256\n",
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "2|apnic|x|1|1|1|1\n"
		    "apnic|AU|ipv4|1.0.0.0|256|20110811|assigned\n%s", bad[i]);
		CHECK_EQ(rd(text, NG_IN_RIR, 0), -1);
		if (strncmp(err, "t.txt:3: ", 9) != 0)
			fprintf(stderr, "case %zu: %s\n", i, err);
		CHECK(strncmp(err, "t.txt:3: ", 9) == 0);
		CHECK_EQ(rd(text, NG_IN_RIR, 1), 0);
		CHECK_EQ(st.bad, 1);
		CHECK_EQ(st.rows[0], 1);
	}
}

static const char rpsl_text[] =
    "% This is the RIPE Database query service.\n"
    "\n"
    "inetnum:        91.108.4.0 - 91.108.7.255\n"
    "netname:        TELEGRAM\n"
    "descr:          a description\n"
    "                continued here\n"
    "+               and here\n"
    "country:        GB # where\n"
    "country:        NL\n"
    "\n"
    "\n"
    "inet6num:       2a02:6b8::/32\n"
    "netname:        YANDEX\n"
    "country:        ru\n"
    "\n"
    "inetnum:        10.0.0.0 - 10.255.255.255\n"
    "netname:        NO-COUNTRY\n"
    "\n"
    "person:         Someone\n"
    "address:        Somewhere\n"
    "\n"
    "inetnum:        193.0.0.0 - 193.0.7.255\n"
    "country:        NL\n";

static void
test_rpsl(void)
{
	CHECK_EQ(rd(rpsl_text, NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_RPSL);
	/* NO-COUNTRY gives an owner row without a country. */
	CHECK_EQ(st.rows[0], 3);
	CHECK_EQ(st.rows[1], 1);
	CHECK_EQ(st.fields[0][NG_FIELD_CC], 2);
	CHECK_EQ(st.fields[0][NG_FIELD_OWNER], 2);
	CHECK_EQ(st.fields[1][NG_FIELD_OWNER], 1);
	CHECK_EQ(st.nocountry, 1);
	CHECK_EQ(st.other, 1);
	/* descr and its continuation lines joined; the comment cut. */
	CHECK_STR(owner_at(4, "91.108.4.0"),
	    "TELEGRAM: a description continued here and here");
	CHECK_STR(owner_at(6, "2a02:6b8::"), "YANDEX");
	CHECK_STR(owner_at(4, "10.0.0.0"), "NO-COUNTRY");
	CHECK_STR(owner_at(4, "193.0.0.0"), "");
	CHECK(has(4, "91.108.4.0", "91.108.7.255", "GB"));	/* first one */
	CHECK(has(6, "2a02:6b8::", "2a02:6b8:ffff:ffff:ffff:ffff:ffff:ffff",
	    "RU"));
	CHECK(has(4, "193.0.0.0", "193.0.7.255", "NL"));

	/* Errors name the line where the object begins. */
	CHECK_EQ(rd("inetnum: 1.2.3.0 - 1.2.3.255\ncountry: DE\n\n"
	    "inetnum: 1.2.3.0 1.2.3.255\ncountry: DE\n", NG_IN_RPSL, 0), -1);
	CHECK(strncmp(err, "t.txt:4: ", 9) == 0);
	CHECK_EQ(rd("inet6num: 2001:db8::/129\ncountry: DE\n", NG_IN_RPSL, 0),
	    -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
	CHECK_EQ(rd("inetnum: 1.2.3.9 - 1.2.3.0\ncountry: DE\n", NG_IN_RPSL, 0),
	    -1);
	CHECK(strstr(err, "t.txt:1:") != NULL);
	CHECK_EQ(rd("inetnum: 1.2.3.0 - 1.2.3.9\ncountry: Germany\n",
	    NG_IN_RPSL, 0), -1);
	CHECK(strstr(err, "t.txt:1:") != NULL);
	CHECK_EQ(rd("inetnum: 1.2.3.0 - 1.2.3.9\nno colon here\n", NG_IN_RPSL,
	    0), -1);
	CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	CHECK_EQ(rd("inetnum: 1.2.3.0 - 1.2.3.9\ncountry: DE\nno colon\n",
	    NG_IN_RPSL, 1), 0);
	CHECK_EQ(st.bad, 1);
	CHECK_EQ(st.rows[0], 1);
}

/* RPSL owners: netname, descr lines, org; blanks squeezed; the limit. */
static void
test_rpsl_owner(void)
{
	char text[4096], want[NG_OWNER_MAX + 1];
	size_t i;

	CHECK_EQ(rd("inetnum: 58.60.0.0 - 58.60.255.255\n"
	    "netname: CHINANET-GD\n"
	    "descr:   CHINANET Guangdong province network\n"
	    "descr:   Data Communication\tDivision\n"
	    "+        China   Telecom\n"
	    "country: CN\n"
	    "org:     ORG-CGPN1-AP\n"
	    "admin-c: XX1-AP\n"
	    "         continuation of admin-c, not the owner\n"
	    "\n"
	    "inetnum: 1.2.3.0 - 1.2.3.255\n"
	    "org: ORG-ONLY1\n"
	    "\n"
	    "inet6num: 2001:db8::/32\n"
	    "descr: just a descr\n"
	    "org: ORG-X\n"
	    "country: NL\n", NG_IN_RPSL, 0), 0);
	CHECK_STR(owner_at(4, "58.60.0.0"), "CHINANET-GD: CHINANET Guangdong "
	    "province network, Data Communication Division China Telecom "
	    "(ORG-CGPN1-AP)");
	CHECK_STR(owner_at(4, "1.2.3.0"), "(ORG-ONLY1)");
	CHECK_STR(owner_at(6, "2001:db8::"), "just a descr (ORG-X)");
	CHECK(has(6, "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
	    "NL"));
	/* A long descr is cut to NG_OWNER_MAX bytes, not refused. */
	snprintf(text, sizeof(text), "inetnum: 1.0.0.0 - 1.0.0.255\n"
	    "netname: N\ndescr: ");
	for (i = 0; i < 600; i++)
		strcat(text, "x");
	strcat(text, "\ncountry: AU\n");
	CHECK_EQ(rd(text, NG_IN_RPSL, 0), 0);
	memset(want, 'x', sizeof(want));
	memcpy(want, "N: ", 3);
	want[NG_OWNER_MAX] = '\0';
	CHECK_STR(owner_at(4, "1.0.0.0"), want);
	/* Cut at a character boundary: never half a UTF-8 sequence. */
	snprintf(text, sizeof(text), "inetnum: 1.0.0.0 - 1.0.0.255\n"
	    "descr: ");
	for (i = 0; i < 300; i++)
		strcat(text, "\xc3\xa9");
	strcat(text, "\n");
	CHECK_EQ(rd(text, NG_IN_RPSL, 0), 0);
	CHECK_EQ(strlen(owner_at(4, "1.0.0.0")), NG_OWNER_MAX - 1);
	/* Identical owners are stored once. */
	CHECK_EQ(rd("inetnum: 1.0.0.0 - 1.0.0.255\nnetname: SAME\n\n"
	    "inetnum: 2.0.0.0 - 2.0.0.255\nnetname: SAME\n", NG_IN_RPSL, 0), 0);
	CHECK_EQ(rows.n, 2);
	CHECK_EQ(rows.owners.n, 1);
}

static const char asn_text[] =
    "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
    "1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n"
    "# a comment\n"
    "\n"
    "1.0.64.0,1.0.127.255,AS18144,\"Enecom,\"\"Inc.\"\"\"\n"
    "1.1.0.0,1.1.0.255,4294967295,\n"
    "1.2.0.0,1.2.0.255,7,\"  padded  \"\n"
    "2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\n";

/* The asn CSV: quotes, "" in quotes, no owner, bounds, both families. */
static void
test_asn(void)
{
	CHECK_EQ(rd(asn_text, NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_ASN);
	CHECK_EQ(st.rows[0], 5);
	CHECK_EQ(st.rows[1], 1);
	CHECK_EQ(st.fields[0][NG_FIELD_CC], 0);
	CHECK_EQ(st.fields[0][NG_FIELD_ASN], 5);
	CHECK_EQ(st.fields[0][NG_FIELD_OWNER], 4);
	CHECK(has_asn(4, "1.0.0.0", "1.0.0.255", 13335, "Cloudflare, Inc."));
	CHECK(has_asn(4, "1.0.4.0", "1.0.7.255", 38803, "Gtelecom Pty Ltd"));
	CHECK(has_asn(4, "1.0.64.0", "1.0.127.255", 18144, "Enecom,\"Inc.\""));
	CHECK(has_asn(4, "1.1.0.0", "1.1.0.255", 4294967295u, ""));
	CHECK(has_asn(4, "1.2.0.0", "1.2.0.255", 7, "padded"));
	CHECK(has_asn(6, "2001:200::", "2001:200:1b9:ffff:ffff:ffff:ffff:ffff",
	    2500, "WIDE Project"));
	/* A header line is skipped. */
	CHECK_EQ(rd("start,end,asn,organisation\n1.0.0.0,1.0.0.255,1,X\n",
	    NG_IN_ASN, 0), 0);
	CHECK_EQ(rows.n, 1);
}

/* Bad asn rows: each one "t.txt:2: reason", or skipped when lenient. */
static void
test_asn_bad(void)
{
	static const char *const bad[][2] = {
		{ "1.0.0.0,1.0.0.255,13335\n", "want start,end,asn" },
		{ "1.0.0.0,1.0.0.255,1,a,b\n", "want start,end,asn" },
		{ "1.0.0.0,1.0.0.255,1,\"unterminated\n",
		    "unterminated quote" },
		{ "1.0.0.0,1.0.0.255,1,\"x\"y\n", "unterminated quote" },
		{ "1.0.0.0,1.0.0.255,0,zero\n", "bad AS number \"0\"" },
		{ "1.0.0.0,1.0.0.255,4294967296,big\n", "bad AS number" },
		{ "1.0.0.0,1.0.0.255,-5,neg\n", "bad AS number" },
		{ "1.0.0.0,1.0.0.255,12a,x\n", "bad AS number" },
		{ "1.0.0.0,1.0.0.255,,x\n", "bad AS number" },
		{ "1.0.0.0,1.0.0.999,1,x\n", "bad end address" },
		{ "1.0.0.0,2001::,1,x\n", "bad end address" },
		{ "1.0.0.9,1.0.0.0,1,x\n", "range end before its start" },
		{ "x.0.0.0,1.0.0.0,1,x\n", "bad start address" },
		{ "1.0.0.0,1.0.0.255,1,a\x01b\n", "control character" },
	};
	char text[1024], longer[NG_OWNER_MAX + 64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "2.0.0.0,2.0.0.255,2,ok\n%s",
		    bad[i][0]);
		CHECK_EQ(rd(text, NG_IN_ASN, 0), -1);
		if (strncmp(err, "t.txt:2: ", 9) != 0 ||
		    strstr(err, bad[i][1]) == NULL)
			fprintf(stderr, "case %zu: %s\n", i, err);
		CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
		CHECK(strstr(err, bad[i][1]) != NULL);
		CHECK_EQ(rd(text, NG_IN_ASN, 1), 0);
		CHECK_EQ(st.bad, 1);
		CHECK_EQ(st.rows[0], 1);
	}
	/* The owner limit: NG_OWNER_MAX bytes pass, one more is refused. */
	memset(longer, 'o', sizeof(longer));
	snprintf(text, sizeof(text), "1.0.0.0,1.0.0.255,1,%.*s\n",
	    NG_OWNER_MAX, longer);
	CHECK_EQ(rd(text, NG_IN_ASN, 0), 0);
	snprintf(text, sizeof(text), "1.0.0.0,1.0.0.255,1,\"%.*s\"\n",
	    NG_OWNER_MAX + 1, longer);
	CHECK_EQ(rd(text, NG_IN_ASN, 0), -1);
	CHECK(strstr(err, "t.txt:1: organisation longer than the limit (256 "
	    "bytes, at most 255)") != NULL);
}

static void
test_csv(void)
{
	CHECK_EQ(rd("start,end,country\n"
	    "1.0.0.0,1.0.0.255,AU\n"
	    "\"1.0.1.0\",\"1.0.3.255\",\"CN\"\n"
	    "2001:200::,2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff,JP,extra\n"
	    "1.0.4.0,1.0.7.255,-\n"
	    "1.0.8.0,1.0.15.255,cn\r\n", NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_CSV);
	CHECK_EQ(st.rows[0], 3);
	CHECK_EQ(st.rows[1], 1);
	CHECK_EQ(st.nocountry, 1);
	CHECK(has(4, "1.0.1.0", "1.0.3.255", "CN"));
	CHECK(has(4, "1.0.8.0", "1.0.15.255", "CN"));
	CHECK(has(6, "2001:200::", "2001:3ff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "JP"));
	/* A header is only allowed on the first line. */
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU\nstart,end,cc\n", NG_IN_CSV, 0), -1);
	CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU\n1.0.1.0,::1,AU\n", NG_IN_CSV, 0),
	    -1);
	CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU\n\n1.0.1.0,1.0.0.0,AU\n", NG_IN_CSV,
	    0), -1);
	CHECK(strncmp(err, "t.txt:3: ", 9) == 0);
	CHECK_EQ(rd("1.0.0.0,1.0.0.255\n", NG_IN_CSV, 0), -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AUS\n", NG_IN_CSV, 0), -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
	{
		static const char nul[] = "1.0.0.0,1.0.0.255,AU\n1.0.1.0,1.0.1."
		    "255,A\0U\n";

		ng_nrows_free(&rows);
		CHECK_EQ(ng_input_read_mem(nul, sizeof(nul) - 1, "t.txt",
		    NG_IN_CSV, 0, NULL, &rows, &st, err, sizeof(err)), -1);
		CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	}
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU\nbad\n1.0.1.0,1.0.1.255,AU\n"
	    "1.0.2.0,1.0.1.0,AU\n", NG_IN_CSV, 1), 0);
	CHECK_EQ(st.bad, 2);
	CHECK_EQ(st.rows[0], 2);
}

static void
test_ip2l(void)
{
	CHECK_EQ(rd("\"0\",\"16777215\",\"-\",\"-\"\n"
	    "\"16777216\",\"16777471\",\"US\",\"United States of America\"\n"
	    "\"16777472\",\"16778239\",\"CN\",\"China\"\n", NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_IP2L);
	CHECK_EQ(st.rows[0], 2);
	CHECK_EQ(st.nocountry, 1);
	CHECK(has(4, "1.0.0.0", "1.0.0.255", "US"));
	CHECK(has(4, "1.0.1.0", "1.0.3.255", "CN"));
	/* The IPv6 file: IPv4-mapped rows become IPv4; 39 digits. */
	CHECK_EQ(rd("\"0\",\"281470681743359\",\"-\",\"-\"\n"
	    "\"281470698520576\",\"281470698520831\",\"AU\",\"Australia\"\n"
	    "\"58569107296622255421594597096899477504\","
	    "\"58569107296622255421594597096899477759\",\"JP\",\"Japan\"\n"
	    "\"340282366920938463463374607431768211200\","
	    "\"340282366920938463463374607431768211455\",\"ZZ\",\"x\"\n",
	    NG_IN_IP2L, 0), 0);
	CHECK(has(4, "1.0.0.0", "1.0.0.255", "AU"));
	CHECK(has(6, "2c0f:fff0::", "2c0f:fff0::ff", "JP"));
	CHECK(has(6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ZZ"));
	/* 2^128 does not fit. */
	CHECK_EQ(rd("\"1\",\"2\",\"US\",\"x\"\n"
	    "\"0\",\"340282366920938463463374607431768211456\",\"US\",\"x\"\n",
	    NG_IN_IP2L, 0), -1);
	CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	CHECK_EQ(rd("\"1\",\"2\",\"US\",\"x\"\n\"1\",2,\"US\"\n", NG_IN_IP2L,
	    0), -1);
	CHECK(strncmp(err, "t.txt:2: ", 9) == 0);
	CHECK_EQ(rd("\"5\",\"2\",\"US\",\"x\"\n", NG_IN_IP2L, 0), -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
}

static void
test_geolite(void)
{
	struct ng_geoloc locs = { NULL, 0, 0, 0 };
	static const char loc_text[] =
	    "geoname_id,locale_code,continent_code,continent_name,"
	    "country_iso_code,country_name,is_in_european_union\n"
	    "1814991,en,AS,Asia,CN,China,0\n"
	    "2077456,en,OC,Oceania,AU,Australia,0\n"
	    "6255148,en,EU,Europe,,,0\n"
	    "2921044,en,EU,Europe,DE,Germany,1\n";
	static const char blk_text[] =
	    "network,geoname_id,registered_country_geoname_id,"
	    "represented_country_geoname_id,is_anonymous_proxy,"
	    "is_satellite_provider\n"
	    "1.0.0.0/24,2077456,2077456,,0,0\n"
	    "1.0.1.0/24,1814991,1814991,,0,0\n"
	    "1.0.2.0/23,,1814991,,0,0\n"
	    "2a01:4f8::/32,2921044,2921044,,0,0\n"
	    "5.5.5.0/24,6255148,,,0,0\n"
	    "6.6.6.0/24,,,,1,0\n";
	static const char bad_net[] = "network,geoname_id,"
	    "registered_country_geoname_id\n1.0.0.0/33,1,1\n";

	ng_nrows_free(&rows);
	CHECK_EQ(ng_input_read_mem(loc_text, strlen(loc_text), "loc.csv",
	    NG_IN_AUTO, 0, &locs, &rows, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.format, NG_IN_GEOLOC);
	CHECK_EQ(st.other, 3);
	CHECK_EQ(ng_input_read_mem(blk_text, strlen(blk_text), "blk.csv",
	    NG_IN_AUTO, 0, &locs, &rows, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.format, NG_IN_GEOLITE);
	CHECK_EQ(st.rows[0], 3);
	CHECK_EQ(st.rows[1], 1);
	CHECK_EQ(st.nocountry, 2);
	CHECK(has(4, "1.0.0.0", "1.0.0.255", "AU"));
	CHECK(has(4, "1.0.1.0", "1.0.1.255", "CN"));
	CHECK(has(4, "1.0.2.0", "1.0.3.255", "CN"));	/* registered */
	CHECK(has(6, "2a01:4f8::", "2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff",
	    "DE"));
	ng_nrows_free(&rows);
	CHECK_EQ(ng_input_read_mem(bad_net, strlen(bad_net), "blk.csv",
	    NG_IN_GEOLITE, 0, &locs, &rows, &st, err, sizeof(err)), -1);
	if (strncmp(err, "blk.csv:2: ", 11) != 0)
		fprintf(stderr, "%s\n", err);
	CHECK(strncmp(err, "blk.csv:2: ", 11) == 0);
	ng_geoloc_free(&locs);
	/* Blocks without any locations: an error naming the line. */
	ng_nrows_free(&rows);
	CHECK_EQ(ng_input_read_mem(blk_text, strlen(blk_text), "blk.csv",
	    NG_IN_GEOLITE, 0, &locs, &rows, &st, err, sizeof(err)), -1);
	CHECK(strncmp(err, "blk.csv:2: ", 11) == 0);
	CHECK_EQ(rd("network,nothing\n1.0.0.0/24,1\n", NG_IN_GEOLITE, 0), -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
}

static void
test_gzip_file(void)
{
	char path[] = "/tmp/test_netdb_input.XXXXXX";
	int fd = mkstemp(path);
	gzFile gz;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	gz = gzopen(path, "wb");
	CHECK(gz != NULL);
	if (gz == NULL)
		return;
	gzputs(gz, rir_text);
	gzclose(gz);
	ng_nrows_free(&rows);
	CHECK_EQ(ng_input_read_file(path, NG_IN_AUTO, 0, NULL, &rows, &st, err,
	    sizeof(err)), 0);
	CHECK_EQ(st.format, NG_IN_RIR);
	CHECK(has(4, "5.8.0.0", "5.8.95.255", "RU"));
	unlink(path);
	CHECK_EQ(ng_input_read_file(path, NG_IN_AUTO, 0, NULL, &rows, &st, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, path) != NULL);
}

static void
test_long_line(void)
{
	size_t n = 3 * 1024 * 1024;
	char *big = malloc(n + 1);

	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', n);
	big[n] = '\0';
	memcpy(big, "1.0.0.0,1.0.0.255,AU\n", 21);
	CHECK_EQ(rd(big, NG_IN_CSV, 0), -1);
	CHECK(strstr(err, "t.txt:2: line too long") != NULL);
	free(big);
}

static void
test_formats(void)
{
	enum ng_informat f;

	CHECK_EQ(ng_informat_parse("rir", &f), 0);
	CHECK_EQ(f, NG_IN_RIR);
	CHECK_EQ(ng_informat_parse("ip2location", &f), 0);
	CHECK_EQ(f, NG_IN_IP2L);
	CHECK_EQ(ng_informat_parse("geolite2", &f), 0);
	CHECK_EQ(f, NG_IN_GEOLITE);
	CHECK_EQ(ng_informat_parse("rpsl", &f), 0);
	CHECK_EQ(ng_informat_parse("csv", &f), 0);
	CHECK_EQ(ng_informat_parse("asn", &f), 0);
	CHECK_EQ(f, NG_IN_ASN);
	CHECK_EQ(ng_informat_parse("xml", &f), -1);
	/* Detected: 4 fields, the third numeric; 3 fields stay CSV. */
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU,extra\n", NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_CSV);
	CHECK_EQ(rd("1.0.0.0,1.0.0.255,AU\n", NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_CSV);
	CHECK_EQ(rd("::,::ff,12,\"a, b\"\n", NG_IN_AUTO, 0), 0);
	CHECK_EQ(st.format, NG_IN_ASN);
	/* A forced format reads what it is told to. */
	CHECK_EQ(rd(rir_text, NG_IN_CSV, 0), -1);
	CHECK(strncmp(err, "t.txt:1: ", 9) == 0);
	/* Empty input is no error and no rows. */
	CHECK_EQ(rd("", NG_IN_AUTO, 0), 0);
	CHECK_EQ(rows.n, 0);
}

int
main(void)
{
	RUN(test_rir);
	RUN(test_rir_bad);
	RUN(test_rpsl);
	RUN(test_rpsl_owner);
	RUN(test_asn);
	RUN(test_asn_bad);
	RUN(test_csv);
	RUN(test_ip2l);
	RUN(test_geolite);
	RUN(test_gzip_file);
	RUN(test_long_line);
	RUN(test_formats);
	ng_nrows_free(&rows);
	return test_done();
}
