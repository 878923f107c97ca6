/*
 * test_psvc.c - the policy delegation protocol: parsing and answers.
 *
 * A request must parse the same however it is split across reads,
 * several requests may share one read, every limit must reject rather
 * than truncate, and the answer templates must fill in the facts.
 */
#include <stdio.h>
#include <string.h>

#include "conf/template.h"
#include "daemon/psvc.h"
#include "test.h"

static const char req[] =
    "request=smtpd_access_policy\n"
    "protocol_state=RCPT\n"
    "protocol_name=ESMTP\n"
    "client_address=1.0.1.5\n"
    "client_name=unknown\n"
    "helo_name=bot\n"
    "sender=a@b.test\n"
    "recipient=u@example.test\n"
    "\n";

static void
test_whole_and_split(void)
{
	struct ng_psvc_req r;
	char err[128];
	size_t used, i, off;
	int rc = 0;

	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, req, strlen(req), &used, err,
	    sizeof(err)), 1);
	CHECK_EQ(used, strlen(req));
	CHECK_STR(r.client_address, "1.0.1.5");
	CHECK_STR(r.protocol_state, "RCPT");
	CHECK(r.is_policy);
	CHECK_EQ(r.nattr, 8);

	/* One byte at a time. */
	ng_psvc_req_reset(&r);
	for (i = 0; i < strlen(req); i++) {
		rc = ng_psvc_feed(&r, req + i, 1, &used, err, sizeof(err));
		CHECK_EQ(used, 1);
		if (rc != 0)
			break;
	}
	CHECK_EQ(rc, 1);
	CHECK_EQ(i, strlen(req) - 1);
	CHECK_STR(r.client_address, "1.0.1.5");

	/* Two requests in one buffer. */
	{
		char two[2 * sizeof(req)];

		snprintf(two, sizeof(two), "%s%s", req, req);
		ng_psvc_req_reset(&r);
		CHECK_EQ(ng_psvc_feed(&r, two, strlen(two), &used, err,
		    sizeof(err)), 1);
		off = used;
		CHECK_EQ(off, strlen(req));
		ng_psvc_req_reset(&r);
		CHECK_EQ(ng_psvc_feed(&r, two + off, strlen(two) - off,
		    &used, err, sizeof(err)), 1);
		CHECK_EQ(off + used, strlen(two));
	}

	/* CRLF tolerated. */
	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, "client_address=::1\r\n\r\n", 22, &used,
	    err, sizeof(err)), 1);
	CHECK_STR(r.client_address, "::1");
	CHECK(!r.is_policy);
}

static void
test_limits(void)
{
	static char big[NG_PSVC_REQ_MAX + 64];
	struct ng_psvc_req r;
	char err[128];
	size_t used, i, n;

	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, "no equals sign\n", 15, &used, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "name=value") != NULL);

	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, "=v\n", 3, &used, err, sizeof(err)), -1);

	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, "a=\0b\n", 5, &used, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "NUL") != NULL);

	memset(big, 'x', sizeof(big));
	big[0] = 'a', big[1] = '=';
	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, big, NG_PSVC_LINE_MAX + 8, &used, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "line longer") != NULL);

	for (n = 0, i = 0; i < NG_PSVC_ATTRS_MAX + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "a%zu=1\n", i);
	ng_psvc_req_reset(&r);
	CHECK_EQ(ng_psvc_feed(&r, big, n, &used, err, sizeof(err)), -1);
	CHECK(strstr(err, "too many") != NULL);

	/* Many short lines: the byte limit comes first. */
	for (n = 0; n + 4 < sizeof(big); n += 4)
		memcpy(big + n, "a=b\n", 4);
	ng_psvc_req_reset(&r);
	r.nattr = 0;
	CHECK_EQ(ng_psvc_feed(&r, big, n, &used, err, sizeof(err)), -1);

	/* A too long address is dropped, not cut. */
	ng_psvc_req_reset(&r);
	memset(big, '1', 200);
	memcpy(big, "client_address=", 15);
	big[200] = '\n';
	CHECK_EQ(ng_psvc_feed(&r, big, 201, &used, err, sizeof(err)), 0);
	CHECK_STR(r.client_address, "");
}

static void
test_answers(void)
{
	struct ng_psvc_rules rules = {
		"PREPEND X-NFQ-Gate: country=%c; pass=%p; grey=%g; n=%n %%",
		"DEFER_IF_PERMIT pre-greeting talker (%n)"
	};
	struct ng_facts f = { .country = "CN", .pass = "old", .grey = "none" };
	char out[NG_PSVC_ANSWER_MAX], err[128];

	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=PREPEND X-NFQ-Gate: country=CN; pass=old; "
	    "grey=none; n=0 %\n\n");
	f.pregreet = 2;
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=DEFER_IF_PERMIT pre-greeting talker (2)\n\n");
	rules.action_penalty = "";
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK(strncmp(out, "action=PREPEND", 14) == 0);
	rules.action = "";
	CHECK_EQ(ng_psvc_answer(&rules, &f, out, sizeof(out)),
	    strlen("action=DUNNO\n\n"));
	CHECK_STR(out, "action=DUNNO\n\n");
	ng_psvc_answer(&rules, NULL, out, sizeof(out));
	CHECK_STR(out, "action=DUNNO\n\n");

	CHECK_EQ(ng_template_check("PREPEND X: %c %p %g %n %%", err,
	    sizeof(err)), 0);
	/* %t: the client's THROTTLE resets still remembered. */
	rules.action = "PREPEND X: throttled=%t";
	rules.action_penalty = "";
	f.pregreet = 0;
	f.throttled = 15;
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=PREPEND X: throttled=15\n\n");
	CHECK_EQ(ng_template_check("PREPEND X: %t", err, sizeof(err)), 0);
	CHECK_EQ(ng_template_check("bad %x", err, sizeof(err)), -1);
	CHECK_EQ(ng_template_check("bad %", err, sizeof(err)), -1);
	CHECK_EQ(ng_template_check("bad\nline", err, sizeof(err)), -1);
}

/*
 * %a, %o, %r: the ASN, the owner made safe for a header (printable
 * ASCII, no ';' '"' '\\', at most 100 bytes) and the rules' word; "--"
 * for what is unknown.
 */
static void
test_where_escapes(void)
{
	struct ng_psvc_rules rules = {
		"PREPEND X-NFQ-Gate: country=%c; asn=%a; owner=%o; rule=%r",
		""
	};
	struct ng_facts f = { .country = "BR", .asn = 4294967295u,
	    .owner = "Claro; \"dyn\\pool\"\r\n\x01\xc3\xa9t\x7f!",
	    .rule = "greylist(owner)", .pass = "none", .grey = "wait" };
	char out[NG_PSVC_ANSWER_MAX], err[128], owner[300];

	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=PREPEND X-NFQ-Gate: country=BR; asn=4294967295; "
	    "owner=Claro? ?dyn?pool??????t?!; rule=greylist(owner)\n\n");
	/* unknown: "--" */
	f.asn = 0;
	f.owner = NULL;
	f.rule[0] = '\0';
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=PREPEND X-NFQ-Gate: country=BR; asn=--; "
	    "owner=--; rule=--\n\n");
	f.owner = "";
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK(strstr(out, "owner=--;") != NULL);
	/* cut to 100 bytes */
	memset(owner, 'x', sizeof(owner) - 1);
	owner[sizeof(owner) - 1] = '\0';
	f.owner = owner;
	rules.action = "PREPEND X: <%o>";
	ng_psvc_answer(&rules, &f, out, sizeof(out));
	CHECK_EQ(strlen(out), strlen("action=PREPEND X: <>\n\n") +
	    NG_PSVC_OWNER_MAX);
	CHECK(strstr(out, "x>\n\n") != NULL);
	CHECK_EQ(ng_template_check("PREPEND X: %a %o %r", err, sizeof(err)), 0);
	CHECK_EQ(ng_template_check("PREPEND X: %A", err, sizeof(err)), -1);
	CHECK(strstr(err, "%o owner") != NULL);
}

/* Feed one request for recipient rcpt of message inst ("" = none). */
static void
ask(struct ng_psvc_req *r, const char *inst, const char *rcpt)
{
	char text[512], err[128];
	size_t used;

	snprintf(text, sizeof(text), "request=smtpd_access_policy\n"
	    "protocol_state=RCPT\nclient_address=1.0.1.5\n%s%s%s"
	    "recipient=%s\n\n", inst[0] ? "instance=" : "", inst,
	    inst[0] ? "\n" : "", rcpt);
	ng_psvc_req_next(r);
	CHECK_EQ(ng_psvc_feed(r, text, strlen(text), &used, err,
	    sizeof(err)), 1);
}

/* One PREPEND per message, whatever the number of recipients. */
static void
test_instance(void)
{
	static const char *rcpts[] = { "a@x.test", "b@x.test", "c@x.test" };
	struct ng_psvc_rules rules = { "PREPEND X-NFQ-Gate: country=%c",
	    "DEFER_IF_PERMIT pre-greeting talker (%n)" };
	struct ng_facts f = { .country = "CN", .pass = "new", .grey = "none" };
	struct ng_psvc_req r;
	char out[NG_PSVC_ANSWER_MAX];
	unsigned i, prepends = 0;

	ng_psvc_req_reset(&r);
	for (i = 0; i < 3; i++) {
		ask(&r, "1a2b.5f5e1000.3039.0", rcpts[i]);
		CHECK_STR(r.instance, "1a2b.5f5e1000.3039.0");
		ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
		if (i == 0)
			CHECK_STR(out, "action=PREPEND X-NFQ-Gate: "
			    "country=CN\n\n");
		else
			CHECK_STR(out, "action=DUNNO\n\n");
		prepends += strncmp(out, "action=PREPEND", 14) == 0;
	}
	CHECK_EQ(prepends, 1);
	/* The next message on the same connection gets its own header. */
	ask(&r, "1a2b.5f5e1000.3039.1", rcpts[0]);
	ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
	CHECK(strncmp(out, "action=PREPEND", 14) == 0);
	ask(&r, "1a2b.5f5e1000.3039.1", rcpts[1]);
	ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=DUNNO\n\n");
	/* A refusal is repeated: every recipient must get it. */
	f.pregreet = 1;
	for (i = 0; i < 3; i++) {
		ask(&r, "1a2b.5f5e1000.3039.2", rcpts[i]);
		ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
		CHECK_STR(out, "action=DEFER_IF_PERMIT pre-greeting talker "
		    "(1)\n\n");
	}
	f.pregreet = 0;
	/* No instance (not Postfix, or an old one): nothing to go by. */
	for (i = 0; i < 2; i++) {
		ask(&r, "", rcpts[i]);
		ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
		CHECK(strncmp(out, "action=PREPEND", 14) == 0);
	}
	/* prepend in another case is still a PREPEND. */
	rules.action = "prepend X-Lower: yes";
	ask(&r, "77.1", rcpts[0]);
	ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=prepend X-Lower: yes\n\n");
	ask(&r, "77.1", rcpts[1]);
	ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
	CHECK_STR(out, "action=DUNNO\n\n");
	/* A new connection forgets. */
	ng_psvc_req_reset(&r);
	CHECK_STR(r.prepended, "");
	ask(&r, "77.1", rcpts[2]);
	ng_psvc_answer_req(&r, &rules, &f, out, sizeof(out));
	CHECK(strncmp(out, "action=prepend", 14) == 0);
}

int
main(void)
{
	RUN(test_whole_and_split);
	RUN(test_limits);
	RUN(test_answers);
	RUN(test_where_escapes);
	RUN(test_instance);
	return test_done();
}
