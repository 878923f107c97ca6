/*
 * writer.h - one thread that does the live gate's blocking work (state
 * saves, the Prometheus file, the firewall rules check), so that a slow
 * or hung disk, or a large ruleset, never delays a verdict.
 *
 * The packet loop hands over a job and goes on; the thread runs jobs one
 * at a time, in order, and signals an eventfd the loop polls when one is
 * done.  A job belongs to its caller, who submits it again only once it
 * has been reaped, so there are never two of the same job at once.
 *
 * The loop never takes a lock the thread may hold: the hand-over is a
 * single-producer, single-consumer ring and atomic job states, and the
 * two sides wake each other through eventfds.  A thread preempted or
 * stuck in fsync can therefore never hold up a verdict.
 *
 * The thread must be started before the seccomp filter is applied (its
 * creation needs clone); after that it only makes the calls of its jobs
 * (openat, write, fsync, rename, unlink, close, fstat; for the rules
 * check sendto, recvfrom, getsockopt, and socket and bind when its
 * netlink socket is made afresh) and read, write
 * (the eventfds), mmap/munmap/mprotect/madvise/brk (malloc), exit and
 * futex (at exit, for the join).
 */
#ifndef NG_WRITER_H
#define NG_WRITER_H

#include <stdatomic.h>
#include <stddef.h>

#include "base/timeval.h"

struct ng_job {
	int (*run)(struct ng_job *j);	/* in the thread: rc, err */
	int rc;
	char err[512];
	_Atomic int state;		/* private to writer.c */
};

struct ng_writer;

struct ng_writer *ng_writer_start(char *err, size_t errlen);
/* Readable when a job may have finished; ng_writer_reap() then. */
int ng_writer_fd(const struct ng_writer *w);
/* Queue j; -1 with errno EBUSY when j is queued or not yet reaped. */
int ng_writer_submit(struct ng_writer *w, struct ng_job *j);
/* 1 when j has finished (its rc and err are valid, it is idle again). */
int ng_writer_reap(struct ng_writer *w, struct ng_job *j);
/* 1 while j is queued, running or finished but not reaped. */
int ng_writer_busy(struct ng_writer *w, const struct ng_job *j);
/* Wait at most timeout for j to finish: 0, or -1 with ETIMEDOUT. */
int ng_writer_wait(struct ng_writer *w, struct ng_job *j, ng_usec timeout);
/*
 * Let the queued jobs finish, within timeout, and end the thread.  A
 * thread stuck in the kernel (a hung disk) is left to die with the
 * process: -1 with ETIMEDOUT, and w is not freed.
 */
int ng_writer_stop(struct ng_writer *w, ng_usec timeout);

#endif
