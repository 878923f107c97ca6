/*
 * privs.c - drop from root to the configured user, keeping only
 * CAP_NET_ADMIN.
 *
 * The order matters: PR_SET_KEEPCAPS so setuid() does not wipe the
 * permitted set, then supplementary groups, gid and uid, then cap_set_proc
 * with CAP_NET_ADMIN permitted and effective and nothing else, and
 * PR_SET_NO_NEW_PRIVS so nothing we exec (we exec nothing) could regain
 * more.  The state directory is made and chowned first, while we still
 * may.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/privs.h"

/*
 * ng_privs_lookup - the uid and gid of a user name.  A missing user is
 * an error: falling back to "nobody" would hand the state directory to
 * an account other daemons share.
 */
int
ng_privs_lookup(const char *name, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw;

	if (name[0] == '\0' || strcmp(name, "root") == 0) {
		*uid = 0;
		*gid = 0;
		return 0;
	}
	pw = getpwnam(name);
	if (pw == NULL) {
		snprintf(err, errlen, "no user \"%s\"", name);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* ng_privs_lookup_group - group name into *gid; -1 with a message when none. */
int
ng_privs_lookup_group(const char *name, gid_t *gid, char *err,
    size_t errlen)
{
	struct group *gr = getgrnam(name);

	if (gr == NULL) {
		snprintf(err, errlen, "no group \"%s\"", name);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/*
 * open_dir - open directory name under fd without trusting a link in
 * it.  Strict (root), a link is followed only if root made it (a
 * distribution's /var/run -> /run); one anybody else made is refused,
 * since whoever can write the directory holding it could point it at
 * /etc.  Returns the descriptor, -1 (errno) or NG_PRIVS_BADDIR.
 */
static int
open_dir(int fd, const char *name, int strict, int trust_root,
    const char *shown, char *err, size_t errlen)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, nfd;
	struct stat st;

	nfd = openat(fd, name, flags | (strict ? O_NOFOLLOW : 0));
	if (nfd >= 0 || !strict)
		goto out;
	/* O_DIRECTORY makes a link's ELOOP an ENOTDIR. */
	if ((errno == ELOOP || errno == ENOTDIR) &&
	    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		if (trust_root && st.st_uid == 0) {
			nfd = openat(fd, name, flags);
			goto out;
		}
		snprintf(err, errlen, "%s: a symbolic link, not followed "
		    "(name the directory itself)", shown);
		return NG_PRIVS_BADDIR;
	}
	errno = errno == ELOOP ? ENOTDIR : errno;
out:
	if (nfd < 0)
		snprintf(err, errlen, "%s: %s", shown, strerror(errno));
	return nfd;
}

/*
 * walk_parents - make and open every directory above path's last
 * component, one openat() at a time from / (or the working directory),
 * so no component is looked up by a path a link could redirect.  path
 * is cut there; *last is the final component.  Returns the parent's
 * descriptor, -1 or NG_PRIVS_BADDIR.
 */
static int
walk_parents(char *path, int strict, const char **last, char *err,
    size_t errlen)
{
	char *p = path, *slash;
	int fd, nfd;

	fd = open(*p == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		while (*p == '/')
			p++;
		if ((slash = strchr(p, '/')) == NULL || slash[1] == '\0')
			break;
		*slash = '\0';
		if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "mkdir %s: %s", path,
			    strerror(errno));
			nfd = -1;
		} else
			nfd = open_dir(fd, p, strict, 1, path, err, errlen);
		*slash = '/';
		close(fd);
		if (nfd < 0)
			return nfd;
		fd = nfd;
		p = slash + 1;
	}
	if (slash != NULL)
		*slash = '\0';		/* a trailing slash */
	if (*p == '\0') {
		snprintf(err, errlen, "%s: not a directory name", path);
		close(fd);
		return -1;
	}
	*last = p;
	return fd;
}

/*
 * safe_dir - root's check of the state directory it is about to load
 * state from: owned by root or the gate's user, writable by no one else.
 * Anyone else who could write it could have planted pass entries (or
 * links) in it; it is refused, not repaired, since what was planted
 * would still be there.
 */
static int
safe_dir(const char *path, const struct stat *st, uid_t uid, char *err,
    size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != uid) {
		snprintf(err, errlen, "%s: owned by uid %u, not root or the "
		    "gate's user: not used", path, (unsigned)st->st_uid);
		return NG_PRIVS_BADDIR;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: writable by group or others (mode "
		    "%04o): not used (chmod 0750 it)", path,
		    (unsigned)(st->st_mode & 07777));
		return NG_PRIVS_BADDIR;
	}
	return 0;
}

/*
 * ng_privs_prepare_dir - make state_dir and give it to the gate's user.
 *
 * Root walks the path one openat() at a time (walk_parents), opens the
 * directory itself with O_NOFOLLOW, checks it (safe_dir) and chowns the
 * descriptor: whoever can write a directory on the way could otherwise
 * put a link there and have root hand any directory (/etc) to the
 * gate's user, or load state they wrote.  Not root (systemd's
 * StateDirectory= made it, as a link into /var/lib/private under
 * DynamicUser) nothing is chowned, so a link is followed; never chown
 * then, the unit's ~@privileged filter kills a process that tries.
 */
int
ng_privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	char path[512];
	const char *last;
	struct stat st;
	int root = geteuid() == 0, give = root && uid != 0, pfd, fd, r;

	if (strlen(dir) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s", dir);
	if ((pfd = walk_parents(path, root, &last, err, errlen)) < 0)
		return pfd;
	snprintf(path, sizeof(path), "%s", dir);
	if (mkdirat(pfd, last, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
		close(pfd);
		return -1;
	}
	fd = open_dir(pfd, last, give, 0, path, err, errlen);
	close(pfd);
	if (fd < 0)
		return fd;
	r = -1;
	if (fstat(fd, &st) < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (root && (r = safe_dir(path, &st, uid, err, errlen)) < 0)
		;
	else if (!give) {
		if ((r = faccessat(fd, ".", W_OK | X_OK, 0)) < 0)
			snprintf(err, errlen, "%s: not writable by uid %u: %s",
			    path, (unsigned)geteuid(), strerror(errno));
	} else if ((st.st_uid != uid || st.st_gid != gid) &&
	    (r = fchown(fd, uid, gid)) < 0)
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
	close(fd);
	return r;
}

/*
 * keep_net_admin - every capability cleared but CAP_NET_ADMIN, which the
 * queue and the nft set need after the drop.
 */
static int
keep_net_admin(char *err, size_t errlen)
{
	cap_value_t keep[1] = { CAP_NET_ADMIN };
	cap_t caps = cap_init();	/* all clear */
	int r = -1;

	if (caps == NULL)
		goto out;
	if (cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET) < 0)
		goto out;
	r = cap_set_proc(caps);
out:
	if (r < 0)
		snprintf(err, errlen, "keeping CAP_NET_ADMIN: %s",
		    strerror(errno));
	if (caps != NULL)
		cap_free(caps);
	return r;
}

/* ng_privs_drop - become uid/gid keeping only CAP_NET_ADMIN; uid 0 stays. */
int
ng_privs_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (uid == 0)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0) {
		snprintf(err, errlen, "setgid %ld: %s", (long)gid,
		    strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "setuid %ld: %s", (long)uid,
		    strerror(errno));
		return -1;
	}
	if (keep_net_admin(err, errlen) < 0)
		return -1;
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	/* Prove it: root must be gone for good. */
	if (setuid(0) == 0) {
		snprintf(err, errlen, "could regain root after dropping");
		return -1;
	}
	return 0;
}
