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
 * Switching.  schedule() is the one function that switches threads
 * (sched.h lists its four callers).  Everything else records a decision in
 * sched_action, which trap() acts on just before it returns to user mode.
 * A thread that becomes ready with a higher priority than the running one
 * (a message or a timeout woke it, SYS_SCHEDULE raised it) preempts it:
 * the preempted thread keeps the rest of its slice and waits at the front
 * of its queue, since its turn was interrupted, not over.  A thread whose
 * turn is over (its slice, or it gave way to a thread it woke) yields: it
 * goes to the back.
 *
 * Invariants: a thread is on a queue iff its state is TS_READY and it is
 * not `current`; it is then on ready_queues[t->prio], and ready_count
 * counts it (ready_other, if its priority is not the default).  The idle
 * thread is never on a queue.  Bit p of ready_bitmap
 * is set iff ready_queues[p] is not empty.  A thread is on the timeout list
 * iff it is blocked with a finite timeout (timeout_armed).
 * The kernel runs with interrupts off, so none of this needs a lock.
 */
#include "kernel.h"
#include "sched.h"
#include "fpu.h"
#include "switch.h"
#include "fastswitch.h"
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
enum sched_action sched_action;     /* see sched.h */
unsigned ready_count;               /* threads on the ready queues */
unsigned ready_other;               /* ... of a priority other than L4_PRIO_DEFAULT (pick) */
static const struct sched_wait_ops *wait_ops;   /* the IPC code's (sched_set_wait_ops) */
static struct thread *idle;
static struct thread *dead;         /* list of ended threads, not yet freed */
static struct thread *timeouts;     /* blocked threads with a finite timeout */
static unsigned live_threads;       /* user threads started and not yet dead */

void sched_init(struct thread *idle_thread)
{
    idle = idle_thread;
    idle->prio = 0;                 /* below everyone (it is never on a queue) */
}

/* Takes the head off priority prio's queue, which is not empty.  (It and
   unlink are on every IPC's path: inline.  Their counterpart, enqueueing,
   is sched.h's ready_enqueue, which the inline sched_wakeup uses.) */
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
    if (prio != L4_PRIO_DEFAULT)
        ready_other--;
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
    if (t->prio != L4_PRIO_DEFAULT)
        ready_other--;
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
 * When every ready thread has the default priority, they are all on one
 * queue, and the next thread is its head: no bitmap is needed to know
 * that, and the kernel takes it itself.  Lab 4's sched_pick decides
 * whenever a thread of any other priority is ready (ready_other counts
 * them).  That is a rule about the queues as they are now, not about the
 * past (a flag set by the first SYS_SCHEDULE would be), and it is why the
 * tests of Labs 0..3, where every thread keeps the default priority, never
 * run Lab 4's code.  It also spares the common case the bitmap scan.
 */
static inline __attribute__((always_inline)) struct thread *pick(void)
{
    if (!ready_other)
        return ready_queues[L4_PRIO_DEFAULT].head ? take_head(L4_PRIO_DEFAULT) : NULL;
    struct thread *t = sched_pick();
    check_pick(t);
    ready_count--;
    if (t->prio != L4_PRIO_DEFAULT)
        ready_other--;
    return t;
}

/* Takes t, whose timeout is armed, off the list of pending timeouts
   (sched.h: sched_wakeup calls it too). */
void timeout_unlist(struct thread *t)
{
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

/* Records a decision about the current thread; a stronger one stays. */
static inline void decide(enum sched_action a)
{
    if (sched_action < a)
        sched_action = a;
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
        ready_enqueue(t, front);
        if (t->prio > current->prio)
            decide(SCHED_PREEMPT);
    }
    if (state == TS_DEAD) {
        if (t == current)
            decide(SCHED_PREEMPT);      /* it must not go back to user mode */
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

static inline __attribute__((always_inline)) void reschedule(int blocked);

IPC_PATH void sched_block(enum thread_state state, uint16_t timeout)
{
    struct thread *self = current;
    assert(is_blocked(state) && timeout != L4_TIMEOUT_ZERO);
    /* The running thread is ready, so blocking it is only its new state
       (it is on no queue); anything else takes change_state's checks. */
    if (self->state == TS_READY)
        self->state = state;
    else
        change_state(self, state, 0);
    timeout_arm(self, timeout);
    reschedule(1);
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

void sched_set_wait_ops(const struct sched_wait_ops *ops)
{
    wait_ops = ops;
}

/* What the blocked threads wait for is the IPC code's to say. */
static void report_blocked(struct thread *t, void *arg)
{
    (void)arg;
    if (is_blocked(t->state))
        wait_ops->describe(t);
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

/* A switch to next: the address space (space_activate, which the slow
   path's traces name), the rest of the CPU's state (switch.h: the same
   code as the fast path's switch, kernel/fastswitch.h), the FPU, and the
   stacks (arch_switch).  The idle thread has no space and no UTCB. */
static inline __attribute__((always_inline)) void switch_to(struct thread *next)
{
    struct thread *prev = current;
    switch_check(next);
    if (next != idle) {
        space_activate(next->space);
        switch_thread_state(next);
    }
    fpu_switch();
    arch_switch(&prev->ksp, next->ksp);
}

/*
 * The one place where threads are switched (sched.h says who calls it):
 * schedule(), and sched_block, which has it inline (a blocking IPC, the
 * common case, is spared a call).
 * A current thread that is still ready goes back to its queue: to the
 * front if it was preempted, since its turn was interrupted, not over;
 * to the back otherwise (it yielded).  An ended or blocked one goes
 * nowhere.  Returns when the caller's thread is chosen again.
 */
static inline __attribute__((always_inline)) void reschedule(int blocked)
{
    if (dead)
        reap();
    /* A thread that blocks has started and not ended: it is one of them. */
    if (!blocked && live_threads == 0) {
        kprintf("l4lab: no user thread left to run; shutting down.\n");
        arch_shutdown(L4_EXIT_OK);
    }
    if (!ready_count)
        check_deadlock();       /* only with nothing ready can it be one */
    if (!blocked && current->state == TS_READY && current != idle)
        ready_enqueue(current, sched_action == SCHED_PREEMPT);
    sched_action = SCHED_RUN_ON;
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

int32_t fastpath_result(void)
{
    return fast_result(current);
}

void sched_yield(void)
{
    sched_action = SCHED_YIELD;     /* the strongest: nothing weakens it */
}

void sched_set_params(struct thread *t, unsigned prio, unsigned slice)
{
    if (slice)
        t->slice = t->ticks_left = slice;
    if (prio == t->prio)
        return;
    unsigned old = t->prio;
    if (t->state == TS_READY && t != current) {
        unlink(t);
        t->prio = prio;
        ready_enqueue(t, 0);
        if (prio > current->prio)
            decide(SCHED_PREEMPT);
    } else {
        t->prio = prio;
        /* The running thread lowered itself: a ready one may outrank it now. */
        if (t == current && prio < old)
            decide(SCHED_PREEMPT);
    }
}

/* Gives up on every blocked thread whose timeout has come (the IPC code
   wakes it).  Returns how many of them have the current thread's priority
   (a higher one has preempted it already). */
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
        wait_ops->timed_out(t);
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
        sched_yield();
    } else if (expired) {
        /* A thread of our priority whose timeout expired runs when this
           trap ends: it waited long enough.  A higher one preempts anyway. */
        sched_yield();
    }
}

void sched_start(void)
{
    /* Checked once here rather than on every IPC's path: a timeout or a
       deadlock report would call through them. */
    if (!wait_ops)
        panic("sched_start: the IPC code has not registered its hooks (ipc_init)");
    /* `boot` is current: its %esp is saved there, never used again. */
    schedule();
    panic("sched_start: returned to the boot stack");
}
