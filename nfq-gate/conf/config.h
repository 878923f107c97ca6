/*
 * config.h - nfq-gate.conf, parsed into one plain struct.
 *
 * The file is "key = value" lines in the spirit of Postfix's main.cf,
 * with '#' comments.  Parsing is separate from reading the file so the
 * same code serves start-up, SIGHUP reloads, tests and the fuzzer, and so
 * a reload can build a complete new config before it replaces the old one.
 */
#ifndef NG_CONFIG_H
#define NG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/cidr.h"
#include "base/timeval.h"

/* 15: what iptables' multiport match (nfq-gate-rules) takes. */
#define NG_PORTS_MAX 15
#define NG_COUNTRY_RULES_MAX 512
#define NG_PATH_MAX 256
#define NG_PSVC_TEMPLATE_MAX 256
#define NG_CONFIG_WARN_MAX 1024

enum ng_policy_action {
	NG_ACT_NONE = 0,	/* "no rule": fall through to the default */
	NG_ACT_PASS,
	NG_ACT_TEST,		/* the greeting test */
	NG_ACT_GREYLIST,
	NG_ACT_REJECT,		/* RST */
	NG_ACT_DROP		/* silent */
};

enum ng_pregreet_action {
	NG_PREGREET_RESET = 0,
	NG_PREGREET_LOG
};

struct ng_country_rule {
	uint16_t cc;		/* ng_cc_pack(); 0 is "--", not covered */
	uint8_t action;		/* enum ng_policy_action */
};

struct ng_config {
	uint16_t ports[NG_PORTS_MAX];
	unsigned nports;

	ng_usec greet_pause;
	ng_usec greet_pause_stress;
	uint8_t pregreet_action;	/* enum ng_pregreet_action */
	ng_usec penalty_ttl;
	unsigned penalty_prefix4, penalty_prefix6;
	ng_usec pass_ttl;
	unsigned pass_prefix4, pass_prefix6;

	ng_usec greylist_delay;
	ng_usec greylist_window;
	unsigned greylist_prefix4, greylist_prefix6;

	uint8_t default_action;		/* enum ng_policy_action */
	uint8_t deny_action;		/* NG_ACT_REJECT or NG_ACT_DROP */
	struct ng_country_rule country[NG_COUNTRY_RULES_MAX];
	unsigned ncountry;

	struct ng_cidr_list allow;
	struct ng_cidr_list deny;
	struct ng_cidr_list nolisting;	/* fake MX addresses: RST every SYN */
	struct ng_cidr_list mynetworks;	/* never judged, as loopback */

	unsigned flow_max;
	ng_usec flow_idle_timeout;
	ng_usec flow_halfopen_timeout;
	unsigned cache_max;		/* pass cache, penalty box, greylist */
	/* The tables' SipHash key: not a file key; the front-end fills it
	 * from getrandom() before making the engine. */
	uint8_t hash_key[16];

	/* Used by the live front-end only. */
	unsigned queue_maxlen;
	unsigned queue_rcvbuf;		/* bytes; 0 = from queue_maxlen */
	uint32_t mark_pass;
	uint32_t mark_reset;
	uint32_t mark_test;		/* connmark bit: under test, uncapped */
	char database[NG_PATH_MAX];
	char state_dir[NG_PATH_MAX];
	char prom_file[NG_PATH_MAX];	/* "" = state_dir/nfq-gate.prom */
	char user[64];
	ng_usec stats_interval;
	unsigned log_rate;		/* spoofable lines a second; 0 = all */
	int sandbox;			/* seccomp after setup */
	/* The Postfix policy service; policy_socket "" = off. */
	char policy_socket[NG_PATH_MAX];
	char policy_socket_owner[64];	/* "user" or "user:group" */
	unsigned policy_socket_mode;
	char policy_action[NG_PSVC_TEMPLATE_MAX];
	char policy_action_penalty[NG_PSVC_TEMPLATE_MAX];
	char nft_penalty_table[64];	/* "" = off; else "family table" */
	char nft_penalty_set4[64];
	char nft_penalty_set6[64];
	/* Lines "name:line: message" the parser had doubts about. */
	char warnings[NG_CONFIG_WARN_MAX];
	/* nfq-gate-rules' rules watched (rulecheck.c); 0 = off. */
	ng_usec rules_check;
	int rules_lost_exit;		/* rules_lost = exit */
};

/* Defaults are the ones documented in nfq-gate.conf(5). */
void ng_config_defaults(struct ng_config *c);

/*
 * Parse text (a whole file image) into c, which must hold defaults.
 * On error returns -1 and writes "name:line: message" into err.
 * include_dir resolves relative allow_file/deny_file paths; it may be NULL.
 */
int ng_config_parse(struct ng_config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen);

/* Read and parse a file; the same error contract. */
int ng_config_load(struct ng_config *c, const char *path, char *err,
    size_t errlen);

void ng_config_free(struct ng_config *c);
/* Deep copy (the CIDR lists too): the engine keeps its own config. */
int ng_config_copy(struct ng_config *dst, const struct ng_config *src);

int ng_config_is_port(const struct ng_config *c, uint16_t port);
/* Loopback and mynetworks: passed before any rule, never tested. */
int ng_config_never_judged(const struct ng_config *c,
    const struct ng_addr *a);

/*
 * Keys a SIGHUP cannot change (sockets, table sizes, the user...).
 * ng_config_restart_keys writes the names of those whose value differs
 * between the config in force and a new one ("flow_max, user") into buf
 * and returns how many; ng_config_keep_restart copies the values in
 * force into the new config, which then says what really runs.
 */
unsigned ng_config_restart_keys(const struct ng_config *cur,
    const struct ng_config *next, char *buf, size_t len);
void ng_config_keep_restart(struct ng_config *next,
    const struct ng_config *cur);

/* The key names, for --list-keys; NULL past the last.  *start_only is
 * set for keys a reload cannot change. */
const char *ng_config_key_name(size_t i, int *start_only);
uint8_t ng_config_country_action(const struct ng_config *c, uint16_t cc);
const char *ng_policy_action_name(uint8_t action);
int ng_parse_duration(const char *s, ng_usec *out);

#endif
