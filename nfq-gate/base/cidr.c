/*
 * cidr.c - allow, deny and nolisting prefix lists.
 *
 * Match is a linear scan: lists are short, they are consulted once per
 * SYN, not per packet, and a scan has no ordering invariant to get wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "base/cidr.h"

/* ng_cidr_list_init - an empty list. */
void
ng_cidr_list_init(struct ng_cidr_list *l)
{
	memset(l, 0, sizeof(*l));
}

/* ng_cidr_list_free - free the prefixes; the list is empty again. */
void
ng_cidr_list_free(struct ng_cidr_list *l)
{
	free(l->v);
	ng_cidr_list_init(l);
}

/*
 * ng_cidr_list_add - append net/plen, masked.  0, or -1 (a bad length, no
 * memory).
 */
int
ng_cidr_list_add(struct ng_cidr_list *l, const struct ng_addr *a,
    unsigned plen)
{
	struct ng_cidr *v;

	if (plen > ng_addr_bits(a))
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		v = realloc(l->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].net = *a;
	ng_addr_mask(&l->v[l->n].net, plen);
	l->v[l->n].plen = plen;
	l->n++;
	return 0;
}

/* ng_cidr_list_add_str - append "net/len" or a bare address.  0, or -1. */
int
ng_cidr_list_add_str(struct ng_cidr_list *l, const char *s)
{
	struct ng_addr a;
	unsigned plen;

	if (ng_addr_parse_cidr(&a, &plen, s) < 0)
		return -1;
	return ng_cidr_list_add(l, &a, plen);
}

/*
 * ng_cidr_list_copy - a deep copy in dst, which need not be initialised.
 * 0, or -1.
 */
int
ng_cidr_list_copy(struct ng_cidr_list *dst, const struct ng_cidr_list *src)
{
	ng_cidr_list_init(dst);
	if (src->n == 0)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (dst->v == NULL)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

/* ng_cidr_list_match - whether a lies in any prefix of the list. */
int
ng_cidr_list_match(const struct ng_cidr_list *l, const struct ng_addr *a)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ng_addr_in(a, &l->v[i].net, l->v[i].plen))
			return 1;
	return 0;
}
