/*
 * save_bench.c - does a state save delay verdicts?
 *
 * Drives the engine the way live.c does, in one thread: SYNs arrive at a
 * fixed rate from ever new sources (each makes a flow), each is judged
 * by ng_engine_packet(), and between arrivals the loop copies one step
 * of a state save (state_saver.c, SAVE_STEP_SLOTS slots as in live.c)
 * whose writing the writer thread (writer.c) does.  A verdict's latency
 * is the time from its packet's scheduled arrival to the verdict, so
 * work that holds the loop shows up in every packet waiting behind it.
 *
 * Three runs on the same engine, full tables (3 x N entries): no save
 * at all (the baseline), saves back to back for the whole run (ours),
 * and the old way, the whole save (copy, format, write, four fsyncs)
 * called on the loop twice a second.  Prints worst and p99 latency of
 * each, the save's total time and the worst copy step.
 *
 * usage: save_bench [ENTRIES [SECONDS [RATE]]]   (100000 3 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "engine/cache.h"
#include "daemon/cache_file.h"
#include "conf/config.h"
#include "engine/engine.h"
#include "daemon/state_saver.h"
#include "synpkt.h"
#include "daemon/writer.h"

#define SAVE_STEP_SLOTS 2048	/* as in live.c */

enum { NO_SAVE, OFF_LOOP, ON_LOOP };

struct result {
	double worst, p99;	/* µs */
	unsigned long pkts;
	unsigned saves;
	double save_max, save_sum;	/* ms, begin to written */
	double step_max;		/* µs, one copy step */
	double step_cpu_max;		/* µs of CPU, one copy step */
	unsigned long steps;
};

/* A clock in µs: CLOCK_MONOTONIC, or this thread's CPU time. */
static ng_usec
clock_usec(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (ng_usec)ts.tv_sec * NG_USEC_PER_SEC +
	    (ng_usec)ts.tv_nsec / 1000;
}

#define now_usec() clock_usec(CLOCK_MONOTONIC)
/* A step's own cost, without the time it was preempted. */
#define cpu_usec() clock_usec(CLOCK_THREAD_CPUTIME_ID)

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct ng_engine *
full_engine(unsigned n)
{
	struct ng_config cfg;
	struct ng_engine *e;
	struct ng_addr a;
	ng_usec t = now_usec();
	unsigned i;

	ng_config_defaults(&cfg);
	cfg.eng.cache_max = n;
	e = ng_engine_new(&cfg.eng);
	ng_config_free(&cfg);
	if (e == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		ng_addr_set_v4(&a, 0x0a000000u + i * 7);
		ng_cache_put(ng_engine_pass_cache(e), &a, t, NG_SEC(86400));
		ng_cache_put(ng_engine_penalty_box(e), &a, t, NG_SEC(86400));
		ng_cache_put(ng_engine_greylist(e), &a, t, NG_SEC(86400));
	}
	return e;
}

/* The old way: the three files written on the loop, one after another. */
static void
save_on_loop(struct ng_engine *e, const char *dir, ng_usec now)
{
	static const char *const k[3] = { "pass", "penalty", "greylist" };
	struct ng_cache *t[3];
	char path[512], err[512];
	int i;

	t[0] = ng_engine_pass_cache(e);
	t[1] = ng_engine_penalty_box(e);
	t[2] = ng_engine_greylist(e);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s.state", dir, k[i]);
		if (ng_state_save(t[i], path, k[i], now, time(NULL), err,
		    sizeof(err)) < 0)
			fprintf(stderr, "save_bench: %s\n", err);
	}
}

/* A finished save, told by the writer's eventfd as in live.c. */
static int
save_done(struct ng_saver *sv, struct result *r, ng_usec began)
{
	char err[512];
	ng_usec t;
	int rc;

	if (!ng_saver_done(sv, &rc, err, sizeof(err)))
		return 0;
	t = now_usec() - began;
	r->saves++;
	r->save_sum += (double)t / 1000;
	if ((double)t / 1000 > r->save_max)
		r->save_max = (double)t / 1000;
	if (rc < 0)
		fprintf(stderr, "save_bench: %s\n", err);
	return 1;
}

/* The saver's share of one turn of the loop, as in live.c's run(). */
static void
save_turn(struct ng_saver *sv, struct ng_engine *e, struct result *r,
    ng_usec *began)
{
	ng_usec t, c;

	if (ng_saver_begin(sv, e, now_usec(), time(NULL)) == 1)
		*began = now_usec();
	if (!ng_saver_copying(sv))
		return;
	c = cpu_usec();
	t = now_usec();
	ng_saver_step(sv, e, SAVE_STEP_SLOTS);
	t = now_usec() - t;
	c = cpu_usec() - c;
	r->steps++;
	if ((double)t > r->step_max)
		r->step_max = (double)t;
	if ((double)c > r->step_cpu_max)
		r->step_cpu_max = (double)c;
}

/* The old way, twice a second: the whole save on the loop. */
static void
sync_turn(struct ng_engine *e, const char *dir, struct result *r,
    ng_usec *last)
{
	ng_usec t = now_usec(), c = cpu_usec();

	if (t - *last < NG_SEC(1) / 2)
		return;
	save_on_loop(e, dir, t);
	c = cpu_usec() - c;
	if ((double)c > r->step_cpu_max)
		r->step_cpu_max = (double)c;
	*last = now_usec();
	t = *last - t;
	r->saves++;
	r->save_sum += (double)t / 1000;
	if ((double)t / 1000 > r->save_max)
		r->save_max = (double)t / 1000;
}

/*
 * Sleep in epoll until the next arrival, as live.c sleeps until the
 * next packet; not at all while a save has slots to copy.
 */
static int
wait_turn(int epfd, ng_usec next, int copying)
{
	struct epoll_event ev;
	struct timespec ts = { 0, 0 };
	ng_usec t = now_usec();

	if (!copying && next > t) {
		ts.tv_sec = (time_t)((next - t) / NG_USEC_PER_SEC);
		ts.tv_nsec = (long)((next - t) % NG_USEC_PER_SEC) * 1000;
	}
	return epoll_pwait2(epfd, &ev, 1, &ts, NULL);
}

static void
run(struct ng_engine *e, struct ng_saver *sv, int epfd, const char *dir,
    int mode, double secs, unsigned rate, uint32_t *src, struct result *r)
{
	size_t cap = (size_t)(secs * rate) + 16, n = 0;
	uint32_t *lat = malloc(cap * sizeof(*lat));
	ng_usec t0 = now_usec(), end = t0 + (ng_usec)(secs * 1e6);
	ng_usec gap = NG_USEC_PER_SEC / rate, next = t0, t, began = 0;
	ng_usec last_sync = t0;
	static struct ng_out out;
	uint8_t pkt[SYN_IPLEN];

	memset(r, 0, sizeof(*r));
	if (lat == NULL)
		exit(1);
	while ((t = now_usec()) < end) {
		while (next <= t && n < cap) {
			(*src)++;
			syn_build(pkt, 0xc0000000u + *src, 0xcb007101u,
			    (uint16_t)(1024 + *src % 60000), 25, *src);
			ng_engine_packet(e, pkt, SYN_IPLEN, SYN_IPLEN,
			    (uint32_t)n, t, &out);
			t = now_usec();
			lat[n++] = (uint32_t)(t - next);
			next += gap;
		}
		if (mode == OFF_LOOP)
			save_turn(sv, e, r, &began);
		else if (mode == ON_LOOP)
			sync_turn(e, dir, r, &last_sync);
		if (wait_turn(epfd, next, ng_saver_copying(sv)) > 0)
			save_done(sv, r, began);
	}
	/* The save under way finishes outside the measurement. */
	if (mode == OFF_LOOP) {
		struct result drain;

		while (ng_saver_step(sv, e, SAVE_STEP_SLOTS))
			;
		for (t = 0; t < 100 && !save_done(sv, &drain, began); t++)
			wait_turn(epfd, now_usec() + NG_SEC(1) / 10, 0);
	}
	qsort(lat, n, sizeof(*lat), cmp_u32);
	r->pkts = n;
	r->worst = n ? lat[n - 1] : 0;
	r->p99 = n ? lat[n * 99 / 100] : 0;
	free(lat);
}

static void
show(const char *name, const struct result *r)
{
	printf("%-10s packets=%lu worst_us=%.0f p99_us=%.0f saves=%u "
	    "save_ms_max=%.1f save_ms_avg=%.1f steps=%lu step_us_max=%.0f "
	    "step_cpu_us_max=%.0f\n", name,
	    r->pkts, r->worst, r->p99, r->saves, r->save_max,
	    r->saves ? r->save_sum / r->saves : 0, r->steps, r->step_max,
	    r->step_cpu_max);
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
	double secs = argc > 2 ? atof(argv[2]) : 3;
	unsigned rate = argc > 3 ? (unsigned)atoi(argv[3]) : 20000;
	char dir[] = "/var/tmp/ngsavebench.XXXXXX", err[256], path[600];
	struct result none, off, on, none2;
	struct ng_engine *e;
	struct ng_writer *w;
	struct ng_saver *sv;
	struct epoll_event ev;
	uint32_t src = 1;
	int epfd;
	const char *k[3] = { "pass", "penalty", "greylist" };
	int i;

	if (n == 0 || secs <= 0 || rate == 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: save_bench [ENTRIES [SECONDS "
		    "[RATE]]]\n");
		return 2;
	}
	e = full_engine(n);
	if ((w = ng_writer_start(err, sizeof(err))) == NULL ||
	    (sv = ng_saver_new(w, dir)) == NULL ||
	    ng_saver_reserve(sv, n) < 0) {
		fprintf(stderr, "save_bench: %s\n", err);
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, ng_writer_fd(w),
	    &ev) < 0) {
		perror("save_bench: epoll");
		return 1;
	}
	printf("tables=3x%u rate=%u/s seconds=%.1f step_slots=%d\n", n, rate,
	    secs, SAVE_STEP_SLOTS);
	/* Interleaved, so drift on a shared machine hits both sides. */
	run(e, sv, epfd, dir, NO_SAVE, secs, rate, &src, &none);
	run(e, sv, epfd, dir, OFF_LOOP, secs, rate, &src, &off);
	run(e, sv, epfd, dir, NO_SAVE, secs, rate, &src, &none2);
	run(e, sv, epfd, dir, ON_LOOP, secs, rate, &src, &on);
	/* The calmer baseline: the comparison is not flattered. */
	if (none2.worst < none.worst)
		none = none2;
	show("none", &none);
	show("off-loop", &off);
	show("on-loop", &on);
	ng_writer_stop(w, NG_SEC(30));
	ng_saver_free(sv);
	ng_engine_free(e);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s.state", dir, k[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
