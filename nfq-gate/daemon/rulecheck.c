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
 * not followed in legacy tables).  What the rules were installed with
 * is read from their comments ("nfq-gate queue=0 ports=25 ...", written
 * by nfq-gate-rules): in nf_tables the rule's userdata (nft, newer
 * iptables-nft) or an xt "comment" match (iptables-nft 1.8), in a legacy
 * table the entry's "comment" match; every such comment in a chain that
 * queues to us, or that holds our reset, counts for those rules.
 * Nothing here changes any rule; the dumps take well under a
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
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <stdarg.h>
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

/* The parameters the comments of one chain gave. */
struct chainparams {
	struct key k;
	struct ng_rule_params p;
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
	struct keyset resets;	/* chains of inet nfq_gate with a reject */
	struct chainparams cp[KEYS_MAX];	/* comments, by chain */
	unsigned ncp;
	struct ng_rule_params work[NG_RULE_PARAMS_MAX];	/* this look's */
	int nwork;
	struct ng_rule_params params[NG_RULE_PARAMS_MAX]; /* last good look */
	int nparams;
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

/* parse_num - a whole word, decimal or 0x hex, at most max. */
static int
parse_num(const char *s, size_t n, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;
	unsigned base = 10, d;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			return -1;
		x = x * base + d;
		if (x > max)
			return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

/* port_add - into the sorted list, once; -1 when it is full. */
static int
port_add(struct ng_rule_params *p, uint16_t port)
{
	unsigned i, j;

	for (i = 0; i < p->nports && p->ports[i] < port; i++)
		;
	if (i < p->nports && p->ports[i] == port)
		return 0;
	if (p->nports >= NG_RULE_PORTS_MAX)
		return -1;
	for (j = p->nports; j > i; j--)
		p->ports[j] = p->ports[j - 1];
	p->ports[i] = port;
	p->nports++;
	return 0;
}

/* parse_ports - "25,587": 1 to NG_RULE_PORTS_MAX ports, none 0. */
static int
parse_ports(const char *s, size_t n, struct ng_rule_params *p)
{
	size_t i = 0, j;
	uint32_t v;

	p->nports = 0;
	while (i <= n) {
		for (j = i; j < n && s[j] != ','; j++)
			;
		if (parse_num(s + i, j - i, 65535, &v) < 0 || v == 0 ||
		    port_add(p, (uint16_t)v) < 0)
			return -1;
		i = j + 1;
	}
	return 0;
}

/* param_word - one KEY=VALUE word; an unknown key or no '=' is skipped. */
static int
param_word(const char *w, size_t n, struct ng_rule_params *p)
{
	static const struct {
		const char *key;
		unsigned bit;
	} keys[] = {
		{ "queue", NG_RP_QUEUE }, { "ports", NG_RP_PORTS },
		{ "pass", NG_RP_PASS }, { "reset", NG_RP_RESET },
		{ "test", NG_RP_TEST }
	};
	const char *eq = memchr(w, '=', n), *v;
	size_t i, kl, vl;
	uint32_t x;

	if (eq == NULL)
		return 0;
	kl = (size_t)(eq - w);
	v = eq + 1;
	vl = n - kl - 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == kl &&
		    memcmp(keys[i].key, w, kl) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return 0;
	if (keys[i].bit == NG_RP_PORTS) {
		if (parse_ports(v, vl, p) < 0)
			return -1;
	} else if (parse_num(v, vl, keys[i].bit == NG_RP_QUEUE ? 65535 :
	    UINT32_MAX, &x) < 0)
		return -1;
	else if (keys[i].bit == NG_RP_QUEUE)
		p->queue = (uint16_t)x;
	else if (keys[i].bit == NG_RP_PASS)
		p->pass = x;
	else if (keys[i].bit == NG_RP_RESET)
		p->reset = x;
	else
		p->test = x;
	p->have |= keys[i].bit;
	return 0;
}

/* ng_rule_params_parse - the words of a rule's comment (rulecheck.h). */
int
ng_rule_params_parse(const char *s, size_t len, struct ng_rule_params *p)
{
	size_t i = 0, w;
	int first = 1;

	memset(p, 0, sizeof(*p));
	len = strnlen(s, len);
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		for (w = i; w < len && s[w] != ' ' && s[w] != '\t'; w++)
			;
		if (first) {
			if (w - i != 8 || memcmp(s + i, "nfq-gate", 8) != 0)
				return -1;
			first = 0;
		} else if (param_word(s + i, w - i, p) < 0) {
			memset(p, 0, sizeof(*p));
			return -1;
		}
		i = w;
	}
	return first ? -1 : 0;
}

/* ports_str - "25,587" into buf. */
static void
ports_str(const uint16_t *ports, unsigned n, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%u", i ? "," : "",
		    ports[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* word_add - one more space separated word at the end of buf. */
static void __attribute__((format(printf, 3, 4)))
word_add(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used > 0 && used + 1 < len) {
		buf[used++] = ' ';
		buf[used] = '\0';
	}
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ng_rule_params_format - the keys p has, as the comment writes them. */
void
ng_rule_params_format(const struct ng_rule_params *p, char *buf, size_t len)
{
	char ports[NG_RULE_PORTS_MAX * 6 + 1];

	if (len == 0)
		return;
	buf[0] = '\0';
	ports_str(p->ports, p->nports, ports, sizeof(ports));
	if (p->have & NG_RP_QUEUE)
		word_add(buf, len, "queue=%u", p->queue);
	if (p->have & NG_RP_PORTS)
		word_add(buf, len, "ports=%s", ports);
	if (p->have & NG_RP_PASS)
		word_add(buf, len, "pass=0x%x", p->pass);
	if (p->have & NG_RP_RESET)
		word_add(buf, len, "reset=0x%x", p->reset);
	if (p->have & NG_RP_TEST)
		word_add(buf, len, "test=0x%x", p->test);
}

/* ng_rule_params_mismatch - p against the gate's own (rulecheck.h). */
int
ng_rule_params_mismatch(const struct ng_rule_params *p, uint16_t queue,
    const uint16_t *ports, unsigned nports, uint32_t pass, uint32_t reset,
    uint32_t test, char *why, size_t len)
{
	struct ng_rule_params c;
	char a[NG_RULE_PORTS_MAX * 6 + 1], b[NG_RULE_PORTS_MAX * 6 + 1];
	unsigned i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < nports; i++)
		if (ports[i] != 0)
			(void)port_add(&c, ports[i]);
	if ((p->have & NG_RP_PORTS) && (p->nports != c.nports ||
	    memcmp(p->ports, c.ports, c.nports * sizeof(c.ports[0])) != 0)) {
		ports_str(p->ports, p->nports, a, sizeof(a));
		ports_str(c.ports, c.nports, b, sizeof(b));
		snprintf(why, len, "ports %s but the config judges %s", a, b);
	} else if ((p->have & NG_RP_PASS) && p->pass != pass)
		snprintf(why, len, "pass mark 0x%x but the config's mark_pass "
		    "is 0x%x", p->pass, pass);
	else if ((p->have & NG_RP_RESET) && p->reset != reset)
		snprintf(why, len, "reset mark 0x%x but the config's "
		    "mark_reset is 0x%x", p->reset, reset);
	else if ((p->have & NG_RP_TEST) && p->test != test)
		snprintf(why, len, "test mark 0x%x but the config's mark_test "
		    "is 0x%x", p->test, test);
	else if ((p->have & NG_RP_QUEUE) && p->queue != queue)
		snprintf(why, len, "queue %u but the gate reads queue %u",
		    p->queue, queue);
	else
		return 0;
	return 1;
}

/* params_same - the same keys and values (where they came from aside)? */
static int
params_same(const struct ng_rule_params *a, const struct ng_rule_params *b)
{
	return a->have == b->have && a->queue == b->queue &&
	    a->nports == b->nports && memcmp(a->ports, b->ports,
	    a->nports * sizeof(a->ports[0])) == 0 && a->pass == b->pass &&
	    a->reset == b->reset && a->test == b->test;
}

/* work_add - one rule's parameters into this look's sets, with from. */
static void
work_add(struct ng_rulecheck *rc, const struct ng_rule_params *p,
    unsigned from)
{
	int i;

	if (p->have == 0)
		return;
	for (i = 0; i < rc->nwork; i++)
		if (params_same(&rc->work[i], p)) {
			rc->work[i].from |= from;
			return;
		}
	if (rc->nwork >= NG_RULE_PARAMS_MAX)
		return;
	rc->work[rc->nwork] = *p;
	rc->work[rc->nwork++].from = from;
}

/* chain_find - the comments' parameters of chain k; NULL when none. */
static struct chainparams *
chain_find(struct ng_rulecheck *rc, const struct key *k)
{
	unsigned i;

	for (i = 0; i < rc->ncp; i++)
		if (rc->cp[i].k.family == k->family &&
		    strcmp(rc->cp[i].k.table, k->table) == 0 &&
		    strcmp(rc->cp[i].k.chain, k->chain) == 0)
			return &rc->cp[i];
	return NULL;
}

/*
 * chain_note - a rule's comment, for its chain: keys not yet given there
 * are added (the first word for a key wins).
 */
static void
chain_note(struct ng_rulecheck *rc, uint32_t family, const char *table,
    const char *chain, const struct ng_rule_params *p)
{
	struct chainparams *c;
	struct key k;

	if (p->have == 0)
		return;
	memset(&k, 0, sizeof(k));
	k.family = family;
	snprintf(k.table, sizeof(k.table), "%s", table ? table : "");
	snprintf(k.chain, sizeof(k.chain), "%s", chain ? chain : "");
	c = chain_find(rc, &k);
	if (c == NULL) {
		if (rc->ncp >= KEYS_MAX)
			return;
		c = &rc->cp[rc->ncp++];
		c->k = k;
		memset(&c->p, 0, sizeof(c->p));
	}
	if (!(c->p.have & NG_RP_QUEUE) && (p->have & NG_RP_QUEUE))
		c->p.queue = p->queue;
	if (!(c->p.have & NG_RP_PORTS) && (p->have & NG_RP_PORTS)) {
		c->p.nports = p->nports;
		memcpy(c->p.ports, p->ports, sizeof(c->p.ports));
	}
	if (!(c->p.have & NG_RP_PASS) && (p->have & NG_RP_PASS))
		c->p.pass = p->pass;
	if (!(c->p.have & NG_RP_RESET) && (p->have & NG_RP_RESET))
		c->p.reset = p->reset;
	if (!(c->p.have & NG_RP_TEST) && (p->have & NG_RP_TEST))
		c->p.test = p->test;
	c->p.have |= p->have;
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

/* udata_comment - nftnl_udata_parse's callback: keep the comment. */
static int
udata_comment(const struct nftnl_udata *attr, void *data)
{
	const struct nftnl_udata **c = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*c = attr;
	return MNL_CB_OK;
}

/* rule_userdata - the comment in a rule's userdata, when ours. */
static void
rule_userdata(const struct nftnl_rule *r, struct ng_rule_params *p)
{
	const struct nftnl_udata *c = NULL;
	const void *ud;
	uint32_t len = 0;

	if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA) ||
	    (ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len)) == NULL ||
	    nftnl_udata_parse(ud, len, udata_comment, &c) < 0 || c == NULL)
		return;
	(void)ng_rule_params_parse(nftnl_udata_get(c), nftnl_udata_len(c), p);
}

/* expr_comment - iptables-nft's xt "comment" match (char[256]), ours. */
static void
expr_comment(struct nftnl_expr *e, const char *name,
    struct ng_rule_params *p)
{
	const char *mt, *info;
	uint32_t len = 0;

	if (strcmp(name, "match") != 0 ||
	    (mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME)) == NULL ||
	    strcmp(mt, "comment") != 0 ||
	    (info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len)) == NULL)
		return;
	(void)ng_rule_params_parse(info, len, p);
}

/* on_rule - note queue rules, jumps between chains and our reset. */
static int
on_rule(const struct nlmsghdr *nlh, void *arg)
{
	struct ng_rulecheck *rc = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct ng_rule_params p, mp;
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
	memset(&p, 0, sizeof(p));
	rule_userdata(r, &p);
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		if (name == NULL)
			continue;
		memset(&mp, 0, sizeof(mp));
		expr_comment(e, name, &mp);
		if (p.have == 0)
			p = mp;
		if (expr_queues(rc, e, name))
			keyset_add(&rc->queues, fam, table,
			    nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		else if (strcmp(name, "reject") == 0 && fam == NFPROTO_INET &&
		    strcmp(table, RESET_TABLE) == 0) {
			rc->found |= NG_RULES_RESET;
			keyset_add(&rc->resets, fam, table,
			    nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		}
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
	chain_note(rc, fam, table, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN),
	    &p);
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
	rc->rejects.overflow = rc->resets.n = rc->resets.overflow = 0;
	rc->ncp = 0;
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

/*
 * legacy_comment - an entry's "comment" match, when ours, into p: the
 * matches lie between the entry's fixed part and its target.
 */
static void
legacy_comment(const char *e, size_t first, size_t target,
    struct ng_rule_params *p)
{
	const struct xt_entry_match *m;
	uint16_t size;
	size_t off;

	for (off = first; off + sizeof(*m) <= target; off += size) {
		m = (const void *)(e + off);
		memcpy(&size, e + off, sizeof(size));
		if (size < sizeof(*m) || off + size > target)
			return;
		if (strncmp(m->u.user.name, "comment",
		    sizeof(m->u.user.name)) == 0) {
			(void)ng_rule_params_parse((const char *)m->data,
			    size - sizeof(*m), p);
			return;
		}
	}
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

/*
 * legacy_queues - an NFQUEUE entry for our queue in legacy security;
 * its comment's parameters into p (p->have 0 without).
 */
static int
legacy_queues(const struct ng_rulecheck *rc, int fd, const struct legacy *lg,
    struct ng_rule_params *p)
{
	struct ipt_getinfo info;
	struct ipt_get_entries *ge;
	socklen_t len = sizeof(info);
	uint16_t off2[2];	/* target_offset, next_offset */
	size_t off;
	const char *e;
	int found = 0;

	memset(p, 0, sizeof(*p));
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
			if (found && off2[0] <= off2[1])
				legacy_comment(e, lg->entry_size, off2[0], p);
		}
	free(ge);
	return found;
}

/* ng_rulecheck_run - one look: chains, rules, legacy; the bits found. */
int
ng_rulecheck_run(struct ng_rulecheck *rc)
{
	struct ng_rule_params lp;
	struct chainparams *c;
	unsigned i, bits;

	if (nft_look(rc) < 0)
		return -1;
	rc->nwork = 0;
	for (i = 0; i < rc->queues.n; i++) {
		const struct key *k = &rc->queues.k[i];

		if (!rc->base.overflow && !rc->jumps.overflow &&
		    !keyset_has(&rc->base, k) && !keyset_has(&rc->jumps, k))
			continue;	/* nothing leads there */
		bits = 0;
		if (k->family == NFPROTO_IPV4 || k->family == NFPROTO_INET)
			bits |= NG_RULES_Q4;
		if (k->family == NFPROTO_IPV6 || k->family == NFPROTO_INET)
			bits |= NG_RULES_Q6;
		rc->found |= bits;
		if ((c = chain_find(rc, k)) != NULL)
			work_add(rc, &c->p, bits);
		/*
		 * Rules loaded by hand may reset in the chain that queues
		 * (a REJECT on the reset mark before the NFQUEUE, as the
		 * filter-table layout did): a re-injected packet meets it.
		 */
		if (keyset_has(&rc->rejects, k))
			rc->found |= NG_RULES_RESET;
	}
	for (i = 0; i < rc->resets.n; i++)
		if ((c = chain_find(rc, &rc->resets.k[i])) != NULL)
			work_add(rc, &c->p, NG_RULES_RESET);
	if (legacy_queues(rc, rc->inet_fd, &legacy4, &lp)) {
		rc->found |= NG_RULES_LEGACY;
		work_add(rc, &lp, NG_RULES_LEGACY);
	}
	if (legacy_queues(rc, rc->inet6_fd, &legacy6, &lp)) {
		rc->found |= NG_RULES_LEGACY6;
		work_add(rc, &lp, NG_RULES_LEGACY6);
	}
	memcpy(rc->params, rc->work, sizeof(rc->params));
	rc->nparams = rc->nwork;
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

/* ng_rulecheck_params - what the last good look read on our rules. */
int
ng_rulecheck_params(const struct ng_rulecheck *rc, struct ng_rule_params *p,
    int max)
{
	int n;

	if (rc == NULL || max <= 0)
		return 0;
	n = rc->nparams < max ? rc->nparams : max;
	memcpy(p, rc->params, (size_t)n * sizeof(*p));
	return n;
}

/* ng_rulecheck_missing - what was seen and is gone now. */
unsigned
ng_rulecheck_missing(const struct ng_rulecheck *rc)
{
	return rc ? rc->missing : 0;
}
