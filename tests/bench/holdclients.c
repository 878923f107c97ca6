/*
 * holdclients.c - many polite SMTP clients at once, each from its own
 * source address, each waiting for the greeting: how many greetings can
 * the gate hold at the same time without losing one or letting one out
 * early (failing open)?
 *
 * Connects are non-blocking and paced (at most PENDING handshakes in
 * flight) so the clients measure the gate's holding, not a SYN backlog.
 * For every connection it records when connect() started and when the
 * first greeting byte came.  A greeting sooner than PAUSE is "early",
 * a connection that fails, is reset or gets nothing before the deadline
 * is "lost".  Bounded by N connections and SECONDS.
 *
 * The source addresses are FIRST, FIRST+1, ... : the client namespace
 * routes the whole block to lo as local (AnyIP), so any of them can be
 * bound without being configured one by one.  The clients are split over
 * worker processes of at most PER_PROC connections each, because a
 * process may not be allowed more open files than that (RLIMIT_NOFILE,
 * and no CAP_SYS_RESOURCE to raise it); the workers count what is
 * waiting at once in shared memory.
 *
 * usage: holdclients DSTADDR PORT FIRST N PAUSE SECONDS [PENDING]
 * Prints key=value lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchclock.h"

#define PER_PROC 15000

enum { C_IDLE, C_CONNECTING, C_WAITING, C_DONE, C_LOST };

struct conn {
	int fd;
	unsigned char state;
	double start, greeted;
};

/* In shared memory: what waits now and at most, and each worker's sums. */
struct shared {
	unsigned long waiting, peak;
};

struct result {
	unsigned long ok, early, lost;
	double wsum, wmin, tconn;
};

static struct shared *tot;

static void
add_waiting(long d)
{
	unsigned long w = __atomic_add_fetch(&tot->waiting, (unsigned long)d,
	    __ATOMIC_SEQ_CST), p = __atomic_load_n(&tot->peak, __ATOMIC_SEQ_CST);

	while (w > p && !__atomic_compare_exchange_n(&tot->peak, &p, w, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

static int
start_connect(struct conn *c, int ep, uint32_t src, const struct
    sockaddr_in *dst, unsigned idx)
{
	struct sockaddr_in sin;
	struct epoll_event ev;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(src);
	if (bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (connect(c->fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 &&
	    errno != EINPROGRESS)) {
		close(c->fd);
		return -1;
	}
	c->state = C_CONNECTING;
	c->start = now_sec();
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.u32 = idx;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void
finish(struct conn *c, int state)
{
	if (c->state == C_WAITING)
		add_waiting(-1);
	c->state = (unsigned char)state;
	close(c->fd);
	c->fd = -1;
}

/* One worker: connections [0, n) from first, first+1, ... */
static void
worker(const struct sockaddr_in *dst, uint32_t first, unsigned long n,
    double pause, double secs, unsigned long maxpend, struct result *res)
{
	struct rlimit rl;
	struct epoll_event ev, evs[512];
	struct conn *cs;
	unsigned long next = 0, pending = 0, i, done = 0, lost = 0, early = 0;
	unsigned long ok = 0;
	double t0, tconn = 0, wsum = 0, wmin = 1e9, w;
	char b[512];
	int ep, k, m, err;
	socklen_t elen;
	ssize_t r;

	/* As many files as allowed: the hard limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((cs = calloc(n, sizeof(*cs))) == NULL || (ep = epoll_create1(0)) < 0)
		exit(1);
	t0 = now_sec();
	while (done < n && now_sec() - t0 < secs) {
		while (next < n && pending < maxpend) {
			if (start_connect(&cs[next], ep, first + (uint32_t)next,
			    dst, (unsigned)next) < 0) {
				cs[next].state = C_LOST;
				lost++;
				done++;
			} else
				pending++;
			if (++next == n)
				tconn = now_sec() - t0;
		}
		m = epoll_wait(ep, evs, 512, 100);
		for (k = 0; k < m; k++) {
			struct conn *c = &cs[evs[k].data.u32];

			if (c->state == C_CONNECTING) {
				pending--;
				elen = sizeof(err);
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err,
				    &elen);
				if (err != 0) {
					finish(c, C_LOST);
					lost++;
					done++;
					continue;
				}
				c->state = C_WAITING;
				add_waiting(1);
				ev.events = EPOLLIN;
				ev.data.u32 = evs[k].data.u32;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			if (c->state != C_WAITING || !(evs[k].events &
			    (EPOLLIN | EPOLLERR | EPOLLHUP)))
				continue;
			r = read(c->fd, b, sizeof(b));
			if (r < 0 && errno == EAGAIN)
				continue;
			done++;
			if (r <= 0 || b[0] != '2') {
				finish(c, C_LOST);
				lost++;
				continue;
			}
			c->greeted = now_sec();
			w = c->greeted - c->start;
			wsum += w;
			if (w < wmin)
				wmin = w;
			if (w < pause * 0.95)
				early++;
			else
				ok++;
			finish(c, C_DONE);
		}
	}
	for (i = 0; i < n; i++)		/* the deadline passed: lost */
		if (cs[i].state == C_CONNECTING || cs[i].state == C_WAITING ||
		    cs[i].state == C_IDLE)
			lost++;
	res->ok = ok;
	res->early = early;
	res->lost = lost;
	res->wsum = wsum;
	res->wmin = wmin;
	res->tconn = tconn;
	exit(0);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in dst;
	struct in_addr first;
	struct result *res, sum = { 0, 0, 0, 0, 1e9, 0 };
	unsigned long n, maxpend, nw, i, per;
	double pause, secs, t0;
	pid_t pid;

	if (argc < 7 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &first) != 1) {
		fprintf(stderr, "usage: holdclients DSTADDR PORT FIRST N PAUSE "
		    "SECONDS [PENDING]\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	n = strtoul(argv[4], NULL, 10);
	pause = strtod(argv[5], NULL);
	secs = strtod(argv[6], NULL);
	maxpend = argc > 7 ? strtoul(argv[7], NULL, 10) : 1000;
	nw = n > PER_PROC ? (n + PER_PROC - 1) / PER_PROC : 1;
	per = (n + nw - 1) / nw;
	tot = mmap(NULL, sizeof(*tot) + nw * sizeof(*res), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tot == MAP_FAILED)
		return 1;
	res = (struct result *)(tot + 1);	/* zeroed by mmap */

	t0 = now_sec();
	fflush(stdout);
	for (i = 0; i < nw && i * per < n; i++) {
		if ((pid = fork()) < 0)
			return 1;
		if (pid == 0)
			worker(&dst, ntohl(first.s_addr) + (uint32_t)(i * per),
			    n - i * per < per ? n - i * per : per, pause, secs,
			    maxpend / nw + 1, &res[i]);
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i < nw; i++) {
		sum.ok += res[i].ok;
		sum.early += res[i].early;
		sum.lost += res[i].lost;
		sum.wsum += res[i].wsum;
		if (res[i].wmin < sum.wmin)
			sum.wmin = res[i].wmin;
		if (res[i].tconn > sum.tconn)
			sum.tconn = res[i].tconn;
	}
	printf("n=%lu\nworkers=%lu\nok=%lu\nearly=%lu\nlost=%lu\n"
	    "peak_waiting=%lu\nconnect_secs=%.2f\nwait_min=%.3f\n"
	    "wait_mean=%.3f\nsecs=%.2f\n", n, nw, sum.ok, sum.early,
	    sum.lost, tot->peak, sum.tconn, sum.ok + sum.early ? sum.wmin : 0,
	    sum.ok + sum.early ? sum.wsum / (double)(sum.ok + sum.early) : 0,
	    now_sec() - t0);
	return 0;
}
