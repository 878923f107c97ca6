/*
 * spoof.c - an off-path spoofer, for tests/sh/live_spoof.sh.
 *
 * It forges TCP segments with a victim's IPv4 source address towards a
 * server: SYNs, SYNs with data (a Fast Open cookie option and an EHLO),
 * handshake ACKs and data with guessed sequence and acknowledgement
 * numbers (for its own SYNs it knows the sequence number, never the
 * server's ISN), RSTs and FINs, and data behind an odd TCP option (an
 * unknown kind of length 1).  Ports are drawn from the range the victim's
 * kernel picks its own from, so many segments hit the 4-tuple of a real
 * session.  It never reads a reply: it is blind, as a real spoofer is.
 *
 * Whole Ethernet frames with explicit MACs go to an AF_PACKET socket,
 * with correct IP and TCP checksums so the far kernel treats them as it
 * would on the wire.  Bounded: COUNT frames or SECONDS, whichever comes
 * first, paced evenly over SECONDS.  Run it inside a namespace only.
 *
 * usage: spoof IFNAME DSTMAC SRCIP DSTIP DPORT PORTLO PORTHI COUNT SECONDS
 *     [SEED]
 * Prints sent=N and one count per kind (syn= syndata= ack= data= own=
 * rst= fin= odd=), one per line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bench/rawsock.h"
#include "../bench/synpkt.h"

#define FRAME_MAX 128

enum kind { K_SYN, K_SYNDATA, K_ACK, K_DATA, K_OWN, K_RST, K_FIN, K_ODD,
	K_MAX };
static const char *kind_names[K_MAX] = { "syn", "syndata", "ack", "data",
	"own", "rst", "fin", "odd" };

static uint64_t rng;

static uint32_t
next_rand(void)
{
	return syn_rand(&rng);
}

struct seg {
	uint32_t src, dst;		/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *opt;
	size_t nopt;			/* a multiple of 4 */
	const char *data;
};

/* build - an IPv4 TCP segment at ip; returns its length. */
static size_t
build(uint8_t *ip, const struct seg *s)
{
	size_t dlen = s->data ? strlen(s->data) : 0, th = 20 + s->nopt;
	size_t len = 20 + th + dlen;
	uint8_t *tcp = ip + 20;
	uint32_t sum;

	memset(ip, 0, len);
	ip[0] = 0x45;
	syn_put16(ip + 2, (uint16_t)len);
	syn_put16(ip + 4, (uint16_t)next_rand());
	ip[6] = 0x40;				/* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &s->src, 4);
	memcpy(ip + 16, &s->dst, 4);
	syn_put16(ip + 10, syn_csum_fold(syn_csum_add(0, ip, 20)));
	syn_put16(tcp, s->sport);
	syn_put16(tcp + 2, s->dport);
	syn_put32(tcp + 4, s->seq);
	syn_put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((th / 4) << 4);
	tcp[13] = s->flags;
	syn_put16(tcp + 14, 64240);
	memcpy(tcp + 20, s->opt, s->nopt);
	memcpy(tcp + th, s->data, dlen);
	sum = syn_csum_add(0, ip + 12, 8) + 6 + (uint32_t)(th + dlen);
	syn_put16(tcp + 16, syn_csum_fold(syn_csum_add(sum, tcp, th + dlen)));
	return len;
}

/* One forged segment of a random kind; returns the kind. */
static enum kind
forge(struct seg *s, uint16_t lo, uint16_t hi, uint32_t own_isn[])
{
	static const uint8_t tfo[4] = { 0x22, 2, 1, 0 };  /* cookie, NOP EOL */
	static const uint8_t odd[4] = { 0x99, 1, 0, 0 };  /* kind, length 1 */
	static const char *talk[] = { "EHLO spoof.test\r\n", "\r\n",
	    "QUIT\r\n", "MAIL FROM:<x@y>\r\n" };
	unsigned k = next_rand() % K_MAX, p = next_rand() % (hi - lo + 1u);

	s->sport = (uint16_t)(lo + p);
	s->seq = next_rand();
	s->ack = next_rand();
	s->opt = NULL;
	s->nopt = 0;
	s->data = NULL;
	switch (k) {
	case K_SYN:
	case K_SYNDATA:
		s->flags = 0x02;
		s->ack = 0;
		own_isn[p] = s->seq;
		if (k == K_SYNDATA) {
			s->opt = tfo;
			s->nopt = 4;
			s->data = talk[0];
		}
		break;
	case K_ACK:
		s->flags = 0x10;
		break;
	case K_OWN:		/* after its own SYN: right seq, guessed ack */
		s->seq = own_isn[p] + 1;
		/* FALLTHROUGH */
	case K_DATA:
		s->flags = 0x18;
		s->data = talk[next_rand() % 4];
		break;
	case K_RST:
		s->flags = next_rand() & 1 ? 0x04 : 0x14;
		break;
	case K_FIN:
		s->flags = 0x11;
		break;
	default:
		s->flags = 0x18;
		s->opt = odd;
		s->nopt = 4;
		s->data = talk[0];
		break;
	}
	return (enum kind)k;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spoof IFNAME DSTMAC SRCIP DSTIP DPORT PORTLO "
	    "PORTHI COUNT SECONDS [SEED]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static uint32_t own_isn[65536];
	uint8_t frame[FRAME_MAX], dmac[6], smac[6];
	unsigned long count, sent = 0, per[K_MAX] = { 0 };
	unsigned long lo, hi;
	double secs, t0;
	struct seg s;
	struct timespec gap;
	size_t len;
	int fd, i;
	enum kind k;

	if (argc < 10 || raw_parse_mac(argv[2], dmac) < 0 ||
	    inet_pton(AF_INET, argv[3], &s.src) != 1 ||
	    inet_pton(AF_INET, argv[4], &s.dst) != 1)
		usage();
	s.dport = (uint16_t)strtoul(argv[5], NULL, 10);
	lo = strtoul(argv[6], NULL, 10);
	hi = strtoul(argv[7], NULL, 10);
	count = strtoul(argv[8], NULL, 10);
	secs = strtod(argv[9], NULL);
	if (lo == 0 || hi > 65535 || lo > hi || count == 0 || count > 1000000 ||
	    !(secs > 0 && secs <= 60))
		usage();
	rng = argc > 10 ? strtoull(argv[10], NULL, 0) : 0x5b00f5b00fULL;
	if (rng == 0)
		rng = 1;
	if ((fd = raw_open(argv[1], smac, 0)) < 0) {
		fprintf(stderr, "spoof: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	gap.tv_sec = 0;
	gap.tv_nsec = (long)(secs * 1e9 / (double)count);
	t0 = raw_now();
	while (sent < count && raw_now() - t0 < secs) {
		k = forge(&s, (uint16_t)lo, (uint16_t)hi, own_isn);
		len = build(frame + 14, &s);
		if (send(fd, frame, 14 + len, 0) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			fprintf(stderr, "spoof: send: %s\n", strerror(errno));
			return 1;
		}
		sent++;
		per[k]++;
		nanosleep(&gap, NULL);
	}
	printf("sent=%lu\n", sent);
	for (i = 0; i < K_MAX; i++)
		printf("%s=%lu\n", kind_names[i], per[i]);
	return 0;
}
