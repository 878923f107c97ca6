/*
 * redis_conf.h - the grammar of the shared-state keys: redis_url,
 * redis_prefix and mx_name, checked by the config parser (so a typo is
 * "file:line: message" at start or reload) and read again by the
 * daemon's Redis link (daemon/redis_link.c) and codec
 * (daemon/share_codec.c), so both agree on what is valid.
 *
 *	redis_url = redis://[[USER]:PASS@]HOST[:PORT][/DB]
 *	redis_url = unix:/PATH[?db=N][&user=U][&password=P]
 *
 * HOST is an IP address ("127.0.0.1", "[::1]"), never a name: the gate
 * runs under seccomp with no resolver, and a name that resolves to
 * something else later is a surprise nobody wants in a mail gate.  PORT
 * defaults to 6379, DB to 0.  USER and PASS may carry %XX escapes (a
 * password with '@' or '/'); a PASS alone is Redis' requirepass, USER
 * and PASS an ACL user (Redis 6).
 */
#ifndef NG_REDIS_CONF_H
#define NG_REDIS_CONF_H

#include <stddef.h>

#include "base/addr.h"

#define NG_REDIS_URL_MAX	512	/* the config line's value, with NUL */
#define NG_REDIS_PATH_MAX	108	/* sun_path */
#define NG_REDIS_CRED_MAX	128	/* user or password, decoded, NUL */
#define NG_REDIS_DB_MAX		65535
#define NG_REDIS_PREFIX_MAX	48	/* redis_prefix's bytes */
#define NG_REDIS_NAME_MAX	63	/* an origin (mx_name): bytes */

struct ng_redis_url {
	int is_unix;
	char host[NG_ADDRSTRLEN];	/* TCP: the address as text */
	unsigned port;
	char path[NG_REDIS_PATH_MAX];	/* unix: the socket */
	char user[NG_REDIS_CRED_MAX];	/* "": no user (requirepass) */
	char pass[NG_REDIS_CRED_MAX];	/* "": no AUTH */
	unsigned db;
};

/* s into u; 0, or -1 with why in err (no "file:line", the caller's). */
int ng_redis_url_parse(struct ng_redis_url *u, const char *s, char *err,
    size_t errlen);
/*
 * u for a log line, the password left out: "127.0.0.1:6379 db 0" or
 * "unix:/run/redis/redis.sock db 0".  Returns buf.
 */
char *ng_redis_url_text(const struct ng_redis_url *u, char *buf, size_t len);

/* A redis_prefix: 1 to NG_REDIS_PREFIX_MAX of [A-Za-z0-9:._-]. */
int ng_redis_prefix_ok(const char *s);
/*
 * An origin name (mx_name, or a peer's in a value): 1 to
 * NG_REDIS_NAME_MAX of [A-Za-z0-9._-], not "local" (what nfq-gate-ctl
 * prints for this gate's own entries) and not "-" (the state file's).
 */
int ng_redis_name_ok(const char *s, size_t len);

#endif
