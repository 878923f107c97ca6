/*
 * test_atomic_file.c - the atomic write helper: a state directory that
 * is a symbolic link to a directory (what systemd's DynamicUser= with
 * StateDirectory= makes of /var/lib/nfq-gate) is used, while a link
 * planted at the file itself is replaced, never followed; the flags
 * (a unique temporary name, no sync) and the stream variant.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "test.h"

static char top[] = "/tmp/ngatomic.XXXXXX";

/* read_text - the file's text, "" when it cannot be read */
static char *
read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) < 0)
		return buf;
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

/* test_symlinked_dir - durable saves through a linked state directory */
static void
test_symlinked_dir(void)
{
	char real[128], link[128], path[256], err[512], buf[64];
	int i;

	snprintf(real, sizeof(real), "%s/private", top);
	snprintf(link, sizeof(link), "%s/nfq-gate", top);
	snprintf(path, sizeof(path), "%s/state", link);
	CHECK(mkdir(real, 0700) == 0);
	CHECK(symlink("private", link) == 0);
	for (i = 0; i < 3; i++) {
		err[0] = '\0';
		CHECK_EQ(ng_atomic_write(path, "v1\n", 3, 0600, 0, err,
		    sizeof(err)), 0);
		if (err[0] != '\0')
			fprintf(stderr, "    %s\n", err);
	}
	CHECK_STR(read_text(path, buf, sizeof(buf)), "v1\n");
	snprintf(path, sizeof(path), "%s/state", real);
	CHECK_STR(read_text(path, buf, sizeof(buf)), "v1\n");
	unlink(path);
	rmdir(real);
	unlink(link);
}

/* test_link_at_file - a link at the file is replaced, its target kept */
static void
test_link_at_file(void)
{
	char victim[128], path[128], err[512], buf[64];
	struct stat st;
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", top);
	snprintf(path, sizeof(path), "%s/state", top);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, "keep\n", 5) == 5);
	close(fd);
	CHECK(symlink("victim", path) == 0);
	CHECK_EQ(ng_atomic_write(path, "new\n", 4, 0600, 0, err,
	    sizeof(err)), 0);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_STR(read_text(victim, buf, sizeof(buf)), "keep\n");
	CHECK_STR(read_text(path, buf, sizeof(buf)), "new\n");
	unlink(path);
	unlink(victim);
}

/* entries - how many names in top (the temporary files left over) */
static int
entries(void)
{
	struct dirent *d;
	DIR *dir = opendir(top);
	int n = 0;

	while (dir != NULL && (d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	if (dir != NULL)
		closedir(dir);
	return n;
}

/* test_unique - mkstemp's name, exactly the mode, nothing left behind */
static void
test_unique(void)
{
	char path[128], err[512], buf[64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/geo.db", top);
	CHECK_EQ(ng_atomic_write(path, "db\n", 3, 0644, NG_ATOMIC_UNIQUE, err,
	    sizeof(err)), 0);
	CHECK_STR(read_text(path, buf, sizeof(buf)), "db\n");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	CHECK_EQ(entries(), 1);
	CHECK_EQ(ng_atomic_write(path, "db2\n", 4, 0644,
	    NG_ATOMIC_UNIQUE | NG_ATOMIC_NOSYNC, err, sizeof(err)), 0);
	CHECK_STR(read_text(path, buf, sizeof(buf)), "db2\n");
	CHECK_EQ(entries(), 1);
	unlink(path);
}

/* test_missing_dir - every flavour fails cleanly, naming the path */
static void
test_missing_dir(void)
{
	char path[128], err[512];
	int flags;

	snprintf(path, sizeof(path), "%s/none/x.db", top);
	for (flags = 0; flags <= 3; flags++) {
		err[0] = '\0';
		CHECK_EQ(ng_atomic_write(path, "x", 1, 0644, flags, err,
		    sizeof(err)), -1);
		CHECK_EQ(errno, ENOENT);
		CHECK(strncmp(err, path, strlen(path)) == 0);
		CHECK(strstr(err, ": creating ") != NULL);
		CHECK(strstr(err, "(the old file is kept)") != NULL);
	}
	CHECK_EQ(entries(), 0);
}

/* fill_text - the stream variant's fill: the string arg, or a failure */
static int
fill_text(FILE *fp, void *arg)
{
	if (arg == NULL)
		return -1;
	fputs(arg, fp);
	return 0;
}

/* test_stream - written through stdio; a failed fill keeps the old file */
static void
test_stream(void)
{
	char path[128], err[512], buf[64];
	int flags;

	snprintf(path, sizeof(path), "%s/geo.nft", top);
	for (flags = 0; flags <= 3; flags++) {
		CHECK_EQ(ng_atomic_write_fp(path, 0644, flags, fill_text,
		    "add table\n", err, sizeof(err)), 0);
		CHECK_STR(read_text(path, buf, sizeof(buf)), "add table\n");
		strcpy(err, "untouched");
		CHECK_EQ(ng_atomic_write_fp(path, 0644, flags, fill_text, NULL,
		    err, sizeof(err)), -1);
		CHECK_STR(err, "");
		CHECK_STR(read_text(path, buf, sizeof(buf)), "add table\n");
		CHECK_EQ(entries(), 1);
		unlink(path);
	}
}

int
main(void)
{
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_symlinked_dir);
	RUN(test_link_at_file);
	RUN(test_unique);
	RUN(test_missing_dir);
	RUN(test_stream);
	rmdir(top);
	return test_done();
}
