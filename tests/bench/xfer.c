/*
 * xfer.c - bulk transfers to an SMTP port, timed: connect from SRC, wait
 * for the 220 greeting like a real client, send BYTES, close the sending
 * side and wait for the server to close; COUNT times in a row (default
 * 1), so that one sample lasts long enough to mean something on a noisy
 * machine.  The clock runs from each greeting to the server's close, so
 * a greet pause is not part of the throughput.  Bounded by SECONDS.
 *
 * usage: xfer SRC DST PORT BYTES SECONDS [COUNT]
 * Prints greet_secs, secs, bytes and mbps (megabytes/s), one per line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "benchclock.h"

static double
fail(const char *what)
{
	perror(what);
	return -1;
}

/* One transfer; the seconds from the greeting to the close, or -1. */
static double
one(const struct sockaddr_in *src, const struct sockaddr_in *dst,
    unsigned long long total, const struct timeval *tv, double deadline,
    double *greet)
{
	static char buf[1 << 16];
	unsigned long long sent = 0;
	double t0, tg;
	ssize_t r;
	size_t n;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(*tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, sizeof(*tv));
	t0 = now_sec();
	if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0)
		return fail("bind");
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0)
		return fail("connect");
	if ((r = read(fd, buf, sizeof(buf))) <= 0 || buf[0] != '2')
		return fail("no greeting");
	tg = now_sec();
	*greet += tg - t0;
	memset(buf, 'x', sizeof(buf));
	while (sent < total) {
		n = total - sent < sizeof(buf) ? (size_t)(total - sent) :
		    sizeof(buf);
		if ((r = write(fd, buf, n)) <= 0)
			return fail("write");
		sent += (unsigned long long)r;
		if (now_sec() > deadline)
			return fail("deadline");
	}
	shutdown(fd, SHUT_WR);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0)
		return fail("waiting for the server to close");
	close(fd);
	return now_sec() - tg;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in src, dst;
	struct timeval tv;
	unsigned long long total;
	double deadline, t, secs = 0, greet = 0;
	int i, count;

	if (argc < 6) {
		fprintf(stderr, "usage: xfer SRC DST PORT BYTES SECONDS "
		    "[COUNT]\n");
		return 2;
	}
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.sin_family = dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[1], &src.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1)
		return 2;
	dst.sin_port = htons((uint16_t)atoi(argv[3]));
	total = strtoull(argv[4], NULL, 10);
	tv.tv_sec = atol(argv[5]);
	tv.tv_usec = 0;
	count = argc > 6 ? atoi(argv[6]) : 1;
	deadline = now_sec() + (double)tv.tv_sec;
	for (i = 0; i < count; i++) {
		if ((t = one(&src, &dst, total, &tv, deadline, &greet)) < 0)
			return 1;
		secs += t;
	}
	printf("greet_secs=%.3f\nsecs=%.3f\nbytes=%llu\nmbps=%.1f\n",
	    greet / count, secs, total * (unsigned long long)count,
	    (double)total * count / secs / 1e6);
	return 0;
}
