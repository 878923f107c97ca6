/*
 * nfq_acceptall.c - the least an NFQUEUE handler can do: accept every
 * packet, one verdict per packet, over libmnl and libnetfilter_queue's
 * nfq_nlmsg_* API.
 *
 * It is the baseline for the gate's NFQUEUE throughput: the same queue,
 * the same queue settings (copy mode and range, queue length, flags,
 * socket buffer) and the same traffic, with no decision at all.  Any gap
 * between the two is what the gate's parsing, lookups and flow table
 * cost.  It prints how many packets it verdicted so far on SIGUSR1 and
 * when it stops, on SIGTERM/SIGINT or after SECONDS.
 *
 * usage: nfq_acceptall QUEUE [SECONDS [MAXLEN [COPYRANGE [RCVBUF]]]]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static volatile sig_atomic_t stop, report;
static struct mnl_socket *nl;
static unsigned queue;
static unsigned long verdicts;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		report = 1;
	else
		stop = 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "nfq_acceptall: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
send_msg(struct nlmsghdr *nlh, const char *what)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die(what);
}

static int
on_packet(const struct nlmsghdr *nlh, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *v;

	(void)arg;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
	send_msg(v, "verdict");
	verdicts++;
	return MNL_CB_OK;
}

/* One config message, acknowledged; -1 with errno when refused. */
static int
config(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	static unsigned seq;
	ssize_t r;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	send_msg(nlh, "config");
	if ((r = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)r, seq, mnl_socket_get_portid(nl),
	    NULL, NULL) < 0 ? -1 : 0;
}

/*
 * The gate's settings (daemon/nfq.c, daemon/live_setup.c): copy mode and range, queue length
 * and flags: whole GSO packets, fail open on a full queue and conntrack
 * attributes, the last left out when the kernel lacks them (as the gate
 * must do too).
 */
static void
bind_queue(unsigned maxlen, int range)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t flags = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN |
	    NFQA_CFG_F_CONNTRACK;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config(nlh) < 0)
		die("bind");
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, range);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	if (config(nlh) < 0)
		die("queue parameters");
	for (;;) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
		if (config(nlh) == 0)
			break;
		if (!(flags & NFQA_CFG_F_CONNTRACK))
			die("queue flags");
		fprintf(stderr, "nfq_acceptall: no conntrack attributes in "
		    "this kernel\n");
		flags &= ~(uint32_t)NFQA_CFG_F_CONNTRACK;
	}
}

int
main(int argc, char **argv)
{
	char *buf;
	size_t bufsz = 0xffff + MNL_SOCKET_BUFFER_SIZE / 2;
	struct timeval tv = { 1, 0 };
	double secs, t0;
	unsigned maxlen;
	int one = 1, range, rcvbuf, r;
	unsigned portid;

	if (argc < 2) {
		fprintf(stderr, "usage: nfq_acceptall QUEUE [SECONDS [MAXLEN "
		    "[COPYRANGE [RCVBUF]]]]\n");
		return 2;
	}
	queue = (unsigned)strtoul(argv[1], NULL, 10);
	secs = argc > 2 ? strtod(argv[2], NULL) : 600;
	maxlen = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 4096;
	range = argc > 4 ? atoi(argv[4]) : 0xffff;
	rcvbuf = argc > 5 ? atoi(argv[5]) : 0;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);

	if ((buf = malloc(bufsz)) == NULL)
		die("malloc");
	if ((nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		die("mnl_socket_open");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("mnl_socket_bind");
	portid = mnl_socket_get_portid(nl);
	/* A full socket must not end the benchmark: the kernel counts it. */
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_NO_ENOBUFS,
	    &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv));
	if (rcvbuf > 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		    &rcvbuf, sizeof(rcvbuf));
	bind_queue(maxlen, range);
	fprintf(stderr, "nfq_acceptall: bound to queue %u\n", queue);

	t0 = (double)time(NULL);
	while (!stop && (double)time(NULL) - t0 < secs) {
		if (report) {
			report = 0;
			printf("verdicts=%lu\n", verdicts);
			fflush(stdout);
		}
		r = (int)mnl_socket_recvfrom(nl, buf, bufsz);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR ||
			    errno == ENOBUFS)
				continue;
			die("recv");
		}
		if (mnl_cb_run(buf, (size_t)r, 0, portid, on_packet,
		    NULL) < 0 && errno != EINTR)
			die("mnl_cb_run");
	}
	printf("verdicts=%lu\n", verdicts);
	mnl_socket_close(nl);
	free(buf);
	return 0;
}
