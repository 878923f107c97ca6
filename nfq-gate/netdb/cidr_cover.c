/*
 * cidr_cover.c - minimal CIDR cover of address ranges, and the merger
 * that joins touching ranges before they are covered.
 *
 * Addresses are handled as 128-bit integers (ng_u128, the database
 * format's own; an IPv4 address is the low 32 bits) so one loop serves
 * both families.  The
 * cover is the classic greedy one: from the range's start take the
 * largest prefix that is both aligned at the start (its trailing zero
 * bits) and no longer than what is left of the range, then move past it.
 * Greedy is optimal here because any prefix starting at the current
 * address must satisfy both bounds, and the largest one leaves the
 * fewest addresses for the rest.
 */
#include <string.h>

#include "netdb/cidr_cover.h"
#include "netdb/netdb_format.h"

#define U128_ALL (~(ng_u128)0)

/* fam_ok - whether a is of a family the cover knows (4 or 6). */
static int
fam_ok(const struct ng_addr *a)
{
	return a->family == 4 || a->family == 6;
}

/* u128_tz - trailing zero bits of v, at most bits (0 is aligned to all). */
static unsigned
u128_tz(ng_u128 v, unsigned bits)
{
	uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
	unsigned n;

	if (lo)
		n = (unsigned)__builtin_ctzll(lo);
	else if (hi)
		n = 64 + (unsigned)__builtin_ctzll(hi);
	else
		n = 128;
	return n < bits ? n : bits;
}

/* span_log2 - floor(log2(last - first + 1)); 128 for all of IPv6. */
static unsigned
span_log2(ng_u128 first, ng_u128 last)
{
	ng_u128 d = last - first;
	uint64_t hi;

	if (d == U128_ALL)
		return 128;
	d++;
	hi = (uint64_t)(d >> 64);
	if (hi)
		return 127 - (unsigned)__builtin_clzll(hi);
	return 63 - (unsigned)__builtin_clzll((uint64_t)d);
}

/* u128_step - v += 2^k; 1 when that leaves the family's address space. */
static int
u128_step(ng_u128 *v, unsigned k, unsigned bits)
{
	ng_u128 old = *v;

	if (k >= 128)
		return 1;
	*v += (ng_u128)1 << k;
	if (*v < old)
		return 1;
	return bits == 32 && *v > UINT32_MAX;
}

/* ng_cidr_cover - emit the minimal prefix cover of [first, last], greedily. */
int
ng_cidr_cover(const struct ng_addr *first, const struct ng_addr *last,
    ng_cover_fn fn, void *arg)
{
	ng_u128 a, b;
	struct ng_addr net;
	unsigned bits, k, span;
	int rc;

	if (!fam_ok(first) || first->family != last->family)
		return -1;
	bits = ng_addr_bits(first);
	a = ng_u128_from_addr(first);
	b = ng_u128_from_addr(last);
	if (a > b)
		return -1;
	for (;;) {
		k = u128_tz(a, bits);
		span = span_log2(a, b);
		if (span < k)
			k = span;
		ng_u128_to_addr(a, first->family, &net);
		if ((rc = fn(&net, bits - k, arg)) != 0)
			return rc;
		if (u128_step(&a, k, bits) || a > b)
			return 0;
	}
}

/* ng_cover_merge_init - an empty merger that hands its prefixes to fn. */
void
ng_cover_merge_init(struct ng_cover_merge *m, ng_cover_fn fn, void *arg)
{
	memset(m, 0, sizeof *m);
	m->fn = fn;
	m->arg = arg;
}

/* joins - does a range starting at next overlap or touch a run up to end? */
static int
joins(ng_u128 end, ng_u128 next, unsigned bits)
{
	if (next <= end)
		return 1;
	if (u128_step(&end, 0, bits))
		return 0;
	return next == end;
}

/*
 * ng_cover_merge_add - extend the pending run with [first, last], or cover the
 * run and start a new one.
 */
int
ng_cover_merge_add(struct ng_cover_merge *m, const struct ng_addr *first,
    const struct ng_addr *last)
{
	ng_u128 f, l, runf, runl;
	int rc;

	if (!fam_ok(first) || first->family != last->family)
		return -1;
	f = ng_u128_from_addr(first);
	l = ng_u128_from_addr(last);
	if (f > l)
		return -1;
	if (m->open) {
		if (first->family != m->first.family)
			return -1;
		runf = ng_u128_from_addr(&m->first);
		runl = ng_u128_from_addr(&m->last);
		if (f < runf)
			return -1;
		if (joins(runl, f, ng_addr_bits(first))) {
			if (l > runl)
				m->last = *last;
			return 0;
		}
		if ((rc = ng_cover_merge_finish(m)) != 0)
			return rc;
	}
	m->first = *first;
	m->last = *last;
	m->open = 1;
	return 0;
}

/* ng_cover_merge_finish - cover and emit the pending run, if any. */
int
ng_cover_merge_finish(struct ng_cover_merge *m)
{
	if (!m->open)
		return 0;
	m->open = 0;
	return ng_cidr_cover(&m->first, &m->last, m->fn, m->arg);
}
