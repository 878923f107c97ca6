/*
 * test_privs.c - user lookup and the state directory handed to the user.
 *
 * ng_privs_prepare_dir() runs as root at start and gives state_dir to
 * the gate's user.  Whoever can write state_dir's parent could put a
 * link there: it must be refused, and what it points to left alone.
 * The chown cases need root; they are skipped without it.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/privs.h"
#include "test.h"

#define OTHER	65534	/* nobody's ids on Debian; any non-root id works */

static char top[64];

/* A user that does not exist is an error naming it, not nobody. */
static void
test_missing_user(void)
{
	char err[256] = "";
	uid_t uid = 1;
	gid_t gid = 1;

	CHECK_EQ(ng_privs_lookup("nfqg-no-such-user", &uid, &gid, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "no user \"nfqg-no-such-user\"") != NULL);
	CHECK_EQ(ng_privs_lookup("root", &uid, &gid, err, sizeof(err)), 0);
	CHECK_EQ(uid, 0);
	CHECK_EQ(gid, 0);
}

/* A real directory is made, with its parents, and given away. */
static void
test_dir_given(void)
{
	char dir[128], err[256] = "";
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/state", top);
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)), 0);
	CHECK_EQ(lstat(dir, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_uid, OTHER);
	CHECK_EQ(st.st_gid, OTHER);
	CHECK_EQ(st.st_mode & 07777, 0750);
	/* Again: already right, nothing to do. */
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)), 0);
}

/* A link at state_dir is refused; its target keeps owner and mode. */
static void
test_link_refused(void)
{
	char target[128], link[128], err[256] = "";
	struct stat st;

	snprintf(target, sizeof(target), "%s/etc", top);
	snprintf(link, sizeof(link), "%s/state-link", top);
	CHECK_EQ(mkdir(target, 0755), 0);
	CHECK_EQ(symlink(target, link), 0);
	CHECK_EQ(ng_privs_prepare_dir(link, OTHER, OTHER, err, sizeof(err)),
	    NG_PRIVS_BADDIR);
	CHECK(strstr(err, link) != NULL);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK_EQ(stat(target, &st), 0);
	CHECK_EQ(st.st_uid, 0);
	CHECK_EQ(st.st_gid, 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
	/* Kept root (user = root): nothing is chowned, the link may stay. */
	CHECK_EQ(ng_privs_prepare_dir(link, 0, 0, err, sizeof(err)), 0);
	CHECK_EQ(stat(target, &st), 0);
	CHECK_EQ(st.st_uid, 0);
}

/* A file where the directory should be is an error, left as it is. */
static void
test_not_dir(void)
{
	char path[128], err[256] = "";
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/file", top);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL)
		fclose(f);
	CHECK_EQ(ng_privs_prepare_dir(path, OTHER, OTHER, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, path) != NULL);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_uid, 0);
}

/*
 * A link above the last component, made by a user who can write its
 * directory, is refused too: it used to be followed by mkdir as root,
 * so root made (and then chowned) the directory wherever it pointed.
 */
static void
test_parent_link_refused(void)
{
	char pub[96], target[128], link[128], dir[160], err[256] = "";
	struct stat st;

	snprintf(pub, sizeof(pub), "%s/pub", top);
	snprintf(target, sizeof(target), "%s/secret", top);
	snprintf(link, sizeof(link), "%s/lnk", pub);
	snprintf(dir, sizeof(dir), "%s/state", link);
	CHECK_EQ(mkdir(pub, 01777), 0);
	CHECK_EQ(chmod(pub, 01777), 0);
	CHECK_EQ(mkdir(target, 0700), 0);
	CHECK_EQ(symlink(target, link), 0);
	CHECK_EQ(lchown(link, OTHER, OTHER), 0);	/* a user's link */
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)),
	    NG_PRIVS_BADDIR);
	CHECK(strstr(err, link) != NULL);
	CHECK(strstr(err, "symbolic link") != NULL);
	snprintf(dir, sizeof(dir), "%s/state", target);
	CHECK(lstat(dir, &st) < 0 && errno == ENOENT);
	/* One root made (a distribution's /var/run -> /run) is followed. */
	CHECK_EQ(lchown(link, 0, 0), 0);
	snprintf(dir, sizeof(dir), "%s/state", link);
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s/state", target);
	CHECK_EQ(lstat(dir, &st), 0);
	CHECK_EQ(st.st_uid, OTHER);
}

/*
 * An existing state_dir root would load state from must be root's or
 * the user's and writable by no one else: anyone who could write it
 * could have planted pass entries.  Refused (a config error), left as
 * it is.
 */
static void
test_unsafe_dir_refused(void)
{
	char dir[128], err[256] = "";
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/open", top);
	CHECK_EQ(mkdir(dir, 0777), 0);
	CHECK_EQ(chmod(dir, 0777), 0);
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)),
	    NG_PRIVS_BADDIR);
	CHECK(strstr(err, dir) != NULL);
	CHECK(strstr(err, "writable by group or others (mode 0777)") != NULL);
	CHECK_EQ(chmod(dir, 0770), 0);
	CHECK_EQ(ng_privs_prepare_dir(dir, 0, 0, err, sizeof(err)),
	    NG_PRIVS_BADDIR);
	CHECK_EQ(stat(dir, &st), 0);
	CHECK_EQ(st.st_uid, 0);
	CHECK_EQ(st.st_mode & 07777, 0770);
	/* Owned by a third user: refused, not taken over. */
	CHECK_EQ(chmod(dir, 0750), 0);
	CHECK_EQ(chown(dir, 4242, 4242), 0);
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)),
	    NG_PRIVS_BADDIR);
	CHECK(strstr(err, "owned by uid 4242") != NULL);
	CHECK_EQ(stat(dir, &st), 0);
	CHECK_EQ(st.st_uid, 4242);
	/* The user's own, 0750: fine. */
	CHECK_EQ(chown(dir, OTHER, OTHER), 0);
	CHECK_EQ(ng_privs_prepare_dir(dir, OTHER, OTHER, err, sizeof(err)), 0);
}

int
main(void)
{
	char cmd[128];

	RUN(test_missing_user);
	if (geteuid() != 0) {
		fprintf(stderr, "skip: the state_dir cases need root\n");
		return test_done();
	}
	snprintf(top, sizeof(top), "/tmp/test_privs.XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_dir_given);
	RUN(test_link_refused);
	RUN(test_not_dir);
	RUN(test_parent_link_refused);
	RUN(test_unsafe_dir_refused);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return test_done();
}
