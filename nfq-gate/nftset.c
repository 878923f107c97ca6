/*
 * nftset.c - add an address to an nftables set with a timeout (libnftnl).
 * Filled in below; see nftset.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "nftset.h"

struct ng_nftset {
	int unused;
};

struct ng_nftset *
ng_nftset_open(const char *table, const char *set4, const char *set6,
    char *err, size_t errlen)
{
	(void)table; (void)set4; (void)set6;
	snprintf(err, errlen, "not supported yet");
	return NULL;
}

void
ng_nftset_close(struct ng_nftset *s)
{
	free(s);
}

int
ng_nftset_add(struct ng_nftset *s, const struct ng_addr *a, ng_usec ttl,
    char *err, size_t errlen)
{
	(void)s; (void)a; (void)ttl;
	snprintf(err, errlen, "not supported yet");
	return -1;
}
