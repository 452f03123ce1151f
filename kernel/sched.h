/*
 * The scheduler: one FIFO ready queue, round robin with time slices of
 * SCHED_SLICE timer ticks, and the blocking and waking that IPC needs.
 * `current` is the running thread; the idle thread runs when nothing else
 * is ready.  (Lab 4 adds priorities.)
 */
#ifndef SCHED_H
#define SCHED_H

#include "thread.h"

#define SCHED_SLICE 10          /* ticks: 100 ms at TIMER_HZ = 100 */

extern struct thread *current;
extern volatile uint32_t ticks; /* timer interrupts since boot (kernel/trap.c) */

void sched_init(struct thread *idle);

/* Every thread state change goes through here; it keeps the queue right.
   (Use sched_block and sched_wakeup for the IPC states.) */
void sched_set_state(struct thread *t, enum thread_state state);

/*
 * Blocks the current thread in state (TS_SENDING or TS_RECEIVING) until
 * another thread or the timer calls sched_wakeup() on it, and runs other
 * threads meanwhile.  timeout is an IPC timeout (l4/abi.h): L4_TIMEOUT_NEVER,
 * or a number of ticks after which the timer calls ipc_timeout(current).
 */
void sched_block(enum thread_state state, uint16_t timeout);

/* Makes a blocked thread ready, ahead of the others: it runs next (direct
   process switch), as soon as the current thread blocks or yields. */
void sched_wakeup(struct thread *t);

/* Changes what a blocked thread waits for (a caller whose message was
   taken starts waiting for the reply), with a fresh timeout. */
void sched_rewait(struct thread *t, enum thread_state state, uint16_t timeout);

/* Picks the next thread and switches to it (may return to the caller). */
void schedule(void);
/* A timer tick: expires timeouts, charges the current thread, may preempt it. */
void sched_tick(void);
/* Leaves the boot stack for the first thread; never returns. */
__attribute__((noreturn)) void sched_start(void);

#endif
