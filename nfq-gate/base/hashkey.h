/*
 * hashkey.h - the front-ends' secret key for the engine's tables.
 *
 * The engine is pure and draws nothing itself; nfq-gate -q and -r fill
 * ng_config.hash_key from the kernel's random pool before they make it.
 */
#ifndef NG_HASHKEY_H
#define NG_HASHKEY_H

#include "conf/config.h"

/* 0, or -1 with errno when the kernel gave no random bytes. */
int ng_hash_key_draw(struct ng_config *c);

#endif
