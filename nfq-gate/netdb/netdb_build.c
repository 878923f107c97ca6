/*
 * netdb_build.c - resolve overlapping source rows and lay out the
 * database image described in netdb_format.h.
 *
 * Overlaps are real in whois data (a /24 assigned inside a /16 of
 * another country), so for each field (country, AS number, owner) the
 * rows of each family that give it are swept in address order with a
 * heap of the rows covering the current point; the heap's top is the
 * row that wins there (row_better: the one starting last, then the
 * narrowest, then the later row).  The winners form disjoint segments of
 * that field.  The three fields' segments are then overlaid: every
 * point where one changes starts an interval whose (country, AS, owner)
 * triple is interned as a record, touching intervals of one record are
 * merged, and the gaps become intervals of record 0, giving a partition
 * of the address space that the IPv4 stride tables and the IPv6 tree
 * index.  Each field on its own is what a country-only build of the
 * rows giving it would answer, so sources of different kinds combine.
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
	uint32_t val;		/* the field's value, never 0 */
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

/* pool_hash - FNV-1a of the string s. */
static uint32_t
pool_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* pool_str - string id of pool p. */
static const char *
pool_str(const struct ng_strpool *p, uint32_t id)
{
	return p->buf + p->off[id - 1];
}

/* pool_grow - double the hash of p and put every id back. */
static int
pool_grow(struct ng_strpool *p)
{
	size_t cap = p->hcap ? p->hcap * 2 : 4096, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (i = 0; i < p->n; i++) {
		j = pool_hash(pool_str(p, (uint32_t)i + 1)) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(p->slot);
	p->slot = slot;
	p->hcap = cap;
	return 0;
}

/*
 * pool_add - append the string s of length len as a new id of p; 0 when
 * out of memory or past UINT32_MAX bytes.
 */
static uint32_t
pool_add(struct ng_strpool *p, const char *s, size_t len)
{
	if (p->len + len + 1 > UINT32_MAX || p->n + 1 >= UINT32_MAX)
		return 0;
	if (p->len + len + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		char *nb;

		while (cap < p->len + len + 1)
			cap *= 2;
		if ((nb = realloc(p->buf, cap)) == NULL)
			return 0;
		p->buf = nb;
		p->cap = cap;
	}
	if (p->n == p->ocap) {
		size_t cap = p->ocap ? p->ocap * 2 : 4096;
		uint32_t *no = realloc(p->off, cap * sizeof(*no));

		if (no == NULL)
			return 0;
		p->off = no;
		p->ocap = cap;
	}
	p->off[p->n++] = (uint32_t)p->len;
	memcpy(p->buf + p->len, s, len + 1);
	p->len += len + 1;
	return (uint32_t)p->n;
}

/* pool_intern - the id of the string s in p, added if new; 0 on failure. */
static uint32_t
pool_intern(struct ng_strpool *p, const char *s)
{
	size_t j;
	uint32_t id;

	if ((p->n + 1) * 2 > p->hcap && pool_grow(p) != 0)
		return 0;
	j = pool_hash(s) & (p->hcap - 1);
	for (; p->slot[j] != 0; j = (j + 1) & (p->hcap - 1))
		if (strcmp(pool_str(p, p->slot[j]), s) == 0)
			return p->slot[j];
	if ((id = pool_add(p, s, strlen(s))) != 0)
		p->slot[j] = id;
	return id;
}

/*
 * ng_nrows_add_fields - append the row [lo, hi] of family with the fields
 * given, its priority above every row's before it.
 */
int
ng_nrows_add_fields(struct ng_nrows *r, int family, ng_u128 lo, ng_u128 hi,
    unsigned fields, uint16_t cc, uint32_t asn, const char *owner)
{
	struct ng_nrow *row;
	uint32_t oid = 0;

	if ((fields & NG_NROW_OWNER) &&
	    (oid = pool_intern(&r->owners, owner)) == 0)
		return -1;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		struct ng_nrow *nv = realloc(r->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		r->v = nv;
		r->cap = cap;
	}
	row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	row->lo = lo;
	row->hi = hi;
	row->fields = (uint8_t)fields;
	row->cc = fields & NG_NROW_CC ? cc : 0;
	row->asn = fields & NG_NROW_ASN ? asn : 0;
	row->owner = oid;
	row->family = (uint8_t)family;
	row->prio = r->next_prio++;
	return 0;
}

/* ng_nrows_add - append the row [lo, hi] of family with country cc. */
int
ng_nrows_add(struct ng_nrows *r, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc)
{
	return ng_nrows_add_fields(r, family, lo, hi, NG_NROW_CC, cc, 0, NULL);
}

/* src_text - copy s into dst of n bytes, NUL-padded, '?' for control. */
static void
src_text(char *dst, size_t n, const char *s)
{
	size_t i;

	memset(dst, 0, n);
	for (i = 0; i + 1 < n && s[i] != '\0'; i++)
		dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
}

/* ng_nrows_add_source - note the source path of format in r. */
int
ng_nrows_add_source(struct ng_nrows *r, const char *path,
    const char *format, const uint64_t rows[2][3])
{
	const char *base = strrchr(path, '/');
	struct ng_netdb_src *s;

	if (r->nsrc == r->srccap) {
		size_t cap = r->srccap ? r->srccap * 2 : 16;
		struct ng_netdb_src *nv;

		if (r->nsrc >= NG_NETDB_MAXSRC ||
		    (nv = realloc(r->src, cap * sizeof(*nv))) == NULL)
			return -1;
		r->src = nv;
		r->srccap = cap;
	}
	s = &r->src[r->nsrc++];
	src_text(s->name, sizeof(s->name), base != NULL && base[1] != '\0' ?
	    base + 1 : path);
	src_text(s->format, sizeof(s->format), format);
	memcpy(s->rows, rows, sizeof(s->rows));
	return 0;
}

/* ng_nrows_free - free r's rows, owner strings, sources and empty it. */
void
ng_nrows_free(struct ng_nrows *r)
{
	free(r->src);
	free(r->v);
	free(r->owners.buf);
	free(r->owners.off);
	free(r->owners.slot);
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

/* row_val - the value of field f (NG_FIELD_*) that row r gives. */
static uint32_t
row_val(const struct ng_nrow *r, unsigned f)
{
	return f == NG_FIELD_CC ? r->cc : f == NG_FIELD_ASN ? r->asn :
	    r->owner;
}

/*
 * seg_emit - append the segment [lo, hi] of value val, merged into the last
 * one when it continues it with the same value.
 */
static int
seg_emit(struct vec *segs, ng_u128 lo, ng_u128 hi, uint32_t val)
{
	struct seg *last = segs->n ? (struct seg *)segs->v + segs->n - 1
	    : NULL, *s;

	if (last != NULL && last->val == val && last->hi + 1 == lo) {
		last->hi = hi;
		return 0;
	}
	if ((s = vec_push(segs)) == NULL)
		return -1;
	s->lo = lo;
	s->hi = hi;
	s->val = val;
	return 0;
}

/*
 * resolve_family - sweep rows[0..n) (one family, sorted by lo, up to max, all
 * giving field f) into merged segments of f, counting in *overlaps the rows
 * that begin inside an earlier one.  p is the current point; every row
 * starting at or before p is in the heap, rows ending before p are dropped
 * lazily when they reach the top.
 */
static int
resolve_family(const struct ng_nrow *rows, size_t n, ng_u128 max,
    int last_wins, unsigned f, struct vec *segs, uint64_t *overlaps)
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
		if (seg_emit(segs, p, end, row_val(&rows[h.v[0]], f)) != 0) {
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

/* The partition of one family: interval starts and record indexes. */
struct part {
	ng_u128 *start;
	uint32_t *rec;
	size_t n, cap;
};

/* The records while they are interned: (cc, asn, owner) to index. */
struct recs {
	struct ng_netdb_rec *v;	/* v[0] is all zero */
	size_t n, cap;
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t hcap;
};

/* rec_hash - a hash of the record r. */
static uint32_t
rec_hash(const struct ng_netdb_rec *r)
{
	uint64_t h = ((uint64_t)r->asn << 32 | r->owner) * 0x9e3779b97f4a7c15u;

	return (uint32_t)((h ^ (h >> 29) ^ r->cc) * 0xbf58476d1ce4e5b9u >> 32);
}

/* recs_grow - double the hash of rs and put every record back. */
static int
recs_grow(struct recs *rs)
{
	size_t cap = rs->hcap ? rs->hcap * 2 : 1024, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return -1;
	for (i = 0; i < rs->n; i++) {
		j = rec_hash(&rs->v[i]) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(rs->slot);
	rs->slot = slot;
	rs->hcap = cap;
	return 0;
}

/*
 * recs_intern - the index of record (cc, asn, owner), new ones appended in
 * the order met (the address order: a build is reproducible); -1 when out
 * of memory or past NG_NETDB_MAXREC.
 */
static int64_t
recs_intern(struct recs *rs, uint16_t cc, uint32_t asn, uint32_t owner)
{
	struct ng_netdb_rec r = { asn, owner, cc, 0 };
	size_t j;

	if ((rs->n + 1) * 2 > rs->hcap && recs_grow(rs) != 0)
		return -1;
	j = rec_hash(&r) & (rs->hcap - 1);
	for (; rs->slot[j] != 0; j = (j + 1) & (rs->hcap - 1))
		if (memcmp(&rs->v[rs->slot[j] - 1], &r, sizeof(r)) == 0)
			return rs->slot[j] - 1;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		struct ng_netdb_rec *nv;

		if (rs->n >= NG_NETDB_MAXREC ||
		    (nv = realloc(rs->v, cap * sizeof(*nv))) == NULL)
			return -1;
		rs->v = nv;
		rs->cap = cap;
	}
	rs->v[rs->n] = r;
	rs->slot[j] = (uint32_t)++rs->n;
	return (int64_t)rs->n - 1;
}

/* part_push - append the interval from start of record rec to pt. */
static int
part_push(struct part *pt, ng_u128 start, uint32_t rec)
{
	if (pt->n > 0 && pt->rec[pt->n - 1] == rec)
		return 0;
	if (pt->n == pt->cap) {
		size_t cap = pt->cap ? pt->cap * 2 : 4096;
		ng_u128 *ns = realloc(pt->start, cap * sizeof(*ns));
		uint32_t *nr;

		if (ns == NULL)
			return -1;
		pt->start = ns;
		if ((nr = realloc(pt->rec, cap * sizeof(*nr))) == NULL)
			return -1;
		pt->rec = nr;
		pt->cap = cap;
	}
	pt->start[pt->n] = start;
	pt->rec[pt->n++] = rec;
	return 0;
}

/*
 * field_at - the value of one field's segments at p (0 in a gap), *ix moved
 * past the segments ending before p, and in *last the last point up to
 * which it stays so.
 */
static uint32_t
field_at(const struct vec *segs, size_t *ix, ng_u128 p, ng_u128 max,
    ng_u128 *last)
{
	const struct seg *s = segs->v;

	while (*ix < segs->n && s[*ix].hi < p)
		(*ix)++;
	if (*ix == segs->n) {
		*last = max;
		return 0;
	}
	if (s[*ix].lo > p) {
		*last = s[*ix].lo - 1;
		return 0;
	}
	*last = s[*ix].hi;
	return s[*ix].val;
}

/*
 * overlay - the partition of [0, max] that the fields' segments make
 * together: an interval wherever any field changes, its record interned.
 */
static int
overlay(const struct vec *segs, ng_u128 max, struct recs *rs, struct part *pt)
{
	size_t ix[NG_FIELDS] = { 0 };
	uint32_t v[NG_FIELDS];
	ng_u128 p = 0, end, last;
	int64_t rec;
	unsigned f;

	for (;;) {
		end = max;
		for (f = 0; f < NG_FIELDS; f++) {
			v[f] = field_at(&segs[f], &ix[f], p, max, &last);
			if (last < end)
				end = last;
		}
		rec = recs_intern(rs, (uint16_t)v[NG_FIELD_CC],
		    v[NG_FIELD_ASN], v[NG_FIELD_OWNER]);
		if (rec < 0 || part_push(pt, p, (uint32_t)rec) != 0)
			return -1;
		if (end == max)
			return 0;
		p = end + 1;
	}
}

/* The tables of one family while they are laid out. */
struct tables {
	const struct part *pt;
	unsigned width;		/* 32: IPv4 only */
	int wide;		/* slices are NG_ENT_SLICEW */
	struct vec ent;		/* uint32_t */
	struct vec start;	/* ng_u128 */
	struct vec rec;		/* uint32_t */
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

/* slot_push - append one slot value with its record. */
static int
slot_push(struct tables *t, ng_u128 v, uint32_t rec)
{
	ng_u128 *sp = vec_push(&t->start);
	uint32_t *rp = vec_push(&t->rec);

	if (sp == NULL || rp == NULL)
		return -1;
	*sp = v;
	*rp = rec;
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
		    t->pt->rec[k + j]) != 0) {
			t->failed = 1;
			return 0;
		}
	}
	return (uint32_t)((t->wide ? NG_ENT_SLICEW : NG_ENT_SLICE) << 30 |
	    (uint32_t)(m + 1) << 22 |
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
			e = NG_ENT_DIRECT << 30 | pt->rec[k];
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
build_tables(struct tables *t, const struct part *pt, unsigned width,
    int wide)
{
	size_t k = 0, j;

	memset(t, 0, sizeof(*t));
	t->pt = pt;
	t->width = width;
	t->ent.size = sizeof(uint32_t);
	t->start.size = sizeof(ng_u128);
	t->rec.size = sizeof(uint32_t);
	t->wide = wide;
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
	free(t->rec.v);
}

/* The IPv6 tree while it is laid out (netdb_format.h). */
struct tree6 {
	struct vec hs;		/* uint64_t: each high interval's first */
	struct vec val;		/* uint32_t: its VAL6 value */
	struct vec split;	/* uint32_t: first piece of each split /64 */
	struct vec low;		/* uint64_t pairs: (low half, record) */
	struct ng_netdb_tree shape;
	uint64_t *keys;		/* shape.keys */
	uint32_t *vals;		/* shape.leafkeys */
};

/*
 * hi_push - append the high interval starting at high half h with value v,
 * merged into the last one when both have the same record.
 */
static int
hi_push(struct tree6 *t, uint64_t h, uint32_t v)
{
	uint64_t *hp;
	uint32_t *vp;

	if (t->val.n > 0 && v < NG_NETDB_SPLIT &&
	    ((uint32_t *)t->val.v)[t->val.n - 1] == v)
		return 0;
	if ((hp = vec_push(&t->hs)) == NULL || (vp = vec_push(&t->val)) == NULL)
		return -1;
	*hp = h;
	*vp = v;
	return 0;
}

/* piece_push - append the piece (low half lo, record rec) of a split /64. */
static int
piece_push(struct tree6 *t, uint64_t lo, uint32_t rec)
{
	uint64_t *a, *b;

	if ((a = vec_push(&t->low)) == NULL || (b = vec_push(&t->low)) == NULL)
		return -1;
	*a = lo;
	*b = rec;
	return 0;
}

/*
 * tree6_intervals - the high intervals of the IPv6 partition: a /64 with an
 * interval start inside it (low half not 0) becomes a split high interval of
 * its own, its pieces starting with the record carried in at its low half 0;
 * the /64 after it starts a high interval with the record carried out.
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
			    hi_push(t, open + 1, pt->rec[k - 1]) != 0)
				return -1;
		}
		if (inside) {
			if (piece_push(t, lo, pt->rec[k]) != 0)
				return -1;
			continue;
		}
		/* Split: does a start with a low half fall in this /64? */
		split = lo != 0;
		for (j = k + 1; !split && j < pt->n &&
		    (uint64_t)(pt->start[j] >> 64) == h; j++)
			split = (uint64_t)pt->start[j] != 0;
		if (!split) {
			if (hi_push(t, h, pt->rec[k]) != 0)
				return -1;
			continue;
		}
		if (t->split.n >= NG_NETDB_MAXSPLIT ||
		    t->low.n / 2 > UINT32_MAX - 2)
			return -1;
		if ((sp = vec_push(&t->split)) == NULL ||
		    hi_push(t, h, (uint32_t)(NG_NETDB_SPLIT | (t->split.n - 1)))
		    != 0)
			return -1;
		*sp = (uint32_t)(t->low.n / 2);
		if (lo != 0 && piece_push(t, 0, pt->rec[k - 1]) != 0)
			return -1;
		if (piece_push(t, lo, pt->rec[k]) != 0)
			return -1;
		inside = 1;
		open = h;
	}
	if (inside && open != UINT64_MAX &&
	    hi_push(t, open + 1, pt->rec[pt->n - 1]) != 0)
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
	t->val.size = 4;
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

/* The owner strings of the image: the records' ones, in record order. */
struct owners {
	uint32_t *off;		/* n + 1 offsets */
	char *str;
	size_t n, len;
};

/*
 * pack_owners - renumber the owners the records name 1..n in the order
 * first named, dropping strings no record names (a row overridden
 * everywhere), and lay their strings out.
 */
static int
pack_owners(struct recs *rs, const struct ng_strpool *pool, struct owners *o)
{
	uint32_t *map = calloc(pool->n + 1, sizeof(*map));
	size_t i, l;
	uint32_t id;

	o->off = malloc((pool->n + 1) * sizeof(*o->off));
	o->str = malloc(pool->len + 1);
	if (map == NULL || o->off == NULL || o->str == NULL) {
		free(map);
		return -1;
	}
	o->off[0] = 0;
	for (i = 1; i < rs->n; i++) {
		if ((id = rs->v[i].owner) == 0)
			continue;
		if (map[id] == 0) {
			l = strlen(pool_str(pool, id)) + 1;
			memcpy(o->str + o->len, pool_str(pool, id), l);
			o->len += l;
			map[id] = (uint32_t)++o->n;
			o->off[o->n] = (uint32_t)o->len;
		}
		rs->v[i].owner = map[id];
	}
	free(map);
	return 0;
}

/* u32_cmp - qsort order of uint32_t. */
static int
u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* count_distinct - distinct nonzero countries and AS numbers of rs. */
static int
count_distinct(const struct recs *rs, uint32_t *countries, uint32_t *asns)
{
	static uint8_t used[65536];
	uint32_t *a = malloc((rs->n + 1) * sizeof(*a));
	size_t i, n = 0;

	if (a == NULL)
		return -1;
	memset(used, 0, sizeof(used));
	*countries = *asns = 0;
	for (i = 1; i < rs->n; i++) {
		if (rs->v[i].cc != 0 && !used[rs->v[i].cc]) {
			used[rs->v[i].cc] = 1;
			(*countries)++;
		}
		if (rs->v[i].asn != 0)
			a[n++] = rs->v[i].asn;
	}
	qsort(a, n, sizeof(*a), u32_cmp);
	for (i = 0; i < n; i++)
		*asns += i == 0 || a[i] != a[i - 1];
	free(a);
	return 0;
}

/* align8 - n rounded up to a multiple of 8. */
static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * pack_slices - the IPv4 slice elements as the image stores them: u32 (low
 * 16 bits << 16 | record) or, with wide, u64 (low 16 bits << 32 | record).
 */
static void
pack_slices(unsigned char *dst, const struct tables *t4, int wide)
{
	size_t i;

	for (i = 0; i < t4->start.n; i++) {
		uint64_t lo = (uint64_t)((ng_u128 *)t4->start.v)[i] & 0xffff;
		uint32_t rec = ((uint32_t *)t4->rec.v)[i], v32;
		uint64_t v64;

		if (wide) {
			v64 = lo << 32 | rec;
			memcpy(dst + 8 * i, &v64, 8);
		} else {
			v32 = (uint32_t)lo << 16 | rec;
			memcpy(dst + 4 * i, &v32, 4);
		}
	}
}

/*
 * pack_vals6 - the IPv6 leaf values as the image stores them: u32 when
 * wide, else u16 with NG_NETDB_SPLIT16 for the split flag.
 */
static void
pack_vals6(unsigned char *dst, const struct tree6 *t6, int wide)
{
	size_t i;
	uint32_t v;
	uint16_t v16;

	for (i = 0; i < t6->shape.leafkeys; i++) {
		v = t6->vals[i];
		if (wide) {
			memcpy(dst + 4 * i, &v, 4);
			continue;
		}
		v16 = (uint16_t)(v & NG_NETDB_SPLIT ?
		    NG_NETDB_SPLIT16 | (v & ~NG_NETDB_SPLIT) : v);
		memcpy(dst + 2 * i, &v16, 2);
	}
}

/* What layout copies: each section's source, count and element size. */
struct sections {
	const void *src[NG_SEC_COUNT];
	size_t cnt[NG_SEC_COUNT], esz[NG_SEC_COUNT];
};

/* sec_set - section i comes from src, cnt elements of esz bytes. */
static void
sec_set(struct sections *sc, int i, const void *src, size_t cnt, size_t esz)
{
	sc->src[i] = src;
	sc->cnt[i] = cnt;
	sc->esz[i] = esz;
}

/*
 * layout - lay the sections out after the header, copy them in and set the
 * checksum; the image, malloc'ed.
 */
static void *
layout(struct ng_netdb_header *h, const struct ng_nrows *r,
    const struct recs *rs, const struct owners *ow, const struct tables *t4,
    const struct tree6 *t6, size_t *lenp)
{
	struct sections sc;
	int wide = (h->flags & NG_NETDB_F_WIDE) != 0;
	size_t off, i;
	unsigned char *img;

	memset(&sc, 0, sizeof(sc));
	sec_set(&sc, NG_SEC_REC, rs->v, rs->n, sizeof(struct ng_netdb_rec));
	sec_set(&sc, NG_SEC_RECCC, NULL, rs->n, 2);	/* filled below */
	sec_set(&sc, NG_SEC_ENT4, t4->ent.v, t4->ent.n, 4);
	/* Packed below, by pack_slices. */
	sec_set(&sc, NG_SEC_SLICE4, NULL, wide ? 0 : t4->start.n, 4);
	sec_set(&sc, NG_SEC_SLICE4W, NULL, wide ? t4->start.n : 0, 8);
	sec_set(&sc, NG_SEC_KEY6, t6->keys, t6->shape.keys, 8);
	/* Packed below by pack_vals6. */
	sec_set(&sc, NG_SEC_VAL6, NULL, wide ? 0 : t6->shape.leafkeys, 2);
	sec_set(&sc, NG_SEC_VAL6W, NULL, wide ? t6->shape.leafkeys : 0, 4);
	sec_set(&sc, NG_SEC_SPLIT6, t6->split.v, t6->split.n, 4);
	sec_set(&sc, NG_SEC_LOW6, t6->low.v, t6->low.n, 8);
	sec_set(&sc, NG_SEC_OWNOFF, ow->off, ow->n + 1, 4);
	sec_set(&sc, NG_SEC_OWNSTR, ow->str, ow->len, 1);
	sec_set(&sc, NG_SEC_SRC, r->src, r->nsrc, sizeof(struct ng_netdb_src));
	/*
	 * The tree's nodes start on a cache line, as they are searched, and
	 * so do its leaf values: a leaf node's 16 values are one line.
	 */
	off = align8(sizeof(*h));
	for (i = 0; i < NG_SEC_COUNT; i++) {
		if (i == NG_SEC_KEY6 || i == NG_SEC_VAL6 || i == NG_SEC_VAL6W)
			off = (off + 63) & ~(size_t)63;
		h->sec[i].off = off;
		h->sec[i].count = sc.cnt[i];
		off = align8(off + sc.cnt[i] * sc.esz[i]);
	}
	if ((img = calloc(1, off)) == NULL)
		return NULL;
	h->file_size = off;
	for (i = 0; i < NG_SEC_COUNT; i++)
		if (sc.src[i] != NULL && sc.cnt[i] > 0)
			memcpy(img + h->sec[i].off, sc.src[i],
			    sc.cnt[i] * sc.esz[i]);
	pack_slices(img + h->sec[wide ? NG_SEC_SLICE4W : NG_SEC_SLICE4].off,
	    t4, wide);
	pack_vals6(img + h->sec[wide ? NG_SEC_VAL6W : NG_SEC_VAL6].off, t6,
	    wide);
	for (i = 0; i < rs->n; i++)
		memcpy(img + h->sec[NG_SEC_RECCC].off + 2 * i, &rs->v[i].cc, 2);
	h->checksum = 0;
	memcpy(img, h, sizeof(*h));
	h->checksum = ng_netdb_crc(img, off);
	memcpy(img, h, sizeof(*h));
	*lenp = off;
	return img;
}

/*
 * count_ranges - the intervals of pt with a record other than 0, and of
 * those, how many have each field.
 */
static uint64_t
count_ranges(const struct part *pt, const struct recs *rs, uint64_t *fields)
{
	const struct ng_netdb_rec *r;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		if (pt->rec[i] == 0)
			continue;
		r = &rs->v[pt->rec[i]];
		n++;
		fields[NG_FIELD_CC] += r->cc != 0;
		fields[NG_FIELD_ASN] += r->asn != 0;
		fields[NG_FIELD_OWNER] += r->owner != 0;
	}
	return n;
}

/*
 * resolve_fields - each field of one family's rows[0..n) resolved on its
 * own over the rows giving it, into segs[NG_FIELD_*].
 */
static int
resolve_fields(const struct ng_nrow *rows, size_t n, ng_u128 max,
    int last_wins, struct vec *segs, uint64_t *overlaps)
{
	struct ng_nrow *sub = malloc((n + 1) * sizeof(*sub));
	size_t i, k;
	unsigned f;

	if (sub == NULL)
		return -1;
	for (f = 0; f < NG_FIELDS; f++) {
		for (i = k = 0; i < n; i++)
			if (rows[i].fields & (1u << f))
				sub[k++] = rows[i];
		if (resolve_family(sub, k, max, last_wins, f, &segs[f],
		    overlaps) != 0) {
			free(sub);
			return -1;
		}
	}
	free(sub);
	return 0;
}

/* What ng_netdb_compile allocates, freed at its end. */
struct compile {
	struct vec segs[2][NG_FIELDS];
	struct part pt[2];
	struct recs rs;
	struct owners ow;
	struct tables t4;
	struct tree6 t6;
};

/* compile_free - free c's allocations. */
static void
compile_free(struct compile *c)
{
	size_t f, i;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < NG_FIELDS; i++)
			free(c->segs[f][i].v);
		free(c->pt[f].start);
		free(c->pt[f].rec);
	}
	free(c->rs.v);
	free(c->rs.slot);
	free(c->ow.off);
	free(c->ow.str);
	tables_free(&c->t4);
	tree6_free(&c->t6);
}

/*
 * compile_parts - sort the rows, resolve every field of both families and
 * overlay them into the partitions and records of c.
 */
static int
compile_parts(struct ng_nrows *r, struct compile *c,
    struct ng_build_stats *st, char *err, size_t errlen)
{
	size_t split, f, i;

	for (f = 0; f < 2; f++)
		for (i = 0; i < NG_FIELDS; i++)
			c->segs[f][i].size = sizeof(struct seg);
	if (r->n > 0)
		qsort(r->v, r->n, sizeof(*r->v), row_cmp);
	for (split = 0; split < r->n && r->v[split].family == 4; split++)
		;
	st->rows[0] = split;
	st->rows[1] = r->n - split;
	if (recs_intern(&c->rs, 0, 0, 0) != 0 ||
	    resolve_fields(r->v, split, 0xffffffffu, r->last_wins,
	    c->segs[0], &st->overlaps[0]) != 0 ||
	    resolve_fields(r->n > 0 ? r->v + split : r->v, r->n - split,
	    ~(ng_u128)0, r->last_wins, c->segs[1], &st->overlaps[1]) != 0) {
		snprintf(err, errlen, "out of memory resolving ranges");
		return -1;
	}
	for (f = 0; f < 2; f++)
		if (overlay(c->segs[f], f == 0 ? 0xffffffffu : ~(ng_u128)0,
		    &c->rs, &c->pt[f]) != 0) {
			snprintf(err, errlen, "out of memory or more than %u "
			    "records", NG_NETDB_MAXREC);
			return -1;
		}
	if (pack_owners(&c->rs, &r->owners, &c->ow) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * ng_netdb_compile - compile r into an image: sort the rows, resolve each
 * field of each family, overlay them into records, lay out the tables.
 */
int
ng_netdb_compile(struct ng_nrows *r, uint64_t built, void **image,
    size_t *len, struct ng_build_stats *st, char *err, size_t errlen)
{
	struct compile c;
	struct ng_netdb_header h;
	size_t f;
	int rc = -1, t6rc;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	memset(&h, 0, sizeof(h));
	if (compile_parts(r, &c, st, err, errlen) != 0)
		goto out;
	/*
	 * The IPv6 tree first: narrow or wide (record indexes and split
	 * numbers in 15 bits) depends on its split count too.
	 */
	t6rc = build_tree6(&c.t6, &c.pt[1]);
	h.flags = c.rs.n > NG_NETDB_NARROW ||
	    c.t6.split.n > NG_NETDB_NARROW ? NG_NETDB_F_WIDE : 0;
	if (t6rc != 0 ||
	    build_tables(&c.t4, &c.pt[0], 32, h.flags != 0) != 0 ||
	    count_distinct(&c.rs, &h.countries, &h.asns) != 0) {
		snprintf(err, errlen, "out of memory or more than %u "
		    "interval starts", NG_ENT_MAXLO);
		goto out;
	}
	for (f = 0; f < 2; f++)
		st->ranges[f] = count_ranges(&c.pt[f], &c.rs, st->fields[f]);
	st->intervals[0] = c.t4.start.n;
	st->nodes[0] = c.t4.nodes;
	st->intervals[1] = c.t6.hs.n + c.t6.low.n / 2;
	st->nodes[1] = c.t6.split.n - 1;
	memcpy(h.magic, NG_NETDB_MAGIC, sizeof(h.magic));
	h.version = NG_NETDB_VERSION;
	h.bom = NG_NETDB_BOM;
	h.header_size = sizeof(h);
	h.built = built;
	h.ranges4 = st->ranges[0];
	h.ranges6 = st->ranges[1];
	memcpy(h.fields, st->fields, sizeof(h.fields));
	h.records = (uint32_t)c.rs.n;
	h.owners = (uint32_t)c.ow.n;
	if ((*image = layout(&h, r, &c.rs, &c.ow, &c.t4, &c.t6, len)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	st->countries = h.countries;
	st->records = h.records;
	st->owners = h.owners;
	st->asns = h.asns;
	st->bytes = *len;
	st->checksum = h.checksum;
	rc = 0;
out:
	compile_free(&c);
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
