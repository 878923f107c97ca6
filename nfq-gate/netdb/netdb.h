/*
 * netdb.h - the compiled netblock database (country, AS number, owner):
 * open and look up.
 *
 * A database is one file built by "nfq-gate-db build".  It is read into
 * read-only memory and checked completely when opened (header, version,
 * checksum, every index and range), so a truncated or corrupt file is
 * refused with a clear message instead of crashing the gate later.
 * Lookups are exact: for every address, each field (country, AS number,
 * owner) equals the most specific source row giving that field that
 * covers it.
 */
#ifndef NG_NETDB_H
#define NG_NETDB_H

#include <stddef.h>
#include <stdint.h>

#include <regex.h>

#include "base/addr.h"
#include "base/where.h"

struct ng_netdb;

/* Read and validate a file; NULL with a message naming the file on error. */
struct ng_netdb *ng_netdb_open(const char *path, char *err, size_t errlen);

/*
 * Validate an image already in memory (the fuzzer, tests).  The buffer
 * must outlive the handle; it is not copied.
 */
struct ng_netdb *ng_netdb_open_buffer(const void *buf, size_t len,
    const char *name, char *err, size_t errlen);

void ng_netdb_close(struct ng_netdb *db);

/* The packed country code (ng_cc_pack) covering a, or 0. */
uint16_t ng_netdb_lookup(const struct ng_netdb *db, const struct ng_addr *a);
uint16_t ng_netdb_lookup_v4(const struct ng_netdb *db, uint32_t host_order);

/*
 * Country, AS number and owner id covering a (all 0 where none);
 * w->owner_bits is left 0: that is the view's to fill.
 */
void ng_netdb_find(const struct ng_netdb *db, const struct ng_addr *a,
    struct ng_where *w);

/* Owner ids run 1..ng_netdb_owners(db); the string of one, NULL for 0
 * or out of range.  The strings live in the database's memory. */
uint32_t ng_netdb_owners(const struct ng_netdb *db);
const char *ng_netdb_owner(const struct ng_netdb *db, uint32_t owner);

/*
 * What the engine's ng_geo callbacks read: a database and, per owner id,
 * the bits of the policy's owner patterns that match it (NULL: none
 * match).  Made when the database or the config is (re)loaded.
 */
struct ng_netdb_view {
	const struct ng_netdb *db;
	uint32_t *owner_bits;	/* ng_netdb_owners(db) + 1 entries */
};

/*
 * Fill v->owner_bits: bit i of owner k is set when pats[i] matches
 * owner string k (regexec, the patterns compiled by the caller; at
 * most 32).  0, or -1 with a message (out of memory).
 */
int ng_netdb_view_init(struct ng_netdb_view *v, const struct ng_netdb *db,
    const regex_t *pats, unsigned npats, char *err, size_t errlen);
void ng_netdb_view_free(struct ng_netdb_view *v);

/* ng_geo callbacks: ctx is a struct ng_netdb_view. */
void ng_netdb_where(const void *ctx, const struct ng_addr *a,
    struct ng_where *w);
const char *ng_netdb_owner_name(const void *ctx, uint32_t owner);

/*
 * Walk the database's disjoint ranges of one family in address order,
 * each with its country (adjacent ranges of one country already merged).
 * first and last are inclusive.  Stops early when fn returns nonzero.
 */
int ng_netdb_walk(const struct ng_netdb *db, int family,
    int (*fn)(const struct ng_addr *first, const struct ng_addr *last,
	uint16_t cc, void *arg), void *arg);

/*
 * The same for every merged range of family with anything known: its
 * country, AS number and owner id in *w (owner_bits 0).
 */
int ng_netdb_walk_where(const struct ng_netdb *db, int family,
    int (*fn)(const struct ng_addr *first, const struct ng_addr *last,
	const struct ng_where *w, void *arg), void *arg);

struct ng_netdb_info {
	uint32_t version;
	uint64_t built;		/* unix time */
	uint64_t ranges4, ranges6;
	uint64_t fields[2][3];	/* per family: ranges with a country, an
				 * AS number, an owner */
	uint32_t countries;
	uint32_t records, owners, asns;
	int wide;		/* IPv4 slices of 64 bits */
	uint64_t bytes;		/* file size */
	uint32_t checksum;
};
void ng_netdb_get_info(const struct ng_netdb *db, struct ng_netdb_info *info);

/* A source file of the build: its name, format, rows per family with
 * a country, an AS number, an owner.  The strings are the database's. */
struct ng_netdb_source {
	const char *name, *format;
	uint64_t rows[2][3];
};
int ng_netdb_source(const struct ng_netdb *db, size_t i,
    struct ng_netdb_source *s);

#endif
