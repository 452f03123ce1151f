/*
 * Lab 1: the IPC rendezvous.  kernel/ipc.h describes the four functions;
 * labs/lab1-ipc/README.md explains the design.  Reference solution.
 *
 * The rule that keeps this small: whichever side arrives second does all
 * the work.  It copies the message, and wakes the side that was waiting,
 * whose registers then already hold the result when it runs again.
 *
 * What you may use (kernel/ipc.h, kernel/sched.h): ipc_accepts,
 * ipc_wake, ipc_await_reply, sendq_append / sendq_remove / sendq_take,
 * sched_block, thread_tf, and the fields of struct thread (thread.h).
 */
#include "kernel.h"
#include "ipc.h"
#include "map.h"
#include "sched.h"
#include "l4/abi.h"

/*
 * LAB 1: copy snd's message to rcv.
 *
 * Called by whichever side arrived second: one of snd and rcv is current,
 * the other is blocked, so the message goes into rcv's saved registers
 * (thread_tf) and into its UTCB through rcv->utcb.  Where a message is
 * (docs/abi.md): MR0, the tag, in the saved %esi, MR1 in %edi, and
 * MR2..MR(u+t) in the UTCB's mr[], u and t being the tag's untyped and
 * typed word counts (sys_ipc has checked that they fit; t is 0 until
 * Lab 2).  When rcv's IPC returns, it must find snd's message in the same
 * places and snd's thread ID in %ecx; the typed items must have been
 * carried out (ipc_map_items, kernel/map.c: nothing without them); and
 * rcv->ipc_received must be set, which tells sys_ipc that a call's reply
 * has already arrived.
 * Tested by: every lab-1 test (pingpong checks all 0..63 words).
 */
void ipc_transfer(struct thread *snd, struct thread *rcv)
{
    struct trapframe *stf = thread_tf(snd), *rtf = thread_tf(rcv);
    l4_tag_t tag = stf->esi;
    unsigned last = l4_tag_untyped(tag) + l4_tag_typed(tag);

    rtf->esi = tag;                         /* MR0 and MR1 travel in registers */
    rtf->edi = stf->edi;
    rtf->ecx = snd->tid;                    /* the receiver learns who sent it */
    rcv->ipc_received = 1;
    /* Most messages fit in MR0 and MR1 and have no items (two words
       each, so a message with items has MR2): nothing more to do then. */
    if (last >= 2) {
        const uint32_t *from = snd->utcb->mr;
        uint32_t *to = rcv->utcb->mr;
        for (unsigned i = 2; i <= last; i++)
            to[i] = from[i];
        if (l4_tag_typed(tag))
            ipc_map_items(snd, rcv);
    }
}

/*
 * LAB 1: the send phase of the current thread's IPC to dest.
 *
 * Returns 0 once the message is in dest's registers, or the error that
 * ended the wait: -L4_ETIMEOUT, -L4_ECANCELED, or (a caller waits for its
 * reply inside its send phase) an error of the reply with L4_ERECV.  A
 * receiver that waits for us (ipc_accepts) gets the message at once and
 * is woken with success, and current goes on running.  A zero timeout
 * never blocks and fails only if no such receiver is waiting: that is what
 * lets a server's zero-timeout reply succeed.  Otherwise current waits on
 * dest's send queue in TS_SENDING for at most the timeout, and whoever
 * ends the wait (a receiver, the timer, ipc_cancel) leaves the result in
 * current->ipc_error.  Wake threads only through ipc_wake.
 * Tested by: pingpong, many_clients, zero_timeout, timeouts.
 */
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

/*
 * LAB 1: the receive phase of the current thread's IPC.
 *
 * from is a thread ID or L4_ANYTHREAD (sys_ipc has stored it in
 * current->ipc_from).  Returns 0 once a message from a sender that from
 * accepts is in current's registers, or an error without L4_ERECV
 * (sys_ipc adds it).  Queued senders are served oldest first (sendq_take).
 * A sender whose message is taken is still blocked and must not stay a
 * sender; if its IPC has a receive phase (snd->ipc_from is not
 * L4_NILTHREAD: a call), it must already be waiting for our reply when it
 * leaves the queue (ipc_await_reply), so that a call is never between its
 * two phases.  A zero timeout never blocks; otherwise current waits in
 * TS_RECEIVING for at most the timeout, and a sender that ends the wait
 * has transferred its message already.
 * Tested by: pingpong, receive_any, many_clients, call_atomic,
 * zero_timeout, timeouts.
 */
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

/*
 * LAB 1: the timer gave up on t.
 *
 * t is blocked in TS_SENDING or TS_RECEIVING, and the scheduler has
 * already taken it off the list of pending timeouts.  Afterwards t must be
 * ready and on no send queue (no receiver may take the message of a thread
 * that was told its send failed), and its IPC must return -L4_ETIMEOUT if
 * it was waiting to send, -(L4_ETIMEOUT | L4_ERECV) if it was waiting to
 * receive.  A caller waiting for its reply counts as receiving, although
 * it blocked in ipc_send: sys_ipc adds L4_ERECV only to what ipc_receive
 * returns.
 * Tested by: timeouts, and every test that sleeps (sleep_ticks).
 */
void ipc_timeout(struct thread *t)
{
    if (t->state == TS_SENDING) {
        sendq_remove(t->ipc_partner, t);
        ipc_wake(t, -L4_ETIMEOUT);
    } else {
        ipc_wake(t, -(L4_ETIMEOUT | L4_ERECV));
    }
}
