/*
 * addr.h - IPv4 and IPv6 addresses as one value type.
 *
 * Every table in the gate (flows, pass cache, penalty box, CIDR lists,
 * the netblock database) keys on addresses of either family.  One fixed
 * 17-byte value with the family beside it keeps those tables free of
 * sockaddr juggling and lets IPv4 and IPv6 share one code path.
 * IPv4 addresses sit in b[0..3]; the rest of b[] is zero.
 */
#ifndef NG_ADDR_H
#define NG_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define NG_ADDRSTRLEN 46	/* enough for any IPv6 text form */
#define NG_EPSTRLEN   56	/* "[addr]:port" */

struct ng_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t b[16];
};

int ng_addr_parse(struct ng_addr *a, const char *s);
int ng_addr_parse_cidr(struct ng_addr *a, unsigned *plen, const char *s);
char *ng_addr_format(const struct ng_addr *a, char *buf, size_t len);
char *ng_addr_format_ep(const struct ng_addr *a, uint16_t port, char *buf,
    size_t len);
void ng_addr_mask(struct ng_addr *a, unsigned plen);
int ng_addr_cmp(const struct ng_addr *a, const struct ng_addr *b);
int ng_addr_in(const struct ng_addr *a, const struct ng_addr *net,
    unsigned plen);
unsigned ng_addr_bits(const struct ng_addr *a);
/* Keyed (SipHash-2-4, 16-byte key): see siphash.h. */
uint32_t ng_addr_hash(const struct ng_addr *a, const uint8_t key[16]);
uint32_t ng_addr_v4(const struct ng_addr *a);
void ng_addr_set_v4(struct ng_addr *a, uint32_t host_order);

/* Two-letter country codes packed into 16 bits; 0 means "not covered". */
uint16_t ng_cc_pack(const char *s);
char *ng_cc_str(uint16_t cc, char buf[3]);

#endif
