/*
 * rulecheck.c - find, in the kernel, the rules that queue to the gate and
 * the rule that does its resets.
 *
 * nf_tables (iptables-nft and native nft): a dump of every chain and
 * rule over NETLINK_NETFILTER.  A rule queues to us when it holds a
 * "queue" expression covering our queue number, or the xt NFQUEUE target
 * (iptables-nft) with it; it counts only when reachable: in a base chain,
 * or in a chain some rule of the same table jumps to.  The reset rule is
 * a "reject" expression in table inet nfq_gate.  iptables-legacy: the
 * security tables through getsockopt(IPT_SO_GET_ENTRIES and the IPv6
 * twin) on datagram sockets that never carry a packet, asked only when
 * /proc/net/ip{,6}_tables_names lists them (asking would load and
 * register the table); an NFQUEUE entry there counts (reachability is
 * not followed in legacy tables).  Nothing here changes any rule; the dumps take well under a
 * millisecond for a usual ruleset, and the answer has a 500 ms timeout.
 * A dump cut short (the ruleset changed under it: NLM_F_DUMP_INTR, or
 * the timeout) leaves messages on the socket: each dump drains it first,
 * one cut short by a change is tried again, and after any failure the
 * socket is made afresh.
 */
#include <netinet/in.h>	/* before the linux headers, which then defer */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/rulecheck.h"

#define KEYS_MAX	128
#define RESET_TABLE	"nfq_gate"

struct key {
	uint32_t family;
	char table[64];
	char chain[64];
};

struct keyset {
	struct key k[KEYS_MAX];
	unsigned n;
	int overflow;		/* more than KEYS_MAX: assume reachable */
};

struct ng_rulecheck {
	struct mnl_socket *nl;
	int inet_fd, inet6_fd;	/* legacy getsockopt; -1 when refused */
	uint32_t seq;
	uint16_t queue;
	unsigned found;
	unsigned seen;		/* every bit ever found */
	unsigned missing;	/* seen, and not found by the last look */
	unsigned last;		/* found by the last look that worked */
	int failing;		/* the last dump failed (logged once) */
	int looked;		/* a first look was made */
	struct keyset base, jumps, queues, rejects;
	char buf[32768];	/* MNL_SOCKET_DUMP_SIZE in newer libmnl */
};

/* keyset_add - remember (family, table, chain); names too long are cut. */
static void
keyset_add(struct keyset *s, uint32_t family, const char *table,
    const char *chain)
{
	struct key *k;

	if (s->n >= KEYS_MAX) {
		s->overflow = 1;
		return;
	}
	k = &s->k[s->n++];
	k->family = family;
	snprintf(k->table, sizeof(k->table), "%s", table ? table : "");
	snprintf(k->chain, sizeof(k->chain), "%s", chain ? chain : "");
}

/* keyset_has - is k in s? */
static int
keyset_has(const struct keyset *s, const struct key *k)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (s->k[i].family == k->family &&
		    strcmp(s->k[i].table, k->table) == 0 &&
		    strcmp(s->k[i].chain, k->chain) == 0)
			return 1;
	return 0;
}

/*
 * nl_open - a fresh NETLINK_NETFILTER socket with the 500 ms answer
 * timeout.  Also after a failed dump: the socket and bind are allowed
 * by the sandbox, and a new socket has nothing stale queued on it.
 */
static int
nl_open(struct ng_rulecheck *rc)
{
	struct timeval tv = { 0, 500000 };

	if (rc->nl != NULL)
		mnl_socket_close(rc->nl);
	rc->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (rc->nl == NULL)
		return -1;
	if (mnl_socket_bind(rc->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(rc->nl);
		rc->nl = NULL;
		return -1;
	}
	(void)setsockopt(mnl_socket_get_fd(rc->nl), SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv));
	return 0;
}

/* ng_rulecheck_open - the sockets, while privileged (rulecheck.h). */
struct ng_rulecheck *
ng_rulecheck_open(uint16_t queue, char *err, size_t errlen)
{
	struct ng_rulecheck *rc = calloc(1, sizeof(*rc));

	if (rc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc->queue = queue;
	rc->inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	rc->inet6_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rc->inet_fd < 0 || rc->inet6_fd < 0) /* RestrictAddressFamilies= */
		ng_log(LOG_INFO, "rules check: no AF_INET/AF_INET6 socket "
		    "(%s): iptables-legacy rules not all watched",
		    strerror(errno));
	if (nl_open(rc) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		ng_rulecheck_close(rc);
		return NULL;
	}
	rc->seq = (uint32_t)time(NULL);
	return rc;
}

/* ng_rulecheck_close - sockets and memory away; NULL is fine. */
void
ng_rulecheck_close(struct ng_rulecheck *rc)
{
	if (rc == NULL)
		return;
	if (rc->nl != NULL)
		mnl_socket_close(rc->nl);
	if (rc->inet_fd >= 0)
		close(rc->inet_fd);
	if (rc->inet6_fd >= 0)
		close(rc->inet6_fd);
	free(rc);
}

/* on_chain - a base chain (it has a hook) is reachable by itself. */
static int
on_chain(const struct nlmsghdr *nlh, void *arg)
{
	struct ng_rulecheck *rc = arg;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c == NULL)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) == 0 &&
	    nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM))
		keyset_add(&rc->base, nftnl_chain_get_u32(c,
		    NFTNL_CHAIN_FAMILY), nftnl_chain_get_str(c,
		    NFTNL_CHAIN_TABLE), nftnl_chain_get_str(c,
		    NFTNL_CHAIN_NAME));
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/* covers - does a queue range [num, num + total) hold our queue? */
static int
covers(const struct ng_rulecheck *rc, uint32_t num, uint32_t total)
{
	if (total == 0)
		total = 1;
	return rc->queue >= num && rc->queue < num + total;
}

/* expr_queues - a native "queue" or the xt NFQUEUE target, to our queue. */
static int
expr_queues(const struct ng_rulecheck *rc, struct nftnl_expr *e,
    const char *name)
{
	const uint16_t *info;
	const char *tg;
	uint32_t len = 0;

	if (strcmp(name, "queue") == 0) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_SREG_QNUM))
			return 1;	/* number from a map: may be ours */
		return covers(rc, nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM),
		    nftnl_expr_is_set(e, NFTNL_EXPR_QUEUE_TOTAL) ?
		    nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_TOTAL) : 1);
	}
	if (strcmp(name, "target") != 0 ||
	    (tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME)) == NULL ||
	    strcmp(tg, "NFQUEUE") != 0)
		return 0;
	/* xt_NFQ_info (rev 0): queuenum; v1 and later: queues_total next. */
	info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	if (info == NULL || len < 2)
		return 0;
	return covers(rc, info[0], nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV) >=
	    1 && len >= 4 ? info[1] : 1);
}

/* expr_rejects - a reject: nft's reject or the xt REJECT target? */
static int
expr_rejects(struct nftnl_expr *e, const char *name)
{
	const char *tg;

	if (strcmp(name, "reject") == 0)
		return 1;
	return strcmp(name, "target") == 0 &&
	    (tg = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME)) != NULL &&
	    strcmp(tg, "REJECT") == 0;
}

/* on_rule - note queue rules, jumps between chains and our reset. */
static int
on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct ng_rulecheck *rc = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	const char *name, *table;
	uint32_t fam, v;

	if (r == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0 ||
	    (it = nftnl_expr_iter_create(r)) == NULL) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	fam = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	if (table == NULL)
		table = "";
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		if (name == NULL)
			continue;
		if (expr_queues(rc, e, name))
			keyset_add(&rc->queues, fam, table,
			    nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		else if (strcmp(name, "reject") == 0 && fam == NFPROTO_INET &&
		    strcmp(table, RESET_TABLE) == 0)
			rc->found |= NG_RULES_RESET;
		else if (expr_rejects(e, name))
			keyset_add(&rc->rejects, fam, table,
			    nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		else if (strcmp(name, "immediate") == 0 &&
		    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
			v = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
			if (v == (uint32_t)NFT_JUMP || v == (uint32_t)NFT_GOTO)
				keyset_add(&rc->jumps, fam, table,
				    nftnl_expr_get_str(e,
				    NFTNL_EXPR_IMM_CHAIN));
		}
	}
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

/*
 * drain - whatever an earlier dump left unread (bounded: a dump is a few
 * hundred messages of 32 KiB at most), so that this one reads its own.
 */
static void
drain(struct ng_rulecheck *rc)
{
	int i, fd = mnl_socket_get_fd(rc->nl);

	for (i = 0; i < 4096; i++)
		if (recv(fd, rc->buf, sizeof(rc->buf), MSG_DONTWAIT) < 0 &&
		    errno != EINTR)
			break;
}

/* dump - one NFT_MSG_GET* dump of every family, through cb. */
static int
dump(struct ng_rulecheck *rc, uint16_t type, mnl_cb_t cb)
{
	struct nlmsghdr *nlh;
	uint32_t seq = rc->seq++, portid = mnl_socket_get_portid(rc->nl);
	ssize_t n;
	int r;

	drain(rc);
	nlh = nftnl_nlmsg_build_hdr(rc->buf, type, NFPROTO_UNSPEC,
	    NLM_F_DUMP, seq);
	if (mnl_socket_sendto(rc->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(rc->nl, rc->buf, sizeof(rc->buf));
		if (n < 0)
			return -1;
		r = mnl_cb_run(rc->buf, (size_t)n, seq, portid, cb, rc);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -1 : 0;
}

/* nft_dumps - chains then rules; -1 and errno when either failed */
static int
nft_dumps(struct ng_rulecheck *rc)
{
	rc->base.n = rc->jumps.n = rc->queues.n = rc->rejects.n = 0;
	rc->base.overflow = rc->jumps.overflow = rc->queues.overflow = 0;
	rc->rejects.overflow = 0;
	rc->found = 0;
	if (dump(rc, NFT_MSG_GETCHAIN, on_chain) < 0 ||
	    dump(rc, NFT_MSG_GETRULE, on_rule) < 0)
		return -1;
	return 0;
}

/*
 * nft_look - the dumps, tried again once when the ruleset changed under
 * them (NLM_F_DUMP_INTR is EINTR); after any failure the socket is made
 * afresh, so that no half-read dump spoils the next look.
 */
static int
nft_look(struct ng_rulecheck *rc)
{
	int saved;

	if (rc->nl == NULL && nl_open(rc) < 0)
		return -1;
	if (nft_dumps(rc) == 0)
		return 0;
	saved = errno;
	if (nl_open(rc) < 0)
		return -1;
	if (saved == EINTR && nft_dumps(rc) == 0)
		return 0;
	saved = errno;
	if (nl_open(rc) < 0)
		return -1;
	errno = saved;
	return -1;
}

/*
 * One x_tables family: the two differ only in the socket level, the
 * option numbers, the /proc file and the size of an entry's match part;
 * getinfo, get_entries and the entry's offsets have the same layout.
 */
struct legacy {
	const char *proc;
	int level, get_info, get_entries;
	size_t entry_size, target_off;
};

static const struct legacy legacy4 = {
	"/proc/net/ip_tables_names", IPPROTO_IP, IPT_SO_GET_INFO,
	IPT_SO_GET_ENTRIES, sizeof(struct ipt_entry),
	offsetof(struct ipt_entry, target_offset)
};

static const struct legacy legacy6 = {
	"/proc/net/ip6_tables_names", IPPROTO_IPV6, IP6T_SO_GET_INFO,
	IP6T_SO_GET_ENTRIES, sizeof(struct ip6t_entry),
	offsetof(struct ip6t_entry, target_offset)
};

/* legacy_listed - does /proc list the legacy security table? */
static int
legacy_listed(const struct legacy *lg)
{
	char line[64];
	FILE *f = fopen(lg->proc, "re");
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strcmp(line, "security\n") == 0)
			found = 1;
	fclose(f);
	return found;
}

/* legacy_entry_queues - one entry: its target NFQUEUE to our queue? */
static int
legacy_entry_queues(const struct ng_rulecheck *rc, const char *e,
    size_t target, size_t next)
{
	const struct xt_entry_target *t;
	uint16_t q[2];

	if (target + sizeof(*t) + 2 > next)
		return 0;
	t = (const void *)(e + target);
	if (strcmp(t->u.user.name, "NFQUEUE") != 0)
		return 0;
	memcpy(&q[0], t->data, 2);
	q[1] = 1;
	if (t->u.user.revision >= 1 && target + sizeof(*t) + 4 <= next)
		memcpy(&q[1], t->data + 2, 2);
	return covers(rc, q[0], q[1]);
}

/* legacy_queues - an NFQUEUE entry for our queue in legacy security. */
static int
legacy_queues(const struct ng_rulecheck *rc, int fd, const struct legacy *lg)
{
	struct ipt_getinfo info;
	struct ipt_get_entries *ge;
	socklen_t len = sizeof(info);
	uint16_t off2[2];	/* target_offset, next_offset */
	size_t off;
	const char *e;
	int found = 0;

	if (fd < 0 || !legacy_listed(lg))
		return 0;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "security");
	if (getsockopt(fd, lg->level, lg->get_info, &info, &len) < 0 ||
	    info.size > (1u << 24))
		return 0;
	len = (socklen_t)(sizeof(*ge) + info.size);
	if ((ge = calloc(1, len)) == NULL)
		return 0;
	snprintf(ge->name, sizeof(ge->name), "security");
	ge->size = info.size;
	if (getsockopt(fd, lg->level, lg->get_entries, ge, &len) == 0)
		for (off = 0; off + lg->entry_size <= ge->size && !found;
		    off += off2[1]) {
			e = (const char *)ge->entrytable + off;
			memcpy(off2, e + lg->target_off, sizeof(off2));
			if (off2[1] < lg->entry_size ||
			    off + off2[1] > ge->size)
				break;
			found = legacy_entry_queues(rc, e, off2[0], off2[1]);
		}
	free(ge);
	return found;
}

/* ng_rulecheck_run - one look: chains, rules, legacy; the bits found. */
int
ng_rulecheck_run(struct ng_rulecheck *rc)
{
	unsigned i;

	if (nft_look(rc) < 0)
		return -1;
	for (i = 0; i < rc->queues.n; i++) {
		const struct key *k = &rc->queues.k[i];

		if (!rc->base.overflow && !rc->jumps.overflow &&
		    !keyset_has(&rc->base, k) && !keyset_has(&rc->jumps, k))
			continue;	/* nothing leads there */
		if (k->family == NFPROTO_IPV4 || k->family == NFPROTO_INET)
			rc->found |= NG_RULES_Q4;
		if (k->family == NFPROTO_IPV6 || k->family == NFPROTO_INET)
			rc->found |= NG_RULES_Q6;
		/*
		 * Rules loaded by hand may reset in the chain that queues
		 * (a REJECT on the reset mark before the NFQUEUE, as the
		 * filter-table layout did): a re-injected packet meets it.
		 */
		if (keyset_has(&rc->rejects, k))
			rc->found |= NG_RULES_RESET;
	}
	if (legacy_queues(rc, rc->inet_fd, &legacy4))
		rc->found |= NG_RULES_LEGACY;
	if (legacy_queues(rc, rc->inet6_fd, &legacy6))
		rc->found |= NG_RULES_LEGACY6;
	return (int)rc->found;
}

/* ng_rulecheck_names - the bits as words for a log line. */
void
ng_rulecheck_names(unsigned what, char *buf, size_t len)
{
	static const char *const names[] = {
		"IPv4 queue rule", "IPv6 queue rule",
		"reset table inet nfq_gate", "iptables-legacy queue rule",
		"ip6tables-legacy queue rule"
	};
	size_t i, n = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(what & (1u << i)))
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

/*
 * ng_rulecheck_watch - look again; log a loss once, loudly, and the
 * return.  What was never seen (say, no IPv6 rules) is never missed.
 */
int
ng_rulecheck_watch(struct ng_rulecheck *rc)
{
	char what[160];
	unsigned missing, first = rc->seen == 0;
	int r = ng_rulecheck_run(rc);

	if (r == 0 && !rc->looked)
		ng_log(LOG_WARNING, "rules check: queue %u: no rule queues to "
		    "it: nothing is judged until nfq-gate-rules install",
		    rc->queue);
	if (r >= 0)
		rc->looked = 1;

	if (r < 0) {
		if (!rc->failing)
			ng_log(LOG_WARNING, "rules check: nf_tables dump: %s",
			    strerror(errno));
		rc->failing = 1;
		return 0;
	}
	if (rc->failing)
		ng_log(LOG_NOTICE, "rules check: nf_tables dump works again");
	rc->failing = 0;
	rc->last = (unsigned)r;
	rc->seen |= (unsigned)r;
	missing = rc->seen & ~(unsigned)r;
	if (first && rc->seen != 0) {
		ng_rulecheck_names(rc->seen, what, sizeof(what));
		ng_log(LOG_INFO, "rules check: queue %u: found %s", rc->queue,
		    what);
	}
	if (missing == rc->missing)
		return 0;
	ng_rulecheck_names(missing ? missing : rc->missing, what,
	    sizeof(what));
	if (missing & ~rc->missing)
		ng_log(LOG_ERR, "RULES LOST queue %u: %s gone: connections "
		    "are not judged (flush ruleset? iptables -t security "
		    "-F?); run nfq-gate-rules install", rc->queue, what);
	else
		ng_log(LOG_NOTICE, "rules back queue %u: %s", rc->queue, what);
	r = (missing & ~rc->missing) != 0;
	rc->missing = missing;
	return r;
}

/* ng_rulecheck_found - what the last look that worked found. */
unsigned
ng_rulecheck_found(const struct ng_rulecheck *rc)
{
	return rc ? rc->last : 0;
}

/* ng_rulecheck_missing - what was seen and is gone now. */
unsigned
ng_rulecheck_missing(const struct ng_rulecheck *rc)
{
	return rc ? rc->missing : 0;
}
