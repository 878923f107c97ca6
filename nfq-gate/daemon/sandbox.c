/*
 * sandbox.c - the seccomp filter for the live gate (see sandbox.h).
 *
 * The list below is what strace -f shows the daemon using after setup
 * in the namespace tests (packets, timers, signals, SIGHUP reload, state
 * saves from the writer thread, syslog, the Prometheus file), plus the
 * neighbours glibc may pick for the same job (open/openat,
 * stat/fstat/newfstatat/statx, epoll_wait/epoll_pwait, ...).
 *
 * Default action: EPERM, not kill.  A system call we did not foresee
 * (a glibc update choosing a new variant, a rare error path) then fails
 * like any refused call, is logged by the code that made it, and the
 * gate keeps judging mail; killing it would lose the held greetings'
 * state and, with the queue's bypass, let every bot through until a
 * restart.  The calls that only an attacker would make (exec, ptrace,
 * fork and friends, module and mount calls, ...) are different: for
 * those the process is killed outright (SECCOMP_RET_KILL_PROCESS), so an
 * exploit gets no second try.
 *
 * Some calls are allowed only with the arguments the gate uses:
 * socket() for AF_UNIX of type SOCK_DGRAM or SOCK_STREAM (syslog;
 * SOCK_NONBLOCK and SOCK_CLOEXEC masked off, no SOCK_SEQPACKET or raw)
 * and AF_NETLINK with NETLINK_NETFILTER (the queue, ctnetlink,
 * nftables) - not NETLINK_ROUTE, which with our CAP_NET_ADMIN could
 * rewrite routes and addresses; AF_INET and AF_INET6 of type
 * SOCK_STREAM only when a redis_url is set at start (the link to Redis
 * over TCP; a unix socket needs nothing more); ioctl() for TCGETS only
 * (isatty(), from stdio); mmap() and mprotect() without PROT_EXEC.  The
 * filter covers every thread (TSYNC): the state writer is started
 * before it.
 *
 * What the filter does not stop, said plainly:
 *   - No PROT_EXEC mapping does not mean no new code.  open() and
 *     pwrite() are allowed (state files, reload), so a compromised
 *     process can open /proc/self/mem and write over its own text,
 *     which the kernel permits through that file whatever the mapping's
 *     protection.  Closing that takes file-access rules, not system
 *     call rules: Landlock (the kernel here has it) or a mount
 *     namespace without /proc, as the systemd unit's ProtectProc= and
 *     friends partly do.  The gate does not apply Landlock itself: its
 *     reload reads a config and database from any path.
 *   - NETLINK_NETFILTER with CAP_NET_ADMIN is what the verdicts need,
 *     and it is also enough to rewrite or flush the whole nftables
 *     ruleset and conntrack table.  Narrowing netlink to that protocol
 *     takes away routes, addresses and links, not the firewall.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "daemon/sandbox.h"

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
	"readlink", "readlinkat", "getdents64", "umask",
	/* memory (mmap and mprotect: below, without PROT_EXEC) */
	"munmap", "mremap", "brk", "madvise",
	/* signals and process */
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
	"sigaltstack",
	"exit", "exit_group", "getpid", "gettid", "getuid", "geteuid",
	"getgid", "getegid", "getrandom", "futex", "sched_yield",
	"uname", "tgkill",
	/* a thread's first steps, maybe after the filter is in (TSYNC) */
	"rseq", "set_robust_list",
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

/* add_list - one rule of action for each of the n names; -1 with err. */
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

/* A call allowed only when all of its comparisons hold. */
struct arg_rule {
	const char *call;
	unsigned n;
	struct scmp_arg_cmp cmp[2];
};

/*
 * Spelled out, not SCMP_A0(): that macro leaves datum_b to the
 * compiler.  ioctl's request is an int to the kernel: only its low 32
 * bits are compared.
 */
#define SOCK_TYPE_MASK (0xffffffffu & ~(unsigned)(SOCK_NONBLOCK | SOCK_CLOEXEC))

static const struct arg_rule arg_rules[] = {
	{ "socket", 2, { { 0, SCMP_CMP_EQ, AF_UNIX, 0 },
	    { 1, SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_DGRAM } } },
	{ "socket", 2, { { 0, SCMP_CMP_EQ, AF_UNIX, 0 },
	    { 1, SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_STREAM } } },
	{ "socket", 2, { { 0, SCMP_CMP_EQ, AF_NETLINK, 0 },
	    { 2, SCMP_CMP_EQ, NETLINK_NETFILTER, 0 } } },
	{ "ioctl", 1, { { 1, SCMP_CMP_MASKED_EQ, 0xffffffffu, TCGETS } } },
	{ "mmap", 1, { { 2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0 } } },
	{ "mprotect", 1, { { 2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0 } } },
};

/* The link to Redis over TCP: stream sockets of either family. */
static const struct arg_rule tcp_rules[] = {
	{ "socket", 2, { { 0, SCMP_CMP_EQ, AF_INET, 0 },
	    { 1, SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_STREAM } } },
	{ "socket", 2, { { 0, SCMP_CMP_EQ, AF_INET6, 0 },
	    { 1, SCMP_CMP_MASKED_EQ, SOCK_TYPE_MASK, SOCK_STREAM } } },
};

/*
 * add_rules - n argument rules; returns the number of calls they name
 * (a call's rules in a row count once).
 */
static int
add_rules(scmp_filter_ctx ctx, const struct arg_rule *rules, size_t n,
    char *err, size_t errlen)
{
	size_t i;
	int nr, r, count = 0;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(rules[i].call);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr,
		    rules[i].n, rules[i].cmp);
		if (r < 0) {
			snprintf(err, errlen, "seccomp rule for %s: %s",
			    rules[i].call, strerror(-r));
			return -1;
		}
		if (i == 0 || strcmp(rules[i].call, rules[i - 1].call) != 0)
			count++;
	}
	return count;
}

/* add_args - the argument rules; returns the number of calls they name. */
static int
add_args(scmp_filter_ctx ctx, int tcp, char *err, size_t errlen)
{
	int n = add_rules(ctx, arg_rules, sizeof(arg_rules) /
	    sizeof(arg_rules[0]), err, errlen);

	if (n < 0 || !tcp)
		return n;
	/* More socket() rules: the call is counted already. */
	return add_rules(ctx, tcp_rules, sizeof(tcp_rules) /
	    sizeof(tcp_rules[0]), err, errlen) < 0 ? -1 : n;
}

/* ng_sandbox_enter - install the filter; the syscalls allowed, or -1. */
int
ng_sandbox_enter(char *err, size_t errlen)
{
	return ng_sandbox_enter_tcp(0, err, errlen);
}

/* ng_sandbox_enter_tcp - the same, TCP stream sockets allowed or not. */
int
ng_sandbox_enter_tcp(int tcp, char *err, size_t errlen)
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
	s = k < 0 ? -1 : add_args(ctx, tcp, err, errlen);
	/* Every thread, the state writer too, or none. */
	if (s >= 0 && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC,
	    1)) < 0) {
		snprintf(err, errlen, "seccomp thread sync: %s", strerror(-r));
		s = -1;
	}
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
