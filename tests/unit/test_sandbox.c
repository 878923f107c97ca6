/*
 * test_sandbox.c - the gate's seccomp filter refuses what it must.
 *
 * Each case forks: the child enters the very filter the daemon installs
 * (ng_sandbox_enter) and tries one system call, then reports through a
 * pipe and leaves with _exit, so no sanitizer exit hook runs under the
 * filter.  The parent reads the report and how the child ended.
 *
 * Under valgrind the filter would also apply to valgrind's own calls,
 * which says nothing about the gate, so the cases are skipped there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "sandbox.h"
#include "test.h"

enum { TRY_NETLINK, TRY_UNIX, TRY_INET, TRY_INET6, TRY_EXEC, TRY_FORK,
    TRY_STATUS };

/* The kernel's view: 1 for NoNewPrivs, 2 for a seccomp filter. */
static int
status_flags(void)
{
	char buf[4096];
	ssize_t n;
	int fd, r = 0;

	fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (strstr(buf, "\nNoNewPrivs:\t1\n") != NULL)
		r |= 1;
	if (strstr(buf, "\nSeccomp:\t2\n") != NULL)
		r |= 2;
	return r;
}

/* Child: enter the filter, make one call, write its errno (0 = allowed). */
static void
child(int what, int fd)
{
	char err[256];
	char *const argv[] = { (char *)"true", NULL };
	int r = 0, s = -1;

	if (ng_sandbox_enter(err, sizeof(err)) < 0)
		_exit(3);
	switch (what) {
	case TRY_NETLINK:
		s = socket(AF_NETLINK, SOCK_RAW, 12 /* NETLINK_NETFILTER */);
		break;
	case TRY_UNIX:
		s = socket(AF_UNIX, SOCK_DGRAM, 0);
		break;
	case TRY_INET:
		s = socket(AF_INET, SOCK_STREAM, 0);
		break;
	case TRY_INET6:
		s = socket(AF_INET6, SOCK_DGRAM, 0);
		break;
	case TRY_EXEC:
		execve("/bin/true", argv, NULL);
		break;
	case TRY_FORK:
		s = fork() == 0 ? 0 : -1;
		break;
	case TRY_STATUS:
		r = status_flags();
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(4);
		_exit(0);
	}
	r = s >= 0 ? 0 : errno;
	if (write(fd, &r, sizeof(r)) < 0)
		_exit(4);
	_exit(0);
}

/* Run one case; *sig = the signal that ended the child, else 0. */
static int
try(int what, int *sig)
{
	int p[2], r = -1, st;
	pid_t pid;

	*sig = 0;
	if (pipe(p) < 0)
		return -2;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(what, p[1]);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -1;
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -2;
	if (WIFSIGNALED(st))
		*sig = WTERMSIG(st);
	else if (WEXITSTATUS(st) != 0)
		return -100 - WEXITSTATUS(st);
	return r;
}

static void
test_allowed_sockets(void)
{
	int sig;

	CHECK_EQ(try(TRY_NETLINK, &sig), 0);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_UNIX, &sig), 0);
	CHECK_EQ(sig, 0);
}

/* A new inet socket is refused, and the process carries on. */
static void
test_inet_refused(void)
{
	int sig;

	CHECK_EQ(try(TRY_INET, &sig), EPERM);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_INET6, &sig), EPERM);
	CHECK_EQ(sig, 0);
}

/* exec and fork are an attacker's calls: the kernel kills outright. */
static void
test_exec_killed(void)
{
	int sig;

	CHECK_EQ(try(TRY_EXEC, &sig), -1);
	CHECK_EQ(sig, SIGSYS);
	CHECK_EQ(try(TRY_FORK, &sig), -1);
	CHECK_EQ(sig, SIGSYS);
}

static void
test_status(void)
{
	int sig;

	CHECK_EQ(try(TRY_STATUS, &sig), 3);
	CHECK_EQ(sig, 0);
}

int
main(void)
{
	if (RUNNING_ON_VALGRIND) {
		fprintf(stderr, "skip: seccomp cases do not run under "
		    "valgrind\n");
		return 0;
	}
	RUN(test_allowed_sockets);
	RUN(test_inet_refused);
	RUN(test_exec_killed);
	RUN(test_status);
	return test_done();
}
