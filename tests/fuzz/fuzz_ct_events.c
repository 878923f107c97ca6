/*
 * fuzz_ct_events.c - the conntrack event parser under libFuzzer.
 *
 * The kernel writes these datagrams, but a parser that trusts lengths
 * is one bug away from reading past its buffer: no input may crash it,
 * and every tuple it hands on must be TCP with a family of 4 or 6.
 */
#include <stdint.h>
#include <string.h>

#include "daemon/ct_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - what the parser hands on is sane. */
static void
check(const struct ng_ct_end *e, void *arg)
{
	(void)arg;
	if ((e->src.family != 4 && e->src.family != 6) ||
	    e->src.family != e->dst.family)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t buf[16384];	/* aligned, as recv() fills it */

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	(void)ng_ct_parse(buf, size, check, NULL);
	return 0;
}
