/*
 * synflood.c - a bounded SYN storm from many source addresses, for the
 * NFQUEUE throughput benchmark.
 *
 * It writes whole Ethernet frames (explicit MACs) to an AF_PACKET socket
 * on one interface, so the sending side needs no addresses, routes or
 * sockets of its own and the kernel on the far side sees SYNs from all
 * over the IPv4 space: every country the policy knows about.  Frames go
 * out in sendmmsg() batches; the storm stops after COUNT frames or
 * SECONDS, whichever comes first.  Run it inside a namespace only.
 *
 * usage: synflood IFNAME DSTMAC DSTIP DPORT COUNT SECONDS [SEED]
 * Prints sent=N, secs=T and pps=R, one per line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "synpkt.h"

#define BATCH 64
#define FRAME (14 + SYN_IPLEN)

static uint64_t rng;

static uint32_t
next_rand(void)
{
	return syn_rand(&rng);
}

/* A unicast source the receiving kernel will not call a martian. */
static uint32_t
draw_source(uint32_t dst)
{
	uint32_t a;

	for (;;) {
		a = next_rand();
		if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 24) >= 224)
			continue;
		if ((a >> 8) == (dst >> 8))	/* the target's own subnet */
			continue;
		return a;
	}
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
	    &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

static int
open_socket(const char *ifname, uint8_t srcmac[6])
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, one = 1;

	if ((fd = socket(AF_PACKET, SOCK_RAW, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(srcmac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	/* The veth has no qdisc worth going through. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
	    sizeof(one));
	return fd;
}

int
main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint8_t dmac[6], smac[6];
	struct in_addr dst;
	unsigned long count, sent = 0;
	double secs, t0, t;
	unsigned dport, i, n;
	int fd, r;

	if (argc < 7 || parse_mac(argv[2], dmac) < 0 ||
	    inet_pton(AF_INET, argv[3], &dst) != 1) {
		fprintf(stderr, "usage: synflood IFNAME DSTMAC DSTIP DPORT "
		    "COUNT SECONDS [SEED]\n");
		return 2;
	}
	dport = (unsigned)strtoul(argv[4], NULL, 10);
	count = strtoul(argv[5], NULL, 10);
	secs = strtod(argv[6], NULL);
	rng = argc > 7 ? strtoull(argv[7], NULL, 0) : 0x5eed5eed5eedULL;
	if (rng == 0)
		rng = 1;
	if ((fd = open_socket(argv[1], smac)) < 0) {
		fprintf(stderr, "synflood: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		memcpy(frames[i], dmac, 6);
		memcpy(frames[i] + 6, smac, 6);
		frames[i][12] = 0x08;		/* IPv4 */
		frames[i][13] = 0x00;
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = t = now_sec();
	while (sent < count && t - t0 < secs) {
		n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
		for (i = 0; i < n; i++)
			syn_build(frames[i] + 14, draw_source(ntohl(dst.s_addr)),
			    ntohl(dst.s_addr), (uint16_t)(1024 +
			    next_rand() % 64000), (uint16_t)dport, next_rand());
		r = sendmmsg(fd, msg, n, 0);
		t = now_sec();
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN ||
			    errno == EINTR)
				continue;
			fprintf(stderr, "synflood: sendmmsg: %s\n",
			    strerror(errno));
			return 1;
		}
		sent += (unsigned long)r;
	}
	printf("sent=%lu\nsecs=%.3f\npps=%.0f\n", sent, t - t0,
	    (double)sent / (t - t0));
	close(fd);
	return 0;
}
