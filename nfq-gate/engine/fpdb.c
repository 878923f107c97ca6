/*
 * fpdb.c - parse the SYN signature file and match fingerprints to it.
 *
 * The file is outside input: every field is checked, every line is
 * bounded, and an error names the file and line.  The parsed table is
 * sorted by layout hash once, so a SYN costs a binary search and a few
 * comparisons however many signatures there are (fpdb.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/cidr.h"
#include "base/err.h"
#include "engine/fpdb.h"

#define LINE_MAX_ 512
#define ANY -1

enum wtype { W_ANY = 0, W_RAW, W_MSS, W_MTU, W_MOD };

struct fpsig {
	uint32_t hash;		/* of the layout; 0 with wild_layout */
	unsigned line;
	int ver, ittl, olen, mss, scale, pclass;	/* ANY or a value */
	uint8_t wtype;		/* enum wtype */
	uint8_t wild_layout, wild_quirks;
	uint8_t cls;
	uint32_t wval;
	uint32_t quirks;
	uint8_t nlayout, eol_pad;
	uint8_t layout[NG_FP_LAYOUT_MAX];
};

struct ng_fpdb {
	struct fpsig *sig;	/* sorted by (hash, line) */
	unsigned nsig;
	struct fpsig *wild;	/* "*" layouts, file order */
	unsigned nwild;
	char cls[NG_FP_CLASS_MAX + 1][NG_FP_CLASS_LEN];
	unsigned ncls;		/* cls[0] is "unknown" */
	uint64_t allow_cls;	/* bit per class */
	struct ng_cidr_list allow;
};

struct parse {
	struct ng_fpdb *db;
	const char *file;
	unsigned line;
	int cur;		/* the label in force, -1 before one */
	char *err;
	size_t errlen;
};

/* num - a decimal number in 0..max, nothing else; 0 or -1. */
static int
num(const char *s, long max, long *out)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* num_or_any - "*" (ANY) or a number in 0..max into *out. */
static int
num_or_any(const char *s, long max, int *out)
{
	long v;

	if (strcmp(s, "*") == 0) {
		*out = ANY;
		return 0;
	}
	if (num(s, max, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* split - cut s at each sep into at most max fields; their count. */
static int
split(char *s, char sep, char **f, int max)
{
	int n = 0;

	f[n++] = s;
	for (; *s; s++)
		if (*s == sep) {
			if (n == max)
				return max + 1;
			*s = '\0';
			f[n++] = s + 1;
		}
	return n;
}

/* perr - "file:line: reason"; -1. */
static int
perr(struct parse *p, const char *why)
{
	return ng_err_at(p->err, p->errlen, p->file, p->line, "%s", why);
}

/* parse_window - "wsize,scale". */
static int
parse_window(struct parse *p, struct fpsig *g, char *s)
{
	char *f[2];
	long v;

	if (split(s, ',', f, 2) != 2)
		return perr(p, "window field is not wsize,scale");
	if (num_or_any(f[1], 255, &g->scale) < 0)
		return perr(p, "bad window scale");
	s = f[0];
	if (strcmp(s, "*") == 0) {
		g->wtype = W_ANY;
		return 0;
	}
	g->wtype = W_RAW;
	if (strncmp(s, "mss*", 4) == 0 || strncmp(s, "mtu*", 4) == 0) {
		g->wtype = s[1] == 's' ? W_MSS : W_MTU;
		s += 4;
	} else if (*s == '%') {
		g->wtype = W_MOD;
		s++;
	}
	if (num(s, 65535, &v) < 0 || (g->wtype != W_RAW && v == 0))
		return perr(p, "bad window size");
	g->wval = (uint32_t)v;
	return 0;
}

/* layout_kind - one layout token into its kind (and eol+N's N). */
static int
layout_kind(const char *t, uint8_t *kind, uint8_t *pad)
{
	static const char *names[] = { "nop", "mss", "ws", "sok", "sack",
	    "ts" };
	static const uint8_t kinds[] = { NG_FPO_NOP, NG_FPO_MSS, NG_FPO_WS,
	    NG_FPO_SOK, NG_FPO_SACK, NG_FPO_TS };
	long v;
	size_t i;

	for (i = 0; i < sizeof(kinds); i++)
		if (strcmp(t, names[i]) == 0) {
			*kind = kinds[i];
			return 0;
		}
	if (strncmp(t, "eol+", 4) == 0 && num(t + 4, 39, &v) == 0) {
		*kind = NG_FPO_EOL;
		*pad = (uint8_t)v;
		return 0;
	}
	if (t[0] == '?' && num(t + 1, 255, &v) == 0 && v != NG_FPO_EOL &&
	    v != NG_FPO_NOP) {
		*kind = (uint8_t)v;
		return 0;
	}
	return -1;
}

/* parse_layout - "mss,nop,ws,..." or "*". */
static int
parse_layout(struct parse *p, struct fpsig *g, char *s)
{
	char *f[NG_FP_LAYOUT_MAX + 1];
	int n, i;

	if (strcmp(s, "*") == 0) {
		g->wild_layout = 1;
		return 0;
	}
	g->hash = ng_synfp_hash(g->layout, 0, 0);
	if (*s == '\0')
		return 0;	/* no options at all */
	n = split(s, ',', f, NG_FP_LAYOUT_MAX);
	if (n > NG_FP_LAYOUT_MAX)
		return perr(p, "option layout too long");
	for (i = 0; i < n; i++) {
		if (layout_kind(f[i], &g->layout[i], &g->eol_pad) < 0)
			return perr(p, "bad option in layout");
		if (g->layout[i] == NG_FPO_EOL && i != n - 1)
			return perr(p, "eol+N must end the layout");
	}
	g->nlayout = (uint8_t)n;
	g->hash = ng_synfp_hash(g->layout, g->nlayout, g->eol_pad);
	return 0;
}

/* parse_quirks - "df,id+" (exactly that set), "" (none) or "*". */
static int
parse_quirks(struct parse *p, struct fpsig *g, char *s)
{
	char *f[NG_FPQ_COUNT + 1];
	unsigned q;
	int n, i;

	if (strcmp(s, "*") == 0) {
		g->wild_quirks = 1;
		return 0;
	}
	if (*s == '\0')
		return 0;
	n = split(s, ',', f, NG_FPQ_COUNT);
	if (n > NG_FPQ_COUNT)
		return perr(p, "too many quirks");
	for (i = 0; i < n; i++) {
		for (q = 0; q < NG_FPQ_COUNT; q++)
			if (strcmp(f[i], ng_synfp_quirk_name(q)) == 0)
				break;
		if (q == NG_FPQ_COUNT)
			return perr(p, "unknown quirk");
		g->quirks |= 1u << q;
	}
	return 0;
}

/* parse_head - ver:ittl:olen:mss, the numeric fields. */
static int
parse_head(struct parse *p, struct fpsig *g, char **f)
{
	if (num_or_any(f[0], 6, &g->ver) < 0 || (g->ver != ANY &&
	    g->ver != 4 && g->ver != 6))
		return perr(p, "ip version is not 4, 6 or *");
	if (num_or_any(f[1], 255, &g->ittl) < 0 || (g->ittl != ANY &&
	    g->ittl != 32 && g->ittl != 64 && g->ittl != 128 &&
	    g->ittl != 255))
		return perr(p, "initial ttl is not 32, 64, 128, 255 or *");
	if (num_or_any(f[2], 255, &g->olen) < 0)
		return perr(p, "bad ip option length");
	if (num_or_any(f[3], 65535, &g->mss) < 0)
		return perr(p, "bad mss");
	return 0;
}

/* add_sig - a sig line's value into the table. */
static int
add_sig(struct parse *p, char *v)
{
	struct ng_fpdb *db = p->db;
	struct fpsig g, *slot;
	char *f[8];

	if (p->cur < 0)
		return perr(p, "sig before any label");
	if (db->nsig + db->nwild >= NG_FP_SIG_MAX)
		return perr(p, "too many signatures");
	memset(&g, 0, sizeof(g));
	if (split(v, ':', f, 8) != 8)
		return perr(p, "sig needs 8 fields ver:ittl:olen:mss:"
		    "wsize,scale:olayout:quirks:pclass");
	if (parse_head(p, &g, f) < 0 || parse_window(p, &g, f[4]) < 0 ||
	    parse_layout(p, &g, f[5]) < 0 || parse_quirks(p, &g, f[6]) < 0)
		return -1;
	if (strcmp(f[7], "*") == 0)
		g.pclass = ANY;
	else if (strcmp(f[7], "0") == 0 || strcmp(f[7], "+") == 0)
		g.pclass = f[7][0] == '+';
	else
		return perr(p, "payload class is not 0, + or *");
	g.line = p->line;
	g.cls = (uint8_t)p->cur;
	slot = g.wild_layout ? &db->wild[db->nwild++] : &db->sig[db->nsig++];
	*slot = g;
	return 0;
}

/* class_ok - a label: a letter, then letters, digits, '-', '_', '.'. */
static int
class_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= NG_FP_CLASS_LEN || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

/* add_label - a label line: this class for the sig lines below. */
static int
add_label(struct parse *p, const char *v)
{
	struct ng_fpdb *db = p->db;
	int c;

	if (!class_ok(v))
		return perr(p, "bad label (a-z first, then a-z 0-9 - _ .)");
	c = ng_fpdb_class(db, v);
	if (c < 0) {
		if (db->ncls > NG_FP_CLASS_MAX)
			return perr(p, "too many labels");
		c = (int)db->ncls++;
		strcpy(db->cls[c], v);
	}
	p->cur = c;
	return 0;
}

/* add_allow - an allow line's words: CIDRs and class labels. */
static int
add_allow(struct parse *p, char *v)
{
	char *w, *save = NULL;
	int c;

	for (w = strtok_r(v, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (class_ok(w) && strchr(w, ':') == NULL) {
			c = ng_fpdb_class(p->db, w);
			if (c < 0)
				return perr(p, "allow names an unknown label "
				    "(labels must come first)");
			p->db->allow_cls |= 1ull << c;
		} else if (ng_cidr_list_add_str(&p->db->allow, w) < 0)
			return perr(p, "allow: not an address, prefix or label");
	}
	return 0;
}

/* trim - s without leading and trailing blanks. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* one_line - a line: comment, blank, or "key = value". */
static int
one_line(struct parse *p, char *s)
{
	char *eq, *k, *v;

	s = trim(s);
	if (*s == '\0' || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (eq == NULL)
		return perr(p, "expected key = value");
	*eq = '\0';
	k = trim(s);
	v = trim(eq + 1);
	if (strcmp(k, "label") == 0)
		return add_label(p, v);
	if (strcmp(k, "sig") == 0)
		return add_sig(p, v);
	if (strcmp(k, "allow") == 0)
		return add_allow(p, v);
	return perr(p, "unknown key (label, sig or allow)");
}

/* sig_cmp - by layout hash, then line: the lookup's order. */
static int
sig_cmp(const void *a, const void *b)
{
	const struct fpsig *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* db_new - an empty table with room for the file's lines. */
static struct ng_fpdb *
db_new(void)
{
	struct ng_fpdb *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->sig = calloc(NG_FP_SIG_MAX, sizeof(*db->sig));
	db->wild = calloc(NG_FP_SIG_MAX, sizeof(*db->wild));
	if (db->sig == NULL || db->wild == NULL) {
		free(db->sig);
		free(db->wild);
		free(db);
		return NULL;
	}
	strcpy(db->cls[0], "unknown");
	db->ncls = 1;
	ng_cidr_list_init(&db->allow);
	return db;
}

/* parse_lines - every line of text into p->db. */
static int
parse_lines(struct parse *p, const char *text, size_t len)
{
	char buf[LINE_MAX_];
	size_t i = 0, n;

	while (i < len) {
		p->line++;
		for (n = 0; i + n < len && text[i + n] != '\n'; n++)
			;
		if (n >= sizeof(buf))
			return perr(p, "line too long");
		memcpy(buf, text + i, n);
		buf[n] = '\0';
		if (memchr(buf, '\0', n) != NULL)
			return perr(p, "NUL byte in line");
		if (one_line(p, buf) < 0)
			return -1;
		i += n + 1;
	}
	return 0;
}

/* ng_fpdb_parse - the signature file's text into a table. */
struct ng_fpdb *
ng_fpdb_parse(const char *text, size_t len, const char *file, char *err,
    size_t errlen)
{
	struct parse p = { NULL, file, 0, -1, err, errlen };

	p.db = db_new();
	if (p.db == NULL) {
		ng_err(err, errlen, "%s: out of memory", file);
		return NULL;
	}
	if (parse_lines(&p, text, len) < 0) {
		ng_fpdb_free(p.db);
		return NULL;
	}
	qsort(p.db->sig, p.db->nsig, sizeof(*p.db->sig), sig_cmp);
	return p.db;
}

/* ng_fpdb_free - the table and its allowlist. */
void
ng_fpdb_free(struct ng_fpdb *db)
{
	if (db == NULL)
		return;
	ng_cidr_list_free(&db->allow);
	free(db->sig);
	free(db->wild);
	free(db);
}

/* window_ok - does signature g's window field take fp's? */
static int
window_ok(const struct fpsig *g, const struct ng_synfp *fp)
{
	uint32_t mtu = (uint32_t)fp->mss + (fp->ver == 6 ? 60u : 40u);

	switch (g->wtype) {
	case W_RAW:
		return fp->wsize == g->wval;
	case W_MSS:
		return fp->has_mss && fp->wsize == g->wval * fp->mss;
	case W_MTU:
		return fp->has_mss && fp->wsize == g->wval * mtu;
	case W_MOD:
		return fp->wsize % g->wval == 0;
	default:
		return 1;
	}
}

/* sig_ok - does signature g take fingerprint fp (layout aside)? */
static int
sig_ok(const struct fpsig *g, const struct ng_synfp *fp)
{
	if ((g->ver != ANY && g->ver != fp->ver) ||
	    (g->ittl != ANY && g->ittl != fp->ittl) ||
	    (g->olen != ANY && g->olen != fp->olen) ||
	    (g->pclass != ANY && g->pclass != fp->pclass))
		return 0;
	if (g->mss != ANY && (!fp->has_mss || g->mss != fp->mss))
		return 0;
	if (g->scale != ANY && g->scale != (fp->has_ws ? fp->wscale : 0))
		return 0;
	if (!g->wild_quirks && g->quirks != fp->quirks)
		return 0;
	return window_ok(g, fp);
}

/* layout_ok - the same options in the same order, same eol+N. */
static int
layout_ok(const struct fpsig *g, const struct ng_synfp *fp)
{
	return g->nlayout == fp->nlayout && g->eol_pad == fp->eol_pad &&
	    memcmp(g->layout, fp->layout, fp->nlayout) == 0;
}

/* first_of - the index of the first signature with hash h (or nsig). */
static unsigned
first_of(const struct ng_fpdb *db, uint32_t h)
{
	unsigned lo = 0, hi = db->nsig, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (db->sig[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* find - the signature fp matches: its layout's bucket, then the
 * "*" layouts; NULL for none. */
static const struct fpsig *
find(const struct ng_fpdb *db, const struct ng_synfp *fp)
{
	uint32_t h = ng_synfp_hash(fp->layout, fp->nlayout, fp->eol_pad);
	unsigned i;

	for (i = first_of(db, h); i < db->nsig && db->sig[i].hash == h; i++)
		if (layout_ok(&db->sig[i], fp) && sig_ok(&db->sig[i], fp))
			return &db->sig[i];
	for (i = 0; i < db->nwild; i++)
		if (sig_ok(&db->wild[i], fp))
			return &db->wild[i];
	return NULL;
}

/* ng_fpdb_match - class fp's SYN, and whether it is allowlisted. */
void
ng_fpdb_match(const struct ng_fpdb *db, const struct ng_synfp *fp,
    const struct ng_addr *client, struct ng_fp_result *r)
{
	const struct fpsig *g = find(db, fp);

	r->cls = g != NULL ? g->cls : NG_FP_UNKNOWN;
	r->line = g != NULL ? g->line : 0;
	r->allowed = (db->allow_cls >> r->cls & 1) != 0;
	if (!r->allowed && client != NULL && db->allow.n > 0)
		r->allowed = ng_cidr_list_match(&db->allow, client) != 0;
}

/* ng_fpdb_class_name - a class index's label. */
const char *
ng_fpdb_class_name(const struct ng_fpdb *db, unsigned cls)
{
	if (db == NULL || cls >= db->ncls)
		return "unknown";
	return db->cls[cls];
}

/* ng_fpdb_class - a label's class index, or -1. */
int
ng_fpdb_class(const struct ng_fpdb *db, const char *name)
{
	unsigned i;

	for (i = 0; i < db->ncls; i++)
		if (strcmp(db->cls[i], name) == 0)
			return (int)i;
	return -1;
}

/* ng_fpdb_nsigs - how many sig lines the table holds. */
unsigned
ng_fpdb_nsigs(const struct ng_fpdb *db)
{
	return db->nsig + db->nwild;
}

/* ng_fpdb_nclasses - how many classes, "unknown" included. */
unsigned
ng_fpdb_nclasses(const struct ng_fpdb *db)
{
	return db->ncls;
}
