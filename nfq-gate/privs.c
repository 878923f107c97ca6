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

#include "privs.h"

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

/* mkdir_parents - make every directory above path's last component. */
static int
mkdir_parents(char *path, char *err, size_t errlen)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "mkdir %s: %s", path,
			    strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * ng_privs_prepare_dir - make state_dir and give it to the gate's user.
 *
 * Root giving the directory away opens it with O_NOFOLLOW and chowns
 * the descriptor: whoever can write the parent could otherwise put a
 * link there and have root hand any directory (/etc) to the gate's
 * user.  Not root (systemd's StateDirectory= made it, as a link into
 * /var/lib/private under DynamicUser) nothing is chowned, so a link is
 * followed; never chown then, the unit's ~@privileged filter kills a
 * process that tries.
 */
int
ng_privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	char path[512];
	struct stat st;
	int give = geteuid() == 0 && uid != 0, fd, r = -1;

	if (strlen(dir) >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s", dir);
	if (mkdir_parents(path, err, errlen) < 0)
		return -1;
	if (mkdir(path, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (give ? O_NOFOLLOW : 0));
	/* O_DIRECTORY makes a link's ELOOP an ENOTDIR. */
	if (fd < 0 && give && (errno == ELOOP || (errno == ENOTDIR &&
	    lstat(path, &st) == 0 && S_ISLNK(st.st_mode)))) {
		snprintf(err, errlen, "%s: a symbolic link, not followed "
		    "(name the directory itself)", path);
		return -1;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!give) {
		if (faccessat(fd, ".", W_OK | X_OK, 0) == 0)
			r = 0;
		else
			snprintf(err, errlen, "%s: not writable by uid %u: %s",
			    path, (unsigned)geteuid(), strerror(errno));
		goto out;
	}
	if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
	else
		r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

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
