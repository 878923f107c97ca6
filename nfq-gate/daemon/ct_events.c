/*
 * ct_events.c - conntrack DESTROY events over ctnetlink (ct_events.h).
 *
 * A closed TCP connection's entry lives on in TIME_WAIT (two minutes by
 * default) before conntrack destroys it, far too long for a concurrency
 * count; so the UPDATE group is read too, and an update to a closing
 * state (FIN_WAIT and after: either end sent its FIN, or a RST) ends
 * the connection as DESTROY does.  Every connection of the host is
 * announced, not only ours; the caller keeps those to a judged port, and the engine ignores
 * any it never counted.  The receive buffer is made large while root;
 * an overrun loses events, which only makes their connections count
 * until the throttle's maximum age (fail open, counted as enobufs).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/err.h"
#include "daemon/ct_events.h"

#define CT_RCVBUF (4 << 20)
#define CT_READS 64		/* datagrams per wake-up, at most */

struct ng_ct_events {
	struct mnl_socket *nl;
	char buf[32768];	/* more than an event datagram holds */
};

/* ng_ct_events_open - a non-blocking socket, in no group yet. */
struct ng_ct_events *
ng_ct_events_open(char *err, size_t errlen)
{
	struct ng_ct_events *c = calloc(1, sizeof(*c));
	int sz = CT_RCVBUF;

	if (c == NULL) {
		ng_err(err, errlen, "%s", "out of memory");
		return NULL;
	}
	c->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC |
	    SOCK_NONBLOCK);
	if (c->nl == NULL || mnl_socket_bind(c->nl, 0,
	    MNL_SOCKET_AUTOPID) < 0) {
		ng_err(err, errlen, "conntrack events: %s", strerror(errno));
		ng_ct_events_close(c);
		return NULL;
	}
	/* Root may pass rmem_max; if not, the default buffer will do. */
	if (setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET, SO_RCVBUFFORCE,
	    &sz, sizeof(sz)) < 0)
		(void)setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET,
		    SO_RCVBUF, &sz, sizeof(sz));
	return c;
}

/* ng_ct_events_listen - into both groups, or out of them. */
int
ng_ct_events_listen(struct ng_ct_events *c, int on, char *err,
    size_t errlen)
{
	static const unsigned grp[] = { NFNLGRP_CONNTRACK_UPDATE,
	    NFNLGRP_CONNTRACK_DESTROY };
	int opt = on ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP;
	unsigned i, g;

	for (i = 0; i < 2; i++) {
		g = grp[i];
		if (mnl_socket_setsockopt(c->nl, opt, &g, sizeof(g)) < 0 && on)
			return ng_err(err, errlen, "conntrack events: %s",
			    strerror(errno));
	}
	return 0;
}

/* ng_ct_events_close - the socket; NULL is fine. */
void
ng_ct_events_close(struct ng_ct_events *c)
{
	if (c == NULL)
		return;
	if (c->nl != NULL)
		mnl_socket_close(c->nl);
	free(c);
}

/* ng_ct_events_fd - for the event loop. */
int
ng_ct_events_fd(const struct ng_ct_events *c)
{
	return mnl_socket_get_fd(c->nl);
}

/* nested - attribute a's nest, valid, into tb[0..max]; -1 if bad. */
static int
nested(const struct nlattr *a, const struct nlattr **tb, unsigned max)
{
	const struct nlattr *x;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return -1;
	mnl_attr_for_each_nested(x, a) {
		uint16_t t = mnl_attr_get_type(x);

		if (t <= max)
			tb[t] = x;
	}
	return 0;
}

/* get_addr - an address attribute of n bytes into a; -1 if bad. */
static int
get_addr(const struct nlattr *x, unsigned n, struct ng_addr *a)
{
	if (x == NULL || mnl_attr_get_payload_len(x) != n)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = n == 4 ? 4 : 6;
	memcpy(a->b, mnl_attr_get_payload(x), n);
	return 0;
}

/* get_port - a port attribute, host order; -1 if bad. */
static int
get_port(const struct nlattr *x, uint16_t *p)
{
	if (x == NULL || mnl_attr_get_payload_len(x) != 2)
		return -1;
	*p = ntohs(mnl_attr_get_u16(x));
	return 0;
}

/*
 * tuple - CTA_TUPLE_ORIG into e: 1 for TCP, 0 for another protocol,
 * -1 if malformed.
 */
static int
tuple(const struct nlattr *orig, struct ng_ct_end *e)
{
	const struct nlattr *tt[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	const struct nlattr *pr[CTA_PROTO_MAX + 1];

	if (nested(orig, tt, CTA_TUPLE_MAX) < 0 || tt[CTA_TUPLE_IP] == NULL ||
	    tt[CTA_TUPLE_PROTO] == NULL ||
	    nested(tt[CTA_TUPLE_IP], ip, CTA_IP_MAX) < 0 ||
	    nested(tt[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX) < 0)
		return -1;
	if (pr[CTA_PROTO_NUM] == NULL ||
	    mnl_attr_get_payload_len(pr[CTA_PROTO_NUM]) != 1)
		return -1;
	if (mnl_attr_get_u8(pr[CTA_PROTO_NUM]) != IPPROTO_TCP)
		return 0;
	if (ip[CTA_IP_V4_SRC] != NULL) {
		if (get_addr(ip[CTA_IP_V4_SRC], 4, &e->src) < 0 ||
		    get_addr(ip[CTA_IP_V4_DST], 4, &e->dst) < 0)
			return -1;
	} else if (get_addr(ip[CTA_IP_V6_SRC], 16, &e->src) < 0 ||
	    get_addr(ip[CTA_IP_V6_DST], 16, &e->dst) < 0)
		return -1;
	if (get_port(pr[CTA_PROTO_SRC_PORT], &e->sport) < 0 ||
	    get_port(pr[CTA_PROTO_DST_PORT], &e->dport) < 0)
		return -1;
	return 1;
}

/*
 * closing - does an update's CTA_PROTOINFO say the TCP connection is
 * closing (FIN_WAIT to CLOSE)?  No such attribute: not closing.
 */
static int
closing(const struct nlattr *info)
{
	const struct nlattr *pi[CTA_PROTOINFO_MAX + 1];
	const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1];
	uint8_t st;

	if (info == NULL || nested(info, pi, CTA_PROTOINFO_MAX) < 0 ||
	    pi[CTA_PROTOINFO_TCP] == NULL ||
	    nested(pi[CTA_PROTOINFO_TCP], tcp, CTA_PROTOINFO_TCP_MAX) < 0 ||
	    tcp[CTA_PROTOINFO_TCP_STATE] == NULL ||
	    mnl_attr_get_payload_len(tcp[CTA_PROTOINFO_TCP_STATE]) != 1)
		return 0;
	st = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
	return st >= TCP_CONNTRACK_FIN_WAIT && st <= TCP_CONNTRACK_CLOSE;
}

/*
 * one - a DESTROY's (or a closing UPDATE's) original tuple; 1, 0 (not
 * TCP, not an end) or -1 (malformed).
 */
static int
one(const struct nlmsghdr *nlh, struct ng_ct_end *e)
{
	const struct nlattr *a, *orig = NULL, *info = NULL;
	uint16_t type = nlh->nlmsg_type;

	if (type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE) &&
	    type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW))
		return 0;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -1;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG)
			orig = a;
		else if (mnl_attr_get_type(a) == CTA_PROTOINFO)
			info = a;
	}
	if (orig == NULL)
		return -1;
	if ((type & 0xff) == IPCTNL_MSG_CT_NEW && !closing(info))
		return 0;
	return tuple(orig, e);
}

/* ng_ct_parse - every TCP DESTROY in one datagram to fn. */
int
ng_ct_parse(const void *buf, size_t len,
    void (*fn)(const struct ng_ct_end *, void *), void *arg)
{
	const char *p = buf;
	const struct nlmsghdr *nlh;
	struct ng_ct_end e;
	size_t left = len, step;
	int n = 0, r;

	/* Not mnl_nlmsg_ok(): it takes an nlmsg_len past INT_MAX for a
	 * negative one, and so a huge length for a fitting one. */
	while (left >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)p;
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			return -1;
		memset(&e, 0, sizeof(e));
		if ((r = one(nlh, &e)) < 0)
			return -1;
		if (r > 0) {
			fn(&e, arg);
			n++;
		}
		step = MNL_ALIGN(nlh->nlmsg_len);
		if (step > left)
			step = left;
		p += step;
		left -= step;
	}
	return left == 0 ? n : -1;
}

/* ng_ct_events_read - what is waiting, a bounded number of reads. */
void
ng_ct_events_read(struct ng_ct_events *c,
    void (*fn)(const struct ng_ct_end *, void *), void *arg,
    uint64_t *enobufs)
{
	ssize_t n;
	unsigned i;

	for (i = 0; i < CT_READS; i++) {
		n = recv(mnl_socket_get_fd(c->nl), c->buf, sizeof(c->buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			(*enobufs)++;
			continue;
		}
		if (n <= 0)
			return;
		(void)ng_ct_parse(c->buf, (size_t)n, fn, arg);
	}
}
