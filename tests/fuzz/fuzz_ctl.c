/*
 * fuzz_ctl.c - nfq-gate-ctl's request parser and verbs under libFuzzer.
 *
 * The control socket takes a line from any process allowed to reach
 * it, and nfq-gate-ctl passes its arguments through the same code, so
 * no input may crash a verb, answer with a code ctl.h does not know,
 * or break the answer's shape: a one-line message, a body whose length
 * is its string's, and, in JSON, nothing but one document.  The input
 * is the request line as is; the tables are made afresh for each one,
 * with entries of both families and a table under admission control,
 * and every hook is set, so every verb runs to its end.
 */
#include <stdint.h>
#include <string.h>

#include "daemon/ctl.h"
#include "engine/cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t K[16] = { 0x42 };

static void
where(void *arg, const struct ng_addr *a, struct ng_ctl_where *w)
{
	(void)arg;
	/* Bytes no country or owner has, for the JSON escaping; strings
	 * left unterminated, as ctl.c must terminate them. */
	w->cc[0] = (char)(a->b[3] ^ a->b[15]);
	w->cc[1] = '"';
	w->cc[2] = 'x';
	w->asn = a->b[2];
	memset(w->owner, a->b[1] | 0x80, sizeof(w->owner));
	w->owner[0] = '\\';
}

static int
status(void *arg, int json, struct ng_ctl_out *o, char *why, size_t len)
{
	(void)arg;
	ng_ctl_printf(o, json ? "{\"ok\":false}\n" : "unwell\n");
	memset(why, 'w', len);	/* unterminated: ctl.c must cope */
	return NG_CTL_UNHEALTHY;
}

static int
reload(void *arg, char *err, size_t len)
{
	(void)arg;
	memset(err, 'e', len);
	return -1;
}

static int
save(void *arg, char *err, size_t len)
{
	(void)arg;
	(void)err;
	(void)len;
	return 0;
}

static void
changed(void *arg, enum ng_ctl_table t, int added, const struct ng_addr *a,
    int prefix)
{
	(void)arg;
	if ((unsigned)t >= NG_CTL_TABLE_MAX || (added && a == NULL) ||
	    (a == NULL) != (prefix == -1) || prefix > 128)
		__builtin_trap();
}

static void
put(struct ng_cache *t, const char *s, ng_usec now, ng_usec ttl)
{
	struct ng_addr a;
	struct ng_cache_entry *e;

	if (ng_addr_parse(&a, s) < 0 ||
	    (e = ng_cache_put(t, &a, now, ttl)) == NULL)
		__builtin_trap();
	e->count = 3;
}

static int
known(int rc)
{
	return rc == NG_CTL_OK || rc == NG_CTL_UNHEALTHY ||
	    rc == NG_CTL_NOTFOUND || rc == NG_CTL_FAILED ||
	    rc == NG_CTL_USAGE || rc == NG_CTL_UNAVAILABLE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ng_usec now = NG_SEC(5000);
	struct ng_ctl_out o;
	struct ng_ctl c;
	char msg[128];
	int t, rc;

	memset(&c, 0, sizeof(c));
	c.table[NG_CTL_PASS] = ng_cache_table_new(8, 32, 128, K);
	c.table[NG_CTL_PENALTY] = ng_cache_table_new(8, 24, 64, K);
	c.table[NG_CTL_GREYLIST] = ng_cache_table_new(4, 32, 64, K);
	for (t = 0; t < NG_CTL_TABLE_MAX; t++)
		if (c.table[t] == NULL)
			__builtin_trap();
	ng_cache_set_admission(c.table[NG_CTL_GREYLIST], 1);
	put(c.table[NG_CTL_PASS], "192.0.2.7", now - NG_SEC(10), NG_SEC(60));
	put(c.table[NG_CTL_PASS], "2001:db8::1", now, NG_NEVER);
	put(c.table[NG_CTL_PENALTY], "203.0.113.9", now, NG_SEC(3600));
	put(c.table[NG_CTL_PENALTY], "2001:db8:1:2::3", now, NG_SEC(30));
	put(c.table[NG_CTL_GREYLIST], "198.51.100.1", now, NG_SEC(600));
	put(c.table[NG_CTL_GREYLIST], "198.51.100.2", now, NG_SEC(600));
	put(c.table[NG_CTL_GREYLIST], "2001:db8::9", now, NG_SEC(600));
	put(c.table[NG_CTL_GREYLIST], "2001:db8:5::9", now, NG_SEC(600));
	for (t = 0; t < NG_CTL_TABLE_MAX; t++)
		c.ttl[t] = NG_SEC(3600);
	c.now = now;
	c.wall_offset = (int64_t)NG_SEC(1796530000);
	c.where = where;
	c.status = status;
	c.reload = reload;
	c.save = save;
	c.changed = changed;

	ng_ctl_out_init(&o);
	memset(msg, 'm', sizeof(msg));
	rc = ng_ctl_exec(&c, (const char *)data, size, &o, msg, sizeof(msg));
	if (!known(rc) || memchr(msg, '\0', sizeof(msg)) == NULL ||
	    strchr(msg, '\n') != NULL || msg[0] == '\0')
		__builtin_trap();
	if (o.buf != NULL && (o.len >= o.cap || strlen(o.buf) != o.len ||
	    o.buf[o.len - 1] != '\n'))
		__builtin_trap();
	if (o.buf != NULL && o.buf[0] == '{' &&
	    (memchr(o.buf, '\n', o.len) != o.buf + o.len - 1 ||
	    o.buf[o.len - 2] != '}'))
		__builtin_trap();	/* one document, one line */
	if (o.failed)
		__builtin_trap();	/* memory is plenty here */
	ng_ctl_out_free(&o);
	for (t = 0; t < NG_CTL_TABLE_MAX; t++)
		ng_cache_free(c.table[t]);
	return 0;
}
