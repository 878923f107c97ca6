/*
 * event_format.c - engine events as postscreen-style log lines and as
 * JSON objects.
 *
 * The early bytes of a pre-greeting talker are hostile input headed for
 * a log file or a terminal, so they are always escaped: C-style in log
 * lines (postscreen's "EHLO bot\r\n"), and the same text JSON-escaped in
 * objects.  Times are printed with integer arithmetic so the output is
 * the same on every machine.
 */
#include <string.h>

#include "engine/event_format.h"

/*
 * An append-only buffer that truncates quietly and stays terminated.
 * No printf: a replay of a day's capture formats an event per flow, and
 * vfprintf was most of the replay's own cost.
 */
struct sbuf {
	char *b;
	size_t len, n;
};

/* sb_init - an empty string builder over buf. */
static void
sb_init(struct sbuf *s, char *buf, size_t len)
{
	s->b = buf;
	s->len = len;
	s->n = 0;
	if (len > 0)
		buf[0] = '\0';
}

/* sb_putn - append n bytes, cutting short rather than overflowing. */
static void
sb_putn(struct sbuf *s, const char *p, size_t n)
{
	if (s->len == 0)
		return;
	if (n > s->len - 1 - s->n)
		n = s->len - 1 - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = '\0';
}

/* sb_put - append a C string. */
static void
sb_put(struct sbuf *s, const char *p)
{
	sb_putn(s, p, strlen(p));
}

/* sb_putc - append one byte. */
static void
sb_putc(struct sbuf *s, char c)
{
	sb_putn(s, &c, 1);
}

/* sb_uint - v in decimal, at least width digits (zero-padded). */
static void
sb_uint(struct sbuf *s, unsigned long long v, int width)
{
	char t[24];
	int i = (int)sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v != 0 || width > 0);
	sb_putn(s, t + i, sizeof(t) - (size_t)i);
}

/* sb_int - a signed v in decimal (a score may be negative). */
static void
sb_int(struct sbuf *s, int v)
{
	if (v < 0)
		sb_putc(s, '-');
	sb_uint(s, v < 0 ? 0ULL - (unsigned long long)(long long)v :
	    (unsigned long long)v, 1);
}

/* ng_escape_c - bytes as a C-escaped string, for the PREGREET line. */
size_t
ng_escape_c(const uint8_t *p, size_t n, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	char tmp[5];

	if (len == 0)
		return 0;
	for (i = 0; i < n; i++) {
		const char *e = tmp;
		size_t el;

		switch (p[i]) {
		case '\r': e = "\\r"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\\': e = "\\\\"; break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f) {
				tmp[0] = (char)p[i];
				tmp[1] = '\0';
			} else {
				tmp[0] = '\\';
				tmp[1] = 'x';
				tmp[2] = hex[p[i] >> 4];
				tmp[3] = hex[p[i] & 15];
				tmp[4] = '\0';
			}
		}
		el = strlen(e);
		if (o + el >= len)
			break;
		memcpy(buf + o, e, el);
		o += el;
	}
	buf[o] = '\0';
	return o;
}

/*
 * sb_secs2 - seconds with two decimals, rounded: postscreen's "after
 * 0.02".
 */
static void
sb_secs2(struct sbuf *s, ng_usec us)
{
	unsigned long long c = (unsigned long long)(us / 5000 + 1) / 2;

	sb_uint(s, c / 100, 1);
	sb_putc(s, '.');
	sb_uint(s, c % 100, 2);
}

/* sb_addr - the address alone, as inet_ntop writes it. */
static void
sb_addr(struct sbuf *s, const struct ng_addr *a)
{
	char t[NG_ADDRSTRLEN];
	int i;

	if (a->family == 4) {		/* glibc's inet_ntop calls sprintf */
		for (i = 0; i < 4; i++) {
			if (i > 0)
				sb_putc(s, '.');
			sb_uint(s, a->b[i], 1);
		}
	} else {
		sb_put(s, ng_addr_format(a, t, sizeof(t)));
	}
}

/* sb_addr_port - "addr:port", the address in brackets when bracket is set. */
static void
sb_addr_port(struct sbuf *s, const struct ng_addr *a, uint16_t port,
    int bracket)
{
	if (bracket)
		sb_putc(s, '[');
	sb_addr(s, a);
	sb_put(s, bracket ? "]:" : ":");
	sb_uint(s, port, 1);
}

/* sb_ep - postscreen's endpoint form, "[addr]:port", for both families. */
static void
sb_ep(struct sbuf *s, const struct ng_addr *a, uint16_t port)
{
	sb_addr_port(s, a, port, 1);
}

/*
 * sb_trap - a TRAP line: "TRAP [a]:p to [s]:25: excused, contact 12s
 * ago"; a penalty the shared state decided later names the same hit.
 */
static void
sb_trap(struct sbuf *s, const struct ng_event *ev)
{
	sb_put(s, "TRAP ");
	sb_ep(s, &ev->client, ev->cport);
	sb_put(s, " to ");
	sb_ep(s, &ev->server, ev->sport);
	switch (ev->trap) {
	case NG_TRAP_EXCUSED:
		sb_put(s, ": excused, contact ");
		sb_uint(s, ev->contact_age / NG_USEC_PER_SEC, 1);
		sb_put(s, "s ago");
		break;
	case NG_TRAP_UNSURE:
		sb_put(s, ": not penalised, contacts table flooded");
		break;
	case NG_TRAP_PENDING:
		sb_put(s, ": pending, asking the shared state");
		break;
	default:
		sb_put(s, ": penalised");
		break;
	}
}

/*
 * sb_fp - " fp=linux": the SYN fingerprint's class, when a signature
 * file is set.  Not on PREGREET, PENALTY and TRAP lines, whose form
 * fail2ban's filter and admins' scripts anchor on.
 */
static void
sb_fp(struct sbuf *s, const struct ng_event *ev)
{
	if (ev->fp == NULL)
		return;
	sb_put(s, " fp=");
	sb_put(s, ev->fp);
}

/*
 * sb_where - what the database said beyond the country, and the rule
 * that decided: " asn=4134 rule=\"owner /dsl/\" owner=TEXT".  The owner
 * comes from a public database: escaped like early bytes, and last,
 * since it may hold spaces.
 */
static void
sb_where(struct sbuf *s, const struct ng_event *ev)
{
	char esc[255 * 4 + 1];
	size_t n;

	if (ev->asn != 0) {
		sb_put(s, " asn=");
		sb_uint(s, ev->asn, 1);
	}
	if (ev->rule != NULL) {
		ng_escape_c((const uint8_t *)ev->rule, strlen(ev->rule), esc,
		    sizeof(esc));
		sb_put(s, " rule=\"");
		sb_put(s, esc);
		sb_putc(s, '"');
	}
	sb_fp(s, ev);
	if (ev->owner != NULL) {
		n = strlen(ev->owner);
		ng_escape_c((const uint8_t *)ev->owner, n > 255 ? 255 : n, esc,
		    sizeof(esc));
		sb_put(s, " owner=");
		sb_put(s, esc);
	}
}

/* ng_event_format_line - the event as the log line admins grep. */
size_t
ng_event_format_line(const struct ng_event *ev, char *buf, size_t len)
{
	struct sbuf s;
	char esc[NG_FIRST_MAX * 4 + 1], cc[3];

	sb_init(&s, buf, len);
	/* Not enforced: a marker fail2ban's anchored regexes never match. */
	if (ev->monitor)
		sb_put(&s, "MONITOR ");
	switch (ev->type) {
	case NG_EV_CONNECT:
	case NG_EV_NOLISTING:
		sb_put(&s, ev->type == NG_EV_CONNECT ? "CONNECT from " :
		    "NOLISTING ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, " to ");
		sb_ep(&s, &ev->server, ev->sport);
		sb_fp(&s, ev);
		break;
	case NG_EV_PREGREET:
		ng_escape_c(ev->first, ev->nfirst, esc, sizeof(esc));
		sb_put(&s, "PREGREET ");
		sb_uint(&s, ev->bytes, 1);
		sb_put(&s, " after ");
		sb_secs2(&s, ev->after);
		sb_put(&s, " from ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, ": ");
		sb_put(&s, esc);
		break;
	case NG_EV_TRAP:
		sb_trap(&s, ev);
		break;
	case NG_EV_SCORE:
		/* "SCORE 5 reject for [a]:p: dnsbl=3 (...) fp=linux(0)" */
		sb_put(&s, "SCORE ");
		sb_int(&s, ev->score);
		sb_putc(&s, ' ');
		sb_put(&s, ng_score_action_name(ev->score_action));
		sb_put(&s, " for ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, ": ");
		sb_put(&s, ev->why != NULL ? ev->why : "");
		break;
	case NG_EV_THROTTLE:
		/* "THROTTLE [a]:p over concurrency", or "over rate" */
		sb_put(&s, "THROTTLE ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, " over ");
		sb_put(&s, ev->reason != NULL ? ev->reason : "limit");
		sb_fp(&s, ev);
		break;
	case NG_EV_HANGUP:
		sb_put(&s, "HANGUP after ");
		sb_secs2(&s, ev->after);
		sb_put(&s, " from ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, " in tests before SMTP handshake");
		sb_fp(&s, ev);
		break;
	case NG_EV_DROP:
	case NG_EV_REJECT:
	case NG_EV_COUNTRY_PASS:
		sb_put(&s, ng_event_type_name(ev->type));
		sb_putc(&s, ' ');
		sb_ep(&s, &ev->client, ev->cport);
		sb_put(&s, " country=");
		sb_put(&s, ng_cc_str(ev->cc, cc));
		sb_where(&s, ev);
		break;
	case NG_EV_GREYLIST:
		sb_put(&s, ng_event_type_name(ev->type));
		sb_putc(&s, ' ');
		sb_ep(&s, &ev->client, ev->cport);
		/* Greylisted by an asn or owner rule: say which, and why. */
		if (ev->rule != NULL) {
			sb_put(&s, " country=");
			sb_put(&s, ng_cc_str(ev->cc, cc));
			sb_where(&s, ev);
		} else
			sb_fp(&s, ev);
		break;
	default:
		/* PASS NEW, PASS OLD, ALLOWLISTED, DENYLISTED, PENALTY,
		 * GREYLIST, GREYLIST PASS: the name and the client */
		sb_put(&s, ng_event_type_name(ev->type));
		sb_putc(&s, ' ');
		sb_ep(&s, &ev->client, ev->cport);
		if (ev->type != NG_EV_PENALTY)
			sb_fp(&s, ev);
		break;
	}
	return s.n;
}

/*
 * sb_json_str - a JSON string body: quote, backslash and control bytes
 * escaped.
 */
static void
sb_json_str(struct sbuf *s, const char *p)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = { '\\', 'u', '0', '0', 0, 0 };

	sb_putc(s, '"');
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			sb_putc(s, '\\');
			sb_putc(s, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			sb_putn(s, u, sizeof(u));
		} else {
			sb_putc(s, (char)c);
		}
	}
	sb_putc(s, '"');
}

/* sb_json_ep - "a.b.c.d:port" for IPv4, "[v6]:port" for IPv6. */
static void
sb_json_ep(struct sbuf *s, const struct ng_addr *a, uint16_t port)
{
	sb_putc(s, '"');
	sb_addr_port(s, a, port, a->family == 6);
	sb_putc(s, '"');
}

/* sb_json_opt - ",\"key\":" and the string, or null. */
static void
sb_json_opt(struct sbuf *s, const char *key, const char *v)
{
	sb_put(s, key);
	if (v != NULL)
		sb_json_str(s, v);
	else
		sb_put(s, "null");
}

/* sb_json_where - "asn", "owner" and "rule", each null when unknown. */
static void
sb_json_where(struct sbuf *s, const struct ng_event *ev)
{
	sb_put(s, ",\"asn\":");
	if (ev->asn != 0)
		sb_uint(s, ev->asn, 1);
	else
		sb_put(s, "null");
	sb_json_opt(s, ",\"owner\":", ev->owner);
	sb_json_opt(s, ",\"rule\":", ev->rule);
}

/*
 * sb_json_fp - with a signature file: "fp" the class, "fp_allowed",
 * and on the SYN's own decision "fp_sig", the raw p0f-style signature.
 */
static void
sb_json_fp(struct sbuf *s, const struct ng_event *ev)
{
	char sig[NG_SYNFP_SIG_MAX];

	if (ev->fp == NULL)
		return;
	sb_json_opt(s, ",\"fp\":", ev->fp);
	if (ev->fp_allowed)
		sb_put(s, ",\"fp_allowed\":true");
	if (ev->synfp != NULL) {
		ng_synfp_format(ev->synfp, sig, sizeof(sig));
		sb_json_opt(s, ",\"fp_sig\":", sig);
	}
}

/* reason_of - the event's reason, or one from its type. */
static const char *
reason_of(const struct ng_event *ev)
{
	if (ev->reason != NULL)
		return ev->reason;
	switch (ev->type) {
	case NG_EV_PASS_NEW:	return "waited for greeting";
	case NG_EV_HANGUP:	return "hangup";
	default:		return ng_decision_name(ev->decision);
	}
}

/* ng_event_format_json - the event as one line of the replay's JSON Lines. */
size_t
ng_event_format_json(const struct ng_event *ev, char *buf, size_t len)
{
	struct sbuf s;
	char esc[NG_FIRST_MAX * 4 + 1], cc[3];

	sb_init(&s, buf, len);
	sb_put(&s, "{\"client\":");
	sb_json_ep(&s, &ev->client, ev->cport);
	sb_put(&s, ",\"server\":");
	sb_json_ep(&s, &ev->server, ev->sport);
	sb_put(&s, ",\"verdict\":");
	sb_json_str(&s, ng_decision_name(ev->decision));
	sb_put(&s, ",\"country\":");
	if (ev->cc != 0)
		sb_json_str(&s, ng_cc_str(ev->cc, cc));
	else
		sb_put(&s, "null");
	sb_put(&s, ",\"reason\":");
	sb_json_str(&s, reason_of(ev));
	sb_put(&s, ",\"after\":");
	sb_uint(&s, ev->after / NG_USEC_PER_SEC, 1);
	sb_putc(&s, '.');
	sb_uint(&s, ev->after % NG_USEC_PER_SEC, 6);
	sb_put(&s, ",\"bytes\":");
	sb_uint(&s, ev->bytes, 1);
	sb_put(&s, ",\"first\":");
	if (ev->type == NG_EV_PREGREET) {
		ng_escape_c(ev->first, ev->nfirst, esc, sizeof(esc));
		sb_json_str(&s, esc);
	} else {
		sb_put(&s, "null");
	}
	sb_json_where(&s, ev);
	sb_json_fp(&s, ev);
	if (ev->type == NG_EV_TRAP && ev->trap == NG_TRAP_EXCUSED) {
		sb_put(&s, ",\"contact_age\":");
		sb_uint(&s, ev->contact_age / NG_USEC_PER_SEC, 1);
		sb_putc(&s, '.');
		sb_uint(&s, ev->contact_age % NG_USEC_PER_SEC, 6);
	}
	if (ev->scored) {
		sb_put(&s, ",\"score\":");
		sb_int(&s, ev->score);
		sb_json_opt(&s, ",\"score_action\":",
		    ng_score_action_name(ev->score_action));
		if (ev->why != NULL)
			sb_json_opt(&s, ",\"score_why\":", ev->why);
	}
	if (ev->monitor)
		sb_put(&s, ",\"monitor\":true");
	sb_putc(&s, '}');
	return s.n;
}
