/*
 * ctl_sock.h - the control socket nfq-gate-ctl talks to, for the epoll
 * loop (the protocol and verbs are ctl.h's).
 *
 * One request per connection: a line of at most NG_CTL_LINE_MAX bytes,
 * then the answer ("CODE MESSAGE\n" and the body), then the close.  The
 * socket file's mode is the first fence; the second is the peer's
 * credentials (SO_PEERCRED, SO_PEERGROUPS): root, or a member of the
 * allowed group, or the connection is answered NG_CTL_NOPERM and closed.
 * Up to NG_CTL_CLIENTS at once.  A client that sends no whole request
 * within NG_CTL_READ_WAIT, or that reads nothing of its answer for
 * NG_CTL_WRITE_WAIT, is closed (ng_ctl_sock_expire, once a second).
 * Nothing blocks: the answer, however long (a list of 100,000 entries),
 * is written as the socket takes it, on EPOLLOUT.
 */
#ifndef NG_CTL_SOCK_H
#define NG_CTL_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/timeval.h"
#include "daemon/ctl.h"

#define NG_CTL_CLIENTS		16
#define NG_CTL_READ_WAIT	NG_SEC(5)
#define NG_CTL_WRITE_WAIT	NG_SEC(10)

struct ng_ctl_sock;

struct ng_ctl_sock_counts {
	uint64_t requests;	/* answered */
	uint64_t refused;	/* peer not allowed, or too many at once */
	uint64_t errors;	/* silent, too long, or gone before the end */
};

/*
 * Run one request: the answer's body into o, the code returned, the
 * status line's message into msg (ng_ctl_exec's contract).
 */
typedef int (*ng_ctl_sock_fn)(void *arg, const char *line, size_t len,
    struct ng_ctl_out *o, char *msg, size_t msglen);

/*
 * The listening socket at path, uid:gid and mode (unix_listen.h);
 * allow is the group whose members may talk besides root.  NULL and err
 * on failure.
 */
struct ng_ctl_sock *ng_ctl_sock_open(const char *path, uid_t uid, gid_t gid,
    unsigned mode, gid_t allow, char *err, size_t errlen);
void ng_ctl_sock_close(struct ng_ctl_sock *s);
int ng_ctl_sock_listen_fd(const struct ng_ctl_sock *s);
/* 1 when fd is the listening socket or one of its clients. */
int ng_ctl_sock_owns(const struct ng_ctl_sock *s, int fd);

/*
 * fd (ours) had events: accept, read a request and run it with fn, or
 * write more of an answer.  epfd gets client fds added, changed and
 * removed.
 */
void ng_ctl_sock_event(struct ng_ctl_sock *s, int epfd, int fd,
    uint32_t events, ng_usec now, ng_ctl_sock_fn fn, void *arg);
/* Close the clients whose time is up. */
void ng_ctl_sock_expire(struct ng_ctl_sock *s, int epfd, ng_usec now);
const struct ng_ctl_sock_counts *ng_ctl_sock_counts(
    const struct ng_ctl_sock *s);

#endif
