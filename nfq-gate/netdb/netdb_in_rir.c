/*
 * netdb_in_rir.c - RIR "delegated" and "delegated-extended" statistics
 * files (the NRO exchange format, all five RIRs):
 *
 *   version line   2|afrinic|20230323|15019|00000000|20230323|00000
 *   summary line   afrinic|*|ipv4|*|5089|summary
 *   record         registry|cc|type|start|value|date|status[|opaque-id..]
 *
 * An IPv4 value is a host count, not always a power of two; an IPv6
 * value is a prefix length.  Only allocated and assigned space has a
 * country; other statuses (available, reserved) are counted and skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/addr.h"
#include "netdb/netdb_input.h"

#define RIR_MAXF 16

/* split - cut s at each '|' into f; the field count, or -1 past max fields. */
static int
split(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		f[n++] = s;
		if ((s = strchr(s, '|')) == NULL)
			return n;
		*s++ = '\0';
	}
}

/* parse_count - the decimal count s, with nothing after it. */
static int
parse_count(const char *s, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

/* rir_record - add one record's range; ASNs and other statuses are counted. */
static int
rir_record(struct ng_in *in, char **f)
{
	unsigned long long value;
	ng_u128 lo, hi, mask;
	int family, v6 = strcmp(f[2], "ipv6") == 0;

	if (!v6 && strcmp(f[2], "ipv4") != 0) {
		in->st->other++;	/* asn */
		return 0;
	}
	if (strcmp(f[6], "allocated") != 0 && strcmp(f[6], "assigned") != 0) {
		ng_in_count_status(in, f[6]);
		return 0;
	}
	if (ng_in_parse_addr(f[3], &family, &lo) != 0 ||
	    family != (v6 ? 6 : 4))
		return ng_in_bad(in, "bad %s start address \"%s\"", f[2], f[3]);
	if (parse_count(f[4], &value) != 0)
		return ng_in_bad(in, "bad value \"%s\"", f[4]);
	if (v6) {
		if (value > 128)
			return ng_in_bad(in, "bad IPv6 prefix length %llu",
			    value);
		mask = value == 0 ? ~(ng_u128)0 :
		    ((ng_u128)1 << (128 - value)) - 1;
		if ((lo & mask) != 0)
			return ng_in_bad(in, "%s/%llu has host bits set",
			    f[3], value);
		hi = lo | mask;
	} else {
		if (value == 0 || value > 0x100000000ull - (uint64_t)lo)
			return ng_in_bad(in, "bad IPv4 count %llu at %s",
			    value, f[3]);
		hi = lo + value - 1;
	}
	if (strlen(f[1]) != 2 || ng_cc_pack(f[1]) == 0)
		return ng_in_bad(in, "bad country \"%s\"", f[1]);
	return ng_in_add(in, v6 ? 6 : 4, lo, hi, ng_cc_pack(f[1]));
}

/*
 * ng_in_rir - read a delegated file, skipping its version and summary lines.
 */
int
ng_in_rir(struct ng_in *in)
{
	char *line, *f[RIR_MAXF];
	int n, r, version_seen = 0;

	while ((r = ng_in_next(in, &line)) == 1) {
		if (*line == '\0' || *line == '#')
			continue;
		if ((n = split(line, f, RIR_MAXF)) < 0) {
			if (ng_in_bad(in, "too many fields") != 0)
				return -1;
			continue;
		}
		/* The version line: its first field is a number. */
		if (!version_seen && f[0][0] >= '0' && f[0][0] <= '9') {
			version_seen = 1;
			continue;
		}
		if (n == 6 && strcmp(f[5], "summary") == 0)
			continue;
		if (n < 7) {
			if (ng_in_bad(in, "%d fields, want at least 7", n) != 0)
				return -1;
			continue;
		}
		if (rir_record(in, f) != 0)
			return -1;
	}
	return r;
}
