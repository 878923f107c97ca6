/*
 * fpdb.h - the SYN signature file (rules/nfq-gate.fp): p0f-style
 * signatures giving a class label, and an allowlist; parsed from text
 * (no I/O here: conf/fpfile.c reads the file) and matched per SYN.
 *
 *   # comment
 *   label = linux                  the class of the sig lines below it
 *   sig   = *:64:0:*:mss*44,*:mss,sok,ts,nop,ws:df,id+:0
 *   allow = 192.0.2.0/24 2001:db8::/32 macos
 *
 * sig fields, p0f v3's order (ver:ittl:olen:mss:wsize,scale:olayout:
 * quirks:pclass), "*" a wildcard in each:
 *   ver     4, 6 or *
 *   ittl    the initial TTL (32, 64, 128, 255): the SYN's TTL rounded
 *           up to one of those must equal it
 *   olen    IP option (IPv6: extension header) bytes
 *   mss     the MSS option's value
 *   wsize   N, mss*N, mtu*N (MTU = MSS + 40, IPv6 + 60), %N (a multiple
 *           of N)
 *   scale   the window scale option's value (0 when absent, as p0f)
 *   olayout the options in order: mss, nop, ws, sok, sack, ts, eol+N
 *           (N bytes after the EOL), ?K (kind K); "*" any layout
 *   quirks  df, id+, id-, ecn, 0+, flow, seq-, ack+, uptr+, urgf+,
 *           pushf+, ts1-, ts2+, opt+, exws, bad: exactly this set
 *           (empty: none), or "*" any
 *   pclass  0 (no payload), + (payload) or *
 *
 * Matching does not scan the file: signatures are sorted by a hash of
 * their layout (the field p0f buckets on too), a SYN's layout hash is
 * looked up by binary search and only that bucket's few signatures are
 * compared, in file order; then the (few) "*" layout ones.  The first
 * that matches gives the class; none gives "unknown" (class 0).
 *
 * allow: addresses (CIDR) and class names whose SYNs are never scored;
 * the class is still computed and shown.
 */
#ifndef NG_FPDB_H
#define NG_FPDB_H

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "engine/synfp.h"

#define NG_FP_CLASS_MAX 63	/* labels, "unknown" (0) aside */
#define NG_FP_CLASS_LEN 32	/* a label's bytes, NUL included */
#define NG_FP_SIG_MAX 4096	/* sig lines in one file */
#define NG_FP_UNKNOWN 0

struct ng_fpdb;

/* What a SYN's fingerprint came to. */
struct ng_fp_result {
	uint8_t cls;		/* class index: 0 unknown */
	uint8_t allowed;	/* client or class on the allow lines */
	unsigned line;		/* the signature's line; 0 none */
};

/*
 * ng_fpdb_parse - the signature file's text (len bytes, need not be
 * NUL-terminated); file names it in errors ("file:line: reason").  NULL
 * on error with the message in err (or on out of memory).
 */
struct ng_fpdb *ng_fpdb_parse(const char *text, size_t len,
    const char *file, char *err, size_t errlen);
void ng_fpdb_free(struct ng_fpdb *db);

/* ng_fpdb_match - class fp's SYN from client (NULL: no address check). */
void ng_fpdb_match(const struct ng_fpdb *db, const struct ng_synfp *fp,
    const struct ng_addr *client, struct ng_fp_result *r);

/* ng_fpdb_class_name - class cls's label; "unknown" for 0 or out of
 * range (a class index kept from a replaced file). */
const char *ng_fpdb_class_name(const struct ng_fpdb *db, unsigned cls);
/* ng_fpdb_class - the index of label name, or -1. */
int ng_fpdb_class(const struct ng_fpdb *db, const char *name);
unsigned ng_fpdb_nsigs(const struct ng_fpdb *db);
unsigned ng_fpdb_nclasses(const struct ng_fpdb *db);

#endif
