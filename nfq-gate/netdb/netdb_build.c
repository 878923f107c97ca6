/*
 * netdb_build.c - resolve overlapping source rows and lay out the
 * database image described in netdb_format.h.
 *
 * Overlaps are real in whois data (a /24 assigned inside a /16 of
 * another country), so the rows of each family are swept in address
 * order with a heap of the rows covering the current point; the heap's
 * top is the row that wins there (row_better: the one starting last,
 * then the narrowest, then the later row).  The winners form disjoint
 * segments, touching segments of one country are merged, and the gaps
 * become intervals of country 0, giving a partition of the address
 * space that the IPv4 stride tables and the IPv6 tree index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "netdb/netdb_build.h"
#include "netdb/netdb_format.h"

#if NG_NETDB_SLICE_MAX > 127
#error "NG_NETDB_SLICE_MAX must fit the 7-bit slice length"
#endif

struct seg {
	ng_u128 lo, hi;
	uint16_t cc;
};

/* A growable array of anything. */
struct vec {
	void *v;
	size_t n, cap, size;
};

/* vec_push - a new element at the end of a; NULL when out of memory. */
static void *
vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		void *nv = realloc(a->v, cap * a->size);

		if (nv == NULL)
			return NULL;
		a->v = nv;
		a->cap = cap;
	}
	return (char *)a->v + a->size * a->n++;
}

/*
 * ng_nrows_add - append the row [lo, hi] of family with country cc, its
 * priority above every row's before it.
 */
int
ng_nrows_add(struct ng_nrows *r, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc)
{
	struct ng_nrow *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		struct ng_nrow *nv = realloc(r->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	row = &r->v[r->n++];
	row->lo = lo;
	row->hi = hi;
	row->cc = cc;
	row->family = (uint8_t)family;
	row->prio = r->next_prio++;
	return 0;
}

/* ng_nrows_free - free r's rows and empty it. */
void
ng_nrows_free(struct ng_nrows *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* row_cmp - the sweep's order of rows: by family, then by start. */
static int
row_cmp(const void *pa, const void *pb)
{
	const struct ng_nrow *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/*
 * row_better - does row a beat row b where both cover a point?  By default the
 * row that starts last wins, then the narrower, then the later one.  For
 * nested rows that is the most specific row; where rows overlap only partly,
 * the later block overrides the earlier one's tail, as MMDB writers fed the
 * same sorted CSV do.  With last_wins, only the input order counts (an MMDB
 * writer's rule exactly, whatever the order).
 */
static int
row_better(const struct ng_nrow *a, const struct ng_nrow *b, int last_wins)
{
	ng_u128 wa = a->hi - a->lo, wb = b->hi - b->lo;

	if (!last_wins) {
		if (a->lo != b->lo)
			return a->lo > b->lo;
		if (wa != wb)
			return wa < wb;
	}
	return a->prio > b->prio;
}

/* A binary heap of row indexes, best row on top. */
struct heap {
	size_t *v;
	size_t n;
	const struct ng_nrow *rows;
	int last_wins;
};

/* heap_push - add row r to the heap, sifting it up. */
static void
heap_push(struct heap *h, size_t r)
{
	size_t i = h->n++, p;

	h->v[i] = r;
	while (i > 0) {
		p = (i - 1) / 2;
		if (!row_better(&h->rows[h->v[i]], &h->rows[h->v[p]],
		    h->last_wins))
			break;
		r = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = r;
		i = p;
	}
}

/* heap_pop - remove the heap's top, sifting the last row down. */
static void
heap_pop(struct heap *h)
{
	size_t i = 0, c, t;

	h->v[0] = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n &&
		    row_better(&h->rows[h->v[c + 1]], &h->rows[h->v[c]],
		    h->last_wins))
			c++;
		if (!row_better(&h->rows[h->v[c]], &h->rows[h->v[i]],
		    h->last_wins))
			break;
		t = h->v[c];
		h->v[c] = h->v[i];
		h->v[i] = t;
		i = c;
	}
}

/*
 * seg_emit - append the segment [lo, hi] of country cc, merged into the last
 * one when it continues it with the same country.
 */
static int
seg_emit(struct vec *segs, ng_u128 lo, ng_u128 hi, uint16_t cc)
{
	struct seg *last = segs->n ? (struct seg *)segs->v + segs->n - 1
	    : NULL, *s;

	if (last != NULL && last->cc == cc && last->hi + 1 == lo) {
		last->hi = hi;
		return 0;
	}
	if ((s = vec_push(segs)) == NULL)
		return -1;
	s->lo = lo;
	s->hi = hi;
	s->cc = cc;
	return 0;
}

/*
 * resolve_family - sweep rows[0..n) (one family, sorted by lo, up to max) into
 * merged segments, counting in *overlaps the rows that begin inside an earlier
 * one.  p is the current point; every row starting at or before p is in the
 * heap, rows ending before p are dropped lazily when they reach the top.
 */
static int
resolve_family(const struct ng_nrow *rows, size_t n, ng_u128 max,
    int last_wins, struct vec *segs, uint64_t *overlaps)
{
	struct heap h = { NULL, 0, rows, last_wins };
	size_t i = 0;
	ng_u128 p = 0, end, maxhi = 0;
	int any = 0;

	if (n == 0)
		return 0;
	if ((h.v = malloc(n * sizeof(*h.v))) == NULL)
		return -1;
	for (;;) {
		while (h.n > 0 && rows[h.v[0]].hi < p)
			heap_pop(&h);
		if (h.n == 0) {
			if (i == n)
				break;
			p = rows[i].lo;
		}
		for (; i < n && rows[i].lo == p; i++) {
			if (any && rows[i].lo <= maxhi)
				(*overlaps)++;
			if (!any || rows[i].hi > maxhi)
				maxhi = rows[i].hi;
			any = 1;
			heap_push(&h, i);
		}
		end = rows[h.v[0]].hi;
		if (i < n && rows[i].lo - 1 < end)
			end = rows[i].lo - 1;
		if (seg_emit(segs, p, end, rows[h.v[0]].cc) != 0) {
			free(h.v);
			return -1;
		}
		if (end == max)
			break;
		p = end + 1;
	}
	free(h.v);
	return 0;
}

/* The partition of one family: interval starts and country indexes. */
struct part {
	ng_u128 *start;
	uint8_t *cc;
	size_t n;
};

/*
 * make_partition - the partition of [0, max] that segs leave: each segment
 * with its country index, each gap as an interval of country 0.
 */
static int
make_partition(const struct vec *segs, ng_u128 max, const uint8_t *ccidx,
    struct part *pt)
{
	const struct seg *s = segs->v;
	size_t i, k = 0, cap = 2 * segs->n + 2;
	ng_u128 next = 0;

	pt->start = malloc(cap * sizeof(*pt->start));
	pt->cc = malloc(cap);
	if (pt->start == NULL || pt->cc == NULL)
		return -1;
	for (i = 0; i < segs->n; i++) {
		if (k == 0 || s[i].lo != next) {
			if (k > 0 || s[i].lo != 0) {
				pt->start[k] = next;
				pt->cc[k++] = 0;
			}
		}
		pt->start[k] = s[i].lo;
		pt->cc[k++] = ccidx[s[i].cc];
		next = s[i].hi + 1;
		if (s[i].hi == max)
			break;
	}
	if (k == 0 || (segs->n > 0 && s[segs->n - 1].hi != max)) {
		pt->start[k] = next;
		pt->cc[k++] = 0;
	}
	pt->n = k;
	return 0;
}

/* The tables of one family while they are laid out. */
struct tables {
	const struct part *pt;
	unsigned width;		/* 32: IPv4 only */
	struct vec ent;		/* uint32_t */
	struct vec start;	/* ng_u128 */
	struct vec cc;		/* uint8_t */
	uint64_t nodes;
	int failed;
};

/*
 * slice_start - element j of the slice for the chunk at cs holding intervals
 * k..: the chunk's own start, then the interval starts inside it.
 */
static ng_u128
slice_start(const struct tables *t, ng_u128 cs, size_t k, size_t j)
{
	return j == 0 ? cs : t->pt->start[k + j];
}

/* slot_push - append one slot value with its country. */
static int
slot_push(struct tables *t, ng_u128 v, uint8_t cc)
{
	ng_u128 *sp = vec_push(&t->start);
	uint8_t *cp = vec_push(&t->cc);

	if (sp == NULL || cp == NULL)
		return -1;
	*sp = v;
	*cp = cc;
	return 0;
}

/*
 * table_slice - the slice entry of m + 1 elements for the chunk at cs,
 * intervals k..k+m (IPv4 only: IPv6 has its tree).
 */
static uint32_t
table_slice(struct tables *t, ng_u128 cs, size_t k, size_t m)
{
	size_t lo = t->start.n, j;

	if (lo + m + 1 > NG_ENT_MAXLO) {
		t->failed = 1;
		return 0;
	}
	for (j = 0; j <= m; j++) {
		if (slot_push(t, slice_start(t, cs, k, j),
		    t->pt->cc[k + j]) != 0) {
			t->failed = 1;
			return 0;
		}
	}
	return (uint32_t)(NG_ENT_SLICE << 30 | (uint32_t)(m + 1) << 22 |
	    (uint32_t)lo);
}

static void table_fill(struct tables *t, size_t off, unsigned plen,
    unsigned bits, ng_u128 base, size_t *kp);

/*
 * table_node - the entry of a child table for the chunk at cs, 2^shift
 * addresses holding m starts (about 2^NG_NETDB_DENSITY an entry).
 */
static uint32_t
table_node(struct tables *t, unsigned plen, unsigned shift, ng_u128 cs,
    size_t *kp, size_t m)
{
	unsigned bits = 0;
	size_t child = t->ent.n, i;

	while (bits < shift && bits < NG_NETDB_NODE_MAXBITS &&
	    ((size_t)1 << (bits + NG_NETDB_DENSITY)) < m + 1)
		bits++;
	if (bits == 0)
		bits = 1;
	if (child + ((size_t)1 << bits) > NG_ENT_MAXOFF) {
		t->failed = 1;
		return 0;
	}
	for (i = 0; i < (size_t)1 << bits; i++)
		if (vec_push(&t->ent) == NULL) {
			t->failed = 1;
			return 0;
		}
	t->nodes++;
	table_fill(t, child, plen, bits, cs, kp);
	return NG_ENT_NODE << 30 | (uint32_t)bits << 25 | (uint32_t)child;
}

/*
 * table_fill - fill the table at entry offset off, 2^bits entries, for the
 * chunk of prefix length plen starting at base.  *kp is the index of the
 * interval covering base.
 */
static void
table_fill(struct tables *t, size_t off, unsigned plen, unsigned bits,
    ng_u128 base, size_t *kp)
{
	const struct part *pt = t->pt;
	unsigned shift = t->width - plen - bits;
	ng_u128 size = (ng_u128)1 << shift, cs, ce;
	size_t j, k = *kp, m;
	uint32_t e;

	for (j = 0; j < (size_t)1 << bits && !t->failed; j++) {
		cs = base + (ng_u128)j * size;
		ce = cs + size - 1;
		while (k + 1 < pt->n && pt->start[k + 1] <= cs)
			k++;
		for (m = 0; k + 1 + m < pt->n && pt->start[k + 1 + m] <= ce;
		    m++)
			;
		if (m == 0) {
			e = NG_ENT_DIRECT << 30 | pt->cc[k];
		} else if (m + 1 <= NG_NETDB_SLICE_MAX || shift == 0) {
			e = table_slice(t, cs, k, m);
		} else {
			e = table_node(t, plen + bits, shift, cs, &k, m);
		}
		((uint32_t *)t->ent.v)[off + j] = e;
	}
	*kp = k;
}

/* build_tables - the stride tables of one family's partition. */
static int
build_tables(struct tables *t, const struct part *pt, unsigned width)
{
	size_t k = 0, j;

	memset(t, 0, sizeof(*t));
	t->pt = pt;
	t->width = width;
	t->ent.size = sizeof(uint32_t);
	t->start.size = sizeof(ng_u128);
	t->cc.size = 1;
	for (j = 0; j < (1u << NG_NETDB_ROOT_BITS); j++)
		if (vec_push(&t->ent) == NULL)
			return -1;
	table_fill(t, 0, 0, NG_NETDB_ROOT_BITS, 0, &k);
	return t->failed ? -1 : 0;
}

/* tables_free - free what build_tables allocated. */
static void
tables_free(struct tables *t)
{
	free(t->ent.v);
	free(t->start.v);
	free(t->cc.v);
}

/* The IPv6 tree while it is laid out (netdb_format.h). */
struct tree6 {
	struct vec hs;		/* uint64_t: each high interval's first */
	struct vec val;		/* uint16_t: its VAL6 value */
	struct vec split;	/* uint32_t: first piece of each split /64 */
	struct vec low;		/* uint64_t pairs: (low half, country) */
	struct ng_netdb_tree shape;
	uint64_t *keys;		/* shape.keys */
	uint16_t *vals;		/* shape.leafkeys */
};

/*
 * hi_push - append the high interval starting at high half h with value v,
 * merged into the last one when both have the same country.
 */
static int
hi_push(struct tree6 *t, uint64_t h, uint16_t v)
{
	uint64_t *hp;
	uint16_t *vp;

	if (t->val.n > 0 && v < NG_NETDB_SPLIT &&
	    ((uint16_t *)t->val.v)[t->val.n - 1] == v)
		return 0;
	if ((hp = vec_push(&t->hs)) == NULL || (vp = vec_push(&t->val)) == NULL)
		return -1;
	*hp = h;
	*vp = v;
	return 0;
}

/* piece_push - append the piece (low half lo, country cc) of a split /64. */
static int
piece_push(struct tree6 *t, uint64_t lo, uint8_t cc)
{
	uint64_t *a, *b;

	if ((a = vec_push(&t->low)) == NULL || (b = vec_push(&t->low)) == NULL)
		return -1;
	*a = lo;
	*b = cc;
	return 0;
}

/*
 * tree6_intervals - the high intervals of the IPv6 partition: a /64 with an
 * interval start inside it (low half not 0) becomes a split high interval of
 * its own, its pieces starting with the country carried in at its low half 0;
 * the /64 after it starts a high interval with the country carried out.
 */
static int
tree6_intervals(struct tree6 *t, const struct part *pt)
{
	size_t k, j;
	uint64_t h, lo, open = 0;
	uint32_t *sp;
	int inside = 0, split;

	for (k = 0; k < pt->n; k++) {
		h = (uint64_t)(pt->start[k] >> 64);
		lo = (uint64_t)pt->start[k];
		if (inside && h != open) {
			/*
			 * Leaving split /64 open.  The /64 after it starts
			 * a high interval here unless this start does.
			 */
			inside = 0;
			if (h > open + 1 &&
			    hi_push(t, open + 1, pt->cc[k - 1]) != 0)
				return -1;
		}
		if (inside) {
			if (piece_push(t, lo, pt->cc[k]) != 0)
				return -1;
			continue;
		}
		/* Split: does a start with a low half fall in this /64? */
		split = lo != 0;
		for (j = k + 1; !split && j < pt->n &&
		    (uint64_t)(pt->start[j] >> 64) == h; j++)
			split = (uint64_t)pt->start[j] != 0;
		if (!split) {
			if (hi_push(t, h, pt->cc[k]) != 0)
				return -1;
			continue;
		}
		if (t->split.n >= NG_NETDB_MAXSPLIT ||
		    t->low.n / 2 > UINT32_MAX - 2)
			return -1;
		if ((sp = vec_push(&t->split)) == NULL ||
		    hi_push(t, h, (uint16_t)(NG_NETDB_SPLIT + t->split.n - 1))
		    != 0)
			return -1;
		*sp = (uint32_t)(t->low.n / 2);
		if (lo != 0 && piece_push(t, 0, pt->cc[k - 1]) != 0)
			return -1;
		if (piece_push(t, lo, pt->cc[k]) != 0)
			return -1;
		inside = 1;
		open = h;
	}
	if (inside && open != UINT64_MAX &&
	    hi_push(t, open + 1, pt->cc[pt->n - 1]) != 0)
		return -1;
	if ((sp = vec_push(&t->split)) == NULL)
		return -1;
	*sp = (uint32_t)(t->low.n / 2);
	return 0;
}

/*
 * build_tree6 - the IPv6 tree of the partition: high intervals, the leaf
 * level of their last high halves and pads, the inner levels above it.
 */
static int
build_tree6(struct tree6 *t, const struct part *pt)
{
	const uint64_t *hs;
	size_t i, n;
	unsigned l;

	memset(t, 0, sizeof(*t));
	t->hs.size = 8;
	t->val.size = 2;
	t->split.size = 4;
	t->low.size = 8;
	if (tree6_intervals(t, pt) != 0 ||
	    ng_netdb_tree_shape(t->hs.n, &t->shape) != 0)
		return -1;
	hs = t->hs.v;
	n = t->hs.n;
	t->keys = malloc(t->shape.keys * sizeof(*t->keys));
	t->vals = calloc(t->shape.leafkeys, sizeof(*t->vals));
	if (t->keys == NULL || t->vals == NULL)
		return -1;
	for (i = 0; i < t->shape.leafkeys; i++)
		t->keys[t->shape.off[t->shape.height - 1] + i] =
		    i + 1 < n ? hs[i + 1] - 1 : UINT64_MAX;
	memcpy(t->vals, t->val.v, n * sizeof(*t->vals));
	for (l = 0; l + 1 < t->shape.height; l++)
		for (i = 0; i < t->shape.nodes[l] * NG_NETDB_B6; i++)
			t->keys[t->shape.off[l] + i] =
			    ng_netdb_tree_key(t->keys, &t->shape, l, i);
	return 0;
}

/* tree6_free - free what build_tree6 allocated. */
static void
tree6_free(struct tree6 *t)
{
	free(t->hs.v);
	free(t->val.v);
	free(t->split.v);
	free(t->low.v);
	free(t->keys);
	free(t->vals);
}

/*
 * index_countries - give every code in use an index 1..n in code order; -1
 * when they do not fit NG_NETDB_MAXCC.
 */
static int
index_countries(struct vec *segs, uint8_t *ccidx, uint16_t *codes,
    uint32_t *ncodes)
{
	static uint8_t used[65536];
	size_t f, i;
	uint32_t n = 0, c;

	memset(used, 0, sizeof(used));
	for (f = 0; f < 2; f++)
		for (i = 0; i < segs[f].n; i++)
			used[((struct seg *)segs[f].v)[i].cc] = 1;
	codes[0] = 0;
	for (c = 1; c < 65536; c++) {
		if (!used[c])
			continue;
		if (n + 1 >= NG_NETDB_MAXCC)
			return -1;
		codes[++n] = (uint16_t)c;
		ccidx[c] = (uint8_t)n;
	}
	*ncodes = n;
	return 0;
}

/* align8 - n rounded up to a multiple of 8. */
static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * layout - lay the sections out after the header, copy them in and set the
 * checksum; the image, malloc'ed.
 */
static void *
layout(struct ng_netdb_header *h, const uint16_t *codes, struct tables *t4,
    const struct tree6 *t6, size_t *lenp)
{
	size_t cnt[NG_SEC_COUNT], esz[NG_SEC_COUNT], off, i;
	const void *src[NG_SEC_COUNT];
	unsigned char *img;

	cnt[NG_SEC_CODES] = h->countries + 1;
	esz[NG_SEC_CODES] = 2;
	src[NG_SEC_CODES] = codes;
	cnt[NG_SEC_ENT4] = t4->ent.n;
	esz[NG_SEC_ENT4] = 4;
	src[NG_SEC_ENT4] = t4->ent.v;
	cnt[NG_SEC_SLICE4] = t4->start.n;
	esz[NG_SEC_SLICE4] = 4;
	src[NG_SEC_SLICE4] = NULL;	/* packed below */
	cnt[NG_SEC_KEY6] = t6->shape.keys;
	esz[NG_SEC_KEY6] = 8;
	src[NG_SEC_KEY6] = t6->keys;
	cnt[NG_SEC_VAL6] = t6->shape.leafkeys;
	esz[NG_SEC_VAL6] = 2;
	src[NG_SEC_VAL6] = t6->vals;
	cnt[NG_SEC_SPLIT6] = t6->split.n;
	esz[NG_SEC_SPLIT6] = 4;
	src[NG_SEC_SPLIT6] = t6->split.v;
	cnt[NG_SEC_LOW6] = t6->low.n;
	esz[NG_SEC_LOW6] = 8;
	src[NG_SEC_LOW6] = t6->low.v;
	/* The tree's nodes start on a cache line, as they are searched. */
	off = align8(sizeof(*h));
	for (i = 0; i < NG_SEC_COUNT; i++) {
		if (i == NG_SEC_KEY6)
			off = (off + 63) & ~(size_t)63;
		h->sec[i].off = off;
		h->sec[i].count = cnt[i];
		off = align8(off + cnt[i] * esz[i]);
	}
	if ((img = calloc(1, off)) == NULL)
		return NULL;
	h->file_size = off;
	for (i = 0; i < NG_SEC_COUNT; i++)
		if (src[i] != NULL && cnt[i] > 0)
			memcpy(img + h->sec[i].off, src[i], cnt[i] * esz[i]);
	for (i = 0; i < t4->start.n; i++) {
		uint32_t v = (uint32_t)((ng_u128 *)t4->start.v)[i] & 0xffff;

		v = v << 8 | ((uint8_t *)t4->cc.v)[i];
		memcpy(img + h->sec[NG_SEC_SLICE4].off + 4 * i, &v, 4);
	}
	h->checksum = 0;
	memcpy(img, h, sizeof(*h));
	h->checksum = ng_netdb_crc(img, off);
	memcpy(img, h, sizeof(*h));
	*lenp = off;
	return img;
}

/* count_ranges - the merged segments that have a country. */
static uint64_t
count_ranges(const struct vec *segs)
{
	const struct seg *s = segs->v;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < segs->n; i++)
		if (s[i].cc != 0)
			n++;
	return n;
}

/*
 * ng_netdb_compile - compile r into an image: sort the rows, resolve each
 * family's overlaps, index the countries, partition, lay out the tables.
 */
int
ng_netdb_compile(struct ng_nrows *r, uint64_t built, void **image,
    size_t *len, struct ng_build_stats *st, char *err, size_t errlen)
{
	static uint8_t ccidx[65536];
	uint16_t codes[NG_NETDB_MAXCC];
	struct vec segs[2];
	struct part pt[2];
	struct tables t[1];
	struct tree6 t6;
	struct ng_netdb_header h;
	size_t split, f;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	memset(segs, 0, sizeof(segs));
	memset(pt, 0, sizeof(pt));
	memset(t, 0, sizeof(t));
	memset(&t6, 0, sizeof(t6));
	memset(ccidx, 0, sizeof(ccidx));
	segs[0].size = segs[1].size = sizeof(struct seg);
	if (r->n > 0)
		qsort(r->v, r->n, sizeof(*r->v), row_cmp);
	for (split = 0; split < r->n && r->v[split].family == 4; split++)
		;
	st->rows[0] = split;
	st->rows[1] = r->n - split;
	if (resolve_family(r->v, split, 0xffffffffu, r->last_wins, &segs[0],
	    &st->overlaps[0]) != 0 ||
	    resolve_family(r->n > 0 ? r->v + split : r->v, r->n - split,
	    ~(ng_u128)0,
	    r->last_wins, &segs[1], &st->overlaps[1]) != 0) {
		snprintf(err, errlen, "out of memory resolving ranges");
		goto out;
	}
	memset(&h, 0, sizeof(h));
	if (index_countries(segs, ccidx, codes, &h.countries) != 0) {
		snprintf(err, errlen, "more than %d country codes",
		    NG_NETDB_MAXCC - 1);
		goto out;
	}
	for (f = 0; f < 2; f++) {
		if (make_partition(&segs[f], f == 0 ? 0xffffffffu : ~(ng_u128)0,
		    ccidx, &pt[f]) != 0 ||
		    (f == 0 ? build_tables(&t[0], &pt[0], 32) :
		    build_tree6(&t6, &pt[1])) != 0) {
			snprintf(err, errlen, "out of memory or more than %u "
			    "interval starts", NG_ENT_MAXLO);
			goto out;
		}
		st->ranges[f] = count_ranges(&segs[f]);
	}
	st->intervals[0] = t[0].start.n;
	st->nodes[0] = t[0].nodes;
	st->intervals[1] = t6.hs.n + t6.low.n / 2;
	st->nodes[1] = t6.split.n - 1;
	memcpy(h.magic, NG_NETDB_MAGIC, sizeof(h.magic));
	h.version = NG_NETDB_VERSION;
	h.bom = NG_NETDB_BOM;
	h.header_size = sizeof(h);
	h.built = built;
	h.ranges4 = st->ranges[0];
	h.ranges6 = st->ranges[1];
	if ((*image = layout(&h, codes, &t[0], &t6, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	st->countries = h.countries;
	st->bytes = *len;
	st->checksum = h.checksum;
	rc = 0;
out:
	for (f = 0; f < 2; f++) {
		free(segs[f].v);
		free(pt[f].start);
		free(pt[f].cc);
	}
	tables_free(&t[0]);
	tree6_free(&t6);
	return rc;
}

/*
 * ng_netdb_write - the image as path, atomically: a gate may open the
 * database at any moment.  A name of its own for the temporary file
 * (NG_ATOMIC_UNIQUE): two builds may run at once.  0644: the gate reads
 * it after dropping root.
 */
int
ng_netdb_write(const char *path, const void *image, size_t len, char *err,
    size_t errlen)
{
	return ng_atomic_write(path, image, len, 0644, NG_ATOMIC_UNIQUE, err,
	    errlen);
}
