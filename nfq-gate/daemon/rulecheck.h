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
/* "IPv4 queue, reset table" for the bits in what. */
void ng_rulecheck_names(unsigned what, char *buf, size_t len);
void ng_rulecheck_close(struct ng_rulecheck *rc);

#endif
