/*
 * test_nfq.c - the netlink messages the live daemon builds and parses,
 * without a kernel: verdicts (marks, the connmark nest), the ctnetlink
 * connmark update, queued-packet messages (well-formed and damaged), the
 * /proc queue counters, and the Prometheus text.
 */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "daemon/nfq.h"
#include "daemon/stats.h"
#include "test.h"

static char buf[8192];

static int
collect(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t t = mnl_attr_get_type(a);

	if (t < 64)
		tb[t] = a;
	return MNL_CB_OK;
}

static void
test_verdict_plain(void)
{
	const struct nlattr *tb[64] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nfgenmsg *nfg;
	struct nfqnl_msg_verdict_hdr *vh;
	size_t n;

	n = ng_nfq_build_verdict(buf, sizeof(buf), 7, 12345, NF_ACCEPT, 0, 0,
	    0, 0);
	CHECK(n > 0);
	CHECK_EQ(nlh->nlmsg_len, n);
	CHECK_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_QUEUE << 8) |
	    NFQNL_MSG_VERDICT);
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ntohs(nfg->res_id), 7);
	mnl_attr_parse(nlh, sizeof(*nfg), collect, tb);
	CHECK(tb[NFQA_VERDICT_HDR] != NULL);
	vh = mnl_attr_get_payload(tb[NFQA_VERDICT_HDR]);
	CHECK_EQ(ntohl(vh->id), 12345);
	CHECK_EQ(ntohl(vh->verdict), NF_ACCEPT);
	CHECK(tb[NFQA_MARK] == NULL);
	CHECK(tb[NFQA_CT] == NULL);
	/* Too little room: nothing is written. */
	CHECK_EQ(ng_nfq_build_verdict(buf, 16, 7, 1, NF_ACCEPT, 0, 0, 0, 0),
	    0);
}

static void
test_verdict_marks(void)
{
	const struct nlattr *tb[64] = { NULL }, *ct[64] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nfqnl_msg_verdict_hdr *vh;

	/* The reset: packet mark and NF_REPEAT. */
	ng_nfq_build_verdict(buf, sizeof(buf), 0, 9, NF_REPEAT, 1, 0x201, 0,
	    0);
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), collect, tb);
	vh = mnl_attr_get_payload(tb[NFQA_VERDICT_HDR]);
	CHECK_EQ(ntohl(vh->verdict), NF_REPEAT);
	CHECK(tb[NFQA_MARK] != NULL);
	CHECK_EQ(ntohl(mnl_attr_get_u32(tb[NFQA_MARK])), 0x201);

	/* The offload: NFQA_CT { CTA_MARK, CTA_MARK_MASK }. */
	memset(tb, 0, sizeof(tb));
	ng_nfq_build_verdict(buf, sizeof(buf), 0, 10, NF_ACCEPT, 0, 0,
	    0x1ff, 0x100);
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), collect, tb);
	CHECK(tb[NFQA_MARK] == NULL);
	CHECK(tb[NFQA_CT] != NULL);
	if (tb[NFQA_CT] == NULL)
		return;
	mnl_attr_parse_nested(tb[NFQA_CT], collect, ct);
	CHECK(ct[CTA_MARK] != NULL && ct[CTA_MARK_MASK] != NULL);
	if (ct[CTA_MARK] == NULL || ct[CTA_MARK_MASK] == NULL)
		return;
	/* Only the bits under the mask: the rest of the connmark stays. */
	CHECK_EQ(ntohl(mnl_attr_get_u32(ct[CTA_MARK])), 0x100);
	CHECK_EQ(ntohl(mnl_attr_get_u32(ct[CTA_MARK_MASK])), 0x100);
}

static void
test_ct_mark(void)
{
	const struct nlattr *tb[64] = { NULL };
	const struct nlattr *tu[64] = { NULL }, *ip[64] = { NULL };
	const struct nlattr *pr[64] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ng_nfq_tuple t;
	struct nfgenmsg *nfg;
	size_t n;

	memset(&t, 0, sizeof(t));
	t.family = 4;
	memcpy(t.src, "\xc6\x33\x64\x0a", 4);	/* 198.51.100.10 */
	memcpy(t.dst, "\xcb\x00\x71\x19", 4);	/* 203.0.113.25 */
	t.sport = 40001;
	t.dport = 25;
	n = ng_nfq_build_ct_mark(buf, sizeof(buf), &t, 0x100, 0x100);
	CHECK(n > 0);
	CHECK_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) |
	    IPCTNL_MSG_CT_NEW);
	/* An update: never create a conntrack entry of our own. */
	CHECK_EQ(nlh->nlmsg_flags & NLM_F_CREATE, 0);
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(nfg->nfgen_family, AF_INET);
	mnl_attr_parse(nlh, sizeof(*nfg), collect, tb);
	CHECK(tb[CTA_TUPLE_ORIG] != NULL);
	CHECK(tb[CTA_MARK] != NULL && tb[CTA_MARK_MASK] != NULL);
	if (tb[CTA_TUPLE_ORIG] == NULL)
		return;
	mnl_attr_parse_nested(tb[CTA_TUPLE_ORIG], collect, tu);
	CHECK(tu[CTA_TUPLE_IP] != NULL && tu[CTA_TUPLE_PROTO] != NULL);
	if (tu[CTA_TUPLE_IP] == NULL || tu[CTA_TUPLE_PROTO] == NULL)
		return;
	mnl_attr_parse_nested(tu[CTA_TUPLE_IP], collect, ip);
	mnl_attr_parse_nested(tu[CTA_TUPLE_PROTO], collect, pr);
	CHECK(ip[CTA_IP_V4_SRC] != NULL && ip[CTA_IP_V4_DST] != NULL);
	if (ip[CTA_IP_V4_SRC] != NULL)
		CHECK(memcmp(mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), t.src,
		    4) == 0);
	CHECK(pr[CTA_PROTO_NUM] != NULL && pr[CTA_PROTO_SRC_PORT] != NULL &&
	    pr[CTA_PROTO_DST_PORT] != NULL);
	if (pr[CTA_PROTO_SRC_PORT] == NULL || pr[CTA_PROTO_DST_PORT] == NULL)
		return;
	CHECK_EQ(mnl_attr_get_u8(pr[CTA_PROTO_NUM]), 6);
	CHECK_EQ(ntohs(mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT])), 40001);
	CHECK_EQ(ntohs(mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT])), 25);

	/* IPv6, reply direction. */
	memset(tb, 0, sizeof(tb));
	t.family = 6;
	t.reply = 1;
	ng_nfq_build_ct_mark(buf, sizeof(buf), &t, 0x100, 0x100);
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(nfg->nfgen_family, AF_INET6);
	mnl_attr_parse(nlh, sizeof(*nfg), collect, tb);
	CHECK(tb[CTA_TUPLE_REPLY] != NULL && tb[CTA_TUPLE_ORIG] == NULL);
}

/* A queued-packet message as the kernel sends it. */
static struct nlmsghdr *
packet_msg(uint32_t id, const void *payload, size_t len, uint32_t caplen,
    uint32_t mark, int ctmark)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nfqnl_msg_packet_hdr ph;
	struct nlattr *nest;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(0);
	memset(&ph, 0, sizeof(ph));
	ph.packet_id = htonl(id);
	ph.hw_protocol = htons(0x0800);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	if (mark)
		mnl_attr_put_u32(nlh, NFQA_MARK, htonl(mark));
	if (ctmark >= 0) {
		nest = mnl_attr_nest_start(nlh, NFQA_CT);
		mnl_attr_put_u32(nlh, CTA_MARK, htonl((uint32_t)ctmark));
		mnl_attr_nest_end(nlh, nest);
	}
	if (caplen)
		mnl_attr_put_u32(nlh, NFQA_CAP_LEN, htonl(caplen));
	if (payload)
		mnl_attr_put(nlh, NFQA_PAYLOAD, len, payload);
	return nlh;
}

static void
test_parse_packet(void)
{
	uint8_t ip[60];
	struct ng_nfq_pkt p;
	struct nlmsghdr *nlh;

	memset(ip, 0x45, sizeof(ip));
	nlh = packet_msg(77, ip, sizeof(ip), 1500, 0x4, 0x100);
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), 0);
	CHECK_EQ(p.id, 77);
	CHECK_EQ(p.hw_proto, 0x0800);
	CHECK_EQ(p.caplen, 60);
	CHECK_EQ(p.wirelen, 1500);	/* NFQA_CAP_LEN: the real length */
	CHECK(p.data != NULL && p.data[0] == 0x45);
	CHECK_EQ(p.mark, 0x4);
	CHECK_EQ(p.has_ct, 1);
	CHECK_EQ(p.ctmark, 0x100);

	/* Not cut: wirelen is what we have; no conntrack. */
	nlh = packet_msg(78, ip, 40, 0, 0, -1);
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), 0);
	CHECK_EQ(p.wirelen, 40);
	CHECK_EQ(p.has_ct, 0);
	CHECK_EQ(p.mark, 0);

	/* No payload attribute at all: parsed, data NULL (fail open). */
	nlh = packet_msg(79, NULL, 0, 0, 0, -1);
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), 0);
	CHECK(p.data == NULL);
}

static void
test_parse_damaged(void)
{
	struct nlmsghdr *nlh;
	struct ng_nfq_pkt p;
	uint8_t ip[20] = { 0x45 };

	/* Another message type. */
	nlh = packet_msg(1, ip, sizeof(ip), 0, 0, -1);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_CONFIG;
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), -1);

	/* No packet header. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put(nlh, NFQA_PAYLOAD, sizeof(ip), ip);
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), -1);

	/* A packet header cut short. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg));
	mnl_attr_put(nlh, NFQA_PACKET_HDR, 2, "\0\1");
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), -1);

	/* A message shorter than its own header claims. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nlh->nlmsg_len = sizeof(*nlh);
	CHECK_EQ(ng_nfq_parse_packet(nlh, &p), -1);
}

static void
test_kstats(void)
{
	const char *proc =
	    "    0  12345     3 2   256     0     0      100  1\n"
	    "    5  23456    17 2   256     9     4   998877  1\n";
	struct ng_nfq_kstats ks;

	memset(&ks, 0, sizeof(ks));
	CHECK_EQ(ng_nfq_parse_kstats(proc, 5, &ks), 0);
	CHECK_EQ(ks.queue_total, 17);
	CHECK_EQ(ks.queue_dropped, 9);
	CHECK_EQ(ks.user_dropped, 4);
	CHECK_EQ(ks.id_sequence, 998877);
	CHECK_EQ(ng_nfq_parse_kstats(proc, 0, &ks), 0);
	CHECK_EQ(ks.queue_total, 3);
	CHECK_EQ(ng_nfq_parse_kstats(proc, 1, &ks), -1);
	CHECK_EQ(ng_nfq_parse_kstats("", 0, &ks), -1);
	CHECK_EQ(ng_nfq_parse_kstats("garbage\n\n", 0, &ks), -1);
}

/* test_prom_trap - the trap MX's counters, the engine's own. */
static void
test_prom_trap(void)
{
	static const struct ng_live_stats st;
	struct ng_stats_view v;
	struct ng_stats e;
	char *text;
	size_t len = 0;

	memset(&v, 0, sizeof(v));
	memset(&e, 0, sizeof(e));
	e.trap_syns = 9;
	e.trap_hits = 8;
	e.trap_penalised = 4;
	e.trap_excused = 3;
	e.trap_unsure = 1;
	e.events[NG_EV_TRAP] = 8;
	v.live = &st;
	v.eng = &e;
	v.contacts_evicted = 6;
	text = ng_stats_prom_text(&v, &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	CHECK(strstr(text, "nfq_gate_trap_syns_total 9\n") != NULL);
	CHECK(strstr(text, "nfq_gate_trap_hits_total 8\n") != NULL);
	CHECK(strstr(text, "nfq_gate_trap_penalised_total 4\n") != NULL);
	CHECK(strstr(text, "nfq_gate_trap_excused_total 3\n") != NULL);
	CHECK(strstr(text, "nfq_gate_trap_unsure_total 1\n") != NULL);
	CHECK(strstr(text, "nfq_gate_contacts_evicted_total 6\n") != NULL);
	CHECK(strstr(text, "nfq_gate_events_total{event=\"trap\"} 8\n") !=
	    NULL);
	free(text);
}

static void
test_prom(void)
{
	struct ng_live_stats st;
	struct ng_stats_view v;
	struct ng_event ev;
	struct ng_nfq_counters c;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	memset(&st, 0, sizeof(st));
	memset(&v, 0, sizeof(v));
	memset(&c, 0, sizeof(c));
	memset(&ev, 0, sizeof(ev));
	ng_stats_verdict(&st, NG_SV_RESET);
	ng_stats_verdict(&st, NG_SV_RESET);
	ng_stats_verdict(&st, NG_SV_OFFLOAD);
	ev.decision = NG_DEC_DROP;
	ev.cc = ng_cc_pack("CN");
	ng_stats_event(&st, &ev);
	ng_stats_event(&st, &ev);
	ev.decision = NG_DEC_NONE;	/* CONNECT: not a decision */
	ng_stats_event(&st, &ev);
	c.id_gaps = 5;
	v.pass_evicted = 7;
	v.grey_refused = 11;
	v.live = &st;
	v.nfq = &c;
	fp = open_memstream(&text, &len);
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	ng_stats_prom(&v, fp);
	fclose(fp);
	CHECK(strstr(text, "nfq_gate_verdicts_total{verdict=\"reset\"} 2\n")
	    != NULL);
	CHECK(strstr(text, "nfq_gate_verdicts_total{verdict=\"offload\"} 1\n")
	    != NULL);
	CHECK(strstr(text, "nfq_gate_decisions_total{country=\"CN\","
	    "decision=\"drop\"} 2\n") != NULL);
	CHECK(strstr(text, "nfq_gate_failopen_socket_total 5\n") != NULL);
	CHECK(strstr(text, "nfq_gate_pass_evicted_total 7\n") != NULL);
	CHECK(strstr(text, "nfq_gate_penalty_evicted_total 0\n") != NULL);
	CHECK(strstr(text, "nfq_gate_greylist_evicted_total 0\n") != NULL);
	CHECK(strstr(text, "nfq_gate_greylist_refused_total 11\n") != NULL);
	CHECK(strstr(text, "# TYPE nfq_gate_verdicts_total counter\n") != NULL);
	CHECK_EQ(st.ncc, 1);
	free(text);
}

int
main(void)
{
	RUN(test_verdict_plain);
	RUN(test_verdict_marks);
	RUN(test_ct_mark);
	RUN(test_parse_packet);
	RUN(test_parse_damaged);
	RUN(test_kstats);
	RUN(test_prom);
	RUN(test_prom_trap);
	return test_done();
}
