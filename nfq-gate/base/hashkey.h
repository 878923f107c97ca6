/*
 * hashkey.h - the front-ends' secret key for the engine's tables.
 *
 * The engine is pure and draws nothing itself; nfq-gate -q and -r fill
 * the settings' hash_key from the kernel's random pool before they make
 * it.
 */
#ifndef NG_HASHKEY_H
#define NG_HASHKEY_H

#include <stdint.h>

#define NG_HASH_KEY_LEN 16

/* 0, or -1 with errno when the kernel gave no random bytes. */
int ng_hash_key_draw(uint8_t key[NG_HASH_KEY_LEN]);

#endif
