/*
 * The scheduler: fixed priorities 0..L4_PRIO_MAX, one FIFO ready queue per
 * priority, round robin among threads of equal priority with a time slice
 * per thread (ticks), and the blocking and waking that IPC needs.
 * `current` is the running thread; the idle thread runs when nothing else
 * is ready.  kernel/sched.c explains the queues and when a thread is
 * preempted; kernel/prio.c (Lab 4) picks the next thread whenever a thread
 * of a priority other than the default is ready.
 */
#ifndef SCHED_H
#define SCHED_H

#include "kernel.h"
#include "thread.h"
#include "l4/abi.h"

#define SCHED_SLICE_MAX L4_SLICE_MAX    /* l4/abi.h */

/* The given functions every IPC calls (sched_block, and sendq_search in
   ipc.h) take their arguments in registers (%eax, %edx, %ecx) rather than
   on the stack: on the IPC path, pushing, loading and popping arguments
   costs as much as some of their own work.  It is part of the function's
   type, so the definition says it too.  Nothing changes for their callers
   or for GDB, which finds the arguments wherever the compiler put them. */
#define IPC_PATH __attribute__((regparm(3)))

extern struct thread *current;
extern volatile uint32_t ticks; /* timer interrupts since boot (kernel/trap.c) */

void sched_init(struct thread *idle);

/* Every thread state change goes through here; it keeps the queue right.
   (Use sched_block and sched_wakeup for the IPC states.) */
void sched_set_state(struct thread *t, enum thread_state state);

/*
 * Blocks the current thread in state (TS_SENDING or TS_RECEIVING) until
 * another thread or the timer calls sched_wakeup() on it, and runs other
 * threads meanwhile: it waits inside this call, on its kernel stack.
 * timeout is an IPC timeout (l4/abi.h): L4_TIMEOUT_NEVER, or a number of
 * ticks after which the timer gives up on it (sched_wait_ops.timed_out).
 */
IPC_PATH void sched_block(enum thread_state state, uint16_t timeout);

/* Makes a blocked thread ready, ahead of the others of its priority: it
   runs next (direct process switch) when the current thread blocks or
   yields, or as soon as the trap ends if its priority is higher.  (Inline,
   at the end of this file: every message wakes a thread.) */
static inline void sched_wakeup(struct thread *t);

/* Changes what a blocked thread waits for (a caller whose message was
   taken starts waiting for the reply), with a fresh timeout. */
void sched_rewait(struct thread *t, enum thread_state state, uint16_t timeout);

/*
 * The scheduler blocks threads for IPC without knowing what IPC is.  The
 * IPC code registers, at boot (ipc_init), what the timer does to a
 * blocked thread whose timeout has come (timed_out: it must make t ready,
 * through sched_wakeup), and how the deadlock report says what a blocked
 * thread waits for (describe: one line on the console).
 */
struct sched_wait_ops {
    void (*timed_out)(struct thread *t);
    void (*describe)(struct thread *t);
};
void sched_set_wait_ops(const struct sched_wait_ops *ops);

/*
 * Switching threads.  schedule() is the only function that switches: it
 * frees ended threads, puts a current thread that is still ready back on
 * its queue, picks the next thread and switches to it.  It is called from
 * four places: trap(), on the way back to user mode, when sched_action
 * asks for it; sched_block(), since a blocking thread waits inside its
 * system call (there its work is inline, sparing every blocking IPC a
 * call); the idle loop after every interrupt; and sched_start().
 *
 * Everything else that wants another thread to run records a decision in
 * sched_action and lets trap() act on it once, when the kernel's work for
 * this trap is whole: switching in the middle of sched_wakeup would leave
 * the waker's work half done (ipc_cancel wakes threads in a loop).  The
 * decisions, in increasing strength (a stronger one is never weakened):
 */
enum sched_action {
    SCHED_RUN_ON,   /* nothing: the current thread returns to user mode */
    SCHED_PREEMPT,  /* it must give up the CPU (a thread of a higher priority
                       became ready, or it has ended); if still ready, it
                       keeps its turn: the front of its queue (change_state) */
    SCHED_YIELD,    /* its turn is over: the back of its queue (sched_yield) */
};
extern enum sched_action sched_action;
void schedule(void);

/* Where sysenter_resume (arch/i386/sysenter.asm) gets the result of a
   thread woken in the fast path's receive phase (kernel/fastswitch.h). */
int32_t fastpath_result(void);

/* The current thread gives way when this trap ends, to the back of its
   queue: its slice is used up, or a thread it woke should run first (IPC's
   direct switch after a plain send, an interrupt's handler). */
void sched_yield(void);

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

/*
 * sched.c's own, here only so that sched_wakeup can be inline.  Threads on
 * the ready queues, and those of them whose priority is not the default
 * (pick() asks sched_pick only while there are some).
 */
extern unsigned ready_count, ready_other;
void timeout_unlist(struct thread *t);      /* t is on the list of pending timeouts */

/* Puts ready thread t, which is not current, on its priority's queue: at
   the front (its turn was interrupted, or IPC woke it) or at the back. */
static inline void ready_enqueue(struct thread *t, int front)
{
    unsigned prio = t->prio;
    struct ready_queue *q = &ready_queues[prio];
    if (front) {
        t->next = q->head;
        q->head = t;
        if (!q->tail)
            q->tail = t;
    } else {
        t->next = NULL;
        if (q->tail)
            q->tail->next = t;
        else
            q->head = t;
        q->tail = t;
    }
    /* The default priority's bit is a constant: no shifts to find it. */
    if (prio == L4_PRIO_DEFAULT) {
        ready_bitmap[L4_PRIO_DEFAULT / 32] |= 1u << (L4_PRIO_DEFAULT % 32);
    } else {
        ready_bitmap[prio / 32] |= 1u << (prio % 32);
        ready_other++;
    }
    ready_count++;
}

/* What sched_set_state(t, TS_READY) does to a blocked thread, at the front
   of its queue, without the tests a blocked thread answers the same way
   every time. */
static inline void sched_wakeup(struct thread *t)
{
    if (t->state != TS_SENDING && t->state != TS_RECEIVING)
        panic("sched_wakeup: thread %u (%s) is not blocked", thread_number(t), t->name);
    if (t->timeout_armed)
        timeout_unlist(t);
    t->state = TS_READY;
    if (t != current) {
        ready_enqueue(t, 1);
        if (t->prio > current->prio && sched_action < SCHED_PREEMPT)
            sched_action = SCHED_PREEMPT;   /* it preempts us when the trap ends */
    }
}

#endif
