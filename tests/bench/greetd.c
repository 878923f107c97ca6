/*
 * greetd.c - a tiny SMTP-shaped server for the benchmarks: it accepts,
 * sends a 220 greeting at once, then reads and discards whatever comes
 * until the client closes.
 *
 * Postfix cannot keep 50,000 sessions open on a small machine and would
 * measure itself, not the gate; this one keeps any number of idle
 * connections in one epoll loop, and doubles as the byte sink for the
 * bulk transfer benchmark.  It stops on SIGTERM/SIGINT or after SECONDS
 * and prints what it saw.  WORKERS processes (default 4) each have their
 * own SO_REUSEPORT listener, so the kernel spreads the connections and
 * no process needs more open files than it may have (RLIMIT_NOFILE).
 *
 * usage: greetd ADDR PORT SECONDS [WORKERS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GREETING "220 bench.test ESMTP greetd\r\n"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_on(const char *addr, unsigned port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		return -1;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 65535) < 0)
		return -1;
	return fd;
}

/* One worker's loop until the deadline or a signal. */
static void
serve(int lfd, time_t end)
{
	static char buf[1 << 20];
	struct epoll_event ev, evs[256];
	unsigned long accepted = 0, closed = 0;
	unsigned long long bytes = 0;
	int ep, n, i, c;
	ssize_t r;

	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	while (!stop && time(NULL) < end) {
		n = epoll_wait(ep, evs, 256, 500);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd) {
				while ((c = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) >= 0) {
					accepted++;
					(void)!write(c, GREETING,
					    sizeof(GREETING) - 1);
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			c = evs[i].data.fd;
			while ((r = read(c, buf, sizeof(buf))) > 0)
				bytes += (unsigned long long)r;
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				close(c);
				closed++;
			}
		}
	}
	printf("worker %ld: accepted=%lu closed=%lu bytes=%llu\n",
	    (long)getpid(), accepted, closed, bytes);
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	int workers = argc > 4 ? atoi(argv[4]) : 4, i, lfd;
	time_t end;

	if (argc < 4) {
		fprintf(stderr, "usage: greetd ADDR PORT SECONDS [WORKERS]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	end = time(NULL) + atol(argv[3]);
	for (i = 0; i < workers; i++) {
		if ((lfd = listen_on(argv[1], (unsigned)atoi(argv[2]))) < 0) {
			fprintf(stderr, "greetd: %s:%s: %s\n", argv[1],
			    argv[2], strerror(errno));
			return 1;
		}
		fflush(stdout);
		if (i == workers - 1 || fork() == 0) {
			if (i == workers - 1) {
				printf("listening\n");
				fflush(stdout);
			}
			serve(lfd, end);
			fflush(stdout);
			if (i < workers - 1)
				_exit(0);
			break;
		}
		close(lfd);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
