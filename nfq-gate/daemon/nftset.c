/*
 * nftset.c - add pre-greeting talkers to an nftables set with a timeout,
 * over libnftnl and libmnl, without ever waiting for the kernel (see
 * nftset.h).
 *
 * Each batch is BEGIN, one NEWSETELEM message with up to
 * NG_NFTSET_BATCH elements of one family, END, and asks for an ack of
 * that one message.  One message per batch matters: the kernel runs a
 * batch as one transaction, so when one message fails the others are
 * rolled back yet still acked as if they had worked; with one message
 * the ack says what became of every element in it.  An ack (or an
 * error about BEGIN or END) is matched to its batch by the sequence
 * numbers the batch used, never by arrival order.
 *
 * Deletes (nfq-gate-ctl del penalty) go the same way, one element a
 * batch: the kernel refuses a whole DELSETELEM when one element is not
 * there (expired meanwhile), and a missing element is what a delete
 * wants anyway, so ENOENT counts as done.  A flush is a DELSETELEM with
 * no elements (what "nft flush set" sends).
 *
 * The socket is opened at start-up while we are root; adding elements
 * needs CAP_NET_ADMIN, which the daemon keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon/nftset.h"

#define BUF_LEN	16384	/* > NG_NFTSET_BATCH elements of 64 bytes */

enum op { OP_ADD = 0, OP_DEL, OP_FLUSH };

struct req {
	struct ng_addr a;	/* OP_FLUSH: only its family counts */
	uint64_t ms;
	uint8_t op;
};

struct flight {
	uint32_t seq_lo, seq_hi;	/* BEGIN .. END */
	ng_usec sent;
	struct ng_addr first;
	unsigned n;
	uint8_t family;
	uint8_t op;
};

struct ng_nftset {
	struct mnl_socket *nl;
	uint16_t family;	/* NFPROTO_* */
	uint32_t seq;
	char table[64], set4[64], set6[64];
	struct req q[NG_NFTSET_QUEUE];
	unsigned qhead, qlen;
	struct flight fly[NG_NFTSET_INFLIGHT];
	unsigned nfly;
	struct ng_nftset_counts c;
};

/* parse_family - "inet", "ip" or "ip6" into *fam; -1 for anything else. */
static int
parse_family(const char *s, uint16_t *fam)
{
	if (strcmp(s, "inet") == 0)
		*fam = NFPROTO_INET;
	else if (strcmp(s, "ip") == 0)
		*fam = NFPROTO_IPV4;
	else if (strcmp(s, "ip6") == 0)
		*fam = NFPROTO_IPV6;
	else
		return -1;
	return 0;
}

/* ng_nftset_new - a set with no socket yet, its batches numbered from seq. */
struct ng_nftset *
ng_nftset_new(const char *table, const char *set4, const char *set6,
    uint32_t seq, char *err, size_t errlen)
{
	struct ng_nftset *s = calloc(1, sizeof(*s));
	char fam[16];

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sscanf(table, "%15s %63s", fam, s->table) != 2 ||
	    parse_family(fam, &s->family) < 0) {
		snprintf(err, errlen, "bad table \"%s\" (FAMILY NAME)", table);
		free(s);
		return NULL;
	}
	snprintf(s->set4, sizeof(s->set4), "%s", strcmp(set4, "-") ? set4 : "");
	snprintf(s->set6, sizeof(s->set6), "%s", strcmp(set6, "-") ? set6 : "");
	s->seq = seq;
	return s;
}

/* ng_nftset_open - a set and its netlink socket, non-blocking. */
struct ng_nftset *
ng_nftset_open(const char *table, const char *set4, const char *set6,
    char *err, size_t errlen)
{
	struct ng_nftset *s;
	int fd;

	s = ng_nftset_new(table, set4, set6, (uint32_t)time(NULL), err,
	    errlen);
	if (s == NULL)
		return NULL;
	s->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC |
	    SOCK_NONBLOCK);
	if (s->nl == NULL || mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		ng_nftset_close(s);
		return NULL;
	}
	/* Older libmnl ignores SOCK_NONBLOCK in open2's flags: make sure. */
	fd = mnl_socket_get_fd(s->nl);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return s;
}

/* ng_nftset_close - close the socket; what is queued is lost. */
void
ng_nftset_close(struct ng_nftset *s)
{
	if (s == NULL)
		return;
	if (s->nl != NULL)
		mnl_socket_close(s->nl);
	free(s);
}

/* ng_nftset_fd - the socket to poll for acks, -1 without one. */
int
ng_nftset_fd(const struct ng_nftset *s)
{
	return s->nl != NULL ? mnl_socket_get_fd(s->nl) : -1;
}

/* ng_nftset_counts - what the set counted so far. */
const struct ng_nftset_counts *
ng_nftset_counts(const struct ng_nftset *s)
{
	return &s->c;
}

/* ng_nftset_pending - the adds queued or in flight. */
unsigned
ng_nftset_pending(const struct ng_nftset *s)
{
	unsigned i, n = s->qlen;

	for (i = 0; i < s->nfly; i++)
		n += s->fly[i].n;
	return n;
}

/* set_of - the set for an address family, "" when none */
static const char *
set_of(const struct ng_nftset *s, unsigned family)
{
	return family == 4 ? s->set4 : s->set6;
}

/* ng_nftset_add - queue a for ttl; -1 when the queue is full (counted). */
int
ng_nftset_add(struct ng_nftset *s, const struct ng_addr *a, ng_usec ttl)
{
	struct req *r;

	if (set_of(s, a->family)[0] == '\0')
		return 0;	/* no set for this family */
	if (s->qlen == NG_NFTSET_QUEUE) {
		s->c.dropped++;
		return -1;
	}
	r = &s->q[(s->qhead + s->qlen++) % NG_NFTSET_QUEUE];
	r->a = *a;
	r->ms = ttl / 1000 ? ttl / 1000 : 1;
	r->op = OP_ADD;
	return 0;
}

/* queue_op - queue a delete or flush of a's family; -1 when full. */
static int
queue_op(struct ng_nftset *s, const struct ng_addr *a, enum op op)
{
	struct req *r;

	if (set_of(s, a->family)[0] == '\0')
		return 0;
	if (s->qlen == NG_NFTSET_QUEUE) {
		s->c.dropped++;
		return -1;
	}
	r = &s->q[(s->qhead + s->qlen++) % NG_NFTSET_QUEUE];
	memset(r, 0, sizeof(*r));
	r->a = *a;
	r->op = (uint8_t)op;
	return 0;
}

/* ng_nftset_del - queue a's removal; -1 when the queue is full. */
int
ng_nftset_del(struct ng_nftset *s, const struct ng_addr *a)
{
	return queue_op(s, a, OP_DEL);
}

/* ng_nftset_flush - queue emptying the set of family (4, 6; 0: both). */
int
ng_nftset_flush(struct ng_nftset *s, unsigned family)
{
	struct ng_addr a;
	int r = 0;

	memset(&a, 0, sizeof(a));
	if (family != 6) {
		a.family = 4;
		r |= queue_op(s, &a, OP_FLUSH);
	}
	if (family != 4) {
		a.family = 6;
		r |= queue_op(s, &a, OP_FLUSH);
	}
	return r;
}

/*
 * take - the elements for the next batch: from the head of the queue, of the
 * head's family, at most NG_NFTSET_BATCH adds, or one delete or flush.
 * Returns how many.
 */
static unsigned
take(const struct ng_nftset *s)
{
	const struct req *h = &s->q[s->qhead], *r;
	unsigned n = 0;

	if (h->op != OP_ADD)
		return 1;
	while (n < s->qlen && n < NG_NFTSET_BATCH) {
		r = &s->q[(s->qhead + n) % NG_NFTSET_QUEUE];
		if (r->a.family != h->a.family || r->op != OP_ADD)
			break;
		n++;
	}
	return n;
}

/*
 * make_set - the set with the next n queued elements, or NULL (out of
 * memory).
 */
static struct nftnl_set *
make_set(const struct ng_nftset *s, unsigned n)
{
	const struct req *r = &s->q[s->qhead];
	struct nftnl_set *ns = nftnl_set_alloc();
	struct nftnl_set_elem *e;
	unsigned i;

	if (ns == NULL)
		return NULL;
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, s->table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, set_of(s, r->a.family));
	if (r->op == OP_FLUSH)
		return ns;	/* no elements: every one goes */
	for (i = 0; i < n; i++) {
		r = &s->q[(s->qhead + i) % NG_NFTSET_QUEUE];
		if ((e = nftnl_set_elem_alloc()) == NULL) {
			nftnl_set_free(ns);
			return NULL;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, r->a.b,
		    r->a.family == 4 ? 4 : 16);
		if (r->op == OP_ADD)
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT,
			    r->ms);
		nftnl_set_elem_add(ns, e);	/* ns owns e now */
	}
	return ns;
}

/*
 * make_batch - build the batch for the next n elements into buf; *f
 * describes it.  Returns its length, 0 when out of memory.  Nothing is
 * taken off the queue: commit() does that once the batch is gone.
 */
static size_t
make_batch(struct ng_nftset *s, char *buf, size_t len, unsigned n,
    struct flight *f)
{
	struct mnl_nlmsg_batch *b;
	struct nftnl_set *ns;
	struct nlmsghdr *nlh;
	uint32_t seq = s->seq;
	uint8_t op = s->q[s->qhead].op;
	size_t out;

	if (len < BUF_LEN || (ns = make_set(s, n)) == NULL)
		return 0;
	memset(buf, 0, BUF_LEN);	/* padding goes out too */
	b = mnl_nlmsg_batch_start(buf, BUF_LEN / 2);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b),
	    op == OP_ADD ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM,
	    s->family, op == OP_ADD ? NLM_F_CREATE | NLM_F_ACK : NLM_F_ACK,
	    seq + 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, ns);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq + 2);
	mnl_nlmsg_batch_next(b);
	out = mnl_nlmsg_batch_size(b);
	mnl_nlmsg_batch_stop(b);
	nftnl_set_free(ns);
	memset(f, 0, sizeof(*f));
	f->seq_lo = seq;
	f->seq_hi = seq + 2;
	f->first = s->q[s->qhead].a;
	f->family = f->first.family;
	f->n = n;
	f->op = op;
	return out;
}

/* commit - the batch f left: its elements off the queue, it into the air. */
static void
commit(struct ng_nftset *s, struct flight *f, ng_usec now)
{
	s->seq += 3;
	s->qhead = (s->qhead + f->n) % NG_NFTSET_QUEUE;
	s->qlen -= f->n;
	f->sent = now;
	s->fly[s->nfly++] = *f;
}

/* land - done with flight i: it leaves the table, fail (if any) hears why. */
static void
land(struct ng_nftset *s, unsigned i, int err,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg)
{
	struct flight f = s->fly[i];
	struct ng_nftset_fail why;

	s->fly[i] = s->fly[--s->nfly];
	if (f.op != OP_ADD && (err == 0 || err == ENOENT)) {
		s->c.deleted += f.n;	/* gone already is gone */
		return;
	}
	if (err == 0) {
		s->c.added += f.n;
		return;
	}
	if (err == ETIMEDOUT)
		s->c.timeouts += f.n;
	else
		s->c.errors += f.n;
	if (fail == NULL)
		return;
	why.first = f.first;
	why.n = f.n;
	why.set = set_of(s, f.family);
	why.err = err;
	fail(&why, arg);
}

/* ng_nftset_build - the next batch into buf, in flight from now. */
size_t
ng_nftset_build(struct ng_nftset *s, void *buf, size_t len, ng_usec now)
{
	struct flight f;
	size_t n;

	if (s->qlen == 0 || s->nfly == NG_NFTSET_INFLIGHT)
		return 0;
	n = make_batch(s, buf, len, take(s), &f);
	if (n > 0)
		commit(s, &f, now);
	return n;
}

/* ng_nftset_send - what is queued, as far as the in-flight limit allows. */
void
ng_nftset_send(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg)
{
	static char buf[BUF_LEN];
	struct flight f;
	size_t n;

	while (s->nl != NULL && s->qlen > 0 &&
	    s->nfly < NG_NFTSET_INFLIGHT) {
		if ((n = make_batch(s, buf, sizeof(buf), take(s), &f)) == 0)
			return;		/* out of memory: try again later */
		if (mnl_socket_sendto(s->nl, buf, n) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;	/* still queued: the next turn */
			commit(s, &f, now);
			land(s, s->nfly - 1, errno, fail, arg);
			continue;
		}
		commit(s, &f, now);
	}
}

/* flight_of - the flight whose batch used seq, or -1. */
static int
flight_of(const struct ng_nftset *s, uint32_t seq)
{
	unsigned i;

	for (i = 0; i < s->nfly; i++)
		if (seq - s->fly[i].seq_lo <= s->fly[i].seq_hi -
		    s->fly[i].seq_lo)
			return (int)i;
	return -1;
}

/* ng_nftset_input - the acks in buf: each lands its flight, or is late. */
void
ng_nftset_input(struct ng_nftset *s, const void *buf, size_t len,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	int left = len > (size_t)INT32_MAX ? INT32_MAX : (int)len, i;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
			continue;	/* no other answers are asked for */
		e = mnl_nlmsg_get_payload(nlh);
		if ((i = flight_of(s, nlh->nlmsg_seq)) < 0) {
			s->c.late++;	/* forgotten already, or not ours */
			continue;
		}
		land(s, (unsigned)i, e->error < 0 ? -e->error : e->error,
		    fail, arg);
	}
}

/* ng_nftset_receive - the acks there are, then the stale batches forgotten. */
void
ng_nftset_receive(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg)
{
	static char buf[BUF_LEN];
	ssize_t r;
	int n;

	/* Bounded: at most one read per batch in flight, and a spare. */
	for (n = 0; s->nl != NULL && n <= NG_NFTSET_INFLIGHT; n++) {
		r = recv(mnl_socket_get_fd(s->nl), buf, sizeof(buf),
		    MSG_DONTWAIT);
		if (r < 0 && errno == ENOBUFS)
			continue;	/* acks lost: their batches time out */
		if (r <= 0)
			break;
		ng_nftset_input(s, buf, (size_t)r, fail, arg);
	}
	ng_nftset_expire(s, now, fail, arg);
}

/*
 * ng_nftset_expire - the batches unacked for NG_NFTSET_ACK_TIMEOUT land
 * with ETIMEDOUT; a clock that went back keeps them.
 */
void
ng_nftset_expire(struct ng_nftset *s, ng_usec now,
    void (*fail)(const struct ng_nftset_fail *, void *), void *arg)
{
	unsigned i = 0;

	while (i < s->nfly) {
		if (now - s->fly[i].sent >= NG_NFTSET_ACK_TIMEOUT &&
		    now >= s->fly[i].sent)
			land(s, i, ETIMEDOUT, fail, arg);
		else
			i++;
	}
}
