/*
 * xfer.c - one bulk transfer to an SMTP port, timed: connect from SRC,
 * wait for the 220 greeting like a real client, send BYTES, close the
 * sending side and wait for the server to close.  The clock runs from
 * the greeting to the server's close, so the greet pause (if any) is not
 * part of the throughput.  Bounded by SECONDS.
 *
 * usage: xfer SRC DST PORT BYTES SECONDS
 * Prints "greet_secs=G secs=T bytes=N mbps=R" (megabytes/s).
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

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
fail(const char *what)
{
	perror(what);
	return 1;
}

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct sockaddr_in src, dst;
	struct timeval tv;
	unsigned long long total, sent = 0;
	double t0, tg, t;
	ssize_t r;
	int fd;

	if (argc < 6) {
		fprintf(stderr, "usage: xfer SRC DST PORT BYTES SECONDS\n");
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
	memset(buf, 'x', sizeof(buf));

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	t0 = now_sec();
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		return fail("bind");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return fail("connect");
	if ((r = read(fd, buf, sizeof(buf))) <= 0 || buf[0] != '2')
		return fail("no greeting");
	tg = now_sec();
	memset(buf, 'x', sizeof(buf));
	while (sent < total) {
		size_t n = total - sent < sizeof(buf) ? (size_t)(total - sent) :
		    sizeof(buf);

		if ((r = write(fd, buf, n)) <= 0)
			return fail("write");
		sent += (unsigned long long)r;
		if (now_sec() - t0 > (double)tv.tv_sec)
			return fail("deadline");
	}
	shutdown(fd, SHUT_WR);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0)
		return fail("waiting for the server to close");
	t = now_sec() - tg;
	printf("greet_secs=%.3f secs=%.3f bytes=%llu mbps=%.1f\n", tg - t0, t,
	    sent, (double)sent / t / 1e6);
	close(fd);
	return 0;
}
