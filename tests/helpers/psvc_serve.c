/*
 * psvc_serve.c - serve the policy socket with fixed facts, for tests.
 *
 * psvc_serve PATH SECONDS [UID GID MODE]: 1.0.1.5 is CN with pass=old
 * and no penalty, 198.51.100.11 is in the penalty box (count 3),
 * anything else is "--".  The socket is given to UID:GID with MODE
 * (octal; default: our own ids and 0666).  Lets the socket server be
 * tested without a queue or namespaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon/psvc_sock.h"

static int
facts(const char *a, struct ng_facts *f, void *arg)
{
	(void)arg;
	memset(f, 0, sizeof(*f));
	snprintf(f->country, sizeof(f->country), "%s",
	    strcmp(a, "1.0.1.5") == 0 ? "CN" : "--");
	f->pass = strcmp(a, "1.0.1.5") == 0 ? "old" : "none";
	f->grey = "none";
	f->pregreet = strcmp(a, "198.51.100.11") == 0 ? 3 : 0;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct ng_psvc_rules rules = {
		"PREPEND X-NFQ-Gate: country=%c; pass=%p",
		"DEFER_IF_PERMIT pre-greeting talker (%n)"
	};
	struct ng_psvc_sock *s;
	struct epoll_event ev, evs[8];
	char err[256];
	time_t end;
	int epfd, n, i;

	if (argc != 3 && argc != 6)
		return 64;
	s = ng_psvc_sock_open(argv[1],
	    argc == 6 ? (uid_t)strtoul(argv[3], NULL, 10) : getuid(),
	    argc == 6 ? (gid_t)strtoul(argv[4], NULL, 10) : getgid(),
	    argc == 6 ? (unsigned)strtoul(argv[5], NULL, 8) : 0666, err,
	    sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "psvc_serve: %s\n", err);
		return 1;
	}
	epfd = epoll_create1(0);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = ng_psvc_sock_listen_fd(s);
	epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		n = epoll_wait(epfd, evs, 8, 200);
		for (i = 0; i < n; i++)
			ng_psvc_sock_event(s, epfd, evs[i].data.fd, &rules,
			    facts, NULL);
	}
	ng_psvc_sock_close(s);
	close(epfd);
	return 0;
}
