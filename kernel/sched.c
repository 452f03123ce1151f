/*
 * Round-robin scheduling over one ready queue (see sched.h).
 *
 * Invariants: a thread is on the queue iff its state is TS_READY and it is
 * not `current`; the idle thread is never on the queue.  The kernel runs
 * with interrupts off, so none of this needs a lock.
 */
#include "kernel.h"
#include "sched.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

struct thread *current;
static struct thread *idle;
static struct thread *queue_head, *queue_tail;
static struct thread *dead;         /* list of ended threads, not yet freed */
static unsigned live_threads;       /* user threads not yet dead */

void sched_init(struct thread *idle_thread)
{
    idle = idle_thread;
}

static void enqueue(struct thread *t)
{
    t->next = NULL;
    if (queue_tail)
        queue_tail->next = t;
    else
        queue_head = t;
    queue_tail = t;
}

static struct thread *dequeue(void)
{
    struct thread *t = queue_head;
    if (t) {
        queue_head = t->next;
        if (!queue_head)
            queue_tail = NULL;
    }
    return t;
}

static void unlink(struct thread *t)
{
    struct thread **pp = &queue_head, *prev = NULL;
    for (; *pp && *pp != t; prev = *pp, pp = &(*pp)->next)
        ;
    if (!*pp)
        return;
    *pp = t->next;
    if (queue_tail == t)
        queue_tail = prev;
}

void sched_set_state(struct thread *t, enum thread_state state)
{
    if (t->state == TS_DEAD)
        panic("thread %u (%s) is dead; it cannot change state", t->id, t->name);
    if (state == t->state)
        return;
    if (state == TS_READY) {
        live_threads++;
        if (t != current)
            enqueue(t);
    } else if (state == TS_DEAD) {
        if (t->state == TS_READY) {
            live_threads--;
            unlink(t);
        }
        t->next = dead;
        dead = t;
    }
    t->state = state;
}

/* Frees every dead thread except the one whose stack we are on. */
static void reap(void)
{
    struct thread **pp = &dead;
    while (*pp) {
        struct thread *t = *pp;
        if (t == current) {
            pp = &t->next;
            continue;
        }
        *pp = t->next;
        thread_free(t);
    }
}

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    if (next->magic != THREAD_MAGIC)
        panic("thread %u: TCB magic destroyed (kernel stack overflow?)", next->id);
    current = next;
    if (next != idle) {
        space_activate(next->space);
        arch_set_kernel_stack((uint32_t)next + KSTACK_SIZE);
    }
    arch_switch(&prev->ksp, next->ksp);
}

void schedule(void)
{
    reap();
    if (live_threads == 0) {
        kprintf("l4lab: no user thread left to run; shutting down.\n");
        arch_shutdown(L4_EXIT_OK);
    }
    if (current->state == TS_READY && current != idle)
        enqueue(current);
    struct thread *next = dequeue();
    if (!next)
        next = idle;
    next->ticks_left = SCHED_SLICE;
    if (next != current)
        switch_to(next);
}

void sched_tick(void)
{
    if (current != idle && current->ticks_left > 0 && --current->ticks_left == 0)
        schedule();
}

void sched_start(void)
{
    static struct thread boot;      /* where the boot stack's %esp is saved */
    current = &boot;
    boot.magic = THREAD_MAGIC;
    schedule();
    panic("sched_start: returned to the boot stack");
}
