/*
 * template.h - the policy service's answer templates (policy_action,
 * policy_action_penalty): which %-escapes exist, and the check the
 * config parser runs so a typo is a config error at start, not a bad
 * answer to Postfix later.  daemon/psvc.c expands them.
 */
#ifndef NG_TEMPLATE_H
#define NG_TEMPLATE_H

#include <stddef.h>

#define NG_TEMPLATE_MAX 256	/* with the terminating NUL */
/*
 * %c country, %a ASN, %o owner, %r the rules' word ("greylist(owner)"),
 * %p pass, %g greylist, %n pregreet count, %t THROTTLE resets, %s the
 * last score ("--" none),
 * %% percent.
 */
#define NG_TEMPLATE_ESCAPES "caorpgnts%"

/* 0, or -1 with a message in err: printable ASCII and known escapes. */
int ng_template_check(const char *t, char *err, size_t errlen);

#endif
