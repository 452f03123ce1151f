/*
 * Lab 4: the priority pick of the scheduler.
 *
 * The rest of the scheduler is given (kernel/sched.c): it keeps one FIFO
 * queue of ready threads per priority and a bitmap of the priorities whose
 * queue is not empty, puts threads on the queues, and asks sched_pick()
 * which one runs next.  labs/lab4-irq-exc-sched/README.md explains it.
 */
#include "kernel.h"
#include "sched.h"

/*
 * LAB 4: take the next thread to run off the ready queues.
 *
 * Return the first thread (the head) of the highest priority whose queue
 * is not empty, after taking it off that queue; return NULL if every queue
 * is empty (the scheduler then runs the idle thread).
 *
 * What you have (kernel/sched.h): ready_queues[p] is priority p's queue,
 * head first, linked through thread->next, with head == tail == NULL when
 * empty; bit p % 32 of ready_bitmap[p / 32] is set exactly while
 * ready_queues[p] is not empty.  Keep both true: when you take the last
 * thread of a queue, set its tail to NULL and clear its bit.
 *
 * Do not walk 256 queues.  The bitmap answers "which is the highest ready
 * priority?" in at most PRIO_WORDS (8) steps: look at the words from the
 * top one down, and in the first word that is not 0 the highest set bit is
 * the answer.  __builtin_clz(x) counts the zero bits above x's highest set
 * bit (x must not be 0; GCC turns it into one `bsr` instruction), so that
 * bit is 31 - __builtin_clz(x).  The cost no longer depends on how many
 * threads are ready or how many priorities exist, which is what a
 * real-time kernel wants from its scheduler.
 *
 * You may assume that every thread on ready_queues[p] has prio == p and
 * state TS_READY.  The scheduler checks what you return and panics with a
 * hint if a queue and its bit disagree afterwards.
 *
 * The scheduler calls you only after SYS_SCHEDULE has given some thread a
 * priority other than L4_PRIO_DEFAULT (until then every thread is on one
 * queue and the kernel takes its head itself), so Labs 0..3 never run
 * this code.
 *
 * Tested by: make grade LAB=4 (preempt, round_robin, slice, sched_perm,
 * ipc_prio).
 */
struct thread *sched_pick(void)
{
    kprintf("LAB 4: sched_pick not implemented (kernel/prio.c)\n");
    return NULL;
}
