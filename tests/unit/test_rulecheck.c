/*
 * test_rulecheck.c - the words nfq-gate-rules writes on its rules
 * ("nfq-gate queue=0 ports=25,587 pass=0x100 reset=0x200 test=0x400"):
 * parsed within their length, refused when not ours or bad, written
 * back the same, and compared with what the gate runs with.  The kernel
 * side (reading them off real rules) is tests/sh/rules_params.sh.
 */
#include <stdint.h>

#include "daemon/rulecheck.h"
#include "test.h"

static const uint16_t P25[] = { 25 };
static const uint16_t P2[] = { 587, 25 };

/* parse - s as a whole C string; the return. */
static int
parse(const char *s, struct ng_rule_params *p)
{
	return ng_rule_params_parse(s, strlen(s) + 1, p);
}

static void
test_parse_full(void)
{
	struct ng_rule_params p;
	char buf[256];

	CHECK_EQ(parse("nfq-gate queue=3 ports=587,25,25 pass=0x100 "
	    "reset=0X200 test=1024", &p), 0);
	CHECK_EQ(p.have, NG_RP_QUEUE | NG_RP_PORTS | NG_RP_PASS |
	    NG_RP_RESET | NG_RP_TEST);
	CHECK_EQ(p.queue, 3);
	CHECK_EQ(p.nports, 2);
	CHECK_EQ(p.ports[0], 25);
	CHECK_EQ(p.ports[1], 587);
	CHECK_EQ(p.pass, 0x100);
	CHECK_EQ(p.reset, 0x200);
	CHECK_EQ(p.test, 0x400);
	CHECK_EQ(p.from, 0);
	ng_rule_params_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "queue=3 ports=25,587 pass=0x100 reset=0x200 "
	    "test=0x400");
	/* Cut short, the format never overruns. */
	ng_rule_params_format(&p, buf, 12);
	CHECK_EQ(strlen(buf) < 12, 1);
}

static void
test_parse_partial(void)
{
	struct ng_rule_params p;
	char buf[64];

	CHECK_EQ(parse("nfq-gate ports=25 reset=0x200", &p), 0);
	CHECK_EQ(p.have, NG_RP_PORTS | NG_RP_RESET);
	ng_rule_params_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ports=25 reset=0x200");
	/* Unknown words and keys are skipped; tabs and runs of spaces. */
	CHECK_EQ(parse("nfq-gate\tmode=local  future pass=0xffffffff ", &p),
	    0);
	CHECK_EQ(p.have, NG_RP_PASS);
	CHECK_EQ(p.pass, 0xffffffffu);
	CHECK_EQ(parse("nfq-gate", &p), 0);
	CHECK_EQ(p.have, 0);
	/* The length bounds it: the rest is never read. */
	CHECK_EQ(ng_rule_params_parse("nfq-gate pass=0x10XX", 18, &p), 0);
	CHECK_EQ(p.pass, 0x10);
	CHECK_EQ(ng_rule_params_parse("nfq-gate pass=0x1", 0, &p), -1);
	/* A NUL ends it too (xt_comment's char[256]). */
	CHECK_EQ(ng_rule_params_parse("nfq-gate test=0x8\0junk=", 24, &p), 0);
	CHECK_EQ(p.test, 8);
}

static void
test_parse_refused(void)
{
	static const char *const bad[] = {
		"", "  ", "nfq-gates pass=0x1", "nfq-gat", "hand made",
		"nfq-gate queue=65536", "nfq-gate queue=-1", "nfq-gate queue=",
		"nfq-gate ports=0", "nfq-gate ports=25,", "nfq-gate ports=,25",
		"nfq-gate ports=65536", "nfq-gate ports=2x5",
		"nfq-gate ports=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
		"nfq-gate pass=0x", "nfq-gate pass=0x100000000",
		"nfq-gate pass=4294967296", "nfq-gate reset=0xg",
		"nfq-gate test=+1", "NFQ-GATE pass=0x1"
	};
	struct ng_rule_params p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0xa5, sizeof(p));
		if (parse(bad[i], &p) != -1)
			fprintf(stderr, "    accepted: \"%s\"\n", bad[i]);
		CHECK_EQ(parse(bad[i], &p), -1);
		CHECK_EQ(p.have, 0);
	}
	/* Fifteen ports, repeats counted once, are fine. */
	CHECK_EQ(parse("nfq-gate ports=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"
	    "15,1", &p), 0);
	CHECK_EQ(p.nports, 15);
}

static void
test_mismatch(void)
{
	struct ng_rule_params p;
	char why[128];

	CHECK_EQ(parse("nfq-gate queue=0 ports=25,587 pass=0x100 reset=0x200 "
	    "test=0x400", &p), 0);
	CHECK_EQ(ng_rule_params_mismatch(&p, 0, P2, 2, 0x100, 0x200, 0x400,
	    why, sizeof(why)), 0);
	CHECK_EQ(ng_rule_params_mismatch(&p, 0, P25, 1, 0x100, 0x200, 0x400,
	    why, sizeof(why)), 1);
	CHECK_STR(why, "ports 25,587 but the config judges 25");
	CHECK_EQ(ng_rule_params_mismatch(&p, 0, P2, 2, 0x800, 0x200, 0x400,
	    why, sizeof(why)), 1);
	CHECK_STR(why, "pass mark 0x100 but the config's mark_pass is 0x800");
	CHECK_EQ(ng_rule_params_mismatch(&p, 0, P2, 2, 0x100, 0x20, 0x400,
	    why, sizeof(why)), 1);
	CHECK(strstr(why, "mark_reset is 0x20") != NULL);
	CHECK_EQ(ng_rule_params_mismatch(&p, 0, P2, 2, 0x100, 0x200, 0x40,
	    why, sizeof(why)), 1);
	CHECK(strstr(why, "mark_test is 0x40") != NULL);
	CHECK_EQ(ng_rule_params_mismatch(&p, 7, P2, 2, 0x100, 0x200, 0x400,
	    why, sizeof(why)), 1);
	CHECK_STR(why, "queue 0 but the gate reads queue 7");
	/* Only the keys the comment gave are compared. */
	CHECK_EQ(parse("nfq-gate reset=0x200", &p), 0);
	CHECK_EQ(ng_rule_params_mismatch(&p, 9, P25, 1, 1, 0x200, 2, why,
	    sizeof(why)), 0);
	CHECK_EQ(parse("nfq-gate", &p), 0);
	CHECK_EQ(ng_rule_params_mismatch(&p, 9, P25, 1, 1, 2, 4, why,
	    sizeof(why)), 0);
}

static void
test_no_look(void)
{
	struct ng_rule_params p[2];

	CHECK_EQ(ng_rulecheck_params(NULL, p, 2), 0);
}

int
main(void)
{
	RUN(test_parse_full);
	RUN(test_parse_partial);
	RUN(test_parse_refused);
	RUN(test_mismatch);
	RUN(test_no_look);
	return test_done();
}
