/*
 * netdb_format.h - the on-disk layout of the compiled netblock database.
 *
 * The file is a header followed by 8-byte aligned sections.  The gate
 * reads it into read-only memory and uses the sections in place, so
 * everything is stored in the host's byte order (the header's byte-order
 * mark refuses a file from a machine of the other order) and every
 * section is an array of fixed-size integers (or of structs of them).
 *
 * Each family is a partition of its whole address space into intervals,
 * each with a record index: records are the distinct (country, AS number,
 * owner) triples of the database, record 0 being "nothing known".  A
 * database of countries alone has one record per country, so its records
 * table is as small as the country table it replaces (version 3) and its
 * lookups take the same steps.  Owner strings are stored once each:
 *   REC     struct ng_netdb_rec {asn, owner id, packed country}; record 0
 *           all zero and no other (the builder makes them distinct).
 *   RECCC   u16 per record: its packed country again, so a country
 *           lookup reads a table as small as version 3's country codes
 *           (two bytes a record) and is as fast.
 *   OWNOFF  u32 per owner id and one more: owner k (1..owners) is the
 *           NUL-terminated string at OWNSTR[OWNOFF[k - 1]], ending just
 *           before OWNOFF[k]; OWNOFF[0] is 0 and the last is OWNSTR's
 *           size.  Each string is 1..NG_OWNER_MAX bytes with no NUL or
 *           control byte inside.
 *   OWNSTR  the strings' bytes.
 *   SRC     struct ng_netdb_src per source file the build read (at most
 *           NG_NETDB_MAXSRC), for "nfq-gate-db info": its file name and
 *           format, NUL-padded, and its rows per family and field.
 *
 * IPv4 lookups go through a stride table, DXR style: the root has one
 * entry per top 16 bits of the address; a child node indexes the next k
 * bits of its chunk, k chosen by the builder for the number of starts
 * inside (about four per entry).  An entry is
 *   DIRECT  the whole chunk has one record (most lookups end here);
 *   SLICE   a short run [lo, lo+n) of the sorted interval starts whose
 *           first element is the chunk's own start (carrying in the
 *           record of the interval that began before it), searched
 *           with a binary search (SLICEW in a wide database, below:
 *           the kind tells the lookup the element size, with no test
 *           of a flag on its way);
 *   NODE    a child table of 2^k entries at an entry offset, used
 *           when a chunk holds more than NG_NETDB_SLICE_MAX starts.
 *           Children follow their parents depth first, each once.
 * Slices never span a root chunk, so a slice element packs the start's
 * low 16 bits with the record index (one cache line serves the search
 * and the answer): in a u32 (SLICE4, low 16 bits << 16 | record) in a
 * "narrow" database, in a u64 (SLICE4W, low 16 bits << 32 | record) in
 * a "wide" one, whose header has the NG_NETDB_F_WIDE flag; the other
 * section is empty.  A database is narrow when it has at most
 * NG_NETDB_NARROW records and split /64s (below), so a database of
 * countries is as small and as fast as version 3 was.
 *
 * IPv6 is too sparse and too skewed for stride tables (the whois data
 * has 125 distinct top 16 bits, one /32 holds 34k starts), so its lookup
 * is a static B+ tree of fixed height over the 64-bit high halves: every
 * lookup takes the same steps with no data-dependent branch, so the
 * CPU overlaps consecutive lookups' cache misses.  Almost every range
 * boundary is /64 aligned (8k of 275k are not, inside 828 /64s), so the
 * high halves partition the 2^64 /64s into "high intervals"; a /64 that
 * holds boundaries of its own is a high interval of its own, "split",
 * whose value points at its (low half, record) pieces.
 *   KEY6    the tree, NG_NETDB_B6 u64 keys a node (two cache lines),
 *           root level first.  The leaf level holds the last high half of
 *           every high interval but the last, rising, then at least one
 *           UINT64_MAX pad up to a whole node.  An inner node's key j is
 *           the largest leaf key under its child j (UINT64_MAX for a
 *           child past the end), so "how many keys are < x" picks the
 *           child, and at the leaf gives x's high interval.  The level
 *           sizes follow from the leaf count (ng_netdb_tree_shape); the
 *           inner keys from the leaves (ng_netdb_tree_key).
 *   VAL6    u16 per leaf slot (narrow; VAL6W u32 when wide): the
 *           interval's record index, or NG_NETDB_SPLIT16 | s
 *           (NG_NETDB_SPLIT | s when wide) for split /64 number s (0
 *           for pads); on a cache line, so a leaf node's values are in
 *           one line.
 *   SPLIT6  u32 per split /64 and one more: its first piece in LOW6.
 *   LOW6    u64 pairs (low half of the piece's start, record index);
 *           each split /64 has two pieces or more, the first at 0.
 *
 * Version 4 added the records and owners; a version 3 file (a country
 * index per interval) is refused with a message to rebuild it.
 *
 * What the reader (netdb.c) and the writer (netdb_build.c) share besides
 * the layout lives here too, so that the lookup needs nothing from the
 * builder: the 128-bit address value of the interval starts, the IPv6
 * tree's shape and keys, and the file's checksum (netdb_format.c).
 */
#ifndef NG_NETDB_FORMAT_H
#define NG_NETDB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"

#define NG_NETDB_MAGIC		"NGNETDB\0"
#define NG_NETDB_VERSION	4
#define NG_NETDB_BOM		0x01020304u
#define NG_NETDB_ROOT_BITS	16
#define NG_NETDB_NODE_MAXBITS	16
#ifndef NG_NETDB_SLICE_MAX
#define NG_NETDB_SLICE_MAX	8
#endif
#ifndef NG_NETDB_DENSITY
#define NG_NETDB_DENSITY	2	/* about 2^D starts per node entry */
#endif
#define NG_NETDB_MAXREC		0x3fffffffu	/* a 30-bit index */
#define NG_NETDB_NARROW		32768u	/* records, splits: narrow */
#define NG_NETDB_F_WIDE		1u	/* flag: SLICE4W in use */
#ifndef NG_OWNER_MAX
#define NG_OWNER_MAX		255	/* bytes of an owner string */
#endif
#ifndef NG_NETDB_B6
#define NG_NETDB_B6		16	/* u64 keys per IPv6 tree node */
#endif
#define NG_NETDB_MAXLEVELS	16	/* 9^15 leaf nodes: never reached */
#define NG_NETDB_SPLIT		0x80000000u	/* VAL6W: | split /64 */
#define NG_NETDB_SPLIT16	0x8000u		/* VAL6: | split /64 */
#define NG_NETDB_MAXSPLIT	0x40000000u

/* Entry encoding: the top two bits say the kind. */
#define NG_ENT_KIND(e)		((e) >> 30)
#define NG_ENT_SLICE		0u
#define NG_ENT_DIRECT		1u
#define NG_ENT_NODE		2u
#define NG_ENT_SLICEW		3u	/* a SLICE of SLICE4W elements */
#define NG_ENT_SLICE_LO(e)	((e) & 0x3fffffu)	/* 22 bits */
#define NG_ENT_SLICE_N(e)	(((e) >> 22) & 0x7fu)	/* 1..127 */
#define NG_ENT_SLICE_RSV(e)	(((e) >> 29) & 1u)	/* 0 */
#define NG_ENT_DIRECT_REC(e)	((e) & 0x3fffffffu)
#define NG_ENT_NODE_BITS(e)	(((e) >> 25) & 0x1fu)	/* k */
#define NG_ENT_NODE_OFF(e)	((e) & 0x1ffffffu)	/* 25 bits */
#define NG_ENT_MAXOFF		0x1ffffffu
#define NG_ENT_MAXLO		0x3fffffu

/* One array inside the file: byte offset and element count. */
struct ng_netdb_section {
	uint64_t off;
	uint64_t count;
};

#define NG_NETDB_MAXSRC		4096

/* One source file of the build, as "nfq-gate-db info" reports it. */
struct ng_netdb_src {
	char name[64];		/* file name without directory, NUL-padded */
	char format[16];	/* format name, NUL-padded */
	uint64_t rows[2][3];	/* rows per family giving each NG_FIELD_* */
};

/* One record: what the database knows of an interval. */
struct ng_netdb_rec {
	uint32_t asn;		/* 0: none */
	uint32_t owner;		/* owner id 1..owners; 0: none */
	uint16_t cc;		/* ng_cc_pack; 0: none */
	uint16_t reserved;	/* 0 */
};

enum {
	NG_SEC_REC,		/* struct ng_netdb_rec */
	NG_SEC_RECCC,		/* uint16_t: each record's country */
	NG_SEC_ENT4,		/* uint32_t stride table entries */
	NG_SEC_SLICE4,		/* uint32_t: start low 16 bits << 16 | rec */
	NG_SEC_SLICE4W,		/* uint64_t: start low 16 bits << 32 | rec */
	NG_SEC_KEY6,		/* uint64_t tree keys, root level first */
	NG_SEC_VAL6,		/* uint16_t per leaf slot (narrow) */
	NG_SEC_VAL6W,		/* uint32_t per leaf slot (wide) */
	NG_SEC_SPLIT6,		/* uint32_t first piece of each split /64 */
	NG_SEC_LOW6,		/* uint64_t (low half, record) pairs */
	NG_SEC_OWNOFF,		/* uint32_t owner string offsets */
	NG_SEC_OWNSTR,		/* char: the owner strings */
	NG_SEC_SRC,		/* struct ng_netdb_src */
	NG_SEC_COUNT
};

/* What the ranges carry, per family: NG_FIELD_* index the counts. */
enum { NG_FIELD_CC, NG_FIELD_ASN, NG_FIELD_OWNER, NG_FIELDS };

struct ng_netdb_header {
	char magic[8];
	uint32_t version;
	uint32_t bom;
	uint32_t header_size;	/* sizeof(struct ng_netdb_header) */
	uint32_t checksum;	/* zlib crc32 of it all, this field as 0 */
	uint64_t file_size;
	uint64_t built;		/* unix time */
	uint64_t ranges4;	/* merged ranges with a record but 0 */
	uint64_t ranges6;
	uint64_t fields[2][NG_FIELDS];	/* of those, with each field */
	uint32_t countries;	/* distinct codes in the records */
	uint32_t flags;		/* NG_NETDB_F_WIDE or 0 */
	uint32_t records;	/* REC's count, record 0 included */
	uint32_t owners;	/* owner strings */
	uint32_t asns;		/* distinct AS numbers (information) */
	uint32_t reserved;	/* 0 */
	struct ng_netdb_section sec[NG_SEC_COUNT];
};

/* An address as one host-order number; IPv4 in the low 32 bits. */
__extension__ typedef unsigned __int128 ng_u128;

/* Host-order 128-bit value of an address and back. */
ng_u128 ng_u128_from_addr(const struct ng_addr *a);
void ng_u128_to_addr(ng_u128 v, int family, struct ng_addr *a);

/* The shape of an IPv6 tree: nodes and key offset of each level. */
struct ng_netdb_tree {
	unsigned height;	/* levels, root first; leaves last */
	size_t nodes[NG_NETDB_MAXLEVELS];
	size_t off[NG_NETDB_MAXLEVELS];
	size_t span[NG_NETDB_MAXLEVELS];	/* leaf slots under a node */
	size_t leafkeys;	/* leaf slots: the VAL6 count */
	size_t keys;		/* all levels: the KEY6 count */
};

/* The tree for n high intervals (n >= 1); -1 if n is absurd. */
int ng_netdb_tree_shape(size_t n, struct ng_netdb_tree *t);

/* What key i of inner level l must be, given the leaf level. */
uint64_t ng_netdb_tree_key(const uint64_t *keys, const struct ng_netdb_tree *t,
    unsigned l, size_t i);

/* The checksum of an image: header (checksum field as 0) and body. */
uint32_t ng_netdb_crc(const void *image, size_t len);

#endif
