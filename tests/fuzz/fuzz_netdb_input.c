/*
 * fuzz_netdb_input.c - every netblock source reader under libFuzzer,
 * then the builder and the validator on whatever rows came out.
 *
 * The first byte picks the reader (its low bits mod 8: auto-detect, RIR,
 * RPSL, CSV, IP2Location, GeoLite2 blocks, GeoLite2 locations, asn) and
 * whether the read is lenient (its top bit); the rest is the file.
 * GeoLite2 blocks get a small fixed locations table.  Source files come
 * from the internet, so a reader must turn any bytes into rows or a
 * "file:line" error.  Rows that come out must compile into an image
 * that validates, and every row's first address must then have each
 * field the row gives (country, AS number, an owner string that is
 * 1..NG_OWNER_MAX bytes without control bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb.h"
#include "netdb/netdb_build.h"
#include "netdb/netdb_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char locations[] =
    "geoname_id,locale_code,continent_code,continent_name,"
    "country_iso_code,country_name,is_in_european_union\n"
    "1814991,en,AS,Asia,CN,China,0\n"
    "2077456,en,OC,Oceania,AU,Australia,0\n"
    "6255148,en,EU,Europe,,,0\n";

static const enum ng_informat formats[] = {
	NG_IN_AUTO, NG_IN_RIR, NG_IN_RPSL, NG_IN_CSV, NG_IN_IP2L,
	NG_IN_GEOLITE, NG_IN_GEOLOC, NG_IN_ASN
};

/* check_owner - abort unless s is a well-formed owner string. */
static void
check_owner(const char *s)
{
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > NG_OWNER_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void
check_rows(struct ng_nrows *rows)
{
	struct ng_build_stats bs;
	struct ng_netdb *db;
	struct ng_addr a;
	struct ng_where w;
	void *image = NULL;
	size_t len, i, n = rows->n;
	char err[512];
	struct ng_nrow *copy;

	if (n == 0 || n > 2000)
		return;
	if ((copy = malloc(n * sizeof(*copy))) == NULL)
		return;
	memcpy(copy, rows->v, n * sizeof(*copy));
	if (ng_netdb_compile(rows, 0, &image, &len, &bs, err,
	    sizeof(err)) != 0)
		abort();	/* only out of memory may fail */
	db = ng_netdb_open_buffer(image, len, "fuzz.db", err, sizeof(err));
	if (db == NULL)
		abort();	/* the builder wrote what open refuses */
	for (i = 0; i < n; i++) {
		ng_u128_to_addr(copy[i].lo, copy[i].family, &a);
		ng_netdb_find(db, &a, &w);
		/* A field the row gives, unanswered at its own address. */
		if (((copy[i].fields & NG_NROW_CC) && w.cc == 0) ||
		    ((copy[i].fields & NG_NROW_ASN) && w.asn == 0) ||
		    ((copy[i].fields & NG_NROW_OWNER) && w.owner == 0) ||
		    ng_netdb_lookup(db, &a) != w.cc)
			abort();
		if (w.owner != 0)
			check_owner(ng_netdb_owner(db, w.owner));
	}
	ng_netdb_close(db);
	free(image);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ng_nrows rows = { .v = NULL };
	struct ng_geoloc locs = { NULL, 0, 0, 0 };
	struct ng_in_stats st;
	enum ng_informat f;
	char err[512];
	int lenient;

	if (size < 1)
		return 0;
	f = formats[(data[0] & 0x7f) % 8];
	lenient = data[0] >> 7;
	rows.last_wins = (data[0] >> 6) & 1;
	if (f == NG_IN_GEOLITE || f == NG_IN_AUTO)
		ng_input_read_mem(locations, strlen(locations), "loc.csv",
		    NG_IN_GEOLOC, 0, &locs, &rows, &st, err, sizeof(err));
	if (ng_input_read_mem(data + 1, size - 1, "fuzz.txt", f, lenient,
	    &locs, &rows, &st, err, sizeof(err)) == 0)
		check_rows(&rows);
	else if (strncmp(err, "fuzz.txt:", 9) != 0)
		abort();	/* errors name the file */
	ng_nrows_free(&rows);
	ng_geoloc_free(&locs);
	return 0;
}
