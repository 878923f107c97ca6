/*
 * synfp.c - the SYN's fingerprint: TTL guess, window, MSS, options and
 * their order, quirks; p0f v3's raw signature form.
 *
 * Pure and cheap: one pass over at most 40 option bytes, a few
 * comparisons, no allocation.  A malformed option list is read as far
 * as it is well formed and flagged "bad": Linux keeps such SYNs too
 * (packet.c), so a bot that sends one is telling us something.
 */
#include <string.h>

#include "base/bytes.h"
#include "engine/synfp.h"

#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* guess_ittl - the initial TTL most stacks use at or above ttl. */
static uint8_t
guess_ittl(uint8_t ttl)
{
	if (ttl <= 32)
		return 32;
	if (ttl <= 64)
		return 64;
	if (ttl <= 128)
		return 128;
	return 255;
}

/*
 * eol_tail - an EOL at opt[i]: the padding after it is eol+N, and
 * p0f's opt+ when any of it is not zero.
 */
static void
eol_tail(struct ng_synfp *fp, const uint8_t *opt, size_t i, size_t len)
{
	size_t j;

	fp->eol_pad = (uint8_t)(len - i - 1);
	for (j = i + 1; j < len; j++)
		if (opt[j] != 0) {
			fp->quirks |= NG_FPQ_OPTPLUS;
			break;
		}
}

/*
 * one_option - the values of a kind+length option of length l at o;
 * a known kind of the wrong length is "bad" and its value unread.
 */
static void
one_option(struct ng_synfp *fp, const uint8_t *o, size_t l)
{
	switch (o[0]) {
	case NG_FPO_MSS:
		if (l != 4)
			break;
		fp->has_mss = 1;
		fp->mss = ng_get16(o + 2);
		return;
	case NG_FPO_WS:
		if (l != 3)
			break;
		fp->has_ws = 1;
		fp->wscale = o[2];
		if (o[2] > 14)
			fp->quirks |= NG_FPQ_EXWS;
		return;
	case NG_FPO_SOK:
		if (l != 2)
			break;
		return;
	case NG_FPO_TS:
		if (l != 10)
			break;
		if (ng_get32(o + 2) == 0)
			fp->quirks |= NG_FPQ_TS1MINUS;
		if (ng_get32(o + 6) != 0)
			fp->quirks |= NG_FPQ_TS2PLUS;
		return;
	default:
		return;		/* SACK blocks, others: only the kind counts */
	}
	fp->quirks |= NG_FPQ_BAD;
}

/* options - walk the TCP option bytes into the layout and values. */
static void
options(struct ng_synfp *fp, const uint8_t *opt, size_t len)
{
	size_t i = 0, l;

	while (i < len && fp->nlayout < NG_FP_LAYOUT_MAX) {
		fp->layout[fp->nlayout++] = opt[i];
		if (opt[i] == NG_FPO_EOL) {
			eol_tail(fp, opt, i, len);
			return;
		}
		if (opt[i] == NG_FPO_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || opt[i + 1] > len - i) {
			fp->quirks |= NG_FPQ_BAD;	/* length lies */
			return;
		}
		l = opt[i + 1];
		one_option(fp, opt + i, l);
		i += l;
	}
}

/* ip_quirks - what the IP header adds: df, id+/id-, ecn, 0+, flow. */
static void
ip_quirks(struct ng_synfp *fp, const struct ng_pkt *p)
{
	if ((p->tos & 0x03) != 0)
		fp->quirks |= NG_FPQ_ECN;
	if (p->ipver == 6) {
		if (p->flow != 0)
			fp->quirks |= NG_FPQ_FLOW;
		return;
	}
	if (p->df)
		fp->quirks |= NG_FPQ_DF;
	if (p->df && p->ip_id != 0)
		fp->quirks |= NG_FPQ_IDPLUS;
	if (!p->df && p->ip_id == 0)
		fp->quirks |= NG_FPQ_IDMINUS;
}

/* tcp_quirks - what the TCP header adds (options aside). */
static void
tcp_quirks(struct ng_synfp *fp, const struct ng_pkt *p)
{
	if (p->flags & (TH_ECE | TH_CWR))
		fp->quirks |= NG_FPQ_ECN;
	if (p->seq == 0)
		fp->quirks |= NG_FPQ_SEQMINUS;
	if (p->ack != 0 && !(p->flags & NG_TH_ACK))
		fp->quirks |= NG_FPQ_ACKPLUS;
	if (p->urp != 0 && !(p->flags & TH_URG))
		fp->quirks |= NG_FPQ_UPTR;
	if (p->flags & TH_URG)
		fp->quirks |= NG_FPQ_URGF;
	if (p->flags & NG_TH_PSH)
		fp->quirks |= NG_FPQ_PUSHF;
	if (p->tcp_rsvd & 0x0e)		/* the NS bit (0x01) aside */
		fp->quirks |= NG_FPQ_ZERO;
}

/* ng_synfp_compute - the fingerprint of parsed SYN p. */
void
ng_synfp_compute(struct ng_synfp *fp, const struct ng_pkt *p)
{
	memset(fp, 0, offsetof(struct ng_synfp, layout));
	fp->quirks = 0;
	fp->ver = p->ipver;
	fp->ttl = p->ttl;
	fp->ittl = guess_ittl(p->ttl);
	fp->dist = (uint8_t)(fp->ittl - p->ttl);
	fp->olen = p->ip_optlen;
	fp->wsize = p->window;
	fp->pclass = p->paylen != 0;
	ip_quirks(fp, p);
	tcp_quirks(fp, p);
	if (p->opt != NULL)
		options(fp, p->opt, p->optlen);
}

/* ng_synfp_hash - FNV-1a over the layout kinds and the EOL padding. */
uint32_t
ng_synfp_hash(const uint8_t *layout, size_t n, uint8_t eol_pad)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ layout[i]) * 16777619u;
	h = (h ^ eol_pad) * 16777619u;
	return (h ^ (uint32_t)n) * 16777619u;
}

/* ng_synfp_layout_name - "mss", "nop", ... or NULL for other kinds. */
const char *
ng_synfp_layout_name(uint8_t kind)
{
	switch (kind) {
	case NG_FPO_EOL: return "eol";
	case NG_FPO_NOP: return "nop";
	case NG_FPO_MSS: return "mss";
	case NG_FPO_WS: return "ws";
	case NG_FPO_SOK: return "sok";
	case NG_FPO_SACK: return "sack";
	case NG_FPO_TS: return "ts";
	default: return NULL;
	}
}

/* ng_synfp_quirk_name - the name of quirk bit i. */
const char *
ng_synfp_quirk_name(unsigned i)
{
	static const char *names[NG_FPQ_COUNT] = {
		"df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+",
		"uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+", "exws",
		"bad"
	};

	return i < NG_FPQ_COUNT ? names[i] : "?";
}

struct fbuf {
	char *p;
	size_t len, n;		/* room, written (may exceed room) */
};

/* put_s - a string into the buffer. */
static void
put_s(struct fbuf *b, const char *str)
{
	size_t n = strlen(str);

	if (b->n < b->len)
		memcpy(b->p + b->n, str,
		    b->len - b->n > n ? n + 1 : b->len - b->n);
	b->n += n;
}

/* put_u - a number into the buffer. */
static void
put_u(struct fbuf *b, unsigned long v)
{
	char t[24];
	int i = (int)sizeof(t) - 1;

	t[i] = '\0';
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && i > 0);
	put_s(b, t + i);
}

/* put_window - wsize as mss*N, mtu*N or the number (p0f's order). */
static void
put_window(struct fbuf *b, const struct ng_synfp *fp)
{
	unsigned mtu = fp->mss + (fp->ver == 6 ? 60u : 40u);

	if (fp->has_mss && fp->mss != 0 && fp->wsize % fp->mss == 0) {
		put_s(b, "mss*");
		put_u(b, fp->wsize / fp->mss);
	} else if (fp->has_mss && fp->wsize % mtu == 0 && fp->wsize != 0) {
		put_s(b, "mtu*");
		put_u(b, fp->wsize / mtu);
	} else
		put_u(b, fp->wsize);
	put_s(b, ",");
	put_u(b, fp->has_ws ? fp->wscale : 0);
	put_s(b, ":");
}

/* put_layout - the option kinds in order, then ':'. */
static void
put_layout(struct fbuf *b, const struct ng_synfp *fp)
{
	const char *name;
	unsigned i;

	for (i = 0; i < fp->nlayout; i++) {
		if (i > 0)
			put_s(b, ",");
		name = ng_synfp_layout_name(fp->layout[i]);
		if (fp->layout[i] == NG_FPO_EOL) {
			put_s(b, "eol+");
			put_u(b, fp->eol_pad);
		} else if (name != NULL)
			put_s(b, name);
		else {
			put_s(b, "?");
			put_u(b, fp->layout[i]);
		}
	}
	put_s(b, ":");
}

/* ng_synfp_format - the raw signature into buf; its length. */
size_t
ng_synfp_format(const struct ng_synfp *fp, char *buf, size_t len)
{
	struct fbuf b = { buf, len, 0 };
	unsigned i, nq = 0;

	put_u(&b, fp->ver);
	put_s(&b, ":");
	put_u(&b, fp->ttl);
	put_s(&b, "+");
	put_u(&b, fp->dist);
	put_s(&b, ":");
	put_u(&b, fp->olen);
	put_s(&b, ":");
	if (fp->has_mss)
		put_u(&b, fp->mss);
	else
		put_s(&b, "*");
	put_s(&b, ":");
	put_window(&b, fp);
	put_layout(&b, fp);
	for (i = 0; i < NG_FPQ_COUNT; i++)
		if (fp->quirks & (1u << i)) {
			put_s(&b, nq++ ? "," : "");
			put_s(&b, ng_synfp_quirk_name(i));
		}
	put_s(&b, fp->pclass ? ":+" : ":0");
	if (len > 0 && b.n >= len)
		buf[len - 1] = '\0';
	return b.n < len ? b.n : (len > 0 ? len - 1 : 0);
}
