/*
 * score.h - one score, one decision: the facts about a client under
 * test added up, and what the total says to do.
 *
 * The facts: the DNS lists and reverse DNS (the daemon's answers, handed
 * in through a callback as the database is through ng_geo: the engine
 * does no I/O), the SYN fingerprint's class, the country, the ASN and
 * the owner (the database's answer kept at the SYN).  Each has a weight
 * from the config:
 *
 *   dnsbl_sites = zen.example*3, list.dnswl.example=127.0.[0..255].2*-3
 *   rdns_dynamic_weight = 1           (and _none, _unconfirmed)
 *   score fingerprint windows-desktop = 1
 *   score country CN, RU = 2
 *   score asn 4134, 4837 = 3
 *   score owner /dyn|pool/ = 2
 *
 * and the total is judged against thresholds, highest first:
 *
 *   total >= dnsbl_threshold             reject  (reset, not penalised)
 *   total >= score_greylist (0: off)     greylist
 *   total <= dnsbl_allowlist_threshold   pass at once (< 0 only)
 *   otherwise                            the greeting test goes on
 *
 * A rule's weight counts once when it matches; several rules of a kind
 * may match (two score country lines naming CN both count).  Weights
 * may be negative.  The engine (engine.c) asks at the end of the pause
 * and, for the allowlist, as soon as the daemon says every DNS answer
 * is in.  All pure: no allocation, no clock, no I/O.
 */
#ifndef NG_SCORE_H
#define NG_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "base/where.h"

#define NG_SCORE_RULES_MAX 64
#define NG_SCORE_ASNS_MAX 512
#define NG_SCORE_CCS_MAX 256
#define NG_SCORE_CLASS_LEN 32	/* a fingerprint label, as fpdb.h's */
#define NG_SCORE_WHY_MAX 192	/* the explanation's text */
#define NG_SCORE_DNS_DETAIL 96

/* What a score line weighs. */
enum ng_score_kind {
	NG_SCORE_COUNTRY = 1,
	NG_SCORE_ASN,
	NG_SCORE_OWNER,
	NG_SCORE_FP
};

/* What a total says to do (ng_score_judge). */
enum ng_score_action {
	NG_SCORE_TEST = 0,	/* nothing special: the greeting test */
	NG_SCORE_PASS,		/* at or below the allowlist threshold */
	NG_SCORE_GREYLIST,
	NG_SCORE_REJECT
};

/*
 * The last score of an address, for the policy service's %s: a small
 * table indexed by a keyed hash of the address, a newer score taking
 * the slot (bounded: a flood of forged clients only pushes facts out).
 */
#define NG_SCORE_SEEN 1024
struct ng_score_seen {
	struct ng_addr a;
	int score;
	ng_usec when;		/* 0: empty */
};

/* One "score KIND ... = N" line; lists are index ranges as settings.h's. */
struct ng_score_rule {
	uint8_t kind;		/* enum ng_score_kind */
	uint8_t pattern;	/* owner: bit in ng_where.owner_bits */
	uint16_t first, n;	/* country: ccs[], asn: asns[] */
	int weight;
	char cls[NG_SCORE_CLASS_LEN];	/* fingerprint: the class label */
};

/* The score's settings, plain data inside struct ng_settings. */
struct ng_score_conf {
	int dns;		/* DNS facts asked: a dnsbl site or an rdns
				 * weight is set (the daemon starts lookups
				 * only then) */
	int reject;		/* dnsbl_threshold */
	int allow;		/* dnsbl_allowlist_threshold: < 0 on */
	int greylist;		/* score_greylist: > 0 on */
	unsigned greylist_line;	/* where it was set, while parsing (the
				 * "twice" check); 0 once parsed */
	unsigned nrule;
	struct ng_score_rule rule[NG_SCORE_RULES_MAX];
	uint32_t asns[NG_SCORE_ASNS_MAX];
	unsigned nasn;
	uint16_t ccs[NG_SCORE_CCS_MAX];
	unsigned nccs;
};

/*
 * What the DNS said of a client when asked (the daemon's answer; what
 * has not answered counts as no answer).  The parts are weighted
 * already, by dnsbl_sites and the rdns_*_weight keys.
 */
struct ng_score_dns {
	uint8_t asked;		/* lookups were started for it */
	uint8_t complete;	/* every lookup answered */
	int dnsbl;		/* positive weights that matched */
	int dnswl;		/* negative weights that matched */
	int rdns;		/* the reverse-DNS fact's weight */
	const char *rdns_fact;	/* "dynamic", "none"...; NULL: not asked */
	unsigned noanswer;	/* lookups counted as no answer */
	char detail[NG_SCORE_DNS_DETAIL];	/* "zen.example=3 ..." */
};

/* Where the engine gets DNS facts: the daemon's table, NULL in replay. */
struct ng_score_src {
	void (*dns)(const void *ctx, const struct ng_addr *a, ng_usec now,
	    struct ng_score_dns *d);
	const void *ctx;
};

/* Everything a score is computed from. */
struct ng_score_in {
	struct ng_score_dns dns;	/* asked 0: no DNS part */
	const char *fp;			/* fingerprint class, NULL: none */
	uint8_t fp_allowed;		/* on the fp allow list: not scored */
	struct ng_where where;		/* the database's answer */
};

/* A score and its parts. */
struct ng_score {
	int total;
	int dns;		/* dnsbl + dnswl */
	int rdns, fp, country, asn, owner;
	uint8_t action;		/* enum ng_score_action */
};

void ng_score_conf_init(struct ng_score_conf *c);
/* Is anything scored at all (a weight, a site or a threshold to meet)? */
int ng_score_on(const struct ng_score_conf *c);

/* The slot of address a in a table of NG_SCORE_SEEN (key: 16 bytes). */
unsigned ng_score_seen_slot(const uint8_t key[16], const struct ng_addr *a);

/* The total of in, and what it says. */
void ng_score_compute(const struct ng_score_conf *c,
    const struct ng_score_in *in, struct ng_score *s);
/* What a total says, by the thresholds. */
uint8_t ng_score_judge(const struct ng_score_conf *c, int total);
/* "reject", "greylist", "pass", "test". */
const char *ng_score_action_name(uint8_t action);

/*
 * The explanation for the log: "dnsbl=3 (zen.example=3) rdns=dynamic(1)
 * fp=windows-desktop(1) country=CN(0)"; parts with nothing to say are
 * left out.  Always terminated; returns buf.
 */
char *ng_score_explain(const struct ng_score *s, const struct ng_score_in *in,
    char *buf, size_t len);

#endif
