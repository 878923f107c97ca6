/*
 * text.h - small things every reader of text files does the same way.
 */
#ifndef NG_TEXT_H
#define NG_TEXT_H

/* ng_trim - s without its leading and trailing white space (isspace),
 * cut in place. */
char *ng_trim(char *s);

#endif
