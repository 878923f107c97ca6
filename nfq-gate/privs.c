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
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"

int
ng_privs_lookup(const char *name, uid_t *uid, gid_t *gid, int *fellback,
    char *err, size_t errlen)
{
	struct passwd *pw;

	*fellback = 0;
	if (name[0] == '\0' || strcmp(name, "root") == 0) {
		*uid = 0;
		*gid = 0;
		return 0;
	}
	pw = getpwnam(name);
	if (pw == NULL) {
		pw = getpwnam("nobody");
		*fellback = 1;
	}
	if (pw == NULL) {
		snprintf(err, errlen, "no user \"%s\" and no user \"nobody\"",
		    name);
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

int
ng_privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	char path[512], *p;
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
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
	if (mkdir(path, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", path);
		return -1;
	}
	/*
	 * Not root (systemd's StateDirectory= made it for us): never chown,
	 * the unit's ~@privileged filter kills a process that tries.
	 */
	if (geteuid() != 0) {
		if (access(path, W_OK | X_OK) < 0) {
			snprintf(err, errlen, "%s: not writable by uid %u: %s",
			    path, (unsigned)geteuid(), strerror(errno));
			return -1;
		}
		return 0;
	}
	if (uid != 0 && (st.st_uid != uid || st.st_gid != gid) &&
	    chown(path, uid, gid) < 0) {
		snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
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
