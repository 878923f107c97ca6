/*
 * cidr.h - allow, deny and nolisting lists: sets of IPv4/IPv6 prefixes.
 *
 * Lists are small next to the netblock database (hundreds of entries, not
 * hundreds of thousands), so a sorted array of prefixes searched from the
 * most specific length down is plenty, and it is easy to check by eye.
 */
#ifndef NG_CIDR_H
#define NG_CIDR_H

#include <stddef.h>

#include "base/addr.h"

struct ng_cidr {
	struct ng_addr net;	/* already masked to plen */
	unsigned plen;
};

struct ng_cidr_list {
	struct ng_cidr *v;
	size_t n, cap;
};

void ng_cidr_list_init(struct ng_cidr_list *l);
void ng_cidr_list_free(struct ng_cidr_list *l);
int ng_cidr_list_add(struct ng_cidr_list *l, const struct ng_addr *a,
    unsigned plen);
/* Parse "a.b.c.d/n", "v6/n" or a bare address and add it. */
int ng_cidr_list_add_str(struct ng_cidr_list *l, const char *s);
int ng_cidr_list_copy(struct ng_cidr_list *dst, const struct ng_cidr_list *src);
int ng_cidr_list_match(const struct ng_cidr_list *l, const struct ng_addr *a);

#endif
