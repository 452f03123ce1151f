/*
 * Fixed-priority scheduling, blocking and timeouts (see sched.h).
 *
 * Ready queues.  Each priority 0..L4_PRIO_MAX has a FIFO queue of its ready
 * threads, and ready_bitmap has one bit per priority, set while that queue
 * is not empty, so that the highest ready priority is found by looking at
 * 8 words instead of 256 queues (kernel/prio.c).  The highest priority
 * with a ready thread runs; threads of equal priority take turns, each for
 * its own time slice, after which it goes to the back of its queue.  IPC's
 * direct process switch puts a woken thread at the front of its own
 * priority's queue: within a priority the receiver of a message runs next,
 * but never ahead of a thread of a higher priority.
 *
 * Preemption.  A thread that becomes ready with a higher priority than the
 * running one (a message or a timeout woke it, SYS_SCHEDULE raised it)
 * takes the CPU when the current trap ends: change_state only sets
 * sched_switch_due, which trap() tests just before it returns to user mode.
 * Switching inside sched_wakeup itself would leave the waker's work half
 * done (ipc_cancel wakes threads in a loop, for one).  The preempted thread
 * keeps the rest of its slice and waits at the front of its queue: its
 * turn was interrupted, not over.
 *
 * Invariants: a thread is on a queue iff its state is TS_READY and it is
 * not `current`; it is then on ready_queues[t->prio], and ready_count
 * counts it.  The idle thread is never on a queue.  Bit p of ready_bitmap
 * is set iff ready_queues[p] is not empty.  A thread is on the timeout list
 * iff it is blocked with a finite timeout (timeout_armed).
 * The kernel runs with interrupts off, so none of this needs a lock.
 */
#include "kernel.h"
#include "sched.h"
#include "fpu.h"
#include "ipc.h"
#include "irq.h"
#include "tls.h"
#include "vm.h"
#include "arch/i386/arch.h"
#include "l4/abi.h"

/* Until sched_start() leaves the boot stack, `current` is a stand-in of
   the lowest priority, so that threads made ready at boot need no check. */
static struct thread boot = { .magic = THREAD_MAGIC, .prio = 0 };
struct thread *current = &boot;
struct ready_queue ready_queues[PRIO_LEVELS];
uint32_t ready_bitmap[PRIO_WORDS];
int sched_switch_due;               /* see sched.h */
static unsigned ready_count;        /* threads on the ready queues */
static int priorities_used;         /* some thread was given a non-default priority */
static struct thread *idle;
static struct thread *dead;         /* list of ended threads, not yet freed */
static struct thread *timeouts;     /* blocked threads with a finite timeout */
static unsigned live_threads;       /* user threads started and not yet dead */

void sched_init(struct thread *idle_thread)
{
    idle = idle_thread;
    idle->prio = 0;                 /* below everyone (it is never on a queue) */
}

/* enqueue, take_head and unlink are on every IPC's path: keep them inline. */
static inline void enqueue(struct thread *t, int front)
{
    struct ready_queue *q = &ready_queues[t->prio];
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
    ready_bitmap[t->prio / 32] |= 1u << (t->prio % 32);
    ready_count++;
}

/* Takes the head off priority prio's queue, which is not empty. */
static inline struct thread *take_head(unsigned prio)
{
    struct ready_queue *q = &ready_queues[prio];
    struct thread *t = q->head;
    q->head = t->next;
    if (!q->head) {
        q->tail = NULL;
        ready_bitmap[prio / 32] &= ~(1u << (prio % 32));
    }
    ready_count--;
    return t;
}

static void unlink(struct thread *t)
{
    struct ready_queue *q = &ready_queues[t->prio];
    struct thread **pp = &q->head, *prev = NULL;
    for (; *pp && *pp != t; prev = *pp, pp = &(*pp)->next)
        ;
    if (!*pp)
        return;
    *pp = t->next;
    if (q->tail == t)
        q->tail = prev;
    if (!q->head)
        ready_bitmap[t->prio / 32] &= ~(1u << (t->prio % 32));
    ready_count--;
}

/* Panics, with a hint, if sched_pick (Lab 4) broke the queues' rules. */
static void check_pick(const struct thread *t)
{
    if (!t) {
        if (ready_count)
            panic("sched_pick returned NULL, but %u threads are ready (kernel/prio.c)",
                  ready_count);
        return;
    }
    if (t->state != TS_READY || t == idle)
        panic("sched_pick returned thread %u (%s), which is not a ready thread (kernel/prio.c)",
              thread_number(t), t->name);
    const struct ready_queue *q = &ready_queues[t->prio];
    int bit = ready_bitmap[t->prio / 32] >> (t->prio % 32) & 1;
    if (bit != (q->head != NULL) || (q->head == NULL) != (q->tail == NULL) || q->head == t)
        panic("sched_pick left priority %u's queue or its ready_bitmap bit inconsistent "
              "(kernel/prio.c)", t->prio);
}

/*
 * Takes the thread to run next off its queue; NULL if none is ready.
 *
 * Until SYS_SCHEDULE gives some thread a priority other than
 * L4_PRIO_DEFAULT, every thread has the default priority, so every ready
 * thread is on that one queue, and its head is exactly what sched_pick
 * would choose: the kernel takes it itself.  So Labs 0..3, which never
 * set a priority, never run Lab 4's sched_pick and do not depend on it.
 * Once a priority has been set, sched_pick decides, for good: the flag
 * stays set, since some thread may keep the priority it was given.
 */
static struct thread *pick(void)
{
    struct thread *t;
    if (!priorities_used)
        return ready_queues[L4_PRIO_DEFAULT].head ? take_head(L4_PRIO_DEFAULT) : NULL;
    t = sched_pick();
    check_pick(t);
    if (t)
        ready_count--;
    return t;
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

/* Inlined into each caller, so that the compiler drops the branches its
   constant state and front rule out: this is on every IPC's path. */
static inline __attribute__((always_inline))
void change_state(struct thread *t, enum thread_state state, int front)
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
    if (state == TS_READY && t != current) {
        enqueue(t, front);
        if (t->prio > current->prio)
            sched_switch_due = 1;
    }
    if (state == TS_DEAD) {
        if (t == current)
            sched_switch_due = 1;       /* it must not go back to user mode */
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
    else if (t->in_exception)
        kprintf("  thread %u (%s) waits for its exception handler, thread %u, to answer "
                "an exception\n", thread_number(t), t->name, l4_tid_number(t->exc_handler));
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
    if (ready_count || timeouts || irq_any_attached() ||
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
        tls_switch(next);
    }
    fpu_switch();
    arch_switch(&prev->ksp, next->ksp);
}

/* The heart of schedule() and sched_switch(): a current thread that is
   still ready goes back to its queue, at the front or the back. */
static inline __attribute__((always_inline)) void reschedule(int front)
{
    reap();
    if (live_threads == 0) {
        kprintf("l4lab: no user thread left to run; shutting down.\n");
        arch_shutdown(L4_EXIT_OK);
    }
    check_deadlock();
    if (current->state == TS_READY && current != idle)
        enqueue(current, front);
    sched_switch_due = 0;
    struct thread *next = pick();
    if (!next)
        next = idle;
    if (next != current)
        switch_to(next);
}

void schedule(void)
{
    reschedule(0);
}

void sched_switch(void)
{
    /* A preempted thread goes to the front of its queue: its turn was
       interrupted, not over.  (An ended one goes nowhere.) */
    reschedule(1);
}

void sched_set_params(struct thread *t, unsigned prio, unsigned slice)
{
    if (slice)
        t->slice = t->ticks_left = slice;
    if (prio != L4_PRIO_DEFAULT)
        priorities_used = 1;
    if (prio == t->prio)
        return;
    unsigned old = t->prio;
    if (t->state == TS_READY && t != current) {
        unlink(t);
        t->prio = prio;
        enqueue(t, 0);
        if (prio > current->prio)
            sched_switch_due = 1;
    } else {
        t->prio = prio;
        /* The running thread lowered itself: a ready one may outrank it now. */
        if (t == current && prio < old)
            sched_switch_due = 1;
    }
}

/* Gives up on every blocked thread whose timeout has come.  Returns how
   many of them have the current thread's priority (a higher one has set
   sched_switch_due). */
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
        if (t->prio == current->prio)
            n++;
    }
    return n;
}

void sched_tick(void)
{
    int expired = expire_timeouts();
    if (current == idle)
        return;                 /* the idle loop calls schedule() after every interrupt */
    /* The slice follows the thread across IPC switches, so that two
       threads calling each other cannot keep a third off the CPU. */
    if (--current->ticks_left == 0) {
        current->ticks_left = current->slice;
        schedule();
    } else if (expired) {
        /* A thread of our priority whose timeout expired runs at once: it
           waited long enough.  A higher one preempts at the trap's end. */
        schedule();
    }
}

void sched_start(void)
{
    /* `boot` is current: its %esp is saved there, never used again. */
    schedule();
    panic("sched_start: returned to the boot stack");
}
