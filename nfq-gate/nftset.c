/*
 * nftset.c - add pre-greeting talkers to an nftables set with a timeout,
 * over libnftnl and libmnl.
 *
 * One NEWSETELEM message in a batch per address, acknowledged, so a
 * missing table or set (or a set without "flags timeout") is reported
 * with the kernel's own error instead of vanishing.  The socket is opened
 * at start-up while we are root; adding elements needs CAP_NET_ADMIN,
 * which the daemon keeps.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nftset.h"

struct ng_nftset {
	struct mnl_socket *nl;
	uint16_t family;	/* NFPROTO_* */
	uint32_t seq;
	char table[64], set4[64], set6[64];
};

static int
parse_family(const char *s, uint16_t *fam)
{
	if (strcmp(s, "inet") == 0)
		*fam = NFPROTO_INET;
	else if (strcmp(s, "ip") == 0)
		*fam = NFPROTO_IPV4;
	else if (strcmp(s, "ip6") == 0)
		*fam = NFPROTO_IPV6;
	else
		return -1;
	return 0;
}

struct ng_nftset *
ng_nftset_open(const char *table, const char *set4, const char *set6,
    char *err, size_t errlen)
{
	struct ng_nftset *s = calloc(1, sizeof(*s));
	struct timeval tv = { 0, 500000 };
	char fam[16];

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sscanf(table, "%15s %63s", fam, s->table) != 2 ||
	    parse_family(fam, &s->family) < 0) {
		snprintf(err, errlen, "bad table \"%s\" (FAMILY NAME)", table);
		free(s);
		return NULL;
	}
	snprintf(s->set4, sizeof(s->set4), "%s", strcmp(set4, "-") ? set4 : "");
	snprintf(s->set6, sizeof(s->set6), "%s", strcmp(set6, "-") ? set6 : "");
	s->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (s->nl == NULL || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		ng_nftset_close(s);
		return NULL;
	}
	/* Never let a slow answer stall the gate for long. */
	(void)setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv));
	s->seq = (uint32_t)time(NULL);
	return s;
}

void
ng_nftset_close(struct ng_nftset *s)
{
	if (s == NULL)
		return;
	if (s->nl != NULL)
		mnl_socket_close(s->nl);
	free(s);
}

/* The batch: begin, one NEWSETELEM, end.  Returns its length or 0. */
static size_t
build(struct ng_nftset *s, char *buf, size_t len, const char *set,
    const void *key, size_t keylen, uint64_t ttl_ms, uint32_t *ack_seq)
{
	struct mnl_nlmsg_batch *b;
	struct nftnl_set *ns;
	struct nftnl_set_elem *e;
	struct nlmsghdr *nlh;
	size_t n;

	ns = nftnl_set_alloc();
	e = nftnl_set_elem_alloc();
	if (ns == NULL || e == NULL) {
		nftnl_set_free(ns);
		nftnl_set_elem_free(e);
		return 0;
	}
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, s->table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, set);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, (uint32_t)keylen);
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, ttl_ms);
	nftnl_set_elem_add(ns, e);	/* ns owns e now */

	b = mnl_nlmsg_batch_start(buf, len);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), s->seq++);
	mnl_nlmsg_batch_next(b);
	*ack_seq = s->seq;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
	    NFT_MSG_NEWSETELEM, s->family, NLM_F_CREATE | NLM_F_ACK,
	    s->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, ns);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), s->seq++);
	mnl_nlmsg_batch_next(b);
	n = mnl_nlmsg_batch_size(b);
	mnl_nlmsg_batch_stop(b);
	nftnl_set_free(ns);
	return n;
}

int
ng_nftset_add(struct ng_nftset *s, const struct ng_addr *a, ng_usec ttl,
    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *set = a->family == 4 ? s->set4 : s->set6;
	uint64_t ms = ttl / 1000;
	uint32_t ack_seq = 0;
	size_t n;
	ssize_t r;

	if (set[0] == '\0')
		return 0;	/* no set for this family */
	if (ms == 0)
		ms = 1;
	memset(buf, 0, sizeof(buf));	/* padding goes out too */
	n = build(s, buf, sizeof(buf), set, a->b, a->family == 4 ? 4 : 16,
	    ms, &ack_seq);
	if (n == 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mnl_socket_sendto(s->nl, buf, n) < 0) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		return -1;
	}
	r = mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
	if (r < 0 || mnl_cb_run(buf, (size_t)r, ack_seq,
	    mnl_socket_get_portid(s->nl), NULL, NULL) < 0) {
		snprintf(err, errlen, "set %s: %s", set, strerror(errno));
		return -1;
	}
	return 0;
}
