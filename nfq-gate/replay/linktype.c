/*
 * linktype.c - strip the link-layer header off a captured frame.
 *
 * Captures come from everywhere: a mail server's eth0 (often behind
 * 802.1Q or QinQ tags), "tcpdump -i any" (Linux cooked v1 or v2), a BSD
 * or macOS loopback, or a tool that writes bare IP.  Each decoder checks
 * the frame is long enough before it reads, and the VLAN walk is bounded
 * so a frame of nothing but tags costs NG_VLAN_MAX steps.
 */
#include <stddef.h>

#include "base/bytes.h"
#include "replay/linktype.h"

#define ETH_IP4		0x0800
#define ETH_IP6		0x86dd
#define ETH_8021Q	0x8100
#define ETH_8021AD	0x88a8
#define ETH_QINQ_OLD	0x9100	/* pre-standard QinQ, still seen */

/*
 * is_vlan - whether an ethertype announces a VLAN tag (802.1Q, 802.1ad,
 * old QinQ).
 */
static int
is_vlan(uint16_t type)
{
	return type == ETH_8021Q || type == ETH_8021AD || type == ETH_QINQ_OLD;
}

/*
 * ethertype_walk - past stacked VLAN tags to the IP header.  type is the
 * link header's ethertype and data the offset of what follows it.  VLAN
 * tags (2 bytes of TCI, then the next ethertype) may be stacked there; the
 * IP header comes after the last one.
 */
static enum ng_link_status
ethertype_walk(const uint8_t *f, size_t caplen, uint16_t type, size_t data,
    size_t *off)
{
	int tags = 0;

	while (is_vlan(type)) {
		if (++tags > NG_VLAN_MAX)
			return NG_LINK_TOO_MANY_TAGS;
		if (caplen < data + 4)
			return NG_LINK_SHORT;
		type = ng_get16(f + data + 2);
		data += 4;
	}
	if (type != ETH_IP4 && type != ETH_IP6)
		return NG_LINK_NOT_IP;
	if (caplen < data)
		return NG_LINK_SHORT;
	*off = data;
	return NG_LINK_IP;
}

/* ethertype_at - the ethertype at type_at, the payload right after it. */
static enum ng_link_status
ethertype_at(const uint8_t *f, size_t caplen, size_t type_at, size_t *off)
{
	if (caplen < type_at + 2)
		return NG_LINK_SHORT;
	return ethertype_walk(f, caplen, ng_get16(f + type_at), type_at + 2, off);
}

/*
 * af_is_ip - whether a BSD address family is IP: 2 is AF_INET everywhere,
 * 24, 28 and 30 are AF_INET6 on NetBSD/OpenBSD, FreeBSD and Darwin.
 */
static int
af_is_ip(uint32_t af)
{
	return af == 2 || af == 24 || af == 28 || af == 30;
}

/*
 * loopback - a BSD loopback header: 4 bytes of address family.  DLT_NULL
 * stores the AF in the writer's byte order, DLT_LOOP in network order; try
 * the documented order first, then the other, since files move between
 * machines and some writers get it wrong.
 */
static enum ng_link_status
loopback(const uint8_t *f, size_t caplen, int network_order, size_t *off)
{
	uint32_t be, le;

	if (caplen < 4)
		return NG_LINK_SHORT;
	be = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 |
	    (uint32_t)f[2] << 8 | f[3];
	le = (uint32_t)f[3] << 24 | (uint32_t)f[2] << 16 |
	    (uint32_t)f[1] << 8 | f[0];
	if (!af_is_ip(network_order ? be : le) &&
	    !af_is_ip(network_order ? le : be))
		return NG_LINK_NOT_IP;
	*off = 4;
	return NG_LINK_IP;
}

/* ng_link_supported - whether frames of this link type can be replayed. */
int
ng_link_supported(int dlt)
{
	return ng_link_name(dlt) != NULL;
}

/* ng_link_name - libpcap's name for a link type we decode, or NULL. */
const char *
ng_link_name(int dlt)
{
	switch (dlt) {
	case NG_DLT_NULL:	return "NULL";
	case NG_DLT_EN10MB:	return "EN10MB";
	case NG_DLT_RAW:	return "RAW";
	case NG_DLT_RAW_BSD:	return "RAW";
	case NG_DLT_RAW_LT:	return "RAW";
	case NG_DLT_LOOP:	return "LOOP";
	case NG_DLT_LINUX_SLL:	return "LINUX_SLL";
	case NG_DLT_IPV4:	return "IPV4";
	case NG_DLT_IPV6:	return "IPV6";
	case NG_DLT_LINUX_SLL2:	return "LINUX_SLL2";
	default:		return NULL;
	}
}

/*
 * ng_link_ip_offset - where the IP header starts in a frame, or why there
 * is none.
 */
enum ng_link_status
ng_link_ip_offset(int dlt, const uint8_t *f, size_t caplen, size_t *off)
{
	switch (dlt) {
	case NG_DLT_EN10MB:
		/* dst MAC, src MAC, ethertype */
		return ethertype_at(f, caplen, 12, off);
	case NG_DLT_LINUX_SLL:
		/* pkttype, hatype, halen, 8-byte address, protocol */
		return ethertype_at(f, caplen, 14, off);
	case NG_DLT_LINUX_SLL2:
		/* protocol first, then reserved, ifindex, hatype, pkttype,
		 * halen and an 8-byte address: 20 bytes in all */
		if (caplen < 20)
			return NG_LINK_SHORT;
		return ethertype_walk(f, caplen, ng_get16(f), 20, off);
	case NG_DLT_NULL:
		return loopback(f, caplen, 0, off);
	case NG_DLT_LOOP:
		return loopback(f, caplen, 1, off);
	case NG_DLT_RAW:
	case NG_DLT_RAW_BSD:
	case NG_DLT_RAW_LT:
	case NG_DLT_IPV4:
	case NG_DLT_IPV6:
		*off = 0;
		return NG_LINK_IP;
	default:
		return NG_LINK_UNSUPPORTED;
	}
}

/* ng_link_strstatus - a link status in words, for the summary and tests. */
const char *
ng_link_strstatus(enum ng_link_status st)
{
	static const char *names[NG_LINK_STATUS_MAX] = {
		"ip", "not ip", "short link header", "too many vlan tags",
		"unsupported link type"
	};

	if ((unsigned)st >= NG_LINK_STATUS_MAX)
		return "unknown";
	return names[st];
}
