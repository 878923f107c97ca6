/*
 * hashkey.c - draw the tables' SipHash key from getrandom().
 *
 * A blocking getrandom() at start-up: before the pool is initialised the
 * key would be guessable, and a gate started that early can wait.
 */
#include <errno.h>
#include <sys/random.h>

#include "base/hashkey.h"

/* ng_hash_key_draw - fill c->hash_key with 16 random bytes. */
int
ng_hash_key_draw(struct ng_config *c)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(c->hash_key)) {
		n = getrandom(c->hash_key + got, sizeof(c->hash_key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}
