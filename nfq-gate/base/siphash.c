/*
 * siphash.c - SipHash-2-4, written from the paper's description.
 *
 * The state v0..v3 is the key k0, k1 xor'ed with the constants spelling
 * "somepseudorandomlygeneratedbytes"; the message is taken in 64-bit little-endian words, the last one padded
 * with zeros and carrying the length mod 256 in its top byte; two
 * SipRounds per word, v2 ^= 0xff, four SipRounds, and the xor of the
 * four state words is the hash.
 */
#include "base/siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* le64 - a 64-bit little-endian word from n <= 8 bytes, zero padded. */
static uint64_t
le64(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/* sipround - one ARX round over the four state words. */
static void
sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* compress - absorb one message word with c = 2 rounds. */
static void
compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

/* ng_siphash24 - SipHash-2-4 of msg under the 128-bit key. */
uint64_t
ng_siphash24(const uint8_t key[NG_SIPHASH_KEYLEN], const void *msg,
    size_t len)
{
	const uint8_t *p = msg;
	uint64_t k0 = le64(key, 8), k1 = le64(key + 8, 8), v[4];
	size_t left = len;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (; left >= 8; left -= 8, p += 8)
		compress(v, le64(p, 8));
	compress(v, le64(p, left) | (uint64_t)(len & 0xff) << 56);
	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
