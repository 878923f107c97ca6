/*
 * cidr_cover.c - minimal CIDR cover of address ranges, and the merger
 * that joins touching ranges before they are covered.
 *
 * Addresses are handled as 128-bit integers (two uint64_t halves; an IPv4
 * address is the low 32 bits) so one loop serves both families.  The
 * cover is the classic greedy one: from the range's start take the
 * largest prefix that is both aligned at the start (its trailing zero
 * bits) and no longer than what is left of the range, then move past it.
 * Greedy is optimal here because any prefix starting at the current
 * address must satisfy both bounds, and the largest one leaves the
 * fewest addresses for the rest.
 */
#include <string.h>

#include "netdb/cidr_cover.h"

struct u128 {
	uint64_t hi, lo;
};

/* fam_ok - whether a is of a family the cover knows (4 or 6). */
static int
fam_ok(const struct ng_addr *a)
{
	return a->family == 4 || a->family == 6;
}

/* to_u128 - a as one 128-bit number, IPv4 in the low 32 bits. */
static struct u128
to_u128(const struct ng_addr *a)
{
	struct u128 v = { 0, 0 };
	int i;

	if (a->family == 4)
		v.lo = ng_addr_v4(a);
	else {
		for (i = 0; i < 8; i++)
			v.hi = v.hi << 8 | a->b[i];
		for (i = 8; i < 16; i++)
			v.lo = v.lo << 8 | a->b[i];
	}
	return v;
}

/* from_u128 - the address of family whose number is v. */
static void
from_u128(struct ng_addr *a, int family, struct u128 v)
{
	int i;

	memset(a, 0, sizeof *a);
	a->family = (uint8_t)family;
	if (family == 4) {
		ng_addr_set_v4(a, (uint32_t)v.lo);
		return;
	}
	for (i = 15; i >= 8; i--, v.lo >>= 8)
		a->b[i] = (uint8_t)v.lo;
	for (i = 7; i >= 0; i--, v.hi >>= 8)
		a->b[i] = (uint8_t)v.hi;
}

/* u128_cmp - compare a with b: -1, 0 or 1. */
static int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

/* u128_tz - trailing zero bits of v, at most bits (0 is aligned to all). */
static unsigned
u128_tz(struct u128 v, unsigned bits)
{
	unsigned n;

	if (v.lo)
		n = (unsigned)__builtin_ctzll(v.lo);
	else if (v.hi)
		n = 64 + (unsigned)__builtin_ctzll(v.hi);
	else
		n = 128;
	return n < bits ? n : bits;
}

/* span_log2 - floor(log2(last - first + 1)); 128 for all of IPv6. */
static unsigned
span_log2(struct u128 first, struct u128 last)
{
	struct u128 d;

	d.lo = last.lo - first.lo;
	d.hi = last.hi - first.hi - (last.lo < first.lo);
	if (d.hi == UINT64_MAX && d.lo == UINT64_MAX)
		return 128;
	if (++d.lo == 0)
		d.hi++;
	if (d.hi)
		return 127 - (unsigned)__builtin_clzll(d.hi);
	return 63 - (unsigned)__builtin_clzll(d.lo);
}

/* u128_step - v += 2^k; 1 when that leaves the family's address space. */
static int
u128_step(struct u128 *v, unsigned k, unsigned bits)
{
	uint64_t old;

	if (k >= 128)
		return 1;
	if (k >= 64) {
		old = v->hi;
		v->hi += (uint64_t)1 << (k - 64);
		return v->hi < old;
	}
	old = v->lo;
	v->lo += (uint64_t)1 << k;
	if (v->lo < old && ++v->hi == 0)
		return 1;
	return bits == 32 && v->lo > UINT32_MAX;
}

/* ng_cidr_cover - emit the minimal prefix cover of [first, last], greedily. */
int
ng_cidr_cover(const struct ng_addr *first, const struct ng_addr *last,
    ng_cover_fn fn, void *arg)
{
	struct u128 a, b;
	struct ng_addr net;
	unsigned bits, k, span;
	int rc;

	if (!fam_ok(first) || first->family != last->family)
		return -1;
	bits = ng_addr_bits(first);
	a = to_u128(first);
	b = to_u128(last);
	if (u128_cmp(a, b) > 0)
		return -1;
	for (;;) {
		k = u128_tz(a, bits);
		span = span_log2(a, b);
		if (span < k)
			k = span;
		from_u128(&net, first->family, a);
		if ((rc = fn(&net, bits - k, arg)) != 0)
			return rc;
		if (u128_step(&a, k, bits) || u128_cmp(a, b) > 0)
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
joins(struct u128 end, struct u128 next, unsigned bits)
{
	if (u128_cmp(next, end) <= 0)
		return 1;
	if (u128_step(&end, 0, bits))
		return 0;
	return u128_cmp(next, end) == 0;
}

/*
 * ng_cover_merge_add - extend the pending run with [first, last], or cover the
 * run and start a new one.
 */
int
ng_cover_merge_add(struct ng_cover_merge *m, const struct ng_addr *first,
    const struct ng_addr *last)
{
	struct u128 f, l, runf, runl;
	int rc;

	if (!fam_ok(first) || first->family != last->family)
		return -1;
	f = to_u128(first);
	l = to_u128(last);
	if (u128_cmp(f, l) > 0)
		return -1;
	if (m->open) {
		if (first->family != m->first.family)
			return -1;
		runf = to_u128(&m->first);
		runl = to_u128(&m->last);
		if (u128_cmp(f, runf) < 0)
			return -1;
		if (joins(runl, f, ng_addr_bits(first))) {
			if (u128_cmp(l, runl) > 0)
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
