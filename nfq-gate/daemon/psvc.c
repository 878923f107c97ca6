/*
 * psvc.c - the Postfix policy delegation protocol: parse and answer.
 *
 * Requests are read a byte at a time into one line buffer, so a request
 * split across any number of reads parses the same as one read, and the
 * limits (line length, attribute count, request size) bound memory no
 * matter what a client sends.  Only the attributes the answer needs are
 * kept.  The answer is a template from the configuration with %c
 * (country), %a (AS number), %o (owner), %r (what the rules say),
 * %p (pass cache state), %g (greylist state), %n (pregreet count), %t
 * (THROTTLE resets remembered) and %% filled in; an empty result
 * answers DUNNO, the policy protocol's "no opinion".  A PREPEND is given once per message (the
 * instance attribute), not once per recipient.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "daemon/psvc.h"

/* ng_psvc_req_reset - a new connection: everything zero. */
void
ng_psvc_req_reset(struct ng_psvc_req *r)
{
	memset(r, 0, sizeof(*r));
}

/*
 * ng_psvc_req_next - the next request on the same connection: keeps
 * prepended.
 */
void
ng_psvc_req_next(struct ng_psvc_req *r)
{
	char keep[NG_PSVC_INSTANCE_MAX];

	memcpy(keep, r->prepended, sizeof(keep));
	memset(r, 0, sizeof(*r));
	memcpy(r->prepended, keep, sizeof(keep));
}

/* bad - the message into err; -1. */
static int
bad(char *err, size_t errlen, const char *msg)
{
	return ng_err(err, errlen, "%s", msg);
}

/* keep - an attribute's value, or "" when too long for the field. */
static void
keep(char *dst, size_t len, const char *v)
{
	if (strlen(v) < len)
		snprintf(dst, len, "%s", v);
	else
		dst[0] = '\0';	/* too long to be an address: unusable */
}

/* take_line - one complete name=value line: kept if we use it, counted. */
static int
take_line(struct ng_psvc_req *r, char *err, size_t errlen)
{
	char *eq = strchr(r->line, '=');
	char *name = r->line, *v;

	if (eq == NULL || eq == name)
		return bad(err, errlen, "policy request: expected "
		    "\"name=value\"");
	if (++r->nattr > NG_PSVC_ATTRS_MAX)
		return bad(err, errlen, "policy request: too many attributes");
	*eq = '\0';
	v = eq + 1;
	if (strcmp(name, "request") == 0)
		r->is_policy = strcmp(v, "smtpd_access_policy") == 0;
	else if (strcmp(name, "client_address") == 0)
		keep(r->client_address, sizeof(r->client_address), v);
	else if (strcmp(name, "protocol_state") == 0)
		keep(r->protocol_state, sizeof(r->protocol_state), v);
	else if (strcmp(name, "instance") == 0)
		keep(r->instance, sizeof(r->instance), v);
	return 0;
}

/*
 * ng_psvc_feed - feed request bytes; 1 at the empty line that ends a
 * request.
 */
int
ng_psvc_feed(struct ng_psvc_req *r, const char *data, size_t len,
    size_t *used, char *err, size_t errlen)
{
	size_t i;
	unsigned char ch;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)data[i];
		if (++r->total > NG_PSVC_REQ_MAX)
			return bad(err, errlen, "policy request: longer than "
			    "16384 bytes");
		if (ch == '\n') {
			if (r->linelen > 0 && r->line[r->linelen - 1] == '\r')
				r->linelen--;	/* tolerate CRLF */
			if (r->linelen == 0) {
				*used = i + 1;
				return 1;
			}
			r->line[r->linelen] = '\0';
			r->linelen = 0;
			if (take_line(r, err, errlen) < 0)
				return -1;
			continue;
		}
		if (ch == '\0')
			return bad(err, errlen, "policy request: NUL byte");
		if (r->linelen + 1 >= sizeof(r->line))
			return bad(err, errlen, "policy request: line longer "
			    "than 2048 bytes");
		r->line[r->linelen++] = (char)ch;
	}
	*used = len;
	return 0;
}

/* put - append s to out at *n, cutting it short rather than overflowing. */
static void
put(char *out, size_t outlen, size_t *n, const char *s)
{
	while (*s && *n + 1 < outlen)
		out[(*n)++] = *s++;
	out[*n] = '\0';
}

/*
 * owner_text - the owner as header text: it comes from a public
 * database, so only printable ASCII goes into a mail header, and not
 * ';' (the X-NFQ-Gate field separator), '"' or '\\' (quoting in
 * SpamAssassin rules and Postfix): each such byte becomes '?'.  At
 * most NG_PSVC_OWNER_MAX bytes; "--" when unknown.
 */
static void
owner_text(const char *owner, char *out, size_t len)
{
	size_t n = 0;
	unsigned char c;

	if (owner == NULL || owner[0] == '\0')
		owner = "--";
	for (; owner[n] != '\0' && n < NG_PSVC_OWNER_MAX && n + 1 < len; n++) {
		c = (unsigned char)owner[n];
		out[n] = c < 0x20 || c > 0x7e || c == ';' || c == '"' ||
		    c == '\\' ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* expand - a template with its %-escapes filled in from the facts. */
static void
expand(const char *t, const struct ng_facts *f, char *out,
    size_t outlen)
{
	char one[2] = { 0, 0 }, num[16], own[NG_PSVC_OWNER_MAX + 1];
	size_t n = 0;

	out[0] = '\0';
	for (; *t; t++) {
		if (*t != '%' || t[1] == '\0') {
			one[0] = *t;
			put(out, outlen, &n, one);
			continue;
		}
		switch (*++t) {
		case 'c':
			put(out, outlen, &n, f->country);
			break;
		case 'a':
			if (f->asn != 0)
				snprintf(num, sizeof(num), "%lu",
				    (unsigned long)f->asn);
			else
				snprintf(num, sizeof(num), "--");
			put(out, outlen, &n, num);
			break;
		case 'o':
			owner_text(f->owner, own, sizeof(own));
			put(out, outlen, &n, own);
			break;
		case 'r':
			put(out, outlen, &n, f->rule[0] ? f->rule : "--");
			break;
		case 'p':
			put(out, outlen, &n, f->pass);
			break;
		case 'g':
			put(out, outlen, &n, f->grey);
			break;
		case 'n':
			snprintf(num, sizeof(num), "%u", f->pregreet);
			put(out, outlen, &n, num);
			break;
		case 't':
			snprintf(num, sizeof(num), "%u", f->throttled);
			put(out, outlen, &n, num);
			break;
		case 's':	/* the last score (engine/score.h) */
			if (f->scored)
				snprintf(num, sizeof(num), "%d", f->score);
			else
				snprintf(num, sizeof(num), "--");
			put(out, outlen, &n, num);
			break;
		default:	/* %% and anything template_check let by */
			one[0] = *t;
			put(out, outlen, &n, one);
			break;
		}
	}
}

/* scrub - no byte that could end the answer line or start another. */
static void
scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* ng_psvc_answer - "action=...\n\n" for a client with these facts. */
size_t
ng_psvc_answer(const struct ng_psvc_rules *rules,
    const struct ng_facts *facts, char *out, size_t outlen)
{
	char act[NG_PSVC_ANSWER_MAX - 16];
	const char *t = NULL;

	act[0] = '\0';
	if (facts != NULL && rules != NULL) {
		if (facts->pregreet > 0 && rules->action_penalty != NULL &&
		    rules->action_penalty[0] != '\0')
			t = rules->action_penalty;
		else
			t = rules->action;
		if (t != NULL)
			expand(t, facts, act, sizeof(act));
	}
	scrub(act);
	if (act[0] == '\0')
		snprintf(act, sizeof(act), "DUNNO");
	if (outlen == 0)
		return 0;
	snprintf(out, outlen, "action=%s\n\n", act);
	return strlen(out);
}

/* ng_psvc_answer_req - the answer to request r, one PREPEND per message. */
size_t
ng_psvc_answer_req(struct ng_psvc_req *r, const struct ng_psvc_rules *rules,
    const struct ng_facts *facts, char *out, size_t outlen)
{
	static const char prepend[] = "action=PREPEND ";
	size_t n = ng_psvc_answer(rules, facts, out, outlen);

	if (n < sizeof(prepend) - 1 ||
	    strncasecmp(out, prepend, sizeof(prepend) - 1) != 0 ||
	    r->instance[0] == '\0')
		return n;
	if (strcmp(r->instance, r->prepended) != 0) {
		memcpy(r->prepended, r->instance, sizeof(r->prepended));
		return n;
	}
	return ng_psvc_answer(NULL, NULL, out, outlen);	/* DUNNO */
}
