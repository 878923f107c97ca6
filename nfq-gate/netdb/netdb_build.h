/*
 * netdb_build.h - compile source rows into a netblock database image.
 *
 * The input parsers (netdb_input.h) append rows, each giving some of the
 * fields country, AS number and owner.  The builder resolves each field
 * on its own over the rows that give it (the most specific covering row
 * wins: the one starting last, then the narrowest, then the later source
 * and line; or, with last_wins, simply the later row in input order), so
 * a country from one source and an AS number from another combine;
 * then it overlays the three partitions into one of records, merges
 * touching intervals of one record, lays out the stride tables of
 * netdb_format.h and writes the file atomically.
 */
#ifndef NG_NETDB_BUILD_H
#define NG_NETDB_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "netdb/netdb_format.h"	/* ng_u128, ng_netdb_crc */

/* Which fields a row gives: a bit per NG_FIELD_* (netdb_format.h). */
#define NG_NROW_CC	(1u << NG_FIELD_CC)
#define NG_NROW_ASN	(1u << NG_FIELD_ASN)
#define NG_NROW_OWNER	(1u << NG_FIELD_OWNER)

/* One source row: an inclusive range of one family with its fields. */
struct ng_nrow {
	ng_u128 lo, hi;		/* IPv4 in the low 32 bits */
	uint32_t prio;		/* larger wins among equal widths */
	uint32_t asn;		/* with NG_NROW_ASN: 1..UINT32_MAX */
	uint32_t owner;		/* with NG_NROW_OWNER: a string id */
	uint16_t cc;		/* with NG_NROW_CC: ng_cc_pack */
	uint8_t family;		/* 4 or 6 */
	uint8_t fields;		/* NG_NROW_* */
};

/* Owner strings while building: each distinct one once, ids from 1. */
struct ng_strpool {
	char *buf;		/* the strings, each NUL-terminated */
	size_t len, cap;
	uint32_t *off;		/* off[id - 1]: where string id starts */
	size_t n, ocap;
	uint32_t *slot;		/* open addressing hash: ids, 0 empty */
	size_t hcap;
};

struct ng_nrows {
	struct ng_nrow *v;
	size_t n, cap;
	uint32_t next_prio;	/* rows get increasing priorities */
	int last_wins;		/* overlaps: input order only */
	struct ng_strpool owners;
	struct ng_netdb_src *src;	/* the sources read, for "info" */
	size_t nsrc, srccap;
};

/* What the build did, per family (index 0: IPv4, 1: IPv6). */
struct ng_build_stats {
	uint64_t rows[2];
	uint64_t overlaps[2];	/* rows that began inside an earlier row */
	uint64_t ranges[2];	/* merged ranges with a record */
	uint64_t fields[2][NG_FIELDS];	/* of those, with each field */
	uint64_t intervals[2];	/* stored interval starts */
	uint64_t nodes[2];	/* child tables */
	uint32_t countries;
	uint32_t records, owners, asns;
	size_t bytes;
	uint32_t checksum;
};

/* A row of country cc (nonzero). */
int ng_nrows_add(struct ng_nrows *r, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc);

/*
 * A row of the fields given (NG_NROW_*): country cc, AS number asn, owner
 * string owner (1..NG_OWNER_MAX bytes, no control bytes; stored once).
 * -1 when out of memory.
 */
int ng_nrows_add_fields(struct ng_nrows *r, int family, ng_u128 lo,
    ng_u128 hi, unsigned fields, uint16_t cc, uint32_t asn,
    const char *owner);
void ng_nrows_free(struct ng_nrows *r);

/*
 * Note a source read into r: path (its directory dropped, cut to fit),
 * format name, its rows per family and field.  -1 when out of memory or
 * past NG_NETDB_MAXSRC sources.
 */
int ng_nrows_add_source(struct ng_nrows *r, const char *path,
    const char *format, const uint64_t rows[2][3]);

/* Compile rows into a malloc'ed image; the rows are sorted in place. */
int ng_netdb_compile(struct ng_nrows *r, uint64_t built, void **image,
    size_t *len, struct ng_build_stats *st, char *err, size_t errlen);

/* Write an image to path via a temporary file, fsync and rename. */
int ng_netdb_write(const char *path, const void *image, size_t len,
    char *err, size_t errlen);

#endif
