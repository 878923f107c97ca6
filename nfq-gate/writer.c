/*
 * writer.c - the thread for blocking file work (see writer.h).
 *
 * A mutex and two condition variables (work to do, work done) on
 * CLOCK_MONOTONIC, a short FIFO of job pointers, and an eventfd for the
 * loop.  Every signal is blocked in the thread: the loop takes them
 * through its signalfd, and a signal delivered here would run its
 * default action.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "writer.h"

#define QMAX 8

enum { J_IDLE = 0, J_QUEUED, J_RUNNING, J_DONE };

struct ng_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct ng_job *q[QMAX];
	unsigned qhead, qlen;
	int efd, stop, running;
};

/* deadline - the CLOCK_MONOTONIC instant timeout from now */
static struct timespec
deadline(ng_usec timeout)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(timeout / NG_USEC_PER_SEC);
	ts.tv_nsec += (long)(timeout % NG_USEC_PER_SEC) * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* run_one - the next job, run with the lock released */
static void
run_one(struct ng_writer *w)
{
	struct ng_job *j = w->q[w->qhead];
	uint64_t one = 1;
	int rc;

	w->qhead = (w->qhead + 1) % QMAX;
	w->qlen--;
	j->state = J_RUNNING;
	pthread_mutex_unlock(&w->mu);
	rc = j->run(j);
	pthread_mutex_lock(&w->mu);
	j->rc = rc;
	j->state = J_DONE;
	pthread_cond_broadcast(&w->done);
	/* A full counter (2^64 - 2 wakeups) cannot happen; ignore it. */
	if (write(w->efd, &one, sizeof(one)) < 0)
		(void)0;
}

/* thread_main - jobs in order until told to stop and the queue is empty */
static void *
thread_main(void *arg)
{
	struct ng_writer *w = arg;

	pthread_mutex_lock(&w->mu);
	w->running = 1;
	pthread_cond_broadcast(&w->done);
	for (;;) {
		while (w->qlen == 0 && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->qlen == 0)
			break;
		run_one(w);
	}
	w->running = 0;
	pthread_cond_broadcast(&w->done);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* init_sync - the lock and the two condition variables, monotonic */
static int
init_sync(struct ng_writer *w)
{
	pthread_condattr_t ca;
	int r;

	if ((r = pthread_condattr_init(&ca)) != 0)
		return r;
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (r == 0)
		r = pthread_mutex_init(&w->mu, NULL);
	if (r == 0)
		r = pthread_cond_init(&w->work, &ca);
	if (r == 0)
		r = pthread_cond_init(&w->done, &ca);
	pthread_condattr_destroy(&ca);
	return r;
}

struct ng_writer *
ng_writer_start(char *err, size_t errlen)
{
	struct ng_writer *w = calloc(1, sizeof(*w));
	sigset_t all, old;
	int r;

	if (w == NULL || init_sync(w) != 0) {
		snprintf(err, errlen, "writer thread: out of memory");
		free(w);
		return NULL;
	}
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(w);
		return NULL;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&w->thread, NULL, thread_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		snprintf(err, errlen, "writer thread: %s", strerror(r));
		close(w->efd);
		free(w);
		return NULL;
	}
	/* Its start-up calls are made before any seccomp filter. */
	pthread_mutex_lock(&w->mu);
	while (!w->running)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return w;
}

int
ng_writer_fd(const struct ng_writer *w)
{
	return w->efd;
}

int
ng_writer_submit(struct ng_writer *w, struct ng_job *j)
{
	int rc = 0;

	pthread_mutex_lock(&w->mu);
	if (j->state != J_IDLE || w->qlen == QMAX || w->stop) {
		errno = EBUSY;
		rc = -1;
	} else {
		j->state = J_QUEUED;
		j->rc = 0;
		j->err[0] = '\0';
		w->q[(w->qhead + w->qlen) % QMAX] = j;
		w->qlen++;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int
ng_writer_reap(struct ng_writer *w, struct ng_job *j)
{
	uint64_t n;
	int done;

	if (read(w->efd, &n, sizeof(n)) < 0)
		(void)0;	/* EAGAIN: nothing new, look anyway */
	pthread_mutex_lock(&w->mu);
	done = j->state == J_DONE;
	if (done)
		j->state = J_IDLE;
	pthread_mutex_unlock(&w->mu);
	return done;
}

int
ng_writer_busy(struct ng_writer *w, const struct ng_job *j)
{
	int busy;

	pthread_mutex_lock(&w->mu);
	busy = j->state != J_IDLE;
	pthread_mutex_unlock(&w->mu);
	return busy;
}

int
ng_writer_wait(struct ng_writer *w, struct ng_job *j, ng_usec timeout)
{
	struct timespec until = deadline(timeout);
	int r = 0;

	pthread_mutex_lock(&w->mu);
	while ((j->state == J_QUEUED || j->state == J_RUNNING) && r == 0)
		r = pthread_cond_timedwait(&w->done, &w->mu, &until);
	r = j->state == J_QUEUED || j->state == J_RUNNING;
	pthread_mutex_unlock(&w->mu);
	if (r) {
		errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

int
ng_writer_stop(struct ng_writer *w, ng_usec timeout)
{
	struct timespec until = deadline(timeout);
	int r = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work);
	while (w->running && r == 0)
		r = pthread_cond_timedwait(&w->done, &w->mu, &until);
	r = w->running;
	pthread_mutex_unlock(&w->mu);
	if (r) {
		pthread_detach(w->thread);
		errno = ETIMEDOUT;
		return -1;
	}
	pthread_join(w->thread, NULL);
	close(w->efd);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return 0;
}
