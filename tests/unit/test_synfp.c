/*
 * test_synfp.c - the SYN fingerprint (synfp.c) on real stacks' option
 * layouts and hostile ones, the signature file's parser and matcher
 * (fpdb.c), and the class in the engine's events.
 */
#include "pktbuild.h"
#include "test.h"

#include "engine/engine.h"
#include "engine/fpdb.h"
#include "engine/synfp.h"

/* Linux 6.x's SYN options: mss 1460, sok, ts, nop, ws 7. */
static const uint8_t linux_opt[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
};

/* syn - a SYN with these options, window win, TTL ttl, DF and IP ID. */
static struct tpkt
syn(const char *src, const uint8_t *opt, size_t nopt, uint16_t win,
    uint8_t ttl, int df, uint16_t id)
{
	struct tpkt t = tcp_pkt_opt(src, 40001, "203.0.113.25", 25,
	    NG_TH_SYN, 1000, 0, NULL, opt, nopt);
	uint8_t *tcp = t.b + (t.b[0] >> 4 == 4 ? 20 : 40);

	put16(tcp + 14, win);
	if (t.b[0] >> 4 == 4) {
		t.b[8] = ttl;
		put16(t.b + 4, id);
		t.b[6] = df ? 0x40 : 0;
	} else {
		t.b[7] = ttl;
	}
	return t;
}

/* sig_of - the raw signature of packet t, into buf. */
static const char *
sig_of(const struct tpkt *t, char *buf, size_t len, struct ng_synfp *fp)
{
	struct ng_pkt p;

	if (ng_pkt_parse(&p, t->b, t->len, t->len) != NG_PKT_OK)
		return "parse failed";
	ng_synfp_compute(fp, &p);
	ng_synfp_format(fp, buf, len);
	return buf;
}

static void
test_linux_layout(void)
{
	struct tpkt t = syn("198.51.100.10", linux_opt, sizeof(linux_opt),
	    64240, 63, 1, 1234);
	struct ng_synfp fp;
	char b[NG_SYNFP_SIG_MAX];

	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:63+1:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0");
	CHECK_EQ(fp.ittl, 64);
	CHECK_EQ(fp.dist, 1);
	CHECK_EQ(fp.wscale, 7);
	CHECK_EQ(fp.mss, 1460);
}

static void
test_windows_and_macos_layouts(void)
{
	static const uint8_t win7[] = { 2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1,
	    4, 2 };
	/* mss 16344, nop, ws 5, nop, nop, ts, sok, eol + 1 byte pad */
	static const uint8_t mac[] = { 2, 4, 0x3f, 0xd8, 1, 3, 3, 5, 1, 1,
	    8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 4, 2, 0, 0 };
	struct tpkt t = syn("198.51.100.10", win7, sizeof(win7), 8192, 120,
	    1, 7);
	struct ng_synfp fp;
	char b[NG_SYNFP_SIG_MAX];

	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:120+8:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
	t = syn("198.51.100.10", mac, sizeof(mac), 65535, 64, 1, 0);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:16344:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df:0");
	/* IPv6: no DF or ID quirks; the MTU form of the window. */
	t = syn("2001:db8:1::10", linux_opt, sizeof(linux_opt),
	    (uint16_t)(3 * (1460 + 60)), 64, 0, 0);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "6:64+0:0:1460:mtu*3,7:mss,sok,ts,nop,ws::0");
}

/* Option lists that lie about their lengths: read as far as they are
 * well formed, flagged "bad", never past the bytes. */
static void
test_bad_options(void)
{
	static const uint8_t len0[] = { 2, 0, 0, 0 };
	static const uint8_t len1[] = { 1, 1, 30, 1 };
	static const uint8_t toolong[] = { 2, 4, 5, 0xb4, 8, 12, 0, 0 };
	static const uint8_t mss3[] = { 2, 3, 5, 1 };
	static const uint8_t nolen[] = { 1, 1, 1, 3 };
	static const uint8_t tail[] = { 2, 4, 5, 0xb4, 0, 7, 0, 0 };
	static const uint8_t exws[] = { 3, 3, 15, 0 };
	static const uint8_t ts[] = { 8, 10, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0 };
	struct tpkt t;
	struct ng_synfp fp;
	char b[NG_SYNFP_SIG_MAX];

	t = syn("198.51.100.10", len0, sizeof(len0), 1024, 64, 0, 5);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp), "4:64+0:0:*:1024,0:mss:bad:0");
	t = syn("198.51.100.10", len1, sizeof(len1), 1024, 64, 0, 5);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:*:1024,0:nop,nop,?30:bad:0");
	t = syn("198.51.100.10", toolong, sizeof(toolong), 1024, 64, 0, 5);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:1460:1024,0:mss,ts:bad:0");
	t = syn("198.51.100.10", mss3, sizeof(mss3), 1024, 64, 0, 5);
	CHECK_EQ(sig_of(&t, b, sizeof(b), &fp) != NULL, 1);
	CHECK_EQ(fp.has_mss, 0);
	CHECK(fp.quirks & NG_FPQ_BAD);
	/* a kind in the last byte: its length byte is missing */
	t = syn("198.51.100.10", nolen, sizeof(nolen), 1024, 64, 0, 5);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:*:1024,0:nop,nop,nop,ws:bad:0");
	t = syn("198.51.100.10", tail, sizeof(tail), 1024, 64, 1, 0);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:1460:1024,0:mss,eol+3:df,opt+:0");
	t = syn("198.51.100.10", exws, sizeof(exws), 1024, 64, 0, 0);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:*:1024,15:ws,eol+0:id-,exws:0");
	t = syn("198.51.100.10", ts, sizeof(ts), 0, 200, 1, 1);
	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:200+55:0:*:0,0:ts,eol+1:df,id+,ts1-,ts2+:0");
}

/* The TCP header's quirks, payload, and a short buffer for the text. */
static void
test_tcp_quirks_and_format(void)
{
	struct tpkt t = tcp_pkt_opt("198.51.100.10", 40001, "203.0.113.25",
	    25, NG_TH_SYN | NG_TH_PSH | 0xc0 | 0x20, 0, 77, "x", NULL, 0);
	struct ng_synfp fp;
	char b[NG_SYNFP_SIG_MAX], small[8];

	CHECK_STR(sig_of(&t, b, sizeof(b), &fp),
	    "4:64+0:0:*:65535,0::id-,ecn,seq-,ack+,urgf+,pushf+:+");
	CHECK_EQ(ng_synfp_format(&fp, small, sizeof(small)), 7);
	CHECK_STR(small, "4:64+0:");
	CHECK_EQ(ng_synfp_format(&fp, small, 0), 0);
}

/* parse - a table from text, or NULL with the message in err. */
static struct ng_fpdb *
parse(const char *text, char *err, size_t len)
{
	err[0] = '\0';
	return ng_fpdb_parse(text, strlen(text), "t.fp", err, len);
}

/* class_of - the class label packet t gets from db. */
static const char *
class_of(const struct ng_fpdb *db, const struct tpkt *t, int *allowed)
{
	struct ng_fp_result r;
	struct ng_synfp fp;
	struct ng_pkt p;

	if (ng_pkt_parse(&p, t->b, t->len, t->len) != NG_PKT_OK)
		return "parse failed";
	ng_synfp_compute(&fp, &p);
	ng_fpdb_match(db, &fp, &p.src, &r);
	if (allowed != NULL)
		*allowed = r.allowed;
	return ng_fpdb_class_name(db, r.cls);
}

static const char db_text[] =
	"# test\n"
	"label = linux\n"
	"sig = 4:64:0:*:mss*44,*:mss,sok,ts,nop,ws:df,id+:0\r\n"
	"sig = *:64:0:1460:%1000,0:mss,sok,ts:df,id+:0\n"
	"label = odd\n"
	"sig = 4:64:0:*:*,*:mss,sok,ts,nop,ws:*:*\n"
	"label = anything\n"
	"sig = *:*:*:*:*,*:*:*:*\n"
	"label = linux\n"
	"sig = *:255:0:*:mtu*2,*:mss:*:0\n"
	"allow = 192.0.2.0/24 2001:db8:7::/48 odd\n";

static void
test_db_match(void)
{
	static const uint8_t noscale[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0,
	    0, 1, 0, 0, 0, 0 };
	static const uint8_t mss_only[] = { 2, 4, 5, 0xb4 };
	struct ng_fpdb *db;
	struct tpkt t;
	char err[256];
	int allowed;

	db = parse(db_text, err, sizeof(err));
	CHECK(db != NULL);
	if (db == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_EQ(ng_fpdb_nsigs(db), 5);
	CHECK_EQ(ng_fpdb_nclasses(db), 4);
	t = syn("198.51.100.10", linux_opt, sizeof(linux_opt), 64240, 50, 1,
	    9);
	CHECK_STR(class_of(db, &t, &allowed), "linux");
	CHECK_EQ(allowed, 0);
	/* the same layout, another window: the bucket's next, in order */
	t = syn("198.51.100.10", linux_opt, sizeof(linux_opt), 5000, 50, 1, 9);
	CHECK_STR(class_of(db, &t, &allowed), "odd");
	CHECK_EQ(allowed, 1);		/* by class */
	/* %1000: a multiple of 1000 */
	t = syn("198.51.100.10", noscale, sizeof(noscale), 3000, 64, 1, 9);
	CHECK_STR(class_of(db, &t, NULL), "linux");
	t = syn("198.51.100.10", noscale, sizeof(noscale), 3001, 64, 1, 9);
	CHECK_STR(class_of(db, &t, NULL), "anything");
	/* mtu*2 with TTL 255; out of the allowed prefix, then in it */
	t = syn("198.51.100.10", mss_only, sizeof(mss_only), 3000, 250, 0, 9);
	CHECK_STR(class_of(db, &t, &allowed), "linux");
	CHECK_EQ(allowed, 0);
	t = syn("192.0.2.9", mss_only, sizeof(mss_only), 3000, 250, 0, 9);
	CHECK_STR(class_of(db, &t, &allowed), "linux");
	CHECK_EQ(allowed, 1);
	t = syn("2001:db8:7::1", mss_only, sizeof(mss_only), 3040, 250, 0, 0);
	CHECK_STR(class_of(db, &t, &allowed), "linux");
	CHECK_EQ(allowed, 1);
	CHECK_STR(ng_fpdb_class_name(db, 0), "unknown");
	CHECK_STR(ng_fpdb_class_name(db, 200), "unknown");
	CHECK_EQ(ng_fpdb_class(db, "odd"), 2);
	CHECK_EQ(ng_fpdb_class(db, "nope"), -1);
	ng_fpdb_free(db);
	/* no signature matches: unknown */
	db = parse("label = x\nsig = 6:64:0:*:*,*:mss:*:*\n", err,
	    sizeof(err));
	CHECK(db != NULL);
	if (db != NULL) {
		CHECK_STR(class_of(db, &t, NULL), "unknown");
		ng_fpdb_free(db);
	}
}

/* Every bad line is refused with "file:line: reason". */
static void
test_db_errors(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "sig = 4:64:0:*:*,*:mss:df:0\n", "t.fp:1: sig before any label" },
		{ "label = Linux\n", "t.fp:1: bad label" },
		{ "label = x\n\nsig = 4:64:0\n", "t.fp:3: sig needs 8 fields" },
		{ "label = x\nsig = 5:64:0:*:*,*:mss:df:0\n",
		    "t.fp:2: ip version" },
		{ "label = x\nsig = 4:63:0:*:*,*:mss:df:0\n",
		    "t.fp:2: initial ttl" },
		{ "label = x\nsig = 4:64:-1:*:*,*:mss:df:0\n",
		    "t.fp:2: bad ip option length" },
		{ "label = x\nsig = 4:64:0:70000:*,*:mss:df:0\n",
		    "t.fp:2: bad mss" },
		{ "label = x\nsig = 4:64:0:*:*:mss:df:0\n",
		    "t.fp:2: window field is not wsize,scale" },
		{ "label = x\nsig = 4:64:0:*:mss*0,*:mss:df:0\n",
		    "t.fp:2: bad window size" },
		{ "label = x\nsig = 4:64:0:*:*,300:mss:df:0\n",
		    "t.fp:2: bad window scale" },
		{ "label = x\nsig = 4:64:0:*:*,*:mss:df:0:x\n",
		    "t.fp:2: sig needs 8 fields" },
		{ "label = x\nsig = 4:64:0:*:*,*:mss,foo:df:0\n",
		    "t.fp:2: bad option in layout" },
		{ "label = x\nsig = 4:64:0:*:*,*:eol+1,mss:df:0\n",
		    "t.fp:2: eol+N must end" },
		{ "label = x\nsig = 4:64:0:*:*,*:mss,?1:df:0\n",
		    "t.fp:2: bad option in layout" },
		{ "label = x\nsig = 4:64:0:*:*,*:mss:df,id*:0\n",
		    "t.fp:2: unknown quirk" },
		{ "label = x\nsig = 4:64:0:*:*,*:mss:df:2\n",
		    "t.fp:2: payload class" },
		{ "label = x\nallow = 10.0.0.0/33\n", "t.fp:2: allow: not" },
		{ "label = x\nallow = y\n", "t.fp:2: allow names an unknown" },
		{ "label = x\nfoo = 1\n", "t.fp:2: unknown key" },
		{ "label x\n", "t.fp:1: expected key = value" },
	};
	char err[256], big[1024];
	struct ng_fpdb *db;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		db = parse(bad[i].text, err, sizeof(err));
		CHECK(db == NULL);
		ng_fpdb_free(db);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			CHECK_STR(err, bad[i].msg);
	}
	memset(big, 'a', sizeof(big));
	db = ng_fpdb_parse(big, sizeof(big), "t.fp", err, sizeof(err));
	CHECK(db == NULL);
	CHECK_STR(err, "t.fp:1: line too long");
	db = ng_fpdb_parse("label = a\0b", 11, "t.fp", err, sizeof(err));
	CHECK(db == NULL);
	CHECK_STR(err, "t.fp:1: NUL byte in line");
	/* 41 layout entries: more than 40 option bytes could hold */
	strcpy(big, "label = x\nsig = 4:64:0:*:*,*:nop");
	for (i = 0; i < 40; i++)
		strcat(big, ",nop");
	strcat(big, "::0\n");
	db = parse(big, err, sizeof(err));
	CHECK(db == NULL);
	CHECK_STR(err, "t.fp:2: option layout too long");
}

/* The engine classes a SYN when given a table, and says so in its
 * event and the flow's later ones; without one, fp is NULL. */
static void
test_engine_event(void)
{
	struct ng_settings c;
	struct ng_engine *e;
	struct ng_fpdb *db;
	struct ng_out out;
	struct tpkt t;
	char err[256];

	ng_settings_defaults(&c);
	e = ng_engine_new(&c);
	ng_settings_free(&c);
	CHECK(e != NULL);
	if (e == NULL)
		return;
	t = syn("198.51.100.10", linux_opt, sizeof(linux_opt), 64240, 64, 1,
	    9);
	ng_engine_packet(e, t.b, t.len, t.len, 1, NG_SEC(1), &out);
	CHECK(out.nev >= 1);
	CHECK(out.ev[0].fp == NULL);
	CHECK(out.ev[0].synfp == NULL);
	db = parse(db_text, err, sizeof(err));
	CHECK(db != NULL);
	ng_engine_set_fpdb(e, db);
	t = syn("198.51.100.11", linux_opt, sizeof(linux_opt), 64240, 64, 1,
	    9);
	ng_engine_packet(e, t.b, t.len, t.len, 2, NG_SEC(2), &out);
	CHECK(out.nev >= 1);
	CHECK_STR(out.ev[0].fp, "linux");
	CHECK_EQ(out.ev[0].fp_cls, 1);
	CHECK(out.ev[0].synfp != NULL && out.ev[0].synfp->mss == 1460);
	/* the flow's decision, when its pause is over, names the class */
	t = tcp_pkt("203.0.113.25", 25, "198.51.100.11", 40001,
	    NG_TH_SYN | NG_TH_ACK, 5000, 1001, NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 3, NG_SEC(2), &out);
	t = tcp_pkt("198.51.100.11", 40001, "203.0.113.25", 25, NG_TH_ACK,
	    1001, 5001, NULL);
	ng_engine_packet(e, t.b, t.len, t.len, 4, NG_SEC(2), &out);
	ng_engine_tick(e, NG_SEC(60), &out);
	CHECK(out.nev >= 1);
	if (out.nev >= 1) {
		CHECK_STR(out.ev[out.nev - 1].fp, "linux");
		CHECK(out.ev[out.nev - 1].synfp == NULL);
	}
	ng_engine_free(e);
	ng_fpdb_free(db);
}

int
main(void)
{
	RUN(test_linux_layout);
	RUN(test_windows_and_macos_layouts);
	RUN(test_bad_options);
	RUN(test_tcp_quirks_and_format);
	RUN(test_db_match);
	RUN(test_db_errors);
	RUN(test_engine_event);
	return test_done();
}
