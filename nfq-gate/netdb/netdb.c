/*
 * netdb.c - open, validate, look up and walk a compiled netblock
 * database (layout in netdb_format.h).
 *
 * The file comes from disk and may be truncated, stale or damaged, and
 * the gate must never crash on it, so open checks everything a lookup
 * will touch: header fields, section bounds and alignment, the checksum,
 * every table entry, every slice (its first start is its chunk's start,
 * the starts rise strictly and stay inside the chunk) and every country
 * index.  After that, lookups need no bounds checks at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "netdb/netdb.h"
#include "netdb/netdb_format.h"

struct ng_netdb {
	const unsigned char *base;
	size_t len;
	int mapped;
	struct ng_netdb_header h;
	const uint16_t *codes;
	const uint32_t *ent4, *slice4;
	const uint32_t *ent6;
	const uint64_t *start6;
};

static const size_t sec_size[NG_SEC_COUNT] = { 2, 4, 4, 4, 8 };

/* Checks of one family's tables: what check_table needs. */
struct check {
	const struct ng_netdb *db;
	int family;
	unsigned width;
	const char *name;
	char *err;
	size_t errlen;
	size_t next_node;	/* children come in depth-first order */
};

/* start_at - the start of element i of slice entry e in the chunk at cs. */
static ng_u128
start_at(const struct ng_netdb *db, int family, uint32_t e, size_t i,
    ng_u128 cs)
{
	size_t lo = NG_ENT_SLICE_LO(e);

	if (family == 4)
		return (cs & ~(ng_u128)0xffff) | db->slice4[lo + i] >> 8;
	if (NG_ENT_SLICE_WIDE(e))
		return (ng_u128)db->start6[lo + 3 * i] << 64 |
		    db->start6[lo + 3 * i + 1];
	return (ng_u128)((uint64_t)(cs >> 112) << 48 |
	    db->start6[lo + i] >> 16) << 64;
}

/* cc_at - the country index of element i of slice entry e. */
static uint8_t
cc_at(const struct ng_netdb *db, int family, uint32_t e, size_t i)
{
	size_t lo = NG_ENT_SLICE_LO(e);

	if (family == 4)
		return (uint8_t)db->slice4[lo + i];
	if (NG_ENT_SLICE_WIDE(e))
		return (uint8_t)db->start6[lo + 3 * i + 2];
	return (uint8_t)db->start6[lo + i];
}

/*
 * slot_extra - whether element i of slice e sets bits that must be 0: beside
 * the country (a packed slot) or above it (a triple).
 */
static int
slot_extra(const struct ng_netdb *db, int family, uint32_t e, size_t i)
{
	size_t lo = NG_ENT_SLICE_LO(e);

	if (family == 4)
		return 0;
	if (NG_ENT_SLICE_WIDE(e))
		return db->start6[lo + 3 * i + 2] > 0xff;
	return (db->start6[lo + i] & 0xff00) != 0;
}

/* bad - report a corrupt table or slice at index at; -1. */
static int
bad(const struct check *c, const char *what, size_t at)
{
	snprintf(c->err, c->errlen, "%s: corrupt database: IPv%d %s at %zu",
	    c->name, c->family, what, at);
	return -1;
}

/*
 * check_slice - check slice entry e of the chunk [cs, ce]: in bounds, starts
 * rising from cs and staying inside, known countries.
 */
static int
check_slice(struct check *c, uint32_t e, ng_u128 cs, ng_u128 ce,
    size_t at)
{
	const struct ng_netdb *db = c->db;
	size_t lo = NG_ENT_SLICE_LO(e), n = NG_ENT_SLICE_N(e), i;
	size_t wide = NG_ENT_SLICE_WIDE(e);
	size_t nslot = db->h.sec[c->family == 4 ? NG_SEC_SLICE4 :
	    NG_SEC_START6].count;
	ng_u128 prev = 0, s;

	if (n == 0 || (wide && c->family == 4) ||
	    lo + n * (wide ? 3 : 1) > nslot)
		return bad(c, "slice out of bounds", at);
	for (i = 0; i < n; i++) {
		s = start_at(db, c->family, e, i, cs);
		if (i == 0 ? s != cs : s <= prev || s > ce)
			return bad(c, "range starts not monotonic", lo + i);
		if (cc_at(db, c->family, e, i) > db->h.countries ||
		    slot_extra(db, c->family, e, i))
			return bad(c, "country index out of bounds", lo + i);
		prev = s;
	}
	return 0;
}

/*
 * check_table - check the table at entry offset off (2^bits entries for the
 * chunk of prefix length plen at base), and its children.
 */
static int
check_table(struct check *c, size_t off, unsigned plen,
    unsigned bits, ng_u128 base)
{
	const struct ng_netdb *db = c->db;
	const uint32_t *ent = c->family == 4 ? db->ent4 : db->ent6;
	size_t nent = db->h.sec[c->family == 4 ? NG_SEC_ENT4 :
	    NG_SEC_ENT6].count, j, child;
	unsigned shift = c->width - plen - bits, kb;
	ng_u128 size = (ng_u128)1 << shift, cs;
	uint32_t e;

	for (j = 0; j < (size_t)1 << bits; j++) {
		e = ent[off + j];
		cs = base + (ng_u128)j * size;
		switch (NG_ENT_KIND(e)) {
		case NG_ENT_DIRECT:
			if ((e & 0x3fffff00u) != 0 ||
			    NG_ENT_DIRECT_CC(e) > db->h.countries)
				return bad(c, "bad direct entry", off + j);
			break;
		case NG_ENT_SLICE:
			if (check_slice(c, e, cs, cs + size - 1, off + j) != 0)
				return -1;
			break;
		case NG_ENT_NODE:
			/*
			 * Each child once, in the order the builder wrote
			 * them: no cycles, no shared subtrees to blow up
			 * the time spent here.
			 */
			child = NG_ENT_NODE_OFF(e);
			kb = NG_ENT_NODE_BITS(e);
			if (kb == 0 || kb > shift ||
			    kb > NG_NETDB_NODE_MAXBITS ||
			    child != c->next_node ||
			    child + ((size_t)1 << kb) > nent)
				return bad(c, "bad node entry", off + j);
			c->next_node += (size_t)1 << kb;
			if (check_table(c, child, plen + bits, kb, cs) != 0)
				return -1;
			break;
		default:
			return bad(c, "bad entry kind", off + j);
		}
	}
	return 0;
}

/*
 * check_sections - check that the sections lie aligned inside the file and
 * agree in size, then point db's arrays at them.
 */
static int
check_sections(struct ng_netdb *db, const char *name, char *err,
    size_t errlen)
{
	const struct ng_netdb_header *h = &db->h;
	size_t i;

	for (i = 0; i < NG_SEC_COUNT; i++) {
		if (h->sec[i].off % 8 != 0 || h->sec[i].off < h->header_size ||
		    h->sec[i].off > db->len ||
		    h->sec[i].count > (db->len - h->sec[i].off) / sec_size[i]) {
			snprintf(err, errlen, "%s: corrupt database: section "
			    "%zu out of bounds", name, i);
			return -1;
		}
	}
	if (h->sec[NG_SEC_CODES].count != (uint64_t)h->countries + 1 ||
	    h->sec[NG_SEC_ENT4].count < (1u << NG_NETDB_ROOT_BITS) ||
	    h->sec[NG_SEC_ENT6].count < (1u << NG_NETDB_ROOT_BITS) ||
	    h->sec[NG_SEC_ENT4].count > 0x40000000u ||
	    h->sec[NG_SEC_ENT6].count > 0x40000000u) {
		snprintf(err, errlen, "%s: corrupt database: section sizes "
		    "disagree", name);
		return -1;
	}
	db->codes = (const void *)(db->base + h->sec[NG_SEC_CODES].off);
	db->ent4 = (const void *)(db->base + h->sec[NG_SEC_ENT4].off);
	db->slice4 = (const void *)(db->base + h->sec[NG_SEC_SLICE4].off);
	db->ent6 = (const void *)(db->base + h->sec[NG_SEC_ENT6].off);
	db->start6 = (const void *)(db->base + h->sec[NG_SEC_START6].off);
	return 0;
}

/*
 * check_codes - check the country codes: index 0 is no country, then valid
 * codes rising.
 */
static int
check_codes(const struct ng_netdb *db, const char *name, char *err,
    size_t errlen)
{
	char s[3];
	uint32_t i;

	for (i = 0; i <= db->h.countries; i++) {
		if (i == 0 ? db->codes[0] != 0 :
		    ng_cc_pack(ng_cc_str(db->codes[i], s)) != db->codes[i] ||
		    db->codes[i] <= db->codes[i - 1]) {
			snprintf(err, errlen, "%s: corrupt database: bad "
			    "country code %u", name, i);
			return -1;
		}
	}
	return 0;
}

/*
 * validate - check everything a lookup will touch, each check making the next
 * one safe: header, checksum, sections, codes, tables.
 */
static int
validate(struct ng_netdb *db, const char *name, char *err, size_t errlen)
{
	struct ng_netdb_header *h = &db->h;
	struct check c = { db, 4, 32, name, err, errlen,
	    1u << NG_NETDB_ROOT_BITS };
	uLong crc;

	if (((uintptr_t)db->base & 7) != 0) {
		snprintf(err, errlen, "%s: image not 8-byte aligned", name);
		return -1;
	}
	if (db->len < sizeof(*h)) {
		snprintf(err, errlen, "%s: truncated database (%zu bytes, "
		    "header needs %zu)", name, db->len, sizeof(*h));
		return -1;
	}
	memcpy(h, db->base, sizeof(*h));
	if (memcmp(h->magic, NG_NETDB_MAGIC, sizeof(h->magic)) != 0) {
		snprintf(err, errlen, "%s: not an nfq-gate database (bad "
		    "magic)", name);
		return -1;
	}
	if (h->bom != NG_NETDB_BOM || h->version != NG_NETDB_VERSION ||
	    h->header_size != sizeof(*h)) {
		snprintf(err, errlen, "%s: unsupported database version %u "
		    "(want %u, built for this byte order)", name, h->version,
		    NG_NETDB_VERSION);
		return -1;
	}
	if (h->file_size != db->len) {
		snprintf(err, errlen, "%s: truncated or padded database (%zu "
		    "bytes, header says %llu)", name, db->len,
		    (unsigned long long)h->file_size);
		return -1;
	}
	crc = ng_netdb_crc(db->base, db->len);
	if ((uint32_t)crc != h->checksum) {
		snprintf(err, errlen, "%s: checksum mismatch (file %08x, "
		    "computed %08lx): corrupt database", name, h->checksum,
		    crc);
		return -1;
	}
	if (h->countries >= NG_NETDB_MAXCC || h->reserved != 0) {
		snprintf(err, errlen, "%s: corrupt database: %u countries",
		    name, h->countries);
		return -1;
	}
	if (check_sections(db, name, err, errlen) != 0 ||
	    check_codes(db, name, err, errlen) != 0 ||
	    check_table(&c, 0, 0, NG_NETDB_ROOT_BITS, 0) != 0)
		return -1;
	if (c.next_node != h->sec[NG_SEC_ENT4].count)
		return bad(&c, "unreferenced table entries", c.next_node);
	c.family = 6;
	c.width = 128;
	c.next_node = 1u << NG_NETDB_ROOT_BITS;
	if (check_table(&c, 0, 0, NG_NETDB_ROOT_BITS, 0) != 0)
		return -1;
	if (c.next_node != h->sec[NG_SEC_ENT6].count)
		return bad(&c, "unreferenced table entries", c.next_node);
	return 0;
}

/*
 * ng_netdb_open_buffer - validate the image in buf (not copied) and wrap it in
 * a handle.
 */
struct ng_netdb *
ng_netdb_open_buffer(const void *buf, size_t len, const char *name,
    char *err, size_t errlen)
{
	struct ng_netdb *db;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	db->base = buf;
	db->len = len;
	if (validate(db, name, err, errlen) != 0) {
		free(db);
		return NULL;
	}
	return db;
}

/*
 * read_file - read the whole file into private anonymous memory, then make it
 * read-only.  A file mapping would share the page cache, but a database
 * truncated or rewritten in place (cp over it, a full disk during an unsafe
 * copy) then kills the gate with SIGBUS on the next lookup, long after
 * validation passed.  A copy validated once stays valid whatever happens to
 * the file.
 */
static void *
read_file(int fd, size_t len, const char *path, char *err, size_t errlen)
{
	unsigned char *p;
	size_t got = 0;
	ssize_t n;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	while (got < len) {
		n = pread(fd, p + got, len - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s at byte %zu of %zu", path,
			    n < 0 ? strerror(errno) : "file shrank while "
			    "reading", got, len);
			munmap(p, len);
			return NULL;
		}
		got += (size_t)n;
	}
	if (mprotect(p, len, PROT_READ) != 0) {
		snprintf(err, errlen, "%s: mprotect: %s", path,
		    strerror(errno));
		munmap(p, len);
		return NULL;
	}
	return p;
}

/* ng_netdb_open - read and validate the database at path. */
struct ng_netdb *
ng_netdb_open(const char *path, char *err, size_t errlen)
{
	struct ng_netdb *db;
	struct stat st;
	void *p;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_size < (off_t)sizeof(struct ng_netdb_header)) {
		snprintf(err, errlen, "%s: truncated database (%lld bytes)",
		    path, (long long)st.st_size);
		close(fd);
		return NULL;
	}
	p = read_file(fd, (size_t)st.st_size, path, err, errlen);
	close(fd);
	if (p == NULL)
		return NULL;
	if ((db = ng_netdb_open_buffer(p, (size_t)st.st_size, path, err,
	    errlen)) == NULL) {
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	db->mapped = 1;
	return db;
}

/* ng_netdb_close - free db and its copy of the file; NULL is fine. */
void
ng_netdb_close(struct ng_netdb *db)
{
	if (db == NULL)
		return;
	if (db->mapped)
		munmap((void *)db->base, db->len);
	free(db);
}

/*
 * ng_netdb_lookup_v4 - the packed country of the IPv4 address a (host order):
 * root entry, child tables, then a binary search of the slice.
 */
uint16_t
ng_netdb_lookup_v4(const struct ng_netdb *db, uint32_t a)
{
	uint32_t e = db->ent4[a >> NG_NETDB_ROOT_BITS], k;
	unsigned pos = NG_NETDB_ROOT_BITS;
	uint32_t key = (a & 0xffff) << 8 | 0xff;
	size_t lo, n, half;

	/* Validation keeps pos + k <= 32 and k >= 1. */
	while (NG_ENT_KIND(e) == NG_ENT_NODE) {
		k = NG_ENT_NODE_BITS(e);
		e = db->ent4[NG_ENT_NODE_OFF(e) +
		    ((uint32_t)(a << pos) >> (32 - k))];
		pos += k;
	}
	if (NG_ENT_KIND(e) == NG_ENT_DIRECT)
		return db->codes[NG_ENT_DIRECT_CC(e)];
	/* The last start <= a; the first start is the chunk's, <= a. */
	lo = NG_ENT_SLICE_LO(e);
	n = NG_ENT_SLICE_N(e);
	while (n > 1) {
		half = n / 2;
		if (db->slice4[lo + half] <= key)
			lo += half;
		n -= half;
	}
	return db->codes[(uint8_t)db->slice4[lo]];
}

/* ng_netdb_lookup - the packed country covering a, or 0. */
uint16_t
ng_netdb_lookup(const struct ng_netdb *db, const struct ng_addr *a)
{
	uint64_t hi = 0, low = 0, key;
	ng_u128 x;
	uint32_t e, k;
	size_t lo, n, half, i, j, base;
	unsigned pos = NG_NETDB_ROOT_BITS;

	if (a->family == 4)
		return ng_netdb_lookup_v4(db, ng_addr_v4(a));
	for (i = 0; i < 8; i++) {
		hi = hi << 8 | a->b[i];
		low = low << 8 | a->b[8 + i];
	}
	x = (ng_u128)hi << 64 | low;
	e = db->ent6[hi >> (64 - NG_NETDB_ROOT_BITS)];
	while (NG_ENT_KIND(e) == NG_ENT_NODE) {
		k = NG_ENT_NODE_BITS(e);
		e = db->ent6[NG_ENT_NODE_OFF(e) +
		    (uint32_t)((x << pos) >> (128 - k))];
		pos += k;
	}
	if (NG_ENT_KIND(e) == NG_ENT_DIRECT)
		return db->codes[NG_ENT_DIRECT_CC(e)];
	base = lo = NG_ENT_SLICE_LO(e);
	n = NG_ENT_SLICE_N(e);
	if (!NG_ENT_SLICE_WIDE(e)) {
		/*
		 * Starts with a zero low half: their high halves decide,
		 * packed like key (the top 16 bits are the chunk's).
		 */
		key = hi << 16 | 0xff;
		while (n > 1) {
			half = n / 2;
			if (db->start6[lo + half] <= key)
				lo += half;
			n -= half;
		}
		return db->codes[(uint8_t)db->start6[lo]];
	}
	i = 0;
	while (n > 1) {
		half = n / 2;
		j = base + 3 * (i + half);
		if (db->start6[j] < hi ||
		    (db->start6[j] == hi && db->start6[j + 1] <= low))
			i += half;
		n -= half;
	}
	return db->codes[(uint8_t)db->start6[base + 3 * i + 2]];
}

/*
 * ng_netdb_geo - ng_netdb_lookup with the untyped context of an ng_geo
 * callback.
 */
uint16_t
ng_netdb_geo(const void *ctx, const struct ng_addr *a)
{
	return ng_netdb_lookup(ctx, a);
}

/* Walking: emit merged ranges of one country, skipping country 0. */
struct walk {
	const struct ng_netdb *db;
	int family;
	unsigned width;
	int (*fn)(const struct ng_addr *, const struct ng_addr *, uint16_t,
	    void *);
	void *arg;
	ng_u128 lo, hi;
	uint16_t cc;
	int have, stop;
};

/*
 * walk_flush - hand the pending run to fn, unless it has no country or the
 * walk has stopped.
 */
static void
walk_flush(struct walk *w)
{
	struct ng_addr first, last;

	if (!w->have || w->cc == 0 || w->stop)
		return;
	ng_u128_to_addr(w->lo, w->family, &first);
	ng_u128_to_addr(w->hi, w->family, &last);
	w->stop = w->fn(&first, &last, w->cc, w->arg);
}

/*
 * walk_put - add the interval [lo, hi] of country index ccidx, extending the
 * pending run where it continues it.
 */
static void
walk_put(struct walk *w, ng_u128 lo, ng_u128 hi, uint8_t ccidx)
{
	uint16_t cc = w->db->codes[ccidx];

	if (w->have && w->cc == cc && w->hi + 1 == lo) {
		w->hi = hi;
		return;
	}
	walk_flush(w);
	w->lo = lo;
	w->hi = hi;
	w->cc = cc;
	w->have = 1;
}

/*
 * walk_table - walk the table at entry offset off (2^bits entries for the
 * chunk of prefix length plen at base) in address order.
 */
static void
walk_table(struct walk *w, size_t off, unsigned plen, unsigned bits,
    ng_u128 base)
{
	const uint32_t *ent = w->family == 4 ? w->db->ent4 : w->db->ent6;
	unsigned shift = w->width - plen - bits;
	ng_u128 size = (ng_u128)1 << shift, cs, ce, s;
	size_t j, i, n;
	uint32_t e;

	for (j = 0; j < (size_t)1 << bits && !w->stop; j++) {
		e = ent[off + j];
		cs = base + (ng_u128)j * size;
		ce = cs + size - 1;
		if (NG_ENT_KIND(e) == NG_ENT_DIRECT) {
			walk_put(w, cs, ce, NG_ENT_DIRECT_CC(e));
		} else if (NG_ENT_KIND(e) == NG_ENT_NODE) {
			walk_table(w, NG_ENT_NODE_OFF(e), plen + bits,
			    NG_ENT_NODE_BITS(e), cs);
		} else {
			n = NG_ENT_SLICE_N(e);
			for (i = 0; i < n; i++) {
				s = start_at(w->db, w->family, e, i, cs);
				walk_put(w, s, i + 1 < n ?
				    start_at(w->db, w->family, e, i + 1, cs) - 1 :
				    ce, cc_at(w->db, w->family, e, i));
			}
		}
	}
}

/*
 * ng_netdb_walk - call fn for every merged range of family with a country, in
 * address order; fn's nonzero value stops the walk.
 */
int
ng_netdb_walk(const struct ng_netdb *db, int family,
    int (*fn)(const struct ng_addr *first, const struct ng_addr *last,
	uint16_t cc, void *arg), void *arg)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.family = family == 6 ? 6 : 4;
	w.width = family == 6 ? 128 : 32;
	w.fn = fn;
	w.arg = arg;
	walk_table(&w, 0, 0, NG_NETDB_ROOT_BITS, 0);
	walk_flush(&w);
	return w.stop;
}

/* ng_netdb_get_info - the header's facts about db, and its size. */
void
ng_netdb_get_info(const struct ng_netdb *db, struct ng_netdb_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = db->h.version;
	info->built = db->h.built;
	info->ranges4 = db->h.ranges4;
	info->ranges6 = db->h.ranges6;
	info->countries = db->h.countries;
	info->bytes = db->len;
	info->checksum = db->h.checksum;
}
