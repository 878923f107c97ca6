/*
 * config.c - read nfq-gate.conf into struct ng_config.
 *
 * "key = value" lines in the spirit of Postfix's main.cf.  The parser
 * works on a file image so that start-up, SIGHUP reloads, tests and the
 * fuzzer share one code path, and so a reload can build a complete new
 * config before it replaces the one in force.  Every error names the
 * file and line; an unknown key or a second line for a single-valued key
 * is an error, because a typo in a gate's policy should stop the gate
 * from starting, not silently do nothing.
 *
 * Keys live in one table (name, setter, field) so the unknown-key and
 * duplicate checks have one place to look.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/addr.h"
#include "base/duration.h"
#include "base/err.h"
#include "base/file_read.h"
#include "conf/config.h"
#include "conf/scoreconf.h"
#include "conf/redis_conf.h"
#include "conf/template.h"

#define LINE_MAX_LEN 4096
#define COUNT_MAX (1UL << 26)
/* A config or prefix file larger is a mistake (what the reader took). */
#define FILE_MAX (128u << 20)

struct parse;
struct key;
typedef int (*setter)(struct parse *, const struct key *, char *);

struct key {
	const char *name;
	setter set;
	size_t off;		/* the field in struct ng_config */
	size_t off6;		/* prefixes: the IPv6 field */
	int repeat;		/* may appear on several lines */
};

#define NKEYS_MAX 96

struct parse {
	struct ng_config *c;
	const char *name;
	const char *dir;	/* for relative allow_file paths */
	unsigned line;
	unsigned seen[NKEYS_MAX];	/* line each key was set on */
	unsigned dns_seen[NG_DNS_CONF_KEYS];	/* the same, conf/dnsbl.c's */
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* fail - "file:line: message" into the caller's err; -1 */
static int
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ng_verr_at(p->err, p->errlen, p->name, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

static void warn(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * warn - a doubt worth a log line, not a refusal: "file:line: message"
 * as a line in c->warnings.
 */
static void
warn(struct parse *p, const char *fmt, ...)
{
	char line[256];
	size_t used = strlen(p->c->warnings);
	va_list ap;

	va_start(ap, fmt);
	ng_verr_at(line, sizeof(line), p->name, p->line, fmt, ap);
	va_end(ap);
	/* A full buffer drops whole lines, never half of one. */
	if (used + strlen(line) + 2 <= sizeof(p->c->warnings))
		snprintf(p->c->warnings + used, sizeof(p->c->warnings) - used,
		    "%s\n", line);
}

/*
 * ng_config_defaults - every key's default, the ones nfq-gate.conf(5)
 * gives and argues for.
 */
void
ng_config_defaults(struct ng_config *c)
{
	memset(c, 0, sizeof(*c));
	ng_settings_defaults(&c->eng);
	ng_dns_conf_defaults(&c->dns);
	c->queue_maxlen = 65536;
	c->mark_pass = 0x100;
	c->mark_reset = 0x200;
	c->mark_test = 0x400;
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/nfq-gate");
	snprintf(c->user, sizeof(c->user), "nfq-gate");
	c->stats_interval = NG_SEC(60);
	c->log_rate = 1000;
	c->sandbox = 1;
	c->rules_check = NG_SEC(10);
	snprintf(c->policy_socket_owner, sizeof(c->policy_socket_owner),
	    "postfix");
	c->policy_socket_mode = 0660;
	/* NG_CTL_SOCKET_DEFAULT (daemon/ctl.h, a room above this one). */
	snprintf(c->control_socket, sizeof(c->control_socket),
	    "/run/nfq-gate/ctl.sock");
	snprintf(c->control_socket_group, sizeof(c->control_socket_group),
	    "root");
	snprintf(c->policy_action, sizeof(c->policy_action),
	    "PREPEND X-NFQ-Gate: country=%%c; asn=%%a; owner=%%o; rule=%%r; "
	    "pass=%%p; grey=%%g; pregreet=%%n; throttled=%%t");
	snprintf(c->policy_action_penalty, sizeof(c->policy_action_penalty),
	    "DEFER_IF_PERMIT pre-greeting traffic from your address");
	snprintf(c->redis_prefix, sizeof(c->redis_prefix), "nfq-gate:");
	c->redis_timeout = 500 * 1000;	/* 500ms */
}

/*
 * ng_config_free - what the config owns: the engine's CIDR lists, the
 * compiled owner patterns.
 */
void
ng_config_free(struct ng_config *c)
{
	ng_settings_free(&c->eng);
	ng_netrule_free(c);
}

/* ng_config_copy - dst as src, with lists and patterns of its own. */
int
ng_config_copy(struct ng_config *dst, const struct ng_config *src)
{
	*dst = *src;
	if (ng_settings_copy(&dst->eng, &src->eng) < 0)
		return -1;
	if (ng_netrule_copy(dst, src) < 0) {
		ng_settings_free(&dst->eng);
		return -1;
	}
	return 0;
}

/*
 * parse_action - an action name (or "reset", another spelling of reject)
 * to its number, or -1.
 */
static int
parse_action(const char *s)
{
	int i;

	if (strcmp(s, "reset") == 0)	/* what a reject does: a TCP RST */
		return NG_ACT_REJECT;
	for (i = NG_ACT_PASS; i < NG_ACT_MAX; i++)
		if (strcmp(s, ng_rule_action_name((uint8_t)i)) == 0)
			return i;
	return -1;
}

/*
 * parse_uint - decimal, or hex with 0x when base is 0 (marks read better
 * in hex); a leading 0 is still decimal.  0, or -1 past max.
 */
static int
parse_uint(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	if (base == 0 && s[0] == '0' && s[1] != 'x' && s[1] != 'X')
		base = 10;	/* no octal surprises: 010 is ten */
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* field - the field of struct ng_config that key k sets. */
static void *
field(struct parse *p, const struct key *k)
{
	return (char *)p->c + k->off;
}

/*
 * each_word - split a value list on commas and blanks and call fn for each
 * word.  The number of words, or -1.
 */
static int
each_word(struct parse *p, char *v, int (*fn)(struct parse *, const char *,
    void *), void *arg)
{
	char *w, *save = NULL;
	int n = 0;

	for (w = strtok_r(v, ", \t", &save); w; w = strtok_r(NULL, ", \t",
	    &save)) {
		if (fn(p, w, arg) < 0)
			return -1;
		n++;
	}
	return n;
}

/*
 * add_port - one word of ports: a port, not 465 (its clients speak first),
 * each once.
 */
static int
add_port(struct parse *p, const char *w, void *arg)
{
	struct ng_config *c = p->c;
	unsigned long v;

	(void)arg;
	if (parse_uint(w, 10, 65535, &v) < 0 || v == 0)
		return fail(p, "ports: bad port \"%s\"", w);
	if (v == 465)
		return fail(p, "ports: 465 is SMTPS (implicit TLS): its clients "
		    "speak first, so every one would fail the greeting test");
	if (v == 587)
		warn(p, "ports: 587 is submission, mostly your own "
		    "authenticated users; the greeting test only delays them");
	if (ng_settings_is_port(&c->eng, (uint16_t)v))
		return fail(p, "ports: port %lu listed twice", v);
	if (c->eng.nports == NG_PORTS_MAX)
		return fail(p, "ports: at most %d ports", NG_PORTS_MAX);
	c->eng.ports[c->eng.nports++] = (uint16_t)v;
	return 0;
}

/* set_ports - ports = 25, 2525: replaces the default list. */
static int
set_ports(struct parse *p, const struct key *k, char *v)
{
	int n;

	(void)k;
	p->c->eng.nports = 0;
	if ((n = each_word(p, v, add_port, NULL)) == 0)
		return fail(p, "ports: empty");
	return n < 0 ? -1 : 0;
}

/* set_duration - a duration key (base/duration.h's grammar). */
static int
set_duration(struct parse *p, const struct key *k, char *v)
{
	if (ng_parse_duration(v, field(p, k)) < 0)
		return fail(p, "%s: bad duration \"%s\"", k->name, v);
	return 0;
}

/* set_count - a count key: 1 to COUNT_MAX. */
static int
set_count(struct parse *p, const struct key *k, char *v)
{
	unsigned long n;

	if (parse_uint(v, 10, COUNT_MAX, &n) < 0 || n == 0)
		return fail(p, "%s: bad count \"%s\" (1 to %lu)", k->name, v,
		    COUNT_MAX);
	*(unsigned *)field(p, k) = (unsigned)n;
	return 0;
}

/* set_limit - a count where 0 means "no limit". */
static int
set_limit(struct parse *p, const struct key *k, char *v)
{
	unsigned long n;

	if (parse_uint(v, 10, COUNT_MAX, &n) < 0)
		return fail(p, "%s: bad number \"%s\" (0 for no limit, to "
		    "%lu)", k->name, v, COUNT_MAX);
	*(unsigned *)field(p, k) = (unsigned)n;
	return 0;
}

/*
 * set_bytes - bytes with an optional k or m (binary); 0 means "work it
 * out".
 */
static int
set_bytes(struct parse *p, const struct key *k, char *v)
{
	char num[32];
	size_t n = strlen(v);
	unsigned long b, mul = 1;

	if (n > 0 && (v[n - 1] == 'k' || v[n - 1] == 'K'))
		mul = 1024, n--;
	else if (n > 0 && (v[n - 1] == 'm' || v[n - 1] == 'M'))
		mul = 1024 * 1024, n--;
	if (n == 0 || n >= sizeof(num))
		return fail(p, "%s: bad size \"%s\"", k->name, v);
	memcpy(num, v, n);
	num[n] = '\0';
	if (parse_uint(num, 10, (1UL << 30) / mul, &b) < 0)
		return fail(p, "%s: bad size \"%s\" (bytes, k or m; at "
		    "most 1024m)", k->name, v);
	*(unsigned *)field(p, k) = (unsigned)(b * mul);
	return 0;
}

/* set_bool - yes or no. */
static int
set_bool(struct parse *p, const struct key *k, char *v)
{
	int b;

	if (strcmp(v, "yes") == 0)
		b = 1;
	else if (strcmp(v, "no") == 0)
		b = 0;
	else
		return fail(p, "%s: bad value \"%s\" (yes or no)", k->name, v);
	*(int *)field(p, k) = b;
	return 0;
}

/* set_mark - a packet mark: non-zero, 32 bits, decimal or 0x hex. */
static int
set_mark(struct parse *p, const struct key *k, char *v)
{
	unsigned long m;

	if (parse_uint(v, 0, 0xffffffffUL, &m) < 0 || m == 0)
		return fail(p, "%s: bad mark \"%s\"", k->name, v);
	*(uint32_t *)field(p, k) = (uint32_t)m;
	return 0;
}

/*
 * set_string - a string key, refused rather than cut when longer than its
 * field (len with the NUL).
 */
static int
set_string(struct parse *p, const struct key *k, char *v, size_t len)
{
	if (strlen(v) >= len)
		return fail(p, "%s: value too long (max %zu)", k->name,
		    len - 1);
	snprintf(field(p, k), len, "%s", v);
	return 0;
}

/* set_path - a path key: at most NG_PATH_MAX - 1 bytes. */
static int
set_path(struct parse *p, const struct key *k, char *v)
{
	return set_string(p, k, v, NG_PATH_MAX);
}

/* set_state_dir - state_dir: a path that cannot be empty. */
static int
set_state_dir(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0')
		return fail(p, "%s: missing value", k->name);
	return set_string(p, k, v, NG_PATH_MAX);
}

/* set_user - user: a user name (no blank, colon or slash). */
static int
set_user(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0' || strpbrk(v, " \t:/") != NULL)
		return fail(p, "%s: bad user name \"%s\"", k->name, v);
	return set_string(p, k, v, sizeof(p->c->user));
}

/* set_group - a group name (no blank, colon or slash). */
static int
set_group(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0' || strpbrk(v, " \t:/") != NULL)
		return fail(p, "%s: bad group name \"%s\"", k->name, v);
	return set_string(p, k, v, sizeof(p->c->control_socket_group));
}

/*
 * set_owner - "user" or "user:group"; the names are looked up when the
 * socket is made.
 */
static int
set_owner(struct parse *p, const struct key *k, char *v)
{
	char *colon = strchr(v, ':');

	if (*v == '\0' || *v == ':' || strpbrk(v, " \t/") != NULL ||
	    (colon != NULL && (colon[1] == '\0' || strchr(colon + 1, ':'))))
		return fail(p, "%s: bad owner \"%s\" (user or user:group)",
		    k->name, v);
	return set_string(p, k, v, sizeof(p->c->policy_socket_owner));
}

/*
 * set_mode - a file mode, always octal as chmod(1) has it: 660 and 0660
 * agree.
 */
static int
set_mode(struct parse *p, const struct key *k, char *v)
{
	unsigned long m;

	if (parse_uint(v, 8, 0777, &m) < 0)
		return fail(p, "%s: bad mode \"%s\" (octal, e.g. 0660)",
		    k->name, v);
	*(unsigned *)field(p, k) = (unsigned)m;
	return 0;
}

/*
 * set_template - a policy answer template, checked now so a typo is a
 * config error.
 */
static int
set_template(struct parse *p, const struct key *k, char *v)
{
	char err[200];

	if (ng_template_check(v, err, sizeof(err)) < 0)
		return fail(p, "%s: %s", k->name, err);
	return set_string(p, k, v, NG_TEMPLATE_MAX);
}

/*
 * set_action - an action key (default_action): pass, test, greylist,
 * reject or drop.
 */
static int
set_action(struct parse *p, const struct key *k, char *v)
{
	int a = parse_action(v);

	if (a < 0)
		return fail(p, "%s: bad action \"%s\" (pass, test, greylist, "
		    "reject or drop)", k->name, v);
	*(uint8_t *)field(p, k) = (uint8_t)a;
	return 0;
}

/* set_deny_action - deny_action: reject (or reset) or drop. */
static int
set_deny_action(struct parse *p, const struct key *k, char *v)
{
	if (strcmp(v, "reject") == 0 || strcmp(v, "reset") == 0)
		p->c->eng.deny_action = NG_ACT_REJECT;
	else if (strcmp(v, "drop") == 0)
		p->c->eng.deny_action = NG_ACT_DROP;
	else
		return fail(p, "%s: bad action \"%s\" (reject, "
		    "also spelt reset, or drop)", k->name, v);
	return 0;
}

/* set_pregreet - pregreet_action: reset or log. */
static int
set_pregreet(struct parse *p, const struct key *k, char *v)
{
	if (strcmp(v, "reset") == 0)
		p->c->eng.pregreet_action = NG_PREGREET_RESET;
	else if (strcmp(v, "log") == 0)
		p->c->eng.pregreet_action = NG_PREGREET_LOG;
	else
		return fail(p, "%s: bad action \"%s\" (reset or log)",
		    k->name, v);
	return 0;
}

/* set_hold - hold: handshake (the client's ACK) or greeting. */
static int
set_hold(struct parse *p, const struct key *k, char *v)
{
	if (strcmp(v, "handshake") == 0)
		p->c->eng.hold = NG_HOLD_HANDSHAKE;
	else if (strcmp(v, "greeting") == 0)
		p->c->eng.hold = NG_HOLD_GREETING;
	else
		return fail(p, "%s: bad value \"%s\" (handshake or greeting)",
		    k->name, v);
	return 0;
}

/* set_gate_mode - mode: enforce (the default) or monitor (decide, log,
 * never enforce). */
static int
set_gate_mode(struct parse *p, const struct key *k, char *v)
{
	if (strcmp(v, "enforce") == 0)
		p->c->eng.monitor = 0;
	else if (strcmp(v, "monitor") == 0)
		p->c->eng.monitor = 1;
	else
		return fail(p, "%s: bad mode \"%s\" (enforce or monitor)",
		    k->name, v);
	return 0;
}

/*
 * add_prefix - "24, 64" or "/24 /64": the IPv4 prefix length, then the
 * IPv6 one.
 */
static int
add_prefix(struct parse *p, const char *w, void *arg)
{
	unsigned *pl = arg;
	unsigned long v;

	if (*w == '/')
		w++;
	if (pl[2] >= 2)
		return fail(p, "expected two prefix lengths (IPv4, IPv6)");
	if (parse_uint(w, 10, pl[2] == 0 ? 32 : 128, &v) < 0)
		return fail(p, "bad %s prefix length \"%s\"",
		    pl[2] == 0 ? "IPv4" : "IPv6", w);
	pl[pl[2]++] = (unsigned)v;
	return 0;
}

/*
 * set_prefixes - a prefix key: two lengths, into the IPv4 field and the
 * IPv6 one.
 */
static int
set_prefixes(struct parse *p, const struct key *k, char *v)
{
	unsigned pl[3] = { 0, 0, 0 };

	if (each_word(p, v, add_prefix, pl) < 0)
		return -1;
	if (pl[2] != 2)
		return fail(p, "%s: expected two prefix lengths (IPv4, IPv6)",
		    k->name);
	*(unsigned *)field(p, k) = pl[0];
	*(unsigned *)((char *)p->c + k->off6) = pl[1];
	return 0;
}

/* add_cidr - one address or prefix of an allow, deny, nolisting or trap_mx
 * line. */
static int
add_cidr(struct parse *p, const char *w, void *arg)
{
	if (ng_cidr_list_add_str(arg, w) < 0)
		return fail(p, "bad address or prefix \"%s\"", w);
	return 0;
}

/*
 * set_cidrs - allow, deny, nolisting, trap_mx: prefixes added to the list
 * (the key may repeat).
 */
static int
set_cidrs(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0')
		return fail(p, "%s: missing value", k->name);
	return each_word(p, v, add_cidr, field(p, k)) < 0 ? -1 : 0;
}

/*
 * add_inside - one "inside" word: a network (checked here, used by
 * nfq-gate-rules) or an interface name (what iptables -i takes).
 */
static int
add_inside(struct parse *p, const char *w, void *arg)
{
	struct ng_cidr_list l;
	size_t i, n = strlen(w);
	int r;

	(void)arg;
	if (strchr(w, ':') != NULL || strspn(w, "0123456789./") == n) {
		ng_cidr_list_init(&l);
		r = ng_cidr_list_add_str(&l, w);
		ng_cidr_list_free(&l);
		if (r < 0)
			return fail(p, "inside: bad network \"%s\"", w);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && !strchr("_.+-", w[i]))
			break;
	if (i < n || n > 15)
		return fail(p, "inside: bad interface name \"%s\"", w);
	return 0;
}

/* set_inside - every word of an "inside" line checked; may repeat. */
static int
set_inside(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0')
		return fail(p, "%s: missing value", k->name);
	return each_word(p, v, add_inside, NULL) < 0 ? -1 : 0;
}

/* set_rules_lost - rules_lost = log | exit */
static int
set_rules_lost(struct parse *p, const struct key *k, char *v)
{
	if (strcmp(v, "log") == 0)
		p->c->rules_lost_exit = 0;
	else if (strcmp(v, "exit") == 0)
		p->c->rules_lost_exit = 1;
	else
		return fail(p, "%s: bad value \"%s\" (log or exit)", k->name,
		    v);
	return 0;
}

/*
 * set_redis_url - redis_url: a URL conf/redis_conf.c takes apart, or
 * empty (no shared state).
 */
static int
set_redis_url(struct parse *p, const struct key *k, char *v)
{
	struct ng_redis_url u;
	char err[256];

	if (*v != '\0' && ng_redis_url_parse(&u, v, err, sizeof(err)) < 0)
		return fail(p, "%s: %s", k->name, err);
	return set_string(p, k, v, NG_REDIS_URL_MAX);
}

/* set_redis_prefix - redis_prefix: [A-Za-z0-9:._-], at most 48. */
static int
set_redis_prefix(struct parse *p, const struct key *k, char *v)
{
	if (!ng_redis_prefix_ok(v))
		return fail(p, "%s: bad prefix \"%s\" (1 to %d of A-Z a-z 0-9 "
		    ": . _ -)", k->name, v, NG_REDIS_PREFIX_MAX);
	return set_string(p, k, v, NG_REDIS_PREFIX_MAX + 1);
}

/* set_redis_timeout - redis_timeout: more than 0, at most a minute. */
static int
set_redis_timeout(struct parse *p, const struct key *k, char *v)
{
	ng_usec t;

	if (ng_parse_duration(v, &t) < 0 || t == 0 || t > NG_SEC(60))
		return fail(p, "%s: bad duration \"%s\" (more than 0, at "
		    "most 60s)", k->name, v);
	p->c->redis_timeout = t;
	return 0;
}

/*
 * set_throttle_rate - "N/duration" (N connections per duration), 0 for
 * no limit; throttle_passed_rate may say "same" (the general one's).
 */
static int
set_throttle_rate(struct parse *p, const struct key *k, char *v)
{
	struct ng_throttle_limit *l = field(p, k);
	char *slash = strchr(v, '/');
	unsigned long n;
	ng_usec per;

	if (strcmp(v, "same") == 0 && strstr(k->name, "passed") != NULL) {
		l->rate = NG_THROTTLE_SAME;
		return 0;
	}
	if (strcmp(v, "0") == 0) {
		l->rate = 0;
		l->per = 0;
		return 0;
	}
	if (slash == NULL)
		return fail(p, "%s: expected N/duration, e.g. 30/1m, or 0: "
		    "\"%s\"", k->name, v);
	*slash = '\0';
	if (parse_uint(v, 10, COUNT_MAX, &n) < 0 || n == 0)
		return fail(p, "%s: bad count \"%s\" (1 to %lu)", k->name, v,
		    COUNT_MAX);
	if (ng_parse_duration(slash + 1, &per) < 0 || per == 0 ||
	    per > NG_SEC(86400))
		return fail(p, "%s: bad interval \"%s\" (1s to 1d)", k->name,
		    slash + 1);
	l->rate = (unsigned)n;
	l->per = per;
	return 0;
}

/*
 * set_throttle_conc - live connections per client key, 0 for no limit,
 * at most NG_THROTTLE_SLOTS; the passed class may say "same".
 */
static int
set_throttle_conc(struct parse *p, const struct key *k, char *v)
{
	struct ng_throttle_limit *l = field(p, k);
	unsigned long n;

	if (strcmp(v, "same") == 0 && strstr(k->name, "passed") != NULL) {
		l->concurrency = NG_THROTTLE_SAME;
		return 0;
	}
	if (parse_uint(v, 10, NG_THROTTLE_SLOTS, &n) < 0)
		return fail(p, "%s: bad number \"%s\" (0 for no limit, to %d)",
		    k->name, v, NG_THROTTLE_SLOTS);
	l->concurrency = (unsigned)n;
	return 0;
}

/* set_mx_name - mx_name: an origin name (conf/redis_conf.h). */
static int
set_mx_name(struct parse *p, const struct key *k, char *v)
{
	if (!ng_redis_name_ok(v, strlen(v)))
		return fail(p, "%s: bad name \"%s\" (1 to %d of A-Z a-z 0-9 "
		    ". _ -, not \"local\")", k->name, v, NG_REDIS_NAME_MAX);
	return set_string(p, k, v, NG_REDIS_NAME_MAX + 1);
}

static int set_cidr_file(struct parse *, const struct key *, char *);
static int read_cidr_file(struct parse *, const struct key *, const char *,
    struct ng_cidr_list *);

/*
 * add_mynet - one word of mynetworks as Postfix writes it, so `postconf -h
 * mynetworks` can be pasted: prefixes, IPv6 ones in brackets or not, and
 * /file/name for a file of them.  type:table lookups are Postfix's alone.
 */
static int
add_mynet(struct parse *p, const char *w, void *arg)
{
	const struct key *k = arg;
	char buf[NG_ADDRSTRLEN + 8];
	const char *close;

	if (w[0] == '/')
		return read_cidr_file(p, k, w, &p->c->eng.mynetworks);
	if (w[0] == '[') {
		close = strchr(w, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != '/') ||
		    strlen(w) >= sizeof(buf))
			return fail(p, "%s: bad address or prefix \"%s\"",
			    k->name, w);
		snprintf(buf, sizeof(buf), "%.*s%s", (int)(close - w - 1),
		    w + 1, close + 1);
		w = buf;
	} else if (strchr(w, ':') != NULL &&
	    w[strspn(w, "0123456789abcdefABCDEF:./")] != '\0')
		return fail(p, "%s: \"%s\": lookup tables are not read "
		    "here; list the prefixes or name a file", k->name, w);
	if (ng_cidr_list_add_str(&p->c->eng.mynetworks, w) < 0)
		return fail(p, "%s: bad address or prefix \"%s\"", k->name, w);
	return 0;
}

/* set_mynetworks - mynetworks: every word through add_mynet. */
static int
set_mynetworks(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0')
		return fail(p, "%s: missing value", k->name);
	return each_word(p, v, add_mynet, (void *)k) < 0 ? -1 : 0;
}

/* set_nft_set - nft_penalty_set: FAMILY TABLE SET4 SET6, or empty for off. */
static int
set_nft_set(struct parse *p, const struct key *k, char *v)
{
	struct ng_config *c = p->c;
	char *w[5], *save = NULL;
	size_t n = 0, i, j;

	c->nft_penalty_table[0] = c->nft_penalty_set4[0] =
	    c->nft_penalty_set6[0] = '\0';
	for (w[0] = strtok_r(v, " \t", &save); w[n] && n < 4; )
		w[++n] = strtok_r(NULL, " \t", &save);
	if (n == 0)
		return 0;
	if (n != 4 || w[4] != NULL)
		return fail(p, "%s: expected FAMILY TABLE SET4 SET6", k->name);
	if (strcmp(w[0], "inet") && strcmp(w[0], "ip") && strcmp(w[0], "ip6"))
		return fail(p, "%s: bad family \"%s\" (inet, ip or ip6)",
		    k->name, w[0]);
	for (i = 1; i < 4; i++) {
		for (j = 0; w[i][j]; j++)
			if (!isalnum((unsigned char)w[i][j]) && w[i][j] != '_')
				return fail(p, "%s: bad name \"%s\"", k->name,
				    w[i]);
		if (j > 48)
			return fail(p, "%s: name too long \"%s\"", k->name,
			    w[i]);
	}
	snprintf(c->nft_penalty_table, sizeof(c->nft_penalty_table), "%s %s",
	    w[0], w[1]);
	snprintf(c->nft_penalty_set4, sizeof(c->nft_penalty_set4), "%s", w[2]);
	snprintf(c->nft_penalty_set6, sizeof(c->nft_penalty_set6), "%s", w[3]);
	return 0;
}

#define F(x) offsetof(struct ng_config, x)
static const struct key keys[] = {
	{ "ports", set_ports, 0, 0, 0 },
	{ "greet_pause", set_duration, F(eng.greet_pause), 0, 0 },
	{ "greet_pause_stress", set_duration, F(eng.greet_pause_stress), 0, 0 },
	{ "pregreet_action", set_pregreet, 0, 0, 0 },
	{ "hold", set_hold, 0, 0, 0 },
	{ "release_window", set_limit, F(eng.release_window), 0, 0 },
	{ "mode", set_gate_mode, 0, 0, 0 },
	{ "penalty_ttl", set_duration, F(eng.penalty_ttl), 0, 0 },
	{ "penalty_prefix", set_prefixes, F(eng.penalty_prefix4),
	    F(eng.penalty_prefix6), 0 },
	{ "pass_ttl", set_duration, F(eng.pass_ttl), 0, 0 },
	{ "pass_prefix", set_prefixes, F(eng.pass_prefix4), F(eng.pass_prefix6),
	    0 },
	{ "greylist_delay", set_duration, F(eng.greylist_delay), 0, 0 },
	{ "greylist_window", set_duration, F(eng.greylist_window), 0, 0 },
	{ "greylist_prefix", set_prefixes, F(eng.greylist_prefix4),
	    F(eng.greylist_prefix6), 0 },
	{ "default_action", set_action, F(eng.default_action), 0, 0 },
	{ "deny_action", set_deny_action, 0, 0, 0 },
	{ "allow", set_cidrs, F(eng.allow), 0, 1 },
	{ "deny", set_cidrs, F(eng.deny), 0, 1 },
	{ "nolisting", set_cidrs, F(eng.nolisting), 0, 1 },
	{ "trap_mx", set_cidrs, F(eng.trap_mx), 0, 1 },
	{ "trap_window", set_duration, F(eng.trap_window), 0, 0 },
	{ "contacts_max", set_count, F(eng.contacts_max), 0, 0 },
	{ "mynetworks", set_mynetworks, F(eng.mynetworks), 0, 1 },
	{ "allow_file", set_cidr_file, F(eng.allow), 0, 1 },
	{ "deny_file", set_cidr_file, F(eng.deny), 0, 1 },
	{ "flow_max", set_count, F(eng.flow_max), 0, 0 },
	{ "flow_idle_timeout", set_duration, F(eng.flow_idle_timeout), 0, 0 },
	{ "flow_halfopen_timeout", set_duration, F(eng.flow_halfopen_timeout),
	    0, 0 },
	{ "cache_max", set_count, F(eng.cache_max), 0, 0 },
	{ "throttle_rate", set_throttle_rate,
	    F(eng.throttle[NG_THR_GENERAL]), 0, 0 },
	{ "throttle_concurrency", set_throttle_conc,
	    F(eng.throttle[NG_THR_GENERAL]), 0, 0 },
	{ "throttle_passed_rate", set_throttle_rate,
	    F(eng.throttle[NG_THR_PASSED]), 0, 0 },
	{ "throttle_passed_concurrency", set_throttle_conc,
	    F(eng.throttle[NG_THR_PASSED]), 0, 0 },
	{ "throttle_allow_rate", set_throttle_rate,
	    F(eng.throttle[NG_THR_ALLOW]), 0, 0 },
	{ "throttle_allow_concurrency", set_throttle_conc,
	    F(eng.throttle[NG_THR_ALLOW]), 0, 0 },
	{ "throttle_prefix", set_prefixes, F(eng.throttle_prefix4),
	    F(eng.throttle_prefix6), 0 },
	{ "throttle_max", set_count, F(eng.throttle_max), 0, 0 },
	{ "queue_maxlen", set_count, F(queue_maxlen), 0, 0 },
	{ "queue_rcvbuf", set_bytes, F(queue_rcvbuf), 0, 0 },
	{ "mark_pass", set_mark, F(mark_pass), 0, 0 },
	{ "mark_reset", set_mark, F(mark_reset), 0, 0 },
	{ "mark_test", set_mark, F(mark_test), 0, 0 },
	{ "database", set_path, F(database), 0, 0 },
	{ "fingerprints", set_path, F(fingerprints), 0, 0 },
	{ "state_dir", set_state_dir, F(state_dir), 0, 0 },
	{ "prom_file", set_path, F(prom_file), 0, 0 },
	{ "user", set_user, F(user), 0, 0 },
	{ "stats_interval", set_duration, F(stats_interval), 0, 0 },
	{ "log_rate", set_limit, F(log_rate), 0, 0 },
	{ "sandbox", set_bool, F(sandbox), 0, 0 },
	{ "policy_socket", set_path, F(policy_socket), 0, 0 },
	{ "policy_socket_owner", set_owner, F(policy_socket_owner), 0, 0 },
	{ "policy_socket_mode", set_mode, F(policy_socket_mode), 0, 0 },
	{ "policy_action", set_template, F(policy_action), 0, 0 },
	{ "policy_action_penalty", set_template, F(policy_action_penalty),
	    0, 0 },
	{ "nft_penalty_set", set_nft_set, 0, 0, 0 },
	{ "control_socket", set_path, F(control_socket), 0, 0 },
	{ "control_socket_group", set_group, F(control_socket_group), 0, 0 },
	{ "inside", set_inside, 0, 0, 1 },
	{ "rules_check", set_duration, F(rules_check), 0, 0 },
	{ "rules_lost", set_rules_lost, 0, 0, 0 },
	{ "redis_url", set_redis_url, F(redis_url), 0, 0 },
	{ "redis_prefix", set_redis_prefix, F(redis_prefix), 0, 0 },
	{ "redis_timeout", set_redis_timeout, 0, 0, 0 },
	{ "mx_name", set_mx_name, F(mx_name), 0, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= NKEYS_MAX, "raise NKEYS_MAX");

/*
 * What a SIGHUP cannot change: sockets and tables made at start, the
 * user, the sandbox.  A key may own several fields; str compares as a
 * string (the bytes after the NUL may differ).
 */
#define R(k, x, str) { k, F(x), sizeof(((struct ng_config *)0)->x), str }
static const struct restart_field {
	const char *key;
	size_t off, size;
	int str;
} restart_fields[] = {
	R("flow_max", eng.flow_max, 0),
	R("cache_max", eng.cache_max, 0),
	R("contacts_max", eng.contacts_max, 0),
	R("throttle_max", eng.throttle_max, 0),
	R("queue_rcvbuf", queue_rcvbuf, 0),
	R("state_dir", state_dir, 1),
	R("prom_file", prom_file, 1),
	R("user", user, 1),
	R("sandbox", sandbox, 0),
	R("policy_socket", policy_socket, 1),
	R("policy_socket_owner", policy_socket_owner, 1),
	R("policy_socket_mode", policy_socket_mode, 0),
	R("nft_penalty_set", nft_penalty_table, 1),
	R("nft_penalty_set", nft_penalty_set4, 1),
	R("nft_penalty_set", nft_penalty_set6, 1),
	R("control_socket", control_socket, 1),
	R("control_socket_group", control_socket_group, 1),
	R("dns_servers", dns.servers, 1),
	R("dns_cache_max", dns.cache_max, 0),
};
#undef R
#undef F
#define NRESTART (sizeof(restart_fields) / sizeof(restart_fields[0]))

/* start_only - whether key is one a SIGHUP cannot change. */
static int
start_only(const char *key)
{
	size_t i;

	for (i = 0; i < NRESTART; i++)
		if (strcmp(restart_fields[i].key, key) == 0)
			return 1;
	return 0;
}

/* field_differs - whether a start-only field differs between two configs. */
static int
field_differs(const struct restart_field *f, const struct ng_config *a,
    const struct ng_config *b)
{
	const char *x = (const char *)a + f->off, *y = (const char *)b + f->off;

	if (f->str)
		return strncmp(x, y, f->size) != 0;
	return memcmp(x, y, f->size) != 0;
}

/*
 * ng_config_restart_keys - the start-only keys whose value differs, as
 * "flow_max, user" in buf; how many.
 */
unsigned
ng_config_restart_keys(const struct ng_config *cur,
    const struct ng_config *next, char *buf, size_t len)
{
	const char *last = NULL;
	unsigned n = 0;
	size_t i, used = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < NRESTART; i++) {
		if (!field_differs(&restart_fields[i], cur, next) ||
		    (last != NULL && strcmp(last, restart_fields[i].key) == 0))
			continue;
		last = restart_fields[i].key;
		n++;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			    n > 1 ? ", " : "", last);
	}
	return n;
}

/*
 * ng_config_keep_restart - copy the start-only fields in force into next,
 * which then says what really runs.
 */
void
ng_config_keep_restart(struct ng_config *next, const struct ng_config *cur)
{
	size_t i;

	for (i = 0; i < NRESTART; i++)
		memcpy((char *)next + restart_fields[i].off,
		    (const char *)cur + restart_fields[i].off,
		    restart_fields[i].size);
}

/* Lines whose key is followed by words before the '=': rules. */
static const char *const rule_keys[] = { "country", "asn", "owner" };
#define NRULE_KEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

/*
 * ng_config_key_name - the i-th key name, the rule keys ("country",
 * "asn", "owner") last, then NULL; *start says whether it is start-only.
 */
const char *
ng_config_key_name(size_t i, int *start)
{
	const char *name;

	if (i >= NKEYS + NRULE_KEYS + NG_DNS_CONF_KEYS)
		return ng_scoreconf_key_name(i - NKEYS - NRULE_KEYS -
		    NG_DNS_CONF_KEYS, start);
	if (i >= NKEYS + NRULE_KEYS)
		return ng_dns_conf_key_name(i - NKEYS - NRULE_KEYS, start);
	name = i < NKEYS ? keys[i].name : rule_keys[i - NKEYS];
	if (start != NULL)
		*start = start_only(name);
	return name;
}

/*
 * add_country - one code of "country CC[,CC...] = ACTION"; a later line
 * for the same CC wins.
 */
static int
add_country(struct parse *p, const char *w, void *arg)
{
	struct ng_config *c = p->c;
	uint8_t act = *(uint8_t *)arg;
	uint16_t cc;
	unsigned i;

	if (strcmp(w, "--") == 0)
		cc = 0;
	else if (strlen(w) != 2 || (cc = ng_cc_pack(w)) == 0)
		return fail(p, "country: bad country code \"%s\"", w);
	for (i = 0; i < c->eng.ncountry; i++) {
		if (c->eng.country[i].cc == cc) {
			c->eng.country[i].action = act;
			return 0;
		}
	}
	if (c->eng.ncountry == NG_COUNTRY_RULES_MAX)
		return fail(p, "country: more than %d codes",
		    NG_COUNTRY_RULES_MAX);
	c->eng.country[c->eng.ncountry].cc = cc;
	c->eng.country[c->eng.ncountry].action = act;
	c->eng.ncountry++;
	return 0;
}

/* set_country - a country line: the action for each code before the '='. */
static int
set_country(struct parse *p, char *codes, char *v)
{
	int a = parse_action(v);
	uint8_t act;
	int n;

	if (a < 0)
		return fail(p, "country: bad action \"%s\" (pass, test, "
		    "greylist, reject or drop)", v);
	act = (uint8_t)a;
	n = each_word(p, codes, add_country, &act);
	if (n == 0)
		return fail(p, "country: no country code before '='");
	return n < 0 ? -1 : 0;
}

/*
 * rule_action - a rule line's action word to its number; -1 with the
 * message for kind ("country", "asn", "owner").
 */
static int
rule_action(struct parse *p, const char *kind, const char *v)
{
	int a = parse_action(v);

	if (a < 0)
		return fail(p, "%s: bad action \"%s\" (pass, test, greylist, "
		    "reject or drop)", kind, v);
	return a;
}

/* set_asn - "asn N[, N...] [in CC...] = ACTION" (conf/netrule.c). */
static int
set_asn(struct parse *p, char *words, char *v)
{
	char msg[256];
	int a = rule_action(p, "asn", v);

	if (a < 0)
		return -1;
	if (ng_netrule_asn(p->c, words, a, msg, sizeof(msg)) < 0)
		return fail(p, "%s", msg);
	return 0;
}

/*
 * owner_line - "owner /RE/ [in CC...] = ACTION": the pattern is cut out
 * before the line's '#' and '=' are looked for, since it may hold both.
 */
static int
owner_line(struct parse *p, char *line)
{
	char msg[256], *pat, *rest, *eq, *hash;
	int a;

	if (ng_netrule_cut_pattern(line, &pat, &rest, msg, sizeof(msg)) < 0)
		return fail(p, "%s", msg);
	if ((hash = strchr(rest, '#')) != NULL)
		*hash = '\0';
	if ((eq = strchr(rest, '=')) == NULL)
		return fail(p, "%s", "owner: expected \"owner /RE/ = ACTION\"");
	*eq = '\0';
	if ((a = rule_action(p, "owner", ng_trim(eq + 1))) < 0)
		return -1;
	if (ng_netrule_owner(p->c, pat, rest, a, msg, sizeof(msg)) < 0)
		return fail(p, "%s", msg);
	return 0;
}

/* key_index - the index of a key in keys[], or NKEYS when there is none. */
static size_t
key_index(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(name, keys[i].name) == 0)
			break;
	return i;
}

/* set_dns_key - a DNS list key (conf/dnsbl.c), or "unknown setting". */
static int
set_dns_key(struct parse *p, char *key, char *v)
{
	char msg[256];
	int rc = ng_dns_conf_set(&p->c->dns, p->dns_seen, key, v, p->line,
	    msg, sizeof(msg));

	if (rc < 0)
		return fail(p, "%s", msg);
	if (rc > 0)
		return 0;
	return fail(p, "unknown setting \"%s\"", key);
}

/*
 * set_key - one key = value: country and asn lines, then the table; an
 * unknown key or a second line for a single-valued one is an error.
 */
static int
set_key(struct parse *p, char *key, char *v)
{
	size_t i;

	if (strncmp(key, "country", 7) == 0 &&
	    (key[7] == '\0' || isspace((unsigned char)key[7])))
		return set_country(p, key + 7, v);
	if (strncmp(key, "asn", 3) == 0 &&
	    (key[3] == '\0' || isspace((unsigned char)key[3])))
		return set_asn(p, key + 3, v);
	if (strncmp(key, "owner", 5) == 0 &&
	    (key[5] == '\0' || isspace((unsigned char)key[5])))
		return fail(p, "%s", "owner: the pattern goes between slashes: "
		    "owner /RE/ = ACTION");
	if ((i = key_index(key)) < NKEYS) {
		if (p->seen[i] && !keys[i].repeat)
			return fail(p, "%s: set twice (first on line %u)",
			    key, p->seen[i]);
		p->seen[i] = p->line;
		return keys[i].set(p, &keys[i], v);
	}
	return set_dns_key(p, key, v);
}

/* score_line - a "score ..." or score_greylist line (conf/scoreconf.c);
 * an owner pattern may hold '#' and '=', so it is cut out there. */
static int
score_line(struct parse *p, char *line)
{
	char msg[256];

	if (ng_scoreconf_line(p->c, line, p->line, msg, sizeof(msg)) < 0)
		return fail(p, "%s", msg);
	return 0;
}

/*
 * parse_line - one line of the file: "key = value", a comment after # or
 * nothing.
 */
static int
parse_line(struct parse *p, char *line)
{
	char *hash, *eq, *key, *v;

	while (*line == ' ' || *line == '\t')
		line++;
	if (ng_scoreconf_is_line(line))
		return score_line(p, line);
	if (ng_netrule_is_owner(line))
		return owner_line(p, line);
	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	line = ng_trim(line);
	if (*line == '\0')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return fail(p, "expected \"key = value\"");
	*eq = '\0';
	key = ng_trim(line);
	v = ng_trim(eq + 1);
	if (*key == '\0')
		return fail(p, "missing key before '='");
	return set_key(p, key, v);
}

/*
 * each_line - feed each line of a file image to fn.  Lines end at '\n' (a
 * '\r' before it is blank space to trim); a NUL or an over-long line is an
 * error, not a silent truncation.
 */
static int
each_line(struct parse *p, const char *text, size_t len,
    int (*fn)(struct parse *, char *, void *), void *arg)
{
	char line[LINE_MAX_LEN];
	size_t i = 0;

	p->line = 0;
	while (i < len) {
		size_t n = 0;

		p->line++;
		while (i < len && text[i] != '\n') {
			if (text[i] == '\0')
				return fail(p, "NUL byte in line");
			if (n + 1 >= sizeof(line))
				return fail(p, "line longer than %d bytes",
				    LINE_MAX_LEN - 1);
			line[n++] = text[i++];
		}
		i++;
		line[n] = '\0';
		if (fn(p, line, arg) < 0)
			return -1;
	}
	return 0;
}

/* config_line - each_line's callback for nfq-gate.conf itself. */
static int
config_line(struct parse *p, char *line, void *arg)
{
	(void)arg;
	return parse_line(p, line);
}

/*
 * marks_clash - two marks that must differ, blamed on the later line.
 * mark_test may share no bit with the others either: the firewall tests
 * it as a bit ("--mark 0x400/0x400"), so a pass or reset mark with that
 * bit would read as "under test".
 */
static int
marks_clash(struct parse *p, const char *na, uint32_t a, const char *nb,
    uint32_t b)
{
	unsigned la = p->seen[key_index(na)], lb = p->seen[key_index(nb)];
	int test = strcmp(nb, "mark_test") == 0;

	if (a != b && !(test && (a & b) != 0))
		return 0;
	p->line = la > lb ? la : lb;
	return fail(p, "%s and %s must %s", na, nb, test ? "share no bit" :
	    "differ");
}

/*
 * trap_overlap - a warning for a trap_mx address that is also a
 * nolisting one: nolisting resets its SYNs first, so it traps no one.
 */
static void
trap_overlap(struct parse *p)
{
	const struct ng_cidr_list *t = &p->c->eng.trap_mx;
	char a[NG_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (!ng_cidr_list_match(&p->c->eng.nolisting, &t->v[i].net))
			continue;
		p->line = p->seen[key_index("trap_mx")];
		warn(p, "trap_mx: %s/%u is a nolisting address too: its SYNs "
		    "are reset there, nobody reaches the trap",
		    ng_addr_format(&t->v[i].net, a, sizeof(a)), t->v[i].plen);
	}
}

/*
 * parse_all - every line, then the checks across keys, which come after
 * the last line so order does not matter.
 */
static int
parse_all(struct parse *p, const char *text, size_t len)
{
	if (each_line(p, text, len, config_line, NULL) < 0)
		return -1;
	if (marks_clash(p, "mark_pass", p->c->mark_pass, "mark_reset",
	    p->c->mark_reset) < 0 || marks_clash(p, "mark_pass",
	    p->c->mark_pass, "mark_test", p->c->mark_test) < 0 ||
	    marks_clash(p, "mark_reset", p->c->mark_reset, "mark_test",
	    p->c->mark_test) < 0)
		return -1;
	trap_overlap(p);
	ng_scoreconf_finish(p->c);
	return 0;
}

/*
 * ng_config_parse - parse a file image into c (see config.h); errors are
 * "name:line: message".
 */
int
ng_config_parse(struct ng_config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct parse p;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = name ? name : "config";
	p.err = err;
	p.errlen = errlen;
	return parse_all(&p, text, len);
}

/*
 * cidr_line - each_line's callback for a prefix file: one prefix, #
 * comments.
 */
static int
cidr_line(struct parse *q, char *line, void *arg)
{
	char *hash = strchr(line, '#'), *s;

	if (hash != NULL)
		*hash = '\0';
	s = ng_trim(line);
	if (*s != '\0' && ng_cidr_list_add_str(arg, s) < 0)
		return fail(q, "bad address or prefix \"%s\"", s);
	return 0;
}

/*
 * read_cidr_file - allow_file/deny_file (and a mynetworks file): one
 * prefix per line, read now so a bad line stops the (re)load.  Errors name
 * that file and its line.
 */
static int
read_cidr_file(struct parse *p, const struct key *k, const char *v,
    struct ng_cidr_list *list)
{
	char path[NG_PATH_MAX * 2];
	struct parse q = *p;
	size_t len;
	char *text;
	int rc;

	if (v[0] != '/' && p->dir != NULL)
		snprintf(path, sizeof(path), "%s/%s", p->dir, v);
	else
		snprintf(path, sizeof(path), "%s", v);
	if ((text = ng_file_read(path, FILE_MAX, &len, NULL, 0)) == NULL)
		return fail(p, "%s: cannot open %s: %s", k->name, path,
		    strerror(errno));
	q.name = path;
	rc = each_line(&q, text, len, cidr_line, list);
	free(text);
	return rc;
}

/* set_cidr_file - allow_file, deny_file: the file read into the list now. */
static int
set_cidr_file(struct parse *p, const struct key *k, char *v)
{
	if (*v == '\0')
		return fail(p, "%s: missing value", k->name);
	return read_cidr_file(p, k, v, field(p, k));
}

/*
 * ng_config_load - read and parse the file at path; relative prefix files
 * are read from its directory.
 */
int
ng_config_load(struct ng_config *c, const char *path, char *err,
    size_t errlen)
{
	struct parse p;
	char dir[NG_PATH_MAX * 2], *slash;
	size_t len;
	char *text = ng_file_read(path, FILE_MAX, &len, NULL, 0);
	int rc;

	/* Said as before the shared reader: "cannot open" for any error. */
	if (text == NULL)
		return ng_err(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.name = path;
	p.err = err;
	p.errlen = errlen;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		p.dir = dir[0] ? dir : "/";
	}
	rc = parse_all(&p, text, len);
	free(text);
	return rc;
}
