/*
 * reader.c - the capture's frames in batches, read ahead on a thread.
 *
 * One thread fills batches (pcap_next_ex, the capture time, the link
 * header stripped, the IP datagram copied), the replay's thread drains
 * them in order: a ring of BATCHES, a mutex and two condition variables,
 * one lock round per batch rather than per frame.  The frames are copied
 * because libpcap reuses its buffer on the next read.  A batch ends at
 * BATCH_FRAMES frames or once BATCH_BYTES are used, so one batch holds
 * at most BATCH_BYTES plus one frame whatever the capture's snap length.
 *
 * Without a second CPU a thread only adds switches: then the one batch
 * is filled in line when the replay asks for it.  Either way the frames,
 * their order and the read's last result are the same.
 */
#include <pthread.h>
#include <stdio_ext.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/linktype.h"
#include "replay/reader.h"

#define BATCHES		16
#define BATCH_FRAMES	1024
#define BATCH_BYTES	(128 * 1024)

struct batch {
	struct ng_frame f[BATCH_FRAMES];
	size_t at[BATCH_FRAMES];	/* f[i]'s bytes, until the arena is
					 * done growing */
	unsigned n;
	uint8_t *bytes;
	size_t cap;
};

struct ng_reader {
	pcap_t *pc;
	int dlt;
	int threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled_cv;	/* a batch filled, or done */
	pthread_cond_t room_cv;		/* a batch drained, or quit */
	/* Under mu when threaded: */
	unsigned long filled, drained;	/* batches, ever */
	int holding;			/* the replay has b[drained % BATCHES] */
	int done, quit;
	/* Set by the filler before done: */
	int rc;				/* pcap_next_ex()'s last */
	int oom;
	struct batch b[BATCHES];
};

/* frame_time - a capture time as the engine's clock: 1970 at the least. */
static ng_usec
frame_time(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0)
		return 0;
	return (ng_usec)h->ts.tv_sec * NG_USEC_PER_SEC + (ng_usec)h->ts.tv_usec;
}

/* grow - room for len more bytes after used in b's arena.  0, or -1. */
static int
grow(struct batch *b, size_t used, size_t len)
{
	size_t cap = b->cap * 2;
	uint8_t *p;

	if (cap < used + len)
		cap = used + len;
	p = realloc(b->bytes, cap);
	if (p == NULL)
		return -1;
	b->bytes = p;
	b->cap = cap;
	return 0;
}

/*
 * fill - the next frames into b.  1 while there may be more, 0 when the
 * capture is done (b may still hold frames): rd->rc says why.
 */
static int
fill(struct ng_reader *rd, struct batch *b)
{
	struct pcap_pkthdr *h;
	const u_char *frame;
	struct ng_frame *f;
	size_t used = 0, off, len;
	unsigned i;
	int more = 1;

	b->n = 0;
	while (b->n < BATCH_FRAMES && used < BATCH_BYTES) {
		if ((rd->rc = pcap_next_ex(rd->pc, &h, &frame)) != 1) {
			more = 0;
			break;
		}
		f = &b->f[b->n];
		f->when = frame_time(h);
		off = 0;
		f->status = (uint8_t)ng_link_ip_offset(rd->dlt, frame,
		    h->caplen, &off);
		len = f->status == NG_LINK_IP ? h->caplen - off : 0;
		if (len > b->cap - used && grow(b, used, len) < 0) {
			rd->oom = 1;
			more = 0;
			break;
		}
		memcpy(b->bytes + used, frame + off, len);
		b->at[b->n] = used;
		used += len;
		f->caplen = (uint32_t)len;
		f->wirelen = h->len > off ? (uint32_t)(h->len - off) : 0;
		b->n++;
	}
	for (i = 0; i < b->n; i++)
		b->f[i].ip = b->bytes + b->at[i];
	return more;
}

/* filler - the read-ahead thread: batches until done or told to quit. */
static void *
filler(void *arg)
{
	struct ng_reader *rd = arg;
	struct batch *b;
	int more = 1;

	while (more) {
		pthread_mutex_lock(&rd->mu);
		while (rd->filled - rd->drained == BATCHES && !rd->quit)
			pthread_cond_wait(&rd->room_cv, &rd->mu);
		if (rd->quit) {
			pthread_mutex_unlock(&rd->mu);
			break;
		}
		b = &rd->b[rd->filled % BATCHES];
		pthread_mutex_unlock(&rd->mu);
		more = fill(rd, b);
		pthread_mutex_lock(&rd->mu);
		if (b->n > 0)
			rd->filled++;
		pthread_cond_signal(&rd->filled_cv);
		pthread_mutex_unlock(&rd->mu);
	}
	pthread_mutex_lock(&rd->mu);
	rd->done = 1;
	pthread_cond_signal(&rd->filled_cv);
	pthread_mutex_unlock(&rd->mu);
	return NULL;
}

/* two_cpus - whether this process may run on more than one CPU. */
static int
two_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	return CPU_COUNT(&set) > 1;
}

/* start_thread - the filler, with every signal left to the main thread. */
static int
start_thread(struct ng_reader *rd)
{
	sigset_t all, old;
	int r;

	if (pthread_mutex_init(&rd->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&rd->filled_cv, NULL) != 0) {
		pthread_mutex_destroy(&rd->mu);
		return -1;
	}
	if (pthread_cond_init(&rd->room_cv, NULL) != 0) {
		pthread_cond_destroy(&rd->filled_cv);
		pthread_mutex_destroy(&rd->mu);
		return -1;
	}
	/*
	 * With a second thread stdio locks every FILE on every call, and
	 * libpcap makes two freads per frame; only the filler touches the
	 * capture's FILE (NULL for a live handle, never ours).
	 */
	if (pcap_file(rd->pc) != NULL)
		__fsetlocking(pcap_file(rd->pc), FSETLOCKING_BYCALLER);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&rd->thread, NULL, filler, rd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		pthread_cond_destroy(&rd->room_cv);
		pthread_cond_destroy(&rd->filled_cv);
		pthread_mutex_destroy(&rd->mu);
		return -1;
	}
	return 0;
}

/* free_batches - the arenas, and the reader. */
static void
free_batches(struct ng_reader *rd)
{
	unsigned i;

	for (i = 0; i < BATCHES; i++)
		free(rd->b[i].bytes);
	free(rd);
}

/* ng_reader_start - the reader of pc, reading ahead if it can. */
struct ng_reader *
ng_reader_start(pcap_t *pc, int dlt)
{
	struct ng_reader *rd = calloc(1, sizeof(*rd));
	unsigned i, nb;

	if (rd == NULL)
		return NULL;
	rd->pc = pc;
	rd->dlt = dlt;
	rd->rc = 1;
	rd->threaded = two_cpus();
	nb = rd->threaded ? BATCHES : 1;
	for (i = 0; i < nb; i++) {
		rd->b[i].cap = BATCH_BYTES;
		if ((rd->b[i].bytes = malloc(BATCH_BYTES)) == NULL) {
			free_batches(rd);
			return NULL;
		}
	}
	if (rd->threaded && start_thread(rd) < 0)
		rd->threaded = 0;	/* in line, with b[0] */
	return rd;
}

/* ng_reader_next - the next batch of frames; 0 when there are no more. */
int
ng_reader_next(struct ng_reader *rd, struct ng_frames *out)
{
	struct batch *b;

	if (!rd->threaded) {
		if (rd->done)
			return 0;
		b = &rd->b[0];
		if (!fill(rd, b))
			rd->done = 1;
		if (b->n == 0)
			return 0;
		out->f = b->f;
		out->n = b->n;
		return 1;
	}
	pthread_mutex_lock(&rd->mu);
	if (rd->holding) {
		rd->holding = 0;
		rd->drained++;
		pthread_cond_signal(&rd->room_cv);
	}
	while (rd->filled == rd->drained && !rd->done)
		pthread_cond_wait(&rd->filled_cv, &rd->mu);
	if (rd->filled == rd->drained) {
		pthread_mutex_unlock(&rd->mu);
		return 0;
	}
	b = &rd->b[rd->drained % BATCHES];
	rd->holding = 1;
	pthread_mutex_unlock(&rd->mu);
	out->f = b->f;
	out->n = b->n;
	return 1;
}

/* ng_reader_end - stop the filler, free it all: the read's last result. */
int
ng_reader_end(struct ng_reader *rd, char *err, size_t errlen)
{
	int rc;

	if (rd->threaded) {
		pthread_mutex_lock(&rd->mu);
		rd->quit = 1;
		pthread_cond_signal(&rd->room_cv);
		pthread_mutex_unlock(&rd->mu);
		pthread_join(rd->thread, NULL);
		pthread_cond_destroy(&rd->room_cv);
		pthread_cond_destroy(&rd->filled_cv);
		pthread_mutex_destroy(&rd->mu);
	}
	rc = rd->rc;
	if (rd->oom) {
		snprintf(err, errlen, "out of memory");
		rc = PCAP_ERROR;
	} else if (rc == PCAP_ERROR)
		snprintf(err, errlen, "%s", pcap_geterr(rd->pc));
	else if (errlen > 0)
		err[0] = '\0';
	free_batches(rd);
	return rc;
}
