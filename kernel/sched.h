/*
 * The scheduler: one FIFO ready queue, round robin with time slices of
 * SCHED_SLICE timer ticks.  `current` is the running thread; the idle
 * thread runs when nothing else is ready.  (Lab 4 adds priorities.)
 */
#ifndef SCHED_H
#define SCHED_H

#include "thread.h"

#define SCHED_SLICE 10          /* ticks: 100 ms at TIMER_HZ = 100 */

extern struct thread *current;

void sched_init(struct thread *idle);
/* Every thread state change goes through here; it keeps the queue right. */
void sched_set_state(struct thread *t, enum thread_state state);
/* Picks the next thread and switches to it (may return to the caller). */
void schedule(void);
/* A timer tick: charges the current thread, may preempt it. */
void sched_tick(void);
/* Leaves the boot stack for the first thread; never returns. */
__attribute__((noreturn)) void sched_start(void);

#endif
