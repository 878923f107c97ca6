/*
 * fuzz_rulecomment.c - the rule comment parser under libFuzzer.
 *
 * The comments come off the kernel's rules, which anyone with
 * CAP_NET_ADMIN writes: an xt comment is 256 bytes that need not end in
 * a NUL, a userdata comment is as long as its TLV says.  So the input is
 * taken as is, with its length as the bound (never read past), and what
 * parses must come back the same from its own formatting, agree with
 * itself, and hold sorted ports without repeats.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "daemon/rulecheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse, format, parse again, compare. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ng_rule_params p, q;
	char text[512], words[520], why[128];
	unsigned i;

	if (ng_rule_params_parse((const char *)data, size, &p) < 0) {
		if (p.have != 0)
			__builtin_trap();
		return 0;
	}
	if (p.nports > NG_RULE_PORTS_MAX || p.from != 0)
		__builtin_trap();
	for (i = 0; i < p.nports; i++)
		if (p.ports[i] == 0 || (i > 0 && p.ports[i] <= p.ports[i - 1]))
			__builtin_trap();
	ng_rule_params_format(&p, text, sizeof(text));
	if (strlen(text) >= sizeof(text) - 1)
		__builtin_trap();	/* the longest is far shorter */
	snprintf(words, sizeof(words), "nfq-gate %s", text);
	if (ng_rule_params_parse(words, sizeof(words), &q) < 0 ||
	    q.have != p.have || q.nports != p.nports ||
	    ((p.have & NG_RP_QUEUE) && q.queue != p.queue) ||
	    memcmp(q.ports, p.ports, p.nports * sizeof(p.ports[0])) != 0 ||
	    ((p.have & NG_RP_PASS) && q.pass != p.pass) ||
	    ((p.have & NG_RP_RESET) && q.reset != p.reset) ||
	    ((p.have & NG_RP_TEST) && q.test != p.test))
		__builtin_trap();
	memset(why, 'w', sizeof(why));
	if (p.nports > 0 && ng_rule_params_mismatch(&p, p.queue, p.ports,
	    p.nports, p.pass, p.reset, p.test, why, sizeof(why)) != 0)
		__builtin_trap();
	i = (unsigned)ng_rule_params_mismatch(&p, (uint16_t)(p.queue + 1),
	    p.ports, p.nports, ~p.pass, p.reset, p.test, why, sizeof(why));
	if (i != ((p.have & (NG_RP_PASS | NG_RP_QUEUE)) != 0) ||
	    (i == 1 && memchr(why, '\0', sizeof(why)) == NULL))
		__builtin_trap();
	return 0;
}
