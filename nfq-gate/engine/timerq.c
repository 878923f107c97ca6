/*
 * timerq.c - indexed binary min-heap of (time, item).
 */
#include <stdlib.h>

#include "engine/timerq.h"

#define NOPOS UINT32_MAX

struct slot {
	ng_usec when;
	uint32_t item;
};

struct ng_timerq {
	struct slot *heap;
	uint32_t *pos;		/* item -> heap position or NOPOS */
	uint32_t n, cap;
};

/* ng_timerq_new - an empty queue for items 0 .. capacity-1. */
struct ng_timerq *
ng_timerq_new(uint32_t capacity)
{
	struct ng_timerq *q = calloc(1, sizeof(*q));
	uint32_t i;

	if (q == NULL)
		return NULL;
	q->cap = capacity;
	q->heap = malloc((size_t)capacity * sizeof(*q->heap));
	q->pos = malloc((size_t)capacity * sizeof(*q->pos));
	if (q->heap == NULL || q->pos == NULL) {
		ng_timerq_free(q);
		return NULL;
	}
	for (i = 0; i < capacity; i++)
		q->pos[i] = NOPOS;
	return q;
}

/* ng_timerq_free - the queue; NULL is fine. */
void
ng_timerq_free(struct ng_timerq *q)
{
	if (q == NULL)
		return;
	free(q->heap);
	free(q->pos);
	free(q);
}

/* place - put slot s at heap position at, and note where its item is. */
static void
place(struct ng_timerq *q, uint32_t at, struct slot s)
{
	q->heap[at] = s;
	q->pos[s.item] = at;
}

/*
 * sift_up - move the slot at position at up while it is due before its
 * parent.
 */
static void
sift_up(struct ng_timerq *q, uint32_t at)
{
	struct slot s = q->heap[at];

	while (at > 0) {
		uint32_t up = (at - 1) / 2;

		if (q->heap[up].when <= s.when)
			break;
		place(q, at, q->heap[up]);
		at = up;
	}
	place(q, at, s);
}

/*
 * sift_down - move the slot at position at down while a child is due
 * first.
 */
static void
sift_down(struct ng_timerq *q, uint32_t at)
{
	struct slot s = q->heap[at];

	for (;;) {
		uint32_t c = 2 * at + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->heap[c + 1].when < q->heap[c].when)
			c++;
		if (s.when <= q->heap[c].when)
			break;
		place(q, at, q->heap[c]);
		at = c;
	}
	place(q, at, s);
}

/* ng_timerq_set - schedule item i at when, or move it there. */
void
ng_timerq_set(struct ng_timerq *q, uint32_t i, ng_usec when)
{
	uint32_t at;

	if (i >= q->cap)
		return;
	at = q->pos[i];
	if (at == NOPOS) {
		at = q->n++;
		place(q, at, (struct slot){ when, i });
		sift_up(q, at);
		return;
	}
	q->heap[at].when = when;
	sift_up(q, at);
	sift_down(q, q->pos[i]);
}

/* ng_timerq_del - unschedule item i, if it is scheduled. */
void
ng_timerq_del(struct ng_timerq *q, uint32_t i)
{
	struct slot moved;
	uint32_t at;

	if (i >= q->cap || (at = q->pos[i]) == NOPOS)
		return;
	q->pos[i] = NOPOS;
	if (--q->n == at)
		return;
	moved = q->heap[q->n];
	place(q, at, moved);
	sift_up(q, at);
	sift_down(q, q->pos[moved.item]);
}

/* ng_timerq_peek - the earliest item and its time; 0 when empty. */
int
ng_timerq_peek(const struct ng_timerq *q, uint32_t *i, ng_usec *when)
{
	if (q->n == 0)
		return 0;
	*i = q->heap[0].item;
	*when = q->heap[0].when;
	return 1;
}

/* ng_timerq_count - how many items are scheduled. */
uint32_t
ng_timerq_count(const struct ng_timerq *q)
{
	return q->n;
}
