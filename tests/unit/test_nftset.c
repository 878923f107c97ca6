/*
 * test_nftset.c - the nft penalty set's queue and ack matching, with
 * the kernel's half played by the test: batches are parsed as the
 * kernel would see them, acks come back out of order, as errors, late,
 * or not at all, and every address must be counted once, as what
 * really became of it.  tests/sh/nft_async.sh runs it against the
 * real kernel.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "daemon/nftset.h"
#include "test.h"

#define T0 NG_SEC(100)

static unsigned nfails;
static struct ng_nftset_fail last;

static void
on_fail(const struct ng_nftset_fail *f, void *arg)
{
	(void)arg;
	nfails++;
	last = *f;
}

static struct ng_addr
v4(unsigned i)
{
	struct ng_addr a;

	ng_addr_set_v4(&a, 0xc6336400u + i);	/* 198.51.100.i */
	return a;
}

static struct ng_addr
v6(unsigned i)
{
	struct ng_addr a;

	ng_addr_parse(&a, "2001:db8::1");
	a.b[15] = (uint8_t)i;
	return a;
}

/* The elements of a NEWSETELEM message, and its set's name. */
static unsigned
elements(const struct nlmsghdr *nlh, char *set, size_t setlen)
{
	const struct nlattr *at, *el;
	unsigned n = 0;

	mnl_attr_for_each(at, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(at) == NFTA_SET_ELEM_LIST_SET)
			snprintf(set, setlen, "%s", mnl_attr_get_str(at));
		if (mnl_attr_get_type(at) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		/* libnftnl numbers them 1, 2, ...; the kernel ignores it. */
		mnl_attr_for_each_nested(el, at)
			n++;
	}
	return n;
}

/*
 * What the kernel reads in one batch: BEGIN, one NEWSETELEM asking for
 * an ack, END, consecutive sequence numbers from *seq; the elements'
 * count, set name and family are returned.
 */
static unsigned
parse_batch(const char *buf, size_t len, uint32_t *seq, char *set,
    size_t setlen)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	int left = (int)len, i = 0;
	unsigned n = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left), i++) {
		if (i == 0) {
			CHECK_EQ(nlh->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
			*seq = nlh->nlmsg_seq;
		} else
			CHECK_EQ(nlh->nlmsg_seq, *seq + (uint32_t)i);
		if (i == 1) {
			CHECK_EQ(nlh->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) |
			    NFT_MSG_NEWSETELEM);
			CHECK(nlh->nlmsg_flags & NLM_F_ACK);
			n = elements(nlh, set, setlen);
		}
		if (i == 2)
			CHECK_EQ(nlh->nlmsg_type, NFNL_MSG_BATCH_END);
	}
	CHECK_EQ(i, 3);
	CHECK_EQ(left, 0);
	return n;
}

/* Append the kernel's answer to seq (0: ack, else -errno) to buf. */
static size_t
put_ack(char *buf, size_t at, uint32_t seq, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + at);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -err;
	return at + nlh->nlmsg_len;
}

static void
test_batches_and_acks(void)
{
	struct ng_nftset *s;
	static char buf[32768], acks[1024];
	char err[128], set[64];
	uint32_t seq1 = 0, seq2 = 0, seq3 = 0, seq4 = 0;
	struct ng_addr a;
	unsigned i;
	size_t n;

	s = ng_nftset_new("inet ngt", "pen4", "pen6", 1000, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_EQ(ng_nftset_fd(s), -1);
	for (i = 0; i < 70; i++) {
		a = v4(i);
		CHECK_EQ(ng_nftset_add(s, &a, NG_SEC(3600)), 0);
	}
	for (i = 0; i < 3; i++) {
		a = v6(i);
		CHECK_EQ(ng_nftset_add(s, &a, NG_SEC(3600)), 0);
	}
	CHECK_EQ(ng_nftset_pending(s), 73);

	/* 64 + 6 of one family, then 3 of the other. */
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK(n > 0);
	CHECK_EQ(parse_batch(buf, n, &seq1, set, sizeof(set)), 64);
	CHECK_STR(set, "pen4");
	CHECK_EQ(seq1, 1000);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(parse_batch(buf, n, &seq2, set, sizeof(set)), 6);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(parse_batch(buf, n, &seq3, set, sizeof(set)), 3);
	CHECK_STR(set, "pen6");
	CHECK_EQ(ng_nftset_build(s, buf, sizeof(buf), T0), 0);
	CHECK_EQ(ng_nftset_pending(s), 73);

	/* Out of order: the third batch's ack, then the first one's error. */
	n = put_ack(acks, 0, seq3 + 1, 0);
	n = put_ack(acks, n, seq1 + 1, ENOENT);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->added, 3);
	CHECK_EQ(ng_nftset_counts(s)->errors, 64);
	CHECK_EQ(nfails, 1);
	CHECK_EQ(last.n, 64);
	CHECK_EQ(last.err, ENOENT);
	CHECK_STR(last.set, "pen4");
	a = v4(0);
	CHECK(memcmp(&last.first, &a, sizeof(a)) == 0);
	CHECK_EQ(ng_nftset_pending(s), 6);

	/* The second batch is never answered: forgotten after the timeout. */
	ng_nftset_expire(s, T0 + NG_NFTSET_ACK_TIMEOUT - 1, on_fail, NULL);
	CHECK_EQ(ng_nftset_pending(s), 6);
	ng_nftset_expire(s, T0 + NG_NFTSET_ACK_TIMEOUT, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->timeouts, 6);
	CHECK_EQ(last.err, ETIMEDOUT);
	CHECK_EQ(nfails, 2);
	CHECK_EQ(ng_nftset_pending(s), 0);

	/* Its ack turns up at last: counted as late, shifts nothing. */
	a = v4(100);
	ng_nftset_add(s, &a, NG_SEC(60));
	n = ng_nftset_build(s, buf, sizeof(buf), T0 + NG_SEC(3));
	CHECK_EQ(parse_batch(buf, n, &seq4, set, sizeof(set)), 1);
	n = put_ack(acks, 0, seq2 + 1, 0);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->late, 1);
	CHECK_EQ(ng_nftset_counts(s)->added, 3);
	CHECK_EQ(ng_nftset_pending(s), 1);
	/* An error about the batch's BEGIN is the batch's error. */
	n = put_ack(acks, 0, seq4, EPERM);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->errors, 65);
	CHECK_EQ(last.err, EPERM);
	CHECK_EQ(ng_nftset_pending(s), 0);
	/* A second answer for a batch already answered: late. */
	n = put_ack(acks, 0, seq4 + 1, 0);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->late, 2);
	/* A truncated message is ignored, not read past its end. */
	n = put_ack(acks, 0, seq4 + 1, 0);
	ng_nftset_input(s, acks, n - 4, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->late, 2);
	ng_nftset_close(s);
}

static void
test_bounds(void)
{
	struct ng_nftset *s;
	static char buf[32768];
	char err[128];
	struct ng_addr a;
	unsigned i, batches = 0;

	s = ng_nftset_new("ip ngt", "pen4", "-", 7, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	/* No set for IPv6: nothing queued, nothing counted. */
	a = v6(1);
	CHECK_EQ(ng_nftset_add(s, &a, NG_SEC(1)), 0);
	CHECK_EQ(ng_nftset_pending(s), 0);
	/* The queue is bounded: the one over is dropped and counted. */
	for (i = 0; i < NG_NFTSET_QUEUE; i++) {
		a = v4(i);
		CHECK_EQ(ng_nftset_add(s, &a, NG_SEC(1)), 0);
	}
	CHECK_EQ(ng_nftset_add(s, &a, NG_SEC(1)), -1);
	CHECK_EQ(ng_nftset_counts(s)->dropped, 1);
	/* So is what is in flight. */
	while (ng_nftset_build(s, buf, sizeof(buf), T0) > 0)
		batches++;
	CHECK_EQ(batches, NG_NFTSET_QUEUE / NG_NFTSET_BATCH);
	ng_nftset_close(s);

	s = ng_nftset_new("inet ngt", "pen4", "pen6", 7, err, sizeof(err));
	for (i = 0; i < 2 * NG_NFTSET_INFLIGHT + 2; i++) {
		a = i % 2 ? v6(i) : v4(i);	/* one per batch */
		ng_nftset_add(s, &a, NG_SEC(1));
	}
	batches = 0;
	while (ng_nftset_build(s, buf, sizeof(buf), T0) > 0)
		batches++;
	CHECK_EQ(batches, NG_NFTSET_INFLIGHT);
	CHECK_EQ(ng_nftset_pending(s), 2 * NG_NFTSET_INFLIGHT + 2);
	CHECK(ng_nftset_new("bridge x", "a", "b", 1, err, sizeof(err)) ==
	    NULL);
	CHECK(strstr(err, "bad table") != NULL);
	ng_nftset_close(s);
}

/* The one message of a batch (its second), its type and elements. */
static unsigned
one_msg(const char *buf, size_t len, uint16_t *type, uint32_t *seq)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	int left = (int)len;
	char set[64];

	CHECK(mnl_nlmsg_ok(nlh, left));
	*seq = nlh->nlmsg_seq;
	nlh = mnl_nlmsg_next(nlh, &left);
	CHECK(mnl_nlmsg_ok(nlh, left));
	*type = nlh->nlmsg_type & 0xff;
	CHECK(nlh->nlmsg_flags & NLM_F_ACK);
	CHECK(!(nlh->nlmsg_flags & NLM_F_CREATE) ||
	    *type == NFT_MSG_NEWSETELEM);
	return elements(nlh, set, sizeof(set));
}

/*
 * Deletes (nfq-gate-ctl del penalty) and flushes: one element a batch,
 * in order with the adds; ENOENT (gone already) counts as deleted.
 */
static void
test_delete_and_flush(void)
{
	static char buf[32768], acks[4096];
	struct ng_nftset *s;
	struct ng_addr a;
	char err[128];
	uint32_t seq;
	uint16_t type;
	size_t n;

	s = ng_nftset_new("inet ngt", "pen4", "pen6", 50, err, sizeof(err));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	a = v4(1);
	ng_nftset_add(s, &a, NG_SEC(60));
	a = v4(2);
	ng_nftset_add(s, &a, NG_SEC(60));
	a = v4(1);
	CHECK_EQ(ng_nftset_del(s, &a), 0);
	a = v4(3);
	CHECK_EQ(ng_nftset_del(s, &a), 0);
	CHECK_EQ(ng_nftset_flush(s, 0), 0);	/* both families */
	CHECK_EQ(ng_nftset_pending(s), 6);
	/* The two adds, then each delete alone, then two flushes. */
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(one_msg(buf, n, &type, &seq), 2);
	CHECK_EQ(type, NFT_MSG_NEWSETELEM);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(one_msg(buf, n, &type, &seq), 1);
	CHECK_EQ(type, NFT_MSG_DELSETELEM);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(one_msg(buf, n, &type, &seq), 1);
	CHECK_EQ(type, NFT_MSG_DELSETELEM);
	/* The first delete (3 numbers earlier) done, the second gone. */
	n = put_ack(acks, put_ack(acks, 0, seq - 2, 0), seq + 1, ENOENT);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->deleted, 2);
	CHECK_EQ(ng_nftset_counts(s)->errors, 0);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(one_msg(buf, n, &type, &seq), 0);	/* no elements */
	CHECK_EQ(type, NFT_MSG_DELSETELEM);
	n = ng_nftset_build(s, buf, sizeof(buf), T0);
	CHECK_EQ(one_msg(buf, n, &type, &seq), 0);
	CHECK_EQ(ng_nftset_build(s, buf, sizeof(buf), T0), 0);
	/* A refused delete is an error like a refused add. */
	n = put_ack(acks, 0, seq + 1, EPERM);
	ng_nftset_input(s, acks, n, on_fail, NULL);
	CHECK_EQ(ng_nftset_counts(s)->errors, 1);
	ng_nftset_close(s);
}

int
main(void)
{
	RUN(test_batches_and_acks);
	RUN(test_bounds);
	RUN(test_delete_and_flush);
	return test_done();
}
