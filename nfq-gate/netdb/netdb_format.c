/*
 * netdb_format.c - what the database's reader and writer share: the
 * 128-bit address value and the file's checksum (netdb_format.h).
 */
#include <string.h>
#include <zlib.h>

#include "base/addr.h"
#include "netdb/netdb_format.h"

/* ng_u128_from_addr - a's bytes as one host-order number. */
ng_u128
ng_u128_from_addr(const struct ng_addr *a)
{
	ng_u128 v = 0;
	int i, n = a->family == 6 ? 16 : 4;

	for (i = 0; i < n; i++)
		v = v << 8 | a->b[i];
	return v;
}

/* ng_u128_to_addr - the address of family whose value is v. */
void
ng_u128_to_addr(ng_u128 v, int family, struct ng_addr *a)
{
	int i, n = family == 6 ? 16 : 4;

	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	for (i = n - 1; i >= 0; i--) {
		a->b[i] = (uint8_t)v;
		v >>= 8;
	}
}

/*
 * ng_netdb_crc - the crc32 of an image: the header with its checksum
 * field as 0, then the body.
 */
uint32_t
ng_netdb_crc(const void *image, size_t len)
{
	struct ng_netdb_header h;
	const unsigned char *p = image;
	uLong crc;

	memcpy(&h, p, sizeof(h));
	h.checksum = 0;
	crc = crc32(0L, (const Bytef *)&h, sizeof(h));
	return (uint32_t)crc32(crc, p + sizeof(h), (uInt)(len - sizeof(h)));
}
