/*
 * unix_listen.h - a listening unix socket, made safely in a directory
 * that may belong to someone else: the policy socket (in Postfix's
 * spool) and the control socket (in /run/nfq-gate).
 *
 * The socket is bound in a private directory of ours beside its place
 * (0700, opened without following links), born no more open than its
 * mode, given its owner there, and renamed over the configured name,
 * which replaces a stale socket or a link without following it; nothing
 * else there is replaced.  Nothing is done by path afterwards, and the
 * close removes the socket file only if it is still the one we made.
 */
#ifndef NG_UNIX_LISTEN_H
#define NG_UNIX_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

struct ng_unix_listen {
	int lfd;		/* listening, non-blocking, close-on-exec */
	int dfd;		/* the socket's directory (O_PATH) */
	dev_t dev;		/* the socket file, to remove only ours */
	ino_t ino;
	char base[108];
	const char *what;	/* "policy socket", for the log */
};

/*
 * The socket at path, owned by uid:gid ((uid_t)-1 or (gid_t)-1: left as
 * it is born, which needs no chown), with mode.  what names it in the
 * log.  0, or -1 with "path: why" in err; u is then closed.
 */
int ng_unix_listen_open(struct ng_unix_listen *u, const char *path,
    uid_t uid, gid_t gid, unsigned mode, const char *what, char *err,
    size_t errlen);
/* Close it; the socket file goes only if it is still ours. */
void ng_unix_listen_close(struct ng_unix_listen *u);

#endif
