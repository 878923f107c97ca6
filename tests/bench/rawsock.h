/*
 * rawsock.h - what the raw-frame senders (bench/synflood, the spoofer in
 * tests/helpers/spoof.c) share: an AF_PACKET socket bound to one
 * interface, MAC parsing and a monotonic clock (the generator is
 * synpkt.h's syn_rand).
 * Header-only so each tool stays one file.  Run such tools inside a
 * namespace only.
 */
#ifndef NG_BENCH_RAWSOCK_H
#define NG_BENCH_RAWSOCK_H

#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

static inline double
raw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
raw_parse_mac(const char *s, uint8_t mac[6])
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

/* raw_open - AF_PACKET socket on ifname; its MAC in srcmac; -1, errno. */
static inline int
raw_open(const char *ifname, uint8_t srcmac[6], int qdisc_bypass)
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
	if (qdisc_bypass)
		(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		    sizeof(one));
	return fd;
}

#endif
