/*
 * settings.h - what the engine is told: ports, pauses, policy, tables.
 *
 * The engine's own settings, owned by the engine so that it depends on
 * nothing above it: conf/config.c parses nfq-gate.conf into a struct
 * ng_config whose first member is this struct, and the front-ends hand
 * &cfg.eng to ng_engine_new().  The daemon's settings (queue, marks,
 * paths, the policy service) never reach the engine.
 */
#ifndef NG_SETTINGS_H
#define NG_SETTINGS_H

#include <stdint.h>

#include "base/addr.h"
#include "base/cidr.h"
#include "base/timeval.h"
#include "engine/score.h"
#include "engine/throttle.h"
#include "base/where.h"

/* 15: what iptables' multiport match (nfq-gate-rules) takes. */
#define NG_PORTS_MAX 15
#define NG_COUNTRY_RULES_MAX 512
/* asn and owner rules ("net rules"): how many, and their lists. */
#define NG_NET_RULES_MAX 256
#define NG_OWNER_PATTERNS_MAX 32	/* the bits of ng_where.owner_bits */
#define NG_NET_ASNS_MAX 4096		/* ASNs of all asn rules together */
#define NG_NET_CCS_MAX 1024		/* "in CC" codes of all rules */
#define NG_NET_RULE_NAME 48		/* "asn AS4134,AS4837", "owner /.../" */

/* What a rule says to do with a client at its SYN (admit.c). */
enum ng_rule_action {
	NG_ACT_NONE = 0,	/* "no rule": fall through to the default */
	NG_ACT_PASS,
	NG_ACT_TEST,		/* the greeting test */
	NG_ACT_GREYLIST,
	NG_ACT_REJECT,		/* RST */
	NG_ACT_DROP,		/* silent */
	NG_ACT_MAX
};

/*
 * What the gate holds back for the greet pause (early.c).  Holding the
 * client's handshake ACK keeps the MTA from ever hearing of a client
 * under test: its socket stays a half-open request, no process is
 * spent, no line is logged.  Holding the greeting is the older way,
 * kept for setups that need the server to accept at once.
 */
enum ng_hold_what {
	NG_HOLD_HANDSHAKE = 0,
	NG_HOLD_GREETING
};

enum ng_pregreet_action {
	NG_PREGREET_RESET = 0,
	NG_PREGREET_LOG
};

/* Whose limits a client gets (struct ng_settings.throttle). */
enum ng_throttle_class {
	NG_THR_GENERAL = 0,
	NG_THR_PASSED,
	NG_THR_ALLOW,
	NG_THR_CLASSES
};
#define NG_THROTTLE_SAME UINT32_MAX	/* passed: as the general limit */

struct ng_country_rule {
	uint16_t cc;		/* ng_cc_pack(); 0 is "--", not covered */
	uint8_t action;		/* enum ng_rule_action */
};

enum ng_net_kind {
	NG_NET_ASN = 1,		/* "asn N[,N...] [in CC...] = ACTION" */
	NG_NET_OWNER		/* "owner /RE/ [in CC...] = ACTION" */
};

/*
 * One asn or owner rule.  Plain indices into the settings' arrays, so a
 * struct copy copies the rules: an asn rule's numbers are
 * net_asn[asn_first .. asn_first + nasn), its country qualifier
 * net_cc[cc_first .. cc_first + ncc) (ncc 0: any country).  An owner
 * rule tests bit `pattern` of the database's owner_bits: the regex
 * itself lives in struct ng_config, the engine never runs it.
 */
struct ng_net_rule {
	uint8_t kind;		/* enum ng_net_kind */
	uint8_t action;		/* enum ng_rule_action */
	uint8_t pattern;	/* owner: bit in ng_where.owner_bits */
	uint16_t asn_first, nasn;
	uint16_t cc_first, ncc;
	char name[NG_NET_RULE_NAME];	/* the decision's reason */
};

struct ng_settings {
	uint16_t ports[NG_PORTS_MAX];
	unsigned nports;

	ng_usec greet_pause;
	ng_usec greet_pause_stress;
	uint8_t pregreet_action;	/* enum ng_pregreet_action */
	uint8_t hold;			/* enum ng_hold_what */
	/*
	 * hold = handshake: at most this many passed clients whose ACK went
	 * to the MTA and whose greeting has not been seen yet; the rest
	 * wait, still held.  Kept at or below the MTA's listen backlog it
	 * keeps the accept queue from overflowing (a dropped ACK of a SYN
	 * cookie strands the client).  0: no limit.
	 */
	unsigned release_window;
	/*
	 * mode = monitor: every decision is made and logged as it would
	 * be, with "MONITOR " in front, but none is enforced: no client is
	 * reset, dropped or greylisted.
	 */
	uint8_t monitor;
	ng_usec penalty_ttl;
	unsigned penalty_prefix4, penalty_prefix6;
	ng_usec pass_ttl;
	unsigned pass_prefix4, pass_prefix6;

	ng_usec greylist_delay;
	ng_usec greylist_window;
	unsigned greylist_prefix4, greylist_prefix6;

	uint8_t default_action;		/* enum ng_rule_action */
	uint8_t deny_action;		/* NG_ACT_REJECT or NG_ACT_DROP */
	struct ng_country_rule country[NG_COUNTRY_RULES_MAX];
	unsigned ncountry;
	/* asn and owner rules, in the order written: the first that
	 * matches decides, before the country rule (admit.c). */
	struct ng_net_rule net_rule[NG_NET_RULES_MAX];
	unsigned nnet_rule;
	uint32_t net_asn[NG_NET_ASNS_MAX];
	unsigned nnet_asn;
	uint16_t net_cc[NG_NET_CCS_MAX];
	unsigned nnet_cc;
	unsigned nowner_pattern;	/* distinct patterns, <= 32 */

	struct ng_cidr_list allow;
	struct ng_cidr_list deny;
	struct ng_cidr_list nolisting;	/* fake MX addresses: RST every SYN */
	struct ng_cidr_list mynetworks;	/* never judged, as loopback */
	/*
	 * The trap MX (trap.c): server addresses of a fake highest MX.  A
	 * client whose believed handshake reaches one is reset there, and
	 * penalised unless it sent a SYN to another address of ours within
	 * trap_window (the contacts table, contacts_max entries, keyed by
	 * greylist_prefix).  Empty: no trap, no contacts kept.
	 */
	struct ng_cidr_list trap_mx;
	ng_usec trap_window;
	unsigned contacts_max;
	/* Set by the daemon, not a file key: a trap hit without a contact
	 * is left pending (NG_TRAP_PENDING) for the shared state to decide
	 * (ng_engine_trap_penalise()). */
	int trap_defer;

	unsigned flow_max;
	ng_usec flow_idle_timeout;
	ng_usec flow_halfopen_timeout;
	unsigned cache_max;		/* pass cache, penalty box, greylist */
	/*
	 * Throttling (throttle.c): per client key (address masked to
	 * throttle_prefix) limits for clients under the rules
	 * (NG_THR_GENERAL), in the pass cache (NG_THR_PASSED: a field
	 * NG_THROTTLE_SAME takes the general one's) and allow-listed
	 * (NG_THR_ALLOW); throttle_max entries.  All 0: off.
	 */
	struct ng_throttle_limit throttle[NG_THR_CLASSES];
	unsigned throttle_prefix4, throttle_prefix6;
	unsigned throttle_max;
	/* One score, one decision (score.h): weights and thresholds. */
	struct ng_score_conf score;
	/* The tables' SipHash key: not a file key; the front-end fills it
	 * (base/hashkey.h) before making the engine. */
	uint8_t hash_key[16];
};

/* The defaults documented in nfq-gate.conf(5); the lists empty. */
void ng_settings_defaults(struct ng_settings *s);
/* Deep copy (the CIDR lists too): the engine keeps its own. */
int ng_settings_copy(struct ng_settings *dst, const struct ng_settings *src);
void ng_settings_free(struct ng_settings *s);

int ng_settings_is_port(const struct ng_settings *s, uint16_t port);
/* Loopback and mynetworks: passed before any rule, never tested. */
int ng_settings_never_judged(const struct ng_settings *s,
    const struct ng_addr *a);
/* The country rule for cc, or NG_ACT_NONE. */
uint8_t ng_settings_country_action(const struct ng_settings *s, uint16_t cc);
/* The first asn or owner rule matching w (in the order written), or
 * NULL: an address without ASN or owner matches none of that kind. */
const struct ng_net_rule *ng_settings_net_rule(const struct ng_settings *s,
    const struct ng_where *w);
/* The limits class cls gets, NG_THROTTLE_SAME resolved. */
void ng_settings_throttle(const struct ng_settings *s, unsigned cls,
    struct ng_throttle_limit *l);
/* Is any throttle limit set? */
int ng_settings_throttling(const struct ng_settings *s);
/* "pass", "test", ...; "?" past the last. */
const char *ng_rule_action_name(uint8_t action);

#endif
