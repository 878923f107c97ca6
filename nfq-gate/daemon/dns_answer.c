/*
 * dns_answer.c - a DNS reply into struct ng_dns_answer (see dns_answer.h).
 *
 * c-ares has already matched the reply to our question (id, name,
 * type) and mapped the RCODE to a status; what is left to distrust is
 * the record data, which c-ares' parsers read, and the TTLs, which a
 * small walker here reads with every offset checked against alen.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "daemon/dns_answer.h"

#define HDR_LEN 12
#define T_SOA_ 6
#define LABELS_MAX 128

/*
 * skip_name - the offset past a (possibly compressed) name at off, or
 * -1.  A pointer ends the name where it stands, so nothing is followed.
 */
static long
skip_name(const unsigned char *b, size_t len, size_t off)
{
	int n;

	for (n = 0; n < LABELS_MAX; n++) {
		unsigned c;

		if (off >= len)
			return -1;
		c = b[off];
		if (c == 0)
			return (long)off + 1;
		if ((c & 0xC0) == 0xC0)
			return off + 2 <= len ? (long)off + 2 : -1;
		if ((c & 0xC0) != 0)
			return -1;
		off += 1 + c;
	}
	return -1;
}

/* min_ttl - keep the smaller of two TTLs, -1 meaning none yet. */
static long
min_ttl(long have, long ttl)
{
	return have < 0 || ttl < have ? ttl : have;
}

/*
 * rr_ttl - the TTL an RR contributes: its own for the type asked in
 * the answer section, min(TTL, SOA minimum) for an authority SOA.
 */
static long
rr_ttl(const unsigned char *rr, unsigned rdlen, int want_soa)
{
	long ttl = (long)(ng_get32(rr + 4) & 0x7fffffff);

	if (!want_soa)
		return ttl;
	if (rdlen < 22)		/* two names of 1 byte and five numbers */
		return -1;
	return min_ttl(ttl, (long)(ng_get32(rr + 10 + rdlen - 4) & 0x7fffffff));
}

/* ng_dns_reply_ttl - walk the sections for the TTL of qtype's RRs. */
long
ng_dns_reply_ttl(const unsigned char *b, size_t len, int qtype)
{
	unsigned qd, an, ns, i;
	long off, best = -1;

	if (b == NULL || len < HDR_LEN)
		return -1;
	qd = ng_get16(b + 4);
	an = ng_get16(b + 6);
	ns = ng_get16(b + 8);
	off = HDR_LEN;
	for (i = 0; i < qd; i++) {
		if ((off = skip_name(b, len, (size_t)off)) < 0 ||
		    (size_t)off + 4 > len)
			return -1;
		off += 4;
	}
	for (i = 0; i < an + (qtype == T_SOA_ ? ns : 0); i++) {
		unsigned type, rdlen;

		if ((off = skip_name(b, len, (size_t)off)) < 0 ||
		    (size_t)off + 10 > len)
			return -1;
		type = ng_get16(b + off);
		rdlen = ng_get16(b + off + 8);
		if ((size_t)off + 10 + rdlen > len)
			return -1;
		if ((int)type == qtype && (qtype != T_SOA_ || i >= an))
			best = min_ttl(best, rr_ttl(b + off, rdlen,
			    qtype == T_SOA_));
		off += 10 + (long)rdlen;
	}
	return best;
}

/* clean_name - a PTR name fit to log and match: printable, no blanks. */
static int
clean_name(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0 || len >= NG_DNS_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '"' ||
		    s[i] == '\\')
			return 0;
	return 1;
}

/* add_name - one PTR name, lower-cased, unless kept already. */
static void
add_name(struct ng_dns_answer *out, const char *s)
{
	char low[NG_DNS_NAME_MAX];
	size_t i;

	if (out->n >= NG_DNS_PTRS_MAX || !clean_name(s))
		return;
	for (i = 0; s[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = '\0';
	for (i = 0; i < out->n; i++)
		if (strcmp(out->name[i], low) == 0)
			return;
	memcpy(out->name[out->n++], low, strlen(low) + 1);
}

/* parse_ptr - the names of a PTR reply. */
static int
parse_ptr(const unsigned char *abuf, int alen, struct ng_dns_answer *out)
{
	struct hostent *h = NULL;
	static const uint8_t dummy[4];
	int rc, i;

	rc = ares_parse_ptr_reply(abuf, alen, dummy, 4, AF_INET, &h);
	if (rc != ARES_SUCCESS)
		return rc;
	if (h->h_name != NULL)
		add_name(out, h->h_name);
	for (i = 0; h->h_aliases != NULL && h->h_aliases[i] != NULL; i++)
		add_name(out, h->h_aliases[i]);
	ares_free_hostent(h);
	return out->n > 0 ? ARES_SUCCESS : ARES_EBADRESP;
}

/* parse_addrs - the addresses of an A or AAAA reply, with their TTL. */
static int
parse_addrs(int qtype, const unsigned char *abuf, int alen,
    struct ng_dns_answer *out)
{
	struct ares_addrttl a4[NG_DNS_ADDRS_MAX];
	struct ares_addr6ttl a6[NG_DNS_ADDRS_MAX];
	int n = NG_DNS_ADDRS_MAX, rc, i;
	long ttl = -1;

	if (qtype == 1)
		rc = ares_parse_a_reply(abuf, alen, NULL, a4, &n);
	else
		rc = ares_parse_aaaa_reply(abuf, alen, NULL, a6, &n);
	if (rc != ARES_SUCCESS)
		return rc;
	if (n <= 0 || n > NG_DNS_ADDRS_MAX)
		return ARES_ENODATA;
	for (i = 0; i < n; i++) {
		if (qtype == 1) {
			memcpy(out->addr[i], &a4[i].ipaddr, 4);
			ttl = min_ttl(ttl, a4[i].ttl < 0 ? 0 : a4[i].ttl);
		} else {
			memcpy(out->addr[i], &a6[i].ip6addr, 16);
			ttl = min_ttl(ttl, a6[i].ttl < 0 ? 0 : a6[i].ttl);
		}
	}
	out->n = (unsigned)n;
	out->ttl = (uint32_t)ttl;
	return ARES_SUCCESS;
}

/* from_status - the kind for a c-ares failure status. */
static enum ng_dns_kind
from_status(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return NG_DNS_NONE;
	case ARES_ETIMEOUT:
		return NG_DNS_TIMEOUT;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		return NG_DNS_GARBAGE;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION:
		return NG_DNS_CANCELLED;
	default:	/* SERVFAIL, REFUSED, NOTIMP, ECONNREFUSED, ENOMEM */
		return NG_DNS_ERROR;
	}
}

/* negative - a "no" with the TTL its SOA allows (0: unknown). */
static void
negative(const unsigned char *abuf, int alen, struct ng_dns_answer *out)
{
	long ttl = abuf != NULL && alen > 0 ?
	    ng_dns_reply_ttl(abuf, (size_t)alen, T_SOA_) : -1;

	out->kind = NG_DNS_NONE;
	out->n = 0;
	out->ttl = ttl < 0 ? 0 : (uint32_t)ttl;
}

/* ng_dns_answer_parse - see dns_answer.h. */
void
ng_dns_answer_parse(int qtype, int status, const unsigned char *abuf,
    int alen, struct ng_dns_answer *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (abuf != NULL && alen >= HDR_LEN)
		out->truncated = (abuf[2] & 0x02) != 0;
	if (status != ARES_SUCCESS) {
		out->kind = from_status(status);
		if (out->kind == NG_DNS_NONE)
			negative(abuf, alen, out);
		if (out->truncated && out->kind == NG_DNS_NONE)
			out->kind = NG_DNS_ERROR;
		return;
	}
	if (abuf == NULL || alen < HDR_LEN) {
		out->kind = NG_DNS_GARBAGE;
		return;
	}
	if (qtype == 12) {
		long ttl = ng_dns_reply_ttl(abuf, (size_t)alen, 12);

		rc = parse_ptr(abuf, alen, out);
		out->ttl = ttl < 0 ? 0 : (uint32_t)ttl;
	} else {
		rc = parse_addrs(qtype, abuf, alen, out);
	}
	if (rc == ARES_SUCCESS)
		out->kind = NG_DNS_DATA;
	else if (rc == ARES_ENODATA)
		negative(abuf, alen, out);
	else
		out->kind = NG_DNS_GARBAGE;
	if (out->kind != NG_DNS_DATA)
		out->n = 0;
	/* A cut reply without records proves nothing: not a "no". */
	if (out->truncated && out->kind == NG_DNS_NONE)
		out->kind = NG_DNS_ERROR;
}
