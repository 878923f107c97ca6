/*
 * netdb.h - the compiled country netblock database: open and look up.
 *
 * A database is one file built by "nfq-gate-db build".  It is read into
 * read-only memory and checked completely when opened (header, version,
 * checksum, every index and range), so a truncated or corrupt file is
 * refused with a clear message instead of crashing the gate later.
 * Lookups are exact: the answer for every address equals the most
 * specific source row that covers it.
 */
#ifndef NG_NETDB_H
#define NG_NETDB_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"

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

/* An ng_geo lookup callback: ctx is a struct ng_netdb. */
uint16_t ng_netdb_geo(const void *ctx, const struct ng_addr *a);

/*
 * Walk the database's disjoint ranges of one family in address order,
 * each with its country (adjacent ranges of one country already merged).
 * first and last are inclusive.  Stops early when fn returns nonzero.
 */
int ng_netdb_walk(const struct ng_netdb *db, int family,
    int (*fn)(const struct ng_addr *first, const struct ng_addr *last,
	uint16_t cc, void *arg), void *arg);

struct ng_netdb_info {
	uint32_t version;
	uint64_t built;		/* unix time */
	uint64_t ranges4, ranges6;
	uint32_t countries;
	uint64_t bytes;		/* file size */
	uint32_t checksum;
};
void ng_netdb_get_info(const struct ng_netdb *db, struct ng_netdb_info *info);

#endif
