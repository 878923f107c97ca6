/*
 * test_siphash.c - SipHash-2-4 against the paper's test vectors: key
 * 00 01 .. 0f, message 00 01 .. (len-1).  Appendix A of Aumasson and
 * Bernstein's paper works the 15-byte message through to a129ca6149be45e5;
 * the others are from the authors' reference vectors.
 */
#include "base/siphash.h"
#include "test.h"

static void
test_vectors(void)
{
	static const struct {
		size_t len;
		uint64_t want;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 1, 0x74f839c593dc67fdULL },
		{ 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL },
	};
	uint8_t key[16], msg[64];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK(ng_siphash24(key, msg, v[i].len) == v[i].want);
}

/* Every key bit and every message byte matters; the length does too. */
static void
test_key_and_length(void)
{
	uint8_t key[16] = { 0 }, msg[37] = { 0 };
	uint64_t h0 = ng_siphash24(key, msg, sizeof(msg));
	unsigned i, same = 0;

	for (i = 0; i < 128; i++) {
		key[i / 8] ^= (uint8_t)(1u << (i % 8));
		same += ng_siphash24(key, msg, sizeof(msg)) == h0;
		key[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	for (i = 0; i < sizeof(msg); i++) {
		msg[i] = 1;
		same += ng_siphash24(key, msg, sizeof(msg)) == h0;
		msg[i] = 0;
	}
	CHECK_EQ(same, 0);
	/* Zero padding is not the same message: the length is hashed. */
	CHECK(ng_siphash24(key, msg, 4) != ng_siphash24(key, msg, 5));
}

int
main(void)
{
	RUN(test_vectors);
	RUN(test_key_and_length);
	return test_done();
}
