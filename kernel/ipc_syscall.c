/*
 * The IPC system call around the rendezvous of kernel/ipc.c: decoding and
 * validating the registers (every check before any state changes), running
 * the send and the receive phase, and the plumbing the rendezvous uses:
 * send queues, waking, cleaning up when a thread ends, and what the
 * scheduler asks of IPC about blocked threads (ipc_init).
 */
#include "kernel.h"
#include "ipc.h"
#include "irq.h"
#include "map.h"
#include "sched.h"
#include "l4/abi.h"

/* The typed items of the current thread's message: pairs of words, each
   a map or grant item of a valid flexpage.  (Kept out of line: most
   messages have no items, and sys_ipc is the IPC path.) */
static __attribute__((noinline)) int items_valid(l4_tag_t tag)
{
    unsigned first = 1 + l4_tag_untyped(tag), end = first + l4_tag_typed(tag);
    if (l4_tag_typed(tag) % 2)
        return 0;
    for (unsigned i = first; i < end; i += 2)
        if (!map_item_valid(ipc_get_mr(current, i), ipc_get_mr(current, i + 1)))
            return 0;
    return 1;
}


/* SYS_IPC in general: every case, one phase after the other.  Out of
   line when there is a fast path, so that sys_ipc's common case does not
   pay for this function's frame. */
#if FASTPATH
#define SLOW_PATH __attribute__((noinline))
#else
#define SLOW_PATH
#endif
static SLOW_PATH int32_t ipc_slow(struct trapframe *tf)
{
    struct thread *self = current, *dest = NULL;
    l4_tid_t to = tf->ebx, from = tf->ecx;
    uint16_t snd_timeout = tf->edx >> 16, rcv_timeout = tf->edx & 0xFFFF;
    l4_tag_t tag = tf->esi;

    if (to != L4_NILTHREAD) {
        if (!l4_tag_fits(tag))
            return -L4_EMSGLEN;
        if (l4_tag_flags(tag) || (l4_tag_typed(tag) && !items_valid(tag)))
            return -L4_EINVAL;
        dest = thread_lookup(to);
        if (!dest)
            return -L4_ENOPARTNER;
        if (dest == self)
            return -L4_EINVAL;          /* would wait for itself forever */
        /* A longer answer to a thread waiting for its pager or exception
           handler would overwrite its own message registers. */
        if (1 + l4_tag_untyped(tag) + l4_tag_typed(tag) > ipc_max_words(dest))
            return -L4_EMSGLEN;
    }
    /* An interrupt's ID names no thread; only its handler may receive from it. */
    if (from != L4_NILTHREAD && from != L4_ANYTHREAD && from != to && !thread_lookup(from) &&
        !irq_handled_by(self, from))
        return ipc_recv_error(-L4_ENOPARTNER);

    self->ipc_from = from;
    self->ipc_rcv_timeout = rcv_timeout;
    self->ipc_received = 0;
    self->ipc_woke = 0;
    int err = 0;
    if (dest)
        err = ipc_send(dest, snd_timeout);
    /* A call whose message was taken while it waited has had its reply
       delivered already (ipc_await_reply); otherwise receive now, unless
       the partner ended while we were sending.  (When from == to, our
       message reached it alive, and if it ends now, ipc_cancel wakes us.) */
    if (!err && from != L4_NILTHREAD && !self->ipc_received) {
        if (self->irq_lines && irq_ipc_receive(self, from))
            ;                           /* a pending interrupt's message (kernel/irq.c) */
        else if (from != L4_ANYTHREAD && from != to && !thread_lookup(from) &&
                 !irq_handled_by(self, from))
            err = ipc_recv_error(-L4_ENOPARTNER);
        else
            err = ipc_recv_error(ipc_receive(from, rcv_timeout));
    }
    self->ipc_from = L4_NILTHREAD;

    /* A plain send that woke its receiver gives way to it when the trap
       ends: the receiver is at the head of its priority's ready queue, the
       sender goes to the back of its own (direct process switch). */
    if (from == L4_NILTHREAD && !err && self->ipc_woke)
        sched_yield();
    return err;
}

/* The common case first (kernel/fastpath.c), which leaves the IPC to
   the slow path whenever it is not its case; without the fast path
   (FASTPATH=0) only the slow path.  Every IPC passes here, and GDB's
   watches on IPC count here (Labs 1, 4 and 6): its frame pointer would be
   a quarter of its instructions, so it has none (GCC's attribute; clang,
   which only reads this file for an editor, does not know it). */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_FRAME_POINTER __attribute__((optimize("omit-frame-pointer")))
#else
#define NO_FRAME_POINTER
#endif
IPC_PATH int32_t NO_FRAME_POINTER sys_ipc(struct trapframe *tf)
{
    if (FASTPATH && tf->ebx != L4_NILTHREAD) {     /* a receive alone is never its case */
        int32_t fast = fastpath_ipc(tf);
        if (fast != FASTPATH_NOT_TAKEN)
            return fast;
    }
    return ipc_slow(tf);
}

int ipc_call(struct thread *dest)
{
    struct thread *self = current;
    int err;
    if (FASTPATH && fastpath_call(dest, &err))
        return err;
    self->ipc_from = dest->tid;
    self->ipc_rcv_timeout = L4_TIMEOUT_NEVER;
    self->ipc_received = 0;
    self->ipc_woke = 0;
    err = ipc_send(dest, L4_TIMEOUT_NEVER);
    if (!err && !self->ipc_received)
        err = ipc_recv_error(ipc_receive(dest->tid, L4_TIMEOUT_NEVER));
    self->ipc_from = L4_NILTHREAD;
    return err;
}

void ipc_await_reply(struct thread *caller)
{
    if (caller->ipc_from != L4_ANYTHREAD && !thread_lookup(caller->ipc_from))
        ipc_wake(caller, -(L4_ENOPARTNER | L4_ERECV));  /* it ended meanwhile */
    else if (caller->ipc_rcv_timeout == L4_TIMEOUT_ZERO)
        ipc_wake(caller, -(L4_ETIMEOUT | L4_ERECV));
    else
        sched_rewait(caller, TS_RECEIVING, caller->ipc_rcv_timeout);
}

void sendq_append(struct thread *dest, struct thread *snd)
{
    snd->send_next = NULL;
    snd->ipc_partner = dest;
    if (dest->senders_tail)
        dest->senders_tail->send_next = snd;
    else
        dest->senders = snd;
    dest->senders_tail = snd;
}

void sendq_remove(struct thread *dest, struct thread *snd)
{
    struct thread **pp = &dest->senders, *prev = NULL;
    while (*pp && *pp != snd)
        prev = *pp, pp = &(*pp)->send_next;
    if (!*pp)
        return;
    *pp = snd->send_next;
    if (dest->senders_tail == snd)
        dest->senders_tail = prev;
    snd->send_next = NULL;
    snd->ipc_partner = NULL;
}

IPC_PATH struct thread *sendq_search(struct thread *rcv, l4_tid_t from)
{
    for (struct thread *s = rcv->senders; s; s = s->send_next) {
        if (from == L4_ANYTHREAD || s->tid == from) {
            sendq_remove(rcv, s);
            return s;
        }
    }
    return NULL;
}

/* Wakes a thread that waits to receive from the ending thread. */
static void cancel_receiver(struct thread *t, void *ending)
{
    if (t->state == TS_RECEIVING && t->ipc_from == ((struct thread *)ending)->tid)
        ipc_wake(t, -(L4_ECANCELED | L4_ERECV));
}

void ipc_cancel(struct thread *t)
{
    if (t->state == TS_SENDING)
        sendq_remove(t->ipc_partner, t);
    while (t->senders) {
        struct thread *s = t->senders;
        sendq_remove(t, s);
        ipc_wake(s, -L4_ECANCELED);
    }
    thread_for_each(cancel_receiver, t);
}

/* One line of the deadlock report: what blocked thread t waits for.  A
   wait the kernel began on t's behalf (a page fault, an exception) is
   named as such, since t's own code never asked for it. */
static void describe_wait(struct thread *t)
{
    if (t->in_pagefault)
        kprintf("  thread %u (%s) waits for its pager, thread %u, to resolve a page fault\n",
                thread_number(t), t->name, l4_tid_number(t->pager));
    else if (t->in_exception)
        kprintf("  thread %u (%s) waits for its exception handler, thread %u, to answer "
                "an exception\n", thread_number(t), t->name, l4_tid_number(t->exc_handler));
    else if (t->state == TS_SENDING)
        kprintf("  thread %u (%s) waits to send to thread %u\n", thread_number(t), t->name,
                thread_number(t->ipc_partner));
    else if (t->ipc_from == L4_ANYTHREAD)
        kprintf("  thread %u (%s) waits to receive from any thread\n", thread_number(t), t->name);
    else
        kprintf("  thread %u (%s) waits to receive from thread %u\n", thread_number(t), t->name,
                l4_tid_number(t->ipc_from));
}

void ipc_init(void)
{
    /* The scheduler calls up into IPC only through these (sched.h). */
    static const struct sched_wait_ops ops = {
        .timed_out = ipc_timeout,
        .describe = describe_wait,
    };
    sched_set_wait_ops(&ops);
}
