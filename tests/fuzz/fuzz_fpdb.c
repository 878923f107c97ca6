/*
 * fuzz_fpdb.c - the SYN signature file's parser (engine/fpdb.c) under
 * libFuzzer.
 *
 * The input is taken as the file's text, with its length as the bound
 * (it need not end in a NUL).  What parses must hold together: "unknown"
 * is class 0, every class has a name, and matching a few fingerprints
 * (a Linux SYN, no options, a hostile layout) gives a class in range.
 */
#include <stdint.h>
#include <string.h>

#include "engine/fpdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* probe - match one fingerprint; trap on an out-of-range answer. */
static void
probe(const struct ng_fpdb *db, const struct ng_synfp *fp,
    const struct ng_addr *a)
{
	struct ng_fp_result r;

	ng_fpdb_match(db, fp, a, &r);
	if (r.cls >= ng_fpdb_nclasses(db) || (r.cls != 0 && r.line == 0))
		__builtin_trap();
	if (ng_fpdb_class_name(db, r.cls)[0] == '\0')
		__builtin_trap();
}

/* LLVMFuzzerTestOneInput - parse, check, match. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t linux_layout[] = { 2, 4, 8, 1, 3 };
	struct ng_synfp fp;
	struct ng_addr a = { 4, { 192, 0, 2, 1 } };
	struct ng_fpdb *db;
	char err[256];

	db = ng_fpdb_parse((const char *)data, size, "f.fp", err,
	    sizeof(err));
	if (db == NULL) {
		if (strncmp(err, "f.fp", 4) != 0)
			__builtin_trap();
		return 0;
	}
	if (strcmp(ng_fpdb_class_name(db, 0), "unknown") != 0 ||
	    ng_fpdb_nclasses(db) > NG_FP_CLASS_MAX + 1)
		__builtin_trap();
	memset(&fp, 0, sizeof(fp));
	fp.ver = 4;
	fp.ttl = fp.ittl = 64;
	fp.has_mss = fp.has_ws = 1;
	fp.mss = 1460;
	fp.wsize = 64240;
	fp.wscale = 7;
	fp.quirks = NG_FPQ_DF | NG_FPQ_IDPLUS;
	memcpy(fp.layout, linux_layout, sizeof(linux_layout));
	fp.nlayout = sizeof(linux_layout);
	probe(db, &fp, &a);
	fp.nlayout = 0;
	fp.has_mss = 0;
	probe(db, &fp, NULL);
	memset(fp.layout, 0xfe, sizeof(fp.layout));
	fp.nlayout = NG_FP_LAYOUT_MAX;
	fp.layout[NG_FP_LAYOUT_MAX - 1] = 0;
	fp.eol_pad = 39;
	fp.quirks = 0xffff;
	probe(db, &fp, &a);
	ng_fpdb_free(db);
	return 0;
}
