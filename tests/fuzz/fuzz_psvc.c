/*
 * fuzz_psvc.c - the policy protocol parser under libFuzzer.
 *
 * The policy socket takes bytes from any local process that can reach
 * it, so no input may crash the parser, overrun its limits, or make an
 * answer that is not one "action=" line and an empty line.  The input
 * is fed in pieces whose sizes come from the input itself.
 */
#include <stdint.h>
#include <string.h>

#include "daemon/psvc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ng_psvc_rules rules = {
		"PREPEND X-NFQ-Gate: country=%c; asn=%a; owner=%o; rule=%r; "
		"pass=%p", "DEFER_IF_PERMIT x"
	};
	struct ng_facts f = { .country = "--", .pass = "none", .grey = "none" };
	struct ng_psvc_req r;
	char err[128], out[NG_PSVC_ANSWER_MAX];
	size_t off = 0, chunk, used, n;
	int rc;

	ng_psvc_req_reset(&r);
	while (off < size) {
		chunk = 1 + data[off] % 64;
		if (chunk > size - off)
			chunk = size - off;
		rc = ng_psvc_feed(&r, (const char *)data + off, chunk, &used,
		    err, sizeof(err));
		if (rc < 0)
			return 0;
		if (used > chunk || r.linelen >= NG_PSVC_LINE_MAX ||
		    r.total > NG_PSVC_REQ_MAX || r.nattr > NG_PSVC_ATTRS_MAX)
			__builtin_trap();
		off += used;
		if (rc == 1) {
			f.pregreet = r.nattr % 2;
			/* Hostile bytes as the owner: %o must keep the
			 * answer one line. */
			f.owner = r.client_address;
			f.asn = r.total;
			n = ng_psvc_answer_req(&r, &rules, &f, out,
			    sizeof(out));
			if (r.instance[0] != '\0' && strncmp(out,
			    "action=PREPEND", 14) == 0 &&
			    strcmp(r.prepended, r.instance) != 0)
				__builtin_trap();	/* forgot it */
			if (n < 9 || memcmp(out, "action=", 7) != 0 ||
			    strcmp(out + n - 2, "\n\n") != 0 ||
			    strchr(out, '\n') != out + n - 2)
				__builtin_trap();
			ng_psvc_req_next(&r);
		}
	}
	return 0;
}
