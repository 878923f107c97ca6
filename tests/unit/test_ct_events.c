/*
 * test_ct_events.c - the conntrack event parser: a DESTROY, an update
 * to a closing state and one to ESTABLISHED, another protocol, IPv6,
 * and malformed datagrams.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/ct_events.h"
#include "test.h"

static struct ng_ct_end got[8];
static unsigned ngot;

static void
collect(const struct ng_ct_end *e, void *arg)
{
	(void)arg;
	if (ngot < 8)
		got[ngot] = *e;
	ngot++;
}

/* msg - a ctnetlink message at buf: type, family, tuple, TCP state
 * (-1: no protoinfo); its length. */
static size_t
msg(void *buf, int type, int fam, uint8_t proto, int state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *t, *n, *p, *q;
	uint8_t a[16] = { 198, 51, 100, 7 }, b[16] = { 203, 0, 113, 25 };

	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | type);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = fam == 4 ? AF_INET : AF_INET6;
	t = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, fam == 4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC,
	    fam == 4 ? 4 : 16, a);
	mnl_attr_put(nlh, fam == 4 ? CTA_IP_V4_DST : CTA_IP_V6_DST,
	    fam == 4 ? 4 : 16, b);
	mnl_attr_nest_end(nlh, n);
	p = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(40001));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(25));
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, t);
	if (state >= 0) {
		p = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		q = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, (uint8_t)state);
		mnl_attr_nest_end(nlh, q);
		mnl_attr_nest_end(nlh, p);
	}
	return nlh->nlmsg_len;
}

static void
test_events(void)
{
	static uint32_t buf[1024];
	char *b = (char *)buf;
	size_t n = 0;

	memset(buf, 0, sizeof(buf));
	n += msg(b + n, IPCTNL_MSG_CT_DELETE, 4, IPPROTO_TCP, -1);
	n += msg(b + n, IPCTNL_MSG_CT_NEW, 4, IPPROTO_TCP,
	    TCP_CONNTRACK_ESTABLISHED);
	n += msg(b + n, IPCTNL_MSG_CT_NEW, 6, IPPROTO_TCP,
	    TCP_CONNTRACK_FIN_WAIT);
	n += msg(b + n, IPCTNL_MSG_CT_DELETE, 4, IPPROTO_UDP, -1);
	n += msg(b + n, IPCTNL_MSG_CT_NEW, 4, IPPROTO_TCP, -1);
	ngot = 0;
	CHECK_EQ(ng_ct_parse(buf, n, collect, NULL), 2);
	CHECK_EQ(ngot, 2);
	CHECK_EQ(got[0].src.family, 4);
	CHECK_EQ(got[0].src.b[0], 198);
	CHECK_EQ(got[0].dst.b[3], 25);
	CHECK_EQ(got[0].sport, 40001);
	CHECK_EQ(got[0].dport, 25);
	CHECK_EQ(got[1].src.family, 6);
	/* Cut short: malformed, what came before still handed on. */
	ngot = 0;
	CHECK_EQ(ng_ct_parse(buf, n - 3, collect, NULL), -1);
	CHECK_EQ(ngot, 2);
	/* A tuple without its ports. */
	n = msg(b, IPCTNL_MSG_CT_DELETE, 4, IPPROTO_TCP, -1);
	buf[n / 4 - 2] = 0;	/* the last attribute's header: length 0 */
	ngot = 0;
	CHECK_EQ(ng_ct_parse(buf, n, collect, NULL), -1);
	CHECK_EQ(ngot, 0);
	CHECK_EQ(ng_ct_parse(buf, 0, collect, NULL), 0);
}

int
main(void)
{
	RUN(test_events);
	return test_done();
}
