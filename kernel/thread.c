/*
 * Thread creation, thread IDs and destruction.  Layout of a thread's
 * frame: thread.h.
 *
 * The thread table maps a thread number to its TCB; versions[] remembers,
 * for every number, the version of its current (or last) thread, so that
 * a new thread on a reused number gets a new ID and the old ID goes stale.
 */
#include "kernel.h"
#include "thread.h"
#include "tls.h"
#include "fpu.h"
#include "ipc.h"
#include "irq.h"
#include "sched.h"
#include "vm.h"

static struct thread *table[MAX_THREADS];
static uint16_t versions[MAX_THREADS];

/* Takes a frame for a TCB and its stack, and fills in the common fields. */
static struct thread *tcb_alloc(const char *name)
{
    paddr_t pa = frame_alloc();
    if (!pa)
        return NULL;
    struct thread *t = P2V(pa);
    memset(t, 0, sizeof *t);
    t->magic = THREAD_MAGIC;
    t->prio = L4_PRIO_DEFAULT;
    t->slice = t->ticks_left = L4_SLICE_DEFAULT;
    t->ipc_from = L4_NILTHREAD;
    strlcpy(t->name, name, sizeof t->name);
    return t;
}

/* Gives t a thread number and ID; 0 if every number is taken. */
static int tid_assign(struct thread *t)
{
    for (uint32_t n = 1; n < MAX_THREADS; n++) {
        if (table[n])
            continue;
        versions[n] = (uint16_t)l4_tid_next_version(versions[n]);
        t->tid = l4_tid_make(n, versions[n]);
        table[n] = t;
        return 1;
    }
    return 0;
}

struct thread *const *const thread_table = table;

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    for (uint32_t n = 1; n < MAX_THREADS; n++)
        if (table[n])
            fn(table[n], arg);
}

/*
 * Builds the frame arch_switch() pops when it first switches to t: four
 * zeroed callee-saved registers, then the address it "returns" to.
 */
static void push_switch_frame(struct thread *t, uint32_t stack_top, void (*entry)(void))
{
    uint32_t *sp = (uint32_t *)stack_top;
    *--sp = (uint32_t)entry;
    for (int i = 0; i < SWITCH_FRAME_WORDS - 1; i++)
        *--sp = 0;                  /* ebp, ebx, esi, edi */
    t->ksp = (uint32_t)sp;
}

/* A thread with a UTCB and an ID in space s, not yet started. */
static struct thread *create_in(struct space *s, const char *name, uint32_t eip, uint32_t esp)
{
    struct thread *t = tcb_alloc(name);
    void *utcb;
    if (!t)
        return NULL;
    if (space_utcb_alloc(s, &t->utcb_uva, &utcb) < 0) {
        frame_free(V2P(t));
        return NULL;
    }
    if (!tid_assign(t)) {
        space_utcb_free(s, t->utcb_uva);
        frame_free(V2P(t));
        return NULL;
    }
    t->utcb = utcb;
    t->utcb->self = t->utcb_uva;
    t->utcb->tid = t->tid;
    arch_utcb_descriptor(t->utcb_uva, t->utcb_desc);
    tls_thread_init(t);
    t->space = s;
    s->threads++;
    arch_init_user_frame(thread_tf(t), eip, esp);
    /* First switch: "return" into trap_return, which pops the trapframe
       and enters ring 3. */
    push_switch_frame(t, (uint32_t)thread_tf(t), trap_return);
    return t;
}

struct thread *thread_create_user(struct space *s, const char *name, uint32_t eip, uint32_t esp)
{
    struct thread *t = create_in(s, name, eip, esp);
    if (t)
        sched_set_state(t, TS_READY);
    return t;
}

struct thread *thread_create_waiting(struct space *s, const char *name, uint32_t eip,
                                     uint32_t esp, l4_tid_t from, l4_fpage_t window)
{
    struct thread *t = create_in(s, name, eip, esp);
    if (t) {
        t->utcb->rcv_window = window;
        t->ipc_from = from;
        sched_set_state(t, TS_RECEIVING);
    }
    return t;
}

/* The first thing a thread made by thread_create_by_handler() does, on its
   own kernel stack: the exception L4_EXC_START, as if its first
   instruction had raised it; trap() sends it to the handler and acts on the
   reply, and the thread then "returns" into trap_return with the registers
   the handler gave. */
static void start_by_handler(void)
{
    trap(thread_tf(current));
}

struct thread *thread_create_by_handler(struct space *s, const char *name)
{
    struct thread *t = create_in(s, name, 0, 0);
    if (!t)
        return NULL;
    thread_tf(t)->trapno = L4_EXC_START;
    uint32_t *sp = (uint32_t *)thread_tf(t);
    *--sp = (uint32_t)trap_return;      /* where start_by_handler returns to */
    push_switch_frame(t, (uint32_t)sp, start_by_handler);
    sched_set_state(t, TS_READY);
    return t;
}

struct thread *thread_create_kernel(const char *name, void (*fn)(void))
{
    struct thread *t = tcb_alloc(name);
    if (!t)
        return NULL;
    push_switch_frame(t, (uint32_t)t + KSTACK_SIZE, fn);
    return t;
}

void thread_exit(struct thread *t, int status)
{
    kprintf("[thread %u (%s) exited with status %d]\n", thread_number(t), t->name, status);
    thread_end(t);
}

void thread_end(struct thread *t)
{
    table[thread_number(t)] = NULL;     /* the ID is stale from now on */
    irq_release(t);
    ipc_cancel(t);
    sched_set_state(t, TS_DEAD);
}

/* Ends every thread of space s (SYS_TASK_DELETE); the space goes with
   the last of them, when the scheduler frees it. */
void task_delete(struct space *s)
{
    for (uint32_t n = 1; n < MAX_THREADS; n++)
        if (table[n] && table[n]->space == s)
            thread_end(table[n]);
}

void thread_free(struct thread *t)
{
    assert(t->state == TS_DEAD && t != current);
    if (t->space) {
        space_utcb_free(t->space, t->utcb_uva);
        if (--t->space->threads == 0)
            space_destroy(t->space);
    }
    fpu_release(t);
    t->magic = 0;
    frame_free(V2P(t));
}
