/*
 * writer.c - the thread for blocking file work (see writer.h).
 *
 * The loop pushes job pointers onto a ring only it writes the tail of
 * and the thread only writes the head of, then bumps the thread's
 * eventfd; the thread blocks in read() on it, runs what it finds, marks
 * each job done (release store) and bumps the loop's eventfd.  No mutex
 * anywhere, so the loop never waits for the thread.  The waits at
 * shutdown poll with short sleeps: they are bounded and happen once.
 * Every signal is blocked in the thread: the loop takes them through
 * its signalfd, and a signal delivered here would run its default
 * action.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "daemon/writer.h"

#define QMAX	8
#define WRITER_NICE	10
#define NAP	1000	/* µs between looks while waiting at shutdown */

enum { J_IDLE = 0, J_QUEUED, J_DONE };

struct ng_writer {
	pthread_t thread;
	struct ng_job *q[QMAX];
	_Atomic unsigned head, tail;	/* thread's, loop's */
	_Atomic int stop, running;
	int work_fd;			/* loop -> thread, blocking */
	int done_fd;			/* thread -> loop, non-blocking */
};

/* nap - a short sleep between looks at shutdown */
static void
nap(void)
{
	struct timespec ts = { 0, (long)NAP * 1000 };

	nanosleep(&ts, NULL);
}

/* bump - add one to an eventfd (a full counter cannot happen) */
static void
bump(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* run_queued - every job on the ring, in order */
static void
run_queued(struct ng_writer *w)
{
	unsigned h = atomic_load_explicit(&w->head, memory_order_relaxed);
	struct ng_job *j;

	while (h != atomic_load_explicit(&w->tail, memory_order_acquire)) {
		j = w->q[h % QMAX];
		j->rc = j->run(j);
		atomic_store_explicit(&j->state, J_DONE, memory_order_release);
		atomic_store_explicit(&w->head, ++h, memory_order_release);
		bump(w->done_fd);
	}
}

/* thread_main - jobs in order until told to stop with the ring empty */
static void *
thread_main(void *arg)
{
	struct ng_writer *w = arg;
	uint64_t n;

	/*
	 * Below the loop: on a busy machine a save may take longer, a
	 * verdict may not.  A thread's nice value is its own on Linux.
	 */
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), WRITER_NICE);
	atomic_store(&w->running, 1);
	for (;;) {
		run_queued(w);
		if (atomic_load(&w->stop))
			break;
		if (read(w->work_fd, &n, sizeof(n)) < 0 && errno != EINTR)
			nap();	/* cannot happen; do not spin if it does */
	}
	run_queued(w);
	atomic_store(&w->running, 0);
	return NULL;
}

/* close_fds - both eventfds, those that were made */
static void
close_fds(struct ng_writer *w)
{
	if (w->work_fd >= 0)
		close(w->work_fd);
	if (w->done_fd >= 0)
		close(w->done_fd);
}

/* ng_writer_start - the thread and its two eventfds, running on return. */
struct ng_writer *
ng_writer_start(char *err, size_t errlen)
{
	struct ng_writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int r;

	if (w == NULL) {
		snprintf(err, errlen, "writer thread: out of memory");
		return NULL;
	}
	w->work_fd = eventfd(0, EFD_CLOEXEC);
	w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->work_fd < 0 || w->done_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		close_fds(w);
		free(w);
		return NULL;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, thread_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		snprintf(err, errlen, "writer thread: %s", strerror(r));
		close_fds(w);
		free(w);
		return NULL;
	}
	/* Its start-up calls are made before any seccomp filter. */
	while (!atomic_load(&w->running))
		nap();
	return w;
}

/* ng_writer_fd - readable when a job may have finished. */
int
ng_writer_fd(const struct ng_writer *w)
{
	return w->done_fd;
}

/*
 * ng_writer_submit - queue j; -1 with EBUSY when j is not idle, the
 * queue is full or the thread is stopping.
 */
int
ng_writer_submit(struct ng_writer *w, struct ng_job *j)
{
	unsigned t = atomic_load_explicit(&w->tail, memory_order_relaxed);

	if (atomic_load(&j->state) != J_IDLE || atomic_load(&w->stop) ||
	    t - atomic_load_explicit(&w->head, memory_order_acquire) == QMAX) {
		errno = EBUSY;
		return -1;
	}
	j->err[0] = '\0';
	j->rc = 0;
	atomic_store_explicit(&j->state, J_QUEUED, memory_order_relaxed);
	w->q[t % QMAX] = j;
	atomic_store_explicit(&w->tail, t + 1, memory_order_release);
	bump(w->work_fd);
	return 0;
}

/* ng_writer_reap - 1 when j has finished: it is idle again. */
int
ng_writer_reap(struct ng_writer *w, struct ng_job *j)
{
	uint64_t n;

	if (read(w->done_fd, &n, sizeof(n)) < 0)
		(void)0;	/* EAGAIN: nothing new, look anyway */
	if (atomic_load_explicit(&j->state, memory_order_acquire) != J_DONE)
		return 0;
	atomic_store(&j->state, J_IDLE);
	return 1;
}

/* ng_writer_busy - 1 while j is queued, running or not yet reaped. */
int
ng_writer_busy(struct ng_writer *w, const struct ng_job *j)
{
	(void)w;
	return atomic_load(&j->state) != J_IDLE;
}

/*
 * ng_writer_wait - wait at most timeout for j: 0, or -1 with ETIMEDOUT.
 * Counted in naps, not read off a clock: a bound is all it needs.
 */
int
ng_writer_wait(struct ng_writer *w, struct ng_job *j, ng_usec timeout)
{
	ng_usec slept;

	(void)w;
	for (slept = 0; atomic_load_explicit(&j->state,
	    memory_order_acquire) == J_QUEUED; slept += NAP) {
		if (slept >= timeout) {
			errno = ETIMEDOUT;
			return -1;
		}
		nap();
	}
	return 0;
}

/* ng_writer_stop - the queued jobs finished within timeout, the thread ended. */
int
ng_writer_stop(struct ng_writer *w, ng_usec timeout)
{
	ng_usec slept;

	if (w == NULL)
		return 0;
	atomic_store(&w->stop, 1);
	bump(w->work_fd);
	for (slept = 0; atomic_load(&w->running); slept += NAP) {
		if (slept >= timeout) {
			pthread_detach(w->thread);
			errno = ETIMEDOUT;
			return -1;
		}
		nap();
	}
	pthread_join(w->thread, NULL);
	close_fds(w);
	free(w);
	return 0;
}
