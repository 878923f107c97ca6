/*
 * synfp.h - a p0f-v3-like fingerprint of a client's SYN.
 *
 * The SYN says something of the stack that sent it: its initial TTL,
 * its window and how that relates to its MSS, the TCP options and their
 * order, and odd bits ("quirks").  This computes that from a parsed SYN
 * (packet.h) with no allocation and no I/O, and prints it in p0f v3's
 * raw signature form:
 *
 *   ver:ttl+dist:olen:mss:wsize,scale:olayout:quirks:pclass
 *   4:64+0:0:1460:mss*44,7:mss,sok,ts,nop,ws:df,id+:0
 *
 * fpdb.h matches it against the signature file.  The options bytes are
 * hostile input: every length is checked and a bad list is a quirk
 * ("bad"), never a read past the option bytes.
 */
#ifndef NG_SYNFP_H
#define NG_SYNFP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/packet.h"

/* TCP option kinds named in a layout; any other kind prints as ?N. */
#define NG_FPO_EOL 0
#define NG_FPO_NOP 1
#define NG_FPO_MSS 2
#define NG_FPO_WS 3
#define NG_FPO_SOK 4
#define NG_FPO_SACK 5
#define NG_FPO_TS 8

/* At most 40 option bytes, each entry at least one of them. */
#define NG_FP_LAYOUT_MAX 40

/* Quirks, p0f v3's names in the comments. */
#define NG_FPQ_DF	0x0001u	/* df: don't fragment set */
#define NG_FPQ_IDPLUS	0x0002u	/* id+: DF set, IP ID not zero */
#define NG_FPQ_IDMINUS	0x0004u	/* id-: DF not set, IP ID zero */
#define NG_FPQ_ECN	0x0008u	/* ecn: ECN bits in IP, or ECE/CWR */
#define NG_FPQ_ZERO	0x0010u	/* 0+: IPv4 reserved ("evil") bit */
#define NG_FPQ_FLOW	0x0020u	/* flow: IPv6 flow label set */
#define NG_FPQ_SEQMINUS	0x0040u	/* seq-: sequence number zero */
#define NG_FPQ_ACKPLUS	0x0080u	/* ack+: ack number set without ACK */
#define NG_FPQ_UPTR	0x0100u	/* uptr+: urgent pointer without URG */
#define NG_FPQ_URGF	0x0200u	/* urgf+: URG flag */
#define NG_FPQ_PUSHF	0x0400u	/* pushf+: PSH flag */
#define NG_FPQ_TS1MINUS	0x0800u	/* ts1-: own timestamp zero */
#define NG_FPQ_TS2PLUS	0x1000u	/* ts2+: peer timestamp set in a SYN */
#define NG_FPQ_OPTPLUS	0x2000u	/* opt+: bytes after EOL not zero */
#define NG_FPQ_EXWS	0x4000u	/* exws: window scale over 14 */
#define NG_FPQ_BAD	0x8000u	/* bad: option list malformed */
#define NG_FPQ_COUNT	16

struct ng_synfp {
	uint8_t ver;		/* 4 or 6 */
	uint8_t ttl;		/* as seen */
	uint8_t ittl;		/* initial TTL guess: 32, 64, 128 or 255 */
	uint8_t dist;		/* ittl - ttl: hops, roughly */
	uint8_t olen;		/* IP option / extension header bytes */
	uint8_t has_mss, has_ws;
	uint8_t wscale;		/* when has_ws */
	uint16_t mss;		/* when has_mss */
	uint16_t wsize;		/* raw TCP window */
	uint8_t pclass;		/* 1: the SYN carries payload */
	uint8_t nlayout;	/* entries in layout[] */
	uint8_t eol_pad;	/* bytes after an EOL (eol+N) */
	uint8_t layout[NG_FP_LAYOUT_MAX];	/* option kinds, in order */
	uint32_t quirks;	/* NG_FPQ_* */
};

/* ng_synfp_compute - the fingerprint of parsed SYN p (packet.h). */
void ng_synfp_compute(struct ng_synfp *fp, const struct ng_pkt *p);

/*
 * ng_synfp_hash - a hash of the option layout (kinds and eol+N), the
 * signature table's key (fpdb.c): signatures are bucketed by layout, as
 * p0f does, so a SYN is compared with only the few that share it.
 */
uint32_t ng_synfp_hash(const uint8_t *layout, size_t n, uint8_t eol_pad);

/* The longest raw signature, NUL included: ttl+dist, 40 entries of
 * layout (at most "?255," each), every quirk. */
#define NG_SYNFP_SIG_MAX 384

/*
 * ng_synfp_format - the raw signature, p0f's form, into buf: the window
 * as mss*N when a multiple of the MSS, mtu*N when of the MTU, else the
 * number; scale "0" without window scaling, mss "*" without an MSS.
 * Returns the length; cut short (terminated) when len is too small.
 */
size_t ng_synfp_format(const struct ng_synfp *fp, char *buf, size_t len);

/* ng_synfp_layout_name - "mss", "nop", ... or NULL for other kinds. */
const char *ng_synfp_layout_name(uint8_t kind);
/* ng_synfp_quirk_name - the name of quirk bit i (0..NG_FPQ_COUNT-1). */
const char *ng_synfp_quirk_name(unsigned i);

#endif
