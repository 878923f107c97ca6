/*
 * sandbox.h - a seccomp filter for the live gate's event loop.
 *
 * Once the netlink sockets are open and root is gone, the gate only
 * reads packets, sends verdicts, logs, saves state and re-reads its
 * files on SIGHUP.  The filter allows just those system calls, so a bug
 * in the packet parser cannot be turned into an exec, a new inet
 * socket, a ptrace or a fork.
 */
#ifndef NG_SANDBOX_H
#define NG_SANDBOX_H

#include <stddef.h>

/*
 * Install the filter (and PR_SET_NO_NEW_PRIVS).  Returns the number of
 * system calls allowed, or -1 with a message in err.
 */
int ng_sandbox_enter(char *err, size_t errlen);
/*
 * The same; with tcp set, stream sockets of AF_INET and AF_INET6 are
 * allowed too (a redis_url over TCP: daemon/redis_link.c).
 */
int ng_sandbox_enter_tcp(int tcp, char *err, size_t errlen);

#endif
