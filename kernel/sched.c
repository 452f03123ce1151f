/*
 * Round-robin scheduling over one ready queue, blocking and timeouts
 * (see sched.h).
 *
 * Invariants: a thread is on the queue iff its state is TS_READY and it is
 * not `current`; the idle thread is never on the queue.  A thread is on the
 * timeout list iff it is blocked with a finite timeout (timeout_armed).
 * The kernel runs with interrupts off, so none of this needs a lock.
 */
#include "kernel.h"
#include "sched.h"
#include "ipc.h"
#include "irq.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

struct thread *current;
static struct thread *idle;
static struct thread *queue_head, *queue_tail;
static struct thread *dead;         /* list of ended threads, not yet freed */
static struct thread *timeouts;     /* blocked threads with a finite timeout */
static unsigned live_threads;       /* user threads started and not yet dead */

void sched_init(struct thread *idle_thread)
{
    idle = idle_thread;
}

static void enqueue(struct thread *t, int front)
{
    if (front) {
        t->next = queue_head;
        queue_head = t;
        if (!queue_tail)
            queue_tail = t;
        return;
    }
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

static void timeout_cancel(struct thread *t)
{
    if (!t->timeout_armed)
        return;
    struct thread **pp = &timeouts;
    while (*pp != t)
        pp = &(*pp)->timeout_next;
    *pp = t->timeout_next;
    t->timeout_armed = 0;
}

/* Arms a timeout of n ticks, counted from the next tick, so that the
   thread waits at least n full ticks. */
static void timeout_arm(struct thread *t, uint16_t timeout)
{
    if (timeout == L4_TIMEOUT_NEVER)
        return;
    t->timeout_at = ticks + timeout + 1;
    t->timeout_armed = 1;
    t->timeout_next = timeouts;
    timeouts = t;
}

static int is_blocked(enum thread_state s)
{
    return s == TS_SENDING || s == TS_RECEIVING;
}

static void change_state(struct thread *t, enum thread_state state, int front)
{
    if (t->state == TS_DEAD)
        panic("thread %u (%s) is dead; it cannot change state", thread_number(t), t->name);
    if (state == t->state)
        return;
    if (t->state == TS_NEW && state != TS_DEAD)
        live_threads++;
    if (t->state == TS_READY && t != current)
        unlink(t);
    if (is_blocked(t->state))
        timeout_cancel(t);
    if (state == TS_READY && t != current)
        enqueue(t, front);
    if (state == TS_DEAD) {
        if (t->state != TS_NEW)
            live_threads--;
        t->next = dead;
        dead = t;
    }
    t->state = state;
}

void sched_set_state(struct thread *t, enum thread_state state)
{
    change_state(t, state, 0);
}

void sched_block(enum thread_state state, uint16_t timeout)
{
    assert(is_blocked(state) && timeout != L4_TIMEOUT_ZERO);
    change_state(current, state, 0);
    timeout_arm(current, timeout);
    schedule();
}

void sched_wakeup(struct thread *t)
{
    assert(is_blocked(t->state));
    change_state(t, TS_READY, 1);
}

void sched_rewait(struct thread *t, enum thread_state state, uint16_t timeout)
{
    assert(is_blocked(t->state) && is_blocked(state));
    timeout_cancel(t);
    t->state = state;
    timeout_arm(t, timeout);
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

static void report_blocked(struct thread *t, void *arg)
{
    (void)arg;
    if (t->in_pagefault)
        kprintf("  thread %u (%s) waits for its pager, thread %u, to resolve a page fault\n",
                thread_number(t), t->name, l4_tid_number(t->pager));
    else if (t->state == TS_SENDING)
        kprintf("  thread %u (%s) waits to send to thread %u\n", thread_number(t), t->name,
                thread_number(t->ipc_partner));
    else if (t->state == TS_RECEIVING && t->ipc_from == L4_ANYTHREAD)
        kprintf("  thread %u (%s) waits to receive from any thread\n", thread_number(t), t->name);
    else if (t->state == TS_RECEIVING)
        kprintf("  thread %u (%s) waits to receive from thread %u\n", thread_number(t), t->name,
                l4_tid_number(t->ipc_from));
}

/*
 * Nothing can ever run again when no thread is ready, none has a timeout
 * pending and no interrupt line has a handler (an interrupt may wake it,
 * kernel/irq.c).  Say so, rather than idle forever.
 */
static void check_deadlock(void)
{
    if (queue_head || timeouts || irq_any_attached() ||
        (current->state == TS_READY && current != idle))
        return;
    kprintf("l4lab: deadlock: every thread is blocked in IPC and no timeout is pending:\n");
    thread_for_each(report_blocked, NULL);
    arch_shutdown(L4_EXIT_DEADLOCK);
}

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    if (next->magic != THREAD_MAGIC)
        panic("thread %u: TCB magic destroyed (kernel stack overflow?)", thread_number(next));
    current = next;
    if (next != idle) {
        space_activate(next->space);
        arch_set_kernel_stack((uint32_t)next + KSTACK_SIZE);
        arch_set_utcb(next->utcb_uva);
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
    check_deadlock();
    if (current->state == TS_READY && current != idle)
        enqueue(current, 0);
    struct thread *next = dequeue();
    if (!next)
        next = idle;
    if (next != current)
        switch_to(next);
}

/* Gives up on every blocked thread whose timeout has come; returns how
   many there were. */
static int expire_timeouts(void)
{
    struct thread **pp = &timeouts;
    int n = 0;
    while (*pp) {
        struct thread *t = *pp;
        if ((int32_t)(ticks - t->timeout_at) < 0) {
            pp = &t->timeout_next;
            continue;
        }
        *pp = t->timeout_next;
        t->timeout_armed = 0;
        ipc_timeout(t);
        n++;
    }
    return n;
}

void sched_tick(void)
{
    /* A thread whose timeout expired runs at once: it waited long enough. */
    if (expire_timeouts() > 0 && current != idle)
        schedule();
    else if (current != idle && --current->ticks_left == 0) {
        /* The slice follows the thread across IPC switches, so that two
           threads calling each other cannot keep a third off the CPU. */
        current->ticks_left = SCHED_SLICE;
        schedule();
    }
}

void sched_start(void)
{
    static struct thread boot;      /* where the boot stack's %esp is saved */
    current = &boot;
    boot.magic = THREAD_MAGIC;
    schedule();
    panic("sched_start: returned to the boot stack");
}
