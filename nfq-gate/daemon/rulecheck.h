/*
 * rulecheck.h - are the firewall rules that feed the gate still there?
 *
 * The rules live outside the gate (nfq-gate-rules installs them), and
 * anything can take them away: "systemctl reload nftables" runs "flush
 * ruleset", an admin runs "iptables -t security -F".  Fail-open hides
 * it: mail flows, unjudged.  So the daemon looks at the kernel's rules
 * now and then and says so when something it saw is gone.
 */
#ifndef NG_RULECHECK_H
#define NG_RULECHECK_H

#include <stddef.h>
#include <stdint.h>

/* What a check found, as bits. */
#define NG_RULES_Q4	0x1	/* an IPv4 rule queues to our queue, reachable */
#define NG_RULES_Q6	0x2	/* the same for IPv6 */
#define NG_RULES_RESET	0x4	/* the reset rule, table inet nfq_gate */
#define NG_RULES_LEGACY	0x8	/* the queue rule in iptables-legacy */
#define NG_RULES_LEGACY6 0x10	/* ... in ip6tables-legacy */

struct ng_rulecheck;

/*
 * What nfq-gate-rules wrote on a rule, as its comment: the words
 * "nfq-gate queue=0 ports=25,587 pass=0x100 reset=0x200 test=0x400" (any
 * of the keys; unknown words are skipped).  The NFQUEUE rule carries them
 * all (with nft, the reject in the queue's chain), the reset table's
 * rejects ports and reset.
 */
#define NG_RULE_PORTS_MAX	15	/* NG_PORTS_MAX, multiport's limit */
#define NG_RULE_PARAMS_MAX	6	/* distinct sets one look keeps */
#define NG_RULE_COMMENT_MAX	256	/* xt_comment's; nft's is 128 */

#define NG_RP_QUEUE	0x1
#define NG_RP_PORTS	0x2
#define NG_RP_PASS	0x4
#define NG_RP_RESET	0x8
#define NG_RP_TEST	0x10

struct ng_rule_params {
	unsigned have;		/* NG_RP_*: the keys the comment gave */
	unsigned from;		/* NG_RULES_*: the rules that carry them */
	uint16_t queue;
	uint16_t nports;
	uint16_t ports[NG_RULE_PORTS_MAX];	/* sorted, no repeats */
	uint32_t pass, reset, test;
};

/*
 * Parse a comment of at most len bytes (it may end sooner, at a NUL):
 * 0 and p filled when it is ours ("nfq-gate" first; p->have may be 0),
 * -1 when it is not, or a known key's value is bad.  p->from is 0.
 */
int ng_rule_params_parse(const char *s, size_t len, struct ng_rule_params *p);
/* p's keys as the comment writes them: "queue=0 ports=25 pass=0x100". */
void ng_rule_params_format(const struct ng_rule_params *p, char *buf,
    size_t len);
/*
 * Compare the keys p has with what the gate runs with (ports in any
 * order): 1 and the first difference in why ("ports 25 but the config
 * judges 25,587"), or 0 when all agree.
 */
int ng_rule_params_mismatch(const struct ng_rule_params *p, uint16_t queue,
    const uint16_t *ports, unsigned nports, uint32_t pass, uint32_t reset,
    uint32_t test, char *why, size_t len);

/*
 * Open the sockets while privileged (before the sandbox): NETLINK_NETFILTER
 * for nf_tables (iptables-nft and nft), and an AF_INET datagram socket
 * and AF_INET6 ones for the iptables-legacy security tables (getsockopt
 * IPT_SO_GET_*, IP6T_SO_GET_*; no packet is ever sent on them), which may
 * be missing where those families are refused.  NULL and err on failure.
 */
struct ng_rulecheck *ng_rulecheck_open(uint16_t queue, char *err,
    size_t errlen);
/* One look: the NG_RULES_* bits found, or -1 (errno) when the dump failed. */
int ng_rulecheck_run(struct ng_rulecheck *rc);
/*
 * Look again and compare with everything seen before: 1 when something
 * seen is newly gone (logged once, at LOG_ERR), else 0; a return is
 * logged too.
 */
int ng_rulecheck_watch(struct ng_rulecheck *rc);
/* The NG_RULES_* bits seen once and gone now (0: all there; rc may be NULL). */
unsigned ng_rulecheck_missing(const struct ng_rulecheck *rc);
/*
 * The NG_RULES_* bits the last successful look found (0 before one, when
 * every look failed, or rc NULL): what the gate may rely on being there.
 */
unsigned ng_rulecheck_found(const struct ng_rulecheck *rc);
/*
 * The parameters the last look that worked found on our rules (those
 * that queue to us and the reset rules): up to max distinct sets into p,
 * each with the rules that carry it; their number (0: none recorded, or
 * no look yet, or rc NULL).  Not while a look runs in another thread.
 */
int ng_rulecheck_params(const struct ng_rulecheck *rc,
    struct ng_rule_params *p, int max);
/* "IPv4 queue, reset table" for the bits in what. */
void ng_rulecheck_names(unsigned what, char *buf, size_t len);
void ng_rulecheck_close(struct ng_rulecheck *rc);

#endif
