/*
 * text.c - small text helpers shared by the config, the config check
 * and the netblock readers (text.h).
 */
#include <ctype.h>
#include <string.h>

#include "base/text.h"

/* ng_trim - s without its leading and trailing white space, cut in place. */
char *
ng_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
