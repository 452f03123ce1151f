/*
 * Lab 4: the priority pick of the scheduler (reference solution).
 *
 * The rest of the scheduler is given (kernel/sched.c): it keeps one FIFO
 * queue of ready threads per priority and a bitmap of the priorities whose
 * queue is not empty, puts threads on the queues, and asks sched_pick()
 * which one runs next.
 */
#include "kernel.h"
#include "sched.h"

struct thread *sched_pick(void)
{
    /* From the top word down: the first word with a bit set holds the
       highest ready priority, and its highest set bit names it. */
    for (int w = PRIO_WORDS - 1; w >= 0; w--) {
        if (ready_bitmap[w] == 0)
            continue;
        unsigned prio = (unsigned)w * 32 + 31 - (unsigned)__builtin_clz(ready_bitmap[w]);
        struct ready_queue *q = &ready_queues[prio];
        struct thread *t = q->head;
        q->head = t->next;
        if (!q->head) {
            q->tail = NULL;
            ready_bitmap[w] &= ~(1u << (prio % 32));
        }
        t->next = NULL;
        return t;
    }
    return NULL;
}
