/*
 * netdb_input.c - the parts every source format shares: reading lines
 * from a (possibly gzip'ed) file or a buffer, telling the formats apart,
 * reporting bad lines as "file:line: reason", and counting rows.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "base/err.h"
#include "netdb/netdb_input.h"

#define LINE_MAX_LEN	(1024 * 1024)
#define CHUNK		(256 * 1024)

static const char *const format_names[] = {
	"auto", "rir", "rpsl", "csv", "ip2location", "geolite2",
	"geolite2-locations", "asn"
};

/* ng_informat_name - the name of format f, or "?". */
const char *
ng_informat_name(enum ng_informat f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ?
	    format_names[f] : "?";
}

/* ng_informat_parse - the format named s ("ip2l" too); -1 for none. */
int
ng_informat_parse(const char *s, enum ng_informat *f)
{
	unsigned i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(s, format_names[i]) == 0) {
			*f = (enum ng_informat)i;
			return 0;
		}
	if (strcmp(s, "ip2l") == 0) {
		*f = NG_IN_IP2L;
		return 0;
	}
	return -1;
}

/*
 * ng_in_bad - fail with "file:line: reason" for a bad line, or count it and go
 * on (0) when the read is lenient.
 */
int
ng_in_bad(struct ng_in *in, const char *fmt, ...)
{
	va_list ap;

	if (in->lenient) {
		in->st->bad++;
		return 0;
	}
	va_start(ap, fmt);
	ng_verr_at(in->err, in->errlen, in->lines.name, in->lines.lineno,
	    fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * lines_fill - refill the chunk from the file; 0 at the end (and for a
 * buffer), -1 on a read error.
 */
static int
lines_fill(struct ng_in *in)
{
	struct ng_lines *l = &in->lines;
	int n;

	if (l->gz == NULL || l->eof)
		return 0;
	if ((n = gzread(l->gz, l->rbuf, CHUNK)) < 0) {
		int zerr;
		const char *m = gzerror(l->gz, &zerr);

		snprintf(in->err, in->errlen, "%s: read error: %s", l->name,
		    zerr == Z_ERRNO ? strerror(errno) : m);
		return -1;
	}
	if (n == 0)
		l->eof = 1;
	l->chunk = l->rbuf;
	l->cpos = 0;
	l->clen = (size_t)n;
	return n > 0;
}

/*
 * line_append - append n bytes at p to the current line of length *len; -1
 * past LINE_MAX_LEN.
 */
static int
line_append(struct ng_in *in, size_t *len, const char *p, size_t n)
{
	struct ng_lines *l = &in->lines;

	if (*len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 4096;
		char *nb;

		while (cap < *len + n + 1)
			cap *= 2;
		if (cap > LINE_MAX_LEN + 2 ||
		    (nb = realloc(l->buf, cap)) == NULL) {
			l->lineno++;
			return ng_err_at(in->err, in->errlen, l->name,
			    l->lineno, "line too long");
		}
		l->buf = nb;
		l->cap = cap;
	}
	memcpy(l->buf + *len, p, n);
	*len += n;
	return 0;
}

/*
 * ng_in_next - the next line without its end (\n or \r\n); 1, 0 at the end, -1
 * on error.  A line with a NUL byte is a bad line; when lenient it comes back
 * empty.
 */
int
ng_in_next(struct ng_in *in, char **line)
{
	struct ng_lines *l = &in->lines;
	size_t len = 0, n;
	const char *p, *nl;
	int r, any = 0;

	if (l->again) {
		l->again = 0;
		*line = l->buf;
		return 1;
	}
	for (;;) {
		if (l->cpos == l->clen) {
			if ((r = lines_fill(in)) < 0)
				return -1;
			if (r == 0) {
				if (!any)
					return 0;
				break;
			}
		}
		any = 1;
		p = l->chunk + l->cpos;
		n = l->clen - l->cpos;
		nl = memchr(p, '\n', n);
		if (nl != NULL)
			n = (size_t)(nl - p);
		if (line_append(in, &len, p, n) != 0)
			return -1;
		l->cpos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	l->lineno++;
	if (len > 0 && l->buf[len - 1] == '\r')
		len--;
	l->buf[len] = '\0';
	*line = l->buf;
	if (memchr(l->buf, '\0', len) != NULL) {
		if (ng_in_bad(in, "NUL byte in line") != 0)
			return -1;
		l->buf[0] = '\0';
	}
	return 1;
}

/* ng_in_parse_addr - the family and 128-bit value of the address s. */
int
ng_in_parse_addr(const char *s, int *family, ng_u128 *v)
{
	struct ng_addr a;

	if (ng_addr_parse(&a, s) != 0)
		return -1;
	*family = a.family;
	*v = ng_u128_from_addr(&a);
	return 0;
}

/*
 * ng_in_add_fields - add the row [lo, hi] with the fields given and count
 * it; a row with no field is only counted, a reversed or oversized range is
 * a bad line.
 */
int
ng_in_add_fields(struct ng_in *in, int family, ng_u128 lo, ng_u128 hi,
    unsigned fields, uint16_t cc, uint32_t asn, const char *owner)
{
	unsigned f;

	if (hi < lo)
		return ng_in_bad(in, "range end before its start");
	if (family == 4 && hi > 0xffffffffu)
		return ng_in_bad(in, "IPv4 range beyond 255.255.255.255");
	if (!(fields & NG_NROW_CC))
		in->st->nocountry++;
	if (fields == 0)
		return 0;
	if (ng_nrows_add_fields(in->rows, family, lo, hi, fields, cc, asn,
	    owner) != 0) {
		return ng_err_at(in->err, in->errlen, in->lines.name,
		    in->lines.lineno, "out of memory");
	}
	in->st->rows[family == 6]++;
	for (f = 0; f < NG_FIELDS; f++)
		in->st->fields[family == 6][f] += (fields >> f) & 1;
	return 0;
}

/*
 * ng_in_add - add the row [lo, hi] of country cc and count it; a row without a
 * country is only counted, a reversed or oversized range is a bad line.
 */
int
ng_in_add(struct ng_in *in, int family, ng_u128 lo, ng_u128 hi,
    uint16_t cc)
{
	return ng_in_add_fields(in, family, lo, hi, cc ? NG_NROW_CC : 0, cc,
	    0, NULL);
}

/*
 * ng_csv_split - cut line into at most max fields in place, quotes taken
 * off and "" inside them made one quote; blanks around unquoted fields
 * trimmed.  The field count, or -1 for a bad quote.
 */
int
ng_csv_split(char *line, char **f, int max)
{
	char *r = line, *w;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (n == max)
			return n;
		f[n++] = w = r;
		if (*r == '"') {
			for (r++;; r++) {
				if (*r == '\0')
					return -1;	/* unterminated */
				if (*r == '"' && r[1] != '"')
					break;
				if (*r == '"')
					r++;
				*w++ = *r;
			}
			r++;
			while (*r == ' ' || *r == '\t')
				r++;
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				r++;
			w = r;
			while (w > f[n - 1] && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		r++;
	}
}

/*
 * ng_in_count_status - count a row skipped for its RIR status; once
 * NG_IN_MAXSTATUS names are in use, the last one becomes "other" for the rest.
 */
void
ng_in_count_status(struct ng_in *in, const char *status)
{
	struct ng_in_stats *st = in->st;
	size_t i;

	if (*status == '\0')
		status = "(empty)";
	for (i = 0; i < st->nskipped; i++)
		if (strcmp(st->skipped[i].name, status) == 0)
			break;
	if (i == st->nskipped) {
		if (st->nskipped == NG_IN_MAXSTATUS)
			i = NG_IN_MAXSTATUS - 1;	/* lump the rest */
		else
			st->nskipped++;
		snprintf(st->skipped[i].name, sizeof(st->skipped[i].name),
		    "%s", i == NG_IN_MAXSTATUS - 1 ? "other" : status);
	}
	st->skipped[i].n++;
}

/*
 * asn_line - whether s looks like "start,end,asn,organisation": four
 * fields or more, the third all digits.
 */
static int
asn_line(const char *s)
{
	char buf[512], *f[5];
	size_t i;
	int n;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((n = ng_csv_split(buf, f, 5)) < 4 || *f[2] == '\0')
		return 0;
	for (i = 0; f[2][i] != '\0'; i++)
		if (f[2][i] < '0' || f[2][i] > '9')
			return 0;
	return 1;
}

/* detect_line - the format a first significant line belongs to. */
static enum ng_informat
detect_line(const char *s)
{
	const char *p;
	int pipes = 0;

	if (*s == '"')
		return NG_IN_IP2L;
	if (strncmp(s, "network,", 8) == 0)
		return NG_IN_GEOLITE;
	if (strncmp(s, "geoname_id,", 11) == 0)
		return NG_IN_GEOLOC;
	for (p = s; *p; p++)
		pipes += *p == '|';
	if (pipes >= 5)
		return NG_IN_RIR;
	/* RPSL "attribute:" then blank; an IPv6 address has no blank. */
	if (isalpha((unsigned char)*s)) {
		for (p = s; isalnum((unsigned char)*p) || *p == '-'; p++)
			;
		if (*p == ':' && (p[1] == ' ' || p[1] == '\t' ||
		    p[1] == '\0'))
			return NG_IN_RPSL;
	}
	if (asn_line(s))
		return NG_IN_ASN;
	return NG_IN_CSV;
}

/* skippable - whether s is blank or a comment, not yet a significant line. */
static int
skippable(const char *s)
{
	return *s == '\0' || *s == '#' || *s == '%';
}

/*
 * detect - the format from the first significant line, which is pushed back
 * for the format's reader.
 */
static int
detect(struct ng_in *in, enum ng_informat *f)
{
	char *line;
	int r;

	while ((r = ng_in_next(in, &line)) == 1 && skippable(line))
		;
	if (r < 0)
		return -1;
	*f = r == 0 ? NG_IN_CSV : detect_line(line);
	in->lines.again = r == 1;
	return 0;
}

/* dispatch - run the reader of format f, detecting f first for NG_IN_AUTO. */
static int
dispatch(struct ng_in *in, enum ng_informat f)
{
	if (f == NG_IN_AUTO && detect(in, &f) != 0)
		return -1;
	in->st->format = f;
	switch (f) {
	case NG_IN_RIR:
		return ng_in_rir(in);
	case NG_IN_RPSL:
		return ng_in_rpsl(in);
	case NG_IN_IP2L:
		return ng_in_ip2l(in);
	case NG_IN_GEOLITE:
		return ng_in_geolite(in);
	case NG_IN_GEOLOC:
		return ng_in_geoloc(in);
	case NG_IN_ASN:
		return ng_in_asn(in);
	default:
		return ng_in_csv(in);
	}
}

/* in_init - an empty read of the source name into rows, counting into st. */
static void
in_init(struct ng_in *in, const char *name, int lenient,
    struct ng_geoloc *locs, struct ng_nrows *rows, struct ng_in_stats *st,
    char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	memset(st, 0, sizeof(*st));
	in->lines.name = name;
	in->rows = rows;
	in->st = st;
	in->locs = locs;
	in->lenient = lenient;
	in->err = err;
	in->errlen = errlen;
}

/* open_lines - open path, plain or gzip'ed, to be read in chunks. */
static int
open_lines(struct ng_in *in, const char *path)
{
	if ((in->lines.gz = gzopen(path, "rb")) == NULL) {
		snprintf(in->err, in->errlen, "%s: %s", path,
		    errno ? strerror(errno) : "cannot open");
		return -1;
	}
	gzbuffer(in->lines.gz, CHUNK);
	if ((in->lines.rbuf = malloc(CHUNK)) == NULL) {
		snprintf(in->err, in->errlen, "%s: out of memory", path);
		gzclose(in->lines.gz);
		return -1;
	}
	return 0;
}

/* close_lines - close the source and free the line buffers. */
static void
close_lines(struct ng_in *in)
{
	if (in->lines.gz != NULL)
		gzclose(in->lines.gz);
	free(in->lines.rbuf);
	free(in->lines.buf);
}

/* ng_input_read_file - read the file path of format f into rows. */
int
ng_input_read_file(const char *path, enum ng_informat f, int lenient,
    struct ng_geoloc *locs, struct ng_nrows *rows, struct ng_in_stats *st,
    char *err, size_t errlen)
{
	struct ng_in in;
	int rc;

	in_init(&in, path, lenient, locs, rows, st, err, errlen);
	if (open_lines(&in, path) != 0)
		return -1;
	rc = dispatch(&in, f);
	close_lines(&in);
	return rc;
}

/*
 * ng_input_read_mem - read the buffer buf of format f into rows; name is for
 * messages.
 */
int
ng_input_read_mem(const void *buf, size_t len, const char *name,
    enum ng_informat f, int lenient, struct ng_geoloc *locs,
    struct ng_nrows *rows, struct ng_in_stats *st, char *err, size_t errlen)
{
	struct ng_in in;
	int rc;

	in_init(&in, name, lenient, locs, rows, st, err, errlen);
	in.lines.chunk = buf;
	in.lines.clen = len;
	rc = dispatch(&in, f);
	close_lines(&in);
	return rc;
}

/*
 * ng_input_detect_file - the format of the file path, from its first
 * significant line.
 */
int
ng_input_detect_file(const char *path, enum ng_informat *f, char *err,
    size_t errlen)
{
	struct ng_in in;
	struct ng_in_stats st;
	int rc;

	in_init(&in, path, 0, NULL, NULL, &st, err, errlen);
	if (open_lines(&in, path) != 0)
		return -1;
	rc = detect(&in, f);
	close_lines(&in);
	return rc;
}
