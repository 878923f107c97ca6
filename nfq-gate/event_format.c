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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "event_format.h"

/* An append-only buffer that truncates quietly and stays terminated. */
struct sbuf {
	char *b;
	size_t len, n;
};

static void
sb_init(struct sbuf *s, char *buf, size_t len)
{
	s->b = buf;
	s->len = len;
	s->n = 0;
	if (len > 0)
		buf[0] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (s->n + 1 >= s->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(s->b + s->n, s->len - s->n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	s->n += (size_t)r;
	if (s->n >= s->len)
		s->n = s->len - 1;
}

size_t
ng_escape_c(const uint8_t *p, size_t n, char *buf, size_t len)
{
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
				snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
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

/* Seconds with two decimals, rounded: postscreen's "after 0.02". */
static void
sb_secs2(struct sbuf *s, ng_usec us)
{
	unsigned long long c = (unsigned long long)(us / 5000 + 1) / 2;

	sb_printf(s, "%llu.%02llu", c / 100, c % 100);
}

static void
sb_ep(struct sbuf *s, const struct ng_addr *a, uint16_t port)
{
	char ep[NG_EPSTRLEN];

	sb_printf(s, "%s", ng_addr_format_ep(a, port, ep, sizeof(ep)));
}

size_t
ng_event_format_line(const struct ng_event *ev, char *buf, size_t len)
{
	struct sbuf s;
	char esc[NG_FIRST_MAX * 4 + 1], cc[3];

	sb_init(&s, buf, len);
	switch (ev->type) {
	case NG_EV_CONNECT:
	case NG_EV_NOLISTING:
		sb_printf(&s, ev->type == NG_EV_CONNECT ? "CONNECT from " :
		    "NOLISTING ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_printf(&s, " to ");
		sb_ep(&s, &ev->server, ev->sport);
		break;
	case NG_EV_PREGREET:
		ng_escape_c(ev->first, ev->nfirst, esc, sizeof(esc));
		sb_printf(&s, "PREGREET %u after ", (unsigned)ev->bytes);
		sb_secs2(&s, ev->after);
		sb_printf(&s, " from ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_printf(&s, ": %s", esc);
		break;
	case NG_EV_HANGUP:
		sb_printf(&s, "HANGUP after ");
		sb_secs2(&s, ev->after);
		sb_printf(&s, " from ");
		sb_ep(&s, &ev->client, ev->cport);
		sb_printf(&s, " in tests before SMTP handshake");
		break;
	case NG_EV_DROP:
	case NG_EV_REJECT:
	case NG_EV_COUNTRY_PASS:
		sb_printf(&s, "%s ", ng_event_type_name(ev->type));
		sb_ep(&s, &ev->client, ev->cport);
		sb_printf(&s, " country=%s", ng_cc_str(ev->cc, cc));
		break;
	default:
		/* PASS NEW, PASS OLD, ALLOWLISTED, DENYLISTED, PENALTY,
		 * GREYLIST, GREYLIST PASS, EVICT: the name and the client */
		sb_printf(&s, "%s ", ng_event_type_name(ev->type));
		sb_ep(&s, &ev->client, ev->cport);
		break;
	}
	return s.n;
}

/* A JSON string body: quote, backslash and control bytes escaped. */
static void
sb_json_str(struct sbuf *s, const char *p)
{
	sb_printf(s, "\"");
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			sb_printf(s, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_printf(s, "\\u%04x", c);
		else
			sb_printf(s, "%c", c);
	}
	sb_printf(s, "\"");
}

/* "a.b.c.d:port" for IPv4, "[v6]:port" for IPv6. */
static void
sb_json_ep(struct sbuf *s, const struct ng_addr *a, uint16_t port)
{
	char t[NG_ADDRSTRLEN], ep[NG_EPSTRLEN];

	ng_addr_format(a, t, sizeof(t));
	if (a->family == 6)
		snprintf(ep, sizeof(ep), "[%s]:%u", t, (unsigned)port);
	else
		snprintf(ep, sizeof(ep), "%s:%u", t, (unsigned)port);
	sb_json_str(s, ep);
}

/* Events that leave reason unset get one from their type. */
static const char *
reason_of(const struct ng_event *ev)
{
	if (ev->reason != NULL)
		return ev->reason;
	switch (ev->type) {
	case NG_EV_PASS_NEW:	return "waited for greeting";
	case NG_EV_HANGUP:	return "hangup";
	case NG_EV_EVICT:	return "evicted";
	default:		return ng_decision_name(ev->decision);
	}
}

size_t
ng_event_format_json(const struct ng_event *ev, char *buf, size_t len)
{
	struct sbuf s;
	char esc[NG_FIRST_MAX * 4 + 1], cc[3];

	sb_init(&s, buf, len);
	sb_printf(&s, "{\"client\":");
	sb_json_ep(&s, &ev->client, ev->cport);
	sb_printf(&s, ",\"server\":");
	sb_json_ep(&s, &ev->server, ev->sport);
	sb_printf(&s, ",\"verdict\":");
	sb_json_str(&s, ng_decision_name(ev->decision));
	sb_printf(&s, ",\"country\":");
	if (ev->cc != 0)
		sb_json_str(&s, ng_cc_str(ev->cc, cc));
	else
		sb_printf(&s, "null");
	sb_printf(&s, ",\"reason\":");
	sb_json_str(&s, reason_of(ev));
	sb_printf(&s, ",\"after\":%llu.%06llu,\"bytes\":%u,\"first\":",
	    (unsigned long long)(ev->after / NG_USEC_PER_SEC),
	    (unsigned long long)(ev->after % NG_USEC_PER_SEC),
	    (unsigned)ev->bytes);
	if (ev->type == NG_EV_PREGREET) {
		ng_escape_c(ev->first, ev->nfirst, esc, sizeof(esc));
		sb_json_str(&s, esc);
	} else {
		sb_printf(&s, "null");
	}
	sb_printf(&s, "}");
	return s.n;
}
