/*
 * fuzz_share_codec.c - the shared state's decoders under libFuzzer.
 *
 * What comes from Redis was written by another gate, another version,
 * or a person with redis-cli: keys, values, pub/sub messages and whole
 * replies must be refused with a message, never crash, and what they
 * accept must format back to the very bytes taken.  The first input
 * byte picks the decoder; the rest is its input.  For the reply
 * decoders the rest is RESP, parsed by hiredis' own reader into the
 * redisReply the link hands over; redis_url's grammar is fuzzed too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "conf/redis_conf.h"
#include "daemon/redis_link.h"
#include "daemon/share_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* same - a decoded thing formatted back must be the input, byte for byte. */
static void
same(const char *in, size_t n, const char *out, int m)
{
	if (m < 0 || (size_t)m != n || memcmp(in, out, n) != 0)
		abort();
}

/* text - the input as a value, key or message, round-tripped. */
static void
text(uint8_t sel, const char *s, size_t n)
{
	char err[256] = "", buf[NG_SHARE_MSG_MAX + NG_SHARE_KEY_MAX];
	struct ng_share_val v;
	struct ng_share_msg m;
	struct ng_addr a;
	unsigned t, plen;

	switch (sel % 3) {
	case 0:
		if (ng_share_val_parse(s, n, &v, err, sizeof(err)) == 0)
			same(s, n, buf, ng_share_val_format(&v, buf,
			    sizeof(buf)));
		break;
	case 1:
		if (ng_share_key_parse("nfq-gate:", s, n, &t, &a, &plen, err,
		    sizeof(err)) == 0)
			same(s, n, buf, ng_share_key_format("nfq-gate:", t, &a,
			    plen, buf, sizeof(buf)));
		break;
	default:
		if (ng_share_msg_parse(s, n, &m, err, sizeof(err)) == 0)
			same(s, n, buf, ng_share_msg_format(&m, buf,
			    sizeof(buf)));
		break;
	}
	if (strlen(err) >= sizeof(err))
		abort();
}

/* replies - the input as RESP, every reply through every decoder. */
static void
replies(const char *s, size_t n)
{
	redisReader *rd = redisReaderCreate();
	const redisReply *keys;
	struct ng_share_val v;
	char err[256], cursor[24];
	const char *p;
	uint64_t ms;
	size_t len, i;
	void *r;

	ng_redis_reader_guard(rd);	/* as the link's readers are */
	if (rd == NULL || redisReaderFeed(rd, s, n) != REDIS_OK) {
		redisReaderFree(rd);
		return;
	}
	for (i = 0; i < 8 && redisReaderGetReply(rd, &r) == REDIS_OK &&
	    r != NULL; i++) {
		(void)ng_share_get_reply(r, &v, err, sizeof(err));
		(void)ng_share_pttl_reply(r, &ms, err, sizeof(err));
		if (ng_share_scan_reply(r, cursor, &keys, err,
		    sizeof(err)) == 0 && keys->elements > 0 &&
		    keys->element[0]->str == NULL)
			abort();
		if (ng_share_message_reply(r, "nfq-gate:updates", &p, &len,
		    err, sizeof(err)) == 1 && p == NULL)
			abort();
		(void)ng_share_status_reply(r, err, sizeof(err));
		freeReplyObject(r);
	}
	redisReaderFree(rd);
}

/* url - the input as a redis_url. */
static void
url(const char *s, size_t n)
{
	struct ng_redis_url u;
	char *z = malloc(n + 1), err[256], t[200];

	if (z == NULL)
		return;
	memcpy(z, s, n);
	z[n] = '\0';
	if (ng_redis_url_parse(&u, z, err, sizeof(err)) == 0) {
		ng_redis_url_text(&u, t, sizeof(t));
		if ((u.is_unix && u.path[0] != '/') ||
		    (!u.is_unix && (u.port == 0 || u.port > 65535)))
			abort();
	}
	free(z);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	uint8_t sel;

	if (size == 0)
		return 0;
	sel = data[0];
	switch (sel % 5) {
	case 3:
		replies(s, size - 1);
		break;
	case 4:
		url(s, size - 1);
		break;
	default:
		text((uint8_t)(sel % 5), s, size - 1);
		break;
	}
	return 0;
}
