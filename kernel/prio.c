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
 * is empty (the scheduler then runs the idle thread).  Do not touch
 * ready_count: pick() does.
 *
 * What you have (kernel/sched.h): ready_queues[p] is priority p's queue,
 * head first, linked through thread->next, with head == tail == NULL when
 * empty; bit p % 32 of ready_bitmap[p / 32] is set exactly while
 * ready_queues[p] is not empty.  Both must still be true when you return,
 * and the thread you return must have next == NULL.
 *
 * The cost must not depend on how many threads are ready or how many
 * priorities exist: at most PRIO_WORDS (8) word tests and one bit scan,
 * never a walk of the 256 queues.  That bound is what a real-time kernel
 * wants from its scheduler, which lies on the path from every interrupt
 * to its driver (the handout, "Priorities").
 *
 * You may assume that every thread on ready_queues[p] has prio == p and
 * state TS_READY.  The scheduler checks what you return and panics with a
 * hint if a queue and its bit disagree afterwards.
 *
 * The scheduler calls you only while some ready thread has a priority
 * other than L4_PRIO_DEFAULT: when every ready thread has the default
 * priority, they are all on one queue and the kernel takes its head
 * itself.  So Labs 0..3, whose threads all keep the default priority,
 * never run this code.  The handout's "Hints" section has a recipe, if
 * you want one.
 *
 * Tested by: make grade LAB=4 (preempt, round_robin, slice, sched_perm,
 * ipc_prio).
 */
struct thread *sched_pick(void)
{
    kprintf("LAB 4: sched_pick not implemented (kernel/prio.c)\n");
    return NULL;
}
