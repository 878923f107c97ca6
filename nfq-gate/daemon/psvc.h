/*
 * psvc.h - the Postfix SMTPD access policy delegation protocol, pure.
 *
 * Postfix's check_policy_service sends "name=value" lines ending with an
 * empty line and wants "action=..." and an empty line back, on a
 * connection that stays open for more requests.  This part only parses
 * request bytes (incrementally, with limits) and builds the answer from
 * what the gate knows of the client; psvc_sock.c does the I/O, so the
 * unit tests and the fuzzer drive the same code as the daemon.
 */
#ifndef NG_PSVC_H
#define NG_PSVC_H

#include <stddef.h>

#include "engine/engine.h"	/* struct ng_facts */

#define NG_PSVC_LINE_MAX	2048	/* one name=value line */
#define NG_PSVC_ATTRS_MAX	64	/* attributes in one request */
#define NG_PSVC_REQ_MAX		16384	/* bytes in one request */
#define NG_PSVC_ANSWER_MAX	1024	/* "action=...\n\n" */
#define NG_PSVC_OWNER_MAX	100	/* %o: the owner cut to this */
#define NG_PSVC_INSTANCE_MAX	64	/* Postfix's "%x.%lx.%lx.%x" */

/* One request in the making; zero it (ng_psvc_req_reset) to start. */
struct ng_psvc_req {
	char line[NG_PSVC_LINE_MAX];
	size_t linelen;
	size_t total;		/* bytes of this request so far */
	unsigned nattr;
	int is_policy;		/* request=smtpd_access_policy seen */
	char client_address[64];
	char protocol_state[32];
	char instance[NG_PSVC_INSTANCE_MAX];	/* the message's id */
	/* Kept across the requests of one connection: the instance
	 * already answered with a PREPEND. */
	char prepended[NG_PSVC_INSTANCE_MAX];
};

/* A new connection: everything zero. */
void ng_psvc_req_reset(struct ng_psvc_req *r);
/* The next request on the same connection: keeps prepended. */
void ng_psvc_req_next(struct ng_psvc_req *r);

/*
 * Feed bytes.  Returns 1 when a request ended (the empty line) with
 * *used set to the bytes consumed, so the caller answers, resets and
 * feeds the rest; 0 when all of data was consumed and more is needed;
 * -1 on bad input with a message in err (the caller closes the
 * connection: a client that breaks the protocol is not a Postfix).
 */
int ng_psvc_feed(struct ng_psvc_req *r, const char *data, size_t len,
    size_t *used, char *err, size_t errlen);

/* The answer templates (config keys policy_action*). */
struct ng_psvc_rules {
	const char *action;		/* every client */
	const char *action_penalty;	/* a client in the penalty box */
};

/*
 * The answer, "action=...\n\n", into out; facts may be NULL when the
 * request was not a policy request or had no usable client_address
 * (answer DUNNO).  Returns the length.
 */
size_t ng_psvc_answer(const struct ng_psvc_rules *rules,
    const struct ng_facts *facts, char *out, size_t outlen);

/*
 * The answer to request r: ng_psvc_answer, except that a PREPEND goes
 * out once per message.  Postfix asks once per recipient with the same
 * instance attribute; a second PREPEND for it would add the header
 * again, so later recipients of that instance get DUNNO.  Any other
 * action (a DEFER_IF_PERMIT) is repeated: each recipient needs it.
 */
size_t ng_psvc_answer_req(struct ng_psvc_req *r,
    const struct ng_psvc_rules *rules, const struct ng_facts *facts,
    char *out, size_t outlen);

#endif
