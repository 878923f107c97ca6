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

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cidr.h"
#include "base/duration.h"	/* ng_parse_duration (was declared here) */
#include "base/timeval.h"
#include "conf/dnsbl.h"
#include "conf/netrule.h"
#include "conf/redis_conf.h"
#include "conf/template.h"
#include "engine/settings.h"

#define NG_PATH_MAX 256
/* The file every program reads without -c. */
#define NG_CONFIG_PATH "/etc/nfq-gate/nfq-gate.conf"
#define NG_CONFIG_WARN_MAX 1024

/*
 * The whole file: the engine's settings first (handed to the engine as
 * &c->eng), then what only the daemon uses.
 */
struct ng_config {
	struct ng_settings eng;

	/* The live daemon's. */
	unsigned queue_maxlen;
	unsigned queue_rcvbuf;		/* bytes; 0 = from queue_maxlen */
	uint32_t mark_pass;
	uint32_t mark_reset;
	uint32_t mark_test;		/* connmark bit: under test, uncapped */
	char database[NG_PATH_MAX];
	char fingerprints[NG_PATH_MAX];	/* SYN signatures, "" = none */
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
	char policy_action[NG_TEMPLATE_MAX];
	char policy_action_penalty[NG_TEMPLATE_MAX];
	/* nfq-gate-ctl's socket; "" = off.  root and the group may talk. */
	char control_socket[NG_PATH_MAX];
	char control_socket_group[64];
	char nft_penalty_table[64];	/* "" = off; else "family table" */
	char nft_penalty_set4[64];
	char nft_penalty_set6[64];
	/* Lines "name:line: message" the parser had doubts about. */
	char warnings[NG_CONFIG_WARN_MAX];
	/* nfq-gate-rules' rules watched (rulecheck.c); 0 = off. */
	ng_usec rules_check;
	int rules_lost_exit;		/* rules_lost = exit */
	/* The shared state (daemon/share.c); redis_url "" = off. */
	char redis_url[NG_REDIS_URL_MAX];
	char redis_prefix[NG_REDIS_PREFIX_MAX + 1];
	ng_usec redis_timeout;
	char mx_name[NG_REDIS_NAME_MAX + 1];	/* "": the host's name */
	/*
	 * The owner rules' patterns (conf/netrule.h), distinct, in the
	 * order first written: bit i of ng_where.owner_bits is pattern i.
	 * The front-ends hand owner_re to ng_netdb_view_init; owner_nre
	 * says how many are compiled (ng_config_free frees those).
	 */
	char owner_pat[NG_OWNER_PATTERNS_MAX][NG_OWNER_PATTERN_MAX];
	regex_t owner_re[NG_OWNER_PATTERNS_MAX];
	unsigned owner_npat, owner_nre;
	/* DNS lists and reverse DNS (conf/dnsbl.h): plain data. */
	struct ng_dns_conf dns;
};

/* Defaults are the ones documented in nfq-gate.conf(5). */
void ng_config_defaults(struct ng_config *c);

/*
 * Parse text (a whole file image) into c, which must hold defaults.
 * On error returns -1 and writes "name:line: message" into err.
 * A relative allow_file/deny_file path is read relative to the current
 * directory here; ng_config_load reads it relative to the file's.
 */
int ng_config_parse(struct ng_config *c, const char *text, size_t len,
    const char *name, char *err, size_t errlen);

/* Read and parse a file; the same error contract. */
int ng_config_load(struct ng_config *c, const char *path, char *err,
    size_t errlen);

void ng_config_free(struct ng_config *c);
/* Deep copy (the CIDR lists too). */
int ng_config_copy(struct ng_config *dst, const struct ng_config *src);

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

#endif
