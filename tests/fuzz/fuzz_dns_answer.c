/*
 * fuzz_dns_answer.c - DNS replies, as c-ares hands them to a query's
 * callback, under libFuzzer.
 *
 * The first byte picks the query type (A, AAAA or PTR) and the c-ares
 * status (success, NXDOMAIN, no data, bad reply); the rest is the raw
 * reply.  Replies come from the network, so any bytes must come out as
 * one of the answer kinds with counts and names within their arrays.
 * The TTL walker runs on the same bytes for each type.
 */
#include <ares.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dns_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one reply. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { 1, 28, 12 };
	static const int statuses[] = { ARES_SUCCESS, ARES_ENOTFOUND,
	    ARES_ENODATA, ARES_EBADRESP };
	struct ng_dns_answer a;
	unsigned char *buf;
	unsigned i;
	int t;

	if (size < 1 || size > 65536)
		return 0;
	t = types[data[0] % 3];
	/* A copy of exactly the reply's size: ASan sees any overread. */
	if ((buf = malloc(size - 1 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	ng_dns_answer_parse(t, statuses[(data[0] >> 2) % 4], buf,
	    (int)(size - 1), &a);
	if (a.kind > NG_DNS_CANCELLED || a.n > NG_DNS_ADDRS_MAX ||
	    (t == 12 && a.n > NG_DNS_PTRS_MAX) ||
	    (a.kind != NG_DNS_DATA && a.n != 0))
		abort();
	for (i = 0; t == 12 && i < a.n; i++)
		if (memchr(a.name[i], 0, sizeof(a.name[i])) == NULL ||
		    a.name[i][0] == '\0')
			abort();
	(void)ng_dns_reply_ttl(buf, size - 1, 1);
	(void)ng_dns_reply_ttl(buf, size - 1, 6);
	free(buf);
	return 0;
}
