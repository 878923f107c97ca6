/*
 * siphash.h - SipHash-2-4, the keyed hash of every table an attacker
 * can fill (flows, pass cache, penalty box, greylist).
 *
 * A table keyed by addresses and ports that anyone on the Internet can
 * choose is a target for hash flooding: pick keys that share a bucket
 * and every lookup walks one long chain.  An unkeyed or weakly seeded
 * hash cannot stop that; SipHash is a PRF under a secret 128-bit key, so
 * without the key nobody can pick colliding inputs.  Aumasson and
 * Bernstein, "SipHash: a fast short-input PRF" (2012).
 */
#ifndef NG_SIPHASH_H
#define NG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define NG_SIPHASH_KEYLEN 16

uint64_t ng_siphash24(const uint8_t key[NG_SIPHASH_KEYLEN], const void *msg,
    size_t len);

#endif
