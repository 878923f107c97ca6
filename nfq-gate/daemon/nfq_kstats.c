/*
 * nfq_kstats.c - the kernel's counters for our queue, read from
 * /proc/net/netfilter/nfnetlink_queue once a second and on SIGUSR1.
 *
 * Apart from nfq.c, which is the netlink socket only: this is a text
 * file and a parser, and the parser is tested alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/nfq_kstats.h"

#define KSTATS_PATH	"/proc/net/netfilter/nfnetlink_queue"

/*
 * ng_nfq_parse_kstats - queue's line of the file text into ks; -1 when
 * no line is queue's.  A line: queue, portid, waiting, copy mode, copy
 * range, queue-full drops, socket drops, last id, (always 1).
 */
int
ng_nfq_parse_kstats(const char *text, unsigned queue,
    struct ng_nfq_kstats *ks)
{
	const char *line = text;
	unsigned qn, portid, copy_mode, copy_range;
	unsigned long long total, dropped, udropped, seq;

	while (line != NULL && *line != '\0') {
		if (sscanf(line, "%u %u %llu %u %u %llu %llu %llu", &qn,
		    &portid, &total, &copy_mode, &copy_range, &dropped,
		    &udropped, &seq) == 8 && qn == queue) {
			ks->queue_total = total;
			ks->queue_dropped = dropped;
			ks->user_dropped = udropped;
			ks->id_sequence = seq;
			return 0;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

/* ng_nfq_read_kstats - queue's counters from the file into ks. */
int
ng_nfq_read_kstats(unsigned queue, struct ng_nfq_kstats *ks)
{
	char buf[8192];
	ssize_t n;
	int fd;

	fd = open(KSTATS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return ng_nfq_parse_kstats(buf, queue, ks);
}
