/*
 * oldhash.h - the flow table's hash before SipHash, kept to choose keys
 * that collide under it (tests/bench/hash_bench.c, tests/unit/test_flow.c).
 *
 * The old bucket was murmur3-style mixing of the client address seeded
 * with seed ^ (cport << 16 | sport).  The per-word mix is invertible and
 * the seed only enters by xor before it, so for any fixed T the keys
 * (address f^-1(T ^ cport << 16), cport) all give the same state after
 * the first word, whatever the seed: 65,535 (address, port) pairs in one
 * bucket.  Header-only so each user stays one file.
 */
#ifndef NG_BENCH_OLDHASH_H
#define NG_BENCH_OLDHASH_H

#include <stdint.h>
#include <string.h>

#define OLD_C1 0xcc9e2d51u
#define OLD_C2 0x1b873593u

/* old_mix - the old per-word mix (murmur3's body step). */
static inline uint32_t
old_mix(uint32_t h, uint32_t w)
{
	w *= OLD_C1;
	w = (w << 15) | (w >> 17);
	w *= OLD_C2;
	h ^= w;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

/* old_addr_hash - the old ng_addr_hash(): family, words, finaliser. */
static inline uint32_t
old_addr_hash(uint8_t family, const uint8_t b[16], uint32_t seed)
{
	uint32_t h = seed ^ family, w;
	unsigned i, n = family == 6 ? 16 : 4;

	for (i = 0; i < n; i += 4) {
		memcpy(&w, b + i, 4);
		h = old_mix(h, w);
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

/* old_flow_hash - the old flow.c key_hash() of an IPv4 4-tuple. */
static inline uint32_t
old_flow_hash(const uint8_t cb[16], uint16_t cport, uint32_t saddr_v4,
    uint16_t sport, uint32_t seed, uint32_t nbucket)
{
	uint32_t h = old_addr_hash(4, cb, seed ^ ((uint32_t)cport << 16 |
	    sport));

	h ^= saddr_v4 * 2654435761u;
	h ^= h >> 15;
	return h & (nbucket - 1);
}

/* old_inverse - the inverse of an odd number modulo 2^32 (Newton). */
static inline uint32_t
old_inverse(uint32_t a)
{
	uint32_t x = a;
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - a * x;
	return x;
}

/*
 * old_colliding - the i-th client (address bytes and port) of a set that
 * shares one old bucket for any seed; i < 65535, family t picks the set.
 * Returns the address in host order, as syn_build() wants it.
 */
static inline uint32_t
old_colliding(uint32_t i, uint32_t t, uint8_t cb[16], uint16_t *cport)
{
	uint32_t p = 1 + i % 65535, w = (0x5bd1e995u * (t + 1)) ^ p << 16;

	w *= old_inverse(OLD_C2);
	w = (w >> 15) | (w << 17);
	w *= old_inverse(OLD_C1);
	memset(cb, 0, 16);
	memcpy(cb, &w, 4);
	*cport = (uint16_t)p;
	return (uint32_t)cb[0] << 24 | (uint32_t)cb[1] << 16 |
	    (uint32_t)cb[2] << 8 | cb[3];
}

#endif
