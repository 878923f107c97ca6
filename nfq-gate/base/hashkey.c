/*
 * hashkey.c - draw the tables' SipHash key from getrandom().
 *
 * A blocking getrandom() at start-up: before the pool is initialised the
 * key would be guessable, and a gate started that early can wait.
 */
#include <errno.h>
#include <sys/random.h>

#include "base/hashkey.h"

/* ng_hash_key_draw - fill key with NG_HASH_KEY_LEN random bytes. */
int
ng_hash_key_draw(uint8_t key[NG_HASH_KEY_LEN])
{
	size_t got = 0;
	ssize_t n;

	while (got < NG_HASH_KEY_LEN) {
		n = getrandom(key + got, NG_HASH_KEY_LEN - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}
