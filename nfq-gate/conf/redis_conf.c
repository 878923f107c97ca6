/*
 * redis_conf.c - the grammar of redis_url, redis_prefix and mx_name (see
 * redis_conf.h).
 *
 * Strict on purpose: a URL this code cannot take apart the one way is
 * refused with the part named, never half-understood, because a gate
 * that talks to the wrong Redis (or to none, silently) shares nothing.
 */
#include <stdio.h>
#include <string.h>

#include "base/addr.h"
#include "base/err.h"
#include "conf/redis_conf.h"

#define DEFAULT_PORT 6379

/* hexval - one hex digit's value, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * decode - n bytes of a URL part into dst with %XX undone; printable
 * ASCII only, no %00.  0, or -1 (bad escape, too long, a control byte).
 */
static int
decode(const char *s, size_t n, char *dst, size_t dstlen)
{
	size_t i, o = 0;
	int hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			if (c == 0)
				return -1;
			i += 2;
		} else if (c <= ' ' || c >= 0x7f)
			return -1;
		if (o + 1 >= dstlen)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* number - n decimal digits, no sign, at most max; 0, or -1. */
static int
number(const char *s, size_t n, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/*
 * userinfo - "USER:PASS" or ":PASS" (n bytes) into u; 0, or -1 with
 * err.
 */
static int
userinfo(struct ng_redis_url *u, const char *s, size_t n, char *err,
    size_t errlen)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL)
		return ng_err(err, errlen, "expected USER:PASS@ or :PASS@ "
		    "before the host");
	if (decode(s, (size_t)(colon - s), u->user, sizeof(u->user)) < 0)
		return ng_err(err, errlen, "bad user (printable, %%XX "
		    "escapes, at most %d bytes)", NG_REDIS_CRED_MAX - 1);
	if (decode(colon + 1, n - (size_t)(colon + 1 - s), u->pass,
	    sizeof(u->pass)) < 0 || u->pass[0] == '\0')
		return ng_err(err, errlen, "bad or empty password (printable, "
		    "%%XX escapes, at most %d bytes)", NG_REDIS_CRED_MAX - 1);
	return 0;
}

/*
 * hostport - "A.B.C.D[:PORT]" or "[V6][:PORT]" (n bytes) into u; an
 * address, never a name.  0, or -1 with err.
 */
static int
hostport(struct ng_redis_url *u, const char *s, size_t n, char *err,
    size_t errlen)
{
	const char *h = s, *end = s + n, *colon, *close;
	struct ng_addr a;
	size_t hn;

	if (n > 0 && s[0] == '[') {
		close = memchr(s, ']', n);
		if (close == NULL)
			return ng_err(err, errlen, "no ']' after the IPv6 "
			    "host");
		h = s + 1;
		hn = (size_t)(close - h);
		colon = close + 1 < end ? close + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return ng_err(err, errlen, "expected ':' after ']'");
	} else {
		colon = memchr(s, ':', n);
		hn = colon != NULL ? (size_t)(colon - s) : n;
	}
	if (hn == 0 || hn >= sizeof(u->host))
		return ng_err(err, errlen, "missing or overlong host");
	memcpy(u->host, h, hn);
	u->host[hn] = '\0';
	if (ng_addr_parse(&a, u->host) < 0 || (s[0] == '[') != (a.family == 6))
		return ng_err(err, errlen, "host \"%s\" is not an IP address "
		    "(IPv6 in brackets; the gate resolves no names)", u->host);
	if (colon != NULL && number(colon + 1, (size_t)(end - colon - 1),
	    65535, &u->port) < 0)
		return ng_err(err, errlen, "bad port (1 to 65535)");
	if (u->port == 0)
		return ng_err(err, errlen, "bad port (1 to 65535)");
	return 0;
}

/* parse_tcp - what follows "redis://"; 0, or -1 with err. */
static int
parse_tcp(struct ng_redis_url *u, const char *s, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/'), *at, *p;
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);

	if (strchr(s, '?') != NULL || strchr(s, '#') != NULL)
		return ng_err(err, errlen, "no '?' or '#' in a redis:// URL");
	at = NULL;
	for (p = s; p < s + n; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		if (userinfo(u, s, (size_t)(at - s), err, errlen) < 0)
			return -1;
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	if (hostport(u, s, n, err, errlen) < 0)
		return -1;
	if (slash != NULL && slash[1] != '\0' && number(slash + 1,
	    strlen(slash + 1), NG_REDIS_DB_MAX, &u->db) < 0)
		return ng_err(err, errlen, "bad database number after '/' "
		    "(0 to %d)", NG_REDIS_DB_MAX);
	return 0;
}

/*
 * unix_param - one "NAME=VALUE" (n bytes) of a unix: URL's query; each
 * name at most once (seen).  0, or -1 with err.
 */
static int
unix_param(struct ng_redis_url *u, const char *s, size_t n, unsigned *seen,
    char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', n);
	size_t kn = eq != NULL ? (size_t)(eq - s) : n, vn;
	unsigned bit;
	int r;

	if (eq == NULL)
		return ng_err(err, errlen, "expected NAME=VALUE after '?'");
	vn = n - kn - 1;
	if (kn == 2 && memcmp(s, "db", 2) == 0) {
		bit = 1;
		r = number(eq + 1, vn, NG_REDIS_DB_MAX, &u->db);
	} else if (kn == 4 && memcmp(s, "user", 4) == 0) {
		bit = 2;
		r = decode(eq + 1, vn, u->user, sizeof(u->user));
	} else if (kn == 8 && memcmp(s, "password", 8) == 0) {
		bit = 4;
		r = decode(eq + 1, vn, u->pass, sizeof(u->pass));
		if (u->pass[0] == '\0')
			r = -1;
	} else
		return ng_err(err, errlen, "unknown parameter \"%.*s\" (db, "
		    "user, password)", (int)(kn > 32 ? 32 : kn), s);
	if (*seen & bit)
		return ng_err(err, errlen, "\"%.*s\" given twice", (int)kn, s);
	*seen |= bit;
	if (r < 0)
		return ng_err(err, errlen, "bad value for \"%.*s\"", (int)kn,
		    s);
	return 0;
}

/* parse_unix - what follows "unix:"; 0, or -1 with err. */
static int
parse_unix(struct ng_redis_url *u, const char *s, char *err, size_t errlen)
{
	const char *q = strchr(s, '?'), *p, *amp;
	size_t n = q != NULL ? (size_t)(q - s) : strlen(s);
	unsigned seen = 0;

	u->is_unix = 1;
	if (n == 0 || s[0] != '/')
		return ng_err(err, errlen, "unix: needs an absolute path");
	if (n >= sizeof(u->path))
		return ng_err(err, errlen, "socket path longer than %zu bytes",
		    sizeof(u->path) - 1);
	memcpy(u->path, s, n);
	u->path[n] = '\0';
	for (p = q != NULL ? q + 1 : NULL; p != NULL;
	    p = amp != NULL ? amp + 1 : NULL) {
		amp = strchr(p, '&');
		if (unix_param(u, p, amp ? (size_t)(amp - p) : strlen(p),
		    &seen, err, errlen) < 0)
			return -1;
	}
	if (u->user[0] != '\0' && u->pass[0] == '\0')
		return ng_err(err, errlen, "a user needs a password");
	return 0;
}

/* ng_redis_url_parse - s into u (see redis_conf.h); 0, or -1 with err. */
int
ng_redis_url_parse(struct ng_redis_url *u, const char *s, char *err,
    size_t errlen)
{
	memset(u, 0, sizeof(*u));
	u->port = DEFAULT_PORT;
	if (strncmp(s, "unix:", 5) == 0)
		return parse_unix(u, s + 5, err, errlen);
	if (strncmp(s, "redis://", 8) == 0)
		return parse_tcp(u, s + 8, err, errlen);
	if (strncmp(s, "rediss://", 9) == 0)
		return ng_err(err, errlen, "rediss:// (TLS) is not supported "
		    "by hiredis 0.14: use a unix socket to a local replica, "
		    "or stunnel");
	return ng_err(err, errlen, "expected redis://HOST:PORT/DB or "
	    "unix:/PATH");
}

/* ng_redis_url_text - u for a log line, without the password. */
char *
ng_redis_url_text(const struct ng_redis_url *u, char *buf, size_t len)
{
	if (u->is_unix)
		snprintf(buf, len, "unix:%s db %u", u->path, u->db);
	else if (strchr(u->host, ':') != NULL)
		snprintf(buf, len, "[%s]:%u db %u", u->host, u->port, u->db);
	else
		snprintf(buf, len, "%s:%u db %u", u->host, u->port, u->db);
	return buf;
}

/* ng_redis_prefix_ok - 1 when s may be a redis_prefix. */
int
ng_redis_prefix_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= NG_REDIS_PREFIX_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789:._-") == n;
}

/* ng_redis_name_ok - 1 when the len bytes at s may be an origin name. */
int
ng_redis_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > NG_REDIS_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	if (len == 1 && s[0] == '-')
		return 0;
	return !(len == 5 && memcmp(s, "local", 5) == 0);
}
