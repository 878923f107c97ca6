/*
 * smtpburst.c - polite new SMTP clients at a given rate, each from its
 * own source address, each delivering one short mail: how many sessions
 * does the MTA behind the gate complete, how soon, and how many
 * handshakes or sessions fail on the way?
 *
 * Client I starts its connect at I / RATE seconds (RATE 0: all at once)
 * from FIRST + I; the client namespace routes the block to lo as local
 * (AnyIP), as for holdclients.  Each client waits for the 220 greeting,
 * then says EHLO, MAIL FROM, RCPT TO, DATA, a few lines, "." and QUIT,
 * one command per reply, never before the reply (a polite client, which
 * the gate must pass).  The mail counts as delivered at the 250 after
 * the "."; the MTA has queued it then.
 *
 * A failed connect, a reset or an end of file before the 250, a reply
 * with an unexpected code and a session still going at the deadline are
 * counted apart.  A connect that took longer than 0.9 s had its SYN
 * retransmitted (the first retransmission is at 1 s).  Bounded by N
 * clients and SECONDS; it ends as soon as every client is done.  One
 * process and one epoll loop: a session costs a few system calls, so the
 * clients do not compete with the MTA for the CPU as swaks (perl) would.
 *
 * usage: smtpburst DSTADDR PORT FIRST N RATE SECONDS [PAUSE]
 * PAUSE: a greeting sooner than 0.95 * PAUSE after the connect started
 * is "early" (the gate failed open).  Prints key=value lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchclock.h"

#define MAXN	60000
#define LINEMAX	512

/* Where a session is: what it waits for next. */
enum {
	S_IDLE, S_CONNECTING, S_GREETING, S_EHLO, S_MAIL, S_RCPT, S_DATA,
	S_DOT, S_QUIT, S_DONE, S_FAILED
};

/* How a session failed, for the counters. */
enum { F_CONNECT, F_RESET, F_REPLY, F_TIMEOUT, F_NFAIL };

struct conn {
	int fd;
	unsigned char state;
	unsigned short len;		/* bytes in buf */
	double start, connected, greeted, delivered;
	char buf[LINEMAX];
};

static struct conn *cs;
static unsigned long nfail[F_NFAIL], ndone, nconn, ngreet, ndeliv, nslow;
static unsigned long nearly;
static double tconn_max, tgreet_sum, tgreet_min = 1e9, tgreet_max;
static double tdeliv_last, pause_sec;

/* finish - close a session as done or as failed for reason why. */
static void
finish(struct conn *c, int why)
{
	if (why >= 0) {
		nfail[why]++;
		c->state = S_FAILED;
	} else
		c->state = S_DONE;
	close(c->fd);
	c->fd = -1;
	ndone++;
}

/* start_connect - a non-blocking connect from src for client idx. */
static void
start_connect(struct conn *c, int ep, uint32_t src,
    const struct sockaddr_in *dst, unsigned idx, double t)
{
	struct sockaddr_in sin;
	struct epoll_event ev;

	c->start = t;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		c->state = S_FAILED;
		nfail[F_CONNECT]++;
		ndone++;
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(src);
	c->state = S_CONNECTING;
	if (bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (connect(c->fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 &&
	    errno != EINPROGRESS)) {
		finish(c, F_CONNECT);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.u32 = idx;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		finish(c, F_CONNECT);
}

/* say - send one command; a short write on a fresh socket is a failure. */
static int
say(struct conn *c, const char *s)
{
	size_t n = strlen(s);

	return write(c->fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* reply - one complete reply (its last line) for the session's state. */
static void
reply(struct conn *c, int code, double t)
{
	static const int want[] = {
		[S_GREETING] = 220, [S_EHLO] = 250, [S_MAIL] = 250,
		[S_RCPT] = 250, [S_DATA] = 354, [S_DOT] = 250, [S_QUIT] = 221
	};
	const char *next = NULL;
	char b[128];

	if (c->state == S_QUIT) {	/* whatever it says: done */
		finish(c, -1);
		return;
	}
	if (code != want[c->state]) {
		finish(c, F_REPLY);
		return;
	}
	switch (c->state) {
	case S_GREETING:
		c->greeted = t;
		ngreet++;
		tgreet_sum += t - c->start;
		if (t - c->start < tgreet_min)
			tgreet_min = t - c->start;
		if (t - c->start > tgreet_max)
			tgreet_max = t - c->start;
		if (t - c->start < pause_sec * 0.95)
			nearly++;
		next = "EHLO client.bench.test\r\n";
		break;
	case S_EHLO:
		next = "MAIL FROM:<bench@bench.test>\r\n";
		break;
	case S_MAIL:
		next = "RCPT TO:<mbox@test.domain>\r\n";
		break;
	case S_RCPT:
		next = "DATA\r\n";
		break;
	case S_DATA:
		snprintf(b, sizeof(b), "Subject: smtpburst %d\r\n"
		    "From: bench@bench.test\r\n\r\nA short mail.\r\n.\r\n",
		    c->fd);
		next = b;
		break;
	case S_DOT:
		c->delivered = t;
		ndeliv++;
		tdeliv_last = t;
		next = "QUIT\r\n";
		break;
	}
	c->state++;
	if (next == NULL || say(c, next) < 0)
		finish(c, F_RESET);
}

/* readable - read what came, act on each complete reply in it. */
static void
readable(struct conn *c, double t)
{
	ssize_t r;
	char *p, *nl;
	size_t room = sizeof(c->buf) - 1 - c->len, used;

	r = read(c->fd, c->buf + c->len, room);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		/* After the 250 an end of file is as good as a 221. */
		finish(c, c->state == S_QUIT ? -1 : F_RESET);
		return;
	}
	c->len = (unsigned short)(c->len + (size_t)r);
	c->buf[c->len] = '\0';
	p = c->buf;
	while (c->state < S_DONE && (nl = strchr(p, '\n')) != NULL) {
		/* "ddd-" goes on, "ddd " or "ddd" ends the reply. */
		if (nl - p < 3) {
			finish(c, F_REPLY);
			return;
		}
		if (p[3] != '-')
			reply(c, atoi(p), t);
		p = nl + 1;
	}
	if (c->state >= S_DONE)
		return;
	used = (size_t)(p - c->buf);
	memmove(c->buf, p, c->len - used);
	c->len = (unsigned short)(c->len - used);
	if (c->len == sizeof(c->buf) - 1)	/* a line too long for us */
		finish(c, F_REPLY);
}

/* event - one epoll event of client c. */
static void
event(struct conn *c, int ep, unsigned idx, unsigned events, double t)
{
	struct epoll_event ev;
	socklen_t elen;
	int err = 0;

	if (c->state == S_CONNECTING) {
		elen = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ||
		    err != 0) {
			finish(c, F_CONNECT);
			return;
		}
		c->connected = t;
		nconn++;
		if (t - c->start > tconn_max)
			tconn_max = t - c->start;
		if (t - c->start > 0.9)
			nslow++;
		c->state = S_GREETING;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = idx;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		readable(c, t);
}

/* main - start the clients at the rate, run the sessions, print. */
int
main(int argc, char **argv)
{
	struct sockaddr_in dst;
	struct in_addr first;
	struct epoll_event evs[512];
	struct rlimit rl;
	unsigned long n, next = 0, i;
	double rate, secs, t0, t, tarrive = 0;
	int ep, k, m, ms;

	if (argc < 7 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &first) != 1) {
		fprintf(stderr, "usage: smtpburst DSTADDR PORT FIRST N RATE "
		    "SECONDS [PAUSE]\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	n = strtoul(argv[4], NULL, 10);
	rate = strtod(argv[5], NULL);
	secs = strtod(argv[6], NULL);
	pause_sec = argc > 7 ? strtod(argv[7], NULL) : 0;
	if (n == 0 || n > MAXN || rate < 0 || secs <= 0 || secs > 3600) {
		fprintf(stderr, "smtpburst: N 1..%d, RATE >= 0, SECONDS "
		    "1..3600\n", MAXN);
		return 2;
	}
	/* One descriptor per client and a few more. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < n + 16) {
			fprintf(stderr, "smtpburst: %lu clients need more "
			    "open files than the limit\n", n);
			return 1;
		}
	}
	if ((cs = calloc(n, sizeof(*cs))) == NULL ||
	    (ep = epoll_create1(0)) < 0)
		return 1;

	t0 = now_sec();
	while (ndone < n && (t = now_sec()) - t0 < secs) {
		/* Everyone whose start time has come; then wait until the
		 * next one's, at most 100 ms. */
		while (next < n && (rate == 0 || (double)next / rate <= t - t0)) {
			start_connect(&cs[next], ep, ntohl(first.s_addr) +
			    (uint32_t)next, &dst, (unsigned)next, t);
			if (++next == n)
				tarrive = t - t0;
		}
		ms = 100;
		if (next < n && rate > 0) {
			ms = (int)(((double)next / rate - (t - t0)) * 1000) + 1;
			if (ms > 100)
				ms = 100;
		}
		m = epoll_wait(ep, evs, 512, ms);
		t = now_sec();
		for (k = 0; k < m; k++) {
			unsigned idx = evs[k].data.u32;

			if (cs[idx].state < S_DONE)
				event(&cs[idx], ep, idx, evs[k].events, t);
		}
	}
	for (i = 0; i < n; i++)		/* the deadline passed */
		if (cs[i].state < S_DONE) {
			if (cs[i].state == S_IDLE)
				nfail[F_CONNECT]++;
			else if (cs[i].state == S_QUIT) {
				close(cs[i].fd);
				continue;	/* delivered; QUIT unanswered */
			} else
				nfail[F_TIMEOUT]++;
			if (cs[i].fd > 0)
				close(cs[i].fd);
		}
	printf("n=%lu\nstarted=%lu\nconnected=%lu\ngreeted=%lu\n"
	    "delivered=%lu\nfail_connect=%lu\nfail_reset=%lu\n"
	    "fail_reply=%lu\nfail_timeout=%lu\nconnect_slow=%lu\n"
	    "connect_max=%.3f\ngreet_min=%.3f\ngreet_mean=%.3f\n"
	    "greet_max=%.3f\nearly=%lu\narrive_secs=%.3f\ndone_secs=%.3f\n"
	    "secs=%.3f\n", n, next, nconn, ngreet, ndeliv, nfail[F_CONNECT],
	    nfail[F_RESET], nfail[F_REPLY], nfail[F_TIMEOUT], nslow,
	    tconn_max, ngreet ? tgreet_min : 0,
	    ngreet ? tgreet_sum / (double)ngreet : 0, tgreet_max, nearly,
	    tarrive, ndeliv ? tdeliv_last - t0 : 0, now_sec() - t0);
	free(cs);
	return 0;
}
