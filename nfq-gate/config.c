/*
 * config.c - read nfq-gate.conf into struct ng_config.
 *
 * "key = value" lines in the spirit of Postfix's main.cf.  The parser
 * works on a file image so that start-up, SIGHUP reloads, tests and the
 * fuzzer share one code path, and so a reload can build a complete new
 * config before it replaces the one in force.  Every error names the
 * file and line; an unknown key is an error, because a typo in a gate's
 * policy should stop the gate from starting, not silently do nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "config.h"

#define LINE_MAX_LEN 4096

struct parse {
	struct ng_config *c;
	const char *name;
	const char *dir;	/* for relative allow_file paths */
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

void
ng_config_defaults(struct ng_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ports[0] = 25;
	c->nports = 1;
	c->greet_pause = NG_SEC(6);
	c->greet_pause_stress = NG_SEC(2);
	c->pregreet_action = NG_PREGREET_RESET;
	c->penalty_ttl = NG_SEC(3600);
	c->pass_ttl = NG_SEC(86400);
	c->pass_prefix4 = 32;
	c->pass_prefix6 = 128;
	c->greylist_delay = NG_SEC(60);
	c->greylist_window = NG_SEC(4 * 3600);
	c->greylist_prefix4 = 32;
	c->greylist_prefix6 = 128;
	c->default_action = NG_ACT_TEST;
	c->deny_action = NG_ACT_REJECT;
	c->flow_max = 65536;
	c->flow_idle_timeout = NG_SEC(300);
	c->flow_halfopen_timeout = NG_SEC(30);
	c->cache_max = 100000;
	c->queue_maxlen = 65536;
	c->mark_pass = 0x100;
	c->mark_reset = 0x200;
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/nfq-gate");
	snprintf(c->user, sizeof(c->user), "nfq-gate");
	c->stats_interval = NG_SEC(60);
}

void
ng_config_free(struct ng_config *c)
{
	ng_cidr_list_free(&c->allow);
	ng_cidr_list_free(&c->deny);
	ng_cidr_list_free(&c->nolisting);
}

int
ng_config_copy(struct ng_config *dst, const struct ng_config *src)
{
	*dst = *src;
	ng_cidr_list_init(&dst->allow);
	ng_cidr_list_init(&dst->deny);
	ng_cidr_list_init(&dst->nolisting);
	if (ng_cidr_list_copy(&dst->allow, &src->allow) < 0 ||
	    ng_cidr_list_copy(&dst->deny, &src->deny) < 0 ||
	    ng_cidr_list_copy(&dst->nolisting, &src->nolisting) < 0) {
		ng_config_free(dst);
		return -1;
	}
	return 0;
}

int
ng_config_is_port(const struct ng_config *c, uint16_t port)
{
	unsigned i;

	for (i = 0; i < c->nports; i++)
		if (c->ports[i] == port)
			return 1;
	return 0;
}

uint8_t
ng_config_country_action(const struct ng_config *c, uint16_t cc)
{
	unsigned i;

	for (i = 0; i < c->ncountry; i++)
		if (c->country[i].cc == cc)
			return c->country[i].action;
	return NG_ACT_NONE;
}

static const char *action_names[] = {
	"none", "pass", "test", "greylist", "reject", "drop"
};

const char *
ng_policy_action_name(uint8_t action)
{
	return action <= NG_ACT_DROP ? action_names[action] : "?";
}

static int
parse_action(const char *s)
{
	int i;

	for (i = NG_ACT_PASS; i <= NG_ACT_DROP; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

/* "6s", "500ms", "2m", "1h", "1d", "1w"; a bare number is seconds. */
int
ng_parse_duration(const char *s, ng_usec *out)
{
	static const struct { const char *u; ng_usec mul; } units[] = {
		{ "", NG_USEC_PER_SEC }, { "s", NG_USEC_PER_SEC },
		{ "ms", 1000 }, { "m", 60 * NG_USEC_PER_SEC },
		{ "h", 3600 * NG_USEC_PER_SEC }, { "d", 86400 * NG_USEC_PER_SEC },
		{ "w", 7 * 86400 * NG_USEC_PER_SEC }
	};
	unsigned long long v = 0;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > 1000000000ULL)
			return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].u) == 0) {
			*out = (ng_usec)v * units[i].mul;
			return 0;
		}
	}
	return -1;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Split a value list on commas and blanks; calls fn for each word. */
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

static int
add_port(struct parse *p, const char *w, void *arg)
{
	unsigned long v;

	(void)arg;
	if (parse_uint(w, 65535, &v) < 0 || v == 0)
		return fail(p, "ports: bad port \"%s\"", w);
	if (p->c->nports == NG_PORTS_MAX)
		return fail(p, "ports: at most %d ports", NG_PORTS_MAX);
	p->c->ports[p->c->nports++] = (uint16_t)v;
	return 0;
}

static int
add_cidr(struct parse *p, const char *w, void *arg)
{
	if (ng_cidr_list_add_str(arg, w) < 0)
		return fail(p, "bad address or prefix \"%s\"", w);
	return 0;
}

static int
add_prefix(struct parse *p, const char *w, void *arg)
{
	unsigned *pl = arg;
	unsigned long v;

	if (*w == '/')
		w++;
	if (pl[2] >= 2)
		return fail(p, "expected two prefix lengths (IPv4, IPv6)");
	if (parse_uint(w, pl[2] == 0 ? 32 : 128, &v) < 0)
		return fail(p, "bad prefix length \"%s\"", w);
	pl[pl[2]++] = (unsigned)v;
	return 0;
}

static int
set_prefixes(struct parse *p, char *v, unsigned *p4, unsigned *p6)
{
	unsigned pl[3] = { 0, 0, 0 };

	if (each_word(p, v, add_prefix, pl) < 0)
		return -1;
	if (pl[2] != 2)
		return fail(p, "expected two prefix lengths (IPv4, IPv6)");
	*p4 = pl[0];
	*p6 = pl[1];
	return 0;
}

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
	for (i = 0; i < c->ncountry; i++) {
		if (c->country[i].cc == cc) {
			c->country[i].action = act;	/* later line wins */
			return 0;
		}
	}
	if (c->ncountry == NG_COUNTRY_RULES_MAX)
		return fail(p, "country: too many rules");
	c->country[c->ncountry].cc = cc;
	c->country[c->ncountry].action = act;
	c->ncountry++;
	return 0;
}

static int
set_duration(struct parse *p, const char *key, const char *v, ng_usec *out)
{
	if (ng_parse_duration(v, out) < 0)
		return fail(p, "%s: bad duration \"%s\"", key, v);
	return 0;
}

static int
set_string(struct parse *p, const char *key, const char *v, char *out,
    size_t len)
{
	if (strlen(v) >= len)
		return fail(p, "%s: value too long", key);
	snprintf(out, len, "%s", v);
	return 0;
}

static int
set_mark(struct parse *p, const char *key, const char *v, uint32_t *out)
{
	unsigned long m;

	if (parse_uint(v, 0xffffffffUL, &m) < 0 || m == 0)
		return fail(p, "%s: bad mark \"%s\"", key, v);
	*out = (uint32_t)m;
	return 0;
}

static int read_cidr_file(struct parse *p, const char *path,
    struct ng_cidr_list *l);

static int
set_list_file(struct parse *p, const char *v, struct ng_cidr_list *l)
{
	char path[NG_PATH_MAX * 2];

	if (v[0] != '/' && p->dir != NULL)
		snprintf(path, sizeof(path), "%s/%s", p->dir, v);
	else
		snprintf(path, sizeof(path), "%s", v);
	return read_cidr_file(p, path, l);
}

static int
set_nft_set(struct parse *p, char *v)
{
	char fam[16], tab[48], s4[64], s6[64];
	struct ng_config *c = p->c;

	if (sscanf(v, "%15s %47s %63s %63s", fam, tab, s4, s6) != 4)
		return fail(p, "nft_penalty_set: expected FAMILY TABLE SET4 SET6");
	if (strcmp(fam, "inet") && strcmp(fam, "ip") && strcmp(fam, "ip6"))
		return fail(p, "nft_penalty_set: bad family \"%s\"", fam);
	snprintf(c->nft_penalty_table, sizeof(c->nft_penalty_table), "%s %s",
	    fam, tab);
	snprintf(c->nft_penalty_set4, sizeof(c->nft_penalty_set4), "%s", s4);
	snprintf(c->nft_penalty_set6, sizeof(c->nft_penalty_set6), "%s", s6);
	return 0;
}

static int
set_action(struct parse *p, const char *key, const char *v, uint8_t *out)
{
	int a = parse_action(v);

	if (a < 0)
		return fail(p, "%s: bad action \"%s\" (pass, test, greylist, "
		    "reject or drop)", key, v);
	*out = (uint8_t)a;
	return 0;
}

static int
set_key(struct parse *p, char *key, char *v)
{
	struct ng_config *c = p->c;
	unsigned long n;

	if (strncmp(key, "country", 7) == 0 && isspace((unsigned char)key[7])) {
		uint8_t act = NG_ACT_NONE;

		if (set_action(p, "country", v, &act) < 0)
			return -1;
		return each_word(p, key + 8, add_country, &act) > 0 ? 0 :
		    fail(p, "country: no country code");
	}
	if (strcmp(key, "ports") == 0) {
		c->nports = 0;
		return each_word(p, v, add_port, NULL) > 0 ? 0 :
		    fail(p, "ports: empty");
	}
	if (strcmp(key, "greet_pause") == 0)
		return set_duration(p, key, v, &c->greet_pause);
	if (strcmp(key, "greet_pause_stress") == 0)
		return set_duration(p, key, v, &c->greet_pause_stress);
	if (strcmp(key, "pregreet_action") == 0) {
		if (strcmp(v, "reset") == 0)
			c->pregreet_action = NG_PREGREET_RESET;
		else if (strcmp(v, "log") == 0)
			c->pregreet_action = NG_PREGREET_LOG;
		else
			return fail(p, "pregreet_action: \"%s\" is not reset "
			    "or log", v);
		return 0;
	}
	if (strcmp(key, "penalty_ttl") == 0)
		return set_duration(p, key, v, &c->penalty_ttl);
	if (strcmp(key, "pass_ttl") == 0)
		return set_duration(p, key, v, &c->pass_ttl);
	if (strcmp(key, "pass_prefix") == 0)
		return set_prefixes(p, v, &c->pass_prefix4, &c->pass_prefix6);
	if (strcmp(key, "greylist_prefix") == 0)
		return set_prefixes(p, v, &c->greylist_prefix4,
		    &c->greylist_prefix6);
	if (strcmp(key, "greylist_delay") == 0)
		return set_duration(p, key, v, &c->greylist_delay);
	if (strcmp(key, "greylist_window") == 0)
		return set_duration(p, key, v, &c->greylist_window);
	if (strcmp(key, "default_action") == 0)
		return set_action(p, key, v, &c->default_action);
	if (strcmp(key, "deny_action") == 0) {
		if (set_action(p, key, v, &c->deny_action) < 0)
			return -1;
		if (c->deny_action != NG_ACT_REJECT &&
		    c->deny_action != NG_ACT_DROP)
			return fail(p, "deny_action: must be reject or drop");
		return 0;
	}
	if (strcmp(key, "allow") == 0)
		return each_word(p, v, add_cidr, &c->allow) < 0 ? -1 : 0;
	if (strcmp(key, "deny") == 0)
		return each_word(p, v, add_cidr, &c->deny) < 0 ? -1 : 0;
	if (strcmp(key, "nolisting") == 0)
		return each_word(p, v, add_cidr, &c->nolisting) < 0 ? -1 : 0;
	if (strcmp(key, "allow_file") == 0)
		return set_list_file(p, v, &c->allow);
	if (strcmp(key, "deny_file") == 0)
		return set_list_file(p, v, &c->deny);
	if (strcmp(key, "flow_max") == 0 || strcmp(key, "cache_max") == 0 ||
	    strcmp(key, "queue_maxlen") == 0) {
		if (parse_uint(v, 1UL << 26, &n) < 0 || n == 0)
			return fail(p, "%s: bad count \"%s\"", key, v);
		if (key[0] == 'f')
			c->flow_max = (unsigned)n;
		else if (key[0] == 'c')
			c->cache_max = (unsigned)n;
		else
			c->queue_maxlen = (unsigned)n;
		return 0;
	}
	if (strcmp(key, "flow_idle_timeout") == 0)
		return set_duration(p, key, v, &c->flow_idle_timeout);
	if (strcmp(key, "flow_halfopen_timeout") == 0)
		return set_duration(p, key, v, &c->flow_halfopen_timeout);
	if (strcmp(key, "stats_interval") == 0)
		return set_duration(p, key, v, &c->stats_interval);
	if (strcmp(key, "mark_pass") == 0)
		return set_mark(p, key, v, &c->mark_pass);
	if (strcmp(key, "mark_reset") == 0)
		return set_mark(p, key, v, &c->mark_reset);
	if (strcmp(key, "database") == 0)
		return set_string(p, key, v, c->database, sizeof(c->database));
	if (strcmp(key, "state_dir") == 0)
		return set_string(p, key, v, c->state_dir,
		    sizeof(c->state_dir));
	if (strcmp(key, "user") == 0)
		return set_string(p, key, v, c->user, sizeof(c->user));
	if (strcmp(key, "nft_penalty_set") == 0)
		return set_nft_set(p, v);
	return fail(p, "unknown setting \"%s\"", key);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
parse_line(struct parse *p, char *line)
{
	char *hash = strchr(line, '#'), *eq, *key, *v;
	size_t i;

	if (hash != NULL)
		*hash = '\0';
	line = trim(line);
	if (*line == '\0')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL)
		return fail(p, "expected \"key = value\"");
	*eq = '\0';
	key = trim(line);
	v = trim(eq + 1);
	if (*key == '\0')
		return fail(p, "missing key before '='");
	if (*v == '\0')
		return fail(p, "%s: missing value", key);
	for (i = 0; key[i]; i++)
		if (isspace((unsigned char)key[i]))
			key[i] = ' ';
	return set_key(p, key, v);
}

static int
parse_text(struct parse *p, const char *text, size_t len)
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
				return fail(p, "line too long");
			line[n++] = text[i++];
		}
		i++;
		line[n] = '\0';
		if (parse_line(p, line) < 0)
			return -1;
	}
	if (p->c->mark_pass == p->c->mark_reset)
		return fail(p, "mark_pass and mark_reset must differ");
	return 0;
}

int
ng_config_parse(struct ng_config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct parse p = { c, name ? name : "config", NULL, 0, err, errlen };

	return parse_text(&p, text, len);
}

/* Read a whole small text file; NULL with errno set on failure. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 > cap) {
			char *nb;

			if (cap > (64u << 20)) {
				errno = EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (nb == NULL)
				break;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				break;
			fclose(f);
			*len = n;
			return buf;
		}
	}
	fclose(f);
	free(buf);
	return NULL;
}

static int
read_cidr_file(struct parse *p, const char *path, struct ng_cidr_list *l)
{
	struct parse q = *p;
	size_t len, i = 0;
	char *text = slurp(path, &len), line[512];
	int rc = 0;

	if (text == NULL)
		return fail(p, "%s: cannot read: %s", path, strerror(errno));
	q.name = path;
	q.line = 0;
	while (i < len && rc == 0) {
		size_t n = 0;
		char *s, *hash;

		q.line++;
		while (i < len && text[i] != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = text[i];
			i++;
		}
		i++;
		line[n] = '\0';
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s != '\0' && ng_cidr_list_add_str(l, s) < 0)
			rc = fail(&q, "bad address or prefix \"%s\"", s);
	}
	free(text);
	return rc;
}

int
ng_config_load(struct ng_config *c, const char *path, char *err,
    size_t errlen)
{
	struct parse p = { c, path, NULL, 0, err, errlen };
	char dir[NG_PATH_MAX], *slash;
	size_t len;
	char *text = slurp(path, &len);
	int rc;

	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		p.dir = dir;
	}
	rc = parse_text(&p, text, len);
	free(text);
	return rc;
}
