/*
 * privs.h - give up root once the netlink socket and files are open.
 *
 * The daemon parses packets from the Internet; if that code ever goes
 * wrong it should do so as an unprivileged user.  Only CAP_NET_ADMIN is
 * kept, because nfnetlink checks it on every verdict we send.
 */
#ifndef NG_PRIVS_H
#define NG_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Resolve name to uid/gid.  "root" (or an empty name) means keep root.
 * A missing user is -1 with a message naming it: never a silent
 * fallback to another account.
 */
int ng_privs_lookup(const char *name, uid_t *uid, gid_t *gid, char *err,
    size_t errlen);

/* Resolve a group name; -1 with a message when there is none. */
int ng_privs_lookup_group(const char *name, gid_t *gid, char *err,
    size_t errlen);

/* ng_privs_prepare_dir's answer for a directory that is there but must
 * not be used (a link, a foreign owner, writable by others): a config
 * error (78), where -1 is one that could not be made (73). */
#define NG_PRIVS_BADDIR	(-2)

/*
 * Make dir (and parents) and give it to uid/gid while still root,
 * walking the path with openat() without following a link (one root
 * made excepted, above the last component): a symlink at dir is refused
 * then, not followed, and so is a dir owned by another user or writable
 * by group or others.  Not root, nothing is chowned or checked and a
 * link is followed (systemd's DynamicUser links StateDirectory=).
 * Returns 0, -1 (cannot make it) or NG_PRIVS_BADDIR.
 */
int ng_privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err,
    size_t errlen);

/* Become uid/gid keeping only CAP_NET_ADMIN; a no-op for uid 0. */
int ng_privs_drop(uid_t uid, gid_t gid, char *err, size_t errlen);

#endif
