/*
 * dns_answer.h - a DNS reply, as c-ares hands it to a query's callback,
 * turned into the few facts the gate keeps: addresses or names, a TTL,
 * or "no such data" with its negative TTL, or garbage.
 *
 * Replies come from the network (a DNSBL operator, a resolver, anyone
 * who can race one), so this is a parser of hostile input: c-ares'
 * parsers do the record decoding, and the few fields they do not give
 * (a PTR's TTL, the SOA minimum of a negative reply) are read by a
 * bounded walker here.  tests/fuzz/fuzz_dns_answer.c feeds it raw bytes.
 */
#ifndef NG_DNS_ANSWER_H
#define NG_DNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "conf/dnsbl.h"

#define NG_DNS_ADDRS_MAX 8	/* A/AAAA addresses kept of one reply */
#define NG_DNS_PTRS_MAX 2	/* PTR names kept (each forward-checked) */

/* What became of one query. */
enum ng_dns_kind {
	NG_DNS_DATA,		/* records of the type asked */
	NG_DNS_NONE,		/* NXDOMAIN or no data: a real "no" */
	NG_DNS_TIMEOUT,		/* no reply in time */
	NG_DNS_ERROR,		/* SERVFAIL, REFUSED, ... or socket error */
	NG_DNS_GARBAGE,		/* a reply we could not read */
	NG_DNS_CANCELLED	/* channel torn down: count nothing */
};

struct ng_dns_answer {
	enum ng_dns_kind kind;
	int truncated;		/* TC bit: the server cut the reply */
	uint32_t ttl;		/* seconds, DATA and NONE; 0 = unknown */
	unsigned n;		/* addresses or names */
	uint8_t addr[NG_DNS_ADDRS_MAX][16];	/* A: the first 4 bytes */
	char name[NG_DNS_PTRS_MAX][NG_DNS_NAME_MAX];
};

/*
 * ng_dns_answer_parse - one reply of qtype (1 A, 28 AAAA, 12 PTR) into
 * out.  status is the c-ares status the callback got; abuf may be NULL
 * (a timeout).  Never fails: a reply it cannot read is NG_DNS_GARBAGE.
 */
void ng_dns_answer_parse(int qtype, int status, const unsigned char *abuf,
    int alen, struct ng_dns_answer *out);

/*
 * ng_dns_reply_ttl - the smallest TTL of the answer records of qtype,
 * or for qtype 6 (SOA) of a negative reply min(SOA TTL, SOA minimum)
 * from the authority section; -1 when there is none or the reply does
 * not walk.
 */
long ng_dns_reply_ttl(const unsigned char *abuf, size_t alen, int qtype);

#endif
