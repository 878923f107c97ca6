/*
 * netdb_build.h - compile source rows into a netblock database image.
 *
 * The input parsers (netdb_input.h) append rows; the builder resolves
 * overlaps (the most specific covering row wins: the one starting last,
 * then the narrowest, then the later source and line; or, with
 * last_wins, simply the later row in input order), merges touching
 * ranges of one country, lays out the stride tables of netdb_format.h
 * and writes the file atomically.
 */
#ifndef NG_NETDB_BUILD_H
#define NG_NETDB_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "netdb/netdb_format.h"	/* ng_u128, ng_netdb_crc */

/* One source row: an inclusive range of one family with its country. */
struct ng_nrow {
	ng_u128 lo, hi;		/* IPv4 in the low 32 bits */
	uint32_t prio;		/* larger wins among equal widths */
	uint16_t cc;		/* ng_cc_pack */
	uint8_t family;		/* 4 or 6 */
};

struct ng_nrows {
	struct ng_nrow *v;
	size_t n, cap;
	uint32_t next_prio;	/* rows get increasing priorities */
	int last_wins;		/* overlaps: input order only */
};

/* What the build did, per family (index 0: IPv4, 1: IPv6). */
struct ng_build_stats {
	uint64_t rows[2];
	uint64_t overlaps[2];	/* rows that began inside an earlier row */
	uint64_t ranges[2];	/* merged ranges with a country */
	uint64_t intervals[2];	/* stored interval starts */
	uint64_t nodes[2];	/* child tables */
	uint32_t countries;
	size_t bytes;
	uint32_t checksum;
};

int ng_nrows_add(struct ng_nrows *r, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc);
void ng_nrows_free(struct ng_nrows *r);

/* Compile rows into a malloc'ed image; the rows are sorted in place. */
int ng_netdb_compile(struct ng_nrows *r, uint64_t built, void **image,
    size_t *len, struct ng_build_stats *st, char *err, size_t errlen);

/* Write an image to path via a temporary file, fsync and rename. */
int ng_netdb_write(const char *path, const void *image, size_t len,
    char *err, size_t errlen);

#endif
