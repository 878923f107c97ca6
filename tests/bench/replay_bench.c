/*
 * replay_bench.c - how much does the replay cost over reading the file?
 *
 * Times a bare libpcap read loop (pcap_next_ex over the file, touching
 * every packet) and the full replay (nfq-gate -r: link decoding, the
 * engine, event lines to /dev/null) over the same capture in one run,
 * best of three each, and prints both rates and their ratio.  The goal
 * is a replay within 2x of the bare loop: the engine must not be the
 * reason a day of mail-server capture takes long to judge.
 *
 * usage: replay_bench [FILE]   (default: generate 1M+ packets with
 *                               tools/mkpcap.py bench into /tmp)
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay/replay.h"

#include "benchclock.h"

#define ROUNDS 3

/* The floor: read every record, touch its bytes so nothing is elided. */
static double
bare_loop(const char *file, unsigned long *npkts)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	volatile unsigned long sink = 0;
	unsigned long n = 0, acc = 0;
	double t0;
	pcap_t *pc;

	t0 = now_sec();
	pc = pcap_open_offline(file, err);
	if (pc == NULL) {
		fprintf(stderr, "replay_bench: %s: %s\n", file, err);
		exit(1);
	}
	while (pcap_next_ex(pc, &h, &d) == 1) {
		acc += h->caplen + d[0] + d[h->caplen - 1];
		n++;
	}
	pcap_close(pc);
	sink = acc;
	(void)sink;
	*npkts = n;
	return now_sec() - t0;
}

/* nfq-gate -r FILE with its stdout and stderr sent to /dev/null. */
static double
replay(const char *file)
{
	char *argv[] = { "nfq-gate", "-r", (char *)file, NULL };
	int null, out, errfd, rc;
	double t0, t;

	fflush(stdout);
	fflush(stderr);
	null = open("/dev/null", O_WRONLY);
	out = dup(1);
	errfd = dup(2);
	if (null < 0 || out < 0 || errfd < 0) {
		perror("replay_bench: dup");
		exit(1);
	}
	dup2(null, 1);
	dup2(null, 2);
	t0 = now_sec();
	rc = ng_replay_main(3, argv);
	fflush(stdout);
	t = now_sec() - t0;
	fflush(stderr);
	dup2(out, 1);
	dup2(errfd, 2);
	close(null);
	close(out);
	close(errfd);
	if (rc != 0) {
		fprintf(stderr, "replay_bench: nfq-gate -r %s exited %d\n",
		    file, rc);
		exit(1);
	}
	return t;
}

static const char *
generate(void)
{
	static char path[256], cmd[768];
	const char *root = getenv("NG_ROOT");

	snprintf(path, sizeof(path), "/tmp/replay_bench.%ld.pcap",
	    (long)getpid());
	snprintf(cmd, sizeof(cmd), "python3 %s/tools/mkpcap.py bench %s "
	    "--flows 80000", root != NULL ? root : ".", path);
	fprintf(stderr, "replay_bench: %s\n", cmd);
	if (system(cmd) != 0) {
		fprintf(stderr, "replay_bench: generating the capture failed\n");
		exit(1);
	}
	return path;
}

int
main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : generate();
	double bare = 1e30, full = 1e30, t, ratio;
	unsigned long n = 0;
	int i;

	bare_loop(file, &n);		/* warm the page cache */
	for (i = 0; i < ROUNDS; i++) {
		t = bare_loop(file, &n);
		if (t < bare)
			bare = t;
		t = replay(file);
		if (t < full)
			full = t;
	}
	ratio = full / bare;
	printf("replay_bench: %lu packets in %s\n", n, file);
	printf("  bare libpcap loop   %10.0f packets/s  (%.3f s)\n",
	    (double)n / bare, bare);
	printf("  replay (decode+engine+output) %10.0f packets/s  (%.3f s)\n",
	    (double)n / full, full);
	printf("  ratio replay/bare   %.2fx  (goal <= 2x: %s)\n", ratio,
	    ratio <= 2.0 ? "met" : "MISSED");
	if (argc < 2)
		unlink(file);
	return 0;
}
