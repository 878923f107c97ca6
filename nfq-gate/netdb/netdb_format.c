/*
 * netdb_format.c - what the database's reader and writer share: the
 * 128-bit address value, the IPv6 tree's shape and keys, and the file's
 * checksum (netdb_format.h).
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
 * ng_netdb_tree_shape - the level sizes of the tree over n high intervals:
 * n - 1 leaf keys and at least one pad, in whole nodes; each level above
 * has one node per NG_NETDB_B6 + 1 nodes below, up to a single root.
 */
int
ng_netdb_tree_shape(size_t n, struct ng_netdb_tree *t)
{
	size_t cnt[NG_NETDB_MAXLEVELS], c;
	unsigned h = 0, l;

	memset(t, 0, sizeof(*t));
	if (n == 0 || n > ((size_t)1 << 40))
		return -1;
	t->leafkeys = (n + NG_NETDB_B6 - 1) / NG_NETDB_B6 * NG_NETDB_B6;
	c = t->leafkeys / NG_NETDB_B6;
	for (;;) {
		if (h == NG_NETDB_MAXLEVELS)
			return -1;
		cnt[h++] = c;
		if (c == 1)
			break;
		c = (c + NG_NETDB_B6) / (NG_NETDB_B6 + 1);
	}
	t->height = h;
	for (l = 0; l < h; l++) {
		t->nodes[l] = cnt[h - 1 - l];
		t->off[l] = t->keys;
		t->keys += t->nodes[l] * NG_NETDB_B6;
	}
	t->span[h - 1] = NG_NETDB_B6;
	for (l = h - 1; l > 0; l--)
		t->span[l - 1] = t->span[l] * (NG_NETDB_B6 + 1);
	return 0;
}

/*
 * ng_netdb_tree_key - key i of inner level l: the last leaf key under child
 * i % B of node i / B, UINT64_MAX when that child lies past the leaves.
 * The leaf level ends in a pad, so the last child that exists is UINT64_MAX
 * too and no search descends past it.
 */
uint64_t
ng_netdb_tree_key(const uint64_t *keys, const struct ng_netdb_tree *t,
    unsigned l, size_t i)
{
	size_t c = i / NG_NETDB_B6 * (NG_NETDB_B6 + 1) + i % NG_NETDB_B6;
	size_t last = (c + 1) * t->span[l + 1] - 1;

	if (last >= t->leafkeys)
		return UINT64_MAX;
	return keys[t->off[t->height - 1] + last];
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
