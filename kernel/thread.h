/*
 * Threads.  A thread's control block (TCB) and its kernel stack share one
 * 4 KiB frame, as in L4: the TCB at the bottom, the stack growing down from
 * the top.  While a user thread runs, the top of that stack holds its
 * trapframe, the user registers saved on the last trap (thread_tf).
 *
 *   frame + 4096 -> +-----------------------+
 *                   | struct trapframe      |  user registers
 *                   | kernel stack ...      |
 *                   |          v            |
 *                   | struct thread (TCB)   |  magic checked on every switch
 *   frame        -> +-----------------------+
 *
 * Every user thread has a global thread ID (l4/types.h): its number is an
 * index into the kernel's thread table, its version tells a thread from
 * the earlier users of the same number.
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdint.h>
#include "arch/i386/arch.h"
#include "l4/types.h"

struct space;
struct fpu_state;

enum thread_state {
    TS_NEW,         /* created, not yet started (and the idle thread) */
    TS_READY,       /* on the ready queue, or running (== current) */
    TS_SENDING,     /* blocked in an IPC send phase, on ipc_partner's send queue */
    TS_RECEIVING,   /* blocked in an IPC receive phase, waiting for ipc_from */
    TS_DEAD,        /* ended; on the dead list until schedule() frees it */
};

#define THREAD_MAGIC 0x7EADB10Cu
#define THREAD_NAME_LEN 16
#define MAX_THREADS 1024        /* thread numbers 1..MAX_THREADS-1 */

struct thread {
    uint32_t ksp;               /* saved kernel %esp while switched out (arch_switch) */
    enum thread_state state;    /* changed only by sched.c */
    struct thread *next;        /* ready- or dead-list link, owned by sched.c */
    struct space *space;
    l4_tid_t tid;               /* L4_NILTHREAD for the idle thread */
    unsigned ticks_left;        /* of the current time slice */
    unsigned prio;              /* 0..L4_PRIO_MAX; changed only by sched.c (Lab 4) */
    unsigned slice;             /* ticks per time slice (Lab 4) */
    uint32_t timeout_at;        /* blocked with a timeout: the tick at which to give up */
    int timeout_armed;          /* on the timeout list */
    struct thread *timeout_next;/* link in sched.c's list of pending timeouts */
    l4_tid_t pager;             /* receives this thread's page faults (Lab 3); nil: none */
    int in_pagefault;           /* waiting for its pager's answer (kernel/pagefault.c) */
    uint16_t irq_lines;         /* bit n: this thread handles interrupt line n (kernel/irq.c) */
    l4_tid_t exc_handler;       /* receives this thread's exceptions (Lab 4); nil: none */
    int in_exception;           /* waiting for its exception handler's reply (kernel/exception.c):
                                   EXC_WAITING, or EXC_FAST (exception.h) */
    struct fpu_state *fpu;      /* its x87/SSE registers, in a frame of their own, or NULL
                                   before its first FPU instruction.  Owned by kernel/fpu.c:
                                   stale while the thread is fpu_owner (the registers hold
                                   the truth), freed with the thread (thread_free). */
    char name[THREAD_NAME_LEN];

    /* IPC state, used by kernel/ipc.c and kernel/ipc_syscall.c. */
    struct l4_utcb *utcb;       /* kernel address of the UTCB */
    uint32_t utcb_uva;          /* its user address */
    uint32_t utcb_desc[2];      /* the UTCB segment's descriptor for it, made once
                                   (arch_utcb_descriptor) for the fast path's switch */
    uint32_t tls_desc[2];       /* its TLS segment's descriptor (kernel/tls.c): the
                                   default until SYS_THREAD_TLS gives it one */
    l4_tid_t ipc_from;          /* the current IPC's receive phase: a thread, L4_ANYTHREAD,
                                   or L4_NILTHREAD for none */
    uint32_t ipc_rcv_timeout;   /* the receive phase's timeout (16 bits, l4/abi.h; a word:
                                   the fast paths store it with one instruction) */
    int ipc_received;           /* a message was delivered to us during this IPC */
    int ipc_error;              /* the result left by the thread (or timer) that woke us */
    int ipc_woke;               /* this IPC of ours woke a partner (for the direct switch) */
    struct thread *ipc_partner; /* TS_SENDING: whom we send to (whose queue we are on) */
    struct thread *senders;     /* threads blocked sending to us, oldest first ... */
    struct thread *senders_tail;
    struct thread *send_next;   /* ... linked through this field */

    uint32_t magic;             /* THREAD_MAGIC; the kernel stack must not reach it */
};

#define KSTACK_SIZE 4096u
_Static_assert(sizeof(struct thread) < KSTACK_SIZE / 4, "the TCB leaves the stack room");

static inline struct trapframe *thread_tf(struct thread *t)
{
    return (struct trapframe *)((char *)t + KSTACK_SIZE) - 1;
}

/* The thread number, as the console messages show it. */
static inline unsigned thread_number(const struct thread *t)
{
    return l4_tid_number(t->tid);
}

/* Creates a ready user thread in space s that starts at eip with stack esp,
   with a UTCB and a thread ID.  Returns NULL if memory or IDs ran out. */
struct thread *thread_create_user(struct space *s, const char *name, uint32_t eip, uint32_t esp);

/* The same, but the thread first waits (TS_RECEIVING, no timeout) for a
   message from thread `from`, with receive window `window`. */
struct thread *thread_create_waiting(struct space *s, const char *name, uint32_t eip,
                                     uint32_t esp, l4_tid_t from, l4_fpage_t window);

/* A ready thread of space s that begins with exception L4_EXC_START to its
   exception handler (set exc_handler before it runs), whose reply gives
   it all its registers (l4/abi.h, L4_ENTRY_BY_HANDLER). */
struct thread *thread_create_by_handler(struct space *s, const char *name);

/* Creates the kernel's idle thread, which runs fn. */
struct thread *thread_create_kernel(const char *name, void (*fn)(void));

/* The live user thread with exactly this ID, or NULL (nil, any, unknown,
   stale).  Inline: the test is a few instructions, cheaper than a call,
   and IPC makes it on every message.  The table, by thread number, is
   thread.c's. */
extern struct thread *const *const thread_table;
static inline struct thread *thread_lookup_inline(l4_tid_t tid)
{
    /* No l4_tid_is_thread test: nil is number 0, whose slot is always
       empty; any is a number beyond the table; a version 0 is never a
       live thread's, so the comparison of the IDs refuses it. */
    if (l4_tid_number(tid) >= MAX_THREADS)
        return NULL;
    struct thread *t = thread_table[l4_tid_number(tid)];
    return t && t->tid == tid ? t : NULL;
}
/* The same: the IPC fast path (kernel/fastpath.c) knows it by the name
   above, which says why it may use it. */
static inline struct thread *thread_lookup(l4_tid_t tid)
{
    return thread_lookup_inline(tid);
}

/* Calls fn for every live user thread (for the IPC code's clean-up). */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);

/* Ends t (the current thread): its ID stops working at once, threads
   waiting for it are told, and its memory goes when it is switched out. */
void thread_exit(struct thread *t, int status);
/* The same without the console line (any thread, not only the current). */
void thread_end(struct thread *t);
/* Ends every thread of space s, and so s (SYS_TASK_DELETE). */
void task_delete(struct space *s);

/* Frees a dead thread's frame.  Called by the scheduler, never on t's stack. */
void thread_free(struct thread *t);

#endif
