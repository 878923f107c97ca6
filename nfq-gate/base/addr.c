/*
 * addr.c - parse, print, mask and hash addresses of either family.
 *
 * Text forms go through inet_pton/inet_ntop, which every admin's tools
 * agree with; the rest is byte arithmetic on the 16-byte array.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/siphash.h"

/* ng_addr_parse - text to an address; a colon says IPv6.  0, or -1. */
int
ng_addr_parse(struct ng_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, a->b) != 1)
			return -1;
		a->family = 6;
		return 0;
	}
	if (inet_pton(AF_INET, s, a->b) != 1)
		return -1;
	a->family = 4;
	return 0;
}

/*
 * ng_addr_parse_cidr - "net/len" or a bare address (a host prefix), the
 * address masked to len.  0, or -1.
 */
int
ng_addr_parse_cidr(struct ng_addr *a, unsigned *plen, const char *s)
{
	char buf[NG_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	unsigned long len;

	if (n == 0 || n >= NG_ADDRSTRLEN)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (ng_addr_parse(a, buf) < 0)
		return -1;
	if (slash == NULL) {
		*plen = ng_addr_bits(a);
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > ng_addr_bits(a))
		return -1;
	*plen = (unsigned)len;
	ng_addr_mask(a, *plen);
	return 0;
}

/* ng_addr_format - an address as text in buf, "?" if it will not print. */
char *
ng_addr_format(const struct ng_addr *a, char *buf, size_t len)
{
	int af = a->family == 6 ? AF_INET6 : AF_INET;

	if (inet_ntop(af, a->b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/*
 * ng_addr_format_ep - postscreen's endpoint form, "[addr]:port", for both
 * families.
 */
char *
ng_addr_format_ep(const struct ng_addr *a, uint16_t port, char *buf,
    size_t len)
{
	char t[NG_ADDRSTRLEN];

	snprintf(buf, len, "[%s]:%u", ng_addr_format(a, t, sizeof(t)),
	    (unsigned)port);
	return buf;
}

/* ng_addr_bits - 32 or 128: the prefix length of one host. */
unsigned
ng_addr_bits(const struct ng_addr *a)
{
	return a->family == 6 ? 128 : 32;
}

/* ng_addr_mask - zero every bit past plen. */
void
ng_addr_mask(struct ng_addr *a, unsigned plen)
{
	unsigned bits = ng_addr_bits(a), i;

	if (plen >= bits)
		return;
	i = plen / 8;
	if (plen % 8) {
		a->b[i] &= (uint8_t)(0xff00 >> (plen % 8));
		i++;
	}
	for (; i < 16; i++)
		a->b[i] = 0;
}

/* ng_addr_cmp - an order for sorting: family, then the bytes. */
int
ng_addr_cmp(const struct ng_addr *a, const struct ng_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}

/* ng_addr_in - whether a lies in net/plen. */
int
ng_addr_in(const struct ng_addr *a, const struct ng_addr *net, unsigned plen)
{
	struct ng_addr m;

	if (a->family != net->family)
		return 0;
	m = *a;
	ng_addr_mask(&m, plen);
	return memcmp(m.b, net->b, 16) == 0;
}

/*
 * ng_addr_hash - SipHash of the family and the address bytes (4 or 16)
 * under a secret key, so flooders cannot aim addresses at one bucket.
 */
uint32_t
ng_addr_hash(const struct ng_addr *a, const uint8_t key[16])
{
	uint8_t m[17];
	size_t n = a->family == 6 ? 16 : 4;

	m[0] = a->family;
	memcpy(m + 1, a->b, n);
	return (uint32_t)ng_siphash24(key, m, n + 1);
}

/* ng_addr_v4 - an IPv4 address as a host-order number. */
uint32_t
ng_addr_v4(const struct ng_addr *a)
{
	return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 |
	    (uint32_t)a->b[2] << 8 | a->b[3];
}

/* ng_addr_set_v4 - an IPv4 address from a host-order number. */
void
ng_addr_set_v4(struct ng_addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->b[0] = (uint8_t)(v >> 24);
	a->b[1] = (uint8_t)(v >> 16);
	a->b[2] = (uint8_t)(v >> 8);
	a->b[3] = (uint8_t)v;
}

/*
 * ng_cc_pack - a country code ("de" or "DE") as two bytes in 16 bits; 0
 * when it is not a letter then a letter or digit.
 */
uint16_t
ng_cc_pack(const char *s)
{
	char c0, c1;

	if (s == NULL || s[0] == '\0' || s[1] == '\0')
		return 0;
	c0 = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 32) : s[0];
	c1 = s[1] >= 'a' && s[1] <= 'z' ? (char)(s[1] - 32) : s[1];
	if (c0 < 'A' || c0 > 'Z' || !((c1 >= 'A' && c1 <= 'Z') ||
	    (c1 >= '0' && c1 <= '9')))
		return 0;
	return (uint16_t)((uint8_t)c0 << 8 | (uint8_t)c1);
}

/* ng_cc_str - a packed country code as text; 0 is "--" (no country). */
char *
ng_cc_str(uint16_t cc, char buf[3])
{
	if (cc == 0) {
		buf[0] = buf[1] = '-';
	} else {
		buf[0] = (char)(cc >> 8);
		buf[1] = (char)(cc & 0xff);
	}
	buf[2] = '\0';
	return buf;
}
