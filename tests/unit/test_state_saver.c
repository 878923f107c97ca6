/*
 * test_state_saver.c - the live gate's save path without the live gate:
 * the engine's three tables copied in steps, written by the writer
 * thread, loaded back; one save at a time; a failed save reported and
 * the old files kept; the final save at shutdown.
 */
#include <poll.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cache.h"
#include "conf/config.h"
#include "daemon/state_saver.h"
#include "test.h"
#include "daemon/writer.h"

static char dir[] = "/tmp/ngsaver.XXXXXX";

/* An engine with tables of n entries, each filled with fill entries. */
static struct ng_engine *
engine(unsigned n, unsigned fill)
{
	struct ng_config cfg;
	struct ng_engine *e;
	struct ng_addr a;
	unsigned i;

	ng_config_defaults(&cfg);
	cfg.eng.cache_max = n;
	e = ng_engine_new(&cfg.eng);
	ng_config_free(&cfg);
	for (i = 0; e != NULL && i < fill; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i);
		ng_cache_put(ng_engine_pass_cache(e), &a, NG_SEC(1),
		    NG_SEC(3600));
		ng_cache_put(ng_engine_penalty_box(e), &a, NG_SEC(1),
		    NG_SEC(3600));
		ng_cache_put(ng_engine_greylist(e), &a, NG_SEC(1),
		    NG_SEC(3600));
	}
	return e;
}

/* Wait for the writer's fd, then ask the saver: 1 and rc when done. */
static int
wait_done(struct ng_writer *w, struct ng_saver *sv, int *rc, char *err,
    size_t errlen)
{
	struct pollfd p = { ng_writer_fd(w), POLLIN, 0 };
	int n;

	for (n = 0; n < 100; n++) {
		if (ng_saver_done(sv, rc, err, errlen))
			return 1;
		poll(&p, 1, 100);
	}
	return 0;
}

static void
warn(const char *msg)
{
	fprintf(stderr, "    load: %s\n", msg);
}

static void
test_save_in_steps(void)
{
	struct ng_engine *e = engine(3000, 3000), *back = engine(3000, 0);
	struct ng_writer *w;
	struct ng_saver *sv;
	char err[512], path[300];
	int rc = 0, steps = 0;

	w = ng_writer_start(err, sizeof(err));
	CHECK(w != NULL && e != NULL && back != NULL);
	if (w == NULL || e == NULL || back == NULL)
		return;
	sv = ng_saver_new(w, dir);
	CHECK_EQ(ng_saver_copying(sv), 0);
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 1);
	/* Only one save at a time: the second one waits for the next. */
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 0);
	while (ng_saver_step(sv, e, 500))
		steps++;
	CHECK_EQ(steps, 3 * 6 - 1);
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 0);
	CHECK_EQ(wait_done(w, sv, &rc, err, sizeof(err)), 1);
	CHECK_EQ(rc, 9000);

	/* Loaded back into a fresh engine: every entry. */
	CHECK_EQ(ng_saver_load(back, dir, NG_SEC(5), 1000, warn), 9000);
	CHECK_EQ(ng_cache_count(ng_engine_greylist(back)), 3000);

	/* The final save, with nothing under way, then another at once. */
	CHECK_EQ(ng_saver_final(sv, e, NG_SEC(3), 1000, NG_SEC(5), err,
	    sizeof(err)), 9000);
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(3), 1000), 1);
	CHECK_EQ(ng_saver_final(sv, e, NG_SEC(3), 1000, NG_SEC(5), err,
	    sizeof(err)), 9000);
	CHECK_EQ(ng_writer_stop(w, NG_SEC(5)), 0);
	ng_saver_free(sv);

	/* A save that cannot be written: reported, old files kept. */
	w = ng_writer_start(err, sizeof(err));
	snprintf(path, sizeof(path), "%s/gone", dir);
	sv = ng_saver_new(w, path);
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 1);
	while (ng_saver_step(sv, e, (size_t)-1))
		;
	CHECK_EQ(wait_done(w, sv, &rc, err, sizeof(err)), 1);
	CHECK_EQ(rc, -1);
	CHECK(strstr(err, "gone/pass.state: creating") != NULL);
	CHECK_EQ(ng_writer_stop(w, NG_SEC(5)), 0);
	ng_saver_free(sv);
	ng_engine_free(e);
	ng_engine_free(back);
}

static _Atomic int held = 1;

/* hold - a job that keeps the writer busy until held is cleared */
static int
hold(struct ng_job *j)
{
	(void)j;
	while (atomic_load(&held))
		usleep(1000);
	return 0;
}

/*
 * test_refused - a writer queue full of other jobs refuses the save: it
 * is reported as failed and the saver is idle again, so the next save
 * starts (it used to stay "writing" for ever, and no save ran again).
 */
static void
test_refused(void)
{
	struct ng_engine *e = engine(100, 100);
	struct ng_job jobs[8];
	struct ng_writer *w;
	struct ng_saver *sv;
	char err[512];
	int i, rc = 0, queued = 0;

	w = ng_writer_start(err, sizeof(err));
	CHECK(w != NULL && e != NULL);
	if (w == NULL || e == NULL)
		return;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 8; i++) {
		jobs[i].run = hold;
		queued += ng_writer_submit(w, &jobs[i]) == 0;
	}
	CHECK_EQ(queued, 8);
	sv = ng_saver_new(w, dir);
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 1);
	while (ng_saver_step(sv, e, (size_t)-1))
		;
	err[0] = '\0';
	CHECK_EQ(ng_saver_done(sv, &rc, err, sizeof(err)), 1);
	CHECK_EQ(rc, -1);
	CHECK(strstr(err, "refused") != NULL);
	atomic_store(&held, 0);
	for (i = 0; i < 8; i++)
		ng_writer_wait(w, &jobs[i], NG_SEC(5));
	/* Idle again: the next save starts and is written. */
	CHECK_EQ(ng_saver_begin(sv, e, NG_SEC(2), 1000), 1);
	while (ng_saver_step(sv, e, (size_t)-1))
		;
	CHECK_EQ(wait_done(w, sv, &rc, err, sizeof(err)), 1);
	CHECK_EQ(rc, 300);
	CHECK_EQ(ng_writer_stop(w, NG_SEC(5)), 0);
	ng_saver_free(sv);
	ng_engine_free(e);
}

int
main(void)
{
	const char *k[] = { "pass", "penalty", "greylist" };
	char path[300];
	unsigned i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_save_in_steps);
	RUN(test_refused);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s.state", dir, k[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0)
		fprintf(stderr, "    %s left behind\n", dir);
	return test_done();
}
