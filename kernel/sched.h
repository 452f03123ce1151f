/*
 * The scheduler: fixed priorities 0..L4_PRIO_MAX, one FIFO ready queue per
 * priority, round robin among threads of equal priority with a time slice
 * per thread (ticks), and the blocking and waking that IPC needs.
 * `current` is the running thread; the idle thread runs when nothing else
 * is ready.  kernel/sched.c explains the queues and when a thread is
 * preempted; kernel/prio.c (Lab 4) picks the next thread.
 */
#ifndef SCHED_H
#define SCHED_H

#include "thread.h"
#include "l4/abi.h"

#define SCHED_SLICE_MAX L4_SLICE_MAX    /* l4/abi.h */

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

/* Makes a blocked thread ready, ahead of the others of its priority: it
   runs next (direct process switch) when the current thread blocks or
   yields, or as soon as the trap ends if its priority is higher. */
void sched_wakeup(struct thread *t);

/* Changes what a blocked thread waits for (a caller whose message was
   taken starts waiting for the reply), with a fresh timeout. */
void sched_rewait(struct thread *t, enum thread_state state, uint16_t timeout);

/* Picks the next thread and switches to it (may return to the caller).
   A current thread that is still ready goes to the back of its queue. */
void schedule(void);

/* Set when the current thread must give up the CPU before it returns to
   user mode: it has ended, or a thread of a higher priority became ready.
   trap() checks it on its way out (one test on every system call's path)
   and then calls sched_switch(); schedule() clears it. */
extern int sched_switch_due;
void sched_switch(void);

/* Sets t's priority (0..L4_PRIO_MAX) and, unless slice is 0, its time
   slice in ticks (1..SCHED_SLICE_MAX); the caller has checked both.  A
   ready thread moves to the back of its new priority's queue. */
void sched_set_params(struct thread *t, unsigned prio, unsigned slice);
/* A timer tick: expires timeouts, charges the current thread, may preempt it. */
void sched_tick(void);
/* Leaves the boot stack for the first thread; never returns. */
__attribute__((noreturn)) void sched_start(void);

/*
 * The ready queues, for kernel/prio.c (Lab 4).  ready_queues[p] holds the
 * ready threads of priority p that are not running, oldest first, linked
 * through thread->next (head == NULL: empty; tail: the last one).  Bit
 * p % 32 of ready_bitmap[p / 32] is set exactly when ready_queues[p] is not
 * empty.  Only sched.c and sched_pick change them.
 */
#define PRIO_LEVELS (L4_PRIO_MAX + 1)
#define PRIO_WORDS  (PRIO_LEVELS / 32)
_Static_assert(PRIO_LEVELS % 32 == 0, "the bitmap has a bit for every priority");

struct ready_queue {
    struct thread *head, *tail;
};
extern struct ready_queue ready_queues[PRIO_LEVELS];
extern uint32_t ready_bitmap[PRIO_WORDS];

/* LAB 4 (kernel/prio.c): takes the first thread of the highest non-empty
   priority off its queue and returns it; NULL if no thread is ready. */
struct thread *sched_pick(void);

#endif
