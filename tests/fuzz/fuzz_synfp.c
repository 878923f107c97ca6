/*
 * fuzz_synfp.c - the SYN fingerprint (engine/synfp.c) of any datagram
 * the packet parser takes, under libFuzzer.
 *
 * The options bytes are the hostile part: whatever they say, the
 * fingerprint must stay within its bounds, print within
 * NG_SYNFP_SIG_MAX, and match the shipped-style table without trouble.
 */
#include <stdint.h>
#include <string.h>

#include "engine/fpdb.h"
#include "engine/packet.h"
#include "engine/synfp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sigs[] =
	"label = linux\n"
	"sig = 4:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0\n"
	"sig = *:64:0:*:mss*10,*:mss,nop,nop,ts:*:*\n"
	"label = windows\n"
	"sig = *:128:0:*:8192,*:mss,nop,ws,nop,nop,sok:df,id+:0\n"
	"label = raw-tool\n"
	"sig = *:*:*:*:%7,*::*:*\n"
	"label = other\n"
	"sig = *:*:*:*:*,*:*:bad:*\n"
	"allow = 10.0.0.0/8 raw-tool\n";

/* LLVMFuzzerTestOneInput - parse, fingerprint, print, match. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ng_fpdb *db;
	char sig[NG_SYNFP_SIG_MAX], err[128];
	struct ng_fp_result r;
	struct ng_synfp fp;
	struct ng_pkt p;
	size_t n;

	if (db == NULL) {
		db = ng_fpdb_parse(sigs, strlen(sigs), "sigs", err,
		    sizeof(err));
		if (db == NULL)
			__builtin_trap();
	}
	if (ng_pkt_parse(&p, data, size, size) != NG_PKT_OK)
		return 0;
	if (p.optlen > 40 || (p.optlen > 0 && (p.opt < data ||
	    p.opt + p.optlen > data + size)))
		__builtin_trap();
	ng_synfp_compute(&fp, &p);
	if (fp.nlayout > NG_FP_LAYOUT_MAX || fp.nlayout > p.optlen ||
	    fp.eol_pad >= 40)
		__builtin_trap();
	n = ng_synfp_format(&fp, sig, sizeof(sig));
	if (n >= sizeof(sig) - 1 || strlen(sig) != n)
		__builtin_trap();	/* the longest fits with room */
	ng_fpdb_match(db, &fp, &p.src, &r);
	if (r.cls >= ng_fpdb_nclasses(db))
		__builtin_trap();
	return 0;
}
