/*
 * netdb.c - open, validate, look up and walk a compiled netblock
 * database (layout in netdb_format.h).
 *
 * The file comes from disk and may be truncated, stale or damaged, and
 * the gate must never crash on it, so open checks everything a lookup
 * will touch: header fields, section bounds and alignment, the checksum,
 * every IPv4 table entry, every slice (its first start is its chunk's
 * start, the starts rise strictly and stay inside the chunk), the IPv6
 * tree (its shape, rising leaves, every inner key equal to the one the
 * leaves imply, every value and split /64), every record index, every
 * record (its country code, its owner id) and every owner string.
 * After that, lookups need no bounds checks at all.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "base/bigmem.h"
#include "netdb/netdb.h"
#include "netdb/netdb_format.h"

struct ng_netdb {
	const unsigned char *base;
	size_t len;
	int mapped;
	struct ng_netdb_header h;
	const struct ng_netdb_rec *rec;
	const uint16_t *reccc;	/* rec[i].cc, compact: country lookups */
	const uint32_t *ent4, *slice4;
	const uint64_t *slice4w;
	const uint64_t *key6, *low6;
	const uint16_t *val6;	/* narrow */
	const uint32_t *val6w;	/* wide */
	const void *val6any;	/* the one in use */
	unsigned val6shift;	/* log2 of its element size */
	const uint32_t *split6;
	const uint32_t *ownoff;
	const char *ownstr;
	const struct ng_netdb_src *src;
	int wide;		/* IPv4 slices in SLICE4W */
	struct ng_netdb_tree t6;
	int avx2;		/* descend6 takes the AVX2 path */
	size_t n6;		/* high intervals */
};

static int cpu_avx2(void);

static const size_t sec_size[NG_SEC_COUNT] = {
	sizeof(struct ng_netdb_rec), 2, 4, 4, 8, 8, 2, 4, 4, 8, 4, 1,
	sizeof(struct ng_netdb_src)
};

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

/* start_at - start of element i of IPv4 slice entry e in the chunk at cs. */
static ng_u128
start_at(const struct ng_netdb *db, uint32_t e, size_t i, ng_u128 cs)
{
	size_t k = NG_ENT_SLICE_LO(e) + i;

	return (cs & ~(ng_u128)0xffff) |
	    (db->wide ? db->slice4w[k] >> 32 : db->slice4[k] >> 16);
}

/* rec_at - the record index of element i of IPv4 slice entry e. */
static uint32_t
rec_at(const struct ng_netdb *db, uint32_t e, size_t i)
{
	size_t k = NG_ENT_SLICE_LO(e) + i;

	return db->wide ? (uint32_t)db->slice4w[k] : db->slice4[k] & 0xffff;
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
 * rising from cs and staying inside, known records.
 */
static int
check_slice(struct check *c, uint32_t e, ng_u128 cs, ng_u128 ce,
    size_t at)
{
	const struct ng_netdb *db = c->db;
	size_t lo = NG_ENT_SLICE_LO(e), n = NG_ENT_SLICE_N(e), i;
	size_t nslot = db->h.sec[db->wide ? NG_SEC_SLICE4W :
	    NG_SEC_SLICE4].count;
	ng_u128 prev = 0, s;

	if (n == 0 || NG_ENT_SLICE_RSV(e) || lo + n > nslot)
		return bad(c, "slice out of bounds", at);
	for (i = 0; i < n; i++) {
		s = start_at(db, e, i, cs);
		if (i == 0 ? s != cs : s <= prev || s > ce)
			return bad(c, "range starts not monotonic", lo + i);
		if (rec_at(db, e, i) >= db->h.records)
			return bad(c, "record index out of bounds", lo + i);
		prev = s;
	}
	return 0;
}

/*
 * check_table - check the IPv4 table at entry offset off (2^bits entries for
 * the chunk of prefix length plen at base), and its children.
 */
static int
check_table(struct check *c, size_t off, unsigned plen,
    unsigned bits, ng_u128 base)
{
	const struct ng_netdb *db = c->db;
	const uint32_t *ent = db->ent4;
	size_t nent = db->h.sec[NG_SEC_ENT4].count, j, child;
	unsigned shift = c->width - plen - bits, kb;
	ng_u128 size = (ng_u128)1 << shift, cs;
	uint32_t e;

	for (j = 0; j < (size_t)1 << bits; j++) {
		e = ent[off + j];
		cs = base + (ng_u128)j * size;
		switch (NG_ENT_KIND(e)) {
		case NG_ENT_DIRECT:
			if (NG_ENT_DIRECT_REC(e) >= db->h.records)
				return bad(c, "bad direct entry", off + j);
			break;
		case NG_ENT_SLICE:
		case NG_ENT_SLICEW:
			/* A wide database's slices are all SLICEW. */
			if ((NG_ENT_KIND(e) == NG_ENT_SLICEW) != db->wide)
				return bad(c, "slice of the wrong width",
				    off + j);
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
	if (h->sec[NG_SEC_REC].count != h->records || h->records == 0 ||
	    h->sec[NG_SEC_RECCC].count != h->records ||
	    h->records > NG_NETDB_MAXREC ||
	    (h->sec[NG_SEC_SLICE4W].count != 0 && !db->wide) ||
	    (h->sec[NG_SEC_SLICE4].count != 0 && db->wide) ||
	    (h->sec[NG_SEC_VAL6W].count != 0 && !db->wide) ||
	    (h->sec[NG_SEC_VAL6].count != 0 && db->wide) ||
	    (!db->wide && (h->records > NG_NETDB_NARROW ||
	    h->sec[NG_SEC_SPLIT6].count > NG_NETDB_NARROW)) ||
	    h->sec[NG_SEC_OWNOFF].count != (uint64_t)h->owners + 1 ||
	    h->sec[NG_SEC_OWNSTR].count > UINT32_MAX ||
	    h->sec[NG_SEC_SRC].count > NG_NETDB_MAXSRC ||
	    h->sec[NG_SEC_ENT4].count < (1u << NG_NETDB_ROOT_BITS) ||
	    h->sec[NG_SEC_ENT4].count > 0x40000000u ||
	    h->sec[NG_SEC_KEY6].off % 64 != 0 ||
	    h->sec[NG_SEC_SPLIT6].count == 0 ||
	    h->sec[NG_SEC_SPLIT6].count - 1 > NG_NETDB_MAXSPLIT ||
	    h->sec[NG_SEC_LOW6].count % 2 != 0 ||
	    h->sec[NG_SEC_LOW6].count / 2 > UINT32_MAX) {
		snprintf(err, errlen, "%s: corrupt database: section sizes "
		    "disagree", name);
		return -1;
	}
	db->rec = (const void *)(db->base + h->sec[NG_SEC_REC].off);
	db->reccc = (const void *)(db->base + h->sec[NG_SEC_RECCC].off);
	db->ent4 = (const void *)(db->base + h->sec[NG_SEC_ENT4].off);
	db->slice4 = (const void *)(db->base + h->sec[NG_SEC_SLICE4].off);
	db->slice4w = (const void *)(db->base + h->sec[NG_SEC_SLICE4W].off);
	db->ownoff = (const void *)(db->base + h->sec[NG_SEC_OWNOFF].off);
	db->ownstr = (const void *)(db->base + h->sec[NG_SEC_OWNSTR].off);
	db->src = (const void *)(db->base + h->sec[NG_SEC_SRC].off);
	db->key6 = (const void *)(db->base + h->sec[NG_SEC_KEY6].off);
	db->val6 = (const void *)(db->base + h->sec[NG_SEC_VAL6].off);
	db->val6w = (const void *)(db->base + h->sec[NG_SEC_VAL6W].off);
	db->val6any = db->wide ? (const void *)db->val6w : db->val6;
	db->val6shift = db->wide ? 2 : 1;
	db->split6 = (const void *)(db->base + h->sec[NG_SEC_SPLIT6].off);
	db->low6 = (const void *)(db->base + h->sec[NG_SEC_LOW6].off);
	return 0;
}

/* bad_at - report corrupt data of db at index at; -1. */
static int
bad_at(const char *name, const char *what, size_t at, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s: corrupt database: %s at %zu", name, what,
	    at);
	return -1;
}

/*
 * check_records - check the records: record 0 all zero and no other
 * (record 0 is "nothing known"), valid country codes or none, owner ids
 * in range, reserved 0; and the header's count of distinct countries.
 */
static int
check_records(const struct ng_netdb *db, const char *name, char *err,
    size_t errlen)
{
	static const struct ng_netdb_rec zero;
	uint8_t seen[65536 / 8];
	uint32_t i, countries = 0;
	const struct ng_netdb_rec *r;
	char s[3];

	memset(seen, 0, sizeof(seen));
	if (memcmp(&db->rec[0], &zero, sizeof(zero)) != 0 || db->reccc[0] != 0)
		return bad_at(name, "record 0 not empty", 0, err, errlen);
	for (i = 1; i < db->h.records; i++) {
		r = &db->rec[i];
		if (r->reserved != 0 || r->owner > db->h.owners ||
		    db->reccc[i] != r->cc ||
		    (r->cc == 0 && r->asn == 0 && r->owner == 0) ||
		    (r->cc != 0 && ng_cc_pack(ng_cc_str(r->cc, s)) != r->cc))
			return bad_at(name, "bad record", i, err, errlen);
		if (r->cc != 0 && !(seen[r->cc >> 3] & (1u << (r->cc & 7)))) {
			seen[r->cc >> 3] |= (uint8_t)(1u << (r->cc & 7));
			countries++;
		}
	}
	if (countries != db->h.countries)
		return bad_at(name, "country count", countries, err, errlen);
	return 0;
}

/*
 * check_owners - check the owner strings: offsets from 0 rising to the end
 * of OWNSTR, each string 1..NG_OWNER_MAX bytes with no control byte and
 * a NUL at its end.
 */
static int
check_owners(const struct ng_netdb *db, const char *name, char *err,
    size_t errlen)
{
	uint32_t i, n = db->h.owners;
	size_t a, b, j, len = db->h.sec[NG_SEC_OWNSTR].count;

	if (db->ownoff[0] != 0 || db->ownoff[n] != len)
		return bad_at(name, "owner string table", n, err, errlen);
	for (i = 1; i <= n; i++) {
		a = db->ownoff[i - 1];
		b = db->ownoff[i];
		if (b <= a + 1 || b - a - 1 > NG_OWNER_MAX ||
		    b > len || db->ownstr[b - 1] != '\0')
			return bad_at(name, "bad owner string", i, err, errlen);
		for (j = a; j + 1 < b; j++)
			if ((unsigned char)db->ownstr[j] < 0x20 ||
			    db->ownstr[j] == 0x7f)
				return bad_at(name, "bad owner string", i, err,
				    errlen);
	}
	return 0;
}

/* text_ok - whether the n bytes at s are printable text, NUL-padded. */
static int
text_ok(const char *s, size_t n)
{
	size_t i = 0;

	for (; i < n && s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] != '\0')
			return 0;
	return 1;
}

/* check_sources - every source's name and format is padded text. */
static int
check_sources(const struct ng_netdb *db, const char *name, char *err,
    size_t errlen)
{
	size_t i;

	for (i = 0; i < db->h.sec[NG_SEC_SRC].count; i++)
		if (!text_ok(db->src[i].name, sizeof(db->src[i].name)) ||
		    !text_ok(db->src[i].format, sizeof(db->src[i].format)))
			return bad_at(name, "bad source", i, err, errlen);
	return 0;
}

/*
 * check_split6 - check split /64 number s of IPv6 high interval j: a /64 of
 * its own, pieces in bounds, at least two, from low half 0 rising, known
 * records.
 */
static int
check_split6(struct check *c, size_t s, size_t j)
{
	const struct ng_netdb *db = c->db;
	const uint64_t *leaf = db->key6 + db->t6.off[db->t6.height - 1];
	uint64_t first = j == 0 ? 0 : leaf[j - 1] + 1;
	uint64_t last = j + 1 < db->n6 ? leaf[j] : UINT64_MAX;
	size_t a = db->split6[s], b = db->split6[s + 1], i;

	if (first != last)
		return bad(c, "split interval wider than a /64", j);
	if (a > b || b - a < 2 || b > db->h.sec[NG_SEC_LOW6].count / 2)
		return bad(c, "split pieces out of bounds", s);
	for (i = a; i < b; i++) {
		if (i == a ? db->low6[2 * i] != 0 :
		    db->low6[2 * i] <= db->low6[2 * i - 2])
			return bad(c, "range starts not monotonic", i);
		if (db->low6[2 * i + 1] >= db->h.records)
			return bad(c, "record index out of bounds", i);
	}
	return 0;
}

/*
 * val6_at - leaf slot i's value as a wide database stores it: a record,
 * or NG_NETDB_SPLIT | split /64 number.
 */
static inline uint32_t
val6_at(const struct ng_netdb *db, size_t i)
{
	uint32_t v;

	if (db->wide)
		return db->val6w[i];
	v = db->val6[i];
	return v & NG_NETDB_SPLIT16 ? NG_NETDB_SPLIT | (v & ~NG_NETDB_SPLIT16)
	    : v;
}

/*
 * check_tree6 - check the IPv6 tree: leaf keys rising then pads, the shape
 * their count implies, inner keys as the leaves imply them, values known
 * records or the split /64s in order, pads' values 0.
 */
static int
check_tree6(struct ng_netdb *db, struct check *c)
{
	const struct ng_netdb_header *h = &db->h;
	size_t nleaf = h->sec[db->wide ? NG_SEC_VAL6W : NG_SEC_VAL6].count;
	size_t i, n, s = 0;
	const uint64_t *leaf;
	unsigned l;
	uint32_t v;

	/* The leaves are the last nleaf keys; count the real ones. */
	if (nleaf == 0 || nleaf > h->sec[NG_SEC_KEY6].count)
		return bad(c, "tree size", nleaf);
	leaf = db->key6 + (h->sec[NG_SEC_KEY6].count - nleaf);
	for (n = 0; n < nleaf && leaf[n] != UINT64_MAX; n++)
		if (n > 0 && leaf[n] <= leaf[n - 1])
			return bad(c, "range starts not monotonic", n);
	for (i = n; i < nleaf; i++)
		if (leaf[i] != UINT64_MAX)
			return bad(c, "tree pad", i);
	db->n6 = n + 1;
	if (ng_netdb_tree_shape(db->n6, &db->t6) != 0 ||
	    db->t6.leafkeys != nleaf ||
	    db->t6.keys != h->sec[NG_SEC_KEY6].count)
		return bad(c, "tree shape", nleaf);
	for (l = 0; l + 1 < db->t6.height; l++)
		for (i = 0; i < db->t6.nodes[l] * NG_NETDB_B6; i++)
			if (db->key6[db->t6.off[l] + i] !=
			    ng_netdb_tree_key(db->key6, &db->t6, l, i))
				return bad(c, "tree key", db->t6.off[l] + i);
	for (i = 0; i < nleaf; i++) {
		v = val6_at(db, i);
		if (i >= db->n6) {
			if (v != 0)
				return bad(c, "tree pad", i);
		} else if (v & NG_NETDB_SPLIT) {
			if ((v & ~NG_NETDB_SPLIT) != s ||
			    s + 1 >= h->sec[NG_SEC_SPLIT6].count)
				return bad(c, "split out of order", i);
			if (check_split6(c, s, i) != 0)
				return -1;
			s++;
		} else if (v >= h->records)
			return bad(c, "record index out of bounds", i);
	}
	if (s + 1 != h->sec[NG_SEC_SPLIT6].count ||
	    db->split6[0] != 0 ||
	    db->split6[s] != h->sec[NG_SEC_LOW6].count / 2)
		return bad(c, "unreferenced split pieces", s);
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
	if (h->bom == NG_NETDB_BOM && h->version < NG_NETDB_VERSION) {
		snprintf(err, errlen, "%s: database version %u is older than "
		    "this program's %u: rebuild it with nfq-gate-db build",
		    name, h->version, NG_NETDB_VERSION);
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
	if ((h->flags & ~NG_NETDB_F_WIDE) != 0 || h->reserved != 0) {
		snprintf(err, errlen, "%s: corrupt database: flags %08x",
		    name, h->flags);
		return -1;
	}
	db->wide = (h->flags & NG_NETDB_F_WIDE) != 0;
	if (check_sections(db, name, err, errlen) != 0 ||
	    check_records(db, name, err, errlen) != 0 ||
	    check_owners(db, name, err, errlen) != 0 ||
	    check_sources(db, name, err, errlen) != 0 ||
	    check_table(&c, 0, 0, NG_NETDB_ROOT_BITS, 0) != 0)
		return -1;
	if (c.next_node != h->sec[NG_SEC_ENT4].count)
		return bad(&c, "unreferenced table entries", c.next_node);
	c.family = 6;
	return check_tree6(db, &c);
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
	db->avx2 = cpu_avx2();
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

	/* Huge pages: a lookup touches lines all over the database. */
	p = ng_bigmem_map(len);
	if (p == NULL) {
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
 * slice_narrow - the record of the last start <= the low 16 bits of a in
 * the u32 slice [lo, lo + n); the first start is the chunk's, <= a.
 */
static inline uint32_t
slice_narrow(const uint32_t *sl, size_t lo, size_t n, uint32_t a)
{
	uint32_t key = (a & 0xffff) << 16 | 0xffff;
	size_t half;

	while (n > 1) {
		half = n / 2;
		if (sl[lo + half] <= key)
			lo += half;
		n -= half;
	}
	return sl[lo] & 0xffff;
}

/* slice_wide - slice_narrow for the u64 slices of a wide database. */
static inline uint32_t
slice_wide(const uint64_t *sl, size_t lo, size_t n, uint32_t a)
{
	uint64_t key = (uint64_t)(a & 0xffff) << 32 | 0xffffffffu;
	size_t half;

	while (n > 1) {
		half = n / 2;
		if (sl[lo + half] <= key)
			lo += half;
		n -= half;
	}
	return (uint32_t)sl[lo];
}

/*
 * lookup_rec4 - the record index of the IPv4 address a (host order): root
 * entry, child tables, then a binary search of the slice.
 */
static inline uint32_t
lookup_rec4(const struct ng_netdb *db, uint32_t a)
{
	uint32_t e = db->ent4[a >> NG_NETDB_ROOT_BITS], k;
	unsigned pos = NG_NETDB_ROOT_BITS;

	/* Validation keeps pos + k <= 32 and k >= 1. */
	while (NG_ENT_KIND(e) == NG_ENT_NODE) {
		k = NG_ENT_NODE_BITS(e);
		e = db->ent4[NG_ENT_NODE_OFF(e) +
		    ((uint32_t)(a << pos) >> (32 - k))];
		pos += k;
	}
	if (NG_ENT_KIND(e) == NG_ENT_DIRECT)
		return NG_ENT_DIRECT_REC(e);
	if (__builtin_expect(NG_ENT_KIND(e) == NG_ENT_SLICEW, 0))
		return slice_wide(db->slice4w, NG_ENT_SLICE_LO(e),
		    NG_ENT_SLICE_N(e), a);
	return slice_narrow(db->slice4, NG_ENT_SLICE_LO(e), NG_ENT_SLICE_N(e),
	    a);
}

/* ng_netdb_lookup_v4 - the packed country of the IPv4 address a. */
uint16_t
ng_netdb_lookup_v4(const struct ng_netdb *db, uint32_t a)
{
	return db->reccc[lookup_rec4(db, a)];
}

/*
 * rank8 - how many of the 8 keys at k are below x: a sum of compares with
 * no branch.  Compilers turn the loop into compares and adds with carry;
 * with AVX-512 (a -march=native build) it is one vector compare and a
 * popcount, which keeps a lookup short enough for the CPU to run several
 * at once.
 */
static inline unsigned
rank8(const uint64_t *k, uint64_t x)
{
#if defined(__AVX512F__)
	return (unsigned)__builtin_popcount(_mm512_cmplt_epu64_mask(
	    _mm512_loadu_si512((const void *)k),
	    _mm512_set1_epi64((long long)x)));
#else
	unsigned r = 0, i;

	for (i = 0; i < 8; i++)
		r += k[i] < x;
	return r;
#endif
}

/* rank6 - how many of the NG_NETDB_B6 keys of node k are below x. */
static inline unsigned
rank6(const uint64_t *k, uint64_t x)
{
	unsigned r = 0, i;

	for (i = 0; i < NG_NETDB_B6; i += 8)
		r += rank8(k + i, x);
	return r;
}

/*
 * descend6_with - the leaf slot of high half hi: down the tree with this
 * node ranker, the same steps for every address.  The leaf node's values
 * (2^shift bytes each at val) are fetched while its keys are ranked, so
 * the two misses overlap.  Always inlined, so each caller gets its own copy for its own
 * instruction set.
 */
static inline __attribute__((always_inline)) size_t
descend6_with(const struct ng_netdb_tree *t, const uint64_t *k,
    const void *val, unsigned shift, uint64_t hi,
    unsigned (*rank)(const uint64_t *, uint64_t))
{
	size_t q = 0;
	unsigned l;

	for (l = 0; l + 1 < t->height; l++)
		q = q * (NG_NETDB_B6 + 1) +
		    rank(k + t->off[l] + q * NG_NETDB_B6, hi);
	__builtin_prefetch((const char *)val + (q * NG_NETDB_B6 << shift));
	return q * NG_NETDB_B6 + rank(k + t->off[l] + q * NG_NETDB_B6, hi);
}

/* descend6_plain - descend6_with for the instruction set of the build. */
static size_t
descend6_plain(const struct ng_netdb_tree *t, const uint64_t *k,
    const void *val, unsigned shift, uint64_t hi)
{
	return descend6_with(t, k, val, shift, hi, rank6);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX512F__)
/*
 * An AVX2 path picked at run time: a Debian build targets plain x86-64,
 * yet most mail servers' CPUs have AVX2, which doubles IPv6 lookups.
 */
#define NG_NETDB_AVX2 1

/* rank6_avx2 - rank6 as four 64-bit vector compares and a popcount. */
__attribute__((target("avx2"))) static inline unsigned
rank6_avx2(const uint64_t *k, uint64_t x)
{
	/* No unsigned 64-bit compare: flip the sign bits, compare signed. */
	const __m256i sign = _mm256_set1_epi64x(INT64_MIN);
	__m256i xv = _mm256_xor_si256(_mm256_set1_epi64x((long long)x), sign);
	unsigned m = 0, i;

	for (i = 0; i < NG_NETDB_B6; i += 4) {
		__m256i a = _mm256_xor_si256(_mm256_loadu_si256(
		    (const void *)(k + i)), sign);

		m |= (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(
		    _mm256_cmpgt_epi64(xv, a))) << i;
	}
	return (unsigned)__builtin_popcount(m);
}

/* descend6_avx2 - descend6_with on AVX2. */
__attribute__((target("avx2"))) static size_t
descend6_avx2(const struct ng_netdb_tree *t, const uint64_t *k,
    const void *val, unsigned shift, uint64_t hi)
{
	return descend6_with(t, k, val, shift, hi, rank6_avx2);
}
#endif

/* cpu_avx2 - whether this CPU runs descend6_avx2 (asked once, at open). */
static int
cpu_avx2(void)
{
#ifdef NG_NETDB_AVX2
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") != 0;
#else
	return 0;
#endif
}

/* descend6 - the descent for this CPU: AVX2 if the build lacks it. */
static inline size_t
descend6(const struct ng_netdb *db, uint64_t hi)
{
#ifdef NG_NETDB_AVX2
	if (db->avx2)
		return descend6_avx2(&db->t6, db->key6, db->val6any,
		    db->val6shift, hi);
#endif
	return descend6_plain(&db->t6, db->key6, db->val6any, db->val6shift,
	    hi);
}

/*
 * lookup_split6 - the record index at low half x inside split /64 number s:
 * its last piece starting at or below x (the first starts at 0).
 */
static uint32_t
lookup_split6(const struct ng_netdb *db, unsigned s, uint64_t x)
{
	size_t lo = db->split6[s], n = db->split6[s + 1] - lo, half;

	while (n > 1) {
		half = n / 2;
		if (db->low6[2 * (lo + half)] <= x)
			lo += half;
		n -= half;
	}
	return (uint32_t)db->low6[2 * lo + 1];
}

/*
 * lookup_rec6 - the record index of the IPv6 address (hi, low): down the
 * tree by the high half, the same steps for every address.  Validation
 * keeps every child index inside its level.
 */
static inline uint32_t
lookup_rec6(const struct ng_netdb *db, uint64_t hi, uint64_t low)
{
	size_t slot = descend6(db, hi);
	uint32_t v;

	if (__builtin_expect(!db->wide, 1)) {
		v = db->val6[slot];
		if (__builtin_expect((v & NG_NETDB_SPLIT16) != 0, 0))
			v = lookup_split6(db, v & ~NG_NETDB_SPLIT16, low);
		return v;
	}
	v = db->val6w[slot];
	if (__builtin_expect((v & NG_NETDB_SPLIT) != 0, 0))
		v = lookup_split6(db, v & ~NG_NETDB_SPLIT, low);
	return v;
}

/* lookup_rec - the record index covering a. */
static inline uint32_t
lookup_rec(const struct ng_netdb *db, const struct ng_addr *a)
{
	uint64_t hi, low;

	if (a->family == 4)
		return lookup_rec4(db, ng_addr_v4(a));
	memcpy(&hi, a->b, 8);
	memcpy(&low, a->b + 8, 8);
	return lookup_rec6(db, be64toh(hi), be64toh(low));
}

/* ng_netdb_lookup - the packed country covering a, or 0. */
uint16_t
ng_netdb_lookup(const struct ng_netdb *db, const struct ng_addr *a)
{
	return db->reccc[lookup_rec(db, a)];
}

/* ng_netdb_find - country, AS number and owner id covering a. */
void
ng_netdb_find(const struct ng_netdb *db, const struct ng_addr *a,
    struct ng_where *w)
{
	const struct ng_netdb_rec *r = &db->rec[lookup_rec(db, a)];

	w->cc = r->cc;
	w->asn = r->asn;
	w->owner = r->owner;
	w->owner_bits = 0;
}

/* ng_netdb_owners - how many owner strings the database holds. */
uint32_t
ng_netdb_owners(const struct ng_netdb *db)
{
	return db->h.owners;
}

/* ng_netdb_owner - owner string number owner, NULL for none. */
const char *
ng_netdb_owner(const struct ng_netdb *db, uint32_t owner)
{
	if (owner == 0 || owner > db->h.owners)
		return NULL;
	return db->ownstr + db->ownoff[owner - 1];
}

/* ng_netdb_view_init - the owner pattern bits of every owner of db. */
int
ng_netdb_view_init(struct ng_netdb_view *v, const struct ng_netdb *db,
    const regex_t *pats, unsigned npats, char *err, size_t errlen)
{
	uint32_t n = ng_netdb_owners(db), k;
	unsigned i;

	v->db = db;
	v->owner_bits = NULL;
	if (npats == 0 || n == 0)
		return 0;
	if (npats > 32) {
		snprintf(err, errlen, "more than 32 owner patterns");
		return -1;
	}
	v->owner_bits = calloc((size_t)n + 1, sizeof(*v->owner_bits));
	if (v->owner_bits == NULL) {
		snprintf(err, errlen, "owner patterns: out of memory");
		return -1;
	}
	for (k = 1; k <= n; k++)
		for (i = 0; i < npats; i++)
			if (regexec(&pats[i], ng_netdb_owner(db, k), 0, NULL,
			    0) == 0)
				v->owner_bits[k] |= 1u << i;
	return 0;
}

/* ng_netdb_view_free - the owner bits; the database is not the view's. */
void
ng_netdb_view_free(struct ng_netdb_view *v)
{
	free(v->owner_bits);
	v->owner_bits = NULL;
}

/* ng_netdb_where - the ng_geo lookup: ng_netdb_find plus owner bits. */
void
ng_netdb_where(const void *ctx, const struct ng_addr *a, struct ng_where *w)
{
	const struct ng_netdb_view *v = ctx;

	ng_netdb_find(v->db, a, w);
	if (v->owner_bits != NULL && w->owner != 0)
		w->owner_bits = v->owner_bits[w->owner];
}

/* ng_netdb_owner_name - the ng_geo owner_name callback. */
const char *
ng_netdb_owner_name(const void *ctx, uint32_t owner)
{
	const struct ng_netdb_view *v = ctx;

	return ng_netdb_owner(v->db, owner);
}

/*
 * Walking: emit merged ranges of one country (by_rec 0) or of one record
 * (by_rec 1), skipping those with no country or record 0.
 */
struct walk {
	const struct ng_netdb *db;
	int family;
	unsigned width;
	int by_rec;
	int (*fn)(const struct ng_addr *, const struct ng_addr *, uint16_t,
	    void *);
	int (*fn_where)(const struct ng_addr *, const struct ng_addr *,
	    const struct ng_where *, void *);
	void *arg;
	ng_u128 lo, hi;
	uint32_t rec;
	int have, stop;
};

/* walk_key - what the walk merges on: the record or its country. */
static uint32_t
walk_key(const struct walk *w, uint32_t rec)
{
	return w->by_rec ? rec : w->db->rec[rec].cc;
}

/*
 * walk_flush - hand the pending run to fn, unless it has nothing known or
 * the walk has stopped.
 */
static void
walk_flush(struct walk *w)
{
	const struct ng_netdb_rec *r = &w->db->rec[w->rec];
	struct ng_addr first, last;
	struct ng_where wh;

	if (!w->have || walk_key(w, w->rec) == 0 || w->stop)
		return;
	ng_u128_to_addr(w->lo, w->family, &first);
	ng_u128_to_addr(w->hi, w->family, &last);
	if (!w->by_rec) {
		w->stop = w->fn(&first, &last, r->cc, w->arg);
		return;
	}
	wh.cc = r->cc;
	wh.asn = r->asn;
	wh.owner = r->owner;
	wh.owner_bits = 0;
	w->stop = w->fn_where(&first, &last, &wh, w->arg);
}

/*
 * walk_put - add the interval [lo, hi] of record rec, extending the pending
 * run where it continues it.
 */
static void
walk_put(struct walk *w, ng_u128 lo, ng_u128 hi, uint32_t rec)
{
	if (w->have && walk_key(w, w->rec) == walk_key(w, rec) &&
	    w->hi + 1 == lo) {
		w->hi = hi;
		return;
	}
	walk_flush(w);
	w->lo = lo;
	w->hi = hi;
	w->rec = rec;
	w->have = 1;
}

/*
 * walk_table - walk the IPv4 table at entry offset off (2^bits entries for the
 * chunk of prefix length plen at base) in address order.
 */
static void
walk_table(struct walk *w, size_t off, unsigned plen, unsigned bits,
    ng_u128 base)
{
	const uint32_t *ent = w->db->ent4;
	unsigned shift = w->width - plen - bits;
	ng_u128 size = (ng_u128)1 << shift, cs, ce, s;
	size_t j, i, n;
	uint32_t e;

	for (j = 0; j < (size_t)1 << bits && !w->stop; j++) {
		e = ent[off + j];
		cs = base + (ng_u128)j * size;
		ce = cs + size - 1;
		if (NG_ENT_KIND(e) == NG_ENT_DIRECT) {
			walk_put(w, cs, ce, NG_ENT_DIRECT_REC(e));
		} else if (NG_ENT_KIND(e) == NG_ENT_NODE) {
			walk_table(w, NG_ENT_NODE_OFF(e), plen + bits,
			    NG_ENT_NODE_BITS(e), cs);
		} else {
			n = NG_ENT_SLICE_N(e);
			for (i = 0; i < n; i++) {
				s = start_at(w->db, e, i, cs);
				walk_put(w, s, i + 1 < n ?
				    start_at(w->db, e, i + 1, cs) - 1 : ce,
				    rec_at(w->db, e, i));
			}
		}
	}
}

/*
 * walk_tree6 - walk the IPv6 high intervals in address order, split /64s
 * piece by piece.
 */
static void
walk_tree6(struct walk *w)
{
	const struct ng_netdb *db = w->db;
	const uint64_t *leaf = db->key6 + db->t6.off[db->t6.height - 1];
	uint64_t first, last;
	size_t j, i, a, b;
	ng_u128 base;
	uint32_t v;

	for (j = 0; j < db->n6 && !w->stop; j++) {
		first = j == 0 ? 0 : leaf[j - 1] + 1;
		last = j + 1 < db->n6 ? leaf[j] : UINT64_MAX;
		v = val6_at(db, j);
		base = (ng_u128)first << 64;
		if (!(v & NG_NETDB_SPLIT)) {
			walk_put(w, base, (ng_u128)last << 64 | UINT64_MAX, v);
			continue;
		}
		a = db->split6[v & ~NG_NETDB_SPLIT];
		b = db->split6[(v & ~NG_NETDB_SPLIT) + 1];
		for (i = a; i < b; i++)
			walk_put(w, base | db->low6[2 * i], i + 1 < b ?
			    (base | db->low6[2 * i + 2]) - 1 :
			    base | UINT64_MAX, (uint32_t)db->low6[2 * i + 1]);
	}
}

/* walk_run - run the walk w over its family, flushing the last run. */
static int
walk_run(struct walk *w)
{
	if (w->family == 4)
		walk_table(w, 0, 0, NG_NETDB_ROOT_BITS, 0);
	else
		walk_tree6(w);
	walk_flush(w);
	return w->stop;
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
	return walk_run(&w);
}

/*
 * ng_netdb_walk_where - call fn for every merged range of family with
 * anything known (one record: country, AS number, owner), in address
 * order; fn's nonzero value stops the walk.
 */
int
ng_netdb_walk_where(const struct ng_netdb *db, int family,
    int (*fn)(const struct ng_addr *first, const struct ng_addr *last,
	const struct ng_where *w, void *arg), void *arg)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.family = family == 6 ? 6 : 4;
	w.width = family == 6 ? 128 : 32;
	w.by_rec = 1;
	w.fn_where = fn;
	w.arg = arg;
	return walk_run(&w);
}

/* ng_netdb_source - source i of db into *s; -1 past the last. */
int
ng_netdb_source(const struct ng_netdb *db, size_t i,
    struct ng_netdb_source *s)
{
	if (i >= db->h.sec[NG_SEC_SRC].count)
		return -1;
	s->name = db->src[i].name;
	s->format = db->src[i].format;
	memcpy(s->rows, db->src[i].rows, sizeof(s->rows));
	return 0;
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
	info->records = db->h.records;
	info->owners = db->h.owners;
	info->asns = db->h.asns;
	info->wide = db->wide;
	memcpy(info->fields, db->h.fields, sizeof(info->fields));
	info->bytes = db->len;
	info->checksum = db->h.checksum;
}
