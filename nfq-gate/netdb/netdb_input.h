/*
 * netdb_input.h - read netblock sources (countries, AS numbers, owners)
 * into build rows.
 *
 * One reader per source format (netdb_in_*.c) shares the line reader,
 * the error reporting and the row counting here.  Files may be gzip'ed
 * (zlib reads plain files too); a source may also be a memory buffer
 * (the fuzzer).  Bad lines stop the read with "file:line: reason"
 * unless the read is lenient, which skips and counts them.
 */
#ifndef NG_NETDB_INPUT_H
#define NG_NETDB_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "base/text.h"
#include "netdb/netdb_build.h"

enum ng_informat {
	NG_IN_AUTO,
	NG_IN_RIR,		/* RIR delegated(-extended) stats */
	NG_IN_RPSL,		/* whois dump: inetnum/inet6num + country */
	NG_IN_CSV,		/* start,end,CC */
	NG_IN_IP2L,		/* IP2Location LITE DB1 */
	NG_IN_GEOLITE,		/* GeoLite2 Country blocks */
	NG_IN_GEOLOC,		/* GeoLite2 Country locations */
	NG_IN_ASN		/* start,end,asn,organisation */
};

#define NG_IN_MAXSTATUS 16

struct ng_in_stats {
	enum ng_informat format;
	uint64_t rows[2];	/* accepted, IPv4 and IPv6 */
	uint64_t fields[2][3];	/* of those, giving a country, an AS
				 * number, an owner (NG_FIELD_*) */
	uint64_t nocountry;	/* rows or objects without a country */
	uint64_t bad;		/* bad lines skipped (lenient) */
	uint64_t other;		/* not address rows (ASNs, other objects) */
	struct {
		char name[16];
		uint64_t n;
	} skipped[NG_IN_MAXSTATUS];	/* RIR rows skipped by status */
	size_t nskipped;
};

/* GeoLite2 locations: geoname_id to country. */
struct ng_geoloc {
	struct ng_geoloc_ent {
		uint32_t id;
		uint16_t cc;
	} *v;
	size_t n, cap;
	int sorted;
};

/* A line source: a gzFile or a memory buffer, read in chunks. */
struct ng_lines {
	gzFile gz;
	const char *chunk;	/* the buffer, or rbuf for a file */
	size_t cpos, clen;
	char *rbuf;
	int eof;
	const char *name;
	unsigned long lineno;
	char *buf;		/* the current line, NUL-terminated */
	size_t cap;
	int again;		/* return the current line once more */
};

/* One read in progress, handed to the format's reader. */
struct ng_in {
	struct ng_lines lines;
	struct ng_nrows *rows;
	struct ng_in_stats *st;
	struct ng_geoloc *locs;
	int lenient;
	char *err;
	size_t errlen;
};

const char *ng_informat_name(enum ng_informat f);
int ng_informat_parse(const char *s, enum ng_informat *f);

/* Read a file (or a buffer) of format f (NG_IN_AUTO: detect) into rows. */
int ng_input_read_file(const char *path, enum ng_informat f, int lenient,
    struct ng_geoloc *locs, struct ng_nrows *rows, struct ng_in_stats *st,
    char *err, size_t errlen);
int ng_input_read_mem(const void *buf, size_t len, const char *name,
    enum ng_informat f, int lenient, struct ng_geoloc *locs,
    struct ng_nrows *rows, struct ng_in_stats *st, char *err, size_t errlen);

/* The format of a file from its first significant line. */
int ng_input_detect_file(const char *path, enum ng_informat *f, char *err,
    size_t errlen);

void ng_geoloc_free(struct ng_geoloc *l);

/* For the format readers. */
int ng_in_next(struct ng_in *in, char **line);
int ng_in_bad(struct ng_in *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ng_in_add(struct ng_in *in, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc);
/* A row of some fields (NG_NROW_*); no field at all is only counted. */
int ng_in_add_fields(struct ng_in *in, int family, ng_u128 lo, ng_u128 hi,
    unsigned fields, uint16_t cc, uint32_t asn, const char *owner);
int ng_in_parse_addr(const char *s, int *family, ng_u128 *v);
void ng_in_count_status(struct ng_in *in, const char *status);
int ng_geoloc_add(struct ng_geoloc *l, uint32_t id, uint16_t cc);
int ng_geoloc_find(struct ng_geoloc *l, uint32_t id, uint16_t *cc);

int ng_in_rir(struct ng_in *in);
int ng_in_rpsl(struct ng_in *in);
int ng_in_csv(struct ng_in *in);
int ng_in_ip2l(struct ng_in *in);
int ng_in_geolite(struct ng_in *in);
int ng_in_geoloc(struct ng_in *in);
int ng_in_asn(struct ng_in *in);

/*
 * Split one CSV line in place into at most max fields: a field may be
 * quoted ("" inside quotes is a quote), blanks around unquoted fields
 * are trimmed.  The number of fields, or -1 for an unterminated quote
 * or text after a closing quote.
 */
int ng_csv_split(char *line, char **f, int max);

#endif
