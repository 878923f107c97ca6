/*
 * test_sandbox.c - the gate's seccomp filter refuses what it must.
 *
 * Each case forks: the child enters the very filter the daemon installs
 * (ng_sandbox_enter) and tries one system call, then reports through a
 * pipe and leaves with _exit, so no sanitizer exit hook runs under the
 * filter.  The parent reads the report and how the child ended.
 *
 * The argument rules: AF_UNIX only datagram or stream, AF_INET and
 * AF_INET6 streams only with TCP allowed (a redis_url), netlink only
 * for NETLINK_NETFILTER, ioctl only
 * TCGETS, no PROT_EXEC mapping; and the filter reaches a thread started
 * before it (the state writer), whose file calls still work.
 *
 * Under valgrind the filter would also apply to valgrind's own calls,
 * which says nothing about the gate, so the cases are skipped there.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "daemon/sandbox.h"
#include "test.h"

enum { TRY_NETLINK, TRY_UNIX, TRY_INET, TRY_INET6, TRY_EXEC, TRY_FORK,
    TRY_STATUS, TRY_NL_ROUTE, TRY_NL_GENERIC, TRY_NL_AUDIT, TRY_TCGETS,
    TRY_FIONREAD, TRY_TIOCSTI, TRY_MMAP_RW, TRY_MMAP_EXEC, TRY_MPROT_R,
    TRY_MPROT_EXEC, TRY_UNIX_STREAM, TRY_UNIX_FLAGS, TRY_UNIX_SEQPACKET,
    TRY_UNIX_RAW, TRY_THREAD_INET, TRY_THREAD_FILES, TRY_TCP4, TRY_TCP6,
    TRY_TCP_UDP };

/*
 * A thread made before the filter, as the state writer is: it waits on
 * a pipe until the main thread has entered the filter, then makes its
 * calls.  err is 0 or the first errno.
 */
struct thr {
	int up[2];	/* the thread is running */
	int go[2];	/* the filter is in */
	int what;
	int err;
};

/* thread_files - what the state writer does: a temporary file renamed. */
static int
thread_files(void)
{
	char tmp[64], dst[64];
	struct stat st;
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "/tmp/test_sandbox.%d.tmp", (int)getpid());
	snprintf(dst, sizeof(dst), "/tmp/test_sandbox.%d", (int)getpid());
	fd = openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	if (write(fd, "x\n", 2) != 2 || fdatasync(fd) < 0 || fsync(fd) < 0 ||
	    fstat(fd, &st) < 0 || fstatat(AT_FDCWD, tmp, &st, 0) < 0 ||
	    renameat(AT_FDCWD, tmp, AT_FDCWD, dst) < 0 ||
	    unlinkat(AT_FDCWD, dst, 0) < 0)
		r = errno;
	if (close(fd) < 0 && r == 0)
		r = errno;
	return r;
}

static void *
thread_main(void *arg)
{
	struct thr *t = arg;
	char c = 'u';
	int s;

	if (write(t->up[1], &c, 1) != 1 || read(t->go[0], &c, 1) != 1) {
		t->err = -1;
		return NULL;
	}
	if (t->what == TRY_THREAD_FILES) {
		t->err = thread_files();
		return NULL;
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	t->err = s >= 0 ? 0 : errno;
	return NULL;
}

/* in_thread - start the thread, enter the filter, let it go, join. */
static int
in_thread(int what, char *err, size_t errlen)
{
	static struct thr t;
	pthread_t tid;
	char c;

	t.what = what;
	t.err = -1;
	if (pipe(t.up) < 0 || pipe(t.go) < 0 ||
	    pthread_create(&tid, NULL, thread_main, &t) != 0 ||
	    read(t.up[0], &c, 1) != 1)
		_exit(5);
	if (ng_sandbox_enter(err, errlen) < 0)
		_exit(3);
	if (write(t.go[1], "g", 1) != 1 || pthread_join(tid, NULL) != 0)
		_exit(6);
	return t.err;
}

/* try_ioctl - ioctl on pipe fd: errno, 0 when the call went through. */
static int
try_ioctl(int fd, unsigned long req)
{
	char c = 'x';
	int n = 0;

	if (req == (unsigned long)TIOCSTI)
		return ioctl(fd, req, &c) < 0 ? errno : 0;
	return ioctl(fd, req, &n) < 0 ? errno : 0;
}

/* try_map - mmap with prot, or a read-write page mprotect()ed to prot. */
static int
try_map(int prot, int by_mprotect)
{
	void *m;

	m = mmap(NULL, 4096, by_mprotect ? PROT_READ | PROT_WRITE : prot,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return errno;
	if (by_mprotect && mprotect(m, 4096, prot) < 0)
		return errno;
	return 0;
}

/* child_args - the cases of the argument rules; errno or 0. */
static int
child_args(int what, int fd)
{
	int s = -1;

	switch (what) {
	case TRY_NL_ROUTE:
		s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		break;
	case TRY_NL_GENERIC:
		s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		    NETLINK_GENERIC);
		break;
	case TRY_NL_AUDIT:
		s = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
		break;
	case TRY_TCGETS:
		return try_ioctl(fd, TCGETS);
	case TRY_FIONREAD:
		return try_ioctl(fd, FIONREAD);
	case TRY_TIOCSTI:
		return try_ioctl(fd, TIOCSTI);
	case TRY_MMAP_RW:
		return try_map(PROT_READ | PROT_WRITE, 0);
	case TRY_MMAP_EXEC:
		return try_map(PROT_READ | PROT_EXEC, 0);
	case TRY_MPROT_R:
		return try_map(PROT_READ, 1);
	case TRY_MPROT_EXEC:
		return try_map(PROT_READ | PROT_EXEC, 1);
	case TRY_UNIX_STREAM:
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		break;
	case TRY_UNIX_FLAGS:
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
		break;
	case TRY_UNIX_SEQPACKET:
		s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		break;
	case TRY_UNIX_RAW:
		s = socket(AF_UNIX, SOCK_RAW | SOCK_CLOEXEC, 0);
		break;
	}
	return s >= 0 ? 0 : errno;
}

/*
 * child_tcp - the filter with TCP allowed (a redis_url at start):
 * stream sockets of either family, never a datagram one; errno or 0.
 */
static int
child_tcp(int what, char *err, size_t errlen)
{
	int s;

	if (ng_sandbox_enter_tcp(1, err, errlen) < 0)
		_exit(3);
	if (what == TRY_TCP4)
		s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	else if (what == TRY_TCP6)
		s = socket(AF_INET6, SOCK_STREAM, 0);
	else
		s = socket(AF_INET, SOCK_DGRAM, 0);
	return s >= 0 ? 0 : errno;
}

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

	if (what == TRY_THREAD_INET || what == TRY_THREAD_FILES) {
		r = in_thread(what, err, sizeof(err));
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(4);
		_exit(0);
	}
	if (what >= TRY_TCP4) {
		r = child_tcp(what, err, sizeof(err));
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(4);
		_exit(0);
	}
	if (ng_sandbox_enter(err, sizeof(err)) < 0)
		_exit(3);
	if (what >= TRY_NL_ROUTE) {
		r = child_args(what, fd);
		if (write(fd, &r, sizeof(r)) < 0)
			_exit(4);
		_exit(0);
	}
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

/*
 * AF_UNIX only as syslog uses it: datagram or stream, with or without
 * SOCK_NONBLOCK / SOCK_CLOEXEC; any other type is refused.
 */
static void
test_unix_types(void)
{
	int sig;

	CHECK_EQ(try(TRY_UNIX_STREAM, &sig), 0);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_UNIX_FLAGS, &sig), 0);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_UNIX_SEQPACKET, &sig), EPERM);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_UNIX_RAW, &sig), EPERM);
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

/* With a redis_url at start: TCP streams allowed, datagrams not. */
static void
test_tcp_for_redis(void)
{
	int sig;

	CHECK_EQ(try(TRY_TCP4, &sig), 0);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_TCP6, &sig), 0);
	CHECK_EQ(try(TRY_TCP_UDP, &sig), EPERM);
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

/* Netlink for nfnetlink only: not routes, not generic or audit. */
static void
test_netlink_protocols(void)
{
	int sig;

	CHECK_EQ(try(TRY_NL_ROUTE, &sig), EPERM);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_NL_GENERIC, &sig), EPERM);
	CHECK_EQ(try(TRY_NL_AUDIT, &sig), EPERM);
	CHECK_EQ(sig, 0);
}

/* TCGETS reaches the kernel (a pipe is no tty); other requests not. */
static void
test_ioctl(void)
{
	int sig;

	CHECK_EQ(try(TRY_TCGETS, &sig), ENOTTY);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_FIONREAD, &sig), EPERM);
	CHECK_EQ(try(TRY_TIOCSTI, &sig), EPERM);
	CHECK_EQ(sig, 0);
}

/* Memory can be mapped and protected, never executable. */
static void
test_no_exec_mappings(void)
{
	int sig;

	CHECK_EQ(try(TRY_MMAP_RW, &sig), 0);
	CHECK_EQ(try(TRY_MPROT_R, &sig), 0);
	CHECK_EQ(try(TRY_MMAP_EXEC, &sig), EPERM);
	CHECK_EQ(try(TRY_MPROT_EXEC, &sig), EPERM);
	CHECK_EQ(sig, 0);
}

/*
 * A thread started before the filter is under it too (TSYNC), and the
 * state writer's calls work there.
 */
static void
test_threads(void)
{
	int sig;

	CHECK_EQ(try(TRY_THREAD_INET, &sig), EPERM);
	CHECK_EQ(sig, 0);
	CHECK_EQ(try(TRY_THREAD_FILES, &sig), 0);
	CHECK_EQ(sig, 0);
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
	RUN(test_unix_types);
	RUN(test_inet_refused);
	RUN(test_tcp_for_redis);
	RUN(test_exec_killed);
	RUN(test_netlink_protocols);
	RUN(test_ioctl);
	RUN(test_no_exec_mappings);
	RUN(test_threads);
	RUN(test_status);
	return test_done();
}
