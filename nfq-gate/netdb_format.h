/*
 * netdb_format.h - the on-disk layout of the compiled netblock database.
 *
 * The file is a header followed by 8-byte aligned sections.  The gate
 * maps it read-only and reads the sections in place, so everything is
 * stored in the host's byte order (the header's byte-order mark refuses
 * a file from a machine of the other order) and every section is an
 * array of fixed-size integers.
 *
 * Each family is a partition of its whole address space into intervals,
 * each with a country index (0: no country).  Lookups go through a
 * stride table, DXR style: the root has one entry per top 16 bits of the
 * address, child nodes one per next 4 bits.  An entry is
 *   DIRECT  the whole chunk has one country (most lookups end here);
 *   SLICE   a short run [lo, lo+n) of the sorted interval starts whose
 *           first element is the chunk's own start (carrying in the
 *           country of the interval that began before it), searched
 *           with a binary search;
 *   NODE    a child table of 16 entries at an entry offset, used
 *           when a chunk holds more than NG_NETDB_SLICE_MAX starts.
 * IPv4 starts are u32, IPv6 starts two u64 arrays (high and low
 * halves): range ends in the real data are not all /64 aligned.
 * Country codes are a table of at most 256 packed codes (ng_cc_pack),
 * index 0 being "no country", so an interval's country is one byte.
 */
#ifndef NG_NETDB_FORMAT_H
#define NG_NETDB_FORMAT_H

#include <stdint.h>

#define NG_NETDB_MAGIC		"NGNETDB\0"
#define NG_NETDB_VERSION	1
#define NG_NETDB_BOM		0x01020304u
#define NG_NETDB_ROOT_BITS	16
#ifndef NG_NETDB_NODE_BITS
#define NG_NETDB_NODE_BITS	4	/* 64 divisible by it */
#endif
#define NG_NETDB_NODE_MASK	((1u << NG_NETDB_NODE_BITS) - 1)
#ifndef NG_NETDB_SLICE_MAX
#define NG_NETDB_SLICE_MAX	16
#endif
#define NG_NETDB_MAXCC		256

/* Entry encoding: the top two bits say the kind. */
#define NG_ENT_KIND(e)		((e) >> 30)
#define NG_ENT_SLICE		0u
#define NG_ENT_DIRECT		1u
#define NG_ENT_NODE		2u
#define NG_ENT_SLICE_LO(e)	((e) & 0x3fffffu)	/* 22 bits */
#define NG_ENT_SLICE_N(e)	(((e) >> 22) & 0xffu)	/* 1..255 */
#define NG_ENT_DIRECT_CC(e)	((e) & 0xffu)
#define NG_ENT_NODE_OFF(e)	((e) & 0x3fffffffu)
#define NG_ENT_MAXLO		0x3fffffu

/* One array inside the file: byte offset and element count. */
struct ng_netdb_section {
	uint64_t off;
	uint64_t count;
};

enum {
	NG_SEC_CODES,		/* uint16_t packed country codes */
	NG_SEC_ENT4,		/* uint32_t stride table entries */
	NG_SEC_START4,		/* uint32_t interval starts */
	NG_SEC_CC4,		/* uint8_t country indexes */
	NG_SEC_ENT6,
	NG_SEC_START6HI,	/* uint64_t */
	NG_SEC_START6LO,	/* uint64_t */
	NG_SEC_CC6,
	NG_SEC_COUNT
};

struct ng_netdb_header {
	char magic[8];
	uint32_t version;
	uint32_t bom;
	uint32_t header_size;	/* sizeof(struct ng_netdb_header) */
	uint32_t checksum;	/* zlib crc32 of bytes header_size.. */
	uint64_t file_size;
	uint64_t built;		/* unix time */
	uint64_t ranges4;	/* merged ranges with a country */
	uint64_t ranges6;
	uint32_t countries;	/* codes in use, without index 0 */
	uint32_t reserved;
	struct ng_netdb_section sec[NG_SEC_COUNT];
};

#endif
