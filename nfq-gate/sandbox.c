/*
 * sandbox.c - the seccomp filter for the live gate (see sandbox.h).
 *
 * The list below is what strace -f -c shows the daemon using after
 * setup in the namespace tests (packets, timers, signals, SIGHUP reload,
 * state saves, syslog, the Prometheus file), plus the neighbours glibc
 * may pick for the same job (open/openat, stat/fstat/newfstatat/statx,
 * epoll_wait/epoll_pwait, ...).
 *
 * Default action: EPERM, not kill.  A system call we did not foresee
 * (a glibc update choosing a new variant, a rare error path) then fails
 * like any refused call, is logged by the code that made it, and the
 * gate keeps judging mail; killing it would lose the held greetings'
 * state and, with the queue's bypass, let every bot through until a
 * restart.  The calls that only an attacker would make (exec, ptrace,
 * fork and friends, module and mount calls, ...) are different: for
 * those the process is killed outright (SECCOMP_RET_KILL_PROCESS), so an
 * exploit gets no second try.  socket() is allowed for AF_UNIX (syslog)
 * and AF_NETLINK only.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sandbox.h"

static const char *const allowed[] = {
	/* the event loop */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl",
	"read", "readv", "pread64", "write", "writev", "pwrite64",
	"timerfd_settime", "timerfd_gettime", "clock_gettime",
	"clock_getres", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep",
	/* netlink: verdicts, ctnetlink marks, nft set, queue maxlen */
	"recvmsg", "recvfrom", "recvmmsg", "sendmsg", "sendto", "sendmmsg",
	"getsockopt", "setsockopt", "getsockname", "bind", "connect",
	"shutdown", "getpeername",
	/* the Postfix policy socket */
	"accept", "accept4",
	/* files: reload, state saves, prom file, /proc counters, tz */
	"open", "openat", "close", "fstat", "stat", "lstat", "newfstatat",
	"statx", "lseek", "fsync", "fdatasync", "rename", "renameat",
	"renameat2", "unlink", "unlinkat", "ftruncate", "fchmod",
	"fcntl", "dup", "dup3", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "getdents64", "ioctl", "umask",
	/* memory */
	"mmap", "munmap", "mremap", "brk", "madvise", "mprotect",
	/* signals and process */
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
	"sigaltstack",
	"exit", "exit_group", "getpid", "gettid", "getuid", "geteuid",
	"getgid", "getegid", "getrandom", "futex", "sched_yield",
	"prlimit64", "uname", "tgkill",
};

/* Never wanted after setup: killed, not refused. */
static const char *const killed[] = {
	"execve", "execveat", "ptrace", "fork", "vfork", "clone", "clone3",
	"process_vm_readv", "process_vm_writev", "init_module",
	"finit_module", "delete_module", "mount", "umount2", "pivot_root",
	"chroot", "setuid", "setgid", "setresuid", "setresgid",
	"setgroups", "capset", "kexec_load", "bpf", "userfaultfd",
	"perf_event_open", "keyctl", "add_key", "request_key",
};

static int
add_list(scmp_filter_ctx ctx, uint32_t action, const char *const *names,
    size_t n, char *err, size_t errlen)
{
	size_t i;
	int nr, r, count = 0;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		r = seccomp_rule_add(ctx, action, nr, 0);
		if (r < 0) {
			snprintf(err, errlen, "seccomp rule for %s: %s",
			    names[i], strerror(-r));
			return -1;
		}
		count++;
	}
	return count;
}

/* socket(): the local syslog socket and netlink only. */
static int
add_socket(scmp_filter_ctx ctx, char *err, size_t errlen)
{
	static const int families[] = { AF_UNIX, AF_NETLINK };
	int nr = seccomp_syscall_resolve_name("socket");
	struct scmp_arg_cmp cmp;
	size_t i;
	int r;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		/* Spelled out: SCMP_A0() leaves datum_b to the compiler. */
		cmp.arg = 0;
		cmp.op = SCMP_CMP_EQ;
		cmp.datum_a = (scmp_datum_t)families[i];
		cmp.datum_b = 0;
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
		if (r < 0) {
			snprintf(err, errlen, "seccomp rule for socket: %s",
			    strerror(-r));
			return -1;
		}
	}
	return 1;
}

int
ng_sandbox_enter(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int n, k, s, r;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	n = add_list(ctx, SCMP_ACT_ALLOW, allowed,
	    sizeof(allowed) / sizeof(allowed[0]), err, errlen);
	k = n < 0 ? -1 : add_list(ctx, SCMP_ACT_KILL_PROCESS, killed,
	    sizeof(killed) / sizeof(killed[0]), err, errlen);
	s = k < 0 ? -1 : add_socket(ctx, err, errlen);
	if (s < 0) {
		seccomp_release(ctx);
		return -1;
	}
	/* libseccomp sets PR_SET_NO_NEW_PRIVS itself (the default). */
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		snprintf(err, errlen, "seccomp_load: %s", strerror(-r));
		return -1;
	}
	return n + s;
}
