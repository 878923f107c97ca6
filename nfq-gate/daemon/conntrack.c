/*
 * conntrack.c - ctnetlink connmark updates for a kernel without
 * conntrack glue in NFQUEUE verdicts (CONFIG_NETFILTER_NETLINK_GLUE_CT).
 *
 * Apart from nfq.c, which is the queue only: this file knows the
 * ctnetlink message, nfq.c only sends it in its verdict batch
 * (ng_nfq_queue_ct), so an update leaves after the verdict that
 * confirms its connection.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/conntrack.h"
#include "daemon/nfq.h"

#define CT_ROOM	256	/* one update message, generously */

/* put_tuple - t as a nested CTA_TUPLE_ORIG or CTA_TUPLE_REPLY (type). */
static void
put_tuple(struct nlmsghdr *nlh, int type, const struct ng_nfq_tuple *t)
{
	struct nlattr *tuple, *ip, *proto;

	tuple = mnl_attr_nest_start(nlh, (uint16_t)type);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (t->family == 4) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, t->src);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, t->dst);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, t->src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, t->dst);
	}
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
}

/*
 * ng_nfq_build_ct_mark - an IPCTNL_MSG_CT_NEW update of t's connmark in
 * buf; its length, or 0 when len is short of CT_ROOM.  No NLM_F_CREATE:
 * it changes an entry, never makes one.
 */
size_t
ng_nfq_build_ct_mark(void *buf, size_t len, const struct ng_nfq_tuple *t,
    uint32_t mark, uint32_t mask)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (len < CT_ROOM)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST;	/* update only, no create */
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = t->family == 4 ? AF_INET : AF_INET6;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	put_tuple(nlh, t->reply ? CTA_TUPLE_REPLY : CTA_TUPLE_ORIG, t);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(mark & mask));
	mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(mask));
	return nlh->nlmsg_len;
}

/* ng_nfq_ct_mark - an update of t's connmark, queued with the verdicts. */
void
ng_nfq_ct_mark(struct ng_nfq *q, const struct ng_nfq_tuple *t, uint32_t mark,
    uint32_t mask)
{
	char buf[CT_ROOM];
	size_t n;

	memset(buf, 0, sizeof(buf));	/* padding goes out too */
	n = ng_nfq_build_ct_mark(buf, sizeof(buf), t, mark, mask);
	ng_nfq_queue_ct(q, buf, n);
}
