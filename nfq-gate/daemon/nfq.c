/*
 * nfq.c - the NFQUEUE netlink socket: bind, receive, verdict.
 *
 * libmnl plus libnetfilter_queue's nfq_nlmsg_* message builders.  The
 * queue is configured in one message (bind, copy mode and range, queue
 * length, and one flags attribute with its mask: fail open when the
 * queue is full, GSO packets unsegmented, conntrack info attached) and
 * that message is acknowledged, so a busy queue or a missing privilege
 * is a clear error at start-up rather than silence.
 *
 * The kernel sends one packet per datagram, and a system call is dear
 * here (under a hypervisor, each is a round trip through it), so the
 * datagrams are read RECV_BURST at a time with recvmmsg() into slots of
 * their own, and the verdicts of the whole burst leave in one sendmsg
 * at its end.
 *
 * Received datagrams are walked message by message by hand, not with
 * mnl_cb_run(): an error reply to one of our verdicts (say, for an id the
 * kernel already forgot) must not make us skip the packets queued behind
 * it in the same datagram, or those packets would wait forever.
 *
 * Only the queue: the ctnetlink updates that follow its verdicts are
 * built in conntrack.c, the kernel's /proc counters read in
 * nfq_kstats.c.
 *
 * Those updates leave on a socket of their own (when it opens), right
 * after the verdict batch they follow.  The kernel answers a failed
 * update (the entry is gone, or the packet was never tracked) with an
 * error message; on the queue's socket every such answer would cost a
 * receive of its own and room meant for packets: a SYN storm of
 * untracked packets doubled the gate's receives.  The updates' socket
 * keeps a small buffer, takes the shortest answers (NETLINK_CAP_ACK)
 * and is read once a second (ng_nfq_ct_drain): what overflows in
 * between is dropped by the kernel, never waited for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/nfq.h"

#define SEND_BUF_SIZE	(64 * 1024)
#define VERDICT_ROOM	256	/* one verdict message, generously */
#define RECV_BURST	64	/* datagrams per ng_nfq_receive() at most */
/* A packet message is its payload (copy_range at most) and headers and
 * attributes well under MSG_SLACK; one slot holds any of ours. */
#define MSG_SLACK	4096
#define SLOT_MIN	(16 * 1024)	/* also the config acks' and errors' */
#define RECV_MEM	(1024 * 1024)	/* the slots together, at most */
#define CT_BUF_SIZE	(32 * 1024)	/* updates per sendmsg */
#define CT_RCVBUF	4096	/* error answers kept between drains */
#define CT_DRAIN_MAX	64	/* datagrams read per ng_nfq_ct_drain() */

struct ng_nfq {
	struct mnl_socket *nl;
	unsigned queue;
	uint32_t last_id;
	int have_id;
	size_t sendlen;
	int ct_glue;		/* NFQA_CT works in verdicts */
	struct ng_nfq_counters c;
	char *rbuf;		/* nslots slots of slot bytes */
	size_t slot;
	unsigned nslots;
	struct mmsghdr *mm;
	struct iovec *iov;
	struct sockaddr_nl *from;
	char *sbuf;
	struct mnl_socket *ct;	/* the updates' socket; NULL: in sbuf */
	char *cbuf;		/* updates queued behind the verdicts */
	size_t ctlen;
};

/* set_err - "what: strerror(e)" into err. */
static void
set_err(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
}

/*
 * wait_ack - wait for the ack to our config message, letting through
 * any packet queued before it.  0, or a negative errno (-ETIMEDOUT: no
 * answer) with a message in err: ng_nfq_open() retries on the errno.
 */
static int
wait_ack(struct ng_nfq *q, uint32_t seq, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(q->nl), .events = POLLIN };
	struct nlmsghdr *nlh;
	struct nlmsgerr *me;
	struct ng_nfq_pkt pkt;
	ssize_t n;
	int tries, left, e;

	for (tries = 0; tries < 50; tries++) {
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			e = errno;
			set_err(err, errlen, "poll", e);
			return -e;
		}
		n = recv(pfd.fd, q->rbuf, q->slot, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ENOBUFS)
				continue;
			e = errno;
			set_err(err, errlen, "netlink receive", e);
			return -e;
		}
		left = (int)n;
		for (nlh = (struct nlmsghdr *)q->rbuf; mnl_nlmsg_ok(nlh, left);
		    nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    nlh->nlmsg_seq == seq) {
				me = mnl_nlmsg_get_payload(nlh);
				if (me->error == 0)
					return 0;
				set_err(err, errlen, "binding the queue",
				    -me->error);
				if (me->error == -EPERM || me->error == -EBUSY)
					snprintf(err, errlen, "binding queue %u: "
					    "%s (bound by another process, or "
					    "no CAP_NET_ADMIN)", q->queue,
					    strerror(-me->error));
				return me->error < 0 ? me->error : -EPROTO;
			}
			/* A packet queued before the ack: let it through. */
			if (ng_nfq_parse_packet(nlh, &pkt) == 0)
				ng_nfq_verdict(q, pkt.id, NF_ACCEPT, 0, 0, 0, 0);
		}
		ng_nfq_flush(q);
	}
	snprintf(err, errlen, "no answer from the kernel binding queue %u",
	    q->queue);
	return -ETIMEDOUT;
}

/*
 * configure - bind the queue and set it up in one acknowledged message;
 * 0, or a negative errno with a message in err (see wait_ack).
 */
static int
configure(struct ng_nfq *q, const struct ng_nfq_params *p, uint32_t flags,
    uint32_t seq, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int e;

	/* Bind, params, length and flags in one message: the kernel
	 * applies them in order, so the queue never runs half-set. */
	memset(buf, 0, sizeof(buf));	/* padding goes out too */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, (int)p->copy_range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, p->maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		e = errno;
		set_err(err, errlen, "netlink send", e);
		return -e;
	}
	return wait_ack(q, seq, err, errlen);
}

/*
 * set_rcvbuf - the socket's receive buffer to size bytes.  FORCE needs
 * CAP_NET_ADMIN and ignores rmem_max; without it, what rmem_max allows.
 */
static void
set_rcvbuf(int fd, int size)
{
	if (size <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
}

/*
 * open_ct - the connmark updates' own socket (see the top); without it
 * (no memory, no socket) they ride in the verdict batch as before.
 */
static void
open_ct(struct ng_nfq *q)
{
	int one = 1, size = CT_RCVBUF, fd;

	if ((q->cbuf = calloc(1, CT_BUF_SIZE)) == NULL)
		return;
	q->ct = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (q->ct == NULL || mnl_socket_bind(q->ct, 0,
	    MNL_SOCKET_AUTOPID) < 0) {
		if (q->ct != NULL)
			mnl_socket_close(q->ct);
		q->ct = NULL;
		free(q->cbuf);
		q->cbuf = NULL;
		return;
	}
	fd = mnl_socket_get_fd(q->ct);
	/* Only the answer's header, not our whole update echoed back. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/*
 * alloc_slots - the receive slots for copy_range bytes of payload: as
 * many as RECV_MEM holds, one at least, RECV_BURST at most; -1 when
 * there is no memory.
 */
static int
alloc_slots(struct ng_nfq *q, unsigned copy_range)
{
	unsigned i;

	q->slot = (size_t)copy_range + MSG_SLACK;
	if (q->slot < SLOT_MIN)
		q->slot = SLOT_MIN;
	q->slot = NLMSG_ALIGN(q->slot);
	q->nslots = (unsigned)(RECV_MEM / q->slot);
	if (q->nslots < 1)
		q->nslots = 1;
	if (q->nslots > RECV_BURST)
		q->nslots = RECV_BURST;
	q->rbuf = malloc(q->slot * q->nslots);
	q->mm = calloc(q->nslots, sizeof(*q->mm));
	q->iov = calloc(q->nslots, sizeof(*q->iov));
	q->from = calloc(q->nslots, sizeof(*q->from));
	if (q->rbuf == NULL || q->mm == NULL || q->iov == NULL ||
	    q->from == NULL)
		return -1;
	for (i = 0; i < q->nslots; i++) {
		q->iov[i].iov_base = q->rbuf + (size_t)i * q->slot;
		q->iov[i].iov_len = q->slot;
		q->mm[i].msg_hdr.msg_iov = &q->iov[i];
		q->mm[i].msg_hdr.msg_iovlen = 1;
		q->mm[i].msg_hdr.msg_name = &q->from[i];
	}
	return 0;
}

/* ng_nfq_open - bind and set up queue p; NULL with a message in err. */
struct ng_nfq *
ng_nfq_open(const struct ng_nfq_params *p, char *err, size_t errlen)
{
	struct ng_nfq *q = calloc(1, sizeof(*q));
	int fd, r;

	/*
	 * Zeroed: libnetfilter_queue leaves struct and alignment padding
	 * unwritten, and a verdict batch must not carry stale bytes (valgrind
	 * flagged them in daemon_valgrind.sh).
	 */
	if (q == NULL || alloc_slots(q, p->copy_range) < 0 ||
	    (q->sbuf = calloc(1, SEND_BUF_SIZE)) == NULL) {
		set_err(err, errlen, "memory", ENOMEM);
		ng_nfq_close(q);
		return NULL;
	}
	q->queue = p->queue;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (q->nl == NULL) {
		set_err(err, errlen, "netlink socket", errno);
		ng_nfq_close(q);
		return NULL;
	}
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		set_err(err, errlen, "netlink bind", errno);
		ng_nfq_close(q);
		return NULL;
	}
	fd = mnl_socket_get_fd(q->nl);
	/*
	 * No NETLINK_NO_ENOBUFS: when the receive buffer overflows the
	 * kernel fails the packets open (FAIL_OPEN covers a failed unicast
	 * too) and the next read says ENOBUFS once.  Counting that is the
	 * only way to know the gate missed connections; the socket itself
	 * keeps working.
	 */
	set_rcvbuf(fd, p->rcvbuf);
	/*
	 * The kernel checks the flags before it binds, so a kernel built
	 * without CONFIG_NETFILTER_NETLINK_GLUE_CT refuses the whole message
	 * with EOPNOTSUPP and we can try again without F_CONNTRACK; the
	 * connmark is then set with a ctnetlink update (ng_nfq_ct_mark).
	 */
	q->ct_glue = 1;
	r = configure(q, p, NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO |
	    NFQA_CFG_F_CONNTRACK, 1, err, errlen);
	if (r == 0)
		return q;
	q->ct_glue = 0;
	if (r == -EOPNOTSUPP && configure(q, p, NFQA_CFG_F_FAIL_OPEN |
	    NFQA_CFG_F_GSO, 2, err, errlen) == 0) {
		open_ct(q);
		return q;
	}
	ng_nfq_close(q);
	return NULL;
}

/* ng_nfq_close - flush what is queued and close; the kernel unbinds. */
void
ng_nfq_close(struct ng_nfq *q)
{
	if (q == NULL)
		return;
	if (q->nl != NULL) {
		ng_nfq_flush(q);
		mnl_socket_close(q->nl);	/* the kernel unbinds */
	}
	if (q->ct != NULL)
		mnl_socket_close(q->ct);
	free(q->rbuf);
	free(q->mm);
	free(q->iov);
	free(q->from);
	free(q->sbuf);
	free(q->cbuf);
	free(q);
}

/* ng_nfq_ct_glue - 1 when verdicts can set the connmark (NFQA_CT). */
int
ng_nfq_ct_glue(const struct ng_nfq *q)
{
	return q->ct_glue;
}

/* ng_nfq_fd - the netlink socket, for the event loop. */
int
ng_nfq_fd(const struct ng_nfq *q)
{
	return mnl_socket_get_fd(q->nl);
}

/* ng_nfq_counters - what the queue counted so far. */
const struct ng_nfq_counters *
ng_nfq_counters(const struct ng_nfq *q)
{
	return &q->c;
}

/*
 * ng_nfq_set_maxlen - a new kernel queue length (SIGHUP); unacknowledged,
 * -1 only when the message cannot be sent.
 */
int
ng_nfq_set_maxlen(struct ng_nfq *q, unsigned maxlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));	/* padding goes out too */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->queue);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	return mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* ct_attr - keep a valid CTA_MARK of a packet's NFQA_CT nest in tb. */
static int
ct_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) == CTA_MARK &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		tb[CTA_MARK] = a;
	return MNL_CB_OK;
}

/* ng_nfq_parse_packet - one packet message into pkt; -1 when it is none. */
int
ng_nfq_parse_packet(const void *msg, struct ng_nfq_pkt *pkt)
{
	const struct nlmsghdr *nlh = msg;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	const struct nlattr *ct[CTA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;

	memset(pkt, 0, sizeof(*pkt));
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return -1;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -1;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL ||
	    mnl_attr_get_payload_len(attr[NFQA_PACKET_HDR]) < sizeof(*ph))
		return -1;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	pkt->id = ntohl(ph->packet_id);
	pkt->hw_proto = ntohs(ph->hw_protocol);
	if (attr[NFQA_PAYLOAD] != NULL) {
		pkt->data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		pkt->caplen = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	pkt->wirelen = pkt->caplen;
	if (attr[NFQA_CAP_LEN] != NULL &&
	    mnl_attr_get_payload_len(attr[NFQA_CAP_LEN]) >= 4)
		pkt->wirelen = ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN]));
	if (pkt->wirelen < pkt->caplen)
		pkt->wirelen = pkt->caplen;
	if (attr[NFQA_MARK] != NULL &&
	    mnl_attr_get_payload_len(attr[NFQA_MARK]) >= 4)
		pkt->mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_CT] != NULL) {
		pkt->has_ct = 1;
		if (mnl_attr_parse_nested(attr[NFQA_CT], ct_attr, ct) >= 0 &&
		    ct[CTA_MARK] != NULL)
			pkt->ctmark = ntohl(mnl_attr_get_u32(ct[CTA_MARK]));
	}
	return 0;
}

/*
 * ng_nfq_build_verdict - one verdict message in buf (len bytes); its
 * length, or 0 when len is short of VERDICT_ROOM.
 */
size_t
ng_nfq_build_verdict(void *buf, size_t len, unsigned queue, uint32_t id,
    int verdict, int set_mark, uint32_t mark, uint32_t ctmark,
    uint32_t ctmask)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (len < VERDICT_ROOM)
		return 0;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	if (set_mark)
		nfq_nlmsg_verdict_put_mark(nlh, mark);
	if (ctmask != 0) {
		/* ctnetlink: new = (old & ~mask) ^ mark, so the connmark's
		 * other bits (someone else's) survive. */
		nest = mnl_attr_nest_start(nlh, NFQA_CT);
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(ctmark & ctmask));
		mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(ctmask));
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh->nlmsg_len;
}

/*
 * send_batch - len bytes of messages in one sendmsg on nl.  A transient
 * failure is retried a little, then counted: the kernel fails open the
 * packets whose verdicts were lost.
 */
static void
send_batch(struct ng_nfq *q, struct mnl_socket *nl, const void *buf,
    size_t len)
{
	ssize_t n;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		n = mnl_socket_sendto(nl, buf, len);
		if (n >= 0 || (errno != EINTR && errno != ENOBUFS &&
		    errno != EAGAIN))
			break;
	}
	if (n < 0)
		q->c.send_errors++;
}

/*
 * ng_nfq_flush - send the verdicts queued so far in one sendmsg, then
 * the connmark updates queued with them in another.
 */
void
ng_nfq_flush(struct ng_nfq *q)
{
	if (q->sendlen > 0)
		send_batch(q, q->nl, q->sbuf, q->sendlen);
	q->sendlen = 0;
	/* The updates after the verdicts they follow: their entries are
	 * confirmed by then. */
	if (q->ctlen > 0)
		send_batch(q, q->ct, q->cbuf, q->ctlen);
	q->ctlen = 0;
}

/* ng_nfq_verdict - queue one verdict; see nfq.h. */
void
ng_nfq_verdict(struct ng_nfq *q, uint32_t id, int verdict, int set_mark,
    uint32_t mark, uint32_t ctmark, uint32_t ctmask)
{
	size_t n;

	if (SEND_BUF_SIZE - q->sendlen < VERDICT_ROOM)
		ng_nfq_flush(q);
	n = ng_nfq_build_verdict(q->sbuf + q->sendlen,
	    SEND_BUF_SIZE - q->sendlen, q->queue, id, verdict, set_mark, mark,
	    ctmark, ctmask);
	q->sendlen += NLMSG_ALIGN(n);
	q->c.verdicts++;
}

/*
 * ng_nfq_queue_ct - a ctnetlink message (conntrack.c) into the verdict
 * batch, after the verdicts queued before it; counted in ct_updates.
 */
void
ng_nfq_queue_ct(struct ng_nfq *q, const void *msg, size_t len)
{
	size_t room = NLMSG_ALIGN(len);

	if (len == 0 || room > VERDICT_ROOM)
		return;
	if (q->ct != NULL) {
		/* Full: out with the verdicts before it, then this. */
		if (CT_BUF_SIZE - q->ctlen < VERDICT_ROOM)
			ng_nfq_flush(q);
		memcpy(q->cbuf + q->ctlen, msg, len);
		memset(q->cbuf + q->ctlen + len, 0, room - len);
		q->ctlen += room;
	} else {
		if (SEND_BUF_SIZE - q->sendlen < VERDICT_ROOM)
			ng_nfq_flush(q);
		memcpy(q->sbuf + q->sendlen, msg, len);
		memset(q->sbuf + q->sendlen + len, 0, room - len);
		q->sendlen += room;
	}
	q->c.ct_updates++;
}

/*
 * ng_nfq_ct_drain - read the updates' socket (a bounded number of
 * datagrams, never waiting) and count its error answers in nl_errors;
 * an overflow since the last drain counts as one.
 */
void
ng_nfq_ct_drain(struct ng_nfq *q)
{
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *me;
	ssize_t n;
	int i, left;

	if (q == NULL || q->ct == NULL)
		return;
	for (i = 0; i < CT_DRAIN_MAX; i++) {
		n = recv(mnl_socket_get_fd(q->ct), q->rbuf, q->slot,
		    MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				q->c.nl_errors++;
				continue;
			}
			if (errno == EINTR)
				continue;
			break;		/* EAGAIN: all read */
		}
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)q->rbuf;
		    mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			me = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*me)) &&
			    me->error != 0)
				q->c.nl_errors++;
		}
	}
}

/*
 * note_id - count the holes in the packet ids: ids are consecutive, and
 * a hole is a packet the kernel could not hand us (socket full) and let
 * through, failing open.
 */
static void
note_id(struct ng_nfq *q, uint32_t id)
{
	uint32_t d = id - q->last_id;

	if (q->have_id && d > 1 && d < 0x80000000u)
		q->c.id_gaps += d - 1;
	q->last_id = id;
	q->have_id = 1;
}

/*
 * walk - each message of one datagram (n bytes at buf): packets to fn,
 * error replies counted; a bad message skipped, never the ones behind
 * it.
 */
static void
walk(struct ng_nfq *q, char *buf, int n,
    void (*fn)(const struct ng_nfq_pkt *, void *), void *arg, int *count)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *me;
	struct ng_nfq_pkt pkt;

	for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
	    nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			me = mnl_nlmsg_get_payload(nlh);
			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*me)) &&
			    me->error != 0)
				q->c.nl_errors++;
			continue;
		}
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		if (ng_nfq_parse_packet(nlh, &pkt) < 0) {
			q->c.bad_msgs++;
			continue;
		}
		q->c.packets++;
		note_id(q, pkt.id);
		fn(&pkt, arg);
		(*count)++;
	}
}

/*
 * truncated - a datagram longer than its slot (len bytes kept), which
 * our slots' size rules out.  Should it happen, its packet must still
 * get a verdict, or it would wait in the kernel for ever: the message
 * is cut to what arrived, so the walk finds the packet's id in the
 * header attribute (the first) and, its payload lost, fails it open.
 */
static void
truncated(struct ng_nfq *q, void *buf, unsigned len)
{
	struct nlmsghdr *nlh = buf;

	q->c.bad_msgs++;
	if (len >= sizeof(*nlh) && nlh->nlmsg_len > len)
		nlh->nlmsg_len = len;
}

/*
 * ng_nfq_receive - read what the socket has, one recvmmsg() of up to
 * nslots datagrams (a few more calls only for EINTR and ENOBUFS); see
 * nfq.h.  Their verdicts leave together at the end, none later.
 */
int
ng_nfq_receive(struct ng_nfq *q,
    void (*fn)(const struct ng_nfq_pkt *, void *), void *arg)
{
	unsigned i;
	int n = 0, tries, count = 0;

	for (tries = 0; tries < 4; tries++) {
		for (i = 0; i < q->nslots; i++)	/* the kernel wrote them */
			q->mm[i].msg_hdr.msg_namelen = sizeof(q->from[i]);
		n = recvmmsg(mnl_socket_get_fd(q->nl), q->mm, q->nslots,
		    MSG_DONTWAIT, NULL);
		if (n >= 0)
			break;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			n = 0;
			break;
		}
		if (errno == ENOBUFS) {
			/* Reported once, before what is still queued. */
			q->c.enobufs++;
			continue;
		}
		if (errno != EINTR) {
			ng_nfq_flush(q);
			return -1;
		}
	}
	for (i = 0; n > 0 && i < (unsigned)n; i++) {
		if (q->from[i].nl_pid != 0)	/* only the kernel talks to us */
			continue;
		if (q->mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			truncated(q, q->iov[i].iov_base, q->mm[i].msg_len);
		/* Verdicts pile up in sbuf and leave together below. */
		walk(q, q->iov[i].iov_base, (int)q->mm[i].msg_len, fn, arg,
		    &count);
	}
	ng_nfq_flush(q);
	return count;
}
