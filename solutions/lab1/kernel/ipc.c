/*
 * Lab 1: the IPC rendezvous.  kernel/ipc.h describes the four functions;
 * labs/lab1-ipc/README.md explains the design.  Reference solution.
 *
 * The rule that keeps this small: whichever side arrives second does all
 * the work.  It copies the message, and wakes the side that was waiting,
 * whose registers then already hold the result when it runs again.
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "sched.h"
#include "l4/abi.h"

void ipc_transfer(struct thread *snd, struct thread *rcv)
{
    struct trapframe *stf = thread_tf(snd), *rtf = thread_tf(rcv);
    l4_tag_t tag = stf->esi;

    rtf->esi = tag;                         /* MR0 and MR1 travel in registers */
    rtf->edi = stf->edi;
    for (unsigned i = 2; i <= l4_tag_untyped(tag) + l4_tag_typed(tag); i++)
        rcv->utcb->mr[i] = snd->utcb->mr[i];
    ipc_map_items(snd, rcv);
    rtf->ecx = snd->tid;                    /* the receiver learns who sent it */
    rcv->ipc_received = 1;
}

int ipc_send(struct thread *dest, uint16_t timeout)
{
    struct thread *self = current;

    if (ipc_accepts(dest, self)) {
        ipc_transfer(self, dest);
        ipc_wake(dest, 0);
        return 0;
    }
    if (timeout == L4_TIMEOUT_ZERO)
        return -L4_ETIMEOUT;
    sendq_append(dest, self);
    sched_block(TS_SENDING, timeout);
    return self->ipc_error;
}

int ipc_receive(l4_tid_t from, uint16_t timeout)
{
    struct thread *self = current;
    struct thread *snd = sendq_take(self, from);

    if (snd) {
        ipc_transfer(snd, self);
        if (snd->ipc_from != L4_NILTHREAD)
            ipc_await_reply(snd);           /* a call: it now waits for our reply */
        else
            ipc_wake(snd, 0);
        return 0;
    }
    if (timeout == L4_TIMEOUT_ZERO)
        return -L4_ETIMEOUT;
    sched_block(TS_RECEIVING, timeout);
    return self->ipc_error;
}

void ipc_timeout(struct thread *t)
{
    if (t->state == TS_SENDING) {
        sendq_remove(t->ipc_partner, t);
        ipc_wake(t, -L4_ETIMEOUT);
    } else {
        ipc_wake(t, -(L4_ETIMEOUT | L4_ERECV));
    }
}
