/*
 * template.c - check a policy answer template (template.h).
 */
#include <string.h>

#include "base/err.h"
#include "conf/template.h"

/* ng_template_check - printable ASCII, known %-escapes, short enough. */
int
ng_template_check(const char *t, char *err, size_t errlen)
{
	const char *s;

	if (strlen(t) >= NG_TEMPLATE_MAX)
		return ng_err(err, errlen, "%s", "template longer than 255 bytes");
	for (s = t; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			return ng_err(err, errlen, "%s", "template: control or "
			    "non-ASCII character");
		if (*s != '%')
			continue;
		s++;
		if (*s == '\0' || strchr(NG_TEMPLATE_ESCAPES, *s) == NULL)
			return ng_err(err, errlen, "%s", "template: unknown escape "
			    "(%c country, %a ASN, %o owner, %r rule, %p pass, "
			    "%g greylist, %n pregreet count, %t throttled, "
			    "%s score, %% percent)");
	}
	return 0;
}
