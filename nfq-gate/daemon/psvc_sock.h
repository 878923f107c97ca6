/*
 * psvc_sock.h - the policy service's unix socket, for an epoll loop.
 *
 * Made while still root when the gate starts as root, then given to the
 * owner Postfix's smtpd connects as.  Up to NG_PSVC_CLIENTS connections
 * (Postfix keeps one open per smtpd process); the owner adds the listen
 * fd to its epoll set and calls ng_psvc_sock_event() for any readable fd
 * that is not its own (fds it does not know are ignored).
 */
#ifndef NG_PSVC_SOCK_H
#define NG_PSVC_SOCK_H

#include <sys/types.h>

#include "daemon/psvc.h"

#define NG_PSVC_CLIENTS	1024	/* Postfix keeps one per smtpd process */
#define NG_PSVC_FD_MAX	4096	/* descriptors above it are refused */

struct ng_psvc_sock;

/* Fill facts for client_address a (text); return -1 when unusable. */
typedef int (*ng_psvc_facts_fn)(const char *addr, struct ng_facts *f,
    void *arg);

struct ng_psvc_sock *ng_psvc_sock_open(const char *path, uid_t uid,
    gid_t gid, unsigned mode, char *err, size_t errlen);
void ng_psvc_sock_close(struct ng_psvc_sock *s);
int ng_psvc_sock_listen_fd(const struct ng_psvc_sock *s);

/*
 * fd became readable: accept (the listen fd) or read and answer.
 * epfd gets new client fds added and closed ones removed.
 */
void ng_psvc_sock_event(struct ng_psvc_sock *s, int epfd, int fd,
    const struct ng_psvc_rules *rules, ng_psvc_facts_fn fn, void *arg);

#endif
