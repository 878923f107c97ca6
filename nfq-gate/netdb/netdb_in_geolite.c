/*
 * netdb_in_geolite.c - MaxMind GeoLite2 Country CSV.  The blocks files
 *   network,geoname_id,registered_country_geoname_id,...
 *   1.0.1.0/24,1814991,1814991,,0,0
 * name a location, and the locations file
 *   geoname_id,locale_code,continent_code,continent_name,
 *   country_iso_code,...
 * gives its country, so the locations are read first (db_main.c pairs
 * the files).  A block's country is its geoname_id's, else that of its
 * registered country.  Columns are found by their header names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/err.h"
#include "netdb/netdb_input.h"

#define GEO_MAXF 32

/* split - split a CSV line into at most max fields (no commas in quotes). */
static int
split(char *s, char **f, int max)
{
	int n = 0;
	size_t len;

	for (;;) {
		char *c = strchr(s, ',');

		if (n == max)
			return n;
		if (c != NULL)
			*c = '\0';
		s = ng_trim(s);
		len = strlen(s);
		if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
			s[len - 1] = '\0';
			s++;
		}
		f[n++] = s;
		if (c == NULL)
			return n;
		s = c + 1;
	}
}

/* column - the index of the column called name, or -1. */
static int
column(char **f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

/* geoname - the geoname_id s as a number. */
static int
geoname(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 0xffffffffUL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* ent_cmp - order locations by geoname_id. */
static int
ent_cmp(const void *pa, const void *pb)
{
	const struct ng_geoloc_ent *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* ng_geoloc_add - remember that location id is in country cc. */
int
ng_geoloc_add(struct ng_geoloc *l, uint32_t id, uint16_t cc)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct ng_geoloc_ent *nv = realloc(l->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].id = id;
	l->v[l->n++].cc = cc;
	l->sorted = 0;
	return 0;
}

/*
 * ng_geoloc_find - the country of location id, sorting the locations on the
 * first look-up; -1 when unknown.
 */
int
ng_geoloc_find(struct ng_geoloc *l, uint32_t id, uint16_t *cc)
{
	struct ng_geoloc_ent key, *e;

	if (!l->sorted) {
		if (l->n > 0)
			qsort(l->v, l->n, sizeof(*l->v), ent_cmp);
		l->sorted = 1;
	}
	key.id = id;
	if (l->n == 0 ||
	    (e = bsearch(&key, l->v, l->n, sizeof(*l->v), ent_cmp)) == NULL)
		return -1;
	*cc = e->cc;
	return 0;
}

/* ng_geoloc_free - free l's locations and empty it. */
void
ng_geoloc_free(struct ng_geoloc *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * header - split the header, the first non-empty line, into f; 0 for an empty
 * file.
 */
static int
header(struct ng_in *in, char **f, int *n)
{
	char *line;
	int r;

	while ((r = ng_in_next(in, &line)) == 1 && *line == '\0')
		;
	if (r <= 0)
		return r < 0 ? -1 : 0;
	*n = split(line, f, GEO_MAXF);
	return 1;
}

/* ng_in_geoloc - read a locations file into in->locs (counted as "other"). */
int
ng_in_geoloc(struct ng_in *in)
{
	char *f[GEO_MAXF], *line;
	int n, r, cid, ccol;
	uint32_t id;

	if ((r = header(in, f, &n)) <= 0)
		return r;
	cid = column(f, n, "geoname_id");
	ccol = column(f, n, "country_iso_code");
	if (cid < 0 || ccol < 0) {
		return ng_err_at(in->err, in->errlen, in->lines.name,
		    in->lines.lineno, "no geoname_id or country_iso_code "
		    "column");
	}
	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0')
			continue;
		n = split(line, f, GEO_MAXF);
		if (n <= cid || n <= ccol || geoname(f[cid], &id) != 0) {
			if (ng_in_bad(in, "bad location line") != 0)
				return -1;
			continue;
		}
		if (*f[ccol] == '\0') {
			in->st->nocountry++;	/* a continent */
			continue;
		}
		if (strlen(f[ccol]) != 2 || ng_cc_pack(f[ccol]) == 0) {
			if (ng_in_bad(in, "bad country \"%s\"", f[ccol]) != 0)
				return -1;
			continue;
		}
		if (in->locs == NULL ||
		    ng_geoloc_add(in->locs, id, ng_cc_pack(f[ccol])) != 0) {
			return ng_err_at(in->err, in->errlen, in->lines.name,
			    in->lines.lineno, "out of memory");
		}
		in->st->other++;
	}
	return r;
}

/*
 * block_line - add the range of one blocks line with its location's country,
 * else its registered country's.
 */
static int
block_line(struct ng_in *in, char *line, int cnet, int cgeo, int creg)
{
	char *f[GEO_MAXF];
	int n = split(line, f, GEO_MAXF);
	struct ng_addr a;
	unsigned plen;
	uint32_t id;
	uint16_t cc = 0;
	ng_u128 lo, mask;

	if (n <= cnet || n <= cgeo || n <= creg)
		return ng_in_bad(in, "%d fields, too few", n);
	if (ng_addr_parse_cidr(&a, &plen, f[cnet]) != 0)
		return ng_in_bad(in, "bad network \"%s\"", f[cnet]);
	if ((*f[cgeo] == '\0' || geoname(f[cgeo], &id) != 0 ||
	    in->locs == NULL || ng_geoloc_find(in->locs, id, &cc) != 0) &&
	    (*f[creg] == '\0' || geoname(f[creg], &id) != 0 ||
	    in->locs == NULL || ng_geoloc_find(in->locs, id, &cc) != 0)) {
		if (*f[cgeo] != '\0' || *f[creg] != '\0') {
			if (in->locs == NULL || in->locs->n == 0)
				return ng_in_bad(in, "no locations file "
				    "for geoname_id %s", f[cgeo]);
		}
		in->st->nocountry++;
		return 0;
	}
	lo = ng_u128_from_addr(&a);
	plen = ng_addr_bits(&a) - plen;
	mask = plen == 128 ? ~(ng_u128)0 : ((ng_u128)1 << plen) - 1;
	return ng_in_add(in, a.family, lo, lo | mask, cc);
}

/* ng_in_geolite - read a blocks file; its locations must be read first. */
int
ng_in_geolite(struct ng_in *in)
{
	char *f[GEO_MAXF], *line;
	int n, r, cnet, cgeo, creg;

	if ((r = header(in, f, &n)) <= 0)
		return r;
	cnet = column(f, n, "network");
	cgeo = column(f, n, "geoname_id");
	creg = column(f, n, "registered_country_geoname_id");
	if (cnet < 0 || cgeo < 0 || creg < 0) {
		return ng_err_at(in->err, in->errlen, in->lines.name,
		    in->lines.lineno, "no network, geoname_id or "
		    "registered_country_geoname_id column");
	}
	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0')
			continue;
		if (block_line(in, line, cnet, cgeo, creg) != 0)
			return -1;
	}
	return r;
}
