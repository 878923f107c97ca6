/*
 * test_base_helpers.c - the helpers every room shares: the error
 * formatter (messages cut exactly as the six hand-written copies cut
 * them), the whole-file reader (its limit, pipes, messages naming the
 * file) and the duration grammar (the config's and --greet-pause's).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/duration.h"
#include "base/err.h"
#include "base/file_read.h"
#include "test.h"

static char top[] = "/tmp/ngbase.XXXXXX";

/* test_err - plain and "file:line: " messages, short buffers, none */
static void
test_err(void)
{
	char err[32], tiny[8];

	CHECK_EQ(ng_err(err, sizeof(err), "bad %s", "thing"), -1);
	CHECK_STR(err, "bad thing");
	CHECK_EQ(ng_err_at(err, sizeof(err), "a.conf", 12, "bad %d", 6), -1);
	CHECK_STR(err, "a.conf:12: bad 6");
	/* The message is cut to fit... */
	CHECK_EQ(ng_err_at(err, sizeof(err), "a.conf", 3, "%s",
	    "a message far too long to fit"), -1);
	CHECK_STR(err, "a.conf:3: a message far too lon");
	/* ...and a prefix that does not fit leaves no message at all. */
	CHECK_EQ(ng_err_at(tiny, sizeof(tiny), "long.conf", 3, "x"), -1);
	CHECK_STR(tiny, "long.co");
	/* No buffer, or an empty one, is never written. */
	CHECK_EQ(ng_err(NULL, 0, "x"), -1);
	CHECK_EQ(ng_err_at(NULL, 0, "f", 1, "x"), -1);
	tiny[0] = 'k';
	CHECK_EQ(ng_err_at(tiny, 0, "f", 1, "x"), -1);
	CHECK_EQ(tiny[0], 'k');
}

/* put - a file of n bytes of c at top/name; its path in buf */
static const char *
put(char *buf, size_t len, const char *name, size_t n, char c)
{
	char *bytes = malloc(n + 1);
	int fd;

	snprintf(buf, len, "%s/%s", top, name);
	fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && bytes != NULL);
	if (fd >= 0 && bytes != NULL) {
		memset(bytes, c, n);
		CHECK(write(fd, bytes, n) == (ssize_t)n);
	}
	if (fd >= 0)
		close(fd);
	free(bytes);
	return buf;
}

/* test_file_read - whole files, the limit, errors naming the file */
static void
test_file_read(void)
{
	char path[256], err[512], want[600], *text;
	size_t len = 99;

	text = ng_file_read(put(path, sizeof(path), "empty", 0, 'x'), 10,
	    &len, err, sizeof(err));
	CHECK(text != NULL && len == 0 && text[0] == '\0');
	free(text);
	/* Exactly the limit is read, NUL-terminated; one byte more is not. */
	text = ng_file_read(put(path, sizeof(path), "ten", 10, 'a'), 10,
	    &len, err, sizeof(err));
	CHECK(text != NULL && len == 10);
	CHECK_STR(text, "aaaaaaaaaa");
	free(text);
	text = ng_file_read(put(path, sizeof(path), "eleven", 11, 'a'), 10,
	    &len, err, sizeof(err));
	CHECK(text == NULL && errno == EFBIG);
	snprintf(want, sizeof(want), "%s: cannot read: %s", path,
	    strerror(EFBIG));
	CHECK_STR(err, want);
	/* Bigger than the first buffer: it grows. */
	text = ng_file_read(put(path, sizeof(path), "big", 100000, 'b'),
	    1 << 20, &len, err, sizeof(err));
	CHECK(text != NULL && len == 100000 && text[99999] == 'b' &&
	    text[100000] == '\0');
	free(text);
	snprintf(path, sizeof(path), "%s/missing", top);
	CHECK(ng_file_read(path, 10, &len, err, sizeof(err)) == NULL);
	CHECK_EQ(errno, ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path,
	    strerror(ENOENT));
	CHECK_STR(err, want);
	/* A directory opens but does not read. */
	CHECK(ng_file_read(top, 10, &len, err, sizeof(err)) == NULL);
	CHECK(strstr(err, ": cannot read: ") != NULL);
}

/* test_file_read_pipe - a pipe has no size: read to its end anyway */
static void
test_file_read_pipe(void)
{
	char err[256], *text;
	size_t len = 0;
	int fds[2];

	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], "ports = 25\n", 11) == 11);
	close(fds[1]);
	text = ng_file_read_fd(fds[0], "stdin", 1 << 20, &len, err,
	    sizeof(err));
	CHECK(text != NULL && len == 11);
	CHECK_STR(text, "ports = 25\n");
	free(text);
	close(fds[0]);
}

/*
 * test_duration - the one grammar: the config's units and --greet-pause's
 * fractions, each accepted by both now.
 */
static void
test_duration(void)
{
	static const struct { const char *s; ng_usec v; } ok[] = {
		{ "6", NG_SEC(6) }, { "0.5", 500000 }, { "0.5s", 500000 },
		{ "250ms", 250000 }, { "0.5ms", 500 }, { "1.5m", NG_SEC(90) },
		{ "1.5h", NG_SEC(5400) }, { "0.25d", NG_SEC(21600) },
		{ "2.", NG_SEC(2) }, { "0.0000019", 1 },
		{ "36600d", NG_DURATION_MAX },
	};
	static const char *bad[] = {
		"", ".5", "-0.5", "0.5.5", "0.5 s", "1,5", "0.5x", "36600.5d",
		"36601d",
	};
	size_t i;
	ng_usec v;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		CHECK_EQ(ng_parse_duration(ok[i].s, &v), 0);
		CHECK_EQ(v, ok[i].v);
		if (v != ok[i].v)
			fprintf(stderr, "    \"%s\"\n", ok[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		CHECK_EQ(ng_parse_duration(bad[i], &v), -1);
		CHECK_EQ(v, 12345);
		if (v != 12345)
			fprintf(stderr, "    accepted \"%s\"\n", bad[i]);
	}
}

/* main - the tests in a scratch directory, removed after */
int
main(void)
{
	static const char *made[] = { "empty", "ten", "eleven", "big" };
	char path[256];
	size_t i;

	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_err);
	RUN(test_file_read);
	RUN(test_file_read_pipe);
	RUN(test_duration);
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", top, made[i]);
		unlink(path);
	}
	rmdir(top);
	return test_done();
}
