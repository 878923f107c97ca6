/*
 * share_codec.h - the shared state's words on the wire, pure: keys,
 * values, pub/sub messages, and the Redis replies that carry them.
 *
 *	key	<prefix><table>:<addr>/<len>	  nfq-gate:pass:198.51.100.0/24
 *	value	v1 first=<unix usec> count=<n> origin=<mx_name>
 *	message	<table> <addr>/<len> <value> <ttl_ms>
 *
 * table is pass, penalty, grey or contact; addr/len is the entry's key
 * as the writing gate masked it, in canonical text (what inet_ntop
 * prints, host bits zero); the key's Redis TTL is the entry's remaining
 * lifetime, the message's ttl_ms the same (0: the entry was deleted).
 *
 * Everything that comes from Redis is outside input: another gate, an
 * older or newer version, or a person with redis-cli may have written
 * it.  So every decoder here is strict (one spelling of each thing, every
 * length checked, no trailing bytes), says what was wrong in err, and
 * never crashes (tests/fuzz/fuzz_share_codec.c).
 */
#ifndef NG_SHARE_CODEC_H
#define NG_SHARE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "base/addr.h"
#include "conf/redis_conf.h"

enum ng_share_table {
	NG_SHARE_PASS = 0,
	NG_SHARE_PENALTY,
	NG_SHARE_GREY,
	NG_SHARE_CONTACT,
	NG_SHARE_TABLES
};

/* Longest key, value and message (with the NUL). */
#define NG_SHARE_KEY_MAX	(NG_REDIS_PREFIX_MAX + 8 + NG_ADDRSTRLEN + 5)
#define NG_SHARE_VAL_MAX	(40 + 20 + 10 + NG_REDIS_NAME_MAX)
#define NG_SHARE_MSG_MAX	(8 + NG_ADDRSTRLEN + 5 + NG_SHARE_VAL_MAX + 22)
/* Year 5138 in microseconds, and 100 years in milliseconds: past
 * either is garbage. */
#define NG_SHARE_FIRST_MAX	100000000000000000ULL
#define NG_SHARE_TTL_MAX	(100ULL * 366 * 86400 * 1000)

struct ng_share_val {
	uint64_t first;		/* unix microseconds */
	uint32_t count;
	char origin[NG_REDIS_NAME_MAX + 1];
};

struct ng_share_msg {
	unsigned table;		/* enum ng_share_table */
	struct ng_addr addr;	/* masked to plen */
	unsigned plen;
	struct ng_share_val val;
	uint64_t ttl_ms;	/* 0: deleted */
};

/* "pass", "penalty", "grey", "contact"; "?" past the last. */
const char *ng_share_table_name(unsigned t);

/* The text into buf: its length, or -1 when it does not fit or a field
 * is out of range. */
int ng_share_val_format(const struct ng_share_val *v, char *buf,
    size_t len);
int ng_share_key_format(const char *prefix, unsigned table,
    const struct ng_addr *a, unsigned plen, char *buf, size_t len);
int ng_share_msg_format(const struct ng_share_msg *m, char *buf,
    size_t len);

/* len bytes (not NUL-terminated) decoded; 0, or -1 with why in err. */
int ng_share_val_parse(const char *s, size_t len, struct ng_share_val *v,
    char *err, size_t errlen);
int ng_share_key_parse(const char *prefix, const char *s, size_t len,
    unsigned *table, struct ng_addr *a, unsigned *plen, char *err,
    size_t errlen);
int ng_share_msg_parse(const char *s, size_t len, struct ng_share_msg *m,
    char *err, size_t errlen);

/*
 * The replies the link gets, checked before use.  get: 1 and v for a
 * value, 0 for nil (no such key), -1 with err.  pttl: 1 and the
 * milliseconds left, 0 when the key is gone, -1 with err (no TTL at
 * all is an error: every key we write has one).  scan: [cursor, [key,
 * ...]]: the cursor as text into cursor (at most 20 digits), the key
 * array in *keys; -1 with err.  message: a subscription's ["message",
 * channel, payload] on channel: the payload; -1 with err.  status:
 * the +OK of a plain command; 0, or -1 with the error's text.
 */
int ng_share_get_reply(const redisReply *r, struct ng_share_val *v,
    char *err, size_t errlen);
int ng_share_pttl_reply(const redisReply *r, uint64_t *ms, char *err,
    size_t errlen);
int ng_share_scan_reply(const redisReply *r, char cursor[24],
    const redisReply **keys, char *err, size_t errlen);
int ng_share_message_reply(const redisReply *r, const char *channel,
    const char **payload, size_t *len, char *err, size_t errlen);
int ng_share_status_reply(const redisReply *r, char *err, size_t errlen);

#endif
