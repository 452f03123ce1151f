/*
 * Synchronous IPC, L4 style: a message moves only when both sides are
 * ready (a rendezvous); the kernel never buffers it.  One system call,
 * SYS_IPC, has an optional send phase followed by an optional receive
 * phase (l4/abi.h, docs/abi.md).
 *
 * kernel/ipc.c holds the rendezvous itself (Lab 1);
 * kernel/ipc_syscall.c decodes the system call and keeps the send queues.
 */
#ifndef IPC_H
#define IPC_H

#include <stdint.h>
#include "thread.h"
#include "sched.h"
#include "l4/abi.h"

/* --- kernel/ipc.c: the rendezvous (Lab 1) --- */

/* Copies the message of snd (MR0..MR(u+t)) to rcv, carries out its map
   and grant items, and tells rcv who sent it. */
void ipc_transfer(struct thread *snd, struct thread *rcv);

/* The send phase of the current thread's IPC to dest.  Returns 0 once the
   message is delivered, or -L4_ETIMEOUT / -L4_ECANCELED. */
int ipc_send(struct thread *dest, uint16_t timeout);

/* The receive phase: from is a thread ID or L4_ANYTHREAD.  Returns 0 once
   a message has arrived, or an error (which the caller marks L4_ERECV). */
int ipc_receive(l4_tid_t from, uint16_t timeout);

/* The timer gave up on t, blocked in TS_SENDING or TS_RECEIVING (called
   by the scheduler, through the hook ipc_init registers). */
void ipc_timeout(struct thread *t);

/* --- kernel/ipc_syscall.c: given --- */

/* Tells the scheduler what to do with a blocked thread whose timeout
   expires (ipc_timeout) and how to describe a blocked thread's wait in the
   deadlock report; called once at boot, before any thread blocks. */
void ipc_init(void);

IPC_PATH int32_t sys_ipc(struct trapframe *tf);

/* t ends: wakes, with -L4_ECANCELED, every thread waiting for it. */
void ipc_cancel(struct thread *t);

/*
 * The small helpers below are on every IPC's path and each is a few
 * instructions of work, so they are inline here: as functions, their
 * calls, frames and returns cost more than what they do.
 */

/* Whether rcv is blocked in a receive phase that accepts a message from snd. */
static inline int ipc_accepts(const struct thread *rcv, const struct thread *snd)
{
    return rcv->state == TS_RECEIVING &&
           (rcv->ipc_from == L4_ANYTHREAD || rcv->ipc_from == snd->tid);
}

/* Message register i of thread t, wherever it is kept: MR0 and MR1 in
   the saved %esi and %edi, the others in the UTCB. */
static inline uint32_t ipc_get_mr(struct thread *t, unsigned i)
{
    struct trapframe *tf = thread_tf(t);
    return i == 0 ? tf->esi : i == 1 ? tf->edi : t->utcb->mr[i];
}

static inline void ipc_set_mr(struct thread *t, unsigned i, uint32_t v)
{
    struct trapframe *tf = thread_tf(t);
    if (i == 0)
        tf->esi = v;
    else if (i == 1)
        tf->edi = v;
    else
        t->utcb->mr[i] = v;
}

/* Ends t's blocked wait: its IPC returns error (0 for success). */
static inline void ipc_wake(struct thread *t, int error)
{
    t->ipc_error = error;
    current->ipc_woke = 1;      /* for sys_ipc's direct switch after a plain send */
    sched_wakeup(t);
}

/* A caller's message was taken: it keeps waiting, now for the reply, in
   its receive phase (with that phase's timeout). */
void ipc_await_reply(struct thread *caller);

/* The current thread calls dest on its own behalf (a page fault, Lab 3):
   the message is whatever its message registers hold now; no timeouts.
   Returns 0 once the reply has arrived, or the IPC's error. */
int ipc_call(struct thread *dest);

/* The most words (MR0 included) a message to t may have: while t waits
   in a call the kernel made for it, only the message registers the kernel
   saved for it may be overwritten (kernel/pagefault.c, kernel/exception.c).
   The one place that says so, for the slow path and the fast path. */
static inline unsigned ipc_max_words(const struct thread *t)
{
    if (t->in_pagefault)
        return 3;
    if (t->in_exception)
        return 1 + L4_EXC_WORDS;
    return L4_MAX_MRS;
}

/* The send queue of a thread: who is blocked sending to it, in order. */
void sendq_append(struct thread *dest, struct thread *snd);
void sendq_remove(struct thread *dest, struct thread *snd);
/* Unlinks and returns the first queued sender that `from` accepts
   (a thread ID or L4_ANYTHREAD), or NULL.  Most receives find the queue
   empty: only a queue with senders costs the walk (sendq_search). */
IPC_PATH struct thread *sendq_search(struct thread *rcv, l4_tid_t from);
static inline struct thread *sendq_take(struct thread *rcv, l4_tid_t from)
{
    return rcv->senders ? sendq_search(rcv, from) : NULL;
}

/* Or-s L4_ERECV into an error of the receive phase (sys_ipc's result). */
static inline int32_t ipc_recv_error(int err)
{
    return err < 0 ? -((-err) | L4_ERECV) : err;
}

/* --- kernel/fastpath.c: the common case, done quickly (Lab 6) --- */

/* What fastpath_ipc returns when the call is not its case: sys_ipc then
   does it (no result of sys_ipc is positive). */
#define FASTPATH_NOT_TAKEN 1

/* The built-in switch: FASTPATH=0 on make's command line builds a kernel
   that always takes the slow path (in its own build directory). */
#ifndef FASTPATH
#define FASTPATH 1
#endif

/* A call or reply-and-wait that the fast path can do whole: returns the
   value for %eax once the reply (or next message) has arrived, or
   FASTPATH_NOT_TAKEN before it has changed anything. */
IPC_PATH int32_t fastpath_ipc(struct trapframe *tf);

/* ipc_call's common case: the partner waits for the current thread.
   Returns 0 if not taken (nothing changed), else 1 with *err set. */
int fastpath_call(struct thread *dest, int *err);

#endif
