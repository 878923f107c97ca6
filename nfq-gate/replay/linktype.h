/*
 * linktype.h - find the IP header inside a captured frame.
 *
 * The engine takes datagrams starting at their IP header; a capture
 * file hands us frames of one link type.  This strips the link header
 * (Ethernet with any stack of VLAN tags, Linux cooked v1/v2, BSD
 * loopback, raw IP) so the replay front-end and the fuzzer share one
 * decoder that checks every length it reads.
 */
#ifndef NG_LINKTYPE_H
#define NG_LINKTYPE_H

#include <stddef.h>
#include <stdint.h>

/* Link types by their DLT value, as pcap_datalink() reports them. */
#define NG_DLT_NULL	0	/* BSD loopback, AF in host order */
#define NG_DLT_EN10MB	1	/* Ethernet */
#define NG_DLT_RAW	12	/* raw IP (DLT_RAW on most systems) */
#define NG_DLT_RAW_BSD	14	/* raw IP (DLT_RAW on BSD/OS, OpenBSD) */
#define NG_DLT_RAW_LT	101	/* raw IP (LINKTYPE_RAW in files) */
#define NG_DLT_LOOP	108	/* OpenBSD loopback, AF in network order */
#define NG_DLT_LINUX_SLL  113	/* Linux cooked capture v1 */
#define NG_DLT_IPV4	228
#define NG_DLT_IPV6	229
#define NG_DLT_LINUX_SLL2 276	/* Linux cooked capture v2 */

#define NG_VLAN_MAX 8		/* stacked 802.1Q/802.1ad tags we walk */

enum ng_link_status {
	NG_LINK_IP = 0,		/* *off is the IP header's offset */
	NG_LINK_NOT_IP,		/* ARP, LLC, other families: not ours */
	NG_LINK_SHORT,		/* frame ends inside the link header */
	NG_LINK_TOO_MANY_TAGS,	/* VLAN stack deeper than NG_VLAN_MAX */
	NG_LINK_UNSUPPORTED,	/* link type we do not decode */
	NG_LINK_STATUS_MAX
};

/* 1 if ng_link_ip_offset() decodes this link type. */
int ng_link_supported(int dlt);

/* The link type's short name ("EN10MB", "LINUX_SLL2", ...), or NULL. */
const char *ng_link_name(int dlt);

/*
 * Find the IP header in a frame of caplen captured bytes.  On NG_LINK_IP
 * *off is where the IP header starts (off <= caplen).
 */
enum ng_link_status ng_link_ip_offset(int dlt, const uint8_t *frame,
    size_t caplen, size_t *off);

const char *ng_link_strstatus(enum ng_link_status st);

#endif
