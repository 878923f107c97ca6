/*
 * timerq.h - when each held greeting is due, as an indexed min-heap.
 *
 * Hold times are nearly but not quite in arrival order (the greet pause
 * shrinks under stress), so a FIFO would release late.  The heap keeps
 * each flow's position so a flow that is decided early (a pre-greeting
 * talker) leaves the queue at once instead of lingering as a stale entry.
 */
#ifndef NG_TIMERQ_H
#define NG_TIMERQ_H

#include <stdint.h>

#include "base/timeval.h"

struct ng_timerq;

struct ng_timerq *ng_timerq_new(uint32_t capacity);
void ng_timerq_free(struct ng_timerq *q);
/* Schedule (or reschedule) item i, 0 <= i < capacity. */
void ng_timerq_set(struct ng_timerq *q, uint32_t i, ng_usec when);
void ng_timerq_del(struct ng_timerq *q, uint32_t i);
/* The earliest item and its time; 0 when empty. */
int ng_timerq_peek(const struct ng_timerq *q, uint32_t *i, ng_usec *when);
uint32_t ng_timerq_count(const struct ng_timerq *q);

#endif
