/*
 * ctl.h - nfq-gate-ctl's protocol and verbs, pure: what the running gate
 * (over its control socket) and nfq-gate-ctl --state-dir (on a stopped
 * gate's state files) both execute.
 *
 * A request is one line of at most NG_CTL_LINE_MAX bytes, words split by
 * blanks, ending in "\n":
 *
 *   [json] status
 *   [json] list pass|penalty|greylist [ADDR|CIDR]
 *   [json] show ADDR
 *   [json] del pass|penalty|greylist ADDR|CIDR
 *   [json] add pass|penalty|greylist ADDR [TTL]
 *   [json] flush pass|penalty|greylist
 *   [json] reload
 *   [json] save
 *
 * The answer is a status line "CODE MESSAGE\n" (CODE is nfq-gate-ctl's
 * exit status: NG_CTL_OK, or one of the others below; MESSAGE one line,
 * "ok" when all is well), then the body: text for a person, or one JSON
 * document with "json" in front of the verb.  The server closes the
 * connection after the body; one request per connection.
 *
 * A TTL is a duration (base/duration.h: "3600", "1h", "90m"); without one
 * an added entry gets its table's own (pass_ttl, penalty_ttl,
 * greylist_window).  Addresses are masked to the table's prefix, as the
 * gate itself keys them, so "del penalty 2001:db8::1" frees the /64 the
 * penalty box holds.
 *
 * Bad input (an unknown verb, a bad address, a line too long, NUL bytes)
 * gets NG_CTL_USAGE and a message, never a crash (tests/fuzz/fuzz_ctl.c).
 */
#ifndef NG_CTL_H
#define NG_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/timeval.h"
#include "engine/cache.h"
#include "netdb/netdb.h"

#define NG_CTL_LINE_MAX	512
/* The control socket unless control_socket says otherwise. */
#define NG_CTL_SOCKET_DEFAULT	"/run/nfq-gate/ctl.sock"
/*
 * In state_dir: the running gate holds an exclusive flock(2) on it for as
 * long as it runs, so nfq-gate-ctl --state-dir refuses to edit files a
 * gate would overwrite.
 */
#define NG_CTL_LOCK_FILE	"nfq-gate.lock"

/* Exit codes, in the status line and of nfq-gate-ctl. */
enum ng_ctl_code {
	NG_CTL_OK = 0,
	NG_CTL_UNHEALTHY = 1,	/* status: the gate runs but is not whole */
	NG_CTL_NOTFOUND = 2,	/* del/list: no such entry (show says
				 * "nothing known" and is OK) */
	NG_CTL_FAILED = 3,	/* reload/save failed, out of memory */
	NG_CTL_USAGE = 64,	/* EX_USAGE: a bad request */
	NG_CTL_UNAVAILABLE = 69,	/* EX_UNAVAILABLE: no gate, or state_dir
				 * owned by a running gate */
	NG_CTL_NOPERM = 77	/* EX_NOPERM: the control socket's peer is
				 * not root or in control_socket_group */
};

enum ng_ctl_table {
	NG_CTL_PASS = 0,
	NG_CTL_PENALTY,
	NG_CTL_GREYLIST,
	NG_CTL_TABLE_MAX
};

/* A growing output buffer; the body of the answer. */
struct ng_ctl_out {
	char *buf;
	size_t len, cap;
	int failed;		/* out of memory: the body is cut short */
};

void ng_ctl_out_init(struct ng_ctl_out *o);
void ng_ctl_out_free(struct ng_ctl_out *o);
void ng_ctl_printf(struct ng_ctl_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included, every byte outside printable
 * ASCII escaped. */
void ng_ctl_json_str(struct ng_ctl_out *o, const char *s);

/* What the netblock database says of an address, for show. */
struct ng_ctl_where {
	char cc[3];		/* "CN"; "--" unknown */
	uint32_t asn;		/* 0 unknown */
	char owner[256];	/* "" unknown */
};

/* ng_ctl_where_db - db's answer for a (db NULL: all unknown). */
void ng_ctl_where_db(const struct ng_netdb *db, const struct ng_addr *a,
    struct ng_ctl_where *w);

/*
 * What a verb may reach.  The tables are the gate's own (live) or loaded
 * from a state_dir (offline); a hook left NULL makes its verb answer
 * NG_CTL_USAGE "not available here" (offline: status, reload, save).
 */
struct ng_ctl {
	struct ng_cache *table[NG_CTL_TABLE_MAX];
	ng_usec ttl[NG_CTL_TABLE_MAX];	/* for add without a TTL */
	ng_usec now;			/* monotonic, as the tables keep it */
	int64_t wall_offset;		/* wall clock - now, in usec, to
					 * print when entries were made */
	/* What the database says of a (show); NULL: no database. */
	void (*where)(void *arg, const struct ng_addr *a,
	    struct ng_ctl_where *w);
	/*
	 * status: fill the body (text or json) and return NG_CTL_OK or
	 * NG_CTL_UNHEALTHY with the reasons in why ("rules missing;
	 * queue not bound").
	 */
	int (*status)(void *arg, int json, struct ng_ctl_out *o, char *why,
	    size_t whylen);
	int (*reload)(void *arg, char *err, size_t errlen);
	int (*save)(void *arg, char *err, size_t errlen);
	/* A table changed: entries were deleted (addr/prefix given, or
	 * every one for a flush: prefix -1) or added; live, the penalty
	 * box's nft set follows, and a save is due. */
	void (*changed)(void *arg, enum ng_ctl_table t, int added,
	    const struct ng_addr *a, int prefix);
	void *arg;
	int modified;			/* set by a verb that changed a table */
};

/*
 * ng_ctl_exec - run one request line (len bytes, the "\n" optional) and
 * write the answer's body into o.  Returns the code; msg gets the status
 * line's message ("ok", or why not).
 */
int ng_ctl_exec(struct ng_ctl *c, const char *line, size_t len,
    struct ng_ctl_out *o, char *msg, size_t msglen);

/* ng_ctl_table_name - "pass", "penalty", "greylist". */
const char *ng_ctl_table_name(enum ng_ctl_table t);

#endif
