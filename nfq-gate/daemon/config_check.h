/*
 * config_check.h - what the live gate would refuse at start, found
 * without starting it (nfq-gate -n; later nfq-gate-ctl check).
 *
 * Every problem is listed, not only the first: a syntax error's line is
 * blanked and the file parsed again, so the lines after it and the
 * checks that need the whole config still run.  Nothing is made,
 * chowned or bound and no firewall is touched; what the gate would do
 * as root is judged from owners and mode bits, so the check needs no
 * more rights than reading the files.  No printing: the caller says it.
 */
#ifndef NG_CONFIG_CHECK_H
#define NG_CONFIG_CHECK_H

#include <stdint.h>

#include "conf/config.h"

#define NG_CHECK_MAX	64	/* problems kept; the rest only counted */
#define NG_CHECK_LEN	512

struct ng_check_item {
	int error;			/* 0: a warning, the gate would start */
	char text[NG_CHECK_LEN];	/* "CONF:LINE: key: what", no newline */
};

struct ng_check {
	struct ng_check_item item[NG_CHECK_MAX];
	unsigned n;			/* items filled */
	unsigned errors, warnings;	/* all found, past NG_CHECK_MAX too */
	int partial;			/* syntax stopped the other checks */
	/* For a summary line. */
	char user[64];
	long uid;			/* -1: not known */
	char state_dir[NG_PATH_MAX];
	int state_missing;		/* the gate would make it */
	char database[NG_PATH_MAX];	/* "" = none */
	int db_ok;			/* opened and valid */
	uint64_t db_ranges;		/* IPv4 and IPv6 ranges */
	unsigned nports;
	uint16_t ports[NG_PORTS_MAX];
};

/*
 * Check the config file at path and all it names: its syntax, the
 * database (opened and validated), the user, state_dir, the policy
 * socket's directory and owner, the ports.  Fills *chk (cleared first);
 * returns the number of errors (warnings do not count).
 */
unsigned ng_config_check(const char *path, struct ng_check *chk);

/*
 * ng_config_check_report - chk said as nfq-gate -n says it, each line led
 * by prog ("nfq-gate"): every problem on stderr, then the ok line on
 * stdout or a count on stderr.  Returns 0, 78 (EX_CONFIG), or 1 when
 * stdout could not be written.
 */
int ng_config_check_report(const char *prog, const char *path,
    const struct ng_check *chk);

#endif
